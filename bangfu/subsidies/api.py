"""Subsidy endpoints: schemes as data, applications through the acceptance procedure,
public notices, payment batches (the bank's 代发 workbook) and marking them paid."""

from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.urls import reverse
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from bangfu.procedures.api import NoticeOut, notice_get
from bangfu.registry.api import Page
from bangfu.registry.models import Household
from bangfu.subsidies import payments, selectors, services
from bangfu.subsidies.models import Application

from bangfu.schemas import IdList, Money, Quantity, Year

router = Router(tags=["奖补"])


class StandardIn(Schema):
    label: str
    kind: str = Field("number", description="number 数值 / date 日期")
    unit: str = ""
    low: Quantity | None = None
    high: Quantity | None = None
    low_date: date | None = None
    high_date: date | None = None


class StandardOut(StandardIn):
    id: int


class SchemeIn(Schema):
    name: str
    year: Year
    region: str = Field(..., description="实施区域代码(12位)")
    unit: str = Field(..., description="mu 亩 / head 头 / piece 只 / person 人 / household 户")
    rate: Quantity
    minimum_quantity: Quantity = Decimal(0)
    cap_per_member: Money | None = None
    cap_per_household: Money | None = None
    eligible_statuses: list[str] = []
    registered_until: date | None = None
    opens_on: date
    closes_on: date
    description: str = ""
    standards: list[StandardIn] = []


class SchemeOut(Schema):
    id: int
    name: str
    year: int
    region_code: str = Field(alias="region_id")
    unit: str
    rate: Decimal
    minimum_quantity: Decimal
    cap_per_member: Decimal | None
    cap_per_household: Decimal | None
    eligible_statuses: list[str]
    registered_until: date | None
    opens_on: date
    closes_on: date
    description: str
    standards: list[StandardOut]

    @staticmethod
    def resolve_standards(obj):
        return list(obj.standards.all())


class ApplicationIn(Schema):
    scheme_id: int
    household_id: int
    quantity: Quantity
    applied_on: date
    comment: str = ""


class PhotoOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None
    url: str

    @staticmethod
    def resolve_url(obj):
        return reverse("subsidies:inspection_photo", args=[obj.pk])


class ApplicationOut(Schema):
    id: int
    scheme_id: int
    household_id: int
    region_code: str = Field(alias="region_id")
    case_id: int | None
    state: str | None = Field(None, alias="case.state")
    quantity: Decimal
    members: int
    applied_on: date
    inspected_on: date | None
    measured: dict
    failures: list[dict]
    passed: bool | None
    accepted_quantity: Decimal | None
    amount: Decimal | None
    batch_id: int | None
    paid_on: date | None
    photos: list[PhotoOut] = []

    @staticmethod
    def resolve_photos(obj):
        return list(obj.photos.all())


class ApplicationQuery(Schema):
    scheme_id: int | None = None
    state: str = ""
    region: str = ""


class AdvanceIn(Schema):
    application_ids: IdList
    transition: str = Field(..., description="register 村登记汇总 / review 县审核 / approve 审批")
    on: date
    comment: str = ""


class InspectionIn(Schema):
    measured: dict[str, str | Decimal | date] = Field(..., description="验收项目名称 → 实测值")
    accepted_quantity: Quantity
    inspected_on: date
    comment: str = ""


class AssessIn(Schema):
    region: str = Field(..., description="乡镇或村代码：核定其中全部验收合格的申报")
    on: date


class NoticeIn(Schema):
    village: str
    starts_on: date
    ends_on: date


class BatchIn(Schema):
    scheme_id: int
    township: str
    allocation_id: int


class BatchOut(Schema):
    id: int
    scheme_id: int
    township_code: str = Field(alias="township_id")
    allocation_id: int
    count: int
    total: Decimal
    created_at: datetime
    exported_at: datetime | None
    paid_on: date | None
    disbursement_id: int | None


class PaidIn(Schema):
    paid_on: date
    voucher_no: str


class CountOut(Schema):
    count: int


@router.get("/subsidies/schemes", response=list[SchemeOut], summary="补助政策")
@paginate(Page)
def scheme_list(request):
    return selectors.scheme_list(scope=request.auth.scope)


@router.post("/subsidies/schemes", response={201: SchemeOut}, summary="制定补助政策(标准、最低数量、上限、验收标准)")
def scheme_create(request, payload: SchemeIn):
    data = payload.dict()
    standards = [{k: v for k, v in s.items() if v is not None and v != ""} for s in data.pop("standards")]
    scheme = services.scheme_create(scope=request.auth.scope, by=request.auth, data=data, standards=standards)
    return Status(201, selectors.scheme_get(scope=request.auth.scope, pk=scheme.pk))


@router.get("/subsidies/schemes/{scheme_id}", response=SchemeOut, summary="补助政策详情")
def scheme_get(request, scheme_id: int):
    return selectors.scheme_get(scope=request.auth.scope, pk=scheme_id)


@router.get("/subsidies/applications", response=list[ApplicationOut], summary="补助申报")
@paginate(Page)
def application_list(request, filters: Query[ApplicationQuery]):
    scope = request.auth.scope
    scheme = selectors.scheme_get(scope=scope, pk=filters.scheme_id) if filters.scheme_id else None
    return selectors.application_list(scope=scope, scheme=scheme, state=filters.state,
                                      region=filters.region).prefetch_related("photos")


@router.post("/subsidies/applications", response={201: ApplicationOut}, summary="申报(由农户或代农户)")
def application_create(request, payload: ApplicationIn):
    scope = request.auth.scope
    made = services.application_create(scope=scope, by=request.auth, scheme=selectors.scheme_get(
        scope=scope, pk=payload.scheme_id), household=Household(pk=payload.household_id), quantity=payload.quantity,
        applied_on=payload.applied_on, comment=payload.comment)
    return Status(201, selectors.application_get(scope=scope, pk=made.pk))


@router.post("/subsidies/applications/advance", response=CountOut, summary="村登记汇总、县审核、审批(一件或多件)")
def applications_advance(request, payload: AdvanceIn):
    return {"count": services.applications_advance(scope=request.auth.scope, by=request.auth, **payload.dict())}


@router.get("/subsidies/applications/{application_id}", response=ApplicationOut, summary="申报详情")
def application_get(request, application_id: int):
    return selectors.application_get(scope=request.auth.scope, pk=application_id)


@router.post("/subsidies/applications/{application_id}/inspection", response=ApplicationOut,
             summary="乡镇验收(实测值逐项判定)")
def inspection_record(request, application_id: int, payload: InspectionIn):
    scope = request.auth.scope
    application = services.inspection_record(scope=scope, by=request.auth, application=Application(pk=application_id),
                                             **payload.dict())
    return selectors.application_get(scope=scope, pk=application.pk)


@router.post("/subsidies/applications/{application_id}/photos", response={201: PhotoOut}, summary="上传验收照片")
def inspection_photo_add(request, application_id: int, file: File[UploadedFile]):
    return Status(201, services.inspection_photo_add(scope=request.auth.scope, by=request.auth,
                                                     application=Application(pk=application_id), upload=file))


@router.post("/subsidies/schemes/{scheme_id}/assess", response=CountOut, summary="造册核定(按规则计算金额)")
def applications_assess(request, scheme_id: int, payload: AssessIn):
    scope = request.auth.scope
    scheme = selectors.scheme_get(scope=scope, pk=scheme_id)
    return {"count": services.applications_assess(scope=scope, by=request.auth, scheme=scheme, **payload.dict())}


@router.post("/subsidies/schemes/{scheme_id}/notices", response={201: NoticeOut}, summary="村内公示")
def applications_publish(request, scheme_id: int, payload: NoticeIn):
    scope = request.auth.scope
    scheme = selectors.scheme_get(scope=scope, pk=scheme_id)
    notice = services.applications_publish(scope=scope, by=request.auth, scheme=scheme, **payload.dict())
    return Status(201, notice_get(request, notice.pk))


@router.post("/subsidies/batches", response={201: BatchOut}, summary="生成乡镇代发批次(财务)")
def batch_create(request, payload: BatchIn):
    scope = request.auth.scope
    scheme = selectors.scheme_get(scope=scope, pk=payload.scheme_id)
    return Status(201, payments.batch_create(scope=scope, by=request.auth, scheme=scheme, township=payload.township,
                                             allocation_id=payload.allocation_id))


@router.get("/subsidies/batches/{batch_id}", response=BatchOut, summary="代发批次")
def batch_get(request, batch_id: int):
    return selectors.batch_get(scope=request.auth.scope, pk=batch_id)


@router.get("/subsidies/batches/{batch_id}/bank.xlsx", response={200: None}, summary="银行代发清单(完整账号，记录查看)")
def batch_export(request, batch_id: int):
    scope = request.auth.scope
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    content = payments.batch_export(scope=scope, by=request.auth, batch=batch)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="daifa-{batch.pk}.xlsx"'
    return response


@router.post("/subsidies/batches/{batch_id}/paid", response=BatchOut, summary="标记已发放(从资金分配中支付)")
def batch_mark_paid(request, batch_id: int, payload: PaidIn):
    scope = request.auth.scope
    batch = selectors.batch_get(scope=scope, pk=batch_id)
    return payments.batch_mark_paid(scope=scope, by=request.auth, batch=batch, **payload.dict())
