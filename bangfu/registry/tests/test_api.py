import pytest

from bangfu.tests.factories import make_household

pytestmark = pytest.mark.django_db


def test_the_household_list_shows_each_household_as_its_own_api_page_does(county_client):
    """The list reads its rows as values and masks them itself (registry.api.household_out_row); a household's
    own endpoint reads the model instance through the schema's resolvers. Both say the same, masks included."""
    households = [make_household(members=2, phone="13800138000", other_causes="disability,education"),
                  make_household(members=0, phone=""),
                  make_household(members=1, other_causes="")]
    listed = county_client.get("/api/v1/households", {"page_size": 50}).json()
    assert listed["count"] == 3
    by_id = {item["id"]: item for item in listed["items"]}
    for household in households:
        own = county_client.get(f"/api/v1/households/{household.pk}").json()
        assert by_id[household.pk] == own
    first, headless, _ = (by_id[h.pk] for h in households)
    assert first["phone"] == "138****8000" and first["other_causes"] == ["disability", "education"]
    assert first["head_name"] == households[0].head.name
    assert "*" in first["head_id_number"] and households[0].head.id_number not in str(listed)
    assert (headless["head_name"], headless["head_id_number"], headless["phone"]) == (None, "", "")


def test_the_household_list_counts_without_joining_the_heads_it_shows(county_client):
    """The rows name each head (a join); the count reads the households alone, as the HTML list's does, and a
    page past the first still says how many there are."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        make_household(members=2)
    with CaptureQueriesContext(connection) as queries:
        listed = county_client.get("/api/v1/households", {"page_size": 2, "page": 2}).json()
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "JOIN" not in counts[0]
    assert listed["count"] == 3 and len(listed["items"]) == 1 and listed["items"][0]["head_name"]


def test_the_api_writes_amounts_dates_and_times_as_django_and_ninja_do():
    """bangfu.api.Renderer writes with pydantic-core: the same values as ninja's encoder (Django's) would,
    amounts as strings and dates ISO, but times with their microseconds and text as UTF-8."""
    import json
    from datetime import date, datetime, timezone
    from decimal import Decimal

    from django.utils.translation import gettext_lazy
    from ninja.responses import NinjaJSONEncoder

    from bangfu.api import Renderer

    data = {"items": [{"income": Decimal("14648.50"), "zero": Decimal("0.00"), "on": date(2026, 1, 2),
                       "at": datetime(2026, 1, 2, 3, 4, 5, 678901, tzinfo=timezone.utc), "none": None, "name": "王芳",
                       "label": gettext_lazy("户主"), "n": 3, "share": 0.25, "flags": [True, False]}]}
    written = Renderer().render(None, data, response_status=200)
    assert "王芳".encode() in written
    read, ninja = json.loads(written), json.loads(json.dumps(data, cls=NinjaJSONEncoder))
    assert read["items"][0].pop("at") == "2026-01-02T03:04:05.678901Z"
    assert ninja["items"][0].pop("at") == "2026-01-02T03:04:05.678Z"
    assert read == ninja
    assert read["items"][0]["income"] == "14648.50" and read["items"][0]["label"] == "户主"
