"""/api/v1/quality: 三率一度 with the list behind each rate, the township summary, targets and satisfaction."""

from datetime import date
from decimal import Decimal

from django.utils import timezone
from ninja import Query, Router, Schema, Status

from bangfu.quality import selectors, services
from bangfu.registry.selectors import household_get
from bangfu.schemas import Count, Id, RegionCode, Year

router = Router(tags=["三率一度与目标任务"])


class PeriodQuery(Schema):
    region: RegionCode = ""
    year: Year | None = None
    start: date | None = None
    end: date | None = None

    def period(self) -> selectors.Period:
        year = self.year
        if year is None and not (self.start or self.end):
            year = timezone.localdate().year  # the interface's default, as the pages'
        return selectors.period_of(year=year, start=self.start, end=self.end)


class RateOut(Schema):
    key: str
    label: str
    definition: str
    numerator: int
    denominator: int | None
    households: int | None
    value: Decimal | None  # percent
    list_url: str  # the page listing who is counted
    note: str


class RatesOut(Schema):
    region: str
    start: date
    end: date
    rates: list[RateOut]
    monitored_after_exit: int


class RateListOut(Schema):
    title: str
    count: int
    items: list[dict]


class TargetRow(Schema):
    key: str
    name: str
    target: int
    done: int
    rate: Decimal | None


class TargetsOut(Schema):
    region: dict
    year: int
    has_target: bool
    rows: list[TargetRow]


class TargetIn(Schema):
    region: RegionCode
    year: Year
    households_exit: Count = 0
    people_exit: Count = 0
    villages_exit: Count = 0
    relocations: Count = 0
    trainings: Count = 0
    microcredit: Count = 0


class AnswerIn(Schema):
    household_id: Id
    answer: str  # satisfied 满意 / basic 基本满意 / dissatisfied 不满意
    answered_on: date
    note: str = ""


class AnswerOut(Schema):
    id: int
    household_id: int
    answer: str
    answered_on: date


@router.get("/quality/rates", response=RatesOut, summary="三率一度(贫困发生率、漏评率、错评率、错退率、群众认可度)")
def rates(request, q: Query[PeriodQuery]):
    out = selectors.quality_rates(scope=request.auth.scope, region=q.region, period=q.period())
    return {"region": out.region.code, "start": out.period.start, "end": out.period.end,
            "rates": [r.__dict__ for r in out.rates], "monitored_after_exit": out.monitored_after_exit}


@router.get("/quality/rates/{rate}", response=RateListOut, summary="某项指标背后的名单")
def rate_list(request, rate: str, q: Query[PeriodQuery]):
    title, count, rows = selectors.rate_list(scope=request.auth.scope, key=rate, region=q.region, period=q.period())
    return {"title": title, "count": count, "items": rows}


@router.get("/quality/summary", response=dict, summary="乡镇基本情况(户数人数、脱贫年度、贫困村出列)")
def summary(request, year: Year | None = None, region: RegionCode = ""):
    return selectors.township_summary(scope=request.auth.scope, region=region, year=year or timezone.localdate().year)


@router.get("/quality/targets", response=TargetsOut, summary="目标任务完成情况")
def targets(request, year: Year | None = None, region: RegionCode = ""):
    return selectors.target_progress(scope=request.auth.scope, region=region, year=year or timezone.localdate().year)


@router.put("/quality/targets", response=TargetsOut, summary="填报年度目标任务")
def target_set(request, payload: TargetIn):
    scope = request.auth.scope
    values = payload.dict()
    services.target_set(scope=scope, by=request.auth, region=values.pop("region"), year=values.pop("year"),
                        values=values)
    return selectors.target_progress(scope=scope, region=payload.region, year=payload.year)


@router.post("/quality/satisfaction", response={201: AnswerOut}, summary="记录一户的满意度回答")
def answer_record(request, payload: AnswerIn):
    scope = request.auth.scope
    household = household_get(scope=scope, pk=payload.household_id)
    answer = services.answer_record(scope=scope, by=request.auth, household=household, answer=payload.answer,
                                    answered_on=payload.answered_on, note=payload.note)
    return Status(201, {"id": answer.pk, "household_id": household.pk, "answer": answer.answer,
                        "answered_on": answer.answered_on})


class PoorVillageIn(Schema):
    village: RegionCode
    deep: bool = False
    planned_exit_year: Year | None = None
    exited_on: date | None = None


class ExitPlanIn(Schema):
    household_id: Id
    year: Year | None = None
    safety_net: bool = False


class PopulationIn(Schema):
    region: RegionCode
    year: Year
    population: Count


@router.put("/quality/poor-villages", response=dict, summary="登记贫困村(深度贫困、计划出列年度、出列日期)")
def poor_village_set(request, payload: PoorVillageIn):
    from bangfu.rules.services import poor_village_set

    v = poor_village_set(scope=request.auth.scope, village=payload.village, deep=payload.deep,
                                  planned_exit_year=payload.planned_exit_year, exited_on=payload.exited_on)
    return {"village": v.region_id, "deep": v.deep, "planned_exit_year": v.planned_exit_year, "exited_on": v.exited_on}


@router.put("/quality/exit-plans", response=dict, summary="登记一户的脱贫计划(计划脱贫年度或政策兜底)")
def exit_plan_set(request, payload: ExitPlanIn):
    scope = request.auth.scope
    household = household_get(scope=scope, pk=payload.household_id)
    plan = services.exit_plan_set(scope=scope, household=household, year=payload.year, safety_net=payload.safety_net)
    return {"household_id": household.pk, "year": plan.year, "safety_net": plan.safety_net}


@router.put("/quality/population", response=dict, summary="填报农村户籍人口(贫困发生率的分母)")
def population_set(request, payload: PopulationIn):
    p = services.population_set(scope=request.auth.scope, region=payload.region, year=payload.year,
                                population=payload.population)
    return {"region": p.region_id, "year": p.year, "population": p.population}
