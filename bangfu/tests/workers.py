"""A background job's worker, as a test needs one: another process holding the job's lock (bangfu.jobs)."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection

from bangfu import jobs


@contextmanager
def held(kind: str, pk: int):
    """Job `pk`'s lock, held by another process — as its worker would hold it."""
    code = ("import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'bangfu.settings'); "
            "django.setup(); from bangfu import jobs; "
            f"cm = jobs.job_running({kind!r}, {pk}); cm.__enter__(); "
            "print('held', flush=True); sys.stdin.read()")
    env = _env()
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout.readline().strip() == "held"
        yield process
    finally:
        process.kill()
        process.wait()
        _released(kind, pk)


def _released(kind: str, pk: int) -> None:
    """Wait until the killed process's lock is free. PostgreSQL lets go of a session's advisory lock only once
    its backend has noticed the connection closed, a moment after the process died. Asked as the status page
    asks (`job_alive`): pg_stat_activity would not do, as it is read once per transaction and the test runs
    in one."""
    deadline = time.monotonic() + 10
    while jobs.job_alive(kind, pk):
        if time.monotonic() > deadline:
            raise AssertionError(f"job {kind} {pk}'s lock still held 10 s after its process was killed")
        time.sleep(0.02)


def _env() -> dict:
    env = {**os.environ, "BANGFU_VAR_DIR": str(settings.VAR_DIR), "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY,
           "SECRET_KEY": settings.SECRET_KEY}
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{settings.VAR_DIR}/jobs-test.sqlite3"
    return env
