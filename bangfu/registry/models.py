"""The registry: households and the people in them, other persons, organizations and teams.

Tables that grow with population carry `county_code` (the first six digits of their
region's code) and keep it in their unique constraints: it is the partition key on one
PostgreSQL server and the distribution column on a sharded one (DESIGN.md, Scale).
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bangfu.privacy.fields import EncryptedField
from bangfu.registry.choices import (
    ETHNICITY_CHOICES,
    CadreRank,
    DisabilityCategory,
    Education,
    Gender,
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

MONEY = {"max_digits": 12, "decimal_places": 2, "default": Decimal("0")}


def _region_fk(**kwargs):
    # The column holds the 12-digit code; scope filters are LIKE '<prefix>%' on it. Django would
    # give a varchar foreign key two indexes (plain and varchar_pattern_ops); the pattern one alone
    # serves both the prefix and equality, so the field has none and each model adds _region_index.
    return models.ForeignKey("regions.Region", on_delete=models.PROTECT, verbose_name=_("所在区域"),
                             related_name="+", db_index=False, **kwargs)


def _region_index(table: str) -> models.Index:
    return models.Index(fields=["region"], name=f"{table}_region", opclasses=["varchar_pattern_ops"])


def _history(**kwargs) -> HistoricalRecords:
    """A record's history is read per record (its id) only: the historical table's copies of the
    record's foreign keys are not indexed. Each index there costs every bulk import and edit a
    write per row (docs/performance.md)."""
    return HistoricalRecords(no_db_index=["region", "head", "household", "organization", "team", "person",
                                          "recorded_by"], **kwargs)


class Organization(models.Model):
    """A unit, school, kindergarten, company or village committee; helper or target."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=OrganizationKind.choices)
    region = _region_fk()
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    contact_name = models.CharField(_("联系人"), max_length=40, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    initials = models.CharField(_("拼音首字母"), max_length=60, editable=False)
    history = _history(verbose_name=_("单位变更记录"))

    class Meta:
        verbose_name = _("单位")
        ordering = ["county_code", "kind", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "name"], name="registry_organization_name_unique",
                                    violation_error_message=_("本县已有同名单位")),
        ]
        indexes = [
            models.Index(fields=["county_code", "kind"], name="registry_org_county_kind"),
            _region_index("registry_organization"),
        ]

    def __str__(self):
        return self.name


class Household(models.Model):
    """A registered household (建档立卡户) and its 两不愁三保障 indicators."""

    number = models.CharField(_("户编号"), max_length=20)
    region = _region_fk()
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)
    head = models.ForeignKey("Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                             verbose_name=_("户主"))
    size = models.PositiveSmallIntegerField(_("家庭人口"), default=0, editable=False)

    status = models.CharField(_("户状态"), max_length=12, choices=HouseholdStatus.choices, default=HouseholdStatus.POOR)
    identified_on = models.DateField(_("识别(纳入)日期"), null=True, blank=True)
    exited_on = models.DateField(_("脱贫日期"), null=True, blank=True)
    monitoring_category = models.CharField(_("监测对象类别"), max_length=12, choices=MonitoringCategory.choices,
                                           blank=True)
    monitored_on = models.DateField(_("纳入监测日期"), null=True, blank=True)

    dibao = models.BooleanField(_("低保户"), default=False)
    wubao = models.BooleanField(_("五保户"), default=False)
    tekun = models.BooleanField(_("特困供养"), default=False)

    main_cause = models.CharField(_("主要致贫原因"), max_length=12, choices=PovertyCause.choices, blank=True)
    other_causes = models.CharField(_("其他致贫原因"), max_length=120, blank=True,
                                    help_text=_("多个原因以逗号分隔的代码"))

    wage_income = models.DecimalField(_("工资性收入(元)"), **MONEY)
    production_income = models.DecimalField(_("生产经营性收入(元)"), **MONEY)
    property_income = models.DecimalField(_("财产性收入(元)"), **MONEY)
    transfer_income = models.DecimalField(_("转移性收入(元)"), **MONEY)
    income_per_capita = models.DecimalField(_("人均纯收入(元)"), **MONEY)  # computed by the services
    # What the monitoring triggers of the rules app read (docs/rules.md): last year's income per head
    # (0 = not known), the year's large rigid expenses and a disaster's or accident's loss.
    income_per_capita_previous = models.DecimalField(_("上年人均纯收入(元)"), **MONEY)
    medical_expense = models.DecimalField(_("医疗自付支出(元/年)"), **MONEY)
    schooling_expense = models.DecimalField(_("教育支出(元/年)"), **MONEY)
    disaster_loss = models.DecimalField(_("灾害或意外事故损失(元)"), **MONEY)

    food_secure = models.BooleanField(_("不愁吃"), default=True)
    clothing_secure = models.BooleanField(_("不愁穿"), default=True)
    education_secure = models.BooleanField(_("义务教育有保障"), default=True)
    medical_secure = models.BooleanField(_("基本医疗有保障"), default=True)
    housing_secure = models.BooleanField(_("住房安全有保障"), default=True)
    water_secure = models.BooleanField(_("饮水安全有保障"), default=True)

    phone = EncryptedField(_("联系电话"))
    bank_name = models.CharField(_("开户银行"), max_length=60, blank=True)
    bank_account = EncryptedField(_("银行账号"))

    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = _history(verbose_name=_("户变更记录"), excluded_fields=["updated_at", "size"])

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "number"], name="registry_household_number_unique",
                                    violation_error_message=_("户编号已存在")),
            models.CheckConstraint(
                condition=Q(wage_income__gte=0, production_income__gte=-10_000_000, property_income__gte=0,
                            transfer_income__gte=0),
                name="registry_household_income_sane",
            ),
            models.CheckConstraint(condition=~Q(status="exited") | Q(exited_on__isnull=False),
                                   name="registry_household_exited_has_date",
                                   violation_error_message=_("已脱贫户须填写脱贫日期")),
        ]
        indexes = [
            models.Index(fields=["county_code", "status"], name="registry_household_cnty_status"),
            _region_index("registry_household"),
        ]

    def __str__(self):
        return self.number

    @property
    def income_total(self) -> Decimal:
        return self.wage_income + self.production_income + self.property_income + self.transfer_income

    @property
    def other_cause_labels(self) -> list[str]:
        labels = dict(PovertyCause.choices)
        return [str(labels.get(c, c)) for c in self.other_causes.split(",") if c]


class Person(models.Model):
    """Anyone in the registry: a household member (家庭成员), a cadre, teacher, student, child,
    elderly resident or volunteer. A household member is a Person with `household` set."""

    name = models.CharField(_("姓名"), max_length=40)
    initials = models.CharField(_("拼音首字母"), max_length=20, editable=False)
    id_number = EncryptedField(_("身份证号"))
    id_hash = models.BinaryField(_("身份证号检索摘要"), max_length=32, null=True, editable=False)
    gender = models.CharField(_("性别"), max_length=6, choices=Gender.choices)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    ethnicity = models.CharField(_("民族"), max_length=10, choices=ETHNICITY_CHOICES, default="汉族")
    phone = EncryptedField(_("联系电话"))
    region = _region_fk()
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    address = models.CharField(_("住址"), max_length=200, blank=True)

    household = models.ForeignKey(Household, null=True, blank=True, on_delete=models.PROTECT, related_name="members",
                                  verbose_name=_("所在户"))
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices, blank=True)

    education = models.CharField(_("文化程度"), max_length=12, choices=Education.choices, blank=True)
    schooling = models.CharField(_("在校生情况"), max_length=12, choices=Schooling.choices, default=Schooling.NONE)
    health = models.CharField(_("健康状况"), max_length=10, choices=Health.choices, default=Health.HEALTHY)
    disability_category = models.CharField(_("残疾类别"), max_length=14, choices=DisabilityCategory.choices,
                                           blank=True)
    disability_grade = models.PositiveSmallIntegerField(_("残疾等级"), null=True, blank=True,
                                                        choices=[(1, _("1级")), (2, _("2级")), (3, _("3级")), (4, _("4级"))])
    work_ability = models.CharField(_("劳动能力"), max_length=8, choices=WorkAbility.choices, blank=True)

    kind = models.CharField(_("人员类别"), max_length=10, choices=PersonKind.choices, default=PersonKind.RESIDENT)
    orphan = models.BooleanField(_("孤儿"), default=False)
    left_behind = models.BooleanField(_("留守儿童"), default=False)
    lives_alone = models.BooleanField(_("独居"), default=False)
    struggling = models.BooleanField(_("学困生"), default=False)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="people", verbose_name=_("工作单位/学校"))
    rank = models.CharField(_("职级"), max_length=16, choices=CadreRank.choices, blank=True)
    position = models.CharField(_("职务"), max_length=60, blank=True)
    subject = models.CharField(_("任教学科"), max_length=20, blank=True)
    grade_level = models.CharField(_("年级"), max_length=10, blank=True)
    class_name = models.CharField(_("班级"), max_length=20, blank=True)

    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    history = _history(verbose_name=_("人员变更记录"), excluded_fields=["updated_at", "id_hash", "initials"])

    class Meta:
        verbose_name = _("人员")
        verbose_name_plural = _("人员")
        ordering = ["county_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "id_hash"], condition=Q(id_hash__isnull=False),
                                    name="registry_person_id_unique",
                                    violation_error_message=_("该身份证号已登记")),
            models.CheckConstraint(condition=Q(household__isnull=True) | ~Q(relation=""),
                                   name="registry_person_member_has_relation",
                                   violation_error_message=_("家庭成员须填写与户主关系")),
            models.CheckConstraint(condition=Q(disability_grade__isnull=True) | Q(disability_grade__gte=1,
                                                                                    disability_grade__lte=4),
                                   name="registry_person_disability_grade_valid"),
        ]
        indexes = [
            models.Index(fields=["county_code", "initials"], name="registry_person_cnty_initials"),
            models.Index(fields=["county_code", "name"], name="registry_person_cnty_name"),
            models.Index(fields=["id_hash"], name="registry_person_id_hash"),
            models.Index(fields=["county_code", "kind"], name="registry_person_cnty_kind"),
            _region_index("registry_person"),
            # The few a care programme covers (孤儿, 留守儿童, 独居, 学困生: a programme's coverage_attribute),
            # found without reading every person of the county: the office home's coverage counts and the
            # uncovered lists (programmes.selectors.uncovered_targets). Equality and prefix on both columns.
            models.Index(fields=["county_code", "region"], name="registry_person_flagged",
                         opclasses=["varchar_pattern_ops", "varchar_pattern_ops"],
                         condition=Q(orphan=True) | Q(left_behind=True) | Q(lives_alone=True) | Q(struggling=True)),
        ]

    def __str__(self):
        return self.name

    @property
    def disabled(self) -> bool:
        return bool(self.disability_category)


class Team(models.Model):
    """A village work team (驻村工作队) or help group, sent by a unit to a region."""

    name = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=20, choices=TeamKind.choices, default=TeamKind.VILLAGE_WORK_TEAM)
    organization = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="teams", verbose_name=_("派出单位"))
    region = _region_fk()
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    started_on = models.DateField(_("派驻日期"), null=True, blank=True)
    ended_on = models.DateField(_("撤离日期"), null=True, blank=True)
    history = _history(verbose_name=_("工作队变更记录"))

    class Meta:
        verbose_name = _("工作队")
        ordering = ["county_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "name"], name="registry_team_name_unique",
                                    violation_error_message=_("本县已有同名工作队")),
        ]
        indexes = [_region_index("registry_team")]

    def __str__(self):
        return self.name


class TeamMember(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("工作队"))
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="team_memberships",
                               verbose_name=_("队员"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    role = models.CharField(_("职责"), max_length=16, choices=TeamRole.choices, default=TeamRole.MEMBER)
    started_on = models.DateField(_("开始日期"), null=True, blank=True)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    history = _history(verbose_name=_("队员变更记录"))

    class Meta:
        verbose_name = _("工作队队员")
        constraints = [
            models.UniqueConstraint(fields=["county_code", "team", "person"], name="registry_teammember_unique",
                                    violation_error_message=_("此人已在该工作队中")),
        ]

    def __str__(self):
        return f"{self.team} · {self.person}"


class TermGrade(models.Model):
    """A student's result in one subject for one school term (学期成绩): what a teacher paired with a
    struggling student (学困生) is judged by, term against term. A correction keeps the old score
    in the history."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="term_grades", verbose_name=_("学生"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    academic_year = models.CharField(_("学年"), max_length=9, help_text=_("如 2025-2026"))
    term = models.PositiveSmallIntegerField(_("学期"), choices=[(1, _("第一学期")), (2, _("第二学期"))])
    subject = models.CharField(_("科目"), max_length=20)
    score = models.DecimalField(_("成绩"), max_digits=5, decimal_places=1)
    full_marks = models.DecimalField(_("满分"), max_digits=5, decimal_places=1, default=Decimal("100"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now=True)
    history = _history(verbose_name=_("成绩变更记录"), excluded_fields=["recorded_at"])

    class Meta:
        verbose_name = _("学期成绩")
        verbose_name_plural = _("学期成绩")
        ordering = ["person", "academic_year", "term", "subject"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "person", "academic_year", "term", "subject"],
                                    name="registry_termgrade_unique",
                                    violation_error_message=_("该学生本学期此科目已有成绩")),
            models.CheckConstraint(condition=Q(score__gte=0) & Q(score__lte=models.F("full_marks")),
                                   name="registry_termgrade_score_range",
                                   violation_error_message=_("成绩须在0到满分之间")),
            models.CheckConstraint(condition=Q(term__in=[1, 2]), name="registry_termgrade_term"),
        ]

    def __str__(self):
        return f"{self.person} {self.term_label} {self.subject} {self.score}"

    @property
    def term_label(self) -> str:
        return term_label(self.academic_year, self.term)


def term_label(academic_year: str, term: int) -> str:
    return f"{academic_year}学年第{'一' if term == 1 else '二'}学期"
