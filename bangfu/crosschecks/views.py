"""Pages: the clue list with its per-village roll-up, and one clue with its steps."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.crosschecks import selectors, services
from bangfu.crosschecks.models import ClueStatus, Finding, ListSource
from bangfu.errors import BangfuError, NotFound, PermissionDenied
from bangfu.imports.registers import REGISTERS


@login_required
def clue_list(request):
    scope = request.user.scope
    region = request.GET.get("region", "")
    filters = {k: request.GET.get(k, "") for k in ("status", "source", "finding")}
    clues = selectors.clue_list(scope=scope, region=region, **filters)
    page = Paginator(clues, 50).get_page(request.GET.get("page"))
    return render(request, "crosschecks/clue_list.html", {
        "page_obj": page, "villages": selectors.clue_villages(scope=scope, region=region), "region": region,
        "filters": filters, "statuses": [("pending", _("未办结")), *ClueStatus.choices], "sources": ListSource.choices,
        "findings": Finding.choices, "lists": [r for r in REGISTERS.values() if r.list_source],
        "entries": selectors.entry_counts(scope=scope),
        "can_import": scope.rules.edit_registry})


@login_required
def clue_detail(request, pk: int):
    scope = request.user.scope
    clue = selectors.clue_get(scope=scope, pk=pk)
    can_work = scope.rules.edit_registry or clue.assigned_to_id == request.user.pk
    return render(request, "crosschecks/clue_detail.html", {
        "clue": clue, "findings": Finding.choices, "can_edit": scope.rules.edit_registry, "can_work": can_work,
        "done": clue.status in (ClueStatus.CLOSED, ClueStatus.EXEMPTED),
        "history": clue.history.select_related("history_user").order_by("history_date")})


def _step(request, pk: int, step, **data):
    scope = request.user.scope
    clue = selectors.clue_get(scope=scope, pk=pk)
    try:
        step(scope=scope, by=request.user, clue=clue, **data)
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已保存"))
    return redirect("crosschecks:clue_detail", pk=pk)


@login_required
@require_POST
def clue_assign(request, pk: int):
    return _step(request, pk, services.clue_assign, assignee=request.POST.get("assignee", ""),
                 on=request.POST.get("assigned_on", ""))


@login_required
@require_POST
def clue_verify(request, pk: int):
    return _step(request, pk, services.clue_verify, verified_on=request.POST.get("verified_on", ""),
                 verification=request.POST.get("verification", ""))


@login_required
@require_POST
def clue_close(request, pk: int):
    return _step(request, pk, services.clue_close, finding=request.POST.get("finding", ""),
                 closed_on=request.POST.get("closed_on", ""), evidence=request.FILES.get("evidence"),
                 evidence_note=request.POST.get("evidence_note", ""))


@login_required
@require_POST
def clue_exempt(request, pk: int):
    return _step(request, pk, services.clue_exempt, reason=request.POST.get("reason", ""),
                 on=request.POST.get("exempted_on", ""))
