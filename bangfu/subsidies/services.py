"""Subsidy schemes and the acceptance workflow: apply, register, inspect, assess, publish,
review, approve. Payment batches are in payments.py. Every step goes through the procedures
machinery, which checks role and scope and records who, when and why."""

from collections.abc import Iterable
from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, FieldErrors, NotFound, PermissionDenied, ValidationError
from bangfu.procedures import services as procedures
from bangfu.procedures.models import Notice
from bangfu.regions.models import Region
from bangfu.registry.choices import HouseholdStatus
from bangfu.registry.models import Household
from bangfu.subsidies import procedure
from bangfu.subsidies.models import AcceptanceStandard, Application, InspectionPhoto, StandardKind, SubsidyScheme, Unit
from bangfu.subsidies.rules import amount_expression, parse_value, standard_failure
from bangfu.subsidies.selectors import application_list, scheme_list

SCHEME_FIELDS = {"name", "year", "region", "unit", "rate", "minimum_quantity", "cap_per_member", "cap_per_household",
                 "eligible_statuses", "registered_until", "opens_on", "closes_on", "description"}
STANDARD_FIELDS = {"label", "kind", "unit", "low", "high", "low_date", "high_date"}


def _full_clean(obj, exclude=None, prefix: str = "") -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise FieldErrors({f"{prefix}{k}": [str(m) for m in v] for k, v in exc.message_dict.items()}) from None


def _quantity(value, *, field: str, label: str) -> Decimal:
    try:
        quantity = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(_("%(l)s请填写数字") % {"l": label}, field=field) from None
    if not quantity.is_finite() or quantity <= 0:
        raise ValidationError(_("%(l)s须大于0") % {"l": label}, field=field)
    if quantity != quantity.quantize(Decimal("0.01")):
        raise ValidationError(_("%(l)s最多保留两位小数") % {"l": label}, field=field)
    return quantity


@transaction.atomic
def scheme_create(*, scope: Scope, by, data: dict, standards: list[dict]) -> SubsidyScheme:
    """Configure a scheme and its acceptance standards (no code: every number is data)."""
    if not scope.rules.manage_funds:
        raise PermissionDenied(_("您的角色无权制定补助政策"))
    unknown = set(data) - SCHEME_FIELDS
    if unknown:
        raise ValidationError(_("不能设置的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    data = dict(data)
    region = Region.objects.filter(code=str(data.pop("region", "") or "")).first()
    if region is None or (scope.prefix and not region.code.startswith(scope.prefix)):
        raise NotFound(_("实施区域不存在或不在您的管辖范围内"))
    statuses = data.get("eligible_statuses") or []
    bad = [s for s in statuses if s not in HouseholdStatus.values]
    if bad:
        raise ValidationError(_("户状态“%(s)s”不正确") % {"s": bad[0]}, field="eligible_statuses")
    if data.get("unit") not in Unit.values:
        raise ValidationError(_("计量单位须为 亩、头、只、人、户 之一"), field="unit")
    scheme = SubsidyScheme(region=region, county_code=region.code[:6], created_by=by, **data)
    scheme._history_user = by
    _full_clean(scheme, exclude=["region", "created_by"])
    scheme.save()
    rows = []
    for i, raw in enumerate(standards, start=1):
        unknown = set(raw) - STANDARD_FIELDS
        if unknown:
            raise ValidationError(_("验收标准第 %(i)s 条：不能设置的字段 %(f)s") % {"i": i, "f": ", ".join(sorted(unknown))},
                                  field=f"standards.{i}", row=i)
        standard = AcceptanceStandard(scheme=scheme, position=i, **raw)
        if standard.kind not in StandardKind.values:
            raise ValidationError(_("验收标准第 %(i)s 条：类型须为数值或日期") % {"i": i}, field=f"standards.{i}.kind", row=i)
        try:
            standard.full_clean(exclude=["scheme"])
        except DjangoValidationError as exc:
            field, messages = next(iter(exc.message_dict.items()))
            raise ValidationError(_("验收标准第 %(i)s 条(%(l)s)：%(m)s") % {
                "i": i, "l": standard.label, "m": messages[0]}, field=f"standards.{i}.{field}", row=i) from None
        rows.append(standard)
    labels = [s.label for s in rows]
    if len(set(labels)) != len(labels):
        raise ValidationError(_("验收项目名称重复"), field="standards")
    AcceptanceStandard.objects.bulk_create(rows)
    return scheme


def _eligibility(scheme: SubsidyScheme, household: Household, applied_on: date) -> None:
    if not household.region_id.startswith(scheme.region.prefix):
        raise ValidationError(_("该户不在本补助的实施区域(%(r)s)内") % {"r": scheme.region.name}, field="household")
    if scheme.eligible_statuses and household.status not in scheme.eligible_statuses:
        allowed = "、".join(str(HouseholdStatus(s).label) for s in scheme.eligible_statuses)
        raise ValidationError(_("户状态为“%(s)s”，本补助只限%(a)s") % {
            "s": household.get_status_display(), "a": allowed}, field="household")
    if scheme.registered_until and (household.identified_on is None
                                    or household.identified_on > scheme.registered_until):
        raise ValidationError(_("本补助只限 %(d)s 及以前建档立卡的户") % {"d": scheme.registered_until},
                              field="household")
    if not scheme.opens_on <= applied_on <= scheme.closes_on:
        raise ValidationError(_("申报期为 %(a)s 至 %(b)s") % {"a": scheme.opens_on, "b": scheme.closes_on},
                              field="applied_on")


def _minimum(scheme: SubsidyScheme, quantity: Decimal, *, field: str, what: str) -> None:
    if quantity < scheme.minimum_quantity:
        raise ValidationError(_("%(w)s %(q)s%(u)s 低于最低 %(m)s%(u)s，不予验收") % {
            "w": what, "q": quantity, "m": scheme.minimum_quantity, "u": scheme.get_unit_display()}, field=field)


@transaction.atomic
def application_create(*, scope: Scope, by, scheme: SubsidyScheme, household: Household, quantity,
                       applied_on: date, comment: str = "") -> Application:
    """申报: a household's claim (entered by or for it). A quantity under the minimum is refused
    here, before any inspection, with its reason."""
    if scope.role != Role.ADMIN and scope.role not in procedure.APPLY_ROLES:
        raise PermissionDenied(_("您的角色(%(r)s)不能录入补助申报") % {"r": Role(scope.role).label})
    scheme = scheme_list(scope=scope).filter(pk=scheme.pk).select_related("region").first()
    if scheme is None:
        raise NotFound(_("补助政策不存在或不在您的管辖范围内"))
    household = scope.households(Household.objects.all()).filter(pk=household.pk).first()
    if household is None:
        raise NotFound(_("农户不存在或不在您的管辖范围内"))
    quantity = _quantity(quantity, field="quantity", label=_("申报数量"))
    _minimum(scheme, quantity, field="quantity", what=_("申报数量"))
    _eligibility(scheme, household, applied_on)
    if household.size < 1:
        raise ValidationError(_("该户没有登记家庭成员，无法按人均上限核定"), field="household")
    application = Application(scheme=scheme, household=household, county_code=household.county_code,
                              region_id=household.region_id, quantity=quantity, members=household.size,
                              applied_on=applied_on, created_by=by)
    try:
        with transaction.atomic():
            application.save()
    except IntegrityError:
        raise Conflict(_("该户已申报过“%(s)s”") % {"s": scheme.name}, field="household") from None
    [case] = procedures.case_open(scope=scope, by=by, definition=procedure.KEY, subject_kind=procedure.SUBJECT,
                                  subject_ids_regions=[(application.pk, application.region_id)], on=applied_on,
                                  comment=comment)
    Application.objects.filter(pk=application.pk).update(case=case)
    application.case = case
    return application


def _cases(scope: Scope, application_ids: Iterable[int]) -> list[int]:
    ids = set(application_ids)
    found = dict(application_list(scope=scope).filter(pk__in=ids).values_list("pk", "case_id"))
    if not ids or len(found) != len(ids):
        raise NotFound(_("申报不存在或不在您的管辖范围内"))
    return list(found.values())


def applications_advance(*, scope: Scope, by, application_ids: Iterable[int], transition: str, on: date,
                         comment: str = "") -> int:
    """村登记汇总, 县审核, 审批: a plain step for one or many applications."""
    cases = procedures.cases_advance(scope=scope, by=by, definition=procedure.KEY,
                                     case_ids=_cases(scope, application_ids), transition=transition, on=on,
                                     comment=comment)
    return len(cases)


@transaction.atomic
def inspection_record(*, scope: Scope, by, application: Application, measured: dict, accepted_quantity,
                      inspected_on: date, comment: str = "") -> Application:
    """乡镇验收: the measured values, judged against every standard (inclusive bounds); the accepted
    quantity against the minimum. Each failure names its standard and value."""
    d = procedure.DEFINITION
    procedures.transition_check(scope=scope, transition=d.transition("inspect_pass"))
    application = application_list(scope=scope).select_for_update(of=("self",)).filter(pk=application.pk).first()
    if application is None:
        raise NotFound(_("申报不存在或不在您的管辖范围内"))
    scheme = application.scheme
    if inspected_on < application.applied_on:
        raise ValidationError(_("验收日期不能早于申报日期"), field="inspected_on")
    quantity = _quantity(accepted_quantity, field="accepted_quantity", label=_("验收数量"))
    if quantity > application.quantity:
        raise ValidationError(_("验收数量 %(a)s 不能大于申报数量 %(q)s") % {"a": quantity, "q": application.quantity},
                              field="accepted_quantity")
    standards = list(scheme.standards.all())
    by_label = {s.label: s for s in standards}
    unknown = [k for k in measured if k not in by_label and str(k) not in {str(s.pk) for s in standards}]
    if unknown:
        raise ValidationError(_("验收项目“%(k)s”不在本补助的验收标准中") % {"k": unknown[0]}, field="measured")
    values, failures = {}, []
    for standard in standards:
        raw = measured.get(standard.label, measured.get(str(standard.pk)))
        try:
            value = parse_value(standard, raw)
        except ValueError as exc:
            raise ValidationError(str(exc), field=f"measured.{standard.label}") from None
        values[standard.label] = str(value)
        failure = standard_failure(standard, value)
        if failure:
            failures.append({"standard": standard.label, "value": str(value), "message": failure})
    if quantity < scheme.minimum_quantity:
        failures.append({"standard": _("验收数量"), "value": str(quantity),
                         "message": _("验收数量 %(q)s%(u)s 低于最低 %(m)s%(u)s") % {
                             "q": quantity, "m": scheme.minimum_quantity, "u": scheme.get_unit_display()}})
    passed = not failures
    Application.objects.filter(pk=application.pk).update(
        measured=values, failures=failures, passed=passed, accepted_quantity=quantity if passed else None,
        inspected_on=inspected_on, inspected_by=by)
    note = "；".join(f["message"] for f in failures) or _("验收合格")
    procedures.cases_advance(scope=scope, by=by, definition=d.key, case_ids=[application.case_id],
                             transition="inspect_pass" if passed else "inspect_fail", on=inspected_on,
                             comment=f"{note} {comment}".strip(), service=True)
    application.refresh_from_db()
    return application


PHOTO_STATES = ("registered", "inspected", "failed")  # the inspection's photos: before or just after the values
PHOTO_TYPES = {"image/jpeg": ".jpg", "image/png": ".png", "image/webp": ".webp", "image/heic": ".heic"}


@transaction.atomic
def inspection_photo_add(*, scope: Scope, by, application: Application, upload) -> InspectionPhoto:
    """A photo of the 乡镇验收, by whoever may inspect, until the amounts are assessed (then the
    evidence the notice rests on is closed)."""
    from bangfu.activities.services import evidence_read

    procedures.transition_check(scope=scope, transition=procedure.DEFINITION.transition("inspect_pass"))
    application = application_list(scope=scope).filter(pk=application.pk).first()
    if application is None:
        raise NotFound(_("申报不存在或不在您的管辖范围内"))
    if application.case.state not in PHOTO_STATES:
        raise Conflict(_("该申报已进入“%(s)s”，不能再补充验收照片") % {
            "s": procedure.DEFINITION.state(application.case.state).label})
    photo = InspectionPhoto(application=application, county_code=application.county_code, uploaded_by=by,
                            **evidence_read(upload, types=PHOTO_TYPES))
    photo.save()
    return photo


@transaction.atomic
def applications_assess(*, scope: Scope, by, scheme: SubsidyScheme, region: str, on: date) -> int:
    """造册核定: compute the amount of every accepted application of the scheme in `region` (a
    township or a village) in one UPDATE by the scheme's rule, then record the step."""
    d = procedure.DEFINITION
    procedures.transition_check(scope=scope, transition=d.transition("assess"))
    place = Region.objects.filter(code=region).first()
    if place is None or (scope.prefix and not place.code.startswith(scope.prefix)):
        raise NotFound(_("区域不存在或不在您的管辖范围内"))
    qs = application_list(scope=scope, scheme=scheme, state="inspected", region=region)
    ids = list(qs.values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("没有待造册核定(验收合格)的申报"), field="region")
    Application.objects.filter(pk__in=ids).update(amount=amount_expression(scheme))
    procedures.cases_advance(scope=scope, by=by, definition=d.key, case_ids=_cases(scope, ids), transition="assess",
                             on=on, comment=_("按“%(s)s”标准核定金额") % {"s": scheme.name}, service=True)
    return len(ids)


@transaction.atomic
def applications_publish(*, scope: Scope, by, scheme: SubsidyScheme, village: str, starts_on: date,
                         ends_on: date) -> Notice:
    """村内公示: post the village's assessed applications for the notice period."""
    procedures.notice_role_check(scope, procedure.DEFINITION)  # before saying what the village holds
    ids = list(application_list(scope=scope, scheme=scheme, state="assessed", region=village)
               .values_list("case_id", flat=True))
    place = Region.objects.filter(code=village).first()
    if place is None or (scope.prefix and not place.code.startswith(scope.prefix)):
        raise NotFound(_("村不存在或不在您的管辖范围内"))
    if not ids:
        raise ValidationError(_("%(v)s没有待公示(已造册核定)的申报") % {"v": place.name}, field="village")
    title = _("%(y)s年%(s)s验收结果公示(%(v)s)") % {"y": scheme.year, "s": scheme.name, "v": place.name}
    return procedures.notice_publish(scope=scope, by=by, definition=procedure.KEY, case_ids=ids, region=village,
                                     title=title, starts_on=starts_on, ends_on=ends_on, transition="publish")
