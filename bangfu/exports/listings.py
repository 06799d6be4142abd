"""Every list a user sees, as an export: one definition per list, here.

A listing reads the list page's own query string (the same parameter names, parsed by the same
form or function as the page), calls the page's selector with the caller's scope and gives the
headers, a row count and the rows. Rows are read with .iterator(chunk_size=…) (or a page of
compliance rows at a time) and turned into plain values one by one, so memory stays flat.

Personal data (ID, phone and bank numbers) is masked, as on the pages. A role that may see it in
full (see_personal_data: county and township offices, administrators) may ask for a full export of
the lists that hold it (`personal=True`: households, persons, organizations) — what an office sends
to the bank or the insurer; every value so written is logged as a FullRead (channel "export"), as a
reveal on a page is (bangfu.privacy.services.PersonalValues).
"""

import functools
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.activities import selectors as activity_selectors
from bangfu.compliance import selectors as compliance_selectors
from bangfu.compliance.filters import compliance_filters, rollup_by
from bangfu.errors import NotFound, ValidationError
from bangfu.querystring import query_id
from bangfu.privacy.services import PersonalValues
from bangfu.programmes import selectors as programme_selectors
from bangfu.programmes.models import Pairing, Programme
from bangfu.registry import selectors as registry_selectors
from bangfu.registry.forms import HouseholdFilterForm
from bangfu.registry.models import Household, Organization, Person, Team

CHUNK = 2000  # rows per database round trip
Params = Mapping[str, str]


@dataclass
class Table:
    headers: list[str]
    count: Callable[[], int]
    rows: Callable[[], Iterator[tuple]]


@dataclass(frozen=True)
class Listing:
    key: str
    title: Promise
    build: Callable[..., Table]  # (user, params) -> Table; (user, params, personal) when personal
    personal: bool = False  # has personal data, masked unless exported in full

    def table(self, user, params: Params, *, full: bool = False, reason: str = "", note: str = "") -> Table:
        """The list as `user` sees it, with personal data in full if asked for (and allowed: else
        PermissionDenied), each value logged with the reason given (the export's default if none)."""
        if not self.personal:
            if full:
                raise ValidationError(_("该列表没有个人信息，无需完整导出"), field="full")
            return self.build(user, params)
        return self.build(user, params, PersonalValues(user=user, full=full, reason=reason, note=note))


LISTINGS: dict[str, Listing] = {}


def listing(key: str, title: Promise, *, personal: bool = False):
    def register(build):
        LISTINGS[key] = Listing(key=key, title=title, build=build, personal=personal)
        return build
    return register


def listing_get(key: str) -> Listing:
    found = LISTINGS.get(key)
    if found is None:
        raise NotFound(_("没有这个列表：%(k)s") % {"k": key}, field="listing")
    return found


def _display(model, name: str) -> Callable[[str], str]:
    """A field's choice labels, translated once per export (get_FOO_display translates on every call)."""
    labels = {value: str(label) for value, label in model._meta.get_field(name).flatchoices}
    return lambda value: labels.get(value, value or "")


def _queryset_table(qs, headers: list, row: Callable, personal: PersonalValues | None = None) -> Table:
    def rows():
        try:
            for obj in qs.iterator(chunk_size=CHUNK):
                yield row(obj)
        finally:  # the full reads of the last rows written (or of those written before a failure)
            if personal is not None:
                personal.flush()

    return Table(headers=[str(h) for h in headers], count=qs.count, rows=rows)


# Registry --------------------------------------------------------------------------------------


@listing("households", gettext_lazy("帮扶对象台账"), personal=True)
def households(user, params: Params, personal: PersonalValues) -> Table:
    scope = user.scope
    form = HouseholdFilterForm(params or None, scope=scope)
    form.is_valid()  # as the page reads it: a bad choice left out, the region checked by the selector
    filters = registry_selectors.HouseholdFilters(**getattr(form, "cleaned_data", {}))
    qs = registry_selectors.household_list(scope=scope, filters=filters)
    status, cause = _display(Household, "status"), _display(Household, "main_cause")
    headers = [_("户编号"), _("所在区域"), _("地址"), _("户主"), _("户主身份证号"), _("家庭人口"), _("户状态"), _("主要致贫原因"),
               _("人均纯收入(元)"), _("低保户"), _("五保户"), _("特困供养"), _("识别日期"), _("脱贫日期"), _("联系电话"),
               _("开户银行"), _("银行账号")]
    qs = qs.select_related("region", "head").only(  # the columns written, no more: a county has 10^4–10^5 rows
        "number", "county_code", "region__full_name", "address", "head__name", "head__county_code",
        "head__id_number", "size", "status", "main_cause", "income_per_capita", "dibao", "wubao", "tekun",
        "identified_on", "exited_on", "phone", "bank_name", "bank_account")
    shown = personal.value
    return _queryset_table(qs, headers, lambda h: (
        h.number, h.region.full_name, h.address, h.head.name if h.head else "", shown(h.head, "id_number"),
        h.size, status(h.status), cause(h.main_cause), h.income_per_capita, h.dibao, h.wubao, h.tekun,
        h.identified_on, h.exited_on, shown(h, "phone"), h.bank_name, shown(h, "bank_account")), personal)


@listing("persons", gettext_lazy("人员"), personal=True)
def persons(user, params: Params, personal: PersonalValues) -> Table:
    """The person list (q, kind), or an organization's people (organization=<id>)."""
    scope = user.scope
    organization = query_id(params, "organization")
    if organization:
        registry_selectors.organization_get(scope=scope, pk=organization)
    qs = registry_selectors.person_list(scope=scope, q=params.get("q", ""), kind=params.get("kind", ""),
                                        organization=organization)
    gender, kind, relation = _display(Person, "gender"), _display(Person, "kind"), _display(Person, "relation")
    headers = [_("姓名"), _("身份证号"), _("性别"), _("出生日期"), _("民族"), _("人员类别"), _("所在区域"), _("所在户"),
               _("与户主关系"), _("工作单位/学校"), _("联系电话")]
    qs = qs.only("name", "county_code", "id_number", "gender", "birth_date", "ethnicity", "kind", "region__full_name",
                 "household__number", "relation", "organization__name", "phone")
    shown = personal.value
    return _queryset_table(qs, headers, lambda p: (
        p.name, shown(p, "id_number"), gender(p.gender), p.birth_date, p.ethnicity, kind(p.kind),
        p.region.full_name, p.household.number if p.household else "", relation(p.relation),
        p.organization.name if p.organization else "", shown(p, "phone")), personal)


@listing("organizations", gettext_lazy("单位"), personal=True)
def organizations(user, params: Params, personal: PersonalValues) -> Table:
    qs = registry_selectors.organization_list(scope=user.scope, q=params.get("q", ""), kind=params.get("kind", ""))
    headers = [_("名称"), _("类型"), _("所在区域"), _("地址"), _("联系人"), _("联系电话"), _("人数")]
    kind = _display(Organization, "kind")
    return _queryset_table(qs, headers, lambda o: (
        o.name, kind(o.kind), o.region.full_name, o.address, o.contact_name,
        personal.value(o, "contact_phone", mask="phone"), o.people_count), personal)


@listing("teams", gettext_lazy("驻村工作队"))
def teams(user, params: Params) -> Table:
    qs = registry_selectors.team_list(scope=user.scope)
    headers = [_("名称"), _("类型"), _("派驻村"), _("派出单位"), _("在岗队员"), _("派驻日期"), _("撤离日期")]
    kind = _display(Team, "kind")
    return _queryset_table(qs, headers, lambda t: (
        t.name, kind(t.kind), t.region.full_name, t.organization.name if t.organization else "",
        t.member_count, t.started_on, t.ended_on))


# Programmes, pairings, activities ---------------------------------------------------------------


@listing("programmes", gettext_lazy("帮扶项目"))
def programmes(user, params: Params) -> Table:
    qs = programme_selectors.programme_list(scope=user.scope)
    headers = [_("项目名称"), _("实施范围"), _("牵头单位"), _("开始日期"), _("结束日期"), _("在帮结对"), _("状态")]
    status = _display(Programme, "status")
    return _queryset_table(qs, headers, lambda p: (
        p.name, p.region.full_name, p.owner.name if p.owner else "", p.starts_on, p.ends_on, p.pairing_count,
        status(p.status)))


@listing("pairings", gettext_lazy("结对名单"))
def pairings(user, params: Params) -> Table:
    """A programme's pairing list (programme=<id>, q as its search box); without one, all in scope."""
    scope = user.scope
    programme_id = query_id(params, "programme")
    programme = programme_selectors.programme_get(scope=scope, pk=programme_id) if programme_id else None
    qs = programme_selectors.pairing_list(scope=scope, programme=programme, status=params.get("status", ""),
                                          q=params.get("q", ""))
    headers = [_("项目"), _("帮扶方"), _("帮扶对象"), _("所在区域"), _("结对日期"), _("结束日期"), _("状态"),
               _("结束/移交原因")]
    status = _display(Pairing, "status")
    return _queryset_table(qs, headers, lambda p: (
        p.programme.name, p.helper_name, p.target_name, p.region.full_name, p.starts_on, p.ends_on,
        status(p.status), p.end_reason))


@listing("uncovered", gettext_lazy("未落实帮扶责任人"))
def uncovered(user, params: Params) -> Table:
    """A programme's targets without an active pairing (its page shows the first 100)."""
    programme = programme_selectors.programme_get(scope=user.scope, pk=query_id(params, "programme") or 0)
    qs = programme_selectors.uncovered_targets(scope=user.scope, programme=programme)
    headers = [_("帮扶对象"), _("户编号"), _("所在区域")]

    def row(target):
        if isinstance(target, Household):
            return (target.head.name if target.head else "", target.number, target.region.full_name)
        return (target.name, "", target.region.full_name)
    return _queryset_table(qs, headers, row)


@listing("over_capacity", gettext_lazy("超出结对上限"))
def over_capacity(user, params: Params) -> Table:
    """Helpers holding more active pairings in a programme than their rank allows ("54321")."""
    programme = programme_selectors.programme_get(scope=user.scope, pk=query_id(params, "programme") or 0)
    qs = programme_selectors.over_capacity_helpers(scope=user.scope, programme=programme)
    headers = [_("帮扶人"), _("职级"), _("工作单位"), _("在帮结对"), _("结对数上限")]
    rank = _display(Person, "rank")
    return _queryset_table(qs, headers, lambda p: (
        p.name, rank(p.rank), p.organization.name if p.organization else "", p.pairing_count, p.limit))


def _activity_state(a) -> str:
    if a.superseded:
        return _("已更正")
    if a.supersedes_id:
        return _("撤销") if a.withdrawn else _("更正")
    return ""


@listing("activities", gettext_lazy("帮扶活动记录"))
def activities(user, params: Params) -> Table:
    """The activity log of a pairing, household, person or programme (as their pages show it;
    superseded=1 keeps the corrected rows, as the pairing page does)."""
    scope = user.scope
    pairing, household, person, programme = (query_id(params, k) for k in ("pairing", "household", "person",
                                                                           "programme"))
    if pairing:
        programme_selectors.pairing_get(scope=scope, pk=pairing)
    if household:
        registry_selectors.household_get(scope=scope, pk=household)
    if person:
        registry_selectors.person_get(scope=scope, pk=person)
    if programme:
        programme_selectors.programme_get(scope=scope, pk=programme)
    qs = activity_selectors.activity_list(scope=scope, pairing=pairing, household=household, person=person,
                                          programme=programme, kind=params.get("kind", ""),
                                          include_superseded=params.get("superseded") == "1")
    qs = qs.select_related("pairing__region", "pairing__target_household__head", "pairing__target_person",
                           "pairing__target_organization", "pairing__target_village")
    headers = [_("活动日期"), _("活动类型"), _("项目"), _("帮扶方"), _("帮扶对象"), _("数量"), _("单位"), _("活动内容"),
               _("成效/解决问题"), _("地点"), _("更正"), _("更正原因"), _("佐证材料数"), _("记录人"), _("记录时间")]
    return _queryset_table(qs, headers, lambda a: (
        a.occurred_on, a.kind, a.pairing.programme.name, a.pairing.helper_name, a.pairing.target_name, a.quantity,
        a.unit, a.content, a.outcome, a.place, _activity_state(a), a.correction_reason, len(a.evidence.all()),
        str(a.recorded_by) if a.recorded_by else "", a.recorded_at))


# Compliance ---------------------------------------------------------------------------------------

COMPLIANCE_BATCH = 5000


def _compliance_line(r) -> tuple:
    p = r.pairing
    unit = p.helper_unit
    return (p.programme.name, p.helper_name, unit.name if unit else "", p.target_name, p.region.full_name,
            r.obligation.name, r.period_label, r.period_starts_on, r.period_ends_on, r.required, r.expected, r.done,
            r.shortfall, r.obligation.unit, r.status_label)


def _compliance_table(user, params: Params, view: str) -> Table:
    filters, as_of = compliance_filters(params, view=view)
    # checked now, so that an export with a filter outside the scope is refused when asked for
    scope, filters = compliance_selectors.compliance_scope(scope=user.scope, filters=filters)

    def rows():
        offset = 0
        while True:  # a batch at a time: one query plus two lookups each
            batch = compliance_selectors.compliance_rows(scope=scope, filters=filters, as_of=as_of,
                                                         limit=COMPLIANCE_BATCH, offset=offset)
            yield from map(_compliance_line, batch)
            if len(batch) < COMPLIANCE_BATCH:
                return
            offset += COMPLIANCE_BATCH

    headers = [_("项目"), _("帮扶方"), _("帮扶方单位"), _("帮扶对象"), _("所在区域"), _("要求"), _("周期"), _("开始"), _("结束"),
               _("应完成"), _("截至目前应完成"), _("已完成"), _("差额"), _("单位"), _("状态")]
    return Table(headers=[str(h) for h in headers], rows=rows,
                 count=lambda: compliance_selectors.compliance_count(scope=scope, filters=filters, as_of=as_of))


@listing("compliance", gettext_lazy("落实情况明细"))
def compliance(user, params: Params) -> Table:
    return _compliance_table(user, params, "rows")


@listing("behind", gettext_lazy("进度落后与逾期名单"))
def behind(user, params: Params) -> Table:
    return _compliance_table(user, params, "behind")


@listing("week", gettext_lazy("本周待办"))
def week(user, params: Params) -> Table:
    return _compliance_table(user, params, "week")


@listing("rollup", gettext_lazy("落实情况汇总"))
def rollup(user, params: Params) -> Table:
    """The roll-up table as on its page (by=region|organization|helper|team|programme|obligation)."""
    filters, as_of = compliance_filters(params, view="rollup")
    scope, filters = compliance_selectors.compliance_scope(scope=user.scope, filters=filters)  # refused now
    by = compliance_selectors.rollup_grouping(scope=scope, by=rollup_by(params))

    @functools.cache
    def computed() -> list[dict]:  # a few hundred groups at most: computed once, counted and written
        return compliance_selectors.compliance_rollup(scope=scope, by=by, filters=filters, as_of=as_of)

    headers = [_("名称"), _("应完成项次"), _("已完成"), _("进度正常"), _("落后"), _("逾期"), _("免除"), _("差额合计"),
               _("完成率(%)")]
    return Table(headers=[str(h) for h in headers], count=lambda: len(computed()), rows=lambda: (
        (r["name"], r["total"], r["met"] or 0, r["on_track"] or 0, r["behind"] or 0, r["overdue"] or 0,
         r["exempt"] or 0, r["shortfall"], r["rate"]) for r in computed()))


# Imports ------------------------------------------------------------------------------------------


@listing("imports", gettext_lazy("导入记录"))
def imports(user, params: Params) -> Table:
    """One's own import jobs, as the import page lists them (nobody sees another user's)."""
    from bangfu.imports.models import ImportJob
    from bangfu.imports.registers import REGISTERS

    qs = ImportJob.objects.filter(created_by=user).order_by("-created_at")
    headers = [_("文件"), _("台账"), _("上传时间"), _("状态"), _("数据行数"), _("错误数"), _("说明"), _("完成时间")]
    status = _display(ImportJob, "status")
    return _queryset_table(qs, headers, lambda j: (
        j.original_name, str(REGISTERS[j.register].title) if j.register in REGISTERS else j.register, j.created_at,
        status(j.status), j.rows, j.error_total, j.message, j.finished_at))
