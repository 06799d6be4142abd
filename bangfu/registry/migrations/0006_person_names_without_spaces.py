"""Names registered before the rule of bangfu.registry.names (王　芳 with a full-width space) are
stored without their spaces, with their 拼音首字母 again, so that they are found by their plain form."""

from django.db import migrations
from django.db.models import Q


def forwards(apps, schema_editor):
    from bangfu.regions.services import person_initials
    from bangfu.registry.names import name_normalize

    Person = apps.get_model("registry", "Person")
    spaced = Q(name__contains=" ") | Q(name__contains="\u3000") | Q(name__contains="\t") | Q(name__contains="\u00a0")
    changed = []
    for person in Person.objects.filter(spaced).only("id", "name", "initials").iterator(chunk_size=2000):
        name = name_normalize(person.name)
        if name != person.name:
            person.name, person.initials = name, person_initials(name)
            changed.append(person)
    Person.objects.bulk_update(changed, ["name", "initials"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("registry", "0005_relations_of_the_office_list")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
