"""Roles and what each may do: the one table every interface consults."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("系统管理员")
    COUNTY_OFFICE = "county_office", _("县级业务部门")
    TOWNSHIP_OFFICE = "township_office", _("乡镇(街道)")
    VILLAGE_TEAM = "village_team", _("村/驻村工作队")
    HELPER = "helper", _("帮扶责任人")
    SCHOOL_ADMIN = "school_admin", _("学校管理员")
    INSPECTOR = "inspector", _("督查(只读)")
    FINANCE = "finance", _("财务")


@dataclass(frozen=True)
class RoleRules:
    edit_registry: bool  # create and change households, persons, organizations
    see_personal_data: bool  # reveal ID, phone and bank numbers in full (each reveal logged)
    see_households: bool  # the household registry at all (a school admin works with its school)
    manage_users: bool
    export: bool
    manage_funds: bool = False  # fund budgets, allocations, subsidy schemes (docs/money.md)
    pay: bool = False  # disbursements and payment batches: money leaving an allocation
    record_activities: bool = True  # record, correct and add evidence to activities of pairings in scope


ROLE_RULES: dict[str, RoleRules] = {
    Role.ADMIN: RoleRules(edit_registry=True, see_personal_data=True, see_households=True, manage_users=True, export=True,
                          manage_funds=True, pay=True),
    Role.COUNTY_OFFICE: RoleRules(edit_registry=True, see_personal_data=True, see_households=True, manage_users=True, export=True,
                                  manage_funds=True),
    Role.TOWNSHIP_OFFICE: RoleRules(edit_registry=True, see_personal_data=True, see_households=True, manage_users=False, export=True),
    Role.VILLAGE_TEAM: RoleRules(edit_registry=True, see_personal_data=False, see_households=True, manage_users=False, export=True),
    Role.HELPER: RoleRules(edit_registry=False, see_personal_data=False, see_households=True, manage_users=False, export=False),
    Role.SCHOOL_ADMIN: RoleRules(edit_registry=True, see_personal_data=False, see_households=False, manage_users=False, export=True),
    Role.INSPECTOR: RoleRules(edit_registry=False, see_personal_data=False, see_households=True, manage_users=False,
                              export=True, record_activities=False),
    # 财务: pays out (the bank's 代发 list needs account numbers in full, each read logged); edits no registry
    Role.FINANCE: RoleRules(edit_registry=False, see_personal_data=True, see_households=True, manage_users=False,
                            export=True, manage_funds=True, pay=True, record_activities=False),
}

# Who may replace a document kind's Word template for their region (bangfu.documents); anyone may
# print documents about what their scope holds.
DOCUMENT_TEMPLATE_ROLES = frozenset({Role.ADMIN, Role.COUNTY_OFFICE, Role.TOWNSHIP_OFFICE})
