"""Forms parse and render; the services decide. Choices are narrowed to the user's scope."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.scope import Scope
from bangfu.programmes.choices import DEFAULT_ACTIVITY_KINDS, PartyKind
from bangfu.programmes.models import Obligation, Programme, Term
from bangfu.regions.models import Level, Region
from bangfu.registry.forms import DATE, RegionChoiceField
from bangfu.registry.models import Organization

HELPER_KINDS = [(k, v) for k, v in PartyKind.choices if k in ("person", "organization", "team")]


class ProgrammeForm(forms.ModelForm):
    helper_kinds = forms.MultipleChoiceField(label=_("帮扶方类型"), choices=HELPER_KINDS,
                                             widget=forms.CheckboxSelectMultiple)
    target_kinds = forms.MultipleChoiceField(label=_("帮扶对象类型"), choices=PartyKind.choices,
                                             widget=forms.CheckboxSelectMultiple)
    activity_kinds = forms.CharField(label=_("活动类型"), required=False, initial="、".join(DEFAULT_ACTIVITY_KINDS),
                                     help_text=_("以顿号或逗号分隔"), widget=forms.Textarea(attrs={"rows": 2}))

    class Meta:
        model = Programme
        fields = ["name", "owner", "region", "period_kind", "starts_on", "ends_on", "helper_kinds", "target_kinds",
                  "helper_label", "target_label", "activity_kinds", "description"]
        widgets = {"starts_on": DATE, "ends_on": DATE, "description": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = scope.organizations(Organization.objects.all()).order_by("name")
        self.fields["region"] = RegionChoiceField(label=_("实施范围"), queryset=scope.regions(
            Region.objects.filter(level__lte=Level.TOWNSHIP)).order_by("code"))
        if self.instance.pk:  # changing a programme: its activity kinds as the user types them
            self.initial["activity_kinds"] = "、".join(self.instance.activity_kinds or [])

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        text = data.get("activity_kinds") or ""
        data["activity_kinds"] = [k.strip() for k in text.replace(",", "、").replace("，", "、").split("、") if k.strip()]
        return data


class TermForm(forms.ModelForm):
    class Meta:
        model = Term
        fields = ["name", "academic_year", "starts_on", "ends_on"]
        widgets = {"starts_on": DATE, "ends_on": DATE}

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


def _split(text: str) -> list[str]:
    return [v.strip() for v in text.replace(",", "、").replace("，", "、").replace("；", "、").replace(";", "、")
            .replace("\n", "、").split("、") if v.strip()]


class ObligationForm(forms.ModelForm):
    condition_values = forms.CharField(label=_("适用条件取值"), required=False, help_text=_("如：语文、数学"))
    minimum_by_value = forms.CharField(
        label=_("按取值的最低要求"), required=False,
        help_text=_("如：语文=20、数学=20(按适用条件字段的取值)；其余取值按“最低要求”"))

    class Meta:
        model = Obligation
        fields = ["name", "actor", "kind", "measure", "minimum", "unit", "period", "period_weeks", "window",
                  "window_before_days", "window_after_days", "window_starts_on", "window_ends_on", "grace_days",
                  "counterpart_only", "condition_party", "condition_attribute", "condition_values",
                  "minimum_by_value"]
        widgets = {"window_starts_on": DATE, "window_ends_on": DATE}

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"] = forms.ChoiceField(label=_("活动类型"), choices=[(k, k) for k in programme.activity_kinds])
        if self.instance.pk:
            self.initial["condition_values"] = "、".join(str(v) for v in self.instance.condition_values or [])
            self.initial["minimum_by_value"] = "、".join(
                f"{k}={v:g}" for k, v in (self.instance.minimum_by_value or {}).items())

    def clean_minimum_by_value(self) -> dict[str, str]:
        """语文=20、数学=20 → {"语文": "20", "数学": "20"}; the service checks the numbers."""
        table = {}
        for pair in _split(self.cleaned_data.get("minimum_by_value") or ""):
            value, sep, amount = pair.replace("＝", "=").replace("：", "=").replace(":", "=").partition("=")
            if not sep or not value.strip() or not amount.strip():
                raise forms.ValidationError(_("“%(p)s”应写成 取值=最低要求，如 语文=20") % {"p": pair})
            table[value.strip()] = amount.strip()
        return table

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["condition_values"] = _split(data.get("condition_values") or "")
        return data


class PairingForm(forms.Form):
    helper_kind = forms.ChoiceField(label=_("帮扶方类型"), choices=HELPER_KINDS)
    helper_id = forms.CharField(label=_("帮扶方编号"), help_text=_("人员、单位或工作队的编号"))
    target_kind = forms.ChoiceField(label=_("帮扶对象类型"), choices=PartyKind.choices)
    target_ids = forms.CharField(label=_("帮扶对象编号"), widget=forms.Textarea(attrs={"rows": 2}),
                                 help_text=_("一个或多个(一对多)，以逗号或换行分隔；村填12位区划代码"))
    starts_on = forms.DateField(label=_("结对日期"), widget=DATE)

    def target_list(self) -> list[str]:
        text = self.cleaned_data["target_ids"].replace("，", ",").replace("\n", ",")
        return [t.strip() for t in text.split(",") if t.strip()]


class HandoverForm(forms.Form):
    helper_kind = forms.ChoiceField(label=_("新帮扶方类型"), choices=HELPER_KINDS)
    helper_id = forms.CharField(label=_("新帮扶方编号"))
    on = forms.DateField(label=_("移交日期"), widget=DATE)
    reason = forms.CharField(label=_("移交原因"), max_length=200)


class ExemptionForm(forms.Form):
    obligation = forms.ModelChoiceField(label=_("要求"), queryset=Obligation.objects.none(), required=False,
                                        empty_label=_("全部要求"))
    starts_on = forms.DateField(label=_("开始日期"), widget=DATE)
    ends_on = forms.DateField(label=_("结束日期"), widget=DATE)
    reason = forms.CharField(label=_("免除原因"), max_length=200)

    def __init__(self, *args, programme: Programme, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["obligation"].queryset = programme.obligations.all()
