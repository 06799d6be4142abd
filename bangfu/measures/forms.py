"""Page forms for projects: register one (with milestones and the households it benefits), accept
it, mark a milestone reached, link more households."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from bangfu.measures.models import Project

DATE = forms.DateInput(attrs={"type": "date"})


def _ids(text: str) -> list[int]:
    parts = [p for p in str(text or "").replace("，", ",").replace("、", ",").replace(" ", ",").split(",") if p]
    if not all(p.isdigit() for p in parts):
        raise forms.ValidationError(_("请填写农户编号(数字)，以逗号分隔"))
    return [int(p) for p in parts]


class ProjectForm(forms.Form):
    name = forms.CharField(label=pgettext_lazy("project", "项目名称"), max_length=100)
    kind = forms.ChoiceField(label=_("类型"), choices=Project._meta.get_field("kind").choices)
    region = forms.CharField(label=_("实施地点代码"), max_length=12, help_text=_("12位区划代码(乡镇或村)"))
    unit = forms.CharField(label=_("计量单位"), max_length=10, help_text=_("如 公里、立方米、个、人次、亩"))
    planned_quantity = forms.DecimalField(label=_("计划规模"), max_digits=12, decimal_places=2, min_value=0)
    budget = forms.DecimalField(label=_("预算(元)"), max_digits=14, decimal_places=2, min_value=0)
    starts_on = forms.DateField(label=_("开工日期"), required=False, widget=DATE)
    milestones = forms.CharField(label=_("进度节点"), required=False, widget=forms.Textarea(attrs={"rows": 3}),
                                 help_text=_("每行一个：节点名称 计划完成日期，如“完成招标 2026-03-20”"))
    households = forms.CharField(label=_("带贫户编号"), required=False, help_text=_("农户编号，以逗号分隔"))

    def clean_milestones(self):
        from datetime import date

        rows = []
        for i, line in enumerate((self.cleaned_data.get("milestones") or "").splitlines(), start=1):
            if not line.strip():
                continue
            title, _sep, due = line.strip().rpartition(" ")
            try:
                rows.append({"title": title.strip(), "due_on": date.fromisoformat(due.strip())})
            except ValueError:
                raise forms.ValidationError(_("第 %(i)s 行：请写“节点名称 日期(2026-03-20)”") % {"i": i}) from None
        return rows

    def clean_households(self):
        return _ids(self.cleaned_data.get("households"))


class AcceptForm(forms.Form):
    accepted_on = forms.DateField(label=_("验收日期"), widget=DATE)
    accepted_quantity = forms.DecimalField(label=_("验收规模"), max_digits=12, decimal_places=2, min_value=0)


class HouseholdsForm(forms.Form):
    households = forms.CharField(label=_("增加带贫户(农户编号)"), help_text=_("以逗号分隔"))

    def clean_households(self):
        return _ids(self.cleaned_data.get("households"))


class ProjectEditForm(forms.Form):
    name = ProjectForm.base_fields["name"]
    kind = ProjectForm.base_fields["kind"]
    unit = ProjectForm.base_fields["unit"]
    planned_quantity = ProjectForm.base_fields["planned_quantity"]
    budget = ProjectForm.base_fields["budget"]
    starts_on = ProjectForm.base_fields["starts_on"]
    status = forms.ChoiceField(label=_("状态"), choices=[("planned", _("计划")), ("building", _("实施中"))])
