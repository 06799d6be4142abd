from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReadReason(models.TextChoices):
    """Why a personal value was read in full: asked on the page's 查看 and on a full export, given to
    the API and the command line; each channel has a default (CHANNEL_REASONS)."""

    VERIFY = "verify", _("核实身份信息")
    CONTACT = "contact", _("联系本人")
    PAYMENT = "payment", _("资金发放(银行代发)")
    INSURANCE = "insurance", _("保险、医保、社保办理")
    REPORT = "report", _("向有关部门或单位报送名单")
    DOCUMENT = "document", _("打印文书")
    INSPECTION = "inspection", _("督查核查")
    OTHER = "other", _("其他")


# What a read is for when the caller does not say: a page's or the API's single value is checked, a
# full list is sent on (to the bank, the insurer), a document is printed.
CHANNEL_REASONS = {"web": ReadReason.VERIFY, "api": ReadReason.VERIFY, "cli": ReadReason.VERIFY,
                   "export": ReadReason.REPORT, "document": ReadReason.DOCUMENT}


class FullRead(models.Model):
    """One read of a personal-data value in full: who, when, which record and field, how and why."""

    read_at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("查看人"))
    county_code = models.CharField(_("县级代码"), max_length=6, db_index=True)
    record_type = models.CharField(_("记录类型"), max_length=40)
    record_id = models.BigIntegerField(_("记录编号"))
    field = models.CharField(_("字段"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=10, default="web")  # web / api / cli / export / document
    reason = models.CharField(_("用途"), max_length=20, choices=ReadReason.choices, default=ReadReason.VERIFY)
    reason_note = models.CharField(_("用途说明"), max_length=200, blank=True, default="")

    class Meta:
        verbose_name = _("个人信息完整查看记录")
        indexes = [models.Index(fields=["record_type", "record_id"], name="privacy_fullread_record")]

    def __str__(self):
        return f"{self.user} {self.record_type}#{self.record_id}.{self.field}"
