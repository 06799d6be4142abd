"""Free text has sensible limits, refused with a clear message on the field that is too long."""

import re
from datetime import date

import pytest

from bangfu.activities.models import NOTE_MAX, Activity
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme
from bangfu.registry.models import Organization
from bangfu.tests.factories import ADMIN_SCOPE, RONGAN, make_household

pytestmark = pytest.mark.django_db
MEGABYTE_NOTE = "走访记录" * 87_400  # a 1 MB note (3 bytes a character)


@pytest.fixture
def pairing(regions):
    programme = make_programme()
    add_obligation(programme)
    return services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=make_person(rank="staff"),
                                   target=make_household(members=1), starts_on=date(2025, 1, 1))


def test_the_api_refuses_a_megabyte_activity_note(county_client, pairing):
    response = county_client.post("/api/v1/activities", {
        "pairing_ids": [pairing.pk], "kind": "走访", "occurred_on": "2025-02-01", "content": MEGABYTE_NOTE},
        content_type="application/json")
    assert response.status_code == 422 and response.json()["field"] == "content"
    assert str(NOTE_MAX) in response.json()["message"]
    assert not Activity.objects.exists()


def test_the_form_refuses_a_megabyte_activity_note(county_client, pairing):
    response = county_client.post(f"/activities/new/?pairing={pairing.pk}", {
        "kind": "走访", "occurred_on": "2025-02-01", "actor": "helper", "quantity": "1", "unit": "次",
        "content": "好", "outcome": MEGABYTE_NOTE})
    assert response.status_code == 400
    error = re.search(r'id="id_outcome_errors"[^>]*><li>(.*?)</', response.content.decode(), re.S)
    assert error and str(NOTE_MAX) in error.group(1), error  # Django's message: at most 2000 characters
    assert not Activity.objects.exists()


def test_the_service_refuses_it_whatever_calls_it(pairing):
    from bangfu.activities.services import activity_record
    from bangfu.errors import BangfuError

    with pytest.raises(BangfuError) as refused:
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                        data={"kind": "走访", "occurred_on": date(2025, 2, 1), "content": MEGABYTE_NOTE})
    assert refused.value.field == "content"


def test_an_organization_name_fails_on_the_name_not_on_its_initials(county_client, regions):
    name = "融安县" + "第一" * 30 + "中学"  # 65 characters: within the name's 100, over the initials' 60
    response = county_client.post("/api/v1/organizations", {"name": name, "kind": "school", "region": RONGAN},
                                  content_type="application/json")
    assert response.status_code == 201, response.content
    assert Organization.objects.get(name=name).initials.startswith("raxdydy")
    too_long = "融" * 101
    response = county_client.post("/api/v1/organizations", {"name": too_long, "kind": "school", "region": RONGAN},
                                  content_type="application/json")
    assert response.status_code == 400 and response.json()["field"] == "name"


def test_a_body_over_the_request_limit_is_refused_with_a_message(county_client):
    response = county_client.post("/api/v1/organizations", {"name": "学" * (1 << 20), "kind": "school"},
                                  content_type="application/json")
    assert response.status_code == 400 and "提交的内容太大" in response.json()["message"]
