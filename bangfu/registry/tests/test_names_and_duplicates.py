"""Issue 12: names stored and searched without their padding spaces; a probable duplicate (no ID
number, same name, unit and birth date) is registered only when the user confirms."""

from datetime import date

import pytest
from django.urls import reverse

from bangfu.registry.models import Person
from bangfu.registry.services import organization_create
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, village_of

pytestmark = pytest.mark.django_db


def _unit():
    return organization_create(scope=ADMIN_SCOPE, by=None, data={"name": "长安镇中心小学", "kind": "school",
                                                                 "region": village_of(TOWNSHIP_A)})


def _payload(unit, **extra) -> dict:
    return {"name": "王　芳", "gender": "female", "birth_date": "2015-03-04", "region": village_of(TOWNSHIP_A).code,
            "kind": "student", "organization": unit.pk, **extra}


def test_a_name_is_stored_without_its_padding_and_found_by_its_plain_form(county_client):
    unit = _unit()
    response = county_client.post("/api/v1/persons", _payload(unit), content_type="application/json")
    assert response.status_code == 201, response.content
    person = Person.objects.get(pk=response.json()["id"])
    assert (person.name, person.initials) == ("王芳", "wf")
    for q in ("王芳", "王 芳", "王　芳", "wf"):
        found = county_client.get("/api/v1/persons", {"q": q}).json()
        assert [p["name"] for p in found["items"]] == ["王芳"], q
    page = county_client.get(reverse("registry:person_list"), {"q": "王 芳"}).content.decode()
    assert "王芳" in page


def test_the_api_refuses_a_probable_duplicate_until_confirmed(county_client):
    unit = _unit()
    assert county_client.post("/api/v1/persons", _payload(unit), content_type="application/json").status_code == 201
    again = county_client.post("/api/v1/persons", _payload(unit, name="王芳"), content_type="application/json")
    assert again.status_code == 409
    assert again.json()["field"] == "confirm_duplicate" and "可能是同一人" in again.json()["message"]
    assert Person.objects.count() == 1
    # Another birth date, or an ID number, is another person without asking.
    other = county_client.post("/api/v1/persons", _payload(unit, birth_date="2015-03-05"),
                               content_type="application/json")
    assert other.status_code == 201
    confirmed = county_client.post("/api/v1/persons", _payload(unit, confirm_duplicate=True),
                                   content_type="application/json")
    assert confirmed.status_code == 201 and Person.objects.filter(name="王芳").count() == 3


def test_the_page_asks_to_confirm_a_probable_duplicate(county_client):
    unit = _unit()
    form = {"name": "覃小燕", "gender": "female", "birth_date": "2014-09-06", "ethnicity": "壮族",
            "region": village_of(TOWNSHIP_A).code, "schooling": "primary", "health": "healthy", "kind": "student",
            "organization": unit.pk}
    first = county_client.post(reverse("registry:person_create"), form)
    assert first.status_code == 302, first.content.decode()[:2000]
    second = county_client.post(reverse("registry:person_create"), form)
    assert second.status_code == 400
    page = second.content.decode()
    assert "可能是同一人" in page and 'name="confirm_duplicate"' in page
    assert Person.objects.filter(name="覃小燕").count() == 1
    confirmed = county_client.post(reverse("registry:person_create"), {**form, "confirm_duplicate": "on"})
    assert confirmed.status_code == 302
    assert list(Person.objects.filter(name="覃小燕").values_list("birth_date", flat=True)) == [date(2014, 9, 6)] * 2


def test_names_registered_before_lose_their_padding(regions):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("bangfu.registry.migrations.0006_person_names_without_spaces")
    village = village_of(TOWNSHIP_A)
    old = Person.objects.create(name="韦　丽", initials="w l", gender="female", region=village,
                                county_code=village.code[:6])
    latin = Person.objects.create(name="Li  Ming ", initials="lm", gender="male", region=village,
                                  county_code=village.code[:6])
    migration.forwards(apps, None)
    old.refresh_from_db()
    latin.refresh_from_db()
    assert (old.name, old.initials, latin.name) == ("韦丽", "wl", "Li Ming")
