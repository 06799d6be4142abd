"""Activity pages: the phone entry form and the activity log (帮扶手册) of a household or person."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.activities import selectors, services
from bangfu.activities.forms import ActivityForm
from bangfu.errors import BangfuError, NotFound
from bangfu.programmes import selectors as programme_selectors
from bangfu.registry import selectors as registry_selectors
from bangfu.registry.views import _form_error


def _today(request):
    """Today, or the day `?on=` names (tests pin it)."""
    try:
        return date.fromisoformat(request.GET.get("on", ""))
    except ValueError:
        return timezone.localdate()


@login_required
def activity_create(request):
    scope = request.user.scope
    try:
        pairing_id = int(request.GET.get("pairing", ""))
    except ValueError:
        raise NotFound(_("请先选择结对")) from None
    pairing = programme_selectors.pairing_get(scope=scope, pk=pairing_id)
    form = ActivityForm(request.POST or None, request.FILES or None, pairing=pairing, today=_today(request),
                        kind=request.GET.get("kind", ""))
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                [activity] = services.activity_record(scope=scope, by=request.user, pairings=[pairing],
                                                      data=form.service_data())
                if form.cleaned_data.get("photo"):
                    try:
                        services.evidence_add(scope=scope, by=request.user, activity=activity,
                                              upload=form.cleaned_data["photo"])
                    except BangfuError as exc:
                        exc.field = "photo"
                        raise
        except NotFound:
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已记录"))
            return redirect("programmes:pairing_detail", pk=pairing.pk)
    return render(request, "activities/activity_form.html", {"form": form, "pairing": pairing},
                  status=400 if form.errors else 200)


@login_required
def household_log(request, pk: int):
    scope = request.user.scope
    household = registry_selectors.household_get(scope=scope, pk=pk)
    return render(request, "activities/_log.html", {
        "activities": selectors.activity_list(scope=scope, household=household.pk)[:200], "show_pairing": True})


@login_required
def person_log(request, pk: int):
    scope = request.user.scope
    person = registry_selectors.person_get(scope=scope, pk=pk)
    return render(request, "activities/_log.html", {
        "activities": selectors.activity_list(scope=scope, person=person.pk)[:200], "show_pairing": True})


@login_required
def evidence_download(request, pk: int):
    evidence = selectors.evidence_get(scope=request.user.scope, pk=pk)
    return FileResponse(evidence.file.open("rb"), filename=evidence.name, content_type=evidence.content_type)
