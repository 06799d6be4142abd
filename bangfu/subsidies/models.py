"""Subsidy schemes as data (unit, rate, minimum, caps, eligibility, window, acceptance standards),
households' applications with their inspection, and payment batches per township.

An application's amount is never typed: the 造册核定 step computes it for all the township's
accepted applications in one UPDATE (subsidies/rules.py)."""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 14, "decimal_places": 2}
QUANTITY = {"max_digits": 12, "decimal_places": 2}


class Unit(models.TextChoices):
    MU = "mu", _("亩")
    HEAD = "head", _("头")
    PIECE = "piece", _("只")
    PERSON = "person", _("人")
    HOUSEHOLD = "household", _("户")


class StandardKind(models.TextChoices):
    NUMBER = "number", _("数值")
    DATE = "date", _("日期")


class SubsidyScheme(models.Model):
    """A rule paying `rate` per unit of accepted quantity, nothing under the minimum, capped per
    registered household member and/or per household (the 金桔 scheme: 1,000 元/亩, ≤ 3,000 元/人)."""

    name = models.CharField(_("名称"), max_length=100)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("实施区域"), help_text=_("只有该区域内的农户可以申报"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    unit = models.CharField(_("计量单位"), max_length=10, choices=Unit.choices)
    rate = models.DecimalField(_("补助标准(元/单位)"), max_digits=12, decimal_places=2)
    minimum_quantity = models.DecimalField(_("最低数量"), default=Decimal("0"), **QUANTITY,
                                           help_text=_("不足此数量的不予验收"))
    cap_per_member = models.DecimalField(_("人均上限(元)"), null=True, blank=True, **MONEY)
    cap_per_household = models.DecimalField(_("每户上限(元)"), null=True, blank=True, **MONEY)
    eligible_statuses = models.JSONField(_("可申报的户状态"), default=list, blank=True,
                                         help_text=_("为空表示不限"))
    registered_until = models.DateField(_("建档日期不晚于"), null=True, blank=True,
                                        help_text=_("如只限某年及以前建档立卡的户"))
    opens_on = models.DateField(_("申报开始"))
    closes_on = models.DateField(_("申报截止"))
    description = models.TextField(_("说明"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(no_db_index=["region", "created_by"])

    class Meta:
        verbose_name = _("补助政策")
        verbose_name_plural = _("补助政策")
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "year", "name"], name="subsidies_scheme_name_unique",
                                    violation_error_message=_("同一年度已有同名补助政策")),
            models.CheckConstraint(condition=Q(rate__gt=0), name="subsidies_scheme_rate_positive",
                                   violation_error_message=_("补助标准须大于0")),
            models.CheckConstraint(condition=Q(minimum_quantity__gte=0), name="subsidies_scheme_minimum_not_negative",
                                   violation_error_message=_("最低数量不能为负")),
            models.CheckConstraint(condition=Q(cap_per_member__isnull=True) | Q(cap_per_member__gt=0),
                                   name="subsidies_scheme_member_cap_positive",
                                   violation_error_message=_("人均上限须大于0")),
            models.CheckConstraint(condition=Q(cap_per_household__isnull=True) | Q(cap_per_household__gt=0),
                                   name="subsidies_scheme_household_cap_positive",
                                   violation_error_message=_("每户上限须大于0")),
            models.CheckConstraint(condition=Q(closes_on__gte=F("opens_on")), name="subsidies_scheme_window_ordered",
                                   violation_error_message=_("申报截止日期不能早于开始日期")),
        ]

    def __str__(self):
        return self.name


class AcceptanceStandard(models.Model):
    """A measured value an inspection records, accepted within inclusive bounds (either may be open)."""

    scheme = models.ForeignKey(SubsidyScheme, on_delete=models.CASCADE, related_name="standards",
                               verbose_name=_("补助政策"))
    position = models.PositiveSmallIntegerField(_("序号"), default=0)
    label = models.CharField(_("验收项目"), max_length=60)
    kind = models.CharField(_("类型"), max_length=8, choices=StandardKind.choices, default=StandardKind.NUMBER)
    unit = models.CharField(_("单位"), max_length=12, blank=True)
    low = models.DecimalField(_("下限(含)"), null=True, blank=True, **QUANTITY)
    high = models.DecimalField(_("上限(含)"), null=True, blank=True, **QUANTITY)
    low_date = models.DateField(_("最早日期(含)"), null=True, blank=True)
    high_date = models.DateField(_("最晚日期(含)"), null=True, blank=True)

    class Meta:
        verbose_name = _("验收标准")
        verbose_name_plural = _("验收标准")
        ordering = ["scheme", "position", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["scheme", "label"], name="subsidies_standard_label_unique",
                                    violation_error_message=_("验收项目名称重复")),
            models.CheckConstraint(
                condition=(Q(kind="number") & (Q(low__isnull=False) | Q(high__isnull=False))
                           & (Q(low__isnull=True) | Q(high__isnull=True) | Q(high__gte=F("low"))))
                | (Q(kind="date") & (Q(low_date__isnull=False) | Q(high_date__isnull=False))
                   & (Q(low_date__isnull=True) | Q(high_date__isnull=True) | Q(high_date__gte=F("low_date")))),
                name="subsidies_standard_bounds", violation_error_message=_("请填写上下限，且下限不能大于上限")),
        ]

    def __str__(self):
        return self.label


class Application(models.Model):
    """A household's claim under a scheme, its inspection and its computed amount."""

    scheme = models.ForeignKey(SubsidyScheme, on_delete=models.PROTECT, related_name="applications",
                               verbose_name=_("补助政策"))
    household = models.ForeignKey("registry.Household", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("农户"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("所在村"))
    case = models.OneToOneField("procedures.Case", null=True, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("办理事项"))
    quantity = models.DecimalField(_("申报数量"), **QUANTITY)
    members = models.PositiveSmallIntegerField(_("家庭人口(申报时)"))
    applied_on = models.DateField(_("申报日期"))
    inspected_on = models.DateField(_("验收日期"), null=True, blank=True)
    inspected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("验收人"))
    measured = models.JSONField(_("验收实测值"), default=dict, blank=True)
    failures = models.JSONField(_("不合格项"), default=list, blank=True)
    passed = models.BooleanField(_("验收合格"), null=True, blank=True)
    accepted_quantity = models.DecimalField(_("验收数量"), null=True, blank=True, **QUANTITY)
    amount = models.DecimalField(_("核定金额(元)"), null=True, blank=True, **MONEY)
    batch = models.ForeignKey("PaymentBatch", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="applications", verbose_name=_("代发批次"))
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("录入人"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("补助申报")
        verbose_name_plural = _("补助申报")
        ordering = ["scheme", "region", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "scheme", "household"],
                                    name="subsidies_application_once_per_household",
                                    violation_error_message=_("该户已申报过本补助")),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="subsidies_application_quantity_positive",
                                   violation_error_message=_("申报数量须大于0")),
            models.CheckConstraint(condition=Q(amount__isnull=True) | Q(amount__gte=0),
                                   name="subsidies_application_amount_not_negative"),
        ]
        indexes = [
            models.Index(fields=["region"], name="subsidies_application_region", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["county_code", "scheme"], name="subsidies_application_cnty_sch"),
        ]

    def __str__(self):
        return f"{self.scheme} #{self.pk}"


class PaymentBatch(models.Model):
    """One township's approved applications paid together through the bank's 代发 list."""

    scheme = models.ForeignKey(SubsidyScheme, on_delete=models.PROTECT, related_name="batches",
                               verbose_name=_("补助政策"))
    township = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("乡镇"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    allocation = models.ForeignKey("funds.Allocation", on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("支付资金"))
    count = models.PositiveIntegerField(_("户数"))
    total = models.DecimalField(_("合计金额(元)"), **MONEY)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("制表人"))
    created_at = models.DateTimeField(_("制表时间"), auto_now_add=True)
    exported_at = models.DateTimeField(_("导出时间"), null=True, blank=True)
    paid_on = models.DateField(_("发放日期"), null=True, blank=True)
    disbursement = models.OneToOneField("funds.Disbursement", null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+", verbose_name=_("资金支付"))

    class Meta:
        verbose_name = _("代发批次")
        verbose_name_plural = _("代发批次")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(total__gt=0), name="subsidies_batch_total_positive"),
        ]

    def __str__(self):
        return f"{self.township} {self.total}"


def photo_path(instance, filename: str) -> str:
    return f"inspections/{instance.county_code}/{instance.application_id}/{filename}"


class InspectionPhoto(models.Model):
    """A photo taken at the 乡镇验收 (the orchard, the herd), kept as activities keep evidence:
    EXIF time and position as read at upload (activities.services.evidence_read)."""

    application = models.ForeignKey(Application, on_delete=models.PROTECT, related_name="photos",
                                    verbose_name=_("补助申报"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    file = models.FileField(_("文件"), upload_to=photo_path, max_length=200)
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
        verbose_name = _("验收照片")
        verbose_name_plural = _("验收照片")
        ordering = ["application", "pk"]

    def __str__(self):
        return self.name
