"""The demo county: 融安县 (450224) as its offices would hold it, generated from a seed.

Everything drawn comes from one random.Random(seed) and one Faker("zh_CN") seeded alike,
in a fixed order, and ages are taken at a fixed date (AS_OF), so the same seed gives the
same households, names and ID numbers on any day and any database.

Proportions follow the users' own plans (shared/seeds): seed 001's village profiles
(大东村: 435 households, 51 registered poor, 23 低保; 平远村: 1,105 households, 105 registered
with 248 people, 86 低保) and seed 004's 金桔 scheme for 融安's production income.
After 2020 most registered households are exited, some are monitored, a few are poor.

Rows are written with bulk_create in batches, not through the per-record services (which
validate and query per row), but every derived field the services compute is computed here
the same way — county_code, initials, id_hash, gender and birth date from the ID number —
and size and income per capita by the registry's own household_totals_refresh. Each record
gets its creation entry in the history, with no acting user.
"""

import math
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone
from django.db.models import Count, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from faker import Faker

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.errors import ValidationError
from bangfu.privacy import crypto, id_numbers
from bangfu.programmes.choices import PairingStatus
from bangfu.programmes.demo import programmes_demo
from bangfu.quality.demo import quality_demo
from bangfu.subsidies.demo import money_demo
from bangfu.rules.demo import rules_demo
from bangfu.regions.models import Level, Region
from bangfu.regions.services import initials_of, person_initials, regions_load_base, regions_load_villages
from bangfu.registry.choices import (
    CadreRank,
    DisabilityCategory,
    Education,
    Health,
    HouseholdStatus,
    MonitoringCategory,
    OrganizationKind,
    PersonKind,
    PovertyCause,
    Relation,
    Schooling,
    TeamKind,
    TeamRole,
    WorkAbility,
)
from bangfu.registry.models import Household, Organization, Person, Team, TeamMember
from bangfu.registry.services import household_totals_refresh

COUNTY = "450224"
COUNTY_CODE = "450224000000"
SEAT = "450224100"  # 长安镇, the county seat
AS_OF = date(2026, 9, 1)  # ages, grades and dates are as of the start of the 2026 school year
HOUSEHOLDS = 6000
BATCH = 1000
DEMO_PASSWORD = "bangfu-demo-2026"
# The demo's assumed yearly monitoring line (元 per person); the rules app holds the real,
# dated lines. Exited households are drawn mostly above it, poor ones below.
MONITORING_LINE = 7300

Progress = Callable[[str], None]


# Proportions -------------------------------------------------------------------------------

STATUS_WEIGHTS = {HouseholdStatus.EXITED: 88, HouseholdStatus.MONITORED: 9.5, HouseholdStatus.POOR: 2.5}
MONITORING_WEIGHTS = {MonitoringCategory.UNSTABLE: 50, MonitoringCategory.MARGINAL: 35, MonitoringCategory.SUDDEN: 15}
# Illness is the largest cause of registered poverty, then disability, skills, labour, capital, schooling.
CAUSE_WEIGHTS = {
    PovertyCause.ILLNESS: 37, PovertyCause.DISABILITY: 16, PovertyCause.SKILLS: 13, PovertyCause.LABOUR: 11,
    PovertyCause.CAPITAL: 9, PovertyCause.SCHOOLING: 7, PovertyCause.DISASTER: 2.5, PovertyCause.MOTIVATION: 2,
    PovertyCause.LAND: 1.2, PovertyCause.WATER: 0.7, PovertyCause.TRANSPORT: 0.6,
}
SIZE_WEIGHTS = {1: 10, 2: 19, 3: 24, 4: 23, 5: 14, 6: 7, 7: 3}
LABOUR_SIZE_WEIGHTS = {1: 30, 2: 35, 3: 20, 4: 10, 5: 5}
ORPHAN_HOME_SHARE = 0.0045  # grandparents raising orphaned grandchildren: a few dozen children
# However small the scale, the first household of this many of the largest villages raises orphans, so
# that every seed scheme (爱心妈妈 too) has pairings whatever the random draws give.
ORPHAN_HOMES_AT_LEAST = 3

# 融安: Han majority; Zhuang, Miao, Yao and Dong more in the mountain townships.
ETHNICITY_PLAIN = {"汉族": 70, "壮族": 20, "苗族": 4, "瑶族": 3, "侗族": 2, "仫佬族": 1}
ETHNICITY_MOUNTAIN = {"汉族": 48, "壮族": 30, "苗族": 11, "瑶族": 7, "侗族": 3, "仫佬族": 1}
MOUNTAIN_TOWNSHIPS = {"450224102", "450224200", "450224201", "450224202", "450224203", "450224204", "450224205"}
SURNAMES = {
    "汉族": "黄李陈刘张王杨梁何罗吴谢周曾唐廖钟邓蒋赖潘胡朱徐",
    "壮族": "韦覃莫黄蓝陆廖梁卢农罗潘韦覃莫",
    "苗族": "石龙杨吴潘贾梁韦王石龙",
    "瑶族": "盘赵邓黄李蓝冯唐盘赵",
    "侗族": "吴杨石龙潘粟欧吴杨",
    "仫佬族": "罗银吴谢罗",
}
GIVEN_PREFIX = {  # a generation character, by birth cohort
    ("male", 0): "德世永国家光文志明金福",
    ("female", 0): "秀桂玉凤美金月春菊",
    ("male", 1): "建海伟小志春庆军林",
    ("female", 1): "丽小春艳海晓美红",
    ("male", 2): "子宇浩俊嘉梓家思",
    ("female", 2): "雨欣梓思佳诗语可",
}
DISABILITY_WEIGHTS = {
    DisabilityCategory.PHYSICAL: 45, DisabilityCategory.HEARING: 18, DisabilityCategory.VISUAL: 14,
    DisabilityCategory.INTELLECTUAL: 8, DisabilityCategory.MENTAL: 8, DisabilityCategory.SPEECH: 2,
    DisabilityCategory.MULTIPLE: 5,
}
DISABILITY_GRADE_WEIGHTS = {1: 12, 2: 25, 3: 28, 4: 35}
BANKS = {"广西融安农村商业银行": 70, "融安县农村信用合作联社": 30}
TUN_FIRST = "那板古六岜弄坡东西上下大小新老高塘江龙石马良泗"
TUN_SECOND = "坪头岭寨冲洞岩湾田口桥边塘坳甲莫勒洪垌"
STREETS = ["融江路", "桔香路", "长安大道", "和平街", "新兴街", "环城路", "民主街", "建设路"]

# Government units at the county seat, with their size; ranks and positions are drawn per unit.
UNITS = [
    ("融安县人民政府办公室", OrganizationKind.GOVERNMENT, 40, "主任"),
    ("融安县乡村振兴局", OrganizationKind.GOVERNMENT, 25, "局长"),
    ("融安县教育局", OrganizationKind.GOVERNMENT, 30, "局长"),
    ("融安县民政局", OrganizationKind.GOVERNMENT, 20, "局长"),
    ("融安县财政局", OrganizationKind.GOVERNMENT, 28, "局长"),
    ("融安县农业农村局", OrganizationKind.GOVERNMENT, 35, "局长"),
    ("融安县卫生健康局", OrganizationKind.GOVERNMENT, 22, "局长"),
    ("融安县人力资源和社会保障局", OrganizationKind.GOVERNMENT, 22, "局长"),
    ("融安县住房和城乡建设局", OrganizationKind.GOVERNMENT, 22, "局长"),
    ("融安县交通运输局", OrganizationKind.GOVERNMENT, 18, "局长"),
    ("融安县水利局", OrganizationKind.GOVERNMENT, 18, "局长"),
    ("融安县林业局", OrganizationKind.GOVERNMENT, 20, "局长"),
    ("融安县文化广电体育和旅游局", OrganizationKind.GOVERNMENT, 18, "局长"),
    ("融安县人民医院", OrganizationKind.GOVERNMENT, 40, "院长"),
    ("融安县供电公司", OrganizationKind.COMPANY, 20, "经理"),
    ("广西融安农村商业银行", OrganizationKind.COMPANY, 22, "行长"),
]
COUNTY_LEADERS = ["县长", "常务副县长", "副县长", "副县长", "副县长", "副县长"]
DIVISION_POSITIONS = ["一级调研员", "二级调研员"]
SECTION_POSITIONS = ["党组书记", "一级主任科员", "二级主任科员"]
DEPUTY_POSITIONS = ["副{head}", "三级主任科员", "四级主任科员"]
STAFF_POSITIONS = ["一级科员", "二级科员", "科员", "办事员", "股长"]
HOSPITAL_STAFF = ["主治医师", "医师", "护师", "护士", "药师", "检验师"]
COMPANY_STAFF = ["客户经理", "综合柜员", "技术员", "营业员", "会计"]

# Schools: (name, kind, region — township prefix or the county for county schools,
# stage it serves, teachers, classes per grade).
SCHOOLS = [
    ("融安县高级中学", OrganizationKind.SCHOOL, COUNTY, "senior", 55, 12),
    ("融安县第二中学", OrganizationKind.SCHOOL, COUNTY, "junior", 40, 10),
    ("融安县幼儿园", OrganizationKind.KINDERGARTEN, COUNTY, "preschool", 15, 4),
    ("长安镇中心小学", OrganizationKind.SCHOOL, "450224100", "primary", 35, 6),
    ("浮石镇中心小学", OrganizationKind.SCHOOL, "450224101", "primary", 22, 3),
    ("浮石镇中学", OrganizationKind.SCHOOL, "450224101", "junior", 25, 4),
    ("浮石镇中心幼儿园", OrganizationKind.KINDERGARTEN, "450224101", "preschool", 10, 2),
    ("泗顶镇中心小学", OrganizationKind.SCHOOL, "450224102", "primary", 15, 2),
    ("板榄镇中心小学", OrganizationKind.SCHOOL, "450224103", "primary", 18, 3),
    ("大将镇中心小学", OrganizationKind.SCHOOL, "450224104", "primary", 20, 3),
    ("大将镇中学", OrganizationKind.SCHOOL, "450224104", "junior", 25, 4),
    ("大良镇中学", OrganizationKind.SCHOOL, "450224105", "junior", 22, 3),
]
# 融安县第二中学 takes the county seat's junior pupils; 融安县幼儿园 its preschoolers.
SCHOOL_CATCHMENT = {"融安县第二中学": SEAT, "融安县幼儿园": SEAT}
SUBJECTS = {
    "senior": ["语文", "数学", "英语", "物理", "化学", "生物", "政治", "历史", "地理", "体育", "音乐", "美术", "信息技术"],
    "junior": ["语文", "数学", "英语", "物理", "化学", "生物", "道德与法治", "历史", "地理", "体育", "音乐", "美术"],
    "primary": ["语文", "数学", "英语", "科学", "道德与法治", "音乐", "体育", "美术", "信息技术"],
    "preschool": ["学前教育"],
}
GRADES = {
    "preschool": {3: "小班", 4: "中班", 5: "大班"},
    "primary": {6: "一年级", 7: "二年级", 8: "三年级", 9: "四年级", 10: "五年级", 11: "六年级"},
    "junior": {12: "初一", 13: "初二", 14: "初三"},
    "senior": {15: "高一", 16: "高二", 17: "高三"},
}
DEMO_USERNAMES = ["admin", "county", "changan", "fushi", "village", "helper", "school", "inspector", "caiwu"]


# Drawing -----------------------------------------------------------------------------------


@dataclass
class _Draw:
    """The seeded sources and what has been handed out (ID numbers, initials cache)."""

    rng: random.Random
    fake: Faker
    ids: set[str] = field(default_factory=set)
    initials: dict[str, str] = field(default_factory=dict)

    def pick(self, weights: dict):
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def surname(self, ethnicity: str, avoid: str = "") -> str:
        for _attempt in range(4):
            if ethnicity == "汉族" and self.chance(0.4):
                name = self.fake.last_name()
            else:
                name = self.rng.choice(SURNAMES.get(ethnicity, SURNAMES["汉族"]))
            if name != avoid:
                return name
        return name

    def given_name(self, gender: str, born: date) -> str:
        name = self.fake.first_name_male() if gender == "male" else self.fake.first_name_female()
        if len(name) == 1 and self.chance(0.55):
            cohort = 0 if born.year < 1970 else 1 if born.year < 1995 else 2
            name = self.rng.choice(GIVEN_PREFIX[(gender, cohort)]) + name
        return name

    def born(self, age: int) -> date:
        anniversary = AS_OF.replace(year=AS_OF.year - age)
        return anniversary - timedelta(days=self.rng.randrange(365))

    def id_number(self, born: date, gender: str) -> str:
        """A valid, unused number: 融安's area code, the birth date and a free sequence."""
        for _attempt in range(50):
            value = id_numbers.make(COUNTY, born, self.rng.randrange(500), gender)
            if value not in self.ids:
                self.ids.add(value)
                return value
        raise ValidationError(_("无法为出生日期 %(d)s 分配不重复的身份证号") % {"d": born})

    def person_initials(self, name: str) -> str:
        if name not in self.initials:
            self.initials[name] = person_initials(name)
        return self.initials[name]

    def phone(self) -> str:
        return self.fake.phone_number()

    def person(self, *, name: str, age: int, gender: str, ethnicity: str, region_id: str, **fields) -> Person:
        """A Person with the fields the registry services derive (ID hash, initials, county code)."""
        born = self.born(age)
        number = self.id_number(born, gender)
        return Person(
            name=name, initials=self.person_initials(name), id_number=number, id_hash=crypto.keyed_hash(number),
            gender=gender, birth_date=born, ethnicity=ethnicity, region_id=region_id, county_code=region_id[:6],
            **fields,
        )


# Places ------------------------------------------------------------------------------------


def regions_ensure(progress: Progress) -> None:
    """The demo county's codes and villages, loaded when missing (the base file ships with Bangfu)."""
    if not Region.objects.filter(code=COUNTY_CODE).exists():
        progress(_("载入全国区划代码(省至乡镇)…"))
        regions_load_base()
    if not Region.objects.filter(prefix__startswith=COUNTY, level=Level.VILLAGE).exists():
        progress(_("载入融安县的村(社区)…"))
        regions_load_villages(county=COUNTY)


def _is_community(region: Region) -> bool:
    return "社区" in region.name or "居委会" in region.name


def _village_quotas(draw: _Draw, villages: list[Region], total: int) -> dict[str, int]:
    """Registered households per village: uneven, 15 to 120 in a village, fewer in communities
    (a handful in the county seat's), summing to `total`."""
    base: dict[str, float] = {}
    for village in villages:
        if _is_community(village):
            base[village.code] = draw.rng.randint(3, 12) if village.code.startswith(SEAT) else draw.rng.randint(8, 25)
        else:
            base[village.code] = math.exp(draw.rng.gauss(math.log(40), 0.55))
    communities = {v.code for v in villages if _is_community(v)}
    fixed = sum(base[c] for c in communities)
    for _round in range(8):  # scale villages towards 6,000, keeping each within 15–120
        rural = sum(v for c, v in base.items() if c not in communities)
        factor = (HOUSEHOLDS - fixed) / rural
        for code in base:
            if code not in communities:
                base[code] = min(120.0, max(15.0, base[code] * factor))
    scale = total / sum(base.values())
    wanted = {code: value * scale for code, value in base.items()}
    quotas = {code: int(value) for code, value in wanted.items()}
    short = total - sum(quotas.values())
    for code in sorted(wanted, key=lambda c: (quotas[c] - wanted[c], c))[:short]:
        quotas[code] += 1
    return quotas


def _tun_names(draw: _Draw, village: Region) -> list[str]:
    """The hamlets (屯) of a village, or the streets of a community, for addresses."""
    if _is_community(village):
        return draw.rng.sample(STREETS, 3)
    names = {draw.rng.choice(TUN_FIRST) + draw.rng.choice(TUN_SECOND) + "屯" for _ in range(draw.rng.randint(4, 10))}
    return sorted(names)


# Organizations, cadres, teachers, teams ----------------------------------------------------


@dataclass
class _Staff:
    organizations: list[Organization]
    units: list[Organization]
    schools: dict[str, Organization]  # name → school
    school_for: dict[tuple[str, str], Organization]  # (township prefix, stage) → school
    classes: dict[str, int]  # school name → classes per grade
    persons: list[Person]
    cadres_by_unit: dict[str, list[Person]]
    headteachers: dict[str, Person]


def _ethnicity(draw: _Draw, township: str) -> str:
    return draw.pick(ETHNICITY_MOUNTAIN if township in MOUNTAIN_TOWNSHIPS else ETHNICITY_PLAIN)


def _adult(draw: _Draw, *, age: int, gender: str, region_id: str, township: str, **fields) -> Person:
    ethnicity = _ethnicity(draw, township)
    born_guess = AS_OF.replace(year=AS_OF.year - age)
    name = draw.surname(ethnicity) + draw.given_name(gender, born_guess)
    return draw.person(name=name, age=age, gender=gender, ethnicity=ethnicity, region_id=region_id,
                       phone=draw.phone(), **fields)


def _organization(draw: _Draw, name: str, kind: str, region_id: str, address: str = "") -> Organization:
    return Organization(name=name, kind=kind, region_id=region_id, county_code=region_id[:6], address=address,
                        initials=initials_of(name))


def _staff_build(draw: _Draw, villages: list[Region]) -> _Staff:
    seat_communities = [v for v in villages if v.code.startswith(SEAT) and _is_community(v)]
    units, schools = [], {}
    for i, (name, kind, _size, _head) in enumerate(UNITS):
        community = seat_communities[i % len(seat_communities)]
        address = f"长安镇{draw.rng.choice(STREETS)}{draw.rng.randint(1, 300)}号"
        unit = _organization(draw, name, kind, community.code, address)
        units.append(unit)
    school_for, classes = {}, {}
    for name, kind, place, stage, _teachers, per_grade in SCHOOLS:
        region_id = COUNTY_CODE if place == COUNTY else place.ljust(12, "0")
        township = SCHOOL_CATCHMENT.get(name, place)
        school = _organization(draw, name, kind, region_id, f"{draw.rng.choice(STREETS)}{draw.rng.randint(1, 200)}号")
        schools[name] = school
        classes[name] = per_grade
        if township != COUNTY:
            school_for[(township, stage)] = school
        else:
            school_for[("*", stage)] = school
    organizations = units + list(schools.values())

    persons: list[Person] = []
    cadres_by_unit: dict[str, list[Person]] = {}
    divisions = 10
    for unit, (name, kind, size, head) in zip(units, UNITS):
        staff = []
        # The county's leaders sit in the government office, ahead of its own staff.
        leaders = COUNTY_LEADERS if name == "融安县人民政府办公室" else []
        size -= len(leaders)
        section = max(2, round(size * 0.15))
        deputy = max(2, round(size * 0.2))
        for position in leaders:
            staff.append(_adult(draw, age=draw.rng.randint(45, 57), gender="male" if draw.chance(0.8) else "female",
                                region_id=unit.region_id, township=SEAT, kind=PersonKind.CADRE, organization=unit,
                                rank=CadreRank.COUNTY_LEADER, position=position, education=Education.BACHELOR,
                                work_ability=WorkAbility.ABLE, address=unit.address))
        for n in range(size):
            if n == 0:
                rank, position, age = CadreRank.SECTION, head, draw.rng.randint(42, 56)
            elif n == 1 and divisions and not leaders:
                divisions -= 1
                rank, position, age = CadreRank.DIVISION, draw.rng.choice(DIVISION_POSITIONS), draw.rng.randint(50, 59)
            elif n < section + 1:
                rank, position, age = CadreRank.SECTION, draw.rng.choice(SECTION_POSITIONS), draw.rng.randint(38, 58)
            elif n < section + deputy + 1:
                pos = draw.rng.choice(DEPUTY_POSITIONS).format(head=head)
                rank, position, age = CadreRank.DEPUTY_SECTION, pos, draw.rng.randint(32, 56)
            else:
                pool = (HOSPITAL_STAFF if "医院" in name else COMPANY_STAFF if kind == OrganizationKind.COMPANY
                        else STAFF_POSITIONS)
                rank, position, age = CadreRank.STAFF, draw.rng.choice(pool), draw.rng.randint(23, 58)
            gender = "male" if draw.chance(0.62 if rank == CadreRank.STAFF else 0.8) else "female"
            cadre = _adult(draw, age=age, gender=gender, region_id=unit.region_id, township=SEAT,
                           kind=PersonKind.CADRE, organization=unit, rank=rank, position=position,
                           education=draw.pick({Education.BACHELOR: 60, Education.COLLEGE: 35, Education.SENIOR: 5}),
                           work_ability=WorkAbility.ABLE, address=unit.address)
            staff.append(cadre)
        cadres_by_unit[name] = staff
        persons.extend(staff)

    headteachers = {}
    for name, kind, place, stage, teachers, per_grade in SCHOOLS:
        school = schools[name]
        grades = list(GRADES[stage].values())
        head = "园长" if kind == OrganizationKind.KINDERGARTEN else "校长"
        for n in range(teachers):
            if n == 0:
                position, age = head, draw.rng.randint(45, 57)
            elif n <= (2 if teachers > 20 else 1):
                position, age = f"副{head}", draw.rng.randint(38, 55)
            elif n == 3 and kind == OrganizationKind.SCHOOL:
                position, age = "教导主任", draw.rng.randint(35, 52)
            else:
                position, age = ("班主任" if draw.chance(0.45) else "教师"), draw.rng.randint(23, 58)
            gender = "female" if draw.chance(0.9 if stage in ("preschool", "primary") else 0.55) else "male"
            teacher = _adult(draw, age=age, gender=gender, region_id=school.region_id,
                             township=place if place != COUNTY else SEAT, kind=PersonKind.TEACHER,
                             organization=school, position=position, subject=draw.rng.choice(SUBJECTS[stage]),
                             education=draw.pick({Education.BACHELOR: 70, Education.COLLEGE: 28, Education.VOCATIONAL: 2}),
                             work_ability=WorkAbility.ABLE)
            if position in ("班主任", "教师"):
                teacher.grade_level = draw.rng.choice(grades)
                teacher.class_name = f"{draw.rng.randint(1, per_grade)}班"
            if n == 0:
                headteachers[name] = teacher
            persons.append(teacher)
    return _Staff(organizations=organizations, units=units, schools=schools, school_for=school_for, classes=classes,
                  persons=persons, cadres_by_unit=cadres_by_unit, headteachers=headteachers)


def _village_short(village: Region) -> str:
    return village.name.removesuffix("居委会").removesuffix("委会")


def _teams_build(draw: _Draw, staff: _Staff, team_villages: list[Region]):
    """One work team per chosen village, sent by a unit: a leader, a first secretary, members."""
    teams, members, committees = [], [], []
    senders = [u for u in staff.units if u.name != "融安县人民政府办公室"]
    for unit, village in zip(senders, team_villages):
        short = _village_short(village)
        started = date(2025, 3, 1) + timedelta(days=draw.rng.randrange(90))
        team = Team(name=f"{unit.name.removeprefix('融安县')}驻{short}工作队", kind=TeamKind.VILLAGE_WORK_TEAM,
                    organization=unit, region_id=village.code, county_code=COUNTY, started_on=started)
        teams.append(team)
        cadres = staff.cadres_by_unit[unit.name]
        senior = [c for c in cadres if c.rank in (CadreRank.SECTION, CadreRank.DEPUTY_SECTION)
                  and c.position not in ("局长", "院长", "经理", "行长", "主任")]
        juniors = [c for c in cadres if c.rank == CadreRank.STAFF]
        leader, secretary = draw.rng.sample(senior, 2)
        chosen = [(leader, TeamRole.LEADER), (secretary, TeamRole.FIRST_SECRETARY)]
        chosen += [(p, TeamRole.MEMBER) for p in draw.rng.sample(juniors, draw.rng.randint(1, 3))]
        for person, role in chosen:
            members.append(TeamMember(team=team, person=person, role=role, county_code=COUNTY, started_on=started))
        name = short.removesuffix("村") + "村村民委员会"
        committees.append(_organization(draw, name, OrganizationKind.VILLAGE_COMMITTEE, village.code,
                                        f"{_village_short(village)}村部"))
    return teams, members, committees


# Households --------------------------------------------------------------------------------


@dataclass
class _Member:
    relation: str
    age: int
    gender: str
    surname: str = ""
    ethnicity: str = "汉族"
    orphan: bool = False


def _other(gender: str) -> str:
    return "female" if gender == "male" else "male"


def _compose(draw: _Draw, *, size: int, cause: str, orphan_home: bool, ethnicity: str) -> list[_Member]:
    """Who lives in the household: head, spouse, parents, children (married or not), grandchildren."""
    rng = draw.rng
    if orphan_home:
        head = _Member(Relation.HEAD, rng.randint(58, 78), "male" if draw.chance(0.7) else "female")
    elif size == 1:
        head = _Member(Relation.HEAD, rng.randint(60, 88) if draw.chance(0.8) else rng.randint(35, 59),
                       "male" if draw.chance(0.7) else "female")
    else:
        if cause == PovertyCause.LABOUR:
            age = int(min(90, max(45, rng.gauss(66, 9))))
        elif cause == PovertyCause.SCHOOLING:
            age = rng.randint(40, 56)
        else:
            age = int(min(88, max(26, rng.gauss(54, 12))))
        head = _Member(Relation.HEAD, age, "male" if draw.chance(0.86) else "female")
    head.ethnicity = ethnicity
    head.surname = draw.surname(ethnicity)
    members = [head]

    def add(relation, age, gender, surname=None, eth=None, orphan=False):
        member = _Member(relation, max(0, min(100, age)), gender, surname or "", eth or ethnicity, orphan)
        if not member.surname:
            member.surname = draw.surname(member.ethnicity, avoid=head.surname)
        members.append(member)
        return member

    spouse = None
    if size >= 2 and draw.chance(0.88 if head.gender == "male" else 0.15):
        spouse_eth = ethnicity if draw.chance(0.8) else _ethnicity(draw, "")
        gap = rng.randint(0, 6) if head.gender == "male" else -rng.randint(0, 6)
        spouse = add(Relation.SPOUSE, max(20, head.age - gap), _other(head.gender), eth=spouse_eth)
    father = head if head.gender == "male" else spouse if spouse is not None else head
    mother_age = spouse.age if spouse is not None and spouse.gender == "female" else head.age
    child_eth = ethnicity
    if spouse is not None and ethnicity == "汉族" and spouse.ethnicity != "汉族" and draw.chance(0.7):
        child_eth = spouse.ethnicity  # a minority parent's nationality is usually registered for the child
    slots = size - len(members)

    if orphan_home:
        age = rng.randint(3, 16)
        for _n in range(slots):
            add(Relation.GRANDCHILD, age, "male" if draw.chance(0.52) else "female", father.surname, child_eth, True)
            age = max(0, age - rng.randint(1, 4))
        return members

    if slots and head.age <= 58 and draw.chance(0.35):
        parent_gender = "female" if draw.chance(0.6) else "male"
        add(Relation.PARENT, min(95, head.age + rng.randint(23, 32)), parent_gender,
            head.surname if parent_gender == "male" and head.gender == "male" else None)
        slots -= 1
        if slots >= 2 and draw.chance(0.3):
            other = _other(parent_gender)
            add(Relation.PARENT, min(95, head.age + rng.randint(23, 34)), other,
                head.surname if other == "male" and head.gender == "male" else None)
            slots -= 1
    if not slots:
        return members

    if head.age >= 50 and (slots >= 3 or (slots == 2 and draw.chance(0.5))):
        child_gender = "male" if draw.chance(0.85) else "female"
        child_age = max(22, mother_age - rng.randint(21, 30))
        child = add(Relation.CHILD, child_age, child_gender, father.surname, child_eth)
        in_law = add(Relation.CHILD_IN_LAW, max(20, child_age + rng.randint(-4, 3)), _other(child_gender))
        family_surname = child.surname if child_gender == "male" else in_law.surname
        if child_gender == "female" and draw.chance(0.5):
            family_surname = child.surname  # a son-in-law living in: children often take the mother's name
        age = max(0, child_age - rng.randint(21, 30))
        for _n in range(slots - 2):
            add(Relation.GRANDCHILD, age, "male" if draw.chance(0.52) else "female", family_surname, child_eth)
            age = max(0, age - rng.randint(1, 4))
        return members

    if cause == PovertyCause.SCHOOLING:
        age = min(rng.randint(15, 21), mother_age - 18)
    else:
        age = mother_age - rng.randint(20, 32)
    for _n in range(slots):
        add(Relation.CHILD, max(0, age), "male" if draw.chance(0.52) else "female", father.surname, child_eth)
        age -= rng.randint(1, 5)
    return members


def _education(draw: _Draw, age: int) -> str:
    if age < 6:
        return Education.PRESCHOOL
    if age >= 70:
        weights = {Education.ILLITERATE: 35, Education.PRIMARY: 50, Education.JUNIOR: 15}
    elif age >= 50:
        weights = {Education.ILLITERATE: 10, Education.PRIMARY: 45, Education.JUNIOR: 38, Education.SENIOR: 6,
                   Education.VOCATIONAL: 1}
    elif age >= 30:
        weights = {Education.PRIMARY: 18, Education.JUNIOR: 55, Education.SENIOR: 12, Education.VOCATIONAL: 10,
                   Education.COLLEGE: 4, Education.BACHELOR: 1}
    else:
        weights = {Education.JUNIOR: 35, Education.SENIOR: 20, Education.VOCATIONAL: 22, Education.COLLEGE: 15,
                   Education.BACHELOR: 8}
    return draw.pick(weights)


def _schooling(draw: _Draw, age: int, cause: str, status: str) -> tuple[str, str]:
    """(schooling, stage): children 6–18 are in school; a few 18–22 in college."""
    if age < 3:
        return Schooling.NONE, ""
    if age <= 5:
        return (Schooling.PRESCHOOL, "preschool") if draw.chance(0.75) else (Schooling.NONE, "")
    if age <= 14:
        if status != HouseholdStatus.EXITED and draw.chance(0.004):
            return Schooling.DROPOUT, ""
        return (Schooling.PRIMARY, "primary") if age <= 11 else (Schooling.JUNIOR, "junior")
    if age <= 17:
        return (Schooling.SENIOR, "senior") if draw.chance(0.62) else (Schooling.VOCATIONAL, "vocational")
    if age <= 22 and draw.chance(0.7 if cause == PovertyCause.SCHOOLING else 0.25):
        return (Schooling.UNIVERSITY if draw.chance(0.4) else Schooling.COLLEGE), "college"
    return Schooling.NONE, ""


def _health(draw: _Draw, age: int) -> str:
    if draw.chance(0.015 if age < 40 else 0.05 if age < 60 else 0.08):
        return Health.DISABLED
    if draw.chance(0.01 if age < 50 else 0.04):
        return Health.SERIOUS
    if draw.chance(0.03 if age < 40 else 0.12 if age < 60 else 0.30):
        return Health.CHRONIC
    return Health.HEALTHY


def _disable(draw: _Draw, person: Person) -> None:
    person.health = Health.DISABLED
    person.disability_category = draw.pick(DISABILITY_WEIGHTS)
    person.disability_grade = draw.pick(DISABILITY_GRADE_WEIGHTS)


def _work_ability(draw: _Draw, person: Person, age: int) -> str:
    if age < 16 or person.schooling not in (Schooling.NONE, Schooling.DROPOUT):
        return WorkAbility.NONE
    if person.health == Health.SERIOUS or (person.disability_grade or 5) <= 2:
        return WorkAbility.UNABLE
    if person.health in (Health.CHRONIC, Health.DISABLED):
        return WorkAbility.WEAK
    if age >= 70:
        return WorkAbility.WEAK if draw.chance(0.3) else WorkAbility.NONE
    if age >= 60:
        return draw.pick({WorkAbility.ABLE: 40, WorkAbility.WEAK: 45, WorkAbility.NONE: 15})
    return WorkAbility.ABLE if draw.chance(0.92) else WorkAbility.WEAK


def _status(draw: _Draw) -> tuple[str, str]:
    status = draw.pick(STATUS_WEIGHTS)
    category = draw.pick(MONITORING_WEIGHTS) if status == HouseholdStatus.MONITORED else ""
    return status, category


def _dates(draw: _Draw, status: str, category: str) -> dict:
    rng = draw.rng
    identified = date(2014, 10, 1) + timedelta(days=rng.randrange(4 * 365))
    dates = {"identified_on": identified, "exited_on": None, "monitored_on": None}
    if status == HouseholdStatus.EXITED or category == MonitoringCategory.UNSTABLE:
        year = max(identified.year + 1, draw.pick({2015: 8, 2016: 18, 2017: 22, 2018: 24, 2019: 20, 2020: 8}))
        dates["exited_on"] = date(min(year, 2020), 11, 1) + timedelta(days=rng.randrange(50))
    if status == HouseholdStatus.MONITORED:
        monitored = date(2021, 3, 1) + timedelta(days=rng.randrange((AS_OF - date(2021, 3, 1)).days))
        dates["monitored_on"] = monitored
        if category != MonitoringCategory.UNSTABLE:
            dates["identified_on"] = monitored  # never registered as poor; included when monitoring began
    return dates


def _per_capita(draw: _Draw, status: str, category: str) -> float:
    rng = draw.rng
    if status == HouseholdStatus.POOR:
        return min(math.exp(rng.gauss(math.log(5200), 0.2)), MONITORING_LINE - rng.randint(200, 900))
    if category == MonitoringCategory.UNSTABLE:
        return math.exp(rng.gauss(math.log(8200), 0.2))
    if category == MonitoringCategory.MARGINAL:
        return math.exp(rng.gauss(math.log(7600), 0.2))
    if category == MonitoringCategory.SUDDEN:
        return math.exp(rng.gauss(math.log(6000), 0.35))
    return math.exp(rng.gauss(math.log(12800), 0.3))


def _incomes(draw: _Draw, household: Household, people: list[Person], per_capita: float) -> None:
    """Split the year's income into wages, production (金桔, rice, livestock), property, transfers."""
    rng = draw.rng
    total = per_capita * len(people)
    able = sum(p.work_ability == WorkAbility.ABLE for p in people)
    weak = sum(p.work_ability == WorkAbility.WEAK for p in people)
    if able:
        wage, production = rng.uniform(0.45, 0.72), rng.uniform(0.12, 0.35)
    elif weak:
        wage, production = rng.uniform(0.0, 0.2), rng.uniform(0.25, 0.5)
    else:
        wage, production = 0.0, rng.uniform(0.0, 0.15)
    prop = rng.uniform(0.0, 0.04)  # land rent, co-operative dividends
    transfer_floor = 0.3 if (household.dibao or household.wubao or not able) else 0.05
    spare = 1 - transfer_floor
    if wage + production + prop > spare:
        k = spare / (wage + production + prop)
        wage, production, prop = wage * k, production * k, prop * k
    transfer = 1 - wage - production - prop
    household.wage_income = Decimal(round(total * wage))
    household.production_income = Decimal(round(total * production))
    household.property_income = Decimal(round(total * prop))
    household.transfer_income = Decimal(round(total * transfer))


def _household_build(draw: _Draw, staff: _Staff, village: Region, number: str, tuns: list[str],
                     used_addresses: set[str], *, orphan_home: bool = False) -> tuple[Household, list[Person]]:
    rng = draw.rng
    township = village.code[:9]
    status, category = _status(draw)
    cause = draw.pick(CAUSE_WEIGHTS)
    orphan_home = draw.chance(ORPHAN_HOME_SHARE) or orphan_home
    if orphan_home:
        size, cause = rng.randint(2, 4), PovertyCause.LABOUR
    else:
        size = draw.pick(LABOUR_SIZE_WEIGHTS if cause == PovertyCause.LABOUR else SIZE_WEIGHTS)
    ethnicity = _ethnicity(draw, township)
    specs = _compose(draw, size=size, cause=cause, orphan_home=orphan_home, ethnicity=ethnicity)

    for _attempt in range(20):
        address = f"{rng.choice(tuns)}{rng.randint(1, 150)}号"
        if address not in used_addresses:
            break
    used_addresses.add(address)
    household = Household(number=number, region_id=village.code, county_code=COUNTY, address=address,
                          status=status, monitoring_category=category, main_cause=cause, **_dates(draw, status, category))
    others = [c for c in CAUSE_WEIGHTS if c != cause]
    extra = rng.choices(others, weights=[CAUSE_WEIGHTS[c] for c in others], k=draw.pick({0: 50, 1: 35, 2: 15}))
    household.other_causes = ",".join(dict.fromkeys(extra))

    people = []
    for spec in specs:
        born_guess = AS_OF.replace(year=AS_OF.year - spec.age)
        name = spec.surname + draw.given_name(spec.gender, born_guess)
        person = draw.person(name=name, age=spec.age, gender=spec.gender, ethnicity=spec.ethnicity,
                             region_id=village.code, address=address, relation=spec.relation, orphan=spec.orphan)
        person.household = household
        schooling, stage = _schooling(draw, spec.age, cause, status)
        person.schooling = schooling
        person.education = _education(draw, spec.age)
        if schooling in (Schooling.PRIMARY, Schooling.JUNIOR, Schooling.SENIOR):
            person.education = {Schooling.PRIMARY: Education.PRIMARY, Schooling.JUNIOR: Education.JUNIOR,
                                Schooling.SENIOR: Education.SENIOR}[schooling]
        elif schooling == Schooling.VOCATIONAL:
            person.education = Education.VOCATIONAL
        elif schooling in (Schooling.COLLEGE, Schooling.UNIVERSITY):
            person.education = Education.SENIOR
        person.health = _health(draw, spec.age)
        if person.health == Health.DISABLED:
            _disable(draw, person)
        if stage in GRADES:
            school = staff.school_for.get((township, stage)) or staff.school_for.get(("*", stage))
            if school is not None:
                person.organization = school
                person.grade_level = GRADES[stage].get(spec.age, "")
                person.class_name = f"{rng.randint(1, staff.classes[school.name])}班"
        if schooling not in (Schooling.NONE, Schooling.PRESCHOOL, Schooling.DROPOUT) and spec.age <= 22:
            person.kind = PersonKind.STUDENT
            person.struggling = person.organization is not None and draw.chance(0.12)
        elif spec.age < 6:
            person.kind = PersonKind.CHILD
        if spec.age < 16 and not spec.orphan and spec.relation in (Relation.CHILD, Relation.GRANDCHILD):
            person.left_behind = draw.chance(0.12)  # parents working away (外出务工)
        if size == 1 and spec.age >= 60:
            person.lives_alone = True
            person.kind = PersonKind.ELDERLY
        people.append(person)

    _cause_fits(draw, cause, people)
    for person, spec in zip(people, specs):
        person.work_ability = _work_ability(draw, person, spec.age)
        if spec.relation == Relation.HEAD or (18 <= spec.age <= 65 and draw.chance(0.4)):
            person.phone = draw.phone()

    head = people[0]
    household.phone = head.phone
    household.bank_name = draw.pick(BANKS)
    household.bank_account = "62" + "".join(str(rng.randrange(10)) for _ in range(17))
    _assistance(draw, household, people, cause, size)
    _incomes(draw, household, people, _per_capita(draw, status, category))
    _indicators(draw, household, people)
    return household, people


def _cause_fits(draw: _Draw, cause: str, people: list[Person]) -> None:
    """The main cause shows in the members: someone ill for 因病, someone disabled for 因残."""
    adults = [p for p in people if p.relation in (Relation.HEAD, Relation.SPOUSE, Relation.PARENT)] or people
    if cause == PovertyCause.ILLNESS and not any(p.health in (Health.CHRONIC, Health.SERIOUS) for p in people):
        candidates = [p for p in adults if p.health == Health.HEALTHY] or adults
        draw.rng.choice(candidates).health = Health.SERIOUS if draw.chance(0.45) else Health.CHRONIC
    if cause == PovertyCause.DISABILITY and not any(p.disability_category for p in people):
        _disable(draw, draw.rng.choice(adults if draw.chance(0.8) else people))
    for person in people:
        if person.health != Health.DISABLED:
            person.disability_category, person.disability_grade = "", None


def _assistance(draw: _Draw, household: Household, people: list[Person], cause: str, size: int) -> None:
    """低保, 五保 and 特困: single elderly without support, then the ill, disabled and those without labour."""
    base = {HouseholdStatus.EXITED: 0.18, HouseholdStatus.MONITORED: 0.35, HouseholdStatus.POOR: 0.45}[household.status]
    if cause in (PovertyCause.ILLNESS, PovertyCause.DISABILITY, PovertyCause.LABOUR):
        base *= 1.6
    alone_elderly = size == 1 and people[0].lives_alone
    household.wubao = alone_elderly and draw.chance(0.35)
    household.tekun = household.wubao or (alone_elderly and draw.chance(0.05)) or draw.chance(0.005)
    household.dibao = not household.wubao and draw.chance(base)


def _indicators(draw: _Draw, household: Household, people: list[Person]) -> None:
    """两不愁三保障: secure almost everywhere after 2020; gaps mostly among monitored and poor households."""
    risk = {HouseholdStatus.EXITED: 0.0, HouseholdStatus.MONITORED: 1.0, HouseholdStatus.POOR: 3.0}[household.status]
    household.education_secure = not any(p.schooling == Schooling.DROPOUT for p in people)
    household.medical_secure = not draw.chance(0.015 * risk)
    household.housing_secure = not draw.chance(0.025 * risk)
    household.water_secure = not draw.chance(0.015 * risk)
    household.food_secure = not draw.chance(0.003 * risk)
    household.clothing_secure = not draw.chance(0.002 * risk)


def _households_flush(households: list[Household], members: list[list[Person]], when) -> None:
    """Write one batch: households, their members, heads, totals, then the history of all of it."""
    Household.objects.bulk_create(households, batch_size=BATCH)
    persons = [p for group in members for p in group]
    Person.objects.bulk_create(persons, batch_size=BATCH)
    heads = Person.objects.filter(household=OuterRef("pk"), relation=Relation.HEAD).values("pk")[:1]
    Household.objects.filter(pk__in=[h.pk for h in households]).update(head=Subquery(heads))
    household_totals_refresh(households=households)
    # Written last, so that a household's creation entry shows it as created: head, size, income.
    _history_create(Person, [p.pk for p in persons], when)
    _history_create(Household, [h.pk for h in households], when)


def _created(objs: list, when) -> list:
    """bulk_create plus the records' creation entries in their history."""
    model = type(objs[0])
    model.objects.bulk_create(objs, batch_size=BATCH)
    _history_create(model, [o.pk for o in objs], when)
    return objs


def _history_create(model, pks: list[int], when) -> None:
    """The creation entries (+, no acting user) of freshly written rows, copied from the rows by
    INSERT … SELECT as the imports do (bangfu/imports/upsert.py): the same entries simple-history's
    bulk_history_create writes, without building a historical object per row in Python — which
    took a third of the demo's time."""
    historical = model.history.model
    quote = connection.ops.quote_name
    own = ", ".join(quote(f.column) for f in historical._meta.concrete_fields if not f.name.startswith("history_"))
    with connection.cursor() as cursor:
        for start in range(0, len(pks), 500):
            chunk = pks[start:start + 500]
            cursor.execute(
                f"INSERT INTO {quote(historical._meta.db_table)} ({own}, history_date, history_type, "
                f"history_user_id, history_change_reason) SELECT {own}, %s, '+', NULL, NULL "
                f"FROM {quote(model._meta.db_table)} WHERE id IN ({', '.join(['%s'] * len(chunk))})",
                [connection.ops.adapt_datetimefield_value(when), *chunk])


# Accounts ----------------------------------------------------------------------------------


def _accounts_create(draw: _Draw, staff: _Staff, teams: list[Team], members: list[TeamMember]) -> list[User]:
    """The demo sign-ins, one per role; an existing username is left as it is."""
    seat_team = next(t for t in teams if t.region_id.startswith(SEAT))
    secretary = next(m.person for m in members if m.team is seat_team and m.role == TeamRole.FIRST_SECRETARY)
    helper = next(m.person for m in members if m.team is seat_team and m.role == TeamRole.MEMBER)
    school = staff.schools["长安镇中心小学"]

    def person_name() -> str:
        ethnicity = draw.pick(ETHNICITY_PLAIN)
        return draw.surname(ethnicity) + draw.given_name("female" if draw.chance(0.5) else "male", date(1985, 1, 1))

    specs = [
        ("admin", Role.ADMIN, None, None, _("系统管理员")),
        ("county", Role.COUNTY_OFFICE, COUNTY_CODE, None, person_name()),
        ("changan", Role.TOWNSHIP_OFFICE, "450224100000", None, person_name()),
        ("fushi", Role.TOWNSHIP_OFFICE, "450224101000", None, person_name()),
        ("village", Role.VILLAGE_TEAM, seat_team.region_id, None, secretary.name),
        # A county cadre helps households wherever the programmes pair them: the county is the scope.
        ("helper", Role.HELPER, COUNTY_CODE, helper.organization, helper.name),
        ("school", Role.SCHOOL_ADMIN, school.region_id, school, staff.headteachers[school.name].name),
        ("inspector", Role.INSPECTOR, COUNTY_CODE, None, person_name()),
        ("caiwu", Role.FINANCE, COUNTY_CODE, None, person_name()),  # pays subsidies (bangfu.subsidies.demo)
    ]
    existing = set(User.objects.filter(username__in=[s[0] for s in specs]).values_list("username", flat=True))
    # One argon2 hash for all: the password is printed for anyone anyway, and each hash takes a
    # third of a second by design.
    password = make_password(DEMO_PASSWORD)
    users = [
        User(username=username, role=role, region_id=region_id, organization=organization,
             display_name=display_name, password=password)
        for username, role, region_id, organization, display_name in specs if username not in existing
    ]
    User.objects.bulk_create(users)
    return users


def _helper_link() -> None:
    """The demo helper signs in as a cadre whom the programmes paired with several households, so
    that 我的帮扶 shows real targets; an account already linked is left as it is."""
    user = User.objects.filter(username="helper", person__isnull=True).first()
    if user is None:
        return
    cadre = (Person.objects.filter(kind=PersonKind.CADRE, user__isnull=True)
             .annotate(n=Count("pairings_as_helper", filter=Q(pairings_as_helper__target_kind="household",
                                                             pairings_as_helper__status=PairingStatus.ACTIVE)))
             .filter(n__gte=3).order_by("-n", "pk").first())
    if cadre is None:
        return
    user.person, user.display_name, user.organization = cadre, cadre.name, cadre.organization
    user.save(update_fields=["person", "display_name", "organization"])


# The whole county --------------------------------------------------------------------------


def registry_is_empty() -> bool:
    return not (Household.objects.exists() or Person.objects.exists() or Organization.objects.exists())


@dataclass
class DemoSummary:
    households: int = 0
    people: int = 0
    by_status: dict[str, int] = field(default_factory=dict)
    by_township: list[tuple[str, int, int]] = field(default_factory=list)  # name, households, people
    organizations: int = 0
    cadres: int = 0
    teachers: int = 0
    students: int = 0
    teams: int = 0
    accounts: int = 0
    seconds: float = 0.0


def demo_load(*, seed: int = 2026, scale: float = 1.0, programmes: bool = True, today: date | None = None,
              progress: Progress = lambda message: None) -> DemoSummary:
    """Generate and write the demo county in one transaction: all of it, or nothing. With
    `programmes`, the seeds' schemes with their pairings and activities follow (bangfu.programmes.demo),
    their histories up to `today` (default: the local date)."""
    started = time.monotonic()
    if scale <= 0:
        raise ValidationError(_("--scale 必须大于 0"), field="scale")
    regions_ensure(progress)
    if not registry_is_empty():
        raise ValidationError(_("登记库中已有数据，演示数据只能载入空的登记库(可用 --if-empty 跳过)"))
    fake = Faker("zh_CN")
    fake.seed_instance(seed)
    draw = _Draw(rng=random.Random(seed), fake=fake)
    villages = list(Region.objects.filter(prefix__startswith=COUNTY, level=Level.VILLAGE).order_by("code"))
    total = round(HOUSEHOLDS * scale)
    quotas = _village_quotas(draw, villages, total)
    orphan_villages = {v.code for v in sorted(villages, key=lambda v: (-quotas[v.code], v.code))[:ORPHAN_HOMES_AT_LEAST]
                       if quotas[v.code]}
    summary = DemoSummary()
    when = timezone.now()

    with transaction.atomic():
        progress(_("生成单位、学校、干部和教师…"))
        staff = _staff_build(draw, villages)
        by_township: dict[str, list[Region]] = {}
        for village in villages:
            if not _is_community(village):
                by_township.setdefault(village.code[:9], []).append(village)
        team_villages = [max(vs, key=lambda v: (quotas[v.code], v.code)) for _t, vs in sorted(by_township.items())]
        teams, members, committees = _teams_build(draw, staff, team_villages)
        _created(staff.organizations + committees, when)
        _created(staff.persons, when)
        _created(teams, when)
        _created(members, when)
        progress(_("单位 %(o)d 个，干部 %(c)d 人，教师 %(t)d 人，驻村工作队 %(w)d 支") % {
            "o": len(staff.organizations) + len(committees), "c": sum(map(len, staff.cadres_by_unit.values())),
            "t": sum(p.kind == PersonKind.TEACHER for p in staff.persons), "w": len(teams)})

        progress(_("生成建档立卡户 %(n)d 户…") % {"n": total})
        width = max(4, len(str(max(quotas.values()))))
        batch_households: list[Household] = []
        batch_members: list[list[Person]] = []
        done = 0
        for village in villages:
            tuns = _tun_names(draw, village)
            used_addresses: set[str] = set()
            for serial in range(1, quotas[village.code] + 1):
                household, people = _household_build(
                    draw, staff, village, f"{village.code}{serial:0{width}d}", tuns, used_addresses,
                    orphan_home=serial == 1 and village.code in orphan_villages)
                batch_households.append(household)
                batch_members.append(people)
                if len(batch_households) >= BATCH:
                    _households_flush(batch_households, batch_members, when)
                    done += len(batch_households)
                    progress(_("  已写入 %(d)d / %(n)d 户") % {"d": done, "n": total})
                    batch_households, batch_members = [], []
        if batch_households:
            _households_flush(batch_households, batch_members, when)
            done += len(batch_households)
            progress(_("  已写入 %(d)d / %(n)d 户") % {"d": done, "n": total})

        summary.accounts = len(_accounts_create(draw, staff, teams, members))
        if programmes:
            programmes_demo(seed=seed, today=today, stdout=progress)
            _helper_link()
            money_demo(progress=progress)  # the 金桔 scheme, funds and payments (bangfu.subsidies.demo)
            quality_demo(progress=progress)  # 三率一度, targets and cross-check lists (bangfu.quality.demo)
    if connection.vendor == "postgresql":
        # Statistics for the planner (the pages' plans depend on them) and, outside a transaction, the
        # visibility map, without which an index-only scan (a list's count) reads every row's page too.
        # Autovacuum does both some minutes after a bulk load where it is on; on CI's server it is off.
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE" if connection.in_atomic_block else "VACUUM (ANALYZE)")
    if programmes:
        rules_demo(progress=progress)  # lines, exit, monitoring cases and an evaluation (bangfu.rules.demo)

    summary.households = Household.objects.count()
    summary.people = Person.objects.filter(household__isnull=False).count()
    summary.by_status = dict(Household.objects.values_list("status").annotate(n=Count("id")).order_by())
    townships = dict(Region.objects.filter(prefix__startswith=COUNTY, level=Level.TOWNSHIP).values_list("prefix", "name"))
    rows = Household.objects.annotate(t=Substr("region_id", 1, 9)).values("t").annotate(
        n=Count("id"), people=Sum("size")).order_by("t")
    summary.by_township = [(townships.get(r["t"], r["t"]), r["n"], r["people"] or 0) for r in rows]
    summary.organizations = Organization.objects.count()
    kinds = Counter(dict(Person.objects.values_list("kind").annotate(n=Count("id")).order_by()))
    summary.cadres, summary.teachers, summary.students = kinds[PersonKind.CADRE], kinds[PersonKind.TEACHER], kinds[
        PersonKind.STUDENT]
    summary.teams = Team.objects.count()
    summary.seconds = time.monotonic() - started
    return summary


def demo_accounts() -> list[User]:
    """The demo sign-ins that exist, in the order demo_logins shows them."""
    users = {u.username: u for u in User.objects.filter(username__in=DEMO_USERNAMES).select_related(
        "region", "organization")}
    return [users[name] for name in DEMO_USERNAMES if name in users]

