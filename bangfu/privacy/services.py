"""Reading personal data in full: allowed by role, and logged every time."""

from django.utils.translation import gettext as _

from bangfu.errors import PermissionDenied
from bangfu.privacy.masking import MASKS
from bangfu.privacy.models import FullRead


def personal_value_reveal(*, user, record, field: str, channel: str = "web") -> str:
    """The full value of `record.field` for a user whose role may see it; writes a FullRead."""
    if not user.role_rules.see_personal_data:
        raise PermissionDenied(_("您的角色无权查看完整个人信息"))
    if field not in MASKS:
        raise PermissionDenied(_("该字段不是可查看的个人信息"))
    FullRead.objects.create(
        user=user,
        county_code=record.county_code,
        record_type=record._meta.label_lower,
        record_id=record.pk,
        field=field,
        channel=channel,
    )
    return getattr(record, field) or ""


def personal_value_shown(*, user, value: str | None, field: str) -> str:
    """What lists, exports and the API show: masked unless the role shows it in full."""
    return MASKS[field](value)
