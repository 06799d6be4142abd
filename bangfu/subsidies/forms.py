"""The page form configuring a scheme: the scheme's numbers and up to six acceptance standards."""

from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.registry.choices import HouseholdStatus
from bangfu.subsidies.models import StandardKind, Unit

DATE = forms.DateInput(attrs={"type": "date"})


class SchemeForm(forms.Form):
    name = forms.CharField(label=_("名称"), max_length=100)
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2100)
    region = forms.CharField(label=_("实施区域代码"), max_length=12, help_text=_("12位区划代码，如 450224000000"))
    unit = forms.ChoiceField(label=_("计量单位"), choices=Unit.choices)
    rate = forms.DecimalField(label=_("补助标准(元/单位)"), max_digits=12, decimal_places=2)
    minimum_quantity = forms.DecimalField(label=_("最低数量"), max_digits=12, decimal_places=2, initial=0)
    cap_per_member = forms.DecimalField(label=_("人均上限(元)"), max_digits=14, decimal_places=2, required=False)
    cap_per_household = forms.DecimalField(label=_("每户上限(元)"), max_digits=14, decimal_places=2, required=False)
    eligible_statuses = forms.MultipleChoiceField(label=_("可申报的户状态"), choices=HouseholdStatus.choices,
                                                  required=False, widget=forms.CheckboxSelectMultiple)
    registered_until = forms.DateField(label=_("建档日期不晚于"), required=False, widget=DATE)
    opens_on = forms.DateField(label=_("申报开始"), widget=DATE)
    closes_on = forms.DateField(label=_("申报截止"), widget=DATE)
    description = forms.CharField(label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StandardForm(forms.Form):
    label = forms.CharField(label=_("验收项目"), max_length=60, required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=StandardKind.choices, initial=StandardKind.NUMBER)
    unit = forms.CharField(label=_("单位"), max_length=12, required=False)
    low = forms.DecimalField(label=_("下限(含)"), max_digits=12, decimal_places=2, required=False)
    high = forms.DecimalField(label=_("上限(含)"), max_digits=12, decimal_places=2, required=False)
    low_date = forms.DateField(label=_("最早日期(含)"), required=False, widget=DATE)
    high_date = forms.DateField(label=_("最晚日期(含)"), required=False, widget=DATE)


StandardFormSet = forms.formset_factory(StandardForm, extra=6, max_num=6)


def standards_data(formset) -> list[dict]:
    """The filled rows, without empty values (a row without a name is not a standard)."""
    return [{k: v for k, v in f.cleaned_data.items() if v not in (None, "")}
            for f in formset.forms if f.cleaned_data.get("label")]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos in one field (Django's documented pattern): a list, maybe empty."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/*", "capture": "environment"}))
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, (list, tuple)):
            return [super(PhotosField, self).clean(d, initial) for d in data if d]
        return [super().clean(data, initial)] if data else []


class InspectionForm(forms.Form):
    """乡镇验收 on a page: one field per acceptance standard of the scheme, the accepted quantity,
    the day, and the photos taken."""

    accepted_quantity = forms.DecimalField(label=_("验收数量"), max_digits=12, decimal_places=2)
    inspected_on = forms.DateField(label=_("验收日期"), widget=DATE)
    comment = forms.CharField(label=_("验收意见"), required=False, max_length=200)
    photos = PhotosField(label=_("验收照片"))

    def __init__(self, *args, standards, **kwargs):
        super().__init__(*args, **kwargs)
        self.standards = standards
        for s in standards:
            label = f"{s.label}({s.unit})" if s.unit else s.label
            self.fields[f"m_{s.pk}"] = (forms.DateField(label=label, widget=DATE) if s.kind == StandardKind.DATE
                                        else forms.DecimalField(label=label, max_digits=12, decimal_places=2))
        self.order_fields([f"m_{s.pk}" for s in standards] + ["accepted_quantity", "inspected_on", "comment", "photos"])

    def measured(self) -> dict:
        return {s.label: str(self.cleaned_data[f"m_{s.pk}"]) for s in self.standards}


class PhotoForm(forms.Form):
    photos = PhotosField(label=_("补充验收照片"))
