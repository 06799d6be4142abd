"""Reading a large .xlsx sheet row by row, in constant memory.

python-calamine, which reads every other workbook, loads a whole sheet before it returns the first
row: about 1.1 GB for a million rows of ten cells (docs/performance.md), more than an import may
take. A sheet whose XML is larger than STREAM_MIN_BYTES is therefore read here: the zip member is
decompressed a megabyte at a time and parsed by expat (the standard library's compiled XML
parser), so memory is that of one batch of rows. Shared strings are kept as one polars column and
gathered per batch by index (a million-row register saved by Excel has two or three million of
them: as Python strings they alone would take some 200 MB).

Cells come out as the text the user sees, by the same rules as calamine's values (cells.py):
strings as written (rich-text runs joined, phonetic guides left out), whole numbers without ".0",
date-formatted numbers as ISO dates, booleans as 是/否, formulas as their cached result.
"""

import datetime as dt
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import PurePosixPath
from xml.parsers import expat

import polars as pl

from bangfu.imports.cells import bool_text, moment_text, number_text

STREAM_MIN_BYTES = int(os.environ.get("BANGFU_XLSX_STREAM_MB", "64")) << 20
CHUNK = 1 << 20
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ones).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_DIGITS = "0123456789"


class _Tree:
    """A small XML part (workbook, relationships, styles) as (local name, attributes) events."""

    def __init__(self, data: bytes):
        self.events: list[tuple[str, dict]] = []
        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = lambda name, attrs: self.events.append((_local(name), attrs))
        parser.Parse(data, True)


def _local(name: str) -> str:
    return name.rpartition("}")[2].rpartition(":")[2]


def _column_index(letters: str) -> int:
    index = 0
    for char in letters:
        index = index * 26 + ord(char) - 64
    return index - 1


def _is_date_format(code: str) -> bool:
    """A custom number format shows a date if it has a date or time part outside quotes and brackets."""
    code = re.sub(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.', "", code).lower()
    return bool(re.search(r"[ymdhs]", code)) and "general" not in code


def _number_text(raw: str) -> str:
    try:
        return number_text(float(raw))
    except ValueError:
        return raw


class XlsxSheet:
    """The first sheet of an .xlsx workbook, read as it streams."""

    def __init__(self, path):
        self.path = path
        with zipfile.ZipFile(path) as book:
            names = set(book.namelist())
            workbook = _Tree(book.read("xl/workbook.xml")).events
            self.member = self._first_sheet(book, names, workbook)
            self.size = book.getinfo(self.member).file_size
            self.epoch = dt.date(1899, 12, 30)
            for name, attrs in workbook:
                if name == "workbookPr" and attrs.get("date1904") in ("1", "true"):
                    self.epoch = dt.date(1904, 1, 1)
            self.date_styles = self._date_styles(book, names)
        self._strings: pl.Series | None = None

    @staticmethod
    def _first_sheet(book: zipfile.ZipFile, names: set[str], workbook: list[tuple[str, dict]]) -> str:
        """The part of the workbook's first sheet (the one calamine's get_sheet_by_index(0) reads)."""
        first = next((attrs for name, attrs in workbook if name == "sheet"), None)
        rel_id = first and (first.get(f"{_DOC_REL}}}id") or first.get("r:id"))
        if rel_id and "xl/_rels/workbook.xml.rels" in names:
            for name, attrs in _Tree(book.read("xl/_rels/workbook.xml.rels")).events:
                if name == "Relationship" and attrs.get("Id") == rel_id:
                    target = attrs["Target"]
                    path = target.lstrip("/") if target.startswith("/") else str(PurePosixPath("xl") / target)
                    if path in names:
                        return path
        return "xl/worksheets/sheet1.xml"

    @staticmethod
    def _date_styles(book: zipfile.ZipFile, names: set[str]) -> set[int]:
        """Indexes of the cell styles (the `s` of a cell) whose number format shows a date."""
        if "xl/styles.xml" not in names:
            return set()
        custom: dict[int, str] = {}
        styles: set[int] = set()
        in_xfs, index = False, 0
        parser = expat.ParserCreate(namespace_separator="}")

        def start(name, attrs):
            nonlocal in_xfs, index
            name = _local(name)
            if name == "numFmt":
                custom[int(attrs.get("numFmtId", -1))] = attrs.get("formatCode", "")
            elif name == "cellXfs":
                in_xfs = True
            elif name == "xf" and in_xfs:
                fmt = int(attrs.get("numFmtId", 0))
                if fmt in _DATE_FORMAT_IDS or (fmt in custom and _is_date_format(custom[fmt])):
                    styles.add(index)
                index += 1

        def end(name):
            nonlocal in_xfs
            if _local(name) == "cellXfs":
                in_xfs = False

        parser.StartElementHandler, parser.EndElementHandler = start, end
        parser.Parse(book.read("xl/styles.xml"), True)
        return styles

    @property
    def strings(self) -> pl.Series:
        """The shared strings, in order, as one String column (loaded on first use)."""
        if self._strings is None:
            self._strings = self._load_strings()
        return self._strings

    def _load_strings(self) -> pl.Series:
        parts: list[pl.Series] = []
        pending: list[str] = []
        text: list[str] = []
        depth = {"t": 0, "rPh": 0}
        parser = expat.ParserCreate(namespace_separator="}")
        parser.buffer_text = True

        def start(name, _attrs):
            name = _local(name)
            if name in depth:
                depth[name] += 1
            elif name == "si":
                text.clear()

        def end(name):
            name = _local(name)
            if name in depth:
                depth[name] -= 1
            elif name == "si":
                pending.append("".join(text))
                if len(pending) >= 100_000:
                    parts.append(pl.Series(pending, dtype=pl.String))
                    pending.clear()

        def chars(data):
            if depth["t"] and not depth["rPh"]:
                text.append(data)

        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
        with zipfile.ZipFile(self.path) as book:
            if "xl/sharedStrings.xml" in book.namelist():
                with book.open("xl/sharedStrings.xml") as fh:
                    while chunk := fh.read(CHUNK):
                        parser.Parse(chunk, False)
                parser.Parse(b"", True)
        parts.append(pl.Series(pending, dtype=pl.String))
        return pl.concat(parts) if len(parts) > 1 else parts[0]

    def dimension_rows(self) -> int | None:
        """The last row of the sheet's <dimension ref="A1:J1000001">, if the writer gave one."""
        with zipfile.ZipFile(self.path) as book, book.open(self.member) as fh:
            head = fh.read(4096).decode("utf-8", "replace")
        found = re.search(r'<(?:\w+:)?dimension ref="[A-Z]*\d*:?[A-Z]*(\d+)"', head)
        return int(found.group(1)) if found else None

    def rows(self) -> Iterator[tuple[int, list]]:
        """(Excel row number, cells) for every row written in the sheet. A cell is its text, or the
        int index of a shared string (resolve with `resolve`); missing cells in between are "".

        The handlers run once per element, tens of millions of times for a big sheet: they compare
        names with the file's own spelling (the sheet's prefix, found on its root element, usually
        none) and keep their state in closure variables rather than a dict."""
        done: list[tuple[int, list]] = []
        epoch, date_styles = self.epoch, self.date_styles
        C, V, T, ROW, RPH = "c", "v", "t", "row", "rPh"  # as the file spells them (its prefix, once seen)
        columns: dict[str, int] = {}  # "AB" → 27
        row_number, cells, col, kind, style, value, inside, phonetic = 0, [], 0, "n", None, [], 0, 0
        first = True

        def start(name, attrs):
            nonlocal row_number, cells, col, kind, style, value, inside, phonetic, first, C, V, T, ROW, RPH
            if first:  # the root element tells the prefix the file uses, if any
                first = False
                prefix = name.rpartition(":")[0]
                if prefix:
                    C, V, T, ROW, RPH = (f"{prefix}:{n}" for n in (C, V, T, ROW, RPH))
                return
            if name == C:
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip(_DIGITS)
                    col = columns.get(letters)
                    if col is None:
                        col = columns[letters] = _column_index(letters)
                kind = attrs.get("t", "n")
                style = attrs.get("s")
                value = []
            elif name == V or name == T:
                inside += 1
            elif name == ROW:
                ref = attrs.get("r")
                row_number = int(ref) if ref else row_number + 1
                cells, col = [], 0
            elif name == RPH:
                phonetic += 1

        def end(name):
            nonlocal col, inside, phonetic
            if name == V or name == T:
                inside -= 1
            elif name == C:
                raw = "".join(value)
                if kind == "s":
                    cell = int(raw) if raw else ""
                elif kind == "inlineStr" or kind == "str" or kind == "e":
                    cell = raw
                elif kind == "b":
                    cell = bool_text(raw in ("1", "true")) if raw else ""
                elif kind == "d":
                    cell = raw.partition("T")[0] if raw.endswith("T00:00:00") or "T" not in raw \
                        else raw.replace("T", " ")
                elif raw and style is not None and int(style) in date_styles:
                    cell = _serial_text(raw, epoch)
                else:
                    cell = _number_text(raw) if raw else ""
                if col == len(cells):
                    cells.append(cell)
                elif col > len(cells):
                    cells.extend([""] * (col - len(cells)))
                    cells.append(cell)
                else:
                    cells[col] = cell
                col += 1
            elif name == ROW:
                done.append((row_number, cells))
            elif name == RPH:
                phonetic -= 1

        def chars(data):
            if inside and not phonetic:
                value.append(data)

        parser = expat.ParserCreate()
        parser.buffer_text = True
        parser.StartElementHandler, parser.EndElementHandler, parser.CharacterDataHandler = start, end, chars
        with zipfile.ZipFile(self.path) as book, book.open(self.member) as fh:
            while chunk := fh.read(CHUNK):
                parser.Parse(chunk, False)
                yield from done
                done.clear()
            parser.Parse(b"", True)
            yield from done

    def resolve(self, column: list) -> pl.Series:
        """A column of cells from rows(): shared-string indexes replaced by their text, gathered at once."""
        if not any(type(v) is int for v in column):
            return pl.Series(column, dtype=pl.String)
        strings = self.strings
        last = strings.len() - 1
        # An index past the table (a damaged file) reads as an empty cell, as calamine reads it.
        indexes = pl.Series([v if type(v) is int and 0 <= v <= last else None for v in column], dtype=pl.Int64)
        texts = pl.Series([v if type(v) is str else None for v in column], dtype=pl.String)
        return texts.fill_null(strings.gather(indexes)).fill_null("")


def _serial_text(raw: str, epoch: dt.date) -> str:
    """A date-formatted number: 42614 → 2016-09-01; with a time of day, 2016-09-01 08:30:00."""
    try:
        serial = float(raw)
    except ValueError:
        return raw
    moment = dt.datetime.combine(epoch, dt.time()) + dt.timedelta(days=serial)
    moment = moment.replace(microsecond=0) if moment.microsecond < 500_000 else \
        (moment + dt.timedelta(seconds=1)).replace(microsecond=0)
    return moment_text(moment)


def streamed_sheet(path) -> XlsxSheet | None:
    """The workbook's first sheet to stream, if it is too large for calamine to hold in memory."""
    try:
        sheet = XlsxSheet(path)
    except (zipfile.BadZipFile, KeyError, expat.ExpatError, ValueError):
        return None  # not a readable xlsx: calamine says what is wrong with it
    return sheet if sheet.size > STREAM_MIN_BYTES else None
