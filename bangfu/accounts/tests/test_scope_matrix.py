"""Every role, every read and write path: nothing outside the user's scope can be seen or changed.

A scope leak through one forgotten path is the classic failure of registries; this matrix
walks the pages and the API with ids guessed from another township or county.
"""

import json

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.privacy.models import FullRead
from bangfu.regions.models import Region
from bangfu.registry import services
from bangfu.registry.models import Organization
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, id_number, make_household, make_user, village_of

pytestmark = pytest.mark.django_db

OTHER_COUNTY_VILLAGE = "450223100001"


@pytest.fixture
def world(regions):
    Region.objects.get_or_create(code=OTHER_COUNTY_VILLAGE, defaults=dict(
        name="城中社区居委会", level=5, parent_id="450223100000", prefix=OTHER_COUNTY_VILLAGE, initials="czsqjwh",
        full_name="广西壮族自治区柳州市鹿寨县鹿寨镇城中社区居委会"))
    village_a = village_of(TOWNSHIP_A)
    school = services.organization_create(scope=ADMIN_SCOPE, by=None, data={
        "name": "长安镇中心小学", "kind": "school", "region": village_a})
    home = make_household(township=TOWNSHIP_A)
    neighbour_village = Region.objects.filter(parent_id=TOWNSHIP_A).order_by("code")[1]
    neighbour = make_household(region=neighbour_village)  # same township, another village
    township_b = make_household(township=TOWNSHIP_B)
    county_b = services.household_create(scope=ADMIN_SCOPE, by=None, data={
        "number": OTHER_COUNTY_VILLAGE + "0001", "region": OTHER_COUNTY_VILLAGE, "status": "poor"})
    services.person_create(scope=ADMIN_SCOPE, by=None, data={
        "name": "覃外县", "id_number": id_number(area="450223"), "household": county_b, "relation": "head"})
    county_b.refresh_from_db()
    other_org = services.organization_create(scope=ADMIN_SCOPE, by=None, data={
        "name": "鹿寨镇中心小学", "kind": "school", "region": OTHER_COUNTY_VILLAGE})
    return {"school": school, "home": home, "neighbour": neighbour, "township_b": township_b, "county_b": county_b,
            "village_a": village_a, "other_org": other_org}


def _user_for(role, world):
    region = {
        Role.COUNTY_OFFICE: "450224000000",
        Role.TOWNSHIP_OFFICE: TOWNSHIP_A,
        Role.VILLAGE_TEAM: world["village_a"].code,
        Role.HELPER: world["village_a"].code,
        Role.SCHOOL_ADMIN: world["village_a"].code,
        Role.INSPECTOR: TOWNSHIP_A,
    }[role]
    organization = world["school"] if role == Role.SCHOOL_ADMIN else None
    return make_user(role, region=region, organization=organization)


def _outside(role, world):
    """Households the role must never reach."""
    if role == Role.SCHOOL_ADMIN:
        return [world["home"], world["township_b"], world["county_b"]]
    if role == Role.COUNTY_OFFICE:
        return [world["county_b"]]
    if role in (Role.TOWNSHIP_OFFICE, Role.INSPECTOR):
        return [world["township_b"], world["county_b"]]
    return [world["neighbour"], world["township_b"], world["county_b"]]


ROLES = [Role.COUNTY_OFFICE, Role.TOWNSHIP_OFFICE, Role.VILLAGE_TEAM, Role.HELPER, Role.SCHOOL_ADMIN, Role.INSPECTOR]


@pytest.mark.parametrize("role", ROLES)
def test_pages_hide_and_refuse_what_is_outside_scope(client, world, role):
    user = _user_for(role, world)
    client.force_login(user)
    listing = client.get(reverse("registry:household_list")).content.decode()
    persons = client.get(reverse("registry:person_list")).content.decode()
    home = client.get("/")
    for household in _outside(role, world):
        assert household.number not in listing
        assert household.head.name not in persons
        # read-only roles are refused every form (403) before anything is looked up
        refused = 404 if user.role_rules.edit_registry else 403
        assert client.get(reverse("registry:household_detail", args=[household.pk])).status_code == 404
        assert client.get(reverse("registry:person_detail", args=[household.head_id])).status_code == 404
        for name in ("household_edit", "member_create"):
            assert client.get(reverse(f"registry:{name}", args=[household.pk])).status_code == refused, name
        assert client.post(reverse("registry:household_edit", args=[household.pk]), {"number": "x"}).status_code == refused
        assert client.get(reverse("registry:person_edit", args=[household.head_id])).status_code == refused
        assert client.post(reverse("registry:reveal", args=["person", household.head_id, "id_number"])).status_code == 404
        assert client.post(reverse("registry:reveal", args=["household", household.pk, "phone"])).status_code == 404
        assert client.get(reverse("registry:household_list"), {"q": household.head.id_number}).context[
            "page_obj"].paginator.count == 0
    assert client.get(reverse("registry:organization_detail", args=[world["other_org"].pk])).status_code == 404
    assert world["other_org"].name not in client.get(reverse("registry:organization_list")).content.decode()
    # the home page counts only what is inside
    outside_ids = {h.pk for h in _outside(role, world)}
    total = 0 if role == Role.SCHOOL_ADMIN else 4 - len(outside_ids)
    summary = home.context.get("summary")  # a school administrator's home shows its school, not households
    assert (summary.households if summary else 0) == total
    assert not FullRead.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_the_api_hides_and_refuses_what_is_outside_scope(client, world, role):
    client.force_login(_user_for(role, world))
    listed = {row["id"] for row in client.get("/api/v1/households?page_size=500").json()["items"]}
    listed_persons = {row["id"] for row in client.get("/api/v1/persons?page_size=500").json()["items"]}
    for household in _outside(role, world):
        assert household.pk not in listed
        assert household.head_id not in listed_persons
        for path in (f"/api/v1/households/{household.pk}", f"/api/v1/households/{household.pk}/members",
                     f"/api/v1/persons/{household.head_id}", f"/api/v1/persons/{household.head_id}/personal/id_number",
                     f"/api/v1/households/{household.pk}/personal/phone"):
            response = client.get(path)
            assert response.status_code == 404, path
        for path in (f"/api/v1/households/{household.pk}", f"/api/v1/persons/{household.head_id}"):
            response = client.patch(path, data=json.dumps({"address": "改"}), content_type="application/json")
            assert response.status_code in (403, 404), path
    assert client.get(f"/api/v1/organizations/{world['other_org'].pk}").status_code == 404
    assert client.get("/api/v1/regions/", {"q": "450223"}).json() == []
    assert not FullRead.objects.exists()


@pytest.mark.parametrize("role", ROLES)
def test_drop_downs_offer_only_regions_in_scope(client, world, role):
    user = _user_for(role, world)
    client.force_login(user)
    response = client.get(reverse("registry:household_list"))
    codes = [c for c, _ in response.context["form"].fields["region"].choices if c]
    assert codes and all(str(c).startswith(user.region.prefix) for c in codes)


@pytest.mark.parametrize("role", [Role.HELPER, Role.INSPECTOR])
def test_read_only_roles_cannot_write(client, world, role):
    user = _user_for(role, world)
    client.force_login(user)
    home = world["home"]
    response = client.post(reverse("registry:household_create"), {
        "number": "4502241000019999", "region": world["village_a"].code, "status": "poor"})
    assert response.status_code == 403
    assert "只能查看" in response.content.decode()
    assert client.get(reverse("registry:household_edit", args=[home.pk])).status_code == 403
    response = client.patch(f"/api/v1/households/{home.pk}", data=json.dumps({"address": "改"}),
                            content_type="application/json")
    assert response.status_code == 403
    assert response.json()["message"]
    home.refresh_from_db()
    assert home.address != "改"
    assert not Organization.objects.filter(name="改").exists()


def test_an_api_token_carries_its_users_scope(client, world):
    from bangfu.accounts.services import api_token_create

    user = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    _token, key = api_token_create(user=user, name="脚本")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    listed = {row["number"] for row in client.get("/api/v1/households", **auth).json()["items"]}
    assert world["home"].number in listed and world["township_b"].number not in listed
    assert client.get(f"/api/v1/households/{world['township_b'].pk}", **auth).status_code == 404
    assert client.get("/api/v1/households", HTTP_AUTHORIZATION="Bearer wrong").status_code == 401
    assert client.get("/api/v1/accounts/me", **auth).json()["region_code"] == TOWNSHIP_A
