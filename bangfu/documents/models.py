"""Documents: the Word templates offices replace, and a record of every document generated.

A template row is one version of one kind's template for one region's offices; the newest row of a
(kind, region) is the one in use, and an empty file means "the shipped default" (a revert). Rows are
never changed or deleted, so a recorded document names the exact template it was made from.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


def template_path(instance, filename: str) -> str:
    return f"document-templates/{instance.region_id}/{instance.kind}-v{instance.version}.docx"


class DocumentTemplate(models.Model):
    kind = models.CharField(_("文书类型"), max_length=30)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("适用区域"), help_text=_("本区域及下级区域的办公室使用此模板"))
    version = models.PositiveIntegerField(_("版本"))
    file = models.FileField(_("模板文件"), upload_to=template_path, max_length=200, blank=True,
                            help_text=_("为空表示恢复为系统默认模板"))
    name = models.CharField(_("原文件名"), max_length=120, blank=True)
    sha256 = models.CharField(_("文件摘要"), max_length=64, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                    verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("文书模板")
        verbose_name_plural = _("文书模板")
        ordering = ["kind", "region", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["kind", "region", "version"], name="documents_template_version_unique"),
        ]

    def __str__(self):
        return f"{self.kind} {self.region_id} v{self.version}"

    @property
    def is_default(self) -> bool:
        return not self.file

    @property
    def label(self) -> str:
        from bangfu.regions.models import prefix_of

        return f"{prefix_of(self.region_id)}-v{self.version}"


class DocumentFormat(models.TextChoices):
    DOCX = "docx", "Word (.docx)"
    PDF = "pdf", "PDF"


class Document(models.Model):
    """One generated document: what, about whom, as of when, from which template and which data.

    `data_sha256` is the SHA-256 of the data the document was filled with (canonical JSON); the same
    kind, subject, date, options and template give the same data and the same file again."""

    kind = models.CharField(_("文书类型"), max_length=30)
    subject = models.CharField(_("对象"), max_length=40, help_text=_("户、工作队、区域或结对的编号"))
    title = models.CharField(_("标题"), max_length=200)
    county_code = models.CharField(_("县级代码"), max_length=6, blank=True)
    scope_prefix = models.CharField(_("生成人管辖范围"), max_length=12, blank=True)
    as_of = models.DateField(_("数据截止日期"))
    params = models.JSONField(_("选项"), default=dict, blank=True)
    format = models.CharField(_("格式"), max_length=4, choices=DocumentFormat.choices)
    full = models.BooleanField(_("含完整个人信息"), default=False)
    template = models.ForeignKey(DocumentTemplate, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("模板"), help_text=_("为空表示系统默认模板"))
    template_version = models.CharField(_("模板版本"), max_length=40)
    data_sha256 = models.CharField(_("数据摘要"), max_length=64)
    file_sha256 = models.CharField(_("文件摘要"), max_length=64)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("生成人"))
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("已生成文书")
        verbose_name_plural = _("已生成文书")
        ordering = ["-created_at", "-pk"]
        indexes = [
            # 最近生成的文书: WHERE created_by_id = … ORDER BY created_at DESC
            models.Index(fields=["created_by", "created_at"], name="documents_doc_user_created"),
            models.Index(fields=["kind", "subject"], name="documents_doc_kind_subject"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(format__in=["docx", "pdf"]), name="documents_document_format"),
        ]

    def __str__(self):
        return self.title


class WorkPlanStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    ISSUED = "issued", _("已印发")


class WorkPlan(models.Model):
    """A yearly work plan (工作计划) of one programme, drafted by an office from the programme's
    configuration, its text sections edited on a page, then issued: an issued plan is a numbered
    version (1, 2 … per programme, region and year) that never changes; a revision is a new draft."""

    programme = models.ForeignKey("programmes.Programme", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("帮扶项目"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("制定单位所在区域"))
    year = models.PositiveSmallIntegerField(_("年度"))
    status = models.CharField(_("状态"), max_length=8, choices=WorkPlanStatus.choices, default=WorkPlanStatus.DRAFT)
    version = models.PositiveIntegerField(_("版本"), null=True, blank=True, help_text=_("印发时编号"))
    sections = models.JSONField(_("正文各节"), default=dict)
    data = models.JSONField(_("印发时的项目配置"), default=dict, blank=True,
                            help_text=_("印发时从项目配置取得的要求、阶段、任务和分工，此后不再变化"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("起草人"))
    created_at = models.DateTimeField(_("起草时间"), auto_now_add=True)
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("印发人"))
    issued_on = models.DateField(_("印发日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("工作计划")
        verbose_name_plural = _("工作计划")
        ordering = ["-year", "programme", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "region", "year", "version"],
                                    name="documents_workplan_version_unique"),
            models.CheckConstraint(condition=models.Q(status="draft") | models.Q(version__isnull=False,
                                                                               issued_on__isnull=False),
                                   name="documents_workplan_issued_numbered"),
        ]

    def __str__(self):
        return f"{self.year} {self.programme_id} v{self.version or '-'}"
