"""Procedure endpoints: cases and their steps, taking a transition, overdue cases by region,
notices (rows masked) with their objections, the holiday table."""

from datetime import date, datetime

from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.errors import PermissionDenied
from bangfu.procedures import selectors, services
from bangfu.procedures.models import Objection
from bangfu.registry.api import Page

from bangfu.schemas import IdList, RegionLength, Year

router = Router(tags=["办理流程"])


class StepOut(Schema):
    transition: str
    from_state: str
    to_state: str
    by: str | None = Field(None, alias="by.username")
    at: datetime
    on: date
    comment: str


class CaseOut(Schema):
    id: int
    definition: str
    subject_kind: str
    subject_id: int
    region_code: str = Field(alias="region_id")
    state: str
    entered_on: date
    due_on: date | None


class CaseDetailOut(CaseOut):
    steps: list[StepOut] = []

    @staticmethod
    def resolve_steps(obj):
        return list(obj.steps.select_related("by").order_by("pk"))  # the case itself was found in scope


class CaseQuery(Schema):
    definition: str = ""
    state: str = ""


class CaseAdvanceIn(Schema):
    definition: str
    case_ids: IdList
    transition: str
    on: date
    comment: str = ""


class OverdueOut(Schema):
    prefix: str
    name: str
    count: int


class ObjectionIn(Schema):
    content: str
    raised_on: date
    raised_by: str = ""
    case_id: int | None = None


class ResolveIn(Schema):
    resolution: str
    resolved_on: date


class ObjectionOut(Schema):
    id: int
    notice_id: int
    case_id: int | None
    raised_on: date
    raised_by: str
    content: str
    resolved_on: date | None
    resolution: str


class NoticeOut(Schema):
    id: int
    definition: str
    title: str
    region_code: str = Field(alias="region_id")
    starts_on: date
    ends_on: date
    columns: list[list[str]] = []
    rows: list[dict] = []
    objections: list[ObjectionOut] = []


class HolidayIn(Schema):
    day: date
    working: bool = False
    name: str = ""


class HolidayOut(Schema):
    day: date
    working: bool
    name: str


@router.get("/procedures/cases", response=list[CaseOut], summary="办理事项")
@paginate(Page)
def case_list(request, filters: Query[CaseQuery]):
    return selectors.case_list(scope=request.auth.scope, definition=filters.definition, state=filters.state)


@router.post("/procedures/cases/advance", response=list[CaseOut], summary="办理(一件或多件)")
def cases_advance(request, payload: CaseAdvanceIn):
    return services.cases_advance(scope=request.auth.scope, by=request.auth, **payload.dict())


@router.get("/procedures/cases/{case_id}", response=CaseDetailOut, summary="办理事项及办理记录")
def case_get(request, case_id: int):
    return selectors.case_get(scope=request.auth.scope, pk=case_id)


@router.get("/procedures/overdue", response=list[OverdueOut], summary="逾期事项按区域统计")
def overdue_by_region(request, as_of: date, level: RegionLength = 9, definition: str = ""):
    return selectors.overdue_by_region(scope=request.auth.scope, as_of=as_of, level=level,
                                       definition=definition or None)


@router.get("/procedures/notices/{notice_id}", response=NoticeOut, summary="公示(身份证号、电话已隐藏)")
def notice_get(request, notice_id: int):
    scope = request.auth.scope
    notice = selectors.notice_get(scope=scope, pk=notice_id)
    columns, rows = selectors.notice_rows(scope=scope, notice=notice)
    return NoticeOut.from_orm(notice).model_copy(update={
        "columns": [list(c) for c in columns], "rows": [{k: _plain(v) for k, v in r.items()} for r in rows],
        "objections": [ObjectionOut.from_orm(o) for o in selectors.objection_list(scope=scope, notice=notice)]})


def _plain(value):
    return str(value) if value is not None and not isinstance(value, (int, str)) else value


@router.post("/procedures/notices/{notice_id}/objections", response={201: ObjectionOut}, summary="登记公示异议")
def objection_raise(request, notice_id: int, payload: ObjectionIn):
    scope = request.auth.scope
    notice = selectors.notice_get(scope=scope, pk=notice_id)
    return Status(201, services.objection_raise(scope=scope, by=request.auth, notice=notice, **payload.dict()))


@router.post("/procedures/objections/{objection_id}/resolve", response=ObjectionOut, summary="处理公示异议")
def objection_resolve(request, objection_id: int, payload: ResolveIn):
    return services.objection_resolve(scope=request.auth.scope, by=request.auth, objection=Objection(pk=objection_id),
                                      **payload.dict())


@router.get("/procedures/holidays", response=list[HolidayOut], summary="节假日表")
def holiday_list(request, year: Year | None = None):
    if not request.auth.role_rules.see_households:  # as the page: roles that run no procedure
        raise PermissionDenied(_("您的角色不查看办理事项"))
    return list(selectors.holiday_list(year=year))


@router.post("/procedures/holidays", response=HolidayOut, summary="录入或修改节假日(县级)")
def holiday_set(request, payload: HolidayIn):
    return services.holiday_set(scope=request.auth.scope, by=request.auth, **payload.dict())
