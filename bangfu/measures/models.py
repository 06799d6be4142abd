"""Measures (帮扶措施, a household's 一户一策 plan and what was delivered) and projects
(infrastructure and industry works with budget, milestones, acceptance and the households
that benefit). Money reaches both through funds.Allocation (target_kind measure / project)."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 14, "decimal_places": 2}


class MeasureCategory(models.TextChoices):
    INDUSTRY = "industry", _("产业")
    EMPLOYMENT = "employment", _("就业")
    EDUCATION = "education", _("教育")
    HEALTH = "health", _("健康")
    HOUSING = "housing", _("住房/危房改造")
    WATER = "water", _("饮水")
    SAFETY_NET = "safety_net", _("兜底")
    CREDIT = "credit", _("金融/小额信贷贴息")
    RELOCATION = "relocation", _("易地搬迁")
    TRAINING = "training", _("培训/雨露计划")
    CONSUMPTION = "consumption", _("消费")
    GREETING = "greeting", _("慰问")


class MeasureStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    DELIVERED = "delivered", _("已落实")
    CANCELLED = "cancelled", _("取消")


class Measure(models.Model):
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("农户"))
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("针对成员"), help_text=_("针对某个家庭成员的措施(如雨露计划)"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("所在区域"), editable=False)
    category = models.CharField(_("类别"), max_length=12, choices=MeasureCategory.choices)
    description = models.CharField(_("措施内容"), max_length=200)
    helper = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="+", verbose_name=_("责任人"))
    unit = models.ForeignKey("registry.Organization", null=True, blank=True, on_delete=models.PROTECT,
                             related_name="+", verbose_name=_("责任单位"))
    planned_on = models.DateField(_("计划落实日期"))
    delivered_on = models.DateField(_("落实日期"), null=True, blank=True)
    delivery_note = models.CharField(_("落实情况"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=MeasureStatus.choices, default=MeasureStatus.PLANNED)
    amount = models.DecimalField(_("金额(元)"), null=True, blank=True, **MONEY)
    allocation = models.ForeignKey("funds.Allocation", null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="+", verbose_name=_("资金来源(分配)"))
    expected_income = models.DecimalField(_("预期增收(元/年)"), null=True, blank=True, **MONEY)
    observed_income = models.DecimalField(_("实际增收(元/年)"), null=True, blank=True, **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("录入人"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords(no_db_index=["household", "person", "region", "helper", "unit", "allocation",
                                             "created_by"])

    class Meta:
        verbose_name = _("帮扶措施")
        verbose_name_plural = _("帮扶措施")
        ordering = ["household", "planned_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="measures_measure_amount_not_negative",
                                   violation_error_message=_("金额不能为负")),
            models.CheckConstraint(condition=~Q(status="delivered") | Q(delivered_on__isnull=False),
                                   name="measures_measure_delivered_has_date",
                                   violation_error_message=_("已落实的措施须有落实日期")),
        ]
        indexes = [
            models.Index(fields=["region"], name="measures_measure_region", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["county_code", "category", "status"], name="measures_measure_cnty_cat"),
        ]

    def __str__(self):
        return self.description


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", _("计划")
    BUILDING = "building", _("实施中")
    ACCEPTED = "accepted", _("已验收")


class Project(models.Model):
    """A road, a water tank, a village clinic, a training course, an orchard: funded works."""

    name = models.CharField(pgettext_lazy("project", "项目名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10,
                            choices=[("infra", _("基础设施")), ("industry", _("产业")), ("service", _("公共服务"))])
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("实施地点"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    unit = models.CharField(_("计量单位"), max_length=10, help_text=_("如 公里、立方米、个、人次、亩"))
    planned_quantity = models.DecimalField(_("计划规模"), max_digits=12, decimal_places=2)
    accepted_quantity = models.DecimalField(_("验收规模"), max_digits=12, decimal_places=2, null=True, blank=True)
    budget = models.DecimalField(_("预算(元)"), **MONEY)
    responsible_unit = models.ForeignKey("registry.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="+", verbose_name=_("责任单位"))
    status = models.CharField(_("状态"), max_length=10, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    starts_on = models.DateField(_("开工日期"), null=True, blank=True)
    accepted_on = models.DateField(_("验收日期"), null=True, blank=True)
    households = models.ManyToManyField("registry.Household", through="ProjectBeneficiary", related_name="+",
                                        verbose_name=_("带贫户"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("录入人"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    history = HistoricalRecords(no_db_index=["region", "responsible_unit", "created_by"])

    class Meta:
        verbose_name = pgettext_lazy("project", "项目")
        verbose_name_plural = pgettext_lazy("projects", "项目")
        ordering = ["county_code", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "name"], name="measures_project_name_unique",
                                    violation_error_message=_("已有同名项目")),
            models.CheckConstraint(condition=Q(budget__gte=0) & Q(planned_quantity__gt=0),
                                   name="measures_project_sizes_positive",
                                   violation_error_message=_("预算不能为负，计划规模须大于0")),
            models.CheckConstraint(condition=~Q(status="accepted") | (Q(accepted_on__isnull=False)
                                                                      & Q(accepted_quantity__isnull=False)),
                                   name="measures_project_accepted_has_result",
                                   violation_error_message=_("已验收的项目须有验收日期和验收规模")),
        ]
        indexes = [models.Index(fields=["region"], name="measures_project_region", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return self.name


class ProjectBeneficiary(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="beneficiaries")
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+")
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)

    class Meta:
        verbose_name = _("带贫户")
        constraints = [models.UniqueConstraint(fields=["county_code", "project", "household"],
                                               name="measures_beneficiary_unique")]


class Milestone(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones",
                                verbose_name=pgettext_lazy("project", "项目"))
    title = models.CharField(_("节点"), max_length=60)
    due_on = models.DateField(_("计划完成"))
    done_on = models.DateField(_("实际完成"), null=True, blank=True)

    class Meta:
        verbose_name = _("项目进度节点")
        ordering = ["project", "due_on", "pk"]


def evidence_path(instance, filename: str) -> str:
    return f"measures/{instance.county_code}/{instance.measure_id}/{filename}"


class MeasureEvidence(models.Model):
    """A photo or file proving a measure was delivered, kept as an activity's evidence is."""

    measure = models.ForeignKey(Measure, on_delete=models.PROTECT, related_name="evidence",
                                verbose_name=_("帮扶措施"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("原文件名"), max_length=120)
    content_type = models.CharField(_("文件类型"), max_length=100)
    size = models.PositiveIntegerField(_("大小(字节)"))
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("措施佐证材料")
        verbose_name_plural = _("措施佐证材料")
        ordering = ["measure", "pk"]

    def __str__(self):
        return self.name
