"""拨付: a payment batch per township — the approved applications with their amounts, exported as
the bank's 代发 list (户名, account in full, amount, remark: a full export, every account number
written logged as a FullRead), then marked paid, which disburses the batch total from the
allocation under the allocation's row lock (funds.services.disbursement_create)."""

import io
from datetime import date

import xlsxwriter
from django.db import transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.exports.writers import safe_cell
from bangfu.funds import services as funds
from bangfu.funds.models import TargetKind
from bangfu.funds.selectors import allocation_list
from bangfu.privacy.models import ReadReason
from bangfu.privacy.services import PersonalValues
from bangfu.procedures import services as procedures
from bangfu.regions.models import Region
from bangfu.registry.models import Person
from bangfu.subsidies import procedure
from bangfu.subsidies.models import Application, PaymentBatch, SubsidyScheme
from bangfu.subsidies.selectors import application_list, batch_list

BANK_HEADERS = ["序号", "户名", "账号", "金额(元)", "开户银行", "备注"]


def _pay_check(scope: Scope) -> None:
    procedures.transition_check(scope=scope, transition=procedure.DEFINITION.transition("pay"))
    funds.disbursement_check(scope)


@transaction.atomic
def batch_create(*, scope: Scope, by, scheme: SubsidyScheme, township: str, allocation_id: int) -> PaymentBatch:
    """Gather the township's approved, unbatched applications of the scheme into one batch."""
    _pay_check(scope)
    place = Region.objects.filter(code=township, level=4).first()
    if place is None or (scope.prefix and not place.code.startswith(scope.prefix)):
        raise NotFound(_("乡镇不存在或不在您的管辖范围内"))
    allocation = allocation_list(scope=scope).filter(pk=allocation_id).first()
    if allocation is None:
        raise NotFound(_("资金分配不存在或不在您的管辖范围内"))
    if not place.code.startswith(allocation.region.prefix):
        raise ValidationError(_("资金分配“%(a)s”不是下达给%(t)s的") % {"a": allocation.purpose, "t": place.name},
                              field="allocation_id")
    if allocation.target_kind == TargetKind.SCHEME and allocation.target_id != scheme.pk:
        raise ValidationError(_("资金分配“%(a)s”专用于其他补助，不能支付本补助(专款专用)") % {"a": allocation.purpose},
                              field="allocation_id")
    qs = (application_list(scope=scope, scheme=scheme, state="approved", region=place.prefix)
          .filter(batch__isnull=True))
    # locked, so that two officers making the township's batch at once cannot put one application in
    # both: the second re-checks "not in a batch" after the first commits and finds the rest only
    ids = list(qs.select_for_update(of=("self",)).values_list("pk", flat=True))
    if not ids:
        raise ValidationError(_("%(t)s没有已审批待发放的申报") % {"t": place.name}, field="township")
    totals = Application.objects.filter(pk__in=ids).aggregate(count=Count("pk"), total=Sum("amount"))
    if totals["total"] > allocation.remaining:
        raise Conflict(_("资金分配“%(a)s”余额 %(r)s 元，不足本批 %(t)s 元") % {
            "a": allocation.purpose, "r": allocation.remaining, "t": totals["total"]}, field="allocation_id")
    batch = PaymentBatch.objects.create(scheme=scheme, township=place, county_code=place.code[:6],
                                        allocation=allocation, count=totals["count"], total=totals["total"],
                                        created_by=by)
    Application.objects.filter(pk__in=ids).update(batch=batch)
    return batch


def batch_rows(*, scope: Scope, batch: PaymentBatch, values: PersonalValues):
    """The batch's bank rows: 户名 (the head), the account (as `values` shows it), amount, bank, remark."""
    applications = list(Application.objects.filter(batch=batch).select_related("household", "region")
                        .order_by("region_id", "pk"))
    heads = dict(Person.objects.filter(household_id__in=[a.household_id for a in applications], relation="head")
                 .values_list("household_id", "name"))
    for i, a in enumerate(applications, start=1):
        yield (i, heads.get(a.household_id, ""), values.value(a.household, "bank_account"), a.amount,
               a.household.bank_name, f"{batch.scheme.name} {a.region.name}")


@transaction.atomic
def batch_export(*, scope: Scope, by, batch: PaymentBatch) -> bytes:
    """The bank's 代发 workbook with account numbers in full (a logged full export)."""
    _pay_check(scope)
    batch = batch_list(scope=scope).filter(pk=batch.pk).first()
    if batch is None:
        raise NotFound(_("代发批次不存在或不在您的管辖范围内"))
    if not by.role_rules.see_personal_data:
        raise PermissionDenied(_("您的角色无权导出完整银行账号"))
    values = PersonalValues(user=by, full=True, reason=ReadReason.PAYMENT, note=_("代发批次 %(id)s") % {"id": batch.pk})
    out = io.BytesIO()
    book = xlsxwriter.Workbook(out, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False,
                                     "strings_to_numbers": False})
    sheet = book.add_worksheet(_("代发清单"))
    text = book.add_format({"num_format": "@"})
    money = book.add_format({"num_format": "0.00"})
    sheet.write_row(0, 0, BANK_HEADERS)
    row = 0
    for row, (n, name, account, amount, bank, remark) in enumerate(batch_rows(scope=scope, batch=batch, values=values),
                                                                   start=1):
        sheet.write_number(row, 0, n)
        sheet.write_string(row, 1, safe_cell(name))
        sheet.write_string(row, 2, account or "", text)  # a string: 19 digits would lose precision as a number
        sheet.write_number(row, 3, float(amount), money)
        sheet.write_string(row, 4, safe_cell(bank or ""))
        sheet.write_string(row, 5, safe_cell(remark))
    sheet.write_string(row + 1, 1, _("合计"))
    sheet.write_number(row + 1, 3, float(batch.total), money)
    book.close()
    values.flush()
    PaymentBatch.objects.filter(pk=batch.pk).update(exported_at=timezone.now())
    return out.getvalue()


@transaction.atomic
def batch_mark_paid(*, scope: Scope, by, batch: PaymentBatch, paid_on: date, voucher_no: str) -> PaymentBatch:
    """The bank has paid: disburse the total from the allocation (locked) and close every case."""
    _pay_check(scope)
    batch = batch_list(scope=scope).select_for_update(of=("self",)).filter(pk=batch.pk).first()
    if batch is None:
        raise NotFound(_("代发批次不存在或不在您的管辖范围内"))
    if batch.paid_on is not None:
        raise Conflict(_("该批次已于 %(d)s 发放") % {"d": batch.paid_on})
    total = Application.objects.filter(batch=batch).aggregate(total=Sum("amount"))["total"]
    if total != batch.total:
        raise Conflict(_("批次金额与申报金额合计不符，请重新制表"))
    disbursement = funds.disbursement_create(
        scope=scope, by=by, allocation=batch.allocation, amount=batch.total, paid_on=paid_on,
        payee=_("%(t)s%(s)s代发(%(n)s户)") % {"t": batch.township.name, "s": batch.scheme.name, "n": batch.count},
        voucher_no=voucher_no, remark=_("代发批次 %(id)s") % {"id": batch.pk})
    case_ids = list(Application.objects.filter(batch=batch).values_list("case_id", flat=True))
    procedures.cases_advance(scope=scope, by=by, definition=procedure.KEY, case_ids=case_ids, transition="pay",
                             on=paid_on, comment=_("代发批次 %(id)s，凭证 %(v)s") % {"id": batch.pk, "v": voucher_no},
                             service=True)
    Application.objects.filter(batch=batch).update(paid_on=paid_on)
    PaymentBatch.objects.filter(pk=batch.pk).update(paid_on=paid_on, disbursement=disbursement)
    batch.refresh_from_db()
    return batch
