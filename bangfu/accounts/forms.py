from django import forms
from django.utils.translation import gettext_lazy as _

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.regions.models import Level, Region
from bangfu.registry.models import Organization


class UserForm(forms.Form):
    username = forms.CharField(label=_("用户名"), max_length=150)
    display_name = forms.CharField(label=_("姓名"), max_length=40, required=False)
    role = forms.ChoiceField(label=_("角色"))
    region = forms.ModelChoiceField(label=_("管辖区域"), queryset=Region.objects.none(), required=False)
    organization = forms.ModelChoiceField(label=_("所属单位(学校管理员必填)"), queryset=Organization.objects.none(),
                                          required=False)
    person_id_number = forms.CharField(label=_("本人身份证号(可选)"), required=False, max_length=20,
                                       help_text=_("关联人员库中的本人档案，帮扶责任人可在“我的帮扶”看到自己的结对"))
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, help_text=_("至少8位，不能全是数字"))

    def __init__(self, *args, scope: Scope, **kwargs):
        super().__init__(*args, **kwargs)
        roles = Role.choices if scope.role == Role.ADMIN else [c for c in Role.choices if c[0] != Role.ADMIN]
        self.fields["role"].choices = roles
        self.fields["region"].queryset = scope.regions(
            Region.objects.filter(level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])).order_by("code")
        self.fields["region"].label_from_instance = lambda r: r.full_name[-30:]
        self.fields["organization"].queryset = scope.organizations(Organization.objects.all()).order_by("name")
