"""PostgreSQL's binary COPY format, built column-wise from a polars frame with numpy.

Text COPY made the server parse every value again, and the hashes and ciphertexts travelled
hex-encoded (twice their size); the binary format sends each value as the server stores it.
psycopg's `write_row` would build it in a Python loop per row; here every column is laid into
one buffer with a few vectorised scatters (lengths, then fixed-width values or the column's
concatenated bytes), so the per-row work stays in compiled code.

Formats (PostgreSQL's `*_send` functions): every field is a big-endian int32 length (-1 for
NULL) and its bytes; text is UTF-8, bytea raw, bigint/integer big-endian, date the days since
2000-01-01 as int32, boolean one byte, numeric(12,2) base-10000 digits with a header.
"""

import numpy as np
import polars as pl

HEADER = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
TRAILER = b"\xff\xff"
_PG_EPOCH_DAYS = 10957  # 2000-01-01 - 1970-01-01
_SLICE = 8192  # rows per scatter of a text or bytea column
_NUMERIC = 16  # 4 header int16 + 4 base-10000 digits: up to 10**12, two decimals


def _fixed(series: pl.Series, kind: str) -> tuple[np.ndarray, int]:
    """The values of a fixed-width column as an (n, width) uint8 array (nulls: anything)."""
    if kind == "bigint":
        values = series.cast(pl.Int64).fill_null(0).to_numpy().astype(">i8")
        return values.view(np.uint8).reshape(-1, 8), 8
    if kind == "int":
        values = series.cast(pl.Int32).fill_null(0).to_numpy().astype(">i4")
        return values.view(np.uint8).reshape(-1, 4), 4
    if kind == "date":
        values = (series.cast(pl.Date).cast(pl.Int32).fill_null(0).to_numpy() - _PG_EPOCH_DAYS).astype(">i4")
        return values.view(np.uint8).reshape(-1, 4), 4
    if kind == "bool":
        return series.cast(pl.Boolean).fill_null(False).to_numpy().astype(np.uint8).reshape(-1, 1), 1
    if kind == "money":
        cents = (series.cast(pl.Decimal(20, 2)) * 100).cast(pl.Int64).fill_null(0).to_numpy()
        negative, cents = cents < 0, np.abs(cents)
        whole, fraction = cents // 100, cents % 100
        out = np.empty((len(cents), 8), dtype=">i2")
        out[:, 0] = 4  # ndigits
        out[:, 1] = 2  # weight: the first digit is × 10000²
        out[:, 2] = np.where(negative, 0x4000, 0)
        out[:, 3] = 2  # dscale
        out[:, 4] = whole // 10**8
        out[:, 5] = whole // 10**4 % 10**4
        out[:, 6] = whole % 10**4
        out[:, 7] = fraction * 100
        return out.view(np.uint8).reshape(-1, _NUMERIC), _NUMERIC
    raise ValueError(kind)


def _variable(series: pl.Series, kind: str) -> tuple[np.ndarray, bytes]:
    """Byte lengths of a text or bytea column (0 for nulls) and all its values concatenated."""
    if kind == "bytes":
        series = series.cast(pl.Binary)
        lengths = series.bin.size().fill_null(0).to_numpy().astype(np.int64)
        data = b"".join(series.drop_nulls().to_list())
    else:
        series = series.cast(pl.String)
        lengths = series.str.len_bytes().fill_null(0).to_numpy().astype(np.int64)
        data = series.drop_nulls().str.join("").item().encode() if lengths.any() else b""
    return lengths, data


def encode(frame: pl.DataFrame, columns: list[tuple[str, str]]) -> memoryview:
    """The binary COPY stream (header, rows, trailer) of `frame`'s `columns` (name, kind), kinds
    as upsert._SQL_TYPES names them: text, bytes, bigint, int, date, bool, money."""
    n = frame.height
    nulls, sizes, parts = [], [], []
    for name, kind in columns:
        series = frame.get_column(name)
        null = series.is_null().to_numpy()
        if kind in ("text", "bytes"):
            lengths, data = _variable(series, kind)
            parts.append(("var", lengths, data))
        else:
            values, width = _fixed(series, kind) if (~null).any() else (None, 0)
            lengths = np.where(null, 0, width).astype(np.int64)
            parts.append(("fixed", values, width))
        nulls.append(null)
        sizes.append(lengths)
    row_sizes = 2 + 4 * len(columns) + np.sum(sizes, axis=0) if columns else np.full(n, 2)
    starts = np.zeros(n, dtype=np.int64)
    np.cumsum(row_sizes[:-1], out=starts[1:])
    body = int(row_sizes.sum()) if n else 0
    buf = np.zeros(len(HEADER) + body + len(TRAILER), dtype=np.uint8)
    base = len(HEADER)
    buf[:base] = np.frombuffer(HEADER, dtype=np.uint8)
    buf[base + body:] = np.frombuffer(TRAILER, dtype=np.uint8)
    count = np.frombuffer(np.array([len(columns)], dtype=">i2").tobytes(), dtype=np.uint8)
    pos = base + starts
    buf[pos[:, None] + np.arange(2)] = count
    pos = pos + 2
    for null, lengths, part in zip(nulls, sizes, parts):
        field_length = np.where(null, -1, lengths).astype(">i4").view(np.uint8).reshape(-1, 4)
        buf[pos[:, None] + np.arange(4)] = field_length
        pos = pos + 4
        if part[0] == "fixed":
            _, values, width = part
            if values is not None:
                present = ~null
                buf[pos[present][:, None] + np.arange(width)] = values[present]
        else:
            data = np.frombuffer(part[2], dtype=np.uint8)
            present = ~null
            widths = lengths[present]
            if len(widths) and (widths == widths[0]).all():  # hashes, ciphertexts, codes: one width
                width = int(widths[0])
                if width:
                    buf[pos[present][:, None] + np.arange(width)] = data.reshape(-1, width)
            elif len(data):
                source_starts = np.zeros(n + 1, dtype=np.int64)
                np.cumsum(lengths, out=source_starts[1:])
                # A byte index costs eight bytes: scatter a slice of rows at a time, so that the
                # batch's memory does not grow with its text.
                for a in range(0, n, _SLICE):
                    b = min(a + _SLICE, n)
                    first, last = source_starts[a], source_starts[b]
                    index = np.arange(first, last, dtype=np.int64) + np.repeat(
                        pos[a:b] - source_starts[a:b], lengths[a:b])
                    buf[index] = data[first:last]
        pos = pos + lengths
    return memoryview(buf)
