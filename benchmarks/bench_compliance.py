"""Compliance over a province on PostgreSQL: the product's selector against hand-written SQL.

    BANGFU_BENCH_SCALE   share of the full size (default 1.0 = 1,000,000 pairings and
                         12,000,000 activities: one visit per pairing and month, some missed)
    BANGFU_BENCH_PG      server URL without database (default postgres://postgres@127.0.0.1:5432)
    BANGFU_BENCH_DB      database name (default bangfu_bench_compliance); created and dropped
    BANGFU_BENCH_KEEP    1: keep the filled database after the run (then `--measure` with
                         DATABASE_URL set re-measures it without filling it again)
    BANGFU_BENCH_COUNTY_ONLY  1: time the county roll-up and the write costs only (the province
                         comparison takes minutes at full size)
    BANGFU_BENCH_PARTS   what `--measure` times, comma-separated (default all): province, county
                         (the roll-up by township), past (the same as of a day in the past),
                         groupings (roll-ups by helper, organization, team; the lists), writes

The database is created, migrated with the product's migrations, filled by COPY (psycopg 3) —
counties of 10 townships × 10 villages and 10,000 pairings each (100 counties at full size,
fewer at smaller scales, so that the county roll-up is always timed at a real county's size),
helpers, households, pairings and activities — measured and dropped. The product side is bangfu.compliance.selectors, the
code the pages run (compliance_totals, and compliance_rollup by region for one county's
office); the baseline is one hand-written statement over the same tables. Both must give the
same totals; the three are timed in turns (best of 3 rounds for the province, 7 for the county), with
JIT off for the session (PERFORMANCE.md).

The product reads the compliance summary (compliance/summary.py: per pairing and period, and the
ended periods folded per village): after the COPY it is filled set-wise by `bangfu compliance_rebuild`
(timed). The product's live computation (`live=True`, the
reference) is timed beside it, and the write cost the summary adds: recording one activity through
the service with and without its refresh, and refreshing a county's 10,000 pairings at once (the
register upload's bulk path), in transactions that are rolled back.
"""

import os
import subprocess
import sys
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BANGFU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BANGFU_BENCH_DB", "bangfu_bench_compliance")
SCALE = float(os.environ.get("BANGFU_BENCH_SCALE", "1.0"))
YEAR = 2025
AS_OF = date(YEAR + 1, 1, 20)  # every month of the year closed and past its grace
# A day in the past with its month under way and the month's later visits already recorded: what
# was done by that day is counted from the activities of those pairings (docs/compliance.md).
PAST = date(YEAR, 6, 15)
COUNTY = "450101"  # the county whose office's roll-up page is timed
HELPER_LOAD = 4  # households per helper


def _conn(db: str = "postgres"):
    import psycopg

    return psycopg.connect(f"{PG}/{db}", autocommit=True)


def _filler(cur, table: str, given: dict) -> tuple[list[str], list]:
    """Columns of `table` with a value for every NOT NULL column the caller did not give:
    Django sets no database defaults, so a COPY must name them all."""
    cur.execute("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                "WHERE table_name = %s AND column_default IS NULL AND is_identity = 'NO' "
                "ORDER BY ordinal_position", [table])
    defaults = {"boolean": False, "integer": 0, "smallint": 0, "bigint": 0, "numeric": 0, "date": "2000-01-01",
                "jsonb": "[]", "timestamp with time zone": "2025-01-01 00:00:00+08"}
    names, fixed = [], []
    for name, kind, nullable in cur.fetchall():
        if name in given:
            continue
        if nullable == "NO":
            names.append(name)
            fixed.append(defaults.get(kind, ""))
    return names, fixed


def _copy(cur, table: str, given: list[str], rows) -> None:
    extra, fixed = _filler(cur, table, dict.fromkeys(given))
    columns = ", ".join(f'"{c}"' for c in given + extra)
    with cur.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row((*row, *fixed))


def generate(scale: float) -> dict:
    """Fill the migrated database; returns the sizes."""
    pairings = int(1_000_000 * scale)
    helpers = pairings // HELPER_LOAD
    counties = max(1, round(100 * scale))  # a county holds 10,000 pairings at every scale
    with _conn(DB) as conn, conn.cursor() as cur:
        regions = []  # the province itself came with the programme
        villages = []
        for c in range(counties):
            city = f"45{c // 10 + 1:02d}"
            county = f"{city}{c % 10 + 1:02d}"
            if c % 10 == 0:
                regions.append((city.ljust(12, "0"), f"市{city}", 2, "450000000000", city, "S", f"市{city}"))
            regions.append((county.ljust(12, "0"), f"县{county}", 3, city.ljust(12, "0"), county, "X", f"县{county}"))
            for t in range(10):
                town = f"{county}{t + 100:03d}"
                regions.append((town.ljust(12, "0"), f"镇{town}", 4, county.ljust(12, "0"), town, "Z", f"镇{town}"))
                for v in range(10):
                    code = f"{town}{v + 200:03d}"
                    regions.append((code, f"村{code}", 5, town.ljust(12, "0"), code, "C", f"村{code}"))
                    villages.append(code)
        _copy(cur, "regions_region", ["code", "name", "level", "parent_id", "prefix", "initials", "full_name"], regions)
        cur.execute("SELECT nextval(pg_get_serial_sequence('registry_person', 'id'))")
        first_person = cur.fetchone()[0] + 1
        # Helpers live in the county of the households they help (HELPER_LOAD consecutive ones).
        _copy(cur, "registry_person", ["id", "name", "gender", "region_id", "county_code", "kind", "rank"],
              ((first_person + h, f"干部{h}", "male", villages[(h * HELPER_LOAD) * len(villages) // pairings],
                villages[(h * HELPER_LOAD) * len(villages) // pairings][:6], "cadre", "staff")
               for h in range(helpers)))
        cur.execute("SELECT setval(pg_get_serial_sequence('registry_person', 'id'), %s)", [first_person + helpers])
        _copy(cur, "registry_household", ["id", "number", "region_id", "county_code", "status"],
              ((i + 1, f"H{i:08d}", villages[i * len(villages) // pairings], villages[i * len(villages) // pairings][:6],
                "poor") for i in range(pairings)))
        cur.execute("SELECT setval(pg_get_serial_sequence('registry_household', 'id'), %s)", [pairings])
        cur.execute("SELECT id FROM programmes_programme")
        programme = cur.fetchone()[0]
        _copy(cur, "programmes_pairing", ["id", "programme_id", "county_code", "region_id", "helper_kind",
                                          "helper_person_id", "target_kind", "target_household_id", "starts_on",
                                          "status", "end_reason"],
              ((i + 1, programme, villages[i * len(villages) // pairings][:6], villages[i * len(villages) // pairings],
                "person", first_person + i // HELPER_LOAD, "household", i + 1, date(YEAR, 1, 1), "active", "")
               for i in range(pairings)))
        cur.execute("SELECT setval(pg_get_serial_sequence('programmes_pairing', 'id'), %s)", [pairings])

        def activities():
            # A helper's diligence decides how many of the twelve months they visit.
            for i in range(pairings):
                region = villages[i * len(villages) // pairings]
                skip = (i * 7919) % 100  # 0–99: about 70 % visit every month, the rest miss some
                for month in range(1, 13):
                    if skip >= 70 and (month * 31 + i) % 100 < skip - 60:
                        continue
                    yield (i + 1, region[:6], region, f"{i:08x}-0000-4000-8000-{month:012x}", "走访",
                           date(YEAR, month, 1 + (i + month) % 28), "helper", True, 1, "次", "入户走访", False, "")

        _copy(cur, "activities_activity", ["pairing_id", "county_code", "region_id", "group", "kind", "occurred_on",
                                           "actor", "with_counterpart", "quantity", "unit", "content", "withdrawn",
                                           "correction_reason"], activities())
        for table in ("regions_region", "registry_person", "registry_household", "programmes_pairing",
                      "activities_activity", "programmes_programmeperiod"):
            cur.execute(f"VACUUM ANALYZE {table}")
        cur.execute("SELECT count(*) FROM activities_activity")
        return {"pairings": pairings, "activities": cur.fetchone()[0], "helpers": helpers}


# The baseline: the better of two hand-written statements over the same base tables, with the
# product's semantics (current activities: not withdrawn, not superseded; the pairing active on the
# period's reference day), grouped like the page being timed ({key}: '' or a region prefix).
HAND_CORRELATED = """
SELECT {key} AS area, COUNT(*) AS total, SUM(CASE WHEN n >= 1 THEN 1 ELSE 0 END) AS met
FROM (
  SELECT p.region_id, (SELECT COUNT(*) FROM activities_activity a
          WHERE a.pairing_id = p.id AND a.kind = '走访' AND a.actor = 'helper' AND NOT a.withdrawn
            AND a.occurred_on BETWEEN m.starts_on AND m.ends_on AND a.occurred_on <= %(as_of)s
            AND NOT EXISTS (SELECT 1 FROM activities_activity s WHERE s.supersedes_id = a.id)) AS n
  FROM programmes_pairing p
  JOIN programmes_programmeperiod m ON m.programme_id = p.programme_id AND m.kind = 'month' AND m.starts_on <= %(as_of)s
  WHERE p.region_id LIKE %(prefix)s AND p.starts_on <= LEAST(m.ends_on, %(as_of)s)
    AND (p.ends_on IS NULL OR p.ends_on >= LEAST(m.ends_on, %(as_of)s))
) t GROUP BY 1
"""
HAND_AGGREGATE = """
SELECT {key} AS area, COUNT(*) AS total, SUM(CASE WHEN COALESCE(d.n, 0) >= 1 THEN 1 ELSE 0 END) AS met
FROM programmes_pairing p
JOIN programmes_programmeperiod m ON m.programme_id = p.programme_id AND m.kind = 'month' AND m.starts_on <= %(as_of)s
LEFT JOIN (
  SELECT a.pairing_id, m2.id AS period_id, COUNT(*) AS n
  FROM activities_activity a
  JOIN programmes_programmeperiod m2 ON m2.programme_id = %(programme)s AND m2.kind = 'month' AND m2.starts_on <= %(as_of)s
       AND a.occurred_on BETWEEN m2.starts_on AND m2.ends_on AND a.occurred_on <= %(as_of)s
  WHERE a.kind = '走访' AND a.actor = 'helper' AND NOT a.withdrawn AND a.region_id LIKE %(prefix)s
    AND NOT EXISTS (SELECT 1 FROM activities_activity s WHERE s.supersedes_id = a.id AND s.supersedes_id IS NOT NULL)
  GROUP BY a.pairing_id, m2.id
) d ON d.pairing_id = p.id AND d.period_id = m.id
WHERE p.region_id LIKE %(prefix)s AND p.starts_on <= LEAST(m.ends_on, %(as_of)s)
  AND (p.ends_on IS NULL OR p.ends_on >= LEAST(m.ends_on, %(as_of)s))
GROUP BY 1
"""


# The other groupings of a county's roll-up page (by helper, organization, team): the faster
# hand-written form grouped by the pairing's helper instead of the region ({join}: the helper's
# organization for the grouping by organization).
HAND_GROUPED = HAND_AGGREGATE.replace("FROM programmes_pairing p\nJOIN", "FROM programmes_pairing p\n{join}JOIN")
GROUP_KEYS = {
    "helper": ("p.helper_person_id::text || '/' || COALESCE(p.helper_organization_id, 0)::text || '/' "
               "|| COALESCE(p.helper_team_id, 0)::text", ""),
    "organization": ("COALESCE(p.helper_organization_id, hp.organization_id)",
                     "LEFT JOIN registry_person hp ON hp.id = p.helper_person_id\n"),
    "team": ("p.helper_team_id", ""),
}
# The lists (rows, behind, 本周待办): every pairing-month with its status from the activities,
# counted, and the first page in the product's order (most behind first). {statuses}: those listed.
HAND_LIST = """
WITH d AS (
  SELECT a.pairing_id, m2.id AS period_id, COUNT(*) AS n
  FROM activities_activity a
  JOIN programmes_programmeperiod m2 ON m2.programme_id = %(programme)s AND m2.kind = 'month' AND m2.starts_on <= %(as_of)s
       AND a.occurred_on BETWEEN m2.starts_on AND m2.ends_on AND a.occurred_on <= %(as_of)s
  WHERE a.kind = '走访' AND a.actor = 'helper' AND NOT a.withdrawn AND a.county_code = %(county)s
    AND NOT EXISTS (SELECT 1 FROM activities_activity s WHERE s.supersedes_id = a.id AND s.supersedes_id IS NOT NULL)
  GROUP BY a.pairing_id, m2.id
), r AS (
  SELECT p.id AS pairing_id, m.starts_on, m.ends_on, COALESCE(d.n, 0) AS done,
         CASE WHEN m.ends_on > %(as_of)s THEN FLOOR((%(as_of)s - m.starts_on + 1)::numeric / (m.ends_on - m.starts_on + 1))
              ELSE 1 END AS expected
  FROM programmes_pairing p
  JOIN programmes_programmeperiod m ON m.programme_id = p.programme_id AND m.kind = 'month' AND m.starts_on <= %(as_of)s
  LEFT JOIN d ON d.pairing_id = p.id AND d.period_id = m.id
  WHERE p.county_code = %(county)s AND p.starts_on <= LEAST(m.ends_on, %(as_of)s)
    AND (p.ends_on IS NULL OR p.ends_on >= LEAST(m.ends_on, %(as_of)s)) AND m.ends_on BETWEEN %(after)s AND %(before)s
), s AS (
  SELECT r.*, CASE WHEN done >= 1 THEN 'met' WHEN ends_on < %(closed)s THEN 'overdue'
                   WHEN done >= expected THEN 'on_track' ELSE 'behind' END AS status FROM r
)
SELECT pairing_id, starts_on, status, COUNT(*) OVER () FROM s WHERE status IN ({statuses})
ORDER BY CASE status WHEN 'overdue' THEN 0 WHEN 'behind' THEN 1 WHEN 'on_track' THEN 2 WHEN 'met' THEN 3 ELSE 4 END,
         GREATEST(1 - done, 0) DESC, starts_on DESC, pairing_id LIMIT 50
"""


def _best(fn, runs: int = 3) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result


def measure() -> None:
    """Runs in a child process with DATABASE_URL pointing at the bench database."""
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    django.setup()
    from django.db import connection

    from bangfu.accounts.roles import Role
    from bangfu.accounts.scope import Scope
    from bangfu.compliance import selectors

    with connection.cursor() as cur:
        cur.execute("SET jit = off")
    province = Scope(role=Role.ADMIN, prefix="")
    with connection.cursor() as cur:
        cur.execute("SELECT id FROM programmes_programme")
        programme = cur.fetchone()[0]
    county = Scope(role=Role.COUNTY_OFFICE, prefix=COUNTY)

    def hand(sql: str, prefix: str, as_of: date = AS_OF):
        key = "SUBSTR(region_id, 1, 9)" if prefix else "''"
        with connection.cursor() as cur:
            cur.execute(sql.format(key=key), {"as_of": as_of, "prefix": prefix + "%", "programme": programme})
            rows = cur.fetchall()
            return sum(int(r[1]) for r in rows), sum(int(r[2] or 0) for r in rows)

    def product(scope):
        totals = selectors.compliance_totals(scope=scope, as_of=AS_OF)
        return totals["total"], totals["met"]

    def product_live(scope):
        totals = selectors.compliance_totals(scope=scope, as_of=AS_OF, live=True)
        return totals["total"], totals["met"]

    def rollup(live=False, as_of=AS_OF):
        rows = selectors.compliance_rollup(scope=county, by="region", as_of=as_of, live=live)
        return sum(r["total"] for r in rows), sum(r["met"] for r in rows)

    def compare(title: str, prefix: str, product_fn, live_fn, runs: int, goal: str, as_of: date = AS_OF):
        """Both hand-written forms, the product (summary) and its live computation in turns, `runs`
        rounds: load from other work on the machine then falls on all alike. Best of the rounds; the
        baseline is the faster hand-written form."""
        forms = {"correlated": lambda: hand(HAND_CORRELATED, prefix, as_of),
                 "aggregate first": lambda: hand(HAND_AGGREGATE, prefix, as_of), "product": product_fn,
                 "product live": live_fn}
        times: dict[str, list[float]] = {name: [] for name in forms}
        results = {}
        for _round in range(runs):
            for name, fn in forms.items():
                took, results[name] = _best(fn, 1)
                times[name].append(took)
        assert len(set(results.values())) == 1, results
        best = {name: min(values) for name, values in times.items()}
        base = min(("correlated", "aggregate first"), key=best.get)
        ratio = best["product"] / best[base]
        print(f"{title}: {results['product']} — hand-written correlated {best['correlated'] * 1000:,.0f} ms, "
              f"aggregate first {best['aggregate first'] * 1000:,.0f} ms; product (summary) "
              f"{best['product'] * 1000:,.0f} ms, live {best['product live'] * 1000:,.0f} ms; "
              f"ratio to the faster ({base}) {ratio:.2f} (goal ≤ 1.5){goal}; load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)

    parts = set((os.environ.get("BANGFU_BENCH_PARTS") or "province,county,past,groupings,writes").split(","))
    if os.environ.get("BANGFU_BENCH_COUNTY_ONLY") == "1":
        parts.discard("province")
    if "province" in parts:
        compare("province", "", lambda: product(province), lambda: product_live(province), 3, "")
    if "county" in parts:
        compare(f"county {COUNTY} roll-up by township", COUNTY, rollup, lambda: rollup(live=True), 7,
                "; goal < 200 ms for the product")
    if "past" in parts:
        compare(f"county {COUNTY} roll-up by township as of {PAST} (its month's later visits recorded)", COUNTY,
                lambda: rollup(as_of=PAST), lambda: rollup(live=True, as_of=PAST), 7, "", PAST)
    if "groupings" in parts:
        groupings_and_lists(county, programme)
    if "writes" in parts:
        write_costs()


def groupings_and_lists(county, programme: int) -> None:
    """The county's roll-ups by helper, organization and team, and the first page of its lists
    (rows, behind, 本周待办 — the count and the page, as the pages ask), each against a hand-written
    statement over the activities in the same run, in turns (best of 7); results must agree."""
    from django.db import connection

    from bangfu.compliance import selectors
    from bangfu.compliance.selectors import ComplianceFilters
    from bangfu.compliance.todo import todo_filters

    def hand_group(by: str):
        key, join = GROUP_KEYS[by]
        with connection.cursor() as cur:
            cur.execute(HAND_GROUPED.format(key=key, join=join),
                        {"as_of": AS_OF, "prefix": COUNTY + "%", "programme": programme})
            rows = cur.fetchall()
        return len(rows), sum(int(r[1]) for r in rows), sum(int(r[2] or 0) for r in rows)

    def product_group(by: str):
        rows = selectors.compliance_rollup(scope=county, by=by, as_of=AS_OF)
        return len(rows), sum(r["total"] for r in rows), sum(r["met"] for r in rows)

    end = date(YEAR, 12, 31)  # 本周待办 on the year's last day: December not yet met (nothing dated after it)
    lists = {"rows": (ComplianceFilters(), AS_OF), "behind": (ComplianceFilters(status="due"), AS_OF),
             f"本周待办 as of {end}": (todo_filters(as_of=end), end),
             f"本周待办 as of {PAST} (its month's later visits recorded)": (todo_filters(as_of=PAST), PAST)}
    statuses = {"": "'overdue', 'behind', 'on_track', 'met', 'exempt'", "due": "'overdue', 'behind'",
                "todo": "'overdue', 'behind', 'on_track'"}

    def hand_list(name: str):
        filters, as_of = lists[name]
        with connection.cursor() as cur:
            cur.execute(HAND_LIST.format(statuses=statuses[filters.status]), {
                "as_of": as_of, "programme": programme, "county": COUNTY, "closed": as_of - timedelta(days=5),
                "after": filters.ending_after or date(1900, 1, 1), "before": filters.ending_before or date(2999, 1, 1)})
            rows = cur.fetchall()
        return (rows[0][3] if rows else 0), tuple((r[0], r[1], r[2]) for r in rows)

    def product_list(name: str):
        filters, as_of = lists[name]
        count, page = selectors.compliance_page(scope=county, filters=filters, as_of=as_of, limit=50)
        return count, tuple((r.pairing.pk, r.period_starts_on, r.status) for r in page)

    cases = {**{f"roll-up by {by}": (lambda by=by: hand_group(by), lambda by=by: product_group(by))
                for by in GROUP_KEYS},
             **{f"list {name}, count and first page": (lambda n=name: hand_list(n), lambda n=name: product_list(n))
                for name in lists}}
    for title, (hand_fn, product_fn) in cases.items():
        times = {"hand": [], "product": []}
        results = {}
        for _round in range(7):
            for side, fn in (("hand", hand_fn), ("product", product_fn)):
                took, results[side] = _best(fn, 1)
                times[side].append(took)
        assert results["hand"] == results["product"], (title, results)
        hand_ms, product_ms = min(times["hand"]) * 1000, min(times["product"]) * 1000
        verdict = "OK" if product_ms < 50 else "ABOVE GOAL"
        print(f"county {COUNTY} {title}: hand-written {hand_ms:,.0f} ms; product {product_ms:,.0f} ms; ratio "
              f"{product_ms / hand_ms:.2f} (goal < 50 ms for the product: {verdict}); load average "
              f"{' '.join(f'{x:.1f}' for x in os.getloadavg())}", flush=True)


def write_costs() -> None:
    """What the summary adds to writes: one activity recorded through the service (its refresh is
    one DELETE and one INSERT … SELECT for the pairing), and a county's pairings refreshed at once."""
    from django.db import connection, transaction

    from bangfu.activities.services import activity_record
    from bangfu.compliance import summary
    from bangfu.programmes.demo import ADMIN
    from bangfu.programmes.models import Pairing

    county = list(Pairing.objects.filter(county_code=COUNTY).values_list("pk", flat=True).order_by("pk"))
    pairings = list(Pairing.objects.filter(pk__in=county[:40]).select_related("programme"))
    data = {"kind": "走访", "occurred_on": date(YEAR, 6, 3), "content": "入户走访"}
    recorded, refresh_only = [], []
    with transaction.atomic():
        for pairing in pairings:
            start = time.perf_counter()
            activity_record(scope=ADMIN, by=None, pairings=[pairing], data=data)
            recorded.append(time.perf_counter() - start)
            start = time.perf_counter()  # the refresh alone, again for the same pairing
            summary.summary_refresh([pairing.pk])
            refresh_only.append(time.perf_counter() - start)
        start = time.perf_counter()
        summary.summary_refresh(county)
        bulk = time.perf_counter() - start
        transaction.set_rollback(True)
    with connection.cursor() as cur:
        cur.execute("SELECT pg_total_relation_size('compliance_compliancedone'), count(*) FROM compliance_compliancedone")
        size, rows = cur.fetchone()
    median = lambda xs: sorted(xs)[len(xs) // 2]  # noqa: E731
    print(f"write cost: recording one activity through the service {median(recorded) * 1000:.1f} ms "
          f"(median of {len(recorded)}), of which the summary refresh {median(refresh_only) * 1000:.1f} ms; "
          f"refreshing the county's {len(county):,} pairings at once {bulk:.1f} s; "
          f"summary {rows:,} rows, {size / 2**20:,.0f} MB with its indexes", flush=True)


def _setup_programme(env: dict) -> None:
    code = (
        "import django; django.setup()\n"
        "from datetime import date\n"
        "from bangfu.regions.models import Region\n"
        "from bangfu.programmes import services\n"
        "from bangfu.programmes.demo import ADMIN\n"
        "Region.objects.create(code='450000000000', name='广西', level=1, prefix='45', initials='GX', full_name='广西')\n"
        f"p = services.programme_create(scope=ADMIN, by=None, data={{'name': '全省干部结对帮扶', 'region': '450000000000',"
        f" 'starts_on': date({YEAR}, 1, 1), 'ends_on': date({YEAR}, 12, 31), 'helper_kinds': ['person'],"
        " 'target_kinds': ['household']})\n"
        "services.obligation_add(scope=ADMIN, by=None, programme=p, data={'name': '每月走访', 'kind': '走访',"
        " 'minimum': 1, 'period': 'month', 'grace_days': 5})\n"
    )
    subprocess.run([sys.executable, "-c", code], env=env, check=True, cwd=ROOT)


def main() -> None:
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "DJANGO_SETTINGS_MODULE": "bangfu.settings"}
    with _conn() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    try:
        subprocess.run([sys.executable, "-m", "bangfu.cli", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        _setup_programme(env)
        with _conn(DB) as conn:  # the province's row came with the programme; COPY brings the rest
            conn.execute("DELETE FROM regions_region WHERE code <> '450000000000'")
        start = time.perf_counter()
        sizes = generate(SCALE)
        print(f"scale {SCALE}: {sizes['pairings']:,} pairings, {sizes['activities']:,} activities, "
              f"{sizes['helpers']:,} helpers — generated by COPY in {time.perf_counter() - start:.0f} s", flush=True)
        start = time.perf_counter()
        subprocess.run([sys.executable, "-m", "bangfu.cli", "compliance_rebuild"], env=env, check=True, cwd=ROOT)
        print(f"compliance summary filled set-wise (bangfu compliance_rebuild) in {time.perf_counter() - start:.0f} s",
              flush=True)
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure"], env=env, check=True, cwd=ROOT)
    finally:
        if os.environ.get("BANGFU_BENCH_KEEP") != "1":
            with _conn() as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        sys.path.insert(0, str(ROOT))
        measure()
    else:
        main()
