"""A region asked for in a filter is read in one place (Scope.narrow): inside the scope it narrows,
outside it is refused with a message — never widened to it, never silently dropped — and any form
of a code (prefix or the 12-digit statistical code the API itself returns) at any level works."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.activities.services import activity_record
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user, village_of

pytestmark = pytest.mark.django_db
AS_OF = {"as_of": "2025-03-10"}


@pytest.fixture
def pairings(regions):
    """One county programme with a household paired in each of two townships."""
    programme = make_programme()
    add_obligation(programme)
    made = {}
    for township in (TOWNSHIP_A, TOWNSHIP_B):
        helper = make_person(rank="staff", region=township, name=f"帮扶人{township[6:9]}")
        pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                          target=make_household(members=1, township=township),
                                          starts_on=date(2025, 1, 1))
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                        data={"kind": "走访", "occurred_on": date(2025, 1, 20), "content": "走访"})
        made[township] = pairing
    return programme, made


def test_a_township_asking_for_another_townships_region_is_refused(client, pairings):
    programme, made = pairings
    other = made[TOWNSHIP_B]
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    for region in (TOWNSHIP_B, TOWNSHIP_B[:9], other.region_id, "450225000000", "4502"):
        for path, extra in [("/api/v1/compliance", {}), ("/api/v1/compliance/rollup", {"by": "helper"}),
                            ("/api/v1/compliance/due-this-week", {})]:
            response = client.get(path, {"region": region, **AS_OF, **extra})
            assert response.status_code == 403, (path, region)
            assert response.json()["message"] == "所选地区不在您的权限范围内"
            assert other.helper_person.name not in response.content.decode()
        for name in ("compliance:rollup", "compliance:rows", "compliance:behind", "compliance:this_week"):
            response = client.get(reverse(name), {"region": region, **AS_OF})
            assert response.status_code == 403, (name, region)
            assert "所选地区不在您的权限范围内" in response.content.decode()
    # its own villages still narrow, by prefix or by the 12-digit code
    own = made[TOWNSHIP_A]
    for region in (own.region_id, TOWNSHIP_A, TOWNSHIP_A[:9]):
        items = client.get("/api/v1/compliance", {"region": region, **AS_OF}).json()["items"]
        assert {i["pairing_id"] for i in items} == {own.pk}


def test_ids_outside_the_scope_in_a_filter_are_refused(client, pairings):
    programme, made = pairings
    other = made[TOWNSHIP_B]
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    for key, value in [("pairing", other.pk), ("helper_person", other.helper_person_id), ("programme", 999999)]:
        response = client.get("/api/v1/compliance", {key: value, **AS_OF})
        assert response.status_code == 404, key
        assert "不在您的管辖范围内" in response.json()["message"]
        assert client.get(reverse("compliance:rows"), {key: value, **AS_OF}).status_code == 404
    # the other township's helper is found when they help inside the scope too
    services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=other.helper_person,
                            target=make_household(members=1, township=TOWNSHIP_A), starts_on=date(2025, 1, 1))
    response = client.get("/api/v1/compliance", {"helper_person": other.helper_person_id, **AS_OF})
    assert response.status_code == 200 and response.json()["count"] == 3


@pytest.mark.parametrize("region", ["450224000000", "450224", "450224100000", "450224100", "4502", "450200000000",
                                    "45", "450000000000"])
def test_every_form_of_a_region_code_at_every_level_is_read(client, pairings, region):
    client.force_login(make_user(Role.ADMIN, region=None))
    response = client.get("/api/v1/compliance/rollup", {"region": region, **AS_OF})
    assert response.status_code == 200
    township = region.startswith("450224100")
    assert sum(r["total"] for r in response.json()) == (3 if township else 6)  # a pairing's three months each
    assert client.get(reverse("compliance:rollup"), {"region": region, **AS_OF}).status_code == 200


def test_a_code_of_no_levels_length_is_400_and_an_unknown_one_404(client, pairings):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    for region in ("4502241", "4502241000", "45022410000", "4502241000000", "45x224"):
        response = client.get("/api/v1/compliance/rollup", {"region": region})
        households = client.get("/api/v1/households", {"region": region})
        if len(region) > 12 or not region.isdigit():  # the API's schema refuses it, naming the field
            assert response.status_code == households.status_code == 422, region
            assert response.json()["field"] == households.json()["field"] == "region"
        else:
            assert response.status_code == households.status_code == 400, region
            assert "区划代码应为2、4、6、9或12位数字" in response.json()["message"]
        assert client.get(reverse("compliance:rollup"), {"region": region}).status_code == 400
    assert client.get("/api/v1/compliance/rollup", {"region": "450224999"}).status_code == 404
    assert client.get("/api/v1/compliance/rollup", {"region": "450224", "region_length": 4}).status_code in (400, 422)
    assert client.get("/api/v1/compliance/rollup", {"region": "450224", "region_length": -1}).status_code in (400, 422)


def test_a_villages_roll_up_is_by_helper(client, pairings):
    programme, made = pairings
    village = made[TOWNSHIP_A].region_id
    client.force_login(make_user(Role.VILLAGE_TEAM, region=village))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("compliance:rollup"), AS_OF)
    assert page.status_code == 200 and page.context["by"] == "helper"
    # a village's summary rows by its code: a prepared statement's generic plan cannot range an index by LIKE $n
    # (on the demo county the village's roll-up scanned every helper row: 5.2 ms; by its code, 1.1 ms)
    summary_reads = [q["sql"] for q in queries.captured_queries if "compliance_compliance" in q["sql"]]
    assert summary_reads and not [sql for sql in summary_reads if "region_id LIKE" in sql]
    with CaptureQueriesContext(connection) as queries:  # the registry's too (Scope.in_prefix)
        assert client.get(reverse("registry:household_list")).status_code == 200
    household_reads = [q["sql"] for q in queries.captured_queries if "registry_household" in q["sql"]]
    assert household_reads and not [sql for sql in household_reads if "LIKE" in sql]
    assert [r["name"] for r in page.context["rows"]] == [made[TOWNSHIP_A].helper_person.name]
    client.force_login(make_user(Role.COUNTY_OFFICE))
    rows = client.get("/api/v1/compliance/rollup", {"region": village, **AS_OF}).json()
    assert [(r["name"], r["total"]) for r in rows] == [(made[TOWNSHIP_A].helper_person.name, 3)]


def test_registry_lists_refuse_a_region_or_organization_outside_the_scope(client, pairings):
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    village_b = village_of(TOWNSHIP_B).code
    response = client.get(reverse("registry:household_list"), {"region": village_b})
    assert response.status_code == 403 and "所选地区不在您的权限范围内" in response.content.decode()
    assert client.get("/api/v1/households", {"region": village_b}).status_code == 403
    assert client.get("/api/v1/households", {"region": village_of(TOWNSHIP_A).code}).status_code == 200
    assert client.get("/api/v1/regions/450224101000/children").status_code == 403
    assert client.get("/api/v1/regions/450224100000/children").json()
    assert client.get("/api/v1/persons", {"organization": 999999}).status_code == 404
    assert client.get("/api/v1/activities", {"household": made_household(pairings, TOWNSHIP_B)}).status_code == 404


def made_household(pairings, township):
    return pairings[1][township].target_household_id


def test_a_programme_set_up_for_the_city_opens_no_hole_across_counties(client, regions):
    """柳州市's programme covers 融安县 and 鹿寨县: each county office sees its own rows of it only."""
    from bangfu.regions.models import Region

    other_village, _ = Region.objects.get_or_create(code="450223100001", defaults=dict(
        name="城中社区居委会", level=5, parent_id="450223100000", prefix="450223100001", initials="czsqjwh",
        full_name="广西壮族自治区柳州市鹿寨县鹿寨镇城中社区居委会"))
    programme = make_programme(region="450200000000")
    add_obligation(programme)
    made = {}
    for county, village in (("450224", village_of(TOWNSHIP_A)), ("450223", other_village)):
        helper = make_person(rank="staff", region=village.code, name=f"帮扶人{county}")
        made[county] = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                               target=make_household(members=1, region=village),
                                               starts_on=date(2025, 1, 1))
    client.force_login(make_user(Role.COUNTY_OFFICE))
    for by in ("helper", "region", "programme", "organization"):
        rows = client.get("/api/v1/compliance/rollup", {"by": by, "programme": programme.pk, **AS_OF}).json()
        assert sum(r["total"] for r in rows) == 3, by
        assert "帮扶人450223" not in str(rows)
    items = client.get("/api/v1/compliance", {"programme": programme.pk, **AS_OF}).json()["items"]
    assert {i["pairing_id"] for i in items} == {made["450224"].pk}
    for region in ("450223", "450223000000", "450223100001", "4502", "450200000000"):
        assert client.get("/api/v1/compliance", {"region": region, **AS_OF}).status_code == 403, region
    assert client.get(f"/api/v1/programmes/{programme.pk}/pairings").json()["count"] == 1
    assert client.get(f"/api/v1/pairings/{made['450223'].pk}").status_code == 404


def test_a_roll_up_by_region_names_each_area_and_the_scopes_own_region(client, pairings):
    """The areas' names come from the kept reference data near the scope (the county's townships and villages),
    from a read of the rows' regions further down; the county's own pairings (450224000…) carry its name."""
    from bangfu.accounts.scope import Scope
    from bangfu.compliance.selectors import ComplianceFilters, _region_names, compliance_rollup
    from bangfu.regions.models import Region

    _programme, made = pairings
    county = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
    for scope, length in [(county, 9), (county, 12), (Scope(role=Role.ADMIN, prefix="45"), 9),
                          (Scope(role=Role.ADMIN, prefix="45"), 12)]:  # the last two: read from the rows
        rows = compliance_rollup(scope=scope, by="region", filters=ComplianceFilters(), as_of=date(2025, 3, 10),
                                 region_length=length)
        assert {r["key"]: r["name"] for r in rows} == {
            p.region_id[:length]: Region.objects.get(code=p.region_id[:length].ljust(12, "0")).name
            for p in made.values()}, (scope, length)
    assert _region_names(county, 9)["450224000"] == Region.objects.get(code="450224000000").name  # 融安县(本级)


def test_a_townships_summary_reads_range_its_codes(client, pairings):
    """A township's summary rows by the range of its codes (regions.code_range), which a prepared statement's
    generic plan ranges the summary tables' indexes by, as it cannot by LIKE $n. (The registry's tables keep
    LIKE: their region indexes are pattern indexes, which serve LIKE and not a range.)"""
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    with CaptureQueriesContext(connection) as queries:
        page = client.get(reverse("compliance:rollup"), AS_OF)
        assert client.get(reverse("compliance:rollup"), {**AS_OF, "by": "programme"}).status_code == 200
        assert client.get(reverse("compliance:behind"), AS_OF).status_code == 200
    assert page.status_code == 200 and page.context["rows"]
    reads = [q["sql"] for q in queries.captured_queries if "compliance_compliance" in q["sql"]]
    assert reads and not [sql for sql in reads if "region_id LIKE" in sql]
