"""Issue 16's done-when for rules and procedures, through the API and the pages only: lines for two
years set (a change previewed first); a household's income and one indicator changed, its exit
eligibility and monitoring flag following with the reason named; one household carried through
exit with a notice and an objection resolved, one through monitoring to risk elimination; an
overdue step on the township's list once its deadline passed, a holiday moving the deadline."""

from datetime import date

import pytest
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.accounts.services import api_token_create
from bangfu.procedures.workdays import Calendar
from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user, village_of

pytestmark = pytest.mark.django_db
API = "/api/v1"
COUNTY = "450224000000"


class Caller:
    def __init__(self, client, user):
        self.client = client
        _token, key = api_token_create(user=user, name="test")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, url, **params):
        return self.client.get(API + url, params, **self.headers)

    def send(self, method, url, data):
        return self.client.generic(method, API + url, __import__("json").dumps(data), content_type="application/json",
                                   **self.headers)

    def ok(self, url, data, method="POST"):
        response = self.send(method, url, data)
        assert response.status_code in (200, 201), response.content.decode()
        return response.json()


def _lines(county):
    county.ok("/rules/rule-sets", {"region": COUNTY, "year": 2025, "effective_from": "2025-01-01",
                                   "poverty_line": "4700", "monitoring_line": "7000", "note": "2025年标准"})
    return county.ok("/rules/rule-sets", {"region": COUNTY, "year": 2026, "effective_from": "2026-01-01",
                                          "poverty_line": "4900", "monitoring_line": "7300", "note": "2026年标准"})


def _today_known(county):
    """The registry hook dates a change today: a year chinesecalendar does not know needs the office's
    holiday table (as an office would enter it), else the case's deadline cannot be counted."""
    today = timezone.localdate()
    if today.year > 2026:
        county.ok("/procedures/holidays", {"day": f"{today.year}-01-01", "working": False, "name": "元旦"})


def test_lines_for_two_years_and_a_change_seen_with_its_reason(client, regions):
    county_user = make_user(Role.COUNTY_OFFICE)
    county = Caller(client, county_user)
    rules_2026 = _lines(county)
    _today_known(county)
    assert {(r["year"], r["poverty_line"]) for r in county.get("/rules/rule-sets").json()["items"]} == {
        (2025, "4700.00"), (2026, "4900.00")}
    household = make_household(status="exited", exited_on=date(2019, 11, 1), wage_income="16000")  # 8000 a head
    before = county.get(f"/rules/households/{household.pk}", on="2026-06-30").json()
    assert before["exit_ok"] and not before["monitoring_candidate"]
    assert before["rule_version"] == rules_2026["label"]

    # the office previews a higher line before saving it: one household would stop meeting the exit criteria
    preview = county.ok("/rules/rule-sets/preview", {"region": COUNTY, "year": 2026, "effective_from": "2026-07-01",
                                                     "poverty_line": "8100", "monitoring_line": "8200"})
    assert preview["exit_loss"] == 1 and preview["moved"] == 1

    # income falls to 6000 a head and the house becomes unsafe
    county.ok(f"/households/{household.pk}", {"wage_income": "12000", "housing_secure": False}, method="PATCH")
    after = county.get(f"/rules/households/{household.pk}", on="2026-06-30").json()
    assert not after["exit_ok"] and after["monitoring_candidate"]
    [failure] = after["failures"]
    assert failure["criterion"] == "housing" and failure["rule_version"] == rules_2026["label"]
    triggers = {t["criterion"]: t for t in after["triggers"]}
    assert triggers["income_low"]["value"] == "6000.00" and triggers["income_low"]["line"] == "7300.00"
    assert triggers["income_low"]["rule_version"] == rules_2026["label"] and "housing" in triggers
    # the change raised a monitoring case at once
    [monitoring] = county.get("/rules/monitoring").json()["items"]
    assert monitoring["household_id"] == household.pk and monitoring["source"] == "registry"
    assert "income_low" in monitoring["triggers"] and "7300.00" in monitoring["reason"]
    assert monitoring["state"] == "declared"
    # and the page says the same
    client.force_login(county_user)
    page = client.get(f"/rules/households/{household.pk}/", {"on": "2026-06-30"}).content.decode()
    assert "应纳入监测" in page and "低于监测标准 7300.00 元" in page and rules_2026["label"] in page


def test_rule_page_previews_then_saves_and_evaluation_pages(client, regions):
    county_user = make_user(Role.COUNTY_OFFICE)
    client.force_login(county_user)
    _lines(Caller(client, county_user))
    make_household(status="poor", wage_income="10000")  # 5000 a head
    form = {"region": COUNTY, "year": 2026, "effective_from": "2026-07-01", "poverty_line": "5200",
            "monitoring_line": "7300", "compulsory_age_from": 6, "compulsory_age_to": 15, "check_water": "on",
            "income_drop_share": "0.30", "expense_share": "0.50", "disaster_share": "0.20", "working_age_from": 16,
            "working_age_to": 59, "steady_months": 6, "village_exit_rate": "3.00", "note": "提高"}
    preview = client.post("/rules/", {**form, "preview": "1"}).content.decode()
    assert "新达到退出标准 0 户，不再达到 1 户" in preview
    assert client.post("/rules/", {**form, "save": "1"}).status_code == 302
    assert "2026年 第2版" in client.get("/rules/").content.decode()
    response = client.post("/rules/evaluations/", {"region": TOWNSHIP_A, "on": "2026-07-01"})
    assert response.status_code == 302
    detail = client.get(response.url, {"show": "failing"}).content.decode()
    assert "未高于贫困线 5200.00 元" in detail and "2026年 第2版" in detail


def test_exit_with_notice_and_an_objection_resolved(client, regions):
    county = Caller(client, make_user(Role.COUNTY_OFFICE))
    _lines(county)
    poor = make_household(status="poor", wage_income="10000")
    failing = make_household(status="poor", wage_income="9000")  # 4500 a head: under the line
    refused = county.send("POST", "/rules/exits", {"household_ids": [failing.pk], "on": "2026-03-02"})
    assert refused.status_code == 400 and "贫困线 4900.00 元" in refused.json()["message"]
    [case] = county.ok("/rules/exits", {"household_ids": [poor.pk], "on": "2026-03-02"})

    def step(transition, on, status=200):
        response = county.send("POST", "/procedures/cases/advance", {
            "definition": "exit", "case_ids": [case["id"]], "transition": transition, "on": on})
        assert response.status_code == status, response.content.decode()
        return response

    step("appraise", "2026-03-03")
    village = village_of(TOWNSHIP_A).code
    notice = county.ok("/rules/notices", {"definition": "exit", "case_ids": [case["id"]], "village": village,
                                          "starts_on": "2026-03-04", "ends_on": "2026-03-10"})
    posted = county.get(f"/procedures/notices/{notice['id']}").json()
    [row] = posted["rows"]
    assert row["name"] and "*" in row["id_number"] and row["note"] == "拟脱贫退出"
    objection = county.ok(f"/procedures/notices/{notice['id']}/objections", {
        "content": "该户收入有误", "raised_on": "2026-03-05", "case_id": case["id"]})
    assert "未处理的异议" in step("verify", "2026-03-11", status=409).json()["message"]
    county.ok(f"/procedures/objections/{objection['id']}/resolve", {
        "resolution": "经入户核实收入属实", "resolved_on": "2026-03-09"})
    step("verify", "2026-03-11")
    step("announce", "2026-03-12")
    assert county.ok("/rules/exits/complete", {"case_ids": [case["id"]], "on": "2026-03-13"}) == 1
    household = county.get(f"/households/{poor.pk}").json()
    assert household["status"] == "exited" and household["exited_on"] == "2026-03-13"


def test_monitoring_to_risk_elimination(client, regions):
    county = Caller(client, make_user(Role.COUNTY_OFFICE))
    _lines(county)
    household = make_household(status="exited", exited_on=date(2019, 11, 1), wage_income="18000")
    m = county.ok("/rules/monitoring", {"household_id": household.pk, "source": "self", "on": "2026-01-05",
                                        "reason": "户主突发重病住院"})
    assert m["state"] == "declared" and m["due_on"] == "2026-01-12"  # verified within 5 working days
    for transition, on in (("verify", "2026-01-06"), ("appraise", "2026-01-07")):
        county.ok("/procedures/cases/advance", {"definition": "monitoring", "case_ids": [m["case_id"]],
                                                "transition": transition, "on": on})
    m = county.ok(f"/rules/monitoring/{m['id']}/confirm", {"category": "sudden", "risk_types": ["illness"],
                                                         "on": "2026-01-08"})
    assert m["state"] == "confirmed" and county.get(f"/households/{household.pk}").json()["status"] == "monitored"
    county.ok(f"/rules/monitoring/{m['id']}/help", {"measures": "医疗救助；安排公益性岗位", "on": "2026-01-09"})
    early = county.send("POST", f"/rules/monitoring/{m['id']}/eliminate", {"on": "2026-05-04"})
    assert early.status_code == 400 and "6 个月" in early.json()["message"]
    county.ok(f"/rules/monitoring/{m['id']}/eliminate", {"on": "2026-08-03"})
    county.ok("/rules/notices", {"definition": "monitoring", "case_ids": [m["case_id"]],
                                 "village": household.region_id, "starts_on": "2026-08-04", "ends_on": "2026-08-10"})
    m = county.ok(f"/rules/monitoring/{m['id']}/mark", {"on": "2026-08-11"})
    assert m["state"] == "closed" and m["closed_on"] == "2026-08-11"
    assert county.get(f"/households/{household.pk}").json()["status"] == "exited"


def test_an_overdue_step_on_the_townships_list_after_a_holiday(client, regions):
    township_user = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    county = Caller(client, make_user(Role.COUNTY_OFFICE))
    township = Caller(client, township_user)
    _lines(county)
    household = make_household(status="exited", exited_on=date(2019, 11, 1), wage_income="18000")
    # declared the Monday before the National Day holiday: five working days run past it
    m = township.ok("/rules/monitoring", {"household_id": household.pk, "source": "self", "on": "2026-09-28",
                                          "reason": "因灾房屋受损"})
    due = date.fromisoformat(m["due_on"])
    assert due == Calendar().add_working_days(date(2026, 9, 28), 5)
    assert due > date(2026, 10, 5)  # Monday–Friday alone would make it 5 October
    counted = township.get("/procedures/overdue", as_of="2026-10-06", definition="monitoring").json()
    assert counted == []
    [row] = township.get("/procedures/overdue", as_of=(due.replace(day=due.day + 1)).isoformat(),
                         definition="monitoring").json()
    assert row["prefix"] == TOWNSHIP_A[:9] and row["count"] == 1
    client.force_login(township_user)
    page = client.get("/procedures/overdue/", {"as_of": due.replace(day=due.day + 1).isoformat()}).content.decode()
    assert "长安镇" in page and "monitoring" in page
