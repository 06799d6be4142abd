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
    """The regions one level below `code` (12 digits or its prefix); a region outside the scope is
    refused (Scope.narrow), not answered with an empty list."""
    scope = scope.narrow(code, field="code")
    parent = Region.objects.filter(prefix=scope.prefix).values_list("code", flat=True).first() if scope.prefix else None
    return scope.regions(Region.objects.filter(parent_id=parent)).order_by("code")
