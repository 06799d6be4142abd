"""The error report: a copy of the file, bad cells highlighted, one message per cell.

Written with xlsxwriter in constant-memory mode, row by row while the file is read again,
so a report of a large file costs no more memory than a batch.
"""

from datetime import date, datetime, timedelta
from pathlib import Path

import polars as pl
import xlsxwriter
from django.utils.translation import gettext as _

from bangfu.imports.reading import Sheet, sheet_batches
from bangfu.imports.validation import DATE_FORMATS, EXCEL_EPOCH, error_kind_label

MAX_COMMENTS = 5_000


def date_parse(text: str) -> date | None:
    """A date cell as the importer reads it (validation._date_expr), for writing it as a date."""
    text = (text or "").strip()
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    if text.replace(".", "", 1).isdigit() and len(text.split(".")[0]) == 5:
        return EXCEL_EPOCH + timedelta(days=int(float(text)))
    return None


def report_write(*, sheet: Sheet, errors: pl.DataFrame, error_counts: dict[str, int], path: Path,
                 dates: set[int] = frozenset()) -> None:
    """`dates`: the file's columns of dates, written as dates (a cell that is no date stays text)."""
    by_row: dict[int, list[tuple[int, str, str]]] = {}
    for row, col, header, message in errors.select("row", "col", "header", "message").iter_rows():
        by_row.setdefault(row, []).append((col, header, message))
    workbook = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_formulas": False,
                                               "strings_to_urls": False, "strings_to_numbers": False})
    bad = workbook.add_format({"bg_color": "#FFC7CE", "font_color": "#9C0006", "border": 1})
    head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1})
    note = workbook.add_format({"font_color": "#9C0006", "text_wrap": False})
    day = workbook.add_format({"num_format": "yyyy-mm-dd"})
    bad_day = workbook.add_format({"num_format": "yyyy-mm-dd", "bg_color": "#FFC7CE", "font_color": "#9C0006",
                                   "border": 1})
    title = workbook.add_format({"bold": True, "align": "center"})
    sheet_out = workbook.add_worksheet(_("数据及错误"))
    header_index = sheet.header_row - 1
    message_col = sheet.width
    for number, cells in sheet.titles:  # the title rows above the header, as in the file
        filled = [(i, v) for i, v in enumerate(cells[: message_col + 1]) if v]
        if len(filled) == 1 and filled[0][0] == 0 and message_col > 0:  # one merged title across the table
            sheet_out.merge_range(number - 1, 0, number - 1, message_col, filled[0][1], title)
        else:
            for i, value in filled:
                sheet_out.write_string(number - 1, i, value)
    for i, title in enumerate(sheet.headers):
        sheet_out.write_string(header_index, i, title, head)
    sheet_out.write_string(header_index, message_col, _("错误说明"), head)
    sheet_out.freeze_panes(header_index + 1, 0)
    comments = 0
    for batch in sheet_batches(sheet):
        names = [f"c{i}" for i in range(sheet.width)]
        for values in batch.select(*names, "__row").iter_rows():
            row = values[-1]
            problems = {col: (header, message) for col, header, message in by_row.get(row, [])}
            for i, value in enumerate(values[:-1]):
                when = date_parse(value) if i in dates and value else None
                when = when if when is not None and when.year >= 1900 else None  # Excel's dates start in 1900
                if i in problems:
                    if when is not None:
                        sheet_out.write_datetime(row - 1, i, datetime.combine(when, datetime.min.time()), bad_day)
                    else:
                        sheet_out.write_string(row - 1, i, value or "", bad)
                    if comments < MAX_COMMENTS:
                        sheet_out.write_comment(row - 1, i, problems[i][1])
                        comments += 1
                elif when is not None:
                    sheet_out.write_datetime(row - 1, i, datetime.combine(when, datetime.min.time()), day)
                elif value:
                    sheet_out.write_string(row - 1, i, value)
            if problems:
                text = "；".join(f"{header or _('整行')}：{message}" for header, message in problems.values())
                sheet_out.write_string(row - 1, message_col, text, note)
    summary = workbook.add_worksheet(_("错误汇总"))
    summary.write_row(0, 0, [_("错误类型"), _("数量")], head)
    for i, (kind, count) in enumerate(sorted(error_counts.items(), key=lambda kv: -kv[1]), start=1):
        summary.write_string(i, 0, error_kind_label(kind))
        summary.write_number(i, 1, count)
    summary.set_column(0, 0, 28)
    workbook.close()
