"""Reads of the registry. Every selector takes the caller's Scope first."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from typing import Any

from django.db.models import Case, Count, Q, QuerySet, Sum, Value, When
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound
from bangfu.privacy import crypto, id_numbers
from bangfu.privacy.masking import MASKS
from bangfu.regions.models import Region
from bangfu.registry.choices import HouseholdStatus, PovertyCause
from bangfu.registry.models import Household, Organization, Person, Team, TermGrade, term_label
from bangfu.registry.names import name_normalize
from bangfu.sql import Listing, Statement


@dataclass
class HouseholdFilters:
    q: str = ""  # name, 拼音首字母, household number or an exact ID number
    region: str = ""  # a region code (any level) inside the scope
    status: str = ""
    cause: str = ""
    work_ability: str = ""  # households with a member of this work ability
    assistance: str = ""  # dibao / wubao / tekun


def _search_id_hash(q: str) -> bytes | None:
    value = id_numbers.normalize(q)
    if len(value) == 18 and value[:17].isdigit():
        return crypto.keyed_hash(value)
    return None


ASSISTANCE = ("dibao", "wubao", "tekun")  # HouseholdFilters.assistance: the flag's field


def household_list(*, scope: Scope, filters: HouseholdFilters | None = None) -> QuerySet[Household]:
    """Households in the scope, narrowed to the filters' region (one outside the scope is refused)."""
    filters = filters or HouseholdFilters()
    scope = scope.narrow(filters.region)
    qs = scope.households(Household.objects.all()).select_related("head", "region")
    q = filters.q.strip()
    if q:
        id_hash = _search_id_hash(q)
        if id_hash is not None:
            qs = qs.filter(members__id_hash=id_hash)
        elif q.isdigit():
            qs = qs.filter(number__startswith=q)
        elif q.isascii():
            qs = qs.filter(Q(head__initials__startswith=q.lower()) | Q(members__initials__startswith=q.lower()))
        else:
            q = name_normalize(q)  # names are stored so: 王　芳 is found as 王芳 and the other way round
            qs = qs.filter(Q(head__name__contains=q) | Q(members__name__contains=q))
        qs = qs.distinct()
    return _filtered(qs, status=filters.status, cause=filters.cause, work_ability=filters.work_ability,
                     assistance=filters.assistance)


def _filtered(qs: QuerySet[Household], *, status: str, cause: str, work_ability: str, assistance: str
              ) -> QuerySet[Household]:
    """The households of `qs` that pass the filters other than the region and the text searched for."""
    if status:
        qs = qs.filter(status=status)
    if cause:
        qs = qs.filter(Q(main_cause=cause) | Q(other_causes__contains=cause))
    if work_ability:
        qs = qs.filter(members__work_ability=work_ability).distinct()
    if assistance in ASSISTANCE:
        qs = qs.filter(**{assistance: True})
    return qs.order_by("number")


# A list's count and page compiled once per shape (bangfu/sql.py): the page's `.values()` of 37 columns cost
# Django more to compile than PostgreSQL to run. `assistance` names a field: part of the shape. Counted
# without the page's columns: they join the heads and villages, which a count does not need (PostgreSQL
# keeps an inner join; on a county's 6,000 households it tripled the count).
def _listed(scope: Scope, status: str, cause: str, work_ability: str, assistance: str) -> QuerySet[Household]:
    return _filtered(scope.households(Household.objects.all()), status=status, cause=cause,
                     work_ability=work_ability, assistance=assistance)


_LISTED = Statement(_listed, shape=("assistance",))
_LISTED_ROWS = Statement(lambda fields, **filters: _listed(**filters).values(*fields), shape=("fields", "assistance"))


def household_listing(*, scope: Scope, filters: HouseholdFilters, fields: tuple[str, ...]) -> Listing:
    """The household list's rows as `.values(*fields)` dicts, a page at a time (Django's Paginator, the API's
    pages), the page read by a prepared statement (PostgreSQL planned the list's page 1.3 ms and ran it in
    0.3). Searched by text, built as any queryset and not prepared: a generic plan of `LIKE $1` cannot range
    an index by the pattern's prefix."""
    if filters.q.strip():
        households = household_list(scope=scope, filters=filters)
        rows = households.values(*fields)
        return Listing(households.count, lambda offset, limit: list(rows[offset:offset + limit]))
    values = {"scope": scope.narrow(filters.region), "status": filters.status, "cause": filters.cause,
              "work_ability": filters.work_ability,
              "assistance": filters.assistance if filters.assistance in ASSISTANCE else ""}
    return Listing(lambda: _LISTED.count(**values),
                   lambda offset, limit: _LISTED_ROWS.page(offset, limit, fields=tuple(fields), **values))


_HOUSEHOLD = Statement(lambda scope, pk: scope.households(Household.objects.select_related("head", "region"))
                       .filter(pk=pk)[:1])


def household_get(*, scope: Scope, pk: int) -> Household:
    found = _HOUSEHOLD(scope=scope, pk=pk)
    if not found:
        raise NotFound(_("户不存在或不在您的管辖范围内"))
    return found[0]


_MEMBERS = Statement(lambda household: Person.objects.filter(household_id=household).order_by(
    Case(When(relation="head", then=0), default=1), "birth_date", "pk"))


def household_members(*, household: Household) -> list[Person]:
    """The household's members, the head first, then by age."""
    members = _MEMBERS(household=household.pk)
    for member in members:
        member.household = household
    return members


def person_list(*, scope: Scope, q: str = "", kind: str = "", organization: int | None = None) -> QuerySet[Person]:
    """Persons in the scope; an organization filter outside it is refused (NotFound), not read as none."""
    if organization:
        organization_get(scope=scope, pk=organization)
    qs = scope.persons(Person.objects.all()).select_related("region", "organization", "household")
    q = q.strip()
    if q:
        id_hash = _search_id_hash(q)
        if id_hash is not None:
            qs = qs.filter(id_hash=id_hash)
        elif q.isascii():
            qs = qs.filter(initials__startswith=q.lower())
        else:
            qs = qs.filter(name__contains=name_normalize(q))
    if kind:
        qs = qs.filter(kind=kind)
    if organization:
        qs = qs.filter(organization_id=organization)
    return qs.order_by("county_code", "name", "pk")


def person_get(*, scope: Scope, pk: int) -> Person:
    person = scope.persons(Person.objects.select_related("region", "household", "organization")).filter(pk=pk).first()
    if person is None:
        raise NotFound(_("人员不存在或不在您的管辖范围内"))
    return person


def organization_list(*, scope: Scope, q: str = "", kind: str = "") -> QuerySet[Organization]:
    qs = scope.organizations(Organization.objects.select_related("region"))
    if q.strip():
        q = q.strip()
        qs = qs.filter(initials__startswith=q.lower()) if q.isascii() else qs.filter(name__contains=q)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.annotate(people_count=Count("people")).order_by("kind", "name")


def organization_get(*, scope: Scope, pk: int) -> Organization:
    organization = scope.organizations(Organization.objects.select_related("region")).filter(pk=pk).first()
    if organization is None:
        raise NotFound(_("单位不存在或不在您的管辖范围内"))
    return organization


def team_list(*, scope: Scope) -> QuerySet[Team]:
    return scope.teams(Team.objects.select_related("organization", "region")).annotate(
        member_count=Count("memberships", filter=Q(memberships__ended_on__isnull=True))
    ).order_by("region_id", "name")


def team_get(*, scope: Scope, pk: int) -> Team:
    team = scope.teams(Team.objects.select_related("organization", "region")).filter(pk=pk).first()
    if team is None:
        raise NotFound(_("工作队不存在或不在您的管辖范围内"))
    return team


def team_members(*, team: Team):
    role_order = Case(When(role="leader", then=0), When(role="first_secretary", then=1), default=2)
    return team.memberships.select_related("person", "person__organization").order_by(role_order, "started_on", "pk")


# Summaries ----------------------------------------------------------------------------------


@dataclass
class RegistrySummary:
    households: int = 0
    people: int = 0
    by_status: list[dict[str, Any]] = field(default_factory=list)
    by_cause: list[dict[str, Any]] = field(default_factory=list)
    by_area: list[dict[str, Any]] = field(default_factory=list)  # one level below the scope
    assistance: dict[str, int] = field(default_factory=dict)


def registry_summary(*, scope: Scope) -> RegistrySummary:
    """The home page's counts: households and people by status, cause and sub-region, and the households on
    each kind of assistance — all from one reading of the scope's households, grouped by status, cause and
    sub-region together (a few hundred groups for a county), then summed here."""
    households = scope.households(Household.objects.all())
    child_length = {0: 2, 2: 4, 4: 6, 6: 9, 9: 12}.get(len(scope.prefix))  # None: a village has no sub-regions
    area = Substr("region_id", 1, child_length) if child_length else Value("")
    groups = list(households.annotate(area=area).values("status", "main_cause", "area").order_by()
                  .annotate(households=Count("id"), people=Sum("size"), dibao=Count("id", filter=Q(dibao=True)),
                            wubao=Count("id", filter=Q(wubao=True)), tekun=Count("id", filter=Q(tekun=True))))
    summary = RegistrySummary(assistance={"dibao": 0, "wubao": 0, "tekun": 0})
    by_status, by_cause, by_area = defaultdict(lambda: [0, 0]), defaultdict(int), defaultdict(lambda: [0, 0])
    for group in groups:
        count, people = group["households"], group["people"] or 0
        summary.households += count
        summary.people += people
        by_status[group["status"]][0] += count
        by_status[group["status"]][1] += people
        if group["main_cause"]:
            by_cause[group["main_cause"]] += count
        by_area[group["area"]][0] += count
        by_area[group["area"]][1] += people
        for kind in summary.assistance:
            summary.assistance[kind] += group[kind]
    status_labels, cause_labels = dict(HouseholdStatus.choices), dict(PovertyCause.choices)
    summary.by_status = [{"status": status, "label": status_labels.get(status, status), "households": count,
                          "people": people} for status, (count, people) in sorted(by_status.items())]
    summary.by_cause = [{"cause": cause, "label": cause_labels.get(cause), "households": count}
                        for cause, count in sorted(by_cause.items(), key=lambda item: (-item[1], item[0]))]
    summary.by_area = _area_rows(by_area) if child_length else []
    return summary


def _area_rows(by_area: dict[str, list[int]]) -> list[dict[str, Any]]:
    """Counts per child region of the scope's region (townships for a county, villages for a township)."""
    codes = {area: area.ljust(12, "0") for area in by_area}
    names = dict(Region.objects.filter(code__in=codes.values()).values_list("code", "name"))
    return [{"code": codes[area], "name": names.get(codes[area], area), "households": count, "people": people}
            for area, (count, people) in sorted(by_area.items())]


# History ------------------------------------------------------------------------------------


@dataclass
class Change:
    when: Any
    who: str
    kind: str  # 新建 / 修改 / 删除
    fields: list[tuple[str, str, str]]  # (label, old, new)


def _shown(model, name: str, value, related: dict | None = None) -> str:
    if value is None or value == "":
        return ""
    if name in MASKS:
        return MASKS[name](str(value))
    field_obj = model._meta.get_field(name)
    if field_obj.choices:
        return str(dict(field_obj.flatchoices).get(value, value))
    if field_obj.is_relation and related is not None:  # a name (户主: 蔡斌), not the row's id
        return str(related.get((name, value), value))
    if isinstance(value, bool):
        return _("是") if value else _("否")
    return str(value)


HISTORY_HIDDEN = {"id", "county_code", "created_at", "updated_at", "initials", "id_hash"}


def _related_names(model, deltas) -> dict:
    """What the foreign keys changed in `deltas` point to, one query per related model."""
    wanted: dict[str, set] = {}
    for delta in deltas:
        for change in delta.changes:
            if model._meta.get_field(change.field).is_relation:
                wanted.setdefault(change.field, set()).update(v for v in (change.old, change.new) if v is not None)
    names = {}
    for name, ids in wanted.items():
        target = model._meta.get_field(name).related_model
        for pk, obj in target.objects.in_bulk(ids).items():
            names[(name, pk)] = str(getattr(obj, "name", None) or obj)
    return names


_HISTORY = Statement(lambda model, pk: model.history.filter(**{model._meta.pk.attname: pk})
                     .select_related("history_user").order_by("history_date", "history_id"))


@cache
def _history_fields(model) -> frozenset[str]:
    """The fields a model's history shows: read once (simple_history makes a new manager class on every
    access to `history`, about 0.1 ms)."""
    return frozenset(f.name for f in model.history.model.tracked_fields if f.editable) - HISTORY_HIDDEN


def record_history(*, record) -> list[Change]:
    """The change history of a record, newest first, personal data masked, related rows by name."""
    model = type(record)
    entries = _HISTORY(model=model, pk=record.pk)
    changes: list[Change] = []
    kinds = {"+": pgettext("history", "新建"), "~": pgettext("history", "修改"), "-": pgettext("history", "删除")}
    shown_fields = _history_fields(model)
    deltas = [entry.diff_against(previous, included_fields=shown_fields) if previous is not None else None
              for previous, entry in zip([None, *entries], entries)]
    related = _related_names(model, [d for d in deltas if d is not None])
    for entry, delta in zip(entries, deltas):
        fields = []
        if delta is not None:
            for change in delta.changes:
                label = str(model._meta.get_field(change.field).verbose_name)
                fields.append((label, _shown(model, change.field, change.old, related),
                               _shown(model, change.field, change.new, related)))
        if delta is None or fields or entry.history_type != "~":
            user = entry.history_user
            changes.append(Change(when=entry.history_date, who=str(user) if user else _("系统"),
                                  kind=kinds.get(entry.history_type, entry.history_type), fields=fields))
    return list(reversed(changes))


# Term grades ----------------------------------------------------------------------------------

SUBJECT_ORDER = ["语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "历史", "地理", "科学"]


def term_grade_list(*, scope: Scope, person: Person) -> QuerySet[TermGrade]:
    """A student's results, latest term first; nothing for a person outside the scope."""
    return (TermGrade.objects.filter(person__in=scope.persons(Person.objects.filter(pk=person.pk)))
            .order_by("-academic_year", "-term", "subject"))


def _term_before(academic_year: str, term: int) -> tuple[str, int]:
    if term == 2:
        return academic_year, 1
    start = int(academic_year[:4])
    return f"{start - 1}-{start}", 2


@dataclass
class GradeChange:
    subject: str
    before: Decimal | None
    now: Decimal | None

    @property
    def change(self) -> Decimal | None:
        return None if self.before is None or self.now is None else self.now - self.before


@dataclass
class GradeComparison:
    current: str
    previous: str
    rows: list[GradeChange]

    @property
    def average_change(self) -> Decimal | None:
        """The mean change over the subjects graded in both terms."""
        changes = [r.change for r in self.rows if r.change is not None]
        return (sum(changes) / len(changes)).quantize(Decimal("0.1")) if changes else None


def term_grades_compare(*, scope: Scope, person: Person) -> GradeComparison | None:
    """The student's latest term with results beside the term before it, subject by subject.
    One query; None when nothing is recorded."""
    grades = list(term_grade_list(scope=scope, person=person))
    if not grades:
        return None
    latest = (grades[0].academic_year, grades[0].term)
    before = _term_before(*latest)
    now = {g.subject: g.score for g in grades if (g.academic_year, g.term) == latest}
    then = {g.subject: g.score for g in grades if (g.academic_year, g.term) == before}
    subjects = sorted(set(now) | set(then),
                      key=lambda s: (SUBJECT_ORDER.index(s) if s in SUBJECT_ORDER else len(SUBJECT_ORDER), s))
    return GradeComparison(current=term_label(*latest), previous=term_label(*before),
                           rows=[GradeChange(subject=s, before=then.get(s), now=now.get(s)) for s in subjects])
