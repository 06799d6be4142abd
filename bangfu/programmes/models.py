"""Programmes (帮扶项目) as data: who may help whom, for which period, under which obligations.

Every scheme in the seeds — cadres with poor households under "54321", a village work team,
school-to-school pairing, teacher mentoring, caring mothers and orphans — is rows in these
tables, never a model of its own.
"""

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxLengthValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from bangfu.programmes.choices import (
    Actor,
    Measure,
    PairingStatus,
    PartyKind,
    Period,
    ProgrammePeriodKind,
    ProgrammeStatus,
    Window,
    WorkStatus,
)


class Programme(models.Model):
    name = models.CharField(_("项目名称"), max_length=100)
    owner = models.ForeignKey("registry.Organization", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+", verbose_name=_("牵头单位"))
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("实施范围"))
    period_kind = models.CharField(_("周期类型"), max_length=16, choices=ProgrammePeriodKind.choices,
                                   default=ProgrammePeriodKind.CALENDAR_YEAR)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=10, choices=ProgrammeStatus.choices,
                              default=ProgrammeStatus.ACTIVE)
    helper_kinds = models.JSONField(_("帮扶方类型"), default=list)
    target_kinds = models.JSONField(_("受帮扶方类型"), default=list)
    helper_label = models.CharField(_("帮扶方称谓"), max_length=20, default="帮扶责任人",
                                    help_text=_("如：帮扶责任人、指导教师、爱心妈妈"))
    target_label = models.CharField(_("受帮扶方称谓"), max_length=20, default="帮扶对象",
                                    help_text=_("如：贫困户、新教师、孤儿"))
    activity_kinds = models.JSONField(_("活动类型"), default=list)
    # Who must be covered: targets of target_kinds[0] in the region whose attribute is one of the
    # values (e.g. households with status poor/monitored; persons with orphan = true).
    coverage_attribute = models.CharField(_("覆盖对象条件字段"), max_length=30, blank=True)
    coverage_values = models.JSONField(_("覆盖对象条件取值"), default=list, blank=True)
    description = models.TextField(_("说明"), blank=True, max_length=5000, validators=[MaxLengthValidator(5000)])
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    history = HistoricalRecords(verbose_name=_("项目变更记录"))

    class Meta:
        verbose_name = _("帮扶项目")
        verbose_name_plural = _("帮扶项目")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="programmes_programme_dates",
                                   violation_error_message=_("结束日期不能早于开始日期")),
        ]

    def __str__(self):
        return self.name


class Term(models.Model):
    """A school term (学期) with the dates the programme's schools keep; terms make academic years."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="terms", verbose_name=_("项目"))
    name = models.CharField(_("学期名称"), max_length=40)
    academic_year = models.CharField(_("学年"), max_length=20, help_text=_("如 2025-2026学年"))
    starts_on = models.DateField(_("开学日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("学期")
        ordering = ["starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "name"], name="programmes_term_name_unique",
                                    violation_error_message=_("本项目已有同名学期")),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="programmes_term_dates",
                                   violation_error_message=_("结束日期不能早于开学日期")),
        ]

    def __str__(self):
        return self.name


class CapacityRule(models.Model):
    """At most N active pairings per helper of a rank (or of any rank when rank is blank): "54321"."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="capacity_rules",
                                  verbose_name=_("项目"))
    helper_rank = models.CharField(_("帮扶人职级"), max_length=16, blank=True, help_text=_("留空表示其他所有帮扶方"))
    max_targets = models.PositiveSmallIntegerField(_("最多结对数"))

    class Meta:
        verbose_name = _("结对数上限")
        ordering = ["-max_targets"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "helper_rank"], name="programmes_capacity_rank_unique",
                                    violation_error_message=_("该职级已有结对数上限")),
        ]

    @property
    def rank_label(self) -> str:
        """The rank as offices write it (县级领导), not its code; blank is every other helper."""
        from bangfu.registry.choices import CadreRank

        return str(dict(CadreRank.choices).get(self.helper_rank, self.helper_rank)) if self.helper_rank else ""


class Obligation(models.Model):
    """At least `minimum` activities (or units) of `kind` done by `actor`, per period or inside a window.

    `period = weeks` counts every `period_weeks` weeks from each term's first day (a school
    programme) or the programme's (每两周 from the term's start), the last period of a term cut
    short at its end. The minimum may depend on the attribute named by `condition_party` and
    `condition_attribute` (a mentee's subject): `minimum_by_value` maps a value to its minimum,
    every other value owes `minimum`; `condition_values`, when set, limits who owes it at all.
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="obligations",
                                  verbose_name=_("项目"))
    name = models.CharField(_("要求名称"), max_length=100)
    actor = models.CharField(_("完成方"), max_length=8, choices=Actor.choices, default=Actor.HELPER)
    kind = models.CharField(_("活动类型"), max_length=20)
    measure = models.CharField(_("计量方式"), max_length=10, choices=Measure.choices, default=Measure.COUNT)
    minimum = models.DecimalField(_("最低要求"), max_digits=8, decimal_places=1)
    unit = models.CharField(_("单位"), max_length=10, default="次")
    period = models.CharField(_("周期"), max_length=16, choices=Period.choices, default=Period.MONTH)
    period_weeks = models.PositiveSmallIntegerField(_("周数"), null=True, blank=True,
                                                    help_text=_("周期为“每N周”时填写：如每两周填2"))
    window = models.CharField(_("时段"), max_length=20, choices=Window.choices, blank=True)
    window_before_days = models.PositiveSmallIntegerField(_("时段前天数"), default=0)
    window_after_days = models.PositiveSmallIntegerField(_("时段后天数"), default=0)
    window_starts_on = models.DateField(_("指定开始日期"), null=True, blank=True)
    window_ends_on = models.DateField(_("指定结束日期"), null=True, blank=True)
    grace_days = models.PositiveSmallIntegerField(_("宽限天数"), default=0)
    counterpart_only = models.BooleanField(_("仅计与结对方之间的活动"), default=False,
                                           help_text=_("如“听指导教师的课”：只计听结对方的课"))
    condition_party = models.CharField(_("适用条件对象"), max_length=8, choices=Actor.choices, blank=True)
    condition_attribute = models.CharField(_("适用条件字段"), max_length=30, blank=True)
    condition_values = models.JSONField(_("适用条件取值"), default=list, blank=True)
    minimum_by_value = models.JSONField(_("按条件取值的最低要求"), default=dict, blank=True,
                                        help_text=_("如语文、数学20节：其余取值按“最低要求”"))
    history = HistoricalRecords(verbose_name=_("要求变更记录"))

    class Meta:
        verbose_name = _("帮扶要求")
        verbose_name_plural = _("帮扶要求")
        ordering = ["programme", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(minimum__gt=0), name="programmes_obligation_minimum_positive",
                                   violation_error_message=_("最低要求须大于0")),
            models.CheckConstraint(condition=~Q(period="window") | ~Q(window=""),
                                   name="programmes_obligation_window_named",
                                   violation_error_message=_("指定时段的要求须选择时段")),
            models.CheckConstraint(condition=~Q(period="weeks") | Q(period_weeks__gte=1, period_weeks__lte=52),
                                   name="programmes_obligation_weeks_counted",
                                   violation_error_message=_("每N周的要求须填写周数(1—52)")),
        ]

    def __str__(self):
        return self.name

    @property
    def period_key(self) -> str:
        """The ProgrammePeriod.kind this obligation is counted over; windows have their own rows,
        every N weeks the rows of that N (`weeks2`), shared by the obligations with the same N."""
        if self.period == Period.WINDOW:
            return f"o{self.pk}"
        if self.period == Period.WEEKS:
            return f"weeks{self.period_weeks}"
        return self.period

    @property
    def period_shown(self) -> str:
        if self.period == Period.WEEKS:
            return _("每%(n)s周") % {"n": self.period_weeks}
        return self.get_period_display()

    def minimum_for(self, value) -> Decimal | None:
        """The minimum a pairing owes whose condition attribute has `value`; None if it owes nothing."""
        if self.condition_attribute and self.condition_values and value not in self.condition_values:
            return None
        if self.minimum_by_value and str(value) in self.minimum_by_value:
            return Decimal(str(self.minimum_by_value[str(value)]))
        return self.minimum


class ProgrammePeriod(models.Model):
    """The dated periods of a programme (weeks, months, terms, Spring Festival windows …).

    Kept as rows so that compliance is one join of pairings to periods in SQL; rebuilt by
    programme_periods_refresh whenever dates, terms or obligations change. Birthday windows are
    per target and computed in the query instead (one row per year here).
    """

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="periods",
                                  verbose_name=_("项目"))
    kind = models.CharField(_("周期类型"), max_length=16)  # a Period value, or "o<obligation id>" for windows
    label = models.CharField(_("名称"), max_length=40)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))

    class Meta:
        verbose_name = _("考核周期")
        ordering = ["programme", "kind", "starts_on"]
        constraints = [
            models.UniqueConstraint(fields=["programme", "kind", "starts_on"], name="programmes_period_unique"),
        ]


class Phase(models.Model):
    """A dated phase of the work plan: 调查摸底 → 制定计划 → 开展工作 → 检查验收."""

    programme = models.ForeignKey(Programme, on_delete=models.CASCADE, related_name="phases", verbose_name=_("项目"))
    name = models.CharField(_("阶段"), max_length=60)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    status = models.CharField(_("状态"), max_length=8, choices=WorkStatus.choices, default=WorkStatus.TODO)

    class Meta:
        verbose_name = _("工作阶段")
        ordering = ["programme", "starts_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="programmes_phase_dates",
                                   violation_error_message=_("结束日期不能早于开始日期")),
        ]

    def __str__(self):
        return self.name


class Task(models.Model):
    phase = models.ForeignKey(Phase, on_delete=models.CASCADE, related_name="tasks", verbose_name=_("阶段"))
    name = models.CharField(_("任务"), max_length=120)
    owner = models.CharField(_("责任人/单位"), max_length=60, blank=True)
    due_on = models.DateField(_("完成时限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=8, choices=WorkStatus.choices, default=WorkStatus.TODO)
    history = HistoricalRecords(verbose_name=_("任务变更记录"))

    class Meta:
        verbose_name = _("工作任务")
        ordering = ["phase", "due_on", "pk"]

    def __str__(self):
        return self.name


class Pairing(models.Model):
    """One helper responsible for one target inside a programme, from `starts_on` to `ends_on`.

    Helper and target are each one of several registry tables; the explicit foreign keys (not a
    generic relation) keep compliance and scope a plain join. `region` is the target's region:
    scope and roll-ups go by it. A handover ends this pairing and starts one with `previous` set.
    """

    programme = models.ForeignKey(Programme, on_delete=models.PROTECT, related_name="pairings",
                                  verbose_name=_("项目"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    # scope and roll-ups: WHERE region_id LIKE '450224%' — Django's own `…_like` index (varchar_pattern_ops,
    # PostgreSQL) beside the plain one serves it; no index of our own beside them (test_scale)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+",
                               verbose_name=_("受帮扶方所在区域"))
    helper_kind = models.CharField(_("帮扶方类型"), max_length=14, choices=PartyKind.choices)
    helper_person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="pairings_as_helper", verbose_name=_("帮扶人"))
    helper_organization = models.ForeignKey("registry.Organization", null=True, blank=True, on_delete=models.PROTECT,
                                            related_name="pairings_as_helper", verbose_name=_("帮扶单位"))
    helper_team = models.ForeignKey("registry.Team", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="pairings_as_helper", verbose_name=_("帮扶工作队"))
    target_kind = models.CharField(_("受帮扶方类型"), max_length=14, choices=PartyKind.choices)
    target_household = models.ForeignKey("registry.Household", null=True, blank=True, on_delete=models.PROTECT,
                                         related_name="pairings", verbose_name=_("帮扶户"))
    target_person = models.ForeignKey("registry.Person", null=True, blank=True, on_delete=models.PROTECT,
                                      related_name="pairings_as_target", verbose_name=_("帮扶对象(人员)"))
    target_organization = models.ForeignKey("registry.Organization", null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="pairings_as_target",
                                            verbose_name=_("受援单位"))
    target_village = models.ForeignKey("regions.Region", null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+", verbose_name=_("帮扶村"))
    helper_role = models.CharField(_("帮扶角色"), max_length=20, blank=True,
                                   help_text=_("如：第一帮扶责任人、协助帮扶人(多人帮扶一个对象时)"))
    starts_on = models.DateField(_("结对日期"))
    ends_on = models.DateField(_("结束日期"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=12, choices=PairingStatus.choices, default=PairingStatus.ACTIVE)
    end_reason = models.CharField(_("结束/移交原因"), max_length=200, blank=True)
    previous = models.OneToOneField("self", null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="next", verbose_name=_("移交自"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("登记人"))
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True)
    history = HistoricalRecords(verbose_name=_("结对变更记录"))

    class Meta:
        verbose_name = _("结对")
        verbose_name_plural = _("结对")
        ordering = ["programme", "region", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(helper_kind="person", helper_person__isnull=False, helper_organization__isnull=True,
                             helper_team__isnull=True)
                           | Q(helper_kind="organization", helper_organization__isnull=False,
                               helper_person__isnull=True, helper_team__isnull=True)
                           | Q(helper_kind="team", helper_team__isnull=False, helper_person__isnull=True,
                               helper_organization__isnull=True)),
                name="programmes_pairing_one_helper", violation_error_message=_("帮扶方须且只能填写一个")),
            models.CheckConstraint(
                condition=(Q(target_kind="household", target_household__isnull=False, target_person__isnull=True,
                             target_organization__isnull=True, target_village__isnull=True)
                           | Q(target_kind="person", target_person__isnull=False, target_household__isnull=True,
                               target_organization__isnull=True, target_village__isnull=True)
                           | Q(target_kind="organization", target_organization__isnull=False,
                               target_household__isnull=True, target_person__isnull=True,
                               target_village__isnull=True)
                           | Q(target_kind="village", target_village__isnull=False, target_household__isnull=True,
                               target_person__isnull=True, target_organization__isnull=True)),
                name="programmes_pairing_one_target", violation_error_message=_("受帮扶方须且只能填写一个")),
            models.CheckConstraint(condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                                   name="programmes_pairing_dates",
                                   violation_error_message=_("结束日期不能早于结对日期")),
            models.CheckConstraint(condition=Q(status="active") | Q(ends_on__isnull=False),
                                   name="programmes_pairing_ended_has_date",
                                   violation_error_message=_("结束的结对须有结束日期")),
        ]
        indexes = [
            models.Index(fields=["county_code", "programme", "status"], name="programmes_pairing_cnty_prog"),
            models.Index(fields=["programme", "helper_person"], name="programmes_pairing_helper_p",
                         condition=Q(status="active")),
        ]

    def __str__(self):
        return f"{self.helper_name} → {self.target_name}"

    @property
    def helper(self):
        return self.helper_person or self.helper_organization or self.helper_team

    @property
    def target(self):
        return self.target_household or self.target_person or self.target_organization or self.target_village

    @property
    def helper_name(self) -> str:
        return str(self.helper) if self.helper else ""

    @property
    def helper_unit(self):
        """The unit the helper belongs to (a person's or a team's organization), or the helping unit itself."""
        if self.helper_person_id:
            return self.helper_person.organization
        if self.helper_team_id:
            return self.helper_team.organization
        return self.helper_organization

    @property
    def target_name(self) -> str:
        if self.target_household_id:
            head = self.target_household.head
            return f"{head.name if head else ''}户({self.target_household.number})"
        return str(self.target) if self.target else ""


class Exemption(models.Model):
    """A pairing excused from one obligation (or all) for dates: leave, household moved away."""

    pairing = models.ForeignKey(Pairing, on_delete=models.PROTECT, related_name="exemptions", verbose_name=_("结对"))
    county_code = models.CharField(_("县级代码"), max_length=6, editable=False)
    obligation = models.ForeignKey(Obligation, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                   verbose_name=_("要求"), help_text=_("留空表示全部要求"))
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    reason = models.CharField(_("原因"), max_length=200)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    verbose_name=_("批准人"))
    approved_at = models.DateTimeField(_("批准时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("免除")
        constraints = [
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="programmes_exemption_dates",
                                   violation_error_message=_("结束日期不能早于开始日期")),
        ]


class ReferenceStamp(models.Model):
    """One row: a random stamp that triggers in the database renew whenever the regions, programmes,
    obligations, their periods or exemptions change; processes keep what they read of those while it
    stands (bangfu/reference.py)."""

    id = models.PositiveSmallIntegerField(primary_key=True)
    stamp = models.CharField(max_length=32)
