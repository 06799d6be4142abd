"""Every page the menu leads to, for every role, and every internal link on those pages: no dead link
(404), no server error and no raw English code where a Chinese label belongs (issue 14)."""

import re
from html.parser import HTMLParser

import pytest
from django.db import models

from bangfu.accounts.roles import Role
from bangfu.tests.factories import TOWNSHIP_A, make_user
from bangfu.tests.test_pages import world  # noqa: F401  (the fixture)

pytestmark = pytest.mark.django_db


def _choice_codes() -> set[str]:
    """Every choice value of the project's models with an underscore (county_leader, on_track …)."""
    from django.apps import apps

    codes = set()
    for model in apps.get_app_config("registry").get_models():
        for f in model._meta.get_fields():
            for value, _label in getattr(f, "flatchoices", None) or []:
                if isinstance(value, str) and "_" in value:
                    codes.add(value)
    for module in ("bangfu.accounts.roles", "bangfu.programmes.choices", "bangfu.registry.choices"):
        mod = __import__(module, fromlist=["_"])
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, models.TextChoices) and obj is not models.TextChoices:
                codes.update(v for v in obj.values if "_" in v)
    return codes


SNAKE = re.compile(r"\b[a-z]+(?:_[a-z]+)+\b")


class _Page(HTMLParser):
    """The visible text of a page and its internal links."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self._skip = [], set(), 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        href = dict(attrs).get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            self.links.add(href.split("#")[0])

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def _parse(content: bytes) -> _Page:
    page = _Page()
    page.feed(content.decode())
    return page


SKIP = ("/static/", "/api/v1/docs", "/i18n/")
ROLES = [(Role.ADMIN, None), (Role.COUNTY_OFFICE, "450224000000"), (Role.TOWNSHIP_OFFICE, TOWNSHIP_A),
         # The village's own 落实情况 raises KeyError in compliance/selectors.py (issue 14 item 1, fixed on
         # the "scope" branch): drop this mark when both are merged.
         pytest.param(Role.VILLAGE_TEAM, "village", marks=pytest.mark.xfail(reason="issue 14 item 1", strict=False)), (Role.HELPER, "450224000000"), (Role.SCHOOL_ADMIN, TOWNSHIP_A),
         (Role.INSPECTOR, "450224000000")]


@pytest.mark.parametrize("role,region", ROLES)
def test_the_menus_pages_have_no_dead_link_and_no_raw_code(client, world, role, region):  # noqa: F811
    from bangfu.programmes.tests.factories import make_school

    from bangfu.programmes import services
    from bangfu.tests.factories import ADMIN_SCOPE

    # a "54321" rule: the programme page shows 县级领导 5 户, never county_leader
    services.capacity_rule_set(scope=ADMIN_SCOPE, by=None, programme=world["programme"], helper_rank="county_leader",
                               max_targets=5)
    kwargs = {}
    if region == "village":
        region = world["helped"].region_id
    if role == Role.HELPER:
        kwargs["person"] = world["wei"]
        user = world["helper"]
    else:
        if role == Role.SCHOOL_ADMIN:
            kwargs["organization"] = make_school(name="长安镇中心小学", region=TOWNSHIP_A)
        user = make_user(role, region=region, **kwargs)
    client.force_login(user)
    codes = _choice_codes()
    home = client.get("/", follow=True)
    assert home.status_code == 200
    menu = _parse(home.content).links
    seen, problems = set(), []
    queue = sorted(menu)
    while queue and len(seen) < 120:
        url = queue.pop(0)
        if url in seen or url.startswith(SKIP) or "logout" in url:
            continue
        seen.add(url)
        response = client.get(url)
        if response.status_code >= 400:
            problems.append(f"{url} → {response.status_code}")
            continue
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            continue
        page = _parse(response.content)
        text = " ".join(page.text)
        raw = {t for t in SNAKE.findall(text) if t in codes}
        if raw:
            problems.append(f"{url}: {sorted(raw)}")
        if url in menu:  # one step further from the menu's pages: the links they offer
            queue.extend(sorted(page.links - seen))
    assert not problems, problems
    assert len(seen) > 5
