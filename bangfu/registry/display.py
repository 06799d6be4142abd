"""What the household list shows per line, computed once per page in Python.

The rows template reads each cell as one value of a dict, where following each household to its head
and region, labelling its choices and masking the head's ID number in template tags and filters took
most of the list's time (docs/performance.md, Pages)."""

from django.utils.formats import localize

from bangfu.links import Links
from bangfu.privacy.masking import mask_id_number
from bangfu.registry.choices import HouseholdStatus, PovertyCause


# What household_lines reads of a household, its head and village: for `.only()` on the list's read (a
# household has 40 columns, its head 35, two of them decrypted); anything else would cost a query a row.
HOUSEHOLD_SHOWN = ("id", "number", "county_code", "region_id", "head_id", "size", "status", "main_cause",
                   "income_per_capita", "head__name", "head__id_number", "region__name")


def household_lines(households) -> list[dict]:
    """One dict per household: its number and link, head (name, masked ID number), village, size,
    status and main cause as labelled (the choices translated once, not once a row), income."""
    links = Links()
    status, cause = dict(HouseholdStatus.choices), dict(PovertyCause.choices)
    lines = []
    for h in households:
        head = h.head
        lines.append({
            "number": h.number, "url": links("registry:household_detail", h.pk),
            "head": (head.name if head else "") or "—", "id_number": mask_id_number(head.id_number if head else None),
            "village": h.region.name, "size": h.size, "status": h.status,
            "status_label": str(status.get(h.status, h.status)),
            "cause": str(cause.get(h.main_cause, h.main_cause) or "") or "—",
            "income": localize(h.income_per_capita),
        })
    return lines
