"""A first load into an empty registry builds the secondary indexes once after the rows: they
come back exactly as the migrations made them, and a failed or killed import leaves them as
they were."""

import io
import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import psycopg
import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection

from bangfu.accounts.roles import Role
from bangfu.privacy import id_numbers
from bangfu.registry.models import Household, Person
from bangfu.tests.factories import make_user

TABLES = ("registry_household", "registry_person", "registry_historicalhousehold", "registry_historicalperson")
pytestmark = pytest.mark.django_db(transaction=True)


def _indexes() -> list[tuple]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' "
                           "AND tbl_name IN (%s) ORDER BY 1, 2" % ", ".join(["%s"] * len(TABLES)), TABLES)
            return cursor.fetchall()
        cursor.execute("SELECT x.tablename, x.indexname, x.indexdef, i.indisvalid, i.indisready FROM pg_indexes x "
                       "JOIN pg_class c ON c.relname = x.indexname JOIN pg_index i ON i.indexrelid = c.oid "
                       "WHERE x.schemaname = current_schema() AND x.tablename = ANY(%s) ORDER BY 1, 2", [list(TABLES)])
        return cursor.fetchall()


def _file(path, households: int, suffix: str = "") -> None:
    lines = ["户编号,所在村,姓名,身份证号,与户主关系"]
    for i in range(households):
        day = date(1950, 1, 1) + timedelta(days=i)
        lines.append(f"F{i:05d},长安镇大巷村,户主{i}{suffix},{id_numbers.make('450224', day, i % 400, 'male')},户主")
        lines.append(f"F{i:05d},长安镇大巷村,子女{i},{id_numbers.make('450224', day, i % 400, 'female')},子女")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def _import(path, user) -> str:
    out = io.StringIO()
    call_command("import", str(path), "--user", user.username, "--no-progress", "-v", "2", stdout=out)
    return out.getvalue()


def test_a_first_load_rebuilds_the_indexes_as_they_were_and_a_later_import_keeps_them(regions, tmp_path):
    user = make_user(Role.COUNTY_OFFICE)
    before = _indexes()
    secondary = [i for i in before if i[2] and "UNIQUE" not in i[2] and not i[1].endswith("_pkey")]
    assert len(secondary) >= 10  # what the first load drops and rebuilds (SQLite: not those on foreign keys)
    source = tmp_path / "first.csv"
    _file(source, 300)

    output = _import(source, user)
    assert "rebuild indexes" in output, output  # the first load took the rebuilding path
    assert _indexes() == before
    assert Person.objects.count() == 600 and Household.objects.count() == 300
    # The rebuilt indexes serve lookups (the planner may use them, and they return the rows).
    assert Person.objects.filter(region_id=Person.objects.first().region_id).count() == 600
    _assert_history_is_the_records(user)

    changed = tmp_path / "second.csv"
    _file(changed, 301, suffix="甲")  # every head renamed, one household more
    output = _import(changed, user)
    assert "rebuild indexes" not in output, output  # the registry has rows: indexes maintained as usual
    assert _indexes() == before
    assert Person.history.filter(name="户主0甲", history_type="~").count() == 1
    assert Person.objects.count() == 602


def _assert_history_is_the_records(user) -> None:
    """One "+" history row per record written, holding the record's values, the user and the reason (a
    first load on PostgreSQL takes them from one scan of the filled table, Stage._execute_with_history)."""
    for model in (Household, Person):
        own = [f.attname for f in model.history.model._meta.concrete_fields if not f.name.startswith("history_")]
        records = {row["id"]: row for row in model.objects.values(*own)}
        history = list(model.history.values(*own, "history_type", "history_user_id", "history_change_reason"))
        assert len(history) == len(records)
        for row in history:
            assert (row.pop("history_type"), row.pop("history_user_id")) == ("+", user.pk)
            assert row.pop("history_change_reason") == "导入 first.csv"
            assert row == records[row["id"]]


def test_a_first_load_that_fails_after_dropping_the_indexes_leaves_them_intact(regions, tmp_path, monkeypatch):
    from bangfu.imports.upsert import Stage

    user = make_user(Role.COUNTY_OFFICE)
    before = _indexes()
    source = tmp_path / "first.csv"
    _file(source, 50)
    dropped = []

    def fail(self, cursor, indexes):
        dropped.extend(indexes)
        raise RuntimeError("写入中断")

    monkeypatch.setattr(Stage, "_indexes_create", fail)
    with pytest.raises(RuntimeError):
        _import(source, user)
    assert len(dropped) >= 8  # they were gone inside the transaction (SQLite keeps those on foreign keys)
    assert _indexes() == before
    assert Household.objects.count() == 0 and Person.objects.count() == 0
    assert Household.history.count() == 0 and Person.history.count() == 0  # written, then rolled back


def test_a_killed_first_load_leaves_the_indexes_intact_and_the_rerun_rebuilds_them(regions, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("a killed SQLite import is covered by test_kill.py; this one waits on PostgreSQL's locks")
    user = make_user(Role.COUNTY_OFFICE)
    before = _indexes()
    source = tmp_path / "first.csv"
    _file(source, 300)
    db = settings.DATABASES["default"]
    url = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": url, "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY,
           "SECRET_KEY": settings.SECRET_KEY}
    # A reader of the history table holds the import up after it has dropped the indexes of the
    # tables before it (households, persons, household history), so that it is killed right there.
    with psycopg.connect(url) as reader:
        reader.execute("LOCK TABLE registry_historicalperson IN ACCESS SHARE MODE")
        process = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "import", str(source), "--user",
                                    user.username, "--no-progress"], env=env, stdout=subprocess.DEVNULL,
                                   stderr=subprocess.DEVNULL)
        backend, deadline = None, time.monotonic() + 90
        while backend is None and process.poll() is None and time.monotonic() < deadline:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pid FROM pg_locks WHERE relation = 'registry_historicalperson'::regclass "
                               "AND mode = 'AccessExclusiveLock' AND NOT granted")
                row = cursor.fetchone()
            backend = row[0] if row else None
            time.sleep(0.02)
        assert backend is not None, "the import never reached the history table"
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_locks WHERE pid = %s AND mode = 'AccessExclusiveLock' AND granted "
                           "AND relation = 'registry_person'::regclass", [backend])
            assert cursor.fetchone()[0] == 1  # it has the persons' table to itself: their indexes are gone
        process.send_signal(signal.SIGKILL)
        process.wait()
        reader.rollback()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:  # the server notices the dead client and rolls back
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", [backend])
            if not cursor.fetchone()[0]:
                break
        time.sleep(0.05)
    assert _indexes() == before
    assert Household.objects.count() == 0 and Person.objects.count() == 0

    output = _import(source, user)
    assert "rebuild indexes" in output, output
    assert _indexes() == before
    assert Person.objects.count() == 600


def test_references_to_registered_records_are_looked_up_unless_every_record_is_new(regions, tmp_path):
    """Stage._checks_after: after an import whose plan creates every record, the households and heads
    the written rows refer to were inserted by it, so only the villages are looked up; once the file
    updates or keeps registered records, every reference is."""
    if connection.vendor != "postgresql":
        pytest.skip("references are checked per set on PostgreSQL only (Stage._checks_set_based)")
    from django.test.utils import CaptureQueriesContext

    user = make_user(Role.COUNTY_OFFICE)

    def lookups(path) -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            _import(path, user)
        return [q["sql"] for q in queries.captured_queries if q["sql"].startswith("SELECT count(*) FROM bangfu_import_")
                and "LEFT JOIN" in q["sql"]]

    first, second = tmp_path / "first.csv", tmp_path / "second.csv"
    _file(first, 20)
    _file(second, 21, suffix="甲")  # every head renamed, one household more
    new_only = lookups(first)
    assert len(new_only) == 1 and "regions_region" in new_only[0]
    mixed = lookups(second)
    assert len(mixed) == 4 and sum("registry_household" in sql for sql in mixed) == 2
    assert any("registry_person" in sql for sql in mixed)
    assert Person.objects.count() == 42 and Household.objects.filter(head__isnull=True).count() == 0


def test_a_first_load_writes_what_an_import_beside_registered_records_writes(regions, tmp_path):
    """A first load plans every record as new without matching it against the tables it found empty
    under its lock (Stage._household_stage, _person_stage), and counts what it planned: the plan and the
    rows written are those of the same file imported into a registry that has other records."""
    from django.test.utils import CaptureQueriesContext

    from bangfu.imports.services import import_file

    user = make_user(Role.COUNTY_OFFICE)
    source, other = tmp_path / "first.csv", tmp_path / "other.csv"
    _file(source, 30)
    other.write_text("户编号,所在村,姓名,身份证号,与户主关系\nZ00001,长安镇大巷村,别户户主,"
                     f"{id_numbers.make('450224', date(1940, 1, 1), 7, 'male')},户主\n", encoding="utf-8")
    skip = {"id", "household_id", "head_id", "id_number", "created_at", "updated_at"}  # ids, ciphertexts, times

    def run() -> tuple[dict, list, list, dict]:
        with CaptureQueriesContext(connection) as queries:
            outcome = import_file(path=source, register="members", scope=user.scope, by=user, dry_run=False)
        matched = [q["sql"] for q in queries.captured_queries
                   if "LEFT JOIN registry_person p ON" in q["sql"] or "LEFT JOIN registry_household h ON h.county" in q["sql"]]
        households = sorted((h.number, h.head.name, *(v for k, v in sorted(vars(h).items())
                                                      if k not in skip and not k.startswith("_")))
                            for h in Household.objects.filter(number__startswith="F").select_related("head"))
        persons = sorted((p.household.number, *(v for k, v in sorted(vars(p).items())
                                                if k not in skip and not k.startswith("_")))
                         for p in Person.objects.filter(household__number__startswith="F").select_related("household"))
        history = {m.__name__: m.history.filter(history_type="+", history_change_reason="导入 first.csv").count()
                   for m in (Household, Person)}
        return outcome.counts(), matched, households + persons, history

    first_counts, first_matched, first_rows, first_history = run()
    assert first_matched == []  # into empty tables: nothing matched
    assert first_counts == {"households": {"created": 30, "updated": 0, "unchanged": 0},
                            "persons": {"created": 60, "updated": 0, "unchanged": 0}}
    with connection.cursor() as cursor:  # empty again, then one other household registered
        for table in ("registry_historicalperson", "registry_historicalhousehold"):
            cursor.execute(f"DELETE FROM {table}")
        cursor.execute("UPDATE registry_household SET head_id = NULL")
        cursor.execute("DELETE FROM registry_person")
        cursor.execute("DELETE FROM registry_household")
    import_file(path=other, register="members", scope=user.scope, by=user, dry_run=False)
    counts, matched, rows, history = run()
    assert len(matched) == 2  # households and persons matched against the registered ones
    assert counts == first_counts and history == first_history == {"Household": 30, "Person": 60}
    assert rows == first_rows and len(rows) == 90
