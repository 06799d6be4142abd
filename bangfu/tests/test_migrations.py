"""The migrations are the schema: the suite builds its test databases from the models (`--no-migrations`,
about 25 seconds saved a worker), so this test runs every migration into an empty database of the same
kind — as `make run` and an upgrade do — and finds there the tables, columns and indexes the models make,
and no model change without its migration."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.db import connection
from django.db.migrations.recorder import MigrationRecorder

pytestmark = pytest.mark.django_db


def _columns(cursor, table: str) -> list[tuple[str, bool]]:
    """(name, nullable) of each column. Django's SQLite reader trips on a CHECK with nested parentheses
    (registry_termgrade's score range): SQLite's own table_info answers the same."""
    try:
        return [(c.name, bool(c.null_ok)) for c in connection.introspection.get_table_description(cursor, table)]
    except IndexError:
        cursor.execute(f'PRAGMA table_info("{table}")')
        return [(name, not notnull) for _, name, _, notnull, *_ in cursor.fetchall()]


def _indexes(cursor, table: str) -> list[tuple[str, bool, bool]]:
    """(columns, unique, primary key) of each index and unique constraint (SQLite's own lists, for the same
    reason as above)."""
    if connection.vendor != "sqlite":
        constraints = connection.introspection.get_constraints(cursor, table).values()
        return [(",".join(sorted(c["columns"])), bool(c["unique"]), bool(c["primary_key"]))
                for c in constraints if c["columns"] and (c["index"] or c["unique"])]
    cursor.execute(f'PRAGMA index_list("{table}")')
    found = []
    for _, name, unique, origin, _ in cursor.fetchall():
        cursor.execute(f'PRAGMA index_info("{name}")')
        found.append((",".join(sorted(column for *_, column in cursor.fetchall())), bool(unique), origin == "pk"))
    return found


def schema() -> dict:
    """Each table's columns (name, nullable) and indexes (columns, unique, primary key), as JSON reads them."""
    tables = {}
    with connection.cursor() as cursor:
        introspection = connection.introspection
        for table in sorted(set(introspection.table_names(cursor)) - {"django_migrations"}):
            columns = sorted(_columns(cursor, table))
            tables[table] = {"columns": columns, "indexes": sorted(_indexes(cursor, table))}
    return json.loads(json.dumps(tables))


def applied() -> list[list[str]]:
    """The migrations recorded as applied (the suite's databases record them as `migrate` would: conftest.py)."""
    return sorted([app, name] for app, name in MigrationRecorder(connection).applied_migrations())


# The same reads of the migrated database, in a process of its own.
SCHEMA_SCRIPT = ("import json, django; django.setup(); from bangfu.tests.test_migrations import schema, applied; "
                 "print(json.dumps([schema(), applied()]))")


def _django(env: dict, *args: str) -> subprocess.CompletedProcess:
    """A management command in a process of its own: this one runs with the migrations turned off."""
    return subprocess.run([sys.executable, "-m", "django", *args], env=env, capture_output=True, text=True)


def test_the_migrations_build_the_schema_the_models_make(fresh_database, tmp_path):
    env = {**os.environ, "DATABASE_URL": fresh_database, "BANGFU_VAR_DIR": str(tmp_path),
           "DJANGO_SETTINGS_MODULE": "bangfu.settings", "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY}
    missing = _django(env, "makemigrations", "--check", "--dry-run")  # exits 1 when a model change has none
    assert missing.returncode == 0, missing.stdout + missing.stderr
    migrate = _django(env, "migrate", "--no-input", "-v", "0")
    assert migrate.returncode == 0, migrate.stderr
    read = subprocess.run([sys.executable, "-c", SCHEMA_SCRIPT], env=env, capture_output=True, text=True)
    assert read.returncode == 0, read.stderr
    migrated, recorded = json.loads(read.stdout)
    assert recorded == applied()
    here = schema()
    assert set(migrated) == set(here), (set(migrated) ^ set(here))
    for table in here:
        assert migrated[table] == here[table], table
