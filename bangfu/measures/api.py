"""Measure and project endpoints: a household's plan (一户一策), delivery, projects and 带贫户."""

from datetime import date
from decimal import Decimal

from datetime import datetime

from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from bangfu.measures import selectors, services
from bangfu.registry.api import Page
from bangfu.schemas import Id, Money, Quantity

router = Router(tags=["帮扶措施与项目"])


class MeasureIn(Schema):
    household_id: int
    person_id: int | None = None
    category: str = Field(..., description="industry 产业 / employment 就业 / education 教育 / health 健康 / housing 住房 / "
                                           "water 饮水 / safety_net 兜底 / credit 金融 / relocation 易地搬迁 / "
                                           "training 培训 / consumption 消费 / greeting 慰问")
    description: str
    helper_id: int | None = None
    unit_id: int | None = None
    planned_on: date
    amount: Money | None = None
    allocation_id: int | None = None
    expected_income: Money | None = None


class MeasureOut(Schema):
    id: int
    household_id: int
    person_id: int | None
    category: str
    description: str
    helper_id: int | None
    unit_id: int | None
    planned_on: date
    delivered_on: date | None
    delivery_note: str
    status: str
    amount: Decimal | None
    allocation_id: int | None
    expected_income: Decimal | None
    observed_income: Decimal | None


class MeasureQuery(Schema):
    household: int | None = None
    category: str = ""
    status: str = ""


class DeliveryIn(Schema):
    delivered_on: date
    note: str = ""
    observed_income: Money | None = None


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    taken_at: datetime | None
    url: str

    @staticmethod
    def resolve_url(obj):
        return reverse("measures:measure_evidence", args=[obj.pk])


class MilestoneIn(Schema):
    title: str
    due_on: date


class ProjectIn(Schema):
    name: str
    kind: str = Field(..., description="infra 基础设施 / industry 产业 / service 公共服务")
    region: str
    unit: str
    planned_quantity: Quantity
    budget: Money
    responsible_unit: int | None = None
    starts_on: date | None = None
    milestones: list[MilestoneIn] = []
    households: list[Id] = Field([], max_length=1000)


class ProjectOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str = Field(alias="region_id")
    unit: str
    planned_quantity: Decimal
    accepted_quantity: Decimal | None
    budget: Decimal
    status: str
    starts_on: date | None
    accepted_on: date | None
    household_ids: list[int] = []

    @staticmethod
    def resolve_household_ids(obj):
        return sorted(obj.beneficiaries.values_list("household_id", flat=True))


class AcceptIn(Schema):
    accepted_on: date
    accepted_quantity: Quantity


def _ids(data: dict) -> dict:
    return {k.removesuffix("_id"): v for k, v in data.items()}


@router.get("/measures", response=list[MeasureOut], summary="帮扶措施(一户一策)")
@paginate(Page)
def measure_list(request, filters: Query[MeasureQuery]):
    return selectors.measure_list(scope=request.auth.scope, **filters.dict())


@router.post("/measures", response={201: MeasureOut}, summary="制定帮扶措施")
def measure_create(request, payload: MeasureIn):
    return Status(201, services.measure_create(scope=request.auth.scope, by=request.auth, data=_ids(payload.dict())))


@router.post("/measures/{measure_id}/delivery", response=MeasureOut, summary="标记措施已落实(责任人或业务部门)")
def measure_deliver(request, measure_id: int, payload: DeliveryIn):
    scope = request.auth.scope
    measure = selectors.measure_get(scope=scope, pk=measure_id)
    return services.measure_deliver(scope=scope, by=request.auth, measure=measure, **payload.dict())


@router.post("/measures/{measure_id}/evidence", response={201: EvidenceOut},
             summary="上传措施落实的佐证照片或文件(责任人或业务部门)")
def measure_evidence_add(request, measure_id: int, file: File[UploadedFile]):
    scope = request.auth.scope
    measure = selectors.measure_get(scope=scope, pk=measure_id)
    return Status(201, services.measure_evidence_add(scope=scope, by=request.auth, measure=measure, upload=file))


@router.get("/projects", response=list[ProjectOut], summary="项目")
@paginate(Page)
def project_list(request):
    return selectors.project_list(scope=request.auth.scope)


@router.post("/projects", response={201: ProjectOut}, summary="登记项目(进度节点、带贫户)")
def project_create(request, payload: ProjectIn):
    return Status(201, services.project_create(scope=request.auth.scope, by=request.auth, **payload.dict()))


@router.get("/projects/{project_id}", response=ProjectOut, summary="项目详情")
def project_get(request, project_id: int):
    return selectors.project_get(scope=request.auth.scope, pk=project_id)


@router.post("/projects/{project_id}/acceptance", response=ProjectOut, summary="项目验收")
def project_accept(request, project_id: int, payload: AcceptIn):
    scope = request.auth.scope
    project = selectors.project_get(scope=scope, pk=project_id)
    return services.project_accept(scope=scope, by=request.auth, project=project, **payload.dict())
