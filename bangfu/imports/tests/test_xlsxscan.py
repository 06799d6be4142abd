"""A streamed sheet's rows are read by xlsxstream._Scanner (regular expressions over whole pieces of
the sheet) and, where it does not take a piece, by rows()' expat parser from there on: either way
the frames must hold what rows() reads, cell for cell, whoever wrote the file."""

import zipfile
from xml.parsers import expat

import polars as pl
import pytest
import xlsxwriter

from bangfu.imports import reading, xlsxstream

NS = ('xmlns{p}="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
      'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"')
STRINGS = ["户编号", "第二", "A&B", "覃 志强"]
# cellXfs: 0 general, 1 a custom date format, 2 text (@), 3 a built-in date, 4 a built-in date and time
STYLES = ('<{p}styleSheet {ns}><{p}numFmts count="1"><{p}numFmt numFmtId="170" formatCode="[$-804]yyyy&quot;年&quot;'
          'm&quot;月&quot;d&quot;日&quot;"/></{p}numFmts><{p}cellXfs count="5"><{p}xf numFmtId="0"/><{p}xf numFmtId="170"/>'
          '<{p}xf numFmtId="49"/><{p}xf numFmtId="14"/><{p}xf numFmtId="22"/></{p}cellXfs></{p}styleSheet>')

# Every kind of cell: shared strings (one past the table), inline strings (rich-text runs, a phonetic
# guide, preserved spaces, entities and character references, empty), formulas' cached results,
# errors, booleans, ISO dates, numbers, dates by style, empty cells with a style, rows and cells
# without `r`, a reference by letters only, references written backwards and twice, an empty row.
KINDS = [
    '<{p}row r="1"><{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" t="inlineStr"><{p}is><{p}t>姓名</{p}t></{p}is>'
    '</{p}c><{p}c r="C1" t="str"><{p}f>A1&amp;"x"</{p}f><{p}v>公式</{p}v></{p}c><{p}c r="D1" t="e"><{p}v>#N/A</{p}v>'
    '</{p}c><{p}c r="E1" t="b"><{p}v>1</{p}v></{p}c><{p}c r="F1" t="b"><{p}v>0</{p}v></{p}c><{p}c r="G1" t="d">'
    '<{p}v>2016-09-01T00:00:00</{p}v></{p}c><{p}c r="H1" t="d"><{p}v>2016-09-01T08:30:00</{p}v></{p}c></{p}row>',
    '<{p}row r="2"><{p}c r="A2"><{p}v>9000</{p}v></{p}c><{p}c r="B2"><{p}v>1234.5</{p}v></{p}c><{p}c r="C2">'
    '<{p}v>4.5E-2</{p}v></{p}c><{p}c r="D2" s="1"><{p}v>42614</{p}v></{p}c><{p}c r="E2" s="3"><{p}v>42614.354166666664'
    '</{p}v></{p}c><{p}c r="F2" s="2"><{p}v>7</{p}v></{p}c><{p}c r="G2" s="4"><{p}v>42614.5</{p}v></{p}c><{p}c r="H2">'
    '<{p}v>-3</{p}v></{p}c><{p}c r="I2" s="3"/><{p}c r="J2" t="s"/></{p}row>',
    '<{p}row r="3"><{p}c r="A3" t="inlineStr"><{p}is><{p}r><{p}t>富</{p}t></{p}r><{p}r><{p}rPr><{p}b/></{p}rPr>'
    '<{p}t xml:space="preserve"> 文本 </{p}t></{p}r><{p}rPh sb="0" eb="1"><{p}t>fu</{p}t></{p}rPh></{p}is></{p}c>'
    '<{p}c r="B3" t="s"><{p}v>3</{p}v></{p}c><{p}c r="C3" t="s"><{p}v>99</{p}v></{p}c><{p}c r="D3" t="inlineStr">'
    '<{p}is><{p}t>A&amp;B &lt;妻&gt; &quot;x&quot; &apos;y&apos; &#20013;&#x6587;</{p}t></{p}is></{p}c>'
    '<{p}c r="E3" t="inlineStr"><{p}is><{p}t/></{p}is></{p}c><{p}c r="F3" t="b"><{p}v>true</{p}v></{p}c>'
    '<{p}c r="G3" t="s"><{p}v>2</{p}v></{p}c></{p}row>',
    '<{p}row><{p}c><{p}v>1</{p}v></{p}c><{p}c t="s"><{p}v>1</{p}v></{p}c><{p}c r="E"><{p}v>5</{p}v></{p}c>'
    '<{p}c><{p}v>6</{p}v></{p}c></{p}row>',
    '<{p}row r="7" spans="1:3"/>',
    '<{p}row r="9"><{p}c r="C9"><{p}v>1</{p}v></{p}c><{p}c r="A9"><{p}v>2</{p}v></{p}c><{p}c><{p}v>3</{p}v></{p}c>'
    '<{p}c r="C9"><{p}v>4</{p}v></{p}c></{p}row>',
    '<{p}row><{p}c t="inlineStr"><{p}is><{p}t>无编号</{p}t></{p}is></{p}c></{p}row>',
]


def _book(path, rows: list[str], *, prefix: str = "", date1904: bool = False, between: str = "") -> None:
    """A workbook with one sheet of `rows` (XML, {p} for the prefix), as a writer with that prefix
    writes it; `between` goes between rows."""
    p = f"{prefix}:" if prefix else ""
    ns = NS.format(p=f":{prefix}" if prefix else "")
    strings = "".join(f"<{p}si><{p}t>{s.replace('&', '&amp;')}</{p}t></{p}si>" for s in STRINGS)
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="xml" ContentType="application/xml"/></Types>',
        "xl/workbook.xml": f'<?xml version="1.0"?><{p}workbook {ns}><{p}workbookPr date1904="{int(date1904)}"/>'
        f'<{p}sheets><{p}sheet name="名册" sheetId="1" r:id="rId1"/></{p}sheets></{p}workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
        'package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/'
        '2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>',
        "xl/styles.xml": STYLES.format(p=p, ns=ns),
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><{p}sst {ns}>{strings}</{p}sst>',
        "xl/worksheets/sheet1.xml": f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<{p}worksheet {ns}>'
        f'<{p}dimension ref="A1:J9"/><{p}sheetData>{between.join(r.format(p=p) for r in rows)}</{p}sheetData>'
        f'<{p}pageMargins left="0.7" right="0.7" top="0.75" bottom="0.75" header="0.3" footer="0.3"/></{p}worksheet>',
    }
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        for name, text in parts.items():
            book.writestr(name, text.encode("utf-8"))


def _reference(book: xlsxstream.XlsxSheet, width: int, after: int) -> pl.DataFrame:
    """The rows below `after` as rows() reads them (expat), in one frame."""
    numbers, rows = [], []
    for number, cells in book.rows():
        if number > after:
            numbers.append(number)
            rows.append(cells)
    columns = {f"c{i}": book.resolve([r[i] if i < len(r) else "" for r in rows]) for i in range(width)}
    return pl.DataFrame(columns).with_columns(pl.Series("__row", numbers, dtype=pl.Int64))


def _frames(book: xlsxstream.XlsxSheet, width: int = 10, after: int = 0, size: int = 3) -> pl.DataFrame:
    frames = list(book.frames(width, after, size))
    assert all(f.height == size for f in frames[:-1])
    return pl.concat(frames)


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("date1904", [False, True])
@pytest.mark.parametrize("between", ["", "\n  ", "\n"])
def test_every_kind_of_cell_reads_as_rows_reads_it(tmp_path, prefix, date1904, between):
    path = tmp_path / "kinds.xlsx"
    _book(path, KINDS, prefix=prefix, date1904=date1904, between=between)
    book = xlsxstream.XlsxSheet(path)
    frames = _frames(book)
    assert book.parsed_after is None  # the scanner read every row
    expected = _reference(book, 10, 0)
    assert frames.equals(expected), (frames, expected)
    born, moment = ("2020-09-02", "2020-09-02 08:30:00") if date1904 else ("2016-09-01", "2016-09-01 08:30:00")
    assert frames.row(0) == ("户编号", "姓名", "公式", "#N/A", "是", "否", "2016-09-01", "2016-09-01 08:30:00", "", "", 1)
    assert frames.row(1) == ("9000", "1234.5", "0.045", born, born + " 08:30:00", "7", moment.replace("08:30", "12:00"),
                             "-3", "", "", 2)
    assert frames.row(2)[:7] == ("富 文本 ", "覃 志强", "", "A&B <妻> \"x\" 'y' 中文", "", "是", "A&B")
    assert frames.get_column("__row").to_list() == [1, 2, 3, 4, 7, 9, 10]
    assert frames.row(3)[:6] == ("1", "第二", "", "", "5", "6")
    assert frames.row(5)[:4] == ("2", "3", "4", "")


@pytest.mark.parametrize("width", [1, 3, 12])
def test_a_frame_is_as_wide_as_asked(tmp_path, width):
    path = tmp_path / "kinds.xlsx"
    _book(path, KINDS)
    book = xlsxstream.XlsxSheet(path)
    assert _frames(book, width, after=2).equals(_reference(book, width, 2))


@pytest.mark.parametrize("odd", [
    '<{p}row r="5"><!-- a comment --><{p}c r="A5"><{p}v>1</{p}v></{p}c></{p}row>',
    '<{p}row r="5"><{p}c r="A5" t="inlineStr"><{p}is><{p}t><![CDATA[a<b]]></{p}t></{p}is></{p}c></{p}row>',
    '<{p}row r="5"><{p}c r="A5" t="inlineStr"><{p}is><{p}t>两行\r\n文字</{p}t></{p}is></{p}c></{p}row>',
    "<{p}row r='5'><{p}c r='A5' t='s'><{p}v>1</{p}v></{p}c></{p}row>",
    '<{p}row r="5"><?pi data?><{p}c r="B5"><{p}v>1</{p}v></{p}c></{p}row>',
    '<{p}row r="5"><{p}c r="A5" t="s"><{p}v> 1 </{p}v></{p}c><{p}c r="b5"><{p}v>2</{p}v></{p}c></{p}row>',
    '<{p}row r="5"><{p}c r="A5" s=" 3"><{p}v>42614</{p}v></{p}c></{p}row>',
    '<{p}row r="+5"><{p}c r="A5"><{p}v>2</{p}v></{p}c></{p}row>',
    '<{p}row r="5"><{p}c r="A5"><{p}v>2</{p}v></{p}c><{p}extLst/></{p}row>',
])
def test_what_the_scanner_does_not_take_is_read_by_the_parser_from_there_on(tmp_path, monkeypatch, odd):
    monkeypatch.setattr(xlsxstream, "PIECE", 200)  # a piece of two or three rows
    monkeypatch.setattr(xlsxstream, "CHUNK", 64)
    path = tmp_path / "odd.xlsx"
    _book(path, [*KINDS[:4], odd, *KINDS[5:]])
    book = xlsxstream.XlsxSheet(path)
    frames = _frames(book)
    assert book.parsed_after is not None and book.parsed_after < 5
    assert frames.equals(_reference(book, 10, 0))


def test_a_sheet_in_another_encoding_or_with_a_doctype_is_parsed_from_the_start(tmp_path):
    path = tmp_path / "doctype.xlsx"
    _book(path, KINDS)
    with zipfile.ZipFile(path) as book:
        parts = {n: book.read(n) for n in book.namelist()}
    sheet = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = sheet.replace("<worksheet", '<!DOCTYPE worksheet [<!ENTITY who "覃">]><worksheet')\
        .replace("<t>无编号</t>", "<t>&who;</t>").encode()
    with zipfile.ZipFile(path, "w") as book:
        for name, data in parts.items():
            book.writestr(name, data)
    book = xlsxstream.XlsxSheet(path)
    frames = _frames(book)
    assert book.parsed_after == 0
    assert frames.equals(_reference(book, 10, 0)) and frames.row(-1)[0] == "覃"


@pytest.mark.parametrize("between", ["", "\n"])
def test_rows_cut_into_pieces_anywhere_read_the_same(tmp_path, monkeypatch, between):
    """Pieces end after the last whole row they hold: one row longer than a piece, rows without `r`
    numbered across pieces."""
    path = tmp_path / "long.xlsx"
    rows = KINDS * 3 + ['<{p}row r="40">' + '<{p}c t="inlineStr"><{p}is><{p}t>长长长长</{p}t></{p}is></{p}c>' * 40
                        + '</{p}row>', '<{p}row><{p}c><{p}v>1</{p}v></{p}c></{p}row>']
    _book(path, rows, between=between)
    book = xlsxstream.XlsxSheet(path)
    expected = _reference(book, 12, 0)
    for piece in (30, 200, 1000, 1 << 20):
        monkeypatch.setattr(xlsxstream, "PIECE", piece)
        monkeypatch.setattr(xlsxstream, "CHUNK", min(piece, 97))
        for size in (1, 4, 100):
            assert _frames(book, 12, 0, size).equals(expected)
        assert book.parsed_after is None


def test_an_undefined_entity_is_refused_as_the_parser_refuses_it(tmp_path):
    path = tmp_path / "entity.xlsx"
    _book(path, [*KINDS[:2], '<{p}row r="3"><{p}c r="A3" t="inlineStr"><{p}is><{p}t>&nbsp;</{p}t></{p}is></{p}c></{p}row>'])
    book = xlsxstream.XlsxSheet(path)
    for read in (book.rows, lambda: book.frames(10, 0, 3)):
        with pytest.raises(xlsxstream.SheetError) as refused:
            list(read())
        assert (refused.value.row, refused.value.kind, refused.value.detail) == (3, "xml", "undefined entity")


@pytest.mark.parametrize(("odd", "why"), [
    ('<{p}row r="3"><{p}c r="AAAA3"><{p}v>2</{p}v></{p}c></{p}row>', ("reference", "AAAA3")),  # past XFD
    ('<{p}row r="3"><{p}c r="3"><{p}v>2</{p}v></{p}c></{p}row>', ("reference", "3")),  # no column
    ('<{p}row r="3"><{p}c r="A3" s="x"><{p}v>2</{p}v></{p}c></{p}row>', ("style", "x")),
    ('<{p}row r="3"><{p}c r="A3"><{p}v>2</{p}v></{p}c></{p}rw>', ("xml", "mismatched tag")),
])
def test_what_neither_reading_can_take_is_refused_naming_the_row(tmp_path, odd, why):
    path = tmp_path / "odd.xlsx"
    _book(path, [REGULAR[0], odd, REGULAR[3]])
    book = xlsxstream.XlsxSheet(path)
    for read in (book.rows, lambda: book.frames(28, 0, 3)):
        with pytest.raises(xlsxstream.SheetError) as refused:
            list(read())
        assert (refused.value.row, refused.value.kind, refused.value.detail) == (3, *why)


def test_a_large_sheet_is_streamed_and_scanned(tmp_path):
    """Above STREAM_MIN_BYTES of sheet XML (16 MB, written here in a second) an .xlsx is opened
    for streaming, not by calamine, and its rows are read by the scanner."""
    path = tmp_path / "large.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["户编号", "所在村", "姓名", "身份证号"])
    book.close()
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    head, _sep, tail = parts["xl/worksheets/sheet1.xml"].partition(b"</sheetData>")
    row = ('<row r="{n}"><c r="A{n}" t="inlineStr"><is><t>B{n:07d}</t></is></c><c r="B{n}" t="inlineStr"><is><t>'
           '450224100003</t></is></c><c r="C{n}" t="inlineStr"><is><t>村民{n}</t></is></c><c r="D{n}" s="0">'
           '<v>{n}</v></c></row>')
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as target:
        for name, data in parts.items():
            if name != "xl/worksheets/sheet1.xml":
                target.writestr(name, data)
        with target.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            fh.write(head)
            written, n = len(head), 2
            while written <= xlsxstream.STREAM_MIN_BYTES:
                block = "".join(row.format(n=i) for i in range(n, n + 10_000)).encode()
                fh.write(block)
                written, n = written + len(block), n + 10_000
            fh.write(b"</sheetData>" + tail)
    opened = reading.sheet_open(path)
    assert opened.streamed is not None and opened.headers == ["户编号", "所在村", "姓名", "身份证号"]
    first = next(reading.sheet_batches(opened, size=50_000))
    assert opened.streamed.parsed_after is None
    assert first.height == 50_000 and first.row(0) == ("B0000002", "450224100003", "村民2", "2", 2)


# Rows as Excel, WPS and xlsxwriter write them, read by the scanner's literal splits (_regular).
REGULAR = [
    '<{p}row r="1" spans="1:6" x14ac:dyDescent="0.25"><{p}c r="A1" t="s"><{p}v>0</{p}v></{p}c><{p}c r="B1" s="3">'
    '<{p}v>42614</{p}v></{p}c><{p}c r="C1" s="2" t="s"><{p}v>2</{p}v></{p}c><{p}c r="E1" t="inlineStr"><{p}is><{p}t>'
    '"引号" &amp; &#x4E2D; &gt;</{p}t></{p}is></{p}c><{p}c r="F1" s="1"/></{p}row>',
    '<{p}row r="2"><{p}c r="B2" t="b"><{p}v>1</{p}v></{p}c><{p}c r="C2"><{p}v>1.50</{p}v></{p}c><{p}c r="D2" t="s">'
    '<{p}v>99</{p}v></{p}c><{p}c r="E2" t="e"><{p}v>#DIV/0!</{p}v></{p}c><{p}c r="F2" t="str"><{p}v>s="x"&gt;</{p}v>'
    '</{p}c></{p}row>',
    '<{p}row r="4" ht="20" customHeight="1"><{p}c r="A4" t="inlineStr"><{p}is><{p}t></{p}t></{p}is></{p}c><{p}c r="C4">'
    '<{p}v></{p}v></{p}c><{p}c r="B4" t="s"><{p}v>3</{p}v></{p}c><{p}c r="B4" t="s"><{p}v>1</{p}v></{p}c></{p}row>',
    '<{p}row r="6"><{p}c r="AA6" t="d"><{p}v>2016-09-01T08:30:00</{p}v></{p}c><{p}c r="A6" s="4"><{p}v>42614.5</{p}v>'
    '</{p}c></{p}row>',
    '<{p}row><{p}c r="A7" s="9"><{p}v>7</{p}v></{p}c></{p}row>',
]


@pytest.mark.parametrize("prefix", ["", "x"])
@pytest.mark.parametrize("between", ["", "\n", "\n  "])
def test_rows_as_common_writers_write_them_are_read_by_splits(tmp_path, monkeypatch, prefix, between):
    path = tmp_path / "regular.xlsx"
    _book(path, REGULAR * 2, prefix=prefix, between=between)
    book = xlsxstream.XlsxSheet(path)
    frames = _frames(book, 28)
    assert book.parsed_after is None and book.scanner.read == [0, 1]
    assert frames.equals(_reference(book, 28, 0))
    assert frames.row(0)[:6] == ("户编号", "2016-09-01", "A&B", "", '"引号" & 中 >', "")
    assert frames.row(1)[1:6] == ("是", "1.5", "", "#DIV/0!", 's="x">')
    assert frames.row(2)[:3] == ("", "第二", "")
    assert frames.get_column("__row").to_list() == [1, 2, 4, 6, 7] * 2
    monkeypatch.setattr(xlsxstream, "PIECE", 100)  # a row or two at a time
    monkeypatch.setattr(xlsxstream, "CHUNK", 50)
    for rows in ([*REGULAR, KINDS[2], *REGULAR], [KINDS[0], *REGULAR]):
        _book(path, rows, prefix=prefix, between=between)
        book = xlsxstream.XlsxSheet(path)
        assert _frames(book, 28).equals(_reference(book, 28, 0))
        assert book.parsed_after is None and book.scanner.read[0] and book.scanner.read[1]


@pytest.mark.parametrize("odd", [
    '<{p}row r="3"><{p}c r="A3" s="1" t="s" cm="1"><{p}v>1</{p}v></{p}c></{p}row>',  # another attribute
    '<{p}row r="3"><{p}c t="s" r="A3"><{p}v>1</{p}v></{p}c><{p}c r="B3"><{p}v>1</{p}v></{p}c></{p}row>',
    '<{p}row r="3"><{p}c r="A3"><{p}f>1+1</{p}f><{p}v>2</{p}v></{p}c></{p}row>',
    '<{p}row r="3"><{p}c r="A3"><{p}v>2</{p}v></{p}c><{p}row r="4"><{p}c r="A4"><{p}v>2</{p}v></{p}c></{p}row></{p}row>',
    '<{p}row r="3"><{p}c r="A3"><{p}v>2</{p}v></{p}c></{p}row><{p}row r="4"/><{p}row r="5"><{p}c r="A5"><{p}v>2</{p}v>'
    '</{p}c></{p}row>',
    '<{p}row r="3"></{p}row><{p}row r="4"><{p}c r="A4"><{p}v>2</{p}v></{p}c></{p}row>',
    '<{p}row r="03"><{p}c r="a3"><{p}v>2</{p}v></{p}c></{p}row>',
    '<{p}row r="3"><{p}c r="A3" t="s" s="1"><{p}v>1</{p}v></{p}c></{p}row>',  # the attributes in another order
])
def test_rows_written_otherwise_are_read_by_the_general_tokens(tmp_path, odd):
    path = tmp_path / "odd.xlsx"
    _book(path, [REGULAR[0], odd, REGULAR[3]])
    book = xlsxstream.XlsxSheet(path)
    frames = _frames(book, 28)
    assert book.scanner.read == [1, 0]
    assert frames.equals(_reference(book, 28, 0))


@pytest.mark.parametrize("space", ["\t", "\n", "  "])
def test_a_rows_number_after_other_white_space_is_read_by_splits(tmp_path, space):
    path = tmp_path / "spaced.xlsx"
    _book(path, [REGULAR[0], f'<row spans="1:1"{space}r="3"><c r="A3"><v>2</v></c></row>', REGULAR[3]])
    book = xlsxstream.XlsxSheet(path)
    frames = _frames(book, 28)
    assert book.scanner.read == [0, 1]
    assert frames.equals(_reference(book, 28, 0))
    assert 3 in frames.get_column("__row").to_list()
