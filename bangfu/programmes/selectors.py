"""Reads of programmes and pairings. Every selector takes the caller's Scope first."""

from django.db.models import Case, Count, Exists, F, IntegerField, Max, OuterRef, Q, QuerySet, Value, When
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound
from bangfu.programmes.choices import PairingStatus, PartyKind
from bangfu.programmes.models import Pairing, Programme
from bangfu.regions.models import pad
from bangfu.registry.models import Household, Organization, Person, Team
from bangfu.sql import Statement, prepared


def _ancestor_codes(prefix: str) -> list[str]:
    return [pad(prefix[:n]) for n in (2, 4, 6, 9) if len(prefix) >= n]


def programmes_in_scope(scope: Scope, qs: QuerySet | None = None) -> QuerySet[Programme]:
    """Programmes run inside the scope, and those of a level above that cover it (a county's
    programme is a township's work too)."""
    qs = Programme.objects.all() if qs is None else qs
    if not scope.prefix:
        return qs
    return qs.filter(Q(region__code__startswith=scope.prefix) | Q(region__code__in=_ancestor_codes(scope.prefix)))


def pairings_in_scope(scope: Scope, qs: QuerySet | None = None) -> QuerySet[Pairing]:
    qs = Pairing.objects.all() if qs is None else qs
    qs = scope.in_prefix(qs)  # by county_code first (docs/scale.md)
    if not scope.rules.see_households:
        qs = qs.exclude(target_kind=PartyKind.HOUSEHOLD)
    if scope.organization_id is not None:
        org = scope.organization_id
        qs = qs.filter(Q(helper_organization_id=org) | Q(target_organization_id=org)
                       | Q(helper_person__organization_id=org) | Q(target_person__organization_id=org))
    return qs


def programme_list(*, scope: Scope) -> QuerySet[Programme]:
    active = Q(pairings__status=PairingStatus.ACTIVE)
    if scope.prefix:
        active &= Q(pairings__region__code__startswith=scope.prefix)
    return (programmes_in_scope(scope).select_related("owner", "region")
            .annotate(pairing_count=Count("pairings", filter=active)).order_by("-starts_on", "name"))


def programme_get(*, scope: Scope, pk: int) -> Programme:
    programme = programmes_in_scope(scope, Programme.objects.select_related("owner", "region")).filter(pk=pk).first()
    if programme is None:
        raise NotFound(_("帮扶项目不存在或不在您的管辖范围内"))
    return programme


def programme_part_get(*, scope: Scope, programme_pk: int, related: str, pk: int):
    """A term or an obligation (`related`: "terms", "obligations") of a programme in scope; one of
    another programme, or outside the scope, is not found."""
    part = getattr(programme_get(scope=scope, pk=programme_pk), related).filter(pk=pk).first()
    if part is None:
        raise NotFound(_("该项不存在或不属于此帮扶项目"), field=f"{related.removesuffix('s')}_id")
    return part


PAIRING_RELATED = ("programme", "region", "helper_person", "helper_person__organization", "helper_organization",
                   "helper_team", "helper_team__organization", "target_household", "target_household__head", "target_person",
                   "target_organization", "target_village")
# The columns a pairing shown on a list of rows needs (names, links, units, scope checks: helper_in_scope,
# Pairing.helper_name, target_name and helper_unit), for `.only()` beside select_related(*PAIRING_RELATED):
# the twelve related rows in full were three quarters of reading fifty pairings (persons' 35 columns, two of
# them decrypted, timestamps parsed). Anything else read from such a pairing costs a query of its own.
PAIRING_SHOWN = (
    "id", "programme_id", "county_code", "region_id", "helper_kind", "helper_person_id", "helper_organization_id",
    "helper_team_id", "target_kind", "target_household_id", "target_person_id", "target_organization_id",
    "target_village_id", "status", "starts_on", "ends_on", "helper_role",
    "programme__name", "region__name", "region__full_name",
    "helper_person__name", "helper_person__region_id", "helper_person__organization_id",
    "helper_person__organization__name", "helper_organization__name", "helper_organization__region_id",
    "helper_team__name", "helper_team__region_id", "helper_team__organization_id", "helper_team__organization__name",
    "target_household__number", "target_household__region_id", "target_household__head_id",
    "target_household__head__name", "target_person__name", "target_person__region_id",
    "target_organization__name", "target_organization__region_id", "target_village__name")


def pairing_list(*, scope: Scope, programme: Programme | None = None, status: str = "", q: str = "",
                 helper_person: int | None = None, target_household: int | None = None,
                 target_person: int | None = None) -> QuerySet[Pairing]:
    qs = prepared(pairings_in_scope(scope).select_related(*PAIRING_RELATED))
    if programme is not None:
        qs = qs.filter(programme=programme)
    if status:
        qs = qs.filter(status=status)
    if helper_person:
        qs = qs.filter(helper_person_id=helper_person)
    if target_household:
        qs = qs.filter(target_household_id=target_household)
    if target_person:
        qs = qs.filter(target_person_id=target_person)
    q = q.strip()
    if q:
        qs = qs.filter(Q(helper_person__name__contains=q) | Q(target_person__name__contains=q)
                       | Q(target_household__head__name__contains=q) | Q(helper_organization__name__contains=q)
                       | Q(target_organization__name__contains=q) | Q(helper_team__name__contains=q)
                       | Q(target_household__number__startswith=q))
    return qs.order_by("programme_id", "region_id", "pk")


def pairing_get(*, scope: Scope, pk: int) -> Pairing:
    pairing = prepared(pairings_in_scope(scope).select_related(*PAIRING_RELATED, "previous")).filter(pk=pk).first()
    if pairing is None:
        raise NotFound(_("结对不存在或不在您的管辖范围内"))
    return pairing


def pairing_chain(*, pairing: Pairing) -> QuerySet[Pairing]:
    """Every pairing the same target has had in the same programme: the handover history."""
    qs = Pairing.objects.filter(programme_id=pairing.programme_id, target_kind=pairing.target_kind)
    for field in ("target_household_id", "target_person_id", "target_organization_id", "target_village_id"):
        if getattr(pairing, field):
            qs = qs.filter(**{field: getattr(pairing, field)})
    return qs.select_related(*PAIRING_RELATED).order_by("starts_on", "pk")


# Checks: lists to fix ----------------------------------------------------------------------


def uncovered_targets(*, scope: Scope, programme: Programme) -> QuerySet:
    """Targets the programme covers that have no active pairing: "每个贫困户都有帮扶责任人"."""
    kind = programme.target_kinds[0] if programme.target_kinds else ""
    active = Pairing.objects.filter(programme=programme, status=PairingStatus.ACTIVE)
    condition = {}
    if programme.coverage_attribute:
        condition = {f"{programme.coverage_attribute}__in": programme.coverage_values}
    if kind == PartyKind.HOUSEHOLD:
        qs = scope.households(Household.objects.select_related("head", "region"))
        qs = qs.filter(region__code__startswith=programme.region.prefix, **condition)
        return qs.filter(~Exists(active.filter(target_household=OuterRef("pk")))).order_by("region_id", "number")
    if kind in (PartyKind.PERSON, PartyKind.ORGANIZATION) and not programme.coverage_attribute:
        # Without a condition a programme of persons or units covers only whom it pairs (new
        # teachers, supported schools): "every person in the county" is never its population.
        return Person.objects.none() if kind == PartyKind.PERSON else Organization.objects.none()
    if kind == PartyKind.PERSON:
        qs = scope.persons(Person.objects.select_related("region", "organization"))
        qs = qs.filter(region__code__startswith=programme.region.prefix, **condition)
        return qs.filter(~Exists(active.filter(target_person=OuterRef("pk")))).order_by("region_id", "name")
    if kind == PartyKind.ORGANIZATION:
        qs = scope.organizations(Organization.objects.select_related("region"))
        qs = qs.filter(region__code__startswith=programme.region.prefix, **condition)
        return qs.filter(~Exists(active.filter(target_organization=OuterRef("pk")))).order_by("region_id", "name")
    return Household.objects.none()


def over_capacity_helpers(*, scope: Scope, programme: Programme) -> QuerySet[Person]:
    """Helpers holding more active pairings than their rank allows ("54321"), as a list."""
    rules = {r.helper_rank: r.max_targets for r in programme.capacity_rules.all()}
    if not rules:
        return Person.objects.none()
    default = rules.get("")
    limit = Case(*[When(rank=rank, then=Value(n)) for rank, n in rules.items() if rank],
                 default=Value(default), output_field=IntegerField())
    active = Q(pairings_as_helper__programme=programme, pairings_as_helper__status=PairingStatus.ACTIVE)
    if scope.prefix:
        active &= Q(pairings_as_helper__region__code__startswith=scope.prefix)
    qs = (Person.objects.filter(pairings_as_helper__programme=programme).distinct()
          .annotate(pairing_count=Count("pairings_as_helper", filter=active), limit=limit)
          .filter(limit__isnull=False, pairing_count__gt=F("limit")))
    return qs.select_related("organization").order_by("-pairing_count", "name")


def team_list(*, scope: Scope) -> QuerySet[Team]:
    return scope.teams(Team.objects.select_related("organization")).order_by("name")


# Who helps whom: the household's and the person's pages ------------------------------------------


def helper_in_scope(scope: Scope, pairing: Pairing) -> bool:
    """Whether the helper's own page opens for the scope (Scope.persons/teams/organizations on a loaded
    pairing, no query): a village team sees the county cadre who helps its household by name, not as
    a link it cannot follow."""
    if pairing.helper_person_id:
        helper = pairing.helper_person
        own = scope.organization_id is None or helper.organization_id == scope.organization_id
        return own and scope.contains_code(helper.region_id)
    if pairing.helper_team_id:
        return scope.contains_code(pairing.helper_team.region_id)
    if pairing.helper_organization_id:
        own = scope.organization_id is None or pairing.helper_organization_id == scope.organization_id
        return own and scope.contains_code(pairing.helper_organization.region_id)
    return False


def target_in_scope(scope: Scope, pairing: Pairing) -> bool:
    """Whether the target's own page opens for the scope (a school administrator sees its students'
    pairings but not the household registry); on a loaded pairing, no query."""
    if pairing.target_household_id:
        return scope.rules.see_households and scope.contains_code(pairing.target_household.region_id)
    if pairing.target_person_id:
        person = pairing.target_person
        own = scope.organization_id is None or person.organization_id == scope.organization_id
        return own and scope.contains_code(person.region_id)
    if pairing.target_organization_id:
        own = scope.organization_id is None or pairing.target_organization_id == scope.organization_id
        return own and scope.contains_code(pairing.target_organization.region_id)
    return False


def pairings_linked(scope: Scope, pairings):
    """The pairings with `helper_linked` and `target_linked` set: which ends' pages the user may open."""
    for pairing in pairings:
        pairing.helper_linked = helper_in_scope(scope, pairing)
        pairing.target_linked = target_in_scope(scope, pairing)
    return pairings


def _shown_of(related: tuple[str, ...]) -> tuple[str, ...]:
    """PAIRING_SHOWN's columns of the pairing and of those of its related rows that `related` reads."""
    return tuple(f for f in PAIRING_SHOWN if "__" not in f or f.rsplit("__", 1)[0] in related)


# What 我的帮扶 shows of a helper's own pairings (its list, and its due list: compliance.display.due_lines):
# PAIRING_SHOWN without the helper's unit and the other kinds of helper — the helper is the person signed in.
OWN_PAIRING_RELATED = tuple(r for r in PAIRING_RELATED if r not in (
    "helper_person__organization", "helper_organization", "helper_team", "helper_team__organization"))
OWN_PAIRING_SHOWN = _shown_of(OWN_PAIRING_RELATED)


def _own_pairings(scope: Scope, person: int, limit: int) -> QuerySet[Pairing]:
    return (pairing_list(scope=scope, helper_person=person, status=PairingStatus.ACTIVE)
            .select_related(None).select_related(*OWN_PAIRING_RELATED).only(*OWN_PAIRING_SHOWN)[:limit])


_OWN_PAIRINGS = Statement(_own_pairings, shape=("limit",))  # compiled once (bangfu/sql.py): asked on every request


def own_pairings(*, scope: Scope, person: int, limit: int = 200) -> list[Pairing]:
    """我的帮扶: the active pairings of one helper (a person), with what its lists show."""
    return _OWN_PAIRINGS(scope=scope, person=person, limit=limit)


# What a target's page shows of each of its pairings (the helpers table, registry/_helpers.html, and the
# due list, compliance.display.due_lines): PAIRING_SHOWN of the pairing, its programme and helper, with the
# helper's rank, position and phone; not the target's rows, which the page has read already.
TARGET_PAIRING_RELATED = tuple(r for r in PAIRING_RELATED if r != "region" and not r.startswith("target_"))
TARGET_PAIRING_SHOWN = (
    *_shown_of(TARGET_PAIRING_RELATED),
    "helper_person__kind", "helper_person__rank", "helper_person__position", "helper_person__phone")


def _target_pairings(scope: Scope, household: int | None, person: int | None) -> QuerySet[Pairing]:
    qs = pairings_in_scope(scope).select_related(*TARGET_PAIRING_RELATED).only(*TARGET_PAIRING_SHOWN)
    qs = qs.filter(target_household_id=household) if household else qs.filter(target_person_id=person)
    current_first = Case(When(status=PairingStatus.ACTIVE, then=0), default=1, output_field=IntegerField())
    # A helper's own page opens only inside the scope (a village team sees the township's cadre's name, not a link).
    linked = Case(When(helper_person__region__code__startswith=scope.prefix, then=Value(True)), default=Value(False))
    if scope.organization_id is not None:
        linked = Case(When(helper_person__organization_id=scope.organization_id, then=linked), default=Value(False))
    return (qs.annotate(current_first=current_first, helper_linked=linked)
            .order_by("current_first", "-starts_on", "pk"))


_TARGET_PAIRINGS = Statement(_target_pairings)


def target_pairings(*, scope: Scope, household: Household | None = None,
                    person: Person | None = None) -> list[Pairing]:
    """Every pairing of one household or person as target, current ones first, then the latest
    ended: who helps it now and who did before, with programme, helper and helper's unit. Each
    pairing's target is the household or person given (not joined and read again)."""
    pairings = _TARGET_PAIRINGS(scope=scope, household=household.pk if household else None,
                                person=None if household else person.pk)
    for pairing in pairings:
        if household:
            pairing.target_household = household
        else:
            pairing.target_person = person
    return pairings


def helper_pairings(*, scope: Scope, person: int) -> QuerySet[Pairing]:
    """What a helper helps (current first) with their visits: how many activities they recorded in
    each pairing and the last date — the households they help and visited, in one query."""
    counted = Q(activities__withdrawn=False)
    current_first = Case(When(status=PairingStatus.ACTIVE, then=0), default=1, output_field=IntegerField())
    return (prepared(pairings_in_scope(scope).filter(helper_person_id=person).select_related(*PAIRING_RELATED))
            .annotate(current_first=current_first, visits=Count("activities", filter=counted),
                      last_visit=Max("activities__occurred_on", filter=counted))
            .order_by("current_first", "-starts_on", "pk"))


def programme_phases(*, programme: Programme, as_of) -> list:
    """The work plan's phases with the status their dates give on `as_of` (进行中 / 已结束), unless
    marked done: a phase is not 未开始 after its dates (issue 14)."""
    phases = list(programme.phases.prefetch_related("tasks"))
    for phase in phases:
        if phase.status == "done":
            phase.status_shown = phase.get_status_display()
        elif phase.ends_on and phase.ends_on < as_of:
            phase.status_shown = _("已结束")
        elif phase.starts_on and phase.starts_on <= as_of:
            phase.status_shown = _("进行中")
        else:
            phase.status_shown = _("未开始")
    return phases
