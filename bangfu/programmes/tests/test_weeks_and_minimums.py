"""Two obligation shapes of the seeds (issue 12, item 10): every N weeks counted from the programme's
or term's first day with a short last period, and one obligation whose minimum depends on an
attribute of the target (a table of value → minimum, every other value owing the default) — set
up through the API and the page, refused with a Chinese message naming the field, and counted."""

from datetime import date

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.programmes.models import Obligation, ProgrammePeriod
from bangfu.programmes.tests.factories import make_person
from bangfu.tests.factories import RONGAN, TOWNSHIP_A, make_household, make_user

pytestmark = pytest.mark.django_db
API = "/api/v1"


def post(client, url, data, status=201):
    response = client.post(API + url, data, content_type="application/json")
    assert response.status_code == status, response.content.decode()
    return response.json()


@pytest.fixture
def programme(client, regions):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    return post(client, "/programmes", {
        "name": "2025年干部结对帮扶", "region": RONGAN, "starts_on": "2025-01-01", "ends_on": "2025-12-31",
        "helper_kinds": ["person"], "target_kinds": ["household"]})["id"]


def test_every_two_weeks_from_the_programmes_first_day_with_a_short_last_period(client, programme):
    made = post(client, f"/programmes/{programme}/obligations", {
        "name": "每两周电话联系", "kind": "电话联系", "minimum": 1, "period": "weeks", "period_weeks": 2})
    assert (made["period"], made["period_weeks"]) == ("weeks", 2)
    spans = list(ProgrammePeriod.objects.filter(programme_id=programme, kind="weeks2")
                 .values_list("label", "starts_on", "ends_on"))
    assert spans[0] == ("2025年1月1日—1月14日", date(2025, 1, 1), date(2025, 1, 14))  # from a Wednesday
    assert spans[-1] == ("2025年12月31日—12月31日", date(2025, 12, 31), date(2025, 12, 31))  # cut short
    assert len(spans) == 27
    # two obligations of the same N share the rows; another N has its own
    post(client, f"/programmes/{programme}/obligations", {
        "name": "每两周走访", "kind": "走访", "minimum": 1, "period": "weeks", "period_weeks": 2})
    post(client, f"/programmes/{programme}/obligations", {
        "name": "每三周走访", "kind": "走访", "minimum": 1, "period": "weeks", "period_weeks": 3})
    assert ProgrammePeriod.objects.filter(programme_id=programme, kind="weeks2").count() == 27
    assert ProgrammePeriod.objects.filter(programme_id=programme, kind="weeks3").count() == 18
    page = client.get(reverse("programmes:programme_detail", args=[programme])).content.decode()
    assert "每2周" in page and "每3周" in page

    for bad in ({}, {"period_weeks": 0}, {"period_weeks": 53}):
        refused = client.post(f"{API}/programmes/{programme}/obligations", {
            "name": "每N周", "kind": "走访", "minimum": 1, "period": "weeks", **bad}, content_type="application/json")
        assert refused.status_code == 400 and refused.json()["field"] == "period_weeks", bad
        assert "周数" in refused.json()["message"]
    # another period forgets the number of weeks
    monthly = post(client, f"/programmes/{programme}/obligations", {
        "name": "每月走访", "kind": "走访", "minimum": 1, "period": "month", "period_weeks": 2})
    assert monthly["period_weeks"] is None


def test_a_minimum_by_the_targets_attribute_is_one_obligation_with_a_table(client, programme):
    helper = make_person(name="覃一", rank="staff", region=TOWNSHIP_A)
    poor, monitored = make_household(members=1), make_household(members=1, status="monitored")
    visit = post(client, f"/programmes/{programme}/obligations", {
        "name": "每月走访(监测户两次)", "kind": "走访", "minimum": 1, "period": "month", "condition_party": "target",
        "condition_attribute": "status", "minimum_by_value": {"monitored": 2}})
    assert visit["minimum_by_value"] == {"monitored": 2}
    made = post(client, f"/programmes/{programme}/pairings", {
        "helper_id": helper.pk, "target_ids": [str(poor.pk), str(monitored.pk)], "starts_on": "2025-01-01"})
    for pairing in made:
        post(client, "/activities", {"pairing_ids": [pairing["id"]], "kind": "走访", "occurred_on": "2025-02-10",
                                     "content": "入户走访"})
    rows = client.get(f"{API}/compliance", {"programme": programme, "as_of": "2025-02-28", "period": "month",
                                            "page_size": 100}).json()["items"]
    february = {r["target_name"].split("户")[0]: (r["required"], r["done"], r["status"]) for r in rows
                if r["period_label"] == "2025年2月"}
    assert sorted(february.values()) == [(1, 1, "met"), (2, 1, "behind")]  # its last day: not over
    by_obligation = client.get(f"{API}/compliance/rollup", {"programme": programme, "by": "obligation",
                                                            "as_of": "2025-02-28"}).json()
    assert [(r["name"], r["total"]) for r in by_obligation] == [("每月走访(监测户两次)", 4)]  # one obligation

    for bad, field, words in (
            ({"minimum_by_value": {"monitored": 2}}, "condition_attribute", "适用条件字段"),
            ({"condition_attribute": "status", "minimum_by_value": {"monitored": 0}}, "minimum_by_value", "monitored"),
            ({"condition_attribute": "dibao", "minimum_by_value": {"true": 2}}, "minimum_by_value", "文字字段")):
        refused = client.post(f"{API}/programmes/{programme}/obligations", {
            "name": "x", "kind": "走访", "minimum": 1, "period": "month", **bad}, content_type="application/json")
        assert refused.status_code == 400 and refused.json()["field"] == field, (bad, refused.json())
        assert words in refused.json()["message"], refused.json()
    not_a_number = client.post(f"{API}/programmes/{programme}/obligations", {
        "name": "x", "kind": "走访", "minimum": 1, "period": "month", "condition_attribute": "status",
        "minimum_by_value": {"monitored": "两次"}}, content_type="application/json")
    assert not_a_number.status_code == 422 and "输入格式不正确" in not_a_number.json()["message"]


def test_the_obligation_page_takes_every_n_weeks_and_a_table_of_minimums(client, regions):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme = post(client, "/programmes", {
        "name": "新教师师徒结对", "region": RONGAN, "period_kind": "academic_year", "starts_on": "2025-09-01",
        "ends_on": "2026-01-16", "helper_kinds": ["person"], "target_kinds": ["person"],
        "activity_kinds": ["听课", "实践课"]})["id"]
    post(client, f"/programmes/{programme}/terms", {"name": "2025年秋季学期", "academic_year": "2025-2026学年",
                                                    "starts_on": "2025-09-01", "ends_on": "2026-01-16"})
    page = reverse("programmes:obligation_add", args=[programme])
    data = {"name": "新教师每学期听课", "actor": "target", "kind": "听课", "measure": "count", "minimum": "10",
            "unit": "节", "period": "term", "window_before_days": 0, "window_after_days": 0, "grace_days": 0,
            "condition_party": "target", "condition_attribute": "subject", "minimum_by_value": "语文=20、数学＝20"}
    refused = client.post(page, {**data, "minimum_by_value": "语文20"})
    assert refused.status_code == 400 and "应写成 取值=最低要求" in refused.content.decode()
    assert client.post(page, data).status_code == 302
    assert client.post(page, {**data, "name": "每二周上一堂实践课", "kind": "实践课", "minimum": "1", "period": "weeks",
                              "period_weeks": "2", "condition_attribute": "", "minimum_by_value": ""}).status_code == 302
    term, fortnight = Obligation.objects.filter(programme_id=programme).order_by("pk")
    assert term.minimum_by_value == {"语文": 20, "数学": 20} and term.period_key == "term"
    assert fortnight.period_key == "weeks2"
    labels = list(ProgrammePeriod.objects.filter(programme_id=programme, kind="weeks2")
                  .values_list("label", "starts_on", "ends_on"))
    assert labels[0] == ("2025年秋季学期第1—2周", date(2025, 9, 1), date(2025, 9, 14))
    assert labels[-1] == ("2025年秋季学期第19—20周", date(2026, 1, 5), date(2026, 1, 16))
    detail = client.get(reverse("programmes:programme_detail", args=[programme])).content.decode()
    assert "语文 20 节" in detail and "每2周" in detail
    edit = client.get(reverse("programmes:obligation_edit", args=[programme, term.pk])).content.decode()
    assert "语文=20、数学=20" in edit  # the form shows the table as it is typed
