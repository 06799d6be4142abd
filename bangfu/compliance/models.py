"""What was done per pairing, obligation and period: the compliance summary.

One row for every period of an obligation that a pairing's dates overlap (so for every period
the pairing could owe, whatever the day the question is asked), with what was done in it and
whether an exemption covers it. It holds no status: status, the share due by now and who owes
the period under way depend on the day asked and are computed from these rows by the
selectors (compliance/selectors.py). Kept current inside the writing transaction by the
services (compliance/summary.py); `bangfu compliance_rebuild` rebuilds it from the activities.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class _SummaryRow(models.Model):
    """The key columns both summary tables share. No database constraints: the services and the
    rebuild keep the rows right, and 10^7 rows loaded at once would pay a foreign-key check per
    column each. Deleting a pairing or obligation still deletes its rows (Django cascades);
    periods are only deleted by programme_periods_refresh, which rebuilds the programme's rows
    right after (one DELETE by programme instead of a second one by period)."""

    # county_code leads the keys: the partition key and distribution column (DESIGN.md, Scale).
    county_code = models.CharField(_("县级代码"), max_length=6)
    obligation = models.ForeignKey("programmes.Obligation", on_delete=models.CASCADE, db_constraint=False,
                                   related_name="+", verbose_name=_("要求"))
    period = models.ForeignKey("programmes.ProgrammePeriod", on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+", verbose_name=_("考核周期"))

    class Meta:
        abstract = True


class ComplianceDone(_SummaryRow):
    """What was done by one pairing in one period of one obligation (the module's docstring)."""

    pk = models.CompositePrimaryKey("county_code", "obligation", "period", "pairing")
    pairing = models.ForeignKey("programmes.Pairing", on_delete=models.CASCADE, db_constraint=False,
                                related_name="+", verbose_name=_("结对"), db_index=False)  # compliance_done_pairing
    # Copied from the pairing and the period so that a roll-up reads this table alone.
    programme_id = models.IntegerField(_("项目"))
    region_id = models.CharField(_("受帮扶方所在区域"), max_length=12)
    helper_person_id = models.IntegerField(_("帮扶人"), null=True)
    helper_organization_id = models.IntegerField(_("帮扶单位"), null=True)
    helper_team_id = models.IntegerField(_("帮扶工作队"), null=True)
    pairing_starts_on = models.DateField(_("结对日期"))
    pairing_ends_on = models.DateField(_("结束日期"), null=True)
    period_starts_on = models.DateField(_("周期开始日期"))
    period_ends_on = models.DateField(_("周期结束日期"))
    done = models.FloatField(_("已完成"))
    # The latest day among the activities counted in `done`: a day asked before it reads what was
    # done by then from the activities instead (compliance/selectors.py).
    last_on = models.DateField(_("最近活动日期"), null=True)
    exempt = models.SmallIntegerField(_("已免除"))

    class Meta:
        verbose_name = _("落实情况汇总")
        verbose_name_plural = _("落实情况汇总")
        indexes = [
            # the services refresh one pairing's rows after each write
            models.Index(fields=["pairing"], name="compliance_done_pairing"),
            # a village's rows, folded into ComplianceArea after each write there
            models.Index(fields=["region_id", "obligation"], name="compliance_done_village"),
            # the lists' pages: a county's rows of one obligation, most behind first (selectors._page_sql)
            models.Index(fields=["county_code", "obligation", "done", "-period_starts_on", "pairing"],
                         name="compliance_done_order"),
        ]


class _FoldedRow(_SummaryRow):
    """The counts both folded tables keep per (obligation, period, village[, helper]) of ended periods."""

    region_id = models.CharField(_("受帮扶方所在区域"), max_length=12)
    programme_id = models.IntegerField(_("项目"))
    period_ends_on = models.DateField(_("周期结束日期"))
    total = models.IntegerField(_("应完成"))
    met = models.IntegerField(_("已完成"))
    exempt = models.IntegerField(_("已免除"))
    shortfall = models.FloatField(_("差额"))

    class Meta:
        abstract = True


class ComplianceArea(_FoldedRow):
    """The summary's ended periods counted per village: what a region, programme or obligation
    roll-up reads for every period that has ended by the day asked.

    Once a period has ended, who owes it (the pairing active on its last day), whether it was
    met and the shortfall no longer depend on the day asked — only overdue versus behind does
    (the grace days), and that is decided per period row by the selector. So the rows of a
    county's ended periods fold into one row per (obligation, period, village): tens of rows
    per village instead of one per pairing and period. Kept from ComplianceDone by the same
    refreshes (compliance/summary.py); obligations with a condition are not folded (their
    pairings are chosen by the condition at read time).
    """

    pk = models.CompositePrimaryKey("county_code", "obligation", "period", "region_id")

    class Meta:
        verbose_name = _("落实情况分村汇总")
        verbose_name_plural = _("落实情况分村汇总")
        indexes = [
            # a village's rows (refolded after each write there) and a township's (summed into ComplianceTownship)
            models.Index(fields=["county_code", "obligation", "region_id"], name="compliance_area_village"),
        ]


class ComplianceTownship(_FoldedRow):
    """ComplianceArea's village rows summed per township (`region_id`: the first nine digits of the
    villages' codes): what a roll-up reads for the ended periods when it needs no village apart — a
    county's by township, a city's or province's by county or city, any region's by programme or
    obligation (compliance/selectors.py). A county's ended periods are a few thousand such rows
    instead of one per village: a quarter as many in the demo county. Refolded from the village rows
    of the townships a write touched, in the same transaction (compliance/summary.py)."""

    pk = models.CompositePrimaryKey("county_code", "obligation", "period", "region_id")

    class Meta:
        verbose_name = _("落实情况分乡镇汇总")
        verbose_name_plural = _("落实情况分乡镇汇总")


class ComplianceHelper(_FoldedRow):
    """The summary's ended periods counted per helper and village: what a roll-up by helper,
    organization or team reads for every period that has ended by the day asked — as
    ComplianceArea does for regions, programmes and obligations, one row per (obligation, period,
    village, helper) instead of one per pairing and period. The helper's organization, when the
    helper is a person, is read from the person at the time asked (it may change), not kept here.
    Kept by the same refreshes as ComplianceArea (compliance/summary.py)."""

    # a helper's rows in a village together: they are refolded (deleted) together after a write there
    pk = models.CompositePrimaryKey("county_code", "obligation", "region_id", "helper_kind", "helper_id", "period")
    # the pairing's helper: its kind and id (the key), and the id again in the column of its kind
    helper_kind = models.CharField(_("帮扶方类型"), max_length=14)
    helper_id = models.IntegerField(_("帮扶方"))
    helper_person_id = models.IntegerField(_("帮扶人"), null=True)
    helper_organization_id = models.IntegerField(_("帮扶单位"), null=True)
    helper_team_id = models.IntegerField(_("帮扶工作队"), null=True)

    class Meta:
        verbose_name = _("落实情况分帮扶方汇总")
        verbose_name_plural = _("落实情况分帮扶方汇总")
