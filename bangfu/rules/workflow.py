"""Identification, exit and monitoring cases: the services behind their steps.

Plain steps (评议, 审核, 公告, 核实) are taken with procedures.services.cases_advance; the steps
that change the registry or need data go through here: 录入 and 退出 set the household's status
(with its history), 确认 and 标注 set and clear the monitoring category, 帮扶 records the
measures, 风险消除 is refused unless the rules in force say the risk is gone (naming why not)."""

from datetime import date

from django.db import IntegrityError, connection, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from simple_history.utils import bulk_update_with_history

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, NotFound, ValidationError
from bangfu.procedures import services as procedures
from bangfu.procedures.models import Case, Notice
from bangfu.registry.choices import MonitoringCategory
from bangfu.registry.models import Household
from bangfu.rules import procedures as defs
from bangfu.rules.criteria import CANDIDATE_STATUSES, COLUMNS, evaluation_select
from bangfu.rules.models import EvaluationRow, IncomeRecord, Monitoring, MonitoringSource, RiskType, RuleSet
from bangfu.rules.selectors import evaluate_households, monitoring_get, reasons
from bangfu.rules.services import rule_set_in_force


def _households(scope: Scope, ids) -> list[Household]:
    ids = sorted(set(int(i) for i in ids))
    found = list(scope.households(Household.objects.all()).filter(pk__in=ids).order_by("pk"))
    if not ids or len(found) != len(ids):
        raise NotFound(_("农户不存在或不在您的管辖范围内"), field="household_ids")
    return found


def _set_status(households: list[Household], by, **fields) -> None:
    for h in households:
        for k, v in fields.items():
            setattr(h, k, v)
    bulk_update_with_history(households, Household, list(fields), default_user=by)


def _case_ids(scope: Scope, definition: str, household_ids) -> list[int]:
    ids = set(household_ids)
    found = dict(Case.objects.filter(definition=definition, subject_kind=defs.HOUSEHOLD, subject_id__in=ids)
                 .values_list("subject_id", "pk"))
    return [found[i] for i in ids if i in found]


@transaction.atomic
def identification_apply(*, scope: Scope, by, household_ids, on: date, comment: str = "") -> list[Case]:
    """申请: open identification cases for general households (一般农户) of the caller's scope."""
    procedures.transition_check(scope=scope, transition=defs.IDENTIFICATION_DEFINITION.transition("appraise"))
    households = _households(scope, household_ids)
    wrong = [h for h in households if h.status != "not_poor"]
    if wrong:
        raise ValidationError(_("户 %(n)s 当前为“%(s)s”，只有一般农户可以申请识别") % {
            "n": wrong[0].number, "s": wrong[0].get_status_display()}, field="household_ids")
    return procedures.case_open(scope=scope, by=by, definition=defs.IDENTIFICATION, subject_kind=defs.HOUSEHOLD,
                                subject_ids_regions=[(h.pk, h.region_id) for h in households], on=on,
                                comment=comment)


@transaction.atomic
def exit_nominate(*, scope: Scope, by, household_ids, on: date, comment: str = "") -> list[Case]:
    """提名: open exit cases for poor households that meet every exit criterion by the rules in
    force on `on`; a household failing one is refused with the criterion, value and line."""
    procedures.transition_check(scope=scope, transition=defs.EXIT_DEFINITION.transition("appraise"))
    households = _households(scope, household_ids)
    for h in households:
        if h.status != "poor":
            raise ValidationError(_("户 %(n)s 当前为“%(s)s”，只有未脱贫户可以提名退出") % {
                "n": h.number, "s": h.get_status_display()}, field="household_ids")
    _require(households, on, lambda r: r["exit_ok"], lambda h, why: _("户 %(n)s 未达到退出标准：%(w)s") % {
        "n": h.number, "w": why})
    return procedures.case_open(scope=scope, by=by, definition=defs.EXIT, subject_kind=defs.HOUSEHOLD,
                                subject_ids_regions=[(h.pk, h.region_id) for h in households], on=on,
                                comment=comment)


def _require(households: list[Household], on: date, test, message) -> None:
    """Evaluate the households by the rules in force (one statement per county's rule set) and
    refuse the first that fails `test`, naming its reasons."""
    by_rule: dict = {}
    for h in households:
        rule_set = rule_set_in_force(region=h.region_id, on=on)
        if rule_set is None:
            raise ValidationError(_("%(y)s年还没有适用的标准(贫困线、监测标准)") % {"y": on.year}, field="on")
        by_rule.setdefault(rule_set, []).append(h)
    for rule_set, group in by_rule.items():
        rows = {r["household_id"]: r for r in evaluate_households(
            rule_set, household_ids=[h.pk for h in group], prefix=group[0].county_code, on=on)}
        for h in group:
            result = reasons(rows[h.pk], rule_set)
            if not test({**rows[h.pk], **result}):
                why = "；".join(i["text"] for i in result["failures"] + result["triggers"]) or _(
                    "收入稳定超过监测标准未满 %(m)s 个月") % {"m": rule_set.steady_months}
                raise ValidationError(f"{message(h, why)}({rule_set.label})", field="household_ids")


@transaction.atomic
def cases_publish(*, scope: Scope, by, definition: str, case_ids, village: str, starts_on: date, ends_on: date,
                  title: str = "") -> Notice:
    """村内公示 / 公示: post the village's cases on notice (numbers masked in the notice's rows)."""
    procedures.notice_role_check(scope, defs.EXIT_DEFINITION)  # the three share their notice roles
    if definition not in (defs.IDENTIFICATION, defs.EXIT, defs.MONITORING):
        raise ValidationError(_("流程“%(d)s”不在此公示") % {"d": definition}, field="definition")
    d = defs.DEFINITIONS[definition]
    title = title.strip() or _("%(y)s年%(d)s公示") % {"y": starts_on.year, "d": d.label}
    return procedures.notice_publish(scope=scope, by=by, definition=definition, case_ids=case_ids, region=village,
                                     title=title, starts_on=starts_on, ends_on=ends_on, transition="publish")


def _subjects(scope: Scope, definition: str, case_ids, transition: str) -> tuple[list[Case], list[Household]]:
    procedures.transition_check(scope=scope, transition=defs.DEFINITIONS[definition].transition(transition))
    cases = list(Case.objects.filter(pk__in=set(case_ids), definition=definition,
                                     region__code__startswith=scope.prefix).order_by("pk"))
    if not case_ids or len(cases) != len(set(case_ids)):
        raise NotFound(_("办理事项不存在或不在您的管辖范围内"), field="case_ids")
    return cases, _households(scope, [c.subject_id for c in cases])


@transaction.atomic
def identification_enter(*, scope: Scope, by, case_ids, on: date, comment: str = "") -> int:
    """录入: the announced households become registered poor households (建档立卡) from `on`."""
    cases, households = _subjects(scope, defs.IDENTIFICATION, case_ids, "enter")
    procedures.cases_advance(scope=scope, by=by, definition=defs.IDENTIFICATION, case_ids=[c.pk for c in cases],
                             transition="enter", on=on, comment=comment, service=True)
    _set_status(households, by, status="poor", identified_on=on, exited_on=None)
    return len(cases)


@transaction.atomic
def exit_complete(*, scope: Scope, by, case_ids, on: date, comment: str = "") -> int:
    """退出: the announced households are marked exited (已脱贫) on `on`."""
    cases, households = _subjects(scope, defs.EXIT, case_ids, "exit")
    procedures.cases_advance(scope=scope, by=by, definition=defs.EXIT, case_ids=[c.pk for c in cases],
                             transition="exit", on=on, comment=comment, service=True)
    _set_status(households, by, status="exited", exited_on=on)
    return len(cases)


# Monitoring ----------------------------------------------------------------------------------


@transaction.atomic
def monitoring_declare(*, scope: Scope, by, household: Household, source: str, on: date, reason: str = "",
                       triggers: str = "", rule_set=None) -> Monitoring:
    """农户自主申报 / 干部排查 / 部门预警 (and the registry's own warning): open the household's
    monitoring case; it must be verified within 5 working days and decided within 15."""
    procedures.transition_check(scope=scope, transition=defs.MONITORING_DEFINITION.transition("verify"))
    [household] = _households(scope, [household.pk])
    if source not in MonitoringSource.values:
        raise ValidationError(_("发现途径应为：%(s)s") % {"s": "、".join(str(v) for v in MonitoringSource.labels)},
                              field="source")
    if household.status not in CANDIDATE_STATUSES:
        raise ValidationError(_("户 %(n)s 当前为“%(s)s”，监测对象从脱贫户和一般农户中识别") % {
            "n": household.number, "s": household.get_status_display()}, field="household")
    monitoring = Monitoring(household=household, county_code=household.county_code, region_id=household.region_id,
                            source=source, triggers=triggers, reason=reason.strip(), rule_set=rule_set,
                            opened_on=on, created_by=by, previous_status=household.status)
    try:
        with transaction.atomic():
            monitoring.save()
    except IntegrityError:
        raise Conflict(_("户 %(n)s 已有正在办理的监测") % {"n": household.number}, field="household") from None
    [case] = procedures.case_open(scope=scope, by=by, definition=defs.MONITORING,
                                  subject_kind=defs.MONITORING_SUBJECT,
                                  subject_ids_regions=[(monitoring.pk, household.region_id)], on=on,
                                  comment=reason.strip()[:500])
    Monitoring.objects.filter(pk=monitoring.pk).update(case=case)
    monitoring.case = case
    return monitoring


def _check(scope: Scope, monitoring: Monitoring, transition: str) -> Monitoring:
    """The step's role and level first, then the record inside the scope (else 404)."""
    procedures.transition_check(scope=scope, transition=defs.MONITORING_DEFINITION.transition(transition))
    return monitoring_get(scope=scope, pk=monitoring.pk)


def _advance(scope, by, monitoring: Monitoring, transition: str, on: date, comment: str = "") -> Monitoring:
    monitoring = monitoring_get(scope=scope, pk=monitoring.pk)
    procedures.cases_advance(scope=scope, by=by, definition=defs.MONITORING, case_ids=[monitoring.case_id],
                             transition=transition, on=on, comment=comment, service=True)
    return monitoring


@transaction.atomic
def monitoring_confirm(*, scope: Scope, by, monitoring: Monitoring, category: str, risk_types: list[str], on: date,
                       comment: str = "") -> Monitoring:
    """确认: the household becomes a monitored household of the category, with its risk types."""
    _check(scope, monitoring, "confirm")
    if category not in MonitoringCategory.values:
        raise ValidationError(_("请选择监测对象类别"), field="category")
    risk_types = [r for r in dict.fromkeys(risk_types or []) if r]
    if not risk_types or any(r not in RiskType.values for r in risk_types):
        raise ValidationError(_("请选择风险类型"), field="risk_types")
    monitoring = _advance(scope, by, monitoring, "confirm", on, comment)
    Monitoring.objects.filter(pk=monitoring.pk).update(category=category, risk_types=",".join(risk_types))
    _set_status([monitoring.household], by, status="monitored", monitoring_category=category, monitored_on=on)
    return monitoring_get(scope=scope, pk=monitoring.pk)


@transaction.atomic
def monitoring_decline(*, scope: Scope, by, monitoring: Monitoring, on: date, comment: str) -> Monitoring:
    """不纳入: verified and appraised, not a monitored household; the reason is required."""
    _check(scope, monitoring, "decline")
    if not comment.strip():
        raise ValidationError(_("请写明不纳入监测的理由"), field="comment")
    monitoring = _advance(scope, by, monitoring, "decline", on, comment)
    Monitoring.objects.filter(pk=monitoring.pk).update(closed_on=on)
    return monitoring_get(scope=scope, pk=monitoring.pk)


@transaction.atomic
def monitoring_help(*, scope: Scope, by, monitoring: Monitoring, measures: str, on: date) -> Monitoring:
    """帮扶: the measures put in place (产业、就业、健康、教育、住房、兜底 …)."""
    _check(scope, monitoring, "help")
    if not measures.strip():
        raise ValidationError(_("请填写帮扶措施"), field="measures")
    monitoring = _advance(scope, by, monitoring, "help", on, measures.strip()[:500])
    Monitoring.objects.filter(pk=monitoring.pk).update(measures=measures.strip())
    return monitoring_get(scope=scope, pk=monitoring.pk)


@transaction.atomic
def monitoring_eliminate(*, scope: Scope, by, monitoring: Monitoring, on: date, comment: str = "") -> Monitoring:
    """风险消除: refused unless the rules in force on `on` find the household's risk gone (income
    steadily above the monitoring line for the rule's months, every 保障 secure), naming why not."""
    monitoring = _check(scope, monitoring, "eliminate")
    _require([monitoring.household], on, lambda r: r["risk_eliminable"],
             lambda h, why: _("户 %(n)s 暂不能消除风险：%(w)s") % {"n": h.number, "w": why})
    return _advance(scope, by, monitoring, "eliminate", on, comment)


@transaction.atomic
def monitoring_mark(*, scope: Scope, by, monitoring: Monitoring, on: date, comment: str = "") -> Monitoring:
    """标注: after the notice, the risk is marked eliminated and the household leaves monitoring."""
    _check(scope, monitoring, "mark")
    monitoring = _advance(scope, by, monitoring, "mark", on, comment)
    Monitoring.objects.filter(pk=monitoring.pk).update(closed_on=on)
    _set_status([monitoring.household], by, status=monitoring.previous_status or "exited", monitoring_category="")
    return monitoring_get(scope=scope, pk=monitoring.pk)


CHUNK = 900  # ids per IN list (SQLite's older builds allow 999 parameters a statement)
SMALL = 500  # up to this many changed households are evaluated by id; more (an import) by county


def _chunks(ids: list[int]):
    for i in range(0, len(ids), CHUNK):
        yield ids[i:i + CHUNK]


def monitoring_on_registry_change(*, household_ids: list[int], by, on: date) -> None:
    """The registry's hook (registry/hooks.py), set-wise for one household or a whole import: record
    each changed income per head, then evaluate the changed households by the rules in force — one
    statement per county's rule set — and open a monitoring case at once (source 登记信息变化预警) for
    each exited or general household that now meets a trigger it did not meet in its latest snapshot."""
    if not household_ids or not RuleSet.objects.exists():
        return  # no rules set yet: nothing to evaluate (docs/rules.md)
    ids = sorted(set(household_ids))
    counties = set()
    for chunk in _chunks(ids):
        counties.update(Household.objects.filter(pk__in=chunk).values_list("county_code", flat=True).distinct())
    for county in sorted(counties):
        rule_set = rule_set_in_force(region=county.ljust(12, "0"), on=on)
        if rule_set is not None:
            _incomes_record(ids, county, on)
            _monitoring_raise(ids, county, rule_set, by, on)


def _incomes_record(ids: list[int], county: str, on: date) -> None:
    """An IncomeRecord for each household whose income per head differs from its latest record."""
    latest = (IncomeRecord.objects.filter(household_id=OuterRef("pk")).order_by("-recorded_on", "-pk")
              .values("income_per_capita")[:1])
    records = []
    for chunk in _chunks(ids):
        changed = (Household.objects.filter(pk__in=chunk, county_code=county).annotate(last=Subquery(latest))
                   .filter(Q(last__isnull=True) | ~Q(last=F("income_per_capita")))
                   .values_list("pk", "income_per_capita"))
        records += [IncomeRecord(household_id=pk, county_code=county, recorded_on=on, income_per_capita=income)
                    for pk, income in changed]
    IncomeRecord.objects.bulk_create(records, batch_size=2000)


def _monitoring_raise(ids: list[int], county: str, rule_set, by, on: date) -> None:
    wanted = set(ids)
    # a few households: evaluated by id; an import's many: the county in one statement, kept to those
    # meeting a trigger, then to the changed ones
    select = evaluation_select(rule_set, prefix=county, on=on, household_ids=ids if len(ids) <= SMALL else None)
    statuses = ", ".join(f"'{s}'" for s in CANDIDATE_STATUSES)
    sql = (f"SELECT {', '.join('x.' + c for c in COLUMNS)} FROM ({select.text}) x "
           f"WHERE x.triggers <> '' AND x.status IN ({statuses}) AND x.size > 0 AND NOT EXISTS ("
           f"SELECT 1 FROM rules_monitoring m WHERE m.county_code = x.county_code AND m.household_id = x.household_id "
           f"AND m.closed_on IS NULL)")
    with connection.cursor() as cursor:
        cursor.execute(sql, select.params)
        rows = [r for r in (dict(zip(COLUMNS, v)) for v in cursor.fetchall()) if r["household_id"] in wanted]
    if not rows:
        return
    # only what this change brought: a trigger the household already met in its latest snapshot
    # (a long-standing disability, say) was for that evaluation's list, not for every later edit
    known: dict[int, str] = {}
    for chunk in _chunks([r["household_id"] for r in rows]):
        for household, triggers in (EvaluationRow.objects.filter(household_id__in=chunk)
                                    .order_by("household_id", "-evaluation__on", "-evaluation_id")
                                    .values_list("household_id", "triggers")):
            known.setdefault(household, triggers)
    raised = []
    for row in rows:
        new = [t for t in row["triggers"].split(",") if t and t not in known.get(row["household_id"], "").split(",")]
        if new:
            row = {**row, "triggers": ",".join(new) + ","}
            raised.append((row, "；".join(i["text"] for i in reasons(row, rule_set)["triggers"])))
    if raised:
        monitorings_raise(county=county, by=by, on=on, rule_set=rule_set, raised=raised)


def monitorings_raise(*, county: str, by, on: date, rule_set, raised: list[tuple[dict, str]]) -> list[Monitoring]:
    """Open the monitoring cases the registry's warning raised (登记信息变化预警), set-wise: one
    Monitoring per household with its triggers, reasons and rule version, one case each, opened
    together. Households with an open monitoring were left out by the caller's statement."""
    households = {h.pk: h for h in Household.objects.filter(pk__in=[r["household_id"] for r, _why in raised])}
    monitorings = Monitoring.objects.bulk_create([
        Monitoring(household_id=row["household_id"], county_code=county, region_id=row["region_id"],
                   source=MonitoringSource.REGISTRY, triggers=row["triggers"].strip(","), rule_set=rule_set,
                   reason=f"{why}({rule_set.label})", opened_on=on, created_by=by,
                   previous_status=households[row["household_id"]].status)
        for row, why in raised], batch_size=1000)
    if not monitorings[0].pk:  # a backend that returns no ids from a bulk insert
        monitorings = list(Monitoring.objects.filter(county_code=county, opened_on=on, case__isnull=True,
                                                     household_id__in=households).order_by("pk"))
    system = Scope(role=Role.ADMIN, prefix=county)
    cases = procedures.case_open(scope=system, by=by, definition=defs.MONITORING, subject_kind=defs.MONITORING_SUBJECT,
                                 subject_ids_regions=[(m.pk, m.region_id) for m in monitorings], on=on,
                                 comment=_("登记信息变化预警"))
    by_subject = {c.subject_id: c for c in cases}
    for m in monitorings:
        m.case = by_subject[m.pk]
    Monitoring.objects.bulk_update(monitorings, ["case"], batch_size=1000)
    return monitorings
