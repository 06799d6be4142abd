"""The money demo: seed 004's 滑皮金桔 scheme in 融安县 — 400万元 of 上级财政专项 allocated to
长安镇, ten households of one village taken from 申报 to 拨付 (two failing inspection, one
objection raised and resolved during the notice), so that the pages show money moving.

Every write goes through the services the pages and the API use, with fixed dates in 2026, so
the same registry gives the same rows."""

from datetime import date

from django.db.models import Count
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.funds import services as funds
from bangfu.procedures import services as procedures
from bangfu.registry.models import Household
from bangfu.subsidies import payments, services

COUNTY = "450224000000"
TOWNSHIP = "450224100000"  # 长安镇
QUANTITIES = ["8", "2.5", "4", "6", "1.5", "3", "5", "2", "3.5", "4"]
FAILING = {8: {"每亩株数": "58"}, 9: {"成活率": "85"}}  # seed 004: 60–65 plants per 亩, at least 90% survival
# DEMO DATA, entered as an office would: chinesecalendar 1.11 knows years up to 2026, so a deadline in
# working days that runs into 2027 needs the office's holiday table (procedures/workdays.py). These are
# the statutory days as the lunar calendar puts them; the real 2027 arrangement (调休 included) is the
# State Council's notice, which an office enters on 节假日 when it is published.
DEMO_HOLIDAYS_2027 = [(date(2027, 1, 1), "元旦"), (date(2027, 2, 5), "春节(除夕)"), (date(2027, 2, 8), "春节"),
                      (date(2027, 2, 9), "春节"), (date(2027, 4, 5), "清明节"), (date(2027, 5, 3), "劳动节"),
                      (date(2027, 6, 9), "端午节"), (date(2027, 9, 15), "中秋节"), (date(2027, 10, 1), "国庆节"),
                      (date(2027, 10, 4), "国庆节"), (date(2027, 10, 5), "国庆节"), (date(2027, 10, 6), "国庆节"),
                      (date(2027, 10, 7), "国庆节")]


def _user(username: str):
    return User.objects.filter(username=username).first()


def money_demo(*, progress=lambda message: None) -> dict:
    county = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
    township = Scope(role=Role.TOWNSHIP_OFFICE, prefix="450224100")
    finance = Scope(role=Role.FINANCE, prefix="450224")
    by_county, by_township, by_finance = _user("county"), _user("changan"), _user("caiwu")
    progress(_("生成奖补与资金演示：滑皮金桔种植奖补…"))
    for day, name in DEMO_HOLIDAYS_2027:
        procedures.holiday_set(scope=county, by=by_county, day=day, working=False,
                               name=_("%(n)s(演示数据，以国务院通知为准)") % {"n": name})
    scheme = services.scheme_create(scope=county, by=by_county, data={
        "name": "滑皮金桔种植奖补", "year": 2026, "region": COUNTY, "unit": "mu", "rate": "1000",
        "minimum_quantity": "1", "cap_per_member": "3000", "eligible_statuses": ["poor", "exited", "monitored"],
        "opens_on": date(2026, 1, 1), "closes_on": date(2026, 4, 30),
        "description": "产业精准扶贫滑皮金桔项目：春植4000亩，财政扶贫资金400万元；每亩奖补1000元，人均不超过3000元。"},
        standards=[{"label": "每亩株数", "unit": "株", "low": "60", "high": "65"},
                   {"label": "成活率", "unit": "%", "low": "90"},
                   {"label": "种植时间", "kind": "date", "low_date": date(2026, 1, 1), "high_date": date(2026, 4, 30)}])
    fund = funds.fund_create(scope=finance, by=by_finance, name="2026年财政专项扶贫资金(滑皮金桔)", source="higher_fiscal",
                             year=2026, region=COUNTY, budget="4000000", document_no="融财农〔2026〕12号")
    funds.fund_create(scope=finance, by=by_finance, name="2026年东西部协作帮扶资金", source="east_west", year=2026,
                      region=COUNTY, budget="1500000")
    allocation = funds.allocation_create(scope=finance, by=by_finance, fund=fund, amount="4000000", region=TOWNSHIP,
                                         purpose="滑皮金桔种植奖补", allocated_on=date(2026, 3, 1),
                                         target_kind="scheme", target_id=scheme.pk)
    eligible = Household.objects.filter(region__code__startswith="450224100", status__in=scheme.eligible_statuses,
                                        size__gte=1)
    village = (eligible.values("region_id").annotate(n=Count("pk")).order_by("-n", "region_id").first() or {}).get(
        "region_id")
    if village is None:
        return {"scheme": scheme, "applications": 0}
    households = list(eligible.filter(region_id=village).order_by("pk")[:len(QUANTITIES)])
    apps = [services.application_create(scope=township, by=by_township, scheme=scheme, household=h, quantity=q,
                                        applied_on=date(2026, 3, 20)) for h, q in zip(households, QUANTITIES)]
    ids = [a.pk for a in apps]
    services.applications_advance(scope=township, by=by_township, application_ids=ids, transition="register",
                                  on=date(2026, 3, 25))
    for i, application in enumerate(apps):
        measured = {"每亩株数": "62", "成活率": "94", "种植时间": "2026-03-05", **FAILING.get(i, {})}
        services.inspection_record(scope=township, by=by_township, application=application, measured=measured,
                                   accepted_quantity=QUANTITIES[i], inspected_on=date(2026, 4, 27))
    services.applications_assess(scope=township, by=by_township, scheme=scheme, region=TOWNSHIP, on=date(2026, 4, 30))
    notice = services.applications_publish(scope=township, by=by_township, scheme=scheme, village=village,
                                           starts_on=date(2026, 5, 4), ends_on=date(2026, 5, 10))
    objection = procedures.objection_raise(scope=township, by=by_township, notice=notice, raised_on=date(2026, 5, 6),
                                           content="反映第一户种植面积不足", raised_by="村民",
                                           case_id=apps[0].case_id)
    procedures.objection_resolve(scope=township, by=by_township, objection=objection, resolved_on=date(2026, 5, 8),
                                 resolution="经乡镇复核实测，面积属实，维持验收结论")
    passed = [a.pk for i, a in enumerate(apps) if i not in FAILING]
    services.applications_advance(scope=county, by=by_county, application_ids=passed, transition="review",
                                  on=date(2026, 5, 11), comment="县扶贫办审核通过")
    services.applications_advance(scope=county, by=by_county, application_ids=passed, transition="approve",
                                  on=date(2026, 5, 13), comment="县人民政府分管领导审批同意")
    batch = payments.batch_create(scope=finance, by=by_finance, scheme=scheme, township=TOWNSHIP,
                                  allocation_id=allocation.pk)
    payments.batch_mark_paid(scope=finance, by=by_finance, batch=batch, paid_on=date(2026, 5, 20),
                             voucher_no="融扶拨〔2026〕018号")
    progress(_("  奖补：%(n)d 户申报，%(p)d 户验收合格并已发放 %(t)s 元") % {
        "n": len(apps), "p": batch.count, "t": batch.total})
    return {"scheme": scheme, "applications": len(apps), "paid": batch.total}
