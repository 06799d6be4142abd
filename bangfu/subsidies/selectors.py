"""Reading schemes, applications, notices' rows and payment batches, inside the caller's scope."""

from django.db.models import Count, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound
from bangfu.procedures.models import Case
from bangfu.regions.models import Region
from bangfu.registry.models import Person
from bangfu.subsidies.models import Application, InspectionPhoto, PaymentBatch, SubsidyScheme


def scheme_list(*, scope: Scope) -> QuerySet:
    """Schemes a user works with: those of the user's county (or of a region above or below it)."""
    if not scope.rules.see_households:
        return SubsidyScheme.objects.none()
    qs = SubsidyScheme.objects.select_related("region").prefetch_related("standards")
    if scope.prefix:
        county = scope.prefix[:6]
        qs = qs.filter(Q(region__code__startswith=scope.prefix) | Q(county_code=county))
    return qs.order_by("-year", "name", "pk")


def scheme_get(*, scope: Scope, pk: int) -> SubsidyScheme:
    scheme = scheme_list(scope=scope).filter(pk=pk).first()
    if scheme is None:
        raise NotFound(_("补助政策不存在或不在您的管辖范围内"))
    return scheme


def application_list(*, scope: Scope, scheme: SubsidyScheme | None = None, state: str = "",
                     region: str = "") -> QuerySet:
    if not scope.rules.see_households:
        return Application.objects.none()
    qs = Application.objects.select_related("scheme", "household", "household__head", "region", "case")
    if scope.prefix:
        qs = qs.filter(region__code__startswith=scope.prefix)
    if scheme is not None:
        qs = qs.filter(scheme=scheme)
    if state:
        qs = qs.filter(case__state=state)
    if region:  # a region code (12 digits) or a code prefix
        prefix = Region.objects.filter(code=region).values_list("prefix", flat=True).first() or region
        qs = qs.filter(region__code__startswith=prefix)
    return qs.order_by("region_id", "pk")


def application_get(*, scope: Scope, pk: int) -> Application:
    application = application_list(scope=scope).filter(pk=pk).first()
    if application is None:
        raise NotFound(_("申报不存在或不在您的管辖范围内"))
    return application


def inspection_photo_get(*, scope: Scope, pk: int) -> InspectionPhoto:
    photo = (InspectionPhoto.objects.filter(pk=pk, application__in=application_list(scope=scope).values("pk"))
             .first())
    if photo is None:
        raise NotFound(_("验收照片不存在或不在您的管辖范围内"))
    return photo


def application_summary(*, scope: Scope, scheme: SubsidyScheme) -> list[dict]:
    """Applications of a scheme per state: count, accepted quantity and amount (one GROUP BY)."""
    return list(application_list(scope=scope, scheme=scheme).order_by().values("case__state")
                .annotate(count=Count("pk"), quantity=Sum("accepted_quantity"), amount=Sum("amount"))
                .order_by("case__state"))


def notice_rows_for_cases(case_ids: list[int]) -> list[dict]:
    """A subsidy notice's rows (raw values: procedures' notice_rows masks the personal ones)."""
    applications = (Application.objects.filter(case_id__in=case_ids).select_related("region")
                    .order_by("region_id", "pk"))
    heads = {p.household_id: p for p in Person.objects.filter(
        household_id__in=[a.household_id for a in applications], relation="head")}
    rows = []
    for a in applications:
        head = heads.get(a.household_id)
        rows.append({"application": a.pk, "case": a.case_id, "name": head.name if head else "",
                     "id_number": head.id_number if head else "", "village": a.region.name,
                     "members": a.members, "accepted_quantity": a.accepted_quantity, "amount": a.amount})
    return rows


def batch_list(*, scope: Scope, scheme: SubsidyScheme | None = None) -> QuerySet:
    if not scope.rules.see_households:
        return PaymentBatch.objects.none()
    qs = PaymentBatch.objects.select_related("scheme", "township", "allocation")
    if scope.prefix:
        qs = qs.filter(township__code__startswith=scope.prefix)  # a village user sees no township batch
    return qs.filter(scheme=scheme) if scheme else qs


def batch_get(*, scope: Scope, pk: int) -> PaymentBatch:
    batch = batch_list(scope=scope).filter(pk=pk).first()
    if batch is None:
        raise NotFound(_("代发批次不存在或不在您的管辖范围内"))
    return batch


def case_state_counts(*, scope: Scope, scheme: SubsidyScheme) -> dict[str, int]:
    ids = application_list(scope=scope, scheme=scheme).values("case_id")
    return dict(Case.objects.filter(pk__in=ids).values_list("state").annotate(n=Count("pk")))
