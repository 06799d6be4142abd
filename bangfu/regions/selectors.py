"""Looking regions up by code, name or 拼音首字母, inside the caller's scope."""

from django.db.models import QuerySet

from bangfu.accounts.scope import Scope
from bangfu.regions.models import Region


def region_search(*, scope: Scope, q: str = "", level: int | None = None, limit: int = 20) -> QuerySet[Region]:
    qs = scope.regions(Region.objects.all())
    q = q.strip()
    if q.isdigit():
        qs = qs.filter(code__startswith=q)
    elif q.isascii() and q:
        qs = qs.filter(initials__startswith=q.lower())
    elif q:
        qs = qs.filter(name__contains=q)
    if level:
        qs = qs.filter(level=level)
    return qs.order_by("level", "code")[:limit]


def region_children(*, scope: Scope, code: str) -> QuerySet[Region]:
    return scope.regions(Region.objects.filter(parent_id=code)).order_by("code")
