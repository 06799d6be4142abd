"""What the lists of compliance rows show, computed once per page in Python.

The rows template (`compliance/rows.html`) and the due list (`compliance/_due_list.html`, through the
`due_lines` filter) read each cell as one value of a dict: the target's and helper's names and links,
the unit, the figures as shown. Followed through a pairing's twelve related
objects in the template, with a translation and three `{% url %}` a row, those 50 rows were half of the
behind list's time (docs/performance.md, Pages)."""

from urllib.parse import quote

from django.template.defaultfilters import floatformat
from django.urls import reverse
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


def due_lines(rows: list[ComplianceRow]) -> list[dict]:
    """One dict per row of a due list (我的帮扶, a household's helpers, the offices' homes): the target
    linked when it is a household or a person, the helper linked to the pairing, what is done and by when."""
    links = Links()
    labels = {status: str(label) for status, label in STATUS_LABELS.items()}
    create = reverse("activities:activity_create")
    lines = []
    for row in rows:
        p = row.pairing
        lines.append({
            "status": row.status, "status_label": labels[row.status], "obligation": row.obligation.name,
            "programme": p.programme.name, "target": p.target_name,
            "target_url": _page(p, TARGET_PAGES[:2], links),
            "helper": p.helper_name, "pairing_url": links("programmes:pairing_detail", p.pk),
            "done": _("已完成 %(done)s / %(required)s %(unit)s") % {
                "done": number(row.done), "required": number(row.required), "unit": row.obligation.unit},
            "period": _("%(label)s，%(due)s 截止") % {"label": row.period_label,
                                                     "due": row.period_ends_on.strftime("%m-%d")},
            "record_url": f"{create}?pairing={p.pk}&kind={quote(row.obligation.kind, safe='/')}",
        })
    return lines

