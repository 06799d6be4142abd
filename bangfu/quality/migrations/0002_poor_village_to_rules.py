# PoorVillage moves to the rules app (village exit: one concept, one app). State only: the rules app's
# migration 0002_poor_villages_county_exit takes the table over and renames it.
from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('quality', '0001_villages_plans_targets_answers'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='PoorVillage')],
            database_operations=[],
        ),
    ]
