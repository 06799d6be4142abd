"""Opening cases, moving them (one or many at once), posting notices, objections, the holiday table.

Every transition checks the role and the scope level the definition names, locks the cases in
id order, refuses a case in the wrong state and — for a transition after a notice — a notice whose
period has not ended or that has an unresolved objection; then updates the cases and writes one
Step per case in the same transaction.
"""

from collections.abc import Iterable
from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.procedures.definitions import COUNTY, TOWNSHIP, Definition, Transition, definition_get
from bangfu.procedures.models import Case, Holiday, Notice, NoticeEntry, Objection, Step
from bangfu.procedures.selectors import case_list, notice_get, notice_list
from bangfu.procedures.workdays import Calendar
from bangfu.regions.models import Region

LEVEL_NAMES = {COUNTY: gettext_lazy("县级"), TOWNSHIP: gettext_lazy("乡镇级")}


def _role_names(roles: Iterable[str]) -> str:
    return "、".join(str(Role(r).label) for r in sorted(roles) if r in Role.values)


def transition_check(*, scope: Scope, transition: Transition) -> None:
    """The role and the scope level a transition needs (the region itself is checked per case)."""
    if scope.role != Role.ADMIN and scope.role not in transition.roles:
        raise PermissionDenied(_("您的角色(%(r)s)不能办理“%(t)s”：须由%(need)s办理") % {
            "r": Role(scope.role).label, "t": transition.label, "need": _role_names(transition.roles)})
    if len(scope.prefix) > transition.level:
        raise PermissionDenied(_("“%(t)s”须由%(level)s及以上用户办理，您的管辖范围不够") % {
            "t": transition.label, "level": LEVEL_NAMES.get(transition.level, _("上级"))})


def _due(calendar: Calendar, definition: Definition, state: str, on: date) -> date | None:
    days = definition.state(state).deadline_days
    return calendar.add_working_days(on, days) if days else None


@transaction.atomic
def case_open(*, scope: Scope, by, definition: str, subject_kind: str, subject_ids_regions: list[tuple[int, str]],
              on: date, comment: str = "") -> list[Case]:
    """Open one case per (subject id, region code) in the definition's initial state."""
    d = definition_get(definition)
    if subject_kind != d.subject_kind:
        raise ValidationError(_("办理对象类型不符"), field="subject_kind")
    for _id, code in subject_ids_regions:
        if not scope.contains_code(code) and scope.prefix:
            raise NotFound(_("区域不存在或不在您的管辖范围内"))
    due = _due(Calendar(), d, d.initial, on)
    try:
        with transaction.atomic():
            cases = Case.objects.bulk_create([
                Case(definition=d.key, subject_kind=subject_kind, subject_id=sid, county_code=code[:6],
                     region_id=code, state=d.initial, entered_on=on, due_on=due, opened_by=by)
                for sid, code in subject_ids_regions])
    except IntegrityError:
        raise Conflict(_("该对象已在“%(d)s”中办理") % {"d": d.label}) from None
    Step.objects.bulk_create([Step(case=c, county_code=c.county_code, transition="open", from_state="",
                                   to_state=d.initial, by=by, on=on, comment=comment) for c in cases])
    return cases


def _notice_check(cases: list[Case], on: date) -> None:
    ids = [c.pk for c in cases]
    on_notice = set(NoticeEntry.objects.filter(case_id__in=ids).values_list("case_id", flat=True))
    missing = [c for c in cases if c.pk not in on_notice]
    if missing:
        raise Conflict(_("办理事项 %(ids)s 尚未公示，不能进入下一步") % {"ids": ", ".join(str(c.pk) for c in missing[:10])})
    open_notice = Notice.objects.filter(entries__case_id__in=ids, ends_on__gte=on).order_by("ends_on").first()
    if open_notice is not None:
        raise Conflict(_("公示“%(t)s”的公示期至 %(d)s 结束，期满后才能进入下一步") % {
            "t": open_notice.title, "d": open_notice.ends_on})
    objection = (Objection.objects.filter(resolved_on__isnull=True, notice__entries__case_id__in=ids)
                 .filter(Q(case__isnull=True) | Q(case_id__in=ids)).select_related("notice").first())
    if objection is not None:
        raise Conflict(_("公示“%(t)s”有未处理的异议(%(c)s)，处理后才能进入下一步") % {
            "t": objection.notice.title, "c": objection.content[:40]})


@transaction.atomic
def cases_advance(*, scope: Scope, by, definition: str, case_ids: Iterable[int], transition: str, on: date,
                  comment: str = "", service: bool = False) -> list[Case]:
    """Take one transition for one or many cases. `service=True` only from the service that does
    the transition's work (an inspection, a payment batch); such transitions refuse direct calls."""
    d = definition_get(definition)
    t = d.transition(transition)
    if t is None:
        raise ValidationError(_("流程“%(d)s”没有操作“%(t)s”") % {"d": d.label, "t": transition}, field="transition")
    if t.system and not service:
        raise PermissionDenied(_("“%(t)s”须通过相应的办理功能完成，不能直接变更状态") % {"t": t.label})
    transition_check(scope=scope, transition=t)
    ids = sorted(set(case_ids))
    if not ids:
        raise ValidationError(_("请选择办理事项"), field="case_ids")
    # lock in id order: two officers moving overlapping sets never deadlock
    cases = list(case_list(scope=scope, definition=d.key).select_for_update().filter(pk__in=ids).order_by("pk"))
    if len(cases) != len(ids):
        raise NotFound(_("办理事项不存在或不在您的管辖范围内"))
    wrong = [c for c in cases if c.state != t.source]
    if wrong:
        raise Conflict(_("办理事项 %(id)s 当前状态为“%(s)s”，不能办理“%(t)s”(须为“%(need)s”)") % {
            "id": wrong[0].pk, "s": d.state(wrong[0].state).label, "t": t.label, "need": d.state(t.source).label})
    early = [c for c in cases if on < c.entered_on]
    if early:
        raise ValidationError(_("办理日期 %(on)s 不能早于办理事项 %(id)s 进入当前状态的日期 %(d)s") % {
            "on": on, "id": early[0].pk, "d": early[0].entered_on}, field="on")
    if t.after_notice:
        _notice_check(cases, on)
    due = _due(Calendar(), d, t.target, on)
    Case.objects.filter(pk__in=ids).update(state=t.target, entered_on=on, due_on=due)
    Step.objects.bulk_create([Step(case=c, county_code=c.county_code, transition=t.key, from_state=c.state,
                                   to_state=t.target, by=by, on=on, comment=comment) for c in cases])
    for c in cases:
        c.state, c.entered_on, c.due_on = t.target, on, due
    return cases


def notice_role_check(scope: Scope, d: Definition) -> None:
    if scope.role != Role.ADMIN and scope.role not in d.notice_roles:
        raise PermissionDenied(_("您的角色(%(r)s)不能发布公示或处理异议：须由%(need)s办理") % {
            "r": Role(scope.role).label, "need": _role_names(d.notice_roles)})


@transaction.atomic
def notice_publish(*, scope: Scope, by, definition: str, case_ids: Iterable[int], region: str, title: str,
                   starts_on: date, ends_on: date, transition: str | None = None) -> Notice:
    """Post a notice in `region` for the cases (all of them inside that region), optionally taking
    the definition's transition into the notice state at the same time."""
    d = definition_get(definition)
    notice_role_check(scope, d)
    if not title.strip():
        raise ValidationError(_("请填写公示标题"), field="title")
    if ends_on < starts_on:
        raise ValidationError(_("公示结束日期不能早于开始日期"), field="ends_on")
    place = Region.objects.filter(code=region).first()
    if place is None or not scope.contains_code(place.code) and scope.prefix:
        raise NotFound(_("公示地点不存在或不在您的管辖范围内"))
    ids = sorted(set(case_ids))
    cases = list(case_list(scope=scope, definition=d.key).filter(pk__in=ids))
    if not ids or len(cases) != len(ids):
        raise NotFound(_("办理事项不存在或不在您的管辖范围内"))
    outside = [c for c in cases if not c.region_id.startswith(place.prefix)]
    if outside:
        raise ValidationError(_("办理事项 %(id)s 不在公示地点“%(p)s”范围内") % {"id": outside[0].pk, "p": place.name},
                              field="case_ids")
    notice = Notice.objects.create(definition=d.key, title=title.strip(), county_code=place.code[:6], region=place,
                                   starts_on=starts_on, ends_on=ends_on, created_by=by)
    NoticeEntry.objects.bulk_create([NoticeEntry(notice=notice, case=c, county_code=c.county_code) for c in cases])
    if transition:
        cases_advance(scope=scope, by=by, definition=d.key, case_ids=ids, transition=transition, on=starts_on,
                      comment=notice.title, service=True)
    return notice


@transaction.atomic
def objection_raise(*, scope: Scope, by, notice: Notice, content: str, raised_on: date, raised_by: str = "",
                    case_id: int | None = None) -> Objection:
    notice = notice_get(scope=scope, pk=notice.pk)
    notice_role_check(scope, definition_get(notice.definition))
    if not content.strip():
        raise ValidationError(_("请填写异议内容"), field="content")
    if not notice.starts_on <= raised_on <= notice.ends_on:
        raise ValidationError(_("异议须在公示期(%(a)s 至 %(b)s)内提出") % {"a": notice.starts_on, "b": notice.ends_on},
                              field="raised_on")
    if case_id is not None and not notice.entries.filter(case_id=case_id).exists():
        raise ValidationError(_("办理事项 %(id)s 不在本公示中") % {"id": case_id}, field="case_id")
    return Objection.objects.create(notice=notice, case_id=case_id, county_code=notice.county_code,
                                    raised_on=raised_on, raised_by=raised_by.strip()[:40], content=content.strip(),
                                    recorded_by=by)


@transaction.atomic
def objection_resolve(*, scope: Scope, by, objection: Objection, resolution: str, resolved_on: date) -> Objection:
    objection = (Objection.objects.select_for_update()
                 .filter(pk=objection.pk, notice__in=notice_list(scope=scope)).select_related("notice").first())
    if objection is None:
        raise NotFound(_("异议不存在或不在您的管辖范围内"))
    notice_role_check(scope, definition_get(objection.notice.definition))
    if objection.resolved_on is not None:
        raise Conflict(_("该异议已于 %(d)s 处理") % {"d": objection.resolved_on})
    if not resolution.strip():
        raise ValidationError(_("请填写处理结果"), field="resolution")
    if resolved_on < objection.raised_on:
        raise ValidationError(_("处理日期不能早于异议提出日期"), field="resolved_on")
    objection.resolution, objection.resolved_on, objection.resolved_by = resolution.strip(), resolved_on, by
    objection.save(update_fields=["resolution", "resolved_on", "resolved_by"])
    return objection


@transaction.atomic
def holiday_set(*, scope: Scope, by, day: date, working: bool, name: str = "") -> Holiday:
    """Enter or change one day of the holiday table (county offices and administrators)."""
    if scope.role not in (Role.ADMIN, Role.COUNTY_OFFICE):
        raise PermissionDenied(_("只有县级业务部门或系统管理员可以维护节假日表"))
    holiday, _created = Holiday.objects.update_or_create(day=day, defaults={
        "working": working, "name": name.strip()[:40], "created_by": by})
    return holiday
