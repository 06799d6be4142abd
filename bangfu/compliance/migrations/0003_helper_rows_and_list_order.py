"""The summary's ended periods folded per helper and village (ComplianceHelper: the roll-ups by
helper, organization and team), and the lists' order on the per-pairing rows; the helper rows are
folded from the summary already there."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """Fold the helper rows from the existing summary with the current code's rule (a new database
    has nothing to do)."""
    if not apps.get_model("compliance", "ComplianceDone").objects.exists():
        return
    from bangfu.compliance.summary import _area_insert, _folded
    from bangfu.programmes.models import Obligation

    for obligation in _folded(Obligation.objects.order_by("pk")):
        _area_insert(obligation, helpers=True)


class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0002_done_latest_activity_day'),
        ('programmes', '0004_merge_20261203_0200'),
    ]

    operations = [
        migrations.CreateModel(
            name='ComplianceHelper',
            fields=[
                ('county_code', models.CharField(max_length=6, verbose_name='县级代码')),
                ('pk', models.CompositePrimaryKey('county_code', 'obligation', 'region_id', 'helper_kind', 'helper_id', 'period', blank=True, editable=False, primary_key=True, serialize=False)),
                ('region_id', models.CharField(max_length=12, verbose_name='受帮扶方所在区域')),
                ('helper_kind', models.CharField(max_length=14, verbose_name='帮扶方类型')),
                ('helper_id', models.IntegerField(verbose_name='帮扶方')),
                ('helper_person_id', models.IntegerField(null=True, verbose_name='帮扶人')),
                ('helper_organization_id', models.IntegerField(null=True, verbose_name='帮扶单位')),
                ('helper_team_id', models.IntegerField(null=True, verbose_name='帮扶工作队')),
                ('programme_id', models.IntegerField(verbose_name='项目')),
                ('period_ends_on', models.DateField(verbose_name='周期结束日期')),
                ('total', models.IntegerField(verbose_name='应完成')),
                ('met', models.IntegerField(verbose_name='已完成')),
                ('exempt', models.IntegerField(verbose_name='已免除')),
                ('shortfall', models.FloatField(verbose_name='差额')),
                ('obligation', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.obligation', verbose_name='要求')),
                ('period', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.programmeperiod', verbose_name='考核周期')),
            ],
            options={
                'verbose_name': '落实情况分帮扶方汇总',
                'verbose_name_plural': '落实情况分帮扶方汇总',
            },
        ),
        migrations.AddIndex(
            model_name='compliancedone',
            index=models.Index(fields=['county_code', 'obligation', 'done', '-period_starts_on', 'pairing'], name='compliance_done_order'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
