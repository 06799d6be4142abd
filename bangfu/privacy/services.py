"""Reading personal data in full: allowed by role, and logged every time — who, what, when, how and why."""

from django.utils.translation import gettext as _

from bangfu.errors import PermissionDenied, ValidationError
from bangfu.privacy.masking import MASKS
from bangfu.privacy.models import CHANNEL_REASONS, FullRead, ReadReason


def read_reason(reason: str | None, note: str = "", *, channel: str) -> tuple[str, str]:
    """(reason, note) checked: one of ReadReason, the channel's default when none is given; "other"
    must say what for. A wrong value is refused naming the field, never logged as something else."""
    note = (note or "").strip()
    if not reason:
        reason = CHANNEL_REASONS.get(channel, ReadReason.VERIFY)
    if reason not in ReadReason.values:
        choices = "、".join(f"{v}({label})" for v, label in ReadReason.choices)
        raise ValidationError(_("查看用途不正确：%(r)s；可选：%(c)s") % {"r": str(reason)[:20], "c": choices},
                              field="reason")
    if len(note) > 200:
        raise ValidationError(_("用途说明不能超过 200 字"), field="reason_note")
    if reason == ReadReason.OTHER and not note:
        raise ValidationError(_("用途选“其他”时请写明用途说明"), field="reason_note")
    return str(reason), note


def personal_value_reveal(*, user, record, field: str, channel: str = "web", reason: str | None = None,
                          note: str = "") -> str:
    """The full value of `record.field` for a user whose role may see it; writes a FullRead with why
    (`reason`, a ReadReason; the channel's default when not given) and an optional note."""
    if not user.role_rules.see_personal_data:
        raise PermissionDenied(_("您的角色无权查看完整个人信息"))
    if field not in MASKS:
        raise PermissionDenied(_("该字段不是可查看的个人信息"))
    reason, note = read_reason(reason, note, channel=channel)
    FullRead.objects.create(
        user=user,
        county_code=record.county_code,
        record_type=record._meta.label_lower,
        record_id=record.pk,
        field=field,
        channel=channel,
        reason=reason,
        reason_note=note,
    )
    return getattr(record, field) or ""


class PersonalValues:
    """How a list written to a file shows personal data: masked, or — for a role that may see it in
    full and asks to — in full, every value written logged as a FullRead (channel "export"), one
    per record and field, saved in batches as the rows are written.

    `value(record, field)` reads `record.<field>`; `record` must have `pk` and `county_code`. Each
    read carries `reason` (a ReadReason, the channel's default when not given) and `note`."""

    BATCH = 2000

    def __init__(self, *, user=None, full: bool = False, channel: str = "export", reason: str | None = None,
                 note: str = ""):
        if full and not (user is not None and user.role_rules.see_personal_data):
            raise PermissionDenied(_("您的角色无权导出完整个人信息"))
        self.user, self.full, self.channel = user, full, channel
        self.reason, self.note = read_reason(reason, note, channel=channel) if full else ("", "")
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
                                      channel=self.channel, reason=self.reason, reason_note=self.note))
        if len(self._pending) >= self.BATCH:
            self.flush()
        return value

    def flush(self) -> None:
        if self._pending:
            FullRead.objects.bulk_create(self._pending, batch_size=self.BATCH)
            self._pending = []
