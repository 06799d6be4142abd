"""Procedure pages: overdue cases by region, a notice as posted (numbers masked), the holiday table."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.errors import BangfuError, PermissionDenied, ValidationError
from bangfu.procedures import selectors, services
from bangfu.registry.views import _form_error


def _can_see(user) -> None:
    if not user.role_rules.see_households:
        raise PermissionDenied(_("您的角色不查看办理事项"))


@login_required
def overdue(request):
    _can_see(request.user)
    try:
        as_of = date.fromisoformat(request.GET["as_of"]) if request.GET.get("as_of") else timezone.localdate()
    except ValueError:
        raise ValidationError(_("日期格式应为 2026-05-01"), field="as_of") from None
    level = 12 if request.GET.get("level") == "12" else 9
    scope = request.user.scope
    return render(request, "procedures/overdue.html", {
        "as_of": as_of, "level": level, "rows": selectors.overdue_by_region(scope=scope, as_of=as_of, level=level),
        "cases": selectors.overdue_list(scope=scope, as_of=as_of).select_related("region")[:200]})


@login_required
def notice_detail(request, pk: int):
    _can_see(request.user)
    scope = request.user.scope
    notice = selectors.notice_get(scope=scope, pk=pk)
    columns, rows = selectors.notice_rows(scope=scope, notice=notice)
    table = [[row.get(key, "") for key, _label in columns] for row in rows]
    return render(request, "procedures/notice.html", {
        "notice": notice, "columns": columns, "table": table,
        "objections": selectors.objection_list(scope=scope, notice=notice),
        "print_formats": (("docx", _("打印公示(Word)")), ("pdf", _("公示 PDF")))})


class HolidayForm(forms.Form):
    day = forms.DateField(label=gettext_lazy("日期"))
    working = forms.BooleanField(label=gettext_lazy("调休上班"), required=False)
    name = forms.CharField(label=gettext_lazy("名称"), max_length=40, required=False)


@login_required
def holidays(request):
    _can_see(request.user)
    form = HolidayForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.holiday_set(scope=request.user.scope, by=request.user, **form.cleaned_data)
        except PermissionDenied:
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已保存"))
            return redirect("procedures:holidays")
    return render(request, "procedures/holidays.html", {"form": form, "holidays": selectors.holiday_list()[:400]},
                  status=400 if form.errors else 200)
