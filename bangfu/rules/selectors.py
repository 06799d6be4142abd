"""Reading rule sets, evaluation snapshots with the reason of every result, a household's live
evaluation, monitoring records and notice rows — always inside the caller's scope."""

from datetime import date
from decimal import Decimal

from django.db import connection
from django.db.models import QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound, PermissionDenied
from bangfu.regions.models import Region
from bangfu.registry.models import Household, HouseholdStatus, Person
from bangfu.rules.criteria import CANDIDATE_STATUSES, COLUMNS, EXIT_CRITERIA, TRIGGERS, evaluation_select
from bangfu.rules.models import CountyResult, Evaluation, EvaluationRow, Monitoring, RuleSet, VillageResult

SHOW = {
    "exit": gettext_lazy("达到退出标准的未脱贫户"),
    "failing": gettext_lazy("未达到退出标准的户"),
    "monitoring": gettext_lazy("应纳入监测的户"),
    "eliminable": gettext_lazy("可消除风险的监测户"),
    "exited_failing": gettext_lazy("已脱贫但未达到标准的户"),
    "all": gettext_lazy("全部"),
}


def _see(scope: Scope) -> None:
    if not scope.rules.see_households:
        raise PermissionDenied(_("您的角色不查看农户"))


def rule_set_list(*, region: str | None = None, year: int | None = None) -> QuerySet:
    """Every version (the history) — rules are public policy, readable by every signed-in role."""
    qs = RuleSet.objects.select_related("region", "created_by")
    if region:
        qs = qs.filter(region_id=region)
    if year:
        qs = qs.filter(year=year)
    return qs.order_by("region_id", "-year", "-version")


def rule_set_get(*, pk: int) -> RuleSet:
    rule_set = rule_set_list().filter(pk=pk).first()
    if rule_set is None:
        raise NotFound(_("规则版本不存在"))
    return rule_set


def evaluation_list(*, scope: Scope) -> QuerySet:
    from bangfu.rules.services import evaluation_check

    evaluation_check(scope)
    qs = Evaluation.objects.select_related("region", "rule_set", "rule_set__region")
    return qs.filter(region__code__startswith=scope.prefix) if scope.prefix else qs


def evaluation_get(*, scope: Scope, pk: int) -> Evaluation:
    evaluation = evaluation_list(scope=scope).filter(pk=pk).first()
    if evaluation is None:
        raise NotFound(_("测算不存在或不在您的管辖范围内"))
    return evaluation


def evaluation_rows(*, scope: Scope, evaluation: Evaluation, show: str = "all") -> QuerySet:
    """The snapshot's rows of one kind, inside the caller's scope (a township reading a county's
    snapshot sees its own villages)."""
    qs = EvaluationRow.objects.filter(evaluation=evaluation)
    if scope.prefix and len(scope.prefix) > len(evaluation.region.prefix):
        qs = qs.filter(region_id__startswith=scope.prefix)
    if show == "exit":
        qs = qs.filter(status="poor", exit_ok=True)
    elif show == "failing":
        qs = qs.filter(exit_ok=False)
    elif show == "monitoring":
        qs = qs.filter(status__in=CANDIDATE_STATUSES).exclude(triggers="")
    elif show == "eliminable":
        qs = qs.filter(risk_eliminable=True)
    elif show == "exited_failing":
        qs = qs.filter(status="exited", exit_ok=False)
    return qs.order_by("region_id", "household_id")


def village_results(*, scope: Scope, evaluation: Evaluation) -> QuerySet:
    qs = VillageResult.objects.filter(evaluation=evaluation)
    if scope.prefix and len(scope.prefix) > len(evaluation.region.prefix):
        qs = qs.filter(region_id__startswith=scope.prefix)
    return qs.order_by("region_id")


def county_results(*, scope: Scope, evaluation: Evaluation) -> list[dict]:
    """County exit (摘帽) in a snapshot of a county or more, each criterion with its value and line. A
    scope inside a county (a township) reads none: the figure is the whole county's."""
    rule_set = evaluation.rule_set
    rows = CountyResult.objects.filter(evaluation=evaluation)
    if scope.prefix and len(scope.prefix) > 6:
        return []
    if scope.prefix:
        rows = rows.filter(county_code__startswith=scope.prefix[:6])
    names = dict(Region.objects.filter(code__in=[r.county_code.ljust(12, "0") for r in rows])
                 .values_list("code", "name"))
    return [{"county_code": r.county_code, "name": names.get(r.county_code.ljust(12, "0"), r.county_code),
             "households": r.households, "people": r.people, "poor_people": r.poor_people, "rate": r.rate,
             "rate_line": rule_set.county_exit_rate, "rate_ok": r.rate_ok, "poor_villages": r.poor_villages,
             "poor_villages_exit": r.poor_villages_exit, "village_share": r.village_share,
             "village_share_line": rule_set.county_village_share, "villages_ok": r.villages_ok, "exit_ok": r.exit_ok,
             "rule_version": rule_set.label} for r in rows.order_by("county_code")]


def _money(value) -> str:
    return f"{Decimal(value):.2f}"


def reasons(row, rule_set: RuleSet) -> dict:
    """Each result with its reason: criterion, value, line and rule version (a row of EvaluationRow
    or the dict of a live evaluation)."""
    get = row.get if isinstance(row, dict) else lambda k: getattr(row, k)
    version = rule_set.label
    income = Decimal(get("income_per_capita"))
    total = Decimal(get("income_total"))
    failures, triggers = [], []
    for code in filter(None, (get("failures") or "").split(",")):
        item = {"criterion": code, "label": str(EXIT_CRITERIA[code]), "rule_version": version}
        if code == "income":
            item.update(value=_money(income), line=_money(rule_set.poverty_line),
                        gap=_money(rule_set.poverty_line - income),
                        text=_("人均纯收入 %(v)s 元，未高于贫困线 %(l)s 元(差 %(g)s 元)") % {
                            "v": _money(income), "l": _money(rule_set.poverty_line),
                            "g": _money(rule_set.poverty_line - income)})
        elif code == "education" and int(get("out_of_school") or 0):
            item.update(value=str(get("out_of_school")), line="0",
                        text=_("%(n)s 名 %(a)s–%(b)s 岁义务教育阶段成员未在校") % {
                            "n": get("out_of_school"), "a": rule_set.compulsory_age_from,
                            "b": rule_set.compulsory_age_to})
        else:
            item.update(value=_("否"), line=_("是"), text=_("%(c)s：否") % {"c": item["label"]})
        failures.append(item)
    for code in filter(None, (get("triggers") or "").split(",")):
        item = {"criterion": code, "label": str(TRIGGERS[code]), "rule_version": version}
        if code == "income_low":
            item.update(value=_money(income), line=_money(rule_set.monitoring_line),
                        text=_("人均纯收入 %(v)s 元，低于监测标准 %(l)s 元") % {
                            "v": _money(income), "l": _money(rule_set.monitoring_line)})
        elif code == "income_drop":
            previous = Decimal(get("income_previous"))
            line = previous * (1 - rule_set.income_drop_share)
            item.update(value=_money(income), line=_money(line),
                        text=_("人均纯收入 %(v)s 元，比上年 %(p)s 元下降超过 %(s)s%%(低于 %(l)s 元)") % {
                            "v": _money(income), "p": _money(previous), "s": int(rule_set.income_drop_share * 100),
                            "l": _money(line)})
        elif code == "expense":
            line = total * rule_set.expense_share
            item.update(value=_money(get("expense")), line=_money(line),
                        text=_("医疗、教育支出 %(v)s 元，超过家庭年收入 %(t)s 元的 %(s)s%%(%(l)s 元)") % {
                            "v": _money(get("expense")), "t": _money(total),
                            "s": int(rule_set.expense_share * 100), "l": _money(line)})
        elif code == "disaster":
            line = total * rule_set.disaster_share
            item.update(value=_money(get("disaster_loss")), line=_money(line),
                        text=_("灾害或意外损失 %(v)s 元，超过家庭年收入的 %(s)s%%(%(l)s 元)") % {
                            "v": _money(get("disaster_loss")), "s": int(rule_set.disaster_share * 100),
                            "l": _money(line)})
        elif code == "work_ability":
            item.update(value=str(get("unable_to_work")), line="0",
                        text=_("%(n)s 名 %(a)s–%(b)s 岁成员丧失劳动能力，家中无其他有劳动能力的成员") % {
                            "n": get("unable_to_work"), "a": rule_set.working_age_from, "b": rule_set.working_age_to})
        else:
            item.update(value=_("否"), line=_("是"), text=_("住房安全有保障：否"))
        triggers.append(item)
    status = get("status")
    return {"exit_ok": bool(get("exit_ok")), "failures": failures, "triggers": triggers,
            "monitoring_candidate": status in CANDIDATE_STATUSES and bool(triggers),
            "risk_eliminable": bool(get("risk_eliminable")), "rule_version": version, "rule_set_id": rule_set.pk}


def rows_with_reasons(rows, rule_set: RuleSet) -> list[dict]:
    """A page of snapshot rows with households' numbers, heads' names and reasons (two queries)."""
    rows = list(rows)
    households = {h.pk: h for h in Household.objects.filter(pk__in=[r.household_id for r in rows])
                  .select_related("head", "region")}
    out = []
    for row in rows:
        h = households.get(row.household_id)
        out.append({"row": row, "household": h, "number": h.number if h else "", "head": h.head.name if h and
                    h.head else "", "village": h.region.name if h else row.region_id,
                    "status_label": HouseholdStatus(row.status).label if row.status in HouseholdStatus.values
                    else row.status, **reasons(row, rule_set)})
    return out


def household_evaluate(*, scope: Scope, household: Household, on: date) -> dict | None:
    """The household's results now, by the rules in force on `on` (one statement), with reasons;
    None when no rule set applies."""
    from bangfu.rules.services import rule_set_in_force

    household = scope.households(Household.objects.all()).filter(pk=household.pk).first()
    if household is None:
        raise NotFound(_("农户不存在或不在您的管辖范围内"))
    rule_set = rule_set_in_force(region=household.region_id, on=on)
    if rule_set is None:
        return None
    [row] = evaluate_households(rule_set, household_ids=[household.pk], prefix=household.region_id, on=on) or [None]
    if row is None:
        return None
    return {"household_id": household.pk, "on": on, **{k: row[k] for k in COLUMNS if k != "household_id"},
            **reasons(row, rule_set)}


def evaluate_households(rule_set: RuleSet, *, household_ids: list[int], prefix: str, on: date) -> list[dict]:
    select = evaluation_select(rule_set, prefix=prefix, on=on, household_ids=household_ids)
    with connection.cursor() as cursor:
        cursor.execute(select.text, select.params)
        return [dict(zip(COLUMNS, r)) for r in cursor.fetchall()]


QUALITY_KINDS = ("failing", "exited_failing", "poor_eligible", "monitoring", "missed")


def quality_rows(*, scope: Scope, evaluation: Evaluation, kind: str) -> QuerySet:
    """For quality rates (三率一度, the quality app): the snapshot's rows behind a figure —
    kind "failing" (households failing an exit criterion), "exited_failing" (exited households now
    failing one: 错退), "poor_eligible" (still registered poor though meeting every criterion),
    "monitoring" (meeting a trigger, not monitored), "missed" (general households 一般农户 meeting the
    identification criteria — income per head at or under the poverty line, or one of 两不愁三保障
    not secure, i.e. failing an exit criterion: 漏评). Each row carries household_id, region_id,
    status, size, failures and triggers; reasons(row, evaluation.rule_set) names criterion, value,
    line and rule version."""
    if kind not in QUALITY_KINDS:
        raise NotFound(_("没有这种名单"))
    if kind == "missed":
        return (evaluation_rows(scope=scope, evaluation=evaluation, show="failing")
                .filter(status=HouseholdStatus.NOT_POOR))
    show = {"poor_eligible": "exit"}.get(kind, kind)
    return evaluation_rows(scope=scope, evaluation=evaluation, show=show)


def evaluation_for_period(*, scope: Scope, start: date, end: date) -> Evaluation | None:
    """The snapshot a period's quality figures read: the latest evaluation taken between `start`
    and `end` over the scope's region or a region containing it (a county's snapshot serves its
    townships); None when there is none, or the role reads no snapshots."""
    from bangfu.rules.services import EVALUATION_ROLES

    if scope.role not in EVALUATION_ROLES or not scope.prefix:
        return None
    prefixes = [scope.prefix[:n] for n in (2, 4, 6, 9, 12) if n <= len(scope.prefix)]
    return (Evaluation.objects.filter(region__prefix__in=prefixes, on__gte=start, on__lte=end)
            .select_related("region", "rule_set", "rule_set__region").order_by("-on", "-pk").first())


def quality_reasons(*, evaluation: Evaluation, rows) -> dict[int, str]:
    """The failing criteria of each row, as one line naming the snapshot: "测算 2026-11-30(融安县2026年
    第2版)：人均纯收入 4800.00 元，未高于贫困线 4900.00 元(差 100.00 元)"."""
    out = {}
    for row in rows:
        result = reasons(row, evaluation.rule_set)
        text = "；".join(i["text"] for i in result["failures"])
        out[row.household_id] = _("测算 %(on)s(%(v)s)：%(t)s") % {"on": evaluation.on, "v": result["rule_version"],
                                                                 "t": text}
    return out


def monitoring_list(*, scope: Scope, state: str | None = None) -> QuerySet:
    _see(scope)
    qs = Monitoring.objects.select_related("household", "household__head", "region", "case", "rule_set")
    if scope.prefix:
        qs = qs.filter(region__code__startswith=scope.prefix)
    if scope.rules.households != "region" or scope.organization_id is not None:
        qs = qs.filter(household__in=scope.households(Household.objects.all()))
    if state:
        qs = qs.filter(case__state=state)
    return qs.order_by("-opened_on", "-pk")


def monitoring_get(*, scope: Scope, pk: int) -> Monitoring:
    monitoring = monitoring_list(scope=scope).filter(pk=pk).first()
    if monitoring is None:
        raise NotFound(_("监测记录不存在或不在您的管辖范围内"))
    return monitoring


def notice_rows_for_cases(case_ids: list[int]) -> list[dict]:
    """Rows of an identification, exit or monitoring notice: the head's name and ID number (the
    procedures selector masks it), village, members, income per head and a note."""
    from bangfu.procedures.models import Case

    cases = list(Case.objects.filter(pk__in=case_ids).order_by("pk"))
    monitoring = {m.pk: m for m in Monitoring.objects.filter(
        pk__in=[c.subject_id for c in cases if c.subject_kind == "rules.monitoring"])}
    household_ids = {c.pk: (monitoring[c.subject_id].household_id if c.subject_kind == "rules.monitoring"
                            else c.subject_id) for c in cases}
    households = {h.pk: h for h in Household.objects.filter(pk__in=household_ids.values()).select_related("region")}
    heads = {p.household_id: p for p in Person.objects.filter(household_id__in=households, relation="head")}
    rows = []
    for case in cases:
        h = households.get(household_ids[case.pk])
        if h is None:
            continue
        head = heads.get(h.pk)
        note = {"identification": _("拟识别为贫困户"), "exit": _("拟脱贫退出"),
                "monitoring": _("拟标注风险消除")}.get(case.definition, "")
        if case.subject_kind == "rules.monitoring":
            m = monitoring[case.subject_id]
            note = f"{m.get_category_display()} {note}".strip()
        rows.append({"case": case.pk, "name": head.name if head else "", "id_number": head.id_number if head else "",
                     "village": h.region.name, "members": h.size, "income_per_capita": h.income_per_capita,
                     "note": note})
    return rows
