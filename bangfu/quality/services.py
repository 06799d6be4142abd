"""Writing what the quality figures need: targets, satisfaction answers, exit plans and the rural
population (poor villages: rules.services.poor_village_set). Each checks the role and the scope first."""

from datetime import date

from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import PermissionDenied, ValidationError
from bangfu.quality.models import ExitPlan, RuralPopulation, Satisfaction, SatisfactionAnswer, Target
from bangfu.quality.selectors import TARGET_FIELDS, region_of


def _require_office(scope: Scope) -> None:
    if not (scope.rules.edit_registry and scope.rules.see_households):
        raise PermissionDenied(_("您的角色不能填报"))


def _count(value, field: str) -> int:
    try:
        n = int(value if value not in (None, "") else 0)
    except (TypeError, ValueError):
        raise ValidationError(_("请填写非负整数"), field=field) from None
    if not 0 <= n <= 2_000_000_000:
        raise ValidationError(_("请填写非负整数"), field=field)
    return n


@transaction.atomic
def target_set(*, scope: Scope, by, region: str, year: int, values: dict) -> Target:
    """Set a region's targets for a year (one record per region and year; set again to change)."""
    _require_office(scope)
    narrowed = scope.narrow(region)
    place = region_of(narrowed)
    if not 1949 <= int(year) <= 2200:
        raise ValidationError(_("年度超出范围：%(y)s") % {"y": year}, field="year")
    data = {key: _count(values.get(key), key) for key in TARGET_FIELDS}
    target, _created = Target.objects.update_or_create(
        region=place, year=year, defaults={**data, "county_code": place.code[:6], "updated_by": by})
    return target


@transaction.atomic
def answer_record(*, scope: Scope, by, household, answer: str, answered_on: date, note: str = "") -> SatisfactionAnswer:
    """A household's satisfaction answer, recorded on a visit (by its helper or an office)."""
    if not (scope.rules.record_activities and scope.rules.see_households):
        raise PermissionDenied(_("您的角色不能记录满意度"))
    if answer not in Satisfaction.values:
        raise ValidationError(_("请选择满意、基本满意或不满意"), field="answer")
    if not isinstance(answered_on, date):
        raise ValidationError(_("请填写回答日期"), field="answered_on")
    if SatisfactionAnswer.objects.filter(county_code=household.county_code, household=household,
                                         answered_on=answered_on).exists():
        raise ValidationError(_("该户当天已记录满意度"), field="answered_on")
    return SatisfactionAnswer.objects.create(household=household, county_code=household.county_code,
                                             region_id=household.region_id, answered_on=answered_on, answer=answer,
                                             note=(note or "").strip()[:200], recorded_by=by)


@transaction.atomic
def exit_plan_set(*, scope: Scope, household, year: int | None = None, safety_net: bool = False) -> ExitPlan:
    _require_office(scope)
    if year is None and not safety_net:
        raise ValidationError(_("请填写计划脱贫年度，或选择政策兜底"), field="year")
    obj, _created = ExitPlan.objects.update_or_create(household=household, defaults={
        "county_code": household.county_code, "year": year, "safety_net": safety_net})
    return obj


@transaction.atomic
def population_set(*, scope: Scope, region: str, year: int, population: int) -> RuralPopulation:
    _require_office(scope)
    place = region_of(scope.narrow(region))
    obj, _created = RuralPopulation.objects.update_or_create(region=place, year=year, defaults={
        "county_code": place.code[:6], "population": _count(population, "population")})
    return obj


