"""`make test`: the whole suite on SQLite, then on PostgreSQL.

PostgreSQL is DATABASE_URL if set, else postgres://postgres@127.0.0.1:5432/bangfu.
In CI (CI=true) a PostgreSQL that cannot be reached, or a missing Chromium, is a failure;
on a laptop it is said plainly and the rest runs.
"""

import os
import shutil
import subprocess
import sys

PG_URL = os.environ.get("BANGFU_TEST_PG_URL", "postgres://postgres@127.0.0.1:5432/bangfu")
CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def postgres_reachable(url: str) -> str | None:
    try:
        import psycopg

        conninfo = url.rsplit("/", 1)[0] + "/postgres"
        with psycopg.connect(conninfo, connect_timeout=5):
            return None
    except Exception as exc:  # any failure means: not reachable
        return str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__


def pytest(env_extra: dict[str, str], label: str, extra_args: list[str]) -> int:
    env = {**os.environ, **env_extra}
    print(f"\n=== {label} ===", flush=True)
    # worksteal: a worker that runs out of tests takes some queued for the other
    args = [sys.executable, "-m", "pytest", "-q", "-n", os.environ.get("BANGFU_TEST_WORKERS", "2"),
            "--dist", "worksteal", *extra_args]
    return subprocess.call(args, env=env)


def main() -> int:
    extra = sys.argv[1:]
    if not shutil.which("chromium"):
        msg = "未找到 chromium：浏览器测试将跳过 (Debian: apt-get install chromium)"
        if CI:
            print("CI: " + msg + " — CI 中这是失败。", file=sys.stderr)
            return 1
        print(msg, file=sys.stderr)
    problem = postgres_reachable(PG_URL)
    # The walks of every page, role and browser flow (marked `once`) run in one of the two runs (conftest.py).
    once = {} if problem else {"BANGFU_BOTH_DATABASES": "1"}
    sqlite_env = {"DATABASE_URL": "", "BANGFU_DB_LABEL": "sqlite", **once}
    code = pytest(sqlite_env, "SQLite", extra)
    if problem:
        msg = f"PostgreSQL 无法连接 ({PG_URL}): {problem}"
        if CI:
            print("CI: " + msg + " — CI 中这是失败。", file=sys.stderr)
            return 1
        print(msg + " — 跳过 PostgreSQL 测试。", file=sys.stderr)
        return code
    pg_code = pytest({"DATABASE_URL": PG_URL, "BANGFU_DB_LABEL": "postgresql", **once}, "PostgreSQL", extra)
    return code or pg_code


if __name__ == "__main__":
    sys.exit(main())
