"""Rules endpoints: rule sets (versions, preview before saving), evaluations (dated snapshots with
the reason of every row), a household's live evaluation, and the identification, exit and
monitoring steps that do work (plain steps: POST /procedures/cases/advance; objections:
/procedures/notices/…)."""

from datetime import date, datetime
from decimal import Decimal

from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.registry.api import Page
from bangfu.registry.models import Household
from bangfu.rules import selectors, services, workflow
from bangfu.rules.models import Monitoring
from bangfu.schemas import Id, RegionCode, Year

router = Router(tags=["识别、退出与监测"])


class RuleValues(Schema):
    poverty_line: Decimal | None = Field(None, ge=0, le=1_000_000, description="贫困线(元/人·年)")
    monitoring_line: Decimal | None = Field(None, ge=0, le=1_000_000, description="监测标准(元/人·年)")
    compulsory_age_from: int | None = Field(None, ge=0, le=30)
    compulsory_age_to: int | None = Field(None, ge=0, le=30)
    check_water: bool | None = None
    income_drop_share: Decimal | None = Field(None, ge=0, le=1)
    expense_share: Decimal | None = Field(None, ge=0, le=100)
    disaster_share: Decimal | None = Field(None, ge=0, le=100)
    working_age_from: int | None = Field(None, ge=0, le=100)
    working_age_to: int | None = Field(None, ge=0, le=100)
    steady_months: int | None = Field(None, ge=0, le=120)
    village_exit_rate: Decimal | None = Field(None, ge=0, le=100)
    county_exit_rate: Decimal | None = Field(None, ge=0, le=100, description="摘帽：贫困发生率低于(%)")
    county_village_share: Decimal | None = Field(None, ge=0, le=100, description="摘帽：贫困村出列比例不低于(%)")


class RuleSetIn(RuleValues):
    region: RegionCode = Field(..., description="省或县的12位区划代码")
    year: Year
    effective_from: date
    note: str = Field("", max_length=200)


class RuleSetOut(Schema):
    id: int
    region_code: str = Field(alias="region_id")
    year: int
    version: int
    label: str
    effective_from: date
    poverty_line: Decimal
    monitoring_line: Decimal
    compulsory_age_from: int
    compulsory_age_to: int
    check_water: bool
    income_drop_share: Decimal
    expense_share: Decimal
    disaster_share: Decimal
    working_age_from: int
    working_age_to: int
    steady_months: int
    village_exit_rate: Decimal
    county_exit_rate: Decimal
    county_village_share: Decimal
    note: str
    created_at: datetime


class PreviewOut(Schema):
    households: int
    moved: int
    exit_gain: int
    exit_loss: int
    monitor_gain: int
    monitor_loss: int
    eliminable_gain: int
    eliminable_loss: int
    current: str
    proposed: str
    on: date


class RuleSetQuery(Schema):
    region: RegionCode = ""
    year: Year | None = None


class EvaluationIn(Schema):
    region: RegionCode
    on: date


class EvaluationOut(Schema):
    id: int
    region_code: str = Field(alias="region_id")
    on: date
    rule_set_id: int
    rule_version: str = Field(alias="rule_set.label")
    households: int
    exit_eligible: int
    failing: int
    monitoring_candidates: int
    risk_eliminable: int
    exited_failing: int
    villages: int
    villages_exit: int
    counties: int
    counties_exit: int
    created_at: datetime


class Reason(Schema):
    criterion: str
    label: str
    value: str
    line: str
    rule_version: str
    text: str


class ResultOut(Schema):
    household_id: int
    region_code: str
    status: str
    income_per_capita: Decimal
    exit_ok: bool
    monitoring_candidate: bool
    risk_eliminable: bool
    failures: list[Reason]
    triggers: list[Reason]
    rule_version: str


class VillageOut(Schema):
    region_code: str = Field(alias="region_id")
    households: int
    people: int
    poor_people: int
    rate: Decimal
    exit_ok: bool


class CountyOut(Schema):
    county_code: str
    name: str
    households: int
    people: int
    poor_people: int
    rate: Decimal  # 贫困发生率(%)
    rate_line: Decimal  # the rule set's county_exit_rate
    rate_ok: bool
    poor_villages: int
    poor_villages_exit: int  # exited by the day or meeting the 出列 standard in the snapshot
    village_share: Decimal
    village_share_line: Decimal
    villages_ok: bool
    exit_ok: bool
    rule_version: str


class RowsQuery(Schema):
    show: str = Field("all", description="exit 达标未脱贫 / failing 未达标 / monitoring 应纳入监测 / "
                                         "eliminable 可消除风险 / exited_failing 已脱贫未达标 / all")
    page: int = Field(1, ge=1, le=100000, description="每页100户")


class HouseholdsIn(Schema):
    household_ids: list[Id] = Field(..., max_length=500)
    on: date
    comment: str = Field("", max_length=500)


class CasesIn(Schema):
    case_ids: list[Id] = Field(..., max_length=500)
    on: date
    comment: str = Field("", max_length=500)


class NoticeIn(Schema):
    definition: str = Field(..., description="identification / exit / monitoring")
    case_ids: list[Id] = Field(..., max_length=500)
    village: RegionCode
    starts_on: date
    ends_on: date
    title: str = Field("", max_length=120)


class NoticeCreated(Schema):
    id: int
    title: str
    starts_on: date
    ends_on: date


class CaseOpened(Schema):
    id: int
    subject_id: int
    state: str
    due_on: date | None


class MonitoringIn(Schema):
    household_id: Id
    source: str = Field(..., description="self 农户自主申报 / cadre 干部排查 / department 部门预警")
    on: date
    reason: str = Field("", max_length=2000)


class MonitoringOut(Schema):
    id: int
    household_id: int
    region_code: str = Field(alias="region_id")
    source: str
    triggers: str
    reason: str
    category: str
    risk_types: str
    measures: str
    opened_on: date
    closed_on: date | None
    case_id: int | None
    state: str | None = Field(None, alias="case.state")
    due_on: date | None = Field(None, alias="case.due_on")


class ConfirmIn(Schema):
    category: str = Field(..., description="unstable 脱贫不稳定户 / marginal 边缘易致贫户 / sudden 突发严重困难户")
    risk_types: list[str] = Field(..., max_length=9)
    on: date
    comment: str = Field("", max_length=500)


class StepIn(Schema):
    on: date
    comment: str = Field("", max_length=500)


class HelpIn(Schema):
    measures: str = Field(..., max_length=2000)
    on: date


@router.get("/rules/rule-sets", response=list[RuleSetOut], summary="识别与监测标准(各版本)")
@paginate(Page)
def rule_set_list(request, filters: Query[RuleSetQuery]):
    return selectors.rule_set_list(region=filters.region or None, year=filters.year)


@router.post("/rules/rule-sets", response={201: RuleSetOut}, summary="保存标准的新版本")
def rule_set_save(request, payload: RuleSetIn):
    data = payload.dict(exclude={"region", "year", "effective_from", "note"}, exclude_none=True)
    return Status(201, services.rule_set_save(scope=request.auth.scope, by=request.auth, region=payload.region,
                                              year=payload.year, data=data, effective_from=payload.effective_from,
                                              note=payload.note))


@router.post("/rules/rule-sets/preview", response=PreviewOut, summary="保存前预览：修改会使多少户变化")
def rule_set_preview(request, payload: RuleSetIn):
    data = payload.dict(exclude={"region", "year", "effective_from", "note"}, exclude_none=True)
    return services.rule_set_preview(scope=request.auth.scope, region=payload.region, year=payload.year, data=data,
                                     effective_from=payload.effective_from)


@router.get("/rules/rule-sets/{rule_set_id}", response=RuleSetOut, summary="标准的一个版本")
def rule_set_get(request, rule_set_id: Id):
    return selectors.rule_set_get(pk=rule_set_id)


@router.get("/rules/evaluations", response=list[EvaluationOut], summary="测算(快照)")
@paginate(Page)
def evaluation_list(request):
    return selectors.evaluation_list(scope=request.auth.scope)


@router.post("/rules/evaluations", response={201: EvaluationOut}, summary="按规则测算一个地区并保存快照")
def evaluation_run(request, payload: EvaluationIn):
    return Status(201, services.evaluation_run(scope=request.auth.scope, by=request.auth, region=payload.region,
                                               on=payload.on))


@router.get("/rules/evaluations/{evaluation_id}", response=EvaluationOut, summary="测算结果汇总")
def evaluation_get(request, evaluation_id: Id):
    return selectors.evaluation_get(scope=request.auth.scope, pk=evaluation_id)


@router.get("/rules/evaluations/{evaluation_id}/rows", response=list[ResultOut], summary="测算结果(每户及原因)")
def evaluation_rows(request, evaluation_id: Id, filters: Query[RowsQuery]):
    scope = request.auth.scope
    evaluation = selectors.evaluation_get(scope=scope, pk=evaluation_id)
    start = (filters.page - 1) * 100
    rows = selectors.evaluation_rows(scope=scope, evaluation=evaluation, show=filters.show)[start:start + 100]
    return [_result(r, selectors.reasons(r, evaluation.rule_set)) for r in rows]


def _result(row, why: dict) -> dict:
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    return {"household_id": get("household_id"), "region_code": get("region_id"), "status": get("status"),
            "income_per_capita": get("income_per_capita"), **why}


@router.get("/rules/evaluations/{evaluation_id}/villages", response=list[VillageOut], summary="村贫困发生率与出列")
def evaluation_villages(request, evaluation_id: Id):
    scope = request.auth.scope
    return list(selectors.village_results(scope=scope, evaluation=selectors.evaluation_get(scope=scope,
                                                                                         pk=evaluation_id)))


@router.get("/rules/evaluations/{evaluation_id}/counties", response=list[CountyOut], summary="县贫困发生率、贫困村出列与摘帽")
def evaluation_counties(request, evaluation_id: Id):
    scope = request.auth.scope
    return selectors.county_results(scope=scope, evaluation=selectors.evaluation_get(scope=scope, pk=evaluation_id))


@router.get("/rules/households/{household_id}", response={200: ResultOut, 204: None},
            summary="一户按现行标准的测算结果及原因")
def household_evaluate(request, household_id: Id, on: date | None = None):
    on = on or timezone.localdate()
    result = selectors.household_evaluate(scope=request.auth.scope, household=Household(pk=household_id), on=on)
    return Status(200, _result(result, result)) if result else Status(204, None)


@router.post("/rules/identification", response={201: list[CaseOpened]}, summary="贫困户识别：申请")
def identification_apply(request, payload: HouseholdsIn):
    return Status(201, workflow.identification_apply(scope=request.auth.scope, by=request.auth, **payload.dict()))


@router.post("/rules/identification/enter", response=int, summary="贫困户识别：录入")
def identification_enter(request, payload: CasesIn):
    return workflow.identification_enter(scope=request.auth.scope, by=request.auth, **payload.dict())


@router.post("/rules/exits", response={201: list[CaseOpened]}, summary="脱贫退出：提名(须达到退出标准)")
def exit_nominate(request, payload: HouseholdsIn):
    return Status(201, workflow.exit_nominate(scope=request.auth.scope, by=request.auth, **payload.dict()))


@router.post("/rules/exits/complete", response=int, summary="脱贫退出：退出")
def exit_complete(request, payload: CasesIn):
    return workflow.exit_complete(scope=request.auth.scope, by=request.auth, **payload.dict())


@router.post("/rules/notices", response={201: NoticeCreated}, summary="识别、退出、风险消除的村内公示")
def notice_publish(request, payload: NoticeIn):
    return Status(201, workflow.cases_publish(scope=request.auth.scope, by=request.auth, **payload.dict()))


@router.get("/rules/monitoring", response=list[MonitoringOut], summary="监测对象")
@paginate(Page)
def monitoring_list(request, state: str = ""):
    return selectors.monitoring_list(scope=request.auth.scope, state=state or None)


@router.post("/rules/monitoring", response={201: MonitoringOut}, summary="监测：申报、排查或预警")
def monitoring_declare(request, payload: MonitoringIn):
    return Status(201, workflow.monitoring_declare(scope=request.auth.scope, by=request.auth,
                                                   household=Household(pk=payload.household_id),
                                                   source=payload.source, on=payload.on, reason=payload.reason))


@router.get("/rules/monitoring/{monitoring_id}", response=MonitoringOut, summary="监测记录")
def monitoring_get(request, monitoring_id: Id):
    return selectors.monitoring_get(scope=request.auth.scope, pk=monitoring_id)


@router.post("/rules/monitoring/{monitoring_id}/confirm", response=MonitoringOut, summary="监测：确认")
def monitoring_confirm(request, monitoring_id: Id, payload: ConfirmIn):
    return workflow.monitoring_confirm(scope=request.auth.scope, by=request.auth,
                                       monitoring=Monitoring(pk=monitoring_id), **payload.dict())


@router.post("/rules/monitoring/{monitoring_id}/decline", response=MonitoringOut, summary="监测：不纳入")
def monitoring_decline(request, monitoring_id: Id, payload: StepIn):
    return workflow.monitoring_decline(scope=request.auth.scope, by=request.auth,
                                       monitoring=Monitoring(pk=monitoring_id), **payload.dict())


@router.post("/rules/monitoring/{monitoring_id}/help", response=MonitoringOut, summary="监测：落实帮扶措施")
def monitoring_help(request, monitoring_id: Id, payload: HelpIn):
    return workflow.monitoring_help(scope=request.auth.scope, by=request.auth, monitoring=Monitoring(pk=monitoring_id),
                                    **payload.dict())


@router.post("/rules/monitoring/{monitoring_id}/eliminate", response=MonitoringOut, summary="监测：风险消除")
def monitoring_eliminate(request, monitoring_id: Id, payload: StepIn):
    return workflow.monitoring_eliminate(scope=request.auth.scope, by=request.auth,
                                         monitoring=Monitoring(pk=monitoring_id), **payload.dict())


@router.post("/rules/monitoring/{monitoring_id}/mark", response=MonitoringOut, summary="监测：标注风险消除")
def monitoring_mark(request, monitoring_id: Id, payload: StepIn):
    return workflow.monitoring_mark(scope=request.auth.scope, by=request.auth, monitoring=Monitoring(pk=monitoring_id),
                                    **payload.dict())
