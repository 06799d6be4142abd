"""Keeping the compliance summary (ComplianceDone) current, set-wise, inside the writing transaction.

A summary row is (pairing, obligation, period) for every period of the obligation that the
pairing's dates overlap, with what was done in it — the reference aggregate of the live
computation (`selectors._done_sql`: current activities of the kind, actor and counterpart, in the
period or the target's birthday window) — the latest day among those activities (`last_on`), and
whether an exemption covers it. It depends on the pairing (dates, helper, region), its activities,
its exemptions, the target's birth date (birthday windows), the obligation and the programme's
period rows. Nothing in it depends on the day asked: the selectors read a row as it stands for any
day on or after its `last_on`, and count the few rows with activities after an earlier day asked
from those activities (selectors._summary_obligation_sql), so they answer for any `as_of` exactly.

Who keeps it:
- `summary_refresh(pairing_ids)` — the services that write activities (record, correct, withdraw),
  pairings (create, end, hand over), exemptions and a person's birth date: delete and re-insert
  the rows of those pairings only, one INSERT … SELECT (UNION ALL over their programmes'
  obligations);
- `summary_rebuild(programme)` — when a programme's periods are rebuilt (dates, terms,
  obligations changed), and from scratch for deploys and repair (`bangfu compliance_rebuild`,
  the data migration) and bulk loads (demo, benchmark);
- `summary_deferred()` — bulk paths that go through the per-pairing services (register upload,
  one helper to many targets) collect the pairings and refresh them set-wise once at the end.
"""

import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from django.db import connection

from bangfu.compliance.models import ComplianceArea, ComplianceDone, ComplianceHelper, ComplianceTownship
from bangfu.programmes.choices import Window
from bangfu.programmes.models import Obligation, Programme
from bangfu.regions.models import PREFIX_LENGTHS, Level, code_range
from bangfu.sql import execute

TABLE = ComplianceDone._meta.db_table
AREA_TABLE = ComplianceArea._meta.db_table
HELPER_TABLE = ComplianceHelper._meta.db_table
TOWNSHIP_TABLE = ComplianceTownship._meta.db_table
TOWNSHIP_LENGTH = PREFIX_LENGTHS[Level.TOWNSHIP]  # a township's code: the first nine digits of its villages' codes
COLUMNS = ("county_code", "obligation_id", "pairing_id", "period_id", "programme_id", "region_id", "helper_person_id",
           "helper_organization_id", "helper_team_id", "pairing_starts_on", "pairing_ends_on", "period_starts_on",
           "period_ends_on", "done", "last_on", "exempt")
CHUNK = 500  # pairing ids per statement (SQLite's parameter limit)
HELPERS_APART = 50  # up to this many helpers in a county refolded one by one, more by whole villages

_deferred = threading.local()


def _obligation_rows_sql(obligation: Obligation, pairings: tuple[str, list] | None) -> tuple[str, list]:
    """The summary rows of one obligation for the pairings selected by `pairings` (SQL of ids, or
    None: all the programme's pairings), done aggregated first as in the live query."""
    from bangfu.compliance.selectors import _done_sql

    done_sql, done_params = _done_sql(obligation, None, prefix="", pairing_ids=pairings)
    where, where_params = "", []
    if pairings is not None:
        where = f" AND p.id IN (SELECT q.id FROM ({pairings[0]}) q)"
        where_params = list(pairings[1])
    sql = (f"SELECT p.county_code, %s, p.id, per.id, p.programme_id, p.region_id, p.helper_person_id, "
           f"p.helper_organization_id, p.helper_team_id, p.starts_on, p.ends_on, per.starts_on, per.ends_on, "
           f"CAST(COALESCE(d.done, 0) AS DOUBLE PRECISION), d.last_on, "
           f"CASE WHEN EXISTS (SELECT 1 FROM programmes_exemption e WHERE e.pairing_id = p.id "
           f"AND (e.obligation_id = %s OR e.obligation_id IS NULL) AND e.starts_on <= per.ends_on "
           f"AND e.ends_on >= per.starts_on) THEN 1 ELSE 0 END "
           f"FROM programmes_pairing p "
           f"JOIN programmes_programmeperiod per ON per.programme_id = p.programme_id AND per.kind = %s "
           f"AND per.ends_on >= p.starts_on AND (p.ends_on IS NULL OR per.starts_on <= p.ends_on) "
           f"LEFT JOIN ({done_sql}) d ON d.pairing_id = p.id AND d.period_id = per.id "
           f"WHERE p.programme_id = %s{where}")
    return sql, [obligation.pk, obligation.pk, obligation.period_key, *done_params, obligation.programme_id,
                 *where_params]


def _insert(obligations: list[Obligation], pairings: tuple[str, list] | None) -> None:
    if not obligations:
        return
    parts = [_obligation_rows_sql(o, pairings) for o in obligations]
    sql = (f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) "
           + " UNION ALL ".join(p[0] for p in parts))
    with connection.cursor() as cursor:
        cursor.execute(sql, [v for p in parts for v in p[1]])


def summary_refresh(pairing_ids: Iterable[int]) -> None:
    """Recompute the summary rows of these pairings (after any write that touches them), then
    the village rows (ComplianceArea) of their villages, the township rows (ComplianceTownship) of
    those villages' townships and the helper rows (ComplianceHelper) of their helpers there — as the
    pairings are now and as their rows were (a pairing moved or handed to another helper leaves the
    old village's or helper's rows to refold too)."""
    ids = sorted({int(i) for i in pairing_ids if i is not None})
    pending = getattr(_deferred, "ids", None)
    if pending is not None:
        pending.update(ids)
        return
    # (village, programme, helper kind, helper id) as the pairings are now and as their rows were
    helpers: set[tuple[str, int, str, int]] = set()
    columns = "region_id, programme_id, helper_person_id, helper_organization_id, helper_team_id"
    for start in range(0, len(ids), CHUNK):
        chunk = ids[start:start + CHUNK]
        marks = ", ".join(["%s"] * len(chunk))
        with connection.cursor() as cursor:
            # Two writes to one pairing at once: the second waits here, then sees the first's rows.
            # NO KEY UPDATE: rows that merely refer to the pairing (FOR KEY SHARE) are not held up.
            lock = " ORDER BY id FOR NO KEY UPDATE" if connection.vendor == "postgresql" else ""
            cursor.execute(f"SELECT {columns} FROM programmes_pairing WHERE id IN ({marks}){lock}", chunk)
            helpers.update(_helper_key(row) for row in cursor.fetchall())
            cursor.execute(f"DELETE FROM {TABLE} WHERE pairing_id IN ({marks}) RETURNING {columns}", chunk)
            helpers.update(_helper_key(row) for row in cursor.fetchall())
        obligations = list(Obligation.objects.filter(programme__pairings__pk__in=chunk).distinct()
                           .select_related("programme").order_by("pk"))
        _insert(obligations, (f"SELECT id FROM programmes_pairing WHERE id IN ({marks})", chunk))
    _areas_refresh(helpers)


def _helper_key(row: tuple) -> tuple[str, int, str, int]:
    region_id, programme_id, person, organization, team = row
    kind, pk = ("person", person) if person is not None else (
        ("organization", organization) if organization is not None else ("team", team))
    return region_id, programme_id, kind, pk


def _folded(obligations) -> list[Obligation]:
    """The obligations whose ended periods are folded per village: those without a condition."""
    return [o for o in obligations if not o.condition_attribute]


# The helper of a summary row: its kind and id (ComplianceHelper's key); exactly one of the three is set.
HELPER_KIND_SQL = ("CASE WHEN d.helper_person_id IS NOT NULL THEN 'person' "
                   "WHEN d.helper_organization_id IS NOT NULL THEN 'organization' ELSE 'team' END")
HELPER_ID_SQL = "COALESCE(d.helper_person_id, d.helper_organization_id, d.helper_team_id)"


def _area_insert(obligation: Obligation, where: str = "", params: list | tuple = (), *, helpers: bool = False
                 ) -> None:
    """Fold one obligation's summary rows of ended periods into village rows (with `helpers`: rows
    per village and helper, ComplianceHelper): the pairings that owe each period (active on its last
    day), how many met it (not exempt, done ≥ minimum), how many are exempt, and the shortfall —
    what the live query counts for a period that has ended."""
    required = float(obligation.minimum)
    table, columns, values = AREA_TABLE, "", ""
    if helpers:
        table = HELPER_TABLE
        columns = ", helper_kind, helper_id, helper_person_id, helper_organization_id, helper_team_id"
        values = f", {HELPER_KIND_SQL}, {HELPER_ID_SQL}, d.helper_person_id, d.helper_organization_id, d.helper_team_id"
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (county_code, obligation_id, period_id, region_id, programme_id, period_ends_on, "
            f"total, met, exempt, shortfall{columns}) "
            f"SELECT d.county_code, d.obligation_id, d.period_id, d.region_id, d.programme_id, d.period_ends_on, "
            f"COUNT(*), SUM(CASE WHEN d.exempt = 0 AND d.done >= %s THEN 1 ELSE 0 END), SUM(d.exempt), "
            f"SUM(CASE WHEN d.done >= %s THEN 0 ELSE %s - d.done END){values} FROM {TABLE} d "
            f"WHERE d.obligation_id = %s AND d.pairing_starts_on <= d.period_ends_on "
            f"AND (d.pairing_ends_on IS NULL OR d.pairing_ends_on >= d.period_ends_on){where} "
            f"GROUP BY d.county_code, d.obligation_id, d.period_id, d.region_id, d.programme_id, d.period_ends_on"
            + (", d.helper_person_id, d.helper_organization_id, d.helper_team_id" if helpers else ""),
            [required, required, required, obligation.pk, *params])


def _township_insert(obligation: Obligation, where: str = "", params: list | tuple = ()) -> None:
    """Sum one obligation's village rows (ComplianceArea) per township into ComplianceTownship: the
    counts are sums, so a township row holds what its villages' rows hold together."""
    town = f"SUBSTR(a.region_id, 1, {TOWNSHIP_LENGTH})"
    execute(f"INSERT INTO {TOWNSHIP_TABLE} (county_code, obligation_id, period_id, region_id, programme_id, "
            f"period_ends_on, total, met, exempt, shortfall) "
            f"SELECT a.county_code, a.obligation_id, a.period_id, {town}, a.programme_id, a.period_ends_on, "
            f"SUM(a.total), SUM(a.met), SUM(a.exempt), SUM(a.shortfall) FROM {AREA_TABLE} a "
            f"WHERE a.obligation_id = %s{where} "
            f"GROUP BY a.county_code, a.obligation_id, a.period_id, {town}, a.programme_id, a.period_ends_on",
            [obligation.pk, *params])


def _townships_refresh(obligation: Obligation, county: str, codes: list[str]) -> None:
    """Refold the township rows of these villages' townships from their (refolded) village rows. Both
    statements prepared (bangfu/sql.py): planning them took as long as running them."""
    towns = sorted({code[:TOWNSHIP_LENGTH] for code in codes})
    for start in range(0, len(towns), CHUNK // 2):  # two parameters a township: within SQLite's limit
        part = towns[start:start + CHUNK // 2]
        marks = ", ".join(["%s"] * len(part))
        execute(f"DELETE FROM {TOWNSHIP_TABLE} WHERE county_code = %s AND obligation_id = %s "
                f"AND region_id IN ({marks})", [county, obligation.pk, *part])
        # each township's villages as the range of their codes, which the index compliance_area_village
        # reads (SUBSTR would have it read the county's every village)
        ranges = " OR ".join(["(a.region_id >= %s AND a.region_id <= %s)"] * len(part))
        _township_insert(obligation, f" AND a.county_code = %s AND ({ranges})",
                         [county, *(v for town in part for v in code_range(town))])


def _areas_refresh(helpers: set[tuple[str, int, str, int]]) -> None:
    """Refold, for every folded obligation, the village rows of these (village, programme) pairs and
    the helper rows of these (village, programme, helper) — only the helpers given: a village's
    other helpers' rows do not change."""
    by_programme: dict[int, list[tuple[str, str, int]]] = {}
    for region_id, programme_id, kind, pk in helpers:
        by_programme.setdefault(programme_id, []).append((region_id, kind, pk))
    if not by_programme:
        return
    regions = sorted({r for keys in by_programme.values() for r, _kind, _pk in keys})
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # One writer per village at a time: the next one refolds after seeing the first's rows.
            # NO KEY UPDATE, not UPDATE: an import holds its villages FOR KEY SHARE until it commits
            # (imports/upsert.py), and a visit recorded meanwhile must not wait for it.
            for start in range(0, len(regions), CHUNK):
                part = regions[start:start + CHUNK]
                cursor.execute(f"SELECT code FROM regions_region WHERE code IN ({', '.join(['%s'] * len(part))}) "
                               f"ORDER BY code FOR NO KEY UPDATE", part)
        for obligation in _folded(Obligation.objects.filter(programme_id__in=by_programme).order_by("pk")):
            counties: dict[str, list[tuple[str, str, int]]] = {}
            for key in sorted(set(by_programme[obligation.programme_id])):
                counties.setdefault(key[0][:6], []).append(key)
            for county, keys in counties.items():  # the key's first columns: one county's rows
                codes = sorted({code for code, _kind, _pk in keys})
                # many helpers at once (a register upload, a rebuild of many pairings): whole villages
                tables = ((AREA_TABLE, False), (HELPER_TABLE, True)) if len(keys) > HELPERS_APART else ((AREA_TABLE, False),)
                for start in range(0, len(codes), CHUNK):
                    part = codes[start:start + CHUNK]
                    marks = ", ".join(["%s"] * len(part))
                    for table, helpers_too in tables:
                        cursor.execute(f"DELETE FROM {table} WHERE county_code = %s AND obligation_id = %s "
                                       f"AND region_id IN ({marks})", [county, obligation.pk, *part])
                        _area_insert(obligation, f" AND d.region_id IN ({marks})", part, helpers=helpers_too)
                _townships_refresh(obligation, county, codes)
                if len(keys) > HELPERS_APART:
                    continue
                for start in range(0, len(keys), CHUNK // 2):
                    part_keys = keys[start:start + CHUNK // 2]
                    values = ", ".join(["(%s, %s, %s)"] * len(part_keys))
                    flat = [v for key in part_keys for v in key]
                    part = sorted({code for code, _kind, _pk in part_keys})
                    marks = ", ".join(["%s"] * len(part))
                    cursor.execute(f"DELETE FROM {HELPER_TABLE} WHERE county_code = %s AND obligation_id = %s "
                                   f"AND region_id IN ({marks}) AND (region_id, helper_kind, helper_id) IN (VALUES {values})",
                                   [county, obligation.pk, *part, *flat])
                    _area_insert(obligation, f" AND d.region_id IN ({marks}) AND (d.region_id, {HELPER_KIND_SQL}, "
                                 f"{HELPER_ID_SQL}) IN (VALUES {values})", [*part, *flat], helpers=True)


def summary_refresh_birthdays(person_ids_sql: str, params: list) -> None:
    """After birth dates changed (persons selected by SQL): the pairings with those persons as
    target in a programme with a birthday window — the only rows a birth date decides."""
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT p.id FROM programmes_pairing p WHERE p.target_person_id IN ({person_ids_sql}) "
                       f"AND EXISTS (SELECT 1 FROM programmes_obligation o WHERE o.programme_id = p.programme_id "
                       f"AND o.window = %s)", [*params, Window.BIRTHDAY])
        ids = [row[0] for row in cursor.fetchall()]
    summary_refresh(ids)


def summary_rebuild(programme: Programme | None = None, *, folded_later: bool = True) -> int:
    """Rebuild the summary (and its village, township and helper rows) of one programme, or of
    everything, from the activities; returns the summary's rows. Without `folded_later`, not the
    helper and township rows (a migration before their tables exist)."""
    tables = (TABLE, AREA_TABLE, HELPER_TABLE, TOWNSHIP_TABLE) if folded_later else (TABLE, AREA_TABLE)
    with connection.cursor() as cursor:
        for table in tables:
            if programme is None:
                cursor.execute(f"TRUNCATE {table}" if connection.vendor == "postgresql" else f"DELETE FROM {table}")
            else:
                cursor.execute(f"DELETE FROM {table} WHERE programme_id = %s", [programme.pk])
    obligations = Obligation.objects.select_related("programme").order_by("pk")
    if programme is not None:
        obligations = obligations.filter(programme=programme)
    for obligation in obligations:  # one statement per obligation: a handful per programme
        _insert([obligation], None)
    for obligation in _folded(obligations):
        _area_insert(obligation)
        if folded_later:
            _area_insert(obligation, helpers=True)
            _township_insert(obligation)
    if programme is None and connection.vendor == "postgresql":
        with connection.cursor() as cursor:  # fresh statistics for the planner after a full load
            for table in tables:
                cursor.execute(f"ANALYZE {table}")
    return ComplianceDone.objects.filter(**({"programme_id": programme.pk} if programme else {})).count()


@contextmanager
def summary_deferred() -> Iterator[None]:
    """Collect the pairings refreshed inside, refresh them set-wise on leaving (bulk paths)."""
    if getattr(_deferred, "ids", None) is not None:  # already inside one: the outer one refreshes
        yield
        return
    _deferred.ids = set()
    try:
        yield
        ids = _deferred.ids
    finally:
        _deferred.ids = None
    summary_refresh(ids)
