"""What each page of the page benchmark costs beyond its baseline, one request at a time, in process.

    DATABASE_URL=postgres://…/db .venv/bin/python benchmarks/page_costs.py [-n 30]

Against a database the page bench filled (`BANGFU_BENCH_PAGES_KEEP=1 … bench_pages.py`), as the bench's
users (benchmarks/bench_pages.py: _prepare and _pages), through Django's test client under the bench's
settings: per page the median time of a request, and of its baseline (the same shape from constant data,
benchmarks/pages/views.py), split into the time spent executing SQL (an execute wrapper: the database's
round trips, on this machine mostly the database's own work), rendering templates (without the SQL of
querysets they evaluate) and the rest (the view's Python: building queries, model instances,
decryption, serialising). Then each page's three slowest statements. Not part of `make bench`: a tool
for explaining the bench's ratios (docs/performance.md, Pages)."""

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("-n", type=int, default=30)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ["DJANGO_SETTINGS_MODULE"] = "benchmarks.pages.settings"
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.db import connection
    from django.db.models import Count
    from django.template.backends import django as backend
    from django.test import Client

    from bangfu.accounts.models import User
    from bangfu.accounts.roles import Role
    from bangfu.programmes.models import Pairing
    from bangfu.registry.models import Household
    from benchmarks import bench_pages

    sql = {"time": 0.0, "count": 0, "log": []}
    template = {"time": 0.0, "sql": 0.0, "depth": 0}
    render = backend.Template.render

    def timed_render(self, *a, **k):
        template["depth"] += 1
        start, sql_before = time.perf_counter(), sql["time"]
        try:
            return render(self, *a, **k)
        finally:
            template["depth"] -= 1
            if not template["depth"]:
                template["time"] += time.perf_counter() - start
                template["sql"] += sql["time"] - sql_before

    backend.Template.render = timed_render

    def timed_execute(execute, statement, params, many, context):
        start = time.perf_counter()
        try:
            return execute(statement, params, many, context)
        finally:
            took = time.perf_counter() - start
            sql["time"] += took
            sql["count"] += 1
            sql["log"].append((took, statement))

    county = User.objects.filter(role=Role.COUNTY_OFFICE, region__code__startswith="450224").order_by("pk").first()
    village_team = User.objects.filter(role=Role.VILLAGE_TEAM).order_by("pk").first()
    busiest = (Pairing.objects.filter(ends_on__isnull=True, helper_person__isnull=False)
               .values("helper_person_id").order_by().annotate(n=Count("id")).order_by("-n", "helper_person_id").first())
    helper = (User.objects.filter(person_id=busiest["helper_person_id"]).first() if busiest else None) or \
        User.objects.filter(role=Role.HELPER).order_by("pk").first()
    household = (Household.objects.filter(region_id=village_team.region_id).order_by("pk").first()
                 or Household.objects.order_by("pk").first())
    users = {"county": county, "village": village_team, "helper": helper}
    info = {"household": household.pk, "village_code": village_team.region_id}

    def measure(client, path) -> dict:
        for _warm in range(3):
            response = client.get(path)
            assert response.status_code == 200, (path, response.status_code)
        runs = []
        for _run in range(args.n):
            sql.update(time=0.0, count=0, log=[])
            template.update(time=0.0, sql=0.0)
            start = time.perf_counter()
            with connection.execute_wrapper(timed_execute):
                client.get(path)
            total = time.perf_counter() - start
            runs.append({"total": total, "sql": sql["time"], "count": sql["count"],
                         "template": template["time"] - template["sql"], "log": sql["log"]})
        runs.sort(key=lambda r: r["total"])
        return runs[len(runs) // 2] | {"median": statistics.median(r["total"] for r in runs)}

    print(f"median of {args.n} requests a page, ms; database {connection.settings_dict['NAME']}")
    print("| page | baseline | page | beyond baseline | SQL executing (queries) | templates | rest (view's Python) |")
    print("|---|---|---|---|---|---|---|")
    slowest = {}
    for name, who, path, kind in bench_pages._pages(info):
        client = Client()
        client.force_login(users[who])
        body = client.get(path).content
        if kind == "json":
            doc = re.sub(r"\W+", "_", name)
            folder = Path(os.environ.setdefault("BANGFU_BENCH_PAGES_DIR", "/tmp"))
            (folder / f"{doc}.json").write_bytes(body)
            baseline = f"/bench/baseline.json?doc={doc}"
        else:
            rows, cols = bench_pages._shape(body.decode())
            baseline = f"/bench/baseline/?rows={rows}&cols={cols}"
        base, page = measure(client, baseline), measure(client, path)
        ms = {k: page[k] * 1000 for k in ("median", "sql", "template")}
        rest = ms["median"] - ms["sql"] - ms["template"]
        print(f"| {name} | {base['median'] * 1000:.1f} | {ms['median']:.1f} | {ms['median'] - base['median'] * 1000:.1f} "
              f"| {ms['sql']:.1f} ({page['count']}) | {ms['template']:.1f} | {rest:.1f} |", flush=True)
        slowest[name] = sorted(page["log"], key=lambda q: -q[0])[:3]
    for name, statements in slowest.items():
        print(f"\n{name}: slowest statements")
        for took, statement in statements:
            print(f"  {took * 1000:6.1f} ms  {' '.join(statement.split())[:160]}")


if __name__ == "__main__":
    main()
