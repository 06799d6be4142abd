"""`bangfu createuser`: an account bound to a region (and for a school admin, a school).

Django's createsuperuser knows nothing of roles and regions; every Bangfu account needs both,
so operators create accounts here, with the same checks the model holds.
"""

import getpass
import sys

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.regions.models import Region, pad
from bangfu.registry.choices import OrganizationKind
from bangfu.registry.models import Organization


def _messages(exc: DjangoValidationError) -> str:
    if hasattr(exc, "message_dict"):
        return "；".join(m for messages in exc.message_dict.values() for m in messages)
    return "；".join(exc.messages)


def _password_messages(exc: DjangoValidationError) -> str:
    """Django's catalog lacks a Chinese text for the minimum length in this version; say it here."""
    messages = []
    for error in exc.error_list:
        if error.code == "password_too_short":
            messages.append(_("密码太短，至少需要 %(n)d 个字符") % {"n": error.params["min_length"]})
        else:
            messages.extend(error.messages)
    return "；".join(m.rstrip("。") for m in messages)


class Command(BaseCommand):
    help = _("新建账号：指定角色和管辖区域(学校管理员另须指定学校)")

    def add_arguments(self, parser):
        parser.add_argument("username", help=_("登录用户名"))
        roles = "、".join(f"{value}({label})" for value, label in Role.choices)
        parser.add_argument("--role", required=True, help=_("角色：%(r)s") % {"r": roles})
        parser.add_argument("--region", default="", help=_("管辖区域的区划代码，如 450224(融安县)；系统管理员可不填"))
        parser.add_argument("--organization", type=int, help=_("所属单位编号(学校管理员必填)"))
        parser.add_argument("--display-name", default="", help=_("姓名"))
        parser.add_argument("--password", help=_("密码；不填则提示输入"))

    def handle(self, *args, username, role, region, organization, display_name, password, **options):
        username = username.strip()
        if User.objects.filter(username=username).exists():
            raise CommandError(_("用户名 %(u)s 已存在") % {"u": username})
        role = self._role(role)
        organization = self._organization(organization)
        region = self._region(region, role, organization)
        if role == Role.SCHOOL_ADMIN and organization is None:
            raise CommandError(_("学校管理员须用 --organization 指定所属学校"))
        if role == Role.SCHOOL_ADMIN and organization.kind not in (OrganizationKind.SCHOOL, OrganizationKind.KINDERGARTEN):
            raise CommandError(_("学校管理员的所属单位须为学校或幼儿园，“%(o)s”不是") % {"o": organization.name})
        if organization is not None and region is not None and not organization.region_id.startswith(region.prefix):
            raise CommandError(_("单位“%(o)s”不在管辖区域 %(r)s 内") % {"o": organization.name, "r": region.full_name})

        user = User(username=username, role=role, region=region, organization=organization,
                    display_name=display_name.strip())
        password = password if password is not None else self._prompt_password()
        try:
            validate_password(password, user)
        except DjangoValidationError as exc:
            raise CommandError(_("密码不符合要求：%(m)s") % {"m": _password_messages(exc)}) from None
        user.set_password(password)
        try:
            user.full_clean()
        except DjangoValidationError as exc:
            raise CommandError(_messages(exc)) from None
        with transaction.atomic():
            user.save()
        scope = region.full_name if region else _("全国")
        self.stdout.write(self.style.SUCCESS(_("已新建账号 %(u)s：%(r)s，管辖范围 %(s)s") % {
            "u": username, "r": user.get_role_display(), "s": scope}))

    def _role(self, value: str) -> str:
        value = value.strip()
        by_label = {str(label): code for code, label in Role.choices}
        if value in Role.values:
            return value
        if value in by_label:
            return by_label[value]
        roles = "、".join(f"{code}({label})" for code, label in Role.choices)
        raise CommandError(_("未知角色“%(v)s”，可选：%(r)s") % {"v": value, "r": roles})

    def _organization(self, pk: int | None) -> Organization | None:
        if pk is None:
            return None
        organization = Organization.objects.filter(pk=pk).first()
        if organization is None:
            raise CommandError(_("编号为 %(id)s 的单位不存在") % {"id": pk})
        return organization

    def _region(self, code: str, role: str, organization: Organization | None) -> Region | None:
        code = code.strip()
        if not code:
            if role == Role.ADMIN:
                return None
            if role == Role.SCHOOL_ADMIN and organization is not None:
                return organization.region
            raise CommandError(_("除系统管理员外，每个账号都要用 --region 指定管辖区域"))
        if not code.isdigit() or len(code) not in (2, 4, 6, 9, 12):
            raise CommandError(_("区划代码“%(c)s”格式不对：应为 2、4、6、9 或 12 位数字") % {"c": code})
        region = Region.objects.filter(code=pad(code)).first()
        if region is None:
            raise CommandError(_("区划代码 %(c)s 不存在；村级代码须先用 bangfu regions load 载入") % {"c": code})
        return region

    def _prompt_password(self) -> str:
        if not sys.stdin.isatty():
            raise CommandError(_("无法交互输入密码，请用 --password 指定"))
        first = getpass.getpass(_("密码："))
        if first != getpass.getpass(_("再输入一次密码：")):
            raise CommandError(_("两次输入的密码不一致"))
        return first
