"""Rules as versioned configuration (RuleSet), the income readings monitoring needs, evaluations
kept as dated snapshots, and monitoring records (the subject of the monitoring procedure).

A rule set is never edited in place: a change is a new version of the same region and year with
its own effective date, so that every snapshot names the version it used (docs/rules.md)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.registry.choices import MonitoringCategory


def _money(label, **kw):
    return models.DecimalField(label, max_digits=12, decimal_places=2, **kw)


def _share(label, default, **kw):
    return models.DecimalField(label, max_digits=5, decimal_places=2, default=Decimal(default), **kw)


class RuleSet(models.Model):
    """The thresholds and criteria of one year in one region (a province, or a county that sets
    its own), in one version. The version in force on a day is the latest effective one."""

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("适用地区"))
    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveSmallIntegerField(_("版本"), editable=False)
    effective_from = models.DateField(_("生效日期"))
    poverty_line = _money(_("贫困线(元/人·年)"))
    monitoring_line = _money(_("监测标准(元/人·年)"))
    # exit criteria (一达标两不愁三保障 + 饮水安全)
    compulsory_age_from = models.PositiveSmallIntegerField(_("义务教育起始年龄"), default=6)
    compulsory_age_to = models.PositiveSmallIntegerField(_("义务教育截止年龄"), default=15)
    check_water = models.BooleanField(_("饮水安全纳入退出标准"), default=True)
    # monitoring triggers
    income_drop_share = _share(_("收入同比下降超过(比例)"), "0.30", help_text=_("如 0.30 表示下降三成以上"))
    expense_share = _share(_("刚性支出超过收入(比例)"), "0.50",
                           help_text=_("医疗自付与教育支出合计超过家庭年收入的比例"))
    disaster_share = _share(_("灾害损失超过收入(比例)"), "0.20")
    working_age_from = models.PositiveSmallIntegerField(_("劳动年龄起"), default=16)
    working_age_to = models.PositiveSmallIntegerField(_("劳动年龄止"), default=59)
    # risk elimination
    steady_months = models.PositiveSmallIntegerField(_("收入稳定超过监测标准(月)"), default=6)
    # village exit (出列)
    village_exit_rate = _share(_("出列贫困发生率低于(%)"), "3.00", help_text=_("西部地区 3%，中部 2%"))
    # county exit (摘帽)
    county_exit_rate = _share(_("摘帽贫困发生率低于(%)"), "3.00", help_text=_("西部地区 3%，中部 2%"))
    county_village_share = _share(_("贫困村出列比例不低于(%)"), "100.00",
                                  help_text=_("已出列或达到出列标准的贫困村占全县贫困村的比例"))
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("修订人"))
    created_at = models.DateTimeField(_("修订时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("规则版本")
        verbose_name_plural = _("规则版本")
        ordering = ["region", "-year", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["region", "year", "version"], name="rules_ruleset_version_unique"),
            models.CheckConstraint(condition=Q(monitoring_line__gte=models.F("poverty_line")),
                                   name="rules_ruleset_monitoring_over_poverty",
                                   violation_error_message=_("监测标准不能低于贫困线")),
            models.CheckConstraint(condition=Q(county_village_share__lte=100), name="rules_ruleset_village_share_percent",
                                   violation_error_message=_("贫困村出列比例不能超过100%")),
            models.CheckConstraint(condition=Q(poverty_line__gt=0), name="rules_ruleset_poverty_line_positive",
                                   violation_error_message=_("贫困线须大于0")),
            models.CheckConstraint(condition=Q(compulsory_age_to__gte=models.F("compulsory_age_from"))
                                   & Q(working_age_to__gte=models.F("working_age_from")),
                                   name="rules_ruleset_age_ranges_ordered",
                                   violation_error_message=_("年龄范围的截止年龄不能小于起始年龄")),
        ]

    def __str__(self):
        return f"{self.region.name if self.region_id else ''}{self.year}年 第{self.version}版"

    @property
    def label(self) -> str:
        return str(self)


class IncomeRecord(models.Model):
    """A household's income per head as of a day, written whenever it changes through the registry's
    services: what "income steadily above the line for N months" is measured against."""

    household = models.ForeignKey("registry.Household", on_delete=models.CASCADE, related_name="+")
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    recorded_on = models.DateField(_("日期"))
    income_per_capita = _money(_("人均纯收入(元)"))

    class Meta:
        verbose_name = _("收入记录")
        indexes = [models.Index(fields=["household", "recorded_on"], name="rules_incomerecord_hh_on")]


class Evaluation(models.Model):
    """One set-wise run of a rule set over a region on a day: a dated snapshot (测算)."""

    # a region's evaluations (LIKE '4502%'): Django's `…_like` index on PostgreSQL beside the plain one
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("测算地区"))
    on = models.DateField(_("测算日期"))
    rule_set = models.ForeignKey(RuleSet, on_delete=models.PROTECT, related_name="evaluations",
                                 verbose_name=_("规则版本"))
    households = models.PositiveIntegerField(_("户数"), default=0)
    exit_eligible = models.PositiveIntegerField(_("达到退出标准(未脱贫户)"), default=0)
    failing = models.PositiveIntegerField(_("未达标户"), default=0)
    monitoring_candidates = models.PositiveIntegerField(_("应纳入监测"), default=0)
    risk_eliminable = models.PositiveIntegerField(_("可消除风险"), default=0)
    exited_failing = models.PositiveIntegerField(_("已脱贫但未达标"), default=0)
    villages = models.PositiveIntegerField(_("村数"), default=0)
    villages_exit = models.PositiveIntegerField(_("达到出列标准的村"), default=0)
    counties = models.PositiveIntegerField(_("县数"), default=0)
    counties_exit = models.PositiveIntegerField(_("达到摘帽标准的县"), default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("测算人"))
    created_at = models.DateTimeField(_("测算时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("测算")
        verbose_name_plural = _("测算")
        ordering = ["-on", "-pk"]

    def __str__(self):
        return f"{self.region_id} {self.on}"


class EvaluationRow(models.Model):
    """One household's result in a snapshot: the values the criteria read, the exit criteria it
    fails and the monitoring triggers it meets (codes of rules.criteria), written by one
    INSERT … SELECT per evaluation. Household is not a constrained key: a snapshot outlives edits."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="rows", db_index=False)
    household = models.ForeignKey("registry.Household", on_delete=models.DO_NOTHING, db_constraint=False,
                                  related_name="+", db_index=False)  # rules_evalrow_household
    county_code = models.CharField(max_length=6)
    region_id = models.CharField(max_length=12)
    status = models.CharField(max_length=12)
    size = models.PositiveSmallIntegerField(default=0)
    income_per_capita = _money("", default=0)
    income_previous = _money("", default=0)
    income_total = _money("", default=0)
    expense = _money("", default=0)
    disaster_loss = _money("", default=0)
    out_of_school = models.PositiveSmallIntegerField(default=0)
    unable_to_work = models.PositiveSmallIntegerField(default=0)
    exit_ok = models.BooleanField(default=False)
    failures = models.CharField(max_length=80, blank=True)
    triggers = models.CharField(max_length=80, blank=True)
    risk_eliminable = models.BooleanField(default=False)

    class Meta:
        indexes = [
            models.Index(fields=["evaluation", "region_id"], name="rules_evalrow_eval_region"),
            models.Index(fields=["household"], name="rules_evalrow_household"),
        ]


class _PovertyRate:
    """贫困发生率 of a snapshot's row: its poor people over its people registered, in per cent."""

    poor_people: int
    people: int

    @property
    def rate(self) -> Decimal:
        return (Decimal(self.poor_people) * 100 / self.people).quantize(Decimal("0.01")) if self.people else Decimal(0)


class VillageResult(_PovertyRate, models.Model):
    """A village's 贫困发生率 in a snapshot: people of households still poor (poor and not meeting the
    exit criteria) over the people registered in the village."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="villages_rows")
    region_id = models.CharField(max_length=12)
    households = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    poor_people = models.PositiveIntegerField(default=0)
    exit_ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["region_id"]


class CountyResult(_PovertyRate, models.Model):
    """A county's exit (摘帽) in a snapshot: its 贫困发生率 — people of households still poor over the people
    registered — and its poor villages (PoorVillage) exited or meeting the 出列 standard on the day."""

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="county_rows")
    county_code = models.CharField(max_length=6)
    households = models.PositiveIntegerField(default=0)
    people = models.PositiveIntegerField(default=0)
    poor_people = models.PositiveIntegerField(default=0)
    poor_villages = models.PositiveIntegerField(default=0)
    poor_villages_exit = models.PositiveIntegerField(default=0)
    rate_ok = models.BooleanField(default=False)
    villages_ok = models.BooleanField(default=False)
    exit_ok = models.BooleanField(default=False)

    class Meta:
        ordering = ["county_code"]

    @property
    def village_share(self) -> Decimal:
        if not self.poor_villages:
            return Decimal(100)
        return (Decimal(self.poor_villages_exit) * 100 / self.poor_villages).quantize(Decimal("0.01"))


class PoorVillage(models.Model):
    """A poor village (贫困村): deep poverty or not, the year it is planned to leave the list, the day it
    did (出列). Village exit is one concept in one app: the standard is the rule set's
    (`village_exit_rate`), each snapshot's VillageResult says whether a village meets it, and this
    record keeps which villages are poor and when each left the list — read by county exit and by the
    township summary (quality)."""

    region = models.OneToOneField("regions.Region", on_delete=models.PROTECT, related_name="+", primary_key=True,
                                  verbose_name=_("村"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    deep = models.BooleanField(_("深度贫困村"), default=False)
    planned_exit_year = models.PositiveSmallIntegerField(_("计划出列年度"), null=True, blank=True)
    exited_on = models.DateField(_("出列日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("贫困村")
        indexes = [models.Index(fields=["county_code"], name="rules_poorvillage_county")]

    def __str__(self):
        return str(self.region_id)


class MonitoringSource(models.TextChoices):
    SELF = "self", _("农户自主申报")
    CADRE = "cadre", _("干部排查")
    DEPARTMENT = "department", _("部门预警")
    REGISTRY = "registry", _("登记信息变化预警")


class RiskType(models.TextChoices):
    INCOME = "income", _("收入骤减或支出骤增")
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    ACCIDENT = "accident", _("因意外事故")
    EMPLOYMENT = "employment", _("因务工就业不稳")
    HOUSING = "housing", _("住房出现安全问题")
    OTHER = "other", _("其他")


class Monitoring(models.Model):
    """A household's monitoring (防止返贫动态监测), from its finding to the marking of the risk as
    eliminated: the subject of the monitoring procedure (rules/procedures.py)."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("农户"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("所在村"))
    source = models.CharField(_("发现途径"), max_length=12, choices=MonitoringSource.choices)
    triggers = models.CharField(_("触发条件"), max_length=80, blank=True)
    reason = models.TextField(_("情况说明"), blank=True)
    rule_set = models.ForeignKey(RuleSet, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("规则版本"))
    category = models.CharField(_("监测对象类别"), max_length=12, choices=MonitoringCategory.choices, blank=True)
    risk_types = models.CharField(_("风险类型"), max_length=120, blank=True)
    measures = models.TextField(_("帮扶措施"), blank=True)
    previous_status = models.CharField(_("纳入前户状态"), max_length=12, blank=True)
    opened_on = models.DateField(_("发现日期"))
    closed_on = models.DateField(_("结束日期"), null=True, blank=True)
    case = models.OneToOneField("procedures.Case", null=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("办理事项"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = _("监测对象")
        verbose_name_plural = _("监测对象")
        ordering = ["-opened_on", "-pk"]
        constraints = [
            # one open monitoring per household: a second finding joins the open one
            models.UniqueConstraint(fields=["county_code", "household"], condition=Q(closed_on__isnull=True),
                                    name="rules_monitoring_one_open"),
        ]
        indexes = [models.Index(fields=["region"], name="rules_monitoring_region", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.household_id} {self.get_source_display()}"
