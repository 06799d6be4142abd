"""A background job's worker, as a test needs one: another process holding the job's lock (bangfu.jobs)."""

import os
import subprocess
import sys
from contextlib import contextmanager

from django.conf import settings
from django.db import connection


@contextmanager
def held(kind: str, pk: int):
    """Job `pk`'s lock, held by another process — as its worker would hold it."""
    code = ("import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'bangfu.settings'); "
            "django.setup(); from bangfu import jobs; "
            f"cm = jobs.job_running({kind!r}, {pk}); cm.__enter__(); print('held', flush=True); sys.stdin.read()")
    env = _env()
    process = subprocess.Popen([sys.executable, "-c", code], env=env, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                               text=True)
    try:
        assert process.stdout.readline().strip() == "held"
        yield process
    finally:
        process.kill()
        process.wait()


def _env() -> dict:
    env = {**os.environ, "BANGFU_VAR_DIR": str(settings.VAR_DIR), "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY,
           "SECRET_KEY": settings.SECRET_KEY}
    if connection.vendor == "postgresql":
        db = settings.DATABASES["default"]
        env["DATABASE_URL"] = f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    else:
        env["DATABASE_URL"] = f"sqlite:///{settings.VAR_DIR}/jobs-test.sqlite3"
    return env
