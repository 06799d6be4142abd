"""Recompute the 拼音首字母 of persons whose surname is read otherwise as a surname (覃 → q)."""

from django.db import migrations


def forwards(apps, schema_editor):
    from bangfu.regions.services import COMPOUND_SURNAMES, SURNAME_INITIALS, person_initials

    Person = apps.get_model("registry", "Person")
    firsts = {s[0] for s in COMPOUND_SURNAMES} | set(SURNAME_INITIALS)
    changed = []
    for person in Person.objects.filter(name__regex=f"^[{''.join(sorted(firsts))}]").only("pk", "name", "initials"):
        initials = person_initials(person.name)[:20]
        if initials != person.initials:
            person.initials = initials
            changed.append(person)
    Person.objects.bulk_update(changed, ["initials"], batch_size=2000)


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_term_grades")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
