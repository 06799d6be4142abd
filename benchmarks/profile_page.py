"""Where one page's time goes: cProfile over N requests through Django's test client, against the
database DATABASE_URL names (the demo, loaded with `bangfu demo`), signed in as the first user of a role.

    DATABASE_URL=postgres://…/db .venv/bin/python benchmarks/profile_page.py /households/ [--role county_office]
        [--region 450224] [-n 10] [--sort cumulative] [--limit 40]

Prints the time per request with and without the profiler, the queries and their time, and the
profile's top functions; with PROFILE_CALLERS="regex", also the callers of the functions it matches.
Not part of `make bench`: a tool for finding what a bench figure is made of.
"""

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("path")
    parser.add_argument("--role", default="county_office")
    parser.add_argument("--region", default="450224", help="the user's region code prefix")
    parser.add_argument("-n", type=int, default=10)
    parser.add_argument("--sort", default="cumulative")
    parser.add_argument("--limit", type=int, default=40)
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from bangfu.accounts.models import User

    user = User.objects.filter(role=args.role, region__code__startswith=args.region).order_by("pk").first()
    client = Client()
    client.force_login(user)
    response = client.get(args.path)
    assert response.status_code == 200, response.status_code
    start = time.perf_counter()
    for _i in range(args.n):
        client.get(args.path)
    plain = (time.perf_counter() - start) / args.n
    captured = []  # an execute wrapper: the query log is reset when a request starts

    def timed(execute, sql, params, many, context):
        start = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append({"sql": sql, "time": time.perf_counter() - start})

    with connection.execute_wrapper(timed):
        client.get(args.path)
    sql = sum(q["time"] for q in captured)
    profile = cProfile.Profile()
    profile.enable()
    for _i in range(args.n):
        client.get(args.path)
    profile.disable()
    print(f"{args.path} as {user.username}: {plain * 1000:.1f} ms a request, {len(captured)} queries, "
          f"{sql * 1000:.1f} ms in SQL ({len(response.content):,} bytes)")
    for query in captured:
        print(f"  {query['time'] * 1000:7.1f} ms  {query['sql'][:300]}")
    stats = pstats.Stats(profile).sort_stats(args.sort)
    stats.print_stats(args.limit)
    if os.environ.get("PROFILE_CALLERS"):
        stats.print_callers(os.environ["PROFILE_CALLERS"])


if __name__ == "__main__":
    main()
