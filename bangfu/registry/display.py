"""What the household list and a household's members table show per line, computed once per page in Python.

The rows template reads each cell as one value of a dict, where following each household to its head
and region, labelling its choices and masking the head's ID number in template tags and filters took
most of the list's time (docs/performance.md, Pages)."""

from django.utils.formats import localize
from django.utils.functional import Promise

from bangfu.links import Links
from bangfu.privacy.masking import mask_id_number
from bangfu.registry.choices import HouseholdStatus, PovertyCause
from bangfu.registry.models import Person


# What household_lines reads of a household, its head and village: the list's read takes these values
# (`.values()`: a household has 40 columns, its head 35; and no model instance a row — three a row were
# a third of the list's Python, docs/performance.md, Pages). The head's ID number is decrypted as read.
HOUSEHOLD_SHOWN = ("id", "number", "size", "status", "main_cause", "income_per_capita", "head__name",
                   "head__id_number", "region__name")


def household_lines(households) -> list[dict]:
    """One dict per household (a `.values(*HOUSEHOLD_SHOWN)` row): its number and link, head (name,
    masked ID number), village, size, status and main cause as labelled (the choices translated once,
    not once a row), income."""
    links = Links()
    status = {value: str(label) for value, label in HouseholdStatus.choices}
    cause = {value: str(label) for value, label in PovertyCause.choices}
    return [{
        "number": h["number"], "url": links("registry:household_detail", h["id"]),
        "head": h["head__name"] or "—", "id_number": mask_id_number(h["head__id_number"]),
        "village": h["region__name"], "size": h["size"], "status": h["status"],
        "status_label": status.get(h["status"], h["status"]),
        "cause": cause.get(h["main_cause"], h["main_cause"]) or "—",
        "income": localize(h["income_per_capita"]),
    } for h in households]


# The members table's labelled choices (household_detail.html): each cell's label looked up in the field's
# choices and translated alone, where `get_FOO_display` translated and hashed every label of the field a cell.
MEMBER_CHOICES = ("relation", "gender", "education", "schooling", "health", "disability_category",
                  "disability_grade", "work_ability")


def member_lines(members) -> list[dict]:
    """One dict per member (a Person): the person (for its masked ID number), name and links, the
    labelled choices as `get_FOO_display` gives them (an unknown value shown as it is), birth date."""
    links = Links()
    choices = {name: dict(Person._meta.get_field(name).flatchoices) for name in MEMBER_CHOICES}
    lines = []
    for m in members:
        line = {"person": m, "name": m.name, "url": links("registry:person_detail", m.pk),
                "edit_url": links("registry:person_edit", m.pk),
                "birth_date": m.birth_date.isoformat() if m.birth_date else ""}
        for name in MEMBER_CHOICES:
            value = getattr(m, name)
            label = choices[name].get(value, value)
            line[name] = str(label) if isinstance(label, Promise) else label
        lines.append(line)
    return lines
