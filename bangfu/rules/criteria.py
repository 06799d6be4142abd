"""The criteria as SQL: one statement per rule set evaluates every household of a region.

`evaluation_select(rule_set, prefix, on)` builds a SELECT whose columns are EvaluationRow's: the
values each criterion reads, the codes of the exit criteria a household fails, the monitoring
triggers it meets, and whether a monitored household's risk may be eliminated. The thresholds are
parameters taken from the rule set; ages become birth-date bounds computed here, so the SQL is
the same on SQLite and PostgreSQL (no date arithmetic in the database). No Python loop over
households: the snapshot is written by INSERT … SELECT, the preview compares two SELECTs.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils.translation import gettext_lazy as _

EXIT_CRITERIA = {
    "income": _("一达标：人均纯收入高于贫困线"),
    "food": _("不愁吃"),
    "clothing": _("不愁穿"),
    "education": _("义务教育有保障"),
    "medical": _("基本医疗有保障"),
    "housing": _("住房安全有保障"),
    "water": _("饮水安全有保障"),
}
TRIGGERS = {
    "income_low": _("人均纯收入低于监测标准"),
    "income_drop": _("人均纯收入同比大幅下降"),
    "expense": _("医疗、教育刚性支出较大"),
    "disaster": _("遭受灾害或意外事故损失"),
    "housing": _("住房出现安全问题"),
    "work_ability": _("劳动年龄成员丧失劳动能力且家中无其他劳动力"),
}
CANDIDATE_STATUSES = ("exited", "not_poor")  # who may enter monitoring: 脱贫户 and 一般农户
OUT_OF_SCHOOL = ("none", "dropout")

COLUMNS = ["household_id", "county_code", "region_id", "status", "size", "income_per_capita", "income_previous",
           "income_total", "expense", "disaster_loss", "out_of_school", "unable_to_work", "exit_ok", "failures",
           "triggers", "risk_eliminable"]


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def months_before(day: date, months: int) -> date:
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    for d in (day.day, 30, 29, 28):
        try:
            return date(year, month + 1, d)
        except ValueError:
            continue
    raise AssertionError(day)


@dataclass
class Sql:
    text: str
    params: list


class _Builder:
    """Parameters by token: the pieces are built in any order, then `sql` puts the values in the
    order their placeholders appear in the text."""

    def __init__(self):
        self.values: list = []

    def p(self, value) -> str:
        self.values.append(value)
        return f"[[p{len(self.values) - 1}]]"

    def sql(self, text: str) -> Sql:
        params = [self.values[int(i)] for i in TOKEN.findall(text)]
        return Sql(TOKEN.sub("%s", text), params)


TOKEN = re.compile(r"\[\[p(\d+)\]\]")


def evaluation_select(rule_set, *, prefix: str, on: date, household_ids: list[int] | None = None) -> Sql:
    """The SELECT evaluating `rule_set` over the households whose region code starts with `prefix`
    (or only `household_ids`), on day `on`. Columns: COLUMNS."""
    b = _Builder()
    r = rule_set
    like = prefix + "%"
    # ages on `on`: aged a..b  <=>  born after (on - (b+1) years) and on or before (on - a years)
    school_after, school_by = years_before(on, r.compulsory_age_to + 1), years_before(on, r.compulsory_age_from)
    work_after, work_by = years_before(on, r.working_age_to + 1), years_before(on, r.working_age_from)
    out = ", ".join(f"'{v}'" for v in OUT_OF_SCHOOL)
    members = f"""
        SELECT p.household_id AS hid,
          SUM(CASE WHEN p.birth_date > {b.p(school_after)} AND p.birth_date <= {b.p(school_by)}
                    AND p.schooling IN ({out}) THEN 1 ELSE 0 END) AS oos,
          SUM(CASE WHEN p.birth_date > {b.p(work_after)} AND p.birth_date <= {b.p(work_by)}
                    AND p.work_ability = 'unable' THEN 1 ELSE 0 END) AS unable
        FROM registry_person p
        WHERE p.household_id IS NOT NULL AND p.region_id LIKE {b.p(like)}
          AND ((p.schooling IN ({out}) AND p.birth_date > {b.p(school_after)} AND p.birth_date <= {b.p(school_by)})
            OR (p.work_ability = 'unable' AND p.birth_date > {b.p(work_after)} AND p.birth_date <= {b.p(work_by)}))
        GROUP BY p.household_id"""
    # Only the few members out of school or unable to work are grouped (not every able adult: most of the
    # province's people); whether anybody in the household is able is asked only for a household with a
    # working-age member unable to work (CASE evaluates its branch lazily), through the household index.
    nobody_able = ("NOT EXISTS (SELECT 1 FROM registry_person a WHERE a.household_id = h.id "
                   "AND a.work_ability = 'able')")
    below = f"""
        SELECT i.household_id AS hid, MAX(i.recorded_on) AS last_below
        FROM rules_incomerecord i
        WHERE i.county_code = {b.p(prefix[:6])} AND i.income_per_capita < {b.p(r.monitoring_line)}
          AND i.recorded_on <= {b.p(on)}
        GROUP BY i.household_id""" if len(prefix) >= 6 else f"""
        SELECT i.household_id AS hid, MAX(i.recorded_on) AS last_below
        FROM rules_incomerecord i
        WHERE i.county_code LIKE {b.p(prefix[:6] + '%')} AND i.income_per_capita < {b.p(r.monitoring_line)}
          AND i.recorded_on <= {b.p(on)}
        GROUP BY i.household_id"""
    total = "(h.wage_income + h.production_income + h.property_income + h.transfer_income)"
    education = "(NOT h.education_secure OR COALESCE(m.oos, 0) > 0)"
    insecure = [("food", "NOT h.food_secure"), ("clothing", "NOT h.clothing_secure"), ("education", education),
                ("medical", "NOT h.medical_secure"), ("housing", "NOT h.housing_secure")]
    if r.check_water:
        insecure.append(("water", "NOT h.water_secure"))
    poverty_line = b.p(r.poverty_line)
    failures = [f"CASE WHEN h.income_per_capita <= {poverty_line} THEN 'income,' ELSE '' END"] + [
        f"CASE WHEN {cond} THEN '{code},' ELSE '' END" for code, cond in insecure]
    any_insecure = " OR ".join(f"({cond})" for _code, cond in insecure)
    triggers = [
        f"CASE WHEN h.income_per_capita < {b.p(r.monitoring_line)} THEN 'income_low,' ELSE '' END",
        f"CASE WHEN h.income_per_capita_previous > 0 AND h.income_per_capita < h.income_per_capita_previous * "
        f"{b.p(Decimal(1) - r.income_drop_share)} THEN 'income_drop,' ELSE '' END",
        f"CASE WHEN (h.medical_expense + h.schooling_expense) > 0 AND (h.medical_expense + h.schooling_expense) > "
        f"{total} * {b.p(r.expense_share)} THEN 'expense,' ELSE '' END",
        f"CASE WHEN h.disaster_loss > 0 AND h.disaster_loss > {total} * {b.p(r.disaster_share)} "
        f"THEN 'disaster,' ELSE '' END",
        "CASE WHEN NOT h.housing_secure THEN 'housing,' ELSE '' END",
        # a working-age member lost the ability to work and nobody else in the household is able
        f"CASE WHEN COALESCE(m.unable, 0) > 0 THEN (CASE WHEN {nobody_able} THEN 'work_ability,' ELSE '' END) "
        "ELSE '' END",
    ]
    exit_ok = f"CASE WHEN h.income_per_capita > {b.p(r.poverty_line)} AND NOT ({any_insecure}) THEN TRUE ELSE FALSE END"
    eliminable = (f"CASE WHEN h.status = 'monitored' AND h.income_per_capita >= {b.p(r.monitoring_line)} "
                  f"AND NOT ({any_insecure}) "
                  f"AND COALESCE(ib.last_below, h.monitored_on, {b.p(date(1900, 1, 1))}) <= "
                  f"{b.p(months_before(on, r.steady_months))} THEN TRUE ELSE FALSE END")
    where = f"h.region_id LIKE {b.p(like)}"
    if household_ids is not None:
        where += f" AND h.id IN ({', '.join(b.p(int(i)) for i in household_ids) or 'NULL'})"
    text = f"""
        SELECT h.id AS household_id, h.county_code AS county_code, h.region_id AS region_id, h.status AS status,
               h.size AS size, h.income_per_capita AS income_per_capita,
               h.income_per_capita_previous AS income_previous, {total} AS income_total,
               (h.medical_expense + h.schooling_expense) AS expense, h.disaster_loss AS disaster_loss,
               COALESCE(m.oos, 0) AS out_of_school, COALESCE(m.unable, 0) AS unable_to_work, {exit_ok} AS exit_ok,
               {" || ".join(failures)} AS failures, {" || ".join(triggers)} AS triggers,
               {eliminable} AS risk_eliminable
        FROM registry_household h
        LEFT JOIN ({members}) m ON m.hid = h.id
        LEFT JOIN ({below}) ib ON ib.hid = h.id
        WHERE {where}"""
    return b.sql(text)
