"""Reading measures (a household's 一户一策) and projects inside the caller's scope."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound
from bangfu.measures.models import Measure, MeasureEvidence, MeasureStatus, Project
from bangfu.sql import Statement


def _scoped(scope: Scope, qs: QuerySet) -> QuerySet:
    if not scope.rules.see_households:
        return qs.none()
    return scope.in_prefix(qs)


def measure_list(*, scope: Scope, household: int | None = None, category: str = "", status: str = "",
                 helper: int | None = None) -> QuerySet:
    qs = _scoped(scope, Measure.objects.select_related("household", "household__head", "person", "helper", "unit",
                                                       "allocation"))
    if household:
        qs = qs.filter(household_id=household)
    if helper:
        qs = qs.filter(helper_id=helper)
    if category:
        qs = qs.filter(category=category)
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("household_id", "planned_on", "pk")


def _to_deliver(scope: Scope, helper: int, limit: int) -> QuerySet:
    return (measure_list(scope=scope, helper=helper, status=MeasureStatus.PLANNED)
            .select_related(None).select_related("household__head")
            .only("id", "household_id", "category", "description", "planned_on", "household__number",
                  "household__head__name")[:limit])


_TO_DELIVER = Statement(_to_deliver, shape=("limit",))


def measures_to_deliver(*, scope: Scope, helper: int, limit: int = 50) -> list[Measure]:
    """我的帮扶: the measures a helper is responsible for and has not yet delivered, with what its table
    shows (the household's head or number, category, description, planned date), not six related rows;
    compiled once and prepared (bangfu/sql.py): the page asks it on every request."""
    return _TO_DELIVER(scope=scope, helper=helper, limit=limit)


def measure_get(*, scope: Scope, pk: int) -> Measure:
    measure = measure_list(scope=scope).filter(pk=pk).first()
    if measure is None:
        raise NotFound(_("帮扶措施不存在或不在您的管辖范围内"))
    return measure


def measure_evidence_get(*, scope: Scope, pk: int) -> MeasureEvidence:
    evidence = MeasureEvidence.objects.filter(pk=pk, measure__in=measure_list(scope=scope).values("pk")).first()
    if evidence is None:
        raise NotFound(_("佐证材料不存在或不在您的管辖范围内"))
    return evidence


def project_list(*, scope: Scope) -> QuerySet:
    return _scoped(scope, Project.objects.select_related("region", "responsible_unit")).order_by("name", "pk")


def project_get(*, scope: Scope, pk: int) -> Project:
    project = project_list(scope=scope).filter(pk=pk).first()
    if project is None:
        raise NotFound(_("项目不存在或不在您的管辖范围内"))
    return project


def project_households(*, scope: Scope, project: Project) -> QuerySet:
    """The households a project benefits (带贫户) that the caller may see."""
    from bangfu.registry.models import Household

    return (scope.households(Household.objects.all()).filter(pk__in=project.beneficiaries.values("household_id"))
            .select_related("head", "region").order_by("region_id", "number"))
