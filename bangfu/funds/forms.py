"""Page forms for funds: register a fund, allocate part of it, pay out of an allocation. The
services (funds/services.py) check the role, the scope and the balance under lock."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.funds.models import FundSource, TargetKind

DATE = forms.DateInput(attrs={"type": "date"})
MONEY = {"max_digits": 14, "decimal_places": 2, "min_value": 0}


class FundForm(forms.Form):
    name = forms.CharField(label=_("资金名称"), max_length=100)
    source = forms.ChoiceField(label=_("资金来源"), choices=FundSource.choices)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    region = forms.CharField(label=_("资金所属区域代码"), max_length=12, help_text=_("12位区划代码，如 450224000000"))
    budget = forms.DecimalField(label=_("预算(元)"), **MONEY)
    document_no = forms.CharField(label=_("下达文号"), max_length=60, required=False)


class AllocationForm(forms.Form):
    fund = forms.TypedChoiceField(label=_("资金"), coerce=int)
    parent = forms.TypedChoiceField(label=_("从上级分配中再分配"), coerce=int, required=False, empty_value=None,
                                    help_text=_("不选表示直接从资金分配"))
    amount = forms.DecimalField(label=_("分配金额(元)"), **MONEY)
    region = forms.CharField(label=_("使用区域代码"), max_length=12)
    purpose = forms.CharField(label=_("用途"), max_length=100)
    allocated_on = forms.DateField(label=_("分配日期"), widget=DATE)
    target_kind = forms.ChoiceField(label=_("资金投向"), choices=TargetKind.choices, initial=TargetKind.REGION)
    target_id = forms.IntegerField(label=_("投向编号"), required=False,
                                   help_text=_("投向项目、措施、补助政策或农户时填写其编号"))
    document_no = forms.CharField(label=_("文号"), max_length=60, required=False)

    def __init__(self, *args, funds, allocations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fund"].choices = [(f.pk, f"{f.year} {f.name}") for f in funds]
        self.fields["parent"].choices = [("", "—")] + [(a.pk, f"{a.fund.name} → {a.region.name} {a.purpose}")
                                                       for a in allocations]


class DisbursementForm(forms.Form):
    amount = forms.DecimalField(label=_("支付金额(元)"), **MONEY)
    paid_on = forms.DateField(label=_("支付日期"), widget=DATE)
    payee = forms.CharField(label=_("收款人"), max_length=100)
    voucher_no = forms.CharField(label=_("凭证号"), max_length=40)
    remark = forms.CharField(label=_("备注"), max_length=200, required=False)
