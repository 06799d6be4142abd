"""Subsidy pages: schemes, a scheme's applications by state, a batch's bank list download."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from bangfu.errors import PermissionDenied
from bangfu.procedures import selectors as procedure_selectors
from bangfu.subsidies import payments, procedure, selectors


def _can_see(user) -> None:
    if not user.role_rules.see_households:
        raise PermissionDenied(_("您的角色不查看补助"))


@login_required
def scheme_list(request):
    _can_see(request.user)
    return render(request, "subsidies/scheme_list.html", {"schemes": selectors.scheme_list(scope=request.user.scope)})


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
