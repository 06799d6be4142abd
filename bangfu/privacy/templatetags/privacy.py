from django import template

from bangfu.options import select_options
from bangfu.privacy.masking import MASKS
from bangfu.privacy.models import ReadReason

register = template.Library()


@register.filter
def masked(value, field: str):
    """{{ person.id_number|masked:"id_number" }} → 450224********1234"""
    return MASKS[field](value)


def personal_field_context(record_type: str, record, field: str, can_reveal: bool, **more) -> dict:
    value = getattr(record, field)
    context = {"record_type": record_type, "pk": record.pk, "field": field, "shown": MASKS[field](value),
               "has_value": bool(value), "can_reveal": can_reveal, **more}
    if can_reveal and value:
        context["reason_options"] = select_options(ReadReason.choices, more.get("reason"), blank=None)
    return context


@register.inclusion_tag("privacy/personal_field.html")
def personal_field(record_type: str, record, field: str, can_reveal: bool):
    """A masked value with a 查看 button for roles that may reveal it: it asks what for, and the read
    is logged with that reason."""
    return personal_field_context(record_type, record, field, can_reveal)
