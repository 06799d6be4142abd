"""Reading spreadsheets in batches of text columns, whatever the format and encoding.

.xlsx/.xls/.ods through python-calamine, except an .xlsx sheet too large for calamine to hold in
memory, which is streamed (xlsxstream.py); .csv through polars' CSV reader (compiled, batched),
after transcoding GB18030/GBK files — what Chinese Excel writes — to UTF-8 in chunks.
Every batch is a polars DataFrame of String columns c0…cN plus `__row`, the row number as
the user sees it in Excel, so that every message can name it.
"""

import codecs
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.errors import ValidationError
from bangfu.imports.registers import REGISTERS, header_key, normalize_text
from bangfu.imports.cells import cell_text
from bangfu.imports.uploads import file_check, zip_members_verify
from bangfu.imports.xlsxstream import SheetError, XlsxSheet, streamed_sheet

HEADER_SCAN_ROWS = 30
SPREADSHEET_SUFFIXES = {".xlsx", ".xlsm", ".xls", ".ods"}


@dataclass
class Sheet:
    path: Path
    format: str  # csv / xlsx / xls / ods
    encoding: str  # for csv: utf-8 or gb18030
    headers: list[str]
    header_row: int  # 1-based row of the header in the file
    start_row: int = 0  # 0-based row where calamine's range starts (empty rows above are not returned)
    # A workbook's sheet as calamine loaded it: calamine reads a whole sheet at once, so it is read
    # once per import (header, row count, rows), and let go when the rows have been read.
    loaded: object = field(default=None, repr=False, compare=False)
    # A large .xlsx sheet, read as it streams instead (xlsxstream.py).
    streamed: XlsxSheet | None = field(default=None, repr=False, compare=False)
    # The rows above the header (merged title rows: the error report keeps them), as (row, cells),
    # and the first data rows below it (sample values of the columns no field takes).
    titles: list[tuple[int, list[str]]] = field(default_factory=list, repr=False, compare=False)
    first_rows: list[list[str]] = field(default_factory=list, repr=False, compare=False)

    @property
    def width(self) -> int:
        return len(self.headers)

    def column_samples(self, index: int) -> list[str]:
        return [row[index].strip() for row in self.first_rows if index < len(row)]

    def calamine(self):
        if self.loaded is None:
            self.loaded = _calamine_sheet(self.path)
        return self.loaded


def _known_names() -> set[str]:
    return {name for register in REGISTERS.values() for column in register.columns for name in column.names}


def detect_format(path: Path) -> str:
    suffix = path.suffix.lower()
    if suffix in SPREADSHEET_SUFFIXES:
        return suffix.lstrip(".").replace("xlsm", "xlsx")
    with open(path, "rb") as fh:
        magic = fh.read(8)
    if magic.startswith(b"PK\x03\x04"):
        return "xlsx"
    if magic.startswith(b"\xd0\xcf\x11\xe0"):
        return "xls"
    return "csv"


def _detect_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the first megabyte decodes as such, else GB18030 (a superset of GBK)."""
    with open(path, "rb") as fh:
        head = fh.read(1 << 20)
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        codecs.getincrementaldecoder("gb18030")().decode(head, final=False)
        return "gb18030"
    except UnicodeDecodeError:
        raise ValidationError(_("无法识别文件编码：请另存为 UTF-8 或 GB18030 编码的 CSV，或直接上传 Excel 文件")) from None


def _pick_header(rows: list[list[str]], known: set[str] | None = None) -> int:
    """The index of the row that looks most like a header: merged title rows above it are skipped."""
    known = _known_names() if known is None else known
    best, best_score = 0, -1
    for index, row in enumerate(rows):
        score = sum(1 for cell in row if normalize_text(cell) in known or header_key(cell) in known)
        if score > best_score:
            best, best_score = index, score
    if best_score <= 0:
        best = next((i for i, row in enumerate(rows) if any(c.strip() for c in row)), 0)
    return best


def _csv_head(path: Path, encoding: str) -> list[list[str]]:
    import csv

    with open(path, encoding="utf-8-sig" if encoding == "utf-8" else encoding, newline="") as fh:
        reader = csv.reader(fh)
        return [row for _i, row in zip(range(HEADER_SCAN_ROWS), reader)]


def _calamine_sheet(path: Path):
    from python_calamine import CalamineWorkbook

    try:  # the sheet too: calamine reads it whole here, and a broken one fails here
        return CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0)
    except Exception as exc:  # calamine raises its own error types for every broken file
        raise ValidationError(_("无法读取该文件：%(e)s。请确认它是 xlsx、xls、ods 或 csv 文件")
                              % {"e": str(exc).rstrip(".。")}) from None


def sheet_open(path: Path | str, *, known_names: set[str] | None = None) -> Sheet:
    """Detect format, encoding and the header row; read no more than the first rows.
    `known_names`: the normalised headers that mark the header row, for a register that is not one
    of REGISTERS (the pairing register in bangfu/programmes/register.py)."""
    path = Path(path)
    fmt = detect_format(path)
    file_check(path, fmt)  # type, and a zip's declared expansion, before anything is expanded
    if fmt == "csv":
        encoding = _detect_encoding(path)
        head = _csv_head(path, encoding)
        index = _pick_header(head, known_names)
        headers = [h.strip() for h in head[index]] if head else []
        return Sheet(path=path, format=fmt, encoding=encoding, headers=headers, header_row=index + 1,
                     titles=[(i + 1, row) for i, row in enumerate(head[:index])], first_rows=head[index + 1:])
    book = streamed_sheet(path) if fmt == "xlsx" else None
    if book is not None:
        return _streamed_open(path, book, known_names)
    if fmt in ("xlsx", "ods"):
        zip_members_verify(path)  # calamine expands whatever a member holds: make sure it is what it says
    sheet = _calamine_sheet(path)
    head = []
    for _i, row in zip(range(HEADER_SCAN_ROWS), sheet.iter_rows()):
        head.append([cell_text(v) for v in row])
    index = _pick_header(head, known_names)
    start_row = sheet.start[0] if sheet.start else 0
    return Sheet(path=path, format=fmt, encoding="", headers=_workbook_headers(head, index),
                 header_row=start_row + index + 1, start_row=start_row, loaded=sheet,
                 titles=[(start_row + i + 1, row) for i, row in enumerate(head[:index])], first_rows=head[index + 1:])


SHEET_ERRORS = {"xml": gettext_lazy("XML 格式有误（%(detail)s）"), "reference": gettext_lazy("单元格位置 %(detail)s 无效"),
                "style": gettext_lazy("单元格样式 %(detail)s 无效")}


def _sheet_refused(exc: SheetError) -> ValidationError:
    """A streamed sheet's XML that cannot be read, as the user is told: where, why, and what to do."""
    where = _("第 %(row)s 行附近") % {"row": exc.row} if exc.row else _("开头")
    reason = SHEET_ERRORS[exc.kind] % {"detail": exc.detail}
    return ValidationError(_("无法读取该工作表%(where)s：%(reason)s。请用 Excel 或 WPS 打开后另存为 .xlsx 再导入")
                           % {"where": where, "reason": reason}, row=exc.row or None)


def _streamed_open(path: Path, book: XlsxSheet, known_names: set[str] | None) -> Sheet:
    numbers, head = [], []
    try:
        for _i, (number, cells) in zip(range(HEADER_SCAN_ROWS), book.rows()):
            numbers.append(number)
            head.append(book.resolve(cells).to_list())
    except SheetError as exc:
        raise _sheet_refused(exc) from None
    index = _pick_header(head, known_names)
    return Sheet(path=path, format="xlsx", encoding="", headers=_workbook_headers(head, index),
                 header_row=numbers[index] if numbers else 1, streamed=book,
                 titles=list(zip(numbers[:index], head[:index])), first_rows=head[index + 1:])


def _workbook_headers(head: list[list[str]], index: int) -> list[str]:
    """The header row's cells, without the empty ones a sheet's used range adds on the right."""
    headers = [h.strip() for h in head[index]] if head else []
    while headers and not headers[-1]:
        headers.pop()
    return headers


def _blank_filter(frame: pl.DataFrame, names: list[str]) -> pl.DataFrame:
    """Rows where every cell is empty are not rows the user meant."""
    if not names:
        return frame
    return frame.filter(pl.any_horizontal([pl.col(n).str.strip_chars().str.len_bytes() > 0 for n in names]))


def sheet_batches(sheet: Sheet, *, size: int = 50_000) -> Iterator[pl.DataFrame]:
    names = [f"c{i}" for i in range(sheet.width)]
    if sheet.format == "csv":
        yield from _csv_batches(sheet, names, size)
    elif sheet.streamed is not None:
        yield from _streamed_batches(sheet, names, size)
    else:
        yield from _calamine_batches(sheet, names, size)


CSV_CHUNK_MIN = 1 << 16  # bytes read at a time, at least; then as many as `size` rows take


def _record_end(buffer: bytes) -> int:
    """Index after the last record boundary in `buffer`, which starts a record: the last newline
    with an even number of quote characters before it (RFC 4180 doubles quotes inside cells); 0 if none."""
    end = len(buffer)
    while (end := buffer.rfind(b"\n", 0, end)) >= 0:
        if buffer.count(b'"', 0, end) % 2 == 0:
            return end + 1
    return 0


def _csv_records(sheet: Sheet, size: int) -> Iterator[bytes]:
    """The file's data records as UTF-8 text, in pieces of about `size` records ending at a
    record boundary (a cell may hold a newline inside quotes), transcoded from GB18030 on the way.
    Read in chunks, not mapped: memory stays that of one piece, whatever the file's size. The first
    piece is one small chunk, which tells the bytes per record the later reads are sized by (a
    guess would make the first piece, and with it the import's peak memory, up to twice as big)."""
    decoder = codecs.getincrementaldecoder(sheet.encoding)(errors="replace") if sheet.encoding != "utf-8" else None
    buffer, skip, per_row, first = b"", sheet.header_row, 0, True
    with open(sheet.path, "rb") as fh:
        while True:
            raw = fh.read(max(CSV_CHUNK_MIN, size * per_row - len(buffer)))  # per_row 0: the first chunk
            data = (decoder.decode(raw, final=not raw).encode("utf-8") if decoder else raw)
            if first:
                data, first = data.removeprefix(codecs.BOM_UTF8), False
            buffer += data
            if raw:
                end = _record_end(buffer)
                if not end:
                    continue  # one record longer than the chunk: read on
                piece, buffer = buffer[:end], buffer[end:]
            else:
                piece, buffer = buffer, b""
            while skip and piece:  # the header row and any title rows above it
                piece, skip = piece[_first_record_end(piece):], skip - 1
            if piece.strip():
                per_row = max(16, len(piece) // max(piece.count(b"\n"), 1))
                yield piece
            if not raw:
                return


def _first_record_end(buffer: bytes) -> int:
    start = 0
    while (at := buffer.find(b"\n", start)) >= 0:
        if buffer.count(b'"', 0, at) % 2 == 0:
            return at + 1
        start = at + 1
    return len(buffer)


def _csv_batches(sheet: Sheet, names: list[str], size: int) -> Iterator[pl.DataFrame]:
    schema = {n: pl.String for n in names}
    row = sheet.header_row + 1  # the first data record's number, as the user counts rows
    try:
        for piece in _csv_records(sheet, size):
            frame = pl.read_csv(io.BytesIO(piece), has_header=False, infer_schema=False, schema=schema,
                                truncate_ragged_lines=True, quote_char='"', missing_columns="insert",
                                extra_columns="ignore")
            for offset in range(0, frame.height, size):
                batch = frame.slice(offset, size)
                batch = batch.with_columns(pl.col(names).fill_null(""),
                                           pl.int_range(row, row + batch.height, dtype=pl.Int64).alias("__row"))
                row += batch.height
                yield _blank_filter(batch, names)
    except pl.exceptions.PolarsError as exc:
        raise ValidationError(_("CSV 文件格式有误：%(e)s") % {"e": str(exc).splitlines()[0]}) from None


def _calamine_batches(sheet: Sheet, names: list[str], size: int) -> Iterator[pl.DataFrame]:
    width = len(names)
    buffer: list[list] = []
    first = 0
    rows, sheet.loaded = sheet.calamine().iter_rows(), None
    for index, row in enumerate(rows):
        excel_row = sheet.start_row + index + 1
        if excel_row <= sheet.header_row:
            continue
        if not buffer:
            first = excel_row
        buffer.append(row)
        if len(buffer) >= size:
            yield _calamine_frame(buffer, names, width, first)
            buffer = []
    if buffer:
        yield _calamine_frame(buffer, names, width, first)


def _streamed_batches(sheet: Sheet, names: list[str], size: int) -> Iterator[pl.DataFrame]:
    try:
        for frame in sheet.streamed.frames(len(names), sheet.header_row, size):
            yield _blank_filter(frame, names)
    except SheetError as exc:
        raise _sheet_refused(exc) from None


def _columns(rows: list[list], width: int) -> Iterator[tuple]:
    """The rows column by column, a short row padded with "" to `width` (a workbook's rows are as
    wide as its used range, or, streamed, as their last written cell)."""
    return zip(*(r if len(r) >= width else [*r, *[""] * (width - len(r))] for r in rows))


def _calamine_frame(rows: list[list], names: list[str], width: int, first_row: int) -> pl.DataFrame:
    # Most cells are text already: the call to cell_text is only for the others.
    columns = {}
    for name, cells in zip(names, _columns(rows, width)):
        columns[name] = pl.Series(name, [v if type(v) is str else cell_text(v) for v in cells], dtype=pl.String)
    frame = pl.DataFrame(columns).with_columns(
        pl.int_range(first_row, first_row + len(rows), dtype=pl.Int64).alias("__row"))
    return _blank_filter(frame, names)
