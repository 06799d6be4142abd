"""Pages: 三率一度 with the list behind each rate, the township summary (seed 003's form) and targets."""

from datetime import date

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from bangfu.errors import BangfuError, NotFound, PermissionDenied, ValidationError
from bangfu.quality import selectors, services
from bangfu.quality.models import Satisfaction
from bangfu.registry.selectors import household_get


def _year(request, default: int) -> int:
    value = request.GET.get("year") or request.POST.get("year") or ""
    if not value:
        return default
    if not value.isdigit() or not 1949 <= int(value) <= 2200:
        raise ValidationError(_("年度格式不正确：%(v)s") % {"v": value}, field="year")
    return int(value)


def _date(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(_("日期格式不正确：%(v)s") % {"v": value}, field=field) from None


def _region(request) -> str:
    """The region asked for, else the user's own (a whole-country user must pick one)."""
    region = request.GET.get("region", "")
    if not region and request.user.region_id:
        region = request.user.region_id
    return region


def _this_year(request) -> int:
    # The pages open on the year the user picks, else this year (the interface reads the clock, as the
    # compliance pages do; the selectors take the period as a parameter).
    return timezone.localdate().year


def _pick(request, title: str):
    """A whole-country user names a region first (the figures are a region's)."""
    return render(request, "quality/pick.html", {"title": title, "year": request.GET.get("year", "")})


@login_required
def rates(request):
    if not _region(request):
        return _pick(request, _("三率一度"))
    period = selectors.period_of(year=_year(request, _this_year(request)),
                                 start=_date(request.GET.get("start", ""), "start"),
                                 end=_date(request.GET.get("end", ""), "end"))
    out = selectors.quality_rates(scope=request.user.scope, region=_region(request), period=period)
    return render(request, "quality/rates.html", {"out": out, "year": period.end.year})


@login_required
def rate_list(request, rate: str):
    period = selectors.period_of(year=_year(request, _this_year(request)),
                                 start=_date(request.GET.get("start", ""), "start"),
                                 end=_date(request.GET.get("end", ""), "end"))
    region = _region(request)
    title, count, rows = selectors.rate_list(scope=request.user.scope, key=rate, region=region, period=period)
    return render(request, "quality/rate_list.html", {
        "title": title, "count": count, "rows": rows, "rate": rate, "period": period, "region": region,
        "definition": selectors.DEFINITIONS[rate][1], "limit": selectors.LIST_LIMIT})


@login_required
def summary(request):
    if not _region(request):
        return _pick(request, _("基本情况"))
    year = _year(request, _this_year(request))
    region = _region(request)
    data = selectors.township_summary(scope=request.user.scope, region=region, year=year)
    return render(request, "quality/summary.html", {"d": data, "year": year, "region": data["region"]["code"]})


@login_required
def targets(request):
    if not _region(request):
        return _pick(request, _("目标任务"))
    scope = request.user.scope
    year = _year(request, _this_year(request))
    region = _region(request)
    if request.method == "POST":
        try:
            services.target_set(scope=scope, by=request.user, region=region, year=year, values=request.POST)
        except (NotFound, PermissionDenied):
            raise
        except BangfuError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("已保存目标任务"))
        return redirect(f"{request.path}?region={region}&year={year}")
    data = selectors.target_progress(scope=scope, region=region, year=year)
    chart = [{"name": r["name"], "target": r["target"], "done": r["done"]} for r in data["rows"]]
    return render(request, "quality/targets.html", {"d": data, "year": year, "chart": chart,
                                                    "can_edit": scope.rules.edit_registry and scope.rules.see_households})


@login_required
@require_POST
def answer_record(request, pk: int):
    scope = request.user.scope
    household = household_get(scope=scope, pk=pk)
    try:
        services.answer_record(scope=scope, by=request.user, household=household, answer=request.POST.get("answer", ""),
                               answered_on=_date(request.POST.get("answered_on", ""), "answered_on"),
                               note=request.POST.get("note", ""))
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("已记录满意度"))
    return redirect("quality:satisfaction", pk=pk)


@login_required
def satisfaction(request, pk: int):
    household = household_get(scope=request.user.scope, pk=pk)
    from bangfu.quality.models import SatisfactionAnswer

    answers = SatisfactionAnswer.objects.filter(household=household).order_by("-answered_on")[:50]
    return render(request, "quality/satisfaction.html", {"household": household, "answers": answers,
                                                         "choices": Satisfaction.choices})


@login_required
def villages(request):
    """贫困村与人口: the region's villages, which are poor (深度, 计划出列年度, 出列日期) and the rural population
    of the year, with the office's forms (POST to villages_save)."""
    if not _region(request):
        return _pick(request, _("贫困村与人口"))
    scope = request.user.scope
    year = _year(request, _this_year(request))
    data = selectors.villages_overview(scope=scope, region=_region(request), year=year)
    return render(request, "quality/villages.html", {"d": data, "year": year,
                                                     "can_edit": scope.rules.edit_registry and scope.rules.see_households})


@login_required
@require_POST
def villages_save(request):
    """One of the page's forms: a poor village set or removed, or a population figure (the region in the query)."""
    from bangfu.rules import services as rules_services

    scope = request.user.scope
    region = _region(request)
    rules_services.poor_village_check(scope)  # the role first (403), then the region (403/404)
    place = selectors.region_of(scope.narrow(region))
    year = _year(request, _this_year(request))
    action = request.POST.get("action", "")
    try:
        if action == "population":
            target = request.POST.get("target") or place.code
            services.population_set(scope=scope.narrow(region), region=target, year=year,
                                    population=request.POST.get("population", ""))
            messages.success(request, _("已保存农村户籍人口"))
        elif action in ("village", "village_remove"):
            village = request.POST.get("village", "")
            if not village.startswith(scope.narrow(region).prefix):
                raise NotFound(_("村不存在或不在您的管辖范围内"), field="village")
            if action == "village_remove":
                rules_services.poor_village_remove(scope=scope, village=village)
                messages.success(request, _("已从贫困村名单中移除"))
            else:
                planned = request.POST.get("planned_exit_year", "")
                if planned and not planned.isdigit():
                    raise ValidationError(_("计划出列年度格式不正确：%(v)s") % {"v": planned}, field="planned_exit_year")
                rules_services.poor_village_set(scope=scope, village=village, deep=bool(request.POST.get("deep")),
                                                planned_exit_year=int(planned) if planned else None,
                                                exited_on=_date(request.POST.get("exited_on", ""), "exited_on"))
                messages.success(request, _("已保存贫困村"))
        else:
            raise ValidationError(_("请选择要保存的内容"), field="action")
    except (NotFound, PermissionDenied):
        raise
    except BangfuError as exc:
        messages.error(request, exc.message)
    return redirect(f"{reverse('quality:villages')}?region={place.code}&year={year}")
