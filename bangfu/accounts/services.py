"""Accounts: users and API tokens."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError

from bangfu.accounts.models import ApiToken, User
from bangfu.accounts.roles import Role
from bangfu.errors import Conflict, NotFound, PermissionDenied, ValidationError
from bangfu.regions.models import Region


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new bearer token; the plain key is returned once and never stored."""
    name = (name or "").strip()
    if not name:
        raise ValidationError(_("请填写令牌名称"), field="name")
    key = "bf_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name[:60], key_hash=ApiToken.digest(key), key_prefix=key[:8])
    return token, key


@transaction.atomic
def api_token_revoke(*, user: User, pk: int) -> None:
    updated = ApiToken.objects.filter(user=user, pk=pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not updated:
        raise NotFound(_("令牌不存在"))


# Users --------------------------------------------------------------------------------------


def users_check(scope) -> None:
    if not scope.rules.manage_users:
        raise PermissionDenied(_("您的角色不能管理账号"))


@transaction.atomic
def user_create(*, scope, by: User, username: str, password: str, role: str, region, display_name: str = "",
                organization=None, person_id_number: str = "") -> User:
    """An account bound to a region inside the creator's scope; nobody creates a role above their own."""
    users_check(scope)
    if role not in Role.values:
        raise ValidationError(_("未知角色：%(r)s") % {"r": role}, field="role")
    if role == Role.ADMIN and scope.role != Role.ADMIN:
        raise PermissionDenied(_("只有系统管理员能创建系统管理员账号"))
    region = Region.objects.filter(code=getattr(region, "code", region)).first() if region else None
    if role != Role.ADMIN and region is None:
        raise ValidationError(_("请选择管辖区域"), field="region")
    if region is not None and not scope.contains_code(region.code):
        raise ValidationError(_("所选区域不在您的管辖范围内"), field="region")
    if role == Role.SCHOOL_ADMIN and organization is None:
        raise ValidationError(_("学校管理员须指定所属学校"), field="organization")
    if User.objects.filter(username=username).exists():
        raise Conflict(_("用户名 %(u)s 已被使用") % {"u": username}, field="username")
    person = _person_by_id_number(scope, person_id_number) if person_id_number else None
    user = User(username=username, role=role, region=region, organization=organization, display_name=display_name,
                person=person)
    try:
        validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationError(_("；").join(exc.messages), field="password") from None
    user.set_password(password)
    try:
        user.full_clean(exclude=["password"])
    except DjangoValidationError as exc:
        field, messages = next(iter(exc.message_dict.items()))
        raise ValidationError(messages[0], field=None if field == "__all__" else field) from None
    user.save()
    return user


def _person_by_id_number(scope, raw: str):
    """The registry person with this ID number, inside the creator's scope, not yet linked."""
    from bangfu.privacy import crypto, id_numbers
    from bangfu.registry.models import Person

    value = id_numbers.parse(raw, field="person_id_number").value
    person = scope.persons(Person.objects.filter(id_hash=crypto.keyed_hash(value))).first()
    if person is None:
        raise ValidationError(_("人员库中没有这个身份证号的人员(或不在您的管辖范围内)"), field="person_id_number")
    if User.objects.filter(person=person).exists():
        raise Conflict(_("该人员已关联其他账号"), field="person_id_number")
    return person


@transaction.atomic
def user_set_active(*, scope, by: User, user: User, active: bool) -> None:
    users_check(scope)
    if user.pk == by.pk:
        raise ValidationError(_("不能停用自己的账号"))
    User.objects.filter(pk=user.pk).update(is_active=active)
