"""The compliance pages' filters read from a query string: one reading for the pages and their exports."""

from datetime import date, timedelta

from django.utils import timezone

from bangfu.compliance.selectors import ComplianceFilters

def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def compliance_filters(params, *, view: str = "rows") -> tuple[ComplianceFilters, date]:
    """Filters and as-of date of a compliance page (`view`), as its query string gives them.

    The behind list defaults to behind-or-overdue; this week's list to the open periods ending
    by Sunday that are not yet met (the rows the reminders send)."""
    try:
        as_of = date.fromisoformat(params.get("as_of", "") or "")
    except ValueError:
        as_of = timezone.localdate()
    region = (params.get("region", "") or "").strip()[:40]  # read and checked by Scope.narrow in the selectors
    filters = ComplianceFilters(
        programme=_int(params.get("programme")), obligation=_int(params.get("obligation")),
        period=params.get("period", "") or "", status=params.get("status", "") or "", region=region,
        helper_person=_int(params.get("helper_person")), helper_org=_int(params.get("helper_org")),
        helper_team=_int(params.get("helper_team")), pairing=_int(params.get("pairing")),
        current_only=params.get("current") == "1")
    if view == "behind":
        filters.status = filters.status or "due"
    elif view == "week":
        filters.current_only = True
        filters.ending_before = as_of + timedelta(days=6 - as_of.weekday())
        filters.status = filters.status or "unmet"
    return filters, as_of


ROLLUP_BY = ("region", "organization", "helper", "team", "programme", "obligation")


def rollup_by(params) -> str:
    """What the roll-up groups by (region unless the query string names another grouping)."""
    by = params.get("by", "region")
    return by if by in ROLLUP_BY else "region"
