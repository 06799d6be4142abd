"""A killed `bangfu import` leaves no partial household, and the rerun finishes the job."""

import os
import signal
import subprocess
import sys
import time
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db import connection
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.privacy import id_numbers
from bangfu.registry.models import Household, Person
from bangfu.tests.factories import make_user

HOUSEHOLDS = 6000


def _file(path):
    lines = ["户编号,所在村,姓名,身份证号,与户主关系"]
    born = date(1950, 1, 1)
    for i in range(HOUSEHOLDS):
        day = born + timedelta(days=i)
        head = id_numbers.make("450224", day, i % 400, "male")
        child = id_numbers.make("450224", day + timedelta(days=9000), i % 400, "female")
        lines.append(f"K{i:05d},长安镇大巷村,户主{i},{head},户主")
        lines.append(f"K{i:05d},长安镇大巷村,子女{i},{child},子女")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.django_db(transaction=True)
def test_a_killed_import_leaves_nothing_half_written_and_the_rerun_completes(regions, tmp_path):
    if connection.vendor != "postgresql":
        pytest.skip("the subprocess needs a database it can reach: the SQLite test database is in memory")
    user = make_user(Role.COUNTY_OFFICE)
    source = tmp_path / "big.csv"
    _file(source)
    db = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY, "SECRET_KEY": settings.SECRET_KEY}
    progress = tmp_path / "stderr.txt"
    with open(progress, "w") as err:
        process = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "import", str(source), "--user", user.username,
                                    "--batch-size", "500"], env=env, stdout=subprocess.DEVNULL, stderr=err)
    killed = False
    deadline = time.monotonic() + 120
    while process.poll() is None and time.monotonic() < deadline:
        text = progress.read_text()
        if "/12000" in text and "| 0/" not in text.rsplit("\r", 1)[-1]:
            process.send_signal(signal.SIGKILL)
            killed = True
            break
        time.sleep(0.02)
    process.wait()
    assert killed, progress.read_text()[-500:]
    assert process.returncode == -signal.SIGKILL
    assert Household.objects.count() == 0 and Person.objects.count() == 0

    call_command("import", str(source), "--user", user.username, "--no-progress")
    assert Household.objects.count() == HOUSEHOLDS
    assert Person.objects.count() == 2 * HOUSEHOLDS
    assert not Household.objects.exclude(size=2).exists() and not Household.objects.filter(head=None).exists()


@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_shows_it_on_its_page_and_runs_again(regions, tmp_path, client, settings):
    """The same through the pages: the background worker dies mid-import; the page says so (not
    导入中 for ever), nothing was written, and 导入 again finishes the job."""
    if connection.vendor != "postgresql":
        pytest.skip("the worker needs a database it can reach: the SQLite test database is in memory")
    from django.core.files.uploadedfile import SimpleUploadedFile

    from bangfu.imports import services
    from bangfu.imports.models import ImportJob

    user = make_user(Role.COUNTY_OFFICE)
    client.force_login(user)
    source = tmp_path / "big.csv"
    _file(source)
    job = services.import_job_create(user=user, register="members",
                                      upload=SimpleUploadedFile("big.csv", source.read_bytes()))
    ImportJob.objects.filter(pk=job.pk).update(status="importing", dry_run=False)
    db = settings.DATABASES["default"]
    env = {**os.environ, "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
           "BANGFU_DATA_KEY": settings.BANGFU_DATA_KEY, "SECRET_KEY": settings.SECRET_KEY,
           "BANGFU_VAR_DIR": str(settings.VAR_DIR),
           "BANGFU_IMPORT_BATCH": "500"}
    worker = subprocess.Popen([sys.executable, "-m", "bangfu.cli", "shell", "-c",
                               f"from bangfu.imports.services import import_job_run; "
                               f"import_job_run(job_id={job.pk}, dry_run=False)"], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while worker.poll() is None and time.monotonic() < deadline:
        if services.import_progress(ImportJob.objects.get(pk=job.pk))[0] > 2000:
            break
        time.sleep(0.02)
    page = client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert "导入中" in page, page  # its worker is alive: it runs
    worker.send_signal(signal.SIGKILL)
    worker.wait()
    deadline = time.monotonic() + 10
    while "导入进程意外中断" not in page and time.monotonic() < deadline:
        page = client.get(reverse("imports:status", args=[job.pk])).content.decode()
    assert "导入进程意外中断" in page
    assert Household.objects.count() == 0 and Person.objects.count() == 0

    client.post(reverse("imports:start", args=[job.pk]), {"dry_run": "0"})  # at once: the immediate task backend
    job.refresh_from_db()
    assert job.status == "done", job.message
    assert Household.objects.count() == HOUSEHOLDS and Person.objects.count() == 2 * HOUSEHOLDS
    job.file.delete()
