"""The quality figures (三率一度), the township summary of seed 003 and progress against targets.

Every figure is a count over the registry as of the period's end, read through the caller's scope
(narrowed to the region asked for: refused outside it, never widened). Each rate carries its
numerator, denominator, definition and the list behind it (docs/quality.md has the definitions).

Who is counted:
- 建档立卡户 on a day D: identified on or before D (or with no 识别日期 recorded) and either registered poor (status 未脱贫/已脱贫) or
  exited at some time (a monitored household that had exited). A monitored 边缘易致贫户 or 突发严重困难户
  that was never registered poor is not one.
- 贫困户 (未脱贫) on D: a 建档立卡户 not exited on or before D. 已脱贫 on D: exited on or before D.
- People: the household's size (家庭人口) as registered now.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import ExtractYear
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from bangfu.accounts.scope import Scope
from bangfu.crosschecks.models import Clue, ClueStatus, Finding
from bangfu.errors import NotFound, ValidationError
from bangfu.measures.models import Measure, MeasureCategory, MeasureStatus
from bangfu.quality.models import RuralPopulation, Satisfaction, SatisfactionAnswer, Target
from bangfu.regions.models import Region, pad
from bangfu.registry.models import Household
from bangfu.rules.models import PoorVillage

L = gettext_lazy


@dataclass(frozen=True)
class Period:
    start: date
    end: date

    @property
    def label(self) -> str:
        if (self.start.month, self.start.day, self.end.month, self.end.day) == (1, 1, 12, 31) \
                and self.start.year == self.end.year:
            return _("%(y)s年") % {"y": self.start.year}
        return f"{self.start} — {self.end}"


def period_of(*, year: int | None = None, start: date | None = None, end: date | None = None) -> Period:
    """A year, or the days from start to end (both given)."""
    if start or end:
        if not (start and end):
            raise ValidationError(_("请同时填写起止日期"), field="start" if not start else "end")
        if end < start:
            raise ValidationError(_("截止日期不能早于起始日期"), field="end")
        return Period(start, end)
    if year is None:
        raise ValidationError(_("请填写年度"), field="year")
    if not 1949 <= year <= 2200:
        raise ValidationError(_("年度超出范围：%(y)s") % {"y": year}, field="year")
    return Period(date(year, 1, 1), date(year, 12, 31))


def region_of(scope: Scope) -> Region:
    """The region a narrowed scope stands for (a whole-country scope has none to report on)."""
    if not scope.prefix:
        raise ValidationError(_("请选择区域"), field="region")
    region = Region.objects.filter(code=pad(scope.prefix)).first()
    if region is None:
        raise NotFound(_("区域不存在"), field="region")
    return region


# Who is counted ---------------------------------------------------------------------------------


def registered_households(scope: Scope, on: date) -> QuerySet[Household]:
    """建档立卡户 on a day (module docstring)."""
    return (scope.households(Household.objects.all())
            .filter(Q(identified_on__lte=on) | Q(identified_on__isnull=True))
            .filter(Q(status__in=("poor", "exited")) | Q(exited_on__isnull=False)))


def poor_households(scope: Scope, on: date) -> QuerySet[Household]:
    return registered_households(scope, on).filter(Q(exited_on__isnull=True) | Q(exited_on__gt=on))


def exited_households(scope: Scope, on: date) -> QuerySet[Household]:
    return registered_households(scope, on).filter(exited_on__lte=on)


def _clues(scope: Scope) -> QuerySet[Clue]:
    if not scope.rules.see_households:
        return Clue.objects.none()
    qs = Clue.objects.all()
    return qs.filter(region__code__startswith=scope.prefix) if scope.prefix else qs


def confirmed_clues(scope: Scope, finding: str, period: Period) -> QuerySet[Clue]:
    """Clues closed in the period with this finding (确认错评 / 错退 / 漏评)."""
    return _clues(scope).filter(status=ClueStatus.CLOSED, finding=finding, closed_on__gte=period.start,
                                closed_on__lte=period.end)


def _snapshot_rows(scope: Scope, period: Period, kind: str):
    """(evaluation, rows) of the rules' snapshot the period reads (rules.selectors.evaluation_for_period:
    the latest evaluation taken in the period over the region or a region containing it), or (None, None)."""
    from bangfu.rules.selectors import evaluation_for_period, quality_rows

    evaluation = evaluation_for_period(scope=scope, start=period.start, end=period.end)
    if evaluation is None:
        return None, None
    return evaluation, quality_rows(scope=scope, evaluation=evaluation, kind=kind)


def wrong_exit_household_ids(scope: Scope, period: Period) -> QuerySet:
    """The households counted as 错退 in the period: the one place the 错退率 and its list take them from.

    Exited households that either
    - a clue closed in the period confirms as 错退 (a cross-check hit or a field review: 入户核查, 暗访,
      `clue_record`, verified and closed with the finding 确认错退), exited on or before the period's end; or
    - the rules' snapshot of the period finds failing an exit criterion (rules.selectors.quality_rows
      kind "exited_failing": 已脱贫 on the snapshot's day, not meeting 一达标两不愁三保障 by the rule version
      in force then)."""
    clues = (confirmed_clues(scope, Finding.WRONG_EXIT, period).filter(household__exited_on__lte=period.end)
             .values("household_id"))
    _evaluation, rows = _snapshot_rows(scope, period, "exited_failing")
    found = Q(pk__in=clues)
    if rows is not None:
        found |= Q(pk__in=rows.values("household_id"))
    return Household.objects.filter(found).values("pk")


def missed_household_ids(scope: Scope, period: Period) -> QuerySet:
    """The registered households counted as 漏评 in the period: general households (一般农户) the rules'
    snapshot of the period finds meeting the identification criteria (rules.selectors.quality_rows kind
    "missed"). The 漏评 clues of cross-checks (a 低保 entry no registered member matches) have no household
    and are counted beside these, one person each."""
    _evaluation, rows = _snapshot_rows(scope, period, "missed")
    return rows.values("household_id") if rows is not None else Household.objects.none().values("pk")


def _people(qs: QuerySet[Household]) -> tuple[int, int]:
    row = qs.aggregate(households=Count("pk"), people=Sum("size"))
    return row["households"], row["people"] or 0


def _percent(numerator: int, denominator: int | None) -> Decimal | None:
    if not denominator:
        return None
    return (Decimal(numerator) * 100 / Decimal(denominator)).quantize(Decimal("0.01"), ROUND_HALF_UP)


def rural_population(scope: Scope, year: int) -> int | None:
    """The region's rural registered population in the year: its own figure, else the sum of its villages'."""
    own = RuralPopulation.objects.filter(region_id=pad(scope.prefix), year=year).values_list("population", flat=True).first()
    if own is not None:
        return own
    total = (RuralPopulation.objects.filter(region__code__startswith=scope.prefix, region__level=5, year=year)
             .aggregate(n=Sum("population"))["n"])
    return total


# Rates -----------------------------------------------------------------------------------------

DEFINITIONS = {
    "incidence": (L("贫困发生率"), L("期末未脱贫的建档立卡人口 ÷ 该区域当年农村户籍人口 × 100%。分子按户的家庭人口计；分母取该区域填报的农村户籍人口，未填报时取其下各村之和。")),
    "missed": (L("漏评率"), L("期内漏评人数 ÷ (期末未脱贫的建档立卡人口 + 漏评人数) × 100%。漏评人数：期内最近一次规则测算中符合识别标准(人均纯收入不高于贫困线，或两不愁三保障有一项未保障)的一般农户的家庭人口，加上低保等名单比对未匹配到建档立卡成员、经核查办结为“确认漏评”的线索(每条计 1 人)。")),
    "wrong_identification": (L("错评率"), L("期内核查确认错评的户的人口 ÷ 期末建档立卡人口(含已脱贫) × 100%。错评来自数据比对或入户核查、办结为“确认错评”的线索，按户去重，计户的家庭人口。")),
    "wrong_exit": (L("错退率"), L("期内错退户的人口 ÷ 期末已脱贫人口 × 100%。错退户：期内最近一次规则测算中不再满足退出标准的已脱贫户，以及期内有办结为“确认错退”的线索的已脱贫户，按户去重。")),
    "satisfaction": (L("群众认可度"), L("期内“满意”与“基本满意”的回答数 ÷ 全部满意度回答数 × 100%。回答由帮扶干部入户时逐户记录。")),
}


@dataclass
class Rate:
    key: str
    label: str
    definition: str
    numerator: int
    denominator: int | None
    households: int | None = None  # the numerator's households, where it counts households
    value: Decimal | None = None
    list_url: str = ""
    note: str = ""


@dataclass
class Rates:
    region: Region
    period: Period
    rates: list[Rate] = field(default_factory=list)
    monitored_after_exit: int = 0  # reference: exited households that entered monitoring in the period


def _rate(key: str, numerator: int, denominator: int | None, region: Region, period: Period, **extra) -> Rate:
    label, definition = DEFINITIONS[key]
    url = reverse("quality:rate_list", args=[key]) + f"?region={region.code}&start={period.start}&end={period.end}"
    return Rate(key=key, label=str(label), definition=str(definition), numerator=numerator, denominator=denominator,
                value=_percent(numerator, denominator), list_url=url, **extra)


def quality_rates(*, scope: Scope, region: str = "", period: Period) -> Rates:
    """三率一度 for a region and period: five aggregates, each with the list behind it."""
    scope = scope.narrow(region)
    place = region_of(scope)
    end = period.end
    poor_h, poor_p = _people(poor_households(scope, end))
    registered_h, registered_p = _people(registered_households(scope, end))
    exited_h, exited_p = _people(exited_households(scope, end))
    population = rural_population(scope, end.year)
    missed_clues = confirmed_clues(scope, Finding.MISSED, period).count()
    missed_h, missed_p = _people(scope.households(Household.objects.filter(pk__in=missed_household_ids(scope, period))))
    missed = missed_clues + missed_p
    wrong_h, wrong_p = _people(scope.households(Household.objects.filter(
        pk__in=confirmed_clues(scope, Finding.WRONG_IDENTIFICATION, period).values("household_id"))))
    wrong_exit_h, wrong_exit_p = _people(scope.households(Household.objects.filter(
        pk__in=wrong_exit_household_ids(scope, period))))
    answers = _answers(scope, period).aggregate(
        total=Count("pk"), good=Count("pk", filter=Q(answer__in=(Satisfaction.SATISFIED, Satisfaction.BASIC))))
    out = Rates(region=place, period=period)
    out.rates = [
        _rate("incidence", poor_p, population, place, period, households=poor_h,
              note="" if population else _("未填报农村户籍人口，无法计算")),
        _rate("missed", missed, poor_p + missed, place, period, households=missed_h),
        _rate("wrong_identification", wrong_p, registered_p, place, period, households=wrong_h),
        _rate("wrong_exit", wrong_exit_p, exited_p, place, period, households=wrong_exit_h),
        _rate("satisfaction", answers["good"], answers["total"], place, period,
              note="" if answers["total"] else _("期内没有满意度回答")),
    ]
    out.monitored_after_exit = scope.households(Household.objects.filter(
        exited_on__isnull=False, status="monitored", monitored_on__gte=period.start, monitored_on__lte=end)).count()
    return out


def _answers(scope: Scope, period: Period) -> QuerySet[SatisfactionAnswer]:
    qs = SatisfactionAnswer.objects.filter(answered_on__gte=period.start, answered_on__lte=period.end)
    if not scope.rules.see_households:
        return qs.none()
    return qs.filter(region__code__startswith=scope.prefix) if scope.prefix else qs


RATE_KEYS = tuple(DEFINITIONS)
LIST_LIMIT = 2000  # rows a list page shows (its count is always complete)


def rate_list(*, scope: Scope, key: str, region: str = "", period: Period) -> tuple[str, int, list[dict]]:
    """The list behind one rate: (title, total count, rows)."""
    if key not in DEFINITIONS:
        raise NotFound(_("没有这项指标：%(k)s") % {"k": key}, field="rate")
    scope = scope.narrow(region)
    region_of(scope)
    title = str(DEFINITIONS[key][0])
    if key in ("incidence", "wrong_identification", "wrong_exit"):
        if key == "incidence":
            qs = poor_households(scope, period.end)
        elif key == "wrong_identification":
            qs = scope.households(Household.objects.filter(
                pk__in=confirmed_clues(scope, Finding.WRONG_IDENTIFICATION, period).values("household_id")))
        else:
            qs = scope.households(Household.objects.filter(pk__in=wrong_exit_household_ids(scope, period)))
        total = qs.count()
        rows = list(qs.select_related("head", "region").order_by("region_id", "number")[:LIST_LIMIT])
        reasons = _clue_reasons(scope, key, period, [h.pk for h in rows]) if key != "incidence" else {}
        if key == "wrong_exit":
            _rule_reasons(scope, period, "exited_failing", [h.pk for h in rows], reasons)
        return title, total, [_household_row(h, reasons) for h in rows]
    if key == "missed":
        households = scope.households(Household.objects.filter(pk__in=missed_household_ids(scope, period)))
        clues = confirmed_clues(scope, Finding.MISSED, period).select_related("region", "entry").order_by("region_id", "pk")
        found = list(households.select_related("head", "region").order_by("region_id", "number")[:LIST_LIMIT])
        reasons = _rule_reasons(scope, period, "missed", [h.pk for h in found], {})
        rows = [_household_row(h, reasons) for h in found]
        rows += [{"clue_id": c.pk, "name": c.entry.name if c.entry_id else "", "village": c.region.full_name,
                  "size": 1, "reason": c.description, "closed_on": c.closed_on, "verification": c.verification}
                 for c in clues[:max(LIST_LIMIT - len(rows), 0)]]
        return title, households.count() + clues.count(), rows
    qs = _answers(scope, period).select_related("household", "region").order_by("region_id", "answered_on", "pk")
    return title, qs.count(), [{"household_id": a.household_id, "household_number": a.household.number,
                                "village": a.region.full_name, "answered_on": a.answered_on,
                                "answer": str(a.get_answer_display()), "note": a.note} for a in qs[:LIST_LIMIT]]


def _household_row(h: Household, reasons: dict[int, list[str]]) -> dict:
    return {"household_id": h.pk, "household_number": h.number, "village": h.region.full_name,
            "head": h.head.name if h.head_id else "", "size": h.size, "status": str(h.get_status_display()),
            "exited_on": h.exited_on, "reason": "；".join(reasons.get(h.pk, []))}


def _rule_reasons(scope: Scope, period: Period, kind: str, households: list[int],
                  out: dict[int, list[str]]) -> dict[int, list[str]]:
    """The failing criteria the rules' snapshot found for these households (criterion, value, line, version)."""
    from bangfu.rules.selectors import quality_reasons

    evaluation, rows = _snapshot_rows(scope, period, kind)
    if rows is not None:
        for household, text in quality_reasons(evaluation=evaluation,
                                               rows=rows.filter(household_id__in=households)).items():
            out.setdefault(household, []).append(text)
    return out


def _clue_reasons(scope: Scope, key: str, period: Period, households: list[int]) -> dict[int, list[str]]:
    finding = Finding.WRONG_IDENTIFICATION if key == "wrong_identification" else Finding.WRONG_EXIT
    out: dict[int, list[str]] = {}
    for household, description, verification, closed_on in (
            confirmed_clues(scope, finding, period).filter(household_id__in=households)
            .values_list("household_id", "description", "verification", "closed_on").order_by("closed_on", "pk")):
        out.setdefault(household, []).append(f"{closed_on} {description}：{verification}")
    return out


# The township summary of seed 003 -----------------------------------------------------------------


def township_summary(*, scope: Scope, region: str = "", year: int) -> dict:
    """"XX镇贫困系统N户M人，其中已脱贫X户Y人(…年脱贫…)，未脱贫…户…人(…年计划脱贫…、政策兜底…)。
    XX镇共K个贫困村(其中…为深度贫困村)，…年已出列…；…年计划出列…" — from the data, as of the year's end."""
    scope = scope.narrow(region)
    place = region_of(scope)
    end = date(year, 12, 31)
    total_h, total_p = _people(registered_households(scope, end))
    exited = exited_households(scope, end)
    exited_h, exited_p = _people(exited)
    by_year = [{"year": r["y"], "households": r["h"], "people": r["p"] or 0} for r in
               exited.annotate(y=ExtractYear("exited_on")).values("y").annotate(h=Count("pk"), p=Sum("size")).order_by("y")]
    poor = poor_households(scope, end)
    poor_h, poor_p = _people(poor)
    plans = list(poor.values(plan_year=F("exit_plan__year"), safety_net=F("exit_plan__safety_net"))
                 .annotate(h=Count("pk"), p=Sum("size")).order_by("plan_year"))
    planned: dict[int, dict] = {}
    net = {"households": 0, "people": 0}
    unplanned = {"households": 0, "people": 0}
    for row in plans:
        slot = net if row["safety_net"] else (planned.setdefault(row["plan_year"], {"year": row["plan_year"], "households": 0, "people": 0})
                                              if row["plan_year"] else unplanned)
        slot["households"] += row["h"]
        slot["people"] += row["p"] or 0
    villages = list(PoorVillage.objects.filter(region__code__startswith=scope.prefix).select_related("region")
                    .order_by("region_id"))
    exited_villages: dict[int, list[str]] = {}
    planned_villages: dict[int, list[str]] = {}
    for v in villages:
        if v.exited_on and v.exited_on <= end:
            exited_villages.setdefault(v.exited_on.year, []).append(v.region.name)
        elif v.planned_exit_year:
            planned_villages.setdefault(v.planned_exit_year, []).append(v.region.name)
    data = {
        "region": {"name": place.name, "full_name": place.full_name, "code": place.code}, "year": year,
        "as_of": end,
        "households": total_h, "people": total_p,
        "exited": {"households": exited_h, "people": exited_p, "by_year": by_year},
        "poor": {"households": poor_h, "people": poor_p, "planned": [planned[y] for y in sorted(planned)],
                 "safety_net": net, "unplanned": unplanned},
        "villages": {"total": len(villages), "deep": [v.region.name for v in villages if v.deep],
                     "exited": [{"year": y, "names": "、".join(n), "count": len(n)} for y, n in sorted(exited_villages.items())],
                     "planned": [{"year": y, "names": "、".join(n), "count": len(n)} for y, n in sorted(planned_villages.items())]},
    }
    data["text"] = summary_text(data)
    return data


def summary_text(d: dict) -> list[str]:
    """The two sentences of seed 003's 基本情况, in its form."""
    name, v = d["region"]["name"], d["villages"]
    exited = _("、").join(_("%(year)s年脱贫%(households)s户%(people)s人") % r for r in d["exited"]["by_year"])
    parts = [_("%(year)s年计划脱贫%(households)s户%(people)s人") % r for r in d["poor"]["planned"]]
    if d["poor"]["safety_net"]["households"]:
        parts.append(_("政策兜底%(households)s户%(people)s人") % d["poor"]["safety_net"])
    if d["poor"]["unplanned"]["households"]:
        parts.append(_("尚未安排脱贫计划%(households)s户%(people)s人") % d["poor"]["unplanned"])
    first = _("%(name)s贫困系统%(households)s户%(people)s人，其中已脱贫%(exited_households)s户%(exited_people)s人"
              "%(exited_by_year)s，未脱贫%(poor_households)s户%(poor_people)s人%(poor_plans)s。") % {
        "name": name, "households": d["households"], "people": d["people"],
        "exited_households": d["exited"]["households"], "exited_people": d["exited"]["people"],
        "exited_by_year": _("（%(list)s）") % {"list": exited} if exited else "",
        "poor_households": d["poor"]["households"], "poor_people": d["poor"]["people"],
        "poor_plans": _("（%(list)s）") % {"list": _("、").join(parts)} if parts else ""}
    steps = [_("%(year)s年已出列%(names)s") % r for r in v["exited"]] + \
            [_("%(year)s年计划出列%(names)s") % r for r in v["planned"]]
    second = ngettext("%(name)s共%(total)s个贫困村%(deep)s%(steps)s。", "%(name)s共%(total)s个贫困村%(deep)s%(steps)s。",
                      v["total"]) % {
        "name": name, "total": v["total"],
        "deep": _("（其中%(names)s为深度贫困村）") % {"names": _("、").join(v["deep"])} if v["deep"] else "",
        "steps": _("，%(steps)s") % {"steps": _("；").join(steps)} if steps else ""}
    return [first, second]


# Targets ------------------------------------------------------------------------------------------

TARGET_FIELDS = {
    "households_exit": L("脱贫户数"), "people_exit": L("脱贫人数"), "villages_exit": L("出列村数"),
    "relocations": L("易地搬迁户数"), "trainings": L("培训人次"), "microcredit": L("小额信贷笔数"),
}


def target_progress(*, scope: Scope, region: str = "", year: int) -> dict:
    """The region's targets for the year against what the data shows done in it."""
    scope = scope.narrow(region)
    place = region_of(scope)
    start, end = date(year, 1, 1), date(year, 12, 31)
    target = Target.objects.filter(region=place, year=year).first()
    exited = registered_households(scope, end).filter(exited_on__gte=start, exited_on__lte=end)
    exited_h, exited_p = _people(exited)
    measures = Measure.objects.filter(status=MeasureStatus.DELIVERED, delivered_on__gte=start, delivered_on__lte=end)
    measures = measures.filter(region__code__startswith=scope.prefix) if scope.rules.see_households else measures.none()
    delivered = measures.aggregate(
        relocations=Count("household", filter=Q(category=MeasureCategory.RELOCATION), distinct=True),
        trainings=Count("pk", filter=Q(category=MeasureCategory.TRAINING)),
        microcredit=Count("pk", filter=Q(category=MeasureCategory.CREDIT)))
    done = {"households_exit": exited_h, "people_exit": exited_p,
            "villages_exit": PoorVillage.objects.filter(region__code__startswith=scope.prefix, exited_on__gte=start,
                                                        exited_on__lte=end).count(), **delivered}
    rows = []
    for key, label in TARGET_FIELDS.items():
        goal = getattr(target, key) if target else 0
        rows.append({"key": key, "name": str(label), "target": goal, "done": done[key],
                     "rate": _percent(done[key], goal)})
    return {"region": {"code": place.code, "name": place.name, "full_name": place.full_name}, "year": year,
            "has_target": target is not None, "rows": rows}


# Poor villages and the rural population (what an office enters for 出列, 摘帽 and 贫困发生率) ------------------


def villages_overview(*, scope: Scope, region: str = "", year: int) -> dict:
    """The villages under a region (a township or a county) with their poor-village record (rules'
    PoorVillage) and rural population of the year, plus the region's own population figure: what the
    page 贫困村与人口 lists beside its forms. Three queries."""
    scope = scope.narrow(region)
    place = region_of(scope)
    villages = list(Region.objects.filter(prefix__startswith=scope.prefix, level=5).order_by("code")[:LIST_LIMIT])
    codes = [v.code for v in villages]
    poor = {p.region_id: p for p in PoorVillage.objects.filter(region__code__startswith=scope.prefix)}
    population = dict(RuralPopulation.objects.filter(region__code__startswith=scope.prefix, year=year)
                      .values_list("region_id", "population"))
    rows = [{"code": v.code, "name": v.name, "poor": v.code in poor,
             "deep": poor[v.code].deep if v.code in poor else False,
             "planned_exit_year": poor[v.code].planned_exit_year if v.code in poor else None,
             "exited_on": poor[v.code].exited_on if v.code in poor else None,
             "population": population.get(v.code)} for v in villages]
    return {"region": {"code": place.code, "name": place.name, "full_name": place.full_name, "level": place.level},
            "year": year, "population": population.get(place.code), "rows": rows,
            "poor_villages": sum(1 for r in rows if r["poor"]), "codes": codes}
