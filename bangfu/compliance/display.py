"""What the lists of compliance rows show, computed once per page in Python.

The rows template (`compliance/rows.html`) reads each cell as one value of a dict: the target's and
helper's names and links, the unit, the figures as shown. Followed through a pairing's twelve related
objects in the template, with a translation and three `{% url %}` a row, those 50 rows were half of the
behind list's time (docs/performance.md, Pages)."""

from django.template.defaultfilters import floatformat
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.compliance.selectors import STATUS_LABELS, ComplianceRow
from bangfu.links import Links
from bangfu.programmes.selectors import helper_in_scope

TARGET_PAGES = (("target_household_id", "registry:household_detail"), ("target_person_id", "registry:person_detail"),
                ("target_organization_id", "registry:organization_detail"))
HELPER_PAGES = (("helper_person_id", "registry:person_detail"), ("helper_team_id", "registry:team_detail"),
                ("helper_organization_id", "registry:organization_detail"))


def number(value) -> str:
    """A count or amount as `floatformat:"-1"` shows it: whole numbers bare, others to one decimal."""
    if value is None:
        return ""
    if float(value).is_integer():
        return str(int(value))
    return floatformat(value, -1)


def _page(pairing, pages, links: Links) -> str:
    for attribute, name in pages:
        pk = getattr(pairing, attribute)
        if pk:
            return links(name, pk)
    return ""


def shown_rows(rows: list[ComplianceRow], *, user_scope: Scope) -> list[dict]:
    """One dict per row with what its line shows. The helper's page is linked only when it opens for
    the user (programmes.selectors.helper_in_scope)."""
    links = Links()
    labels = {status: str(label) for status, label in STATUS_LABELS.items()}
    shown = []
    for row in rows:
        p = row.pairing
        unit = p.helper_unit
        shown.append({
            "target": p.target_name, "target_url": _page(p, TARGET_PAGES, links),
            "region": p.region.name,
            "helper": p.helper_name,
            "helper_url": _page(p, HELPER_PAGES, links) if helper_in_scope(user_scope, p) else "",
            "unit": unit.name if unit and unit.name else "—",
            "obligation": row.obligation.name, "programme": p.programme.name, "period": row.period_label,
            "done": number(row.done), "required": number(row.required), "measure_unit": row.obligation.unit,
            "expected": (_("(截至目前应 %(n)s)") % {"n": number(row.expected)}
                         if row.status in ("behind", "on_track") else ""),
            "due": row.period_ends_on.isoformat(), "status": row.status, "status_label": labels[row.status],
            "pairing_url": links("programmes:pairing_detail", p.pk),
        })
    return shown
