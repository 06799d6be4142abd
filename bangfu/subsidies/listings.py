"""Money lists as exports (bangfu.exports): a scheme's applications, allocations, a household's
measures. Registered into the exports' one table of listings at start (SubsidiesConfig.ready);
the same selectors and scope as the pages, personal data masked unless exported in full."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.exports.listings import CHUNK, Params, Table, listing
from bangfu.funds import selectors as fund_selectors
from bangfu.measures import selectors as measure_selectors
from bangfu.measures.models import MeasureCategory, MeasureStatus
from bangfu.privacy.services import PersonalValues
from bangfu.subsidies import procedure, selectors


def _table(qs, headers: list, row, personal: PersonalValues | None = None) -> Table:
    def rows():
        try:
            for obj in qs.iterator(chunk_size=CHUNK):
                yield row(obj)
        finally:
            if personal is not None:
                personal.flush()

    return Table(headers=[str(h) for h in headers], count=qs.count, rows=rows)


def _int(value) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@listing("subsidy_applications", gettext_lazy("补助申报"), personal=True)
def subsidy_applications(user, params: Params, personal: PersonalValues) -> Table:
    scope = user.scope
    scheme_id = _int(params.get("scheme"))
    scheme = selectors.scheme_get(scope=scope, pk=scheme_id) if scheme_id else None
    qs = selectors.application_list(scope=scope, scheme=scheme, state=params.get("state", ""),
                                    region=params.get("region", ""))
    states = {s.key: str(s.label) for s in procedure.DEFINITION.states}
    headers = [_("补助政策"), _("村"), _("户编号"), _("户主"), _("户主身份证号"), _("家庭人口"), _("申报数量"), _("申报日期"),
               _("验收数量"), _("核定金额(元)"), _("状态"), _("不合格项"), _("发放日期")]
    shown = personal.value
    return _table(qs, headers, lambda a: (
        a.scheme.name, a.region.name, a.household.number, a.household.head.name if a.household.head else "",
        shown(a.household.head, "id_number"), a.members, a.quantity, a.applied_on, a.accepted_quantity, a.amount,
        states.get(a.case.state if a.case else "", ""), "；".join(f["message"] for f in a.failures), a.paid_on),
        personal)


@listing("allocations", gettext_lazy("资金分配"))
def allocations(user, params: Params) -> Table:
    qs = fund_selectors.allocation_list(scope=user.scope)
    headers = [_("资金"), _("年度"), _("用途"), _("使用区域"), _("分配金额(元)"), _("已下拨(元)"), _("已支付(元)"), _("余额(元)"),
               _("下达日期"), _("文号")]
    return _table(qs, headers, lambda a: (
        a.fund.name, a.fund.year, a.purpose, a.region.name, a.amount, a.allocated, a.disbursed, a.remaining,
        a.allocated_on, a.document_no))


@listing("measures", gettext_lazy("帮扶措施"))
def measures(user, params: Params) -> Table:
    qs = measure_selectors.measure_list(scope=user.scope, household=_int(params.get("household")),
                                        category=params.get("category", ""), status=params.get("status", ""))
    categories, statuses = dict(MeasureCategory.choices), dict(MeasureStatus.choices)
    headers = [_("户编号"), _("类别"), _("措施内容"), _("责任人"), _("责任单位"), _("计划落实日期"), _("落实日期"), _("状态"),
               _("金额(元)"), _("预期增收(元/年)"), _("实际增收(元/年)")]
    return _table(qs, headers, lambda m: (
        m.household.number, str(categories.get(m.category, m.category)), m.description,
        m.helper.name if m.helper else "", m.unit.name if m.unit else "", m.planned_on, m.delivered_on,
        str(statuses.get(m.status, m.status)), m.amount, m.expected_income, m.observed_income))
