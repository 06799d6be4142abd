"""Reads of accounts, inside the caller's scope."""

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts.models import User
from bangfu.accounts.scope import Scope
from bangfu.errors import NotFound


def user_list(*, scope: Scope) -> QuerySet[User]:
    qs = User.objects.select_related("region", "organization")
    if scope.prefix:
        qs = qs.filter(region__code__startswith=scope.prefix)
    return qs.order_by("region_id", "role", "username")


def user_get(*, scope: Scope, pk: int) -> User:
    user = user_list(scope=scope).filter(pk=pk).first()
    if user is None:
        raise NotFound(_("账号不存在或不在您的管辖范围内"))
    return user
