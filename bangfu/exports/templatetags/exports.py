"""{% export_buttons "households" %}: 导出 Excel / 导出 CSV for the list on the page, with its filters.

The filters are the page's own query string (without the page number), plus any fixed ones the
page is about (`{% export_buttons "pairings" programme=programme.pk %}`). Shown to roles that may export;
a list with personal data offers a full export to roles that may see it in full.
"""

from django import template
from django.urls import reverse

from bangfu.exports.listings import LISTINGS
from bangfu.options import select_options
from bangfu.privacy.models import CHANNEL_REASONS, ReadReason

register = template.Library()


@register.inclusion_tag("exports/_buttons.html", takes_context=True)
def export_buttons(context, listing: str, **fixed):
    request = context["request"]
    params = request.GET.copy()
    params.pop("page", None)
    for name, value in fixed.items():
        params[name] = value
    query = params.urlencode()
    found = LISTINGS.get(listing)
    full = found is not None and found.personal and request.user.role_rules.see_personal_data
    return {"show": request.user.role_rules.export, "csrf_token": context.get("csrf_token"), "full": full,
            "reason_options": full and select_options(ReadReason.choices, CHANNEL_REASONS["export"], blank=None),
            "action": reverse("exports:start", args=[listing]) + (f"?{query}" if query else "")}
