"""Cases moving through a procedure, their steps, the office's holiday table, public notices
and objections. Cases, steps and notice entries grow with population: they carry county_code."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Holiday(models.Model):
    """A day the office declares off (a statutory holiday) or on (a 调休 make-up working day).
    Rows override the chinesecalendar package; a year with any row here counts as known even
    when the package does not know it (then the remaining days follow Monday–Friday)."""

    day = models.DateField(_("日期"), unique=True)
    working = models.BooleanField(_("上班"), default=False, help_text=_("勾选表示调休上班日；不勾选表示放假"))
    name = models.CharField(_("名称"), max_length=40, blank=True, help_text=_("如 春节、国庆节"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("录入人"))
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("节假日")
        verbose_name_plural = _("节假日")
        ordering = ["day"]

    def __str__(self):
        return f"{self.day} {self.name}"


class Case(models.Model):
    """One subject (an application, a household's identification …) in one procedure."""

    definition = models.CharField(_("流程"), max_length=40)
    subject_kind = models.CharField(_("办理对象类型"), max_length=40)
    subject_id = models.BigIntegerField(_("办理对象编号"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("所在区域"))
    state = models.CharField(_("状态"), max_length=30)
    entered_on = models.DateField(_("进入本状态日期"))
    due_on = models.DateField(_("本状态办理期限"), null=True, blank=True)
    opened_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("发起人"))
    opened_at = models.DateTimeField(_("发起时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("办理事项")
        verbose_name_plural = _("办理事项")
        constraints = [
            models.UniqueConstraint(fields=["county_code", "definition", "subject_kind", "subject_id"],
                                    name="procedures_case_subject_unique"),
        ]
        indexes = [
            models.Index(fields=["region"], name="procedures_case_region", opclasses=["varchar_pattern_ops"]),
            # overdue list: open cases whose due date has passed, per county
            models.Index(fields=["county_code", "due_on"], condition=Q(due_on__isnull=False),
                         name="procedures_case_cnty_due"),
            models.Index(fields=["definition", "state"], name="procedures_case_def_state"),
        ]

    def __str__(self):
        return f"{self.definition}#{self.pk} {self.state}"


class Step(models.Model):
    """A transition taken: who, when, from and to, and why. Append-only."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="steps", verbose_name=_("办理事项"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    transition = models.CharField(_("操作"), max_length=30)
    from_state = models.CharField(_("原状态"), max_length=30, blank=True)
    to_state = models.CharField(_("新状态"), max_length=30)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                           verbose_name=_("办理人"))
    at = models.DateTimeField(_("办理时间"), auto_now_add=True)
    on = models.DateField(_("办理日期"))
    comment = models.TextField(_("意见"), blank=True)

    class Meta:
        verbose_name = _("办理记录")
        verbose_name_plural = _("办理记录")
        ordering = ["case", "pk"]
        indexes = [models.Index(fields=["county_code", "on"], name="procedures_step_cnty_on")]


class Notice(models.Model):
    """A public notice (公示) posted in a region for an open period; its cases may not move past
    the notice until the period has ended and every objection is resolved."""

    definition = models.CharField(_("流程"), max_length=40)
    title = models.CharField(_("标题"), max_length=120)
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("公示地点"))
    starts_on = models.DateField(_("公示开始"))
    ends_on = models.DateField(_("公示结束"))
    cases = models.ManyToManyField(Case, through="NoticeEntry", related_name="notices", verbose_name=_("公示事项"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("发布人"))
    created_at = models.DateTimeField(_("发布时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("公示")
        verbose_name_plural = _("公示")
        ordering = ["-starts_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                   name="procedures_notice_period_ordered",
                                   violation_error_message=_("公示结束日期不能早于开始日期")),
        ]

    def __str__(self):
        return self.title


class NoticeEntry(models.Model):
    notice = models.ForeignKey(Notice, on_delete=models.CASCADE, related_name="entries")
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notice_entries")
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["county_code", "notice", "case"],
                                               name="procedures_noticeentry_unique")]


class Objection(models.Model):
    """An objection to a notice (about one case, or the notice as a whole), recorded and resolved."""

    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections", verbose_name=_("公示"))
    case = models.ForeignKey(Case, null=True, blank=True, on_delete=models.PROTECT, related_name="objections",
                             verbose_name=_("针对事项"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    raised_on = models.DateField(_("提出日期"))
    raised_by = models.CharField(_("提出人"), max_length=40, blank=True, help_text=_("可匿名"))
    content = models.TextField(_("异议内容"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("登记人"))
    recorded_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    resolved_on = models.DateField(_("处理日期"), null=True, blank=True)
    resolution = models.TextField(_("处理结果"), blank=True)
    resolved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("处理人"))

    class Meta:
        verbose_name = _("公示异议")
        verbose_name_plural = _("公示异议")
        ordering = ["notice", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(resolved_on__isnull=True) | ~Q(resolution=""),
                                   name="procedures_objection_resolution_given",
                                   violation_error_message=_("处理异议须写明处理结果")),
        ]
