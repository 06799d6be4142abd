"""`bangfu demo` makes the seeds' programmes with believable histories: every orphan has a caring
mother, nobody is over capacity, each scheme has its obligations, and compliance shows both
helpers who keep up and helpers who are behind — the same for the same seed."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import F, Q

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.activities.models import Activity
from bangfu.compliance import selectors as compliance
from bangfu.programmes import selectors
from bangfu.programmes.choices import PairingStatus
from bangfu.programmes.demo import ADMIN, programmes_demo, programmes_demo_clear
from bangfu.programmes.models import Pairing, Programme
from bangfu.registry import selectors as registry_selectors
from bangfu.registry.models import Person
from bangfu.tests.factories import RONGAN, make_user

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
SCHEMES = ["干部结对帮扶(54321)", "驻村工作队帮扶", "城乡学校手拉手结对", "城乡幼儿园手拉手结对", "新教师师徒结对",
           "教师结对帮扶学困生", "爱心妈妈结对关爱孤儿", "独居老人和残疾人一对一关爱"]


@pytest.fixture
def county(regions):
    """A small demo county (about 300 households and the county's cadres and teachers) with its
    programmes, through the command users run."""
    out = StringIO()
    call_command("demo", "--seed", "11", "--scale", "0.05", "--today", TODAY.isoformat(), stdout=out)
    assert "帮扶项目 8 个" in out.getvalue()
    return out.getvalue()


def _programme(name: str, qs=None) -> Programme:
    return (qs or Programme.objects).get(name__contains=name)


def test_the_demo_programmes(county, client):
    """One demo load (about ten seconds) checked from every side."""
    every_seed_scheme_with_its_obligations()
    everyone_covered_is_paired_and_no_helper_is_over_capacity()
    the_roll_up_shows_helpers_who_keep_up_and_helpers_behind(client)
    the_demo_helper_sees_the_households_paired_with_them(client)
    struggling_students_term_grades_are_compared(client)
    deterministic_by_seed()


def every_seed_scheme_with_its_obligations():
    assert Programme.objects.count() == len(SCHEMES)
    for name in SCHEMES:
        programme = _programme(name)
        assert programme.obligations.exists(), name
        assert programme.pairings.filter(status=PairingStatus.ACTIVE).exists(), name
        assert programme.phases.count() == 4, name
    rules = dict(_programme("54321").capacity_rules.values_list("helper_rank", "max_targets"))
    assert rules == {"county_leader": 5, "division": 4, "section": 3, "deputy_section": 2, "staff": 1, "": 1}
    # seed 000's second plan: one term obligation with its minimum by the mentee's subject (语文、数学 20,
    # 音体美 and the rest 10), and a lesson to the mentor every two weeks from the term's first day
    mentoring = {o.name: (o.actor, o.kind, float(o.minimum), o.period_key, o.counterpart_only, o.condition_values,
                          o.minimum_by_value) for o in _programme("师徒结对").obligations.all()}
    assert sorted(mentoring.values()) == sorted([
        ("target", "听课", 10.0, "term", False, [], {"语文": 20, "数学": 20}),
        ("target", "听课", 1.0, "week", True, [], {}),
        ("target", "实践课", 1.0, "weeks2", True, [], {}),
        ("helper", "听课", 8.0, "term", False, [], {}),
        ("target", "汇报课", 1.0, "term", False, [], {}),
    ])
    schools = {(o.kind, o.measure, float(o.minimum), o.period) for o in _programme("城乡学校").obligations.all()}
    assert schools == {("联合教研", "count", 1.0, "month"), ("送教", "quantity", 10.0, "term"),
                       ("讲座", "count", 2.0, "term")}
    teams = {(o.kind, float(o.minimum), o.period) for o in _programme("驻村工作队").obligations.all()}
    assert teams == {("工作汇报", 1.0, "month"), ("办实事", 2.0, "year")}
    windows = set(_programme("爱心妈妈").obligations.values_list("window", flat=True))
    assert {"spring_festival", "childrens_day", "birthday", "explicit", ""} <= windows


def everyone_covered_is_paired_and_no_helper_is_over_capacity():
    orphans = Person.objects.filter(orphan=True)
    assert orphans.exists()
    mothers = Pairing.objects.filter(programme=_programme("爱心妈妈"), status=PairingStatus.ACTIVE)
    assert set(mothers.values_list("target_person_id", flat=True)) == set(orphans.values_list("pk", flat=True))
    assert not mothers.exclude(helper_person__gender="female").exists()
    for programme in Programme.objects.all():
        assert not selectors.uncovered_targets(scope=ADMIN, programme=programme).exists(), programme.name
        assert not selectors.over_capacity_helpers(scope=ADMIN, programme=programme).exists(), programme.name
    # Activities carry what the services would set, and lie inside their pairing's dates.
    assert not Activity.objects.exclude(county_code=F("pairing__county_code")).exists()
    assert not Activity.objects.exclude(region_id=F("pairing__region_id")).exists()
    assert not Activity.objects.filter(Q(occurred_on__lt=F("pairing__starts_on"))).exists()
    assert Pairing.history.count() == Pairing.objects.count()


def the_roll_up_shows_helpers_who_keep_up_and_helpers_behind(client):
    programme = _programme("54321")
    rows = compliance.compliance_rollup(scope=ADMIN, by="helper",
                                        filters=compliance.ComplianceFilters(programme=programme.pk), as_of=TODAY)
    assert any(r["due"] == 0 and r["met"] > 0 for r in rows)
    assert any(r["due"] > 0 for r in rows)
    mentoring = _programme("师徒结对")
    rows = compliance.compliance_rollup(scope=ADMIN, by="helper",
                                        filters=compliance.ComplianceFilters(programme=mentoring.pk), as_of=TODAY)
    assert any(r["met"] > 0 for r in rows) and any(r["due"] > 0 for r in rows)
    client.force_login(make_user(Role.COUNTY_OFFICE, region=RONGAN))
    response = client.get(f"/compliance/?by=helper&programme={programme.pk}&as_of={TODAY}")
    assert response.status_code == 200
    assert "进度落后" in response.content.decode() or "逾期" in response.content.decode()


def the_demo_helper_sees_the_households_paired_with_them(client):
    helper = User.objects.get(username="helper")
    assert helper.person is not None and helper.display_name == helper.person.name
    mine = Pairing.objects.filter(helper_person=helper.person, status=PairingStatus.ACTIVE, target_kind="household")
    assert mine.count() >= 3
    client.force_login(helper)
    page = client.get("/mine/").content.decode()
    for pairing in mine:
        assert pairing.target_household.number in page


def struggling_students_term_grades_are_compared(client):
    pairings = Pairing.objects.filter(programme=_programme("学困生")).select_related("target_person")
    assert pairings.exists()
    changes = []
    for pairing in pairings:
        comparison = registry_selectors.term_grades_compare(scope=ADMIN, person=pairing.target_person)
        assert comparison is not None and {r.subject for r in comparison.rows} == {"语文", "数学", "英语"}
        changes.append(comparison.average_change)
    assert any(c > 0 for c in changes) and any(c <= 0 for c in changes)  # some improve, some do not
    pairing = pairings.first()
    client.force_login(make_user(Role.COUNTY_OFFICE, region=RONGAN))
    page = client.get(f"/pairings/{pairing.pk}/").content.decode()
    comparison = registry_selectors.term_grades_compare(scope=ADMIN, person=pairing.target_person)
    assert "学期成绩对比" in page and comparison.previous in page and comparison.current in page


def _fingerprint(programmes) -> list:
    rows = Activity.objects.filter(pairing__programme__in=programmes).values_list(
        "pairing__programme__name", "pairing__helper_person_id", "pairing__helper_organization_id",
        "pairing__helper_team_id", "pairing__target_household_id", "pairing__target_person_id",
        "pairing__target_organization_id", "pairing__target_village_id", "pairing__starts_on", "kind",
        "occurred_on", "actor", "with_counterpart", "quantity", "content")
    return sorted(rows)


def deterministic_by_seed():
    def run(seed: int) -> list:
        before = set(Programme.objects.values_list("pk", flat=True))
        programmes_demo(seed=seed, today=TODAY)
        return _fingerprint(Programme.objects.exclude(pk__in=before))

    first = run(5)
    assert first and run(5) == first
    assert run(6) != first


# Through a year and a bit: New Year, Spring Festival 2026 and 2027, term starts and ends, the summer
# holiday, Children's Day, the school year's turn, this day and the year's last.
SPREAD = [date(2026, 1, 1), date(2026, 2, 17), date(2026, 3, 2), date(2026, 6, 1), date(2026, 7, 10),
          date(2026, 8, 20), date(2026, 9, 1), date(2026, 12, 2), date(2026, 12, 31), date(2027, 1, 22),
          date(2027, 2, 6), date(2027, 5, 15)]


@pytest.mark.once  # the demo's dates, whatever the database
def test_every_seed_scheme_has_pairings_and_obligations_due_on_any_day(county):
    """The demo is made for the day it is given: on every day of the year each seed scheme has
    active pairings and obligations whose periods have begun, so the pages are never empty."""
    for day in SPREAD:
        programmes_demo_clear()
        programmes_demo(seed=11, today=day)
        for name in SCHEMES:
            programme = _programme(name)
            active = programme.pairings.filter(status=PairingStatus.ACTIVE, starts_on__lte=day)
            assert active.exists(), (day, name)
            filters = compliance.ComplianceFilters(programme=programme.pk)
            assert compliance.compliance_count(scope=ADMIN, filters=filters, as_of=day) > 0, (day, name)
        assert Activity.objects.filter(occurred_on__gt=day).count() == 0, day
