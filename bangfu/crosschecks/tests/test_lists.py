"""A department's list loaded through the import pages and API, matched against registered members by
the keyed ID hash: the clue is raised, assigned, verified and closed; loading again raises nothing new."""

import io
from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.crosschecks.models import Clue, ListEntry
from bangfu.imports.tests.jobs import api_import, start, upload
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, id_number, make_household, make_user

pytestmark = pytest.mark.django_db


def _csv(rows: list[tuple[str, str, str, str]], name: str = "公职人员名单.csv") -> io.BytesIO:
    text = "姓名,身份证号码,所在区域,工作单位\n" + "".join(",".join(r) + "\n" for r in rows)
    fh = io.BytesIO(text.encode("gb18030"))
    fh.name = name
    return fh


@pytest.fixture
def world(regions):
    household = make_household(township=TOWNSHIP_A, members=3)
    other = make_household(township=TOWNSHIP_B, members=2, status="exited", exited_on=date(2019, 12, 1))
    member = household.members.order_by("pk")[1]
    return {"household": household, "member": member, "other": other}


def test_it_raises_a_clue_for_a_registered_member_and_closes_it(client, world, django_capture_on_commit_callbacks):
    county = make_user(Role.COUNTY_OFFICE)
    client.force_login(county)
    member = world["member"]
    stranger = id_number(date(1990, 1, 2))
    fh = _csv([(member.name, member.id_number, "融安县", "融安县农业农村局"), ("韦某", stranger, "融安县", "融安县教育局")])
    job = api_import(client, fh, "xc_civil_servants", django_capture_on_commit_callbacks)
    assert job["status"] == "done", job
    assert job["counts"] == {"entries": {"created": 2, "updated": 0, "unchanged": 0}}
    assert ListEntry.objects.count() == 2
    # No number is kept: the entry holds the keyed hash the registry holds.
    assert bytes(ListEntry.objects.get(name=member.name).id_hash) == bytes(member.id_hash)

    clues = client.get("/api/v1/clues", {"region": "450224000000"}).json()
    assert [(c["person_name"], c["source"], c["status"]) for c in clues["items"]] == [
        (member.name, "civil_servant", "open")]
    clue = clues["items"][0]
    assert clue["household_number"] == world["household"].number
    assert "融安县农业农村局" in clue["detail"]
    assert member.id_number not in str(clues)

    # Loading the same list again changes nothing and raises no second clue.
    fh.seek(0)
    again = api_import(client, fh, "xc_civil_servants", django_capture_on_commit_callbacks)
    assert again["counts"] == {"entries": {"created": 0, "updated": 0, "unchanged": 2}}
    assert Clue.objects.count() == 1

    url = f"/api/v1/clues/{clue['id']}"
    r = client.post(url + "/close", {"finding": "wrong_identification", "closed_on": "2025-06-10",
                                     "evidence_note": "x"}, content_type="application/json")
    assert r.status_code == 409 and "核查" in r.json()["message"]
    r = client.post(url + "/assign", {"assignee": "长安镇扶贫工作站", "assigned_on": "2025-06-01"},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["status"] == "assigned"
    r = client.post(url + "/verify", {"verified_on": "2025-06-05", "verification": "入户核实：其子在县农业农村局工作，家庭收入稳定"},
                    content_type="application/json")
    assert r.json()["status"] == "verified"
    r = client.post(url + "/close", {"finding": "wrong_identification", "closed_on": "2025-06-10"},
                    content_type="application/json")
    assert r.status_code == 400 and r.json()["field"] == "evidence"
    r = client.post(url + "/close", {"finding": "wrong_identification", "closed_on": "2025-06-10",
                                     "evidence_note": "县人社局在职证明、入户核查表"}, content_type="application/json")
    assert r.status_code == 200, r.content
    assert r.json()["status"] == "closed" and r.json()["finding"] == "wrong_identification"

    # The closed clue feeds 错评率.
    rates = {r["key"]: r for r in client.get("/api/v1/quality/rates", {"region": "450224000000", "year": 2025}).json()["rates"]}
    assert rates["wrong_identification"]["numerator"] == world["household"].size
    rows = client.get("/api/v1/quality/rates/wrong_identification", {"region": "450224000000", "year": 2025}).json()
    assert [r["household_number"] for r in rows["items"]] == [world["household"].number]


def test_it_loads_a_list_through_the_pages_and_shows_the_village(client, world, django_capture_on_commit_callbacks):
    township = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(township)
    member = world["member"]
    job = upload(client, _csv([(member.name, member.id_number, "长安镇", "融安县第一中学")]), "xc_civil_servants")
    job = start(client, job, dry_run=True, capture=django_capture_on_commit_callbacks)
    assert job.status == "checked" and not Clue.objects.exists()  # a dry run writes nothing
    job = start(client, job, dry_run=False, capture=django_capture_on_commit_callbacks)
    assert job.status == "done", job.message
    page = client.get("/crosschecks/")
    assert page.status_code == 200
    text = page.content.decode()
    assert world["household"].region.full_name in text and member.name in text
    clue = Clue.objects.get()
    detail = client.get(f"/crosschecks/clues/{clue.pk}/")
    assert detail.status_code == 200 and member.id_number not in detail.content.decode()


def test_a_list_row_outside_the_scope_is_refused_naming_the_cell(client, world, django_capture_on_commit_callbacks):
    township = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(township)
    other = world["other"].members.first()
    job = api_import(client, _csv([(other.name, other.id_number, "浮石镇", "x")]), "xc_civil_servants",
                     django_capture_on_commit_callbacks)
    assert job["status"] != "done" or job["error_total"]
    assert not ListEntry.objects.exists() and not Clue.objects.exists()


def test_a_township_office_cannot_see_another_townships_clue(client, world, django_capture_on_commit_callbacks):
    county = make_user(Role.COUNTY_OFFICE)
    client.force_login(county)
    other = world["other"].members.first()
    api_import(client, _csv([(other.name, other.id_number, "融安县", "融安县财政局")]), "xc_civil_servants",
               django_capture_on_commit_callbacks)
    clue = Clue.objects.get()
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    assert client.get(f"/api/v1/clues/{clue.pk}").status_code == 404
    assert client.get(f"/crosschecks/clues/{clue.pk}/").status_code == 404
    assert client.get("/api/v1/clues", {"region": TOWNSHIP_B}).status_code == 403
    assert client.get("/crosschecks/", {"region": TOWNSHIP_B}).status_code in (403, 404)


def test_the_lists_template_imports_as_downloaded_and_a_dibao_stranger_is_a_suspected_missed(
        client, world, django_capture_on_commit_callbacks):
    from bangfu.imports.tests.test_registers import _template, _xlsx

    county = make_user(Role.COUNTY_OFFICE)
    client.force_login(county)
    title, headers, example = _template(client, "xc_dibao")
    assert title == "比对名单：低保对象" and headers == ["姓名", "身份证号", "所在区域", "保障类别"]
    # The template's example row is a person nobody registered: a suspected 漏评, in the list's region.
    out = _xlsx([[title], headers, example], "低保名单.xlsx")
    job = api_import(client, out, "xc_dibao", django_capture_on_commit_callbacks)
    assert job["status"] == "done", job
    clue = Clue.objects.get()
    assert (clue.household_id, clue.region_id, clue.source) == (None, "450224000000", "dibao")
    assert "疑似漏评" in clue.description
    # A registered member not marked 低保 on the same list: a clue on the member; marked 低保: none.
    member = world["member"]
    fh = _csv([(member.name, member.id_number, "融安县", "农村低保")], "低保2.csv")
    api_import(client, fh, "xc_dibao", django_capture_on_commit_callbacks)
    assert Clue.objects.filter(person=member).count() == 1
