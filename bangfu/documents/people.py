"""Documents about a household's plan and about a helper: the 一户一策 plan (the measures page,
/measures/households/{id}/), the helper's 民情日记 (their activities in a period) and the list of
the households they help (the person page's 帮扶对象). Read through the measures, programme and
activity selectors with the caller's scope, like those pages.
"""

from collections import Counter
from datetime import date
from decimal import Decimal

from django.db.models import Count, Max, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity
from bangfu.activities.selectors import current_activities
from bangfu.documents import defaults as d
from bangfu.documents.charts import chart
from bangfu.documents.households import day, find_household, money, number
from bangfu.documents.kinds import DOC_FIELDS, DocumentKind, Subject, kind_register
from bangfu.errors import ValidationError
from bangfu.measures.selectors import measure_list
from bangfu.programmes.selectors import PAIRING_RELATED, pairing_list, pairings_in_scope
from bangfu.registry.selectors import person_get

L = gettext_lazy
DOC = {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]}


def _amount(value) -> str:
    return money(value) if value is not None else ""


# 一户一策 ---------------------------------------------------------------------------------------


def household_plan_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    """The household's measures as the plan page lists them; a measure delivered after `as_of` is
    still 计划 on that day."""
    household = subject.obj
    rows, planned, delivered = [], Decimal(0), Decimal(0)
    for m in measure_list(scope=scope, household=household.pk):
        done = m.status == "delivered" and m.delivered_on and m.delivered_on <= as_of
        status = _("已落实") if done else (m.get_status_display() if m.status == "cancelled" else _("计划"))
        if m.status != "cancelled":
            planned += m.amount or 0
            delivered += (m.amount or 0) if done else 0
        rows.append({"category": m.get_category_display(), "description": m.description,
                     "person": m.person.name if m.person_id else "",
                     "helper": m.helper.name if m.helper_id else "", "unit": m.unit.name if m.unit_id else "",
                     "planned_on": day(m.planned_on), "amount": _amount(m.amount),
                     "expected_income": _amount(m.expected_income), "status": status,
                     "delivered_on": day(m.delivered_on) if done else "", "note": m.delivery_note if done else "",
                     "observed_income": _amount(m.observed_income) if done else ""})
    helpers = [{"name": p.helper_name, "programme": p.programme.name, "since": day(p.starts_on)}
               for p in pairing_list(scope=scope).filter(target_household=household, status="active",
                                                         starts_on__lte=as_of).order_by("starts_on", "pk")]
    live = [r for r in rows if r["status"] != _("取消")]
    return {
        "doc": {"title": _("一户一策帮扶计划"), "as_of": day(as_of)},
        "household": {"number": household.number, "head": household.head.name if household.head_id else "",
                      "region": household.region.full_name, "size": household.size,
                      "status": household.get_status_display(),
                      "main_cause": household.get_main_cause_display() if household.main_cause else "",
                      "income_per_capita": money(household.income_per_capita),
                      "phone": personal.value(household, "phone")},
        "helpers": helpers,
        "measures": rows,
        "measure_total": len(live), "delivered_total": sum(1 for r in live if r["status"] == _("已落实")),
        "amount_total": money(planned), "amount_delivered": money(delivered),
    }


PLAN_FIELDS = {
    "doc": DOC,
    "household": {"number": L("户编号"), "head": L("户主"), "region": L("所在区域全称"), "size": L("家庭人口"),
                  "status": L("户状态"), "main_cause": L("主要致贫原因"), "income_per_capita": L("人均纯收入"),
                  "phone": L("联系电话")},
    "helpers": [{"name": L("帮扶责任人"), "programme": L("帮扶项目"), "since": L("结对日期")}],
    "measures": [{"category": L("类别"), "description": L("措施内容"), "person": L("针对成员"), "helper": L("责任人"),
                  "unit": L("责任单位"), "planned_on": L("计划落实日期"), "amount": L("金额(元)"),
                  "expected_income": L("预期增收(元/年)"), "status": L("状态"), "delivered_on": L("落实日期"),
                  "note": L("落实情况"), "observed_income": L("实际增收(元/年)")}],
    "measure_total": L("措施数"), "delivered_total": L("已落实数"), "amount_total": L("计划金额合计(元)"),
    "amount_delivered": L("已落实金额合计(元)"),
}


def household_plan_template():
    doc = d.new_document(official=False, body_size=12)
    d.title(doc, "{{ doc.title }}")
    d.subtitle(doc, "{{ household.region }}　户编号：{{ household.number }}")
    d.para(doc, "数据截止：", "{{ doc.as_of }}", indent=False, align="right")
    d.heading(doc, "一、家庭情况")
    d.pairs_table(doc, [("户主", "{{ household.head }}"), ("家庭人口", "{{ household.size }}人"),
                        ("户状态", "{{ household.status }}"), ("主要致贫原因", "{{ household.main_cause }}"),
                        ("人均纯收入(元)", "{{ household.income_per_capita }}"), ("联系电话", "{{ household.phone }}")])
    d.heading(doc, "二、帮扶责任人")
    d.table(doc, ["帮扶责任人", "帮扶项目", "结对日期"], ["{{ h.name }}", "{{ h.programme }}", "{{ h.since }}"],
            loop="h in helpers")
    d.heading(doc, "三、帮扶措施")
    d.para(doc, "共", "{{ measure_total }}", "项措施，已落实", "{{ delivered_total }}", "项；计划金额",
           "{{ amount_total }}", "元，已落实", "{{ amount_delivered }}", "元。")
    d.table(doc, ["类别", "措施内容", "责任人", "计划日期", "金额(元)", "预期增收", "状态", "落实情况"],
            ["{{ m.category }}", "{{ m.description }}", "{{ m.helper }}{{ m.unit }}", "{{ m.planned_on }}",
             "{{ m.amount }}", "{{ m.expected_income }}", "{{ m.status }}", "{{ m.delivered_on }} {{ m.note }}"],
            loop="m in measures", size=9)
    d.heading(doc, "四、签字")
    d.signatures(doc, ["户主", "帮扶责任人", "村(驻村工作队)"])
    return doc


kind_register(DocumentKind(
    key="household_plan", title=L("一户一策帮扶计划"), subject_label=L("户"), find=find_household,
    fields=PLAN_FIELDS, gather=household_plan_gather, default_template=household_plan_template,
    html="documents/print/household_plan.html"))


# A helper: 民情日记 and the households they help -------------------------------------------


def find_helper(scope: Scope, key: str) -> Subject:
    if not str(key).isdigit():
        raise ValidationError(_("人员编号应为数字：%(k)s") % {"k": key}, field="subject")
    person = person_get(scope=scope, pk=int(key))
    return Subject(key=str(person.pk), obj=person, county_code=person.county_code, name=person.name)


def _start(value: str, as_of: date) -> date:
    return date.fromisoformat(value) if value else as_of.replace(day=1)


def _end(value: str, as_of: date) -> date:
    return min(date.fromisoformat(value), as_of) if value else as_of


def _helper(person) -> dict:
    return {"name": person.name, "organization": person.organization.name if person.organization_id else "",
            "position": person.position}


def _months(first: date, last: date) -> list[str]:
    months, at = [], first.replace(day=1)
    while at <= last:
        months.append(f"{at:%Y-%m}")
        at = date(at.year + at.month // 12, at.month % 12 + 1, 1)
    return months


def helper_diary_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    """The helper's own activities (pairings where they are the helper) from `start` to `end`, as the
    activity log lists them (/activities/?person=…)."""
    person, first, last = subject.obj, params["start"], params["end"]
    if last < first:
        raise ValidationError(_("结束日期早于开始日期"), field="end")
    activities = list(current_activities(Activity.objects.filter(
        pairing__in=pairings_in_scope(scope).filter(helper_person=person).values("pk"),
        occurred_on__gte=first, occurred_on__lte=last))
        .select_related(*[f"pairing__{r}" for r in PAIRING_RELATED]).order_by("occurred_on", "pk"))
    kinds = Counter(a.kind for a in activities)
    per_month = Counter(f"{a.occurred_on:%Y-%m}" for a in activities)
    months = _months(first, last)
    return {
        "doc": {"title": _("%(name)s民情日记") % {"name": person.name}, "as_of": day(last)},
        "helper": _helper(person),
        "period": {"first": day(first), "last": day(last)},
        "entries": [{"date": day(a.occurred_on), "kind": a.kind, "target": a.pairing.target_name,
                     "content": a.content, "outcome": a.outcome, "quantity": f"{number(a.quantity)}{a.unit}"}
                    for a in activities],
        "activity_total": len(activities),
        "targets": len({a.pairing.target_household_id or a.pairing_id for a in activities}),
        "days": len({a.occurred_on for a in activities}),
        "kinds": [{"kind": k, "count": n} for k, n in sorted(kinds.items())],
        "charts": {"months": chart("bar", _("每月帮扶活动次数"), months,
                                   [(_("活动次数"), [per_month.get(m, 0) for m in months])])},
    }


DIARY_FIELDS = {
    "doc": DOC,
    "helper": {"name": L("帮扶责任人"), "organization": L("单位"), "position": L("职务")},
    "period": {"first": L("起始日"), "last": L("截止日")},
    "entries": [{"date": L("日期"), "kind": L("类型"), "target": L("帮扶对象"), "content": L("内容"),
                 "outcome": L("成效"), "quantity": L("数量")}],
    "activity_total": L("活动次数"), "targets": L("走访对象数"), "days": L("有记录的天数"),
    "kinds": [{"kind": L("活动类型"), "count": L("次数")}],
    "charts": {"months": L("图：每月帮扶活动次数")},
}


def helper_diary_template():
    doc = d.new_document(official=False, body_size=12)
    d.title(doc, "{{ doc.title }}")
    d.subtitle(doc, "{{ helper.organization }} {{ helper.position }}　{{ period.first }} 至 {{ period.last }}")
    d.para(doc, "本期共记录帮扶活动", "{{ activity_total }}", "次，涉及帮扶对象", "{{ targets }}", "个，",
           "{{ days }}", "天有工作记录。")
    d.heading(doc, "一、活动统计")
    d.table(doc, ["活动类型", "次数"], ["{{ k.kind }}", "{{ k.count }}"], loop="k in kinds")
    d.para(doc, "{{ charts.months }}", indent=False, align="center")
    d.heading(doc, "二、日记")
    d.table(doc, ["日期", "类型", "帮扶对象", "内容", "成效"],
            ["{{ e.date }}", "{{ e.kind }}", "{{ e.target }}", "{{ e.content }}", "{{ e.outcome }}"],
            loop="e in entries")
    d.para(doc, "帮扶责任人(签字)：", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="helper_diary", title=L("民情日记"), subject_label=L("帮扶责任人(人员编号)"), find=find_helper,
    fields=DIARY_FIELDS, gather=helper_diary_gather, default_template=helper_diary_template,
    html="documents/print/helper_diary.html",
    params={"start": (L("起始日期(默认当月1日)"), _start), "end": (L("截止日期(默认数据截止日期)"), _end)}))


def helper_households_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    """What the person page lists under 帮扶对象 (helper_pairings), on `as_of`: pairings started by
    then, active ones first, with the activities recorded up to that day."""
    person = subject.obj
    counted = Q(activities__withdrawn=False, activities__occurred_on__lte=as_of)
    pairings = (pairings_in_scope(scope).filter(helper_person=person, starts_on__lte=as_of)
                .select_related(*PAIRING_RELATED)
                .annotate(visits=Count("activities", filter=counted),
                          last_visit=Max("activities__occurred_on", filter=counted))
                .order_by("starts_on", "pk"))
    rows = []
    for p in pairings:
        ended = p.ends_on is not None and p.ends_on <= as_of
        household = p.target_household
        rows.append({"target": p.target_name, "village": p.region.full_name if p.region_id else "",
                     "address": household.address if household else "",
                     "phone": personal.value(household, "phone") if household else "",
                     "status": household.get_status_display() if household else "",
                     "programme": p.programme.name, "since": day(p.starts_on),
                     "state": p.get_status_display() if ended else _("帮扶中"),
                     "visits": p.visits, "last_visit": day(p.last_visit)})
    current = [r for r in rows if r["state"] == _("帮扶中")]
    return {"doc": {"title": _("%(name)s帮扶对象名单") % {"name": person.name}, "as_of": day(as_of)},
            "helper": _helper(person), "rows": rows, "current": len(current),
            "visits": sum(r["visits"] for r in rows)}


HOUSEHOLDS_FIELDS = {
    "doc": DOC,
    "helper": {"name": L("帮扶责任人"), "organization": L("单位"), "position": L("职务")},
    "rows": [{"target": L("帮扶对象"), "village": L("所在区域"), "address": L("住址"), "phone": L("联系电话"),
              "status": L("户状态"), "programme": L("帮扶项目"), "since": L("结对日期"), "state": L("结对状态"),
              "visits": L("帮扶活动次数"), "last_visit": L("最近一次")}],
    "current": L("在帮对象数"), "visits": L("帮扶活动合计"),
}


def helper_households_template():
    doc = d.new_document(official=False, body_size=12, landscape=True)
    d.title(doc, "{{ doc.title }}")
    d.subtitle(doc, "{{ helper.organization }} {{ helper.position }}　截至 {{ doc.as_of }}")
    d.para(doc, "在帮对象", "{{ current }}", "个，累计帮扶活动", "{{ visits }}", "次。")
    d.table(doc, ["帮扶对象", "所在区域", "住址", "联系电话", "户状态", "帮扶项目", "结对日期", "状态", "活动次数", "最近一次"],
            ["{{ r.target }}", "{{ r.village }}", "{{ r.address }}", "{{ r.phone }}", "{{ r.status }}",
             "{{ r.programme }}", "{{ r.since }}", "{{ r.state }}", "{{ r.visits }}", "{{ r.last_visit }}"],
            loop="r in rows", size=9)
    return doc


kind_register(DocumentKind(
    key="helper_households", title=L("帮扶对象名单"), subject_label=L("帮扶责任人(人员编号)"), find=find_helper,
    fields=HOUSEHOLDS_FIELDS, gather=helper_households_gather, default_template=helper_households_template,
    html="documents/print/helper_households.html", full_fields=frozenset({"phone"})))
