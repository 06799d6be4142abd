"""Measures (一户一策) and projects through the API and the plan page."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.measures.models import MeasureEvidence
from bangfu.registry import services as registry
from bangfu.subsidies.tests.test_scenario import Caller
from bangfu.funds.tests.factories import make_allocation, make_fund
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, id_number, make_household, make_user, village_of

pytestmark = pytest.mark.django_db


def photo(name: str, fmt: str = "PNG"):
    """A small real image, as a phone would upload it."""
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), (200, 120, 0)).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def test_a_household_plan_delivered_by_its_helper(client, regions):
    household = make_household(members=2)
    far = make_household(township=TOWNSHIP_B)
    cadre = registry.person_create(scope=ADMIN_SCOPE, by=None, data={
        "name": "韦帮扶", "id_number": id_number(), "kind": "cadre", "region": village_of(TOWNSHIP_A)})
    township = Caller(client, make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    allocation = make_allocation(make_fund(), amount="50000", region=TOWNSHIP_A, purpose="产业奖补")
    body = {"household_id": household.pk, "category": "industry", "description": "发展滑皮金桔种植 5 亩",
            "helper_id": cadre.pk, "planned_on": "2026-04-30", "amount": "5000", "allocation_id": allocation.pk,
            "expected_income": "6000"}
    measure = township.ok("/measures", body)
    assert township.post("/measures", {**body, "household_id": far.pk}).status_code == 404
    assert township.post("/measures", {**body, "category": "magic"}).status_code == 400
    other = Caller(client, make_user(Role.HELPER, region=village_of(TOWNSHIP_A).code))
    refused = other.post(f"/measures/{measure['id']}/delivery", {"delivered_on": "2026-04-28"})
    assert refused.status_code == 403 and "责任人" in refused.json()["message"]
    helper = make_user(Role.HELPER, region=village_of(TOWNSHIP_A).code, person=cadre)
    client.force_login(helper)
    mine = client.get(reverse("programmes:mine")).content.decode()  # the helper's phone page lists it
    assert "发展滑皮金桔种植" in mine and reverse("measures:household_plan", args=[household.pk]) in mine
    assert household.head.name in mine and "产业" in mine  # the household by its head, the category's label
    page = client.get(reverse("measures:household_plan", args=[household.pk])).content.decode()
    assert "发展滑皮金桔种植" in page and "标记落实" in page
    done = client.post(reverse("measures:measure_deliver", args=[measure["id"]]),
                       {"delivered_on": "2026-04-28", "note": "苗木已到户", "photo": photo("苗木.png")})
    assert done.status_code == 302
    page = client.get(reverse("measures:household_plan", args=[household.pk])).content.decode()
    [evidence] = MeasureEvidence.objects.filter(measure_id=measure["id"])
    url = reverse("measures:measure_evidence", args=[evidence.pk])
    assert url in page and "发展滑皮金桔种植" not in client.get(reverse("programmes:mine")).content.decode()
    assert client.get(url).status_code == 200 and evidence.name == "苗木.png"
    more = Caller(client, helper).client.post(f"/api/v1/measures/{measure['id']}/evidence", {"file": photo("b.jpg", "JPEG")},
                                              HTTP_AUTHORIZATION=Caller(client, helper).headers["HTTP_AUTHORIZATION"])
    assert more.status_code == 201 and more.json()["url"].startswith("/measures/evidence/")
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.get(url).status_code == 404
    not_photo = other.client.post(f"/api/v1/measures/{measure['id']}/evidence",
                                  {"file": photo("x.png")}, HTTP_AUTHORIZATION=other.headers["HTTP_AUTHORIZATION"])
    assert not_photo.status_code == 403
    plan = township.get("/measures", household=household.pk).json()["items"]
    assert [(m["status"], m["delivered_on"], m["delivery_note"]) for m in plan] == [
        ("delivered", "2026-04-28", "苗木已到户")]
    again = township.post(f"/measures/{measure['id']}/delivery", {"delivered_on": "2026-04-29"})
    assert again.status_code == 409


def test_a_project_with_milestones_beneficiaries_and_acceptance(client, regions):
    households = [make_household(members=1) for _ in range(3)]
    village = village_of(TOWNSHIP_A).code
    county = Caller(client, make_user(Role.COUNTY_OFFICE))
    project = county.ok("/projects", {
        "name": "长安镇饮水安全巩固提升工程", "kind": "infra", "region": village, "unit": "立方米",
        "planned_quantity": "200", "budget": "380000", "starts_on": "2026-03-01",
        "milestones": [{"title": "完成招标", "due_on": "2026-03-20"}, {"title": "完工", "due_on": "2026-06-30"}],
        "households": [h.pk for h in households]})
    assert project["household_ids"] == sorted(h.pk for h in households)
    finance = Caller(client, make_user(Role.FINANCE))
    fund = make_fund()
    allocation = finance.ok("/allocations", {"fund_id": fund.pk, "region": village, "amount": "380000",
                                             "purpose": "饮水工程", "allocated_on": "2026-03-01",
                                             "target_kind": "project", "target_id": project["id"]})
    assert Decimal(allocation["remaining"]) == Decimal("380000")
    accepted = county.ok(f"/projects/{project['id']}/acceptance", {"accepted_on": "2026-07-05",
                                                                   "accepted_quantity": "210"})
    assert (accepted["status"], accepted["accepted_quantity"]) == ("accepted", "210.00")
    other_county = Caller(client, make_user(Role.COUNTY_OFFICE, region="450223000000"))
    assert other_county.get(f"/projects/{project['id']}").status_code == 404
