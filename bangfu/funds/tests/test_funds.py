"""Funds: budgets, allocations down the tree, disbursements; balances always right."""

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.funds import selectors, services
from bangfu.funds.models import Allocation, Fund
from bangfu.funds.tests.factories import COUNTY_FINANCE, make_allocation, make_fund
from bangfu.regions.models import Region
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, make_user, village_of

pytestmark = pytest.mark.django_db


def _pay(allocation, amount, voucher, scope=COUNTY_FINANCE):
    return services.disbursement_create(scope=scope, by=None, allocation=allocation, amount=amount,
                                        paid_on=date(2026, 6, 1), payee="长安镇财政所", voucher_no=voucher)


def test_allocations_and_disbursements_never_exceed_what_remains(regions):
    fund = make_fund(budget="1000000")
    township = make_allocation(fund, amount="600000")
    with pytest.raises(Conflict) as exc:
        make_allocation(fund, amount="400000.01", region="450224101000")
    assert "400000.00" in exc.value.message and exc.value.field == "amount"
    villages = list(Region.objects.filter(parent_id=TOWNSHIP_A).order_by("code")[:2])
    village = make_allocation(fund, amount="100000", region=villages[0].code, parent=township, purpose="村级分配")
    with pytest.raises(ValidationError):  # down the tree only: not into another township
        make_allocation(fund, amount="1000", region=village_of(TOWNSHIP_B).code, parent=township)
    with pytest.raises(Conflict):
        make_allocation(fund, amount="500000.01", region=villages[1].code, parent=township)
    _pay(township, "499999.99", "PZ-1")
    with pytest.raises(Conflict) as exc:
        _pay(township, "0.02", "PZ-2")
    assert "0.01" in exc.value.message
    _pay(township, "0.01", "PZ-2")
    with pytest.raises(ValidationError):
        _pay(village, "1.001", "PZ-3")
    with pytest.raises(Conflict):  # the voucher number is used once per county
        _pay(village, "1", "PZ-2")
    township.refresh_from_db()
    fund.refresh_from_db()
    assert (township.allocated, township.disbursed, township.remaining) == (Decimal("100000"), Decimal("500000"), 0)
    assert fund.allocated == Decimal("600000")


def test_the_database_refuses_an_overdraw_that_skips_the_services(regions):
    fund = make_fund(budget="1000")
    allocation = make_allocation(fund, amount="1000")
    with pytest.raises(IntegrityError), transaction.atomic():
        Allocation.objects.filter(pk=allocation.pk).update(disbursed=Decimal("1000.01"))
    with pytest.raises(IntegrityError), transaction.atomic():
        Fund.objects.filter(pk=fund.pk).update(allocated=Decimal("1000.01"))


def test_roles_and_scope(regions):
    fund = make_fund()
    allocation = make_allocation(fund, amount="1000")
    township = Scope(role=Role.TOWNSHIP_OFFICE, prefix="450224100")
    with pytest.raises(PermissionDenied) as exc:
        _pay(allocation, "1", "X", scope=township)
    assert "财务" in exc.value.message
    with pytest.raises(PermissionDenied):
        services.fund_create(scope=township, by=None, name="x", source="donation", year=2026, region="450224100000",
                             budget="1")
    other_township_finance = Scope(role=Role.FINANCE, prefix="450224101")
    with pytest.raises(NotFound):
        _pay(allocation, "1", "X", scope=other_township_finance)
    with pytest.raises(NotFound):
        services.fund_create(scope=COUNTY_FINANCE, by=None, name="x", source="donation", year=2026,
                             region="450223000000", budget="1")
    # a township sees what was allocated to it, and the fund it came from, not other townships' money
    assert list(selectors.allocation_list(scope=township)) == [allocation]
    assert list(selectors.fund_list(scope=township, reached=True)) == [fund]
    assert list(selectors.allocation_list(scope=other_township_finance)) == []


def test_budget_changes_are_audited_and_never_below_allocated(regions):
    user = make_user(Role.FINANCE)
    fund = make_fund(budget="1000", by=user)
    make_allocation(fund, amount="800")
    with pytest.raises(Conflict):
        services.fund_budget_change(scope=COUNTY_FINANCE, by=user, fund=fund, budget="799", reason="压减")
    services.fund_budget_change(scope=COUNTY_FINANCE, by=user, fund=fund, budget="1500", reason="追加")
    history = list(fund.history.order_by("history_date"))
    assert [(h.budget, h.history_user) for h in history] == [(Decimal("1000"), user), (Decimal("1500"), user)]
    assert history[-1].history_change_reason == "追加"


def test_execution_report_by_source_year_and_region(regions):
    higher = make_fund(budget="4000000")
    donation = make_fund(budget="50000", name="爱心企业捐赠", source="donation")
    a = make_allocation(higher, amount="1000000")
    make_allocation(donation, amount="50000", purpose="慰问")
    _pay(a, "250000", "V1")
    rows = selectors.execution_report(scope=COUNTY_FINANCE, year=2026)
    assert [(r["source_label"], r["budget"], r["allocated"], r["disbursed"], r["rate"]) for r in rows] == [
        ("社会捐助", Decimal("50000"), Decimal("50000"), 0, Decimal("0.0")),
        ("上级财政专项", Decimal("4000000"), Decimal("1000000"), Decimal("250000"), Decimal("6.3")),
    ]
    assert rows[0]["region_name"] == "融安县"


def test_an_allocation_names_only_a_scheme_of_its_own_scope(regions):
    from bangfu.subsidies import services as subsidy_services
    from bangfu.tests.factories import ADMIN_SCOPE

    def scheme(region):
        return subsidy_services.scheme_create(scope=ADMIN_SCOPE, by=None, standards=[], data={
            "name": "种植奖补", "year": 2026, "region": region, "unit": "mu", "rate": "100",
            "opens_on": date(2026, 1, 1), "closes_on": date(2026, 12, 31)})

    fund = make_fund()
    other_county = scheme("450223000000")  # 鹿寨县
    with pytest.raises(NotFound):
        make_allocation(fund, amount="1000", target_kind="scheme", target_id=other_county.pk)
    own = make_allocation(fund, amount="1000", target_kind="scheme", target_id=scheme("450224000000").pk)
    assert own.target_id and not Allocation.objects.filter(target_id=other_county.pk).exists()
