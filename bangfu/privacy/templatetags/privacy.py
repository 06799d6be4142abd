from django import template
from django.urls import get_script_prefix, reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from bangfu.links import STAND_IN
from bangfu.options import select_options
from bangfu.privacy.masking import MASKS
from bangfu.privacy.models import ReadReason

register = template.Library()


@register.filter
def masked(value, field: str):
    """{{ person.id_number|masked:"id_number" }} → 450224********1234"""
    return MASKS[field](value)


@register.simple_tag
def personal_field(record_type: str, record, field: str, can_reveal: bool, *, reason: str | None = None,
                   note: str = "", error: str = "") -> SafeString:
    """A masked value with a 查看 button for roles that may reveal it: it asks what for, and the read
    is logged with that reason. Also the reveal's answer when the reason was wrong (`error`, with what
    was chosen and written). Written in Python, not a template: a household page shows six, and as an
    inclusion template they were a seventh of its time (docs/performance.md, "Statements compiled once");
    the form, the same for every record but its id, is written once per language and kind of field."""
    value = getattr(record, field)
    anchor = f"pf-{record_type}-{record.pk}-{field}"
    shown = format_html('<span class="personal" id="{}">{}', anchor, MASKS[field](value) or "—")
    if not (can_reveal and value):
        return mark_safe(f"{shown}</span>")
    if reason is None and not note and not error:
        key = (get_language(), get_script_prefix(), record_type, field)
        parts = _FORMS.get(key)
        if parts is None:
            parts = _FORMS[key] = _reveal_form(record_type, STAND_IN, field).split(str(STAND_IN))
        return mark_safe(shown + str(int(record.pk)).join(parts))
    return mark_safe(shown + _reveal_form(record_type, record.pk, field, reason=reason, note=note, error=error))


_FORMS: dict[tuple, list[str]] = {}  # (language, script prefix, record type, field): the form around its ids


def _reveal_form(record_type: str, pk: int, field: str, *, reason: str | None = None, note: str = "",
                 error: str = "") -> SafeString:
    """The 查看 form after a masked value, closing its span."""
    anchor = f"pf-{record_type}-{pk}-{field}"
    action = reverse("registry:reveal", args=(record_type, pk, field))
    return format_html(
        '\n<details class="reveal"{}><summary class="small" title="{}">{}</summary>\n'
        '  <form method="post" action="{}" class="reveal-form"\n'
        '    hx-post="{}" hx-target="#{}" hx-swap="outerHTML">\n'
        '    <label>{}<select name="reason">{}</select></label>\n'
        '    <input type="text" name="reason_note" maxlength="200" value="{}" placeholder="{}" aria-label="{}">\n'
        '    {}\n'
        '    <button type="submit" class="small">{}</button>\n'
        '  </form></details></span>',
        mark_safe(" open") if error else "", _("查看完整信息(将被记录)"), _("查看"), action, action, anchor,
        _("用途"), select_options(ReadReason.choices, reason, blank=None), note, _("用途说明(选“其他”时必填)"),
        _("用途说明"), format_html('<small class="error" role="alert">{}</small>', error) if error else "",
        _("确认查看(记入查看记录)"))
