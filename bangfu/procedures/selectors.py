"""Reading cases, steps, overdue cases and notices, always inside the caller's scope."""

from datetime import date

from django.db.models import Count, QuerySet
from django.db.models.functions import Substr
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound
from bangfu.privacy.masking import MASKS
from bangfu.procedures.definitions import definition_get
from bangfu.procedures.models import Case, Holiday, Notice, Objection, Step
from bangfu.regions.models import Region


def _in_scope(scope: Scope, qs: QuerySet) -> QuerySet:
    if not scope.rules.see_households:
        return qs.none()
    return qs.filter(region__code__startswith=scope.prefix) if scope.prefix else qs


def case_list(*, scope: Scope, definition: str | None = None, state: str | None = None) -> QuerySet:
    qs = _in_scope(scope, Case.objects.all())
    if definition:
        qs = qs.filter(definition=definition)
    if state:
        qs = qs.filter(state=state)
    return qs.order_by("pk")


def case_get(*, scope: Scope, pk: int) -> Case:
    case = case_list(scope=scope).filter(pk=pk).first()
    if case is None:
        raise NotFound(_("办理事项不存在或不在您的管辖范围内"))
    return case


def step_list(*, scope: Scope, case: Case) -> QuerySet:
    return Step.objects.filter(case__in=case_list(scope=scope).filter(pk=case.pk)).select_related("by").order_by("pk")


def step_list_labelled(*, scope: Scope, case: Case) -> list[Step]:
    """The case's steps, each with `transition_label` and `state_label` from its definition: pages show
    words, not codes (a case's first step, `open`, is 登记)."""
    definition = definition_get(case.definition)
    states = {st.key: st.label for st in definition.states}
    steps = list(step_list(scope=scope, case=case))
    for step in steps:
        transition = definition.transition(step.transition)
        step.transition_label = transition.label if transition else (
            _("登记") if step.transition == "open" else step.transition)
        step.state_label = states.get(step.to_state, step.to_state)
    return steps


def overdue_list(*, scope: Scope, as_of: date, definition: str | None = None) -> QuerySet:
    """Open cases whose state's deadline (in working days) passed before `as_of`."""
    return case_list(scope=scope, definition=definition).filter(due_on__lt=as_of).order_by("due_on", "pk")


def overdue_by_region(*, scope: Scope, as_of: date, level: int = 9, definition: str | None = None) -> list[dict]:
    """Overdue cases counted per region at `level` digits of the code (6 county, 9 township,
    12 village), one GROUP BY on the code prefix."""
    rows = list(overdue_list(scope=scope, as_of=as_of, definition=definition).order_by()
                .annotate(prefix=Substr("region_id", 1, level)).values("prefix")
                .annotate(count=Count("pk")).order_by("prefix"))
    names = dict(Region.objects.filter(prefix__in=[r["prefix"] for r in rows]).values_list("prefix", "name"))
    for row in rows:
        row["name"] = names.get(row["prefix"], row["prefix"])
    return rows


def notice_list(*, scope: Scope, definition: str | None = None) -> QuerySet:
    qs = _in_scope(scope, Notice.objects.all())
    return qs.filter(definition=definition) if definition else qs


def notice_get(*, scope: Scope, pk: int) -> Notice:
    notice = notice_list(scope=scope).filter(pk=pk).first()
    if notice is None:
        raise NotFound(_("公示不存在或不在您的管辖范围内"))
    return notice


def objection_list(*, scope: Scope, notice: Notice) -> QuerySet:
    return Objection.objects.filter(notice__in=notice_list(scope=scope).filter(pk=notice.pk)).order_by("pk")


def notice_rows(*, scope: Scope, notice: Notice) -> tuple[list[tuple[str, str]], list[dict]]:
    """What a notice posts: the definition's columns and one row per case, with ID, phone and bank
    numbers masked whatever the reader's role (a notice is public: DESIGN.md)."""
    notice = notice_get(scope=scope, pk=notice.pk)
    definition = definition_get(notice.definition)
    case_ids = list(notice.entries.order_by("case_id").values_list("case_id", flat=True))
    rows = definition.notice_rows(case_ids) if definition.notice_rows else [{"case": i} for i in case_ids]
    for row in rows:
        for key, mask in MASKS.items():
            if key in row:
                row[key] = mask(row[key])
    columns = [(key, str(label)) for key, label in definition.notice_columns]
    return columns, rows


def holiday_list(*, year: int | None = None) -> QuerySet:
    qs = Holiday.objects.all()
    return qs.filter(day__year=year) if year else qs
