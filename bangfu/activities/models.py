"""Activities: what a helper (or the target) did within a pairing. Append-only.

A correction is a new row with `supersedes` pointing at the row it replaces (or withdraws);
both stay. "Current" activities are those no other row supersedes.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from bangfu.programmes.choices import Actor

NOTE_MAX = 2000  # characters of an activity's content or outcome

# Kinds that obligations count most; each gets a partial index that answers the compliance
# query "activities of pairing P of kind K between two dates" from the index alone
# (PERFORMANCE.md: 33 s → 1.2 s at province scale came from this shape).
INDEXED_KINDS = {"走访": "visit", "入户": "home", "慰问": "greet", "电话联系": "phone", "听课": "observe",
                 "送教": "outreach", "谈心": "talk"}


class Activity(models.Model):
    pairing = models.ForeignKey("programmes.Pairing", on_delete=models.PROTECT, related_name="activities",
                                verbose_name=_("结对"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    # indexed by Django, on PostgreSQL twice: the plain index and a varchar_pattern_ops twin (`…_like`)
    # for the scope's LIKE '4502%' — no index of our own beside them (test_scale: no duplicate indexes)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("受帮扶方所在区域"), editable=False)
    group = models.UUIDField(_("同一次活动"), editable=False,
                             help_text=_("一次活动涉及多个结对时，各条记录共用此编号"))
    kind = models.CharField(_("活动类型"), max_length=20)
    occurred_on = models.DateField(_("活动日期"))
    actor = models.CharField(_("完成方"), max_length=8, choices=Actor.choices, default=Actor.HELPER)
    with_counterpart = models.BooleanField(_("与结对方共同完成"), default=True,
                                           help_text=_("如听的是指导教师的课、走访的是结对户本户"))
    quantity = models.DecimalField(_("数量"), max_digits=8, decimal_places=1, default=Decimal("1"))
    unit = models.CharField(_("单位"), max_length=10, default="次")
    # A visit's note is a few sentences; the limit keeps a pasted document (or a 1 MB probe) out.
    # A TextField's max_length bounds only its form field, so the validator bounds the model.
    content = models.TextField(_("活动内容"), max_length=NOTE_MAX, validators=[MaxLengthValidator(NOTE_MAX)])
    outcome = models.TextField(_("成效/解决问题"), blank=True, max_length=NOTE_MAX,
                               validators=[MaxLengthValidator(NOTE_MAX)])
    place = models.CharField(_("地点"), max_length=120, blank=True)
    supersedes = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="superseded_by", verbose_name=_("更正的记录"))
    withdrawn = models.BooleanField(_("撤销原记录"), default=False,
                                    help_text=_("更正记录为撤销时，本条与原记录都不计入"))
    correction_reason = models.CharField(_("更正原因"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("记录人"))
    recorded_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶活动")
        verbose_name_plural = _("帮扶活动")
        ordering = ["-occurred_on", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gte=0), name="activities_activity_quantity_positive",
                                   violation_error_message=_("数量不能为负")),
            models.CheckConstraint(condition=Q(withdrawn=False) | Q(supersedes__isnull=False),
                                   name="activities_activity_withdraw_needs_original"),
        ]
        indexes = [
            models.Index(fields=["pairing", "kind", "occurred_on"], name="activities_pairing_kind_date"),
            models.Index(fields=["county_code", "occurred_on"], name="activities_county_date"),
            # compliance: NOT EXISTS (… WHERE supersedes_id = a.id AND supersedes_id IS NOT NULL) reads
            # only the few corrections instead of a unique index holding a NULL for every row
            models.Index(fields=["supersedes"], condition=Q(supersedes__isnull=False), name="activities_superseded"),
            *[models.Index(fields=["pairing", "occurred_on"], condition=Q(kind=kind),
                           name=f"activities_{slug}_pair_date") for kind, slug in INDEXED_KINDS.items()],
        ]

    def __str__(self):
        return f"{self.occurred_on} {self.kind}"

    def save(self, *args, **kwargs):
        # Integrity, not a business rule: an activity is never rewritten (DESIGN.md: append-only).
        if not self._state.adding:
            raise RuntimeError("Activity is append-only; record a correction with activity_correct()")
        super().save(*args, **kwargs)


def evidence_path(instance, filename: str) -> str:
    return f"evidence/{instance.county_code}/{instance.activity_id}/{filename}"


class Evidence(models.Model):
    """A photo or file proving an activity; EXIF time and position kept as read at upload."""

    activity = models.ForeignKey(Activity, on_delete=models.PROTECT, related_name="evidence",
                                 verbose_name=_("活动"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    file = models.FileField(_("文件"), upload_to=evidence_path, max_length=200)
    name = models.CharField(_("原文件名"), max_length=120)
    content_type = models.CharField(_("文件类型"), max_length=100)  # .xlsx: 65 characters
    size = models.PositiveIntegerField(_("大小(字节)"))
    taken_at = models.DateTimeField(_("拍摄时间"), null=True, blank=True)
    latitude = models.DecimalField(_("纬度"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("经度"), max_digits=9, decimal_places=6, null=True, blank=True)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("上传人"))
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("佐证材料")
        verbose_name_plural = _("佐证材料")
        ordering = ["activity", "pk"]

    def __str__(self):
        return self.name
