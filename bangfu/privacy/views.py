"""The access log page: full reads and full exports of personal data in the caller's region."""

from datetime import date

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render

from bangfu.privacy import selectors
from bangfu.privacy.models import ReadReason


def _date(value: str) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@login_required
def access_log(request):
    scope = request.user.scope
    selectors.full_read_check(scope)
    get = request.GET
    filters = selectors.FullReadFilters(
        q=get.get("q", ""), channel=get.get("channel", "") if get.get("channel") in selectors.CHANNEL_LABELS else "",
        field=get.get("field", "") if get.get("field") in selectors.FIELD_LABELS else "",
        record_type=get.get("record_type", "") if get.get("record_type") in selectors.RECORD_LABELS else "",
        reason=get.get("reason", "") if get.get("reason") in ReadReason.values else "",
        since=_date(get.get("since", "")), until=_date(get.get("until", "")))
    page = Paginator(selectors.full_read_list(scope=scope, filters=filters),
                     settings.BANGFU_PAGE_SIZE).get_page(get.get("page"))
    records = selectors.full_read_records(page.object_list)
    rows = [{"read": r, "record": records.get((r.record_type, r.record_id)),
             "record_label": selectors.RECORD_LABELS.get(r.record_type, r.record_type),
             "field_label": selectors.FIELD_LABELS.get(r.field, r.field),
             "channel_label": selectors.CHANNEL_LABELS.get(r.channel, r.channel)} for r in page.object_list]
    params = get.copy()
    params.pop("page", None)
    base = params.urlencode()
    return render(request, "privacy/access_log.html", {
        "page_obj": page, "rows": rows, "filters": filters, "querystring_base": (base + "&") if base else "",
        "channels": selectors.CHANNEL_LABELS, "fields": selectors.FIELD_LABELS,
        "record_types": selectors.RECORD_LABELS, "reasons": ReadReason.choices})
