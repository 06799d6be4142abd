"""A background job's worker, as a test needs one: another process holding the job's lock (bangfu.jobs)."""

import os
import subprocess
import sys
import time
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def held(kind: str, pk: int):
    """Job `pk`'s lock, held by another process — as its worker would hold it."""
    code = ("import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'bangfu.settings'); "
            "django.setup(); from bangfu import jobs; "
            f"cm = jobs.job_running({kind!r}, {pk}); cm.__enter__(); "
            "from django.db import connection as c; "
            "print('held', c.vendor == 'postgresql' and c.cursor().execute('SELECT pg_backend_pid()').fetchone()[0], "
            "flush=True); sys.stdin.read()")
    env = _env()
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    backend = None
    try:
        word, backend = process.stdout.readline().split()
        assert word == "held"
        yield process
    finally:
        process.kill()
        process.wait()
        if connection.vendor == "postgresql" and backend is not None:
            _gone(int(backend))


def _gone(backend: int) -> None:
    """Wait for the killed process's PostgreSQL backend to end: the server lets go of a session's
    advisory lock only once it has noticed the connection closed, a moment after the process died."""
    deadline = time.monotonic() + 10
    with connection.cursor() as cursor:
        while time.monotonic() < deadline:
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [backend])
            if cursor.fetchone() is None:
                return
            time.sleep(0.02)
    raise AssertionError(f"PostgreSQL backend {backend} still alive 10 s after its process was killed")


def _env() -> dict:
    env = {**os.environ, "BANGFU_VAR_DIR": str(settings.VAR_DIR), "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY,
           "SECRET_KEY": settings.SECRET_KEY}
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{settings.VAR_DIR}/jobs-test.sqlite3"
    return env
