"""Shared test fixtures: regions of Guangxi loaded once per test database, users per role."""

import os

import pytest

from bangfu.regions.models import Region
from bangfu.tests.browser import CHROMIUM, CHROMIUM_ARGS


def _load_regions():
    from bangfu.regions.services import regions_load_base, regions_load_villages

    if not Region.objects.filter(code="450224000000").exists():
        regions_load_base(only="45")
    if not Region.objects.filter(prefix__startswith="450224", level=5).exists():
        regions_load_villages(county="450224")


@pytest.fixture(scope="session")
def _test_var_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("var")


@pytest.fixture(autouse=True)
def _var_dir(settings, _test_var_dir):
    """Uploaded files, progress files and job locks go to a temporary folder, not the developer's var/
    (the keys stay: settings read them at start). A worker a test starts is given the same folder."""
    settings.VAR_DIR = _test_var_dir
    settings.MEDIA_ROOT = _test_var_dir / "media"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _load_regions()


@pytest.fixture
def regions(db):
    """The division codes of Guangxi with 融安县's villages (reloaded after a flushing test)."""
    _load_regions()
    return Region.objects


@pytest.fixture
def county_client(client, regions):
    """The test client signed in as a county office of 融安县 (the user is `client.user`)."""
    from bangfu.accounts.roles import Role
    from bangfu.tests.factories import make_user

    user = make_user(Role.COUNTY_OFFICE)
    client.force_login(user)
    client.user = user
    return client




@pytest.fixture
def browser(live_server):
    """Debian's Chromium, headless, driven by Playwright; browsers cannot be downloaded here."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    # Playwright's sync API runs an event loop in this thread; the tests' ORM calls happen before it
    # starts or between its calls, never concurrently.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
        # While that loop runs, Django keeps this thread's connections apart (asgiref's Local uses
        # context variables then): close the ones the test opened, or they outlive the test database.
        connections.close_all()


@pytest.fixture(autouse=True)
def _chinese_after_each_test():
    """A request in English activates English for the thread (LocaleMiddleware does not switch back):
    start every test in the default language, whatever ran before it."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)
