"""Subsidy pages: schemes, a scheme's applications by state, a batch's bank list download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.errors import BangfuError, NotFound, PermissionDenied
from bangfu.procedures import selectors as procedure_selectors
from bangfu.registry.views import _form_error
from bangfu.subsidies import actions, payments, procedure, selectors, services
from bangfu.procedures import services as procedure_services
from bangfu.subsidies.forms import InspectionForm, PhotoForm, SchemeForm, StandardFormSet, standards_data


def _can_see(user) -> None:
    if not user.role_rules.see_households:
        raise PermissionDenied(_("您的角色不查看补助"))


@login_required
def scheme_list(request):
    _can_see(request.user)
    return render(request, "subsidies/scheme_list.html", {"schemes": selectors.scheme_list(scope=request.user.scope)})


@login_required
def scheme_create(request):
    """Configure a scheme on a page: every number is data (no code for a new crop)."""
    if not request.user.role_rules.manage_funds:
        raise PermissionDenied(_("您的角色无权制定补助政策"))
    form = SchemeForm(request.POST or None)
    standards = StandardFormSet(request.POST or None, prefix="standards")
    if request.method == "POST" and form.is_valid() and standards.is_valid():
        try:
            scheme = services.scheme_create(scope=request.user.scope, by=request.user, data=form.cleaned_data,
                                            standards=standards_data(standards))
        except NotFound:
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("subsidies:scheme_detail", pk=scheme.pk)
    return render(request, "subsidies/scheme_form.html", {"form": form, "standards": standards},
                  status=400 if form.errors or standards.total_error_count() else 200)


@login_required
def scheme_detail(request, pk: int):
    _can_see(request.user)
    scope = request.user.scope
    scheme = selectors.scheme_get(scope=scope, pk=pk)
    labels = {s.key: s.label for s in procedure.DEFINITION.states}
    summary = [{**row, "label": labels.get(row["case__state"], row["case__state"])}
               for row in selectors.application_summary(scope=scope, scheme=scheme)]
    applications = selectors.application_list(scope=scope, scheme=scheme).prefetch_related("photos")[:500]
    return render(request, "subsidies/scheme_detail.html", {
        "scheme": scheme, "summary": summary, "applications": applications, "labels": labels,
        "batches": selectors.batch_list(scope=scope, scheme=scheme),
        "steps": [t for t in procedure.DEFINITION.transitions if not t.system],
        "notices": procedure_selectors.notice_list(scope=scope, definition=procedure.KEY)[:50]})


@login_required
def batch_export(request, pk: int):
    scope = request.user.scope
    batch = selectors.batch_get(scope=scope, pk=pk)
    content = payments.batch_export(scope=scope, by=request.user, batch=batch)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="daifa-{batch.pk}.xlsx"'
    return response


def _may_inspect(scope) -> bool:
    try:
        procedure_services.transition_check(scope=scope, transition=procedure.DEFINITION.transition("inspect_pass"))
    except PermissionDenied:
        return False
    return True


@login_required
def application_detail(request, pk: int):
    """One application: what was declared, its standards, the 乡镇验收 form (values and photos) for
    the township while it waits for inspection, the photos as thumbnails and every step taken."""
    _can_see(request.user)
    scope = request.user.scope
    application = selectors.application_get(scope=scope, pk=pk)
    standards = list(application.scheme.standards.all())
    may_inspect = _may_inspect(scope)
    form = None
    if may_inspect and application.case.state == "registered":
        form = InspectionForm(request.POST or None, request.FILES or None, standards=standards)
        if request.method == "POST" and form.is_valid():
            try:
                with transaction.atomic():
                    services.inspection_record(
                        scope=scope, by=request.user, application=application, measured=form.measured(),
                        accepted_quantity=form.cleaned_data["accepted_quantity"],
                        inspected_on=form.cleaned_data["inspected_on"], comment=form.cleaned_data["comment"])
                    for upload in form.cleaned_data["photos"]:
                        try:
                            services.inspection_photo_add(scope=scope, by=request.user, application=application,
                                                          upload=upload)
                        except BangfuError as exc:
                            exc.field = "photos"
                            raise
            except (NotFound, PermissionDenied):
                raise
            except BangfuError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已记录验收结果"))
                return redirect("subsidies:application_detail", pk=application.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("该申报当前不在待验收状态，或您的角色不能验收"))
    labels = {s.key: s.label for s in procedure.DEFINITION.states}
    return render(request, "subsidies/application_detail.html", {
        "application": application, "standards": standards, "form": form, "state": labels.get(application.case.state),
        "photos": application.photos.all(), "photo_form": PhotoForm() if may_inspect and
        application.case.state in services.PHOTO_STATES else None,
        "steps": procedure_selectors.step_list_labelled(scope=scope, case=application.case)},
        status=400 if form is not None and form.errors else 200)


@login_required
@require_POST
def inspection_photos_add(request, pk: int):
    scope = request.user.scope
    application = selectors.application_get(scope=scope, pk=pk)
    procedure_services.transition_check(scope=scope, transition=procedure.DEFINITION.transition("inspect_pass"))
    form = PhotoForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            with transaction.atomic():
                for upload in form.cleaned_data["photos"]:
                    services.inspection_photo_add(scope=scope, by=request.user, application=application, upload=upload)
        except (NotFound, PermissionDenied):
            raise
        except BangfuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已上传验收照片"))
    else:
        messages.error(request, "；".join(e for errors in form.errors.values() for e in errors))
    return redirect("subsidies:application_detail", pk=application.pk)


@login_required
def inspection_photo(request, pk: int):
    _can_see(request.user)
    photo = selectors.inspection_photo_get(scope=request.user.scope, pk=pk)
    return FileResponse(photo.file.open("rb"), filename=photo.name, content_type=photo.content_type)


@login_required
@require_POST
def scheme_act(request, pk: int):
    """A step of the procedure from the scheme's page (subsidies/actions.py); back to the page
    with what was done, or the service's reason for refusing it."""
    _can_see(request.user)
    scheme = selectors.scheme_get(scope=request.user.scope, pk=pk)
    try:
        with transaction.atomic():
            done = actions.scheme_act(user=request.user, scheme=scheme, post=request.POST)
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("subsidies:scheme_detail", pk=scheme.pk)
