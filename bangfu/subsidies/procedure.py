"""The subsidy acceptance procedure of seed 004, configured on the procedures machinery:
申报 → 村登记汇总 → 乡镇验收 → 造册核定 → 村内公示 → 县审核 → 审批 → 拨付."""

from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import Role
from bangfu.procedures.definitions import COUNTY, TOWNSHIP, VILLAGE, Definition, State, Transition, register

KEY = "subsidy"
SUBJECT = "subsidies.application"
APPLY_ROLES = frozenset({Role.VILLAGE_TEAM, Role.TOWNSHIP_OFFICE, Role.COUNTY_OFFICE})
TOWNSHIP_ROLES = frozenset({Role.TOWNSHIP_OFFICE})
COUNTY_ROLES = frozenset({Role.COUNTY_OFFICE})


def _notice_rows(case_ids: list[int]) -> list[dict]:
    from bangfu.subsidies.selectors import notice_rows_for_cases

    return notice_rows_for_cases(case_ids)


DEFINITION = register(Definition(
    key=KEY,
    label=_("奖补验收"),
    subject_kind=SUBJECT,
    initial="applied",
    states=(
        State("applied", _("已申报"), deadline_days=10),
        State("registered", _("村已登记汇总"), deadline_days=15),
        State("inspected", _("验收合格"), deadline_days=5),
        State("failed", _("验收不合格"), final=True),
        State("assessed", _("已造册核定"), deadline_days=5),
        State("on_notice", _("公示中")),
        State("reviewed", _("县已审核"), deadline_days=5),
        State("approved", _("已审批"), deadline_days=10),
        State("paid", _("已拨付"), final=True),
    ),
    transitions=(
        Transition("register", _("村登记汇总"), "applied", "registered",
                   roles=frozenset({Role.VILLAGE_TEAM, Role.TOWNSHIP_OFFICE}), level=VILLAGE),
        Transition("inspect_pass", _("乡镇验收(合格)"), "registered", "inspected", roles=TOWNSHIP_ROLES,
                   level=TOWNSHIP, system=True),
        Transition("inspect_fail", _("乡镇验收(不合格)"), "registered", "failed", roles=TOWNSHIP_ROLES,
                   level=TOWNSHIP, system=True),
        Transition("assess", _("造册核定"), "inspected", "assessed", roles=TOWNSHIP_ROLES, level=TOWNSHIP,
                   system=True),
        Transition("publish", _("村内公示"), "assessed", "on_notice", roles=TOWNSHIP_ROLES, level=TOWNSHIP,
                   system=True),
        Transition("review", _("县审核"), "on_notice", "reviewed", roles=COUNTY_ROLES, level=COUNTY,
                   after_notice=True),
        Transition("approve", _("审批"), "reviewed", "approved", roles=COUNTY_ROLES, level=COUNTY),
        Transition("pay", _("拨付"), "approved", "paid", roles=frozenset({Role.FINANCE}), level=TOWNSHIP,
                   system=True),
    ),
    notice_rows=_notice_rows,
    notice_columns=(("name", _("户主姓名")), ("id_number", _("身份证号")), ("village", _("村")),
                    ("members", _("家庭人口")), ("accepted_quantity", _("验收数量")), ("amount", _("核定金额(元)"))),
    notice_roles=frozenset({Role.VILLAGE_TEAM, Role.TOWNSHIP_OFFICE, Role.COUNTY_OFFICE}),
))
