"""/api/v1/exports: export any list a user sees as a background job, poll it, download the file.

The list's filters are the page's query parameters, by the same names. Only the job's owner
sees it or its file; anyone else gets 404.
"""

from datetime import datetime

from django.http import FileResponse
from django.urls import reverse
from ninja import Field, Router, Schema, Status

from bangfu.exports import services
from bangfu.exports.listings import LISTINGS
from bangfu.exports.models import ExportJob
from bangfu.exports.writers import CONTENT_TYPES

router = Router(tags=["导出"])


class ExportIn(Schema):
    listing: str = Field(description="列表：" + ", ".join(LISTINGS))
    format: str = "xlsx"
    filters: dict[str, str] = Field(default_factory=dict, description="与列表页相同的查询参数，如 {\"status\": \"poor\"}")
    full: bool = Field(False, description="身份证号、电话、银行账号不打码(仅限可查看完整个人信息的角色；每个值记入查看日志)")
    reason: str = Field("", max_length=20, description="完整导出的用途(记入查看日志)：report 报送名单(默认)、payment 资金发放、"
                        "insurance 保险医保社保、verify 核实身份信息、contact 联系本人、document 打印文书、"
                        "inspection 督查核查、other 其他(须填 reason_note)")
    reason_note: str = Field("", max_length=200, description="用途说明")


class ExportOut(Schema):
    id: int
    listing: str
    title: str
    format: str
    filters: dict[str, str]
    full: bool
    status: str
    rows_done: int
    rows_total: int
    message: str
    created_at: datetime
    finished_at: datetime | None
    download_url: str | None


def _out(job: ExportJob) -> dict:
    return {"id": job.pk, "listing": job.listing, "title": job.title, "format": job.format, "filters": job.params,
            "full": job.full, "status": job.status, "rows_done": job.rows_done, "rows_total": job.rows_total,
            "message": job.message,
            "created_at": job.created_at, "finished_at": job.finished_at,
            "download_url": reverse("api:export_file", args=[job.pk]) if job.status == "done" else None}


@router.post("/exports", response={201: ExportOut}, summary="开始导出(后台任务)")
def export_create(request, payload: ExportIn):
    job = services.export_job_create(user=request.user, listing=payload.listing, params=payload.filters,
                                     fmt=payload.format, full=payload.full, reason=payload.reason,
                                     note=payload.reason_note)
    return Status(201, _out(job))


@router.get("/exports", response=list[ExportOut], summary="我的导出")
def export_list(request):
    return [_out(job) for job in services.export_job_list(user=request.user, limit=50)]


@router.get("/exports/{job_id}", response=ExportOut, summary="导出任务状态")
def export_get(request, job_id: int):
    return _out(services.export_job_get(user=request.user, pk=job_id))


@router.get("/exports/{job_id}/file", url_name="export_file", summary="下载导出文件", response={200: None})
def export_file(request, job_id: int):
    job, path = services.export_job_file(user=request.user, pk=job_id)
    return FileResponse(path.open("rb"), as_attachment=True, filename=job.filename,
                        content_type=CONTENT_TYPES[job.format])
