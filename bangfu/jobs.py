"""Whether a background job's process is still alive.

A killed worker (`kill -9`, out of memory, a restarted machine) never writes that its job ended:
an import would show 导入中 for ever and refuse to run again, an export 导出中. So a job's process
holds a lock for as long as it runs, one the system releases when the process dies however it
dies: on PostgreSQL a session advisory lock, released when the process's connection ends (any
machine may check it); on SQLite, which is one machine, an exclusive flock on
VAR_DIR/jobs/<kind>-<id>.lock, released by the kernel. A job that says it runs while its lock is
free was killed: `job_failed_if_dead` marks it failed, and the user can start it again.

The worker takes the lock before it marks the job started and lets go of it only after it has
saved how the job ended; a job is marked failed by a conditional update, so a job that ends while
it is being checked keeps its real end.
"""

import fcntl
import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

logger = logging.getLogger(__name__)
KINDS = {"import": 1, "export": 2}  # the first key of the two-key advisory lock


def _lock_path(kind: str, pk: int) -> Path:
    return Path(settings.VAR_DIR) / "jobs" / f"{kind}-{pk}.lock"


@contextmanager
def job_running(kind: str, pk: int) -> Iterator[None]:
    """Hold job `pk`'s lock while the block runs (in the worker)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_lock(%s, %s)", [KINDS[kind], pk])
        try:
            yield
        finally:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [KINDS[kind], pk])
        return
    path = _lock_path(kind, pk)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)
    path.unlink(missing_ok=True)


def job_alive(kind: str, pk: int) -> bool:
    """Whether some process holds job `pk`'s lock (asked from another process than the worker's)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_lock(%s, %s)", [KINDS[kind], pk])
            if not cursor.fetchone()[0]:
                return True
            cursor.execute("SELECT pg_advisory_unlock(%s, %s)", [KINDS[kind], pk])
        return False
    return file_lock_held(_lock_path(kind, pk))


def job_failed_if_dead(kind: str, job, *, running: dict, message: str) -> bool:
    """Mark `job` (an ImportJob or ExportJob its caller found running) failed with `message` if its
    worker is gone — only while its row still says it runs (`running`: those fields' values) — and
    reload it. Whether this call marked it. Both kinds of job call the status "failed"."""
    if job_alive(kind, job.pk):
        return False
    marked = type(job).objects.filter(pk=job.pk, **running).update(status="failed", message=message,
                                                                     finished_at=timezone.now())
    if marked:
        logger.warning("%s job %s: its worker is gone, marked failed", kind, job.pk)
    job.refresh_from_db()
    return bool(marked)


def file_lock_held(path: Path) -> bool:
    try:
        fd = os.open(path, os.O_RDWR)
    except FileNotFoundError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return True
    finally:
        os.close(fd)  # closing releases a lock this check took
    return False
