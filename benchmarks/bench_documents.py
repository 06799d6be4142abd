"""Booklets (帮扶手册) of a whole township per second, against rendering the same template with the
same data already in memory.

    BANGFU_BENCH_DOCS_SCALE   demo size (default 0.2: about 1,200 households in 融安县)
    BANGFU_BENCH_DOCS_VAR     folder for the SQLite database and files (default: a new temporary
                              folder, removed afterwards; give one to keep the demo between runs)
    BANGFU_BENCH_DOCS_FORMAT  docx (default) or pdf
    BANGFU_BENCH_DOCS_AS_OF   the documents' date (default today: the demo's histories end today)

The demo county is generated (`bangfu demo`), then the township with the most households is printed
by the product's batch (documents.batch: the background export a user starts from the 文书 page,
run here at once by the immediate task backend) as a county office: each household's data gathered
through the selectors in scope, filled into the template, zipped, recorded. The baseline gathers the
same data first, untimed, and times only filling the same template and zipping. The ratio is
product rate / baseline rate (the issue's goal: at least 0.5).
"""

import io
import os
import shutil
import sys
import tempfile
import time
import zipfile
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCALE = os.environ.get("BANGFU_BENCH_DOCS_SCALE", "0.2")
FORMAT = os.environ.get("BANGFU_BENCH_DOCS_FORMAT", "docx")
# the demo's histories end on the day it is generated: print as of today unless told otherwise
AS_OF = date.fromisoformat(os.environ.get("BANGFU_BENCH_DOCS_AS_OF") or date.today().isoformat())


def main() -> None:
    """Runs the measurement in a child process with its own settings (make bench runs every module
    in one process: this one must not leave Django set up, or its environment, behind)."""
    import subprocess

    keep = os.environ.get("BANGFU_BENCH_DOCS_VAR")
    var = Path(keep) if keep else Path(tempfile.mkdtemp(prefix="bangfu-bench-docs-"))
    var.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TASKS_BACKEND")}
    env.update(BANGFU_VAR_DIR=str(var), DJANGO_SETTINGS_MODULE="bangfu.settings")
    try:
        subprocess.run([sys.executable, str(Path(__file__).resolve()), "--run"], env=env, check=True, cwd=ROOT)
    finally:
        if not keep:
            shutil.rmtree(var, ignore_errors=True)


def run() -> None:
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from bangfu.registry.models import Household

    if not Household.objects.exists():
        started = time.perf_counter()
        call_command("demo", scale=float(SCALE), stdout=io.StringIO())
        print(f"demo at scale {SCALE}: {time.perf_counter() - started:.0f} s", flush=True)
    measure()


def measure() -> None:
    from django.db.models import Count
    from django.db.models.functions import Substr

    from bangfu.accounts.models import User
    from bangfu.accounts.roles import Role
    from bangfu.documents import rendering
    from bangfu.documents.batch import batch_households, batch_start
    from bangfu.documents.kinds import kind_get
    from bangfu.documents.services import document_data
    from bangfu.exports.models import ExportJob
    from bangfu.registry.models import Household

    township = (Household.objects.annotate(t=Substr("region_id", 1, 9)).values("t").annotate(n=Count("id"))
                .order_by("-n").first()["t"]).ljust(12, "0")
    user = User.objects.filter(username="bench-documents").first()
    if user is None:
        user = User(username="bench-documents", role=Role.COUNTY_OFFICE, region_id="450224000000",
                    display_name="基准测试")
        user.set_unusable_password()
        user.save()
    user = User.objects.select_related("region").get(pk=user.pk)

    started = time.perf_counter()
    job = batch_start(user=user, kind="booklet", region=township, as_of=AS_OF, fmt=FORMAT)
    product = time.perf_counter() - started
    job = ExportJob.objects.get(pk=job.pk)
    assert job.status == "done", job.message
    n = job.rows_done

    kind = kind_get("booklet")
    _subject, households = batch_households(user=user, region=township)
    data = [document_data(user=user, kind=kind, subject_key=str(pk), as_of=AS_OF)[2]
            for pk in households.values_list("pk", flat=True)]
    template = rendering.default_template("booklet")
    started = time.perf_counter()
    with zipfile.ZipFile(io.BytesIO(), "w", zipfile.ZIP_DEFLATED) as archive:
        for i, item in enumerate(data):
            content = rendering.docx_render(template, item) if FORMAT == "docx" else rendering.pdf_render(kind, item)
            archive.writestr(f"{i}.{FORMAT}", content)
    baseline = time.perf_counter() - started
    from bangfu.regions.models import Region

    name = Region.objects.get(code=township).name
    print(f"township {township} ({name}): {n} households, {len(data)} in the baseline", flush=True)
    print(f"product  (batch: gather in scope + fill + zip + record): {n / product:7.1f} booklets/s  ({product:.1f} s)")
    print(f"baseline (fill + zip, data in memory):                  {len(data) / baseline:7.1f} booklets/s  ({baseline:.1f} s)")
    print(f"ratio product/baseline: {(n / product) / (len(data) / baseline):.2f}  (goal ≥ 0.5)", flush=True)


if __name__ == "__main__":
    run() if "--run" in sys.argv else main()
