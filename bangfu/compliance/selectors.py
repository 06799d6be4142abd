"""Compliance: obligations evaluated against activities per pairing and period, in SQL.

For each obligation (a programme has a handful) one SELECT joins the scoped pairings to the
programme's period rows and LEFT JOINs what was done, aggregated first: the kind's current
activities in scope grouped by pairing and period in one pass (PERFORMANCE.md: aggregate, then
join — not a correlated count per pairing and period). The pairings come from the ORM (scope and
filters as everywhere else), compiled into the statement; joins that no filter or grouping needs
(the helper's organization, the exemption check when a programme has none) are left out. The
obligations' SELECTs are UNION ALL-ed, an outer SELECT adds the status once per row, and roll-ups
GROUP BY over that. One statement per call, whatever the number of pairings; nothing loops over
pairings in Python. The SQL is standard apart from LEAST/MIN and the birthday date arithmetic,
written for each database and tested on both.

Who owes a period: the pairing active on the period's reference day — its last day, or today for
the period under way. A household handed to a new helper mid-month is the new helper's that
month; the old helper answers for the months before. Activities belong to the pairing they
were done in, so each helper is counted on their own work.

Status: met (done ≥ required) · exempt · overdue (period over, grace passed, not met) · on track
(done ≥ the share of the period elapsed, rounded down) · behind.
"""

import copy
import math
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu import reference
from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity
from bangfu.compliance.models import ComplianceArea, ComplianceDone, ComplianceHelper, ComplianceTownship
from bangfu.errors import NotFound, ValidationError
from bangfu.programmes.choices import Actor, Measure, Window
from bangfu.programmes.models import Exemption, Obligation, Pairing, ProgrammePeriod
from bangfu.programmes.periods import period_label_shown
from bangfu.programmes.selectors import pairings_in_scope, programmes_in_scope
from bangfu.regions.models import PREFIX_LENGTHS, Level, Region, code_range
from bangfu.registry.models import Organization, Person, Team
from bangfu.sql import Statement, fetch_dicts, prepared

SUMMARY_TABLE = ComplianceDone._meta.db_table
AREA_TABLE = ComplianceArea._meta.db_table
HELPER_TABLE = ComplianceHelper._meta.db_table
TOWNSHIP_TABLE = ComplianceTownship._meta.db_table
ACTIVITY_TABLE = Activity._meta.db_table
STATUS_LABELS = {"met": gettext_lazy("已完成"), "on_track": gettext_lazy("进度正常"), "behind": gettext_lazy("进度落后"),
                 "overdue": gettext_lazy("逾期未完成"), "exempt": gettext_lazy("已免除")}
COLUMNS = ["pairing_id", "obligation_id", "period_id", "period_label", "period_starts_on", "period_ends_on",
           "required", "expected", "done", "exempt", "closed", "programme_id", "region_id", "helper_person_id",
           "helper_organization_id", "helper_team_id"]


@dataclass
class ComplianceFilters:
    programme: int | None = None
    obligation: int | None = None
    period: str = ""  # week, month, term … : obligations of that period only
    status: str = ""  # met, on_track, behind, overdue, exempt; "due" = behind or overdue; "unmet" = open, not met
    region: str = ""  # a code prefix inside the scope
    helper_person: int | None = None
    helper_org: int | None = None
    helper_team: int | None = None
    pairing: int | None = None
    target_household: int | None = None  # the pairings of one household (its page)
    target_person: int | None = None
    current_only: bool = False  # only the periods under way on as_of
    ending_before: date | None = None  # periods ending on or before (reminders: due this week)
    ending_after: date | None = None  # periods ending on or after (本周待办: what ended this month and is overdue)
    # the (narrowed) scope these filters were checked against by compliance_scope: not checked twice
    checked_for: Scope | None = field(default=None, repr=False, compare=False)
    # what the calls sharing these checked filters (a list's count, then its page) read once: the obligations
    # in scope with their periods, whether anything is dated after a day asked; new with every check
    read: dict = field(default_factory=dict, repr=False, compare=False)


def _helper_inside(model, own: str, helping):
    """Whether a helper of `model` (a person, unit or team) is inside the scope (`own`: the Scope's
    method that keeps its records) or helps in it (`helping(pk)`: its pairings' filter), compiled once
    (bangfu/sql.py): 我的帮扶 asks it for the helper on every request."""
    return Statement(lambda scope, pk: model.objects.filter(pk=pk).filter(
        Q(pk__in=getattr(scope, own)(model.objects.filter(pk=pk)).values("pk"))
        | Exists(pairings_in_scope(scope).filter(helping(pk)))).values("pk")[:1])


_HELPERS_INSIDE = {
    "helper_person": _helper_inside(Person, "persons", lambda pk: Q(helper_person_id=pk)),
    "helper_org": _helper_inside(Organization, "organizations",
                                 lambda pk: Q(helper_organization_id=pk) | Q(helper_person__organization_id=pk)),
    "helper_team": _helper_inside(Team, "teams", lambda pk: Q(helper_team_id=pk)),
}


def _id_checks(scope: Scope, filters: ComplianceFilters) -> list:
    """(whether the id is inside the scope: a callable, message, field) for each id filter given. A
    helper is inside when it is, or when it helps in the scope (a county cadre paired with a village's
    household is the village's helper too)."""
    checks = []
    if filters.programme:
        checks.append((programmes_in_scope(scope).filter(pk=filters.programme).exists,
                       _("帮扶项目不存在或不在您的管辖范围内"), "programme"))
    if filters.obligation:
        obligation = Obligation.objects.filter(pk=filters.obligation, programme__in=programmes_in_scope(scope))
        checks.append((obligation.exists, _("帮扶要求不存在或不在您的管辖范围内"), "obligation"))
    if filters.pairing:
        checks.append((pairings_in_scope(scope).filter(pk=filters.pairing).exists, _("结对不存在或不在您的管辖范围内"),
                       "pairing"))
    messages = {"helper_person": _("帮扶人不存在或不在您的管辖范围内"), "helper_org": _("帮扶单位不存在或不在您的管辖范围内"),
                "helper_team": _("工作队不存在或不在您的管辖范围内")}
    for name, inside in _HELPERS_INSIDE.items():
        pk = getattr(filters, name)
        if pk:
            checks.append((lambda inside=inside, pk=pk: bool(inside(scope=scope, pk=pk)), messages[name], name))
    return checks


def compliance_scope(*, scope: Scope, filters: ComplianceFilters) -> tuple[Scope, ComplianceFilters]:
    """The caller's scope narrowed to the filters' region (Scope.narrow: one outside is refused),
    and every id the filters name (programme, obligation, pairing, helper) checked to be inside the
    caller's scope — refused with a message (NotFound), never read as an empty or a wider result.
    Every compliance selector starts here and then filters by the narrowed scope alone."""
    if filters.checked_for is not None and filters.checked_for == scope:
        return scope, filters
    narrowed = scope.narrow(filters.region)
    for inside, message, name in _id_checks(scope, filters):
        if not inside():
            raise NotFound(message, field=name)
    return narrowed, replace(filters, region="", checked_for=narrowed, read={})


def _vendor() -> str:
    return connection.vendor


def _least(a: str, b: str) -> str:
    return f"LEAST({a}, {b})" if _vendor() == "postgresql" else f"MIN({a}, {b})"


def _birthday_bounds(obligation: Obligation, starts: str) -> tuple[str, str]:
    """SQL for the first and last day of the target's birthday window in the period's year.

    The birthday is the target's birth date moved to the year of the period's first day (`starts`);
    someone born on 29 February has it on the 28th in common years (PostgreSQL's date arithmetic
    clamps; SQLite's rolls over to 1 March, so it is stepped back a day). The window may reach into
    the next year.
    """
    before, after = int(obligation.window_before_days), int(obligation.window_after_days)
    if _vendor() == "postgresql":
        years = f"(EXTRACT(YEAR FROM {starts})::int - EXTRACT(YEAR FROM t.birth_date)::int)"
        day = f"(t.birth_date + make_interval(years => {years}))::date"
        return f"({day} - {before})", f"({day} + {after})"
    years = (f"printf('%+d years', CAST(strftime('%Y', {starts}) AS INTEGER) "
             "- CAST(strftime('%Y', t.birth_date) AS INTEGER))")
    moved = f"date(t.birth_date, {years})"
    day = (f"(CASE WHEN strftime('%m-%d', {moved}) <> strftime('%m-%d', t.birth_date) "
           f"THEN date({moved}, '-1 day') ELSE {moved} END)")
    return f"date({day}, '-{before} days')", f"date({day}, '+{after} days')"


# Activities that count: not withdrawn and not superseded by a later record. The IS NOT NULL
# lets PostgreSQL read the small partial index activities_superseded instead of every row.
CURRENT_SQL = ("NOT a.withdrawn AND NOT EXISTS (SELECT 1 FROM activities_activity s "
               "WHERE s.supersedes_id = a.id AND s.supersedes_id IS NOT NULL)")


def _counted(obligation: Obligation, as_of: date | None, period: tuple[str, str] = ("per.starts_on", "per.ends_on")
             ) -> tuple[str, str, list[str], list]:
    """What makes an activity count for a period of the obligation — its first and last day `period`, a
    period row `per`'s unless given: joins, the ON condition (in the period, or in the target's birthday
    window in it) and the WHERE conditions with their parameters — current activities of the kind, actor
    and counterpart, done on or before `as_of` (in open and closed periods alike) when a day is asked."""
    starts, ends = period
    joins, where, params = "", ["a.kind = %s", "a.actor = %s", CURRENT_SQL], [obligation.kind, obligation.actor]
    if obligation.window == Window.BIRTHDAY:
        low, high = _birthday_bounds(obligation, starts)
        joins = ("JOIN programmes_pairing pp ON pp.id = a.pairing_id "
                 "JOIN registry_person t ON t.id = pp.target_person_id ")
        on = f"a.occurred_on >= {low} AND a.occurred_on <= {high}"
    else:
        on = f"a.occurred_on >= {starts} AND a.occurred_on <= {ends}"
    if as_of is not None:
        where.append("a.occurred_on <= %s")
        params.append(as_of)
    if obligation.counterpart_only:
        where.append("a.with_counterpart")
    return joins, on, where, params


def _amount(obligation: Obligation) -> str:
    return "COUNT(*)" if obligation.measure == Measure.COUNT else "SUM(a.quantity)"


def _done_sql(obligation: Obligation, as_of: date | None, *, prefix: str, pairing_ids: tuple[str, list] | None
              ) -> tuple[str, list]:
    """Done per pairing and period for one obligation, as of `as_of`: the activities that occurred
    on or before it, aggregated first (one pass over the kind's activities in scope) and joined to
    the pairings afterwards (PERFORMANCE.md), with the latest day counted (`last_on`). The
    reference for the summary (compliance/summary.py), which takes every period and every
    activity (`as_of` None)."""
    joins, on, where, where_params = _counted(obligation, as_of)
    params: list = [obligation.programme_id, obligation.period_key]
    started = ""
    if as_of is not None:
        started = "AND per.starts_on <= %s "
        params.append(as_of)
    params += where_params
    if prefix:
        where.append("a.region_id LIKE %s")
        params.append(prefix + "%")
    if pairing_ids is not None:
        where.append(f"a.pairing_id IN (SELECT q.id FROM ({pairing_ids[0]}) q)")
        params += pairing_ids[1]
    sql = (f"SELECT a.pairing_id, per.id AS period_id, {_amount(obligation)} AS done, MAX(a.occurred_on) AS last_on "
           f"FROM activities_activity a {joins}"
           f"JOIN programmes_programmeperiod per ON per.programme_id = %s AND per.kind = %s "
           f"{started}AND {on} WHERE {' AND '.join(where)} GROUP BY a.pairing_id, per.id")
    return sql, params


def _done_by_sql(obligation: Obligation, as_of: date) -> tuple[str, list]:
    """What a summary row `s` that counted something after `as_of` had done by `as_of`: the rule's
    count over that pairing's own activities in the row's period (ranged by the period's days in the
    index on pairing, kind and day), as a scalar subquery that the database evaluates only for such
    rows — none on the current day, so today's answer is the summary alone; no second pass over the
    summary rows to find them."""
    # the row's own period's days, so that the index on pairing, kind and day ranges the activities by them
    joins, on, where, params = _counted(obligation, as_of, ("s.period_starts_on", "s.period_ends_on"))
    sql = (f"CASE WHEN s.last_on > %s THEN CAST(COALESCE((SELECT {_amount(obligation)} FROM activities_activity a "
           f"{joins}WHERE a.pairing_id = s.pairing_id AND {on} AND {' AND '.join(where)}), 0) AS DOUBLE PRECISION) "
           f"ELSE s.done END")
    return sql, [as_of, *params]


def _recorded_after(scope: Scope, filters: ComplianceFilters, as_of: date) -> bool:
    """Whether an activity of the scope's county is dated after `as_of` (by the index on county and day): if
    none is, what every summary row counted was done by `as_of`. Wider scopes are not searched: true."""
    if len(scope.prefix) < 6:
        return True
    key = ("recorded after", scope.prefix[:6], as_of)
    if key not in filters.read:
        # The county's latest day, by the index read backwards: prepared (every compliance read asks it), whose
        # generic plan of "a day after $2 … LIMIT 1" was a scan of the county's activities, expecting a third of
        # them to match where none did (3.2 ms for the demo's 29,232; the latest day: 0.03 ms).
        latest = fetch_dicts(f"SELECT MAX(occurred_on) AS latest FROM {ACTIVITY_TABLE} WHERE county_code = %s",
                             [scope.prefix[:6]])[0]["latest"]
        filters.read[key] = latest is not None and _to_date(latest) > as_of
    return filters.read[key]


def _narrowed(scope: Scope, filters: ComplianceFilters, obligation: Obligation) -> bool:
    """Whether the pairings are narrower than the programme and a region prefix."""
    return bool(filters.helper_person or filters.helper_org or filters.helper_team or filters.pairing
                or filters.target_household or filters.target_person or obligation.condition_attribute or not scope.rules.see_households
                or scope.organization_id is not None)


def _counting_ends_on(obligation: Obligation, period: dict) -> date:
    """The last day an activity can count for the period: its last day, or for a birthday window
    the last day of the window in the period's year, which may reach into the next year."""
    if obligation.window == Window.BIRTHDAY:
        return max(period["ends_on"], date(period["starts_on"].year, 12, 31)
                   + timedelta(days=int(obligation.window_after_days)))
    return period["ends_on"]


def _periods_counting(obligation: Obligation, as_of: date) -> list[dict]:
    """The obligation's started periods in which something done after `as_of` could still count (a
    handful of rows, read first, once per call): those under way (`open`), and birthday windows
    reaching past their year's end. Only in these can a summary row hold activities after `as_of`;
    every other period's summary rows (and village rows) are exact for `as_of` as they stand."""
    cache = getattr(obligation, "periods_read", None)
    found = cache.get(as_of) if cache is not None else None
    if found is not None:
        return found
    reach = int(obligation.window_after_days) + 366 if obligation.window == Window.BIRTHDAY else 0
    periods = []
    for period in (ProgrammePeriod.objects.filter(programme_id=obligation.programme_id, kind=obligation.period_key,
                                                  starts_on__lte=as_of, ends_on__gt=as_of - timedelta(days=reach))
                   .order_by("starts_on").values("pk", "starts_on", "ends_on")):
        if _counting_ends_on(obligation, period) > as_of:
            periods.append({**period, "open": period["ends_on"] > as_of})
    if cache is not None:
        _remember(cache, as_of, periods)
    return periods


def _remember(cache: dict, as_of: date, periods: list[dict]) -> None:
    # an obligation's memo lives as long as the process keeps the obligation: a bounded number of days
    if len(cache) >= 64:
        cache.clear()
    cache[as_of] = periods


def _periods_prefetch(obligations: list[Obligation], as_of: date) -> None:
    """_periods_counting for all these obligations in one query instead of one each (a county's
    pages list every programme's obligations: thirty in the demo)."""
    todo = [o for o in obligations if getattr(o, "periods_read", None) is not None and as_of not in o.periods_read]
    if len(todo) < 2:
        return

    def reach(obligation: Obligation) -> int:
        return int(obligation.window_after_days) + 366 if obligation.window == Window.BIRTHDAY else 0

    found: dict[tuple[int, str], list[dict]] = {}
    for period in (ProgrammePeriod.objects.filter(programme_id__in={o.programme_id for o in todo},
                                                  kind__in={o.period_key for o in todo}, starts_on__lte=as_of,
                                                  ends_on__gt=as_of - timedelta(days=max(map(reach, todo))))
                   .order_by("starts_on", "pk").values("pk", "programme_id", "kind", "starts_on", "ends_on")):
        found.setdefault((period.pop("programme_id"), period.pop("kind")), []).append(period)
    for obligation in todo:
        since = as_of - timedelta(days=reach(obligation))
        _remember(obligation.periods_read, as_of, [
            {**period, "open": period["ends_on"] > as_of}
            for period in found.get((obligation.programme_id, obligation.period_key), [])
            if period["ends_on"] > since and _counting_ends_on(obligation, period) > as_of])


def _open_periods(obligation: Obligation, as_of: date) -> list[dict]:
    """The obligation's periods under way on `as_of`."""
    return [p for p in _periods_counting(obligation, as_of) if p["open"]]


def _share_due(required: float, period: dict, as_of: date) -> float:
    """What of `required` is due by `as_of` in a period under way: the share of its days elapsed, rounded down."""
    length = (period["ends_on"] - period["starts_on"]).days + 1
    elapsed = (as_of - period["starts_on"]).days + 1
    return float(math.floor(required * elapsed / length))


def _expected_sql(obligation: Obligation, as_of: date, period_id: str, open_periods: list[dict] | None = None
                  ) -> tuple[str, list]:
    """The share of the minimum due by `as_of`: the minimum, or less in the periods under way."""
    required = float(obligation.minimum)
    whens = []
    for period in _open_periods(obligation, as_of) if open_periods is None else open_periods:
        whens.append((period["pk"], _share_due(required, period, as_of)))
    if not whens:
        return "%s", [required]
    sql = f"CASE {period_id} " + " ".join("WHEN %s THEN %s" for _w in whens) + " ELSE %s END"
    return sql, [v for pair in whens for v in pair] + [required]


def _period_where(filters: ComplianceFilters, as_of: date, ends_on: str) -> tuple[str, list]:
    where, params = "", []
    if filters.current_only:
        where += f" AND {ends_on} >= %s"
        params.append(as_of)
    if filters.ending_before:
        where += f" AND {ends_on} <= %s"
        params.append(filters.ending_before)
    if filters.ending_after:
        where += f" AND {ends_on} >= %s"
        params.append(filters.ending_after)
    return where, params


def _obligation_pairings(scope: Scope, filters: ComplianceFilters, obligation: Obligation) -> QuerySet[Pairing]:
    """The pairings in scope and filters that `obligation` applies to (its condition, if any)."""
    return _programme_pairings(scope, filters, obligation.programme_id, _condition(obligation))


def _programme_pairings(scope: Scope, filters: ComplianceFilters, programme: int, condition: tuple | None):
    return _conditioned(_pairings(scope, filters).filter(programme_id=programme), condition)


def _condition(obligation: Obligation) -> tuple | None:
    """(the pairing's attribute, values in, values not in) of an obligation with a condition."""
    if not obligation.condition_attribute:
        return None
    side = "target" if obligation.condition_party != Actor.HELPER else "helper"
    programme = obligation.programme
    kind = (programme.target_kinds if side == "target" else programme.helper_kinds)[0]
    return (f"{side}_{kind}__{obligation.condition_attribute}__in", tuple(obligation.condition_values or ()),
            tuple(getattr(obligation, "condition_excluded", None) or ()))  # excluded: the default of a minimum by value


def _conditioned(pairings: QuerySet[Pairing], condition: tuple | None) -> QuerySet[Pairing]:
    if condition:
        attribute, values, excluded = condition
        if values:
            pairings = pairings.filter(**{attribute: list(values)})
        if excluded:
            pairings = pairings.exclude(**{attribute: list(excluded)})
    return pairings


_NARROWING = ("helper_person", "helper_org", "helper_team", "pairing", "target_household", "target_person")


def _narrowing(filters: ComplianceFilters) -> dict:
    """The filters `_pairings` reads, as a Statement's values."""
    return {name: getattr(filters, name) for name in _NARROWING}


# The ids of an obligation's pairings, a subquery of its summary rows (_summary_obligation_sql), and the
# programmes of the pairings (_obligations_read): compiled once per shape (bangfu/sql.py).
_OBLIGATION_PAIRING_IDS = Statement(lambda scope, programme, condition, **narrowing: _programme_pairings(
    scope, ComplianceFilters(**narrowing), programme, condition).order_by().values("id"))
_PAIRING_PROGRAMMES = Statement(lambda scope, **narrowing: _pairings(scope, ComplianceFilters(**narrowing))
                                .order_by().values_list("programme_id", flat=True).distinct())


def _by_minimum(obligation: Obligation) -> list[Obligation]:
    """An obligation whose minimum depends on an attribute (语文、数学 20, any other subject 10) as
    one part per minimum, each narrowed to the pairings that owe it — the same rows and status as
    one obligation with a condition per minimum, and the same obligation id on every part."""
    table = obligation.minimum_by_value
    if not table:
        return [obligation]
    allowed = list(obligation.condition_values) if obligation.condition_values else None
    groups: dict[Decimal, list[str]] = {}
    for value, amount in table.items():
        if allowed is None or value in allowed:
            groups.setdefault(Decimal(str(amount)), []).append(value)
    parts = []
    for amount, values in groups.items():
        part = copy.copy(obligation)
        part.minimum, part.condition_values = amount, values
        parts.append(part)
    rest = None if allowed is None else [v for v in allowed if v not in table]
    if rest is None or rest:  # every other value owes `minimum`
        part = copy.copy(obligation)
        part.condition_values, part.condition_excluded = rest or [], list(table)
        parts.append(part)
    return parts


def _owed_where(as_of: date) -> tuple[list[str], list]:
    """Who owes a summary row's period (`s`) by `as_of`: a started period, and the pairing active on its
    reference day (its last day, or `as_of` for a period under way)."""
    reference = _least("s.period_ends_on", "%s")
    return (["s.period_starts_on <= %s", f"s.pairing_starts_on <= {reference}",
             f"(s.pairing_ends_on IS NULL OR s.pairing_ends_on >= {reference})"], [as_of, as_of, as_of])


def _fenced(sql: str) -> str:
    """A derived table the planner keeps as it is: not copying its columns' expressions into every expression
    of the outer statements that uses them (status, shortfall: five times over)."""
    fence = "OFFSET 0" if _vendor() == "postgresql" else "LIMIT -1 OFFSET 0"
    return f"SELECT * FROM ({sql} {fence}) f"


def _summary_obligation_sql(obligation: Obligation, scope: Scope, filters: ComplianceFilters, as_of: date, *,
                            with_labels: bool, open_only: bool = False, ended_status: str = "",
                            limit: int | None = None, later: bool = True) -> tuple[str, list]:
    """The rows of `_obligation_sql` read from the summary (compliance/summary.py): what was done
    per pairing and period is precomputed; who owes a period, the status and the share due by
    now are still decided here for `as_of`. No join to the pairings or activities unless the
    pairings are narrower than a region prefix (helper, organization, condition, role).

    A summary row counts every activity of its period, also those after `as_of`; the row keeps
    the latest day it counted (`last_on`). Where that is after `as_of` — only possible in the
    periods still counting on `as_of`, and never on the current day unless something was dated
    ahead — what was done by `as_of` is counted from that pairing's activities by the rule
    (`_done_by_sql`); every other row is read as it stands. Without `later` (_recorded_after: nothing in
    the county is dated after `as_of`, as on the current day) every row stands, and the statement
    carries no such subquery — half of what planning it cost.

    With `ended_status` (a list's page, _page_sql): only the rows of the periods no longer counting
    that have that status, the first `limit` of them in the lists' order — read as they stand, so
    that the order index (compliance_done_order) gives them without reading the others."""
    owed, owed_params = _owed_where(as_of)
    where = ["s.obligation_id = %s", *owed]
    where_params: list = [obligation.pk, *owed_params]
    counting = _periods_counting(obligation, as_of)
    open_periods = [p for p in counting if p["open"]]
    counting_ids = [p["pk"] for p in counting]
    counting_marks = ", ".join(["%s"] * len(counting_ids))
    if open_only:  # the periods still counting; those over are read folded (_area_sql)
        where.append(f"s.period_id IN ({counting_marks})" if counting_ids else "1 = 0")
        where_params += counting_ids
    order = ""
    if ended_status:  # ended periods: the status from the row alone (expected = required, done as kept)
        if counting_ids:
            where.append(f"s.period_id NOT IN ({counting_marks})")
            where_params += counting_ids
        where.append(ENDED_STATUS_WHERE[ended_status])
        where_params += {"exempt": [], "met": [float(obligation.minimum)]}.get(
            ended_status, [float(obligation.minimum), as_of - timedelta(days=obligation.grace_days)])
        order = ENDED_STATUS_ORDER[ended_status]
        counting_ids = []  # no row here counted anything after as_of
    prefix_where, prefix_params = _prefix_where(scope, "s")
    where += prefix_where
    where_params += prefix_params
    if _narrowed(scope, filters, obligation):
        p_sql, p_params = _OBLIGATION_PAIRING_IDS.sql(scope=scope, programme=obligation.programme_id,
                                                      condition=_condition(obligation), **_narrowing(filters))
        where.append(f"s.pairing_id IN (SELECT q.id FROM ({p_sql}) q)")
        where_params += list(p_params)
    more, more_params = _period_where(filters, as_of, "s.period_ends_on")
    expected, expected_params = _expected_sql(obligation, as_of, "s.period_id", open_periods)
    joins, label = "", "NULL"
    if with_labels:
        joins, label = "JOIN programmes_programmeperiod per ON per.id = s.period_id ", "per.label"
    done, done_params = "s.done", []
    if counting_ids and later:  # rows that counted something after as_of: done by as_of, from their activities
        done, done_params = _done_by_sql(obligation, as_of)
    sql = (f"SELECT s.pairing_id, %s AS obligation_id, s.period_id, {label} AS period_label, "
           f"s.period_starts_on, s.period_ends_on, %s AS required, {expected} AS expected, {done} AS done, "
           f"s.exempt, CASE WHEN s.period_ends_on < %s THEN 1 ELSE 0 END AS closed, s.programme_id, s.region_id, "
           f"s.helper_person_id, s.helper_organization_id, s.helper_team_id "
           f"FROM {SUMMARY_TABLE} s {joins}WHERE {' AND '.join(where)}{more}")
    params = [obligation.pk, float(obligation.minimum), *expected_params, *done_params,
              as_of - timedelta(days=obligation.grace_days), *where_params, *more_params]
    if order:
        sql = f"SELECT * FROM ({sql} ORDER BY {order} LIMIT %s) f"
        params += [*[float(obligation.minimum)] * order.count("%s"), limit]
    if counting_ids:
        # Fenced, so that the planner does not copy `done` (a subquery per such row) into the outer
        # statements' expressions. Kept when `done` is the row's own: unfenced, the full demo county's
        # roll-up ran in 20–30 ms instead of 8–12.
        sql = _fenced(sql)
    return sql, params


def _summary_counting_sql(obligations: list[Obligation], scope: Scope, filters: ComplianceFilters, as_of: date
                          ) -> tuple[str, list]:
    """What `_summary_obligation_sql(open_only=True)` reads for each of these obligations — the rows of
    the periods still counting on `as_of` — in one scan of the summary joined to a small relation of
    (obligation, period, minimum, share due by `as_of`, first day past the grace), instead of a part per
    obligation. Only for obligations whose pairings are a region's (not narrowed) on a day after which
    nothing is recorded (the rows stand as kept: no `later` subquery), as a roll-up reads them."""
    periods = []
    for obligation in obligations:
        required = float(obligation.minimum)
        closed_before = as_of - timedelta(days=obligation.grace_days)
        for period in _periods_counting(obligation, as_of):
            # as _expected_sql: a period under way owes its share by now, one that has ended (a birthday window
            # still counting) the minimum
            expected = _share_due(required, period, as_of) if period["open"] else required
            periods.append((obligation.pk, period["pk"], required, expected, closed_before))
    where, owed_params = _owed_where(as_of)
    prefix_where, prefix_params = _prefix_where(scope, "s")
    more, more_params = _period_where(filters, as_of, "s.period_ends_on")
    owed = " UNION ALL ".join(["SELECT %s AS obligation_id, %s AS period_id, %s AS required, %s AS expected, "
                               "%s AS closed_before"] * len(periods))
    sql = (f"SELECT s.pairing_id, s.obligation_id, s.period_id, NULL AS period_label, s.period_starts_on, "
           f"s.period_ends_on, v.required, v.expected, s.done, s.exempt, "
           f"CASE WHEN s.period_ends_on < v.closed_before THEN 1 ELSE 0 END AS closed, s.programme_id, s.region_id, "
           f"s.helper_person_id, s.helper_organization_id, s.helper_team_id "
           f"FROM {SUMMARY_TABLE} s JOIN ({owed}) v ON v.obligation_id = s.obligation_id "
           f"AND v.period_id = s.period_id WHERE {' AND '.join(where + prefix_where)}{more}")
    return _fenced(sql), [*(v for row in periods for v in row), *owed_params, *prefix_params, *more_params]


# A list's page (_page_sql) reads the rows of ended periods status by status: which rows have each
# status (parameters: the minimum, and for overdue and behind the first day not yet past the grace),
# and their order in the list — most behind first (shortfall = minimum − done, for rows not met: done
# ascending, as the order index compliance_done_order is), then the latest period, then the pairing.
ENDED_STATUS_WHERE = {
    "overdue": "s.exempt = 0 AND s.done < %s AND s.period_ends_on < %s",
    "behind": "s.exempt = 0 AND s.done < %s AND s.period_ends_on >= %s",
    "met": "s.exempt = 0 AND s.done >= %s",
    "exempt": "s.exempt = 1",
}
ENDED_STATUS_ORDER = {
    "overdue": "s.done, s.period_starts_on DESC, s.pairing_id",
    "behind": "s.done, s.period_starts_on DESC, s.pairing_id",
    "met": "s.period_starts_on DESC, s.pairing_id",
    "exempt": "CASE WHEN s.done >= %s THEN 0 ELSE %s - s.done END DESC, s.period_starts_on DESC, s.pairing_id",
}


def _prefix_where(scope: Scope, alias: str) -> tuple[list[str], list]:
    """The region prefix of the (narrowed) scope on a summary table (county_code leads its key)."""
    where, params = [], []
    prefix = scope.prefix
    if len(prefix) >= 6:  # the key's first column: a county reads its own rows only
        where.append(f"{alias}.county_code = %s")
        params.append(prefix[:6])
    # below or above a county: a village's code, or the range of codes under the prefix (a township's own row
    # included), which a generic plan ranges an index by (LIKE $n not)
    if len(prefix) == PREFIX_LENGTHS[5]:
        where.append(f"{alias}.region_id = %s")
        params.append(prefix)
    elif prefix and len(prefix) != 6:
        where.append(f"{alias}.region_id >= %s AND {alias}.region_id <= %s")
        params += code_range(prefix)
    return where, params


STATUS_SETS = {"": frozenset(STATUS_LABELS), "due": frozenset({"behind", "overdue"}),
               "unmet": frozenset({"on_track", "behind"}), "todo": frozenset({"on_track", "behind", "overdue"})}


def _statuses(filters: ComplianceFilters) -> frozenset[str]:
    """The statuses a status filter keeps (_base_sql's WHERE)."""
    return STATUS_SETS.get(filters.status, frozenset({filters.status}))


def _foldable(obligation: Obligation, filters: ComplianceFilters) -> bool:
    """Whether the folded village rows answer this obligation's ended periods under these filters:
    period filters always (they select whole periods); a status filter when the programme has no
    exemptions — a village row keeps one shortfall for its exempt and unmet pairings together, so
    only without exemptions is the shortfall of the statuses kept known."""
    return not filters.status or not getattr(obligation, "has_exemptions", True)


def _area_sql(obligations: list[Obligation], scope: Scope, filters: ComplianceFilters, as_of: date,
              keys: list[str], *, table: str = AREA_TABLE) -> tuple[str, list]:
    """Counts per roll-up group from the folded village rows (ComplianceArea; per township:
    ComplianceTownship as `table`; per village and helper: ComplianceHelper) of the periods that
    have ended by `as_of` and count nothing after it: met and exempt as counted, the rest overdue
    once the grace has passed and behind before — the statuses the per-row query gives these
    periods. The filters' periods (current, ending before or after) select whole rows; a status
    filter keeps the counts of its statuses (and their shortfall: the unmet pairings', _foldable),
    and the rows that keep none are left out, as the per-row query leaves their pairings out.

    One scan for all the obligations (each once: folded obligations have no condition, so none is
    split by _by_minimum), joined to a small relation of each one's last day of grace, instead of a
    part per obligation, each a subplan of its own (docs/performance.md, stop 18)."""
    if len({o.pk for o in obligations}) != len(obligations):
        raise ValueError("an obligation folded twice")
    where, params = _prefix_where(scope, "g")
    # Ended periods in which something could still count (a birthday window into the next year)
    # are read per pairing instead (_summary_obligation_sql), so that what is folded is exact.
    still = [(o.pk, p["pk"]) for o in obligations for p in _periods_counting(o, as_of) if not p["open"]]
    if still:
        where.append(f"(g.obligation_id, g.period_id) NOT IN (VALUES {', '.join(['(%s, %s)'] * len(still))})")
        params = [*params, *(v for pair in still for v in pair)]
    period_where, period_params = _period_where(filters, as_of, "g.period_ends_on")
    kept = _statuses(filters)
    unmet = "g.total - g.met - g.exempt"
    counts = {"met": "g.met", "on_track": "0",
              "behind": f"CASE WHEN g.period_ends_on < v.closed_before THEN 0 ELSE {unmet} END",
              "overdue": f"CASE WHEN g.period_ends_on < v.closed_before THEN {unmet} ELSE 0 END",
              "exempt": "g.exempt"}
    columns = [f"{counts[status] if status in kept else '0'} AS {status}" for status in STATUS_LABELS]
    total, shortfall = "g.total", "g.shortfall"
    if filters.status:
        total = " + ".join(counts[s] for s in STATUS_LABELS if s in kept) or "0"
        # without exemptions only unmet pairings fall short: behind before the grace ends, overdue after
        shortfall = ("CASE WHEN g.period_ends_on < v.closed_before THEN {overdue} ELSE {behind} END"
                     .format(overdue="g.shortfall" if "overdue" in kept else "0",
                             behind="g.shortfall" if "behind" in kept else "0"))
        where.append(f"({total}) > 0")
    # each obligation with the first day its ended periods are no longer within the grace days
    graces = " UNION ALL ".join(["SELECT %s AS obligation_id, %s AS closed_before"] * len(obligations))
    grace_params = [v for o in obligations for v in (o.pk, as_of - timedelta(days=o.grace_days))]
    sql = (f"SELECT {', '.join(keys)}, {total} AS total, {', '.join(columns)}, {shortfall} AS shortfall "
           f"FROM {table} g JOIN ({graces}) v ON v.obligation_id = g.obligation_id "
           f"WHERE g.period_ends_on <= %s" + "".join(f" AND {w}" for w in where) + period_where)
    return sql, [*grace_params, as_of, *params, *period_params]


def _obligation_sql(obligation: Obligation, scope: Scope, filters: ComplianceFilters, as_of: date, *,
                    with_exemptions: bool) -> tuple[str, list]:
    """One row per pairing and period the pairing owes under `obligation`, with what was done,
    computed live from the activities: the reference the summary is tested and rebuilt against."""
    key = obligation.period_key
    pairings = _obligation_pairings(scope, filters, obligation)
    fields = ["id", "programme_id", "region_id", "helper_person_id", "helper_organization_id", "helper_team_id",
              "starts_on", "ends_on"]
    p_sql, p_params = pairings.order_by().values(*fields).query.sql_with_params()
    done_sql, done_params = _done_sql(obligation, as_of, prefix=scope.prefix, pairing_ids=(
        (p_sql, list(p_params)) if _narrowed(scope, filters, obligation) else None))

    required = float(obligation.minimum)
    expected, expected_params = _expected_sql(obligation, as_of, "per.id")
    exempt, exempt_params = "0", []
    if with_exemptions:
        exempt = ("CASE WHEN EXISTS (SELECT 1 FROM programmes_exemption e WHERE e.pairing_id = p.id "
                  "AND (e.obligation_id = %s OR e.obligation_id IS NULL) AND e.starts_on <= per.ends_on "
                  "AND e.ends_on >= per.starts_on) THEN 1 ELSE 0 END")
        exempt_params = [obligation.pk]
    closed_before = as_of - timedelta(days=obligation.grace_days)
    reference = _least("per.ends_on", "%s")
    where, where_params = _period_where(filters, as_of, "per.ends_on")
    sql = (f"SELECT p.id AS pairing_id, %s AS obligation_id, per.id AS period_id, per.label AS period_label, "
           f"per.starts_on AS period_starts_on, per.ends_on AS period_ends_on, %s AS required, "
           f"{expected} AS expected, CAST(COALESCE(d.done, 0) AS DOUBLE PRECISION) AS done, {exempt} AS exempt, "
           f"CASE WHEN per.ends_on < %s THEN 1 ELSE 0 END AS closed, p.programme_id, p.region_id, "
           f"p.helper_person_id, p.helper_organization_id, p.helper_team_id "
           f"FROM ({p_sql}) p "
           f"JOIN programmes_programmeperiod per ON per.programme_id = %s AND per.kind = %s AND per.starts_on <= %s "
           f"LEFT JOIN ({done_sql}) d ON d.pairing_id = p.id AND d.period_id = per.id "
           f"WHERE p.starts_on <= {reference} AND (p.ends_on IS NULL OR p.ends_on >= {reference}){where}")
    params = [obligation.pk, required, *expected_params, *exempt_params, closed_before, *p_params,
              obligation.programme_id, key, as_of, *done_params, as_of, as_of, *where_params]
    return sql, params


def _obligations(scope: Scope, filters: ComplianceFilters) -> list[Obligation]:
    # keyed by what it reads: a copy made with dataclasses.replace (todo.todo_filters) shares the memo
    key = ("obligations", scope, filters.programme, filters.obligation, filters.period, filters.pairing,
           filters.target_household, filters.target_person, filters.helper_person, filters.helper_team,
           filters.helper_org)
    if key not in filters.read:
        filters.read[key] = _obligations_read(scope, filters)
    return filters.read[key]


def _obligations_read(scope: Scope, filters: ComplianceFilters) -> list[Obligation]:
    obligations = reference.kept(("obligations", scope.prefix), lambda: _scope_obligations(scope))
    if filters.programme:
        obligations = [o for o in obligations if o.programme_id == filters.programme]
    if filters.obligation:
        obligations = [o for o in obligations if o.pk == filters.obligation]
    if filters.period:
        obligations = [o for o in obligations if o.period == filters.period]
    if (filters.pairing or filters.target_household or filters.target_person or filters.helper_person
            or filters.helper_team):
        # one household's or helper's pairings: only their programmes' obligations (a household page
        # would otherwise build a part for every obligation in the county, each empty but one or two)
        programmes = filters.read.get("pairing programmes")  # given by a caller that read the pairings
        if programmes is None:
            programmes = set(_PAIRING_PROGRAMMES(scope=scope, **_narrowing(filters)))
        obligations = [o for o in obligations if o.programme_id in programmes]
    return [part for obligation in obligations for part in _by_minimum(obligation)]


def _scope_obligations(scope: Scope) -> list[Obligation]:
    """Every obligation of the programmes in scope, with its programme, whether the programme has
    exemptions in the scope's county, and a memo of its counting periods by day asked (filled by
    _periods_counting): reference data, kept by the process while it stands (bangfu/reference.py)."""
    # Exemptions are rare: the EXISTS per row is only written for programmes that have any.
    # Only the scope's county's exemptions matter to its rows (and the county code prunes the scan).
    exemptions = Exemption.objects.filter(pairing__programme_id=OuterRef("programme_id"))
    if len(scope.prefix) >= 6:
        exemptions = exemptions.filter(county_code=scope.prefix[:6])
    obligations = list(Obligation.objects.filter(programme__in=programmes_in_scope(scope)).select_related("programme")
                       .annotate(has_exemptions=Exists(exemptions)).order_by("programme_id", "pk"))
    for obligation in obligations:
        obligation.periods_read = {}  # _periods_counting: one read per obligation and day asked
    return obligations


def _pairings(scope: Scope, filters: ComplianceFilters) -> QuerySet[Pairing]:
    qs = pairings_in_scope(scope)  # the scope narrowed to the filters' region (compliance_scope)
    if filters.helper_person:
        qs = qs.filter(helper_person_id=filters.helper_person)
    if filters.helper_org:
        qs = qs.filter(Q(helper_organization_id=filters.helper_org) | Q(helper_person__organization_id=filters.helper_org))
    if filters.helper_team:
        qs = qs.filter(helper_team_id=filters.helper_team)
    if filters.pairing:
        qs = qs.filter(pk=filters.pairing)
    if filters.target_household:
        qs = qs.filter(target_household_id=filters.target_household)
    if filters.target_person:
        qs = qs.filter(target_person_id=filters.target_person)
    return qs


STATUS_SQL = ("CASE WHEN t.exempt = 1 THEN 'exempt' WHEN t.done >= t.required THEN 'met' "
              "WHEN t.closed = 1 THEN 'overdue' WHEN t.done >= t.expected THEN 'on_track' ELSE 'behind' END")


def _base_sql(scope: Scope, filters: ComplianceFilters, as_of: date, *, with_labels: bool = True,
              live: bool = False, obligations: list[Obligation] | None = None,
              open_only: frozenset[int] = frozenset()) -> tuple[str, list] | None:
    """The per-row SQL (UNION ALL over obligations) with its status, as a derived table `c`: read
    from the summary, or with `live` aggregated from the activities (the reference). For the
    obligations in `open_only`, only the periods under way on `as_of`."""
    scope, filters = compliance_scope(scope=scope, filters=filters)
    if obligations is None:
        obligations = _obligations(scope, filters)
    if not obligations:
        return None
    _periods_prefetch(obligations, as_of)
    later = not live and _recorded_after(scope, filters, as_of)  # (the live reference reads the activities themselves)
    # the periods still counting of the folded obligations, read together when their rows stand as kept
    together = [] if live or later else [o for o in obligations if o.pk in open_only and _periods_counting(o, as_of)]
    parts, params = [], []
    if together:
        sql, part_params = _summary_counting_sql(together, scope, filters, as_of)
        parts.append(sql)
        params += part_params
    for obligation in obligations:
        if obligation.pk in open_only and (together or not _periods_counting(obligation, as_of)):
            continue  # read together above, or all its periods read folded: no part of its own
        if live:
            sql, part_params = _obligation_sql(obligation, scope, filters, as_of,
                                               with_exemptions=obligation.has_exemptions)
        else:
            sql, part_params = _summary_obligation_sql(obligation, scope, filters, as_of,
                                                       with_labels=with_labels, later=later,
                                                       open_only=obligation.pk in open_only)
        parts.append(sql)
        params += part_params
    if not parts:
        return None
    union = " UNION ALL ".join(parts)
    where, where_params = "", []
    if filters.status == "due":
        where = " WHERE c.status IN ('behind', 'overdue')"
    elif filters.status == "unmet":  # still open and not met: what a reminder lists
        where = " WHERE c.status IN ('on_track', 'behind')"
    elif filters.status == "todo":  # not met, open or overdue: what a helper still has to do
        where = " WHERE c.status IN ('on_track', 'behind', 'overdue')"
    elif filters.status:
        where = " WHERE c.status = %s"
        where_params = [filters.status]
    base = (f"SELECT * FROM (SELECT t.*, {STATUS_SQL} AS status, "
            f"CASE WHEN t.done >= t.required THEN 0 ELSE t.required - t.done END AS shortfall "
            f"FROM ({union}) t) c{where}")
    return base, [*params, *where_params]


@dataclass
class ComplianceRow:
    pairing: Pairing
    obligation: Obligation
    period_label: str
    period_starts_on: date
    period_ends_on: date
    required: float
    expected: float
    done: float
    shortfall: float
    status: str

    @property
    def status_label(self) -> str:
        return str(STATUS_LABELS[self.status])


def _to_date(value):
    return date.fromisoformat(value) if isinstance(value, str) else value


def _wide(scope: Scope, filters: ComplianceFilters) -> bool:
    """Whether the rows are a region's (a prefix, a programme, an obligation, periods, a status):
    the lists read those by their counts and the order index (_page_sql); one household's, pairing's
    or helper's rows, or a role's narrower set, are few and read whole."""
    return not (filters.helper_person or filters.helper_org or filters.helper_team or filters.pairing
                or filters.target_household or filters.target_person or not scope.rules.see_households
                or scope.organization_id is not None)


StatusCounts = dict[int, dict[str, int]]  # obligation id → status → rows


def _status_counts(scope: Scope, filters: ComplianceFilters, as_of: date, obligations: list[Obligation]
                   ) -> StatusCounts:
    """How many rows of each obligation have each status: a roll-up by obligation (read folded
    where it can be)."""
    rows = _rollup_rows(scope, "obligation", filters, as_of, None, False, obligations)
    return {r["obligation_id"]: {status: int(r[status] or 0) for status in STATUS_LABELS} for r in rows}


def counts_total(counts: StatusCounts, status: str | None = None) -> int:
    """All rows the counts count, or those of one status."""
    return sum(n for by_status in counts.values() for s, n in by_status.items() if status in (None, s))


def compliance_status_counts(*, scope: Scope, filters: ComplianceFilters | None = None, as_of: date
                             ) -> StatusCounts | None:
    """How many of a region's rows have each status, per obligation (counts_total is
    compliance_count), for a list to count its rows and then read a page by them (compliance_rows'
    `counts`) with one roll-up; None for one household's or helper's rows (counted whole)."""
    scope, filters = compliance_scope(scope=scope, filters=filters or ComplianceFilters())
    if not _wide(scope, filters):
        return None
    return _status_counts(scope, filters, as_of, _obligations(scope, filters))


def compliance_count(*, scope: Scope, filters: ComplianceFilters | None = None, as_of: date, live: bool = False
                     ) -> int:
    scope, filters = compliance_scope(scope=scope, filters=filters or ComplianceFilters())
    if not live and _wide(scope, filters):  # a region's count is its roll-up's total (the same rows)
        return counts_total(compliance_status_counts(scope=scope, filters=filters, as_of=as_of))
    built = _base_sql(scope, filters, as_of, with_labels=False, live=live)
    if built is None:
        return 0
    sql, params = built
    return fetch_dicts(f"SELECT COUNT(*) AS n FROM ({sql}) x", params)[0]["n"]


STATUS_ORDER = ("overdue", "behind", "on_track", "met", "exempt")  # the lists' order: most behind first
ROWS_ORDER = (" ORDER BY CASE c.status WHEN 'overdue' THEN 0 WHEN 'behind' THEN 1 WHEN 'on_track' THEN 2 "
              "WHEN 'met' THEN 3 ELSE 4 END, c.shortfall DESC, c.period_starts_on DESC, c.pairing_id, c.obligation_id")


def _page_sql(scope: Scope, filters: ComplianceFilters, as_of: date, limit: int, offset: int,
             counts: StatusCounts | None) -> tuple[str, list] | None:
    """One page of a region's rows without reading them all. The statuses' counts (a roll-up, read
    folded) say which statuses the page's window reaches and how many rows of each it needs; for
    each obligation and such status, the ended periods' first rows in the list's order are read by
    the order index, `needed` of them (the rows before the window included) — the page's rows are
    among them, since within one obligation and status the list's order is the index's. The
    periods still counting (the month under way: their status depends on the day asked) are read
    whole. The outer statement orders what was read and skips the rows of the statuses before."""
    obligations = _obligations(scope, filters)
    if not obligations:
        return None
    _periods_prefetch(obligations, as_of)
    if counts is None:
        counts = _status_counts(scope, filters, as_of, obligations)
    needed, before, skip = {}, 0, 0
    for status in STATUS_ORDER:
        n = counts_total(counts, status)
        if n and before < offset + limit and before + n > offset:
            if not needed:
                skip = offset - before
            needed[status] = offset + limit - before
        before += n
    if not needed:
        return None
    later = _recorded_after(scope, filters, as_of)
    parts, params = [], []
    for obligation in obligations:
        for status, n in needed.items():
            # no period that has ended is on track; an obligation without rows of the status is left out
            if status != "on_track" and counts.get(obligation.pk, {}).get(status):
                sql, part_params = _summary_obligation_sql(obligation, scope, filters, as_of,
                                                           with_labels=False, ended_status=status, limit=n)
                parts.append(sql)
                params += part_params
        counting = _periods_counting(obligation, as_of)
        # a period under way is never overdue: a window of overdue rows only (the behind list's first
        # pages) reads the periods still counting only where one of them has ended (a birthday window)
        statuses = [s for s in needed if s != "overdue" or any(not p["open"] for p in counting)]
        if counting and any(counts.get(obligation.pk, {}).get(s) for s in statuses):
            sql, part_params = _summary_obligation_sql(obligation, scope, filters, as_of,
                                                       with_labels=False, open_only=True, later=later)
            parts.append(sql)
            params += part_params
    if not parts:
        return None
    marks = ", ".join(["%s"] * len(needed))
    page = (f"SELECT * FROM (SELECT t.*, {STATUS_SQL} AS status, "
            f"CASE WHEN t.done >= t.required THEN 0 ELSE t.required - t.done END AS shortfall "
            f"FROM ({' UNION ALL '.join(parts)}) t) c WHERE c.status IN ({marks}){ROWS_ORDER} LIMIT %s OFFSET %s")
    # the periods' labels joined to the page's rows, not in every part to each row it reads (0.6 ms of 3.4)
    shown = ", ".join("per.label AS period_label" if column == "period_label" else f"c.{column}" for column in COLUMNS)
    sql = (f"SELECT {shown}, c.status, c.shortfall FROM ({page}) c "
           f"JOIN programmes_programmeperiod per ON per.id = c.period_id{ROWS_ORDER}")
    return sql, [*params, *needed, limit, skip]


def compliance_rows(*, scope: Scope, filters: ComplianceFilters | None = None, as_of: date, limit: int = 50,
                    offset: int = 0, live: bool = False, counts: StatusCounts | None = None,
                    pairings: dict[int, Pairing] | None = None, every_pairing: bool = False) -> list[ComplianceRow]:
    """One page of rows, the most behind first; pairings and obligations fetched in two more queries.
    A region's page is read by _page_sql (with `counts`: compliance_status_counts of the same scope,
    filters and day, when the caller has them already), one household's or helper's rows whole.
    `pairings`: those the caller read already in this scope, by id, with PAIRING_SHOWN (a household's
    helpers, a helper's own list); only the rows' other pairings are read. With `every_pairing`, those are
    all the pairings the filters select (a household's or person's page: programmes.target_pairings), so
    their programmes are not read again."""
    scope, filters = compliance_scope(scope=scope, filters=filters or ComplianceFilters())
    if every_pairing:
        filters.read["pairing programmes"] = {p.programme_id for p in (pairings or {}).values()}
    if not live and _wide(scope, filters):
        built = _page_sql(scope, filters, as_of, limit, offset, counts)
        if built is None:
            return []
        raw = fetch_dicts(*built)
    else:
        built = _base_sql(scope, filters, as_of, live=live)
        if built is None:
            return []
        sql, params = built
        raw = fetch_dicts(f"{sql}{ROWS_ORDER} LIMIT %s OFFSET %s", [*params, limit, offset])
    from bangfu.programmes.selectors import PAIRING_RELATED, PAIRING_SHOWN

    # unordered: a pairing's default order (programme, region) joined and sorted rows looked up by id,
    # and compiling it was half the cost of compiling this twelve-table read; only what rows show
    shown = {r["pairing_id"] for r in raw}
    known = pairings or {}
    pairings = {pk: known[pk] for pk in shown if pk in known}
    if missing := shown - pairings.keys():
        pairings.update(prepared(Pairing.objects.select_related(*PAIRING_RELATED).only(*PAIRING_SHOWN)).order_by()
                        .in_bulk(missing))
    # the rows' obligations are those the statement was built from (kept: bangfu/reference.py); an obligation
    # split by minimum (_by_minimum) is one of its parts here, whose name, kind and unit are the obligation's —
    # what a row shows (its required amount is the row's own)
    obligations = {o.pk: o for o in _obligations(scope, filters)}
    if missing := {r["obligation_id"] for r in raw} - obligations.keys():
        obligations.update(Obligation.objects.order_by().in_bulk(missing))
    return [ComplianceRow(pairing=pairings[r["pairing_id"]], obligation=obligations[r["obligation_id"]],
                          period_label=period_label_shown(r["period_label"]),
                          period_starts_on=_to_date(r["period_starts_on"]),
                          period_ends_on=_to_date(r["period_ends_on"]), required=float(r["required"]),
                          expected=float(r["expected"]), done=float(r["done"]), shortfall=float(r["shortfall"]),
                          status=r["status"]) for r in raw]


def compliance_page(*, scope: Scope, filters: ComplianceFilters | None = None, as_of: date, limit: int = 50,
                    offset: int = 0) -> tuple[int, list[ComplianceRow]]:
    """The count and one page of rows (an API list): a region's counted by status once for both."""
    scope, filters = compliance_scope(scope=scope, filters=filters or ComplianceFilters())
    counts = compliance_status_counts(scope=scope, filters=filters, as_of=as_of)
    count = counts_total(counts) if counts is not None else compliance_count(scope=scope, filters=filters, as_of=as_of)
    return count, compliance_rows(scope=scope, filters=filters, as_of=as_of, limit=limit, offset=offset, counts=counts)


HELPER_GROUPS = ("helper", "organization", "team")  # read folded from ComplianceHelper's rows
FOLDED_GROUPS = ("region", "programme", "obligation", *HELPER_GROUPS)  # the others from ComplianceArea's
GROUPS = {
    "helper": ["helper_person_id", "helper_organization_id", "helper_team_id"],
    "organization": ["helper_org_id"],
    "team": ["helper_team_id"],
    "programme": ["programme_id"],
    "obligation": ["obligation_id"],
}


AREA_LENGTHS = sorted(PREFIX_LENGTHS.values())  # 2, 4, 6, 9, 12: the code prefixes of the five levels


def rollup_grouping(*, scope: Scope, by: str) -> str:
    """What a roll-up of the (narrowed) scope groups by: as asked, except that a village has no
    regions below it — its roll-up by region is by helper (who in the village is behind)."""
    if by not in (*GROUPS, "region"):
        raise ValidationError(_("汇总方式不正确：%(by)s") % {"by": by[:20]}, field="by")
    return "helper" if by == "region" and len(scope.prefix) >= AREA_LENGTHS[-1] else by


def _area_length(scope: Scope, region_length: int | None) -> int:
    """The code prefix length of a roll-up by region: the level below the scope's, or as asked — a
    level's length, not shorter than the scope's own prefix."""
    if region_length is None:
        return next(n for n in AREA_LENGTHS if n > len(scope.prefix))
    if region_length not in AREA_LENGTHS or region_length < len(scope.prefix):
        allowed = "、".join(str(n) for n in AREA_LENGTHS if n >= len(scope.prefix))
        raise ValidationError(_("按区域汇总的代码位数只能是 %(allowed)s") % {"allowed": allowed}, field="region_length")
    return region_length


def compliance_rollup(*, scope: Scope, by: str, filters: ComplianceFilters | None = None, as_of: date,
                      region_length: int | None = None, live: bool = False) -> list[dict]:
    """Counts per group (helper, organization, team, programme, obligation, or region code prefix
    of `region_length` digits) — rows, met, on track, behind, overdue, exempt, total shortfall.
    A village's roll-up by region is by helper (rollup_grouping)."""
    scope, filters = compliance_scope(scope=scope, filters=filters or ComplianceFilters())
    by = rollup_grouping(scope=scope, by=by)
    rows = _rollup_rows(scope, by, filters, as_of, region_length, live, _obligations(scope, filters))
    for row in rows:
        row["due"] = (row["behind"] or 0) + (row["overdue"] or 0)
        # sums of amounts with one decimal place, whatever order the database added them in
        row["shortfall"] = round(float(row["shortfall"] or 0), 1)
        row["rate"] = round(100 * (row["met"] or 0) / row["total"]) if row["total"] else 0
    _name_groups(by, rows, scope)
    return rows


def _rollup_rows(scope: Scope, by: str, filters: ComplianceFilters, as_of: date, region_length: int | None,
                 live: bool, obligations: list[Obligation]) -> list[dict]:
    """compliance_rollup's counts per group, for the scope and filters compliance_scope checked."""
    if by == "region":
        length = _area_length(scope, region_length)
        key_names = ["area"]

        def keys(alias: str) -> list[str]:
            return [f"SUBSTR({alias}.region_id, 1, {length}) AS area"]
    else:
        # by organization: summed per helper first (the unit, or the person), whose organization is then read
        # once per helper (below)
        key_names = HELPER_UNIT if by == "organization" else GROUPS[by]

        def keys(alias: str) -> list[str]:
            return [f"{alias}.{k} AS {k}" for k in key_names]
    # Ended periods of the obligations a region prefix selects are read folded per village.
    folded = [] if (live or by not in FOLDED_GROUPS) else [
        o for o in obligations if not _narrowed(scope, filters, o) and _foldable(o, filters)]
    built = _base_sql(scope, filters, as_of, with_labels=False, live=live,
                      obligations=obligations, open_only=frozenset(o.pk for o in folded))
    if built is None and not folded:
        return []
    parts, params = [], []
    if built is not None:
        sql, params = built
        counts = ", ".join(f"CASE WHEN c.status = '{s}' THEN 1 ELSE 0 END AS {s}" for s in STATUS_LABELS)
        parts.append(f"SELECT {', '.join(keys('c'))}, 1 AS total, {counts}, c.shortfall FROM ({sql}) c")
    table = AREA_TABLE
    if by in HELPER_GROUPS:
        table = HELPER_TABLE
    elif _townships_enough(scope, length if by == "region" else None):
        table = TOWNSHIP_TABLE
    if folded:
        area_sql, area_params = _area_sql(folded, scope, filters, as_of, keys("g"), table=table)
        parts.append(area_sql)
        params = [*params, *area_params]
    group = ", ".join(f"u.{k}" for k in key_names)
    sums = ", ".join(f"SUM(u.{s}) AS {s}" for s in STATUS_LABELS)
    sql = (f"SELECT {group}, SUM(u.total) AS total, {sums}, SUM(u.shortfall) AS shortfall "
           f"FROM ({' UNION ALL '.join(parts)}) u GROUP BY {group}")
    if by == "helper" and _vendor() == "postgresql":
        # a county's thousands of helpers named in the same statement, not by a list of ids (on SQLite,
        # whose parser has a fixed depth, the statement is not nested once more: _name_groups names them)
        return fetch_dicts(f"SELECT r.*, COALESCE(hp.name, ho.name, ht.name) AS helper_name FROM ({sql}) r "
                           f"LEFT JOIN registry_person hp ON hp.id = r.helper_person_id "
                           f"LEFT JOIN registry_organization ho ON ho.id = r.helper_organization_id "
                           f"LEFT JOIN registry_team ht ON ht.id = r.helper_team_id "
                           f"ORDER BY r.behind + r.overdue DESC, {group.replace('u.', 'r.')}", params)
    if by == "organization":
        return _by_organization(sql, params)
    return fetch_dicts(f"{sql} ORDER BY SUM(u.behind + u.overdue) DESC, {group}", params)


HELPER_UNIT = ["helper_organization_id", "helper_person_id"]  # what a roll-up by organization sums first
_COUNTED = ("total", *STATUS_LABELS, "shortfall")


def _by_organization(sql: str, params: list) -> list[dict]:
    """The counts per helper (HELPER_UNIT) of `sql` summed per organization: a unit's own, or a person's as it
    is now (as the per-row query reads it), read once for each helper — not joined to each of the tens of
    thousands of rows a county's helpers have (59–66 → 22 ms at a full-size county, docs/performance.md).
    Most behind first, as the other roll-ups."""
    if _vendor() == "postgresql":
        org = "COALESCE(r.helper_organization_id, hp.organization_id)"
        sums = ", ".join(f"SUM(r.{s}) AS {s}" for s in _COUNTED)
        return fetch_dicts(f"SELECT {org} AS helper_org_id, {sums} FROM ({sql}) r "
                           f"LEFT JOIN registry_person hp ON hp.id = r.helper_person_id GROUP BY {org} "
                           f"ORDER BY SUM(r.behind + r.overdue) DESC, helper_org_id", params)
    # SQLite's parser has a fixed depth: the statement is not nested once more, the persons' units read apart
    rows = fetch_dicts(sql, params)
    of_person = _names(Person, {r["helper_person_id"] for r in rows if r["helper_organization_id"] is None},
                       "organization_id")
    sums: dict = {}
    for row in rows:
        org = row["helper_organization_id"] or of_person.get(row["helper_person_id"])
        into = sums.setdefault(org, {"helper_org_id": org, **dict.fromkeys(_COUNTED, 0)})
        for name in _COUNTED:
            into[name] += row[name] or 0
    # SQLite's order: NULL first among equals
    return sorted(sums.values(), key=lambda r: (-(r["behind"] + r["overdue"]), r["helper_org_id"] is not None,
                                                r["helper_org_id"] or 0))


def _townships_enough(scope: Scope, region_length: int | None) -> bool:
    """Whether a roll-up of the scope (by region: grouped by `region_length` digits) needs no village
    apart, so that it reads the ended periods summed per township (ComplianceTownship): a scope of a
    township or wider, grouped by township or wider, or not by region."""
    township = PREFIX_LENGTHS[Level.TOWNSHIP]
    return len(scope.prefix) <= township and (region_length is None or region_length <= township)


NAMES_KEPT_BELOW = 6  # a roll-up's region names are kept (reference.py) down to this many digits below its scope


def _region_names(scope: Scope, length: int) -> dict[str, str]:
    """The names of a roll-up's areas under the scope, by their `length`-digit prefix: the region whose code is
    that prefix filled with zeros — one of that level, or the scope's own above it (a county's pairings of the
    county itself: 450224000) — kept while the reference data stands, for levels near the scope (a county's
    townships and villages, a province's cities and counties); further down, those of a roll-up's rows are read."""
    level = next(level for level, digits in PREFIX_LENGTHS.items() if digits == length)
    return reference.kept(("region names", scope.prefix, length), lambda: {
        code[:length]: name for code, name in Region.objects.filter(code__startswith=scope.prefix, level__lte=level)
        .values_list("code", "name") if not code[length:].strip("0")})


def _names(model, ids, field: str = "name") -> dict:
    """`field` of each of these records (ids None or 0 left out), by id."""
    return dict(model.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", field))


def _name_groups(by: str, rows: list[dict], scope: Scope) -> None:
    from bangfu.programmes.models import Programme

    if by == "region":
        length = len(rows[0]["area"]) if rows else 0
        if rows and length - len(scope.prefix) <= NAMES_KEPT_BELOW:
            found = _region_names(scope, length)
        else:
            read = _names(Region, [r["area"].ljust(12, "0") for r in rows])
            found = {code[:length]: name for code, name in read.items()}
        for r in rows:
            r["key"] = r["area"]
            r["name"] = found.get(r["area"], r["area"])
    elif by == "helper":  # named by _rollup_rows on PostgreSQL
        named = bool(rows) and "helper_name" in rows[0]
        people = {} if named else _names(Person, [r["helper_person_id"] for r in rows])
        orgs = {} if named else _names(Organization, [r["helper_organization_id"] for r in rows])
        teams = {} if named else _names(Team, [r["helper_team_id"] for r in rows])
        for r in rows:
            r["key"] = r["helper_person_id"] or r["helper_organization_id"] or r["helper_team_id"]
            r["name"] = ((r.pop("helper_name") if named else None) or people.get(r["helper_person_id"])
                         or orgs.get(r["helper_organization_id"]) or teams.get(r["helper_team_id"]) or "—")
    elif by == "obligation":  # names carry their programme where several programmes are listed
        found = {pk: (programme, name) for pk, programme, name in Obligation.objects.filter(
            pk__in=[r["obligation_id"] for r in rows if r["obligation_id"]]).values_list("pk", "programme__name", "name")}
        several = len({programme for programme, _name in found.values()}) > 1
        for r in rows:
            r["key"] = r["obligation_id"]
            programme, name = found.get(r["obligation_id"], ("", _("(无)")))
            r["name"] = f"{programme} · {name}" if several else name
    else:
        column = GROUPS[by][0]
        model = {"organization": Organization, "team": Team, "programme": Programme}[by]
        found = _names(model, [r[column] for r in rows])
        for r in rows:
            r["key"] = r[column]
            r["name"] = found.get(r[column]) or _("(无)")


def compliance_totals(*, scope: Scope, filters: ComplianceFilters | None = None, as_of: date, live: bool = False
                      ) -> dict:
    return rollup_totals(compliance_rollup(scope=scope, by="programme", filters=filters, as_of=as_of, live=live))


def rollup_totals(rows: list[dict]) -> dict:
    """The totals of a roll-up's rows: every grouping splits the same rows, so a page that shows a
    roll-up takes its totals from it instead of rolling up a second time."""
    keys = ["total", *STATUS_LABELS, "due"]
    totals = {k: sum(r[k] or 0 for r in rows) for k in keys}
    totals["shortfall"] = round(sum(r["shortfall"] for r in rows), 1)
    totals["rate"] = round(100 * totals["met"] / totals["total"]) if totals["total"] else 0
    return totals
