"""Subsidy pages: schemes, a scheme's applications by state, a batch's bank list download."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bangfu.errors import BangfuError, NotFound, PermissionDenied
from bangfu.procedures import selectors as procedure_selectors
from bangfu.registry.views import _form_error
from bangfu.subsidies import payments, procedure, selectors, services
from bangfu.subsidies.forms import SchemeForm, StandardFormSet, standards_data


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
    applications = selectors.application_list(scope=scope, scheme=scheme)[:500]
    return render(request, "subsidies/scheme_detail.html", {
        "scheme": scheme, "summary": summary, "applications": applications, "labels": labels,
        "batches": selectors.batch_list(scope=scope, scheme=scheme),
        "notices": procedure_selectors.notice_list(scope=scope, definition=procedure.KEY)[:50]})


@login_required
def batch_export(request, pk: int):
    scope = request.user.scope
    batch = selectors.batch_get(scope=scope, pk=pk)
    content = payments.batch_export(scope=scope, by=request.user, batch=batch)
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="daifa-{batch.pk}.xlsx"'
    return response
