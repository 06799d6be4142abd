from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class FullRead(models.Model):
    """One read of a personal-data value in full: who, when, which record and field."""

    read_at = models.DateTimeField(_("查看时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("查看人"))
    county_code = models.CharField(_("县级代码"), max_length=6, db_index=True)
    record_type = models.CharField(_("记录类型"), max_length=40)
    record_id = models.BigIntegerField(_("记录编号"))
    field = models.CharField(_("字段"), max_length=40)
    channel = models.CharField(_("渠道"), max_length=10, default="web")  # web / api / cli / export (a full export: one per value written)

    class Meta:
        verbose_name = _("个人信息完整查看记录")
        indexes = [models.Index(fields=["record_type", "record_id"], name="privacy_fullread_record")]

    def __str__(self):
        return f"{self.user} {self.record_type}#{self.record_id}.{self.field}"
