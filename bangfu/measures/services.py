"""Writing measures and projects. A measure is planned by an office for a household in its scope,
and marked delivered by the office or by the helper responsible for it; a project is planned,
linked to the households it benefits, its milestones kept, and accepted with its real size."""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, FieldErrors, NotFound, PermissionDenied, ValidationError
from bangfu.funds.selectors import allocation_list
from bangfu.measures.models import (Measure, MeasureCategory, MeasureEvidence, MeasureStatus, Milestone, Project,
                                   ProjectBeneficiary)
from bangfu.measures.selectors import measure_list, project_list
from bangfu.regions.models import Region
from bangfu.registry.models import Household, Organization, Person

MEASURE_FIELDS = {"household", "person", "category", "description", "helper", "unit", "planned_on", "amount",
                  "allocation", "expected_income"}


def _full_clean(obj, exclude=None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise FieldErrors({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from None


def _money(value, field: str) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("请填写数字"), field=field) from None
    if not amount.is_finite() or amount < 0:
        raise ValidationError(_("不能为负"), field=field)
    return amount


def _edit_check(scope: Scope) -> None:
    if not scope.rules.edit_registry or not scope.rules.see_households:
        raise PermissionDenied(_("您的角色不能制定帮扶措施或项目"))


@transaction.atomic
def measure_create(*, scope: Scope, by, data: dict) -> Measure:
    """Plan a measure for a household (or one of its members) in the caller's scope."""
    _edit_check(scope)
    unknown = set(data) - MEASURE_FIELDS
    if unknown:
        raise ValidationError(_("不能设置的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    data = dict(data)
    household = scope.households(Household.objects.all()).filter(pk=data.pop("household", None)).first()
    if household is None:
        raise NotFound(_("农户不存在或不在您的管辖范围内"))
    if data.get("category") not in MeasureCategory.values:
        raise ValidationError(_("措施类别不正确"), field="category")
    person_id = data.pop("person", None)
    if person_id and not Person.objects.filter(pk=person_id, household=household).exists():
        raise ValidationError(_("该成员不属于这一户"), field="person")
    helper_id, unit_id, allocation_id = data.pop("helper", None), data.pop("unit", None), data.pop("allocation", None)
    if helper_id and not Person.objects.filter(pk=helper_id).exists():
        raise NotFound(_("责任人不存在"))
    if unit_id and not Organization.objects.filter(pk=unit_id).exists():
        raise NotFound(_("责任单位不存在"))
    if allocation_id:
        allocation = allocation_list(scope=scope).filter(pk=allocation_id).first()
        if allocation is None or not household.region_id.startswith(allocation.region.prefix):
            raise NotFound(_("资金分配不存在，或不是下达给该户所在区域的"))
    data["amount"] = _money(data.get("amount"), "amount")
    data["expected_income"] = _money(data.get("expected_income"), "expected_income")
    measure = Measure(household=household, person_id=person_id, helper_id=helper_id, unit_id=unit_id,
                      allocation_id=allocation_id, county_code=household.county_code, region_id=household.region_id,
                      created_by=by, **data)
    measure._history_user = by
    _full_clean(measure, exclude=["household", "person", "helper", "unit", "allocation", "region", "created_by"])
    measure.save()
    return measure


@transaction.atomic
def measure_deliver(*, scope: Scope, by, measure: Measure, delivered_on: date, note: str = "",
                    observed_income=None, uploads=()) -> Measure:
    """Mark a measure delivered: by an office in scope, or by the helper responsible for it, with
    the photos or files that prove it (kept as an activity's evidence)."""
    measure = measure_list(scope=scope).select_for_update(of=("self",)).filter(pk=measure.pk).first()
    if measure is None:
        raise NotFound(_("帮扶措施不存在或不在您的管辖范围内"))
    _deliver_check(scope, by, measure)
    if measure.status != MeasureStatus.PLANNED:
        raise Conflict(_("该措施的状态已是“%(s)s”") % {"s": measure.get_status_display()})
    if not isinstance(delivered_on, date):
        raise ValidationError(_("请填写落实日期"), field="delivered_on")
    measure.status, measure.delivered_on = MeasureStatus.DELIVERED, delivered_on
    measure.delivery_note = note.strip()[:200]
    measure.observed_income = _money(observed_income, "observed_income")
    measure._history_user = by
    measure.save(update_fields=["status", "delivered_on", "delivery_note", "observed_income"])
    for upload in uploads:
        measure_evidence_add(scope=scope, by=by, measure=measure, upload=upload)
    measure.refresh_from_db()
    return measure


def _deliver_check(scope: Scope, by, measure: Measure) -> None:
    own = by is not None and by.person_id is not None and by.person_id == measure.helper_id
    if not (scope.rules.edit_registry or own):
        raise PermissionDenied(_("只有责任人或业务部门可以标记落实"))


@transaction.atomic
def measure_evidence_add(*, scope: Scope, by, measure: Measure, upload) -> MeasureEvidence:
    """A photo or file proving a measure's delivery (type, size and EXIF as for activities)."""
    from bangfu.activities.services import evidence_read

    measure = measure_list(scope=scope).filter(pk=measure.pk).first()
    if measure is None:
        raise NotFound(_("帮扶措施不存在或不在您的管辖范围内"))
    _deliver_check(scope, by, measure)
    evidence = MeasureEvidence(measure=measure, county_code=measure.county_code, uploaded_by=by,
                               **evidence_read(upload))
    evidence.save()
    return evidence


@transaction.atomic
def project_create(*, scope: Scope, by, name: str, kind: str, region: str, unit: str, planned_quantity, budget,
                   responsible_unit: int | None = None, starts_on: date | None = None,
                   milestones: list[dict] = (), households: list[int] = ()) -> Project:
    _edit_check(scope)
    place = Region.objects.filter(code=region).first()
    if place is None or (scope.prefix and not place.code.startswith(scope.prefix)):
        raise NotFound(_("实施地点不存在或不在您的管辖范围内"))
    project = Project(name=(name or "").strip(), kind=kind, region=place, county_code=place.code[:6], unit=unit,
                      planned_quantity=_money(planned_quantity, "planned_quantity") or Decimal(0),
                      budget=_money(budget, "budget") or Decimal(0), responsible_unit_id=responsible_unit,
                      starts_on=starts_on, created_by=by)
    project._history_user = by
    _full_clean(project, exclude=["region", "responsible_unit", "created_by"])
    project.save()
    for i, m in enumerate(milestones, start=1):
        if not m.get("title") or not isinstance(m.get("due_on"), date):
            raise ValidationError(_("进度节点第 %(i)s 条须有名称和计划完成日期") % {"i": i}, field="milestones", row=i)
        Milestone.objects.create(project=project, title=m["title"][:60], due_on=m["due_on"])
    project_households_add(scope=scope, by=by, project=project, household_ids=list(households))
    return project


@transaction.atomic
def project_households_add(*, scope: Scope, by, project: Project, household_ids: list[int]) -> int:
    """Link the households a project benefits (带贫户); each inside the caller's scope."""
    _edit_check(scope)
    if not household_ids:
        return 0
    found = list(scope.households(Household.objects.all()).filter(pk__in=household_ids)
                 .values_list("pk", "county_code"))
    if len(found) != len(set(household_ids)):
        raise NotFound(_("农户不存在或不在您的管辖范围内"))
    made = ProjectBeneficiary.objects.bulk_create(
        [ProjectBeneficiary(project=project, household_id=pk, county_code=county) for pk, county in found],
        ignore_conflicts=True)
    return len(made)


@transaction.atomic
def project_accept(*, scope: Scope, by, project: Project, accepted_on: date, accepted_quantity) -> Project:
    _edit_check(scope)
    project = project_list(scope=scope).select_for_update(of=("self",)).filter(pk=project.pk).first()
    if project is None:
        raise NotFound(_("项目不存在或不在您的管辖范围内"))
    if project.status == "accepted":
        raise Conflict(_("项目已于 %(d)s 验收") % {"d": project.accepted_on})
    quantity = _money(accepted_quantity, "accepted_quantity")
    if quantity is None:
        raise ValidationError(_("请填写验收规模"), field="accepted_quantity")
    project.status, project.accepted_on, project.accepted_quantity = "accepted", accepted_on, quantity
    project._history_user = by
    project.save(update_fields=["status", "accepted_on", "accepted_quantity"])
    project.refresh_from_db()
    return project


@transaction.atomic
def milestone_done(*, scope: Scope, by, milestone: Milestone, done_on: date) -> Milestone:
    """Mark a project's milestone reached on `done_on`."""
    _edit_check(scope)
    milestone = (Milestone.objects.select_for_update(of=("self",))
                 .filter(pk=milestone.pk, project__in=project_list(scope=scope).values("pk")).first())
    if milestone is None:
        raise NotFound(_("进度节点不存在或不在您的管辖范围内"))
    if milestone.done_on is not None:
        raise Conflict(_("该节点已于 %(d)s 完成") % {"d": milestone.done_on})
    if not isinstance(done_on, date):
        raise ValidationError(_("请填写实际完成日期"), field="done_on")
    Milestone.objects.filter(pk=milestone.pk).update(done_on=done_on)
    milestone.done_on = done_on
    return milestone


PROJECT_EDITABLE = ("name", "kind", "unit", "planned_quantity", "budget", "starts_on", "status")


@transaction.atomic
def project_update(*, scope: Scope, by, project: Project, data: dict) -> Project:
    """Change a project's particulars (history kept). Acceptance has its own step."""
    _edit_check(scope)
    project = project_list(scope=scope).select_for_update(of=("self",)).filter(pk=project.pk).first()
    if project is None:
        raise NotFound(_("项目不存在或不在您的管辖范围内"))
    unknown = set(data) - set(PROJECT_EDITABLE)
    if unknown:
        raise ValidationError(_("不能设置的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    if data.get("status") == "accepted" and project.status != "accepted":
        raise ValidationError(_("验收请在项目页面的“验收”中办理"), field="status")
    for name, value in data.items():
        if name in ("planned_quantity", "budget"):
            value = _money(value, name)
        setattr(project, name, value.strip() if isinstance(value, str) else value)
    project._history_user = by
    _full_clean(project, exclude=["region", "responsible_unit", "created_by"])
    project.save(update_fields=list(data))
    return project
