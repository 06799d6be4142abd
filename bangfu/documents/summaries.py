"""Half-year summaries (半年工作总结) of a region and of a village work team, and the figures every
summary shares beyond the registry and compliance: the measures planned and delivered in the period
(the measures app), the funds of the year by source (the funds execution report, /funds/report/),
exits by year and activities by month, with their charts.

Every figure comes from the selector its page uses, with the caller's scope narrowed to the subject:
measure_list (一户一策 pages), execution_report (资金执行情况), registry_summary (the home page,
whose pie of causes the summaries draw too), compliance_rollup / compliance_rows (落实情况).
"""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.db.models.functions import ExtractYear
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity
from bangfu.activities.selectors import current_activities
from bangfu.documents import defaults as d
from bangfu.documents.charts import chart
from bangfu.documents.households import day, money
from bangfu.documents.kinds import DocumentKind, Subject, kind_register
from bangfu.documents.people import _months
from bangfu.documents.reports import (
    TEAM_MONTH_FIELDS,
    VISIT_KINDS,
    YEAR_FIELDS,
    find_region,
    find_team,
    region_period_data,
    team_period_data,
)
from bangfu.errors import ValidationError
from bangfu.funds.models import FundSource
from bangfu.funds.selectors import allocation_list, execution_report
from bangfu.measures.models import MeasureCategory
from bangfu.measures.selectors import measure_list
from bangfu.programmes.selectors import pairings_in_scope
from bangfu.registry.models import Household
from bangfu.registry.selectors import registry_summary

L = gettext_lazy
ZERO = Decimal(0)


def _visits_by_month(activities, first: date, last: date) -> tuple[list[str], list[int]]:
    months = _months(first, last)
    counted = Counter(f"{a['occurred_on']:%Y-%m}" for a in activities if a["kind"] in VISIT_KINDS)
    return months, [counted.get(m, 0) for m in months]


def period_figures(*, scope: Scope, year: int, first: date, last: date, activities=None,
                   allocated: bool = False) -> dict:
    """Measures, funds, exits and visits of the period for the (already narrowed) scope, with charts.
    `activities` replaces the scope's activities for the visits chart (a team's own); `allocated`
    counts the money allocated into the region instead of the funds it holds (a village)."""
    measures = list(measure_list(scope=scope).exclude(status="cancelled").values(
        "category", "status", "planned_on", "delivered_on", "amount"))
    planned = [m for m in measures if first <= m["planned_on"] <= last]
    delivered = [m for m in measures if m["status"] == "delivered" and m["delivered_on"]
                 and first <= m["delivered_on"] <= last]
    labels = dict(MeasureCategory.choices)
    by_category = []
    for key in dict.fromkeys(m["category"] for m in sorted(planned + delivered, key=lambda m: m["category"])):
        p = [m for m in planned if m["category"] == key]
        g = [m for m in delivered if m["category"] == key]
        by_category.append({"category": str(labels.get(key, key)), "planned": len(p), "delivered": len(g),
                            "amount": money(sum((m["amount"] or ZERO for m in g), ZERO))})
    sources: dict[str, dict] = {}
    if allocated:  # a village holds no fund: what was allocated to it (the 资金 page's 资金分配 list)
        labels_ = dict(FundSource.choices)
        rows = [{"source": a.fund.source, "source_label": str(labels_.get(a.fund.source, a.fund.source)),
                 "budget": a.amount, "allocated": a.allocated, "disbursed": a.disbursed}
                for a in allocation_list(scope=scope).filter(fund__year=year)
                if a.region_id.startswith(scope.prefix)]
    else:  # the funds held in the region (资金执行情况, /funds/report/?year=)
        rows = execution_report(scope=scope, year=year)
    for row in rows:
        entry = sources.setdefault(row["source"], {"source": row["source_label"], "budget": ZERO,
                                                   "allocated": ZERO, "disbursed": ZERO})
        for k in ("budget", "allocated", "disbursed"):
            entry[k] += row[k]
    funds = [{"source": e["source"], "budget": money(e["budget"]), "allocated": money(e["allocated"]),
              "disbursed": money(e["disbursed"]),
              "rate": f"{(e['disbursed'] / e['budget'] * 100):.1f}" if e["budget"] else "0.0"}
             for e in sources.values()]
    budget = sum((e["budget"] for e in sources.values()), ZERO)
    disbursed = sum((e["disbursed"] for e in sources.values()), ZERO)
    exits = list(scope.households(Household.objects.all()).filter(exited_on__isnull=False, exited_on__lte=last)
                 .annotate(y=ExtractYear("exited_on")).values("y").annotate(n=Count("pk")).order_by("y"))
    if activities is None:
        activities = (current_activities(Activity.objects.filter(
            pairing__in=pairings_in_scope(scope).values("pk"), occurred_on__gte=first, occurred_on__lte=last))
            .values("occurred_on", "kind"))
    else:
        activities = [{"occurred_on": a.occurred_on, "kind": a.kind} for a in activities]
    months, visits = _visits_by_month(activities, first, last)
    causes = registry_summary(scope=scope).by_cause
    return {
        "measures": {"planned": len(planned), "delivered": len(delivered),
                     "planned_amount": money(sum((m["amount"] or ZERO for m in planned), ZERO)),
                     "delivered_amount": money(sum((m["amount"] or ZERO for m in delivered), ZERO))},
        "measure_categories": by_category,
        "funds": funds,
        "funds_total": {"budget": money(budget), "disbursed": money(disbursed),
                        "rate": f"{(disbursed / budget * 100):.1f}" if budget else "0.0"},
        "exits_by_year": [{"year": str(r["y"]), "households": r["n"]} for r in exits],
        "visits_by_month": [{"month": m, "visits": v} for m, v in zip(months, visits)],
        "charts": {
            "visits": chart("bar", _("每月走访次数"), months, [(_("走访次数"), visits)]),
            "funds": chart("bar", _("%(y)s年资金执行情况(元)") % {"y": year}, [f["source"] for f in funds],
                           [(_("预算"), [sources[k]["budget"] for k in sources]),
                            (_("已支付"), [sources[k]["disbursed"] for k in sources])]),
            "exits": chart("bar", _("历年脱贫户数"), [f"{r['y']}" for r in exits], [(_("脱贫户数"), [r["n"] for r in exits])]),
            "causes": chart("pie", _("主要致贫原因(户)"), [str(r["label"]) for r in causes],
                            [(_("户数"), [r["households"] for r in causes])]),
        },
    }


PERIOD_FIELDS = {
    "measures": {"planned": L("本期计划措施数"), "delivered": L("本期落实措施数"), "planned_amount": L("本期计划金额(元)"),
                 "delivered_amount": L("本期落实金额(元)")},
    "measure_categories": [{"category": L("措施类别"), "planned": L("计划数"), "delivered": L("落实数"),
                            "amount": L("落实金额(元)")}],
    "funds": [{"source": L("资金来源"), "budget": L("预算(元)"), "allocated": L("已分配(元)"), "disbursed": L("已支付(元)"),
               "rate": L("执行率(%)")}],
    "funds_total": {"budget": L("预算合计(元)"), "disbursed": L("已支付合计(元)"), "rate": L("总执行率(%)")},
    "exits_by_year": [{"year": L("年度"), "households": L("脱贫户数")}],
    "visits_by_month": [{"month": L("月份"), "visits": L("走访次数")}],
    "charts": {"visits": L("图：每月走访次数"), "funds": L("图：资金按来源执行情况"), "exits": L("图：历年脱贫户数"),
               "causes": L("图：致贫原因占比")},
}
YEAR_FIELDS.update(PERIOD_FIELDS)  # the yearly summary carries them too (reports.year_summary_gather)


def period_sections(doc, start: int) -> None:
    """The template's sections for PERIOD_FIELDS, numbered from `start` (五、六、…)."""
    numerals = "一二三四五六七八九十"
    d.heading(doc, f"{numerals[start - 1]}、帮扶措施落实情况")
    d.para(doc, "本期计划帮扶措施", "{{ measures.planned }}", "项、金额", "{{ measures.planned_amount }}", "元，落实",
           "{{ measures.delivered }}", "项、金额", "{{ measures.delivered_amount }}", "元。")
    d.table(doc, ["措施类别", "计划数", "落实数", "落实金额(元)"],
            ["{{ c.category }}", "{{ c.planned }}", "{{ c.delivered }}", "{{ c.amount }}"], loop="c in measure_categories")
    d.heading(doc, f"{numerals[start]}、资金使用情况")
    d.para(doc, "本年度资金预算", "{{ funds_total.budget }}", "元，已支付", "{{ funds_total.disbursed }}", "元，执行率",
           "{{ funds_total.rate }}", "%。")
    d.table(doc, ["资金来源", "预算(元)", "已分配(元)", "已支付(元)", "执行率(%)"],
            ["{{ f.source }}", "{{ f.budget }}", "{{ f.allocated }}", "{{ f.disbursed }}", "{{ f.rate }}"], loop="f in funds")
    d.para(doc, "{{ charts.funds }}", indent=False, align="center")
    d.heading(doc, f"{numerals[start + 1]}、走访和脱贫")
    d.para(doc, "{{ charts.visits }}", indent=False, align="center")
    d.table(doc, ["年度", "脱贫户数"], ["{{ e.year }}", "{{ e.households }}"], loop="e in exits_by_year")
    d.para(doc, "{{ charts.exits }}", indent=False, align="center")


# Half-year -------------------------------------------------------------------------------


def _half(value: str, as_of: date) -> int:
    half = int(value) if value else (1 if as_of.month <= 6 else 2)
    if half not in (1, 2):
        raise ValueError(half)
    return half


def _year(value: str, as_of: date) -> int:
    return int(value) if value else as_of.year


def _period(params: dict, as_of: date) -> tuple[date, date, str]:
    year, half = params["year"], params["half"]
    first = date(year, 1, 1) if half == 1 else date(year, 7, 1)
    last = min(date(year, 6, 30) if half == 1 else date(year, 12, 31), as_of)
    if last < first:
        raise ValidationError(_("所选半年晚于数据截止日期"), field="half")
    return first, last, _("%(y)s年上半年") % {"y": year} if half == 1 else _("%(y)s年下半年") % {"y": year}


HALF_PARAMS = {"year": (L("年度(如 2025)"), _year), "half": (L("上半年填 1，下半年填 2"), _half)}


def half_year_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    region = subject.obj
    first, last, label = _period(params, as_of)
    return {
        "doc": {"title": _("%(region)s%(p)s结对帮扶工作总结") % {"region": region.name, "p": label}, "as_of": day(last)},
        "period": {"label": label, "first": day(first), "last": day(last)},
        **region_period_data(scope=scope, region=region, first=first, last=last),
        **period_figures(scope=scope.narrow(region.code, field="subject"), year=params["year"], first=first, last=last),
    }


_PERIOD = {"label": L("期间"), "first": L("起始日"), "last": L("截止日")}
HALF_FIELDS = {**{k: v for k, v in YEAR_FIELDS.items() if k != "year"}, "period": _PERIOD}


def half_year_template():
    doc = d.new_document(official=True)
    d.title(doc, "{{ doc.title }}")
    d.para(doc, "{{ period.label }}(", "{{ period.first }}", "至", "{{ period.last }}", ")，", "{{ region.full_name }}",
           "共有建档立卡及监测户", "{{ households }}", "户", "{{ people }}", "人；本期识别", "{{ identified }}", "户，脱贫",
           "{{ exited }}", "户；在帮结对", "{{ pairings }}", "对，开展帮扶活动", "{{ activity_total }}", "次。现将半年工作总结如下。")
    d.heading(doc, "一、帮扶对象基本情况")
    d.table(doc, ["户状态", "户数", "人数"], ["{{ r.label }}", "{{ r.households }}", "{{ r.people }}"], loop="r in by_status")
    d.table(doc, ["主要致贫原因", "户数"], ["{{ r.label }}", "{{ r.households }}"], loop="r in by_cause")
    d.para(doc, "{{ charts.causes }}", indent=False, align="center")
    d.para(doc, "其中低保户", "{{ assistance.dibao }}", "户，五保户", "{{ assistance.wubao }}", "户，特困供养",
           "{{ assistance.tekun }}", "户。")
    d.heading(doc, "二、分区域情况")
    d.table(doc, ["区域", "户数", "人数"], ["{{ r.name }}", "{{ r.households }}", "{{ r.people }}"], loop="r in by_area")
    d.heading(doc, "三、帮扶活动")
    d.table(doc, ["活动类型", "次数"], ["{{ k.kind }}", "{{ k.count }}"], loop="k in kinds")
    d.heading(doc, "四、帮扶责任落实情况")
    d.para(doc, "考核项", "{{ compliance_total }}", "项，已完成", "{{ compliance_met }}", "项，落后或逾期",
           "{{ compliance_due }}", "项。")
    d.table(doc, ["帮扶项目", "考核项数", "已完成", "落后或逾期", "完成率(%)"],
            ["{{ c.name }}", "{{ c.total }}", "{{ c.met }}", "{{ c.due }}", "{{ c.rate }}"], loop="c in compliance")
    period_sections(doc, 5)
    d.para(doc, "{{ region.name }}", indent=False, align="right")
    d.para(doc, "{{ doc.as_of }}", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="half_year_summary", title=L("半年工作总结"), subject_label=L("区域(乡镇)"), find=find_region,
    fields=HALF_FIELDS, gather=half_year_gather, default_template=half_year_template,
    html="documents/print/half_year_summary.html", official=True, params=HALF_PARAMS))


def team_half_year_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    """The team's own work (team_period_data) and its village's measures, funds and exits."""
    team = subject.obj
    first, last, label = _period(params, as_of)
    figures = team_period_data(scope=scope, team=team, first=first, last=last)
    activities = figures.pop("_activities")
    village = scope.narrow(team.region_id, field="subject")
    return {
        "doc": {"title": _("%(team)s%(p)s工作总结") % {"team": team.name, "p": label}, "as_of": day(last)},
        "period": {"label": label, "first": day(first), "last": day(last)},
        **figures,
        **period_figures(scope=village, year=params["year"], first=first, last=last, activities=activities,
                         allocated=True),
    }


TEAM_HALF_FIELDS = {**{k: v for k, v in TEAM_MONTH_FIELDS.items() if k != "month"}, "period": _PERIOD, **PERIOD_FIELDS}


def team_half_year_template():
    doc = d.new_document(official=True)
    d.title(doc, "{{ doc.title }}")
    d.para(doc, "{{ team.organization }}派驻{{ team.village }}工作队：", indent=False)
    d.para(doc, "{{ period.label }}，工作队在岗开展工作", "{{ days }}", "天，共开展帮扶活动", "{{ activity_total }}",
           "次，其中走访", "{{ visits }}", "次。现将半年工作总结如下。")
    d.heading(doc, "一、队员到岗情况")
    d.table(doc, ["队员", "职责", "单位", "到岗天数"],
            ["{{ m.name }}", "{{ m.role }}", "{{ m.organization }}", "{{ m.days }}"], loop="m in members")
    d.heading(doc, "二、帮扶活动")
    d.table(doc, ["活动类型", "次数"], ["{{ k.kind }}", "{{ k.count }}"], loop="k in kinds")
    d.heading(doc, "三、办实事")
    d.table(doc, ["日期", "实事内容", "成效"], ["{{ x.date }}", "{{ x.content }}", "{{ x.outcome }}"], loop="x in deeds")
    period_sections(doc, 4)
    d.heading(doc, "七、存在问题")
    d.para(doc, "截至", "{{ period.last }}", "，尚有", "{{ due_count }}", "项帮扶要求未按期完成：")
    d.table(doc, ["帮扶对象", "要求", "周期", "应完成", "已完成", "状态"],
            ["{{ p.target }}", "{{ p.obligation }}", "{{ p.period }}", "{{ p.required }}", "{{ p.done }}",
             "{{ p.status }}"], loop="p in problems")
    d.para(doc, "{{ team.name }}", indent=False, align="right")
    d.para(doc, "{{ doc.as_of }}", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="team_half_year", title=L("工作队半年工作总结"), subject_label=L("工作队"), find=find_team,
    fields=TEAM_HALF_FIELDS, gather=team_half_year_gather, default_template=team_half_year_template,
    html="documents/print/team_half_year.html", official=True, params=HALF_PARAMS))
