"""Reads of activities: the log of a pairing, a household or a person (帮扶手册)."""

from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity, Evidence
from bangfu.errors import NotFound
from bangfu.programmes.selectors import pairings_in_scope


def current_activities(qs: QuerySet[Activity] | None = None) -> QuerySet[Activity]:
    """Activities that count: not superseded by a correction, and not themselves a withdrawal."""
    qs = Activity.objects.all() if qs is None else qs
    return qs.filter(withdrawn=False).exclude(Exists(Activity.objects.filter(supersedes=OuterRef("pk"))))


def activity_list(*, scope: Scope, pairing: int | None = None, household: int | None = None,
                  person: int | None = None, programme: int | None = None, kind: str = "",
                  include_superseded: bool = False) -> QuerySet[Activity]:
    """The activity log, newest first; with include_superseded the corrected rows show too. A
    pairing, household, person or programme filter outside the scope is refused (NotFound), never
    read as an empty log."""
    _filters_check(scope, pairing=pairing, household=household, person=person, programme=programme)
    pairings = pairings_in_scope(scope)
    if programme:
        pairings = pairings.filter(programme_id=programme)
    if pairing:
        pairings = pairings.filter(pk=pairing)
    if household:
        pairings = pairings.filter(target_household_id=household)
    if person:
        pairings = pairings.filter(Q(target_person_id=person) | Q(helper_person_id=person))
    qs = Activity.objects.filter(pairing__in=pairings.values("pk"))
    if not include_superseded:
        qs = current_activities(qs)
    if kind:
        qs = qs.filter(kind=kind)
    qs = qs.annotate(superseded=Exists(Activity.objects.filter(supersedes=OuterRef("pk"))))
    return (qs.select_related("pairing__programme", "pairing__helper_person", "pairing__helper_organization",
                              "pairing__helper_team", "recorded_by")
            .prefetch_related(Prefetch("evidence", queryset=Evidence.objects.order_by("pk")))
            .order_by("-occurred_on", "-pk"))


def _filters_check(scope: Scope, *, pairing, household, person, programme) -> None:
    from bangfu.programmes.selectors import pairing_get, programme_get
    from bangfu.registry.selectors import household_get, person_get

    for pk, get in ((pairing, pairing_get), (household, household_get), (person, person_get),
                    (programme, programme_get)):
        if pk:
            get(scope=scope, pk=pk)


def activity_get(*, scope: Scope, pk: int) -> Activity:
    activity = (Activity.objects.filter(pk=pk, pairing__in=pairings_in_scope(scope).values("pk"))
                .select_related("pairing__programme", "supersedes", "recorded_by").first())
    if activity is None:
        raise NotFound(_("活动记录不存在或不在您的管辖范围内"))
    return activity


def evidence_get(*, scope: Scope, pk: int) -> Evidence:
    evidence = Evidence.objects.filter(pk=pk, activity__pairing__in=pairings_in_scope(scope).values("pk")).first()
    if evidence is None:
        raise NotFound(_("佐证材料不存在或不在您的管辖范围内"))
    return evidence
