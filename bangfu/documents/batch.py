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
from django.utils import translation
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
    if not found.batch or found.gather_many is None:
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


CHUNK = 200  # households gathered set-wise at a time: memory stays bounded in a county


def batch_write(job, path: Path, progress) -> None:
    """The producer: one file per household, in a folder per village, with the owner's scope as it is now."""
    from bangfu.documents.households import household_subject
    from bangfu.documents.models import Document
    from bangfu.documents.services import DOCUMENT_LANGUAGE, DocumentPersonal, _template_bytes, document_fill

    user, params = job.created_by, job.params
    kind = kind_get(params["kind"])
    as_of = date.fromisoformat(params["as_of"])
    _subject, households = batch_households(user=user, region=params["region"])
    ids = list(households.values_list("pk", flat=True))
    total = len(ids)
    progress(0, total)
    template = template_current(kind=kind.key, prefix=user.scope.prefix)
    content, version = _template_bytes(kind, template)
    done = 0
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for start in range(0, total, CHUNK):
            chunk = list(households.filter(pk__in=ids[start:start + CHUNK]))
            subjects = [household_subject(h) for h in chunk]
            personal = DocumentPersonal(user=user, full=job.full, kind=kind)
            with translation.override(DOCUMENT_LANGUAGE):
                gathered = kind.gather_many(scope=user.scope, subjects=subjects, as_of=as_of, params={},
                                            personal=personal)
            records = []
            for subject in subjects:
                made = document_fill(user=user, kind=kind, subject=subject, data=gathered[subject.key],
                                     personal=personal, as_of=as_of, fmt=params["format"], parsed={}, full=job.full,
                                     template=template, template_content=content, version=version)
                name = f"{subject.obj.region.name}/{subject.obj.number}-{subject.name}.{params['format']}"
                archive.writestr(zipfile.ZipInfo(name, date_time=rendering.ZIP_TIME), made.content,
                                 compress_type=zipfile.ZIP_DEFLATED)
                records.append(made.record)
                done += 1
                if done % PROGRESS_EVERY == 0:
                    progress(done, total)
            personal.flush()
            Document.objects.bulk_create(records)
            progress(done, total)


def batch_register() -> None:
    from bangfu.exports.services import PRODUCERS, FileProducer

    PRODUCERS[LISTING] = FileProducer(title=_title, write=batch_write)
