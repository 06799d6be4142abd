"""三率一度, the township summary of seed 003 and targets, walked as an office meets them: data entered
through the API, figures and lists read through the pages and the API, another township refused."""

import io
import json
import re
import zipfile
from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.crosschecks.models import Clue
from bangfu.measures import services as measure_services
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user, village_of

pytestmark = pytest.mark.django_db


def put(client, url, data):
    response = client.put(url, data, content_type="application/json")
    assert response.status_code == 200, response.content
    return response.json()


def post(client, url, data, status=200):
    response = client.post(url, data, content_type="application/json")
    assert response.status_code == status, response.content
    return response.json()


@pytest.fixture
def township(regions):
    """长安镇: households exited in 2016, 2017 and 2019, poor ones planned for 2020 and 兜底, villages."""
    villages = list(village_of(TOWNSHIP_A).parent.children.order_by("code")[:3])

    def household(members, **data):
        return make_household(township=TOWNSHIP_A, members=members, identified_on=date(2015, 10, 1), **data)

    made = {
        "exited_2016": [household(3, status="exited", exited_on=date(2016, 11, 20)) for _ in range(2)],
        "exited_2017": [household(2, status="exited", exited_on=date(2017, 11, 20))],
        "exited_2019": [household(3, status="exited", exited_on=date(2019, 11, 20))],
        "plan_2020": [household(2) for _ in range(2)],
        "net": [household(1)],
        "unplanned": [household(2)],
        "marginal": [make_household(township=TOWNSHIP_A, members=3, status="monitored", monitoring_category="marginal",
                                    identified_on=date(2021, 5, 1), monitored_on=date(2021, 5, 1))],
    }
    make_household(township=TOWNSHIP_B, members=3, identified_on=date(2015, 10, 1))  # another township
    return {"villages": villages, **made}


def test_it_prints_the_township_summary_of_seed_003s_form(client, township):
    office = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(office)
    for h in township["plan_2020"]:
        put(client, "/api/v1/quality/exit-plans", {"household_id": h.pk, "year": 2020})
    put(client, "/api/v1/quality/exit-plans", {"household_id": township["net"][0].pk, "safety_net": True})
    first, second, third = township["villages"]
    put(client, "/api/v1/quality/poor-villages", {"village": first.code, "exited_on": "2017-12-01"})
    put(client, "/api/v1/quality/poor-villages", {"village": second.code, "deep": True, "planned_exit_year": 2020})
    put(client, "/api/v1/quality/poor-villages", {"village": third.code, "deep": True, "planned_exit_year": 2020})

    page = client.get("/quality/summary/", {"region": TOWNSHIP_A, "year": 2019})
    assert page.status_code == 200
    text = page.content.decode()
    expected = ("长安镇贫困系统8户18人，其中已脱贫4户11人（2016年脱贫2户6人、2017年脱贫1户2人、2019年脱贫1户3人），"
                "未脱贫4户7人（2020年计划脱贫2户4人、政策兜底1户1人、尚未安排脱贫计划1户2人）。")
    assert expected in text
    assert (f"长安镇共3个贫困村（其中{second.name}、{third.name}为深度贫困村），2017年已出列{first.name}；"
            f"2020年计划出列{second.name}、{third.name}。") in text
    # As of 2016 the later exits are not yet exits.
    api = client.get("/api/v1/quality/summary", {"region": TOWNSHIP_A, "year": 2016}).json()
    assert api["exited"] == {"households": 2, "people": 6, "by_year": [{"year": 2016, "households": 2, "people": 6}]}

    # The Word document, from the same data.
    response = client.post(f"/documents/township_summary/", {"subject": TOWNSHIP_A, "year": "2019",
                                                              "as_of": "2020-01-15", "format": "docx"})
    assert response.status_code == 200, response.content[:300]
    xml = zipfile.ZipFile(io.BytesIO(response.content)).read("word/document.xml").decode()
    assert "长安镇贫困系统8户18人" in xml and "政策兜底1户1人" in xml

    # Another township is refused, on the page, the API and the document.
    assert client.get("/quality/summary/", {"region": TOWNSHIP_B, "year": 2019}).status_code == 403
    assert client.get("/api/v1/quality/summary", {"region": TOWNSHIP_B, "year": 2019}).status_code == 403
    assert client.post(f"/documents/township_summary/", {"subject": TOWNSHIP_B, "year": "2019",
                                                         "as_of": "2020-01-15"}).status_code == 404


def _clue_closed(client, household, finding, closed_on):
    clue = post(client, "/api/v1/clues", {"household_id": household.pk, "description": "入户核查发现"}, 201)
    url = f"/api/v1/clues/{clue['id']}"
    post(client, url + "/assign", {"assignee": "长安镇扶贫站", "assigned_on": closed_on})
    post(client, url + "/verify", {"verified_on": closed_on, "verification": "核实属实"})
    return post(client, url + "/close", {"finding": finding, "closed_on": closed_on, "evidence_note": "核查表"})


def test_it_shows_the_rates_with_their_lists(client, township):
    county = make_user(Role.COUNTY_OFFICE)
    client.force_login(county)
    village = township["villages"][0]
    put(client, "/api/v1/quality/population", {"region": TOWNSHIP_A, "year": 2019, "population": 700})
    wrong = township["plan_2020"][0]
    _clue_closed(client, wrong, "wrong_identification", "2019-06-01")
    wrong_exit = township["exited_2017"][0]
    _clue_closed(client, wrong_exit, "wrong_exit", "2019-07-01")
    # A 低保 recipient nobody registered matches, confirmed 漏评: raised by the list, closed here.
    clue = Clue.objects.create(county_code="450224", region=village, source="dibao", description="疑似漏评",
                               raised_at="2019-05-01T00:00:00Z")
    url = f"/api/v1/clues/{clue.pk}"
    post(client, url + "/assign", {"assignee": "村两委", "assigned_on": "2019-05-02"})
    post(client, url + "/verify", {"verified_on": "2019-05-03", "verification": "整户施保，收入低于标准"})
    post(client, url + "/close", {"finding": "missed", "closed_on": "2019-05-04", "evidence_note": "核查表"})
    for i, answer in enumerate(["satisfied", "satisfied", "basic", "dissatisfied"]):
        post(client, "/api/v1/quality/satisfaction", {"household_id": township["exited_2016"][i % 2].pk,
                                                      "answer": answer, "answered_on": f"2019-0{i + 1}-10"}, 201)

    rates = client.get("/api/v1/quality/rates", {"region": TOWNSHIP_A, "year": 2019}).json()
    by = {r["key"]: r for r in rates["rates"]}
    # 2019's end: poor = plan_2020 (2×2) + net (1) + unplanned (2) = 7 people of 4 households.
    assert (by["incidence"]["numerator"], by["incidence"]["denominator"], by["incidence"]["value"]) == (7, 700, "1.00")
    assert (by["missed"]["numerator"], by["missed"]["denominator"]) == (1, 8)
    assert (by["wrong_identification"]["numerator"], by["wrong_identification"]["denominator"]) == (2, 18)
    assert (by["wrong_exit"]["numerator"], by["wrong_exit"]["denominator"]) == (2, 11)
    assert by["wrong_exit"]["value"] == "18.18"
    assert (by["satisfaction"]["numerator"], by["satisfaction"]["denominator"], by["satisfaction"]["value"]) == (3, 4, "75.00")
    # The marginal household never registered poor counts nowhere.
    assert by["wrong_identification"]["definition"].startswith("期内核查确认错评")

    page = client.get("/quality/", {"region": TOWNSHIP_A, "year": 2019}).content.decode()
    for key in ("missed", "wrong_identification", "wrong_exit"):
        assert f"/quality/rates/{key}/?region={TOWNSHIP_A}" in page
    assert "title=\"期内错退户的人口" in page  # the tooltip names numerator and denominator
    listing = client.get(f"/quality/rates/wrong_exit/", {"region": TOWNSHIP_A, "year": 2019}).content.decode()
    assert wrong_exit.number in listing and "核实属实" in listing
    listing = client.get(f"/quality/rates/wrong_identification/", {"region": TOWNSHIP_A, "year": 2019}).content.decode()
    assert wrong.number in listing and wrong_exit.number not in listing
    missed = client.get("/api/v1/quality/rates/missed", {"region": TOWNSHIP_A, "year": 2019}).json()
    assert missed["count"] == 1 and missed["items"][0]["verification"] == "整户施保，收入低于标准"
    # Another year: nothing closed in it.
    other = {r["key"]: r for r in client.get("/api/v1/quality/rates", {"region": TOWNSHIP_A, "year": 2020}).json()["rates"]}
    assert other["wrong_exit"]["numerator"] == 0

    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.get("/api/v1/quality/rates", {"region": TOWNSHIP_A, "year": 2019}).status_code == 403
    assert client.get("/quality/rates/wrong_exit/", {"region": TOWNSHIP_A, "year": 2019}).status_code == 403
    assert client.get("/api/v1/quality/rates", {"year": 2019}).json()["rates"][2]["numerator"] == 0


def test_the_rules_evaluation_feeds_missed_and_wrong_exit_rates(client, regions):
    """错退: exited households the period's snapshot finds failing an exit criterion; 漏评: general households
    it finds meeting the identification criteria — each listed with the failing criterion and rule version."""
    fine_exited = make_household(status="exited", exited_on=date(2019, 11, 20), wage_income="20000")
    wrong_exit = make_household(members=3, status="exited", exited_on=date(2019, 11, 20), wage_income="12000")
    missed = make_household(members=2, status="not_poor", wage_income="30000", housing_secure=False)
    make_household(status="not_poor", wage_income="30000")  # meets every criterion: not 漏评
    make_household(status="poor", wage_income="6000")  # poor and failing: neither
    other = make_household(township=TOWNSHIP_B, status="exited", exited_on=date(2019, 11, 20), wage_income="2000")
    county = make_user(Role.COUNTY_OFFICE)
    client.force_login(county)
    rules = post(client, "/api/v1/rules/rule-sets", {"region": "450224000000", "year": 2026, "poverty_line": "4900",
                                                     "monitoring_line": "7300", "effective_from": "2026-01-01"}, 201)

    def rates(year):
        return {r["key"]: r for r in client.get("/api/v1/quality/rates", {"region": TOWNSHIP_A, "year": year}).json()["rates"]}

    before = rates(2026)
    assert before["wrong_exit"]["numerator"] == 0 and before["missed"]["numerator"] == 0
    post(client, "/api/v1/rules/evaluations", {"region": "450224000000", "on": "2026-11-30"}, 201)
    after = rates(2026)
    # exited in 长安镇: fine_exited (2) + wrong_exit (3); poor: 2 people; the snapshot's 漏评 household adds 2
    assert (after["wrong_exit"]["numerator"], after["wrong_exit"]["denominator"], after["wrong_exit"]["households"]) == (3, 5, 1)
    assert (after["missed"]["numerator"], after["missed"]["denominator"], after["missed"]["households"]) == (2, 4, 1)
    assert rates(2025)["wrong_exit"]["numerator"] == 0  # the snapshot is 2026's

    listing = client.get("/api/v1/quality/rates/wrong_exit", {"region": TOWNSHIP_A, "year": 2026}).json()
    [row] = listing["items"]
    assert row["household_id"] == wrong_exit.pk and fine_exited.pk != row["household_id"]
    assert "人均纯收入 4000.00 元，未高于贫困线 4900.00 元" in row["reason"] and rules["label"] in row["reason"]
    page = client.get("/quality/rates/missed/", {"region": TOWNSHIP_A, "year": 2026}).content.decode()
    assert missed.number in page and "住房安全有保障：否" in page and "2026-11-30" in page
    # the county sees the other township's wrong exit too; 长安镇's office does not
    assert rates_for(client, "450224000000", 2026)["wrong_exit"]["households"] == 2
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    township_rates = {r["key"]: r for r in client.get("/api/v1/quality/rates", {"year": 2026}).json()["rates"]}
    assert township_rates["wrong_exit"]["households"] == 1
    listing = client.get("/api/v1/quality/rates/wrong_exit", {"region": TOWNSHIP_A, "year": 2026}).json()
    assert [r["household_id"] for r in listing["items"]] == [wrong_exit.pk] and other.pk != wrong_exit.pk


def rates_for(client, region, year):
    return {r["key"]: r for r in client.get("/api/v1/quality/rates", {"region": region, "year": year}).json()["rates"]}


def test_it_shows_targets_against_progress_with_a_chart(client, township):
    county = make_user(Role.COUNTY_OFFICE)
    client.force_login(county)
    body = {"region": TOWNSHIP_A, "year": 2019, "households_exit": 4, "people_exit": 10, "villages_exit": 1,
            "relocations": 2, "trainings": 5, "microcredit": 3}
    out = put(client, "/api/v1/quality/targets", body)
    rows = {r["key"]: r for r in out["rows"]}
    assert (rows["households_exit"]["target"], rows["households_exit"]["done"], rows["households_exit"]["rate"]) == (4, 1, "25.00")
    assert rows["people_exit"]["done"] == 3
    household = township["exited_2019"][0]
    measure = measure_services.measure_create(scope=ADMIN_SCOPE, by=None, data={
        "household": household.pk, "category": "training", "description": "雨露计划", "planned_on": date(2019, 3, 1)})
    measure_services.measure_deliver(scope=ADMIN_SCOPE, by=None, measure=measure, delivered_on=date(2019, 4, 1), note="")
    page = client.get("/quality/targets/", {"region": TOWNSHIP_A, "year": 2019})
    text = page.content.decode()
    assert page.status_code == 200
    assert 'data-chart="bar"' in text and 'id="targets-data"' in text and "echarts" in text
    chart = json.loads(re.search(r'<script id="targets-data" type="application/json">(.*?)</script>', text).group(1))
    assert {"name": "培训人次", "target": 5, "done": 1} in chart
    # A township office may not set the county's targets, nor see another township's.
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.put("/api/v1/quality/targets", {**body}, content_type="application/json").status_code == 403
    assert client.get("/quality/targets/", {"region": TOWNSHIP_A, "year": 2019}).status_code == 403


def test_an_office_enters_poor_villages_and_population_on_a_page(client, regions):
    office = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(office)
    village = village_of(TOWNSHIP_A)
    page = client.get("/quality/villages/", {"region": TOWNSHIP_A, "year": 2026})
    assert page.status_code == 200 and village.name in page.content.decode() and "登记贫困村" in page.content.decode()
    save = f"/quality/villages/save/?region={TOWNSHIP_A}&year=2026"
    response = client.post(save, {"action": "village", "village": village.code, "deep": "on",
                                  "planned_exit_year": "2026", "exited_on": ""})
    assert response.status_code == 302
    assert client.post(save, {"action": "population", "target": village.code, "population": "850"}).status_code == 302
    assert client.post(save, {"action": "population", "population": "12000"}).status_code == 302
    rows = {r["code"]: r for r in client.get("/quality/villages/", {"region": TOWNSHIP_A, "year": 2026}).context["d"]["rows"]}
    assert rows[village.code]["poor"] and rows[village.code]["deep"] and rows[village.code]["planned_exit_year"] == 2026
    assert rows[village.code]["population"] == 850
    # the figures read them: 贫困发生率's denominator, the summary's poor villages
    rates = {r["key"]: r for r in client.get("/api/v1/quality/rates", {"region": TOWNSHIP_A, "year": 2026}).json()["rates"]}
    assert rates["incidence"]["denominator"] == 12000
    assert "共1个贫困村" in client.get("/quality/summary/", {"region": TOWNSHIP_A, "year": 2026}).content.decode()
    # a bad year is said in Chinese; removal takes it off the list
    bad = client.post(save, {"action": "village", "village": village.code, "planned_exit_year": "二〇二六"}, follow=True)
    assert "计划出列年度格式不正确" in bad.content.decode()
    client.post(save, {"action": "village_remove", "village": village.code})
    assert not client.get("/quality/villages/", {"region": TOWNSHIP_A, "year": 2026}).context["d"]["poor_villages"]
    # another township's office, and a helper, are refused
    other = village_of(TOWNSHIP_B)
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.post(save, {"action": "village", "village": village.code}).status_code == 403
    assert client.post(f"/quality/villages/save/?region={TOWNSHIP_B}&year=2026",
                       {"action": "village", "village": village.code}).status_code == 404
    client.force_login(make_user(Role.HELPER, region=TOWNSHIP_A))
    assert client.post(save, {"action": "village", "village": village.code}).status_code == 403
    assert other.code != village.code
