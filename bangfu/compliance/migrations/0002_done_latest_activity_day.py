"""The summary keeps the latest day it counted (`last_on`), so that a day asked before it is counted
from the activities: the existing summary is rebuilt with it."""

from django.db import migrations, models


def fill(apps, schema_editor):
    """Rebuild the summary from the data already there with the current code's rule (the one the
    selectors read by); a new database has nothing to do. This is the summary's only fill: 0001's
    would run today's rebuild against a table without this column."""
    if not apps.get_model("programmes", "Obligation").objects.exists():
        return
    from bangfu.compliance.summary import summary_rebuild

    summary_rebuild(folded_later=False)  # the helper rows' table comes in 0003, the townships' in 0004


class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0001_done_summary'),
        ('programmes', '0003_obligation_weeks_and_minimum_by_value'),  # the rebuild reads obligations as they are now
    ]

    operations = [
        migrations.AddField(
            model_name='compliancedone',
            name='last_on',
            field=models.DateField(null=True, verbose_name='最近活动日期'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
