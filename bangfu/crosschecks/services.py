"""Raising and working clues (疑点线索).

`clues_match` is the matching: one INSERT … SELECT per rule, the list's keyed hashes joined to
`registry_person.id_hash`, so no number is decrypted and no Python loop runs over rows. It is
idempotent: a member already holding a clue of that list (open or closed) gets no second one.
The rest is the clue's life: assigned → verified in the field → closed with a finding and evidence,
or exempted with its reason; every change is kept in the clue's history (who, when).
"""

from datetime import date

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.crosschecks.models import Clue, ClueStatus, Finding, ListSource
from bangfu.errors import Conflict, NotFound, PermissionDenied, ValidationError

POOR_STATUSES = ("poor", "exited", "monitored")  # registered (建档立卡) households and monitored ones
# What each list says of a registered member: the clue's text (the list's detail follows it).
DESCRIPTIONS = {
    ListSource.CIVIL_SERVANT: "家庭成员在公职人员(财政供养)名单中",
    ListSource.VEHICLE: "家庭成员名下有登记车辆",
    ListSource.BUSINESS: "家庭成员有工商注册登记",
    ListSource.HOUSING: "家庭成员购买了商品房",
    ListSource.DEATH: "家庭成员在死亡人员名单中，仍登记在户",
    ListSource.DIBAO: "家庭成员在低保名单中，户未标注低保",
}
MISSED_DESCRIPTION = "低保对象未纳入建档立卡或监测：疑似漏评"


def clues_match(*, source: str, counties: list[str], scope: Scope) -> int:
    """Raise the clues of one list for these counties, inside the scope; returns how many were raised."""
    if not counties:
        return 0
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    marks = ", ".join(["%s"] * len(counties))
    statuses = ", ".join(f"'{s}'" for s in POOR_STATUSES)
    raised = 0
    extra = "AND h.dibao = %s" if source == ListSource.DIBAO else ""
    with connection.cursor() as cursor:
        # Members of registered households whose ID hash is on the list, within the entry's region.
        cursor.execute(
            f"INSERT INTO crosschecks_clue (county_code, region_id, source, household_id, person_id, entry_id, "
            f"description, status, raised_at, assignee, verification, finding, evidence, evidence_note, "
            f"exempt_reason) "
            f"SELECT p.county_code, h.region_id, e.source, h.id, p.id, e.id, %s, 'open', %s, '', '', '', '', '', '' "
            f"FROM crosschecks_listentry e "
            f"JOIN regions_region g ON g.code = e.region_id "
            f"JOIN registry_person p ON p.id_hash = e.id_hash AND p.county_code = e.county_code "
            f"JOIN registry_household h ON h.id = p.household_id "
            f"WHERE e.source = %s AND e.county_code IN ({marks}) AND h.status IN ({statuses}) "
            f"AND h.region_id LIKE g.prefix || '%%' AND h.region_id LIKE %s {extra} "
            f"AND NOT EXISTS (SELECT 1 FROM crosschecks_clue c WHERE c.county_code = p.county_code "
            f"AND c.source = e.source AND c.person_id = p.id)",
            [DESCRIPTIONS[source], now, source, *counties, scope.prefix + "%", *([False] if extra else [])])
        raised += cursor.rowcount
        if source == ListSource.DIBAO:
            # A 低保 recipient nobody in the registry matches: a suspected 漏评 (seed 003: 此类人多为整户施保的低保人员).
            cursor.execute(
                f"INSERT INTO crosschecks_clue (county_code, region_id, source, household_id, person_id, entry_id, "
                f"description, status, raised_at, assignee, verification, finding, evidence, evidence_note, "
                f"exempt_reason) "
                f"SELECT e.county_code, e.region_id, e.source, NULL, NULL, e.id, %s, 'open', %s, '', '', '', '', '', '' "
                f"FROM crosschecks_listentry e "
                f"WHERE e.source = %s AND e.county_code IN ({marks}) AND e.region_id LIKE %s "
                f"AND NOT EXISTS (SELECT 1 FROM registry_person p JOIN registry_household h ON h.id = p.household_id "
                f"WHERE p.id_hash = e.id_hash AND p.county_code = e.county_code AND h.status IN ({statuses})) "
                f"AND NOT EXISTS (SELECT 1 FROM crosschecks_clue c WHERE c.county_code = e.county_code "
                f"AND c.entry_id = e.id)",
                [MISSED_DESCRIPTION, now, source, *counties, scope.prefix + "%"])
            raised += cursor.rowcount
    return raised


def _require_edit(scope: Scope) -> None:
    if not (scope.rules.edit_registry and scope.rules.see_households):
        raise PermissionDenied(_("您的角色不能办理疑点线索"))


def _may_work(scope: Scope, clue: Clue, by) -> None:
    """An office in scope, or the person the clue was assigned to (a helper verifying in the field)."""
    if scope.rules.edit_registry and scope.rules.see_households:
        return
    if by is not None and clue.assigned_to_id == getattr(by, "pk", None):
        return
    raise PermissionDenied(_("只有交办的核查人或业务部门可以办理此线索"))


def _not_done(clue: Clue) -> None:
    if clue.status in (ClueStatus.CLOSED, ClueStatus.EXEMPTED):
        raise Conflict(_("线索已%(s)s，不能再办理") % {"s": clue.get_status_display()}, field="status")


def _day(value, field: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value or ""))
    except ValueError:
        raise ValidationError(_("请填写日期，如 2025-06-30"), field=field) from None


@transaction.atomic
def clue_assign(*, scope: Scope, by, clue: Clue, assignee: str, on, assigned_to=None) -> Clue:
    """Hand the clue to a helper or an office for a field check (交办)."""
    _require_edit(scope)
    _not_done(clue)
    assignee = (assignee or "").strip()
    if assigned_to is not None:
        if not assigned_to.is_active or (scope.prefix and not (assigned_to.region_id or "").startswith(scope.prefix)):
            raise NotFound(_("核查账号不存在或不在您的管辖范围内"), field="assigned_to")
        assignee = assignee or str(assigned_to)
    if not assignee:
        raise ValidationError(_("请填写核查人或核查单位"), field="assignee")
    clue.assignee, clue.assigned_to, clue.assigned_on = assignee[:60], assigned_to, _day(on, "assigned_on")
    clue.status = ClueStatus.ASSIGNED
    clue._change_reason = _("交办")
    clue.save()
    return clue


@transaction.atomic
def clue_verify(*, scope: Scope, by, clue: Clue, verified_on, verification: str) -> Clue:
    """Record the field check (核查情况): what was found, on which day."""
    _may_work(scope, clue, by)
    _not_done(clue)
    verification = (verification or "").strip()
    if not verification:
        raise ValidationError(_("请填写核查情况"), field="verification")
    day = _day(verified_on, "verified_on")
    if clue.assigned_on and day < clue.assigned_on:
        raise ValidationError(_("核查日期不能早于交办日期 %(d)s") % {"d": clue.assigned_on}, field="verified_on")
    clue.verified_on, clue.verification, clue.status = day, verification[:500], ClueStatus.VERIFIED
    clue._change_reason = _("核查")
    clue.save()
    return clue


@transaction.atomic
def clue_close(*, scope: Scope, by, clue: Clue, finding: str, closed_on, evidence=None, evidence_note: str = "") -> Clue:
    """Close a verified clue with its finding (核查结论) and evidence (a file, or a note naming it)."""
    _require_edit(scope)
    _not_done(clue)
    if clue.status != ClueStatus.VERIFIED:
        raise Conflict(_("请先登记实地核查情况，再办结"), field="status")
    if finding not in Finding.values:
        raise ValidationError(_("请选择核查结论"), field="finding")
    if finding == Finding.MISSED and clue.household_id:
        raise ValidationError(_("已登记的户不是漏评：请选择其他结论"), field="finding")
    if finding in (Finding.WRONG_IDENTIFICATION, Finding.WRONG_EXIT) and not clue.household_id:
        raise ValidationError(_("未登记的人员不能认定错评或错退"), field="finding")
    evidence_note = (evidence_note or "").strip()
    if not evidence and not evidence_note:
        raise ValidationError(_("办结须附佐证材料或佐证说明"), field="evidence")
    day = _day(closed_on, "closed_on")
    if day < clue.verified_on:
        raise ValidationError(_("办结日期不能早于核查日期 %(d)s") % {"d": clue.verified_on}, field="closed_on")
    clue.finding, clue.closed_on, clue.evidence_note = finding, day, evidence_note[:200]
    if evidence:
        clue.evidence.save(evidence.name, evidence, save=False)
    clue.status, clue.closed_by = ClueStatus.CLOSED, by
    clue._change_reason = _("办结")
    clue.save()
    return clue


@transaction.atomic
def clue_exempt(*, scope: Scope, by, clue: Clue, reason: str, on) -> Clue:
    """Exempt a clue with its reason (豁免: e.g. a 村医 on the public-employee list by policy)."""
    _require_edit(scope)
    _not_done(clue)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError(_("请填写豁免理由"), field="reason")
    clue.exempt_reason, clue.closed_on, clue.status, clue.closed_by = reason[:200], _day(on, "closed_on"), \
        ClueStatus.EXEMPTED, by
    clue._change_reason = _("豁免")
    clue.save()
    return clue


@transaction.atomic
def clue_record(*, scope: Scope, by, household, description: str, person=None) -> Clue:
    """A clue found by a field review (入户核查, 暗访) rather than a list: e.g. an exited household that
    does not meet 两不愁三保障 — closed later as 错退 if confirmed."""
    _require_edit(scope)
    description = (description or "").strip()
    if not description:
        raise ValidationError(_("请填写疑点"), field="description")
    if person is not None and person.household_id != household.pk:
        raise ValidationError(_("该人员不是此户的成员"), field="person")
    return Clue.objects.create(county_code=household.county_code, region_id=household.region_id,
                               source=ListSource.REVIEW, household=household, person=person,
                               description=description[:200], raised_at=timezone.now())
