"""The compliance summary (ComplianceDone, ComplianceArea), filled from the existing activities."""

import django.db.models.deletion
from django.db import migrations, models


def fill(apps, schema_editor):
    """The summary is filled from the data already there by 0002, with the columns today's rebuild
    writes (the rebuild runs the current code, which needs them)."""


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('programmes', '0002_pairing_helper_role'),
        ('activities', '0003_superseded_index'),
        ('registry', '0003_person_initials_by_surname'),
    ]

    operations = [
        migrations.CreateModel(
            name='ComplianceArea',
            fields=[
                ('pk', models.CompositePrimaryKey('county_code', 'obligation', 'period', 'region_id', blank=True, editable=False, primary_key=True, serialize=False)),
                ('county_code', models.CharField(max_length=6, verbose_name='县级代码')),
                ('region_id', models.CharField(max_length=12, verbose_name='受帮扶方所在区域')),
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
                'verbose_name': '落实情况分村汇总',
                'verbose_name_plural': '落实情况分村汇总',
            },
        ),
        migrations.CreateModel(
            name='ComplianceDone',
            fields=[
                ('pk', models.CompositePrimaryKey('county_code', 'obligation', 'period', 'pairing', blank=True, editable=False, primary_key=True, serialize=False)),
                ('county_code', models.CharField(max_length=6, verbose_name='县级代码')),
                ('programme_id', models.IntegerField(verbose_name='项目')),
                ('region_id', models.CharField(max_length=12, verbose_name='受帮扶方所在区域')),
                ('helper_person_id', models.IntegerField(null=True, verbose_name='帮扶人')),
                ('helper_organization_id', models.IntegerField(null=True, verbose_name='帮扶单位')),
                ('helper_team_id', models.IntegerField(null=True, verbose_name='帮扶工作队')),
                ('pairing_starts_on', models.DateField(verbose_name='结对日期')),
                ('pairing_ends_on', models.DateField(null=True, verbose_name='结束日期')),
                ('period_starts_on', models.DateField(verbose_name='周期开始日期')),
                ('period_ends_on', models.DateField(verbose_name='周期结束日期')),
                ('done', models.FloatField(verbose_name='已完成')),
                ('exempt', models.SmallIntegerField(verbose_name='已免除')),
                ('obligation', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.obligation', verbose_name='要求')),
                ('pairing', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.CASCADE, related_name='+', to='programmes.pairing', verbose_name='结对')),
                ('period', models.ForeignKey(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='programmes.programmeperiod', verbose_name='考核周期')),
            ],
            options={
                'verbose_name': '落实情况汇总',
                'verbose_name_plural': '落实情况汇总',
                'indexes': [models.Index(fields=['pairing'], name='compliance_done_pairing'), models.Index(fields=['region_id', 'obligation'], name='compliance_done_village')],
            },
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
