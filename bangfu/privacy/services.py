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


class PersonalValues:
    """How a list written to a file shows personal data: masked, or — for a role that may see it in
    full and asks to — in full, every value written logged as a FullRead (channel "export"), one
    per record and field, saved in batches as the rows are written.

    `value(record, field)` reads `record.<field>`; `record` must have `pk` and `county_code`."""

    BATCH = 2000

    def __init__(self, *, user=None, full: bool = False, channel: str = "export"):
        if full and not (user is not None and user.role_rules.see_personal_data):
            raise PermissionDenied(_("您的角色无权导出完整个人信息"))
        self.user, self.full, self.channel = user, full, channel
        self._pending: list[FullRead] = []

    def value(self, record, field: str, *, mask: str | None = None) -> str:
        """`mask`: the MASKS kind when the field's name is not one (an organization's contact_phone)."""
        value = getattr(record, field) if record is not None else None
        if not self.full:
            return MASKS[mask or field](value)
        if not value:
            return ""
        self._pending.append(FullRead(user=self.user, county_code=record.county_code,
                                      record_type=record._meta.label_lower, record_id=record.pk, field=field,
                                      channel=self.channel))
        if len(self._pending) >= self.BATCH:
            self.flush()
        return value

    def flush(self) -> None:
        if self._pending:
            FullRead.objects.bulk_create(self._pending, batch_size=self.BATCH)
            self._pending = []
