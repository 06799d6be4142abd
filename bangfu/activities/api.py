"""Activity endpoints: record (for one or several pairings), correct, attach evidence, read the log."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from bangfu.activities import selectors, services
from bangfu.activities.models import NOTE_MAX
from bangfu.programmes.models import Pairing
from bangfu.registry.api import Page
from bangfu.schemas import ActivityQuantity, Id

router = Router(tags=["帮扶活动"])


class ActivityIn(Schema):
    pairing_ids: list[Id] = Field(..., min_length=1, max_length=500, description="一次活动涉及的一个或多个结对")
    kind: str
    occurred_on: date
    actor: str = Field("helper", description="helper 帮扶方完成 / target 受帮扶方完成(如新教师听课)")
    with_counterpart: bool = True
    quantity: ActivityQuantity = Decimal(1)
    unit: str = "次"
    content: str = Field(max_length=NOTE_MAX)
    outcome: str = Field("", max_length=NOTE_MAX)
    place: str = ""


class CorrectionIn(Schema):
    reason: str
    withdraw: bool = False
    kind: str | None = None
    occurred_on: date | None = None
    actor: str | None = None
    with_counterpart: bool | None = None
    quantity: ActivityQuantity | None = None
    unit: str | None = None
    content: str | None = Field(None, max_length=NOTE_MAX)
    outcome: str | None = Field(None, max_length=NOTE_MAX)
    place: str | None = None


class EvidenceOut(Schema):
    id: int
    name: str
    content_type: str
    size: int
    taken_at: datetime | None
    latitude: Decimal | None
    longitude: Decimal | None


class ActivityOut(Schema):
    id: int
    pairing_id: int
    group: str
    kind: str
    occurred_on: date
    actor: str
    with_counterpart: bool
    quantity: Decimal
    unit: str
    content: str
    outcome: str
    place: str
    supersedes_id: int | None
    withdrawn: bool
    correction_reason: str
    recorded_at: datetime
    evidence: list[EvidenceOut] = []

    @staticmethod
    def resolve_group(obj):
        return str(obj.group)

    @staticmethod
    def resolve_evidence(obj):
        return list(obj.evidence.all())


class ActivityQuery(Schema):
    pairing: Id | None = None
    household: Id | None = None
    person: Id | None = None
    kind: str = ""
    include_superseded: bool = False


@router.get("/activities", response=list[ActivityOut], summary="活动记录(帮扶手册)")
@paginate(Page)
def activity_list(request, filters: Query[ActivityQuery]):
    return selectors.activity_list(scope=request.auth.scope, **filters.dict())


@router.post("/activities", response={201: list[ActivityOut]}, summary="记录一次帮扶活动")
def activity_record(request, payload: ActivityIn):
    data = payload.dict()
    pairings = [Pairing(pk=pk) for pk in data.pop("pairing_ids")]
    made = services.activity_record(scope=request.auth.scope, by=request.auth, pairings=pairings, data=data)
    return Status(201, list(selectors.activity_list(scope=request.auth.scope).filter(pk__in=[a.pk for a in made])))


@router.get("/activities/{activity_id}", response=ActivityOut, summary="活动详情")
def activity_get(request, activity_id: int):
    return selectors.activity_get(scope=request.auth.scope, pk=activity_id)


@router.post("/activities/{activity_id}/corrections", response={201: ActivityOut},
             summary="更正或撤销(原记录保留)")
def activity_correct(request, activity_id: int, payload: CorrectionIn):
    scope = request.auth.scope
    activity = selectors.activity_get(scope=scope, pk=activity_id)
    data = {k: v for k, v in payload.dict().items() if v is not None and k not in ("reason", "withdraw")}
    corrected = services.activity_correct(scope=scope, by=request.auth, activity=activity, data=data,
                                          reason=payload.reason, withdraw=payload.withdraw)
    return Status(201, selectors.activity_get(scope=scope, pk=corrected.pk))


@router.post("/activities/{activity_id}/evidence", response={201: EvidenceOut}, summary="上传佐证照片或文件")
def evidence_add(request, activity_id: int, file: File[UploadedFile]):
    scope = request.auth.scope
    activity = selectors.activity_get(scope=scope, pk=activity_id)
    return Status(201, services.evidence_add(scope=scope, by=request.auth, activity=activity, upload=file))
