"""Compliance pages: roll-up with drill-down, rows, the behind list, this week's reminders.

Their exports are bangfu.exports listings reading the same filters (compliance/filters.py)."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.template.defaultfilters import floatformat
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.compliance import selectors
from bangfu.compliance.display import shown_rows
from bangfu.compliance.filters import compliance_filters, rollup_by
from bangfu.compliance.overview import compliance_filter_choices, own_region_apart
from bangfu.options import select_options
from bangfu.programmes.choices import Period

BY_LABELS = {"region": gettext_lazy("按区域"), "organization": gettext_lazy("按帮扶单位"),
             "helper": gettext_lazy("按帮扶人"), "team": gettext_lazy("按工作队"), "programme": gettext_lazy("按项目"),
             "obligation": gettext_lazy("按要求")}


HELPER_KEYS = (("helper_person", "helper_person_id"), ("helper_org", "helper_organization_id"),
               ("helper_team", "helper_team_id"))


def _filters(request, view: str = "rows") -> tuple[selectors.ComplianceFilters, date]:
    return compliance_filters(request.GET, view=view)


def _context(request, filters, as_of):
    params = request.GET.copy()
    params.pop("page", None)
    choices = compliance_filter_choices(scope=request.user.scope)
    return {"filters": filters, "as_of": as_of, "periods": Period.choices, "statuses": selectors.STATUS_LABELS,
            "programme_options": select_options(choices.programmes, filters.programme),
            "obligation_options": select_options(choices.obligations, filters.obligation),
            "organization_options": choices.organizations and select_options(choices.organizations, filters.helper_org),
            "region_options": choices.regions and select_options(choices.regions, filters.region),
            "querystring": params.urlencode()}


@login_required
def rollup(request):
    filters, as_of = _filters(request)
    # the user's scope narrowed to the region asked for (one outside it is refused: 403 with a message)
    scope, checked = selectors.compliance_scope(scope=request.user.scope, filters=filters)
    by = selectors.rollup_grouping(scope=scope, by=rollup_by(request.GET))
    rows = selectors.compliance_rollup(scope=scope, by=by, filters=checked, as_of=as_of)
    totals = selectors.rollup_totals(rows)  # the same rows' sums: one roll-up, not two
    if by == "region":
        rows = own_region_apart(rows, scope.prefix)
    drill = {"region": "region", "organization": "helper_org", "team": "helper_team", "programme": "programme",
             "obligation": "obligation"}
    context = _context(request, filters, as_of)
    # each row's links and shortfall written here, not by a dozen template tags a row (a county's page has
    # dozens of rows): ?…&region=key for a region below, the rows' list filtered to the row's group
    query = format_html("{}&amp;", context["querystring"]) if context["querystring"] else ""
    deeper = by == "region" and len(scope.prefix) < 9
    for row in rows:  # the rows of this group: by helper, a person, a unit or a team
        if by == "helper":
            name, key = next(((n, row[k]) for n, k in HELPER_KEYS if row.get(k)), ("helper_person", ""))
        else:
            name, key = drill[by], row["key"]
        row["deeper"] = format_html("?{}region={}", query, row["key"]) if deeper and not row.get("own") else ""
        row["drill"] = format_html("{}{}={}", query, name, key)
        row["shortfall_text"] = floatformat(row["shortfall"], "-1")
    return render(request, "compliance/rollup.html", {
        **context, "rows": rows, "totals": totals, "by": by, "by_labels": BY_LABELS})


class _Rows:
    """A Paginator-friendly sequence: counts with one query, fetches one page with one more."""

    def __init__(self, scope, filters, as_of):
        self.scope, self.filters, self.as_of = scope, filters, as_of
        self.counts = None

    def count(self):
        # a region's rows: counted by status, and the page read by those counts (one roll-up for both)
        self.counts = selectors.compliance_status_counts(scope=self.scope, filters=self.filters, as_of=self.as_of)
        if self.counts is not None:
            return selectors.counts_total(self.counts)
        return selectors.compliance_count(scope=self.scope, filters=self.filters, as_of=self.as_of)

    def __getitem__(self, window: slice):
        return selectors.compliance_rows(scope=self.scope, filters=self.filters, as_of=self.as_of,
                                         limit=window.stop - window.start, offset=window.start, counts=self.counts)


def _rows_context(request, filters, as_of) -> dict:
    """The page of rows (`page_obj`: ComplianceRow) and what each line shows (`lines`)."""
    scope, checked = selectors.compliance_scope(scope=request.user.scope, filters=filters)  # checked once
    page = Paginator(_Rows(scope, checked, as_of), 50).get_page(request.GET.get("page"))
    return {**_context(request, filters, as_of), "page_obj": page,
            "lines": shown_rows(page.object_list, user_scope=request.user.scope)}


@login_required
def rows(request):
    filters, as_of = _filters(request)
    return render(request, "compliance/rows.html", {**_rows_context(request, filters, as_of),
                                                     "title": _("落实情况明细"), "listing": "compliance"})


@login_required
def behind(request):
    """Everyone behind or overdue in the caller's own scope: the list an office works through."""
    filters, as_of = _filters(request, "behind")
    return render(request, "compliance/rows.html", {**_rows_context(request, filters, as_of),
                                                     "title": _("进度落后与逾期名单"), "listing": "behind"})


@login_required
def this_week(request):
    """What falls due by Sunday and is not yet done (the same rows the reminder senders get)."""
    filters, as_of = _filters(request, "week")
    return render(request, "compliance/rows.html", {**_rows_context(request, filters, as_of),
                                                     "title": _("本周待办"), "listing": "week"})
