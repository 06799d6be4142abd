"""Programme and pairing endpoints: the same selectors and services as the pages, the same scope."""

from datetime import date

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from bangfu.errors import NotFound
from bangfu.programmes import register, selectors, services
from bangfu.programmes.models import Obligation, Phase, Task
from bangfu.registry.api import Page
from bangfu.schemas import Minimum, SmallCount

router = Router(tags=["帮扶项目与结对"])


class ProgrammeIn(Schema):
    name: str
    region: str = Field(..., description="实施范围的12位区划代码")
    owner: int | None = Field(None, description="牵头单位 id")
    period_kind: str = "calendar_year"
    starts_on: date
    ends_on: date
    helper_kinds: list[str] = Field(..., description="person / organization / team")
    target_kinds: list[str] = Field(..., description="household / person / organization / village")
    helper_label: str = "帮扶责任人"
    target_label: str = "帮扶对象"
    activity_kinds: list[str] = []
    coverage_attribute: str = ""
    coverage_values: list = []
    description: str = ""


class ProgrammeOut(Schema):
    id: int
    name: str
    region_code: str = Field(alias="region_id")
    owner_id: int | None
    period_kind: str
    starts_on: date
    ends_on: date
    status: str
    helper_kinds: list[str]
    target_kinds: list[str]
    helper_label: str
    target_label: str
    activity_kinds: list[str]


class TermIn(Schema):
    name: str
    academic_year: str
    starts_on: date
    ends_on: date


class TermOut(TermIn):
    id: int


class CapacityIn(Schema):
    helper_rank: str = ""
    max_targets: SmallCount


class ObligationIn(Schema):
    name: str
    kind: str
    actor: str = "helper"
    measure: str = "count"
    minimum: Minimum
    unit: str = "次"
    period: str = "month"
    period_weeks: SmallCount | None = Field(None, description="period 为 weeks 时的周数：每两周填2，从学期(或项目)开始起算")
    window: str = ""
    window_before_days: SmallCount = 0
    window_after_days: SmallCount = 0
    window_starts_on: date | None = None
    window_ends_on: date | None = None
    grace_days: SmallCount = 0
    counterpart_only: bool = False
    condition_party: str = ""
    condition_attribute: str = ""
    condition_values: list = []
    minimum_by_value: dict[str, Minimum] = Field(
        {}, description="按适用条件字段取值的最低要求，如 {\"语文\": 20, \"数学\": 20}；其余取值按 minimum")


class ObligationOut(ObligationIn):
    id: int
    programme_id: int


class PhaseIn(Schema):
    name: str
    starts_on: date
    ends_on: date


class TaskIn(Schema):
    name: str
    owner: str = ""
    due_on: date | None = None


class TaskStatusIn(Schema):
    status: str


class TaskOut(Schema):
    id: int
    name: str
    owner: str
    due_on: date | None
    status: str


class PhaseOut(Schema):
    id: int
    name: str
    starts_on: date
    ends_on: date
    status: str


class PairingIn(Schema):
    helper_kind: str = "person"
    helper_id: int
    target_kind: str = Field("household", description="household / person / organization / village")
    target_ids: list[str] = Field(..., description="一个或多个对象 id(村为12位区划代码)；多个即一对多")
    starts_on: date


class PairingOut(Schema):
    id: int
    programme_id: int
    helper_kind: str
    helper_id: int | None
    helper_name: str
    target_kind: str
    target_id: str | None
    target_name: str
    region_code: str = Field(alias="region_id")
    starts_on: date
    ends_on: date | None
    helper_role: str
    status: str
    end_reason: str
    previous_id: int | None

    @staticmethod
    def resolve_helper_id(obj):
        return obj.helper_person_id or obj.helper_organization_id or obj.helper_team_id

    @staticmethod
    def resolve_target_id(obj):
        value = obj.target_household_id or obj.target_person_id or obj.target_organization_id or obj.target_village_id
        return str(value) if value is not None else None


class HandoverIn(Schema):
    helper_kind: str = "person"
    helper_id: int
    on: date
    reason: str


class EndIn(Schema):
    on: date
    reason: str


class ExemptionIn(Schema):
    obligation_id: int | None = None
    starts_on: date
    ends_on: date
    reason: str


class ExemptionOut(Schema):
    id: int
    pairing_id: int
    obligation_id: int | None
    starts_on: date
    ends_on: date
    reason: str
    approved_by_id: int


class Uncovered(Schema):
    id: int
    name: str
    region_code: str


class OverCapacity(Schema):
    id: int
    name: str
    rank: str
    pairing_count: int
    limit: int


class Checks(Schema):
    uncovered: list[Uncovered]
    uncovered_count: int
    over_capacity: list[OverCapacity]


# Programmes -------------------------------------------------------------------------------


@router.get("/programmes", response=list[ProgrammeOut], summary="帮扶项目列表")
@paginate(Page)
def programme_list(request):
    return selectors.programme_list(scope=request.auth.scope)


@router.post("/programmes", response={201: ProgrammeOut}, summary="新建帮扶项目")
def programme_create(request, payload: ProgrammeIn):
    programme = services.programme_create(scope=request.auth.scope, by=request.auth, data=payload.dict())
    return Status(201, programme)


@router.get("/programmes/{programme_id}", response=ProgrammeOut, summary="帮扶项目详情")
def programme_get(request, programme_id: int):
    return selectors.programme_get(scope=request.auth.scope, pk=programme_id)


@router.put("/programmes/{programme_id}", response=ProgrammeOut, summary="修改帮扶项目(期间、学期和要求随之重算)")
def programme_update(request, programme_id: int, payload: ProgrammeIn):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    return services.programme_update(scope=scope, by=request.auth, programme=programme, data=payload.dict())


@router.post("/programmes/{programme_id}/terms", response={201: TermOut}, summary="设置学期日期")
def term_add(request, programme_id: int, payload: TermIn):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    return Status(201, services.term_add(scope=scope, by=request.auth, programme=programme, **payload.dict()))


@router.put("/programmes/{programme_id}/terms/{term_id}", response=TermOut, summary="修改学期日期")
def term_update(request, programme_id: int, term_id: int, payload: TermIn):
    scope = request.auth.scope
    term = selectors.programme_part_get(scope=scope, programme_pk=programme_id, related="terms", pk=term_id)
    return services.term_update(scope=scope, by=request.auth, term=term, data=payload.dict())


@router.post("/programmes/{programme_id}/capacity-rules", response={201: CapacityIn}, summary="设置结对数上限")
def capacity_rule_set(request, programme_id: int, payload: CapacityIn):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    return Status(201, services.capacity_rule_set(scope=scope, by=request.auth, programme=programme, **payload.dict()))


@router.get("/programmes/{programme_id}/obligations", response=list[ObligationOut], summary="帮扶要求")
def obligation_list(request, programme_id: int):
    programme = selectors.programme_get(scope=request.auth.scope, pk=programme_id)
    return programme.obligations.all()


@router.post("/programmes/{programme_id}/obligations", response={201: ObligationOut}, summary="添加帮扶要求")
def obligation_add(request, programme_id: int, payload: ObligationIn):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    return Status(201, services.obligation_add(scope=scope, by=request.auth, programme=programme, data=payload.dict()))


@router.put("/programmes/{programme_id}/obligations/{obligation_id}", response=ObligationOut, summary="修改帮扶要求")
def obligation_update(request, programme_id: int, obligation_id: int, payload: ObligationIn):
    scope = request.auth.scope
    obligation = selectors.programme_part_get(scope=scope, programme_pk=programme_id, related="obligations",
                                              pk=obligation_id)
    return services.obligation_update(scope=scope, by=request.auth, obligation=obligation, data=payload.dict())


@router.get("/programmes/{programme_id}/phases", response=list[PhaseOut], summary="工作计划阶段")
def phase_list(request, programme_id: int):
    return selectors.programme_get(scope=request.auth.scope, pk=programme_id).phases.all()


@router.post("/programmes/{programme_id}/phases", response={201: PhaseOut}, summary="添加工作阶段")
def phase_add(request, programme_id: int, payload: PhaseIn):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    return Status(201, services.phase_add(scope=scope, by=request.auth, programme=programme, **payload.dict()))


def _phase(request, phase_id: int) -> Phase:
    phase = Phase.objects.filter(pk=phase_id, programme__in=selectors.programmes_in_scope(request.auth.scope)).first()
    if phase is None:
        raise NotFound(_("工作阶段不存在或不在您的管辖范围内"))
    return phase


@router.post("/phases/{phase_id}/tasks", response={201: TaskOut}, summary="添加工作任务")
def task_add(request, phase_id: int, payload: TaskIn):
    phase = _phase(request, phase_id)
    return Status(201, services.task_add(scope=request.auth.scope, by=request.auth, phase=phase, **payload.dict()))


@router.post("/tasks/{task_id}/status", response=TaskOut, summary="更新任务状态")
def task_set_status(request, task_id: int, payload: TaskStatusIn):
    task = Task.objects.filter(pk=task_id,
                               phase__programme__in=selectors.programmes_in_scope(request.auth.scope)).first()
    if task is None:
        raise NotFound(_("工作任务不存在或不在您的管辖范围内"))
    return services.task_set_status(scope=request.auth.scope, by=request.auth, task=task, status=payload.status)


@router.get("/programmes/{programme_id}/checks", response=Checks, summary="未结对对象和超额帮扶人清单")
def programme_checks(request, programme_id: int):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    uncovered = selectors.uncovered_targets(scope=scope, programme=programme)
    return {
        "uncovered": [{"id": t.pk, "name": str(getattr(t, "head", None) or t), "region_code": t.region_id}
                      for t in uncovered[:500]],
        "uncovered_count": uncovered.count(),
        "over_capacity": [{"id": p.pk, "name": p.name, "rank": p.rank, "pairing_count": p.pairing_count,
                           "limit": p.limit} for p in selectors.over_capacity_helpers(scope=scope,
                                                                                      programme=programme)],
    }


# Pairings ---------------------------------------------------------------------------------


@router.get("/programmes/{programme_id}/pairings", response=list[PairingOut], summary="结对名单")
@paginate(Page)
def pairing_list(request, programme_id: int, status: str = "", q: str = ""):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    return selectors.pairing_list(scope=scope, programme=programme, status=status, q=q)


@router.post("/programmes/{programme_id}/pairings", response={201: list[PairingOut]},
             summary="结对(一个帮扶方对一个或多个对象)")
def pairing_create(request, programme_id: int, payload: PairingIn):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    helper = services.party_get(scope, payload.helper_kind, payload.helper_id, field="helper_id")
    targets = [services.party_get(scope, payload.target_kind, t, field="target_ids") for t in payload.target_ids]
    made = services.pairing_bulk_create(scope=scope, by=request.auth, programme=programme, helper=helper,
                                        targets=targets, starts_on=payload.starts_on)
    return Status(201, list(selectors.pairing_list(scope=scope).filter(pk__in=[p.pk for p in made])))


@router.get("/pairings/{pairing_id}", response=PairingOut, summary="结对详情")
def pairing_get(request, pairing_id: int):
    return selectors.pairing_get(scope=request.auth.scope, pk=pairing_id)


@router.get("/pairings/{pairing_id}/history", response=list[PairingOut], summary="同一对象的结对与移交历史")
def pairing_history(request, pairing_id: int):
    pairing = selectors.pairing_get(scope=request.auth.scope, pk=pairing_id)
    return selectors.pairing_chain(pairing=pairing)


@router.post("/pairings/{pairing_id}/handover", response={201: PairingOut}, summary="移交给新的帮扶方")
def pairing_handover(request, pairing_id: int, payload: HandoverIn):
    scope = request.auth.scope
    pairing = selectors.pairing_get(scope=scope, pk=pairing_id)
    helper = services.party_get(scope, payload.helper_kind, payload.helper_id, field="helper_id")
    new = services.pairing_handover(scope=scope, by=request.auth, pairing=pairing, new_helper=helper, on=payload.on,
                                    reason=payload.reason)
    return Status(201, selectors.pairing_get(scope=scope, pk=new.pk))


@router.post("/pairings/{pairing_id}/end", response=PairingOut, summary="结束结对")
def pairing_end(request, pairing_id: int, payload: EndIn):
    scope = request.auth.scope
    pairing = selectors.pairing_get(scope=scope, pk=pairing_id)
    services.pairing_end(scope=scope, by=request.auth, pairing=pairing, on=payload.on, reason=payload.reason)
    return selectors.pairing_get(scope=scope, pk=pairing_id)


@router.post("/pairings/{pairing_id}/exemptions", response={201: ExemptionOut}, summary="免除帮扶要求(须写明原因)")
def exemption_grant(request, pairing_id: int, payload: ExemptionIn):
    scope = request.auth.scope
    pairing = selectors.pairing_get(scope=scope, pk=pairing_id)
    obligation = None
    if payload.obligation_id:
        obligation = Obligation.objects.filter(pk=payload.obligation_id, programme_id=pairing.programme_id).first()
        if obligation is None:
            raise NotFound(_("帮扶要求不存在"))
    return Status(201, services.exemption_grant(scope=scope, by=request.auth, pairing=pairing, obligation=obligation,
                                                starts_on=payload.starts_on, ends_on=payload.ends_on,
                                                reason=payload.reason))


# Pairing register (帮扶结对名册) ---------------------------------------------------------------


class RegisterErrorOut(Schema):
    row: int
    column: str
    header: str
    message: str


class RegisterOut(Schema):
    job_id: int  # the upload's import job: GET /api/v1/imports/{job_id} while the worker reads it (202)
    status: str  # as an import job's: checking/importing (202), checked, invalid, done
    rows: int
    valid: int
    created: int
    dry_run: bool
    errors: list[RegisterErrorOut]


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@router.get("/pairing-register/template", summary="帮扶结对名册模板(xlsx，含示例行和填写说明)")
def pairing_register_template(request):
    response = HttpResponse(register.pairing_register_template(), content_type=XLSX)
    response["Content-Disposition"] = "attachment; filename*=UTF-8''%E5%B8%AE%E6%89%B6%E7%BB%93%E5%AF%B9%E5%90%8D%E5%86%8C.xlsx"
    return response


@router.post("/programmes/{programme_id}/pairings/upload", response={200: RegisterOut, 202: RegisterOut,
                                                                    400: RegisterOut},
             summary="按结对名册批量结对(dry_run=true 只检查；有任何错误则一个也不结对，错误列出行号和列；"
                     "后台读取文件：202 时以 GET /api/v1/imports/{job_id} 查询结果)")
def pairing_register_upload(request, programme_id: int, file: File[UploadedFile], dry_run: Form[bool] = True):
    scope = request.auth.scope
    programme = selectors.programme_get(scope=scope, pk=programme_id)
    job = register.pairing_register_job_create(scope=scope, by=request.auth, programme=programme, upload=file,
                                               dry_run=dry_run)
    result = register.pairing_register_result(job) or register.RegisterResult(dry_run=dry_run)
    out = {"job_id": job.pk, "status": job.status, **result.__dict__}
    return Status(202 if job.running else 200 if result.ok else 400, out)
