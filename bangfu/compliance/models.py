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


class ComplianceDone(models.Model):
    # county_code leads the key: the partition key and distribution column (DESIGN.md, Scale).
    pk = models.CompositePrimaryKey("county_code", "obligation", "pairing", "period")
    county_code = models.CharField(_("县级代码"), max_length=6)
    # No database constraints: the services and the rebuild keep the rows right, and 10^7 rows
    # loaded at once would pay three foreign-key checks each. Deleting a pairing or obligation
    # still deletes its rows (Django cascades); periods are only deleted by
    # programme_periods_refresh, which rebuilds the programme's rows right after (one DELETE by
    # programme instead of a second one by period).
    obligation = models.ForeignKey("programmes.Obligation", on_delete=models.CASCADE, db_constraint=False,
                                   related_name="+", verbose_name=_("要求"))
    pairing = models.ForeignKey("programmes.Pairing", on_delete=models.CASCADE, db_constraint=False,
                                related_name="+", verbose_name=_("结对"))
    period = models.ForeignKey("programmes.ProgrammePeriod", on_delete=models.DO_NOTHING, db_constraint=False,
                               related_name="+", verbose_name=_("考核周期"))
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
    exempt = models.SmallIntegerField(_("已免除"))

    class Meta:
        verbose_name = _("落实情况汇总")
        verbose_name_plural = _("落实情况汇总")
        indexes = [
            # the services refresh one pairing's rows after each write
            models.Index(fields=["pairing"], name="compliance_done_pairing"),
        ]
