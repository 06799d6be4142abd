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
from bangfu.regions.models import PREFIX_LENGTHS, region_prefix


@dataclass(frozen=True)
class Scope:
    role: str
    prefix: str  # region code prefix; "" is the whole country
    organization_id: int | None = None
    person_id: int | None = None  # the user's own person record (a helper's households: roles.households)

    @classmethod
    def of(cls, user) -> "Scope":
        prefix = user.region.prefix if user.region_id else ""
        organization_id = user.organization_id if user.role == Role.SCHOOL_ADMIN else None
        return cls(role=user.role, prefix=prefix, organization_id=organization_id, person_id=user.person_id)

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
        if self.rules.households == "helped" and len(self.prefix) < 12:
            # Bound to more than a village: the households the user helps now and the rest of the
            # villages those are in — a helper's work, not the county's registry (issue 14). A helper
            # bound to one village sees that village. `pairings` is Pairing.target_household.
            helped = qs.model.objects.filter(pairings__helper_person_id=self.person_id, pairings__status="active")
            qs = qs.filter(region_id__in=helped.values("region_id")) if self.person_id else qs.none()
        return self.in_prefix(qs)

    def in_prefix(self, qs: QuerySet) -> QuerySet:
        """Records whose region is under the prefix. A table that carries the county code
        (county_code = the region code's first six digits) is filtered by it first — equality on
        the key its indexes lead with, the column a sharded or partitioned deployment prunes by
        (docs/scale.md) — and by the code prefix only below the county. A village's code is whole: its
        records by equality, which a prepared statement's generic plan ranges an index by, as it cannot by
        `LIKE $n` (a village's household count scanned the county's 6,000: docs/performance.md, stop 23)."""
        if not self.prefix:
            return qs
        if len(self.prefix) >= 6 and any(f.name == "county_code" for f in qs.model._meta.concrete_fields):
            qs = qs.filter(county_code=self.prefix[:6])
            if len(self.prefix) == 6:
                return qs
        if len(self.prefix) == PREFIX_LENGTHS[5]:
            return qs.filter(region=self.prefix)
        return qs.filter(region__code__startswith=self.prefix)

    def persons(self, qs: QuerySet) -> QuerySet:
        if self.organization_id is not None:
            qs = qs.filter(organization_id=self.organization_id)
        return self.in_prefix(qs)

    def organizations(self, qs: QuerySet) -> QuerySet:
        if self.organization_id is not None:
            qs = qs.filter(pk=self.organization_id)
        return self.in_prefix(qs)

    def teams(self, qs: QuerySet) -> QuerySet:
        return self.in_prefix(qs)
