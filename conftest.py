"""Shared test fixtures: regions of Guangxi loaded once per test database, users per role."""

import os
import uuid

import pytest
from django.db import connection

from bangfu.regions.models import Region
from bangfu.tests.browser import CHROMIUM, CHROMIUM_ARGS


def pytest_configure(config):
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.postgresql":
        # A test database need not survive a power cut: without waiting for the WAL to reach the disk at each
        # commit, the suite's commits and its tables' creation stop waiting on I/O (half the PostgreSQL run's
        # time here). What a commit does and what other connections see are unchanged.
        options = database.setdefault("OPTIONS", {})
        options["options"] = (options.get("options", "") + " -c synchronous_commit=off").strip()
    config.addinivalue_line("markers", "once(database='sqlite'): a walk of every page, role or browser flow whose "
                            "answer does not depend on the database: when the suite runs on both, on that one only")


def pytest_collection_modifyitems(config, items):
    """`make test` runs the suite on SQLite and then on PostgreSQL, and says so (BANGFU_BOTH_DATABASES=1): a test
    marked `once` then runs in one of the two runs only — the one its marker names, SQLite unless it says
    "postgresql" (SQLite has no server to share the two cores with). Run by hand, every test runs."""
    if not os.environ.get("BANGFU_BOTH_DATABASES"):
        return
    from django.conf import settings

    here = "postgresql" if settings.DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
    elsewhere = [item for item in items if (marker := item.get_closest_marker("once"))
                 and (marker.args[0] if marker.args else "sqlite") != here]
    if elsewhere:
        config.hook.pytest_deselected(items=elsewhere)
        items[:] = [item for item in items if item not in elsewhere]


def _record_migrations():
    """The suite builds its databases from the models (`--no-migrations`; bangfu/tests/test_migrations.py shows
    the migrations build the same schema): record every migration as applied, as `migrate` would have, for what
    reads the record (a backup's manifest, `bangfu restore`'s pending count)."""
    import importlib
    import pkgutil

    from django.apps import apps
    from django.db.migrations.recorder import MigrationRecorder

    recorder = MigrationRecorder(connection)
    recorder.ensure_schema()
    applied = []
    for config in apps.get_app_configs():
        try:
            package = importlib.import_module(f"{config.name}.migrations")
        except ModuleNotFoundError:
            continue
        applied += [recorder.Migration(app=config.label, name=name)
                    for _, name, is_package in pkgutil.iter_modules(package.__path__)
                    if not is_package and name[0] not in "_~"]
    recorder.migration_qs.bulk_create(applied)


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
def _fast_password_hasher(settings):
    """Argon2 takes a tenth of a second a hash by design, and the suite makes accounts by the hundred: tests hash
    with MD5 and still read Argon2 (the product's hasher: the `product_hashers` fixture)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher",
                                 "django.contrib.auth.hashers.Argon2PasswordHasher"]


@pytest.fixture(autouse=True)
def _statements_checked(settings):
    """Every Statement the tests run is also compiled from its queryset and compared (bangfu/sql.py)."""
    settings.BANGFU_SQL_CHECK = True


@pytest.fixture
def product_hashers(settings):
    """The product's password hashers: for a test about them, or whose accounts another process signs in to."""
    from bangfu.settings import PASSWORD_HASHERS

    settings.PASSWORD_HASHERS = PASSWORD_HASHERS


@pytest.fixture(autouse=True)
def _var_dir(settings, _test_var_dir):
    """Uploaded files, progress files and job locks go to a temporary folder, not the developer's var/
    (the keys stay: settings read them at start). A worker a test starts is given the same folder."""
    settings.VAR_DIR = _test_var_dir
    settings.MEDIA_ROOT = _test_var_dir / "media"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        _record_migrations()
        _load_regions()


@pytest.fixture
def fresh_database(tmp_path):
    """The URL of a new, empty database of the suite's kind (created and dropped here on PostgreSQL)."""
    if connection.vendor != "postgresql":
        yield f"sqlite:///{tmp_path / 'fresh.sqlite3'}"
        return
    import psycopg

    db = connection.settings_dict
    name = f"bangfu_fresh_{uuid.uuid4().hex[:8]}"
    params = {"host": db["HOST"], "port": db["PORT"], "user": db["USER"], "dbname": "postgres", "autocommit": True}
    if db.get("PASSWORD"):
        params["password"] = db["PASSWORD"]
    with psycopg.connect(**params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{name}"
    finally:
        with psycopg.connect(**params) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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
