"""Reading clues inside the caller's scope: the list, one clue, and the per-village roll-up."""

from django.db.models import Count, Q, QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.crosschecks.models import Clue, ClueStatus, ListEntry, ListSource
from bangfu.errors import NotFound


def _scoped(scope: Scope, qs: QuerySet) -> QuerySet:
    if not scope.rules.see_households:
        return qs.none()
    return qs.filter(region__code__startswith=scope.prefix) if scope.prefix else qs


def clue_list(*, scope: Scope, region: str = "", status: str = "", source: str = "", finding: str = "") -> QuerySet:
    """Clues in the scope, narrowed to a region (refused outside the scope, never widened)."""
    scope = scope.narrow(region)
    qs = _scoped(scope, Clue.objects.select_related("region", "household", "household__head", "person", "entry"))
    if status == "pending":
        qs = qs.filter(status__in=(ClueStatus.OPEN, ClueStatus.ASSIGNED, ClueStatus.VERIFIED))
    elif status:
        qs = qs.filter(status=status)
    if source:
        qs = qs.filter(source=source)
    if finding:
        qs = qs.filter(finding=finding)
    return qs.order_by("region_id", "pk")


def clue_get(*, scope: Scope, pk: int) -> Clue:
    clue = clue_list(scope=scope).filter(pk=pk).first()
    if clue is None:
        raise NotFound(_("线索不存在或不在您的管辖范围内"))
    return clue


def clue_villages(*, scope: Scope, region: str = "") -> list[dict]:
    """Clues per village (疑点线索 by village): open, in progress, closed, exempted — one query."""
    pending = (ClueStatus.OPEN, ClueStatus.ASSIGNED, ClueStatus.VERIFIED)
    rows = (clue_list(scope=scope, region=region).order_by().values("region_id", "region__full_name")
            .annotate(total=Count("pk"), pending=Count("pk", filter=Q(status__in=pending)),
                      closed=Count("pk", filter=Q(status=ClueStatus.CLOSED)),
                      exempted=Count("pk", filter=Q(status=ClueStatus.EXEMPTED)))
            .order_by("region_id"))
    return [{"code": r["region_id"], "name": r["region__full_name"], "total": r["total"], "pending": r["pending"],
             "closed": r["closed"], "exempted": r["exempted"]} for r in rows]


def entry_counts(*, scope: Scope) -> list[dict]:
    """How many entries each list holds in the scope (the lists page)."""
    qs = ListEntry.objects.all()
    qs = qs.filter(region__code__startswith=scope.prefix) if scope.prefix else qs
    if not scope.rules.see_households:
        qs = qs.none()
    labels = dict(ListSource.choices)
    return [{"source": r["source"], "label": labels.get(r["source"], r["source"]), "n": r["n"]}
            for r in qs.values("source").annotate(n=Count("pk")).order_by("source")]
