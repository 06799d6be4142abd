"""Procedure pages: overdue cases by region, a notice as posted (numbers masked), the holiday table."""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from bangfu.errors import BangfuError, NotFound, PermissionDenied, ValidationError
from bangfu.procedures.models import Objection
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
        "notice": notice, "columns": columns, "table": table, "rows": rows,
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


@login_required
@require_POST
def notice_act(request, pk: int):
    """Record an objection to a notice, or resolve one (the services check who may)."""
    _can_see(request.user)
    scope = request.user.scope
    notice = selectors.notice_get(scope=scope, pk=pk)
    post = request.POST
    try:
        try:
            day = date.fromisoformat(post.get("on", ""))
        except ValueError:
            raise ValidationError(_("请填写日期(如 2026-05-06)"), field="on") from None
        if post.get("action") == "raise":
            case = post.get("case") or None
            services.objection_raise(scope=scope, by=request.user, notice=notice, content=post.get("content", ""),
                                     raised_on=day, raised_by=post.get("raised_by", ""),
                                     case_id=int(case) if case and case.isdigit() else None)
            done = _("已登记异议")
        elif post.get("action") == "resolve":
            objection = Objection(pk=int(post.get("objection") or 0) if (post.get("objection") or "").isdigit() else 0)
            services.objection_resolve(scope=scope, by=request.user, objection=objection,
                                       resolution=post.get("resolution", ""), resolved_on=day)
            done = _("已处理异议")
        else:
            raise ValidationError(_("请选择要办理的事项"), field="action")
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
    return redirect("procedures:notice_detail", pk=notice.pk)
