"""A corpus of bad uploads (issue 13 c), made here rather than committed: each refused through the
page, the API and `bangfu import` with a clear Chinese message, and nothing written or kept."""

import io
import re
import struct
import zipfile
from datetime import date
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from bangfu.imports.models import ImportJob, ImportStatus
from bangfu.registry.models import Household, Person

HEADER = "户编号,姓名,身份证号,与户主关系\n"


def _zip(members: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as book:
        for name, data in members.items():
            book.writestr(name, data)
    return buffer.getvalue()


def zip_bomb() -> bytes:
    """An .xlsx whose sheet is 64 MB of one repeated cell, deflated to some 64 KB (ratio ~1000)."""
    row = b'<row><c t="inlineStr"><is><t>0</t></is></c></row>'
    return _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>",
                 "xl/worksheets/sheet1.xml": row * ((64 << 20) // len(row))})


def lying_zip_bomb() -> bytes:
    """The same expansion behind a directory that declares 1,000 bytes: only inflating tells."""
    data = bytearray(_zip({"xl/worksheets/sheet1.xml": b"0" * (32 << 20)}))
    size = struct.pack("<I", 1000)
    local = data.index(b"PK\x03\x04")
    data[local + 22:local + 26] = size  # local header: uncompressed size
    central = data.index(b"PK\x01\x02")
    data[central + 24:central + 28] = size  # central directory: uncompressed size
    return bytes(data)


def truncated_xlsx() -> bytes:
    whole = _zip({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>" * 1000,
                  "xl/worksheets/sheet1.xml": b"<worksheet/>" * 1000})
    return whole[: len(whole) // 2]


CORPUS = {
    "zip bomb": ("台账.xlsx", zip_bomb, "压缩炸弹"),
    "lying zip bomb": ("台账.xlsx", lying_zip_bomb, "压缩炸弹"),
    "truncated zip": ("台账.xlsx", truncated_xlsx, "文件不完整或已损坏"),
    "exe renamed": ("台账.xlsx", lambda: b"MZ\x90\x00" + bytes(2000), "程序(.exe)"),
    "png renamed": ("台账.csv", lambda: b"\x89PNG\r\n\x1a\n" + bytes(2000), "图片(.png)"),
    "huge row count": ("台账.csv", lambda: (HEADER + "H1,张三,,户主\n" * 150).encode(), "一次最多导入 100 行"),
    "utf-16": ("台账.csv", lambda: (HEADER + "H1,张三,,户主\n").encode("utf-16"), "UTF-16"),
    "no known encoding": ("台账.csv", lambda: HEADER.encode() + b"H1,\xff\xfe\x80\x80,,\xff\n", "无法识别文件编码"),
    "empty": ("台账.csv", lambda: b"", "空的"),
    "not a table": ("台账.docx.exe", lambda: b"MZ" + bytes(100), "请上传 Excel"),
}


@pytest.fixture(autouse=True)
def _limits(settings):
    settings.BANGFU_IMPORT_MAX_ROWS = 100


def _upload(name: str, content: bytes) -> io.BytesIO:
    fh = io.BytesIO(content)
    fh.name = name
    return fh


def _files(settings) -> set[Path]:
    return {p for p in (Path(settings.MEDIA_ROOT) / "imports").rglob("*") if p.is_file()}


@pytest.fixture
def kept_before(settings):
    """The uploaded files other tests left (the media folder is the session's): none may be added."""
    return _files(settings)


def _nothing_kept(settings, before) -> None:
    assert not Household.objects.exists() and not Person.objects.exists()
    assert _files(settings) == before
    assert not ImportJob.objects.exclude(status=ImportStatus.FAILED).exists()


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CORPUS))
def test_the_page_refuses_it_with_a_message(county_client, settings, kept_before, case):
    name, make, message = CORPUS[case]
    response = county_client.post(reverse("imports:upload"), {"register": "members", "file": _upload(name, make())},
                                  follow=True)
    assert response.status_code == 200
    assert message in response.content.decode()
    _nothing_kept(settings, kept_before)


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(CORPUS))
def test_the_api_refuses_it_with_a_message(county_client, settings, kept_before, case):
    name, make, message = CORPUS[case]
    response = county_client.post("/api/v1/imports", {"register_key": "members", "file": _upload(name, make())})
    assert response.status_code == 400
    assert message in response.json()["message"] and response.json()["field"] == "file"
    _nothing_kept(settings, kept_before)


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(set(CORPUS) - {"not a table"}))  # the command reads any name
def test_the_command_refuses_it_with_a_message(county_client, settings, kept_before, tmp_path, case):
    name, make, message = CORPUS[case]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("import", str(path), "--user", county_client.user.username, "--no-progress")
    _nothing_kept(settings, kept_before)


@pytest.mark.django_db
def test_an_upload_over_the_size_limit_is_refused_before_it_is_read(county_client, settings, kept_before):
    settings.BANGFU_UPLOAD_MAX_MB = 1
    content = (HEADER + "H1,张三,,户主\n" * 60_000).encode()
    response = county_client.post("/api/v1/imports", {"register_key": "members", "file": _upload("台账.csv", content)})
    assert response.status_code == 400 and "不能超过 1 MB" in response.json()["message"]
    _nothing_kept(settings, kept_before)


PAIRING_CORPUS = {**{case: CORPUS[case] for case in CORPUS if case != "huge row count"},
                  # a register's own limit (register.MAX_ROWS), not the imports' setting
                  "huge row count": ("名册.csv", lambda: ("帮扶人身份证号,户编号,结对日期\n" + "450224198005170220,H1,2025-03-01\n"
                                                          * 20_001).encode(), "一次最多导入 20000 行")}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(PAIRING_CORPUS))
def test_the_pairing_register_upload_refuses_it_too(county_client, settings, kept_before, case):
    from bangfu.programmes.models import Pairing
    from bangfu.programmes.tests.factories import make_programme

    programme = make_programme(name="2025年干部结对帮扶")
    name, make, message = PAIRING_CORPUS[case]
    page = county_client.post(f"/programmes/{programme.pk}/pairings/upload/", {"file": _upload(name, make())})
    assert page.status_code == 400 and message in page.content.decode()
    api = county_client.post(f"/api/v1/programmes/{programme.pk}/pairings/upload", {"file": _upload(name, make())})
    assert api.status_code == 400 and message in api.json()["message"]
    assert not Pairing.objects.exists()
    assert _files(settings) == kept_before  # the upload is not kept, whether refused in the request or by the worker


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(set(PAIRING_CORPUS) - {"not a table"}))  # the command reads any name
def test_the_pairing_register_command_refuses_it_too(county_client, tmp_path, case):
    from bangfu.programmes.models import Pairing
    from bangfu.programmes.tests.factories import make_programme

    programme = make_programme(name="2025年干部结对帮扶")
    name, make, message = PAIRING_CORPUS[case]
    path = tmp_path / name
    path.write_bytes(make())
    with pytest.raises(CommandError, match=message.replace("(", r"\(").replace(")", r"\)")):
        call_command("pairing_register", str(path), "--programme", str(programme.pk),
                     "--user", county_client.user.username)
    assert not Pairing.objects.exists()


@pytest.mark.django_db
def test_a_zip_bomb_is_refused_by_its_directory_before_a_job_or_an_expansion(county_client, settings):
    """The bomb's refusal is the directory check's (the expanded size it names is the directory's, and no
    job was made for the worker to open it), through the imports' page and API and the pairing register's."""
    from bangfu.programmes.tests.factories import make_programme

    data = zip_bomb()
    declared = sum(m.file_size for m in zipfile.ZipFile(io.BytesIO(data)).infolist()) >> 20
    said = f"文件解压后过大(约 {declared} MB，"
    programme = make_programme(name="2025年干部结对帮扶")
    answers = [
        county_client.post(reverse("imports:upload"), {"register": "members", "file": _upload("a.xlsx", data)},
                           follow=True).content.decode(),
        county_client.post("/api/v1/imports", {"register_key": "members", "file": _upload("a.xlsx", data)}
                           ).json()["message"],
        county_client.post(f"/programmes/{programme.pk}/pairings/upload/", {"file": _upload("a.xlsx", data)}
                           ).content.decode(),
        county_client.post(f"/api/v1/programmes/{programme.pk}/pairings/upload", {"file": _upload("a.xlsx", data)}
                           ).json()["message"],
    ]
    assert all(said in answer for answer in answers)
    assert not ImportJob.objects.exists()


def test_a_real_register_is_not_taken_for_a_bomb(tmp_path):
    """The limits leave room: a register of 20,000 rows as Excel writes it compresses some 13 times."""
    import xlsxwriter

    from bangfu.imports.uploads import file_check, zip_members_verify

    path = tmp_path / "real.xlsx"
    book = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    sheet = book.add_worksheet()
    for r in range(20_000):
        sheet.write_row(r, 0, [f"H{r:06d}", f"张{r}", f"45022419800517{r % 10000:04d}", "户主", "2020-01-01"])
    book.close()
    file_check(path, "xlsx")
    zip_members_verify(path)


def _members_workbook(path: Path, replace: tuple[bytes, bytes], rows: int = 60) -> None:
    """A members' workbook as xlsxwriter writes a large one (inline strings), its sheet XML then changed at
    one place (`replace`): a sheet that the streamed reading, or calamine, cannot read."""
    import xlsxwriter

    from bangfu.privacy import id_numbers

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["户编号", "所在村", "姓名", "身份证号", "与户主关系"])
    for r in range(1, rows):
        sheet.write_row(r, 0, [f"F{r:03d}", "长安镇大巷村", f"户主{r}", id_numbers.make("450224", date(1960, 1, r % 28 + 1),
                                                                                r, "male"), "户主"])
    book.close()
    with zipfile.ZipFile(path) as whole:
        parts = {name: whole.read(name) for name in whole.namelist()}
    assert replace[0] in parts["xl/worksheets/sheet1.xml"]
    parts["xl/worksheets/sheet1.xml"] = parts["xl/worksheets/sheet1.xml"].replace(*replace)
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as whole:
        for name, data in parts.items():
            whole.writestr(name, data)


STREAMED_BROKEN = {  # what is changed in the sheet's XML, and the message
    "a tag left open": ((b'<row r="41">', b'<row r="41"><x>'), "第 41 行附近：XML 格式有误（mismatched tag）"),
    "a cell without a column": ((b'<c r="A45"', b'<c r="45"'), "第 45 行附近：单元格位置 45 无效"),
    "in the header rows": ((b'<c r="B3"', b'<c r="B3" s="x"'), "第 3 行附近：单元格样式 x 无效"),
}


@pytest.mark.django_db
@pytest.mark.parametrize("case", sorted(STREAMED_BROKEN))
def test_a_streamed_sheet_it_cannot_read_is_refused_naming_the_row(county_client, settings, kept_before, tmp_path,
                                                                   monkeypatch, regions, django_capture_on_commit_callbacks,
                                                                   case):
    """A large .xlsx is read as it streams (xlsxstream.py): XML broken below the rows the upload looks at
    is found by the import itself, which names the row and leaves nothing written — from the command,
    and from the page (the upload's job, which reads the rows to count them, or the import's)."""
    from bangfu.imports import xlsxstream
    from bangfu.imports.tests import jobs

    monkeypatch.setattr(xlsxstream, "STREAM_MIN_BYTES", 0)
    replace, message = STREAMED_BROKEN[case]
    path = tmp_path / "名册.xlsx"
    _members_workbook(path, replace)
    with pytest.raises(CommandError, match=re.escape(message)):
        call_command("import", str(path), "--user", county_client.user.username, "--no-progress")
    _nothing_kept(settings, kept_before)
    with django_capture_on_commit_callbacks(execute=True):  # an upload's first look runs as a background job
        job = jobs.upload(county_client, _upload("名册.xlsx", path.read_bytes()))
    job.refresh_from_db()
    if job.status != ImportStatus.FAILED:
        job = jobs.start(county_client, job, False, django_capture_on_commit_callbacks)
    assert job.status == ImportStatus.FAILED and message in job.message
    assert message in county_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert not Household.objects.exists() and not Person.objects.exists()


@pytest.mark.django_db
def test_a_sheet_calamine_cannot_read_is_refused_with_a_message(county_client, settings, kept_before, tmp_path, regions,
                                                               django_capture_on_commit_callbacks):
    """Below STREAM_MIN_BYTES calamine reads the whole sheet when it is opened: a sheet it refuses (a cell
    reference without a column) is a message, not an unexpected error — from the command and the page."""
    from bangfu.imports.tests import jobs

    path = tmp_path / "名册.xlsx"
    _members_workbook(path, (b'<c r="A45"', b'<c r="45"'))
    with pytest.raises(CommandError, match="无法读取该文件："):
        call_command("import", str(path), "--user", county_client.user.username, "--no-progress")
    with django_capture_on_commit_callbacks(execute=True):  # the upload's first look opens the sheet
        job = jobs.upload(county_client, _upload("名册.xlsx", path.read_bytes()))
    job.refresh_from_db()
    assert job.status == ImportStatus.FAILED and job.message.startswith("无法读取该文件：")
    assert not Household.objects.exists() and not Person.objects.exists()


def test_a_streamed_sheets_refusal_reads_in_english_too():
    from django.utils import translation

    from bangfu.imports.reading import _sheet_refused
    from bangfu.imports.xlsxstream import SheetError

    with translation.override("en"):
        assert _sheet_refused(SheetError(41, "xml", "mismatched tag")).message == (
            "Cannot read the sheet near row 41: malformed XML (mismatched tag). Open it in Excel or WPS, save it as "
            ".xlsx and import it again")
        assert _sheet_refused(SheetError(0, "style", "x")).message.startswith(
            "Cannot read the sheet at its start: invalid cell style x.")
    refused = _sheet_refused(SheetError(45, "reference", "45"))
    assert refused.message.startswith("无法读取该工作表第 45 行附近：单元格位置 45 无效。") and refused.row == 45
