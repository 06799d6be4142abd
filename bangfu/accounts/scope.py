"""What a user may see: one region code prefix (and for school admins one organization).

Every selector takes a Scope and narrows its queryset through it; nothing else decides
visibility. An object outside the scope is reported as not found, never as forbidden, so
that guessing ids tells nothing.
"""

from dataclasses import dataclass

from django.db.models import QuerySet

from bangfu.accounts.roles import ROLE_RULES, Role, RoleRules


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
