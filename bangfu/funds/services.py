"""Writing funds: budgets, allocations down the tree, disbursements.

Money that runs out is locked once, late, in a fixed order — the fund, then the allocation
(DESIGN.md: balances guarded inside the database transaction). The locked row is re-read after
the lock is granted, so a second officer paying at the same moment sees the first payment and
is refused if too little remains; the CHECK constraints hold the same rule should any code path
forget it. On SQLite the whole database is locked for writing, which serializes the same way.
"""

from datetime import date
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, FieldErrors, NotFound, PermissionDenied, ValidationError
from bangfu.funds.models import Allocation, Disbursement, Fund, FundSource, TargetKind
from bangfu.funds.selectors import allocation_list, fund_list
from bangfu.regions.models import Region

CENT = Decimal("0.01")


def money(value, *, field: str) -> Decimal:
    """An amount in yuan, positive, to the fen."""
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError(_("金额请填写数字"), field=field) from None
    if not amount.is_finite() or amount <= 0:
        raise ValidationError(_("金额须大于0"), field=field)
    if amount != amount.quantize(CENT):
        raise ValidationError(_("金额最多保留两位小数(到分)"), field=field)
    return amount


def _check_manage(scope: Scope) -> None:
    if not scope.rules.manage_funds:
        raise PermissionDenied(_("您的角色无权管理资金"))


def _region_in_scope(scope: Scope, code, *, field: str = "region") -> Region:
    region = Region.objects.filter(code=str(code or "")).first()
    if region is None or (scope.prefix and not region.code.startswith(scope.prefix)):
        raise NotFound(_("区域不存在或不在您的管辖范围内"))
    return region


def _full_clean(obj, exclude=None, validate_constraints=True) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_constraints=validate_constraints)
    except DjangoValidationError as exc:
        raise FieldErrors({k: [str(m) for m in v] for k, v in exc.message_dict.items()}) from None


@transaction.atomic
def fund_create(*, scope: Scope, by, name: str, source: str, year: int, region: str, budget,
                document_no: str = "") -> Fund:
    _check_manage(scope)
    if source not in FundSource.values:
        raise ValidationError(_("资金来源不正确"), field="source")
    place = _region_in_scope(scope, region)
    fund = Fund(name=(name or "").strip(), source=source, year=year, region=place, county_code=place.code[:6],
                budget=money(budget, field="budget"), document_no=document_no.strip(), created_by=by)
    fund._history_user = by
    _full_clean(fund, exclude=["region", "created_by"])
    fund.save()
    return fund


@transaction.atomic
def fund_budget_change(*, scope: Scope, by, fund: Fund, budget, reason: str) -> Fund:
    """Change a budget (a supplementary grant, a cut); never below what is already allocated."""
    _check_manage(scope)
    budget = money(budget, field="budget")
    if not reason.strip():
        raise ValidationError(_("请填写调整原因"), field="reason")
    fund = fund_list(scope=scope).select_for_update().filter(pk=fund.pk).first()
    if fund is None:
        raise NotFound(_("资金不存在或不在您的管辖范围内"))
    if budget < fund.allocated:
        raise Conflict(_("预算不能少于已分配的 %(a)s 元") % {"a": fund.allocated}, field="budget")
    fund.budget = budget
    fund._history_user = by
    fund._change_reason = reason.strip()[:100]
    fund.save(update_fields=["budget"])
    return fund


def _target_check(scope: Scope, target_kind: str, target_id, region: Region) -> None:
    if target_kind not in TargetKind.values:
        raise ValidationError(_("分配对象类型不正确"), field="target_kind")
    if target_kind == TargetKind.REGION:
        return
    if not target_id:
        raise ValidationError(_("请填写分配对象"), field="target_id")
    if target_kind == TargetKind.HOUSEHOLD:
        from bangfu.registry.models import Household

        if not Household.objects.filter(pk=target_id, region__code__startswith=region.prefix).exists():
            raise NotFound(_("农户不存在或不在分配区域内"))
    if target_kind in (TargetKind.MEASURE, TargetKind.PROJECT):
        from bangfu.measures.models import Measure, Project

        model = Measure if target_kind == TargetKind.MEASURE else Project
        if not model.objects.filter(pk=target_id, region__code__startswith=region.prefix).exists():
            raise NotFound(_("分配对象不存在或不在分配区域内"))
    if target_kind == TargetKind.SCHEME:
        from bangfu.subsidies.selectors import scheme_list

        if not scheme_list(scope=scope).filter(pk=target_id).exists():  # not another county's scheme
            raise NotFound(_("补助政策不存在或不在您的管辖范围内"))


@transaction.atomic
def allocation_create(*, scope: Scope, by, fund: Fund, amount, region: str, purpose: str, allocated_on: date,
                      parent: Allocation | None = None, target_kind: str = TargetKind.REGION,
                      target_id: int | None = None, document_no: str = "") -> Allocation:
    """Assign part of a fund (or of a parent allocation) to a region or a target below it."""
    _check_manage(scope)
    amount = money(amount, field="amount")
    if not (purpose or "").strip():
        raise ValidationError(_("请填写用途"), field="purpose")
    # lock order: the fund, then the parent allocation
    locked_fund = fund_list(scope=scope, reached=True).select_for_update().filter(pk=fund.pk).first()
    if locked_fund is None:
        raise NotFound(_("资金不存在或不在您的管辖范围内"))
    place = _region_in_scope(scope, region)
    _target_check(scope, target_kind, target_id, place)
    if parent is None:
        if not place.code.startswith(locked_fund.region.prefix):
            raise ValidationError(_("分配区域须在资金所属区域“%(r)s”之内") % {"r": locked_fund.region.name}, field="region")
        if amount > locked_fund.remaining:
            raise Conflict(_("资金“%(f)s”可分配余额为 %(r)s 元，不足 %(a)s 元") % {
                "f": locked_fund.name, "r": locked_fund.remaining, "a": amount}, field="amount")
        Fund.objects.filter(pk=locked_fund.pk).update(allocated=F("allocated") + amount)
    else:
        locked = (allocation_list(scope=scope).select_for_update().select_related("region")
                  .filter(pk=parent.pk, fund=locked_fund).first())
        if locked is None:
            raise NotFound(_("上级分配不存在或不在您的管辖范围内"))
        if not place.code.startswith(locked.region.prefix):
            raise ValidationError(_("下拨区域须在上级分配区域“%(r)s”之内") % {"r": locked.region.name}, field="region")
        if amount > locked.remaining:
            raise Conflict(_("上级分配“%(p)s”余额为 %(r)s 元，不足 %(a)s 元") % {
                "p": locked.purpose, "r": locked.remaining, "a": amount}, field="amount")
        Allocation.objects.filter(pk=locked.pk).update(allocated=F("allocated") + amount)
    allocation = Allocation(fund=locked_fund, parent=parent, region=place, county_code=place.code[:6],
                            target_kind=target_kind, target_id=target_id, purpose=purpose.strip(), amount=amount,
                            allocated_on=allocated_on, document_no=document_no.strip(), created_by=by)
    _full_clean(allocation, exclude=["fund", "parent", "region", "created_by"])
    allocation.save()
    return allocation


def disbursement_check(scope: Scope) -> None:
    if not scope.rules.pay:
        raise PermissionDenied(_("您的角色无权支付资金：须由财务办理"))


@transaction.atomic
def disbursement_create(*, scope: Scope, by, allocation: Allocation, amount, paid_on: date, payee: str,
                        voucher_no: str, remark: str = "") -> Disbursement:
    """Pay out of an allocation; refused if the allocation's remainder is less than the amount."""
    disbursement_check(scope)
    amount = money(amount, field="amount")
    if not (payee or "").strip():
        raise ValidationError(_("请填写收款方"), field="payee")
    if not (voucher_no or "").strip():
        raise ValidationError(_("请填写凭证号"), field="voucher_no")
    locked = allocation_list(scope=scope).select_for_update().filter(pk=allocation.pk).first()
    if locked is None:
        raise NotFound(_("资金分配不存在或不在您的管辖范围内"))
    if amount > locked.remaining:
        raise Conflict(_("资金分配“%(p)s”余额为 %(r)s 元，不足支付 %(a)s 元") % {
            "p": locked.purpose, "r": locked.remaining, "a": amount}, field="amount")
    Allocation.objects.filter(pk=locked.pk).update(disbursed=F("disbursed") + amount)
    disbursement = Disbursement(allocation=locked, fund_id=locked.fund_id, county_code=locked.county_code,
                                region_id=locked.region_id, paid_on=paid_on, payee=payee.strip()[:100], amount=amount,
                                voucher_no=voucher_no.strip(), remark=remark.strip()[:200], created_by=by)
    # the voucher's uniqueness is the database's to say (below), under concurrent payments too
    _full_clean(disbursement, exclude=["allocation", "fund", "region", "created_by"], validate_constraints=False)
    try:
        with transaction.atomic():
            disbursement.save()
    except IntegrityError:
        raise Conflict(_("凭证号“%(v)s”已使用") % {"v": voucher_no}, field="voucher_no") from None
    return disbursement
