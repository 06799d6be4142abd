"""/api/v1/documents: generate a document (the file in the response), list one's documents,
regenerate one, start a batch (a background export), read and replace a kind's template.

The same services as the pages: the caller's scope, masking and full-read logging, template checks."""

from datetime import date, datetime

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, File, Router, Schema, Status
from ninja.files import UploadedFile

from bangfu.documents import batch, selectors, services, workplan
from bangfu.documents.kinds import field_list, kinds_all
from bangfu.documents.views import _generated_response, file_response, regenerated_response

router = Router(tags=["文书"])


class KindOut(Schema):
    key: str
    title: str
    subject: str
    official: bool
    batch: bool
    params: list[str]
    full_fields: list[str]
    fields: list[list[str]]


class DocumentIn(Schema):
    kind: str = Field(description="文书类型：booklet 帮扶手册、household_plan 一户一策、card 明白卡、helper_diary 民情日记、"
                                  "helper_households 帮扶对象名单、team_month 工作队月报、team_half_year 工作队半年总结、"
                                  "half_year_summary 半年总结、year_summary 年度总结、work_plan 工作计划、term_summary 学期总结"
                                  "(全部见 GET /documents/kinds)")
    subject: str = Field(description="户编号(id)、人员编号、工作队编号、12位区划代码、结对编号或工作计划编号，依文书类型")
    as_of: date = Field(description="数据截止日期")
    format: str = "docx"
    params: dict[str, str] = Field(default_factory=dict, description="如 {\"month\": \"2025-03\"}、{\"year\": \"2025\", \"half\": \"1\"}、{\"term\": \"3\"}、{\"start\": \"2025-01-01\"}")
    full: bool = Field(False, description="身份证号、电话不打码(仅限可查看完整个人信息的角色且该文书需要；每个值记入查看日志)")


class DocumentOut(Schema):
    id: int
    kind: str
    subject: str
    title: str
    as_of: date
    params: dict
    format: str
    full: bool
    template_version: str
    data_sha256: str
    file_sha256: str
    created_at: datetime


class DocumentBatchIn(Schema):
    kind: str = "booklet"
    region: str = Field(description="村、乡镇或县的12位区划代码")
    as_of: date
    format: str = "docx"
    full: bool = False


class BatchOut(Schema):
    id: int
    status: str
    rows_total: int
    status_url: str


@router.get("/documents/kinds", url_name="document_kinds", response=list[KindOut], summary="文书类型及可用字段")
def kind_list(request):
    return [{"key": k.key, "title": str(k.title), "subject": str(k.subject_label), "official": k.official,
             "batch": k.batch, "params": list(k.params), "full_fields": sorted(k.full_fields),
             "fields": [list(f) for f in field_list(k.fields)]} for k in kinds_all()]


@router.post("/documents", url_name="document_create", summary="生成文书(返回文件)", response={200: None})
def document_create(request, payload: DocumentIn):
    generated = services.document_generate(user=request.user, kind=payload.kind, subject=payload.subject,
                                           as_of=payload.as_of, fmt=payload.format, params=payload.params,
                                           full=payload.full)
    return _generated_response(generated)


@router.get("/documents", url_name="document_list", response=list[DocumentOut], summary="我生成的文书")
def document_list(request):
    return selectors.document_list(user=request.user, limit=50)


@router.post("/documents/{document_id}/regenerate", url_name="document_regenerate", summary="按记录重新生成(同一模板版本和截止日期)", response={200: None})
def document_regenerate(request, document_id: int):
    return regenerated_response(request.user, document_id)


@router.post("/documents/batches", url_name="document_batch_create", response={201: BatchOut}, summary="批量生成帮扶手册(后台任务，在“我的导出”下载)")
def batch_create(request, payload: DocumentBatchIn):
    job = batch.batch_start(user=request.user, kind=payload.kind, region=payload.region, as_of=payload.as_of,
                            fmt=payload.format, full=payload.full)
    return Status(201, {"id": job.pk, "status": job.status, "rows_total": job.rows_total,
                        "status_url": reverse("api:export_file", args=[job.pk]).removesuffix("/file")})


@router.get("/documents/templates/{kind}", url_name="document_template_get", summary="下载正在使用的模板", response={200: None})
def template_get(request, kind: str) -> HttpResponse:
    content, filename = services.template_content(user=request.user, kind=kind)
    return file_response(content, filename, "application/vnd.openxmlformats-officedocument.wordprocessingml.document")


class TemplateOut(Schema):
    kind: str
    region: str
    version: int
    is_default: bool


def _template_out(template) -> dict:
    return {"kind": template.kind, "region": template.region_id, "version": template.version,
            "is_default": template.is_default}


@router.post("/documents/templates/{kind}", url_name="document_template_upload", response={201: TemplateOut}, summary="上传修改后的模板(试填通过才启用)")
def template_upload(request, kind: str, file: UploadedFile = File(...)):
    template = services.template_upload(user=request.user, kind=kind, content=file.read(), name=file.name or "")
    return Status(201, _template_out(template))


@router.post("/documents/templates/{kind}/revert", url_name="document_template_revert", response={201: TemplateOut}, summary="恢复默认模板")
def template_revert(request, kind: str):
    return Status(201, _template_out(services.template_revert(user=request.user, kind=kind)))


class PlanIn(Schema):
    programme: int = Field(description="帮扶项目编号")
    year: int = Field(ge=2000, le=2100, description="年度")


class PlanSectionsIn(Schema):
    sections: dict[str, str] = Field(description="正文各节：guidance 指导思想、goals 目标任务、measures 工作措施、requirements 工作要求")


class PlanIssueIn(Schema):
    on: date = Field(description="印发日期")


class PlanOut(Schema):
    id: int
    programme: int = Field(alias="programme_id")
    region: str = Field(alias="region_id")
    year: int
    status: str
    version: int | None
    issued_on: date | None
    sections: dict


@router.get("/documents/plans", url_name="work_plan_list", response=list[PlanOut], summary="工作计划(本区域及下级)")
def plan_list(request):
    return workplan.workplan_list(user=request.user)


@router.post("/documents/plans", url_name="work_plan_create", response={201: PlanOut}, summary="由帮扶项目的配置起草工作计划")
def plan_create(request, payload: PlanIn):
    return Status(201, workplan.workplan_draft(user=request.user, programme=payload.programme, year=payload.year))


@router.put("/documents/plans/{plan_id}", url_name="work_plan_update", response=PlanOut, summary="修改草稿的正文")
def plan_update(request, plan_id: int, payload: PlanSectionsIn):
    plan = workplan.workplan_get(user=request.user, pk=plan_id)
    return workplan.workplan_update(user=request.user, plan=plan, sections=payload.sections)


@router.post("/documents/plans/{plan_id}/issue", url_name="work_plan_issue", response=PlanOut, summary="印发(编为新的一版，此后不再改变)")
def plan_issue(request, plan_id: int, payload: PlanIssueIn):
    plan = workplan.workplan_get(user=request.user, pk=plan_id)
    return workplan.workplan_issue(user=request.user, plan=plan, on=payload.on)
