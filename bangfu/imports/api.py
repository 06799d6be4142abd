"""/api/v1/imports: upload a register, correct the mapping, run a dry run or the import."""

from django.http import FileResponse
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from bangfu.imports import services
from bangfu.imports.models import ImportJob

router = Router(tags=["导入"])


class JobOut(Schema):
    id: int
    register_key: str
    original_name: str
    status: str
    message: str
    headers: list[str]
    header_row: int
    mapping: dict[str, int]
    rows: int
    rows_done: int
    rows_total: int
    error_total: int
    error_counts: dict[str, int]
    error_sample: list[dict]
    counts: dict
    unmapped: list[dict]  # 未导入的列: {"index", "header", "samples"}
    report_url: str | None


def _out(job: ImportJob) -> dict:
    from django.urls import reverse

    done, total = services.import_progress(job) if job.running else (job.rows, job.rows_total)
    return {"id": job.pk, "register_key": job.register, "original_name": job.original_name, "status": job.status,
            "message": job.message,
            "headers": job.headers, "header_row": job.header_row, "mapping": job.mapping, "rows": job.rows,
            "rows_done": done, "rows_total": total, "error_total": job.error_total, "error_counts": job.error_counts,
            "error_sample": job.error_sample,
            "counts": job.counts, "unmapped": services.import_job_unmapped(job),
            "report_url": reverse("api:import_report", args=[job.pk]) if job.report else None}


class MappingIn(Schema):
    mapping: dict[str, int | None]


class StartIn(Schema):
    dry_run: bool = True


@router.post("/imports", response={201: JobOut}, summary="上传台账文件")
def job_create(request, register_key: Form[str], file: File[UploadedFile]):
    return Status(201, _out(services.import_job_create(user=request.user, register=register_key, upload=file)))


@router.get("/imports/{job_id}", response=JobOut, summary="导入任务状态与结果")
def job_get(request, job_id: int):
    return _out(services.import_job_get(user=request.user, pk=job_id))


@router.put("/imports/{job_id}/mapping", response=JobOut, summary="更正表头对应")
def job_map(request, job_id: int, payload: MappingIn):
    job = services.import_job_get(user=request.user, pk=job_id)
    return _out(services.import_job_map(job=job, mapping=payload.mapping))


@router.post("/imports/{job_id}/start", response=JobOut, summary="校验或导入")
def job_start(request, job_id: int, payload: StartIn):
    job = services.import_job_get(user=request.user, pk=job_id)
    services.import_job_start(job=job, dry_run=payload.dry_run)
    job.refresh_from_db()
    return _out(job)


@router.get("/imports/{job_id}/report", url_name="import_report", summary="下载错误报告", response={200: None})
def job_report(request, job_id: int):
    """The error report, for a client that authenticates with a bearer token (the page's link needs a
    browser session)."""
    fh, name = services.import_job_report(user=request.user, pk=job_id)
    return FileResponse(fh, as_attachment=True, filename=name)
