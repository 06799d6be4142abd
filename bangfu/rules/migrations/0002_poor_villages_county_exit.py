# Poor villages come over from the quality app (its table renamed), and county exit (摘帽) joins the
# rule set, the evaluation's counts and a CountyResult per county of a snapshot.
import django.db.models.deletion
from decimal import Decimal

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('regions', '0001_initial'),
        ('quality', '0002_poor_village_to_rules'),
        ('rules', '0001_rule_sets_evaluations_monitoring'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.CreateModel(
                name='PoorVillage',
                fields=[
                    ('region', models.OneToOneField(on_delete=django.db.models.deletion.PROTECT, primary_key=True, related_name='+', serialize=False, to='regions.region', verbose_name='村')),
                    ('county_code', models.CharField(editable=False, max_length=6, verbose_name='县级代码')),
                    ('deep', models.BooleanField(default=False, verbose_name='深度贫困村')),
                    ('planned_exit_year', models.PositiveSmallIntegerField(blank=True, null=True, verbose_name='计划出列年度')),
                    ('exited_on', models.DateField(blank=True, null=True, verbose_name='出列日期')),
                ],
                options={
                    'verbose_name': '贫困村',
                    'db_table': 'quality_poorvillage',
                    'indexes': [models.Index(fields=['county_code'], name='quality_poorvillage_county')],
                },
            )],
            database_operations=[],
        ),
        migrations.AlterModelTable(name='poorvillage', table=None),
        migrations.RenameIndex(model_name='poorvillage', new_name='rules_poorvillage_county',
                               old_name='quality_poorvillage_county'),
        migrations.AddField(
            model_name='ruleset', name='county_exit_rate',
            field=models.DecimalField(decimal_places=2, default=Decimal('3.00'), help_text='西部地区 3%，中部 2%', max_digits=5, verbose_name='摘帽贫困发生率低于(%)'),
        ),
        migrations.AddField(
            model_name='ruleset', name='county_village_share',
            field=models.DecimalField(decimal_places=2, default=Decimal('100.00'), help_text='已出列或达到出列标准的贫困村占全县贫困村的比例', max_digits=5, verbose_name='贫困村出列比例不低于(%)'),
        ),
        migrations.AddConstraint(
            model_name='ruleset',
            constraint=models.CheckConstraint(condition=models.Q(('county_village_share__lte', 100)), name='rules_ruleset_village_share_percent', violation_error_message='贫困村出列比例不能超过100%'),
        ),
        migrations.AddField(model_name='evaluation', name='counties', field=models.PositiveIntegerField(default=0, verbose_name='县数')),
        migrations.AddField(model_name='evaluation', name='counties_exit', field=models.PositiveIntegerField(default=0, verbose_name='达到摘帽标准的县')),
        migrations.CreateModel(
            name='CountyResult',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('county_code', models.CharField(max_length=6)),
                ('households', models.PositiveIntegerField(default=0)),
                ('people', models.PositiveIntegerField(default=0)),
                ('poor_people', models.PositiveIntegerField(default=0)),
                ('poor_villages', models.PositiveIntegerField(default=0)),
                ('poor_villages_exit', models.PositiveIntegerField(default=0)),
                ('rate_ok', models.BooleanField(default=False)),
                ('villages_ok', models.BooleanField(default=False)),
                ('exit_ok', models.BooleanField(default=False)),
                ('evaluation', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='county_rows', to='rules.evaluation')),
            ],
            options={'ordering': ['county_code']},
        ),
    ]
