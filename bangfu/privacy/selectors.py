"""Reads of the log of full reads (FullRead): who saw which personal data in full, when, how and why."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.apps import apps
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.errors import PermissionDenied
from bangfu.privacy.models import FullRead

CHANNEL_LABELS = {"web": gettext_lazy("页面查看"), "api": gettext_lazy("接口查看"), "cli": gettext_lazy("命令行"),
                  "export": gettext_lazy("完整导出"), "document": gettext_lazy("文书")}
FIELD_LABELS = {"id_number": gettext_lazy("身份证号"), "phone": gettext_lazy("联系电话"),
                "bank_account": gettext_lazy("银行账号"), "contact_phone": gettext_lazy("联系电话")}
# The records whose personal data can be read in full, by FullRead.record_type (model label).
RECORD_LABELS = {"registry.household": gettext_lazy("户"), "registry.person": gettext_lazy("人员"),
                 "registry.organization": gettext_lazy("单位")}
RECORD_RELATED = {"registry.household": ("head",)}


@dataclass
class FullReadFilters:
    q: str = ""  # the reader's username or name
    channel: str = ""
    field: str = ""
    record_type: str = ""
    reason: str = ""  # a ReadReason
    since: date | None = None
    until: date | None = None


def full_read_check(scope: Scope) -> None:
    if not scope.rules.see_access_log:
        raise PermissionDenied(_("您的角色无权查看个人信息查看记录"))


def full_read_list(*, scope: Scope, filters: FullReadFilters | None = None) -> QuerySet[FullRead]:
    """Full reads of records in the caller's region, newest first. The log carries the county code;
    under a county, the read record's own region decides (one subquery per record type)."""
    full_read_check(scope)
    filters = filters or FullReadFilters()
    qs = FullRead.objects.select_related("user")
    if scope.prefix:
        qs = qs.filter(county_code=scope.prefix[:6])
        if len(scope.prefix) > 6:
            inside = Q()
            for label in RECORD_LABELS:
                model = apps.get_model(label)
                inside |= Q(record_type=label, record_id__in=model.objects.filter(
                    region__code__startswith=scope.prefix).values("pk"))
            qs = qs.filter(inside)
    q = filters.q.strip()
    if q:
        qs = qs.filter(Q(user__username__startswith=q) | Q(user__display_name__contains=q))
    if filters.channel:
        qs = qs.filter(channel=filters.channel)
    if filters.field:
        qs = qs.filter(field=filters.field)
    if filters.record_type:
        qs = qs.filter(record_type=filters.record_type)
    if filters.reason:
        qs = qs.filter(reason=filters.reason)
    if filters.since:
        qs = qs.filter(read_at__date__gte=filters.since)
    if filters.until:
        qs = qs.filter(read_at__date__lt=filters.until + timedelta(days=1))
    return qs.order_by("-read_at", "-pk")


def full_read_records(rows) -> dict[tuple[str, int], object]:
    """The records a page of the log names, fetched per type in one query each (not per row)."""
    wanted: dict[str, set[int]] = {}
    for row in rows:
        wanted.setdefault(row.record_type, set()).add(row.record_id)
    found = {}
    for label, ids in wanted.items():
        if label not in RECORD_LABELS:
            continue
        records = apps.get_model(label).objects.select_related(*RECORD_RELATED.get(label, ()))
        for pk, record in records.in_bulk(ids).items():
            found[(label, pk)] = record
    return found
