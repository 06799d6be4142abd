"""Subsidy amounts for 100,000 applications on PostgreSQL: the product's rule against one
hand-written UPDATE doing the same arithmetic (issue 15: goal within 2×).

    BANGFU_BENCH_SUBSIDY_N  applications (default 100000)
    BANGFU_BENCH_PG         server URL without database (default postgres://postgres@127.0.0.1:5432)
    BANGFU_BENCH_SUBSIDY_DB database name (default bangfu_bench_subsidies); created and dropped

The database is created and migrated with the product's migrations; households and accepted
applications are filled by COPY (psycopg 3). The product side is the UPDATE that 造册核定 runs
(bangfu.subsidies.rules.amount_expression: least(quantity × rate, members × cap per member)),
the baseline the same UPDATE written by hand. Each is run 5 times in turn, each run in a
transaction rolled back, best time kept; the amounts must agree.
"""

import os
import random
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BANGFU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BANGFU_BENCH_SUBSIDY_DB", "bangfu_bench_subsidies")
N = int(os.environ.get("BANGFU_BENCH_SUBSIDY_N", "100000"))
VILLAGE = "450224100001"
ROUNDS = 5

BASELINE = ("UPDATE subsidies_application SET amount = LEAST(accepted_quantity * 1000.00, members * 3000.00) "
            "WHERE scheme_id = %s")


def _conn(db: str = "postgres"):
    import psycopg

    return psycopg.connect(f"{PG}/{db}", autocommit=True)


def fill() -> int:
    """Households and inspected applications by COPY; returns the scheme's id."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_compliance import _copy

    rng = random.Random(15)
    with _conn(DB) as conn, conn.cursor() as cur:
        cur.execute("INSERT INTO regions_region (code, name, level, prefix, initials, full_name) VALUES "
                    "('450224000000', '融安县', 3, '450224', 'rax', '融安县'), "
                    "(%s, '演示村', 5, %s, 'ysc', '融安县演示村')", [VILLAGE, VILLAGE])
        cur.execute("INSERT INTO subsidies_subsidyscheme (name, year, region_id, county_code, unit, rate, "
                    "minimum_quantity, cap_per_member, eligible_statuses, opens_on, closes_on, description, "
                    "created_at) "
                    "VALUES ('滑皮金桔种植奖补', 2026, '450224000000', '450224', 'mu', 1000, 1, 3000, '[]', "
                    "'2026-01-01', '2026-04-30', '', now()) RETURNING id")
        scheme_id = cur.fetchone()[0]
        _copy(cur, "registry_household", ["number", "region_id", "county_code", "size", "status"],
              ((f"H{i:07d}", VILLAGE, "450224", rng.randint(1, 6), "poor") for i in range(N)))
        cur.execute("SELECT min(id) FROM registry_household")
        first = cur.fetchone()[0]
        _copy(cur, "subsidies_application",
              ["scheme_id", "household_id", "county_code", "region_id", "quantity", "members", "applied_on",
               "accepted_quantity", "measured", "failures", "passed"],
              ((scheme_id, first + i, "450224", VILLAGE, q, rng.randint(1, 6), "2026-03-20", q, "{}", "[]", True)
               for i in range(N) for q in [Decimal(rng.randint(100, 2000)) / 100]))
        cur.execute("ANALYZE subsidies_application")
    return scheme_id


def measure(scheme_id: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Sum

    from bangfu.subsidies.models import Application, SubsidyScheme
    from bangfu.subsidies.rules import amount_expression

    scheme = SubsidyScheme.objects.get(pk=scheme_id)

    def product():
        Application.objects.filter(scheme=scheme).update(amount=amount_expression(scheme))

    def baseline():
        with connection.cursor() as cursor:
            cursor.execute(BASELINE, [scheme_id])

    best, totals = {}, {}
    for _round in range(ROUNDS):
        for name, run in (("product", product), ("baseline", baseline)):
            with transaction.atomic():
                start = time.perf_counter()
                run()
                elapsed = time.perf_counter() - start
                totals[name] = Application.objects.aggregate(s=Sum("amount"))["s"]
                transaction.set_rollback(True)
            best[name] = min(best.get(name, elapsed), elapsed)
    assert totals["product"] == totals["baseline"], totals
    print(f"{N:,} applications, total {totals['product']:,} 元")
    print(f"  product (amount_expression)  {best['product'] * 1000:8.1f} ms")
    print(f"  hand-written UPDATE          {best['baseline'] * 1000:8.1f} ms")
    print(f"  ratio {best['product'] / best['baseline']:.2f}× (goal: within 2×)", flush=True)


def main() -> None:
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "DJANGO_SETTINGS_MODULE": "bangfu.settings"}
    with _conn() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    try:
        subprocess.run([sys.executable, "-m", "bangfu.cli", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        start = time.perf_counter()
        scheme_id = fill()
        print(f"filled by COPY in {time.perf_counter() - start:.1f} s", flush=True)
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", str(scheme_id)], env=env,
                       check=True, cwd=ROOT)
    finally:
        with _conn() as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")


if __name__ == "__main__":
    if "--measure" in sys.argv:
        sys.path.insert(0, str(ROOT))
        measure(int(sys.argv[-1]))
    else:
        main()
