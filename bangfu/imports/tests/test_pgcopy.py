"""The binary COPY stream the stage is written with reads back as the values it was built from."""

from datetime import date
from decimal import Decimal

import polars as pl
import pytest
from django.db import connection

from bangfu.imports.pgcopy import encode

COLUMNS = [("n", "bigint"), ("t", "text"), ("b", "bytes"), ("d", "date"), ("f", "bool"), ("m", "money"),
           ("i", "int"), ("empty", "text"), ("h", "bytes"), ("c", "text")]


@pytest.mark.django_db
def test_binary_copy_reads_back_as_the_frame():
    if connection.vendor != "postgresql":
        pytest.skip("binary COPY is PostgreSQL's")
    frame = pl.DataFrame({
        "n": [1, 2, None, 9_000_000_000],
        "t": ["覃大明", "", None, "长安镇大巷村 ABC"],
        "b": [b"\x00\xff" * 16, None, b"", b"x" * 47],
        "d": [date(2016, 9, 1), date(1940, 1, 1), None, date(2000, 1, 1)],
        "f": [True, False, None, True],
        "m": pl.Series([Decimal("12000.50"), Decimal("0"), None, Decimal("-9999999999.99")], dtype=pl.Decimal(12, 2)),
        "i": [3, None, 0, -7],
        "empty": pl.Series([None] * 4, dtype=pl.String),
        "h": [b"a" * 32, b"b" * 32, None, b"c" * 32],  # one width: laid out without a byte index
        "c": ["450224", "450224", "450225", None],
    })
    frame = pl.concat([frame] * 3000).with_columns(pl.int_range(pl.len()).alias("n"))  # more rows than a slice
    with connection.cursor() as cursor:
        cursor.execute("CREATE TEMPORARY TABLE copied (n bigint, t text, b bytea, d date, f boolean, m numeric(12,2), "
                       "i integer, empty text, h bytea, c text)")
        with cursor.cursor.copy("COPY copied FROM STDIN (FORMAT binary)") as copy:
            copy.write(encode(frame, COLUMNS))
        cursor.execute("SELECT n, t, b, d, f, m, i, empty, h, c FROM copied ORDER BY n")
        rows = [tuple(bytes(v) if isinstance(v, memoryview) else v for v in row) for row in cursor.fetchall()]
        cursor.execute("DROP TABLE copied")
    assert rows == [tuple(r) for r in frame.rows()]
