"""Documents about a household: the 帮扶手册 (booklet) and the 明白卡/联系卡 posted in the home.

Data comes from the registry, programme and activity selectors with the caller's scope, the same
ones the household page, its activity log and the pairing pages use. `as_of` cuts the timeline
(pairings started, activities done, income years up to that day); registry fields are the
household's record as it stands, and the document's data hash shows whether they have changed.
"""

from collections import Counter
from datetime import date, datetime, time, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity
from bangfu.activities.selectors import current_activities
from bangfu.documents import defaults as d
from bangfu.documents.kinds import DOC_FIELDS, DocumentKind, Subject, kind_register
from bangfu.errors import NotFound, ValidationError
from bangfu.programmes.selectors import pairing_list, pairings_in_scope
from bangfu.regions.models import Region, prefix_of
from bangfu.registry.models import Household, Person, TeamMember
from bangfu.registry.selectors import household_get, household_list

L = gettext_lazy
MONEY_FIELDS = ("wage_income", "production_income", "property_income", "transfer_income", "income_per_capita")


def money(value) -> str:
    return f"{value:.2f}"


def number(value) -> str:
    """A quantity without trailing zeros: 7.0 → 7, 2.5 → 2.5."""
    return f"{value.normalize():f}" if hasattr(value, "normalize") else f"{value:g}"


def day(value) -> str:
    return value.strftime("%Y-%m-%d") if value else ""


def household_subject(household: Household) -> Subject:
    head = household.head.name if household.head_id else household.number
    return Subject(key=str(household.pk), obj=household, county_code=household.county_code, name=f"{head}户")


def find_household(scope: Scope, key: str) -> Subject:
    if not str(key).isdigit():
        raise ValidationError(_("户编号应为数字：%(k)s") % {"k": key}, field="subject")
    return household_subject(household_get(scope=scope, pk=int(key)))


def end_of(as_of: date) -> datetime:
    return timezone.make_aware(datetime.combine(as_of + timedelta(days=1), time.min))


def _household_fields(household: Household, personal) -> dict:
    assistance = [label for flag, label in ((household.dibao, _("低保")), (household.wubao, _("五保")),
                                            (household.tekun, _("特困供养"))) if flag]
    return {
        "number": household.number, "head": household.head.name if household.head_id else "",
        "region": household.region.full_name, "village": household.region.name, "address": household.address,
        "status": household.get_status_display(), "size": household.size,
        "identified_on": day(household.identified_on), "exited_on": day(household.exited_on),
        "monitoring": household.get_monitoring_category_display() if household.monitoring_category else "",
        "main_cause": household.get_main_cause_display() if household.main_cause else "",
        "other_causes": "、".join(household.other_cause_labels), "assistance": "、".join(assistance),
        "phone": personal.value(household, "phone"), "bank_name": household.bank_name,
        "bank_account": personal.value(household, "bank_account"),
        **{name: money(getattr(household, name)) for name in MONEY_FIELDS},
        "income_total": money(household.income_total),
    }


def _helpers(pairings, personal) -> list[dict]:
    rows, seen = [], set()
    for p in pairings:
        if p.status != "active" or not p.helper_person_id or p.helper_person_id in seen:
            continue
        seen.add(p.helper_person_id)
        person = p.helper_person
        rows.append({"name": person.name, "organization": person.organization.name if person.organization_id else "",
                     "position": person.position, "phone": personal.value(person, "phone"),
                     "programme": p.programme.name, "role": p.helper_role or p.programme.helper_label,
                     "since": day(p.starts_on)})
    return rows


def _income_by_year(household: Household, rows: list[dict], as_of: date) -> list[dict]:
    """The record's income as it stood at the end of each year (its change history), up to as_of."""
    by_year = {}
    for row in rows:
        by_year[timezone.localtime(row["history_date"]).year] = row
    if not by_year:  # loaded in bulk without history: the record as it stands
        by_year[min(as_of.year, timezone.localtime(household.updated_at).year)] = {
            name: getattr(household, name) for name in MONEY_FIELDS}
    return [{"year": str(year), **{name: money(row[name]) for name in MONEY_FIELDS},
             "total": money(sum(row[name] for name in MONEY_FIELDS[:4]))} for year, row in sorted(by_year.items())]


def _members(people: list[Person], personal) -> list[dict]:
    # head first, then by birth date (the household page's order; undated members last on every database)
    people = sorted(people, key=lambda m: (m.relation != "head", m.birth_date is None, m.birth_date or date.min, m.pk))
    return [{"name": m.name, "relation": m.get_relation_display(), "gender": m.get_gender_display(),
             "birth_date": day(m.birth_date), "id_number": personal.value(m, "id_number"),
             "education": m.get_education_display() if m.education else "",
             "schooling": m.get_schooling_display(), "health": m.get_health_display(),
             "disability": (f"{m.get_disability_category_display()}{m.get_disability_grade_display() or ''}"
                            if m.disability_category else ""),
             "work_ability": m.get_work_ability_display() if m.work_ability else ""} for m in people]


def _grouped(rows, key) -> dict:
    groups: dict = {}
    for row in rows:
        groups.setdefault(key(row), []).append(row)
    return groups


def booklet_gather_many(*, scope: Scope, subjects: list[Subject], as_of: date, params: dict, personal) -> dict:
    """The booklets' data for several households (already found in the scope) in five queries whatever
    their number: members, pairings, activities and income history read set-wise."""
    households = {int(s.key): s.obj for s in subjects}
    ids = list(households)
    members = _grouped(Person.objects.filter(household_id__in=ids), lambda m: m.household_id)
    pairings = _grouped(pairing_list(scope=scope).filter(target_household_id__in=ids, starts_on__lte=as_of)
                        .order_by("starts_on", "pk"), lambda p: p.target_household_id)
    activities = _grouped(
        current_activities(Activity.objects.filter(
            pairing__in=pairings_in_scope(scope).filter(target_household_id__in=ids).values("pk"),
            occurred_on__lte=as_of))
        .select_related("pairing__helper_person", "pairing__helper_organization", "pairing__helper_team")
        .order_by("occurred_on", "pk"), lambda a: a.pairing.target_household_id)
    history = _grouped(Household.history.filter(id__in=ids, history_date__lt=end_of(as_of))
                       .order_by("history_date", "history_id").values("id", "history_date", *MONEY_FIELDS),
                       lambda row: row["id"])
    return {str(pk): _booklet(household, members.get(pk, []), pairings.get(pk, []), activities.get(pk, []),
                              history.get(pk, []), as_of, personal) for pk, household in households.items()}


def booklet_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    return booklet_gather_many(scope=scope, subjects=[subject], as_of=as_of, params=params, personal=personal)[subject.key]


def _booklet(household: Household, people, pairings, activities, history, as_of: date, personal) -> dict:
    counts = Counter(a.kind for a in activities)
    securities = [(L("不愁吃"), household.food_secure), (L("不愁穿"), household.clothing_secure),
                  (L("义务教育有保障"), household.education_secure), (L("基本医疗有保障"), household.medical_secure),
                  (L("住房安全有保障"), household.housing_secure), (L("饮水安全有保障"), household.water_secure)]
    return {
        "doc": {"title": _("帮扶手册"), "as_of": day(as_of)},
        "household": _household_fields(household, personal),
        "securities": [{"name": str(name), "ok": _("是") if ok else _("否")} for name, ok in securities],
        "members": _members(people, personal),
        "helpers": _helpers(pairings, personal),
        "pairings": [{"programme": p.programme.name, "helper": p.helper_name, "role": p.helper_role,
                      "since": day(p.starts_on), "until": day(p.ends_on) if p.ends_on and p.ends_on <= as_of else "",
                      "status": p.get_status_display() if not p.ends_on or p.ends_on <= as_of else _("帮扶中")}
                     for p in pairings],
        "activities": [{"date": day(a.occurred_on), "kind": a.kind, "helper": a.pairing.helper_name,
                        "content": a.content, "outcome": a.outcome, "quantity": f"{number(a.quantity)}{a.unit}"}
                       for a in activities],
        "activity_counts": [{"kind": kind, "count": n} for kind, n in sorted(counts.items())],
        "activity_total": len(activities),
        "income": _income_by_year(household, history, as_of),
    }


BOOKLET_FIELDS = {
    "doc": {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]},
    "household": {"number": L("户编号"), "head": L("户主"), "region": L("所在区域全称"), "village": L("村"),
                  "address": L("住址"), "status": L("户状态"), "size": L("家庭人口"), "identified_on": L("识别日期"),
                  "exited_on": L("脱贫日期"), "monitoring": L("监测对象类别"), "main_cause": L("主要致贫原因"),
                  "other_causes": L("其他致贫原因"), "assistance": L("救助"), "phone": L("联系电话"),
                  "bank_name": L("开户银行"), "bank_account": L("银行账号"), "wage_income": L("工资性收入"),
                  "production_income": L("生产经营性收入"), "property_income": L("财产性收入"),
                  "transfer_income": L("转移性收入"), "income_per_capita": L("人均纯收入"),
                  "income_total": L("家庭纯收入")},
    "securities": [{"name": L("保障项目"), "ok": L("是否达标")}],
    "members": [{"name": L("姓名"), "relation": L("与户主关系"), "gender": L("性别"), "birth_date": L("出生日期"),
                 "id_number": L("身份证号"), "education": L("文化程度"), "schooling": L("在校情况"),
                 "health": L("健康状况"), "disability": L("残疾"), "work_ability": L("劳动能力")}],
    "helpers": [{"name": L("帮扶责任人"), "organization": L("单位"), "position": L("职务"), "phone": L("联系电话"),
                 "programme": L("帮扶项目"), "role": L("帮扶角色"), "since": L("结对日期")}],
    "pairings": [{"programme": L("帮扶项目"), "helper": L("帮扶方"), "role": L("帮扶角色"), "since": L("结对日期"),
                  "until": L("结束日期"), "status": L("状态")}],
    "activities": [{"date": L("日期"), "kind": L("类型"), "helper": L("帮扶方"), "content": L("内容"),
                    "outcome": L("成效"), "quantity": L("数量")}],
    "activity_counts": [{"kind": L("活动类型"), "count": L("次数")}],
    "activity_total": L("帮扶活动总次数"),
    "income": [{"year": L("年度"), "wage_income": L("工资性收入"), "production_income": L("生产经营性收入"),
                "property_income": L("财产性收入"), "transfer_income": L("转移性收入"),
                "income_per_capita": L("人均纯收入"), "total": L("家庭纯收入")}],
}


def booklet_template():
    doc = d.new_document(official=False, body_size=12)
    d.title(doc, "{{ doc.title }}")
    d.subtitle(doc, "{{ household.region }}　户编号：{{ household.number }}")
    d.para(doc, "数据截止：", "{{ doc.as_of }}", indent=False, align="right")
    d.heading(doc, "一、家庭基本情况")
    d.pairs_table(doc, [("户主", "{{ household.head }}"), ("家庭人口", "{{ household.size }}人"),
                        ("户状态", "{{ household.status }}"), ("识别日期", "{{ household.identified_on }}"),
                        ("脱贫日期", "{{ household.exited_on }}"), ("监测类别", "{{ household.monitoring }}"),
                        ("主要致贫原因", "{{ household.main_cause }}"), ("其他致贫原因", "{{ household.other_causes }}"),
                        ("救助", "{{ household.assistance }}"), ("联系电话", "{{ household.phone }}"),
                        ("住址", "{{ household.address }}"), ("开户银行", "{{ household.bank_name }}")])
    d.heading(doc, "二、家庭成员")
    d.table(doc, ["姓名", "关系", "性别", "出生日期", "身份证号", "文化程度", "健康状况", "劳动能力"],
            ["{{ m.name }}", "{{ m.relation }}", "{{ m.gender }}", "{{ m.birth_date }}", "{{ m.id_number }}",
             "{{ m.education }}", "{{ m.health }}{{ m.disability }}", "{{ m.work_ability }}"], loop="m in members")
    d.heading(doc, "三、两不愁三保障")
    d.table(doc, ["保障项目", "是否达标"], ["{{ s.name }}", "{{ s.ok }}"], loop="s in securities")
    d.heading(doc, "四、帮扶责任人")
    d.table(doc, ["姓名", "单位", "职务", "联系电话", "帮扶项目", "结对日期"],
            ["{{ h.name }}", "{{ h.organization }}", "{{ h.position }}", "{{ h.phone }}", "{{ h.programme }}",
             "{{ h.since }}"], loop="h in helpers")
    d.heading(doc, "五、结对情况")
    d.table(doc, ["帮扶项目", "帮扶方", "结对日期", "结束日期", "状态"],
            ["{{ p.programme }}", "{{ p.helper }}", "{{ p.since }}", "{{ p.until }}", "{{ p.status }}"],
            loop="p in pairings")
    d.heading(doc, "六、收入情况(元)")
    d.table(doc, ["年度", "工资性", "生产经营性", "财产性", "转移性", "家庭纯收入", "人均纯收入"],
            ["{{ r.year }}", "{{ r.wage_income }}", "{{ r.production_income }}", "{{ r.property_income }}",
             "{{ r.transfer_income }}", "{{ r.total }}", "{{ r.income_per_capita }}"], loop="r in income")
    d.heading(doc, "七、帮扶活动记录")
    d.para(doc, "共", "{{ activity_total }}", "次。", indent=False)
    d.table(doc, ["日期", "类型", "帮扶方", "内容", "成效"],
            ["{{ a.date }}", "{{ a.kind }}", "{{ a.helper }}", "{{ a.content }}", "{{ a.outcome }}"],
            loop="a in activities")
    d.heading(doc, "八、签字")
    d.signatures(doc, ["户主", "帮扶责任人", "村(驻村工作队)", "乡镇(街道)"])
    return doc


kind_register(DocumentKind(
    key="booklet", title=L("帮扶手册"), subject_label=L("户"), find=find_household, fields=BOOKLET_FIELDS,
    gather=booklet_gather, default_template=booklet_template, html="documents/print/booklet.html",
    full_fields=frozenset({"id_number", "phone", "bank_account"}), batch=True, gather_many=booklet_gather_many))


# 明白卡 / 联系卡 ------------------------------------------------------------------------------

CARD_LIMIT = 500  # households in one document of cards (a village has a few hundred)


def find_households(scope: Scope, key: str) -> Subject:
    """One household (its id) or every household of a village or township (its 12-digit code)."""
    key = str(key)
    if len(key) == 12 and key.isdigit():
        region = Region.objects.filter(code=key).first()
        if region is None or not scope.contains_code(key) or not scope.rules.see_households:
            raise NotFound(_("区域不存在或不在您的管辖范围内"), field="subject")
        households = household_list(scope=scope).filter(region__code__startswith=prefix_of(key))
        if households.count() > CARD_LIMIT:
            raise ValidationError(_("一次最多打印 %(n)s 户的明白卡，请选择村") % {"n": CARD_LIMIT}, field="subject")
        return Subject(key=key, obj=list(households), county_code=key[:6], name=region.name)
    found = find_household(scope, key)
    return Subject(key=found.key, obj=[found.obj], county_code=found.county_code, name=found.name)


def card_gather(*, scope: Scope, subject: Subject, as_of: date, params: dict, personal) -> dict:
    households = subject.obj
    ids = [h.pk for h in households]
    pairings = {}
    for p in (pairing_list(scope=scope).filter(target_household_id__in=ids, starts_on__lte=as_of, status="active")
              .order_by("starts_on", "pk")):
        pairings.setdefault(p.target_household_id, []).append(p)
    villages = {h.region_id for h in households}
    secretaries = {}
    for m in (TeamMember.objects.filter(team__region_id__in=villages, role__in=["first_secretary", "leader"],
                                        ended_on__isnull=True).select_related("person", "team")
              .order_by("team__region_id", "role", "pk")):
        secretaries.setdefault(m.team.region_id, {"name": m.person.name, "role": m.get_role_display(),
                                                  "phone": personal.value(m.person, "phone")})
    nobody = {"name": "", "role": "", "phone": ""}
    cards = []
    for h in households:
        helpers = _helpers(pairings.get(h.pk, []), personal)
        first = helpers[0] if helpers else {"name": "", "organization": "", "position": "", "phone": "",
                                            "programme": "", "role": "", "since": ""}
        cards.append({"number": h.number, "head": h.head.name if h.head_id else "", "village": h.region.name,
                      "region": h.region.full_name, "status": h.get_status_display(),
                      "main_cause": h.get_main_cause_display() if h.main_cause else "",
                      "helper": first, "helper_count": len(helpers), "team": secretaries.get(h.region_id, nobody)})
    return {"doc": {"title": _("帮扶明白卡"), "as_of": day(as_of)}, "cards": cards,
            "rows": [cards[i:i + 2] for i in range(0, len(cards), 2)]}


_CARD = {"number": L("户编号"), "head": L("户主"), "village": L("村"), "region": L("所在区域全称"),
         "status": L("户状态"), "main_cause": L("主要致贫原因"),
         "helper": {"name": L("帮扶责任人"), "organization": L("单位"), "position": L("职务"), "phone": L("联系电话"),
                    "programme": L("帮扶项目"), "role": L("帮扶角色"), "since": L("结对日期")},
         "helper_count": L("帮扶责任人人数"),
         "team": {"name": L("第一书记/队长"), "role": L("职责"), "phone": L("联系电话")}}
CARD_FIELDS = {"doc": {"title": DOC_FIELDS["title"], "as_of": DOC_FIELDS["as_of"]}, "cards": [_CARD], "rows": [[_CARD]]}


def card_template():
    """Two cards a row, two rows a page: four cards to an A4 sheet, cut along the borders."""
    doc = d.new_document(official=False, body_size=11)
    grid = doc.add_table(rows=3, cols=2)
    grid.style = "Table Grid"
    d._cell(grid.rows[0].cells[0], "{%tr for row in rows %}", 11)
    d._cell(grid.rows[2].cells[0], "{%tr endfor %}", 11)
    d.row_height(grid.rows[1], 125)
    for i, cell in enumerate(grid.rows[1].cells):
        c = f"row[{i}]"
        lines = ["{% if " + c + " is defined %}", "{{ doc.title }}", "户主：{{ " + c + ".head }}　户编号：{{ " + c + ".number }}",
                 "村：{{ " + c + ".village }}　状态：{{ " + c + ".status }}",
                 "帮扶责任人：{{ " + c + ".helper.name }}", "单位职务：{{ " + c + ".helper.organization }} {{ " + c + ".helper.position }}",
                 "联系电话：{{ " + c + ".helper.phone }}", "{{ " + c + ".team.role }}：{{ " + c + ".team.name }}　{{ " + c + ".team.phone }}",
                 "{% endif %}"]
        cell.paragraphs[0].add_run("{%p if " + c + " is defined %}")
        for line in lines[1:-1]:
            d._cell_line(cell, line)
        d._cell_line(cell, "{%p endif %}")
    return doc


kind_register(DocumentKind(
    key="card", title=L("明白卡/联系卡"), subject_label=L("户或村"), find=find_households, fields=CARD_FIELDS,
    gather=card_gather, default_template=card_template, html="documents/print/card.html",
    full_fields=frozenset({"phone"}), batch=False))
