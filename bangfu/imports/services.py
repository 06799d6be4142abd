"""Importing a register: read in batches, validate column-wise, stage, check across rows, upsert.

`import_file` is the one pipeline; the pages (through ImportJob and a background task), the API
and `bangfu import` all call it. A file imports completely or not at all: everything runs in one
transaction that is rolled back on the first error found anywhere in the file, on a dry run, and
when the process dies — so a killed import leaves no partial household and a rerun starts clean.
"""

import json
import logging
import os
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import polars as pl
from django.conf import settings
from django.core.files.base import File
from django.db import transaction
from django.utils import timezone
from django.utils import translation
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import PermissionDenied, ValidationError
from bangfu.imports.models import ImportJob, ImportStatus
from bangfu.imports.reading import Sheet, detect_format, sheet_batches, sheet_open
from bangfu.imports.measures import MeasureStage
from bangfu.imports.records import RecordStage
from bangfu.imports.registers import Register, register_get
from bangfu.imports.report import report_write
from bangfu.imports.uploads import file_check, upload_check
from bangfu.imports.upsert import Counts, Stage
from bangfu.imports.validation import ERROR_SCHEMA, Context, batch_validate, mapping_guess, row_label
from bangfu.jobs import job_failed_if_dead, job_running

logger = logging.getLogger("bangfu.imports")
# Rows read, validated and staged at a time. Two batches are in flight (one sealed and copied while the
# next is read): 20,000 keeps a million-member import near 350 MB with its workers (docs/performance.md).
BATCH_ROWS = int(os.environ.get("BANGFU_IMPORT_BATCH", "20000"))
MAX_KEPT_ERRORS = 50_000  # cells with a message in the report; every error is still counted
ERROR_SAMPLE = 100  # errors shown on the job's page and in the API, the first by row


@dataclass
class Outcome:
    rows: int = 0
    error_total: int = 0
    error_counts: dict[str, int] = field(default_factory=dict)
    errors: pl.DataFrame = field(default_factory=lambda: pl.DataFrame(schema=ERROR_SCHEMA))
    households: Counts = field(default_factory=Counts)
    persons: Counts = field(default_factory=Counts)
    organizations: Counts = field(default_factory=Counts)
    measures: Counts = field(default_factory=Counts)
    entries: Counts = field(default_factory=Counts)  # a cross-check list's entries (bangfu.crosschecks)
    reported: tuple[str, ...] = ("households", "persons")  # the register's count_keys
    unmapped: list[dict] = field(default_factory=list)  # 未导入的列: {"index", "header", "samples"}
    written: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # seconds per phase (`bangfu import -v 2`)

    @contextmanager
    def timed(self, phase: str) -> Iterator[None]:
        start = time.perf_counter()
        try:
            yield
        finally:
            self.timings[phase] = self.timings.get(phase, 0.0) + time.perf_counter() - start

    @property
    def changes(self) -> int:
        return sum(c.created + c.updated for c in (self.households, self.persons, self.organizations,
                                                   self.measures, self.entries))

    def counts(self) -> dict:
        return {key: getattr(self, key).as_dict() for key in self.reported}


class _Rollback(Exception):
    pass


def _require_import(scope: Scope, register: Register | None = None) -> None:
    if not scope.rules.edit_registry:
        raise PermissionDenied(_("您的角色只能查看，不能导入台账"))
    if register is not None and register.record == "organization" and scope.organization_id is not None:
        # A school administrator's scope is its own school: the units of the county are not theirs to register.
        raise PermissionDenied(_("学校管理员不能导入单位名册"))
    if register is not None and register.record == "entry" and not scope.rules.see_households:
        raise PermissionDenied(_("您的角色不能导入比对名单"))  # a list is matched against households


def date_columns(register: Register, mapping: dict[str, int]) -> set[int]:
    """The file's columns holding dates: the error report writes them as dates."""
    return {mapping[c.key] for c in register.columns if c.kind == "date" and c.key in mapping}


def mapping_missing(register: Register, mapping: dict[str, int]) -> list[str]:
    """The headers (in the active language) of the required columns the mapping leaves out."""
    return [_(c.header) for c in register.columns if c.required and c.key not in mapping]


def rows_estimate(sheet: Sheet) -> int:
    """Data rows, counted cheaply: newlines of a CSV, the used range of a workbook."""
    if sheet.format == "csv":
        lines = 0
        with open(sheet.path, "rb") as fh:
            while chunk := fh.read(1 << 22):
                lines += chunk.count(b"\n")
        return max(lines - sheet.header_row, 0)
    if sheet.streamed is not None:  # the sheet's own <dimension>, if written; else the progress counts up
        return max((sheet.streamed.dimension_rows() or 0) - sheet.header_row, 0)
    return max(sheet.calamine().total_height - sheet.header_row, 0)


def rows_check(total: int) -> None:
    """Refuse a file of more data rows than one import takes (BANGFU_IMPORT_MAX_ROWS)."""
    if total > settings.BANGFU_IMPORT_MAX_ROWS:
        raise ValidationError(_("文件有约 %(n)s 行数据，一次最多导入 %(max)s 行：请分成几个文件")
                              % {"n": f"{total:,}", "max": f"{settings.BANGFU_IMPORT_MAX_ROWS:,}"}, field="file")


def import_file(*, path: Path | str, register: str, scope: Scope, by, dry_run: bool,
                mapping: dict[str, int] | None = None, reason: str = "",
                progress: Callable[[int, int], None] | None = None, batch_rows: int = BATCH_ROWS,
                sheet: Sheet | None = None, today: date | None = None) -> Outcome:
    """Validate every row of a file and, unless dry_run or anything is wrong, upsert it all.
    `sheet`: the file as sheet_open found it, when the caller has opened it already; `today`: the day no
    birth date may come after (the server's day if not given)."""
    reg = register_get(register)
    _require_import(scope, reg)
    sheet = sheet or sheet_open(path)
    total = rows_estimate(sheet)
    rows_check(total)
    mapping = mapping if mapping is not None else mapping_guess(reg, sheet.headers)
    missing = mapping_missing(reg, mapping)
    if missing:
        raise ValidationError(_("文件中找不到必填列：%(c)s。请在表头对应中指定") % {"c": "、".join(missing)},
                              field="mapping")
    ctx = Context.for_scope(register=reg, mapping=mapping, headers=sheet.headers, scope=scope,
                            today=today or timezone.localdate())
    outcome = Outcome(reported=reg.count_keys)
    kept: list[pl.DataFrame] = []
    kinds: Counter = Counter()
    try:
        with transaction.atomic():
            kind = {"household": Stage, "measure": MeasureStage}.get(reg.record, RecordStage)
            if reg.record == "entry":  # a department's list for cross-checks: entries and clues, not persons
                from bangfu.crosschecks.staging import ListStage as kind
            stage = kind(register=reg, mapped=reg.given(mapping), scope=scope, timed=outcome.timed)
            try:
                _stage_file(stage, sheet, ctx, outcome, kept, kinds, batch_rows, total, progress)
                with outcome.timed("plan"):
                    if outcome.error_total:
                        stage.drop_bad()
                    for key, counts in stage.plan(reserve=not (outcome.error_total or dry_run)).items():
                        setattr(outcome, key, counts)
                if outcome.error_total or dry_run:
                    raise _Rollback
                stage.apply(by=by, reason=reason or _("导入 %(f)s") % {"f": Path(path).name})
                stage.drop()
            finally:
                stage.close()  # the workers and the COPY thread end before commit or rollback
            outcome.written = True
            commit_started = time.perf_counter()
        outcome.timings["commit"] = time.perf_counter() - commit_started
    except _Rollback:
        pass
    outcome.error_counts = dict(kinds)
    outcome.unmapped = unmapped_columns(sheet.headers, mapping, column_samples(sheet))
    if kept:
        outcome.errors = pl.concat(kept).sort("row", "col").head(MAX_KEPT_ERRORS)
    return outcome


def column_samples(sheet: Sheet) -> list[list[str]]:
    """Up to three distinct values of each column from the first rows below the header."""
    return [list(dict.fromkeys(v for v in sheet.column_samples(i) if v))[:3] for i in range(sheet.width)]


def unmapped_columns(headers: list[str], mapping: dict[str, int], samples: list[list[str]]) -> list[dict]:
    """The file's columns no field takes (未导入的列), each with a few of its values, other than the
    序号 column (it only numbers the rows)."""
    from bangfu.imports.validation import seq_index

    used = set(mapping.values()) | {seq_index(headers)}
    out = []
    for index, header in enumerate(headers):
        values = samples[index] if index < len(samples) else []
        if index not in used and (header.strip() or values):
            out.append({"index": index, "header": header.strip(), "samples": values})
    return out


def _stage_file(stage: Stage, sheet: Sheet, ctx: Context, outcome: Outcome, kept: list, kinds: Counter,
                batch_rows: int, total: int, progress) -> None:
    """Read, validate and stage every batch, then check the rules across rows; errors go to outcome."""
    if total >= stage.sealer.split_min:
        stage.sealer.start()
    pending = None
    batches = sheet_batches(sheet, size=batch_rows)
    while True:
        with outcome.timed("read"):
            batch = next(batches, None)
        if batch is None:
            break
        with outcome.timed("validate"):
            typed, errors = batch_validate(batch, ctx)
        outcome.rows += batch.height
        bad = pl.lit(False)
        if errors.height:
            outcome.error_total += errors.height
            kinds.update(dict(errors.group_by("kind").len().iter_rows()))
            if sum(k.height for k in kept) < MAX_KEPT_ERRORS:
                kept.append(errors)
            bad = pl.col("__row").is_in(errors.get_column("row").unique().implode())
        # A row refused in a cell is staged all the same, marked bad: the checks across rows see its
        # keys (its household's heads, its ID number), and the plan leaves it out (Stage.drop_bad).
        typed = typed.with_columns(bad.alias("__bad"))
        # Only the typed columns go on (not the file's text nor its normalised form): a batch
        # waits for its sealing and its COPY, and memory is what the waiting batches hold.
        typed = typed.select(c for c in typed.columns if c.startswith(("h_", "p_", "o_", "m_", "__")))
        # Overlap: this batch is hashed and encrypted in the workers while the previous one is
        # written, and the next one is read while this one's COPY runs (Stage.store).
        with outcome.timed("seal (hand over)"):
            sealed = stage.seal(typed)
        if pending is not None:
            with outcome.timed("stage (wait for sealing and COPY)"):
                stage.store(*pending)
        pending = (typed, sealed)
        if progress:
            progress(outcome.rows, max(total, outcome.rows))
    with outcome.timed("stage (wait for sealing and COPY)"):
        if pending is not None:
            stage.store(*pending)
        stage.sealer.close(wait=False)  # every batch is sealed: the workers exit while the checks run
        stage.flush()
    with outcome.timed("checks across rows"):
        cross = stage.cross_errors()
    if cross:
        mapping, headers = ctx.mapping, ctx.headers
        seqs = stage.seqs({e.row for e in cross} | {e.ref for e in cross if e.ref is not None})
        frame = pl.DataFrame(
            {"row": [e.row for e in cross], "seq": [seqs.get(e.row) for e in cross],
             "col": [mapping.get(e.key, -1) for e in cross],
             "header": [headers[mapping[e.key]] if e.key in mapping else "" for e in cross],
             "kind": [e.kind for e in cross],
             "message": [e.message % {"ref": row_label(e.ref, seqs.get(e.ref))} if e.ref is not None else e.message
                         for e in cross]},
            schema=ERROR_SCHEMA)
        # One message per cell: a cell refused on its own is not also reported by a rule across rows.
        if kept:
            frame = frame.join(pl.concat(kept).select("row", "col"), on=["row", "col"], how="anti")
        outcome.error_total += frame.height
        kinds.update(Counter(frame.get_column("kind").to_list()))
        kept.append(frame)


# Jobs: the pages' and the API's way through the same pipeline --------------------------------


def _progress_path(job_id: int) -> Path:
    return Path(settings.VAR_DIR) / "imports" / f"progress-{job_id}.json"


def import_progress(job: ImportJob) -> tuple[int, int]:
    """Rows done and total of a running job: kept in a file, since the job's own row is inside
    the import's transaction and no other connection could see it change."""
    try:
        data = json.loads(_progress_path(job.pk).read_text())
        return data["done"], data["total"]
    except (OSError, ValueError, KeyError):
        return 0, job.rows_total


def _progress_writer(job_id: int) -> Callable[[int, int], None]:
    path = _progress_path(job_id)
    path.parent.mkdir(parents=True, exist_ok=True)

    def write(done: int, total: int) -> None:
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"done": done, "total": total}))
        tmp.replace(path)

    return write


def import_job_create(*, user, register: str, upload) -> ImportJob:
    """Keep the uploaded file and have the background worker open it (import_job_open). Here only
    what costs nothing is checked — the size, the type by the first bytes, a zip's directory — so
    that no upload, however built, expands or parses inside the request."""
    reg = register_get(register)
    _require_import(user.scope, reg)
    upload_check(upload)
    job = ImportJob(register=reg.key, created_by=user, original_name=upload.name[:200], status=ImportStatus.OPENING,
                    language=translation.get_language() or "")
    job.file.save(Path(upload.name).name, upload, save=False)
    try:
        file_check(job.file.path, detect_format(Path(job.file.path)))
    except ValidationError:
        job.file.delete(save=False)
        raise
    job.save()
    from bangfu.imports.tasks import import_job_open_task

    # Not on commit: the embedded default runs it at once (the upload's answer then has the headers);
    # the database backend's task row commits with the job's.
    import_job_open_task.enqueue(job.pk)
    job.refresh_from_db()
    if job.status == ImportStatus.FAILED:  # opened at once, and refused: say why, as for the checks above
        raise ValidationError(job.message, field="file")
    return job


def import_job_open(*, job_id: int) -> ImportJob:
    """The task's body after an upload: find the header row, guess the mapping, estimate the rows.
    A file that cannot be read ends the job failed, with the reason, and is deleted."""
    with job_running("import", job_id):
        job = ImportJob.objects.get(pk=job_id)
        with translation.override(job.language or settings.LANGUAGE_CODE):
            job.started_at = timezone.now()
            job.save(update_fields=["started_at"])
            try:
                sheet = sheet_open(job.file.path)
                total = rows_estimate(sheet)
                rows_check(total)
            except ValidationError as exc:
                job.status, job.message = ImportStatus.FAILED, exc.message
                job.file.delete(save=False)
            except Exception:
                logger.exception("import job %s: the file could not be opened", job.pk)
                job.status, job.message = ImportStatus.FAILED, _("读取文件时发生意外错误(任务 %(id)s)") % {"id": job.pk}
                job.file.delete(save=False)
            else:
                reg = register_get(job.register)
                job.status, job.message = ImportStatus.UPLOADED, ""
                job.headers, job.header_row = sheet.headers, sheet.header_row
                job.mapping = mapping_guess(reg, sheet.headers)
                job.samples = column_samples(sheet)
                job.rows_total = total
            job.started_at = None
            job.save()
        return job


def import_job_map(*, job: ImportJob, mapping: dict[str, int | None]) -> ImportJob:
    """The user's corrections to the header mapping: column key → index of the file's column."""
    reg = register_get(job.register)
    keys = {c.key for c in reg.columns}
    clean = {k: int(v) for k, v in mapping.items() if k in keys and v is not None and v != ""
             and 0 <= int(v) < len(job.headers)}
    used = [v for v in clean.values()]
    if len(used) != len(set(used)):
        raise ValidationError(_("同一列不能对应两个字段"), field="mapping")
    job.mapping = clean
    job.status = ImportStatus.UPLOADED
    job.save(update_fields=["mapping", "status"])
    return job


def import_job_report(*, user, pk: int):
    """One's job's error report: the open file and the name to download it by."""
    from bangfu.errors import NotFound

    job = import_job_get(user=user, pk=pk)
    if not job.report:
        raise NotFound(_("没有错误报告"))
    return job.report.open("rb"), f"{job.original_name.rsplit('.', 1)[0]}-错误报告.xlsx"


def import_job_unmapped(job: ImportJob) -> list[dict]:
    """未导入的列 of a job's file under its current mapping."""
    return unmapped_columns(job.headers, job.mapping, job.samples)


def import_job_get(*, user, pk: int) -> ImportJob:
    from bangfu.errors import NotFound

    job = ImportJob.objects.filter(pk=pk, created_by=user).first()
    if job is None:
        raise NotFound(_("导入任务不存在"))
    return import_job_checked(job)


def import_job_list(*, user, limit: int) -> list[ImportJob]:
    """One's newest import jobs, those whose worker died marked so (a pairing register's upload is the
    programme's page's to show: programmes/register.py)."""
    return [import_job_checked(job) for job in ImportJob.objects.filter(created_by=user, programme=None)[:limit]]


def import_job_checked(job: ImportJob) -> ImportJob:
    """A job whose worker was killed mid-run (bangfu.jobs) is marked failed, so it can be started
    again: the import is one transaction, so nothing of it was written."""
    if job.running and job.started_at is not None:
        job_failed_if_dead("import", job, running={"status": job.status, "finished_at": None},
                           message=_("导入进程意外中断(进程被终止或服务器重启)，没有写入任何数据；可重新开始"))
    return job


def import_job_start(*, job: ImportJob, dry_run: bool) -> ImportJob:
    """Queue the dry run or the import as a background task (at once in the embedded default)."""
    from bangfu.imports.tasks import import_job_task

    missing = mapping_missing(register_get(job.register), job.mapping)
    if missing:
        raise ValidationError(_("还有必填列没有对应：%(c)s") % {"c": "、".join(missing)}, field="mapping")
    if job.running:
        raise ValidationError(_("该文件正在处理中"))
    job.status = ImportStatus.CHECKING if dry_run else ImportStatus.IMPORTING
    job.dry_run = dry_run
    job.started_at = job.finished_at = None
    job.language = translation.get_language() or ""  # the worker writes its messages and report in it
    job.save(update_fields=["status", "dry_run", "started_at", "finished_at", "language"])
    _progress_writer(job.pk)(0, job.rows_total)
    transaction.on_commit(lambda: import_job_task.enqueue(job.pk, dry_run))
    return job


def import_job_run(*, job_id: int, dry_run: bool) -> ImportJob:
    """The task's body: run the pipeline for a job, keep the counts and the error report. The
    job's lock is held from before it is marked started until after its end is saved (bangfu.jobs)."""
    with job_running("import", job_id):
        return _import_job_run(job_id, dry_run)


def _import_job_run(job_id: int, dry_run: bool) -> ImportJob:
    job = ImportJob.objects.select_related("created_by", "created_by__region").get(pk=job_id)
    with translation.override(job.language or settings.LANGUAGE_CODE):
        return _import_job_outcome(job, dry_run)


def _import_job_outcome(job: ImportJob, dry_run: bool) -> ImportJob:
    job.started_at = timezone.now()
    job.save(update_fields=["started_at"])
    user = job.created_by
    try:
        outcome = import_file(path=job.file.path, register=job.register, scope=user.scope, by=user, dry_run=dry_run,
                              mapping=job.mapping, reason=_("导入 %(f)s") % {"f": job.original_name},
                              progress=_progress_writer(job.pk))
    except ValidationError as exc:
        job.status, job.message = ImportStatus.FAILED, exc.message
    except Exception:
        logger.exception("import job %s failed", job.pk)
        job.status, job.message = ImportStatus.FAILED, _("导入时发生意外错误(任务 %(id)s)，已全部撤销") % {"id": job.pk}
    else:
        job.rows, job.error_total, job.error_counts = outcome.rows, outcome.error_total, outcome.error_counts
        job.counts = outcome.counts()
        job.error_sample = outcome.errors.sort("row", "col").head(ERROR_SAMPLE).select(
            "row", "seq", "header", "message").to_dicts()
        if outcome.error_total:
            job.status = ImportStatus.INVALID
            sheet = sheet_open(job.file.path)
            tmp = Path(settings.VAR_DIR) / "imports" / f"report-{job.pk}.xlsx"
            tmp.parent.mkdir(parents=True, exist_ok=True)
            report_write(sheet=sheet, errors=outcome.errors, error_counts=outcome.error_counts, path=tmp,
                         dates=date_columns(register_get(job.register), job.mapping))
            with open(tmp, "rb") as fh:
                job.report.save(f"{Path(job.original_name).stem}-错误报告.xlsx", File(fh), save=False)
            tmp.unlink(missing_ok=True)
        else:
            job.status = ImportStatus.CHECKED if dry_run else ImportStatus.DONE
        job.message = ""
    job.finished_at = timezone.now()
    job.save()
    _progress_path(job.pk).unlink(missing_ok=True)
    return job
