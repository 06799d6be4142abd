"""The quality demo in 融安县: 长安镇's poor villages and their 出列, each poor household's exit plan,
the rural population, yearly targets, satisfaction answers, and a civil servants' list and a 低保 list
loaded through the import machinery — so the clue list holds registered members, some clues open,
some closed (one 错评, one 漏评, one 错退 from a field review), one exempted.

Fixed dates; every write through the services the pages and the API use (the lists through
`import_file`, as `bangfu import` loads them)."""

import tempfile
from datetime import date
from pathlib import Path

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.crosschecks import services as clues
from bangfu.crosschecks.models import Clue
from bangfu.imports.services import import_file
from bangfu.privacy import id_numbers
from bangfu.quality import services
from bangfu.quality.models import ExitPlan, RuralPopulation
from bangfu.registry.models import Household
from bangfu.rules import services as rules_services

COUNTY = "450224"
TOWNSHIP = "450224100"  # 长安镇
ANSWERS = ["satisfied"] * 6 + ["basic"] * 3 + ["dissatisfied"]


def quality_demo(*, progress=lambda message: None) -> dict:
    county = Scope(role=Role.COUNTY_OFFICE, prefix=COUNTY)
    by = User.objects.filter(username="county").first()
    progress(_("生成三率一度与数据比对演示…"))
    registered = Household.objects.filter(region__code__startswith=TOWNSHIP, identified_on__isnull=False).filter(
        Q(status__in=("poor", "exited")) | Q(exited_on__isnull=False))
    villages = [r["region_id"] for r in registered.values("region_id").annotate(n=Count("pk")).order_by("-n", "region_id")[:4]]
    exits = [(False, None, date(2018, 12, 20)), (False, None, date(2019, 12, 20)), (True, 2020, date(2020, 11, 30)),
             (True, 2020, date(2020, 11, 30))]
    for village, (deep, planned, exited_on) in zip(villages, exits):
        rules_services.poor_village_set(scope=county, village=village, deep=deep, planned_exit_year=planned,
                                  exited_on=exited_on)
    # Exit plans: those exited in 2020 were planned for 2020; those still poor for 2026; 五保/特困 兜底.
    county_registered = Household.objects.filter(region__code__startswith=COUNTY, identified_on__isnull=False).filter(
        Q(status__in=("poor", "exited")) | Q(exited_on__isnull=False))
    plans = []
    for pk, net, exited_on in (county_registered.filter(Q(exited_on__year=2020) | Q(exited_on__isnull=True))
                               .values_list("pk", "tekun", "exited_on").order_by("pk")):
        net = net and exited_on is None
        plans.append(ExitPlan(household_id=pk, county_code=COUNTY, safety_net=net,
                              year=None if net else (2020 if exited_on else 2026)))
    ExitPlan.objects.bulk_create(plans, batch_size=1000, ignore_conflicts=True)
    # The rural registered population of each village: the registry holds only registered households.
    people = (Household.objects.filter(region__code__startswith=COUNTY).values("region_id")
              .annotate(p=Sum("size")).order_by("region_id"))
    RuralPopulation.objects.bulk_create(
        [RuralPopulation(region_id=r["region_id"], county_code=COUNTY, year=year, population=max((r["p"] or 0) * 9, 300))
         for r in people for year in range(2016, 2027)], batch_size=2000, ignore_conflicts=True)
    for region, year, values in (
            (TOWNSHIP + "000", 2020, {"households_exit": 120, "people_exit": 480, "villages_exit": 2, "relocations": 10,
                                      "trainings": 200, "microcredit": 40}),
            (TOWNSHIP + "000", 2026, {"households_exit": 5, "people_exit": 20, "relocations": 2, "trainings": 150,
                                      "microcredit": 30}),
            (COUNTY + "000000", 2026, {"households_exit": 30, "people_exit": 120, "relocations": 10, "trainings": 800,
                                       "microcredit": 150})):
        services.target_set(scope=county, by=by, region=region, year=year, values=values)
    exited = list(Household.objects.filter(region__code__startswith=TOWNSHIP, status="exited").order_by("pk")[:40])
    for i, household in enumerate(exited):
        services.answer_record(scope=county, by=by, household=household, answer=ANSWERS[i % len(ANSWERS)],
                               answered_on=date(2026, 6, 1 + i % 28), note="")
    return _lists(county, by, exited)


def _lists(county: Scope, by, exited: list[Household]) -> dict:
    """A civil servants' list naming three registered members, and a 低保 list naming two people nobody
    registered: loaded, matched, then clues worked to different ends."""
    members = [h.head for h in Household.objects.filter(region__code__startswith=TOWNSHIP, status="poor")
               .select_related("head").order_by("pk")[:3] if h.head_id]
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "融安县财政供养人员名单.csv"
        rows = [(p.name, p.id_number, "融安县", unit) for p, unit in zip(members, ["融安县农业农村局", "长安镇卫生院", "融安县第二中学"])]
        rows += [("覃立新", id_numbers.make(COUNTY, date(1985, 4, 2), 11, "male"), "融安县", "融安县财政局"),
                 ("韦秀兰", id_numbers.make(COUNTY, date(1990, 8, 9), 12, "female"), "融安县", "融安县教育局")]
        path.write_text("姓名,身份证号,所在区域,工作单位\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
        import_file(path=path, register="xc_civil_servants", scope=county, by=by, dry_run=False)
        path = Path(folder) / "长安镇低保对象名单.csv"
        rows = [("罗金凤", id_numbers.make(COUNTY, date(1956, 1, 3), 21, "female"), "长安镇", "农村低保"),
                ("廖志强", id_numbers.make(COUNTY, date(1962, 7, 14), 22, "male"), "长安镇", "农村低保")]
        path.write_text("姓名,身份证号,所在区域,保障类别\n" + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
        import_file(path=path, register="xc_dibao", scope=county, by=by, dry_run=False)
    found = list(Clue.objects.filter(source="civil_servant").order_by("pk"))
    if len(found) >= 3:
        first, second, third = found[:3]
        clues.clue_assign(scope=county, by=by, clue=first, assignee="长安镇扶贫工作站", on=date(2026, 5, 6))
        clues.clue_verify(scope=county, by=by, clue=first, verified_on=date(2026, 5, 12),
                          verification="入户核实：户主在县农业农村局工作，工资性收入稳定，不符合识别标准")
        clues.clue_close(scope=county, by=by, clue=first, finding="wrong_identification", closed_on=date(2026, 5, 20),
                         evidence_note="县人社局在职证明、入户核查表")
        clues.clue_exempt(scope=county, by=by, clue=second, reason="乡镇卫生院临聘人员，按政策不属于财政供养人员",
                          on=date(2026, 5, 15))
        clues.clue_assign(scope=county, by=by, clue=third, assignee="长安镇扶贫工作站", on=date(2026, 5, 6))
    missed = Clue.objects.filter(source="dibao", household__isnull=True).order_by("pk").first()
    if missed is not None:
        clues.clue_assign(scope=county, by=by, clue=missed, assignee="长安镇民政办", on=date(2026, 5, 6))
        clues.clue_verify(scope=county, by=by, clue=missed, verified_on=date(2026, 5, 10),
                          verification="整户施保，人均纯收入低于监测标准，未纳入监测")
        clues.clue_close(scope=county, by=by, clue=missed, finding="missed", closed_on=date(2026, 5, 18),
                         evidence_note="低保审批表、入户核查表")
    if exited:
        review = clues.clue_record(scope=county, by=by, household=exited[-1],
                                   description="回头看：住房经鉴定为C级危房，三保障未达标")
        clues.clue_assign(scope=county, by=by, clue=review, assignee="县住建局", on=date(2026, 6, 2))
        clues.clue_verify(scope=county, by=by, clue=review, verified_on=date(2026, 6, 8),
                          verification="住房安全鉴定C级，脱贫时未达住房安全有保障")
        clues.clue_close(scope=county, by=by, clue=review, finding="wrong_exit", closed_on=date(2026, 6, 15),
                         evidence_note="房屋安全鉴定报告")
    return {"clues": Clue.objects.count()}
