"""Date windows and corrections as the compliance API reports them, the same on SQLite and PostgreSQL:
the birthday window goes by the target's actual birth date (29 February included), a withdrawn
record counts for nothing, and an exemption excuses the period it covers."""

from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.activities.services import activity_correct, activity_record
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, make_household, make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/compliance"


def record(pairing, on, kind="慰问"):
    return activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                           data={"kind": kind, "occurred_on": on, "content": "生日慰问，送去学习用品"})


@pytest.fixture
def orphans(client, regions):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme = make_programme(name="爱心妈妈结对孤儿", target_kinds=["person"], starts_on=date(2024, 1, 1),
                               ends_on=date(2026, 12, 31))
    birthday = add_obligation(programme, name="生日前后慰问", kind="慰问", minimum=1, period="window",
                              window="birthday", window_before_days=3, window_after_days=3)
    mother = make_person(name="韦爱心", region=TOWNSHIP_A)
    children = {name: make_person(name=name, kind="child", region=TOWNSHIP_A, born=born)
                for name, born in (("三月生", date(2015, 3, 1)), ("闰日生", date(2016, 2, 29)),
                                   ("岁末生", date(2014, 12, 30)))}
    pairings = {name: services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=mother,
                                              target=child, starts_on=date(2024, 1, 1))
                for name, child in children.items()}
    return {"client": client, "programme": programme, "birthday": birthday, "pairings": pairings}


def done_by_year(client, programme, as_of="2026-06-30"):
    rows = client.get(API, {"programme": programme.pk, "as_of": as_of, "page_size": 100}).json()["items"]
    return {(r["target_name"], r["period_label"]): (r["done"], r["status"]) for r in rows}


def test_the_birthday_window_goes_by_the_actual_birth_date(orphans):
    p = orphans["pairings"]
    record(p["三月生"], date(2025, 2, 26))  # three days before 1 March: in the window
    record(p["三月生"], date(2025, 3, 5))  # four days after: outside
    record(p["闰日生"], date(2025, 2, 25))  # 2025 has no 29 February: the birthday is the 28th
    record(p["闰日生"], date(2024, 3, 4))  # 2024 has one: 4 March is five days after — outside
    record(p["岁末生"], date(2026, 1, 2))  # the window of 30 December 2025 reaches into 2026
    got = done_by_year(orphans["client"], orphans["programme"])
    assert got[("三月生", "2025年生日")] == (1, "met")
    assert got[("闰日生", "2025年生日")] == (1, "met")
    assert got[("闰日生", "2024年生日")] == (0, "overdue")
    assert got[("岁末生", "2025年生日")] == (1, "met")
    assert got[("岁末生", "2026年生日")][0] == 0


def test_a_withdrawn_record_counts_for_nothing_and_an_exemption_excuses_its_period(orphans):
    p, client = orphans["pairings"], orphans["client"]
    [wrong] = record(p["三月生"], date(2025, 3, 2))
    assert done_by_year(client, orphans["programme"])[("三月生", "2025年生日")] == (1, "met")
    activity_correct(scope=ADMIN_SCOPE, by=None, activity=wrong, data={}, reason="误录", withdraw=True)
    assert done_by_year(client, orphans["programme"])[("三月生", "2025年生日")] == (0, "overdue")

    user = make_user(Role.COUNTY_OFFICE)
    services.exemption_grant(scope=ADMIN_SCOPE, by=user, pairing=p["三月生"], obligation=orphans["birthday"],
                             starts_on=date(2025, 2, 1), ends_on=date(2025, 3, 31), reason="随亲属外出就医")
    got = done_by_year(client, orphans["programme"])
    assert got[("三月生", "2025年生日")] == (0, "exempt")
    assert got[("三月生", "2024年生日")] == (0, "overdue")


def test_households_handed_over_count_in_the_county_rollup_once(client, regions):
    """Roll-ups by region count a handed-over household once per period: with whoever held it."""
    client.force_login(make_user(Role.COUNTY_OFFICE))
    programme = make_programme()
    add_obligation(programme)
    household = make_household(members=1)
    old = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=make_person(),
                                  target=household, starts_on=date(2025, 1, 1))
    record(old, date(2025, 1, 8), kind="走访")
    new = services.pairing_handover(scope=ADMIN_SCOPE, by=None, pairing=old, new_helper=make_person(),
                                    on=date(2025, 2, 10), reason="原帮扶人退休")
    record(new, date(2025, 2, 20), kind="走访")
    rows = client.get(f"{API}/rollup", {"programme": programme.pk, "by": "region", "as_of": "2025-04-15"}).json()
    assert [(r["total"], r["met"], r["overdue"]) for r in rows] == [(4, 2, 1)]  # March overdue, April under way
