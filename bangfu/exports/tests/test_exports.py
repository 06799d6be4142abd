"""Exports through the user's interfaces: the pages' buttons, 我的导出, the API and `bangfu export`."""

import csv
import io
from datetime import date, timedelta

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone, translation
from python_calamine import CalamineWorkbook

from bangfu.accounts.roles import Role
from bangfu.activities.services import activity_record
from bangfu.exports.models import ExportJob
from bangfu.exports.writers import safe_cell
from bangfu.programmes import services as programme_services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme, make_school
from bangfu.registry import services as registry_services
from bangfu.tests.workers import held
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user, village_of

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _csv(response) -> list[list[str]]:
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx(content: bytes) -> list[list]:
    return CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()


def _export(client, listing, fmt="csv", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(reverse("exports:start", args=[listing]) + (f"?{query}" if query else ""), {"format": fmt})


@pytest.fixture
def world(regions):
    """Two households in township A (one exited), one in B; a programme pairing a cadre with each, one
    visit each; a team; a school with a teacher."""
    a1 = make_household(township=TOWNSHIP_A, address="=HYPERLINK(\"http://x\")")
    a2 = make_household(township=TOWNSHIP_A, status="exited", exited_on=date(2024, 12, 1))
    b1 = make_household(township=TOWNSHIP_B)
    programme = make_programme()
    add_obligation(programme)
    helper = make_person(region=TOWNSHIP_A, rank="staff")
    pairings = []
    for household in (a1, a2, b1):
        pairing = programme_services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                                    target=household, starts_on=date(2025, 1, 1))
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                        data={"kind": "走访", "occurred_on": date(2025, 1, 20), "content": "+了解收入"})
        pairings.append(pairing)
    school = make_school(region=TOWNSHIP_A)
    make_person(kind="teacher", organization=school, region=TOWNSHIP_A)
    registry_services.team_create(scope=ADMIN_SCOPE, by=None, data={
        "name": "长安镇驻村工作队", "region": village_of(TOWNSHIP_A)})
    return {"a1": a1, "a2": a2, "b1": b1, "programme": programme, "pairings": pairings, "school": school}


def test_it_exports_the_filtered_list_masked_in_scope_and_escaped(client, world):
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    rows = _csv(_export(client, "households", status="poor"))
    a1 = world["a1"]
    assert [r[0] for r in rows[1:]] == [a1.number]  # not the exited one, not township B's
    assert a1.head.id_number not in str(rows) and rows[1][4].endswith(a1.head.id_number[-4:]) and "*" in rows[1][4]
    assert rows[1][2] == "'=HYPERLINK(\"http://x\")"

    response = _export(client, "persons", fmt="xlsx")
    sheet = _xlsx(b"".join(response.streaming_content))
    assert sheet[0][0] == "姓名" and len(sheet) == 1 + 6  # four members in A, the helper, the teacher
    assert all("*" in r[1] for r in sheet[1:])

    activities = _csv(_export(client, "activities", programme=world["programme"].pk))
    assert len(activities) == 1 + 2 and activities[1][7] == "'+了解收入"  # a formula-like cell, escaped


def test_it_escapes_formulas_in_xlsx_too(client, world, tmp_path):
    assert safe_cell("=1+1") == "'=1+1" and safe_cell("@x") == "'@x" and safe_cell("-2") == "'-2"
    assert safe_cell("\tx") == "'\tx" and safe_cell("覃") == "覃" and safe_cell(12) == 12
    out = tmp_path / "h.xlsx"
    user = make_user(Role.COUNTY_OFFICE)
    call_command("export", "households", f"q={world['a1'].number}", "--user", user.username, "-o", str(out))
    cells = [c for row in _xlsx(out.read_bytes()) for c in row]
    assert any(isinstance(c, str) and c.startswith("'=HYPERLINK") for c in cells)


# One request per list page and its export; the export must hold as many rows as the page counts.
PAGES = [
    ("registry:household_list", [], "households", {"status": "poor"}),
    ("registry:household_list", [], "households", {"region": TOWNSHIP_B}),
    ("registry:person_list", [], "persons", {"kind": "cadre"}),
    ("registry:organization_list", [], "organizations", {}),
    ("registry:team_list", [], "teams", {}),
    ("programmes:programme_list", [], "programmes", {}),
    ("compliance:rows", [], "compliance", {"as_of": "2025-03-10"}),
    ("compliance:behind", [], "behind", {"as_of": "2025-03-10"}),
    ("compliance:this_week", [], "week", {"as_of": "2025-03-10"}),
]


def test_every_list_exports_what_its_page_shows(client, world):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme = world["programme"]
    for name, args, listing, params in PAGES:
        page = client.get(reverse(name, args=args), params)
        assert page.status_code == 200
        assert f'action="/exports/{listing}/' in page.content.decode(), name  # the page has the buttons
        rows = _csv(_export(client, listing, **params))
        assert len(rows) - 1 == page.context["page_obj"].paginator.count, (name, params)
    # a programme's pairings, with its search box
    page = client.get(reverse("programmes:programme_detail", args=[programme.pk]), {"q": world["a2"].number})
    rows = _csv(_export(client, "pairings", programme=programme.pk, q=world["a2"].number))
    assert len(rows) - 1 == page.context["page_obj"].paginator.count == 1
    # the programme's checks: targets without a helper, helpers over their limit
    unpaired = make_household(township=TOWNSHIP_B)
    page = client.get(reverse("programmes:programme_detail", args=[programme.pk]))
    rows = _csv(_export(client, "uncovered", programme=programme.pk))
    assert [r[1] for r in rows[1:]] == [t.number for t in page.context["uncovered"]] == [unpaired.number]
    assert len(_csv(_export(client, "over_capacity", programme=programme.pk))) == 1 + 0
    # a pairing's log, and the roll-up as grouped on its page
    pairing = world["pairings"][0]
    page = client.get(reverse("programmes:pairing_detail", args=[pairing.pk]))
    rows = _csv(_export(client, "activities", pairing=pairing.pk, superseded=1))
    assert len(rows) - 1 == len(page.context["activities"]) == 1
    page = client.get(reverse("compliance:rollup"), {"by": "helper", "as_of": "2025-03-10"})
    rows = _csv(_export(client, "rollup", by="helper", as_of="2025-03-10"))
    assert [r[0] for r in rows[1:]] == [r["name"] for r in page.context["rows"]]
    assert client.get(reverse("imports:list")).status_code == 200
    assert _csv(_export(client, "imports")) == [["文件", "台账", "上传时间", "状态", "数据行数", "错误数", "说明", "完成时间"]]


def test_scope_and_role_decide_what_is_exported(client, world):
    client.force_login(make_user(Role.SCHOOL_ADMIN, region=TOWNSHIP_A, organization=world["school"]))
    assert len(_csv(_export(client, "households"))) == 1  # a school admin sees no households: headers only
    people = _csv(_export(client, "persons"))
    assert len(people) == 2 and people[1][5] == "教师"
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert _export(client, "activities", pairing=world["pairings"][0].pk).status_code == 404
    assert _export(client, "nonsense").status_code == 404
    assert _export(client, "households", fmt="pdf").status_code == 400
    helper = make_user(Role.HELPER, region=TOWNSHIP_A)
    client.force_login(helper)
    assert _export(client, "households").status_code == 403
    assert 'action="/exports/' not in client.get(reverse("registry:household_list")).content.decode()
    with pytest.raises(CommandError, match="不能导出"):
        call_command("export", "households", "--user", helper.username)


def test_a_large_list_goes_to_the_background_and_only_its_owner_downloads_it(
        client, world, settings, django_capture_on_commit_callbacks):
    settings.BANGFU_EXPORT_BACKGROUND_ROWS = 2
    owner = make_user(Role.COUNTY_OFFICE)
    client.force_login(owner)
    assert _export(client, "households", status="poor").status_code == 200  # two rows: at once
    assert not ExportJob.objects.exists()
    with django_capture_on_commit_callbacks(execute=True):
        response = _export(client, "households", fmt="xlsx")  # three rows: a background job
    assert response.status_code == 302 and response["Location"] == reverse("exports:jobs")
    job = ExportJob.objects.get()
    assert (job.status, job.rows_done, job.rows_total, job.created_by) == ("done", 3, 3, owner)
    page = client.get(reverse("exports:jobs"))
    assert "帮扶对象台账" in page.content.decode() and reverse("exports:download", args=[job.pk]) in page.content.decode()
    download = client.get(reverse("exports:download", args=[job.pk]))
    sheet = _xlsx(b"".join(download.streaming_content))
    assert len(sheet) == 1 + 3 and "*" in sheet[1][4]

    client.force_login(make_user(Role.COUNTY_OFFICE))  # same scope, another user
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404
    assert reverse("exports:download", args=[job.pk]) not in client.get(reverse("exports:jobs")).content.decode()


def test_the_jobs_page_polls_while_a_job_runs(client, regions):
    user = make_user(Role.COUNTY_OFFICE)
    client.force_login(user)
    job = ExportJob.objects.create(created_by=user, listing="households", rows_total=10000, rows_done=2500,
                                   status="running")
    with held("export", job.pk):  # its worker, writing
        response = client.get(reverse("exports:jobs"), HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert 'hx-trigger="every 2s"' in html and 'value="2500"' in html and "<html" not in html


def test_a_job_whose_worker_was_killed_says_so_instead_of_running_for_ever(client, regions, settings):
    user = make_user(Role.COUNTY_OFFICE)
    client.force_login(user)
    job = ExportJob.objects.create(created_by=user, listing="households", rows_total=10000, rows_done=2500,
                                   status="running")
    part = settings.MEDIA_ROOT / "exports" / str(user.pk) / f"{job.pk}.xlsx.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(b"half a file")
    html = client.get(reverse("exports:jobs")).content.decode()
    assert "导出进程意外中断" in html and "every 2s" not in html
    job.refresh_from_db()
    assert job.status == "failed" and job.finished_at is not None and not part.exists()
    assert client.get(f"/api/v1/exports/{job.pk}").json()["status"] == "failed"


def test_the_api_starts_polls_and_downloads_an_export(client, world, django_capture_on_commit_callbacks):
    owner = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(owner)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/exports", {"listing": "households", "format": "csv",
                                                   "filters": {"status": "poor"}}, content_type="application/json")
    assert response.status_code == 201, response.content
    job_id = response.json()["id"]
    status = client.get(f"/api/v1/exports/{job_id}").json()
    assert (status["status"], status["rows_total"], status["filters"]) == ("done", 1, {"status": "poor"})
    rows = _csv(client.get(status["download_url"]))
    assert [r[0] for r in rows[1:]] == [world["a1"].number]
    assert [j["id"] for j in client.get("/api/v1/exports").json()] == [job_id]

    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    assert client.get(f"/api/v1/exports/{job_id}").status_code == 404
    assert client.get(f"/api/v1/exports/{job_id}/file").status_code == 404
    assert client.get("/api/v1/exports").json() == []
    bad = client.post("/api/v1/exports", {"listing": "households", "format": "pdf"}, content_type="application/json")
    assert bad.status_code == 400 and bad.json()["field"] == "format"
    assert client.post("/api/v1/exports", {"listing": "x"}, content_type="application/json").status_code == 404
    client.force_login(make_user(Role.HELPER, region=TOWNSHIP_A))
    assert client.post("/api/v1/exports", {"listing": "households"}, content_type="application/json").status_code == 403


def test_an_export_with_a_filter_outside_the_scope_is_refused_when_asked_for(client, world):
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    for listing, filters, status in [("pairings", {"programme": "999999"}, 404),
                                     ("households", {"region": TOWNSHIP_A}, 403),
                                     ("compliance", {"region": TOWNSHIP_A}, 403),
                                     ("rollup", {"region": "450223000000"}, 403),
                                     ("behind", {"region": "4502241"}, 400)]:
        response = client.post("/api/v1/exports", {"listing": listing, "filters": filters},
                               content_type="application/json")
        assert response.status_code == status, listing
        assert response.json()["message"]
    assert not ExportJob.objects.exists()


def test_a_job_that_cannot_run_says_why(client, world, django_capture_on_commit_callbacks):
    user = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post("/api/v1/exports", {"listing": "pairings"}, content_type="application/json")
    user.role = Role.HELPER  # the role changed before the worker ran the job
    user.save()
    for callback in callbacks:
        callback()
    job = ExportJob.objects.get()
    assert job.status == "failed" and "不能导出" in job.message and not job.file
    assert client.get(reverse("exports:download", args=[job.pk])).status_code == 404


def test_the_command_exports_every_list_with_the_pages_filters(world, tmp_path, capsys):
    user = make_user(Role.COUNTY_OFFICE)
    out = tmp_path / "pairings.csv"
    call_command("export", "pairings", f"programme={world['programme'].pk}", "--user", user.username, "-o",
                 str(out))
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 1 + 3
    call_command("export", "households", "--filter", "status=exited", "--user", user.username, "--format", "csv")
    printed = capsys.readouterr().out
    assert world["a2"].number in printed and world["a1"].number not in printed
    with pytest.raises(CommandError):
        call_command("export", "households", "--user", "nobody")
    with pytest.raises(CommandError, match="名=值"):
        call_command("export", "households", "status", "--user", user.username)


def test_old_exports_are_deleted_with_their_files(client, world, settings, django_capture_on_commit_callbacks):
    user = make_user(Role.COUNTY_OFFICE)
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/api/v1/exports", {"listing": "teams"}, content_type="application/json")
    job = ExportJob.objects.get()
    path = job.file.path
    call_command("export_cleanup", verbosity=0)
    assert ExportJob.objects.filter(pk=job.pk).exists()
    ExportJob.objects.filter(pk=job.pk).update(
        created_at=timezone.now() - timedelta(days=settings.BANGFU_EXPORT_RETENTION_DAYS + 1))
    call_command("export_cleanup", verbosity=0)
    assert not ExportJob.objects.exists()
    import os

    assert not os.path.exists(path)


def test_exports_run_the_same_number_of_queries_at_1_and_6_rows(client, regions):
    """No query per row (nor a deferred column read row by row)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bangfu.registry.models import Team

    programme = make_programme()
    add_obligation(programme)
    helper = make_person(region=TOWNSHIP_A)
    client.force_login(make_user(Role.COUNTY_OFFICE))
    lists = (("households", {}), ("persons", {}), ("organizations", {}), ("teams", {}), ("programmes", {}),
             ("pairings", {"programme": programme.pk}), ("activities", {"programme": programme.pk}),
             ("compliance", {"as_of": "2025-03-10"}), ("rollup", {"by": "helper", "as_of": "2025-03-10"}))

    def grow(n):
        for _ in range(n):
            registry_services.team_create(scope=ADMIN_SCOPE, by=None, data={
                "name": f"驻村工作队{Team.objects.count()}", "region": village_of(TOWNSHIP_A), "organization": make_school()})
            pairing = programme_services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme,
                                                        helper=make_person(region=TOWNSHIP_A),
                                                        target=make_household(members=1), starts_on=date(2025, 1, 1))
            activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                            data={"kind": "走访", "occurred_on": date(2025, 1, 20), "content": "走访"})

    def counts():
        found = {}
        for listing, params in lists:
            with CaptureQueriesContext(connection) as queries:
                rows = _csv(_export(client, listing, **params))
            found[listing] = (len(queries), len(rows) > 1)
        return found

    grow(1)
    counts()  # the first also reads the reference data the process then keeps (bangfu/reference.py)
    one = counts()
    grow(5)
    assert counts() == one
    assert all(has_rows for _n, has_rows in one.values())


def _full(client, listing, fmt="csv", **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    return client.post(reverse("exports:start", args=[listing]) + (f"?{query}" if query else ""),
                       {"format": fmt, "full": "1"})


def test_an_office_may_export_personal_data_in_full_and_every_value_is_logged(
        client, world, settings, django_capture_on_commit_callbacks):
    from bangfu.privacy.models import FullRead

    a1 = world["a1"]
    a1.phone, a1.bank_account = "13907720001", "6228480012345678901"
    a1.save()
    office = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(office)
    page = client.get(reverse("registry:household_list")).content.decode()
    assert 'name="full"' in page  # the choice is offered to a role that may see personal data
    assert 'name="reason"' in page and "向有关部门或单位报送名单" in page  # with what for (the default chosen)
    assert 'name="full"' not in client.get(reverse("registry:team_list")).content.decode()  # no personal data there

    rows = _csv(_full(client, "households", status="poor"))
    assert rows[1][4] == a1.head.id_number and rows[1][14] == "13907720001" and rows[1][16] == "6228480012345678901"
    reads = FullRead.objects.filter(user=office, channel="export")
    assert sorted(reads.values_list("record_type", "record_id", "field")) == sorted([
        ("registry.household", a1.pk, "bank_account"), ("registry.household", a1.pk, "phone"),
        ("registry.person", a1.head.pk, "id_number")])
    assert set(reads.values_list("reason", flat=True)) == {"report"}  # a full export's default reason
    assert _csv(_export(client, "households", status="poor"))[1][4] != a1.head.id_number  # masked unless asked

    persons = _csv(_full(client, "persons"))
    ids = {r[1] for r in persons[1:]}
    assert a1.head.id_number in ids and not any("*" in i for i in ids if i)
    assert reads.filter(record_type="registry.person", field="id_number").count() == 1 + len([i for i in ids if i])

    # In the background, through the API and the command: the same, and the job says it is full.
    settings.BANGFU_EXPORT_BACKGROUND_ROWS = 1
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/api/v1/exports", {"listing": "households", "format": "csv", "full": True,
                                                   "reason": "insurance", "reason_note": "医保参保核对"},
                               content_type="application/json")
    body = client.get(f"/api/v1/exports/{response.json()['id']}").json()
    assert body["full"] and body["status"] == "done"
    assert reads.filter(reason="insurance", reason_note="医保参保核对", record_type="registry.household",
                        record_id=a1.pk).count() == 2  # phone and bank account
    refused = client.post("/api/v1/exports", {"listing": "households", "full": True, "reason": "other"},
                          content_type="application/json")
    assert refused.status_code == 400 and refused.json()["field"] == "reason_note"
    assert a1.head.id_number in {r[4] for r in _csv(client.get(body["download_url"]))}
    assert "完整个人信息" in client.get(reverse("exports:jobs")).content.decode()


def test_a_role_that_may_not_see_personal_data_cannot_export_it_in_full(client, world, tmp_path):
    from bangfu.privacy.models import FullRead

    village = make_user(Role.VILLAGE_TEAM, region=village_of(TOWNSHIP_A).code)
    client.force_login(village)
    assert 'name="full"' not in client.get(reverse("registry:household_list")).content.decode()
    assert _full(client, "households").status_code == 403
    response = client.post("/api/v1/exports", {"listing": "persons", "full": True}, content_type="application/json")
    assert response.status_code == 403 and "完整个人信息" in response.json()["message"]
    with pytest.raises(CommandError, match="无权导出完整个人信息"):
        call_command("export", "persons", "--user", village.username, "--full", "-o", str(tmp_path / "p.csv"))
    assert not ExportJob.objects.exists() and not FullRead.objects.exists()
    client.force_login(make_user(Role.COUNTY_OFFICE))
    response = client.post("/api/v1/exports", {"listing": "teams", "full": True}, content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "full"


def test_the_command_exports_in_full_for_an_office(world, tmp_path):
    from bangfu.privacy.models import FullRead

    county = make_user(Role.COUNTY_OFFICE)
    out = tmp_path / "persons.csv"
    call_command("export", "persons", "--user", county.username, "--full", "--reason", "payment",
                 "--reason-note", "十月代发", "-o", str(out), verbosity=0)
    text = out.read_text(encoding="utf-8-sig")
    assert world["a1"].head.id_number in text
    assert FullRead.objects.filter(user=county, channel="export", record_id=world["a1"].head.pk, reason="payment",
                                   reason_note="十月代发").exists()


def test_a_background_export_is_written_in_the_language_of_its_owner(
        client, world, settings, django_capture_on_commit_callbacks):
    settings.BANGFU_EXPORT_BACKGROUND_ROWS = 1
    client.force_login(make_user(Role.COUNTY_OFFICE))
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    with django_capture_on_commit_callbacks() as queued:
        _export(client, "households")
    with translation.override("zh-hans"):  # a worker has no request, so no language of its own
        for task in queued:
            task()
    job = ExportJob.objects.get()
    assert job.language == "en" and job.status == "done"
    rows = _csv(client.get(reverse("exports:download", args=[job.pk])))
    assert rows[0][:2] == ["Household number", "Region"], rows[0]
