"""Cross-checks (数据比对): lists other departments keep, matched against the registry's members
by the keyed hash of the ID number, and the clues (疑点线索) the matches raise.

A list entry keeps no ID number at all, only its keyed hash (the same HMAC the registry's
`Person.id_hash` holds), so a list is matched without any number being decrypted or shown.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ListSource(models.TextChoices):
    VEHICLE = "vehicle", _("车辆登记")
    BUSINESS = "business", _("工商注册")
    CIVIL_SERVANT = "civil_servant", _("公职人员")
    HOUSING = "housing", _("购买商品房")
    DEATH = "death", _("死亡人员")
    DIBAO = "dibao", _("低保对象")
    REVIEW = "review", _("核查发现")  # a clue entered by hand from a field review, no list behind it


class ClueStatus(models.TextChoices):
    OPEN = "open", _("待核查")
    ASSIGNED = "assigned", _("核查中")
    VERIFIED = "verified", _("已核实")
    CLOSED = "closed", _("已办结")
    EXEMPTED = "exempted", _("已豁免")


class Finding(models.TextChoices):
    WRONG_IDENTIFICATION = "wrong_identification", _("确认错评")
    WRONG_EXIT = "wrong_exit", _("确认错退")
    MISSED = "missed", _("确认漏评")
    DATA_ERROR = "data_error", _("信息有误(已更正)")
    CLEARED = "cleared", _("经核实无问题")


class ListEntry(models.Model):
    """One person on a department's list. Keyed on county, list and ID hash: loading the same list
    again finds every entry unchanged."""

    source = models.CharField(_("名单类别"), max_length=16, choices=ListSource.choices)
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("所在区域"))
    name = models.CharField(_("姓名"), max_length=40)
    id_hash = models.BinaryField(_("身份证号检索摘要"), max_length=32, editable=False)
    detail = models.CharField(_("名单内容"), max_length=200, blank=True)
    loaded_at = models.DateTimeField(_("导入时间"))
    loaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                  verbose_name=_("导入人"))

    class Meta:
        verbose_name = _("比对名单条目")
        constraints = [
            models.UniqueConstraint(fields=["county_code", "source", "id_hash"], name="crosschecks_entry_unique"),
        ]
        indexes = [models.Index(fields=["id_hash"], name="crosschecks_entry_hash"),
                   models.Index(fields=["region"], name="crosschecks_entry_region", opclasses=["varchar_pattern_ops"])]

    def __str__(self):
        return f"{self.get_source_display()} · {self.name}"


class Clue(models.Model):
    """A 疑点线索: a registered member found on a list (or a list entry no member matches, for the
    低保 list: a suspected 漏评), or a finding of a field review; assigned, verified in the field,
    closed with a finding and evidence, or exempted with its reason."""

    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+", db_index=False,
                               verbose_name=_("所在村"))
    source = models.CharField(_("线索来源"), max_length=16, choices=ListSource.choices)
    household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("户"))
    person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("人员"))
    entry = models.ForeignKey(ListEntry, null=True, blank=True, on_delete=models.PROTECT, related_name="clues",
                              verbose_name=_("名单条目"))
    description = models.CharField(_("疑点"), max_length=200, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=ClueStatus.choices, default=ClueStatus.OPEN)
    raised_at = models.DateTimeField(_("发现时间"))
    assignee = models.CharField(_("核查人(单位)"), max_length=60, blank=True)
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+", verbose_name=_("核查账号"))
    assigned_on = models.DateField(_("交办日期"), null=True, blank=True)
    verified_on = models.DateField(_("核查日期"), null=True, blank=True)
    verification = models.CharField(_("核查情况"), max_length=500, blank=True)
    finding = models.CharField(_("核查结论"), max_length=20, choices=Finding.choices, blank=True)
    evidence = models.FileField(_("佐证材料"), upload_to="clues/%Y/", blank=True)
    evidence_note = models.CharField(_("佐证说明"), max_length=200, blank=True)
    closed_on = models.DateField(_("办结日期"), null=True, blank=True)
    exempt_reason = models.CharField(_("豁免理由"), max_length=200, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", verbose_name=_("办结人"))
    history = HistoricalRecords(verbose_name=_("线索办理记录"), excluded_fields=["evidence"],
                                no_db_index=["region", "household", "person", "entry", "assigned_to", "closed_by"])

    class Meta:
        verbose_name = _("疑点线索")
        ordering = ["county_code", "region_id", "pk"]
        constraints = [
            # One clue per member and list: matching again (a list loaded twice) raises nothing new.
            models.UniqueConstraint(fields=["county_code", "source", "person"], condition=Q(person__isnull=False),
                                    name="crosschecks_clue_person_unique"),
            models.UniqueConstraint(fields=["county_code", "entry"], condition=Q(person__isnull=True, entry__isnull=False),
                                    name="crosschecks_clue_entry_unique"),
            models.CheckConstraint(condition=~Q(status="closed") | (~Q(finding="") & Q(closed_on__isnull=False)),
                                   name="crosschecks_clue_closed_has_finding"),
            models.CheckConstraint(condition=~Q(status="exempted") | (~Q(exempt_reason="") & Q(closed_on__isnull=False)),
                                   name="crosschecks_clue_exempted_has_reason"),
        ]
        indexes = [models.Index(fields=["region"], name="crosschecks_clue_region", opclasses=["varchar_pattern_ops"]),
                   models.Index(fields=["county_code", "status"], name="crosschecks_clue_cnty_status"),
                   models.Index(fields=["county_code", "finding", "closed_on"], name="crosschecks_clue_finding")]

    def __str__(self):
        return f"{self.get_source_display()} · {self.person or self.entry}"
