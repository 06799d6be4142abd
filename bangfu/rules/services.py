"""Rule sets (versions, never edited in place), the preview of a change and the evaluation
snapshot. Each evaluation is one INSERT … SELECT built from the rule set (rules/criteria.py)."""

from datetime import date

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from bangfu.accounts.roles import ROLE_RULES, Role
from bangfu.accounts.scope import Scope
from bangfu.errors import FieldErrors, NotFound, PermissionDenied, ValidationError
from bangfu.regions.models import Level, Region
from bangfu.rules.criteria import CANDIDATE_STATUSES, COLUMNS, evaluation_select
from bangfu.rules.models import CountyResult, Evaluation, PoorVillage, RuleSet

RULE_ROLES = frozenset({Role.ADMIN, Role.COUNTY_OFFICE})
# who runs and reads evaluations: roles that see every household of their region (not a helper,
# who sees the households they help: a snapshot of the region is not theirs to read)
EVALUATION_ROLES = frozenset(r for r in Role.values if ROLE_RULES[r].see_households
                             and ROLE_RULES[r].households == "region")


def evaluation_check(scope: Scope) -> None:
    if scope.role not in EVALUATION_ROLES:
        raise PermissionDenied(_("您的角色不查看地区的测算结果"))
EDITABLE = ["poverty_line", "monitoring_line", "compulsory_age_from", "compulsory_age_to", "check_water",
            "income_drop_share", "expense_share", "disaster_share", "working_age_from", "working_age_to",
            "steady_months", "village_exit_rate", "county_exit_rate", "county_village_share"]
CANDIDATES_SQL = ", ".join(f"'{s}'" for s in CANDIDATE_STATUSES)


def rule_edit_check(scope: Scope) -> None:
    if scope.role not in RULE_ROLES:
        raise PermissionDenied(_("只有县级业务部门或系统管理员可以修改识别、退出和监测标准"))


def _region(scope: Scope, code: str, *, field: str = "region") -> Region:
    region = Region.objects.filter(code=str(code or "").strip()).first()
    if region is None or not (scope.contains_code(region.code) or not scope.prefix):
        raise NotFound(_("地区不存在或不在您的管辖范围内"), field=field)
    return region


def _ancestors(code: str) -> list[str]:
    return [code[:n].ljust(12, "0") for n in (2, 4, 6, 9, 12)]


def rule_set_in_force(*, region: str, on: date) -> RuleSet | None:
    """The version in force on `on` for the region's code: the nearest region (county before
    province) with rules effective by then — of `on`'s year, or while that year's are not yet set,
    of the latest year before it — its latest effective version."""
    candidates = (RuleSet.objects.filter(region_id__in=_ancestors(region), year__lte=on.year, effective_from__lte=on)
                  .select_related("region").order_by("-region__level", "-year", "-effective_from", "-version"))
    return candidates.first()


def _rule_set_build(scope: Scope, *, region: Region, year: int, data: dict, effective_from: date, note: str,
                    by) -> RuleSet:
    if region.level not in (Level.PROVINCE, Level.COUNTY):
        raise ValidationError(_("标准按省(自治区)或县制定：请选择省级或县级地区"), field="region")
    unknown = set(data) - set(EDITABLE)
    if unknown:
        raise ValidationError(_("不能修改的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    if not 2000 <= int(year) <= 2100:
        raise ValidationError(_("年度应在2000至2100之间"), field="year")
    if not int(year) - 1 <= effective_from.year <= int(year):
        raise ValidationError(_("生效日期应在%(y)s年内(或上一年末提前公布)") % {"y": year}, field="effective_from")
    base = RuleSet.objects.filter(region=region, year=year).order_by("-version").first()
    rule_set = RuleSet(region=region, year=year, effective_from=effective_from, note=(note or "").strip()[:200],
                       created_by=by)
    if base is not None:
        for name in EDITABLE:
            setattr(rule_set, name, getattr(base, name))
        if effective_from < base.effective_from:
            raise ValidationError(_("生效日期不能早于上一版本(第%(v)s版)的生效日期 %(d)s") % {
                "v": base.version, "d": base.effective_from}, field="effective_from")
    for name, value in data.items():
        if value is not None and value != "":
            setattr(rule_set, name, value)
    rule_set.version = (base.version + 1) if base else 1
    try:
        rule_set.full_clean(exclude=["created_by"])
    except DjangoValidationError as exc:
        raise FieldErrors({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from None
    return rule_set


@transaction.atomic
def rule_set_save(*, scope: Scope, by, region: str, year: int, data: dict, effective_from: date,
                  note: str = "") -> RuleSet:
    """A new version of the region's rules for the year, from the latest version with `data` changed."""
    rule_edit_check(scope)
    place = _region(scope, region)
    rule_set = _rule_set_build(scope, region=place, year=year, data=data, effective_from=effective_from, note=note,
                               by=by)
    rule_set.save()
    return rule_set


def rule_set_preview(*, scope: Scope, region: str, year: int, data: dict, effective_from: date,
                     on: date | None = None) -> dict:
    """Before saving: how many households of the region (inside the caller's scope) the change would
    move — into or out of the exit criteria, monitoring, risk elimination — in one statement
    comparing the version in force with the proposed one."""
    rule_edit_check(scope)
    place = _region(scope, region)
    proposed = _rule_set_build(scope, region=place, year=year, data=data, effective_from=effective_from, note="",
                               by=None)
    on = on or effective_from
    prefix = scope.narrow(place.code).prefix if scope.prefix else place.prefix
    current = rule_set_in_force(region=place.code, on=on)
    new = evaluation_select(proposed, prefix=prefix, on=on)
    cols = ", ".join(f"x.{c}" for c in ("household_id", "status", "exit_ok", "triggers", "risk_eliminable"))
    if current is None:
        old_text, old_params = (f"SELECT x.household_id, x.status, FALSE AS exit_ok, '' AS triggers, "
                                f"FALSE AS risk_eliminable FROM ({new.text}) x"), new.params
    else:
        old = evaluation_select(current, prefix=prefix, on=on)
        old_text, old_params = f"SELECT {cols} FROM ({old.text}) x", old.params
    candidate = f"IN ({CANDIDATES_SQL})"
    sql = f"""
        SELECT COUNT(*),
          SUM(CASE WHEN a.exit_ok <> b.exit_ok OR (a.triggers = '') <> (b.triggers = '')
                     OR a.risk_eliminable <> b.risk_eliminable THEN 1 ELSE 0 END),
          SUM(CASE WHEN b.exit_ok AND NOT a.exit_ok THEN 1 ELSE 0 END),
          SUM(CASE WHEN a.exit_ok AND NOT b.exit_ok THEN 1 ELSE 0 END),
          SUM(CASE WHEN b.status {candidate} AND b.triggers <> '' AND a.triggers = '' THEN 1 ELSE 0 END),
          SUM(CASE WHEN b.status {candidate} AND a.triggers <> '' AND b.triggers = '' THEN 1 ELSE 0 END),
          SUM(CASE WHEN b.risk_eliminable AND NOT a.risk_eliminable THEN 1 ELSE 0 END),
          SUM(CASE WHEN a.risk_eliminable AND NOT b.risk_eliminable THEN 1 ELSE 0 END)
        FROM ({old_text}) a JOIN (SELECT {cols} FROM ({new.text}) x) b ON a.household_id = b.household_id"""
    with connection.cursor() as cursor:
        cursor.execute(sql, old_params + new.params)
        row = [int(v or 0) for v in cursor.fetchone()]
    keys = ["households", "moved", "exit_gain", "exit_loss", "monitor_gain", "monitor_loss", "eliminable_gain",
            "eliminable_loss"]
    return {**dict(zip(keys, row)), "current": current.label if current else "", "proposed": proposed.label,
            "on": on}


def _scope_region(scope: Scope, region: str) -> Region:
    prefix = scope.narrow(region).prefix
    place = Region.objects.filter(prefix=prefix).first() if prefix else None
    if place is None:
        raise ValidationError(_("请选择测算地区(省、市、县、乡镇或村)"), field="region")
    return place


@transaction.atomic
def evaluation_run(*, scope: Scope, by, region: str, on: date) -> Evaluation:
    """Evaluate the rules in force on `on` over the region's households and keep the result as a
    dated snapshot naming the rule version: one INSERT … SELECT for the households, one for the
    villages, one aggregate for the counts."""
    evaluation_check(scope)
    place = _scope_region(scope, region)
    rule_set = rule_set_in_force(region=place.code, on=on)
    if rule_set is None:
        raise ValidationError(_("%(y)s年还没有适用于%(r)s的标准(贫困线、监测标准)：请先在“识别与监测标准”中设定") % {
            "y": on.year, "r": place.name}, field="on")
    below = RuleSet.objects.filter(year__lte=on.year, effective_from__lte=on, region__prefix__startswith=place.prefix)
    if below.exclude(region__prefix=place.prefix).exclude(region__prefix__in=[
            place.prefix[:n] for n in (2, 4, 6, 9)]).exists():
        raise ValidationError(_("%(r)s下有地区另行制定了标准，请分别测算") % {"r": place.name}, field="region")
    evaluation = Evaluation.objects.create(region=place, on=on, rule_set=rule_set, created_by=by)
    select = evaluation_select(rule_set, prefix=place.prefix, on=on)
    columns = ", ".join(COLUMNS)
    with connection.cursor() as cursor:
        cursor.execute(evaluation_insert_sql(select.text, evaluation.pk), select.params)
        cursor.execute(f"""
            INSERT INTO rules_villageresult (evaluation_id, region_id, households, people, poor_people, exit_ok)
            SELECT %s, region_id, COUNT(*), SUM(size),
                   SUM(CASE WHEN status = 'poor' AND NOT exit_ok THEN size ELSE 0 END),
                   CASE WHEN SUM(CASE WHEN status = 'poor' AND NOT exit_ok THEN size ELSE 0 END) * 100.0
                             < %s * SUM(size) THEN TRUE ELSE FALSE END
            FROM rules_evaluationrow WHERE evaluation_id = %s GROUP BY region_id""",
                       [evaluation.pk, rule_set.village_exit_rate, evaluation.pk])
        if len(place.prefix) <= 6:
            _counties_insert(cursor, evaluation, rule_set)
        cursor.execute(f"""
            SELECT COUNT(*), SUM(CASE WHEN status = 'poor' AND exit_ok THEN 1 ELSE 0 END),
                   SUM(CASE WHEN NOT exit_ok THEN 1 ELSE 0 END),
                   SUM(CASE WHEN status IN ({CANDIDATES_SQL}) AND triggers <> '' THEN 1 ELSE 0 END),
                   SUM(CASE WHEN risk_eliminable THEN 1 ELSE 0 END),
                   SUM(CASE WHEN status = 'exited' AND NOT exit_ok THEN 1 ELSE 0 END)
            FROM rules_evaluationrow WHERE evaluation_id = %s""", [evaluation.pk])
        counts = [int(v or 0) for v in cursor.fetchone()]
        cursor.execute("SELECT COUNT(*), SUM(CASE WHEN exit_ok THEN 1 ELSE 0 END) FROM rules_villageresult "
                       "WHERE evaluation_id = %s", [evaluation.pk])
        villages = [int(v or 0) for v in cursor.fetchone()]
        cursor.execute("SELECT COUNT(*), SUM(CASE WHEN exit_ok THEN 1 ELSE 0 END) FROM rules_countyresult "
                       "WHERE evaluation_id = %s", [evaluation.pk])
        counties = [int(v or 0) for v in cursor.fetchone()]
    (evaluation.households, evaluation.exit_eligible, evaluation.failing, evaluation.monitoring_candidates,
     evaluation.risk_eliminable, evaluation.exited_failing) = counts
    evaluation.villages, evaluation.villages_exit = villages
    evaluation.counties, evaluation.counties_exit = counties
    evaluation.save(update_fields=["households", "exit_eligible", "failing", "monitoring_candidates",
                                   "risk_eliminable", "exited_failing", "villages", "villages_exit", "counties",
                                   "counties_exit"])
    return evaluation


def _counties_insert(cursor, evaluation: Evaluation, rule_set: RuleSet) -> None:
    """County exit (摘帽), for an evaluation of a county or more: per county, its 贫困发生率 from the
    snapshot's rows (one GROUP BY), its poor villages (PoorVillage) and those exited by the day or meeting
    the 出列 standard in this snapshot (one UPDATE), then the two criteria and their conjunction."""
    cursor.execute("""
        INSERT INTO rules_countyresult (evaluation_id, county_code, households, people, poor_people, poor_villages,
                                        poor_villages_exit, rate_ok, villages_ok, exit_ok)
        SELECT %s, county_code, COUNT(*), SUM(size), SUM(CASE WHEN status = 'poor' AND NOT exit_ok THEN size ELSE 0 END),
               0, 0, FALSE, FALSE, FALSE
        FROM rules_evaluationrow WHERE evaluation_id = %s GROUP BY county_code""", [evaluation.pk, evaluation.pk])
    cursor.execute("""
        UPDATE rules_countyresult SET
          poor_villages = (SELECT COUNT(*) FROM rules_poorvillage pv WHERE pv.county_code = rules_countyresult.county_code),
          poor_villages_exit = (SELECT COUNT(*) FROM rules_poorvillage pv
                                LEFT JOIN rules_villageresult v ON v.evaluation_id = %s AND v.region_id = pv.region_id
                                WHERE pv.county_code = rules_countyresult.county_code
                                  AND (pv.exited_on <= %s OR v.exit_ok = TRUE))
        WHERE evaluation_id = %s""", [evaluation.pk, evaluation.on, evaluation.pk])
    rate_ok = "poor_people * 100.0 < %s * people"
    villages_ok = "(poor_villages = 0 OR poor_villages_exit * 100.0 >= %s * poor_villages)"
    cursor.execute(f"""
        UPDATE rules_countyresult SET
          rate_ok = CASE WHEN {rate_ok} THEN TRUE ELSE FALSE END,
          villages_ok = CASE WHEN {villages_ok} THEN TRUE ELSE FALSE END,
          exit_ok = CASE WHEN {rate_ok} AND {villages_ok} THEN TRUE ELSE FALSE END
        WHERE evaluation_id = %s""", [rule_set.county_exit_rate, rule_set.county_village_share,
                                      rule_set.county_exit_rate, rule_set.county_village_share, evaluation.pk])


def evaluation_insert_sql(select_text: str, evaluation_id: int) -> str:
    """INSERT … SELECT of the evaluation rows; a CTE names the SELECT's columns (SQLite has no column
    list on a derived table's alias; PostgreSQL inlines the CTE into the one plan)."""
    names = [f"c{i}" for i in range(len(COLUMNS))]
    return (f"INSERT INTO rules_evaluationrow (evaluation_id, {', '.join(COLUMNS)}) "
            f"WITH t({', '.join(names)}) AS ({select_text}) SELECT {int(evaluation_id)}, {', '.join(names)} FROM t")


def poor_village_check(scope: Scope) -> None:
    if not (scope.rules.edit_registry and scope.rules.see_households):
        raise PermissionDenied(_("您的角色不能登记贫困村"))


@transaction.atomic
def poor_village_set(*, scope: Scope, village: str, deep: bool = False, planned_exit_year: int | None = None,
                     exited_on: date | None = None) -> PoorVillage:
    """Register a village as poor (贫困村), or change its record: deep poverty, planned year, 出列日期."""
    poor_village_check(scope)
    place = Region.objects.filter(code=str(village or "").strip()).first()
    if place is None or not scope.contains_code(place.code) and scope.prefix:
        raise NotFound(_("村不存在或不在您的管辖范围内"), field="village")
    if place.level != Level.VILLAGE:
        raise ValidationError(_("贫困村须是村(社区)"), field="village")
    if planned_exit_year is not None and not 2000 <= int(planned_exit_year) <= 2100:
        raise ValidationError(_("计划出列年度应在2000至2100之间"), field="planned_exit_year")
    obj, _created = PoorVillage.objects.update_or_create(region=place, defaults={
        "county_code": place.code[:6], "deep": bool(deep), "planned_exit_year": planned_exit_year or None,
        "exited_on": exited_on})
    return obj


@transaction.atomic
def poor_village_remove(*, scope: Scope, village: str) -> None:
    """Take a village off the poor list (entered by mistake)."""
    poor_village_check(scope)
    found = PoorVillage.objects.filter(region_id=str(village or "").strip())
    if scope.prefix:
        found = found.filter(region__code__startswith=scope.prefix)
    if not found.delete()[0]:
        raise NotFound(_("贫困村不存在或不在您的管辖范围内"), field="village")
