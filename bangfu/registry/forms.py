"""Forms parse and render; the services decide. Choices are narrowed to the user's scope."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bangfu import reference
from bangfu.accounts.scope import Scope
from bangfu.options import Choices, select_options
from bangfu.regions.models import Level, Region
from bangfu.registry.choices import HouseholdStatus, PovertyCause, WorkAbility
from bangfu.registry.models import Household, Organization, Person, Team, TeamMember

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class RegionChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.full_name[-30:]


class FieldsetsMixin:
    """Group a long form's fields under headings, as the paper forms do."""

    fieldsets: list[tuple[str, list[str]]] = []

    def grouped(self):
        seen = set()
        groups = []
        for title, names in self.fieldsets:
            fields = [self[n] for n in names if n in self.fields]
            seen.update(n for n in names)
            if fields:
                groups.append((title, fields))
        rest = [self[n] for n in self.fields if n not in seen]
        if rest:
            groups.append(("", rest))
        return groups


class HouseholdForm(FieldsetsMixin, forms.ModelForm):
    other_causes = forms.MultipleChoiceField(label=_("其他致贫原因"), choices=PovertyCause.choices, required=False,
                                             widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Household
        fields = [
            "number", "region", "address", "status", "identified_on", "exited_on", "monitoring_category",
            "monitored_on", "main_cause", "other_causes", "dibao", "wubao", "tekun", "wage_income",
            "production_income", "property_income", "transfer_income", "food_secure", "clothing_secure",
            "education_secure", "medical_secure", "housing_secure", "water_secure", "phone", "bank_name",
            "bank_account", "income_per_capita_previous", "medical_expense", "schooling_expense", "disaster_loss",
        ]
        widgets = {"identified_on": DATE, "exited_on": DATE, "monitored_on": DATE}

    fieldsets = [
        (_("基本信息"), ["number", "region", "address", "phone", "bank_name", "bank_account"]),
        (_("识别与退出"), ["status", "identified_on", "exited_on", "monitoring_category", "monitored_on",
                      "dibao", "wubao", "tekun"]),
        (_("致贫原因"), ["main_cause", "other_causes"]),
        (_("家庭收入(元/年)"), ["wage_income", "production_income", "property_income", "transfer_income",
                           "income_per_capita_previous"]),
        (_("支出与损失(监测预警)"), ["medical_expense", "schooling_expense", "disaster_loss"]),
        (_("两不愁三保障"), ["food_secure", "clothing_secure", "education_secure", "medical_secure",
                        "housing_secure", "water_secure"]),
    ]

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoiceField(
            label=_("所在村(社区)"), queryset=scope.regions(Region.objects.filter(level=Level.VILLAGE)).order_by("code"))
        if self.instance.pk:
            self.initial["other_causes"] = [c for c in self.instance.other_causes.split(",") if c]
            # personal data is not put back into the page; leave blank to keep it
            for name in ("phone", "bank_account"):
                self.initial[name] = ""
                self.fields[name].help_text = _("留空表示不修改")

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        data["other_causes"] = ",".join(data.get("other_causes") or [])
        if self.instance.pk:
            for name in ("phone", "bank_account"):
                if not data.get(name):
                    data.pop(name, None)
        return data


class PersonForm(FieldsetsMixin, forms.ModelForm):
    class Meta:
        model = Person
        fields = [
            "name", "id_number", "gender", "birth_date", "ethnicity", "relation", "phone", "region", "address",
            "education", "schooling", "health", "disability_category", "disability_grade", "work_ability", "kind",
            "orphan", "left_behind", "lives_alone", "struggling", "organization", "rank", "position", "subject",
            "grade_level", "class_name",
        ]
        widgets = {"birth_date": DATE}

    fieldsets = [
        (_("身份信息"), ["name", "id_number", "gender", "birth_date", "ethnicity", "relation", "phone", "region",
                     "address"]),
        (_("教育、健康与劳动"), ["education", "schooling", "health", "disability_category", "disability_grade",
                         "work_ability"]),
        (_("类别与特殊情况"), ["kind", "orphan", "left_behind", "lives_alone", "struggling"]),
        (_("工作与学习"), ["organization", "rank", "position", "subject", "grade_level", "class_name"]),
    ]

    def __init__(self, *args, scope: Scope, household: Household | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.household = household or (self.instance.household if self.instance.pk else None)
        self.fields["gender"].required = False
        self.fields["gender"].help_text = _("填写身份证号时可不填，按身份证号自动识别")
        self.fields["birth_date"].help_text = _("填写身份证号时可不填")
        self.fields["id_number"].label = _("身份证号")
        self.fields["organization"].queryset = scope.organizations(Organization.objects.all()).order_by("name")
        if self.household is not None:
            del self.fields["region"]
            self.fields["relation"].required = True
        else:
            del self.fields["relation"]
            self.fields["region"] = RegionChoiceField(
                label=_("所在区域"), queryset=scope.regions(Region.objects.filter(level__gte=Level.COUNTY)).order_by("code"))
        if self.instance.pk:
            for name in ("id_number", "phone"):
                self.initial[name] = ""
                self.fields[name].help_text = _("留空表示不修改")
        else:  # a person without an ID number like one registered: registered anyway only when confirmed
            self.fields["confirm_duplicate"] = forms.BooleanField(
                label=_("确认不是同一人"), required=False,
                help_text=_("没有身份证号而与已登记人员同名、同单位、同出生日期时，核实是不同的人后勾选"))

    def service_data(self) -> dict:
        data = dict(self.cleaned_data)
        if self.household is not None:
            data["household"] = self.household
        for name in ("id_number", "phone"):
            if not data.get(name) and self.instance.pk:
                data.pop(name, None)
        if not data.get("gender"):
            data.pop("gender", None)
        if not data.get("birth_date"):
            data.pop("birth_date", None)
        return data


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = ["name", "kind", "region", "address", "contact_name", "contact_phone"]

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"] = RegionChoiceField(
            label=_("所在区域"), queryset=scope.regions(Region.objects.filter(level__gte=Level.COUNTY)).order_by("code"))

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class QuickSelect(forms.Select):
    """A drop-down written in Python: Django's Select renders every option through a template of its
    own — a county's 170 townships and villages cost more than the rest of the household list
    (docs/performance.md, Pages). Plain choices only (no groups), one chosen; the options by
    bangfu/options.py."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)
        final = self.build_attrs(self.attrs, attrs)
        options = select_options(self.choices, chosen[0] if chosen else "", blank=None)
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(final), options)


class RegionFilterField(forms.ChoiceField):
    """A region filter's drop-down: it offers the regions in scope, but a code typed into the URL is
    passed on as it is — the selector reads it and refuses one outside the scope with a message
    (Scope.narrow), where a form error would silently show the list unfiltered."""

    def valid_value(self, value):
        return True


class HouseholdFilterForm(forms.Form):
    q = forms.CharField(label=_("搜索"), required=False,
                        widget=forms.TextInput(attrs={"placeholder": _("姓名 / 拼音首字母 / 户编号 / 身份证号"), "type": "search"}))
    region = RegionFilterField(label=_("区域"), required=False, widget=QuickSelect)
    status = forms.ChoiceField(label=_("户状态"), required=False, widget=QuickSelect,
                               choices=Choices((("", "—"), *HouseholdStatus.choices)))
    cause = forms.ChoiceField(label=_("致贫原因"), required=False, widget=QuickSelect,
                              choices=Choices((("", "—"), *PovertyCause.choices)))
    work_ability = forms.ChoiceField(label=_("成员劳动能力"), required=False, widget=QuickSelect,
                                     choices=Choices((("", "—"), *WorkAbility.choices)))
    assistance = forms.ChoiceField(label=_("救助类别"), required=False, widget=QuickSelect, choices=Choices((
        ("", "—"), ("dibao", _("低保户")), ("wubao", _("五保户")), ("tekun", _("特困供养")))))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = reference.kept(("household filter regions", scope.prefix),
                                                       lambda: Choices((("", "—"), *_township_village_choices(scope))))


def _township_village_choices(scope: Scope) -> tuple[tuple[str, str], ...]:
    """The townships and villages in scope, a village's indented under its township: reference data
    (bangfu/reference.py)."""
    regions = scope.regions(Region.objects.filter(level__in=[Level.TOWNSHIP, Level.VILLAGE])).order_by("code")
    return tuple((code, ("　" if level == Level.VILLAGE else "") + name)
                 for code, name, level in regions.values_list("code", "name", "level"))


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = ["name", "kind", "organization", "region", "started_on", "ended_on"]
        widgets = {"started_on": DATE, "ended_on": DATE}

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organization"].queryset = scope.organizations(Organization.objects.all()).order_by("name")
        self.fields["region"] = RegionChoiceField(
            label=_("派驻村(社区)"), queryset=scope.regions(Region.objects.filter(level=Level.VILLAGE)).order_by("code"))

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class TeamMemberForm(forms.ModelForm):
    class Meta:
        model = TeamMember
        fields = ["person", "role", "started_on"]
        widgets = {"started_on": DATE}

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = scope.persons(Person.objects.filter(kind="cadre")).order_by("name")
        self.fields["person"].label = _("队员(干部)")

    def service_data(self) -> dict:
        return dict(self.cleaned_data)


class TermGradeForm(forms.Form):
    academic_year = forms.CharField(label=_("学年"), max_length=12, help_text=_("如 2025-2026"))
    term = forms.TypedChoiceField(label=_("学期"), coerce=int, choices=[(1, _("第一学期")), (2, _("第二学期"))])
    subject = forms.CharField(label=_("科目"), max_length=20)
    score = forms.DecimalField(label=_("成绩"), max_digits=5, decimal_places=1)
    full_marks = forms.DecimalField(label=_("满分"), max_digits=5, decimal_places=1, required=False,
                                    help_text=_("留空为100分"))

    def service_data(self) -> dict:
        return dict(self.cleaned_data)
