from datetime import date

import pytest

from bangfu.activities import selectors as activity_selectors
from bangfu.activities.services import activity_record
from bangfu.compliance.selectors import ComplianceFilters, compliance_rollup, compliance_rows
from bangfu.errors import Conflict, ValidationError
from bangfu.programmes import selectors, services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme
from bangfu.tests.factories import ADMIN_SCOPE, make_household

pytestmark = pytest.mark.django_db


def visit(pairing, on, kind="走访"):
    return activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                           data={"kind": kind, "occurred_on": on, "content": "入户了解生产生活情况"})


def by_period(rows):
    return {(r.pairing.pk, r.period_label): (r.done, r.status) for r in rows}


def test_a_handed_over_household_keeps_its_history_and_compliance_follows_the_pairing_dates(regions):
    programme = make_programme()
    add_obligation(programme)
    household = make_household()
    first, second = make_person(rank="staff"), make_person(rank="staff")
    old = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=first, target=household,
                                  starts_on=date(2025, 1, 1))
    visit(old, date(2025, 1, 10))
    visit(old, date(2025, 3, 5))  # March: the old helper visited before the handover …
    new = services.pairing_handover(scope=ADMIN_SCOPE, by=None, pairing=old, new_helper=second,
                                    on=date(2025, 3, 15), reason="原帮扶人调离")
    visit(new, date(2025, 4, 2))

    old.refresh_from_db()
    assert (old.status, old.ends_on, new.previous_id) == ("handed_over", date(2025, 3, 14), old.pk)
    log = activity_selectors.activity_list(scope=ADMIN_SCOPE, household=household.pk)
    assert [a.occurred_on for a in log] == [date(2025, 4, 2), date(2025, 3, 5), date(2025, 1, 10)]
    assert [p.pk for p in selectors.pairing_chain(pairing=new)] == [old.pk, new.pk]

    rows = by_period(compliance_rows(scope=ADMIN_SCOPE, as_of=date(2025, 4, 20), limit=100,
                                     filters=ComplianceFilters(programme=programme.pk)))
    assert rows == {
        (old.pk, "2025年1月"): (1, "met"),
        (old.pk, "2025年2月"): (0, "overdue"),
        # … but March is the new helper's: he holds the household at the month's end.
        (new.pk, "2025年3月"): (0, "overdue"),
        (new.pk, "2025年4月"): (1, "met"),
    }


def test_capacity_follows_the_rank(regions):
    programme = make_programme()
    services.capacity_rule_set(scope=ADMIN_SCOPE, by=None, programme=programme, helper_rank="section", max_targets=2)
    services.capacity_rule_set(scope=ADMIN_SCOPE, by=None, programme=programme, helper_rank="", max_targets=1)
    chief = make_person(rank="section")
    households = [make_household(members=1) for _ in range(3)]
    services.pairing_bulk_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=chief,
                                 targets=households[:2], starts_on=date(2025, 2, 1))
    with pytest.raises(Conflict) as exc:
        services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=chief,
                                target=households[2], starts_on=date(2025, 2, 1))
    assert "上限 2" in exc.value.message
    uncovered = selectors.uncovered_targets(scope=ADMIN_SCOPE, programme=programme)
    assert list(uncovered.filter(pk__in=[h.pk for h in households])) == [households[2]]


def test_it_refuses_an_activity_outside_the_pairing_dates(regions):
    programme = make_programme()
    add_obligation(programme)
    pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=make_person(),
                                      target=make_household(members=1), starts_on=date(2025, 3, 1))
    with pytest.raises(ValidationError) as exc:
        visit(pairing, date(2025, 2, 20))
    assert exc.value.field == "occurred_on"


def test_a_correction_supersedes_and_both_are_kept(regions):
    from bangfu.activities.services import activity_correct

    programme = make_programme()
    add_obligation(programme)
    pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=make_person(),
                                      target=make_household(members=1), starts_on=date(2025, 1, 1))
    [wrong] = visit(pairing, date(2025, 1, 5))
    activity_correct(scope=ADMIN_SCOPE, by=None, activity=wrong, data={"occurred_on": date(2025, 2, 5)},
                     reason="日期填错")
    rows = by_period(compliance_rows(scope=ADMIN_SCOPE, as_of=date(2025, 2, 28), limit=100,
                                     filters=ComplianceFilters(programme=programme.pk)))
    assert rows[(pairing.pk, "2025年1月")] == (0, "overdue")
    assert rows[(pairing.pk, "2025年2月")] == (1, "met")
    everything = activity_selectors.activity_list(scope=ADMIN_SCOPE, pairing=pairing.pk, include_superseded=True)
    assert len(everything) == 2
    rollup = compliance_rollup(scope=ADMIN_SCOPE, by="region", as_of=date(2025, 2, 28),
                               filters=ComplianceFilters(programme=programme.pk))
    assert sum(r["total"] for r in rollup) == 2 and sum(r["met"] for r in rollup) == 1


@pytest.mark.parametrize("flag", ["orphan", "left_behind", "lives_alone", "struggling"])
def test_the_persons_a_care_programme_covers_are_found_by_their_own_index(regions, flag):
    """孤儿, 留守儿童, 独居, 学困生: the uncovered count reads the few flagged persons of the county through
    registry_person_flagged, not every person (the office home counts them for each programme)."""
    from django.db import connection

    from bangfu.accounts.roles import Role
    from bangfu.accounts.scope import Scope

    programme = make_programme(target_kinds=["person"], coverage_attribute=flag, coverage_values=[True])
    flagged = make_person(kind="child", **{flag: True})
    make_person(kind="child")
    county = Scope(role=Role.COUNTY_OFFICE, prefix="450224")  # what the county office's home counts
    uncovered = selectors.uncovered_targets(scope=county, programme=programme)
    assert list(uncovered) == [flagged]
    if connection.vendor != "postgresql":
        return
    from bangfu.registry.models import Person

    # a county's worth of others, so that the planner weighs the indexes as at scale
    Person.objects.bulk_create(Person(name=f"甲{i}", kind="child", region_id=flagged.region_id, county_code="450224")
                               for i in range(2000))
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_person")
        sql, params = uncovered.order_by().values("pk").query.sql_with_params()
        cursor.execute(f"EXPLAIN SELECT count(*) FROM ({sql}) AS t", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "registry_person_flagged" in plan, plan


def test_the_office_home_counts_the_covered_targets_of_every_programme_in_one_statement(regions,
                                                                                        django_assert_num_queries):
    """Each programme: its distinct targets with a current helper, those its rule names without one, the rate.
    The covered counts of all programmes are one statement; the uncovered ones one per programme."""
    from bangfu.accounts.roles import Role
    from bangfu.accounts.scope import Scope
    from bangfu.compliance.overview import programme_coverage

    visits = make_programme(name="干部结对帮扶户")
    care = make_programme(name="关爱孤儿", target_kinds=["person"], coverage_attribute="orphan", coverage_values=[True])
    idle = make_programme(name="产业帮扶户")  # households in the county, no pairing yet
    households = [make_household() for _ in range(3)]
    orphans = [make_person(kind="child", orphan=True) for _ in range(2)]
    for helper, target, programme in [(make_person(), households[0], visits), (make_person(), households[0], visits),
                                      (make_person(), households[1], visits), (make_person(), orphans[0], care)]:
        services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper, target=target,
                                starts_on=date(2025, 3, 1))
    county = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
    with django_assert_num_queries(1 + 1 + 3):  # the programmes, their covered targets, each one's uncovered
        coverage = {row["programme"].name: (row["covered"], row["uncovered"], row["rate"])
                    for row in programme_coverage(scope=county)}
    assert coverage == {visits.name: (2, 1, 67), care.name: (1, 1, 50), idle.name: (0, 3, 0)}
