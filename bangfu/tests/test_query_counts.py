"""Each main page reads a fixed number of queries, whatever the number of rows it shows (issue 18):
the same count for 5 households and for 50 — pairings, helpers of their own, members, visits
and missed months growing alike — so that no page can grow an N+1 unnoticed. The ceilings pin
today's counts; a page that needs one more query raises its ceiling here, in review."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.activities.services import activity_record
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme, make_school
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, make_household, make_user, village_of

pytestmark = pytest.mark.django_db
AS_OF = "2025-11-05"  # October is over: a missed visit is overdue, November's is under way


def _world() -> dict:
    programme = make_programme(name="干部结对帮扶")
    add_obligation(programme, name="每月走访帮扶户", kind="走访", minimum=1, period="month")
    units = [make_school(name="融安县人民政府办公室", kind="government"),
             make_school(name="融安县水利局", kind="government")]
    wei = make_person(name="韦志强", region=TOWNSHIP_A, organization=units[0], phone="13812345678")
    return {"programme": programme, "units": units, "wei": wei, "households": [],
            "helper": make_user(Role.HELPER, person=wei, display_name="韦志强"), "village": village_of(TOWNSHIP_A).code}


def _grow(world: dict, n: int) -> None:
    """n more households of one village, each paired: every other one with the same cadre (the helper
    who signs in), the others each with a cadre of their own from one of two units; a visit recorded
    for every third pairing in September and October."""
    programme, units, wei = world["programme"], world["units"], world["wei"]
    households, pairings = world["households"], []
    for i in range(len(households), len(households) + n):
        household = make_household(township=TOWNSHIP_A, members=2)
        helper = wei if i % 2 == 0 else make_person(region=TOWNSHIP_A, organization=units[i % 4 // 2],
                                                   phone=f"139{i:08d}")
        pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                          target=household, starts_on=date(2025, 3, 1))
        households.append(household)
        pairings.append(pairing)
    for month in (9, 10):
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=pairings[::3],
                        data={"kind": "走访", "occurred_on": date(2025, month, 12), "content": "入户走访"})


# page → (who signs in, url, query string): each is asked twice, the second time counted
PAGES = {
    "household list": ("county", lambda w: reverse("registry:household_list"), {}),
    "household page": ("county", lambda w: reverse("registry:household_detail", args=[w["households"][-1].pk]),
                       {"as_of": AS_OF}),
    "compliance, county": ("county", lambda w: reverse("compliance:rollup"), {"as_of": AS_OF}),
    "compliance, village": ("county", lambda w: reverse("compliance:rollup"), lambda w: {"as_of": AS_OF, "region": w["village"]}),
    "compliance, village team": ("village", lambda w: reverse("compliance:rollup"), {"as_of": AS_OF}),
    "compliance rows": ("county", lambda w: reverse("compliance:rows"), {"as_of": AS_OF}),
    "behind list": ("county", lambda w: reverse("compliance:behind"), {"as_of": AS_OF}),
    "this week": ("county", lambda w: reverse("compliance:this_week"), {"as_of": AS_OF}),
    "我的帮扶": ("helper", lambda w: reverse("programmes:mine"), {"as_of": AS_OF}),
    "API household list": ("county", lambda w: "/api/v1/households", {"page_size": 50}),
    "API compliance rows": ("county", lambda w: "/api/v1/compliance", {"as_of": AS_OF}),
}

# Today's counts (SQLite and PostgreSQL alike): the session, the user with the region they are bound to (one
# statement: accounts/backends.py), then the page's own. Each compliance statement first asks whether anything in the
# county is dated after the day asked (the county's latest day, one indexed read: without it the statement carries
# no per-row recount, selectors._recorded_after). A GET reads the reference data's stamp once (bangfu/reference.py).
CEILINGS = {
    "household list": 5,
    "household page": 10,  # + the names behind the change history's foreign keys; its pairings give the programmes
    "compliance, county": 6,
    "compliance, village": 8,
    "compliance, village team": 7,
    "compliance rows": 8,  # the statuses' counts, then the page by them (obligations and EXISTS read once)
    "behind list": 8,
    "this week": 8,
    "我的帮扶": 9,  # + the helper's measures not yet delivered
    "API household list": 4,
    "API compliance rows": 7,
}


def _counts(client, world, users) -> dict[str, int]:
    counts = {}
    for name, (who, url, query) in PAGES.items():
        client.force_login(users[who])
        address, query = url(world), query(world) if callable(query) else query
        first = client.get(address, query)
        assert first.status_code == 200, (name, first.status_code, first.content[:300])
        with CaptureQueriesContext(connection) as queries:
            response = client.get(address, query)
        assert response.status_code == 200, name
        counts[name] = len(queries)
    return counts


def test_every_main_page_reads_as_many_queries_for_50_rows_as_for_5(client, regions):
    world = _world()
    users = {"county": make_user(Role.COUNTY_OFFICE), "village": make_user(Role.VILLAGE_TEAM, region=world["village"]),
             "helper": world["helper"]}
    _grow(world, 5)
    small = _counts(client, world, users)
    _grow(world, 45)  # 50 households, pairings and 25 helpers in all
    large = _counts(client, world, users)
    assert large == small, {name: (small[name], large[name]) for name in small if small[name] != large[name]}
    over = {name: (count, CEILINGS[name]) for name, count in small.items() if count > CEILINGS[name]}
    assert not over, (over, small)
