"""The township summary of seed 003 (扶贫工作基本情况) as a Word document: "XX镇贫困系统N户M人，其中
已脱贫…(…年脱贫…)，未脱贫…(…年计划脱贫…、政策兜底…)。XX镇共K个贫困村…已出列…计划出列…", with its
tables — the same figures the 基本情况 page shows (bangfu.quality.selectors.township_summary)."""

from datetime import date

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.documents import defaults as d
from bangfu.documents.households import day
from bangfu.documents.kinds import DOC_FIELDS, DocumentKind, Subject, kind_register
from bangfu.documents.reports import find_region
from bangfu.errors import ValidationError
from bangfu.quality.selectors import township_summary

L = gettext_lazy


def _year(value: str, as_of: date) -> int:
    return int(value) if value else as_of.year


def township_summary_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    year = params["year"]
    if date(year, 1, 1) > as_of:
        raise ValidationError(_("年度晚于数据截止日期"), field="year")
    data = township_summary(scope=scope, region=subject.key, year=year)
    text = data.pop("text")
    data["as_of"] = day(data["as_of"])
    return {"doc": {"title": _("%(r)s%(y)s年扶贫工作基本情况") % {"r": data["region"]["name"], "y": year},
                    "as_of": day(as_of)},
            **data, "year": str(year), "overview": text[0], "villages_text": text[1]}


FIELDS = {
    "doc": {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]},
    "region": {"name": L("区域"), "full_name": L("区域全称"), "code": L("区划代码")},
    "year": L("年度"), "overview": L("基本情况(户数人数与脱贫年度)"), "villages_text": L("贫困村出列情况"),
    "households": L("贫困系统户数"), "people": L("贫困系统人数"),
    "exited": {"households": L("已脱贫户数"), "people": L("已脱贫人数"),
               "by_year": [{"year": L("脱贫年度"), "households": L("户数"), "people": L("人数")}]},
    "poor": {"households": L("未脱贫户数"), "people": L("未脱贫人数"),
             "planned": [{"year": L("计划脱贫年度"), "households": L("户数"), "people": L("人数")}],
             "safety_net": {"households": L("政策兜底户数"), "people": L("政策兜底人数")},
             "unplanned": {"households": L("未安排计划户数"), "people": L("未安排计划人数")}},
    "villages": {"total": L("贫困村数"),
                 "exited": [{"year": L("出列年度"), "names": L("出列村"), "count": L("村数")}],
                 "planned": [{"year": L("计划出列年度"), "names": L("计划出列村"), "count": L("村数")}]},
}


def township_summary_template():
    doc = d.new_document(official=True)
    d.title(doc, "{{ doc.title }}")
    d.heading(doc, "一、基本情况")
    d.para(doc, "{{ overview }}")
    d.para(doc, "{{ villages_text }}")
    d.table(doc, ["脱贫年度", "户数", "人数"], ["{{ r.year }}年", "{{ r.households }}", "{{ r.people }}"],
            loop="r in exited.by_year")
    d.table(doc, ["计划脱贫年度", "户数", "人数"], ["{{ r.year }}年", "{{ r.households }}", "{{ r.people }}"],
            loop="r in poor.planned")
    d.para(doc, "政策兜底", "{{ poor.safety_net.households }}", "户", "{{ poor.safety_net.people }}", "人；尚未安排脱贫计划",
           "{{ poor.unplanned.households }}", "户", "{{ poor.unplanned.people }}", "人。")
    d.para(doc, "{{ region.name }}", indent=False, align="right")
    d.para(doc, "{{ doc.as_of }}", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="township_summary", title=L("乡镇扶贫工作基本情况"), subject_label=L("区域(乡镇)"), find=find_region,
    fields=FIELDS, gather=township_summary_gather, default_template=township_summary_template,
    html="documents/print/township_summary.html", official=True, params={"year": (L("年度(如 2025)"), _year)}))
