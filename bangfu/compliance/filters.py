"""The compliance pages' filters read from a query string: one reading for the pages and their exports."""

from datetime import date

from django.utils import timezone

from bangfu.compliance.selectors import ComplianceFilters
from bangfu.compliance.todo import todo_filters
from bangfu.querystring import query_id


def compliance_filters(params, *, view: str = "rows") -> tuple[ComplianceFilters, date]:
    """Filters and as-of date of a compliance page (`view`), as its query string gives them.

    The behind list defaults to behind-or-overdue; this week's list is compliance/todo.py's (the
    rows the API's due-this-week and the reminders give)."""
    try:
        as_of = date.fromisoformat(params.get("as_of", "") or "")
    except ValueError:
        as_of = timezone.localdate()
    region = (params.get("region", "") or "").strip()[:40]  # read and checked by Scope.narrow in the selectors
    filters = ComplianceFilters(
        programme=query_id(params, "programme"), obligation=query_id(params, "obligation"),
        period=params.get("period", "") or "", status=params.get("status", "") or "", region=region,
        helper_person=query_id(params, "helper_person"), helper_org=query_id(params, "helper_org"),
        helper_team=query_id(params, "helper_team"), pairing=query_id(params, "pairing"),
        current_only=params.get("current") == "1")
    if view == "behind":
        filters.status = filters.status or "due"
    elif view == "week":  # 本周待办: the one rule of compliance/todo.py
        filters = todo_filters(filters, as_of=as_of)
    return filters, as_of


ROLLUP_BY = ("region", "organization", "helper", "team", "programme", "obligation")


def rollup_by(params) -> str:
    """What the roll-up groups by (region unless the query string names another grouping)."""
    by = params.get("by", "region")
    return by if by in ROLLUP_BY else "region"
