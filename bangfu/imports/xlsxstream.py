"""Reading a large .xlsx sheet row by row, in constant memory.

python-calamine, which reads every other workbook, loads a whole sheet before it returns the first
row: about 1.1 GB for a million rows of ten cells (docs/performance.md), more than an import may
take. A sheet whose XML is larger than STREAM_MIN_BYTES is therefore read here: the zip member is
decompressed a megabyte at a time and read in pieces of PIECE bytes by _Scanner (polars' string
functions over whole pieces, two pieces at a time in threads), so memory is that of a few pieces
and batches. rows() parses with expat (the standard library's compiled XML parser) instead: it
reads the header rows, any part of a sheet the scanner does not take, and is the reference the
scanner is tested against. Shared strings are kept as one polars column and gathered by index (a
million-row register saved by Excel has two or three million of them: as Python strings they alone
would take some 200 MB).

Cells come out as the text the user sees, by the same rules as calamine's values (cells.py):
strings as written (rich-text runs joined, phonetic guides left out), whole numbers without ".0",
date-formatted numbers as ISO dates, booleans as 是/否, formulas as their cached result.
"""

import datetime as dt
import itertools
import os
import re
import threading
import zipfile
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import PurePosixPath
from queue import Full, Queue
from xml.parsers import expat

import polars as pl

from bangfu.imports.cells import bool_text, moment_text, number_text

# some 25,000 rows of ten cells: above it streaming is both lighter and faster than calamine, which reads
# the whole sheet before the validation of its first row can start (docs/performance.md, stop 27)
STREAM_MIN_BYTES = int(os.environ.get("BANGFU_XLSX_STREAM_MB", "16")) << 20
CHUNK = 1 << 20
PIECE = 2 << 20  # XML read by _Scanner at a time: about 3,500 rows of ten cells (docs/performance.md)
SCANNERS = 2  # pieces scanned at once
_DOC_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
# Built-in number formats that show a date or time (ECMA-376 18.8.30, with the East Asian ones).
_DATE_FORMAT_IDS = {*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)}
_DIGITS = "0123456789"
_SHEET_DATA = re.compile(rb"<([A-Za-z_][\w.-]*:)?sheetData(?:[ \t\r\n][^>]*)?(/?)>")
_HEAD_MAX = 64 << 20  # a sheet's part before <sheetData> (columns, views) is far smaller than this


class _Tree:
    """A small XML part (workbook, relationships, styles) as (local name, attributes) events."""

    def __init__(self, data: bytes):
        self.events: list[tuple[str, dict]] = []
        parser = expat.ParserCreate(namespace_separator="}")
        parser.StartElementHandler = lambda name, attrs: self.events.append((_local(name), attrs))
        parser.Parse(data, True)


class SheetError(ValueError):
    """A sheet whose XML rows() cannot read, near Excel row `row` (0: before the first row): `kind` "xml" (expat's
    error, `detail`), "reference" or "style" (the attribute as written, `detail`). reading.py tells the user."""

    def __init__(self, row: int, kind: str, detail: str):
        super().__init__(f"row {row}: {kind} {detail}")
        self.row, self.kind, self.detail = row, kind, detail


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
        # Set by frames(): the row after which rows()' parser read the rest (0: all of it), or None
        # when _Scanner read every row.
        self.parsed_after: int | None = None
        self.scanner: _Scanner | None = None

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
        The reference reading, by expat: `frames` reads the same rows faster, and falls back to this."""
        with zipfile.ZipFile(self.path) as book, book.open(self.member) as fh:
            yield from self._parsed(iter(lambda: fh.read(CHUNK), b""))

    def _parsed(self, chunks: Iterator[bytes], row_number: int = 0) -> Iterator[tuple[int, list]]:
        """rows() of an XML stream whose root element has the sheet's prefix; a row without an `r`
        attribute is numbered from `row_number`, the number of the row before it.

        The handlers run once per element, tens of millions of times for a big sheet: they compare
        names with the file's own spelling (the sheet's prefix, found on its root element, usually
        none) and keep their state in closure variables rather than a dict."""
        done: list[tuple[int, list]] = []
        epoch, date_styles = self.epoch, self.date_styles
        C, V, T, ROW, RPH = "c", "v", "t", "row", "rPh"  # as the file spells them (its prefix, once seen)
        columns: dict[str, int] = {}  # "AB" → 27
        cells, col, kind, style, value, inside, phonetic = [], 0, "n", None, [], 0, 0
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
                    if col is None:  # A to XFD (written in lower case by some writers)
                        if not _HEAD_LETTERS.fullmatch(letters.upper()):
                            raise SheetError(row_number, "reference", ref[:20])
                        col = columns[letters] = _column_index(letters.upper())
                kind = attrs.get("t", "n")
                style = attrs.get("s")
                if style is not None and not style.strip().isdigit():  # as int() below reads it
                    raise SheetError(row_number, "style", style[:20])
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
        try:
            for chunk in chunks:
                parser.Parse(chunk, False)
                yield from done
                done.clear()
            parser.Parse(b"", True)
        except expat.ExpatError as exc:
            # the rows read before it are given first: what the sheet says up to there, then why it stops
            yield from done
            raise SheetError(row_number, "xml", expat.ErrorString(exc.code)) from None
        yield from done

    def frames(self, width: int, after: int, size: int) -> Iterator[pl.DataFrame]:
        """The rows below row `after` as frames of `size` rows (the last one shorter): String columns
        c0…c{width-1}, "" where a row has no cell, and `__row`, the Excel row number. The same rows as
        rows() and resolve() give, read by _Scanner; a part of the sheet it does not take (see there)
        is read by rows()' parser from that point on."""
        held: list[pl.DataFrame] = []
        count, self.parsed_after = 0, None
        for piece in _ahead(self._pieces(width)):
            piece = piece.filter(pl.col("__row") > after)
            held.append(piece)
            count += piece.height
            while count >= size:
                joined = pl.concat(held) if len(held) > 1 else held[0]
                yield joined.slice(0, size)
                held, count = [joined.slice(size)], count - size
        if count:
            yield pl.concat(held)

    def _pieces(self, width: int) -> Iterator[pl.DataFrame]:
        """Frames of every row, one for each piece of the sheet read."""
        with zipfile.ZipFile(self.path) as book, book.open(self.member) as fh:
            read = iter(lambda: fh.read(CHUNK), b"")
            buffer, opened = b"", None
            for chunk in read:
                buffer += chunk
                opened = _SHEET_DATA.search(buffer)
                if opened or len(buffer) > _HEAD_MAX:
                    break
            prefix = _head_prefix(buffer[: opened.start()]) if opened else None
            if prefix is None or (opened.group(1) or b"") != prefix:  # not as every writer we know writes it
                self.parsed_after = 0
                yield from self._parsed_frames(itertools.chain([buffer], read), width, 0)
                return
            if opened.group(2):  # <sheetData/>: no rows
                return
            scanner = self.scanner = _Scanner(prefix.decode(), self.epoch, self.date_styles)
            root = b"<" + prefix + b"worksheet><" + prefix + b"sheetData>"  # for rows()' parser, mid-sheet
            closing = b"</" + prefix + b"sheetData"
            pieces = _cut(buffer[opened.end():], read, prefix)
            row_number = 0

            def scanned(piece: bytes):
                found = scanner.scan(piece)
                return found and (found[0], self._frame(found[0].height, found[1], width))

            # Pieces are scanned SCANNERS at a time (polars releases the GIL), and used in order.
            with ThreadPoolExecutor(SCANNERS, thread_name_prefix="xlsx-scan") as pool:
                ahead: deque = deque()
                for whole_rows, data in pieces:
                    if whole_rows:
                        ahead.append((data, pool.submit(scanned, data)))
                    while ahead and (len(ahead) >= SCANNERS or not whole_rows):
                        piece, future = ahead.popleft()
                        found = future.result()
                        if found is None:  # from here on, rows()' parser reads the rest
                            for _piece, later in ahead:
                                later.cancel()
                            self.parsed_after = row_number
                            rest = [later for later, _future in ahead] + ([] if whole_rows else [data])
                            yield from self._parsed_frames(itertools.chain([root, piece], rest, (d for _w, d in pieces)),
                                                           width, row_number)
                            return
                        rows, frame = found
                        numbers = self.scanner.numbers(rows, row_number)
                        if numbers.len():
                            row_number = numbers[-1]
                        yield frame.with_columns(numbers.alias("__row"))
                    if not whole_rows:
                        if not data.startswith(closing):  # the sheet ends without </sheetData>: let the parser say
                            self.parsed_after = row_number
                            yield from self._parsed_frames(iter([root, data]), width, row_number)
                        return

    def _frame(self, height: int, cells: pl.DataFrame, width: int) -> pl.DataFrame:
        """The wide frame of a piece's `height` rows from its cells (row, col, text, string), without __row."""
        cells = cells.filter(pl.col("col") < width)
        index = cells.get_column("string")
        if index.null_count() < index.len():
            # An index past the table (a damaged file) reads as an empty cell, as in resolve().
            strings = self.strings
            index = pl.select(pl.when(index < strings.len()).then(index)).to_series()
            cells = cells.with_columns(text=pl.col("text").fill_null(strings.gather(index)))
        # Two cells at one place (a reference written twice, or back): the later one, as rows() keeps it.
        if cells.select(((pl.col("row") == pl.col("row").shift(1)) & (pl.col("col") <= pl.col("col").shift(1))).any()
                        ).item():
            cells = cells.unique(["row", "col"], keep="last", maintain_order=True)
        names = [f"c{i}" for i in range(width)]
        if width and cells.height == height * width and cells.select(
                ((pl.col("col") == pl.int_range(pl.len()) % width)).all()).item():
            # every row has its cells in every column, in order (cells come in row order): no pivot
            text = cells.get_column("text").fill_null("")
            return pl.DataFrame({n: text.gather_every(width, i) for i, n in enumerate(names)}, height=height)
        wide = pl.DataFrame({"row": pl.int_range(0, height, dtype=pl.UInt32, eager=True)})
        if cells.height:
            wide = wide.join(cells.pivot(on="col", index="row", values="text"), on="row", how="left")
        return wide.select(*(pl.col(str(i)).fill_null("").alias(n) if str(i) in wide.columns
                             else pl.lit("", dtype=pl.String).alias(n) for i, n in enumerate(names)))

    def _parsed_frames(self, chunks: Iterator[bytes], width: int, row_number: int) -> Iterator[pl.DataFrame]:
        """Frames of rows()' parser's rows, as many at a time as it returns."""
        numbers: list[int] = []
        rows: list[list] = []
        for number, cells in self._parsed(chunks, row_number):
            numbers.append(number)
            rows.append(cells)
            if len(rows) >= 10_000:
                yield self._rows_frame(numbers, rows, width)
                numbers, rows = [], []
        if rows:
            yield self._rows_frame(numbers, rows, width)

    def _rows_frame(self, numbers: list[int], rows: list[list], width: int) -> pl.DataFrame:
        columns = {f"c{i}": self.resolve([r[i] if i < len(r) else "" for r in rows]) for i in range(width)}
        return pl.DataFrame(columns).with_columns(pl.Series("__row", numbers, dtype=pl.Int64))

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


def _head_prefix(head: bytes) -> bytes | None:
    """The prefix of the sheet's root element (b"" or b"x:") from the part before <sheetData>, if the
    scanner can take what follows: UTF-8, no document type (entities), comments or CDATA."""
    head = head.removeprefix(b"\xef\xbb\xbf")
    declared = re.match(rb'<\?xml[^>]*?encoding=["\']([^"\']*)', head)
    if b"<!" in head or (declared and declared.group(1).lower() not in (b"utf-8", b"utf8")):
        return None
    root = re.search(rb"<([A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*[ \t\r\n/>]", head)
    return (root.group(1) or b"") if root else None


_WS = r"[ \t\n]"
_ATTRS = rf'(?:{_WS}+[\w:.-]+{_WS}*={_WS}*"[^"<>]*")*{_WS}*'
_INLINE = {"inlineStr", "str", "e"}
# A cell's start tag after `<c r="` as _Scanner._regular reads it: A2" s="1" t="s" (s and t optional), then
# > or />; the reference's letters and the part after its quote
_HEAD_LETTERS = re.compile(r"[A-Z]{1,3}")
_HEAD_ATTRIBUTES = re.compile(r'(?: s="([0-9]{1,9})")?(?: t="([A-Za-z]+)")?/?')


class _Scanner:
    """The rows of a piece of <sheetData> by a handful of regular expressions over the whole piece
    (polars' compiled ones), instead of expat's Python handler for each of its elements: 26 of
    the 35 s a million-row sheet took to read (docs/performance.md, stop 17).

    It takes the rows as every writer we know writes them — <row> and <c> elements with their
    attributes in double quotes, values in <v> or in <is>'s <t> (rich-text runs, phonetic guides),
    the five named entities and character references — and gives each cell the text rows() would
    give it, kind by kind. Anything else in a piece (a comment, CDATA, a processing instruction,
    a carriage return, a reference it cannot place, an element where a row or cell should be)
    makes `scan` return None, and rows()' parser reads the sheet from there on."""

    def __init__(self, prefix: str, epoch: dt.date, date_styles: set[int]):
        p = re.escape(prefix)
        self.epoch, self.date_styles = epoch, date_styles
        self.row, self.cell, self.p = f"<{prefix}row", f"<{prefix}c", p
        self.cell_end = f"</{prefix}c>"
        # _regular: what may stand between cells (a cell's start tag: _HEAD_LETTERS, _HEAD_ATTRIBUTES).
        self.row_start, self.row_end = rf"<{p}row[ >]", rf"</{p}row>"
        self.row_next = rf'^{_WS}*(?:</{p}row>{_WS}*)?(?:<{p}row(?:{_WS}+[\w:.-]+="[^"<>]*")*>{_WS}*)?$'
        # A cell's start tag as Excel, WPS and xlsxwriter write it: <c r="B2" s="1" t="s"> (s and t optional).
        self.canonical = rf'^<{p}c r="[A-Z]{{1,3}}[0-9]*"(?: s="[0-9]{{1,9}}")?(?: t="[A-Za-z]+")?/?$'
        self.canonical_r, self.canonical_s = rf'^<{p}c r="([A-Z]+)', rf'^<{p}c r="[A-Z0-9]+" s="([0-9]+)"'
        self.token = rf"<{p}row{_ATTRS}/?>|</{p}row{_WS}*>|<{p}c{_ATTRS}(?:/>|>(?s:.*?)</{p}c{_WS}*>)"
        # A cell's value: the text of its <v> and <t> elements, outside phonetic guides (as rows()),
        # first as most writers write it, then in general for the cells that are written otherwise.
        self.plain = [(f"<{prefix}v>", f"</{prefix}v></{prefix}c>", 3),
                      (f"<{prefix}is><{prefix}t>", f"</{prefix}t></{prefix}is></{prefix}c>", 5)]
        self.text = (rf"<{p}rPh(?:{_WS}[^>]*)?/>|<{p}rPh(?:{_WS}[^>]*)?>(?s:.*?)</{p}rPh{_WS}*>"
                     rf"|<{p}[vt](?:{_WS}[^>]*)?>([^<]*)</{p}[vt]{_WS}*>|<[^>]*>|[^<]+")
        self.columns: dict[str, int] = {}
        self.read = [0, 0]  # pieces read by the general tokens, by _regular
        self.lock = threading.Lock()

    def scan(self, piece: bytes) -> tuple[pl.DataFrame, pl.DataFrame] | None:
        """The piece's rows (r: their `r`, "" if none; see numbers()) and its cells as (row: index in
        the piece, col, text, string: shared-string index), or None."""
        try:
            whole = pl.Series([piece], dtype=pl.Binary).cast(pl.String)
        except pl.exceptions.InvalidOperationError:
            return None  # not UTF-8
        if b"\r" in piece or (b"!" in piece and b"<!" in piece) or (b"?" in piece and b"<?" in piece):
            return None  # (a byte first: memchr is many times faster than a search for two)
        regular = self._regular(whole, piece)
        with self.lock:
            self.read[regular is not None] += 1
        if regular is not None:
            return self._finish(*regular)
        tokens = whole.str.extract_all(self.token).explode().drop_nulls()
        if tokens.str.len_bytes().sum() != len(piece) and \
                whole.str.replace_all(self.token, "").str.strip_chars(" \t\n").item():
            return None  # something between the rows that is not a row
        kinds = pl.DataFrame({"token": tokens}).select(
            "token", opens=pl.col("token").str.starts_with(self.row),
            cell=pl.col("token").str.starts_with(self.cell))
        kinds = kinds.with_columns(step=(pl.col("opens") & ~pl.col("token").str.ends_with("/>")).cast(pl.Int32)
                                   - (~pl.col("opens") & ~pl.col("cell")).cast(pl.Int32))
        kinds = kinds.with_columns(depth=pl.col("step").cum_sum() - pl.col("step"),
                                   row=pl.col("opens").cum_sum().cast(pl.UInt32) - 1)
        if kinds.select((pl.col("depth") != pl.when(pl.col("opens")).then(0).otherwise(1)).any()
                        | (pl.col("step").sum() != 0)).item():
            return None  # a row inside a row, a cell outside one, a row left open
        rows = kinds.filter("opens").select(
            r=pl.col("token").str.extract(rf'{_WS}r{_WS}*={_WS}*"([^"]*)"').fill_null(""))
        cells = kinds.filter("cell").select("row", pl.col("token").str.splitn(">", 2).struct.rename_fields(
            ["head", "rest"])).unnest("token")
        heads = cells.get_column("head")
        if heads.str.contains(self.canonical).all():  # three anchored extracts, each a few milliseconds
            cells = cells.select(
                "row", r=heads.str.extract(self.canonical_r), s=heads.str.extract(self.canonical_s),
                t=heads.str.splitn(' t="', 2).struct.field("field_1").str.strip_suffix("/").str.strip_suffix('"'),
                rest=pl.col("rest").fill_null(""))
            letters = cells.get_column("r")
        else:
            if heads.str.contains_any(["\t", "\n", " =", "= "]).any():
                attribute = {n: pl.col("head").str.extract(rf'{_WS}{n}{_WS}*={_WS}*"([^"]*)"') for n in "rts"}
            else:  # name="value", one space before
                attribute = {n: pl.col("head").str.splitn(f' {n}="', 2).struct.field("field_1")
                             .str.splitn('"', 2).struct.field("field_0") for n in "rts"}
            cells = cells.select("row", *(e.alias(n) for n, e in attribute.items()), rest=pl.col("rest").fill_null(""))
            if cells.select(pl.col("r").fill_null("").str.contains("^([A-Z]{1,3}[0-9]*)?$").not_().any()
                            | pl.col("s").fill_null("0").str.contains("^[0-9]{1,9}$").not_().any()).item():
                return None  # a reference or style rows() would read some other way, or not at all
            letters = cells.get_column("r").fill_null("").str.strip_chars_end(_DIGITS)
        if rows.select((pl.col("r") != "") & ~pl.col("r").str.contains("^[0-9]{1,9}$")).to_series().any():
            return None  # a row number rows() would read some other way, or not at all
        index = pl.int_range(pl.len(), dtype=pl.Int64)
        known = [v for v in letters.unique().to_list() if v]
        for v in known:
            if v not in self.columns:
                self.columns[v] = _column_index(v)
        # A cell without `r` follows the one before it in its row (the first is in column A).
        first = (pl.col("row") != pl.col("row").shift(1)).fill_null(True)
        position = index - pl.when(first).then(index).forward_fill()
        given = letters.replace_strict(known, [self.columns[v] for v in known], default=None, return_dtype=pl.Int64)
        cells = cells.with_columns(given=given).with_columns(
            col=position + pl.when(pl.col("given").is_not_null()).then(pl.col("given") - position)
            .when(first).then(0).forward_fill())
        rest = cells.get_column("rest")
        raw = self._plain(rest)
        other = raw.is_null() & (rest != "")
        if other.any():
            raw = raw.scatter(other.arg_true(), rest.filter(other).str.replace_all(self.text, "$1"))
        return self._finish(rows, cells.with_columns(raw=raw.fill_null("")))

    def _regular(self, whole: pl.Series, piece: bytes) -> tuple[pl.DataFrame, pl.DataFrame] | None:
        """The rows (r) and cells (row, col, t, s, raw) of a piece written as Excel, WPS and xlsxwriter
        write a sheet, found by literal splits (a few milliseconds each, against some 40 for the
        general tokens): every cell <c r="B2" s="1" t="s">, then <v>…</v> or <is><t>…</t></is> or
        nothing, and between cells only the end of one row and the start of the next. None for a
        piece written any other way (the general tokens read it)."""
        parts = whole.str.split(self.cell + ' r="').explode()
        if parts.len() < 2:
            return None
        heads = parts.slice(1).str.splitn(">", 2).struct.unnest()
        head, tail = heads.get_column("field_0"), heads.get_column("field_1")
        if tail.null_count():
            return None
        closed = head.str.ends_with("/")
        ends = tail.str.splitn(self.cell_end, 2).struct.unnest()
        body = pl.select(pl.when(closed).then(pl.lit("")).otherwise(ends.get_column("field_0"))).to_series()
        junk = pl.select(pl.when(closed).then(tail).otherwise(ends.get_column("field_1"))).to_series()
        if junk.null_count():
            return None  # a cell without its end
        # The value: the body without the <v>…</v> or <is><t>…</t></is> around it, which must be all of it
        # (the tags cut off by their length, which the checks beside make sure of: 1 ms less a piece than
        # stripping each tag in turn).
        (v_open, v_close, _), (is_open, is_close, _) = self.plain
        v_close, is_close = v_close.removesuffix(self.cell_end), is_close.removesuffix(self.cell_end)
        values = pl.DataFrame({"body": body, "v": body.str.starts_with(v_open)}).select(
            raw=pl.col("body").str.head(pl.when("v").then(-len(v_close)).otherwise(-len(is_close)))
            .str.tail(pl.when("v").then(-len(v_open)).otherwise(-len(is_open))),
            whole=(pl.col("body") == "") | pl.when("v").then(pl.col("body").str.ends_with(v_close))
            .otherwise(pl.col("body").str.starts_with(is_open) & pl.col("body").str.ends_with(is_close)))
        raw = values.get_column("raw")
        if not values.get_column("whole").all() or raw.str.contains("<", literal=True).any():
            return None  # a value written some other way (a formula, rich text)
        # Between cells: nothing (the same row), or the end of a row and the start of the next — checked
        # on the few thousand that are not empty, not on every cell's.
        between = pl.concat([parts.head(1), junk])
        count = between.len()
        at = (between.str.len_bytes() > 0).arg_true()
        text = between.gather(at)
        filled = text.str.strip_chars(" \t\n") != ""
        at, text = at.filter(filled), text.filter(filled)
        if text.len() < 2 or at[0] != 0 or at[-1] != count - 1:
            return None
        opens, ends_row = text.str.contains(self.row_start), text.str.contains(self.row_end)
        # the first: a row's start; then nothing, or a row's end and the next one's start; the last: an end
        if not (opens[0] and not ends_row[0] and ends_row[-1] and not opens[-1]
                and (opens & ends_row).slice(1, text.len() - 2).all() and text.str.contains(self.row_next).all()):
            return None
        starts = text.filter(opens)
        # <row r="2" spans="1:10">: the number after ' r="' (the general pattern when written otherwise)
        numbers = starts.str.splitn(' r="', 2).struct.field("field_1").str.splitn('"', 2).struct.field("field_0")
        if numbers.null_count():
            numbers = starts.str.extract(rf'<{self.p}row[^>]*?{_WS}r="([^"]*)"')
        rows = numbers.fill_null("").to_frame("r")
        if rows.select((pl.col("r") != "") & ~pl.col("r").str.contains("^[0-9]{1,9}$")).to_series().any():
            return None
        opens = pl.zeros(count, dtype=pl.Boolean, eager=True).scatter(at.filter(opens), True)
        # A2" s="1" t="s"/ → A2 and  s="1" t="s"/, each part checked (_HEAD_LETTERS, _HEAD_ATTRIBUTES) and the
        # attributes read once for each of the few ways a piece's cells are written, not cell by cell
        fields = head.str.splitn('"', 2).struct.unnest()
        letters, attributes = fields.get_column("field_0").str.strip_chars_end(_DIGITS), fields.get_column("field_1")
        known = letters.unique().to_list()
        shapes = attributes.unique().to_list()
        matched = [_HEAD_ATTRIBUTES.fullmatch(shape) if shape is not None else None for shape in shapes]
        if not all(matched) or not all(_HEAD_LETTERS.fullmatch(v) for v in known):
            return None  # a cell's start tag written some other way (the general tokens read it)
        styles, kinds = zip(*(m.groups() for m in matched))
        for v in known:
            if v not in self.columns:
                self.columns[v] = _column_index(v)
        return rows, pl.DataFrame({
            "row": opens.head(-1).cast(pl.UInt32).cum_sum() - 1,
            "col": letters.replace_strict(known, [self.columns[v] for v in known], return_dtype=pl.Int64),
            "t": attributes.replace_strict(shapes, kinds, return_dtype=pl.String),
            "s": attributes.replace_strict(shapes, styles, return_dtype=pl.String),
            "raw": raw,
        })

    @staticmethod
    def numbers(rows: pl.DataFrame, row_number: int) -> pl.Series:
        """Row numbers from the rows' `r`; where missing, the row before's plus one (`row_number` the
        number of the row before the first)."""
        index = pl.int_range(pl.len(), dtype=pl.Int64)
        return rows.select(index + pl.when(pl.col("r") != "").then(pl.col("r").cast(pl.Int64, strict=False) - index)
                           .forward_fill().fill_null(row_number + 1)).to_series().alias("__row")

    def _plain(self, rest: pl.Series) -> pl.Series:
        """The value of a cell written <v>1</v></c> or <is><t>覃</t></is></c>; null for any other."""
        tags = rest.str.count_matches("<", literal=True)
        return pl.select(pl.coalesce(
            pl.when(rest.str.starts_with(start) & rest.str.ends_with(end) & (tags == count))
            .then(rest.str.strip_prefix(start).str.strip_suffix(end)) for start, end, count in self.plain)).to_series()

    def _finish(self, rows: pl.DataFrame, cells: pl.DataFrame) -> tuple[pl.DataFrame, pl.DataFrame] | None:
        """From cells (row, col, t, s, raw: the text of the XML) to the cells `scan` returns."""
        raw, kind = cells.get_column("raw"), cells.get_column("t").fill_null("n")
        indexes = raw.filter(kind == "s")  # (none in a sheet of inline strings: the pattern not run on every cell)
        if indexes.len() and ((indexes != "") & ~indexes.str.contains("^[0-9]{1,18}$")).any():
            return None  # a shared string's index that is not one
        escaped = raw.str.contains("&", literal=True)
        if escaped.any():
            mapped = _map(raw.filter(escaped), _unescape)
            if mapped is None:
                return None  # an entity expat would refuse: let it say so
            raw = pl.select(pl.when(escaped).then(raw.replace(*mapped)).otherwise(raw)).to_series()
            cells = cells.with_columns(raw=raw)
        return rows, self._typed(cells)

    def _typed(self, cells: pl.DataFrame) -> pl.DataFrame:
        """Each cell's text by its kind, as rows() gives it; a shared string as its index."""
        kind, raw = pl.col("t").fill_null("n"), pl.col("raw")
        cells = cells.with_columns(kind=kind, date=pl.col("s").cast(pl.Int64, strict=False).is_in(list(self.date_styles))
                                   .fill_null(False))
        kind = pl.col("kind")
        special = cells.filter((kind == "d") | ~kind.is_in([*_INLINE, "s", "b"]) & (raw != ""))
        converted = pl.lit(None, dtype=pl.String)
        if special.height:  # dates and numbers: rows()' own functions, once for each distinct value
            epoch = self.epoch
            pairs = special.select("kind", "raw", "date").unique()
            texts = [_moment_text(r) if k == "d" else _serial_text(r, epoch) if d else _number_text(r)
                     for k, r, d in pairs.iter_rows()]
            cells = cells.join(pairs.with_columns(converted=pl.Series(texts, dtype=pl.String)),
                               on=["kind", "raw", "date"], how="left", maintain_order="left", nulls_equal=True)
            converted = pl.col("converted")
        return cells.select(
            "row", "col",
            text=pl.when(kind.is_in(list(_INLINE))).then(raw)
            .when(kind == "s").then(pl.when(raw == "").then(pl.lit("")))
            .when(raw == "").then(pl.lit(""))
            .when(kind == "b").then(pl.when(raw.is_in(["1", "true"])).then(pl.lit(bool_text(True)))
                                    .otherwise(pl.lit(bool_text(False))))
            .otherwise(converted),
            string=pl.when((kind == "s") & (raw != "")).then(raw.cast(pl.Int64, strict=False)))


def _cut(buffer: bytes, read: Iterator[bytes], prefix: bytes) -> Iterator[tuple[bool, bytes]]:
    """The sheet's XML after <sheetData>, in order: (True, a piece of about PIECE bytes ending after
    its last whole row), …, then (False, the rest from </sheetData> on, or all that is left if it
    never comes), followed by (False, each later chunk) for whoever reads on."""
    closing, row_end, more = b"</" + prefix + b"sheetData", b"</" + prefix + b"row", True
    while True:
        parts = [buffer]
        while more and sum(map(len, parts)) < PIECE:
            parts.append(next(read, b""))
            more = bool(parts[-1])
        buffer = b"".join(parts)
        end = buffer.find(closing)
        if end < 0 and not more:
            yield False, buffer
            return
        if end < 0:  # up to the last row's end
            cut = buffer.rfind(row_end)
            end = buffer.find(b">", cut) + 1 if cut >= 0 else 0
        piece, buffer = buffer[:end], buffer[end:]
        if piece:
            yield True, piece
        if buffer.startswith(closing):
            yield False, buffer
            yield from ((False, chunk) for chunk in read)
            return
        if not piece:  # a row longer than a piece: read on
            parts = [buffer, next(read, b"")]
            more, buffer = bool(parts[1]), b"".join(parts)


def _ahead(items: Iterator, depth: int = 2) -> Iterator:
    """`items`, made in a thread of their own up to `depth` ahead of the caller. The scanner's work
    is polars', which releases the GIL: the next piece is read while the caller validates and
    stages the last one, on the other core. The thread ends when the caller stops asking."""
    queue: Queue = Queue(maxsize=depth)
    stop = threading.Event()

    def put(item) -> bool:
        while not stop.is_set():
            try:
                queue.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def make():
        try:
            for item in items:
                if not put((item, None)):
                    return
            put((_END, None))
        except BaseException as exc:  # handed to the caller, raised there
            put((None, exc))
        finally:
            items.close()

    thread = threading.Thread(target=make, name="xlsx-scan", daemon=True)
    thread.start()
    try:
        while True:
            item, exc = queue.get()
            if exc is not None:
                raise exc
            if item is _END:
                return
            yield item
    finally:
        stop.set()
        thread.join()


_END = object()


def _map(values: pl.Series, fn) -> tuple[list, list] | None:
    old = values.unique().to_list()
    new = [fn(v) for v in old]
    return None if None in new else (old, new)


_ENTITY = re.compile(r"&(?:(amp|lt|gt|quot|apos)|#([0-9]+)|#x([0-9a-fA-F]+));|&")
_NAMED = {"amp": "&", "lt": "<", "gt": ">", "quot": '"', "apos": "'"}


def _unescape(text: str) -> str | None:
    """A value's entities and character references as expat reads them; None for one it would refuse."""
    def one(found):
        name, decimal, hexadecimal = found.groups()
        if name:
            return _NAMED[name]
        if decimal is None and hexadecimal is None:
            raise ValueError(found.group())
        code = int(decimal) if decimal is not None else int(hexadecimal, 16)
        if not (code in (9, 10, 13) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD or 0x10000 <= code <= 0x10FFFF):
            raise ValueError(found.group())
        return chr(code)
    try:
        return _ENTITY.sub(one, text)
    except ValueError:
        return None


def _moment_text(raw: str) -> str:
    """A cell of type d (an ISO date and time), as rows() gives it."""
    return raw.partition("T")[0] if raw.endswith("T00:00:00") or "T" not in raw else raw.replace("T", " ")


def streamed_sheet(path) -> XlsxSheet | None:
    """The workbook's first sheet to stream, if it is too large for calamine to hold in memory."""
    try:
        sheet = XlsxSheet(path)
    except (zipfile.BadZipFile, KeyError, expat.ExpatError, ValueError):
        return None  # not a readable xlsx: calamine says what is wrong with it
    return sheet if sheet.size > STREAM_MIN_BYTES else None
