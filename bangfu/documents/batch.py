"""All booklets of a village, township or county as one zip, written in the background.

The batch is one more background export (bangfu.exports): an ExportJob with listing "documents" and
format "zip", run by the same task and worker, guarded by the same lock (bangfu/jobs.py), shown with
its progress on 我的导出 and downloaded from there by its owner only. The template is read once; each
household's data are gathered and filled in turn, and each booklet is recorded as a Document.
"""

import zipfile
from datetime import date
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.documents import rendering
from bangfu.documents.kinds import kind_get
from bangfu.documents.reports import find_region
from bangfu.documents.selectors import template_current
from bangfu.errors import ValidationError
from bangfu.regions.models import prefix_of
from bangfu.registry.selectors import household_list

LISTING = "documents"
PROGRESS_EVERY = 10  # booklets between two progress updates


def _title(params: dict) -> str:
    from bangfu.documents.kinds import KINDS, _load

    _load()
    kind = KINDS.get(params.get("kind", ""))
    return _("%(kind)s(批量)-%(region)s") % {"kind": kind.title if kind else params.get("kind"),
                                             "region": params.get("region_name", params.get("region", ""))}


def batch_households(*, user, region: str):
    subject = find_region(user.scope, region)  # 404 outside the scope
    return subject, household_list(scope=user.scope).filter(region__code__startswith=prefix_of(subject.key))


def batch_start(*, user, kind: str, region: str, as_of: date, fmt: str = "docx", full: bool = False):
    """Queue the booklets of `region` (a village, township or county code in the user's scope)."""
    from bangfu.documents.services import DocumentPersonal, _format
    from bangfu.exports.models import ExportJob
    from bangfu.exports.services import export_check
    from bangfu.exports.tasks import export_job_task

    export_check(user)
    found = kind_get(kind)
    if not found.batch:
        raise ValidationError(_("“%(k)s”不能批量生成") % {"k": found.title}, field="kind")
    fmt = _format(fmt)
    if as_of is None:
        raise ValidationError(_("请填写数据截止日期"), field="as_of")
    DocumentPersonal(user=user, full=full, kind=found)  # refused now, not when the task runs
    subject, households = batch_households(user=user, region=region)
    job = ExportJob.objects.create(
        created_by=user, listing=LISTING, format="zip", full=full, rows_total=households.count(),
        params={"kind": found.key, "region": subject.key, "region_name": subject.name, "as_of": as_of.isoformat(),
                "format": fmt})
    transaction.on_commit(lambda: export_job_task.enqueue(job.pk))
    return job


def batch_write(job, path: Path, progress) -> None:
    """The producer: one file per household, in a folder per village, with the owner's scope as it is now."""
    from bangfu.documents.models import Document
    from bangfu.documents.services import _template_bytes, document_make

    user, params = job.created_by, job.params
    kind = kind_get(params["kind"])
    as_of = date.fromisoformat(params["as_of"])
    _subject, households = batch_households(user=user, region=params["region"])
    rows = list(households.values_list("pk", "number", "region__name"))
    total = len(rows)
    progress(0, total)
    template = template_current(kind=kind.key, prefix=user.scope.prefix)
    content, version = _template_bytes(kind, template)
    records = []
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for done, (pk, number, village) in enumerate(rows, start=1):
            made = document_make(user=user, kind=kind, subject=str(pk), as_of=as_of, fmt=params["format"], params={},
                                 full=job.full, template=template, template_content=content, version=version)
            name = f"{village}/{number}-{made.subject.name}.{params['format']}"
            archive.writestr(zipfile.ZipInfo(name, date_time=rendering.ZIP_TIME), made.content,
                             compress_type=zipfile.ZIP_DEFLATED)
            made.personal.flush()
            records.append(made.record)
            if done % PROGRESS_EVERY == 0 or done == total:
                Document.objects.bulk_create(records)
                records = []
                progress(done, total)


def batch_register() -> None:
    from bangfu.exports.services import PRODUCERS, FileProducer

    PRODUCERS[LISTING] = FileProducer(title=_title, write=batch_write)
