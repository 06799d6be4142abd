"""Compliance: obligations evaluated against activities per pairing and period, in SQL.

For each obligation (a programme has a handful) one ORM query joins the scoped pairings to the
programme's period rows (FilteredRelation) and counts current activities with a correlated
Subquery that the partial index (pairing_id, occurred_on) WHERE kind = K answers. The
obligations' queries are UNION ALL-ed, and an outer SELECT adds the status once per row; roll-ups
GROUP BY over that. One statement per call, whatever the number of pairings; nothing loops over
pairings in Python. The same SQL text is generated for SQLite and PostgreSQL by the ORM; the
outer query is plain standard SQL (CASE, SUBSTR, SUM, GROUP BY).

Who owes a period: the pairing active on the period's reference day — its last day, or today for
the period under way. A household handed to a new helper mid-month is the new helper's that
month; the old helper answers for the months before. Activities belong to the pairing they
were done in, so each helper is counted on their own work.

Status: met (done ≥ required) · exempt · overdue (period over, grace passed, not met) · on track
(done ≥ the share of the period elapsed, rounded down) · behind.
"""

import math
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import (
    BooleanField,
    Case,
    Count,
    DateField,
    Exists,
    F,
    FilteredRelation,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, Least
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity
from bangfu.programmes.choices import Actor, Measure, Period, Window
from bangfu.programmes.models import Exemption, Obligation, Pairing, ProgrammePeriod
from bangfu.programmes.selectors import pairings_in_scope, programmes_in_scope

STATUS_LABELS = {"met": gettext_lazy("已完成"), "on_track": gettext_lazy("进度正常"), "behind": gettext_lazy("进度落后"),
                 "overdue": gettext_lazy("逾期未完成"), "exempt": gettext_lazy("已免除")}
COLUMNS = ["pairing_id", "obligation_id", "period_id", "period_label", "period_starts_on", "period_ends_on",
           "required", "expected", "done", "exempt", "closed", "programme_id", "region_id", "helper_person_id",
           "helper_organization_id", "helper_team_id", "helper_org_id"]


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
    current_only: bool = False  # only the periods under way on as_of
    ending_before: date | None = None  # periods ending on or before (reminders: due this week)


def _birthday_window(obligation: Obligation):
    """Activities within N days of the target's birthday in the period's year (a window crossing
    New Year is cut at the year's end)."""
    from django.db.models.functions import ExtractDay, ExtractMonth

    before, after = obligation.window_before_days, obligation.window_after_days
    # Compare as ordinal-ish days: month*31 + day is monotone within a year and off by at most
    # three days at the ends of short months — close enough for "visit around the birthday",
    # and it keeps one SQL for both databases.
    act = ExtractMonth("occurred_on") * 31 + ExtractDay("occurred_on")
    born = ExtractMonth(OuterRef("target_person__birth_date")) * 31 + ExtractDay(OuterRef("target_person__birth_date"))
    return act, born, before, after


def _obligation_rows(obligation: Obligation, pairings: QuerySet[Pairing], as_of: date,
                     period_filter: Q | None = None) -> QuerySet:
    key = obligation.period_key
    qs = pairings.filter(programme_id=obligation.programme_id)
    if obligation.condition_attribute:
        side = "target" if obligation.condition_party != Actor.HELPER else "helper"
        programme = obligation.programme
        kind = (programme.target_kinds if side == "target" else programme.helper_kinds)[0]
        qs = qs.filter(**{f"{side}_{kind}__{obligation.condition_attribute}__in": obligation.condition_values})
    qs = qs.annotate(per=FilteredRelation("programme__periods", condition=Q(
        programme__periods__kind=key, programme__periods__starts_on__lte=as_of)))
    reference = Least(F("per__ends_on"), Value(as_of, output_field=DateField()))
    # One filter() call: a second one would join the period table again.
    qs = qs.filter(Q(per__id__isnull=False), Q(starts_on__lte=reference),
                   Q(ends_on__isnull=True) | Q(ends_on__gte=reference), period_filter or Q()).order_by()

    activities = Activity.objects.filter(pairing_id=OuterRef("pk"), kind=obligation.kind, actor=obligation.actor,
                                         occurred_on__gte=OuterRef("per__starts_on"),
                                         occurred_on__lte=OuterRef("per__ends_on"), withdrawn=False)
    activities = activities.exclude(Exists(Activity.objects.filter(supersedes=OuterRef("pk"))))
    if obligation.counterpart_only:
        activities = activities.filter(with_counterpart=True)
    if obligation.window == Window.BIRTHDAY:
        act, born, before, after = _birthday_window(obligation)
        activities = activities.alias(act_day=act).filter(act_day__gte=born - before, act_day__lte=born + after)
    amount = Count("pk") if obligation.measure == Measure.COUNT else Sum("quantity")
    done = Subquery(activities.values("pairing_id").annotate(n=amount).values("n")[:1])

    required = float(obligation.minimum)
    # The share due by now in periods under way: a handful of rows, read first.
    open_periods = ProgrammePeriod.objects.filter(programme_id=obligation.programme_id, kind=key,
                                                  starts_on__lte=as_of, ends_on__gt=as_of)
    expected_whens = []
    for period in open_periods.values("pk", "starts_on", "ends_on"):
        length = (period["ends_on"] - period["starts_on"]).days + 1
        elapsed = (as_of - period["starts_on"]).days + 1
        expected_whens.append(When(per__id=period["pk"], then=Value(float(math.floor(required * elapsed / length)))))
    expected = Case(*expected_whens, default=Value(required), output_field=FloatField()) if expected_whens else Value(
        required, output_field=FloatField())
    closed_before = as_of - timedelta(days=obligation.grace_days)
    exempt = Exists(Exemption.objects.filter(Q(obligation_id=obligation.pk) | Q(obligation__isnull=True),
                                             pairing_id=OuterRef("pk"), starts_on__lte=OuterRef("per__ends_on"),
                                             ends_on__gte=OuterRef("per__starts_on")))
    return qs.annotate(
        pairing_id=F("pk"),
        obligation_id=Value(obligation.pk, output_field=IntegerField()),
        period_id=F("per__id"), period_label=F("per__label"), period_starts_on=F("per__starts_on"),
        period_ends_on=F("per__ends_on"),
        required=Value(required, output_field=FloatField()),
        expected=expected,
        done=Cast(Coalesce(done, Value(0), output_field=FloatField()), FloatField()),
        exempt=exempt,
        closed=Case(When(per__ends_on__lt=closed_before, then=Value(True)), default=Value(False),
                    output_field=BooleanField()),
        helper_org_id=Coalesce("helper_organization_id", "helper_person__organization_id"),
    ).values(*COLUMNS)


def _obligations(scope: Scope, filters: ComplianceFilters) -> list[Obligation]:
    qs = Obligation.objects.filter(programme__in=programmes_in_scope(scope)).select_related("programme")
    if filters.programme:
        qs = qs.filter(programme_id=filters.programme)
    if filters.obligation:
        qs = qs.filter(pk=filters.obligation)
    if filters.period:
        qs = qs.filter(period=filters.period)
    return list(qs.order_by("programme_id", "pk"))


def _pairings(scope: Scope, filters: ComplianceFilters) -> QuerySet[Pairing]:
    qs = pairings_in_scope(scope)
    if filters.region:
        qs = qs.filter(region__code__startswith=filters.region)
    if filters.helper_person:
        qs = qs.filter(helper_person_id=filters.helper_person)
    if filters.helper_org:
        qs = qs.filter(Q(helper_organization_id=filters.helper_org) | Q(helper_person__organization_id=filters.helper_org))
    if filters.helper_team:
        qs = qs.filter(helper_team_id=filters.helper_team)
    if filters.pairing:
        qs = qs.filter(pk=filters.pairing)
    return qs


STATUS_SQL = ("CASE WHEN t.exempt THEN 'exempt' WHEN t.done >= t.required THEN 'met' "
              "WHEN t.closed THEN 'overdue' WHEN t.done >= t.expected THEN 'on_track' ELSE 'behind' END")


def _base_sql(scope: Scope, filters: ComplianceFilters, as_of: date) -> tuple[str, list] | None:
    """The per-row SQL (UNION ALL over obligations) with its status, as a derived table `c`."""
    obligations = _obligations(scope, filters)
    if not obligations:
        return None
    pairings = _pairings(scope, filters)
    parts = []
    # Conditions on the period go into the same filter() as the join: a later filter() call
    # would join the period table a second time and leave the counted rows unfiltered.
    period_filter = Q()
    if filters.current_only:
        period_filter &= Q(per__ends_on__gte=as_of)
    if filters.ending_before:
        period_filter &= Q(per__ends_on__lte=filters.ending_before)
    for obligation in obligations:
        parts.append(_obligation_rows(obligation, pairings, as_of, period_filter))
    union = parts[0].union(*parts[1:], all=True) if len(parts) > 1 else parts[0]
    sql, params = union.query.get_compiler(using=union.db).as_sql()
    where, where_params = "", []
    if filters.status == "due":
        where = " WHERE c.status IN ('behind', 'overdue')"
    elif filters.status == "unmet":  # still open and not met: what a reminder lists
        where = " WHERE c.status IN ('on_track', 'behind')"
    elif filters.status:
        where = " WHERE c.status = %s"
        where_params = [filters.status]
    base = (f"SELECT * FROM (SELECT t.*, {STATUS_SQL} AS status, "
            f"CASE WHEN t.done >= t.required THEN 0 ELSE t.required - t.done END AS shortfall "
            f"FROM ({sql}) t) c{where}")
    return base, [*params, *where_params]


def _fetch(sql: str, params: list) -> list[dict]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


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


def compliance_count(*, scope: Scope, filters: ComplianceFilters | None = None, as_of: date) -> int:
    built = _base_sql(scope, filters or ComplianceFilters(), as_of)
    if built is None:
        return 0
    sql, params = built
    return _fetch(f"SELECT COUNT(*) AS n FROM ({sql}) x", params)[0]["n"]


def compliance_rows(*, scope: Scope, filters: ComplianceFilters | None = None, as_of: date, limit: int = 50,
                    offset: int = 0) -> list[ComplianceRow]:
    """One page of rows, the most behind first; pairings and obligations fetched in two more queries."""
    filters = filters or ComplianceFilters()
    built = _base_sql(scope, filters, as_of)
    if built is None:
        return []
    sql, params = built
    order = (" ORDER BY CASE c.status WHEN 'overdue' THEN 0 WHEN 'behind' THEN 1 WHEN 'on_track' THEN 2 "
             "WHEN 'met' THEN 3 ELSE 4 END, c.shortfall DESC, c.period_starts_on DESC, c.pairing_id, c.obligation_id")
    raw = _fetch(f"{sql}{order} LIMIT %s OFFSET %s", [*params, limit, offset])
    from bangfu.programmes.selectors import PAIRING_RELATED

    pairings = Pairing.objects.select_related(*PAIRING_RELATED).in_bulk({r["pairing_id"] for r in raw})
    obligations = Obligation.objects.in_bulk({r["obligation_id"] for r in raw})
    return [ComplianceRow(pairing=pairings[r["pairing_id"]], obligation=obligations[r["obligation_id"]],
                          period_label=r["period_label"], period_starts_on=_to_date(r["period_starts_on"]),
                          period_ends_on=_to_date(r["period_ends_on"]), required=float(r["required"]),
                          expected=float(r["expected"]), done=float(r["done"]), shortfall=float(r["shortfall"]),
                          status=r["status"]) for r in raw]


GROUPS = {
    "helper": ["helper_person_id", "helper_organization_id", "helper_team_id"],
    "organization": ["helper_org_id"],
    "team": ["helper_team_id"],
    "programme": ["programme_id"],
    "obligation": ["obligation_id"],
}


def compliance_rollup(*, scope: Scope, by: str, filters: ComplianceFilters | None = None, as_of: date,
                      region_length: int | None = None) -> list[dict]:
    """Counts per group (helper, organization, team, programme, obligation, or region code prefix
    of `region_length` digits) — rows, met, on track, behind, overdue, exempt, total shortfall."""
    filters = filters or ComplianceFilters()
    built = _base_sql(scope, filters, as_of)
    if built is None:
        return []
    sql, params = built
    if by == "region":
        length = int(region_length or {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}[len(filters.region or scope.prefix)])
        keys = [f"SUBSTR(c.region_id, 1, {length}) AS area"]
        group = "SUBSTR(c.region_id, 1, %d)" % length
        key_names = ["area"]
    else:
        key_names = GROUPS[by]
        keys = [f"c.{k}" for k in key_names]
        group = ", ".join(keys)
    counts = ", ".join(f"SUM(CASE WHEN c.status = '{s}' THEN 1 ELSE 0 END) AS {s}" for s in STATUS_LABELS)
    rows = _fetch(f"SELECT {', '.join(keys)}, COUNT(*) AS total, {counts}, SUM(c.shortfall) AS shortfall "
                  f"FROM ({sql}) c GROUP BY {group} ORDER BY SUM(CASE WHEN c.status IN ('behind', 'overdue') "
                  f"THEN 1 ELSE 0 END) DESC, {group}", params)
    for row in rows:
        row["due"] = (row["behind"] or 0) + (row["overdue"] or 0)
        row["shortfall"] = float(row["shortfall"] or 0)
        row["rate"] = round(100 * (row["met"] or 0) / row["total"]) if row["total"] else 0
    _name_groups(by, rows)
    return rows


def _name_groups(by: str, rows: list[dict]) -> None:
    from bangfu.programmes.models import Programme
    from bangfu.regions.models import Region
    from bangfu.registry.models import Organization, Person, Team

    def names(model, ids, field="name"):
        return dict(model.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", field))

    if by == "region":
        found = names(Region, [r["area"].ljust(12, "0") for r in rows])
        for r in rows:
            r["key"] = r["area"]
            r["name"] = found.get(r["area"].ljust(12, "0"), r["area"])
    elif by == "helper":
        people = names(Person, [r["helper_person_id"] for r in rows])
        orgs = names(Organization, [r["helper_organization_id"] for r in rows])
        teams = names(Team, [r["helper_team_id"] for r in rows])
        for r in rows:
            r["key"] = r["helper_person_id"] or r["helper_organization_id"] or r["helper_team_id"]
            r["name"] = (people.get(r["helper_person_id"]) or orgs.get(r["helper_organization_id"])
                         or teams.get(r["helper_team_id"]) or "—")
    else:
        column = GROUPS[by][0]
        model = {"organization": Organization, "team": Team, "programme": Programme, "obligation": Obligation}[by]
        found = names(model, [r[column] for r in rows])
        for r in rows:
            r["key"] = r[column]
            r["name"] = found.get(r[column]) or _("(无)")


def compliance_totals(*, scope: Scope, filters: ComplianceFilters | None = None, as_of: date) -> dict:
    rows = compliance_rollup(scope=scope, by="programme", filters=filters, as_of=as_of)
    keys = ["total", *STATUS_LABELS, "due"]
    totals = {k: sum(r[k] or 0 for r in rows) for k in keys}
    totals["shortfall"] = sum(r["shortfall"] for r in rows)
    totals["rate"] = round(100 * totals["met"] / totals["total"]) if totals["total"] else 0
    return totals
