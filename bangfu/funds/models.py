"""Funds: a source's yearly budget held by a region, allocated down the region tree and to
projects, measures, subsidy schemes and households, and disbursed from allocations.

Balances are columns kept by the services under row locks and guarded again by CHECK
constraints: a fund never allocates more than its budget; an allocation never passes on
(sub-allocations) and pays out (disbursements) more than its amount. Allocations and
disbursements are append-only records of who did what and when; funds keep a change history.
"""

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

MONEY = {"max_digits": 14, "decimal_places": 2}
ZERO = Decimal("0")


class FundSource(models.TextChoices):
    HIGHER_FISCAL = "higher_fiscal", _("上级财政专项")
    LOCAL_FISCAL = "local_fiscal", _("本级财政配套")
    HELPER_UNITS = "helper_units", _("帮扶单位筹资")
    DONATION = "donation", _("社会捐助")
    EAST_WEST = "east_west", _("东西部协作")
    INTEGRATED = "integrated", _("部门整合")
    OTHER = "other", _("其他")


class TargetKind(models.TextChoices):
    REGION = "region", _("下级区域")
    PROJECT = "project", pgettext_lazy("project", "项目")
    MEASURE = "measure", _("帮扶措施")
    SCHEME = "scheme", _("补助政策")
    HOUSEHOLD = "household", _("农户")


class Fund(models.Model):
    """One source's budget for one year, held by one region (the county's 上级财政专项 for 2026)."""

    name = models.CharField(_("资金名称"), max_length=100)
    source = models.CharField(_("资金来源"), max_length=20, choices=FundSource.choices)
    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("资金所属区域"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    budget = models.DecimalField(_("预算(元)"), **MONEY)
    allocated = models.DecimalField(_("已分配(元)"), default=ZERO, editable=False, **MONEY)
    document_no = models.CharField(_("下达文号"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("创建人"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(no_db_index=["region", "created_by"])

    class Meta:
        verbose_name = _("资金")
        verbose_name_plural = _("资金")
        ordering = ["-year", "county_code", "source", "name"]
        constraints = [
            models.UniqueConstraint(fields=["county_code", "year", "source", "name"], name="funds_fund_name_unique",
                                    violation_error_message=_("同一年度同一来源已有同名资金")),
            models.CheckConstraint(condition=Q(budget__gt=0), name="funds_fund_budget_positive",
                                   violation_error_message=_("预算须大于0")),
            models.CheckConstraint(condition=Q(allocated__gte=0) & Q(allocated__lte=F("budget")),
                                   name="funds_fund_allocated_within_budget",
                                   violation_error_message=_("已分配金额不能超过预算")),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"

    @property
    def remaining(self) -> Decimal:
        return self.budget - self.allocated


class Allocation(models.Model):
    """Part of a fund assigned to a region, a project, a measure, a scheme or a household, either
    from the fund itself (parent empty) or passed on from a parent allocation."""

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="allocations", verbose_name=_("资金"))
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级分配"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("使用区域"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    target_kind = models.CharField(_("分配对象"), max_length=12, choices=TargetKind.choices, default=TargetKind.REGION)
    target_id = models.BigIntegerField(_("对象编号"), null=True, blank=True)
    purpose = models.CharField(_("用途"), max_length=120)
    amount = models.DecimalField(_("分配金额(元)"), **MONEY)
    allocated = models.DecimalField(_("已下拨(元)"), default=ZERO, editable=False, **MONEY)
    disbursed = models.DecimalField(_("已支付(元)"), default=ZERO, editable=False, **MONEY)
    allocated_on = models.DateField(_("下达日期"))
    document_no = models.CharField(_("文号"), max_length=60, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("经办时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金分配")
        verbose_name_plural = _("资金分配")
        ordering = ["fund", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_allocation_amount_positive",
                                   violation_error_message=_("分配金额须大于0")),
            models.CheckConstraint(
                condition=Q(allocated__gte=0) & Q(disbursed__gte=0)
                & Q(amount__gte=F("allocated") + F("disbursed")),
                name="funds_allocation_within_amount", violation_error_message=_("下拨与支付合计不能超过分配金额")),
        ]
        indexes = [
            models.Index(fields=["region"], name="funds_allocation_region", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["target_kind", "target_id"], name="funds_allocation_target"),
        ]

    def __str__(self):
        return f"{self.purpose} {self.amount}"

    @property
    def remaining(self) -> Decimal:
        return self.amount - self.allocated - self.disbursed


class Disbursement(models.Model):
    """Money paid out of an allocation: date, payee, amount, voucher."""

    allocation = models.ForeignKey(Allocation, on_delete=models.PROTECT, related_name="disbursements",
                                   verbose_name=_("资金分配"))
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="+", verbose_name=_("资金"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("区域"))
    paid_on = models.DateField(_("支付日期"))
    payee = models.CharField(_("收款方"), max_length=100)
    amount = models.DecimalField(_("金额(元)"), **MONEY)
    voucher_no = models.CharField(_("凭证号"), max_length=40)
    remark = models.CharField(_("备注"), max_length=200, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("经办人"))
    created_at = models.DateTimeField(_("经办时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("资金支付")
        verbose_name_plural = _("资金支付")
        ordering = ["-paid_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="funds_disbursement_amount_positive",
                                   violation_error_message=_("支付金额须大于0")),
            models.UniqueConstraint(fields=["county_code", "voucher_no"], name="funds_disbursement_voucher_unique",
                                    violation_error_message=_("凭证号已使用")),
        ]
        indexes = [
            models.Index(fields=["region"], name="funds_disbursement_region", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["fund", "paid_on"], name="funds_disbursement_fund_date"),
        ]

    def __str__(self):
        return f"{self.paid_on} {self.payee} {self.amount}"
