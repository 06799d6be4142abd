from datetime import date

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.funds import services

COUNTY_FINANCE = Scope(role=Role.FINANCE, prefix="450224")


def make_fund(*, budget="4000000", name="2026年中央财政衔接推进乡村振兴补助资金", source="higher_fiscal", by=None):
    return services.fund_create(scope=COUNTY_FINANCE, by=by, name=name, source=source, year=2026,
                                region="450224000000", budget=budget, document_no="融财农〔2026〕1号")


def make_allocation(fund, *, amount="4000000", region="450224100000", by=None, **kw):
    return services.allocation_create(scope=COUNTY_FINANCE, by=by, fund=fund, amount=amount, region=region,
                                      purpose=kw.pop("purpose", "滑皮金桔种植奖补"),
                                      allocated_on=kw.pop("allocated_on", date(2026, 3, 1)), **kw)
