"""Every page the menu leads to, for every demo role, and the internal links on those pages: no dead
link (404), no server error and no raw English code where a Chinese label belongs (issue 14).

One small demo county (seed 11, scale 0.05, the day pinned) serves the whole walk. For each demo
account the walk opens the home and every page of the menu (the site's navigation, the account menu
and the helper's bottom bar), then every internal link those pages offer: each distinct link up to
a few of the same shape (/households/<id>/ is one shape, whatever the id; a query string's keys are
part of the shape), so a list of fifty households is checked through a handful of them. Every page
opened is read for snake_case identifiers and the project's choice codes in its visible text,
tooltips and placeholders."""

import re
from datetime import date
from html.parser import HTMLParser
from io import StringIO
from urllib.parse import parse_qsl, urlsplit

import pytest
from django.apps import apps
from django.core.management import call_command
from django.db import models

from bangfu.accounts.models import User
from bangfu.demo.generator import DEMO_USERNAMES

pytestmark = [pytest.mark.django_db, pytest.mark.once]  # test_menu_every_level.py walks the menu on both
TODAY = date(2026, 11, 23)
SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w./-])")
SKIP = ("/static/", "/api/v1/docs", "/i18n/", "/media/")
PER_SHAPE = 3  # links of one shape followed per account
# not read for codes: scripts, and what a page shows as code on purpose (a template's field names)
SKIP_TEXT = ("script", "style", "template", "code", "kbd", "pre", "samp")
FILE_FORMATS = {"xlsx", "xls", "ods", "csv", "docx", "pdf"}


def choice_codes() -> set[str]:
    """Every choice value of the project's models and choice classes that reads as a code
    (county_leader, on_track, household …): a page shows its label, never the value."""
    codes = set()
    for config in apps.get_app_configs():
        if not config.name.startswith("bangfu."):
            continue
        for model in config.get_models():
            for f in model._meta.get_fields():
                for value, _label in getattr(f, "flatchoices", None) or []:
                    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_]{3,}", value):
                        codes.add(value)
    for module in ("bangfu.accounts.roles", "bangfu.programmes.choices", "bangfu.registry.choices"):
        mod = __import__(module, fromlist=["_"])
        for obj in vars(mod).values():
            if isinstance(obj, type) and issubclass(obj, models.TextChoices) and obj is not models.TextChoices:
                codes.update(v for v in obj.values if re.fullmatch(r"[a-z][a-z0-9_]{3,}", v))
    from bangfu.compliance.selectors import STATUS_LABELS

    codes.update(STATUS_LABELS)
    return codes


class Page(HTMLParser):
    """The visible text of a page (with tooltips and placeholders), its internal links and the links
    of its menus."""

    def __init__(self):
        super().__init__()
        self.text, self.links, self.menu, self._skip, self._menu = [], [], [], 0, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in SKIP_TEXT:
            self._skip += 1
        if tag in ("ul", "nav") and (attrs.get("id") == "site-nav" or "bottom-bar" in (attrs.get("class") or "")):
            self._menu = 1
        elif self._menu and tag in ("ul", "nav"):
            self._menu += 1
        for name in ("title", "placeholder", "aria-label"):
            if attrs.get(name):
                self.text.append(attrs[name])
        href = attrs.get("href") if tag == "a" else None
        if href and href.startswith("/") and not href.startswith("//"):
            href = href.split("#")[0]
            self.links.append(href)
            if self._menu:
                self.menu.append(href)

    def handle_endtag(self, tag):
        if tag in SKIP_TEXT:
            self._skip -= 1
        if self._menu and tag in ("ul", "nav"):
            self._menu -= 1

    def handle_data(self, data):
        if not self._skip:
            self.text.append(data)


def parse(content: bytes) -> Page:
    page = Page()
    page.feed(content.decode())
    return page


def shape(url: str) -> str:
    parts = urlsplit(url)
    keys = sorted({k for k, _v in parse_qsl(parts.query, keep_blank_values=True)} - {"as_of"})
    return re.sub(r"\d+", "N", parts.path) + "?" + "&".join(keys)


PYTHON_VALUES = {"None", "True", "False", "nan"}  # a template printing a missing or raw value


def raw_codes(text: str, codes: set[str]) -> set[str]:
    words = set(re.findall(r"(?<![\w./@-])[a-z][a-z0-9_]{3,}(?![\w./@-])", text))
    shown = set(re.findall(r"(?<![\w./@-])[A-Za-z]+(?![\w./@-])", text))
    return set(SNAKE.findall(text)) | (words & codes) | (shown & PYTHON_VALUES)


def walk(client, user, codes: set[str]) -> tuple[list[str], int]:
    """(problems, pages opened) for one account."""
    client.force_login(user)
    home = client.get("/", follow=True)
    problems = []
    if home.status_code != 200:
        return [f"{user.username} / → {home.status_code}"], 1
    first = parse(home.content)
    menu = ["/", home.request["PATH_INFO"], *first.menu]
    seen, shapes, opened = set(), {}, 0

    def open_(url: str, *, source: str) -> Page | None:
        nonlocal opened
        seen.add(url)
        response = client.get(url)
        opened += 1
        if response.status_code >= 400:
            problems.append(f"{user.username}: {url} → {response.status_code} (linked from {source})")
            return None
        if response.status_code != 200 or not response.get("Content-Type", "").startswith("text/html"):
            return None
        page = parse(response.content)
        raw = raw_codes(" ".join(page.text), codes)
        if raw:
            problems.append(f"{user.username}: {url} shows {sorted(raw)}")
        return page

    pages = []
    for url in dict.fromkeys(menu):
        if url not in seen:
            page = open_(url, source="the menu")
            if page:
                pages.append((url, page))
    for source, page in pages:
        for url in dict.fromkeys(page.links):
            if url in seen or url.startswith(SKIP) or "logout" in url:
                continue
            key = shape(url)
            if shapes.get(key, 0) >= PER_SHAPE:
                continue
            shapes[key] = shapes.get(key, 0) + 1
            open_(url, source=source)
    return problems, opened


def test_no_page_the_menu_reaches_has_a_dead_link_or_an_english_code(client, regions):
    call_command("demo", "--seed", "11", "--scale", "0.05", "--today", TODAY.isoformat(), stdout=StringIO())
    codes = choice_codes() - set(DEMO_USERNAMES) - FILE_FORMATS  # accounts' names and file types are words
    assert {"county_leader", "on_track", "household"} <= codes
    problems, opened = [], {}
    users = User.objects.filter(username__in=DEMO_USERNAMES).select_related("region").order_by("username")
    assert users.count() == len(DEMO_USERNAMES)
    for user in users:
        found, opened[user.username] = walk(client, user, codes)
        problems += found
    assert not problems, "\n".join(problems)
    assert min(opened.values()) > 20, opened
