"""Reports from the data: a village work team's monthly report, a region's yearly summary and a
school pairing's term summary, in the official-document format (GB/T 9704-2012).

Each figure comes from the selector its page uses with the same scope and date: the compliance
figures from compliance_rows / compliance_rollup (the 落实情况 pages), the registry counts from
registry_summary (the home page), the activities from current_activities (the activity logs).
"""

import calendar
from collections import Counter
from datetime import date

from django.db.models import Count, Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity
from bangfu.activities.selectors import current_activities
from bangfu.compliance.selectors import ComplianceFilters, compliance_count, compliance_rollup, compliance_rows
from bangfu.documents import defaults as d
from bangfu.documents.households import day, number
from bangfu.documents.kinds import DOC_FIELDS, DocumentKind, Subject, kind_register
from bangfu.errors import NotFound, ValidationError
from bangfu.programmes.selectors import pairing_get, pairings_in_scope
from bangfu.regions.models import Region
from bangfu.registry.models import Household
from bangfu.registry.selectors import registry_summary, team_get, team_members

L = gettext_lazy
VISIT_KINDS = ("走访", "入户", "慰问", "谈心", "电话联系")
DUE_LIMIT = 500  # problem rows a report lists (the count is always complete)


def _month(value: str, as_of: date) -> str:
    if not value:
        return f"{as_of:%Y-%m}"
    year, month = value.split("-")
    return f"{date(int(year), int(month), 1):%Y-%m}"


def _year(value: str, as_of: date) -> int:
    return int(value) if value else as_of.year


def _problems(scope: Scope, filters: ComplianceFilters, as_of: date) -> tuple[int, list[dict]]:
    rows = compliance_rows(scope=scope, filters=filters, as_of=as_of, limit=DUE_LIMIT)
    count = compliance_count(scope=scope, filters=filters, as_of=as_of)
    return count, [{"target": r.pairing.target_name, "helper": r.pairing.helper_name, "obligation": r.obligation.name,
                    "period": r.period_label, "required": f"{r.required:g}", "done": f"{r.done:g}",
                    "status": r.status_label} for r in rows]


# Village work team: monthly report ---------------------------------------------------------


def find_team(scope: Scope, key: str) -> Subject:
    if not str(key).isdigit():
        raise ValidationError(_("工作队编号应为数字：%(k)s") % {"k": key}, field="subject")
    team = team_get(scope=scope, pk=int(key))
    return Subject(key=str(team.pk), obj=team, county_code=team.county_code, name=team.name)


def team_period_data(*, scope: Scope, team, first: date, last: date) -> dict:
    """A work team's figures from `first` to `last`: members' 到岗 days, activities, visits, 实事 and
    the team's behind/overdue rows on `last` (the monthly report and the half-year summary)."""
    members = [m for m in team_members(team=team)
               if (not m.started_on or m.started_on <= last) and (not m.ended_on or m.ended_on >= first)]
    people = [m.person_id for m in members]
    pairings = pairings_in_scope(scope).filter(Q(helper_team=team) | Q(helper_person_id__in=people))
    activities = list(current_activities(Activity.objects.filter(pairing__in=pairings.values("pk"),
                                                                  occurred_on__gte=first, occurred_on__lte=last))
                      .select_related("pairing").order_by("occurred_on", "pk"))
    days_by_person: dict[int, set] = {}
    for a in activities:
        if a.pairing.helper_person_id:
            days_by_person.setdefault(a.pairing.helper_person_id, set()).add(a.occurred_on)
    kinds = Counter(a.kind for a in activities)
    due_count, problems = _problems(scope, ComplianceFilters(helper_team=team.pk, status="due"), last)
    return {
        "team": {"name": team.name, "village": team.region.full_name,
                 "organization": team.organization.name if team.organization_id else "",
                 "started_on": day(team.started_on)},
        "members": [{"name": m.person.name, "role": m.get_role_display(),
                     "organization": m.person.organization.name if m.person.organization_id else "",
                     "days": len(days_by_person.get(m.person_id, ()))} for m in members],
        "days": len({a.occurred_on for a in activities}),
        "activity_total": len(activities),
        "visits": sum(kinds[k] for k in VISIT_KINDS),
        "kinds": [{"kind": k, "count": n} for k, n in sorted(kinds.items())],
        "deeds": [{"date": day(a.occurred_on), "content": a.content, "outcome": a.outcome}
                  for a in activities if a.kind == "办实事"],
        "due_count": due_count,
        "problems": problems,
        "_activities": activities,  # for a caller's chart; dropped before filling
    }


def team_month_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    team = subject.obj
    month = params["month"]
    first = date.fromisoformat(month + "-01")
    last = min(first.replace(day=calendar.monthrange(first.year, first.month)[1]), as_of)
    if last < first:
        raise ValidationError(_("月份晚于数据截止日期"), field="month")
    figures = team_period_data(scope=scope, team=team, first=first, last=last)
    figures.pop("_activities")
    return {
        "doc": {"title": _("%(team)s%(y)s年%(m)s月驻村工作报告") % {"team": team.name, "y": first.year, "m": first.month},
                "as_of": day(last)},
        "month": {"label": f"{first.year}年{first.month}月", "first": day(first), "last": day(last)},
        **figures,
    }


TEAM_MONTH_FIELDS = {
    "doc": {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]},
    "team": {"name": L("工作队"), "village": L("派驻村"), "organization": L("派出单位"), "started_on": L("派驻日期")},
    "month": {"label": L("月份"), "first": L("起始日"), "last": L("截止日")},
    "members": [{"name": L("队员"), "role": L("职责"), "organization": L("单位"), "days": L("到岗天数")}],
    "days": L("全队到岗天数(有工作记录的天数)"), "activity_total": L("帮扶活动次数"), "visits": L("走访次数"),
    "kinds": [{"kind": L("活动类型"), "count": L("次数")}],
    "deeds": [{"date": L("日期"), "content": L("实事内容"), "outcome": L("成效")}],
    "due_count": L("未完成的帮扶要求数"),
    "problems": [{"target": L("帮扶对象"), "helper": L("帮扶方"), "obligation": L("要求"), "period": L("周期"),
                  "required": L("应完成"), "done": L("已完成"), "status": L("状态")}],
}


def team_month_template():
    doc = d.new_document(official=True)
    d.title(doc, "{{ doc.title }}")
    d.para(doc, "{{ team.organization }}派驻{{ team.village }}工作队：", indent=False)
    d.para(doc, "{{ month.label }}，工作队在岗开展工作", "{{ days }}", "天，共开展帮扶活动", "{{ activity_total }}",
           "次，其中走访", "{{ visits }}", "次。现将本月工作报告如下。")
    d.heading(doc, "一、队员到岗情况")
    d.table(doc, ["队员", "职责", "单位", "到岗天数"],
            ["{{ m.name }}", "{{ m.role }}", "{{ m.organization }}", "{{ m.days }}"], loop="m in members")
    d.heading(doc, "二、帮扶活动")
    d.table(doc, ["活动类型", "次数"], ["{{ k.kind }}", "{{ k.count }}"], loop="k in kinds")
    d.heading(doc, "三、办实事")
    d.table(doc, ["日期", "实事内容", "成效"], ["{{ x.date }}", "{{ x.content }}", "{{ x.outcome }}"], loop="x in deeds")
    d.heading(doc, "四、存在问题")
    d.para(doc, "截至", "{{ month.last }}", "，尚有", "{{ due_count }}", "项帮扶要求未按期完成：")
    d.table(doc, ["帮扶对象", "要求", "周期", "应完成", "已完成", "状态"],
            ["{{ p.target }}", "{{ p.obligation }}", "{{ p.period }}", "{{ p.required }}", "{{ p.done }}",
             "{{ p.status }}"], loop="p in problems")
    d.para(doc, "{{ team.name }}", indent=False, align="right")
    d.para(doc, "{{ doc.as_of }}", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="team_month", title=L("驻村工作队月报"), subject_label=L("工作队"), find=find_team, fields=TEAM_MONTH_FIELDS,
    gather=team_month_gather, default_template=team_month_template, html="documents/print/team_month.html",
    official=True, params={"month": (L("月份(如 2025-03)"), _month)}))


# Region: yearly summary ----------------------------------------------------------------------


def find_region(scope: Scope, key: str) -> Subject:
    key = str(key)
    region = Region.objects.filter(code=key).first() if len(key) == 12 and key.isdigit() else None
    if region is None or not key.startswith(scope.prefix):
        raise NotFound(_("区域不存在或不在您的管辖范围内"), field="subject")
    return Subject(key=key, obj=region, county_code=key[:6], name=region.name)


def region_period_data(*, scope: Scope, region: Region, first: date, last: date) -> dict:
    """A region's figures from `first` to `last`: the home page's counts, households identified and
    exited in the period, pairings active on `last`, activities by kind and the 落实情况 roll-up by
    programme on `last` (the yearly and half-year summaries)."""
    narrow = scope.narrow(region.code, field="subject")
    summary = registry_summary(scope=narrow)
    households = narrow.households(Household.objects.all())
    exited = households.filter(exited_on__gte=first, exited_on__lte=last).count()
    identified = households.filter(identified_on__gte=first, identified_on__lte=last).count()
    pairings = pairings_in_scope(narrow).filter(starts_on__lte=last).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=last))
    activities = current_activities(Activity.objects.filter(
        pairing__in=pairings_in_scope(narrow).values("pk"), occurred_on__gte=first, occurred_on__lte=last))
    kinds = [(r["kind"], r["n"]) for r in activities.values("kind").annotate(n=Count("pk")).order_by("kind")]
    rollup = compliance_rollup(scope=narrow, by="programme", as_of=last)
    return {
        "region": {"name": region.name, "full_name": region.full_name, "code": region.code},
        "households": summary.households, "people": summary.people,
        "by_status": [{"label": str(r["label"]), "households": r["households"], "people": r["people"]}
                      for r in summary.by_status],
        "by_cause": [{"label": str(r["label"]), "households": r["households"]} for r in summary.by_cause],
        "by_area": [{"name": r["name"], "households": r["households"], "people": r["people"]} for r in summary.by_area],
        "assistance": {k: summary.assistance.get(k) or 0 for k in ("dibao", "wubao", "tekun")},
        "exited": exited, "identified": identified,
        "pairings": pairings.count(),
        "activity_total": sum(n for _k, n in kinds),
        "kinds": [{"kind": k, "count": n} for k, n in kinds],
        "compliance": [{"name": r["name"], "total": r["total"], "met": r["met"] or 0, "due": r["due"],
                        "rate": r["rate"]} for r in rollup],
        "compliance_total": sum(r["total"] for r in rollup), "compliance_met": sum(r["met"] or 0 for r in rollup),
        "compliance_due": sum(r["due"] for r in rollup),
    }


def year_summary_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    from bangfu.documents.summaries import period_figures

    region = subject.obj
    year = params["year"]
    cut = min(date(year, 12, 31), as_of)
    if cut < date(year, 1, 1):
        raise ValidationError(_("年度晚于数据截止日期"), field="year")
    narrow = scope.narrow(region.code, field="subject")
    return {
        "doc": {"title": _("%(region)s%(y)s年度结对帮扶工作总结") % {"region": region.name, "y": year}, "as_of": day(cut)},
        "year": str(year),
        **region_period_data(scope=scope, region=region, first=date(year, 1, 1), last=cut),
        **period_figures(scope=narrow, year=year, first=date(year, 1, 1), last=cut),
    }


YEAR_FIELDS = {
    "doc": {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]},
    "region": {"name": L("区域"), "full_name": L("区域全称"), "code": L("区划代码")},
    "year": L("年度"), "households": L("户数"), "people": L("人数"),
    "by_status": [{"label": L("户状态"), "households": L("户数"), "people": L("人数")}],
    "by_cause": [{"label": L("主要致贫原因"), "households": L("户数")}],
    "by_area": [{"name": L("下级区域"), "households": L("户数"), "people": L("人数")}],
    "assistance": {"dibao": L("低保户数"), "wubao": L("五保户数"), "tekun": L("特困供养户数")},
    "exited": L("本年脱贫户数"), "identified": L("本年识别户数"), "pairings": L("在帮结对数"),
    "activity_total": L("本年帮扶活动次数"), "kinds": [{"kind": L("活动类型"), "count": L("次数")}],
    "compliance": [{"name": L("帮扶项目"), "total": L("考核项数"), "met": L("已完成"), "due": L("落后或逾期"),
                    "rate": L("完成率(%)")}],
    "compliance_total": L("考核项合计"), "compliance_met": L("已完成合计"), "compliance_due": L("落后或逾期合计"),
}


def year_summary_template():
    from bangfu.documents.summaries import period_sections

    doc = d.new_document(official=True)
    d.title(doc, "{{ doc.title }}")
    d.para(doc, "{{ year }}", "年，", "{{ region.full_name }}", "共有建档立卡及监测户", "{{ households }}", "户",
           "{{ people }}", "人；本年识别", "{{ identified }}", "户，脱贫", "{{ exited }}", "户；在帮结对",
           "{{ pairings }}", "对，开展帮扶活动", "{{ activity_total }}", "次。现将全年工作总结如下。")
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
    d.para(doc, "全年考核项", "{{ compliance_total }}", "项，已完成", "{{ compliance_met }}", "项，落后或逾期",
           "{{ compliance_due }}", "项。")
    d.table(doc, ["帮扶项目", "考核项数", "已完成", "落后或逾期", "完成率(%)"],
            ["{{ c.name }}", "{{ c.total }}", "{{ c.met }}", "{{ c.due }}", "{{ c.rate }}"], loop="c in compliance")
    period_sections(doc, 5)
    d.para(doc, "{{ region.name }}", indent=False, align="right")
    d.para(doc, "{{ doc.as_of }}", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="year_summary", title=L("年度工作总结"), subject_label=L("区域(乡镇)"), find=find_region, fields=YEAR_FIELDS,
    gather=year_summary_gather, default_template=year_summary_template, html="documents/print/year_summary.html",
    official=True, params={"year": (L("年度(如 2025)"), _year)},
    default_version=2))  # v2: measures, funds, exits and charts (summaries.period_sections)


# School pairing: term summary -------------------------------------------------------------

LESSON_KINDS = ("听课", "评课")
DELIVERABLE_KINDS = ("示范课", "公开课", "汇报课", "说课", "讲座", "培训", "联合教研", "捐赠")


def find_pairing(scope: Scope, key: str) -> Subject:
    if not str(key).isdigit():
        raise ValidationError(_("结对编号应为数字：%(k)s") % {"k": key}, field="subject")
    pairing = pairing_get(scope=scope, pk=int(key))
    return Subject(key=str(pairing.pk), obj=pairing, county_code=pairing.county_code, name=str(pairing))


def _term(value: str, as_of: date):
    return int(value) if value else None


def term_summary_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    pairing = subject.obj
    terms = pairing.programme.terms.order_by("starts_on")
    if params.get("term"):
        term = terms.filter(pk=params["term"]).first()
        if term is None:
            raise NotFound(_("该学期不属于此结对的帮扶项目"), field="term")
    else:
        term = terms.filter(starts_on__lte=as_of).order_by("-starts_on").first()
    first, last = (term.starts_on, min(term.ends_on, as_of)) if term else (pairing.programme.starts_on, as_of)
    if last < first:
        raise ValidationError(_("学期晚于数据截止日期"), field="term")
    activities = list(current_activities(Activity.objects.filter(pairing=pairing, occurred_on__gte=first,
                                                                  occurred_on__lte=last)).order_by("occurred_on", "pk"))
    counts, amounts = Counter(), Counter()
    for a in activities:
        counts[a.kind] += 1
        amounts[a.kind] += a.quantity
    rows = compliance_rows(scope=scope, filters=ComplianceFilters(pairing=pairing.pk), as_of=last, limit=DUE_LIMIT)
    rows = sorted((r for r in rows if r.period_ends_on >= first and r.period_starts_on <= last),
                  key=lambda r: (r.period_starts_on, r.obligation.pk))
    return {
        "doc": {"title": _("%(helper)s与%(target)s%(term)s结对帮扶总结") % {
            "helper": pairing.helper_name, "target": pairing.target_name, "term": term.name if term else ""},
            "as_of": day(last)},
        "pairing": {"programme": pairing.programme.name, "helper": pairing.helper_name, "target": pairing.target_name,
                    "since": day(pairing.starts_on), "helper_label": pairing.programme.helper_label,
                    "target_label": pairing.programme.target_label},
        "term": {"name": term.name if term else "", "first": day(first), "last": day(last)},
        "activity_total": len(activities),
        "joint": counts["联合教研"],
        "outreach_hours": number(amounts["送教"]),
        "lessons_observed": sum(counts[k] for k in LESSON_KINDS),
        "deliverables": [{"kind": k, "count": counts[k]} for k in DELIVERABLE_KINDS if counts[k]],
        "kinds": [{"kind": k, "count": n, "quantity": number(amounts[k])} for k, n in sorted(counts.items())],
        "activities": [{"date": day(a.occurred_on), "kind": a.kind, "content": a.content, "quantity": f"{number(a.quantity)}{a.unit}"}
                       for a in activities],
        "obligations": [{"name": r.obligation.name, "period": r.period_label, "required": f"{r.required:g}",
                         "done": f"{r.done:g}", "status": r.status_label} for r in rows],
    }


TERM_FIELDS = {
    "doc": {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]},
    "pairing": {"programme": L("帮扶项目"), "helper": L("帮扶方"), "target": L("受帮扶方"), "since": L("结对日期"),
                "helper_label": L("帮扶方称谓"), "target_label": L("受帮扶方称谓")},
    "term": {"name": L("学期"), "first": L("起始日"), "last": L("截止日")},
    "activity_total": L("活动总次数"), "joint": L("联合教研次数"), "outreach_hours": L("送教课时"),
    "lessons_observed": L("听评课节数"),
    "deliverables": [{"kind": L("成果类型"), "count": L("次数")}],
    "kinds": [{"kind": L("活动类型"), "count": L("次数"), "quantity": L("数量")}],
    "activities": [{"date": L("日期"), "kind": L("类型"), "content": L("内容"), "quantity": L("数量")}],
    "obligations": [{"name": L("要求"), "period": L("周期"), "required": L("应完成"), "done": L("已完成"),
                     "status": L("状态")}],
}


def term_summary_template():
    doc = d.new_document(official=True)
    d.title(doc, "{{ doc.title }}")
    d.para(doc, "{{ term.name }}", "(", "{{ term.first }}", "至", "{{ term.last }}", ")，", "{{ pairing.helper }}", "与",
           "{{ pairing.target }}", "共开展结对活动", "{{ activity_total }}", "次：联合教研", "{{ joint }}", "次，送教",
           "{{ outreach_hours }}", "课时，听评课", "{{ lessons_observed }}", "节。")
    d.heading(doc, "一、活动统计")
    d.table(doc, ["活动类型", "次数", "数量"], ["{{ k.kind }}", "{{ k.count }}", "{{ k.quantity }}"], loop="k in kinds")
    d.heading(doc, "二、帮扶要求完成情况")
    d.table(doc, ["要求", "周期", "应完成", "已完成", "状态"],
            ["{{ o.name }}", "{{ o.period }}", "{{ o.required }}", "{{ o.done }}", "{{ o.status }}"],
            loop="o in obligations")
    d.heading(doc, "三、活动记录")
    d.table(doc, ["日期", "类型", "内容", "数量"], ["{{ a.date }}", "{{ a.kind }}", "{{ a.content }}", "{{ a.quantity }}"],
            loop="a in activities")
    d.para(doc, "{{ pairing.helper }}", indent=False, align="right")
    d.para(doc, "{{ doc.as_of }}", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="term_summary", title=L("学校结对学期总结"), subject_label=L("结对"), find=find_pairing, fields=TERM_FIELDS,
    gather=term_summary_gather, default_template=term_summary_template, html="documents/print/term_summary.html",
    official=True, params={"term": (L("学期编号"), _term)}))
