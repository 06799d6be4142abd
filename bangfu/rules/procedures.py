"""Identification, exit and monitoring, configured on the procedures machinery (docs/procedures.md):

- identification 识别: 申请 → 村民代表评议 → 村内公示 → 乡镇审核 → 县级公告 → 录入;
- exit 退出: 提名 → 村民代表评议 → 村内公示 → 乡镇核查 → 县级公告 → 退出;
- monitoring 监测: 农户自主申报 / 干部排查 / 部门预警 (or a registry change meeting a trigger) → 核实
  → 评议 → 确认 (category and risk types) → 帮扶 (measures) → 风险消除 → 公示 → 标注.

A self-declared hardship is verified within 5 working days and decided (确认 or 不纳入) within 15:
5 days in each of the three states before the decision. Steps that change the registry (录入, 退出,
确认, 标注) or need data (帮扶 with measures, 风险消除 against the criteria) are `system`: taken only
through rules.workflow's services."""

from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import Role
from bangfu.procedures.definitions import (
    COUNTY,
    DEFINITIONS,  # noqa: F401  (read through this module by rules.workflow)
    TOWNSHIP,
    VILLAGE,
    Definition,
    State,
    Transition,
    register,
)

IDENTIFICATION, EXIT, MONITORING = "identification", "exit", "monitoring"
HOUSEHOLD = "registry.household"
MONITORING_SUBJECT = "rules.monitoring"

VILLAGE_ROLES = frozenset({Role.VILLAGE_TEAM, Role.TOWNSHIP_OFFICE, Role.COUNTY_OFFICE})
TOWNSHIP_ROLES = frozenset({Role.TOWNSHIP_OFFICE, Role.COUNTY_OFFICE})
COUNTY_ROLES = frozenset({Role.COUNTY_OFFICE})
NOTICE_ROLES = frozenset({Role.VILLAGE_TEAM, Role.TOWNSHIP_OFFICE, Role.COUNTY_OFFICE})
COLUMNS = (("name", _("户主姓名")), ("id_number", _("身份证号")), ("village", _("村")), ("members", _("家庭人口")),
           ("income_per_capita", _("人均纯收入(元)")), ("note", _("说明")))


def _rows(case_ids: list[int]) -> list[dict]:
    from bangfu.rules.selectors import notice_rows_for_cases

    return notice_rows_for_cases(case_ids)


IDENTIFICATION_DEFINITION = register(Definition(
    key=IDENTIFICATION, label=_("贫困户识别"), subject_kind=HOUSEHOLD, initial="applied",
    states=(
        State("applied", _("已申请"), deadline_days=10),
        State("appraised", _("村民代表已评议"), deadline_days=5),
        State("on_notice", _("村内公示中")),
        State("reviewed", _("乡镇已审核"), deadline_days=10),
        State("announced", _("县级已公告"), deadline_days=5),
        State("entered", _("已录入"), final=True),
        State("rejected", _("不予识别"), final=True),
    ),
    transitions=(
        Transition("appraise", _("村民代表评议"), "applied", "appraised", roles=VILLAGE_ROLES, level=VILLAGE),
        Transition("reject", _("评议未通过"), "applied", "rejected", roles=VILLAGE_ROLES, level=VILLAGE),
        Transition("publish", _("村内公示"), "appraised", "on_notice", roles=NOTICE_ROLES, level=VILLAGE,
                   system=True),
        Transition("review", _("乡镇审核"), "on_notice", "reviewed", roles=TOWNSHIP_ROLES, level=TOWNSHIP,
                   after_notice=True),
        Transition("review_reject", _("乡镇审核不通过"), "on_notice", "rejected", roles=TOWNSHIP_ROLES,
                   level=TOWNSHIP, after_notice=True),
        Transition("announce", _("县级公告"), "reviewed", "announced", roles=COUNTY_ROLES, level=COUNTY),
        Transition("enter", _("录入"), "announced", "entered", roles=COUNTY_ROLES, level=COUNTY, system=True),
    ),
    notice_rows=_rows, notice_columns=COLUMNS, notice_roles=NOTICE_ROLES,
))

EXIT_DEFINITION = register(Definition(
    key=EXIT, label=_("脱贫退出"), subject_kind=HOUSEHOLD, initial="nominated",
    states=(
        State("nominated", _("已提名"), deadline_days=10),
        State("appraised", _("村民代表已评议"), deadline_days=5),
        State("on_notice", _("村内公示中")),
        State("verified", _("乡镇已核查"), deadline_days=10),
        State("announced", _("县级已公告"), deadline_days=5),
        State("exited", _("已退出"), final=True),
        State("withdrawn", _("暂缓退出"), final=True),
    ),
    transitions=(
        Transition("appraise", _("村民代表评议"), "nominated", "appraised", roles=VILLAGE_ROLES, level=VILLAGE),
        Transition("withdraw", _("评议未通过"), "nominated", "withdrawn", roles=VILLAGE_ROLES, level=VILLAGE),
        Transition("publish", _("村内公示"), "appraised", "on_notice", roles=NOTICE_ROLES, level=VILLAGE,
                   system=True),
        Transition("verify", _("乡镇核查"), "on_notice", "verified", roles=TOWNSHIP_ROLES, level=TOWNSHIP,
                   after_notice=True),
        Transition("verify_reject", _("乡镇核查不通过"), "on_notice", "withdrawn", roles=TOWNSHIP_ROLES,
                   level=TOWNSHIP, after_notice=True),
        Transition("announce", _("县级公告"), "verified", "announced", roles=COUNTY_ROLES, level=COUNTY),
        Transition("exit", _("退出"), "announced", "exited", roles=COUNTY_ROLES, level=COUNTY, system=True),
    ),
    notice_rows=_rows, notice_columns=COLUMNS, notice_roles=NOTICE_ROLES,
))

MONITORING_DEFINITION = register(Definition(
    key=MONITORING, label=_("防返贫监测"), subject_kind=MONITORING_SUBJECT, initial="declared",
    states=(
        State("declared", _("待核实"), deadline_days=5),
        State("verified", _("已核实"), deadline_days=5),
        State("appraised", _("已评议"), deadline_days=5),
        State("confirmed", _("已确认为监测对象"), deadline_days=10),
        State("helping", _("帮扶中")),
        State("eliminated", _("风险已消除(待公示)"), deadline_days=5),
        State("on_notice", _("公示中")),
        State("closed", _("已标注风险消除"), final=True),
        State("not_confirmed", _("不纳入监测"), final=True),
    ),
    transitions=(
        Transition("verify", _("核实"), "declared", "verified", roles=VILLAGE_ROLES, level=VILLAGE),
        Transition("appraise", _("评议"), "verified", "appraised", roles=VILLAGE_ROLES, level=VILLAGE),
        Transition("confirm", _("确认"), "appraised", "confirmed", roles=TOWNSHIP_ROLES, level=TOWNSHIP,
                   system=True),
        Transition("decline", _("不纳入"), "appraised", "not_confirmed", roles=TOWNSHIP_ROLES, level=TOWNSHIP,
                   system=True),
        Transition("help", _("落实帮扶措施"), "confirmed", "helping", roles=VILLAGE_ROLES, level=VILLAGE,
                   system=True),
        Transition("eliminate", _("风险消除"), "helping", "eliminated", roles=TOWNSHIP_ROLES, level=TOWNSHIP,
                   system=True),
        Transition("publish", _("公示"), "eliminated", "on_notice", roles=NOTICE_ROLES, level=VILLAGE,
                   system=True),
        Transition("mark", _("标注风险消除"), "on_notice", "closed", roles=COUNTY_ROLES | TOWNSHIP_ROLES,
                   level=TOWNSHIP, after_notice=True, system=True),
    ),
    notice_rows=_rows, notice_columns=COLUMNS, notice_roles=NOTICE_ROLES,
))
