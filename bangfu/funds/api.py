"""Fund endpoints: funds and budgets, allocations, disbursements, the execution report."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from bangfu.funds import selectors, services
from bangfu.registry.api import Page

from bangfu.schemas import Money, RegionLength, Year

router = Router(tags=["扶贫资金"])


class FundIn(Schema):
    name: str
    source: str = Field(..., description="higher_fiscal 上级财政专项 / local_fiscal 本级财政配套 / helper_units 帮扶单位筹资 / "
                                         "donation 社会捐助 / east_west 东西部协作 / integrated 部门整合 / other 其他")
    year: Year
    region: str = Field(..., description="资金所属区域代码(12位)")
    budget: Money
    document_no: str = ""


class FundOut(Schema):
    id: int
    name: str
    source: str
    year: int
    region_code: str = Field(alias="region_id")
    budget: Decimal
    allocated: Decimal
    remaining: Decimal
    document_no: str
    created_at: datetime


class BudgetIn(Schema):
    budget: Money
    reason: str


class FundQuery(Schema):
    year: Year | None = None
    source: str = ""


class AllocationIn(Schema):
    fund_id: int
    parent_id: int | None = None
    region: str
    amount: Money
    purpose: str
    allocated_on: date
    target_kind: str = Field("region", description="region 下级区域 / project / measure / scheme 补助政策 / household")
    target_id: int | None = None
    document_no: str = ""


class AllocationOut(Schema):
    id: int
    fund_id: int
    parent_id: int | None
    region_code: str = Field(alias="region_id")
    target_kind: str
    target_id: int | None
    purpose: str
    amount: Decimal
    allocated: Decimal
    disbursed: Decimal
    remaining: Decimal
    allocated_on: date
    document_no: str


class DisbursementIn(Schema):
    amount: Money
    paid_on: date
    payee: str
    voucher_no: str
    remark: str = ""


class DisbursementOut(Schema):
    id: int
    allocation_id: int
    fund_id: int
    paid_on: date
    payee: str
    amount: Decimal
    voucher_no: str
    remark: str
    created_by: str | None = Field(None, alias="created_by.username")
    created_at: datetime


class ReportRow(Schema):
    year: int
    source: str
    source_label: str
    prefix: str
    region_name: str
    budget: Decimal
    allocated: Decimal
    disbursed: Decimal
    rate: Decimal


@router.get("/funds", response=list[FundOut], summary="资金")
@paginate(Page)
def fund_list(request, filters: Query[FundQuery]):
    return selectors.fund_list(scope=request.auth.scope, reached=True, year=filters.year, source=filters.source)


@router.post("/funds", response={201: FundOut}, summary="登记资金(来源、年度、预算)")
def fund_create(request, payload: FundIn):
    return Status(201, services.fund_create(scope=request.auth.scope, by=request.auth, **payload.dict()))


@router.get("/funds/report", response=list[ReportRow], summary="资金执行情况(按来源、年度、区域)")
def execution_report(request, year: Year | None = None, source: str = "", level: RegionLength = 6):
    return selectors.execution_report(scope=request.auth.scope, year=year, source=source, level=level)


@router.get("/funds/{fund_id}", response=FundOut, summary="资金详情")
def fund_get(request, fund_id: int):
    return selectors.fund_get(scope=request.auth.scope, pk=fund_id)


@router.post("/funds/{fund_id}/budget", response=FundOut, summary="调整预算")
def fund_budget_change(request, fund_id: int, payload: BudgetIn):
    scope = request.auth.scope
    fund = selectors.fund_get(scope=scope, pk=fund_id)
    return services.fund_budget_change(scope=scope, by=request.auth, fund=fund, **payload.dict())


@router.get("/allocations", response=list[AllocationOut], summary="资金分配")
@paginate(Page)
def allocation_list(request, fund_id: int | None = None):
    scope = request.auth.scope
    fund = selectors.fund_get(scope=scope, pk=fund_id) if fund_id else None
    return selectors.allocation_list(scope=scope, fund=fund)


@router.post("/allocations", response={201: AllocationOut}, summary="分配(下达)资金")
def allocation_create(request, payload: AllocationIn):
    scope = request.auth.scope
    data = payload.dict()
    fund = selectors.fund_get(scope=scope, pk=data.pop("fund_id"))
    parent_id = data.pop("parent_id")
    parent = selectors.allocation_get(scope=scope, pk=parent_id) if parent_id else None
    return Status(201, services.allocation_create(scope=scope, by=request.auth, fund=fund, parent=parent, **data))


@router.get("/allocations/{allocation_id}", response=AllocationOut, summary="资金分配详情(余额)")
def allocation_get(request, allocation_id: int):
    return selectors.allocation_get(scope=request.auth.scope, pk=allocation_id)


@router.get("/allocations/{allocation_id}/disbursements", response=list[DisbursementOut], summary="支付记录")
@paginate(Page)
def disbursement_list(request, allocation_id: int):
    scope = request.auth.scope
    return selectors.disbursement_list(scope=scope, allocation=selectors.allocation_get(scope=scope, pk=allocation_id))


@router.post("/allocations/{allocation_id}/disbursements", response={201: DisbursementOut}, summary="支付(财务)")
def disbursement_create(request, allocation_id: int, payload: DisbursementIn):
    scope = request.auth.scope
    allocation = selectors.allocation_get(scope=scope, pk=allocation_id)
    return Status(201, services.disbursement_create(scope=scope, by=request.auth, allocation=allocation,
                                                    **payload.dict()))
