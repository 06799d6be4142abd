"""Rules evaluated set-wise: each side of every threshold, the reason named, the snapshot kept,
the preview counting who would move, a registry change raising a monitoring case at once."""

from datetime import date
from decimal import Decimal

import pytest

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.registry import services as registry
from bangfu.registry.models import Person
from bangfu.rules import services, workflow
from bangfu.rules.models import EvaluationRow, Monitoring
from bangfu.rules.selectors import evaluation_rows, household_evaluate, village_results
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, make_household

pytestmark = pytest.mark.django_db
ON = date(2026, 6, 30)
COUNTY = Scope(role=Role.COUNTY_OFFICE, prefix="450224")


def _lines():
    services.rule_set_save(scope=ADMIN_SCOPE, by=None, region="450000000000", year=2025,
                           data={"poverty_line": Decimal("4700"), "monitoring_line": Decimal("7000")},
                           effective_from=date(2025, 1, 1))
    return services.rule_set_save(scope=ADMIN_SCOPE, by=None, region="450000000000", year=2026,
                                  data={"poverty_line": Decimal("4900"), "monitoring_line": Decimal("7300")},
                                  effective_from=date(2026, 1, 1))


def _income(per_capita: int, members: int = 2) -> dict:
    return {"wage_income": Decimal(per_capita * members)}


def test_each_side_of_the_thresholds_with_reasons(regions):
    rules = _lines()
    above = make_household(status="poor", **_income(5000))
    below = make_household(status="poor", **_income(4800))
    unsafe = make_household(status="poor", housing_secure=False, **_income(9000))
    exited_low = make_household(status="exited", exited_on=date(2019, 11, 1), **_income(7000))
    exited_ok = make_household(status="exited", exited_on=date(2019, 11, 1), **_income(7400))
    evaluation = services.evaluation_run(scope=COUNTY, by=None, region="450224", on=ON)
    assert evaluation.rule_set == rules and evaluation.households == 5
    rows = {r.household_id: r for r in EvaluationRow.objects.filter(evaluation=evaluation)}
    assert rows[above.pk].exit_ok and not rows[below.pk].exit_ok and not rows[unsafe.pk].exit_ok
    assert rows[below.pk].failures == "income,"
    assert rows[unsafe.pk].failures == "housing,"
    assert rows[exited_low.pk].triggers == "income_low," and rows[exited_ok.pk].triggers == ""
    assert {r.household_id for r in evaluation_rows(scope=COUNTY, evaluation=evaluation, show="monitoring")} == {
        exited_low.pk}
    assert evaluation.exit_eligible == 1 and evaluation.monitoring_candidates == 1
    result = household_evaluate(scope=COUNTY, household=below, on=ON)
    [failure] = result["failures"]
    assert failure["criterion"] == "income" and failure["value"] == "4800.00" and failure["line"] == "4900.00"
    assert failure["rule_version"] == rules.label
    # 2025's line is lower: the same household meets it then
    assert household_evaluate(scope=COUNTY, household=below, on=date(2025, 6, 30))["exit_ok"]
    [village] = village_results(scope=COUNTY, evaluation=evaluation)
    assert village.people == 10 and village.poor_people == 4 and not village.exit_ok


def test_preview_counts_who_would_move(regions):
    _lines()
    make_household(status="poor", **_income(5000))
    make_household(status="poor", **_income(5200))
    preview = services.rule_set_preview(scope=ADMIN_SCOPE, region="450000000000", year=2026,
                                        data={"poverty_line": Decimal("5100")}, effective_from=date(2026, 7, 1))
    assert preview["exit_loss"] == 1 and preview["moved"] == 1 and preview["households"] == 2
    saved = services.rule_set_save(scope=ADMIN_SCOPE, by=None, region="450000000000", year=2026,
                                   data={"poverty_line": Decimal("5100")}, effective_from=date(2026, 7, 1))
    assert saved.version == 2
    assert services.rule_set_in_force(region="450224100001", on=date(2026, 6, 30)).version == 1
    assert services.rule_set_in_force(region="450224100001", on=date(2026, 7, 1)).version == 2


def test_a_registry_change_meeting_a_trigger_opens_a_case_at_once(regions):
    _lines()
    household = make_household(status="exited", exited_on=date(2019, 11, 1), **_income(9000))
    assert not Monitoring.objects.exists()
    registry.household_update(scope=ADMIN_SCOPE, by=None, household=household, data=_income(6000),
                              on=date(2026, 3, 2))
    monitoring = Monitoring.objects.get()
    assert monitoring.source == "registry" and monitoring.triggers == "income_low"
    assert "7300.00" in monitoring.reason and monitoring.case.state == "declared"
    assert monitoring.case.due_on == date(2026, 3, 9)  # 5 working days


def test_members_school_and_work_ability(regions):
    _lines()
    household = make_household(status="exited", exited_on=date(2019, 11, 1), members=3, **_income(9000, members=3))
    father, mother, child = Person.objects.filter(household=household).order_by("birth_date")  # 1975, 1995, 2015
    on = date(2026, 3, 2)
    registry.person_update(scope=ADMIN_SCOPE, by=None, person=child, data={"work_ability": "none",
                                                                           "schooling": "dropout"}, on=on)
    result = household_evaluate(scope=COUNTY, household=household, on=on)
    assert [f["criterion"] for f in result["failures"]] == ["education"] and "1 名 6–15 岁" in result["failures"][0][
        "text"]
    registry.person_update(scope=ADMIN_SCOPE, by=None, person=mother, data={"work_ability": "unable"}, on=on)
    assert not Monitoring.objects.exists()  # the father still works
    registry.person_update(scope=ADMIN_SCOPE, by=None, person=father, data={"work_ability": "unable"}, on=on)
    monitoring = Monitoring.objects.get()
    assert monitoring.triggers == "work_ability"


def test_a_trigger_already_in_the_latest_snapshot_raises_no_case_on_a_later_edit(regions):
    _lines()
    household = make_household(status="exited", exited_on=date(2019, 11, 1), housing_secure=False,
                               **_income(9000))
    Monitoring.objects.all().delete()  # raised when the members were entered: housing unsafe
    services.evaluation_run(scope=COUNTY, by=None, region="450224", on=date(2026, 3, 1))
    registry.household_update(scope=ADMIN_SCOPE, by=None, household=household, data={"address": "新址"},
                              on=date(2026, 3, 2))
    assert not Monitoring.objects.exists()
    registry.household_update(scope=ADMIN_SCOPE, by=None, household=household, data=_income(6000),
                              on=date(2026, 3, 3))
    assert Monitoring.objects.get().triggers == "income_low"


def test_monitoring_to_risk_elimination(regions):
    _lines()
    household = make_household(status="exited", exited_on=date(2019, 11, 1), **_income(9000))
    m = workflow.monitoring_declare(scope=COUNTY, by=None, household=household, source="self", on=date(2026, 1, 5),
                                    reason="家人住院")
    from bangfu.procedures.services import cases_advance
    cases_advance(scope=COUNTY, by=None, definition="monitoring", case_ids=[m.case_id], transition="verify",
                  on=date(2026, 1, 6))
    cases_advance(scope=COUNTY, by=None, definition="monitoring", case_ids=[m.case_id], transition="appraise",
                  on=date(2026, 1, 7))
    workflow.monitoring_confirm(scope=COUNTY, by=None, monitoring=m, category="sudden", risk_types=["illness"],
                                on=date(2026, 1, 8))
    household.refresh_from_db()
    assert household.status == "monitored"
    workflow.monitoring_help(scope=COUNTY, by=None, monitoring=m, measures="医疗救助；公益岗位", on=date(2026, 1, 9))
    registry.household_update(scope=COUNTY, by=None, household=household, data=_income(6000), on=date(2026, 1, 20))
    registry.household_update(scope=COUNTY, by=None, household=household, data=_income(9000), on=date(2026, 2, 1))
    assert Monitoring.objects.count() == 1  # a monitored household's fall joins its open case
    with pytest.raises(Exception) as refused:
        workflow.monitoring_eliminate(scope=COUNTY, by=None, monitoring=m, on=date(2026, 5, 1))
    assert "6 个月" in str(refused.value)
    workflow.monitoring_eliminate(scope=COUNTY, by=None, monitoring=m, on=date(2026, 8, 3))
    notice = workflow.cases_publish(scope=COUNTY, by=None, definition="monitoring", case_ids=[m.case_id],
                                    village=household.region_id, starts_on=date(2026, 8, 4), ends_on=date(2026, 8, 10))
    workflow.monitoring_mark(scope=COUNTY, by=None, monitoring=m, on=date(2026, 8, 11))
    household.refresh_from_db()
    m.refresh_from_db()
    assert household.status == "exited" and m.closed_on == date(2026, 8, 11)
    assert notice.entries.count() == 1


def test_the_command_line(regions):
    from io import StringIO

    from django.core.management import call_command

    from bangfu.tests.factories import make_user

    make_user(Role.COUNTY_OFFICE, username="rules-county")
    out = StringIO()
    call_command("rules", "set", "--user", "rules-county", "--region", "450224000000", "--year", "2026",
                 "--from", "2026-01-01", "--poverty-line", "4900", "--monitoring-line", "7300", stdout=out)
    household = make_household(status="poor", **_income(4800))
    call_command("rules", "evaluate", "--user", "rules-county", "--region", "450224", "--on", "2026-06-30", stdout=out)
    call_command("rules", "household", "--user", "rules-county", str(household.pk), "--on", "2026-06-30", stdout=out)
    call_command("rules", "list", stdout=out)
    text = out.getvalue()
    assert "融安县2026年 第1版" in text and "未达到" in text and "未高于贫困线 4900.00 元" in text
    assert "1 户" in text


def test_county_exit_is_evaluated_with_the_rules_version(client, regions):
    """摘帽: the county's 贫困发生率 under the rule set's line and enough poor villages exited or meeting 出列."""
    from bangfu.accounts.roles import Role
    from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user, village_of

    poor = make_household(members=3, status="poor", wage_income="6000")  # 2000 a head: still poor
    for _ in range(3):
        make_household(members=3, status="exited", exited_on=date(2019, 11, 1), wage_income="40000")
    client.force_login(make_user(Role.COUNTY_OFFICE))
    county = "450224000000"

    def send(url, data, method="POST"):
        response = client.generic(method, url, __import__("json").dumps(data), content_type="application/json")
        assert response.status_code in (200, 201), response.content.decode()
        return response.json()

    rules = send("/api/v1/rules/rule-sets", {"region": county, "year": 2026, "effective_from": "2026-01-01",
                                             "poverty_line": "4900", "monitoring_line": "7300",
                                             "county_exit_rate": "25", "county_village_share": "50"})
    assert Decimal(rules["county_exit_rate"]) == 25 and Decimal(rules["county_village_share"]) == 50
    village = village_of(TOWNSHIP_A)
    other = village.parent.children.exclude(code=village.code).order_by("code").first()
    send("/api/v1/quality/poor-villages", {"village": other.code, "exited_on": "2020-11-30"}, "PUT")
    send("/api/v1/quality/poor-villages", {"village": village.code, "deep": True}, "PUT")
    evaluation = send("/api/v1/rules/evaluations", {"region": county, "on": "2026-11-30"})
    assert (evaluation["counties"], evaluation["counties_exit"]) == (1, 0)
    [row] = client.get(f"/api/v1/rules/evaluations/{evaluation['id']}/counties").json()
    # 3 of 12 people still poor: 25.00% is not under 25%; one of two poor villages exited: 50% meets 50%
    assert (row["poor_people"], row["people"], row["rate"], row["rate_ok"]) == (3, 12, "25.00", False)
    assert (row["poor_villages"], row["poor_villages_exit"], row["villages_ok"]) == (2, 1, True)
    assert row["rule_version"] == rules["label"] and row["name"] == "融安县"
    assert not row["exit_ok"]
    page = client.get(f"/rules/evaluations/{evaluation['id']}/", {"show": "counties"}).content.decode()
    assert "融安县" in page and "低于 25.00%" in page and "未达到" in page
    # a village's 出列 record counts; a higher line for the rate then lets the county exit
    send("/api/v1/rules/rule-sets", {"region": county, "year": 2026, "effective_from": "2026-11-01",
                                     "county_exit_rate": "30"})
    again = send("/api/v1/rules/evaluations", {"region": county, "on": "2026-11-30"})
    [row] = client.get(f"/api/v1/rules/evaluations/{again['id']}/counties").json()
    assert row["exit_ok"] and again["counties_exit"] == 1
    assert poor.status == "poor"
