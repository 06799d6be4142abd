"""What the quality figures (三率一度), the township summary of seed 003 and the yearly targets need
beyond the registry (poor villages and their 出列 are the rules app's PoorVillage): each household's exit plan (计划脱贫年度 or 政策兜底),
the rural registered population a 贫困发生率 is taken over, yearly targets per region, and residents'
satisfaction answers (群众认可度)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


def _region(**kwargs):
    return models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                             verbose_name=_("区域"), **kwargs)


def _region_index(table: str) -> models.Index:
    return models.Index(fields=["region"], name=f"{table}_region", opclasses=["varchar_pattern_ops"])


class ExitPlan(models.Model):
    """A registered household's plan: the year it is planned to exit, or 政策兜底 (kept by the safety net)."""

    household = models.OneToOneField("registry.Household", on_delete=models.CASCADE, related_name="exit_plan",
                                      primary_key=True, verbose_name=_("户"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    year = models.PositiveSmallIntegerField(_("计划脱贫年度"), null=True, blank=True)
    safety_net = models.BooleanField(_("政策兜底"), default=False)

    class Meta:
        verbose_name = _("脱贫计划")
        constraints = [models.CheckConstraint(condition=Q(year__isnull=False) | Q(safety_net=True),
                                              name="quality_exitplan_year_or_safety_net")]


class RuralPopulation(models.Model):
    """The rural registered population (农村户籍人口) of a region in a year: 贫困发生率's denominator."""

    region = _region()
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    population = models.PositiveIntegerField(_("农村户籍人口"))

    class Meta:
        verbose_name = _("农村户籍人口")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="quality_population_unique")]
        indexes = [_region_index("quality_population")]


class Target(models.Model):
    """A region's yearly targets (目标任务)."""

    region = _region()
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    year = models.PositiveSmallIntegerField(_("年度"))
    households_exit = models.PositiveIntegerField(_("脱贫户数"), default=0)
    people_exit = models.PositiveIntegerField(_("脱贫人数"), default=0)
    villages_exit = models.PositiveIntegerField(_("出列村数"), default=0)
    relocations = models.PositiveIntegerField(_("易地搬迁户数"), default=0)
    trainings = models.PositiveIntegerField(_("培训人次"), default=0)
    microcredit = models.PositiveIntegerField(_("小额信贷笔数"), default=0)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("填报人"))
    updated_at = models.DateTimeField(_("填报时间"), auto_now=True)

    class Meta:
        verbose_name = _("目标任务")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="quality_target_unique")]
        indexes = [_region_index("quality_target")]


class Satisfaction(models.TextChoices):
    SATISFIED = "satisfied", _("满意")
    BASIC = "basic", _("基本满意")
    DISSATISFIED = "dissatisfied", _("不满意")


class SatisfactionAnswer(models.Model):
    """One household's answer to 对帮扶工作是否满意, asked on a visit (群众认可度)."""

    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("户"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = _region()
    answered_on = models.DateField(_("回答日期"))
    answer = models.CharField(_("满意度"), max_length=12, choices=Satisfaction.choices)
    note = models.CharField(_("意见建议"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("记录人"))

    class Meta:
        verbose_name = _("满意度回答")
        constraints = [models.UniqueConstraint(fields=["county_code", "household", "answered_on"],
                                               name="quality_answer_once_a_day")]
        indexes = [_region_index("quality_answer"),
                   models.Index(fields=["county_code", "answered_on"], name="quality_answer_cnty_day")]
