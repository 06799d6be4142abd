"""The procedure machinery on a definition of its own (nothing here knows about subsidies)."""

from datetime import date

import pytest
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.procedures import selectors, services
from bangfu.procedures.definitions import COUNTY, TOWNSHIP, Definition, State, Transition, register
from bangfu.procedures.models import Holiday, Step
from bangfu.procedures.workdays import Calendar, add_working_days, is_working_day
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, make_user, village_of

pytestmark = pytest.mark.django_db

register(Definition(
    key="test_flow", label=_("测试流程"), subject_kind="test.thing", initial="open",
    states=(State("open", _("待审"), deadline_days=3), State("noticed", _("公示中")),
            State("checked", _("已审核"), deadline_days=5), State("done", _("完成"), final=True)),
    transitions=(
        Transition("post", _("公示"), "open", "noticed", roles=frozenset({Role.TOWNSHIP_OFFICE}), level=TOWNSHIP,
                   system=True),
        Transition("check", _("审核"), "noticed", "checked", roles=frozenset({Role.COUNTY_OFFICE}), level=COUNTY,
                   after_notice=True),
        Transition("finish", _("办结"), "checked", "done", roles=frozenset({Role.COUNTY_OFFICE}), level=COUNTY),
    ),
    notice_rows=lambda ids: [{"case": i, "name": "覃大", "id_number": "450224198005170012", "phone": "13812345678"}
                             for i in ids],
    notice_columns=(("name", _("姓名")), ("id_number", _("身份证号")), ("phone", _("电话"))),
    notice_roles=frozenset({Role.TOWNSHIP_OFFICE, Role.COUNTY_OFFICE}),
))

COUNTY_SCOPE = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
TOWNSHIP_SCOPE = Scope(role=Role.TOWNSHIP_OFFICE, prefix="450224100")


def _open(regions, n=2, township=TOWNSHIP_A, on=date(2026, 2, 13), first=1):
    village = village_of(township).code
    return services.case_open(scope=COUNTY_SCOPE, by=None, definition="test_flow", subject_kind="test.thing",
                              subject_ids_regions=[(i, village) for i in range(first, first + n)], on=on)


def test_it_counts_working_days_over_spring_festival_and_make_up_days(db):
    assert is_working_day(date(2026, 2, 14))  # a Saturday worked (调休)
    assert not is_working_day(date(2026, 2, 16))  # a Monday of the holiday
    # three working days after Friday 13 Feb 2026: Sat 14 (调休), Tue 24, Wed 25
    assert add_working_days(date(2026, 2, 13), 3) == date(2026, 2, 25)
    assert Calendar().working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6


def test_it_refuses_a_year_nobody_knows_and_uses_the_office_table(db):
    with pytest.raises(ValidationError) as exc:
        is_working_day(date(2027, 1, 4))
    assert "2027" in exc.value.message and "节假日" in exc.value.message
    scope = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
    services.holiday_set(scope=scope, by=None, day=date(2027, 1, 1), working=False, name="元旦")
    services.holiday_set(scope=scope, by=None, day=date(2027, 1, 2), working=True, name="元旦调休")
    assert not is_working_day(date(2027, 1, 1))
    assert is_working_day(date(2027, 1, 2))  # Saturday, entered as worked
    assert not is_working_day(date(2027, 1, 3))  # Sunday
    assert is_working_day(date(2027, 1, 4))
    # the table overrides the package in a known year too
    services.holiday_set(scope=scope, by=None, day=date(2026, 3, 2), working=False, name="地方假日")
    assert not is_working_day(date(2026, 3, 2))
    with pytest.raises(PermissionDenied):
        services.holiday_set(scope=TOWNSHIP_SCOPE, by=None, day=date(2027, 5, 1), working=False)
    assert Holiday.objects.count() == 3


def test_it_records_each_step_and_refuses_wrong_role_level_and_region(regions):
    cases = _open(regions)
    assert cases[0].due_on == date(2026, 2, 25)
    ids = [c.pk for c in cases]
    village_scope = Scope(role=Role.VILLAGE_TEAM, prefix=cases[0].region_id)
    with pytest.raises(PermissionDenied) as exc:
        services.cases_advance(scope=village_scope, by=None, definition="test_flow", case_ids=ids, transition="finish",
                               on=date(2026, 3, 2))
    assert "村/驻村工作队" in exc.value.message and "县级业务部门" in exc.value.message
    township_as_county = Scope(role=Role.COUNTY_OFFICE, prefix="450224100")
    with pytest.raises(PermissionDenied) as exc:
        services.cases_advance(scope=township_as_county, by=None, definition="test_flow", case_ids=ids,
                               transition="finish", on=date(2026, 3, 2))
    assert "县级" in exc.value.message
    other_township = Scope(role=Role.TOWNSHIP_OFFICE, prefix="450224101")
    with pytest.raises(NotFound):
        services.notice_publish(scope=other_township, by=None, definition="test_flow", case_ids=ids,
                                region=village_of(TOWNSHIP_B).code, title="公示", starts_on=date(2026, 3, 2),
                                ends_on=date(2026, 3, 6), transition="post")
    with pytest.raises(PermissionDenied) as exc:  # a system transition is not taken directly
        services.cases_advance(scope=TOWNSHIP_SCOPE, by=None, definition="test_flow", case_ids=ids, transition="post",
                               on=date(2026, 3, 2))
    with pytest.raises(Conflict) as exc:  # wrong state
        services.cases_advance(scope=COUNTY_SCOPE, by=None, definition="test_flow", case_ids=ids, transition="finish",
                               on=date(2026, 3, 2))
    assert "待审" in exc.value.message
    assert Step.objects.filter(case_id__in=ids).count() == 2  # the two openings, nothing else


def test_a_notice_holds_the_next_step_until_its_period_ends_and_objections_are_resolved(regions):
    user = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    cases = _open(regions)
    ids = [c.pk for c in cases]
    village = cases[0].region_id
    with pytest.raises(Conflict) as exc:  # never noticed
        services.cases_advance(scope=COUNTY_SCOPE, by=None, definition="test_flow", case_ids=ids, transition="check",
                               on=date(2026, 3, 2))
    notice = services.notice_publish(scope=TOWNSHIP_SCOPE, by=user, definition="test_flow", case_ids=ids,
                                     region=village, title="测试公示", starts_on=date(2026, 3, 2),
                                     ends_on=date(2026, 3, 8), transition="post")
    assert {c.state for c in selectors.case_list(scope=COUNTY_SCOPE, definition="test_flow")} == {"noticed"}
    with pytest.raises(Conflict) as exc:
        services.cases_advance(scope=COUNTY_SCOPE, by=None, definition="test_flow", case_ids=ids, transition="check",
                               on=date(2026, 3, 8))
    assert "2026-03-08" in exc.value.message
    with pytest.raises(ValidationError):
        services.objection_raise(scope=TOWNSHIP_SCOPE, by=user, notice=notice, content="不实", raised_on=date(2026, 3, 9))
    objection = services.objection_raise(scope=TOWNSHIP_SCOPE, by=user, notice=notice, content="面积不实",
                                         raised_by="村民甲", raised_on=date(2026, 3, 4), case_id=ids[0])
    with pytest.raises(Conflict) as exc:
        services.cases_advance(scope=COUNTY_SCOPE, by=None, definition="test_flow", case_ids=ids, transition="check",
                               on=date(2026, 3, 9))
    assert "异议" in exc.value.message
    with pytest.raises(ValidationError):
        services.objection_resolve(scope=TOWNSHIP_SCOPE, by=user, objection=objection, resolution=" ",
                                   resolved_on=date(2026, 3, 6))
    services.objection_resolve(scope=TOWNSHIP_SCOPE, by=user, objection=objection, resolution="复核属实无误",
                               resolved_on=date(2026, 3, 6))
    moved = services.cases_advance(scope=COUNTY_SCOPE, by=user, definition="test_flow", case_ids=ids,
                                   transition="check", on=date(2026, 3, 9), comment="同意")
    assert [c.state for c in moved] == ["checked", "checked"]
    steps = list(selectors.step_list(scope=COUNTY_SCOPE, case=moved[0]))
    assert [(s.transition, s.from_state, s.to_state) for s in steps] == [
        ("open", "", "open"), ("post", "open", "noticed"), ("check", "noticed", "checked")]
    assert steps[-1].by == user and steps[-1].comment == "同意"
    columns, rows = selectors.notice_rows(scope=COUNTY_SCOPE, notice=notice)
    assert [c[0] for c in columns] == ["name", "id_number", "phone"]
    assert rows[0]["id_number"] == "450224********0012" and rows[0]["phone"] == "138****5678"


def test_overdue_cases_are_listed_and_counted_by_region(regions):
    _open(regions, n=2, township=TOWNSHIP_A)
    _open(regions, n=1, township=TOWNSHIP_B, first=10)
    with pytest.raises(Conflict):  # one case per subject and procedure
        _open(regions, n=1)
    assert selectors.overdue_list(scope=COUNTY_SCOPE, as_of=date(2026, 2, 25)).count() == 0  # due that day
    by_township = selectors.overdue_by_region(scope=COUNTY_SCOPE, as_of=date(2026, 2, 26))
    assert [(r["prefix"], r["count"]) for r in by_township] == [("450224100", 2), ("450224101", 1)]
    assert by_township[0]["name"] == "长安镇"
    assert [r["count"] for r in selectors.overdue_by_region(scope=TOWNSHIP_SCOPE, as_of=date(2026, 2, 26))] == [2]


def test_a_step_cannot_be_dated_before_the_case_entered_its_state(regions):
    cases = _open(regions, n=1, first=20, on=date(2026, 3, 10))
    with pytest.raises(ValidationError) as exc:
        services.notice_publish(scope=TOWNSHIP_SCOPE, by=None, definition="test_flow", case_ids=[cases[0].pk],
                                region=cases[0].region_id, title="公示", starts_on=date(2026, 3, 9),
                                ends_on=date(2026, 3, 15), transition="post")
    assert "2026-03-10" in exc.value.message
    assert not selectors.notice_list(scope=COUNTY_SCOPE).exists()  # nothing half-written


def test_the_holiday_table_through_the_api(client, regions):
    from bangfu.accounts.services import api_token_create

    _token, key = api_token_create(user=make_user(Role.COUNTY_OFFICE), name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    made = client.post("/api/v1/procedures/holidays", {"day": "2027-02-06", "name": "春节"},
                       content_type="application/json", **auth)
    assert made.status_code == 200 and made.json()["working"] is False
    assert [h["day"] for h in client.get("/api/v1/procedures/holidays", {"year": 2027}, **auth).json()] == ["2027-02-06"]
    _token, key = api_token_create(user=make_user(Role.SCHOOL_ADMIN, region=village_of(TOWNSHIP_A).code), name="t")
    assert client.get("/api/v1/procedures/holidays", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 403
