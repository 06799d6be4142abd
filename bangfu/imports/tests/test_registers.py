"""The registers of persons without a household and of organizations (issue 4), through the pages,
the API and `bangfu import`: template, dry run, error report, import, again; and English headers."""

import io
from datetime import date

import pytest
import xlsxwriter
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import translation
from python_calamine import CalamineWorkbook

from bangfu.accounts.roles import Role
from bangfu.imports.registers import REGISTERS
from bangfu.imports.tests.jobs import api_import, start
from bangfu.imports.tests.jobs import upload as _upload
from bangfu.privacy import id_numbers
from bangfu.registry.models import Organization, Person
from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user

pytestmark = pytest.mark.django_db

UNITS = ("名称,类型,所在区域,地址,联系人,联系电话\n"
         "融安县长安镇中心小学,学校,长安镇,长安镇东门街8号,覃海燕,0772-8123456\n"
         "融安县农业农村局,机关单位,融安县,,,\n")


def _csv(text: str, name: str = "名册.csv") -> io.BytesIO:
    fh = io.BytesIO(text.encode("utf-8-sig"))
    fh.name = name
    return fh


def _xlsx(rows: list[list[str]], name: str = "名册.xlsx") -> io.BytesIO:
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    for r, row in enumerate(rows):
        sheet.write_row(r, 0, row)
    book.close()
    buffer.name = name
    buffer.seek(0)
    return buffer


def _start(client, job, capture, *, dry_run: bool):
    return start(client, job, dry_run, capture)


def _template(client, register: str) -> tuple[str, list[str], list[str]]:
    response = client.get(reverse("imports:template", args=[register]))
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    return rows[0][0], [h.rstrip("*") for h in rows[1]], [str(v) for v in rows[2]]


def _units(client, capture) -> None:
    job = _start(client, _upload(client, _csv(UNITS, "单位.csv"), "organizations"), capture, dry_run=False)
    assert job.status == "done", (job.message, job.error_sample)


@pytest.mark.parametrize("register, title, kind", [
    ("cadres", "帮扶责任人名册", "cadre"), ("teachers", "教师名册", "teacher"), ("students", "学生名册", "student")])
def test_it_takes_each_persons_template_through_dry_run_import_and_again(
        county_client, django_capture_on_commit_callbacks, register, title, kind):
    _units(county_client, django_capture_on_commit_callbacks)
    got_title, headers, example = _template(county_client, register)
    assert got_title == title and {"姓名", "身份证号"} <= set(headers)
    upload = _xlsx([[title], headers, example])  # the template as downloaded: title, headers, example row
    job = _upload(county_client, upload, register)
    assert set(job.mapping) == {c.key for c in REGISTERS[register].columns}

    job = _start(county_client, job, django_capture_on_commit_callbacks, dry_run=True)
    assert (job.status, job.error_total, job.counts) == ("checked", 0, {"persons": {"created": 1, "updated": 0,
                                                                                      "unchanged": 0}})
    assert not Person.objects.exists()
    job = _start(county_client, job, django_capture_on_commit_callbacks, dry_run=False)
    assert job.status == "done", (job.message, job.error_sample)
    person = Person.objects.get()
    assert person.kind == kind and person.household is None and person.history.count() == 1
    assert person.organization.name == example[headers.index({"cadres": "工作单位"}.get(register, "学校"))]
    assert person.history.latest().history_user == county_client.user

    again = _start(county_client, _upload(county_client, _xlsx([headers, example]), register),
                   django_capture_on_commit_callbacks, dry_run=False)
    assert again.status == "done" and again.counts == {"persons": {"created": 0, "updated": 0, "unchanged": 1}}
    assert person.history.count() == 1
    page = county_client.get(reverse("imports:detail", args=[again.pk])).content.decode()
    assert "<td>人员</td><td>0</td><td>0</td><td>1</td>" in page


def test_a_teacher_register_fills_the_teachers_fields_and_updates_with_history(
        county_client, django_capture_on_commit_callbacks):
    _units(county_client, django_capture_on_commit_callbacks)
    school = Organization.objects.get(name="融安县长安镇中心小学")
    a = id_numbers.make("450224", date(1985, 3, 12), 11, "female")
    b = id_numbers.make("450224", date(1990, 7, 1), 12, "male")
    text = ("教师姓名,身份证号码,所在学校,学科,职称/职务,手机号\n"
            f"覃丽华,{a},融安县长安镇中心小学,数学,教导主任,139 0772 1234\n"
            f"韦明,{b},融安县长安镇中心小学 ,语文,,\n")  # a stray space after the school's name
    job = _start(county_client, _upload(county_client, _csv(text), "teachers"), django_capture_on_commit_callbacks,
                 dry_run=False)
    assert job.status == "done", job.error_sample
    teacher = Person.objects.get(name="覃丽华")
    assert (teacher.kind, teacher.organization, teacher.subject, teacher.position, teacher.phone, teacher.region_id,
            teacher.gender, teacher.birth_date) == ("teacher", school, "数学", "教导主任", "13907721234",
                                                    school.region_id, "female", date(1985, 3, 12))
    changed = text.replace("数学", "英语")
    job = _start(county_client, _upload(county_client, _csv(changed), "teachers"), django_capture_on_commit_callbacks,
                 dry_run=False)
    assert job.counts == {"persons": {"created": 0, "updated": 1, "unchanged": 1}}
    teacher.refresh_from_db()
    assert teacher.subject == "英语" and teacher.phone == "13907721234"
    assert [h.history_type for h in teacher.history.order_by("history_id")] == ["+", "~"]


def test_a_student_who_is_a_household_member_keeps_the_household_and_its_village(
        county_client, django_capture_on_commit_callbacks):
    _units(county_client, django_capture_on_commit_callbacks)
    household = make_household(township=TOWNSHIP_A)
    child = household.members.exclude(relation="head").get()
    text = ("姓名,身份证号,学校,年级,班级,留守儿童,孤儿,学困生,监护人电话\n"
            f"{child.name},{child.id_number},融安县长安镇中心小学,四年级,2班,是,否,是,13907720001\n")
    job = _start(county_client, _upload(county_client, _csv(text), "students"), django_capture_on_commit_callbacks,
                 dry_run=False)
    assert job.counts == {"persons": {"created": 0, "updated": 1, "unchanged": 0}}, job.error_sample
    child.refresh_from_db()
    assert (child.kind, child.household, child.region_id, child.grade_level, child.class_name, child.left_behind,
            child.orphan, child.struggling, child.phone) == (
        "student", household, household.region_id, "四年级", "2班", True, False, True, "13907720001")
    assert Person.objects.count() == 2


def test_bad_rows_are_named_by_row_and_column_and_nothing_is_written(
        county_client, django_capture_on_commit_callbacks):
    _units(county_client, django_capture_on_commit_callbacks)
    good = id_numbers.make("450224", date(2014, 5, 1), 21, "male")
    other = id_numbers.make("450224", date(2014, 6, 1), 22, "female")
    third = id_numbers.make("450224", date(2014, 7, 1), 23, "male")
    wrong = other[:17] + ("0" if other[17] != "0" else "1")
    text = ("学生名册(长安镇)\n"
            "姓名,身份证号,学校,年级\n"
            f"甲,{good},融安县长安镇中心小学,三年级\n"
            f"乙,{wrong},融安县长安镇中心小学,三年级\n"
            f"丙,{other},融安县长安镇第九小学,三年级\n"
            f"丁,{good},融安县长安镇中心小学,三年级\n"
            f"戊,{third},融安县农业农村局,三年级\n")
    job = _start(county_client, _upload(county_client, _csv(text), "students"), django_capture_on_commit_callbacks,
                 dry_run=True)
    errors = {(e["row"], e["header"]): e["message"] for e in job.error_sample}
    assert job.status == "invalid" and "末位应为" in errors[(4, "身份证号")]
    assert "找不到单位「融安县长安镇第九小学」" in errors[(5, "学校")]
    assert "与第 3 行 重复" in errors[(6, "身份证号")]
    assert "不是学校" in errors[(7, "学校")]
    assert job.error_counts == {"id_check": 1, "organization_unknown": 1, "duplicate_file": 1,
                                "organization_kind": 1}
    status = county_client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert f"<td>第 5 行</td><td>学校</td><td>{errors[(5, '学校')]}</td>" in status
    report = county_client.get(reverse("imports:report", args=[job.pk]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content))).get_sheet_by_index(0)
    rows = rows.to_python(skip_empty_area=False)
    assert rows[4][4].startswith("学校：在您的管辖范围内找不到单位")  # Excel row 5, the 错误说明 column
    job = _start(county_client, job, django_capture_on_commit_callbacks, dry_run=False)
    assert job.status == "invalid" and not Person.objects.exists()


def test_an_organization_register_refuses_duplicate_names_and_updates_with_history(
        county_client, django_capture_on_commit_callbacks):
    text = UNITS + "融安县长安镇中心小学,学校,长安镇,,,\n"
    job = _start(county_client, _upload(county_client, _csv(text), "organizations"),
                 django_capture_on_commit_callbacks, dry_run=False)
    assert job.status == "invalid" and job.error_sample == [
        {"row": 4, "seq": None, "header": "名称", "message": "单位名称与第 2 行 重复(同一县内单位不能重名)"}]
    assert not Organization.objects.exists()
    _units(county_client, django_capture_on_commit_callbacks)
    school = Organization.objects.get(name="融安县长安镇中心小学")
    assert (school.kind, school.region_id, school.contact_name, school.contact_phone, school.county_code) == (
        "school", TOWNSHIP_A, "覃海燕", "0772-8123456", "450224")
    changed = UNITS.replace("覃海燕", "韦海燕").replace("0772-8123456", "")  # a blank phone keeps the registered one
    job = _start(county_client, _upload(county_client, _csv(changed), "organizations"),
                 django_capture_on_commit_callbacks, dry_run=False)
    assert job.counts == {"organizations": {"created": 0, "updated": 1, "unchanged": 1}}
    school.refresh_from_db()
    assert (school.contact_name, school.contact_phone) == ("韦海燕", "0772-8123456")
    assert [h.history_type for h in school.history.order_by("history_id")] == ["+", "~"]


def test_a_township_office_cannot_name_a_unit_or_region_outside_its_scope(
        client, regions, django_capture_on_commit_callbacks):
    county = make_user(Role.COUNTY_OFFICE)
    client.force_login(county)
    _units(client, django_capture_on_commit_callbacks)
    township = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(township)
    a = id_numbers.make("450224", date(1979, 8, 23), 31, "male")
    text = f"姓名,身份证号,工作单位,所在区域\n韦志明,{a},融安县农业农村局,长安镇\n"
    job = _start(client, _upload(client, _csv(text), "cadres"), django_capture_on_commit_callbacks, dry_run=True)
    assert job.error_counts == {"organization_unknown": 1}  # the bureau is the county's, not the township's
    text = "名称,类型,所在区域\n浮石镇中心小学,学校,浮石镇\n"
    job = _start(client, _upload(client, _csv(text), "organizations"), django_capture_on_commit_callbacks,
                 dry_run=True)
    assert job.error_counts == {"region_unknown": 1}


def test_the_api_imports_a_student_register(county_client, django_capture_on_commit_callbacks):
    _units(county_client, django_capture_on_commit_callbacks)
    a = id_numbers.make("450224", date(2015, 9, 6), 41, "female")
    fh = _csv(f"学生姓名,身份证号,就读学校,年级,班级,是否留守儿童\n覃小燕,{a},融安县长安镇中心小学,四年级,2班,是\n", "api.csv")
    body = api_import(county_client, fh, "students", django_capture_on_commit_callbacks)
    assert body["status"] == "done" and body["counts"] == {"persons": {"created": 1, "updated": 0, "unchanged": 0}}
    assert Person.objects.get(name="覃小燕").left_behind


def test_the_command_refuses_a_bad_cadre_register_then_imports_it_once(regions, tmp_path):
    user = make_user(Role.COUNTY_OFFICE)
    units = tmp_path / "units.csv"
    units.write_text(UNITS, encoding="utf-8")
    out = io.StringIO()
    call_command("import", str(units), "--register", "organizations", "--user", user.username, "--no-progress",
                 stdout=out)
    assert "单位：新增 2，更新 0，未变 0" in out.getvalue()
    a = id_numbers.make("450224", date(1979, 8, 23), 51, "male")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"姓名,身份证号,单位,职级\n韦志明,{a},融安县农业局,处级干部\n韦志明,{a},融安县农业农村局,正科\n",
                   encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="未写入"):
        call_command("import", str(bad), "--register", "cadres", "--user", user.username, "--no-progress", stdout=out)
    assert "第 2 行「单位」：在您的管辖范围内找不到单位「融安县农业局」" in out.getvalue()
    assert not Person.objects.exists()
    good = tmp_path / "good.csv"
    good.write_text(f"帮扶责任人,身份证号,工作单位,职务,职级\n韦志明,{a},融安县农业农村局,副局长,正科级\n", encoding="utf-8")
    for expected in ("人员：新增 1，更新 0，未变 0", "人员：新增 0，更新 0，未变 1"):
        out = io.StringIO()
        call_command("import", str(good), "--register", "cadres", "--user", user.username, "--no-progress", stdout=out)
        assert expected in out.getvalue()
    cadre = Person.objects.get()
    assert (cadre.kind, cadre.rank, cadre.position, cadre.region_id) == ("cadre", "section", "副局长", "450224000000")


def test_a_register_with_english_headers_is_read_whatever_the_page_language(
        county_client, django_capture_on_commit_callbacks):
    _units(county_client, django_capture_on_commit_callbacks)
    register = REGISTERS["teachers"]
    with translation.override("en"):
        headers = [translation.gettext(c.header) for c in register.columns]
    assert "Name" in headers and "ID number" in headers and "School" in headers
    values = {"p_name": "Qin Lihua", "p_id_number": id_numbers.make("450224", date(1985, 3, 12), 61, "female"),
              "p_gender": "Female", "p_organization": "融安县长安镇中心小学", "p_subject": "Maths"}
    row = [values.get(c.key, "") for c in register.columns]
    for language in ("zh-hans", "en"):
        county_client.cookies["django_language"] = language
        job = _upload(county_client, _xlsx([[h.upper() for h in headers], row]), "teachers")  # case is ignored
        assert set(job.mapping) == {c.key for c in register.columns}, language
    job = _start(county_client, job, django_capture_on_commit_callbacks, dry_run=False)
    assert job.status == "done", job.error_sample
    assert Person.objects.get(name="Qin Lihua").gender == "female"


@pytest.mark.parametrize("listing, register, key", [("organizations", "organizations", "organizations"),
                                                    ("households", "households", "households")])
def test_a_list_exported_in_english_imports_back_unchanged(
        county_client, django_capture_on_commit_callbacks, listing, register, key):
    """The export of the English pages carries English headers and labels, masked phones and accounts:
    imported back it finds every record unchanged (a masked number keeps the registered one)."""
    _units(county_client, django_capture_on_commit_callbacks)
    make_household(township=TOWNSHIP_A, phone="13907721234", bank_account="6228480000000000000", dibao=True,
                   status="exited", exited_on=date(2019, 12, 20))
    county_client.cookies["django_language"] = "en"
    response = county_client.post(reverse("exports:start", args=[listing]), {"format": "xlsx"})
    content = b"".join(response.streaming_content)
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert "Region" in rows[0] and "Phone" in rows[0]
    fh = io.BytesIO(content)
    fh.name = "export.xlsx"
    job = _upload(county_client, fh, register)
    job = _start(county_client, job, django_capture_on_commit_callbacks, dry_run=False)
    assert job.status == "done", (job.message, job.error_sample)
    assert job.counts[key]["created"] == 0 and job.counts[key]["updated"] == 0 and job.counts[key]["unchanged"] >= 1


def test_a_school_administrator_imports_its_students_but_not_the_units(
        client, county_client, django_capture_on_commit_callbacks):
    _units(county_client, django_capture_on_commit_callbacks)
    school = Organization.objects.get(name="融安县长安镇中心小学")
    admin = make_user(Role.SCHOOL_ADMIN, region=TOWNSHIP_A, organization=school)
    client.force_login(admin)
    response = client.post(reverse("imports:upload"), {"register": "organizations", "file": _csv(UNITS)}, follow=True)
    assert "学校管理员不能导入单位名册" in response.content.decode()
    a = id_numbers.make("450224", date(2015, 9, 6), 71, "female")
    text = f"姓名,身份证号,学校\n覃小燕,{a},融安县长安镇中心小学\n韦小明,{a[:-2]}00,融安县农业农村局\n"
    job = _start(client, _upload(client, _csv(text), "students"), django_capture_on_commit_callbacks, dry_run=True)
    assert job.error_counts.get("organization_unknown") == 1  # the bureau is not in a school's scope
    job = _start(client, _upload(client, _csv(text.splitlines(True)[0] + text.splitlines(True)[1]), "students"),
                 django_capture_on_commit_callbacks, dry_run=False)
    assert job.status == "done" and Person.objects.get(name="覃小燕").organization == school


def test_a_person_list_exported_in_english_is_read_but_its_masked_id_numbers_are_refused(
        county_client, django_capture_on_commit_callbacks):
    _units(county_client, django_capture_on_commit_callbacks)
    a = id_numbers.make("450224", date(1979, 8, 23), 81, "male")
    call = _csv(f"姓名,身份证号,工作单位\n韦志明,{a},融安县农业农村局\n")
    assert _start(county_client, _upload(county_client, call, "cadres"), django_capture_on_commit_callbacks,
                  dry_run=False).status == "done"
    county_client.cookies["django_language"] = "en"
    response = county_client.post(reverse("exports:start", args=["persons"]), {"format": "csv"})
    fh = io.BytesIO(b"".join(response.streaming_content))
    fh.name = "persons.csv"
    job = _upload(county_client, fh, "cadres")
    assert {"p_name", "p_id_number", "p_gender", "p_ethnicity", "p_organization", "p_phone",
            "p_region"} <= set(job.mapping)
    job = _start(county_client, job, django_capture_on_commit_callbacks, dry_run=True)
    [error] = job.error_sample
    assert (error["row"], error["header"], job.error_counts) == (2, "ID number", {"id_format": 1})
