"""Writes to programmes and pairings. Pages, API, demo and imports all come through here.

Each service checks the caller's role and scope, validates with the model's rules
(full_clean), writes in one transaction and leaves its history (django-simple-history).
"""

from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.compliance.summary import summary_deferred, summary_rebuild, summary_refresh
from bangfu.errors import Conflict, FieldErrors, NotFound, PermissionDenied, ValidationError
from bangfu.programmes import periods as period_rules
from bangfu.programmes.choices import (
    ATTRIBUTES,
    DEFAULT_ACTIVITY_KINDS,
    Actor,
    PairingStatus,
    PartyKind,
    Period,
    WorkStatus,
)
from bangfu.programmes.models import (
    CapacityRule,
    Exemption,
    Obligation,
    Pairing,
    Phase,
    Programme,
    ProgrammePeriod,
    Task,
    Term,
)
from bangfu.programmes.selectors import pairings_in_scope, programmes_in_scope
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Household, Organization, Person, Team

PROGRAMME_FIELDS = {"name", "owner", "region", "period_kind", "starts_on", "ends_on", "status", "helper_kinds",
                    "target_kinds", "helper_label", "target_label", "activity_kinds", "coverage_attribute",
                    "coverage_values", "description"}
OBLIGATION_FIELDS = {"name", "actor", "kind", "measure", "minimum", "unit", "period", "window", "window_before_days",
                     "window_after_days", "window_starts_on", "window_ends_on", "grace_days", "counterpart_only",
                     "condition_party", "condition_attribute", "condition_values", "period_weeks",
                     "minimum_by_value"}
DEFAULT_PHASES = ["调查摸底", "制定计划", "开展工作", "检查验收"]


def _require_manage(scope: Scope) -> None:
    if not scope.rules.edit_registry:
        raise PermissionDenied(_("您的角色不能设置帮扶项目和结对"))


def programme_manage_check(*, scope: Scope, programme: Programme) -> None:
    """Whether the caller may change how `programme` is set up (dates, terms, obligations, limits):
    only a programme run inside the caller's own scope. One set up above it (a county's, seen by a
    township because it covers it) can be read and paired in, not changed. The pages ask before
    they show a form; the services ask again."""
    _require_manage(scope)
    if not programme.region_id.startswith(scope.prefix):
        raise PermissionDenied(_("该帮扶项目由上级设立，您可以查看和结对，但不能修改其设置"))


def _programme_managed(scope: Scope, pk: int) -> Programme:
    """The programme, locked, for a change to how it is set up."""
    _require_manage(scope)
    programme = programmes_in_scope(scope).select_for_update().filter(pk=pk).first()
    if programme is None:
        raise NotFound(_("帮扶项目不存在或不在您的管辖范围内"))
    programme_manage_check(scope=scope, programme=programme)
    return programme


def _full_clean(obj, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        raise FieldErrors({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from None


def _apply(obj, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(_("不能设置的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    for name, value in data.items():
        setattr(obj, name, value)


def _save(obj, by) -> None:
    obj._history_user = by
    obj.save()


# Programmes -------------------------------------------------------------------------------


def _programme_prepare(scope: Scope, programme: Programme, data: dict[str, Any]) -> None:
    region = data.get("region", programme.region if programme.region_id else None)
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
        if region is None:
            raise ValidationError(_("区划代码不存在"), field="region")
    if region is None:
        raise ValidationError(_("请选择实施范围"), field="region")
    if not scope.contains_code(region.code) and scope.prefix:
        raise ValidationError(_("实施范围不在您的管辖范围内"), field="region")
    data["region"] = region
    owner = data.get("owner")
    if isinstance(owner, int):
        owner = scope.organizations(Organization.objects.all()).filter(pk=owner).first()
        if owner is None:
            raise ValidationError(_("牵头单位不存在或不在您的管辖范围内"), field="owner")
        data["owner"] = owner
    _apply(programme, data, PROGRAMME_FIELDS)
    kinds = set(PartyKind.values)
    for name in ("helper_kinds", "target_kinds"):
        values = list(dict.fromkeys(getattr(programme, name) or []))
        if not values:
            raise ValidationError(_("请至少选择一种类型"), field=name)
        if set(values) - kinds:
            raise ValidationError(_("类型不正确：%(v)s") % {"v": ", ".join(sorted(set(values) - kinds))}, field=name)
        setattr(programme, name, values)
    if PartyKind.VILLAGE in programme.helper_kinds or PartyKind.HOUSEHOLD in programme.helper_kinds:
        raise ValidationError(_("户和村不能作为帮扶方"), field="helper_kinds")
    programme.activity_kinds = [k.strip() for k in (programme.activity_kinds or DEFAULT_ACTIVITY_KINDS) if k.strip()]
    if programme.coverage_attribute:
        allowed = ATTRIBUTES.get(programme.target_kinds[0], {})
        if programme.coverage_attribute not in allowed:
            raise ValidationError(_("覆盖对象条件字段不可用：%(f)s") % {"f": programme.coverage_attribute},
                                  field="coverage_attribute")
    _full_clean(programme)


@transaction.atomic
def programme_create(*, scope: Scope, by, data: dict[str, Any], phases: bool = True) -> Programme:
    """Create a programme; its work plan starts with the four usual phases unless told otherwise."""
    _require_manage(scope)
    programme = Programme()
    _programme_prepare(scope, programme, dict(data))
    _save(programme, by)
    if phases:
        span = (programme.ends_on - programme.starts_on).days + 1
        for i, name in enumerate(DEFAULT_PHASES):
            start = programme.starts_on + timedelta(days=span * i // 4)
            end = programme.starts_on + timedelta(days=span * (i + 1) // 4 - 1)
            Phase.objects.create(programme=programme, name=name, starts_on=start, ends_on=max(start, end))
    programme_periods_refresh(programme=programme)
    return programme


@transaction.atomic
def programme_update(*, scope: Scope, by, programme: Programme, data: dict[str, Any]) -> Programme:
    programme = _programme_managed(scope, programme.pk)
    _programme_prepare(scope, programme, dict(data))
    _save(programme, by)
    programme_periods_refresh(programme=programme)
    return programme


def programme_periods_refresh(*, programme: Programme) -> None:
    """Rebuild the programme's period rows from its dates, terms and obligations."""
    terms = list(programme.terms.order_by("starts_on"))
    obligations = list(programme.obligations.all())
    rows: list[ProgrammePeriod] = []
    for kind in sorted({o.period_key for o in obligations if o.period != Period.WINDOW}):
        for span in period_rules.programme_spans(programme, terms, kind):
            rows.append(ProgrammePeriod(programme=programme, kind=kind, label=span.label, starts_on=span.starts_on,
                                        ends_on=span.ends_on))
    for obligation in obligations:
        if obligation.period == Period.WINDOW:
            for span in period_rules.window_spans(obligation, programme.starts_on, programme.ends_on):
                rows.append(ProgrammePeriod(programme=programme, kind=obligation.period_key, label=span.label,
                                            starts_on=span.starts_on, ends_on=span.ends_on))
    unique = {(r.kind, r.starts_on): r for r in rows}
    ProgrammePeriod.objects.filter(programme=programme).delete()
    ProgrammePeriod.objects.bulk_create(unique.values(), batch_size=1000)
    summary_rebuild(programme)


@transaction.atomic
def term_add(*, scope: Scope, by, programme: Programme, name: str, academic_year: str, starts_on: date,
             ends_on: date) -> Term:
    programme = _programme_managed(scope, programme.pk)
    term = Term(programme=programme, name=name, academic_year=academic_year, starts_on=starts_on, ends_on=ends_on)
    _full_clean(term)
    if programme.terms.filter(starts_on__lte=ends_on, ends_on__gte=starts_on).exists():
        raise Conflict(_("学期日期与已有学期重叠"), field="starts_on")
    term.save()
    programme_periods_refresh(programme=programme)
    return term


@transaction.atomic
def term_update(*, scope: Scope, by, term: Term, data: dict[str, Any]) -> Term:
    """Change a term's name or dates; the programme's periods and compliance summary follow."""
    programme = _programme_managed(scope, term.programme_id)
    term = Term.objects.get(pk=term.pk)
    _apply(term, data, {"name", "academic_year", "starts_on", "ends_on"})
    _full_clean(term)
    if programme.terms.exclude(pk=term.pk).filter(starts_on__lte=term.ends_on, ends_on__gte=term.starts_on).exists():
        raise Conflict(_("学期日期与已有学期重叠"), field="starts_on")
    term.save()
    programme_periods_refresh(programme=programme)
    return term


@transaction.atomic
def capacity_rule_set(*, scope: Scope, by, programme: Programme, helper_rank: str, max_targets: int) -> CapacityRule:
    """Set the most pairings a helper of a rank may hold ("54321"); blank rank: everyone else."""
    programme = _programme_managed(scope, programme.pk)
    if max_targets < 1:
        raise ValidationError(_("最多结对数须大于0"), field="max_targets")
    rule, _created = CapacityRule.objects.update_or_create(programme=programme, helper_rank=helper_rank or "",
                                                           defaults={"max_targets": max_targets})
    return rule


def _decimal(value, field: str) -> Decimal:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError(_("请填写数字"), field=field) from None


def _minimum_table(table) -> dict[str, int | float]:
    """{value: minimum} as typed (numbers or text), keys trimmed, minimums numbers > 0 with at most
    one decimal place (as `minimum`)."""
    if not table:
        return {}
    if not isinstance(table, dict):
        raise ValidationError(_("按取值的最低要求须为“取值→最低要求”的对照表"), field="minimum_by_value")
    clean: dict[str, int | float] = {}
    for key, value in table.items():
        name = str(key).strip()
        if not name:
            raise ValidationError(_("按取值的最低要求：取值不能为空"), field="minimum_by_value")
        amount = _decimal(value, "minimum_by_value")
        if (not amount.is_finite() or amount <= 0 or amount >= Decimal("10000000")
                or amount != amount.quantize(Decimal("0.1"))):
            raise ValidationError(_("按取值的最低要求：“%(k)s”的最低要求须为大于0的数(最多一位小数)") % {"k": name},
                                  field="minimum_by_value")
        clean[name] = int(amount) if amount == amount.to_integral_value() else float(amount)
    return clean


def _minimum_by_value_check(programme: Programme, obligation: Obligation) -> None:
    """A minimum by value needs the attribute it is keyed by, a text attribute (subject, rank …)."""
    if not obligation.condition_attribute:
        raise ValidationError(_("按取值的最低要求须先选择适用条件字段(如任教学科)"), field="condition_attribute")
    party = obligation.condition_party or Actor.TARGET
    kinds = programme.target_kinds if party == Actor.TARGET else programme.helper_kinds
    model = _PARTY_MODELS.get(kinds[0]) if kinds else None
    field = model._meta.get_field(obligation.condition_attribute) if model else None
    if field is None or field.get_internal_type() != "CharField":
        raise ValidationError(_("按取值的最低要求只适用于文字字段(如任教学科、职级)"), field="minimum_by_value")


@transaction.atomic
def obligation_add(*, scope: Scope, by, programme: Programme, data: dict[str, Any]) -> Obligation:
    """Add an obligation: at least N activities (or units) of a kind per period or in a window."""
    programme = _programme_managed(scope, programme.pk)
    return _obligation_save(programme, Obligation(programme=programme), data, by)


@transaction.atomic
def obligation_update(*, scope: Scope, by, obligation: Obligation, data: dict[str, Any]) -> Obligation:
    """Change an obligation (minimum, period, window …) with the same checks; periods and the
    compliance summary are rebuilt."""
    programme = _programme_managed(scope, obligation.programme_id)
    return _obligation_save(programme, Obligation.objects.get(pk=obligation.pk), data, by)


def _obligation_save(programme: Programme, obligation: Obligation, data: dict[str, Any], by) -> Obligation:
    data = dict(data)
    if "minimum" in data:
        data["minimum"] = _decimal(data["minimum"], "minimum")
    if "minimum_by_value" in data or obligation.pk is None:
        data["minimum_by_value"] = _minimum_table(data.get("minimum_by_value"))
    if "condition_values" in data or obligation.pk is None:
        data["condition_values"] = [str(v).strip() if not isinstance(v, bool) else v
                                    for v in data.get("condition_values") or []]
    _apply(obligation, data, OBLIGATION_FIELDS)
    if obligation.kind not in programme.activity_kinds:
        raise ValidationError(_("活动类型“%(k)s”不在本项目的活动类型中") % {"k": obligation.kind}, field="kind")
    if obligation.period in (Period.TERM, Period.ACADEMIC_YEAR) and not programme.terms.exists():
        raise ValidationError(_("按学期或学年的要求须先设置学期日期"), field="period")
    if obligation.period != Period.WINDOW:
        obligation.window = ""
    if obligation.period != Period.WEEKS:
        obligation.period_weeks = None
    elif not obligation.period_weeks or not 1 <= obligation.period_weeks <= 52:
        raise ValidationError(_("每N周的要求须填写周数(1—52)"), field="period_weeks")
    if obligation.window == "explicit" and not (obligation.window_starts_on and obligation.window_ends_on):
        raise ValidationError(_("指定日期的时段须填写开始和结束日期"), field="window_starts_on")
    if obligation.condition_attribute:
        party = obligation.condition_party or Actor.TARGET
        obligation.condition_party = party
        kinds = programme.target_kinds if party == Actor.TARGET else programme.helper_kinds
        allowed = ATTRIBUTES.get(kinds[0], {}) if kinds else {}
        if obligation.condition_attribute not in allowed:
            raise ValidationError(_("适用条件字段不可用：%(f)s") % {"f": obligation.condition_attribute},
                                  field="condition_attribute")
        if not obligation.condition_values and not obligation.minimum_by_value:
            raise ValidationError(_("请填写适用条件的取值，或按取值的最低要求"), field="condition_values")
    if obligation.minimum_by_value:
        _minimum_by_value_check(programme, obligation)
    if obligation.window == "birthday" and PartyKind.PERSON not in programme.target_kinds:
        raise ValidationError(_("按生日的要求只适用于以人员为帮扶对象的项目"), field="window")
    _full_clean(obligation, exclude=["programme"])
    _save(obligation, by)
    programme_periods_refresh(programme=programme)
    return obligation


@transaction.atomic
def phase_add(*, scope: Scope, by, programme: Programme, name: str, starts_on: date, ends_on: date) -> Phase:
    """Add a phase to the work plan: a change to how the programme is set up (programme_manage_check)."""
    programme = _programme_managed(scope, programme.pk)
    phase = Phase(programme=programme, name=name, starts_on=starts_on, ends_on=ends_on)
    _full_clean(phase)
    phase.save()
    return phase


@transaction.atomic
def task_add(*, scope: Scope, by, phase: Phase, name: str, owner: str = "", due_on: date | None = None) -> Task:
    """Add a task to a phase of the work plan, by those who may manage the programme."""
    _programme_managed(scope, phase.programme_id)
    task = Task(phase=phase, name=name, owner=owner, due_on=due_on)
    _full_clean(task)
    _save(task, by)
    return task


@transaction.atomic
def task_set_status(*, scope: Scope, by, task: Task, status: str) -> Task:
    """Mark a task of the work plan done (or not), by those who may manage the programme."""
    task = Task.objects.select_related("phase").get(pk=task.pk)
    _programme_managed(scope, task.phase.programme_id)
    if status not in WorkStatus.values:
        raise ValidationError(_("状态不正确"), field="status")
    task = Task.objects.select_for_update().get(pk=task.pk)
    task.status = status
    _save(task, by)
    return task


# Pairings ---------------------------------------------------------------------------------

_PARTY_MODELS = {PartyKind.HOUSEHOLD: Household, PartyKind.PERSON: Person, PartyKind.ORGANIZATION: Organization,
                 PartyKind.TEAM: Team}


def party_get(scope: Scope, kind: str, key, *, field: str):
    """A helper or target by kind and id (a village by its code), inside the caller's scope."""
    if kind == PartyKind.VILLAGE:
        village = scope.regions(Region.objects.filter(level=Level.VILLAGE)).filter(code=str(key)).first()
        if village is None:
            raise ValidationError(_("村(社区)不存在或不在您的管辖范围内"), field=field)
        return village
    model = _PARTY_MODELS.get(kind)
    if model is None:
        raise ValidationError(_("类型不正确：%(k)s") % {"k": kind}, field=field)
    narrow = {PartyKind.HOUSEHOLD: scope.households, PartyKind.PERSON: scope.persons,
              PartyKind.ORGANIZATION: scope.organizations, PartyKind.TEAM: scope.teams}[kind]
    try:
        obj = narrow(model.objects.all()).filter(pk=int(key)).first()
    except (TypeError, ValueError):
        obj = None
    if obj is None:
        raise ValidationError(_("%(what)s不存在或不在您的管辖范围内") % {"what": PartyKind(kind).label}, field=field)
    return obj


def _kind_of(obj) -> str:
    for kind, model in _PARTY_MODELS.items():
        if isinstance(obj, model):
            return kind
    if isinstance(obj, Region):
        return PartyKind.VILLAGE
    raise ValidationError(_("不支持的帮扶方或对象"))


def _capacity_of(programme: Programme, helper) -> int | None:
    rules = {r.helper_rank: r.max_targets for r in programme.capacity_rules.all()}
    rank = getattr(helper, "rank", "") or ""
    return rules.get(rank, rules.get(""))


def _lock_helper(helper):
    """Lock the helper's row so two pairings made at once cannot both pass the capacity check."""
    return type(helper).objects.select_for_update().get(pk=helper.pk)


def _pairing_new(*, programme: Programme, helper, target, starts_on: date, by, helper_role: str = "") -> Pairing:
    helper_kind, target_kind = _kind_of(helper), _kind_of(target)
    if helper_kind not in programme.helper_kinds:
        raise ValidationError(_("本项目的帮扶方不能是%(k)s") % {"k": PartyKind(helper_kind).label}, field="helper")
    if target_kind not in programme.target_kinds:
        raise ValidationError(_("本项目的帮扶对象不能是%(k)s") % {"k": PartyKind(target_kind).label}, field="target")
    if helper == target and helper_kind == target_kind:
        raise ValidationError(_("帮扶方和帮扶对象不能是同一个"), field="target")
    region = target if target_kind == PartyKind.VILLAGE else target.region
    if not region.code.startswith(programme.region.prefix):
        raise ValidationError(_("帮扶对象不在本项目的实施范围内"), field="target")
    if not programme.starts_on <= starts_on <= programme.ends_on:
        raise ValidationError(_("结对日期须在项目期限(%(a)s 至 %(b)s)内") % {"a": programme.starts_on,
                                                                          "b": programme.ends_on}, field="starts_on")
    pairing = Pairing(programme=programme, region=region, county_code=region.code[:6], helper_kind=helper_kind,
                      target_kind=target_kind, starts_on=starts_on, created_by=by, helper_role=helper_role.strip())
    setattr(pairing, f"helper_{helper_kind}", helper)
    setattr(pairing, f"target_{target_kind}", target)
    same = Pairing.objects.filter(programme=programme, status=PairingStatus.ACTIVE,
                                  **{f"helper_{helper_kind}": helper, f"target_{target_kind}": target})
    if same.exists():
        raise Conflict(_("%(h)s 与 %(t)s 已经结对") % {"h": pairing.helper_name, "t": pairing.target_name},
                       field="target")
    limit = _capacity_of(programme, helper)
    if limit is not None:
        held = Pairing.objects.filter(programme=programme, status=PairingStatus.ACTIVE,
                                      **{f"helper_{helper_kind}": helper}).count()
        if held >= limit:
            raise Conflict(_("%(h)s 已结对 %(n)s 个，达到上限 %(m)s 个") % {"h": pairing.helper_name, "n": held,
                                                                          "m": limit}, field="helper")
    _full_clean(pairing, exclude=["previous", "created_by"])
    _save(pairing, by)
    summary_refresh([pairing.pk])
    return pairing


@transaction.atomic
def pairing_create(*, scope: Scope, by, programme: Programme, helper, target, starts_on: date,
                   helper_role: str = "") -> Pairing:
    """The one way a pairing is made: checks kinds, range, duplicates and the helper's capacity."""
    _require_manage(scope)
    programme = programmes_in_scope(scope).get(pk=programme.pk)
    if not scope.contains_code(getattr(target, "code", None) or target.region_id) and scope.prefix:
        raise NotFound(_("帮扶对象不存在或不在您的管辖范围内"))
    helper = _lock_helper(helper) if not isinstance(helper, Region) else helper
    return _pairing_new(programme=programme, helper=helper, target=target, starts_on=starts_on, by=by,
                        helper_role=helper_role)


@transaction.atomic
def pairing_bulk_create(*, scope: Scope, by, programme: Programme, helper, targets: list,
                        starts_on: date) -> list[Pairing]:
    """One helper to many targets (一对多) at once: all made, or none (the first error names the target)."""
    made = []
    with summary_deferred():
        for row, target in enumerate(targets, start=1):
            try:
                made.append(pairing_create(scope=scope, by=by, programme=programme, helper=helper, target=target,
                                           starts_on=starts_on))
            except ValidationError as exc:
                exc.row = row
                raise
    return made


def _pairing_locked(scope: Scope, pairing: Pairing) -> Pairing:
    pairing = pairings_in_scope(scope).select_for_update().filter(pk=pairing.pk).first()
    if pairing is None:
        raise NotFound(_("结对不存在或不在您的管辖范围内"))
    if pairing.status != PairingStatus.ACTIVE:
        raise Conflict(_("该结对已结束，不能再变更"), field="status")
    return pairing


def _close(pairing: Pairing, *, on: date, status: str, reason: str, by) -> None:
    if not reason.strip():
        raise ValidationError(_("请填写原因"), field="reason")
    if on < pairing.starts_on:
        raise ValidationError(_("日期不能早于结对日期 %(d)s") % {"d": pairing.starts_on}, field="on")
    pairing.status = status
    pairing.ends_on = on
    pairing.end_reason = reason.strip()
    _save(pairing, by)
    summary_refresh([pairing.pk])


@transaction.atomic
def pairing_end(*, scope: Scope, by, pairing: Pairing, on: date, reason: str) -> Pairing:
    _require_manage(scope)
    pairing = _pairing_locked(scope, pairing)
    _close(pairing, on=on, status=PairingStatus.ENDED, reason=reason, by=by)
    return pairing


@transaction.atomic
def pairing_handover(*, scope: Scope, by, pairing: Pairing, new_helper, on: date, reason: str) -> Pairing:
    """Hand a target to another helper from `on`: the old pairing ends the day before, the new
    one starts on `on` and points back to it. Activities stay with the pairing they were done in,
    so the target's log keeps everything and each helper answers for their own dates."""
    _require_manage(scope)
    old = _pairing_locked(scope, pairing)
    if on <= old.starts_on:
        raise ValidationError(_("移交日期须晚于结对日期 %(d)s") % {"d": old.starts_on}, field="on")
    _close(old, on=on - timedelta(days=1), status=PairingStatus.HANDED_OVER, reason=reason, by=by)
    helper = _lock_helper(new_helper)
    new = _pairing_new(programme=old.programme, helper=helper, target=old.target, starts_on=on, by=by,
                       helper_role=old.helper_role)
    new.previous = old
    _save(new, by)
    return new


@transaction.atomic
def exemption_grant(*, scope: Scope, by, pairing: Pairing, obligation: Obligation | None, starts_on: date,
                    ends_on: date, reason: str) -> Exemption:
    """Excuse a pairing from an obligation (or all) for dates, with the reason and who approved."""
    _require_manage(scope)
    pairing = pairings_in_scope(scope).filter(pk=pairing.pk).first()
    if pairing is None:
        raise NotFound(_("结对不存在或不在您的管辖范围内"))
    if obligation is not None and obligation.programme_id != pairing.programme_id:
        raise ValidationError(_("该要求不属于本结对的项目"), field="obligation")
    if not reason.strip():
        raise ValidationError(_("请填写免除原因"), field="reason")
    exemption = Exemption(pairing=pairing, county_code=pairing.county_code, obligation=obligation,
                          starts_on=starts_on, ends_on=ends_on, reason=reason.strip(), approved_by=by)
    _full_clean(exemption)
    exemption.save()
    summary_refresh([pairing.pk])
    return exemption
