"""The summary's ended periods summed per township (ComplianceTownship), folded from the village
rows already there, and the village rows indexed by village (read by the refolds after a write)."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """Sum the existing village rows per township with the current code's rule (a new database has
    nothing to do)."""
    if not apps.get_model("compliance", "ComplianceArea").objects.exists():
        return
    from bangfu.compliance.summary import _folded, _township_insert
    from bangfu.programmes.models import Obligation

    for obligation in _folded(Obligation.objects.order_by("pk")):
        _township_insert(obligation)


class Migration(migrations.Migration):

    dependencies = [
        ('compliance', '0003_helper_rows_and_list_order'),
        ('programmes', '0005_reference_stamp'),
    ]

    operations = [
        migrations.CreateModel(
            name='ComplianceTownship',
            fields=[
                ('county_code', models.CharField(max_length=6, verbose_name='县级代码')),
                ('region_id', models.CharField(max_length=12, verbose_name='受帮扶方所在区域')),
                ('programme_id', models.IntegerField(verbose_name='项目')),
                ('period_ends_on', models.DateField(verbose_name='周期结束日期')),
                ('total', models.IntegerField(verbose_name='应完成')),
                ('met', models.IntegerField(verbose_name='已完成')),
                ('exempt', models.IntegerField(verbose_name='已免除')),
                ('shortfall', models.FloatField(verbose_name='差额')),
                ('pk', models.CompositePrimaryKey('county_code', 'obligation', 'period', 'region_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('obligation', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.obligation', verbose_name='要求')),
                ('period', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.programmeperiod', verbose_name='考核周期')),
            ],
            options={
                'verbose_name': '落实情况分乡镇汇总',
                'verbose_name_plural': '落实情况分乡镇汇总',
            },
        ),
        migrations.AddIndex(
            model_name='compliancearea',
            index=models.Index(fields=['county_code', 'obligation', 'region_id'], name='compliance_area_village'),
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
