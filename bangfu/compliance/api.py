"""Compliance endpoints: rows per pairing, obligation and period; roll-ups; what is due this week."""

from datetime import date

from django.utils import timezone
from ninja import Query, Router, Schema

from bangfu.compliance import selectors
from bangfu.compliance.todo import todo_filters
from bangfu.schemas import Id, PageNumber, PageSize, RegionCode, RegionLength

router = Router(tags=["落实情况"])


class ComplianceQuery(Schema):
    as_of: date | None = None
    programme: Id | None = None
    obligation: Id | None = None
    period: str = ""
    status: str = ""
    region: RegionCode = ""
    helper_person: Id | None = None
    helper_org: Id | None = None
    helper_team: Id | None = None
    pairing: Id | None = None
    current_only: bool = False
    page: PageNumber = 1
    page_size: PageSize = 50


class RowOut(Schema):
    pairing_id: int
    helper_name: str
    target_name: str
    obligation_id: int
    obligation_name: str
    unit: str
    period_label: str
    period_starts_on: date
    period_ends_on: date
    required: float
    expected: float
    done: float
    shortfall: float
    status: str
    status_label: str


class RowsOut(Schema):
    count: int
    items: list[RowOut]


class RollupOut(Schema):
    key: str | int | None
    name: str
    total: int
    met: int
    on_track: int
    behind: int
    overdue: int
    exempt: int
    due: int
    shortfall: float
    rate: int


def _filters(q: ComplianceQuery) -> tuple[selectors.ComplianceFilters, date]:
    data = q.dict()
    as_of = data.pop("as_of") or timezone.localdate()
    data.pop("page"), data.pop("page_size")
    return selectors.ComplianceFilters(**data), as_of


def _scoped(request, q: ComplianceQuery):
    """The caller's scope narrowed to the query's region, the filters checked once (refused when
    outside the scope), and the as-of date."""
    filters, as_of = _filters(q)
    scope, filters = selectors.compliance_scope(scope=request.auth.scope, filters=filters)
    return scope, filters, as_of


def _row(r: selectors.ComplianceRow) -> dict:
    return {"pairing_id": r.pairing.pk, "helper_name": r.pairing.helper_name, "target_name": r.pairing.target_name,
            "obligation_id": r.obligation.pk, "obligation_name": r.obligation.name, "unit": r.obligation.unit,
            "period_label": r.period_label, "period_starts_on": r.period_starts_on,
            "period_ends_on": r.period_ends_on, "required": r.required, "expected": r.expected, "done": r.done,
            "shortfall": r.shortfall, "status": r.status, "status_label": r.status_label}


@router.get("/compliance", response=RowsOut, summary="落实情况明细(每个结对、要求、周期一行)")
def compliance_rows(request, q: Query[ComplianceQuery]):
    scope, filters, as_of = _scoped(request, q)
    size = max(1, min(q.page_size, 500))
    count, rows = selectors.compliance_page(scope=scope, filters=filters, as_of=as_of, limit=size,
                                            offset=(max(q.page, 1) - 1) * size)
    return {"count": count, "items": [_row(r) for r in rows]}


@router.get("/compliance/rollup", response=list[RollupOut], summary="落实情况汇总(按帮扶人、单位、工作队、区域等)")
def compliance_rollup(request, q: Query[ComplianceQuery], by: str = "region",
                      region_length: RegionLength | None = None):
    filters, as_of = _filters(q)
    if by not in (*selectors.GROUPS, "region"):
        by = "region"
    # a village's roll-up by region comes by helper (selectors.rollup_grouping)
    rows = selectors.compliance_rollup(scope=request.auth.scope, by=by, filters=filters, as_of=as_of,
                                       region_length=region_length)
    return [{**r, "key": r["key"], "name": str(r["name"])} for r in rows]


@router.get("/compliance/due-this-week", response=RowsOut, summary="本周待办(本周或本月到期未完成及本月逾期，与提醒相同)")
def compliance_due(request, q: Query[ComplianceQuery]):
    """本周待办 (compliance/todo.py): not met and ending this week or month, or overdue since the
    week or the month began — the rows of /compliance/week/ and of the reminders."""
    scope, filters, as_of = _scoped(request, q)
    filters = todo_filters(filters, as_of=as_of)
    count, rows = selectors.compliance_page(scope=scope, filters=filters, as_of=as_of, limit=min(q.page_size, 500))
    return {"count": count, "items": [_row(r) for r in rows]}
