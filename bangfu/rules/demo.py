"""The rules demo in 融安县: Guangxi's lines for 2025 and 2026, households of one village of 长安镇
put on each side of every threshold through the registry's services (each change that meets a
trigger raises its monitoring case, as it would in use), one exit carried through its notice, one
monitoring case closed by risk elimination, others open (one overdue), and a county evaluation.

Fixed dates in 2026, so that the same registry gives the same rows."""

from datetime import date
from decimal import Decimal

from django.db.models import Count
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, ValidationError
from bangfu.procedures import services as procedures
from bangfu.registry import services as registry
from bangfu.registry.models import Household, HouseholdStatus, Person
from bangfu.rules import services, workflow
from bangfu.rules.selectors import evaluate_households

PROVINCE = "450000000000"
TOWNSHIP = "450224100000"  # 长安镇


def _user(username: str):
    return User.objects.filter(username=username).first()


def _income(household: Household, per_head: int) -> dict:
    return {"wage_income": Decimal(per_head * household.size), "production_income": Decimal(0),
            "property_income": Decimal(0), "transfer_income": Decimal(0)}


def _helper_assign(scope: Scope, by, household: Household, *, on: date) -> None:
    """A household in monitoring is covered by the programmes that cover monitored households
    (帮扶责任人): the 帮扶 step pairs it with the county's least-loaded helper who has room."""
    from bangfu.programmes import services as programmes
    from bangfu.programmes.models import Pairing, PairingStatus, Programme

    for programme in Programme.objects.filter(coverage_attribute="status"):
        if HouseholdStatus.MONITORED not in programme.coverage_values:
            continue
        active = Pairing.objects.filter(programme=programme, status=PairingStatus.ACTIVE)
        if active.filter(target_household=household).exists():
            continue
        helpers = (active.filter(helper_person__isnull=False)
                   .values("helper_person").annotate(n=Count("pk")).order_by("n", "helper_person"))
        for row in helpers[:50]:
            helper = Person.objects.get(pk=row["helper_person"])
            try:
                programmes.pairing_create(scope=scope, by=by, programme=programme, helper=helper, target=household,
                                          starts_on=max(on, programme.starts_on))
                break
            except (ValidationError, Conflict):
                continue


def rules_demo(*, progress=lambda message: None) -> dict:
    admin = Scope(role=Role.ADMIN, prefix="")
    county = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
    by_admin, by_county, by_township = _user("admin"), _user("county"), _user("changan")
    progress(_("生成识别、退出与监测演示：2025、2026年标准…"))
    services.rule_set_save(scope=admin, by=by_admin, region=PROVINCE, year=2025, effective_from=date(2025, 1, 1),
                           data={"poverty_line": Decimal("4700"), "monitoring_line": Decimal("7000")},
                           note="2025年度脱贫攻坚成果巩固标准")
    services.rule_set_save(scope=admin, by=by_admin, region=PROVINCE, year=2026, effective_from=date(2026, 1, 1),
                           data={"poverty_line": Decimal("4900"), "monitoring_line": Decimal("7300")},
                           note="2026年度防止返贫监测标准")
    base = Household.objects.filter(region__code__startswith=TOWNSHIP[:9], size__gte=2).order_by("region_id", "pk")
    village = (base.filter(status="exited").values("region_id").annotate(n=Count("pk")).order_by("-n", "region_id")
               .values_list("region_id", flat=True).first())
    if village is None:
        return {}
    # households meeting every criterion and no trigger before the demo moves them (one statement)
    rule_set = services.rule_set_in_force(region=village, on=date(2026, 1, 5))
    # the village's households first; a small demo (--scale) tops them up from the township's others
    ids = list(base.filter(region_id=village, status="exited").values_list("pk", flat=True))
    ids += list(base.filter(status="exited").exclude(region_id=village).values_list("pk", flat=True)[:max(0, 60 - len(ids))])
    clean = {r["household_id"] for r in evaluate_households(rule_set, household_ids=ids, prefix=TOWNSHIP[:9],
                                                             on=date(2026, 1, 5))
             if r["exit_ok"] and not r["triggers"] and not r["unable_to_work"]}
    exited = sorted(base.filter(pk__in=clean), key=lambda h: (h.region_id != village, h.region_id, h.pk))
    # poor households of the township whose only gap, if any, is income: the line decides them
    poor_ids = list(base.filter(status="poor").values_list("pk", flat=True))
    income_only = {r["household_id"] for r in evaluate_households(rule_set, household_ids=poor_ids,
                                                                  prefix=TOWNSHIP[:9], on=date(2026, 1, 5))
                   if r["failures"] in ("", "income,")}
    poor = list(base.filter(pk__in=income_only)[:2]) or exited[10:12]
    exited = exited[:10]

    def change(h: Household, data: dict, on: date) -> None:
        registry.household_update(scope=county, by=by_county, household=h, data=data, on=on)

    # each side of every threshold (2026: poverty line 4900, monitoring line 7300)
    sides = [
        ({"income": 7200}, date(2026, 11, 16)),  # just under the monitoring line: raises a case (overdue by 12-02)
        ({"income": 7400}, date(2026, 11, 16)),  # just above: nothing
        ({"income": 8000, "income_per_capita_previous": Decimal("12000")}, date(2026, 11, 23)),  # fell by a third
        ({"income": 8000, "income_per_capita_previous": Decimal("10000")}, date(2026, 11, 23)),  # fell by a fifth
        ({"income": 9000, "medical_expense": 0.7}, date(2026, 11, 24)),  # illness costs 70% of the year's income
        ({"income": 9000, "disaster_loss": 0.3}, date(2026, 11, 25)),  # a flood's loss: 30% of the year's income
        ({"income": 9000, "housing_secure": False}, date(2026, 11, 26)),  # the house became unsafe
    ]
    for h, (values, on) in zip(exited, sides):
        values = dict(values)
        per_head = values.pop("income")
        for key in ("medical_expense", "disaster_loss"):  # a share of the household's income
            if key in values:
                values[key] = Decimal(round(per_head * h.size * values[key]))
        data = {**_income(h, per_head), **values}
        change(h, data, on)
    for h, per_head in zip(poor, (4950, 4850)):  # a poor household either side of the poverty line
        change(h, {**_income(h, per_head), "status": "poor", "exited_on": None}, date(2026, 3, 1))

    # one exit through its notice, an objection resolved on the way
    township = Scope(role=Role.TOWNSHIP_OFFICE, prefix=TOWNSHIP[:9])
    if poor:
        [case] = workflow.exit_nominate(scope=county, by=by_county, household_ids=[poor[0].pk], on=date(2026, 3, 2))
        procedures.cases_advance(scope=county, by=by_county, definition="exit", case_ids=[case.pk],
                                 transition="appraise", on=date(2026, 3, 3), comment="村民代表大会评议通过")
        notice = workflow.cases_publish(scope=township, by=by_township, definition="exit", case_ids=[case.pk],
                                        village=poor[0].region_id, starts_on=date(2026, 3, 4), ends_on=date(2026, 3, 10))
        objection = procedures.objection_raise(scope=township, by=by_township, notice=notice,
                                               raised_on=date(2026, 3, 5), content="反映该户收入偏高", raised_by="村民",
                                               case_id=case.pk)
        procedures.objection_resolve(scope=township, by=by_township, objection=objection, resolved_on=date(2026, 3, 9),
                                     resolution="经入户核实，收入属实，维持退出")
        procedures.cases_advance(scope=township, by=by_township, definition="exit", case_ids=[case.pk],
                                 transition="verify", on=date(2026, 3, 11))
        procedures.cases_advance(scope=county, by=by_county, definition="exit", case_ids=[case.pk],
                                 transition="announce", on=date(2026, 3, 12))
        workflow.exit_complete(scope=county, by=by_county, case_ids=[case.pk], on=date(2026, 3, 13))

    # monitoring: one closed by risk elimination, one being helped
    closed, helping = exited[7:8], exited[8:9]
    for h in closed + helping:
        m = workflow.monitoring_declare(scope=township, by=by_township, household=h, source="self",
                                        on=date(2026, 1, 5), reason="户主突发重病住院，医疗费用较高")
        for transition, on in (("verify", date(2026, 1, 6)), ("appraise", date(2026, 1, 7))):
            procedures.cases_advance(scope=township, by=by_township, definition="monitoring", case_ids=[m.case_id],
                                     transition=transition, on=on)
        workflow.monitoring_confirm(scope=township, by=by_township, monitoring=m, category="sudden",
                                    risk_types=["illness"], on=date(2026, 1, 8))
        workflow.monitoring_help(scope=township, by=by_township, monitoring=m, on=date(2026, 1, 9),
                                 measures="医疗救助；安排公益性岗位；产业奖补(滑皮金桔)")
        if h in closed:
            workflow.monitoring_eliminate(scope=township, by=by_township, monitoring=m, on=date(2026, 8, 3))
            workflow.cases_publish(scope=township, by=by_township, definition="monitoring", case_ids=[m.case_id],
                                   village=h.region_id, starts_on=date(2026, 8, 4), ends_on=date(2026, 8, 10))
            workflow.monitoring_mark(scope=township, by=by_township, monitoring=m, on=date(2026, 8, 11))
    # every household now monitored gets its 帮扶责任人, as the township assigns one when a case opens
    for h in Household.objects.filter(region__code__startswith=TOWNSHIP[:9], status=HouseholdStatus.MONITORED):
        _helper_assign(county, by_county, h, on=date(2026, 11, 30))
    evaluation = services.evaluation_run(scope=county, by=by_county, region="450224", on=date(2026, 11, 30))
    progress(_("  测算 %(d)s：%(n)d 户，达到退出标准 %(e)d 户，应纳入监测 %(m)d 户，可出列村 %(v)d/%(t)d") % {
        "d": evaluation.on, "n": evaluation.households, "e": evaluation.exit_eligible,
        "m": evaluation.monitoring_candidates, "v": evaluation.villages_exit, "t": evaluation.villages})
    return {"evaluation": evaluation}
