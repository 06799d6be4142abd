"""What a user may see: one region code prefix (and for school admins one organization).

Every selector takes a Scope and narrows its queryset through it; nothing else decides
visibility. An object outside the scope is reported as not found, never as forbidden, so
that guessing ids tells nothing.
"""

from dataclasses import dataclass, replace

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from bangfu.accounts.roles import ROLE_RULES, Role, RoleRules
from bangfu.errors import PermissionDenied
from bangfu.regions.models import region_prefix


@dataclass(frozen=True)
class Scope:
    role: str
    prefix: str  # region code prefix; "" is the whole country
    organization_id: int | None = None

    @classmethod
    def of(cls, user) -> "Scope":
        prefix = user.region.prefix if user.region_id else ""
        organization_id = user.organization_id if user.role == Role.SCHOOL_ADMIN else None
        return cls(role=user.role, prefix=prefix, organization_id=organization_id)

    @property
    def rules(self) -> RoleRules:
        return ROLE_RULES[self.role]

    def contains_code(self, code: str | None) -> bool:
        return bool(code) and code.startswith(self.prefix)

    def narrow(self, region: str | None, *, field: str = "region") -> "Scope":
        """This scope limited to a region the caller asks for (a filter, a roll-up's drill-down, an
        export's parameters): the one place a requested region meets the scope. The region is read
        by `region_prefix` (12-digit codes or prefixes; a malformed code is 400, an unknown one 404);
        one that is not inside the scope — another township, another county, or the level above the
        user's own — is refused with a message, never widened to it nor silently dropped. Every
        selector, roll-up, list and export that takes a region narrows through here, then filters by
        the narrowed scope alone."""
        prefix = region_prefix(region or "", field=field)
        if not prefix or prefix == self.prefix:
            return self
        if not prefix.startswith(self.prefix):
            raise PermissionDenied(_("所选地区不在您的权限范围内"), field=field)
        return replace(self, prefix=prefix)

    def regions(self, qs: QuerySet) -> QuerySet:
        """Regions the user may pick: the scope's own region and everything under it."""
        return qs.filter(prefix__startswith=self.prefix) if self.prefix else qs

    def households(self, qs: QuerySet) -> QuerySet:
        if not self.rules.see_households:
            return qs.none()
        return qs.filter(region__code__startswith=self.prefix) if self.prefix else qs

    def persons(self, qs: QuerySet) -> QuerySet:
        if self.organization_id is not None:
            qs = qs.filter(organization_id=self.organization_id)
        return qs.filter(region__code__startswith=self.prefix) if self.prefix else qs

    def organizations(self, qs: QuerySet) -> QuerySet:
        if self.organization_id is not None:
            qs = qs.filter(pk=self.organization_id)
        return qs.filter(region__code__startswith=self.prefix) if self.prefix else qs

    def teams(self, qs: QuerySet) -> QuerySet:
        return qs.filter(region__code__startswith=self.prefix) if self.prefix else qs
