"""Accounts: API tokens."""

import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.models import ApiToken, User
from bangfu.errors import NotFound, ValidationError


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
