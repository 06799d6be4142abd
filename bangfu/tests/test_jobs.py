"""A background job whose worker died is seen as such (bangfu.jobs): the lock its process held is free."""

import time

import pytest

from bangfu import jobs
from bangfu.tests.workers import held


@pytest.mark.django_db(transaction=True)
def test_a_job_is_alive_while_its_process_holds_the_lock_and_not_after_it_is_killed():
    assert not jobs.job_alive("import", 41)
    with held("import", 41) as worker:
        assert jobs.job_alive("import", 41) and not jobs.job_alive("export", 41) and not jobs.job_alive("import", 42)
        worker.kill()
        worker.wait()
        deadline = time.monotonic() + 10
        while jobs.job_alive("import", 41) and time.monotonic() < deadline:  # the server notices the closed connection
            time.sleep(0.05)
        assert not jobs.job_alive("import", 41)


@pytest.mark.django_db(transaction=True)
def test_a_job_ended_normally_leaves_its_lock_free():
    with jobs.job_running("export", 7):
        pass
    assert not jobs.job_alive("export", 7)
