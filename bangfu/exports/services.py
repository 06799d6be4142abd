"""Exports: small lists at once, large ones as a background job the owner downloads later.

The rule (one place): a list of more than BANGFU_EXPORT_BACKGROUND_ROWS rows is written by a task
(django-tasks: at once in the embedded default, `bangfu db_worker` with TASKS_BACKEND=database)
into MEDIA_ROOT/exports/<user id>/, and listed on 我的导出 with its progress; only its owner can
see or download it. Files and jobs older than BANGFU_EXPORT_RETENTION_DAYS are deleted by
`export_jobs_purge` (the `bangfu export_cleanup` command, and before each background export).
"""

import logging
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.errors import BangfuError, NotFound, PermissionDenied, ValidationError
from bangfu.exports.listings import listing_get
from bangfu.exports.models import ExportJob, ExportStatus
from bangfu.exports.writers import FORMATS, table_write
from bangfu.jobs import job_failed_if_dead, job_running

logger = logging.getLogger(__name__)

PROGRESS_EVERY = 1000  # rows between two progress updates of a background job
IGNORED_PARAMS = {"page", "format", "csrfmiddlewaretoken"}


@dataclass(frozen=True)
class FileProducer:
    """A background export that is not a list: another app writes the whole file (documents' zip of
    booklets), through the same ExportJob, task, lock, 我的导出 and download. `write(job, path,
    progress)` writes `path` and calls progress(done, total) as it goes; `title(params)` names the job."""

    title: Callable[[dict], str]
    write: Callable[[ExportJob, Path, Callable[[int, int], object]], None]


PRODUCERS: dict[str, FileProducer] = {}  # ExportJob.listing → its producer (registered in AppConfig.ready)


def export_check(user) -> None:
    if not user.scope.rules.export:
        raise PermissionDenied(_("您的角色不能导出数据"))


def export_params(params: Mapping) -> dict[str, str]:
    """The list's filters from a query string (or a dict): what the job keeps and runs with."""
    return {k: str(params.get(k)) for k in params if k not in IGNORED_PARAMS and params.get(k) not in (None, "")}


def _format(fmt: str) -> str:
    fmt = (fmt or "xlsx").lower()
    if fmt not in FORMATS:
        raise ValidationError(_("导出格式只能是 xlsx 或 csv，收到的是 %(f)s") % {"f": fmt}, field="format")
    return fmt


@dataclass
class DirectExport:
    """A short list, to be written into the response at once."""

    title: str
    filename: str
    format: str
    headers: list[str]
    rows: Iterator[tuple]


def export_begin(*, user, listing: str, params: Mapping, fmt: str, full: bool = False, reason: str = "",
                 note: str = "") -> ExportJob | DirectExport:
    """What an export button does: the rows at once when few, else a background job. `full`:
    personal data unmasked, for a role that may see it, every value logged with `reason` (listings.py)."""
    export_check(user)
    fmt = _format(fmt)
    found = listing_get(listing)
    filters = export_params(params)
    table = found.table(user, filters, full=full, reason=reason, note=note)
    total = table.count()
    if total > settings.BANGFU_EXPORT_BACKGROUND_ROWS:
        return export_job_create(user=user, listing=listing, params=filters, fmt=fmt, rows_total=total, full=full,
                                 reason=reason, note=note)
    title = str(found.title)
    marker = "-" + _("完整") if full else ""
    return DirectExport(title=title, filename=f"{title}{marker}-{timezone.localdate():%Y%m%d}.{fmt}", format=fmt,
                        headers=table.headers, rows=table.rows())


def export_job_create(*, user, listing: str, params: Mapping, fmt: str, rows_total: int = 0,
                      full: bool = False, reason: str = "", note: str = "") -> ExportJob:
    """Queue a background export of a list with its filters (run once the transaction commits)."""
    from bangfu.exports.tasks import export_job_task

    export_check(user)
    fmt = _format(fmt)
    found = listing_get(listing)
    # Refused now, not when the task runs: a full export by a role that may not, and a filter (region,
    # programme, pairing …) outside the scope — each listing checks its filters as it is built.
    found.table(user, export_params(params), full=full, reason=reason, note=note)
    job = ExportJob.objects.create(created_by=user, listing=listing, params=export_params(params), format=fmt,
                                   rows_total=rows_total, full=full, reason=reason if full else "",
                                   reason_note=note.strip() if full else "", language=translation.get_language() or "")
    transaction.on_commit(lambda: export_job_task.enqueue(job.pk))
    return job


def _job_path(job: ExportJob) -> Path:
    return Path("exports") / str(job.created_by_id) / f"{job.pk}.{job.format}"


def _counted(rows: Iterable[tuple], job_id: int, total: int) -> Iterator[tuple]:
    done = 0
    for done, row in enumerate(rows, start=1):
        yield row
        if done % PROGRESS_EVERY == 0:
            ExportJob.objects.filter(pk=job_id).update(rows_done=done, rows_total=max(total, done))
    ExportJob.objects.filter(pk=job_id).update(rows_done=done)


def export_job_run(*, job_id: int) -> ExportJob:
    """The task's body: write the file with the owner's scope as it is now, counting rows as it goes.
    The job's lock is held from before it is marked running until after its end is saved (bangfu.jobs)."""
    export_jobs_purge()
    with job_running("export", job_id):
        # Compare and set: a job runs once, even if the task were delivered twice.
        if not ExportJob.objects.filter(pk=job_id, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING):
            return ExportJob.objects.get(pk=job_id)
        return _export_job_write(job_id)


def _export_job_write(job_id: int) -> ExportJob:
    job = ExportJob.objects.select_related("created_by", "created_by__region").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):  # headers and labels as on the page
        return _export_job_file(job)


def _export_job_file(job: ExportJob) -> ExportJob:
    relative = _job_path(job)
    final = Path(settings.MEDIA_ROOT) / relative
    part = final.with_name(final.name + ".part")
    try:
        export_check(job.created_by)
        final.parent.mkdir(parents=True, exist_ok=True)
        producer = PRODUCERS.get(job.listing)
        if producer is not None:  # a file another app writes whole (documents: a zip of booklets)
            producer.write(job, part, lambda done, total: ExportJob.objects.filter(pk=job.pk).update(
                rows_done=done, rows_total=total))
        else:
            found = listing_get(job.listing)
            table = found.table(job.created_by, job.params, full=job.full, reason=job.reason,
                                note=job.reason_note)  # the role as it is now
            total = table.count()
            ExportJob.objects.filter(pk=job.pk).update(rows_total=total)
            table_write(job.format, table.headers, _counted(table.rows(), job.pk, total), part, str(found.title))
        os.replace(part, final)
    except BangfuError as exc:
        job.status, job.message = ExportStatus.FAILED, exc.message
    except Exception:
        logger.exception("export job %s failed", job.pk)
        job.status, job.message = ExportStatus.FAILED, _("导出时发生意外错误(任务 %(id)s)") % {"id": job.pk}
    else:
        job.status, job.file.name = ExportStatus.DONE, str(relative)
    finally:
        part.unlink(missing_ok=True)
    job.refresh_from_db(fields=["rows_done", "rows_total"])
    job.finished_at = timezone.now()
    job.save(update_fields=["status", "message", "file", "finished_at"])
    return job


def export_job_get(*, user, pk: int) -> ExportJob:
    """One's own export job; anyone else's is not found."""
    job = ExportJob.objects.filter(pk=pk, created_by=user).first()
    if job is None:
        raise NotFound(_("导出任务不存在"))
    return export_job_checked(job)


def export_job_list(*, user, limit: int) -> list[ExportJob]:
    """One's newest export jobs, those whose worker died marked so."""
    jobs = ExportJob.objects.filter(created_by=user).order_by("-created_at", "-pk")[:limit]
    return [export_job_checked(job) for job in jobs]


def export_job_checked(job: ExportJob) -> ExportJob:
    """A job whose worker was killed mid-write (bangfu.jobs) is marked failed, its partial file removed."""
    if job.status == ExportStatus.RUNNING and job_failed_if_dead(
            "export", job, running={"status": ExportStatus.RUNNING},
            message=_("导出进程意外中断(进程被终止或服务器重启)，请重新导出")):
        final = Path(settings.MEDIA_ROOT) / _job_path(job)
        final.with_name(final.name + ".part").unlink(missing_ok=True)
    return job


def export_job_file(*, user, pk: int) -> tuple[ExportJob, Path]:
    """The finished file of one's own job, while it is kept."""
    job = export_job_get(user=user, pk=pk)
    path = Path(job.file.path) if job.file else None
    if job.status != ExportStatus.DONE or path is None or not path.exists():
        raise NotFound(_("导出文件不存在或已过保存期限"))
    return job, path


def export_jobs_purge(*, now=None) -> int:
    """Delete export jobs older than the retention period, with their files. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.BANGFU_EXPORT_RETENTION_DAYS)
    old = ExportJob.objects.filter(created_at__lt=cutoff)
    for job in old.only("pk", "created_by_id", "format"):
        final = Path(settings.MEDIA_ROOT) / _job_path(job)
        final.unlink(missing_ok=True)
        final.with_name(final.name + ".part").unlink(missing_ok=True)  # left by a worker killed mid-write
    count, _by_model = old.delete()
    return count
