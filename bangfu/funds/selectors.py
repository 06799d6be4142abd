"""Reading funds, allocations, disbursements and the execution report, inside the caller's scope.

A fund is seen by users whose region holds it; an allocation by users whose region it was
allocated to (a township sees what the county passed down to it, not the county's whole fund).
"""

from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Exists, OuterRef, QuerySet, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound
from bangfu.funds.models import Allocation, Disbursement, Fund, FundSource
from bangfu.regions.models import Region

ZERO = Decimal("0")
CENT = Decimal("0.01")


def _visible(scope: Scope, qs: QuerySet) -> QuerySet:
    if not scope.rules.see_households:
        return qs.none()
    return qs.filter(region__code__startswith=scope.prefix) if scope.prefix else qs


def fund_list(*, scope: Scope, reached: bool = False, year: int | None = None, source: str = "") -> QuerySet:
    """Funds held inside the scope; with `reached`, also funds that allocated money into it."""
    qs = Fund.objects.select_related("region")
    if not scope.rules.see_households:
        return qs.none()
    if scope.prefix:
        held = Fund.objects.filter(region__code__startswith=scope.prefix)
        if reached:
            into = Allocation.objects.filter(fund=OuterRef("pk"), region__code__startswith=scope.prefix)
            qs = qs.filter(Exists(into) | Exists(held.filter(pk=OuterRef("pk"))))
        else:
            qs = qs.filter(region__code__startswith=scope.prefix)
    if year:
        qs = qs.filter(year=year)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("-year", "source", "name", "pk")


def fund_get(*, scope: Scope, pk: int) -> Fund:
    fund = fund_list(scope=scope, reached=True).filter(pk=pk).first()
    if fund is None:
        raise NotFound(_("资金不存在或不在您的管辖范围内"))
    return fund


def allocation_list(*, scope: Scope, fund: Fund | None = None) -> QuerySet:
    qs = _visible(scope, Allocation.objects.select_related("fund", "region"))
    return (qs.filter(fund=fund) if fund else qs).order_by("fund_id", "pk")


def allocation_get(*, scope: Scope, pk: int) -> Allocation:
    allocation = allocation_list(scope=scope).filter(pk=pk).first()
    if allocation is None:
        raise NotFound(_("资金分配不存在或不在您的管辖范围内"))
    return allocation


def disbursement_list(*, scope: Scope, allocation: Allocation | None = None) -> QuerySet:
    qs = _visible(scope, Disbursement.objects.select_related("allocation", "fund"))
    return qs.filter(allocation=allocation) if allocation else qs


def execution_report(*, scope: Scope, year: int | None = None, source: str = "", level: int = 6) -> list[dict]:
    """Budget, allocated, disbursed and execution rate (disbursed ÷ budget) of the funds held in the
    scope, by source, year and the holding region's code at `level` digits: two GROUP BY queries
    (funds; disbursements of those funds) merged on their keys."""
    funds = fund_list(scope=scope, year=year, source=source).order_by()
    key = ("source", "year", "prefix")
    budgets = (funds.annotate(prefix=Substr("region_id", 1, level)).values(*key)
               .annotate(budget=Sum("budget"), allocated=Sum("allocated")))
    paid = (Disbursement.objects.filter(fund__in=funds.values("pk"))
            .annotate(prefix=Substr("fund__region_id", 1, level))
            .values("fund__source", "fund__year", "prefix").annotate(disbursed=Sum("amount")).order_by())
    disbursed = {(r["fund__source"], r["fund__year"], r["prefix"]): r["disbursed"] for r in paid}
    rows = sorted(budgets, key=lambda r: (-r["year"], r["source"], r["prefix"]))
    names = dict(Region.objects.filter(prefix__in={r["prefix"] for r in rows}).values_list("prefix", "name"))
    labels = dict(FundSource.choices)
    for row in rows:  # to the fen on every backend (SQLite's SUM drops the scale)
        row["budget"], row["allocated"] = row["budget"].quantize(CENT), row["allocated"].quantize(CENT)
        row["disbursed"] = (disbursed.get((row["source"], row["year"], row["prefix"])) or ZERO).quantize(CENT)
        row["remaining"] = row["budget"] - row["disbursed"]
        row["rate"] = ((row["disbursed"] / row["budget"] * 100).quantize(Decimal("0.1"), ROUND_HALF_UP)
                       if row["budget"] else ZERO)
        row["source_label"] = str(labels.get(row["source"], row["source"]))
        row["region_name"] = names.get(row["prefix"], row["prefix"])
    return rows


REPORT_HEADERS = [gettext_lazy("年度"), gettext_lazy("资金来源"), gettext_lazy("区域"), gettext_lazy("预算(元)"),
                  gettext_lazy("已分配(元)"), gettext_lazy("已支付(元)"), gettext_lazy("执行率(%)")]


def execution_report_rows(rows: list[dict]):
    for r in rows:
        yield (r["year"], r["source_label"], r["region_name"], r["budget"], r["allocated"], r["disbursed"], r["rate"])
