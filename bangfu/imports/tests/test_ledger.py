"""Issue 12: a township's member ledger, as offices write it, through `bangfu import`, the pages and the API.

With one deliberate error of each kind the dry run gives exactly those errors (no false "0 名户主",
no missed duplicate); corrected, the ledger imports with every column's values stored, the same
from GB18030 CSV and from .xlsx with merged title rows. Runs on SQLite and on PostgreSQL.
"""

import io
from collections import Counter
from datetime import date
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from python_calamine import CalamineWorkbook

from bangfu.accounts.roles import Role
from bangfu.accounts.services import api_token_create
from bangfu.imports.services import import_file
from bangfu.imports.tests.jobs import start, upload
from bangfu.imports.tests.ledger import FIRST_ROW, HEADERS, RELATIONS, TITLE_ROWS, UNMAPPED, member_ledger
from bangfu.privacy import crypto
from bangfu.registry import selectors
from bangfu.registry.models import Household, Person
from bangfu.tests.factories import make_household, make_user

pytestmark = pytest.mark.django_db


def _registered_id() -> str:
    """An ID number registered in another household before the ledger comes."""
    return make_household(members=1).head.id_number


def _outcome_errors(outcome) -> dict[int, set[str]]:
    found: dict[int, set[str]] = {}
    for error in outcome.errors.iter_rows(named=True):
        found.setdefault(error["row"], set()).add(error["kind"])
    return found


def _kinds(expected: dict[int, set[str]]) -> dict[str, int]:
    return dict(Counter(kind for kinds in expected.values() for kind in kinds))


def _file(fh, tmp_path, name: str):
    path = tmp_path / name
    path.write_bytes(fh.getvalue())
    return path


@pytest.mark.parametrize("form", ["csv", "xlsx"])
def test_the_dry_run_gives_exactly_the_ledgers_errors(county_client, tmp_path, form):
    ledger = member_ledger(errors=True, registered_id=_registered_id())
    user = county_client.user
    path = _file(getattr(ledger, form)(), tmp_path, f"ledger.{form}")
    outcome = import_file(path=path, register="members", scope=user.scope, by=user, dry_run=True)
    assert outcome.rows == 60
    assert _outcome_errors(outcome) == ledger.expected
    assert outcome.error_total == sum(len(k) for k in ledger.expected.values())  # each error once
    assert "head" in _kinds(ledger.expected) and not any("0 名户主" in m for m in outcome.errors["message"])
    # Every message names the sheet row and the 序号 the user counts by.
    assert all(e["seq"] == str(e["row"] - FIRST_ROW + 1) for e in outcome.errors.iter_rows(named=True))
    duplicate = outcome.errors.filter(kind="duplicate_file").row(0, named=True)
    assert duplicate["message"] == f"身份证号与第 {FIRST_ROW + 29} 行 / 序号 30 重复"
    [unmapped] = outcome.unmapped
    assert unmapped["header"] == UNMAPPED and len(unmapped["samples"]) == 3
    assert Person.objects.count() == 1  # the registered one: nothing written


def test_the_cli_page_and_api_report_the_same_errors(county_client, tmp_path, django_capture_on_commit_callbacks):
    ledger = member_ledger(errors=True, registered_id=_registered_id())
    user = county_client.user
    kinds, rows = _kinds(ledger.expected), set(ledger.expected)

    out = io.StringIO()
    with pytest.raises(CommandError, match="文件有错误，未写入任何数据"):
        call_command("import", str(_file(ledger.csv(), tmp_path, "ledger.csv")), "--register", "members",
                     "--user", user.username, "--dry-run", "--no-progress", "--report", str(tmp_path / "r.xlsx"),
                     stdout=out)
    printed = out.getvalue()
    assert f"数据行 60，错误 {sum(kinds.values())}" in printed
    assert f"第 {FIRST_ROW + 1} 行 / 序号 2「姓名」：「姓名」不能为空" in printed
    assert "未导入的列" in printed and UNMAPPED in printed

    job = start(county_client, upload(county_client, ledger.csv()), True, django_capture_on_commit_callbacks)
    assert (job.status, job.error_counts) == ("invalid", kinds)
    assert {e["row"] for e in job.error_sample} == rows
    status = county_client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert f"<td>第 {FIRST_ROW + 20} 行 / 序号 21</td><td>联系电话</td>" in status
    assert "未导入的列" in status and UNMAPPED in status
    detail = county_client.get(reverse("imports:detail", args=[job.pk])).content.decode()
    assert "未导入的列" in detail and "大巷村1组1号" in detail  # the mapping preview, with sample values

    # The API, with a bearer token only, down to the error report.
    _token, key = api_token_create(user=user, name="台账导入")
    county_client.logout()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    created = county_client.post("/api/v1/imports", {"register_key": "members", "file": ledger.csv()}, **auth)
    assert created.status_code == 201, created.content
    job_id = created.json()["id"]
    assert [u["header"] for u in created.json()["unmapped"]] == [UNMAPPED]
    with django_capture_on_commit_callbacks(execute=True):
        started = county_client.post(f"/api/v1/imports/{job_id}/start", {"dry_run": True},
                                     content_type="application/json", **auth)
    assert started.status_code == 200
    body = county_client.get(f"/api/v1/imports/{job_id}", **auth).json()
    assert (body["status"], body["error_counts"]) == ("invalid", kinds)
    assert {e["row"] for e in body["error_sample"]} == rows
    report = county_client.get(body["report_url"], **auth)
    assert report.status_code == 200, report.content[:200]
    assert body["report_url"] == f"/api/v1/imports/{job_id}/report"
    _other, other_key = api_token_create(user=make_user(Role.COUNTY_OFFICE), name="别人")
    assert county_client.get(body["report_url"], HTTP_AUTHORIZATION=f"Bearer {other_key}").status_code == 404
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(report.streaming_content))).get_sheet_by_index(0)
    cells = sheet.to_python(skip_empty_area=False)
    # The title rows above the header, the header, and dates as dates.
    assert [cells[0][0], cells[1][0]] == list(TITLE_ROWS) and cells[2][: len(HEADERS)] == HEADERS
    birth = HEADERS.index("出生日期")
    assert isinstance(cells[FIRST_ROW - 1][birth], date)
    assert cells[FIRST_ROW - 1 + 13][birth].endswith("-02-30")  # the bad one stays as written
    assert cells[FIRST_ROW - 1 + 1][len(HEADERS)].startswith("姓名：")


def _check_stored(ledger) -> None:
    """Every column's values, as the registry holds them."""
    by_hash = {p.id_hash: p for p in Person.objects.select_related("household")}
    for member in ledger.members:
        person = by_hash[crypto.keyed_hash(member.id_number)]
        cells = member.cells
        assert person.name == member.name.replace("　", "").replace(" ", "")
        assert (person.relation, person.gender, person.birth_date) == (RELATIONS[member.relation], member.gender,
                                                                      member.born)
        assert person.schooling == {"是": "enrolled", "否": "none", "": "none"}[cells["是否在校生"]]
        assert person.ethnicity == {"壮族": "壮族", "汉族": "汉族", "苗族": "苗族", "仫佬": "仫佬族"}[cells["民族"]]
        assert person.health == {"健康": "healthy", "长期慢性病": "chronic"}[cells["健康状况"]]
        household = person.household
        assert household.number == member.household and household.region_id == member.village[2]
        if member.relation != "户主":
            continue
        codes = {"因病、缺劳力": ("illness", "labour"), "因学，缺资金": ("schooling", "capital"),
                 "因残；缺技术": ("disability", "skills"), "缺劳力 因病": ("labour", "illness"), "因病": ("illness",),
                 "因学/因病/缺资金": ("schooling", "illness", "capital")}[cells["致贫原因"]]
        assert (household.main_cause, household.other_causes) == (codes[0], ",".join(codes[1:]))
        assert (household.dibao, household.wubao) == {"低保": (True, False), "五保": (False, True),
                                                      "低保、五保": (True, True), "否": (False, False),
                                                      "": (False, False)}[cells["低保/五保"]]
        assert household.status == ("exited" if cells["脱贫状态"] == "已脱贫" else "poor")
        assert (household.exited_on is not None) == (household.status == "exited")
        assert household.identified_on.year == 2016
        assert household.wage_income == Decimal(cells["工资性收入"].replace(",", ""))
        assert person.phone == cells["联系电话"].replace(" ", "")  # the member register: the person's phone
        assert household.bank_account == cells["一卡通账号"]
        assert household.address == cells[UNMAPPED]
        assert household.head_id == person.pk and household.size == 4


def test_the_corrected_ledger_imports_every_column_by_cli_page_and_api(
        county_client, tmp_path, django_capture_on_commit_callbacks):
    ledger = member_ledger(errors=False)
    user = county_client.user
    path = _file(ledger.csv(), tmp_path, "ledger.csv")
    dry = import_file(path=path, register="members", scope=user.scope, by=user, dry_run=True)
    assert (dry.error_total, [u["header"] for u in dry.unmapped]) == (0, [UNMAPPED]), dry.errors.to_dicts()

    # The column the system has no header for is mapped on the command line.
    out = io.StringIO()
    call_command("import", str(path), "--register", "members", "--user", user.username, "--no-progress",
                 "--map", f"{UNMAPPED}=h_address", stdout=out)
    assert "已写入" in out.getvalue() and "未导入的列" not in out.getvalue()
    assert (Household.objects.count(), Person.objects.count()) == (15, 60)
    _check_stored(ledger)

    # A name written with a full-width space is found by its plain form, and by the form written.
    scope = user.scope
    for q in ("王芳", "王　芳", "wf"):
        assert [p.name for p in selectors.person_list(scope=scope, q=q) if p.name == "王芳"] == ["王芳"], q
    assert selectors.household_list(scope=scope, filters=selectors.HouseholdFilters(q="莫 小红")).count() == 1
    assert Person.objects.get(name="王芳").initials == "wf"

    # The same ledger as .xlsx through the page, the column mapped there: the registry already holds it all.
    job = upload(county_client, ledger.xlsx())
    assert job.mapping.get("h_address") is None
    response = county_client.post(reverse("imports:map", args=[job.pk]),
                                  {**{f"map_{k}": v for k, v in job.mapping.items()},
                                   "map_h_address": HEADERS.index(UNMAPPED)})
    assert response.status_code == 302
    job = start(county_client, job, False, django_capture_on_commit_callbacks)
    assert job.status == "done", (job.message, job.error_sample)
    assert job.counts == {"households": {"created": 0, "updated": 0, "unchanged": 15},
                          "persons": {"created": 0, "updated": 0, "unchanged": 60}}
    # A real import that leaves a column out says so.
    job = start(county_client, upload(county_client, ledger.xlsx()), False, django_capture_on_commit_callbacks)
    assert job.status == "done"
    status = county_client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert "未导入的列" in status and "其内容没有导入" in status

    # The API maps it with PUT …/mapping.
    created = county_client.post("/api/v1/imports", {"register_key": "members", "file": ledger.csv()}).json()
    mapping = {**created["mapping"], "h_address": HEADERS.index(UNMAPPED)}
    body = county_client.put(f"/api/v1/imports/{created['id']}/mapping", {"mapping": mapping},
                             content_type="application/json").json()
    assert body["unmapped"] == []
    with django_capture_on_commit_callbacks(execute=True):
        county_client.post(f"/api/v1/imports/{created['id']}/start", {"dry_run": True},
                           content_type="application/json")
    body = county_client.get(f"/api/v1/imports/{created['id']}").json()
    assert (body["status"], body["error_total"], body["counts"]["persons"]["unchanged"]) == ("checked", 0, 60)
    _check_stored(ledger)


def test_the_template_lists_every_relationship_of_the_office_list(county_client):
    response = county_client.get(reverse("imports:template", args=["members"]))
    notes = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(1).to_python()
    [relation] = [row for row in notes if row[0] == "与户主关系"]
    assert all(spelling in relation[2] for spelling in ("之儿媳", "之岳父", "之公公", "之曾孙子女", "之外孙女", "其他"))
    assert any(row[0] == "低保/五保" for row in notes) and any(row[0] == "是否在校生" for row in notes)
