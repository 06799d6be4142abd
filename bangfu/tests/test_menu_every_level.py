"""Every page of the menu and every API list, for every demo role, with a region of every level from
the province to a village — as significant digits or as the 12-digit code the API returns, the two in
turn from one page to the next — on a small demo county: no 5xx ever; inside the user's scope the page
answers, outside it is refused with a message (issue 14.1 and 14.6).

One demo load (seed 11, scale 0.05, the day pinned) serves the whole walk."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from bangfu.accounts.models import User
from bangfu.demo.generator import DEMO_USERNAMES
from bangfu.regions.models import Region

pytestmark = pytest.mark.django_db
TODAY = date(2026, 11, 23)
AS_OF = TODAY.isoformat()

# the menu's pages (base.html) that take a region filter, and those that do not
REGION_PAGES = ["registry:household_list", "compliance:rollup", "compliance:rows", "compliance:behind",
                "compliance:this_week"]
PAGES = ["home", "programmes:mine", "registry:person_list", "registry:organization_list", "programmes:programme_list",
         "imports:list", "registry:team_list", "accounts:users", "exports:jobs", "accounts:tokens"]
REGION_LISTS = ["/api/v1/households", "/api/v1/compliance", "/api/v1/compliance/rollup",
                "/api/v1/compliance/due-this-week"]
LISTS = ["/api/v1/persons", "/api/v1/organizations", "/api/v1/programmes", "/api/v1/activities", "/api/v1/exports",
         "/api/v1/regions/", "/api/v1/accounts/me"]
BY = ["region", "helper", "organization", "team", "programme", "obligation"]


def _levels() -> list[list[str]]:
    """A region of each level on the demo county's path, in both forms (one where they are the same)."""
    village = Region.objects.filter(parent_id="450224100000").order_by("code").first()
    levels = []
    for code in ("450000000000", "450200000000", "450224000000", "450224100000", village.code):
        prefix = Region.objects.get(code=code).prefix
        levels.append([prefix, code] if prefix != code else [code])
    return levels


def test_no_page_or_list_of_the_menu_fails_at_any_region_level(client, regions):
    out = StringIO()
    call_command("demo", "--seed", "11", "--scale", "0.05", "--today", AS_OF, stdout=out)
    levels = _levels()
    failed, wrong = [], []
    for user in User.objects.filter(username__in=DEMO_USERNAMES).select_related("region").order_by("username"):
        client.force_login(user)
        own = user.region.prefix if user.region_id else ""

        def get(url, params, *, region=None):
            response = client.get(url, params)
            if response.status_code >= 500:
                failed.append(f"{user.username} {url} {params}: {response.status_code}")
            elif region is not None and response.status_code not in (200, 302, 403, 404):
                wrong.append(f"{user.username} {url} {params}: {response.status_code}")
            elif region is not None and response.status_code in (200, 403):
                inside = Region.objects.filter(code=region).values_list("prefix", flat=True).first() or region
                if (response.status_code == 200) != inside.startswith(own):
                    wrong.append(f"{user.username} {url} {params}: {response.status_code} (own {own!r})")
            return response

        for name in PAGES:
            get(reverse(name), {})
        for url in LISTS:
            get(url, {})
        for forms in levels:  # each page and list once a level, the two forms taking turns
            asks = [(reverse(name), {}) for name in REGION_PAGES] + [(url, {}) for url in REGION_LISTS]
            asks += [("/api/v1/compliance/rollup", {"by": by}) for by in BY]  # grouped as the page groups
            for i, (url, params) in enumerate(asks):
                code = forms[i % len(forms)]
                get(url, {"region": code, "as_of": AS_OF, **params}, region=code)
    assert not failed, "\n".join(failed)
    assert not wrong, "\n".join(wrong)
