"""Rules over a province on PostgreSQL: the evaluation the rules app builds from a rule set
against one hand-written SQL statement applying the same criteria (issue 16: goal within 1.5×
and under a minute for 10,000,000 people in 3,000,000 households).

    BANGFU_BENCH_RULES_HOUSEHOLDS  households (default 300000; the issue's province: 3000000)
    BANGFU_BENCH_PG                server URL without database (default postgres://postgres@127.0.0.1:5432)
    BANGFU_BENCH_RULES_DB          database name (default bangfu_bench_rules); created and dropped
    BANGFU_BENCH_RULES_ROUNDS      rounds, best kept (default 3)

The database is migrated with the product's migrations and filled by COPY: 100 counties of 10
townships of 10 villages, households of 1–6 members (3.33 on average), 88 % exited, 9.5 %
monitored, 2.5 % poor, incomes drawn around the lines, a few indicators insecure, children of
school age and adults unable to work among the members, an income record per monitored household.
The product side is the INSERT … SELECT rules.services.evaluation_run writes (rules/criteria.py)
and then the whole run (with the villages' 贫困发生率 and the counts); the baseline the same
rows written by one hand-written statement. Each run in a transaction rolled back; the rows must
agree.
"""

import os
import random
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BANGFU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DB = os.environ.get("BANGFU_BENCH_RULES_DB", "bangfu_bench_rules")
HOUSEHOLDS = int(os.environ.get("BANGFU_BENCH_RULES_HOUSEHOLDS", "300000"))
ROUNDS = int(os.environ.get("BANGFU_BENCH_RULES_ROUNDS", "3"))
ON = date(2026, 11, 30)

BASELINE = """
INSERT INTO rules_evaluationrow (evaluation_id, household_id, county_code, region_id, status, size, income_per_capita,
  income_previous, income_total, expense, disaster_loss, out_of_school, unable_to_work, exit_ok, failures, triggers,
  risk_eliminable)
SELECT %(e)s, h.id, h.county_code, h.region_id, h.status, h.size, h.income_per_capita, h.income_per_capita_previous,
  h.wage_income + h.production_income + h.property_income + h.transfer_income,
  h.medical_expense + h.schooling_expense, h.disaster_loss, coalesce(m.oos, 0), coalesce(m.unable, 0),
  h.income_per_capita > 4900 AND h.food_secure AND h.clothing_secure AND h.education_secure
    AND coalesce(m.oos, 0) = 0 AND h.medical_secure AND h.housing_secure AND h.water_secure,
  CASE WHEN h.income_per_capita <= 4900 THEN 'income,' ELSE '' END
  || CASE WHEN NOT h.food_secure THEN 'food,' ELSE '' END || CASE WHEN NOT h.clothing_secure THEN 'clothing,' ELSE '' END
  || CASE WHEN NOT h.education_secure OR coalesce(m.oos, 0) > 0 THEN 'education,' ELSE '' END
  || CASE WHEN NOT h.medical_secure THEN 'medical,' ELSE '' END || CASE WHEN NOT h.housing_secure THEN 'housing,' ELSE '' END
  || CASE WHEN NOT h.water_secure THEN 'water,' ELSE '' END,
  CASE WHEN h.income_per_capita < 7300 THEN 'income_low,' ELSE '' END
  || CASE WHEN h.income_per_capita_previous > 0 AND h.income_per_capita < h.income_per_capita_previous * 0.70
          THEN 'income_drop,' ELSE '' END
  || CASE WHEN h.medical_expense + h.schooling_expense > 0 AND h.medical_expense + h.schooling_expense >
          (h.wage_income + h.production_income + h.property_income + h.transfer_income) * 0.50 THEN 'expense,' ELSE '' END
  || CASE WHEN h.disaster_loss > 0 AND h.disaster_loss >
          (h.wage_income + h.production_income + h.property_income + h.transfer_income) * 0.20 THEN 'disaster,' ELSE '' END
  || CASE WHEN NOT h.housing_secure THEN 'housing,' ELSE '' END
  || CASE WHEN coalesce(m.unable, 0) > 0 AND coalesce(m.able, 0) = 0 THEN 'work_ability,' ELSE '' END,
  h.status = 'monitored' AND h.income_per_capita >= 7300 AND h.food_secure AND h.clothing_secure
    AND h.education_secure AND coalesce(m.oos, 0) = 0 AND h.medical_secure AND h.housing_secure AND h.water_secure
    AND coalesce(ib.last_below, h.monitored_on, '1900-01-01') <= '2026-05-30'
FROM registry_household h
LEFT JOIN (SELECT household_id,
             sum(CASE WHEN birth_date > '2010-11-30' AND birth_date <= '2020-11-30'
                       AND schooling IN ('none', 'dropout') THEN 1 ELSE 0 END) AS oos,
             sum(CASE WHEN birth_date > '1966-11-30' AND birth_date <= '2010-11-30'
                       AND work_ability = 'unable' THEN 1 ELSE 0 END) AS unable,
             sum(CASE WHEN work_ability = 'able' THEN 1 ELSE 0 END) AS able
           FROM registry_person
           WHERE household_id IS NOT NULL AND region_id LIKE '45%%'
             AND ((schooling IN ('none', 'dropout') AND birth_date > '2010-11-30' AND birth_date <= '2020-11-30')
               OR (work_ability = 'unable' AND birth_date > '1966-11-30' AND birth_date <= '2010-11-30')
               OR work_ability = 'able')
           GROUP BY household_id) m ON m.household_id = h.id
LEFT JOIN (SELECT household_id, max(recorded_on) AS last_below FROM rules_incomerecord
           WHERE county_code LIKE '45%%' AND income_per_capita < 7300 AND recorded_on <= '2026-11-30'
           GROUP BY household_id) ib ON ib.household_id = h.id
WHERE h.region_id LIKE '45%%'
"""


def _conn(db: str = "postgres"):
    import psycopg

    return psycopg.connect(f"{PG}/{db}", autocommit=True)


def fill() -> int:
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from bench_compliance import _copy

    rng = random.Random(16)
    regions, villages = [("450000000000", "广西壮族自治区", 1, None, "45", "GX", "广西壮族自治区")], []
    for c in range(100):
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
    people = 0
    with _conn(DB) as conn, conn.cursor() as cur:
        _copy(cur, "regions_region", ["code", "name", "level", "parent_id", "prefix", "initials", "full_name"], regions)
        sizes = [rng.choice((1, 2, 3, 3, 4, 4, 5, 6)) if rng.random() < 0.9 else rng.randint(1, 3)
                 for _ in range(HOUSEHOLDS)]

        def households():
            for i in range(HOUSEHOLDS):
                village = villages[i * len(villages) // HOUSEHOLDS]
                draw = rng.random()
                status = "exited" if draw < 0.88 else "monitored" if draw < 0.975 else "poor"
                per_head = round(rng.lognormvariate(9.4 if status == "exited" else 8.9, 0.35), 2)
                size = sizes[i]
                wage = round(per_head * size, 2)
                previous = round(per_head * rng.uniform(0.8, 1.6), 2) if rng.random() < 0.5 else 0
                insecure = rng.random() < 0.02
                yield (i + 1, f"H{i:08d}", village, village[:6], status, size, wage, 0, 0, 0, per_head, previous,
                       round(rng.uniform(0, 15000), 2) if rng.random() < 0.05 else 0, 0,
                       round(rng.uniform(0, 20000), 2) if rng.random() < 0.01 else 0,
                       not (insecure and rng.random() < 0.2), True, not (insecure and rng.random() < 0.3),
                       not (insecure and rng.random() < 0.3), not (insecure and rng.random() < 0.4),
                       not (insecure and rng.random() < 0.3),
                       date(2022 + i % 4, 1 + i % 12, 1) if status == "monitored" else None,
                       date(2019, 11, 1) if status == "exited" else None)

        _copy(cur, "registry_household", [
            "id", "number", "region_id", "county_code", "status", "size", "wage_income", "production_income",
            "property_income", "transfer_income", "income_per_capita", "income_per_capita_previous", "medical_expense",
            "schooling_expense", "disaster_loss", "food_secure", "clothing_secure", "education_secure",
            "medical_secure", "housing_secure", "water_secure", "monitored_on", "exited_on"], households())
        cur.execute("SELECT setval(pg_get_serial_sequence('registry_household', 'id'), %s)", [HOUSEHOLDS])
        people = sum(sizes)

        def persons():
            for i in range(HOUSEHOLDS):
                village = villages[i * len(villages) // HOUSEHOLDS]
                for k in range(sizes[i]):
                    age = rng.randint(30, 80) if k == 0 else rng.randint(0, 85)
                    born = date(ON.year - age, 1 + (i + k) % 12, 1 + (i * 7 + k) % 28)
                    school = ("primary" if rng.random() < 0.97 else "dropout") if 6 <= age <= 15 else "none"
                    ability = "able" if 16 <= age <= 59 and rng.random() < 0.97 else (
                        "unable" if rng.random() < 0.3 else "weak")
                    yield (f"成员{i}-{k}", "male" if k % 2 == 0 else "female", born, village, village[:6], i + 1,
                           "head" if k == 0 else "child", school, ability, "resident")

        _copy(cur, "registry_person", ["name", "gender", "birth_date", "region_id", "county_code", "household_id",
                                       "relation", "schooling", "work_ability", "kind"], persons())
        cur.execute("SELECT id, county_code, income_per_capita FROM registry_household WHERE status = 'monitored'")
        monitored = cur.fetchall()
        _copy(cur, "rules_incomerecord", ["household_id", "county_code", "recorded_on", "income_per_capita"],
              ((hid, county, date(2026, 1 + hid % 11, 1), income) for hid, county, income in monitored))
        cur.execute("""INSERT INTO rules_ruleset (region_id, year, version, effective_from, poverty_line,
            monitoring_line, compulsory_age_from, compulsory_age_to, check_water, income_drop_share, expense_share,
            disaster_share, working_age_from, working_age_to, steady_months, village_exit_rate, county_exit_rate,
            county_village_share, note, created_at)
            VALUES ('450000000000', 2026, 1, '2026-01-01', 4900, 7300, 6, 15, true, 0.30, 0.50, 0.20, 16, 59, 6, 3.00,
            3.00, 100.00, '', now()) RETURNING id""")
        rule_set = cur.fetchone()[0]
        for table in ("registry_household", "registry_person", "rules_incomerecord", "regions_region"):
            cur.execute(f"VACUUM ANALYZE {table}")
    print(f"{HOUSEHOLDS:,} households, {people:,} people in {len(villages):,} villages", flush=True)
    return rule_set


def measure(rule_set_id: int) -> None:
    import django

    django.setup()
    from django.db import connection, transaction

    from bangfu.accounts.roles import Role
    from bangfu.accounts.scope import Scope
    from bangfu.rules.criteria import evaluation_select
    from bangfu.rules.models import Evaluation, RuleSet
    from bangfu.rules.services import evaluation_insert_sql, evaluation_run

    rule_set = RuleSet.objects.get(pk=rule_set_id)
    admin = Scope(role=Role.ADMIN, prefix="")
    select = evaluation_select(rule_set, prefix="45", on=ON)

    def digest(evaluation_id):
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*), sum(CASE WHEN exit_ok THEN 1 ELSE 0 END), "
                           "md5(string_agg(failures || '|' || triggers || '|' || risk_eliminable::text, ',' "
                           "ORDER BY household_id)) FROM rules_evaluationrow WHERE evaluation_id = %s", [evaluation_id])
            return cursor.fetchone()

    def product():
        evaluation = Evaluation.objects.create(region_id="450000000000", on=ON, rule_set=rule_set)
        with connection.cursor() as cursor:
            cursor.execute(evaluation_insert_sql(select.text, evaluation.pk), select.params)
        return evaluation.pk

    def baseline():
        evaluation = Evaluation.objects.create(region_id="450000000000", on=ON, rule_set=rule_set)
        with connection.cursor() as cursor:
            cursor.execute(BASELINE, {"e": evaluation.pk})
        return evaluation.pk

    def whole():
        return evaluation_run(scope=admin, by=None, region="450000000000", on=ON).pk

    best, digests = {}, {}
    for _round in range(ROUNDS):
        for name, run in (("product", product), ("baseline", baseline), ("whole", whole)):
            with transaction.atomic():
                start = time.perf_counter()
                evaluation_id = run()
                elapsed = time.perf_counter() - start
                digests[name] = digest(evaluation_id)
                transaction.set_rollback(True)
            best[name] = min(best.get(name, elapsed), elapsed)
    assert digests["product"] == digests["baseline"] == digests["whole"], digests
    rows, eligible, _md5 = digests["product"]
    print(f"evaluated {rows:,} households ({eligible:,} meeting every exit criterion)")
    print(f"  product: rule set → INSERT … SELECT   {best['product']:8.2f} s")
    print(f"  hand-written INSERT … SELECT          {best['baseline']:8.2f} s")
    print(f"  ratio {best['product'] / best['baseline']:.2f}× (goal: within 1.5×)")
    print(f"  whole evaluation_run (+ villages' 贫困发生率, counts)  {best['whole']:8.2f} s "
          f"(goal: under 60 s at 3,000,000 households)", flush=True)


def main() -> None:
    env = {**os.environ, "DATABASE_URL": f"{PG}/{DB}", "DJANGO_SETTINGS_MODULE": "bangfu.settings"}
    with _conn() as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DB}")
    try:
        subprocess.run([sys.executable, "-m", "bangfu.cli", "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
        start = time.perf_counter()
        rule_set = fill()
        print(f"filled by COPY in {time.perf_counter() - start:.1f} s", flush=True)
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--measure", str(rule_set)], env=env,
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
