"""/api/v1/clues: the clue list (疑点线索), one clue, and its steps — the same services as the pages."""

from datetime import date

from ninja import Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.crosschecks import selectors, services
from bangfu.crosschecks.models import Clue
from bangfu.registry.api import Page
from bangfu.registry.selectors import household_get
from bangfu.schemas import Id, RegionCode

router = Router(tags=["数据比对"])


class ClueOut(Schema):
    id: int
    region: str
    region_name: str
    source: str
    source_label: str
    household_id: int | None
    household_number: str
    person_name: str
    detail: str  # what the list says of the person (unit, plate, company …); never a number
    description: str
    status: str
    status_label: str
    assignee: str
    assigned_on: date | None
    verified_on: date | None
    verification: str
    finding: str
    finding_label: str
    evidence_note: str
    has_evidence: bool
    closed_on: date | None
    exempt_reason: str

    @staticmethod
    def resolve_region(obj):
        return _field(obj, "region")

    @staticmethod
    def resolve_region_name(obj):
        return _field(obj, "region_name")

    @staticmethod
    def resolve_source_label(obj):
        return _field(obj, "source_label")

    @staticmethod
    def resolve_household_number(obj):
        return _field(obj, "household_number")

    @staticmethod
    def resolve_person_name(obj):
        return _field(obj, "person_name")

    @staticmethod
    def resolve_detail(obj):
        return _field(obj, "detail")

    @staticmethod
    def resolve_status_label(obj):
        return _field(obj, "status_label")

    @staticmethod
    def resolve_finding_label(obj):
        return _field(obj, "finding_label")

    @staticmethod
    def resolve_has_evidence(obj):
        return _field(obj, "has_evidence")


def _field(obj, name: str):
    return clue_out(obj)[name] if isinstance(obj, Clue) else obj[name]


def clue_out(c: Clue) -> dict:
    return {"id": c.pk, "region": c.region_id, "region_name": c.region.full_name, "source": c.source,
            "source_label": str(c.get_source_display()), "household_id": c.household_id,
            "household_number": c.household.number if c.household_id else "",
            "person_name": c.person.name if c.person_id else (c.entry.name if c.entry_id else ""),
            "detail": c.entry.detail if c.entry_id else "", "description": c.description, "status": c.status,
            "status_label": str(c.get_status_display()), "assignee": c.assignee, "assigned_on": c.assigned_on,
            "verified_on": c.verified_on, "verification": c.verification, "finding": c.finding,
            "finding_label": str(c.get_finding_display()) if c.finding else "", "evidence_note": c.evidence_note,
            "has_evidence": bool(c.evidence), "closed_on": c.closed_on, "exempt_reason": c.exempt_reason}


class ClueQuery(Schema):
    region: RegionCode = ""
    status: str = ""
    source: str = ""
    finding: str = ""


class VillageOut(Schema):
    code: str
    name: str
    total: int
    pending: int
    closed: int
    exempted: int


class AssignIn(Schema):
    assignee: str
    assigned_on: date


class VerifyIn(Schema):
    verified_on: date
    verification: str


class CloseIn(Schema):
    finding: str
    closed_on: date
    evidence_note: str = ""


class ExemptIn(Schema):
    reason: str
    exempted_on: date


class ReviewIn(Schema):
    household_id: Id
    description: str


@router.get("/clues", response=list[ClueOut], summary="疑点线索列表(分页)")
@paginate(Page)
def clue_list(request, q: Query[ClueQuery]):
    return selectors.clue_list(scope=request.auth.scope, **q.dict())


@router.get("/clues/villages", response=list[VillageOut], summary="各村疑点线索汇总")
def clue_villages(request, region: RegionCode = ""):
    return selectors.clue_villages(scope=request.auth.scope, region=region)


@router.post("/clues", response={201: ClueOut}, summary="登记核查发现的疑点(入户核查、暗访)")
def clue_record(request, payload: ReviewIn):
    scope = request.auth.scope
    household = household_get(scope=scope, pk=payload.household_id)
    clue = services.clue_record(scope=scope, by=request.auth, household=household, description=payload.description)
    return Status(201, clue_out(selectors.clue_get(scope=scope, pk=clue.pk)))


@router.get("/clues/{clue_id}", response=ClueOut, summary="疑点线索详情")
def clue_get(request, clue_id: int):
    return clue_out(selectors.clue_get(scope=request.auth.scope, pk=clue_id))


def _step(request, clue_id: int, step, **data) -> dict:
    scope = request.auth.scope
    clue = selectors.clue_get(scope=scope, pk=clue_id)
    step(scope=scope, by=request.auth, clue=clue, **data)
    return clue_out(selectors.clue_get(scope=scope, pk=clue_id))


@router.post("/clues/{clue_id}/assign", response=ClueOut, summary="交办核查")
def clue_assign(request, clue_id: int, payload: AssignIn):
    return _step(request, clue_id, services.clue_assign, assignee=payload.assignee, on=payload.assigned_on)


@router.post("/clues/{clue_id}/verify", response=ClueOut, summary="登记实地核查情况")
def clue_verify(request, clue_id: int, payload: VerifyIn):
    return _step(request, clue_id, services.clue_verify, verified_on=payload.verified_on,
                 verification=payload.verification)


@router.post("/clues/{clue_id}/close", response=ClueOut, summary="办结(核查结论与佐证)")
def clue_close(request, clue_id: int, payload: CloseIn):
    return _step(request, clue_id, services.clue_close, finding=payload.finding, closed_on=payload.closed_on,
                 evidence_note=payload.evidence_note)


@router.post("/clues/{clue_id}/exempt", response=ClueOut, summary="豁免(须填理由)")
def clue_exempt(request, clue_id: int, payload: ExemptIn):
    return _step(request, clue_id, services.clue_exempt, reason=payload.reason, on=payload.exempted_on)
