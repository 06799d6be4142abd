"""A household's plan (一户一策): its measures, planned and delivered; the responsible helper
(or an office) marks one delivered from the same page, on a phone."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.errors import BangfuError, NotFound, PermissionDenied
from bangfu.measures import selectors, services
from bangfu.registry import selectors as registry_selectors


@login_required
def household_plan(request, pk: int):
    scope = request.user.scope
    if not scope.rules.see_households:
        raise PermissionDenied(_("您的角色不查看农户"))
    household = registry_selectors.household_get(scope=scope, pk=pk)
    return render(request, "measures/plan.html", {
        "household": household,
        "measures": selectors.measure_list(scope=scope, household=household.pk).prefetch_related("evidence")})


@login_required
@require_POST
def measure_deliver(request, pk: int):
    scope = request.user.scope
    measure = selectors.measure_get(scope=scope, pk=pk)
    try:
        delivered_on = date.fromisoformat(request.POST.get("delivered_on", ""))
    except ValueError:
        delivered_on = None  # the service refuses it, after saying whether this user may mark it at all
    try:
        services.measure_deliver(scope=scope, by=request.user, measure=measure, delivered_on=delivered_on,
                                 note=request.POST.get("note", ""), uploads=request.FILES.getlist("photo"))
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:  # already delivered (a second tap), no date: said on the plan, not a 500
        messages.error(request, exc.message)
        return redirect("measures:household_plan", pk=measure.household_id)
    messages.success(request, _("已标记落实"))
    return redirect("measures:household_plan", pk=measure.household_id)


@login_required
def measure_evidence(request, pk: int):
    evidence = selectors.measure_evidence_get(scope=request.user.scope, pk=pk)
    return FileResponse(evidence.file.open("rb"), filename=evidence.name, content_type=evidence.content_type)
