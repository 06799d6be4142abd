"""The yearly work plan (工作计划) drafted from a programme's configuration, edited, then issued.

An office drafts the plan of a programme for a year: Bangfu writes its text sections (指导思想, 目标
任务, 工作措施, 工作要求) from the programme — its description, its targets (who must be covered, the
pairings in place, the 54321 capacity rules), its obligations, phases and tasks — and lays out the
tables that come straight from the configuration (要求, 阶段与月度安排, 责任分工). The office edits the
text sections on a page; issuing freezes text and tables as version n of that programme's plan for
that region and year. The `work_plan` document kind prints a plan (a draft is marked 征求意见稿).
"""

import calendar
from datetime import date

from django.db import transaction
from django.db.models import Max, Q
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.roles import DOCUMENT_TEMPLATE_ROLES
from bangfu.accounts.scope import Scope
from bangfu.documents import defaults as d
from bangfu.documents.households import day, number
from bangfu.documents.kinds import DOC_FIELDS, DocumentKind, Subject, kind_register
from bangfu.documents.models import WorkPlan, WorkPlanStatus
from bangfu.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.programmes.models import Programme
from bangfu.programmes.selectors import pairings_in_scope, programme_get

L = gettext_lazy
SECTIONS = {"guidance": L("一、指导思想"), "goals": L("二、目标任务"), "measures": L("三、工作措施"),
            "requirements": L("五、工作要求")}
SECTION_LIMIT = 10000


def programme_config(*, scope: Scope, programme: Programme, year: int) -> dict:
    """The tables a plan takes from the programme: targets, obligations, phases with their tasks, the
    month-by-month schedule and the responsibilities (tasks by owner)."""
    first, last = date(year, 1, 1), date(year, 12, 31)
    phases = [p for p in programme.phases.prefetch_related("tasks").order_by("starts_on", "pk")
              if p.starts_on <= last and p.ends_on >= first]
    tasks = [(p, t) for p in phases for t in p.tasks.all()]
    schedule = []
    for month in range(1, 13):
        start, end = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
        running = [p.name for p in phases if p.starts_on <= end and p.ends_on >= start]
        due = [t.name for _p, t in tasks if t.due_on and start <= t.due_on <= end]
        schedule.append({"month": f"{month}月", "phases": "、".join(running), "tasks": "；".join(due)})
    owners: dict[str, list[str]] = {}
    for _p, t in tasks:
        owners.setdefault(t.owner or _("(未指定)"), []).append(t.name)
    pairings = pairings_in_scope(scope).filter(programme=programme, starts_on__lte=last).filter(
        Q(ends_on__isnull=True) | Q(ends_on__gte=first))
    return {
        "programme": {"name": programme.name, "owner": programme.owner.name if programme.owner_id else "",
                      "region": programme.region.full_name, "starts_on": day(programme.starts_on),
                      "ends_on": day(programme.ends_on), "helper_label": programme.helper_label,
                      "target_label": programme.target_label},
        "pairings": pairings.count(),
        "capacity": [{"rank": rule.rank_label or _("其他帮扶方"), "max_targets": rule.max_targets}
                     for rule in programme.capacity_rules.all()],
        "obligations": [{"name": o.name, "actor": o.get_actor_display(), "kind": o.kind,
                         "minimum": f"{number(o.minimum)}{o.unit}", "period": o.period_shown}
                        for o in programme.obligations.order_by("pk")],
        "phases": [{"name": p.name, "starts_on": day(p.starts_on), "ends_on": day(p.ends_on),
                    "tasks": "；".join(f"{t.name}({t.owner or _('未指定')}，{day(t.due_on) or _('无时限')})"
                                      for t in p.tasks.all())} for p in phases],
        "schedule": schedule,
        "responsibilities": [{"owner": owner, "tasks": "；".join(names)} for owner, names in owners.items()],
    }


def _drafted(config: dict, year: int, region_name: str) -> dict:
    """The text sections as first drafted from the configuration; the office edits them."""
    p = config["programme"]
    obligations = "；".join(f"{o['actor']}{o['period']}{o['kind']}不少于{o['minimum']}" for o in config["obligations"])
    capacity = "、".join(f"{c['rank']}不超过{c['max_targets']}个" for c in config["capacity"])
    return {
        "guidance": _("深入贯彻落实巩固拓展脱贫攻坚成果同乡村振兴有效衔接的决策部署，按照“%(name)s”的要求，"
                      "以帮扶对象稳定增收、持续巩固为目标，压实帮扶责任，确保帮扶工作落到实处。") % {"name": p["name"]},
        "goals": _("%(y)s年，%(region)s“%(name)s”在帮结对%(n)s对，实现%(target)s帮扶全覆盖；每名%(helper)s结对帮扶%(cap)s。")
        % {"y": year, "region": region_name, "name": p["name"], "n": config["pairings"], "target": p["target_label"],
           "helper": p["helper_label"], "cap": capacity or _("按有关规定")},
        "measures": _("严格落实帮扶要求：%(o)s。按工作阶段和月度安排推进各项任务，按时记录帮扶活动。")
        % {"o": obligations or _("按项目要求开展帮扶活动")},
        "requirements": _("各责任单位要加强组织领导，明确责任分工，按月调度工作进展；对进度落后、逾期未完成的帮扶要求"
                          "及时督促整改，确保年度目标任务全面完成。"),
    }


# Services -----------------------------------------------------------------------------------


def _office_check(user) -> None:
    if user.role not in DOCUMENT_TEMPLATE_ROLES or not user.region_id:
        raise PermissionDenied(_("您的角色不能起草或印发工作计划"))


def workplan_list(*, user) -> list[WorkPlan]:
    scope = user.scope
    qs = WorkPlan.objects.select_related("programme", "region").order_by("-year", "programme_id", "-pk")
    if scope.prefix:
        qs = qs.filter(region__code__startswith=scope.prefix)
    return list(qs[:100])


def workplan_get(*, user, pk: int) -> WorkPlan:
    """A plan of the user's region or below (404 otherwise)."""
    plan = (WorkPlan.objects.select_related("programme", "region")
            .filter(pk=pk, region__code__startswith=user.scope.prefix).first())
    if plan is None:
        raise NotFound(_("工作计划不存在或不在您的管辖范围内"))
    return plan


@transaction.atomic
def workplan_draft(*, user, programme, year) -> WorkPlan:
    """A new draft of `programme`'s plan for `year` by the user's office: the text of the last issued
    version of that plan if there is one (a revision), else drafted from the configuration."""
    _office_check(user)
    if not str(programme).isdigit():
        raise ValidationError(_("请选择帮扶项目"), field="programme")
    if not str(year).isdigit() or not 2000 <= int(year) <= 2100:
        raise ValidationError(_("年度应在 2000—2100 之间：%(y)s") % {"y": year}, field="year")
    year = int(year)
    found = programme_get(scope=user.scope, pk=int(programme))
    last = (WorkPlan.objects.filter(programme=found, region_id=user.region_id, year=year, status="issued")
            .order_by("-version").first())
    sections = dict(last.sections) if last else _drafted(
        programme_config(scope=user.scope, programme=found, year=year), year, user.region.name)
    return WorkPlan.objects.create(programme=found, region_id=user.region_id, year=year, sections=sections,
                                   created_by=user)


def _editable(user, plan: WorkPlan) -> None:
    _office_check(user)
    if not user.scope.contains_code(plan.region_id):  # the drafting office, or one above it
        raise NotFound(_("工作计划不存在或不在您的管辖范围内"))
    if plan.status != WorkPlanStatus.DRAFT:
        raise Conflict(_("工作计划已印发(第%(v)s版)，不能再修改；请起草修订稿") % {"v": plan.version})


@transaction.atomic
def workplan_update(*, user, plan: WorkPlan, sections: dict) -> WorkPlan:
    _editable(user, plan)
    unknown = set(sections) - set(SECTIONS)
    if unknown:
        raise ValidationError(_("没有这一节：%(k)s") % {"k": "、".join(sorted(unknown))}, field="sections")
    for key, text in sections.items():
        if len(str(text)) > SECTION_LIMIT:
            raise ValidationError(_("“%(s)s”不能超过 %(n)s 字") % {"s": SECTIONS[key], "n": SECTION_LIMIT}, field=key)
    plan.sections = {**plan.sections, **{k: str(v).strip() for k, v in sections.items()}}
    plan.save(update_fields=["sections"])
    return plan


@transaction.atomic
def workplan_issue(*, user, plan: WorkPlan, on: date) -> WorkPlan:
    """Issue a draft: the next version number of the plan, its configuration tables frozen."""
    plan = WorkPlan.objects.select_for_update().select_related("programme", "region").get(pk=plan.pk)
    _editable(user, plan)
    plan.data = programme_config(scope=user.scope, programme=plan.programme, year=plan.year)
    plan.version = (WorkPlan.objects.filter(programme=plan.programme, region=plan.region, year=plan.year)
                    .aggregate(v=Max("version"))["v"] or 0) + 1
    plan.status, plan.issued_by, plan.issued_on = WorkPlanStatus.ISSUED, user, on
    plan.save(update_fields=["data", "version", "status", "issued_by", "issued_on"])
    return plan


# The document kind ------------------------------------------------------------------------


def find_plan(scope: Scope, key: str) -> Subject:
    from types import SimpleNamespace

    if not str(key).isdigit():
        raise ValidationError(_("工作计划编号应为数字：%(k)s") % {"k": key}, field="subject")
    plan = workplan_get(user=SimpleNamespace(scope=scope), pk=int(key))
    programme_get(scope=scope, pk=plan.programme_id)  # the programme must be the user's too
    return Subject(key=str(plan.pk), obj=plan, county_code=plan.region.code[:6], name=plan.programme.name)


def work_plan_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    plan = subject.obj
    issued = plan.status == WorkPlanStatus.ISSUED
    config = plan.data if issued else programme_config(scope=scope, programme=plan.programme, year=plan.year)
    title = _("%(region)s%(y)s年%(name)s工作计划") % {"region": plan.region.name, "y": plan.year,
                                                   "name": plan.programme.name}
    return {
        "doc": {"title": title if issued else title + _("(征求意见稿)"), "as_of": day(as_of)},
        "plan": {"year": str(plan.year), "region": plan.region.full_name, "issuer": plan.region.name,
                 "version": str(plan.version or ""), "status": plan.get_status_display(),
                 "issued_on": day(plan.issued_on)},
        "sections": {k: plan.sections.get(k, "") for k in SECTIONS},
        **config,
    }


WORK_PLAN_FIELDS = {
    "doc": {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]},
    "plan": {"year": L("年度"), "region": L("区域全称"), "issuer": L("制定单位"), "version": L("版本"),
             "status": L("状态"), "issued_on": L("印发日期")},
    "sections": {k: format_lazy(L("正文：{section}"), section=v) for k, v in SECTIONS.items()},
    "programme": {"name": L("帮扶项目"), "owner": L("牵头单位"), "region": L("实施范围"), "starts_on": L("开始日期"),
                  "ends_on": L("结束日期"), "helper_label": L("帮扶方称谓"), "target_label": L("受帮扶方称谓")},
    "pairings": L("在帮结对数"),
    "capacity": [{"rank": L("职级"), "max_targets": L("最多结对数")}],
    "obligations": [{"name": L("要求"), "actor": L("完成方"), "kind": L("活动类型"), "minimum": L("最低要求"),
                     "period": L("周期")}],
    "phases": [{"name": L("阶段"), "starts_on": L("开始日期"), "ends_on": L("结束日期"), "tasks": L("任务")}],
    "schedule": [{"month": L("月份"), "phases": L("工作阶段"), "tasks": L("到期任务")}],
    "responsibilities": [{"owner": L("责任人/单位"), "tasks": L("任务")}],
}


def work_plan_template():
    doc = d.new_document(official=True)
    d.title(doc, "{{ doc.title }}")
    for key in ("guidance", "goals", "measures"):
        d.heading(doc, str(SECTIONS[key]))
        d.para(doc, "{{ sections." + key + " }}")
    d.table(doc, ["要求", "完成方", "周期", "最低要求"],
            ["{{ o.name }}", "{{ o.actor }}", "{{ o.period }}", "{{ o.minimum }}"], loop="o in obligations")
    d.heading(doc, "四、时间安排和责任分工")
    d.table(doc, ["阶段", "开始日期", "结束日期", "任务"],
            ["{{ p.name }}", "{{ p.starts_on }}", "{{ p.ends_on }}", "{{ p.tasks }}"], loop="p in phases")
    d.table(doc, ["月份", "工作阶段", "到期任务"], ["{{ s.month }}", "{{ s.phases }}", "{{ s.tasks }}"], loop="s in schedule")
    d.table(doc, ["责任人/单位", "任务"], ["{{ r.owner }}", "{{ r.tasks }}"], loop="r in responsibilities")
    d.heading(doc, str(SECTIONS["requirements"]))
    d.para(doc, "{{ sections.requirements }}")
    d.para(doc, "{{ plan.issuer }}", indent=False, align="right")
    d.para(doc, "{{ plan.issued_on }}", indent=False, align="right")
    return doc


kind_register(DocumentKind(
    key="work_plan", title=L("年度工作计划"), subject_label=L("工作计划编号"), find=find_plan,
    fields=WORK_PLAN_FIELDS, gather=work_plan_gather, default_template=work_plan_template,
    html="documents/print/work_plan.html", official=True))
