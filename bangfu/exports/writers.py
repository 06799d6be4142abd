"""Writing a table to .xlsx or .csv in constant memory, safe to open in a spreadsheet.

Cells starting with = + - @ (or a tab / carriage return) are prefixed with ' so a spreadsheet
never runs them as formulas (OWASP "CSV injection"); xlsxwriter is also told never to turn
strings into formulas, links or numbers. Rows are consumed as they come: CSV is written row by
row (to a stream or a file), xlsx in xlsxwriter's constant-memory mode (one row held at a time).
"""

import codecs
import csv
from collections.abc import Iterable, Iterator
from datetime import date, datetime
from decimal import Decimal

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FORMATS = ("xlsx", "csv")
CONTENT_TYPES = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                 "csv": "text/csv; charset=utf-8", "zip": "application/zip"}


SHEET_NAME_FORBIDDEN = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(title) -> str:
    """A worksheet name Excel accepts from a (translated) title: none of []:*?/\\, no apostrophe at
    either end, at most 31 characters, never empty."""
    return " ".join(str(title).translate(SHEET_NAME_FORBIDDEN).split())[:31].strip("' ") or "Sheet1"


def safe_cell(value):
    """Text a spreadsheet shows as text: formula-like strings get a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _yes_no() -> dict[bool, str]:
    """是 / 否, translated once per file rather than once per cell."""
    return {True: _("是"), False: _("否")}


def _text(value, yes_no: dict[bool, str]) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return yes_no[value]
    if isinstance(value, datetime):
        return _local(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(safe_cell(value)) if isinstance(value, str) else str(value)


def _local(moment: datetime) -> datetime:
    """Wall-clock time where the office is (spreadsheets know no time zones)."""
    return timezone.localtime(moment).replace(tzinfo=None) if timezone.is_aware(moment) else moment


class _Echo:
    def write(self, value):
        return value


def csv_stream(headers: list[str], rows: Iterable[tuple]) -> Iterator[bytes]:
    """UTF-8 with BOM, so that Excel opens it with the right characters; one row at a time."""
    writer = csv.writer(_Echo())
    yes_no = _yes_no()
    yield codecs.BOM_UTF8 + writer.writerow([_text(h, yes_no) for h in headers]).encode()
    for row in rows:
        yield writer.writerow([_text(v, yes_no) for v in row]).encode()


def csv_write(headers: list[str], rows: Iterable[tuple], path: str) -> None:
    with open(path, "wb") as fh:
        for chunk in csv_stream(headers, rows):
            fh.write(chunk)


def xlsx_write(headers: list[str], rows: Iterable[tuple], path, title: str = "") -> None:
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
    sheet = workbook.add_worksheet(sheet_name(title))
    bold = workbook.add_format({"bold": True})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    moment = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(0, 0, [str(h) for h in headers], bold)
    sheet.freeze_panes(1, 0)
    yes_no = _yes_no()
    for r, row in enumerate(rows, start=1):
        for c, value in enumerate(row):
            if value is None or value == "":
                continue
            if isinstance(value, bool):
                sheet.write_string(r, c, yes_no[value])
            elif isinstance(value, (int, float, Decimal)):
                sheet.write_number(r, c, float(value))
            elif isinstance(value, datetime):
                sheet.write_datetime(r, c, _local(value), moment)
            elif isinstance(value, date):
                sheet.write_datetime(r, c, value, day)
            else:
                sheet.write_string(r, c, safe_cell(str(value)))
    workbook.close()


def table_write(fmt: str, headers: list[str], rows: Iterable[tuple], path, title: str = "") -> None:
    if fmt == "csv":
        csv_write(headers, rows, str(path))
    else:
        xlsx_write(headers, rows, path, title)
