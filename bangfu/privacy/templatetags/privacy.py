from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

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
    inclusion template they were a seventh of its time (docs/performance.md, "Statements compiled once")."""
    value = getattr(record, field)
    anchor = f"pf-{record_type}-{record.pk}-{field}"
    shown = format_html('<span class="personal" id="{}">{}', anchor, MASKS[field](value) or "—")
    if not (can_reveal and value):
        return mark_safe(f"{shown}</span>")
    action = reverse("registry:reveal", args=(record_type, record.pk, field))
    return format_html(
        '{}\n<details class="reveal"{}><summary class="small" title="{}">{}</summary>\n'
        '  <form method="post" action="{}" class="reveal-form"\n'
        '    hx-post="{}" hx-target="#{}" hx-swap="outerHTML">\n'
        '    <label>{}<select name="reason">{}</select></label>\n'
        '    <input type="text" name="reason_note" maxlength="200" value="{}" placeholder="{}" aria-label="{}">\n'
        '    {}\n'
        '    <button type="submit" class="small">{}</button>\n'
        '  </form></details></span>',
        shown, mark_safe(" open") if error else "", _("查看完整信息(将被记录)"), _("查看"), action, action, anchor,
        _("用途"), select_options(ReadReason.choices, reason, blank=None), note, _("用途说明(选“其他”时必填)"),
        _("用途说明"), format_html('<small class="error" role="alert">{}</small>', error) if error else "",
        _("确认查看(记入查看记录)"))
