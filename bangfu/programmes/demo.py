"""The seeds as programmes: the demo county's pairing schemes, with plausible activity histories.

Run by `bangfu demo` after the registry is generated (bangfu/demo/generator.py). Each scheme of
the users' plans (shared/seeds) is one Programme made through the programme services — dates,
terms, "54321" capacities, obligations, work plan — and the pairings and activities are then
written in bulk (bulk_create in batches) with every field the services would set: county_code and
region from the target, the group id of an activity, the pairing's history row.

Histories are drawn from one random.Random per seed, in a fixed order, so the same seed and the
same `today` give the same rows. Each helper gets a diligence: most do what their obligations ask,
some fall short now and then, a few are far behind — and the behind ones slacken most in the
latest weeks, so the compliance pages show met, on-track, behind and overdue helpers side by side.

Struggling students paired with a teacher get term grades (registry.TermGrade) for the term
before the pairing and every term ended since: a diligent teacher's student mostly improves, a
negligent one's mostly does not, so the pairing page's term-against-term comparison shows both.
"""

import math
import random
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.activities.models import Activity
from bangfu.compliance.models import ComplianceDone
from bangfu.compliance.summary import summary_rebuild
from bangfu.programmes import services
from bangfu.programmes.choices import Actor, Measure, PairingStatus, PartyKind, Period, Window
from bangfu.programmes.models import Obligation, Pairing, Programme, ProgrammePeriod
from bangfu.regions.models import Region
from bangfu.registry.choices import CadreRank, Health, HouseholdStatus, OrganizationKind, PersonKind, TeamRole
from bangfu.registry.models import Household, Organization, Person, Team, TeamMember, TermGrade

ADMIN = Scope(role=Role.ADMIN, prefix="")
BATCH = 2000
SEAT = "450224100"  # 长安镇, the county seat: its communities care for their elderly and disabled

# "54321": a county leader helps at most 5 households, a division-level cadre 4, a section chief 3,
# a deputy section chief 2, other cadres 1; teachers and doctors who fill the gaps take 1.
CAPACITY_54321 = {CadreRank.COUNTY_LEADER: 5, CadreRank.DIVISION: 4, CadreRank.SECTION: 3,
                  CadreRank.DEPUTY_SECTION: 2, CadreRank.STAFF: 1, "": 1}
# School pairings: supporting school → supported schools (seed 001 plan 5, seed 003 plan 3).
SCHOOL_PAIRS = {
    "长安镇中心小学": ["泗顶镇中心小学", "板榄镇中心小学", "浮石镇中心小学"],
    "融安县第二中学": ["浮石镇中学", "大良镇中学"],
    "融安县高级中学": ["大将镇中学"],
}
KINDERGARTEN_PAIRS = {"融安县幼儿园": ["浮石镇中心幼儿园"]}
# How diligent helpers are: share of helpers, chance of meeting each period's obligation.
DILIGENCE = [(0.55, 0.995), (0.25, 0.9), (0.12, 0.65), (0.08, 0.3)]

PERIOD_ORDER = [Period.WEEK, Period.WEEKS, Period.MONTH, Period.QUARTER, Period.TERM, Period.ACADEMIC_YEAR, Period.YEAR,
                Period.WINDOW]

Write = Callable[[str], None]


@dataclass
class ProgrammesSummary:
    programmes: int = 0
    pairings: int = 0
    activities: int = 0
    seconds: float = 0.0
    by_programme: list[tuple[str, int, int]] = field(default_factory=list)  # name, pairings, activities


@dataclass
class _Draft:
    """A pairing in the making and the activities drawn for it (date, kind, actor, with counterpart, quantity)."""

    pairing: Pairing
    zeal: float
    target_person: Person | None = None
    acts: list[tuple[date, str, str, bool, Decimal]] = field(default_factory=list)


def _writer(stdout) -> Write:
    if stdout is None:
        return lambda message: None
    if callable(stdout):
        return stdout
    return lambda message: stdout.write(message + "\n")


class _Builder:
    def __init__(self, *, seed: int, today: date):
        self.rng = random.Random(f"bangfu-programmes-{seed}")
        self.today = today
        self.county = Organization.objects.order_by("pk").values_list("county_code", flat=True).first() or "450224"
        self.county_region = Region.objects.get(code=self.county.ljust(12, "0"))
        year = today.year
        self.years = (year - 1, year + 1)  # multi-year programmes: last year to next year
        self.paired_from = date(year - 1, 3, 1)
        school_year = year if today.month >= 8 else year - 1  # the academic year under way
        self.terms = [  # last academic year and this one: (name, academic year, start, end)
            (f"{school_year - 1}年秋季学期", f"{school_year - 1}-{school_year}学年", date(school_year - 1, 9, 1),
             date(school_year, 1, 16)),
            (f"{school_year}年春季学期", f"{school_year - 1}-{school_year}学年", date(school_year, 2, 23),
             date(school_year, 7, 10)),
            (f"{school_year}年秋季学期", f"{school_year}-{school_year + 1}学年", date(school_year, 9, 1),
             date(school_year + 1, 1, 22)),
            (f"{school_year + 1}年春季学期", f"{school_year}-{school_year + 1}学年", date(school_year + 1, 2, 22),
             date(school_year + 1, 7, 9)),
        ]
        self.drafts: dict[int, list[_Draft]] = {}
        self.zeal: dict[tuple, float] = {}

    # Programmes through the services ------------------------------------------------------

    def programme(self, *, name: str, helper_kinds, target_kinds, school: bool = False, region: Region | None = None,
                  owner: Organization | None = None, capacity: dict | None = None, obligations=(), **data) -> Programme:
        if school:
            dates = {"period_kind": "academic_year", "starts_on": self.terms[0][2], "ends_on": self.terms[-1][3]}
        else:
            dates = {"period_kind": "multi_year", "starts_on": date(self.years[0], 1, 1),
                     "ends_on": date(self.years[1], 12, 31)}
        programme = services.programme_create(scope=ADMIN, by=None, data={
            "name": name, "region": region or self.county_region, "owner": owner, "helper_kinds": helper_kinds,
            "target_kinds": target_kinds, **dates, **data})
        if school:
            for term_name, academic_year, starts_on, ends_on in self.terms:
                services.term_add(scope=ADMIN, by=None, programme=programme, name=term_name,
                                  academic_year=academic_year, starts_on=starts_on, ends_on=ends_on)
        for rank, most in (capacity or {}).items():
            services.capacity_rule_set(scope=ADMIN, by=None, programme=programme, helper_rank=rank, max_targets=most)
        for obligation in obligations:
            services.obligation_add(scope=ADMIN, by=None, programme=programme, data=obligation)
        self.drafts[programme.pk] = []
        return programme

    # Pairings -----------------------------------------------------------------------------

    def helper_zeal(self, key) -> float:
        """One diligence per helper across programmes: a keen cadre is keen everywhere."""
        if key not in self.zeal:
            roll, acc = self.rng.random(), 0.0
            for share, zeal in DILIGENCE:
                acc += share
                if roll < acc:
                    break
            self.zeal[key] = zeal
        return self.zeal[key]

    def pair(self, programme: Programme, helper, target, starts_on: date, *, target_person: Person | None = None):
        helper_kind, target_kind = _kind(helper), _kind(target)
        region_id = target.code if target_kind == PartyKind.VILLAGE else target.region_id
        pairing = Pairing(programme=programme, region_id=region_id, county_code=region_id[:6],
                          helper_kind=helper_kind, target_kind=target_kind, starts_on=starts_on,
                          status=PairingStatus.ACTIVE)
        setattr(pairing, f"helper_{helper_kind}", helper)
        setattr(pairing, f"target_{target_kind}", target)
        draft = _Draft(pairing=pairing, zeal=self.helper_zeal((helper_kind, helper.pk)), target_person=target_person)
        self.drafts[programme.pk].append(draft)
        return draft

    # Activities ---------------------------------------------------------------------------

    def fulfil(self, programme: Programme, contents: dict[str, list[str]], quantity=None) -> None:
        """Draw each pairing's activities, obligation by obligation and period by period.

        What an earlier obligation already drew counts towards a later one (the weekly lesson of
        the mentor is one of the term's twenty), so each period gets only what is still missing."""
        # Shorter periods first: the weekly lessons drawn first are then most of the term's.
        obligations = sorted(programme.obligations.order_by("pk"), key=lambda o: PERIOD_ORDER.index(o.period))
        periods = defaultdict(list)
        for row in ProgrammePeriod.objects.filter(programme=programme, starts_on__lte=self.today).order_by("starts_on"):
            periods[row.kind].append((row.starts_on, row.ends_on))
        for draft in self.drafts[programme.pk]:
            for obligation in obligations:
                minimum = _minimum(obligation, draft)
                if minimum is None:
                    continue
                for starts_on, ends_on in periods[obligation.period_key]:
                    if obligation.window == Window.BIRTHDAY:
                        starts_on, ends_on = _birthday(draft.target_person, starts_on.year, obligation)
                    self._period(draft, obligation, minimum, starts_on, ends_on, contents, quantity)

    def _period(self, draft: _Draft, obligation: Obligation, minimum: Decimal, starts_on: date, ends_on: date,
                contents, quantity):
        pairing, rng = draft.pairing, self.rng
        first = max(starts_on, pairing.starts_on)
        last = min(ends_on, self.today)
        if first > last or (pairing.ends_on and first > pairing.ends_on):
            return
        required = float(minimum)
        if ends_on > self.today:  # under way: what is due by now, as the compliance pages count it
            share = ((self.today - starts_on).days + 1) / ((ends_on - starts_on).days + 1)
            required = math.ceil(required * share) if rng.random() < 0.8 else math.floor(required * share)
        zeal = draft.zeal
        if (self.today - ends_on).days < 45 and zeal < 0.7:
            zeal *= 0.5  # those who fall behind fall behind most in the latest weeks
        if rng.random() >= zeal:
            required = math.floor(required * rng.random())  # short this time
        elif rng.random() < 0.2:
            required += 1 if obligation.measure == Measure.COUNT else rng.randint(1, 4)  # a little more
        counterpart = obligation.counterpart_only
        have = sum(float(a[4]) if obligation.measure == Measure.QUANTITY else 1 for a in draft.acts
                   if a[1] == obligation.kind and a[2] == obligation.actor and first <= a[0] <= last
                   and (a[3] or not counterpart))
        days = (last - first).days
        while have < required:
            amount = Decimal(1)
            if obligation.measure == Measure.QUANTITY:
                amount = Decimal(quantity(rng) if quantity else rng.randint(2, 4))
            on = first + timedelta(days=rng.randint(0, days))
            with_counterpart = counterpart or rng.random() < 0.6
            draft.acts.append((on, obligation.kind, obligation.actor, with_counterpart, amount))
            have += float(amount)

    # Writing ------------------------------------------------------------------------------

    def write(self, programme: Programme, contents: dict[str, list[str]], units: dict[str, str]) -> tuple[int, int]:
        drafts = self.drafts[programme.pk]
        pairings = [d.pairing for d in drafts]
        for start in range(0, len(pairings), BATCH):
            bulk_create_with_history(pairings[start:start + BATCH], Pairing, batch_size=BATCH)
        rows, written = [], 0
        for draft in drafts:
            pairing = draft.pairing
            for on, kind, actor, with_counterpart, amount in sorted(draft.acts):
                lines = contents.get(kind) or [kind]
                rows.append(Activity(
                    pairing=pairing, county_code=pairing.county_code, region_id=pairing.region_id,
                    group=uuid.UUID(int=self.rng.getrandbits(128), version=4), kind=kind, occurred_on=on,
                    actor=actor, with_counterpart=with_counterpart, quantity=amount, unit=units.get(kind, "次"),
                    content=self.rng.choice(lines)))
                if len(rows) >= BATCH:
                    Activity.objects.bulk_create(rows, batch_size=BATCH)
                    written += len(rows)
                    rows = []
        if rows:
            Activity.objects.bulk_create(rows, batch_size=BATCH)
            written += len(rows)
        summary_rebuild(programme)  # the compliance summary, set-wise
        return len(pairings), written


def _kind(obj) -> str:
    return {Household: PartyKind.HOUSEHOLD, Person: PartyKind.PERSON, Organization: PartyKind.ORGANIZATION,
            Team: PartyKind.TEAM, Region: PartyKind.VILLAGE}[type(obj)]


def _minimum(obligation: Obligation, draft: _Draft) -> Decimal | None:
    """What the pairing owes under the obligation (by the target's subject …), None if nothing."""
    if not obligation.condition_attribute:
        return obligation.minimum
    side = "target" if obligation.condition_party != Actor.HELPER else "helper"
    party = getattr(draft.pairing, f"{side}_person", None)
    return None if party is None else obligation.minimum_for(getattr(party, obligation.condition_attribute))


def _birthday(person: Person, year: int, obligation: Obligation) -> tuple[date, date]:
    born = person.birth_date
    try:
        day = born.replace(year=year)
    except ValueError:  # 29 February
        day = date(year, 3, 1)
    # The same window the compliance query uses, kept inside the year it belongs to.
    return (max(day - timedelta(days=obligation.window_before_days), date(year, 1, 1)),
            min(day + timedelta(days=obligation.window_after_days), date(year, 12, 31)))


def _by_capacity(helpers: list[Person], capacity: dict) -> list[Person]:
    """Each helper repeated as often as their rank allows: the slots households are dealt into."""
    return [h for h in helpers for _ in range(capacity.get(h.rank or "", capacity.get("", 1)))]


# The schemes -------------------------------------------------------------------------------


def _households(b: _Builder, cadres: list[Person], teachers: list[Person], summary: ProgrammesSummary) -> None:
    """Cadres with registered poor and monitored households: monthly visits, Spring Festival greetings, 54321."""
    programme = b.programme(
        name=f"{b.years[0]}—{b.years[1]}年干部结对帮扶(54321)", helper_kinds=["person"], target_kinds=["household"],
        helper_label="帮扶责任人", target_label="贫困户/监测户", coverage_attribute="status",
        coverage_values=[HouseholdStatus.POOR, HouseholdStatus.MONITORED], capacity=CAPACITY_54321,
        description="县级领导帮扶5户、处级干部4户、科级干部3户、副科级干部2户、一般干部1户；每月至少走访1次，春节前后入户慰问。",
        obligations=[
            {"name": "每月走访帮扶户", "kind": "走访", "minimum": 1, "period": Period.MONTH, "grace_days": 5},
            {"name": "春节入户慰问", "kind": "慰问", "minimum": 1, "period": Period.WINDOW,
             "window": Window.SPRING_FESTIVAL, "window_before_days": 20, "window_after_days": 15},
        ])
    households = list(Household.objects.filter(status__in=[HouseholdStatus.POOR, HouseholdStatus.MONITORED])
                      .order_by("region_id", "number"))
    # Cadres unit by unit, so that a unit's cadres help neighbouring villages; then teachers and
    # doctors of the township fill whatever the cadres' "54321" slots cannot hold.
    slots = _by_capacity(cadres, CAPACITY_54321)
    spare = {}
    for teacher in teachers:
        spare.setdefault(teacher.region_id[:9], []).append(teacher)
    for household in households:
        if slots:
            helper = slots.pop(0)
        else:
            local = spare.get(household.region_id[:9]) or next((v for v in spare.values() if v), [])
            if not local:
                break
            helper = local.pop(0)
        since = b.paired_from
        if household.monitored_on and household.monitored_on > since:
            since = household.monitored_on + timedelta(days=b.rng.randint(5, 20))
        if since <= b.today:
            b.pair(programme, helper, household, since)
    contents = {"走访": ["入户了解家庭收入和务工情况", "了解金桔种植和管护情况，讲解产业奖补政策",
                         "了解就医报销和慢病签约情况", "核对家庭人口和收入，更新帮扶手册", "宣讲防返贫监测政策"],
                "慰问": ["春节入户慰问，送去米油和慰问金", "春节前走访慰问，了解年货准备情况"]}
    b.fulfil(programme, contents)
    _count(b, programme, contents, {}, summary)


def _teams(b: _Builder, summary: ProgrammesSummary) -> None:
    """Each unit's village work team with its first secretary: a monthly report, at least two 实事 a year."""
    programme = b.programme(
        name=f"{b.years[0]}—{b.years[1]}年驻村工作队帮扶", helper_kinds=["team"], target_kinds=["village"],
        helper_label="驻村工作队", target_label="帮扶村",
        description="第一书记每月向乡镇党委报告驻村工作；每年至少为群众办实事2件。",
        obligations=[
            {"name": "第一书记每月向乡镇报告工作", "kind": "工作汇报", "minimum": 1, "period": Period.MONTH,
             "grace_days": 7},
            {"name": "每年至少办实事2件", "kind": "办实事", "minimum": 2, "period": Period.YEAR},
        ])
    secretaries = dict(TeamMember.objects.filter(role=TeamRole.FIRST_SECRETARY).values_list("team_id", "person__name"))
    villages = {r.code: r for r in Region.objects.filter(code__in=Team.objects.values("region_id"))}
    for team in Team.objects.order_by("pk"):
        b.pair(programme, team, villages[team.region_id], max(team.started_on or b.paired_from, date(b.years[0], 1, 1)))
    b.fulfil(programme, {})
    facts = ["硬化通屯道路", "修缮村级饮水工程", "建成村级光伏电站", "协调资金修建产业路", "安装太阳能路灯",
             "建设金桔冷库", "修缮村小学围墙", "组织劳务输出专场招聘会"]
    contents = {"工作汇报": [f"第一书记{name}向乡镇党委汇报本月驻村工作" for name in secretaries.values()] or ["向乡镇汇报"],
                "办实事": facts}
    _count(b, programme, contents, {}, summary)


def _schools(b: _Builder, schools: dict[str, Organization], summary: ProgrammesSummary) -> None:
    """School-to-school and kindergarten pairing: a joint activity each month, ≥10 class-hours of
    outreach teaching and two lectures per term (seed 001 plan 5)."""
    for title, pairs, label in (("城乡学校手拉手结对", SCHOOL_PAIRS, "受援学校"),
                                ("城乡幼儿园手拉手结对", KINDERGARTEN_PAIRS, "受援幼儿园")):
        owner = schools.get(next(iter(pairs)))
        programme = b.programme(
            name=f"{b.terms[0][1][:4]}—{b.terms[-1][1][5:9]}学年{title}", helper_kinds=["organization"],
            target_kinds=["organization"], school=True, owner=owner, helper_label="支援学校", target_label=label,
            activity_kinds=["联合教研", "送教", "讲座", "听课", "评课", "示范课", "跟班学习", "捐赠"],
            obligations=[
                {"name": "每月开展一次联合活动", "kind": "联合教研", "minimum": 1, "period": Period.MONTH,
                 "grace_days": 7},
                {"name": "每学期送教不少于10课时", "kind": "送教", "measure": Measure.QUANTITY, "minimum": 10,
                 "unit": "课时", "period": Period.TERM},
                {"name": "每学期组织两次专题讲座", "kind": "讲座", "minimum": 2, "period": Period.TERM},
            ])
        for helper_name, targets in pairs.items():
            for target_name in targets:
                if helper_name in schools and target_name in schools:
                    b.pair(programme, schools[helper_name], schools[target_name], b.terms[0][2])
        b.fulfil(programme, {}, quantity=lambda rng: rng.choice([2, 2, 3, 4]))
        contents = {"联合教研": ["集体备课与同课异构", "教学常规交流与半日活动观摩", "课题研讨与学术沙龙"],
                    "送教": ["骨干教师送教下乡上示范课", "送教到校，开展复习课示范教学"],
                    "讲座": ["专题讲座：高效课堂", "专题讲座：教育科研方法", "专题讲座：幼儿一日常规"]}
        _count(b, programme, contents, {"送教": "课时"}, summary)


def _mentoring(b: _Builder, teachers: list[Person], summary: ProgrammesSummary) -> None:
    """Teacher mentoring with the obligations of seed 000's second plan."""
    programme = b.programme(
        name=f"{b.terms[0][1][:4]}—{b.terms[-1][1][5:9]}学年新教师师徒结对(以老带新)", helper_kinds=["person"],
        target_kinds=["person"], school=True, helper_label="指导教师", target_label="新教师", capacity={"": 2},
        activity_kinds=["听课", "评课", "说课", "示范课", "实践课", "汇报课", "公开课"],
        description="新教师每学期语文、数学学科听课20节以上，音、体、美等学科10节以上，其中每周至少听指导教师一节课；"
                    "每二周向指导教师上一堂实践课；指导老师每学期听课不少于8节；每学期新教师上好一节汇报课。",
        obligations=[
            {"name": "新教师每学期听课(语文、数学20节，音体美等学科10节)", "actor": Actor.TARGET, "kind": "听课",
             "minimum": 10, "unit": "节", "period": Period.TERM, "condition_party": Actor.TARGET,
             "condition_attribute": "subject", "minimum_by_value": {"语文": 20, "数学": 20}},
            {"name": "每周至少听指导教师一节课", "actor": Actor.TARGET, "kind": "听课", "minimum": 1, "unit": "节",
             "period": Period.WEEK, "counterpart_only": True},
            {"name": "每二周向指导教师上一堂实践课", "actor": Actor.TARGET, "kind": "实践课", "minimum": 1, "unit": "节",
             "period": Period.WEEKS, "period_weeks": 2, "counterpart_only": True},
            {"name": "指导教师每学期听新教师的课不少于8节", "actor": Actor.HELPER, "kind": "听课", "minimum": 8,
             "unit": "节", "period": Period.TERM},
            {"name": "新教师每学期上一节汇报课", "actor": Actor.TARGET, "kind": "汇报课", "minimum": 1, "unit": "节",
             "period": Period.TERM},
        ])
    by_school = defaultdict(list)
    for teacher in teachers:
        by_school[teacher.organization_id].append(teacher)
    newcomers = date(b.terms[0][2].year - 27, 9, 1)  # 27 or younger when the programme began
    for staff in by_school.values():
        mentees = [t for t in staff if t.birth_date and t.birth_date >= newcomers]
        mentors = sorted((t for t in staff if t.birth_date and t.birth_date.year <= b.terms[0][2].year - 38),
                         key=lambda t: (t.birth_date, t.pk))
        load = defaultdict(int)
        for mentee in mentees:
            free = [m for m in mentors if load[m.pk] < 2]
            if not free:
                break
            same = [m for m in free if m.subject == mentee.subject]
            mentor = (same or free)[0]
            load[mentor.pk] += 1
            b.pair(programme, mentor, mentee, b.terms[0][2], target_person=mentee)
    b.fulfil(programme, {})
    contents = {"听课": ["听课并交流教学设计", "听课后评课，记录优点与改进意见", "随堂听课，写听课心得"],
                "实践课": ["课前向指导教师阐述教学构思，课后听取意见", "实践课，指导教师随堂听课并点评"],
                "汇报课": ["教研组内汇报课(期末复习课)", "学期汇报课，组内评议"]}
    _count(b, programme, contents, {"听课": "节", "实践课": "节", "汇报课": "节"}, summary)


def _struggling(b: _Builder, teachers: list[Person], summary: ProgrammesSummary) -> None:
    """Teachers with struggling students (seed 004 plan 2): a talk each month, a home visit each term."""
    programme = b.programme(
        name=f"{b.terms[0][1][:4]}—{b.terms[-1][1][5:9]}学年教师结对帮扶学困生", helper_kinds=["person"],
        target_kinds=["person"], school=True, helper_label="帮扶教师", target_label="学困生", capacity={"": 2},
        coverage_attribute="struggling", coverage_values=[True],
        activity_kinds=["谈心", "入户", "电话联系", "培训"],
        obligations=[
            {"name": "每月与学困生谈心辅导", "kind": "谈心", "minimum": 1, "period": Period.MONTH, "grace_days": 5},
            {"name": "每学期家访一次", "kind": "入户", "minimum": 1, "period": Period.TERM},
        ])
    by_school = defaultdict(list)
    for teacher in teachers:
        by_school[teacher.organization_id].append(teacher)
    load = defaultdict(int)
    students = Person.objects.filter(struggling=True, organization__isnull=False).order_by("organization_id", "pk")
    for student in students:
        staff = by_school.get(student.organization_id, [])
        free = [t for t in staff if load[t.pk] < 2 and t.grade_level in ("", student.grade_level)] or \
               [t for t in staff if load[t.pk] < 2]
        if not free:
            continue
        teacher = b.rng.choice(free[:6])
        load[teacher.pk] += 1
        b.pair(programme, teacher, student, b.terms[0][2], target_person=student)
    b.fulfil(programme, {})
    contents = {"谈心": ["课后辅导并谈心，帮助制定学习计划", "谈心了解学习困难，鼓励树立信心",
                         "期末谈心：与期中相比进步明显(成绩未入库)"],
                "入户": ["家访，与家长沟通孩子的学习和生活习惯"]}
    _count(b, programme, contents, {}, summary)
    _term_grades(b, b.drafts[programme.pk])


GRADED_SUBJECTS = ["语文", "数学", "英语"]


def _term_grades(b: _Builder, drafts: list[_Draft]) -> None:
    """Scores in 语文, 数学, 英语 for the term before the pairing (the baseline) and each term ended
    by today; the student's progress follows the teacher's zeal, with noise."""
    first_year = int(b.terms[0][1][:4])
    terms = [(f"{first_year - 1}-{first_year}", 2)]  # the spring term before the first paired term
    terms += [(academic_year.replace("学年", ""), 1 if "秋" in name else 2)
              for name, academic_year, _start, end in b.terms if end < b.today]
    rows = []
    # a second demo run over the same registry (tests) leaves the grades already there alone
    graded = set(TermGrade.objects.filter(person__in=[d.target_person for d in drafts])
                 .values_list("person_id", flat=True))
    # the least diligent teacher's student does not improve, even where every teacher is keen: a small
    # county's handful of pairings shows both kinds of progress whatever the draws before
    least = min(drafts, key=lambda d: d.zeal, default=None)
    for draft in drafts:
        student = draft.target_person
        if student.pk in graded:
            continue
        base = {s: b.rng.uniform(38, 62) for s in GRADED_SUBJECTS}  # struggling: below the pass mark
        step = 3.5 if draft.zeal >= 0.85 else (1.0 if draft.zeal >= 0.6 and draft is not least else -1.5)
        for index, (academic_year, term) in enumerate(terms):
            for subject in GRADED_SUBJECTS:
                score = base[subject] + index * step + b.rng.uniform(-4, 4)
                rows.append(TermGrade(person=student, county_code=student.county_code, academic_year=academic_year,
                                      term=term, subject=subject,
                                      score=Decimal(str(round(min(100, max(0, score)) * 2) / 2))))
    for start in range(0, len(rows), BATCH):
        bulk_create_with_history(rows[start:start + BATCH], TermGrade, batch_size=BATCH)


def _orphans(b: _Builder, mothers: list[Person], summary: ProgrammesSummary) -> None:
    """Caring mothers (爱心妈妈) for every orphan: monthly contact; visits at Spring Festival,
    Children's Day, the birthday and in each school holiday."""
    holidays = []
    for year in range(b.years[0], b.years[1] + 1):
        holidays.append((f"{year}年寒假探望", date(year, 1, 17), date(year, 2, 21)))
        holidays.append((f"{year}年暑假探望", date(year, 7, 11), date(year, 8, 31)))
    programme = b.programme(
        name=f"{b.years[0]}—{b.years[1]}年爱心妈妈结对关爱孤儿", helper_kinds=["person"], target_kinds=["person"],
        helper_label="爱心妈妈", target_label="孤儿", coverage_attribute="orphan", coverage_values=[True],
        capacity={"": 3}, description="孤儿结对率100%；每月联系一次，春节、六一、生日和每个寒暑假上门探望。",
        obligations=[
            {"name": "每月联系一次", "kind": "电话联系", "minimum": 1, "period": Period.MONTH, "grace_days": 5},
            {"name": "春节探望", "kind": "慰问", "minimum": 1, "period": Period.WINDOW,
             "window": Window.SPRING_FESTIVAL, "window_before_days": 15, "window_after_days": 15},
            {"name": "六一儿童节探望", "kind": "慰问", "minimum": 1, "period": Period.WINDOW,
             "window": Window.CHILDRENS_DAY, "window_before_days": 7, "window_after_days": 3},
            {"name": "生日探望", "kind": "走访", "minimum": 1, "period": Period.WINDOW, "window": Window.BIRTHDAY,
             "window_before_days": 3, "window_after_days": 3},
            *[{"name": name, "kind": "走访", "minimum": 1, "period": Period.WINDOW, "window": Window.EXPLICIT,
               "window_starts_on": starts_on, "window_ends_on": ends_on} for name, starts_on, ends_on in holidays],
        ])
    orphans = list(Person.objects.filter(orphan=True).order_by("household_id", "pk"))
    # Siblings share a mother; a mother takes at most three children, from homes near each other.
    homes = defaultdict(list)
    for orphan in orphans:
        homes[orphan.household_id].append(orphan)
    load = defaultdict(int)
    pool = list(mothers)
    for children in homes.values():
        mother = next((m for m in pool if load[m.pk] + len(children) <= 3), None)
        if mother is None:
            mother = min(pool, key=lambda m: (load[m.pk], m.pk))
        for child in children:
            if load[mother.pk] >= 3:
                mother = min(pool, key=lambda m: (load[m.pk], m.pk))
            load[mother.pk] += 1
            b.pair(programme, mother, child, b.paired_from, target_person=child)
        if load[mother.pk] >= 3:
            pool.remove(mother)
    b.fulfil(programme, {})
    contents = {"电话联系": ["电话询问学习和身体情况", "视频通话，了解在校情况"],
                "慰问": ["春节探望，送去新衣和学习用品", "六一儿童节陪孩子过节，送去书包文具"],
                "走访": ["生日当天上门陪孩子过生日", "假期上门探望，辅导作业", "假期带孩子参观县图书馆"]}
    _count(b, programme, contents, {}, summary)


def _community(b: _Builder, helpers: list[Person], summary: ProgrammesSummary) -> None:
    """The county seat's communities: one-to-one care for elderly living alone and disabled residents."""
    seat = Region.objects.get(code=SEAT.ljust(12, "0"))
    programme = b.programme(
        name=f"{seat.name}独居老人和残疾人一对一关爱", helper_kinds=["person"], target_kinds=["person"], region=seat,
        helper_label="关爱人", target_label="独居老人/残疾人", coverage_attribute="lives_alone", coverage_values=[True],
        capacity={"": 3}, description="巩固所有独居老人一对一结对关爱；了解残疾人需求，帮助解决实际困难。",
        obligations=[
            {"name": "每月上门探望", "kind": "走访", "minimum": 1, "period": Period.MONTH, "grace_days": 3},
            {"name": "每月电话问候", "kind": "电话联系", "minimum": 1, "period": Period.MONTH},
            {"name": "春节慰问", "kind": "慰问", "minimum": 1, "period": Period.WINDOW,
             "window": Window.SPRING_FESTIVAL, "window_before_days": 15, "window_after_days": 10},
        ])
    # Everyone living alone in the township; disabled residents in its communities (社区).
    communities = Q(region__name__contains="社区") | Q(region__name__contains="居委会")
    targets = list(Person.objects.filter(region__code__startswith=SEAT, household__isnull=False)
                   .filter(Q(lives_alone=True) | (Q(health=Health.DISABLED) & communities))
                   .order_by("region_id", "pk"))
    slots = [h for h in helpers for _ in range(3)]
    for target in targets:
        if not slots:
            break
        b.pair(programme, slots.pop(0), target, b.paired_from, target_person=target)
    b.fulfil(programme, {})
    contents = {"走访": ["上门打扫卫生，检查用电用气安全", "陪同就医取药", "上门理发、送餐", "了解残疾人辅具需求"],
                "电话联系": ["电话问候身体状况", "电话提醒按时服药"],
                "慰问": ["春节慰问，送去米油和慰问金"]}
    _count(b, programme, contents, {}, summary)


def _count(b: _Builder, programme: Programme, contents, units, summary: ProgrammesSummary) -> None:
    pairings, activities = b.write(programme, contents, units)
    summary.programmes += 1
    summary.pairings += pairings
    summary.activities += activities
    summary.by_programme.append((programme.name, pairings, activities))


def programmes_demo(*, seed: int, today: date | None = None, stdout=None) -> ProgrammesSummary:
    """Make the seeds' programmes over the demo registry, with pairings and activity histories up to
    `today` (default: the local date); all of it in one transaction."""
    started = time.monotonic()
    today = today or timezone.localdate()
    write = _writer(stdout)
    summary = ProgrammesSummary()
    with transaction.atomic():
        b = _Builder(seed=seed, today=today)
        cadres = list(Person.objects.filter(kind=PersonKind.CADRE).select_related("organization")
                      .order_by("organization_id", "pk"))
        teachers = list(Person.objects.filter(kind=PersonKind.TEACHER).order_by("organization_id", "pk"))
        schools = {o.name: o for o in Organization.objects.filter(
            kind__in=[OrganizationKind.SCHOOL, OrganizationKind.KINDERGARTEN])}
        write("生成帮扶项目、结对和帮扶活动…")
        _households(b, cadres, [t for t in teachers if not t.position.endswith(("校长", "园长"))], summary)
        _teams(b, summary)
        _schools(b, schools, summary)
        _mentoring(b, teachers, summary)
        _struggling(b, teachers, summary)
        women = [c for c in cadres if c.gender == "female"] + [t for t in teachers if t.gender == "female"]
        _orphans(b, women, summary)
        staff = [c for c in cadres if c.rank == CadreRank.STAFF]
        _community(b, list(reversed(staff)), summary)
        for name, pairings, activities in summary.by_programme:
            write(f"  {name}：结对 {pairings} 个，活动 {activities} 条")
    summary.seconds = time.monotonic() - started
    write(f"帮扶项目 {summary.programmes} 个，结对 {summary.pairings} 个，帮扶活动 {summary.activities} 条，"
          f"用时 {summary.seconds:.1f} 秒")
    return summary


def programmes_demo_clear() -> None:
    """Remove every programme, pairing and activity (tests reload the demo into one database)."""
    from bangfu.activities.models import Evidence
    from bangfu.programmes.models import Exemption, Phase, Task, Term
    from bangfu.programmes.models import CapacityRule

    for model in (ComplianceDone, Evidence, Activity, Exemption, TermGrade, TermGrade.history.model):
        model.objects.all()._raw_delete(model.objects.db)
    Pairing.objects.update(previous=None)
    for model in (Pairing, Pairing.history.model, ProgrammePeriod, Obligation, Obligation.history.model, Task,
                  Task.history.model, Phase, Term, CapacityRule, Programme, Programme.history.model):
        model.objects.all()._raw_delete(model.objects.db)
