"""The issue's "done when", as a new user would go: template, dry run, report, import, again, GB18030."""

import io
from datetime import date

import pytest
import xlsxwriter
from django.utils import translation
from django.core.management import CommandError, call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.accounts.roles import Role
from bangfu.imports.models import ImportJob
from bangfu.imports.registers import register_get
from bangfu.imports.tests.jobs import api_import
from bangfu.imports.tests.jobs import start as _start
from bangfu.imports.tests.jobs import upload as _upload
from bangfu.privacy import id_numbers
from bangfu.registry.models import Household, Person
from bangfu.tests.workers import held
from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user

pytestmark = pytest.mark.django_db


def _template_headers(client):
    response = client.get(reverse("imports:template", args=["members"]))
    assert response.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    return rows[0][0], [h.rstrip("*") for h in rows[1]]


def _filled(headers, people, *, wrong_check_digit=False):
    """A filled template: the merged title row, the header row, one row per person."""
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer, {"in_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.merge_range(0, 0, 0, 5, "融安县长安镇家庭成员信息表")
    sheet.write_row(1, 0, headers)
    for r, person in enumerate(people, start=2):
        for c, header in enumerate(headers):
            sheet.write_string(r, c, person.get(header, ""))
    book.close()
    buffer.name = "成员.xlsx"
    buffer.seek(0)
    return buffer


def _people(wrong=False):
    head = id_numbers.make("450224", date(1968, 4, 2), 21, "male")
    wife = id_numbers.make("450224", date(1970, 6, 9), 22, "female")
    if wrong:
        wife = wife[:17] + ("0" if wife[17] != "0" else "1")
    return [
        {"户编号": "CA0001", "所在村": "长安镇大巷村", "姓名": "覃志强", "身份证号": head, "与户主关系": "户主",
         "户状态": "未脱贫", "识别日期": "2016年9月1日", "主要致贫原因": "因病", "工资性收入": "9000"},
        {"户编号": "CA0001", "所在村": "长安镇大巷村", "姓名": "韦秀兰", "身份证号": wife, "与户主关系": "妻子",
         "劳动能力": "有劳动能力"},
    ]


def test_it_takes_a_filled_template_through_dry_run_report_import_and_again(
        county_client, django_capture_on_commit_callbacks):
    title, headers = _template_headers(county_client)
    assert title == "家庭成员信息表" and {"身份证号", "与户主关系", "所在村"} <= set(headers)

    job = _upload(county_client, _filled(headers, _people(wrong=True)))
    page = county_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "表头在文件第 2 行" in page
    assert job.mapping["p_id_number"] == headers.index("身份证号")

    job = _start(county_client, job, True, django_capture_on_commit_callbacks)
    assert (job.status, job.error_total, job.error_counts) == ("invalid", 1, {"id_check": 1})
    assert Household.objects.count() == 0
    status = county_client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert "身份证号校验位错误" in status
    # The page names the bad cell: Excel row 4 (the wife), the column, and what is wrong.
    [error] = job.error_sample
    assert (error["row"], error["header"]) == (4, "身份证号") and "末位应为" in error["message"]
    assert f"<td>第 4 行</td><td>身份证号</td><td>{error['message']}</td>" in status
    report = county_client.get(reverse("imports:report", args=[job.pk]))
    rows = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content))).get_sheet_by_index(0)
    rows = rows.to_python(skip_empty_area=False)
    column = headers.index("身份证号")
    assert rows[3][column] == _people(wrong=True)[1]["身份证号"]  # Excel row 4: the wife
    assert rows[3][len(headers)].startswith("身份证号：身份证号校验位错误：末位应为")
    assert all(not r[len(headers)] for r in rows[2:3])

    job = _upload(county_client, _filled(headers, _people()))
    job = _start(county_client, job, True, django_capture_on_commit_callbacks)
    assert (job.status, job.error_total) == ("checked", 0)
    assert job.counts["persons"]["created"] == 2 and Person.objects.count() == 0
    job = _start(county_client, job, False, django_capture_on_commit_callbacks)
    assert job.status == "done", job.message
    household = Household.objects.get(number="CA0001")
    assert household.identified_on == date(2016, 9, 1) and household.region.name == "大巷村委会"
    assert household.head.name == "覃志强" and household.size == 2

    again = _upload(county_client, _filled(headers, _people()))
    again = _start(county_client, again, False, django_capture_on_commit_callbacks)
    assert again.status == "done"
    assert again.counts == {"households": {"created": 0, "updated": 0, "unchanged": 1},
                            "persons": {"created": 0, "updated": 0, "unchanged": 2}}

    # The same register saved by Excel as CSV (GB18030, the "CSV (逗号分隔)" of Chinese Excel).
    lines = [",".join(headers)] + [",".join(p.get(h, "") for h in headers) for p in _people()]
    gb = io.BytesIO(("\r\n".join(lines) + "\r\n").encode("gb18030"))
    gb.name = "成员.csv"
    job = _start(county_client, _upload(county_client, gb), False, django_capture_on_commit_callbacks)
    assert job.status == "done" and job.counts["persons"]["unchanged"] == 2 and job.counts["persons"]["updated"] == 0

    # A changed row updates the record and lands in its history.
    people = _people()
    people[1]["劳动能力"] = "弱劳动力"
    job = _start(county_client, _upload(county_client, _filled(headers, people)), False,
                 django_capture_on_commit_callbacks)
    assert job.counts["persons"] == {"created": 0, "updated": 1, "unchanged": 1}
    wife = Person.objects.get(name="韦秀兰")
    assert wife.work_ability == "weak"
    assert [h.history_type for h in wife.history.order_by("history_id")] == ["+", "~"]
    assert wife.history.latest().history_user == county_client.user


def test_it_refuses_a_village_outside_the_users_scope(client, regions, django_capture_on_commit_callbacks):
    user = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(user)
    person = id_numbers.make("450224", date(1980, 1, 1), 3, "male")
    data = f"户号,村,姓名,公民身份号码,关系\nFS01,450224101201,甲某,{person},户主\nFS02,浮石镇浮石村,乙某,{person[:-1]}X,户主\n"
    fh = io.BytesIO(data.encode())
    fh.name = "x.csv"
    job = _start(client, _upload(client, fh), True, django_capture_on_commit_callbacks)
    assert job.error_counts.get("region_scope") == 1 and job.error_counts.get("region_unknown") == 1


def test_it_refuses_duplicates_in_the_file_and_against_the_registry(county_client, django_capture_on_commit_callbacks):
    existing = make_household(township=TOWNSHIP_A)
    head = existing.head
    same = id_numbers.make("450224", date(1990, 2, 2), 40, "female")
    data = ("户编号,所在村,姓名,身份证号,与户主关系\n"
            f"N1,长安镇大巷村,甲,{head.id_number},户主\n"
            f"N2,长安镇大巷村,乙,{same},户主\n"
            f"N2,长安镇大巷村,丙,{same},子女\n")
    fh = io.BytesIO(data.encode())
    fh.name = "dups.csv"
    job = _start(county_client, _upload(county_client, fh), True, django_capture_on_commit_callbacks)
    assert job.error_counts == {"duplicate_registry": 1, "duplicate_file": 1}
    assert Household.objects.count() == 1


def test_it_refuses_a_household_without_exactly_one_head(county_client, django_capture_on_commit_callbacks):
    a = id_numbers.make("450224", date(1960, 2, 2), 50, "male")
    b = id_numbers.make("450224", date(1962, 2, 2), 51, "female")
    fh = io.BytesIO(f"户编号,所在村,姓名,身份证号,关系\nN9,长安镇大巷村,甲,{a},户主\nN9,长安镇大巷村,乙,{b},户主\n".encode())
    fh.name = "heads.csv"
    job = _start(county_client, _upload(county_client, fh), True, django_capture_on_commit_callbacks)
    assert job.error_counts == {"head": 1}


def test_it_lets_the_user_correct_the_mapping(county_client, django_capture_on_commit_callbacks):
    a = id_numbers.make("450224", date(1960, 2, 2), 60, "male")
    fh = io.BytesIO(f"编号,村,姓名,证件,关系\nM1,长安镇大巷村,甲,{a},户主\n".encode())
    fh.name = "odd.csv"
    job = _upload(county_client, fh)
    assert "h_number" not in job.mapping
    page = county_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "还有必填列没有对应" in page
    data = {f"map_{k}": v for k, v in job.mapping.items()} | {"map_h_number": "0", "map_p_id_number": "3"}
    county_client.post(reverse("imports:map", args=[job.pk]), data)
    job = _start(county_client, job, False, django_capture_on_commit_callbacks)
    assert job.status == "done" and Household.objects.filter(number="M1").exists()


def test_it_imports_through_the_api(county_client, django_capture_on_commit_callbacks):
    a = id_numbers.make("450224", date(1960, 2, 2), 70, "male")
    fh = io.BytesIO(f"户编号,所在村,姓名,身份证号,与户主关系\nP1,长安镇大巷村,甲,{a},户主\n".encode())
    fh.name = "api.csv"
    body = api_import(county_client, fh, "members", django_capture_on_commit_callbacks)
    assert body["status"] == "done" and body["counts"]["persons"]["created"] == 1


def test_the_command_refuses_a_bad_file_and_writes_the_report(regions, tmp_path):
    user = make_user(Role.COUNTY_OFFICE)
    bad = tmp_path / "bad.csv"
    bad.write_text("户编号,所在村,姓名,身份证号,与户主关系,出生日期\nC1,长安镇大巷村,甲,450224196002021234,户主,1960-13-01\n",
                   encoding="utf-8-sig")
    report = tmp_path / "report.xlsx"
    out = io.StringIO()
    with pytest.raises(CommandError, match="未写入"):
        call_command("import", str(bad), "--user", user.username, "--report", str(report), "--no-progress", stdout=out)
    assert "第 2 行「身份证号」" in out.getvalue() and "第 2 行「出生日期」" in out.getvalue()
    assert report.exists()
    good = tmp_path / "good.csv"
    good.write_text(f"户编号,所在村,姓名,身份证号,与户主关系\nC1,长安镇大巷村,甲,{id_numbers.make('450224', date(1960, 2, 2), 80, 'male')},户主\n")
    call_command("import", str(good), "--user", user.username, "--no-progress", stdout=out)
    assert Household.objects.filter(number="C1").exists()


def test_a_user_reading_english_gets_english_headers_and_they_import(county_client, settings,
                                                                     django_capture_on_commit_callbacks):
    county_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    title, headers = _template_headers(county_client)
    assert {"ID number", "Relation to head", "Village"} <= set(headers), headers
    chinese = [c.header for c in register_get("members").stored]  # the template's columns, in order
    people = [{headers[chinese.index(k)]: v for k, v in p.items()} for p in _people()]
    job = _upload(county_client, _filled(headers, people))
    assert job.mapping["p_id_number"] == headers.index("ID number")
    page = county_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert 'aria-label="ID number"' in page and "身份证号" not in page
    job = _start(county_client, job, False, django_capture_on_commit_callbacks)
    assert job.status == "done", job.message
    assert Household.objects.get(number="CA0001").size == 2

    # A file without a required column: the page names the missing ones in English.
    fh = io.BytesIO(b"Name\nA\n")
    fh.name = "short.csv"
    job = _upload(county_client, fh)
    status = county_client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert "Household number" in status and "户编号" not in status, status


def test_an_import_whose_worker_was_killed_can_be_started_again(county_client, django_capture_on_commit_callbacks):
    from django.utils import timezone

    a = id_numbers.make("450224", date(1960, 2, 2), 80, "male")
    fh = io.BytesIO(f"户编号,所在村,姓名,身份证号,与户主关系\nK1,长安镇大巷村,甲,{a},户主\n".encode())
    fh.name = "killed.csv"
    job = _upload(county_client, fh)
    job.status, job.started_at = "importing", timezone.now()  # a worker took it, then died
    job.save()
    with held("import", job.pk):  # while its worker lives, it runs
        assert "导入中" in county_client.get(reverse("imports:status", args=[job.pk])).content.decode()
        assert county_client.post(reverse("imports:start", args=[job.pk]), {"dry_run": "0"}).status_code == 302
        job.refresh_from_db()
        assert job.status == "importing"  # refused: 该文件正在处理中
    status = county_client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert "导入进程意外中断" in status
    job = _start(county_client, job, False, django_capture_on_commit_callbacks)
    assert job.status == "done" and Household.objects.filter(number="K1").exists()

    # Queued and not yet taken by a worker: waiting, not dead.
    ImportJob.objects.filter(pk=job.pk).update(status="importing", started_at=None, finished_at=None)
    assert "导入中" in county_client.get(reverse("imports:status", args=[job.pk])).content.decode()


def test_a_job_speaks_the_language_of_the_user_who_started_it(county_client, settings,
                                                               django_capture_on_commit_callbacks):
    """The worker has no request: it writes the job's messages and report in the language the user
    had when starting the job."""
    county_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    _title, headers = _template_headers(county_client)
    chinese = [c.header for c in register_get("members").stored]
    people = [{headers[chinese.index(k)]: v for k, v in p.items()} for p in _people(wrong=True)]
    job = _upload(county_client, _filled(headers, people))
    with django_capture_on_commit_callbacks() as queued:
        county_client.post(reverse("imports:start", args=[job.pk]), {"dry_run": "1"})
    with translation.override("zh-hans"):  # a worker has no request, so no language of its own
        for task in queued:
            task()
    job.refresh_from_db()
    [error] = job.error_sample
    assert error["message"].startswith("Wrong ID number check digit"), error
    assert job.language == "en"
    county_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "zh-hans"
    job = _start(county_client, job, True, django_capture_on_commit_callbacks)
    assert job.error_sample[0]["message"].startswith("身份证号校验位错误")
