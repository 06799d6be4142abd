"""A large .xlsx is streamed (xlsxstream.py) instead of loaded whole by calamine: the rows must be
the same, cell for cell, and an import through it the same as through calamine."""

import datetime as dt
import zipfile

import polars as pl
import pytest
import xlsxwriter

from bangfu.imports import reading, xlsxstream


@pytest.fixture
def streamed(monkeypatch):
    """Every .xlsx streamed, whatever its size."""
    monkeypatch.setattr(xlsxstream, "STREAM_MIN_BYTES", -1)


def _both(path) -> tuple[reading.Sheet, pl.DataFrame, reading.Sheet, pl.DataFrame]:
    calamine = reading.sheet_open(path)
    assert calamine.streamed is None
    old, xlsxstream.STREAM_MIN_BYTES = xlsxstream.STREAM_MIN_BYTES, -1
    try:
        streamed = reading.sheet_open(path)
    finally:
        xlsxstream.STREAM_MIN_BYTES = old
    assert streamed.streamed is not None
    return (calamine, pl.concat(reading.sheet_batches(calamine, size=2)),
            streamed, pl.concat(reading.sheet_batches(streamed, size=2)))


@pytest.mark.parametrize("constant_memory", [False, True])  # shared strings / inline strings
def test_a_streamed_sheet_reads_as_calamine_reads_it(tmp_path, constant_memory):
    path = tmp_path / "book.xlsx"
    book = xlsxwriter.Workbook(path, {"constant_memory": constant_memory, "strings_to_numbers": False})
    sheet = book.add_worksheet("名册")
    sheet.write_string(0, 0, "融安县家庭成员信息表")  # a title row above the header
    sheet.write_row(1, 0, ["户编号", "所在村", "姓名", "身份证号", "出生日期", "工资性收入", "低保户", "备注"])
    date, moment = book.add_format({"num_format": "yyyy/m/d"}), book.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    sheet.write_row(2, 0, ["A1", "长安镇大巷村", "覃志强", "450224196804020211"])
    sheet.write_datetime(2, 4, dt.datetime(2016, 9, 1), date)
    sheet.write_number(2, 5, 9000)
    sheet.write_boolean(2, 6, True)
    sheet.write_formula(2, 7, '="x"&"y"', None, "xy")
    sheet.write_string(3, 0, "A1")
    sheet.write_string(3, 2, "韦秀兰 & <妻>")
    sheet.write_number(3, 4, 42614)  # an Excel serial without a date format: left as the number
    sheet.write_number(3, 5, 1234.5)
    sheet.write_boolean(3, 6, False)
    if not constant_memory:
        sheet.write_rich_string(3, 7, "富", book.add_format({"bold": True}), "文本")
    sheet.write_string(5, 0, "A2")  # row 5 left blank
    sheet.write_datetime(5, 4, dt.datetime(2020, 1, 2, 8, 30), moment)
    sheet.write_number(5, 3, 4.5e-2)
    book.add_worksheet("第二页").write_string(0, 0, "不读")
    book.close()

    calamine, rows, streamed, streamed_rows = _both(path)
    assert (streamed.headers, streamed.header_row) == (calamine.headers, calamine.header_row) == (
        ["户编号", "所在村", "姓名", "身份证号", "出生日期", "工资性收入", "低保户", "备注"], 2)
    assert streamed_rows.equals(rows), (streamed_rows, rows)
    assert streamed_rows.get_column("__row").to_list() == [3, 4, 6]
    assert streamed_rows.row(0)[4:7] == ("2016-09-01", "9000", "是")
    assert streamed_rows.row(2)[3:5] == ("0.045", "2020-01-02 08:30:00")


def _handmade(path, sheet_xml: str, strings_xml: str, date1904: bool = False) -> None:
    """A minimal workbook as other writers make them: prefixed tags, no r attributes, phonetic guides."""
    ns = 'xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main" ' \
         'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    parts = {
        "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
        'content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.'
        'relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/'
        'workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/data/list.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        'spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>',
        "_rels/.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
        'relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>',
        "xl/workbook.xml": f'<?xml version="1.0"?><x:workbook {ns}>'
        f'<x:workbookPr date1904="{int(date1904)}"/><x:sheets><x:sheet name="名册" sheetId="1" r:id="rId7"/>'
        '</x:sheets></x:workbook>',
        "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org'
        '/package/2006/relationships"><Relationship Id="rId7" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/worksheet" Target="data/list.xml"/><Relationship Id="rId8" '
        'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" '
        'Target="sharedStrings.xml"/><Relationship Id="rId9" Type="http://schemas.openxmlformats.org/'
        'officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>',
        "xl/styles.xml": f'<?xml version="1.0"?><x:styleSheet {ns}><x:numFmts count="1"><x:numFmt numFmtId="170" '
        'formatCode="[$-804]yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/></x:numFmts><x:cellXfs count="3">'
        '<x:xf numFmtId="0"/><x:xf numFmtId="170"/><x:xf numFmtId="49"/></x:cellXfs></x:styleSheet>',
        "xl/sharedStrings.xml": f'<?xml version="1.0"?><x:sst {ns}>{strings_xml}</x:sst>',
        "xl/data/list.xml": f'<?xml version="1.0"?><x:worksheet {ns}><x:sheetData>{sheet_xml}</x:sheetData>'
        '</x:worksheet>',
    }
    with zipfile.ZipFile(path, "w") as book:
        for name, text in parts.items():
            book.writestr(name, text.encode("utf-8"))


@pytest.mark.parametrize("date1904", [False, True])
def test_other_writers_workbooks_read_the_same_streamed(tmp_path, date1904):
    strings = ('<x:si><x:t>户编号</x:t></x:si><x:si><x:t>姓名</x:t></x:si><x:si><x:t>出生日期</x:t></x:si>'
               '<x:si><x:r><x:t>覃</x:t></x:r><x:r><x:t xml:space="preserve">志强 </x:t></x:r>'
               '<x:rPh sb="0" eb="1"><x:t>qin</x:t></x:rPh></x:si><x:si><x:t>A&amp;1</x:t></x:si>')
    sheet = ('<x:row><x:c t="s"><x:v>0</x:v></x:c><x:c t="s"><x:v>1</x:v></x:c><x:c t="s"><x:v>2</x:v></x:c></x:row>'
             '<x:row><x:c t="s"><x:v>4</x:v></x:c><x:c t="s"><x:v>3</x:v></x:c><x:c s="1"><x:v>42614</x:v></x:c>'
             '</x:row><x:row r="5"><x:c r="C5" s="2"><x:v>7</x:v></x:c></x:row>')
    path = tmp_path / "other.xlsx"
    _handmade(path, sheet, strings, date1904)
    calamine, rows, streamed, streamed_rows = _both(path)
    assert streamed.headers == calamine.headers == ["户编号", "姓名", "出生日期"]
    assert streamed_rows.equals(rows), (streamed_rows, rows)
    born = "2020-09-02" if date1904 else "2016-09-01"
    assert streamed_rows.row(0) == ("A&1", "覃志强 ", born, 2)


@pytest.mark.django_db
def test_a_streamed_workbook_imports_as_any_other(streamed, county_client, django_capture_on_commit_callbacks):
    from bangfu.imports.tests.jobs import start, upload
    from bangfu.imports.tests.test_pages import _filled, _people, _template_headers
    from bangfu.registry.models import Household

    _title, headers = _template_headers(county_client)
    job = start(county_client, upload(county_client, _filled(headers, _people(wrong=True))), True,
                django_capture_on_commit_callbacks)
    assert job.error_counts == {"id_check": 1} and job.error_sample[0]["row"] == 4
    job = start(county_client, upload(county_client, _filled(headers, _people())), False,
                django_capture_on_commit_callbacks)
    assert job.status == "done", job.message
    household = Household.objects.get(number="CA0001")
    assert household.identified_on == dt.date(2016, 9, 1) and household.size == 2


def test_a_damaged_workbook_is_left_to_calamine_to_refuse(tmp_path):
    path = tmp_path / "broken.xlsx"
    path.write_bytes(b"PK\x03\x04 not really a zip")
    assert xlsxstream.streamed_sheet(path) is None
    with pytest.raises(reading.ValidationError):
        reading.sheet_open(path)
