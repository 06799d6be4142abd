"""Fund pages: funds and allocations in scope, the execution report with its chart and export."""

import tempfile
from datetime import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from bangfu.errors import BangfuError, NotFound, PermissionDenied, ValidationError
from bangfu.exports.writers import xlsx_write
from bangfu.funds import selectors, services
from bangfu.funds.forms import AllocationForm, DisbursementForm, FundForm
from bangfu.funds.models import Allocation, Fund, FundSource
from bangfu.registry.views import _form_error
from bangfu.schemas import YEAR_MAX, YEAR_MIN

LEVELS = {"6": 6, "9": 9}


def _can_see(user) -> None:
    if not user.role_rules.see_households:
        raise PermissionDenied(_("您的角色不查看资金"))


def _report_params(request) -> dict:
    try:
        year = int(request.GET["year"]) if request.GET.get("year") else None
    except ValueError:
        raise ValidationError(_("年度请填写数字"), field="year") from None
    if year is not None and not YEAR_MIN <= year <= YEAR_MAX:  # the API's Year (bangfu/schemas.py)
        raise ValidationError(_("年度应在 %(a)s 到 %(b)s 之间") % {"a": YEAR_MIN, "b": YEAR_MAX}, field="year")
    source = request.GET.get("source", "")
    if source and source not in FundSource.values:
        raise ValidationError(_("资金来源不正确"), field="source")
    return {"year": year, "source": source, "level": LEVELS.get(request.GET.get("level", "6"), 6)}


@login_required
def fund_list(request):
    _can_see(request.user)
    scope = request.user.scope
    return render(request, "funds/fund_list.html", {
        "funds": selectors.fund_list(scope=scope, reached=True)[:200],
        "allocations": selectors.allocation_list(scope=scope)[:200]})


@login_required
def execution_report(request):
    _can_see(request.user)
    params = _report_params(request)
    rows = selectors.execution_report(scope=request.user.scope, **params)
    chart = {"labels": [f"{r['year']} {r['source_label']} {r['region_name']}" for r in rows],
             "budget": [float(r["budget"]) for r in rows], "allocated": [float(r["allocated"]) for r in rows],
             "disbursed": [float(r["disbursed"]) for r in rows],
             "names": [_("预算"), _("已分配"), _("已支付")]}
    return render(request, "funds/report.html", {"rows": rows, "chart": chart, "params": params,
                                                 "sources": FundSource.choices, "query": request.GET.urlencode()})


@login_required
def execution_report_export(request):
    _can_see(request.user)
    if not request.user.role_rules.export:
        raise PermissionDenied(_("您的角色无权导出"))
    rows = selectors.execution_report(scope=request.user.scope, **_report_params(request))
    with tempfile.NamedTemporaryFile(suffix=".xlsx") as fh:
        xlsx_write([str(h) for h in selectors.REPORT_HEADERS], selectors.execution_report_rows(rows), fh.name,
                   title=_("资金执行情况"))
        content = open(fh.name, "rb").read()
    response = HttpResponse(content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    response["Content-Disposition"] = f'attachment; filename="funds-report-{datetime.now():%Y%m%d}.xlsx"'
    return response


@login_required
def fund_create(request):
    """登记资金 on a page (the same service as the API: role, region and budget checked there)."""
    if not request.user.role_rules.manage_funds:
        raise PermissionDenied(_("您的角色无权管理资金"))
    form = FundForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.fund_create(scope=request.user.scope, by=request.user, **form.cleaned_data)
        except (NotFound, PermissionDenied):
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已登记资金"))
            return redirect("funds:fund_list")
    return render(request, "funds/form.html", {"form": form, "title": _("登记资金")},
                  status=400 if form.errors else 200)


@login_required
def allocation_create(request):
    """资金分配 on a page: from a fund, or from an allocation already received, down the region tree."""
    if not request.user.role_rules.manage_funds:
        raise PermissionDenied(_("您的角色无权管理资金"))
    scope = request.user.scope
    funds = selectors.fund_list(scope=scope, reached=True)[:200]
    allocations = selectors.allocation_list(scope=scope)[:200]
    form = AllocationForm(request.POST or None, funds=funds, allocations=allocations,
                          initial={"fund": request.GET.get("fund"), "parent": request.GET.get("parent")})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        parent_id = data.pop("parent")
        try:
            services.allocation_create(scope=scope, by=request.user, fund=Fund(pk=data.pop("fund")),
                                       parent=Allocation(pk=parent_id) if parent_id else None, **data)
        except (NotFound, PermissionDenied):
            raise
        except BangfuError as exc:
            _form_error(form, exc)
        else:
            messages.success(request, _("已分配"))
            return redirect("funds:fund_list")
    return render(request, "funds/form.html", {"form": form, "title": _("资金分配")},
                  status=400 if form.errors else 200)


@login_required
def allocation_detail(request, pk: int):
    """One allocation: its balance, what it passed on, what was paid from it, and (for 财务) a payment."""
    _can_see(request.user)
    scope = request.user.scope
    allocation = selectors.allocation_get(scope=scope, pk=pk)
    form = None
    if request.user.role_rules.pay:
        form = DisbursementForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.disbursement_create(scope=scope, by=request.user, allocation=allocation, **form.cleaned_data)
            except (NotFound, PermissionDenied):
                raise
            except BangfuError as exc:
                _form_error(form, exc)
            else:
                messages.success(request, _("已支付"))
                return redirect("funds:allocation_detail", pk=allocation.pk)
    elif request.method == "POST":
        raise PermissionDenied(_("您的角色无权支付资金"))
    return render(request, "funds/allocation_detail.html", {
        "allocation": allocation, "form": form,
        "children": selectors.allocation_list(scope=scope).filter(parent=allocation),
        "disbursements": selectors.disbursement_list(scope=scope, allocation=allocation).order_by("-paid_on", "-pk")},
        status=400 if form is not None and form.errors else 200)
