from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    RUNNING = "running", _("导出中")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


class ExportFormat(models.TextChoices):
    XLSX = "xlsx", "Excel (.xlsx)"
    CSV = "csv", "CSV"
    ZIP = "zip", "ZIP"  # files another app writes (services.PRODUCERS): documents' batches


class ExportJob(models.Model):
    """One list written to a file in the background, for its owner only to download."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+",
                                   verbose_name=_("导出人"))
    listing = models.CharField(_("列表"), max_length=20)
    params = models.JSONField(_("筛选条件"), default=dict, blank=True, help_text=_("与列表页相同的查询参数"))
    format = models.CharField(_("格式"), max_length=4, choices=ExportFormat.choices, default=ExportFormat.XLSX)
    status = models.CharField(_("状态"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_done = models.PositiveIntegerField(_("已写行数"), default=0)
    rows_total = models.PositiveIntegerField(_("总行数"), default=0)
    file = models.FileField(_("文件"), upload_to="exports/", max_length=200, blank=True)
    language = models.CharField(_("语言"), max_length=10, blank=True,
                                help_text=_("发起人当时使用的界面语言：后台任务的说明、表头和报告用它"))
    full = models.BooleanField(_("含完整个人信息"), default=False,
                               help_text=_("身份证号、电话、银行账号不打码；每个写出的值记入查看日志"))
    reason = models.CharField(_("查看用途"), max_length=20, blank=True,
                              help_text=_("完整导出的用途(privacy.models.ReadReason)，记入查看日志"))
    reason_note = models.CharField(_("用途说明"), max_length=200, blank=True)
    message = models.TextField(_("说明"), blank=True)
    created_at = models.DateTimeField(_("开始时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("导出任务")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # 我的导出: WHERE created_by_id = … ORDER BY created_at DESC
            models.Index(fields=["created_by", "created_at"], name="exports_job_user_created"),
            # export_cleanup: WHERE created_at < now - retention
            models.Index(fields=["created_at"], name="exports_job_created"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(format__in=["xlsx", "csv", "zip"]), name="exports_job_format"),
        ]

    def __str__(self):
        return f"{self.title} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)

    @property
    def title(self) -> str:
        from bangfu.exports.listings import LISTINGS
        from bangfu.exports.services import PRODUCERS

        if self.listing in PRODUCERS:
            return PRODUCERS[self.listing].title(self.params)
        found = LISTINGS.get(self.listing)
        return str(found.title) if found else self.listing

    @property
    def percent(self) -> int:
        return min(100, int(100 * self.rows_done / self.rows_total)) if self.rows_total else 0

    @property
    def filename(self) -> str:
        marker = "-" + str(_("完整")) if self.full else ""
        return f"{self.title}{marker}-{timezone.localtime(self.created_at):%Y%m%d}-{self.pk}.{self.format}"
