from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ImportStatus(models.TextChoices):
    OPENING = "opening", _("读取文件中")
    UPLOADED = "uploaded", _("待核对表头")
    CHECKING = "checking", _("校验中")
    CHECKED = "checked", _("校验通过")
    INVALID = "invalid", _("有错误")
    IMPORTING = "importing", _("导入中")
    DONE = "done", _("已导入")
    FAILED = "failed", _("失败")


class ImportJob(models.Model):
    """One uploaded file on its way into the registry: mapping, dry run, import, report."""

    register = models.CharField(_("台账"), max_length=20)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, verbose_name=_("上传人"),
                                   related_name="+")
    created_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    original_name = models.CharField(_("文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to="imports/%Y/%m/")
    headers = models.JSONField(_("表头"), default=list)
    header_row = models.PositiveIntegerField(_("表头所在行"), default=1)
    mapping = models.JSONField(_("表头对应"), default=dict, help_text=_("台账列 → 文件第几列(从0起)"))
    samples = models.JSONField(_("各列示例值"), default=list, help_text=_("表头下前几行中每列的几个值：列出未导入的列时用"))
    status = models.CharField(_("状态"), max_length=12, choices=ImportStatus.choices, default=ImportStatus.UPLOADED)
    dry_run = models.BooleanField(_("仅校验"), default=True)
    rows_total = models.PositiveIntegerField(_("总行数(估计)"), default=0)
    rows = models.PositiveIntegerField(_("数据行数"), default=0)
    error_total = models.PositiveIntegerField(_("错误数"), default=0)
    error_counts = models.JSONField(_("各类错误数"), default=dict)
    error_sample = models.JSONField(_("前若干处错误"), default=list,
                                    help_text=_("按行号排在最前的错误：行、列、说明；全部错误见错误报告"))
    counts = models.JSONField(_("新增/更新/未变"), default=dict)
    report = models.FileField(_("错误报告"), upload_to="imports/reports/%Y/%m/", blank=True)
    message = models.TextField(_("说明"), blank=True)
    language = models.CharField(_("语言"), max_length=10, blank=True,
                                help_text=_("发起人当时使用的界面语言：后台任务的说明、表头和报告用它"))
    started_at = models.DateTimeField(_("开始处理时间"), null=True, blank=True,
                                      help_text=_("后台进程接手的时间；排队时为空"))
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)
    programme = models.ForeignKey("programmes.Programme", on_delete=models.CASCADE, null=True, blank=True,
                                  related_name="+", verbose_name=_("帮扶项目"),
                                  help_text=_("结对名册的上传：按名册给这个项目批量结对(programmes/register.py)"))

    class Meta:
        verbose_name = _("导入任务")
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "created_at"], name="imports_job_user_created")]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def running(self) -> bool:
        return self.status in (ImportStatus.OPENING, ImportStatus.CHECKING, ImportStatus.IMPORTING)
