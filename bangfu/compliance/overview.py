"""Selectors for the role homes and the compliance lists' filters (issue 14): what each role came for,
built from the compliance selectors, inside the caller's scope. Reads only."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Exists, OuterRef
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from bangfu import reference
from bangfu.accounts.scope import Scope
from bangfu.compliance.selectors import (
    ComplianceFilters,
    ComplianceRow,
    compliance_rollup,
    compliance_rows,
    compliance_totals,
)
from bangfu.compliance.todo import todo_filters
from bangfu.programmes.choices import PairingStatus, PartyKind
from bangfu.programmes.models import Obligation, Term
from bangfu.programmes.selectors import PAIRING_RELATED, pairings_in_scope, programmes_in_scope, uncovered_targets
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Organization
from bangfu.sql import Statement, prepared


@dataclass
class OfficeOverview:
    """A county or township office's home: completion of the periods under way, per sub-area and
    per helper most behind, and how many targets of each programme have a helper."""

    totals: dict
    areas: list[dict] = field(default_factory=list)
    behind_helpers: list[dict] = field(default_factory=list)
    coverage: list[dict] = field(default_factory=list)


def _rows_url(**params) -> str:
    return reverse("compliance:rows") + "?" + urlencode({k: v for k, v in params.items() if v not in (None, "")})


def office_overview(*, scope: Scope, as_of: date, helpers: int = 10) -> OfficeOverview:
    current = ComplianceFilters(current_only=True)
    totals = compliance_totals(scope=scope, filters=current, as_of=as_of)
    as_of_text = as_of.isoformat()
    areas = []
    if len(scope.prefix) < 12:
        for row in compliance_rollup(scope=scope, by="region", filters=current, as_of=as_of):
            areas.append({"name": row["name"], "code": row["key"], "met": row["met"] or 0,
                          "on_track": row["on_track"] or 0, "behind": row["behind"] or 0,
                          "overdue": row["overdue"] or 0, "total": row["total"], "rate": row["rate"],
                          "url": _rows_url(region=row["key"], current=1, as_of=as_of_text),
                          "behind_url": reverse("compliance:behind") + "?" + urlencode(
                              {"region": row["key"], "current": 1, "as_of": as_of_text})})
        areas = own_region_apart(areas, scope.prefix, key="code")
    behind = compliance_rollup(scope=scope, by="helper", filters=ComplianceFilters(current_only=True, status="due"),
                               as_of=as_of)[:helpers]
    for row in behind:
        row["url"] = _rows_url(helper_person=row["helper_person_id"], helper_org=row["helper_organization_id"],
                               helper_team=row["helper_team_id"], status="due", current=1, as_of=as_of_text)
    return OfficeOverview(totals=totals, areas=areas, behind_helpers=behind, coverage=programme_coverage(scope=scope))


def own_region_apart(rows: list[dict], prefix: str, *, key: str = "key") -> list[dict]:
    """Rows per sub-region in code order, the region's own row (targets registered at the county
    itself, not in a township) last and named as such ("融安县本级"), not mixed among its townships."""
    own_code = prefix.ljust(12, "0") if prefix else ""
    own = [r for r in rows if own_code and str(r[key]).ljust(12, "0") == own_code]
    for row in own:
        row["name"] = _("%(name)s本级") % {"name": row["name"]}
        row["own"] = True
    return sorted((r for r in rows if r not in own), key=lambda r: str(r[key])) + own


_TARGET_COLUMNS = {PartyKind.HOUSEHOLD: "target_household_id", PartyKind.PERSON: "target_person_id",
                   PartyKind.ORGANIZATION: "target_organization_id", PartyKind.VILLAGE: "target_village_id"}


def programme_coverage(*, scope: Scope, limit: int = 12) -> list[dict]:
    """Per programme in scope with targets here: those with a helper now (each programme's distinct targets
    of its kind, counted for all programmes in one statement), and those its coverage rule names without
    one (a count per programme that has a rule; a county runs a handful of programmes)."""
    programmes = list(programmes_in_scope(scope).select_related("region").order_by("-starts_on", "name")[:limit])
    counts = (pairings_in_scope(scope).filter(programme__in=[p.pk for p in programmes], status=PairingStatus.ACTIVE)
              .values("programme_id").order_by()
              .annotate(**{column: Count(column, distinct=True) for column in _TARGET_COLUMNS.values()}))
    covered_by = {row.pop("programme_id"): row for row in counts} if programmes else {}
    rows = []
    for programme in programmes:
        kind = programme.target_kinds[0] if programme.target_kinds else ""
        column = _TARGET_COLUMNS.get(kind)
        covered = covered_by.get(programme.pk, {}).get(column, 0) if column else 0
        uncovered = uncovered_targets(scope=scope, programme=programme).count()
        population = covered + uncovered
        if not population:  # nothing of this programme here (a village and the school pairings)
            continue
        rows.append({"programme": programme, "covered": covered, "uncovered": uncovered,
                     "rate": round(100 * covered / population) if population else None})
    return rows


def todo_rows(*, scope: Scope, as_of: date, person_id: int | None = None, limit: int = 100,
              pairings: dict | None = None) -> list[ComplianceRow]:
    """Obligations still to do this week or this month (and what fell overdue), most behind first;
    with `person_id`, that helper's own (`pairings`: those already read, compliance_rows)."""
    return compliance_rows(scope=scope, filters=todo_filters(ComplianceFilters(helper_person=person_id), as_of=as_of),
                           as_of=as_of, limit=limit, pairings=pairings)


def behind_rows(*, scope: Scope, as_of: date, limit: int = 10) -> list[ComplianceRow]:
    """The first rows of the behind list (behind or overdue, the most behind first), as its page has them."""
    return compliance_rows(scope=scope, filters=ComplianceFilters(status="due"), as_of=as_of, limit=limit)


def households_by_helper(*, scope: Scope) -> list[dict]:
    """Households with a helper now, per helper: a village's own table (a village has no sub-regions)."""
    rows = (pairings_in_scope(scope).filter(status=PairingStatus.ACTIVE, target_kind=PartyKind.HOUSEHOLD)
            .values("helper_person_id", "helper_person__name", "helper_person__organization__name",
                    "helper_person__region_id", "helper_team_id", "helper_team__name", "helper_team__region_id",
                    "helper_organization_id", "helper_organization__name")
            .annotate(households=Count("target_household_id", distinct=True))
            .order_by("-households", "helper_person__name", "helper_team__name", "helper_organization__name"))
    return [{"person_id": r["helper_person_id"], "team_id": r["helper_team_id"],
             "organization_id": r["helper_organization_id"],
             "name": r["helper_person__name"] or r["helper_team__name"] or r["helper_organization__name"] or "—",
             "unit": r["helper_person__organization__name"] or "", "households": r["households"],
             # the helper's page is linked only when it opens for the user (programmes.selectors.helper_in_scope)
             "linked": scope.contains_code(r["helper_person__region_id"] or r["helper_team__region_id"])}
            for r in rows]


@dataclass
class FilterChoices:
    """What the compliance lists' filters offer, as (value, label) pairs."""

    programmes: tuple[tuple[int, str], ...]
    obligations: tuple[tuple[int, str], ...]  # the name carries its programme when several are listed
    organizations: list[tuple[int, str]]
    regions: tuple[tuple[str, str], ...]  # (code prefix, name; a village's indented under its township)


def compliance_filter_choices(*, scope: Scope, limit: int = 300) -> FilterChoices:
    """What the compliance lists' filters offer: programmes, obligations, helper units and regions in scope."""
    programmes, named, regions = reference.kept(("filter choices", scope.prefix, limit),
                                                lambda: _reference_choices(scope, limit))
    # units helping in a pairing in scope, themselves or through their people: two EXISTS over the scope's
    # pairings (by county_code) instead of a DISTINCT join of every helper's pairings (1 ms against 5),
    # prepared (PostgreSQL planned it 2.4 ms and ran it in 1.4, a county of the demo) and compiled once a shape
    organizations = _HELPER_UNITS(scope=scope, limit=limit)
    return FilterChoices(programmes=programmes, obligations=named, organizations=organizations, regions=regions)


def _helper_units(scope: Scope, limit: int):
    pairings = pairings_in_scope(scope)
    return (scope.organizations(Organization.objects.filter(
        Exists(pairings.filter(helper_organization_id=OuterRef("pk")))
        | Exists(pairings.filter(helper_person__organization_id=OuterRef("pk")))))
        .order_by("name").values_list("pk", "name")[:limit])


_HELPER_UNITS = Statement(_helper_units, shape=("limit",))  # compiled once a shape (bangfu/sql.py)


def _reference_choices(scope: Scope, limit: int) -> tuple[tuple, tuple, tuple]:
    """The filters' programmes, obligations and regions: reference data (bangfu/reference.py), kept
    while it stands; the helper units depend on the pairings and are read every time."""
    programmes = list(programmes_in_scope(scope).order_by("-starts_on", "name").values_list("pk", "name")[:limit])
    obligations = list(Obligation.objects.filter(programme__in=[pk for pk, _name in programmes])
                       .values_list("pk", "name", "programme__name").order_by("programme_id", "pk")[:limit])
    several = len({programme for _pk, _name, programme in obligations}) > 1
    named = [(pk, f"{programme} · {name}" if several else name) for pk, name, programme in obligations]
    regions = [(prefix, ("　" if level == Level.VILLAGE else "") + name) for prefix, name, level in (
        scope.regions(Region.objects.filter(level__gte=Level.COUNTY, level__lte=Level.VILLAGE)).order_by("code")
        .values_list("prefix", "name", "level")[:limit])] if len(scope.prefix) >= 6 else []
    return tuple(programmes), tuple(named), tuple(regions)


def school_pairings(*, scope: Scope, limit: int = 50):
    """A school administrator's pairings (the scope binds them to their school), newest first."""
    return (prepared(pairings_in_scope(scope).filter(status=PairingStatus.ACTIVE).select_related(*PAIRING_RELATED))
            .order_by("-starts_on", "pk")[:limit])


def school_terms(*, scope: Scope, as_of: date, limit: int = 20) -> list[dict]:
    """Terms of the programmes in scope that are under way or next, with their programme."""
    terms = (Term.objects.filter(programme__in=programmes_in_scope(scope), ends_on__gte=as_of)
             .select_related("programme").order_by("starts_on", "programme_id")[:limit])
    return [{"term": t, "programme": t.programme, "current": t.starts_on <= as_of <= t.ends_on} for t in terms]

