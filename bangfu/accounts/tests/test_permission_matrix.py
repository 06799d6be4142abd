"""The permission matrix, generated: every named page of the URL conf and every operation of the
OpenAPI document, for every role in accounts/roles.py, against objects inside the user's scope and
in another county, asserting what the role table says.

A page or API operation that is not in PAGES or OPERATIONS below fails the suite
(test_every_page_and_operation_is_in_the_matrix): a new endpoint must say who may use it, and is
then walked by every role with ids from inside and outside its scope.

What each entry says (`rule`):
- "open": any signed-in role, no object (lists: what they show is scoped, tested elsewhere);
- "read": the object's page or record — 200 inside the scope for a role that may see its kind,
  refused (403/404) outside it and for a role that may not;
- a RoleRules field ("edit_registry", "export", "manage_users", "see_personal_data", "record" for
  record_activities), or
  "set_up" (edit_registry, and the programme was set up at the user's own level or below, see
  programmes.services.programme_manage_check): inside, refused unless the role has the right, and
  then anything but 403/404 and 5xx (a write with dummy input may be a 400); outside, refused;
- a tuple of RoleRules fields: every one of them (measures and projects: edit_registry and
  see_households); a frozenset of roles: a step of a procedure, taken by the roles its transition
  names (and the administrator) at its scope level (STEP_LEVEL; subsidies/procedure.py);
  "templates": DOCUMENT_TEMPLATE_ROLES, for a user with a region (a template is replaced for it);
- "own": the user's own record (token, import or export job) inside, another user's outside;
  "no_file": the same for a file that was never written (any answer but a 5xx inside);
- kinds in HIDDEN_FROM are refused to that role whatever the rule; kinds in HIDDEN_BELOW to a user
  whose region lies below that level (a township's payment batch is not a village's to see);
- "skip": not a page of the product's data (sign-in, language switch, the API's own document).
"""

import functools
import json
import re
from datetime import date

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from bangfu.accounts.roles import DOCUMENT_TEMPLATE_ROLES, ROLE_RULES, Role
from bangfu.accounts.services import api_token_create
from bangfu.activities.models import Evidence
from bangfu.activities.services import activity_record
from bangfu.api import api
from bangfu.crosschecks.services import clue_record
from bangfu.documents import services as document_services
from bangfu.documents.models import Document, WorkPlan
from bangfu.exports.models import ExportJob
from bangfu.funds import services as fund_services
from bangfu.imports.models import ImportJob
from bangfu.measures import services as measure_services
from bangfu.measures.models import MeasureEvidence
from bangfu.procedures import services as procedure_services
from bangfu.programmes import services as programme_services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme, make_school
from bangfu.regions.models import Region
from bangfu.registry import services as registry_services
from bangfu.rules import procedures as rules_procedures
from bangfu.rules import services as rules_services
from bangfu.rules import workflow as rules_workflow
from bangfu.subsidies import payments as subsidy_payments
from bangfu.subsidies import procedure as subsidy_procedure
from bangfu.subsidies import services as subsidy_services
from bangfu.subsidies.models import InspectionPhoto
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, make_household, make_user, village_of

pytestmark = pytest.mark.django_db

OTHER_COUNTY = "450223"
SKIP = "skip"

# A step of the subsidy procedure: the roles (and the scope level) of its transition, plus the administrator.
def _step_roles(transition: str) -> frozenset:
    return subsidy_procedure.DEFINITION.transition(transition).roles | {Role.ADMIN}


COUNTY_STEP = _step_roles("approve")  # 审批, the step the matrix takes (the case is past it: a 409 inside)
TOWNSHIP_STEP = _step_roles("assess")  # 乡镇验收, 造册核定: township roles
NOTICE_ROLES = subsidy_procedure.DEFINITION.notice_roles | {Role.ADMIN}
STEP_LEVEL = {COUNTY_STEP: 6, TOWNSHIP_STEP: 9}
# identification, exit and monitoring (rules/procedures.py): the roles of each step plus the administrator
RULE_ROLES = rules_services.RULE_ROLES
EVALUATION_ROLES = rules_services.EVALUATION_ROLES
RULES_VILLAGE_STEP = rules_procedures.VILLAGE_ROLES | {Role.ADMIN}
RULES_TOWNSHIP_STEP = rules_procedures.TOWNSHIP_ROLES | {Role.ADMIN}
RULES_NOTICE = rules_procedures.NOTICE_ROLES | {Role.ADMIN}
STEP_LEVEL[RULES_TOWNSHIP_STEP] = 9

# name -> (rule, object kind or None, method)
PAGES = {
    "accounts:login": (SKIP, None, "GET"), "accounts:logout": (SKIP, None, "POST"),
    "set_language": (SKIP, None, "POST"),
    "home": ("open", None, "GET"),
    "accounts:users": ("manage_users", None, "GET"),
    "accounts:user_active": ("manage_users", "user", "POST"),
    "accounts:tokens": ("open", None, "GET"),
    "accounts:token_revoke": ("own", "token", "POST"),
    "registry:household_list": ("open", None, "GET"),
    "registry:household_create": ("edit_registry", None, "GET"),
    "registry:household_detail": ("read", "household", "GET"),
    "registry:household_edit": ("edit_registry", "household", "GET"),
    "registry:member_create": ("edit_registry", "household", "GET"),
    "registry:person_list": ("open", None, "GET"),
    "registry:person_create": ("edit_registry", None, "GET"),
    "registry:person_detail": ("read", "person", "GET"),
    "registry:person_edit": ("edit_registry", "person", "GET"),
    "registry:term_grade_add": ("edit_registry", "person", "POST"),
    "registry:organization_list": ("open", None, "GET"),
    "registry:organization_create": ("edit_registry", None, "GET"),
    "registry:organization_detail": ("read", "organization", "GET"),
    "registry:organization_edit": ("edit_registry", "organization", "GET"),
    "registry:team_list": ("open", None, "GET"),
    "registry:team_create": ("edit_registry", None, "GET"),
    "registry:team_detail": ("read", "team", "GET"),
    "registry:reveal": ("see_personal_data", "person_field", "POST"),
    "programmes:programme_list": ("open", None, "GET"),
    "programmes:programme_create": ("edit_registry", None, "GET"),
    "programmes:programme_detail": ("read", "programme", "GET"),
    "programmes:programme_edit": ("set_up", "programme", "GET"),
    "programmes:term_add": ("set_up", "programme", "GET"),
    "programmes:term_edit": ("set_up", "term", "GET"),
    "programmes:obligation_add": ("set_up", "programme", "GET"),
    "programmes:obligation_edit": ("set_up", "obligation", "GET"),
    "programmes:pairing_create": ("edit_registry", "programme", "GET"),
    "programmes:pairing_register_upload": ("edit_registry", "programme", "GET"),
    "programmes:pairing_register_report": ("no_file", "programme_token", "GET"),
    "programmes:pairing_register_template": ("open", None, "GET"),
    "programmes:pairing_detail": ("read", "pairing", "GET"),
    "programmes:mine": ("open", None, "GET"),
    "activities:activity_create": ("read", "pairing_query", "GET"),
    "activities:household_log": ("read", "household", "GET"),
    "activities:person_log": ("read", "person", "GET"),
    "activities:evidence_download": ("read", "evidence", "GET"),
    "compliance:rollup": ("read", "region_query", "GET"),
    "compliance:rows": ("read", "region_query", "GET"),
    "compliance:behind": ("read", "region_query", "GET"),
    "compliance:this_week": ("read", "region_query", "GET"),
    "imports:list": ("open", None, "GET"),
    "imports:upload": ("edit_registry", None, "POST"),
    "imports:template": ("open", "register", "GET"),
    "imports:detail": ("own", "import", "GET"),
    "imports:status": ("own", "import", "GET"),
    "imports:map": ("own", "import", "POST"),
    "imports:start": ("own", "import", "POST"),
    "imports:report": ("no_file", "import", "GET"),
    "exports:jobs": ("open", None, "GET"),
    "privacy:access_log": ("see_access_log", None, "GET"),  # the region's full reads; what it lists is scoped
    "api_root": (SKIP, None, "GET"),  # a redirect to the API's own document
    "exports:download": ("no_file", "export", "GET"),
    "exports:start": ("export", "listing_region", "POST"),
    # money (issue 15)
    "funds:fund_list": ("see_households", None, "GET"),
    "funds:report": ("see_households", None, "GET"),
    "funds:report_export": (("see_households", "export"), None, "GET"),
    "subsidies:scheme_list": ("see_households", None, "GET"),
    "subsidies:scheme_create": ("manage_funds", None, "GET"),
    "subsidies:scheme_detail": ("read", "scheme", "GET"),
    "subsidies:batch_export": ("pay", "batch", "GET"),
    "subsidies:application_detail": ("read", "application", "GET"),
    # the steps from the scheme's and the notice's pages: the matrix posts no step (a 302 with the reason);
    # each step's role and scope are the services', walked above through the API and in test_page_flow.py
    "subsidies:scheme_act": ("read", "scheme", "POST"),
    "procedures:notice_act": ("read", "notice", "POST"),
    "subsidies:inspection_photos_add": (TOWNSHIP_STEP, "application", "POST"),
    "subsidies:inspection_photo": ("read", "photo", "GET"),
    "measures:measure_evidence": ("read", "measure_evidence", "GET"),
    "funds:fund_create": ("manage_funds", None, "GET"),
    "funds:allocation_create": ("manage_funds", None, "GET"),
    "funds:allocation_detail": ("read", "allocation", "GET"),
    "measures:project_list": ("see_households", None, "GET"),
    "measures:project_create": (("edit_registry", "see_households"), None, "GET"),
    "measures:project_detail": ("read", "project", "GET"),
    "measures:project_edit": (("edit_registry", "see_households"), "project", "GET"),
    "procedures:overdue": ("see_households", None, "GET"),
    "procedures:notice_detail": ("read", "notice", "GET"),
    "procedures:holidays": ("see_households", None, "GET"),
    "measures:household_plan": ("read", "household", "GET"),
    "measures:measure_deliver": ("edit_registry", "measure", "POST"),
    # documents (issue 17)
    "documents:index": ("open", None, "GET"),
    "documents:generate": ("read", "booklet", "POST"),
    "documents:regenerate": ("own", "document", "POST"),
    "documents:batch": ("export", "region_body", "POST"),
    "documents:templates": ("open", None, "GET"),
    "documents:template_download": ("open", None, "GET"),
    "documents:template_upload": ("templates", None, "POST"),
    "documents:template_revert": ("templates", None, "POST"),
    "documents:plans": ("open", None, "GET"),
    "documents:plan_draft": ("templates", None, "POST"),
    "documents:plan": ("read", "workplan", "GET"),
    "documents:plan_issue": ("templates", "workplan", "POST"),
    # cross-checks and quality figures (issue 16: 数据比对, 三率一度, 目标任务)
    "crosschecks:clue_list": ("read", "region_query", "GET"),
    "crosschecks:clue_detail": ("read", "clue", "GET"),
    "crosschecks:clue_assign": (("edit_registry", "see_households"), "clue", "POST"),
    "crosschecks:clue_verify": (("edit_registry", "see_households"), "clue", "POST"),
    "crosschecks:clue_close": (("edit_registry", "see_households"), "clue", "POST"),
    "crosschecks:clue_exempt": (("edit_registry", "see_households"), "clue", "POST"),
    "quality:rates": ("read", "region_query", "GET"),
    "quality:rate_list": ("read", "region_query", "GET"),
    "quality:summary": ("read", "region_query", "GET"),
    "quality:targets": ("read", "region_query", "GET"),
    "quality:villages": ("read", "region_query", "GET"),
    "quality:villages_save": (("edit_registry", "see_households"), "region_query", "POST"),
    "quality:satisfaction": ("read", "household", "GET"),
    "quality:answer_record": (("record", "see_households"), "household", "POST"),
    # rules (issue 16): rules are public policy; snapshots are the region's; households and monitoring in scope
    "rules:rule_sets": ("open", None, "GET"),
    "rules:evaluations": (EVALUATION_ROLES, None, "GET"),
    "rules:evaluation_detail": ("read", "evaluation", "GET"),
    "rules:household": ("read", "household", "GET"),
    "rules:cases": ("see_households", None, "GET"),
    "rules:monitoring_list": ("see_households", None, "GET"),
    "rules:monitoring_detail": ("read", "monitoring", "GET"),
}

# "METHOD /api/v1/path" -> (rule, object kind or None)
OPERATIONS = {
    "GET /api/v1/accounts/me": ("open", None),
    "GET /api/v1/regions/": ("open", None),
    "GET /api/v1/regions/{code}/children": ("read", "region"),
    "GET /api/v1/households": ("read", "region_query"),
    "POST /api/v1/households": ("edit_registry", None),
    "GET /api/v1/households/{household_id}": ("read", "household"),
    "PATCH /api/v1/households/{household_id}": ("edit_registry", "household"),
    "GET /api/v1/households/{household_id}/members": ("read", "household"),
    "GET /api/v1/households/{household_id}/personal/{field}": ("see_personal_data", "household"),
    "GET /api/v1/persons": ("open", None),
    "POST /api/v1/persons": ("edit_registry", None),
    "GET /api/v1/persons/{person_id}": ("read", "person"),
    "PATCH /api/v1/persons/{person_id}": ("edit_registry", "person"),
    "GET /api/v1/persons/{person_id}/personal/{field}": ("see_personal_data", "person"),
    "GET /api/v1/organizations": ("open", None),
    "POST /api/v1/organizations": ("edit_registry", None),
    "GET /api/v1/organizations/{organization_id}": ("read", "organization"),
    "GET /api/v1/persons/{person_id}/term-grades": ("read", "person"),
    "POST /api/v1/persons/{person_id}/term-grades": ("edit_registry", "person"),
    "GET /api/v1/persons/{person_id}/term-grades/compare": ("read", "person"),
    "GET /api/v1/programmes": ("open", None),
    "POST /api/v1/programmes": ("edit_registry", None),
    "GET /api/v1/programmes/{programme_id}": ("read", "programme"),
    "PUT /api/v1/programmes/{programme_id}": ("set_up", "programme"),
    "POST /api/v1/programmes/{programme_id}/terms": ("set_up", "programme"),
    "PUT /api/v1/programmes/{programme_id}/terms/{term_id}": ("set_up", "term"),
    "POST /api/v1/programmes/{programme_id}/capacity-rules": ("set_up", "programme"),
    "GET /api/v1/programmes/{programme_id}/obligations": ("read", "programme"),
    "POST /api/v1/programmes/{programme_id}/obligations": ("set_up", "programme"),
    "PUT /api/v1/programmes/{programme_id}/obligations/{obligation_id}": ("set_up", "obligation"),
    "GET /api/v1/programmes/{programme_id}/phases": ("read", "programme"),
    "POST /api/v1/programmes/{programme_id}/phases": ("set_up", "programme"),
    "POST /api/v1/phases/{phase_id}/tasks": ("set_up", "phase"),
    "POST /api/v1/tasks/{task_id}/status": ("set_up", "task"),
    "GET /api/v1/programmes/{programme_id}/checks": ("read", "programme"),
    "GET /api/v1/programmes/{programme_id}/pairings": ("read", "programme"),
    "POST /api/v1/programmes/{programme_id}/pairings": ("edit_registry", "programme"),
    "GET /api/v1/pairings/{pairing_id}": ("read", "pairing"),
    "GET /api/v1/pairings/{pairing_id}/history": ("read", "pairing"),
    "POST /api/v1/pairings/{pairing_id}/handover": ("edit_registry", "pairing"),
    "POST /api/v1/pairings/{pairing_id}/end": ("edit_registry", "pairing"),
    "POST /api/v1/pairings/{pairing_id}/exemptions": ("edit_registry", "pairing"),
    "GET /api/v1/pairing-register/template": ("open", None),
    "POST /api/v1/programmes/{programme_id}/pairings/upload": ("edit_registry", "programme"),
    "GET /api/v1/activities": ("read", "pairing_query"),
    "POST /api/v1/activities": ("record", "pairing_body"),
    "GET /api/v1/activities/{activity_id}": ("read", "activity"),
    "POST /api/v1/activities/{activity_id}/corrections": ("record", "activity"),
    "POST /api/v1/activities/{activity_id}/evidence": ("record", "activity"),
    "GET /api/v1/compliance": ("read", "region_query"),
    "GET /api/v1/compliance/rollup": ("read", "region_query"),
    "GET /api/v1/compliance/due-this-week": ("read", "region_query"),
    "POST /api/v1/imports": ("edit_registry", None),
    "GET /api/v1/imports/{job_id}": ("own", "import"),
    "PUT /api/v1/imports/{job_id}/mapping": ("own", "import"),
    "POST /api/v1/imports/{job_id}/start": ("own", "import"),
    "POST /api/v1/exports": ("export", "listing_region"),
    "GET /api/v1/exports": ("open", None),
    "GET /api/v1/exports/{job_id}": ("own", "export"),
    "GET /api/v1/exports/{job_id}/file": ("no_file", "export"),
    "GET /api/v1/imports/{job_id}/report": ("no_file", "import"),
    # money (issue 15): funds
    "GET /api/v1/funds": ("open", None),
    "POST /api/v1/funds": ("manage_funds", None),
    "GET /api/v1/funds/report": ("open", None),
    "GET /api/v1/funds/{fund_id}": ("read", "fund"),
    "POST /api/v1/funds/{fund_id}/budget": ("manage_funds", "fund"),
    "GET /api/v1/allocations": ("open", None),
    "POST /api/v1/allocations": ("manage_funds", "fund_body"),
    "GET /api/v1/allocations/{allocation_id}": ("read", "allocation"),
    "GET /api/v1/allocations/{allocation_id}/disbursements": ("read", "allocation"),
    "POST /api/v1/allocations/{allocation_id}/disbursements": ("pay", "allocation"),
    # subsidies: each step of the procedure is the roles its transition names (subsidies/procedure.py)
    "GET /api/v1/subsidies/schemes": ("open", None),
    "POST /api/v1/subsidies/schemes": ("manage_funds", None),
    "GET /api/v1/subsidies/schemes/{scheme_id}": ("read", "scheme"),
    "GET /api/v1/subsidies/applications": ("open", None),
    "POST /api/v1/subsidies/applications": (subsidy_procedure.APPLY_ROLES | {Role.ADMIN}, "scheme_body"),
    "POST /api/v1/subsidies/applications/advance": (COUNTY_STEP, "application_body"),
    "GET /api/v1/subsidies/applications/{application_id}": ("read", "application"),
    "POST /api/v1/subsidies/applications/{application_id}/inspection": (TOWNSHIP_STEP, "application"),
    "POST /api/v1/subsidies/applications/{application_id}/photos": (TOWNSHIP_STEP, "application"),
    "POST /api/v1/subsidies/schemes/{scheme_id}/assess": (TOWNSHIP_STEP, "scheme"),
    "POST /api/v1/subsidies/schemes/{scheme_id}/notices": (NOTICE_ROLES, "scheme"),
    "POST /api/v1/subsidies/batches": ("pay", "scheme_body"),
    "GET /api/v1/subsidies/batches/{batch_id}": ("read", "batch"),
    "GET /api/v1/subsidies/batches/{batch_id}/bank.xlsx": ("pay", "batch"),
    "POST /api/v1/subsidies/batches/{batch_id}/paid": ("pay", "batch"),
    # procedures
    "GET /api/v1/procedures/cases": ("open", None),
    "POST /api/v1/procedures/cases/advance": (COUNTY_STEP, "case_body"),
    "GET /api/v1/procedures/cases/{case_id}": ("read", "case"),
    "GET /api/v1/procedures/overdue": ("open", None),
    "GET /api/v1/procedures/notices/{notice_id}": ("read", "notice"),
    "POST /api/v1/procedures/notices/{notice_id}/objections": (NOTICE_ROLES, "notice"),
    "POST /api/v1/procedures/objections/{objection_id}/resolve": (NOTICE_ROLES, "objection"),
    "GET /api/v1/procedures/holidays": ("see_households", None),
    "POST /api/v1/procedures/holidays": (frozenset({Role.ADMIN, Role.COUNTY_OFFICE}), None),
    # measures and projects (_edit_check: edit_registry and see_households)
    "GET /api/v1/measures": ("open", None),
    "POST /api/v1/measures": (("edit_registry", "see_households"), "household_body"),
    "POST /api/v1/measures/{measure_id}/delivery": ("edit_registry", "measure"),
    "POST /api/v1/measures/{measure_id}/evidence": ("edit_registry", "measure"),
    "GET /api/v1/projects": ("open", None),
    "POST /api/v1/projects": (("edit_registry", "see_households"), "region_body"),
    "GET /api/v1/projects/{project_id}": ("read", "project"),
    "POST /api/v1/projects/{project_id}/acceptance": (("edit_registry", "see_households"), "project"),
    # documents (issue 17): printed inside the scope; templates changed by DOCUMENT_TEMPLATE_ROLES
    "GET /api/v1/documents/kinds": ("open", None),
    "GET /api/v1/documents": ("open", None),
    "POST /api/v1/documents": ("read", "booklet"),
    "POST /api/v1/documents/{document_id}/regenerate": ("own", "document"),
    "POST /api/v1/documents/batches": ("export", "region_body"),
    "GET /api/v1/documents/templates/{kind}": ("open", None),
    "POST /api/v1/documents/templates/{kind}": ("templates", None),
    "POST /api/v1/documents/templates/{kind}/revert": ("templates", None),
    "GET /api/v1/documents/plans": ("open", None),
    "POST /api/v1/documents/plans": ("templates", None),
    "PUT /api/v1/documents/plans/{plan_id}": ("templates", "workplan"),
    "POST /api/v1/documents/plans/{plan_id}/issue": ("templates", "workplan"),
    # cross-checks (clues) and quality figures (issue 16)
    "GET /api/v1/clues": ("read", "region_query"),
    "GET /api/v1/clues/villages": ("read", "region_query"),
    "POST /api/v1/clues": (("edit_registry", "see_households"), "household_body"),
    "GET /api/v1/clues/{clue_id}": ("read", "clue"),
    "POST /api/v1/clues/{clue_id}/assign": (("edit_registry", "see_households"), "clue"),
    "POST /api/v1/clues/{clue_id}/verify": (("edit_registry", "see_households"), "clue"),
    "POST /api/v1/clues/{clue_id}/close": (("edit_registry", "see_households"), "clue"),
    "POST /api/v1/clues/{clue_id}/exempt": (("edit_registry", "see_households"), "clue"),
    "GET /api/v1/quality/rates": ("read", "region_query"),
    "GET /api/v1/quality/rates/{rate}": ("read", "region_query"),
    "GET /api/v1/quality/summary": ("read", "region_query"),
    "GET /api/v1/quality/targets": ("read", "region_query"),
    "PUT /api/v1/quality/targets": (("edit_registry", "see_households"), "region_body"),
    "POST /api/v1/quality/satisfaction": (("record", "see_households"), "household_body"),
    "PUT /api/v1/quality/poor-villages": (("edit_registry", "see_households"), "region_body"),
    "PUT /api/v1/quality/exit-plans": (("edit_registry", "see_households"), "household_body"),
    "PUT /api/v1/quality/population": (("edit_registry", "see_households"), "region_body"),
    # rules (issue 16): each step is the roles its transition names (rules/procedures.py)
    "GET /api/v1/rules/rule-sets": ("open", None),
    "POST /api/v1/rules/rule-sets": (RULE_ROLES, "region_body"),
    "POST /api/v1/rules/rule-sets/preview": (RULE_ROLES, "region_body"),
    "GET /api/v1/rules/rule-sets/{rule_set_id}": ("open", None),
    "GET /api/v1/rules/evaluations": (EVALUATION_ROLES, None),
    "POST /api/v1/rules/evaluations": (EVALUATION_ROLES, "region_body"),
    "GET /api/v1/rules/evaluations/{evaluation_id}": ("read", "evaluation"),
    "GET /api/v1/rules/evaluations/{evaluation_id}/rows": ("read", "evaluation"),
    "GET /api/v1/rules/evaluations/{evaluation_id}/villages": ("read", "evaluation"),
    "GET /api/v1/rules/evaluations/{evaluation_id}/counties": ("read", "evaluation"),
    "GET /api/v1/rules/households/{household_id}": ("read", "household"),
    "POST /api/v1/rules/identification": (RULES_VILLAGE_STEP, "household_body"),
    "POST /api/v1/rules/identification/enter": (COUNTY_STEP, "case_body"),
    "POST /api/v1/rules/exits": (RULES_VILLAGE_STEP, "household_body"),
    "POST /api/v1/rules/exits/complete": (COUNTY_STEP, "case_body"),
    "POST /api/v1/rules/notices": (RULES_NOTICE, "case_body"),
    "GET /api/v1/rules/monitoring": ("see_households", None),
    "POST /api/v1/rules/monitoring": (RULES_VILLAGE_STEP, "household_body"),
    "GET /api/v1/rules/monitoring/{monitoring_id}": ("read", "monitoring"),
    "POST /api/v1/rules/monitoring/{monitoring_id}/confirm": (RULES_TOWNSHIP_STEP, "monitoring"),
    "POST /api/v1/rules/monitoring/{monitoring_id}/decline": (RULES_TOWNSHIP_STEP, "monitoring"),
    "POST /api/v1/rules/monitoring/{monitoring_id}/help": (RULES_VILLAGE_STEP, "monitoring"),
    "POST /api/v1/rules/monitoring/{monitoring_id}/eliminate": (RULES_TOWNSHIP_STEP, "monitoring"),
    "POST /api/v1/rules/monitoring/{monitoring_id}/mark": (RULES_TOWNSHIP_STEP, "monitoring"),
}

# Answers that are not the scope's to give: 5xx on dummy input left to the hardening work (issue 13.4).
KNOWN_5XX: dict[str, str] = {}
# Known to answer a role without the right otherwise than 403, with nothing written: the form is shown
# (its POST is refused by the service, as the API operation shows), or the input is read before the role
# is checked. Each is refused or harmless; listed so that they stay the only ones.
DENIED_OTHERWISE: dict[str, set[int]] = {
    "programmes:programme_create": {200}, "programmes:pairing_create": {200},
    "programmes:pairing_register_upload": {200},
    "imports:upload": {302},  # back to the import list with the refusal as a message
    "POST /api/v1/programmes/{programme_id}/pairings": {400},  # the helper is looked up first
    "POST /api/v1/pairings/{pairing_id}/handover": {400},  # the new helper is looked up first
    "POST /api/v1/imports": {400},  # the register named is looked up first
}

MONEY_KINDS = {"fund", "fund_body", "allocation", "scheme", "scheme_body", "application", "application_body", "batch",
               "case", "case_body", "notice", "objection", "measure", "project", "household_body", "booklet", "document",
               "photo", "measure_evidence", "evaluation", "monitoring"}
HIDDEN_FROM = {  # kinds a role cannot see at all, whatever the scope
    Role.SCHOOL_ADMIN: {"household", "person", "pairing", "pairing_query", "pairing_body", "activity", "evidence",
                        "person_field"} | MONEY_KINDS,
    Role.HELPER: {"evaluation"},  # a region's snapshot: the helper sees the households they help, not the region
}
HIDDEN_FROM[Role.SCHOOL_ADMIN] |= {"clue"}  # clues are about households (issue 16)
# kinds held at a level: a user below it does not see them (a payment batch is a township's, not a village's)
HIDDEN_BELOW = {"batch": 9}
REFUSED = {403, 404}


def _pages() -> dict[str, str]:
    """Every named page of the URL conf (the API's operations come from its OpenAPI document)."""
    found = {}

    def walk(patterns, ns=None):
        for p in patterns:
            if isinstance(p, URLResolver):
                walk(p.url_patterns, p.namespace or ns)
            elif isinstance(p, URLPattern) and p.name and ns != "api":
                found[f"{ns}:{p.name}" if ns else p.name] = str(p.pattern)

    walk(get_resolver().url_patterns)
    return found


@functools.cache
def _schema() -> dict:
    """The API's OpenAPI document, built once (ninja builds it anew on every call: half a second)."""
    return api.get_openapi_schema()


def _operations() -> dict[str, dict]:
    schema = _schema()
    return {f"{method.upper()} {path}": op for path, ops in schema["paths"].items() for method, op in ops.items()}


def test_every_page_and_operation_is_in_the_matrix():
    """A new page or API operation must be entered in PAGES or OPERATIONS with who may use it."""
    pages, operations = set(_pages()), set(_operations())
    assert not pages - set(PAGES), f"pages to enter in PAGES (who may use them): {sorted(pages - set(PAGES))}"
    assert not set(PAGES) - pages, f"pages gone, still in PAGES: {sorted(set(PAGES) - pages)}"
    assert not operations - set(OPERATIONS), f"operations to enter in OPERATIONS: {sorted(operations - set(OPERATIONS))}"
    assert not set(OPERATIONS) - operations, f"operations gone, still in OPERATIONS: {sorted(set(OPERATIONS) - operations)}"


# The world: the same objects inside 融安县 (a village of 长安镇) and in another county -------------


def _side(village: Region, county: str, by_user) -> dict:
    org = make_school(name=f"{village.name}小学", region=village.code)
    household = make_household(region=village, number=f"{village.code}9001", members=1)
    helper = make_person(region=village.code, rank="staff")
    team = registry_services.team_create(scope=ADMIN_SCOPE, by=None, data={
        "name": f"{village.name}工作队", "region": village, "started_on": date(2025, 1, 1)})
    programme = make_programme(region=county + "000000", period_kind="academic_year")
    term = programme_services.term_add(scope=ADMIN_SCOPE, by=None, programme=programme, name="第一学期",
                                       academic_year="2025-2026", starts_on=date(2025, 9, 1),
                                       ends_on=date(2026, 1, 20))
    obligation = add_obligation(programme)
    phase = programme.phases.order_by("pk").first()
    task = programme_services.task_add(scope=ADMIN_SCOPE, by=None, phase=phase, name="摸底")
    pairing = programme_services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                                target=household, starts_on=date(2025, 1, 1))
    [activity] = activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                                 data={"kind": "走访", "occurred_on": date(2025, 1, 20), "content": "走访"})
    evidence = Evidence.objects.create(activity=activity, county_code=county, file=ContentFile(b"x", name="a.txt"),
                                       name="a.txt", content_type="text/plain", size=1)
    owner = by_user
    token, _key = api_token_create(user=owner, name="脚本")
    import_job = ImportJob.objects.create(register="households", created_by=owner, original_name="a.xlsx",
                                          file=ContentFile(b"x", name="a.xlsx"))
    export_job = ExportJob.objects.create(created_by=owner, listing="teams", params={}, format="xlsx")
    money = _money_side(village, county, household, owner)
    workplan = WorkPlan.objects.create(programme=programme, region=village, year=2025, sections={"goals": "x"})
    rules = _rules_side(village)
    return {**money, **rules, "organization": org, "household": household, "person": household.head, "team": team,
            "workplan": workplan,
            "programme": programme, "term": term, "obligation": obligation, "phase": phase, "task": task,
            "pairing": pairing, "activity": activity, "evidence": evidence, "region": village, "token": token,
            "import": import_job, "export": export_job, "user": owner}


def _money_side(village: Region, county: str, household, owner) -> dict:
    """Funds, a subsidy taken through its procedure to a payment batch (with its notice and an
    objection), a measure, a project and a printed booklet: each made by the apps' own services."""
    township = village.parent_id
    scheme = subsidy_services.scheme_create(scope=ADMIN_SCOPE, by=None, standards=[], data={
        "name": f"{village.name}种植奖补", "year": 2025, "region": county + "000000", "unit": "mu", "rate": "100",
        "opens_on": date(2025, 1, 1), "closes_on": date(2025, 12, 31)})
    application = subsidy_services.application_create(scope=ADMIN_SCOPE, by=None, scheme=scheme, household=household,
                                                      quantity="2", applied_on=date(2025, 3, 1))

    def advance(transition, on):
        subsidy_services.applications_advance(scope=ADMIN_SCOPE, by=None, application_ids=[application.pk],
                                              transition=transition, on=on)

    advance("register", date(2025, 3, 2))
    subsidy_services.inspection_record(scope=ADMIN_SCOPE, by=None, application=application, measured={},
                                       accepted_quantity="2", inspected_on=date(2025, 3, 3))
    subsidy_services.applications_assess(scope=ADMIN_SCOPE, by=None, scheme=scheme, region=village.code,
                                         on=date(2025, 3, 4))
    notice = subsidy_services.applications_publish(scope=ADMIN_SCOPE, by=None, scheme=scheme, village=village.code,
                                                   starts_on=date(2025, 3, 5), ends_on=date(2025, 3, 11))
    advance("review", date(2025, 3, 12))
    advance("approve", date(2025, 3, 13))
    objection = procedure_services.objection_raise(scope=ADMIN_SCOPE, by=None, notice=notice, content="面积有误",
                                                   raised_on=date(2025, 3, 6))
    fund = fund_services.fund_create(scope=ADMIN_SCOPE, by=None, name=f"{village.name}衔接资金", source="higher_fiscal",
                                     year=2025, region=county + "000000", budget="100000")
    to_township = fund_services.allocation_create(scope=ADMIN_SCOPE, by=None, fund=fund, amount="50000",
                                                  region=township, purpose="种植奖补", allocated_on=date(2025, 3, 1),
                                                  target_kind="scheme", target_id=scheme.pk)
    to_village = fund_services.allocation_create(scope=ADMIN_SCOPE, by=None, fund=fund, amount="1000",
                                                 region=village.code, purpose="村级项目", allocated_on=date(2025, 3, 1))
    batch = subsidy_payments.batch_create(scope=ADMIN_SCOPE, by=None, scheme=scheme, township=township,
                                          allocation_id=to_township.pk)
    measure = measure_services.measure_create(scope=ADMIN_SCOPE, by=None, data={
        "household": household.pk, "category": "industry", "description": "种植金桔", "planned_on": date(2025, 3, 1)})
    project = measure_services.project_create(scope=ADMIN_SCOPE, by=None, name=f"{village.name}道路硬化", kind="infra",
                                              region=village.code, unit="公里", planned_quantity="1", budget="1000")
    document = document_services.document_generate(user=owner, kind="booklet", subject=str(household.pk),
                                                    as_of=date(2025, 6, 30)).record
    clue = clue_record(scope=ADMIN_SCOPE, by=None, household=household, description="入户核查发现")
    application.refresh_from_db()
    photo = InspectionPhoto.objects.create(application=application, county_code=county, name="a.png", size=1,
                                           content_type="image/png", file=ContentFile(b"x", name="a.png"))
    measure_evidence = MeasureEvidence.objects.create(measure=measure, county_code=county, name="a.png", size=1,
                                                      content_type="image/png", file=ContentFile(b"x", name="a.png"))
    return {"photo": photo, "measure_evidence": measure_evidence,
            "scheme": scheme, "application": application, "case": application.case, "notice": notice,
            "objection": objection, "fund": fund, "allocation": to_village, "batch_allocation": to_township,
            "township": township, "batch": batch, "measure": measure, "project": project, "document": document,
            "clue": clue}


def _rules_side(village: Region) -> dict:
    """A rule set, an evaluation of the village, identification and exit cases of a household and a
    monitoring record of an exited one, each through the rules app's services."""
    from bangfu.procedures import services as procedures

    rule_set = (rules_services.RuleSet.objects.filter(region_id="450000000000", year=2025).first()
                or rules_services.rule_set_save(scope=ADMIN_SCOPE, by=None, region="450000000000", year=2025,
                                                data={"poverty_line": "4700", "monitoring_line": "7000"},
                                                effective_from=date(2025, 1, 1)))
    evaluation = rules_services.evaluation_run(scope=ADMIN_SCOPE, by=None, region=village.code, on=date(2025, 6, 30))
    household = make_household(region=village, number=f"{village.code}9002", members=1, status="not_poor",
                               wage_income="20000")  # above every line: no trigger raises a case of its own
    opened = {}
    for definition in (rules_procedures.IDENTIFICATION, rules_procedures.EXIT):
        [opened[definition]] = procedures.case_open(scope=ADMIN_SCOPE, by=None, definition=definition,
                                                    subject_kind=rules_procedures.HOUSEHOLD,
                                                    subject_ids_regions=[(household.pk, village.code)],
                                                    on=date(2025, 3, 3))
    monitoring = rules_workflow.monitoring_declare(scope=ADMIN_SCOPE, by=None, household=household, source="cadre",
                                                   on=date(2025, 3, 3), reason="排查发现")
    return {"rule_set": rule_set, "evaluation": evaluation, "monitoring": monitoring,
            "identification_case": opened[rules_procedures.IDENTIFICATION],
            "exit_case": opened[rules_procedures.EXIT]}


@pytest.fixture
def world(regions):
    other_village, _ = Region.objects.get_or_create(code=f"{OTHER_COUNTY}100001", defaults=dict(
        name="城中社区居委会", level=5, parent_id=f"{OTHER_COUNTY}100000", prefix=f"{OTHER_COUNTY}100001",
        initials="czsqjwh", full_name="广西壮族自治区柳州市鹿寨县鹿寨镇城中社区居委会"))
    outside = _side(other_village, OTHER_COUNTY, make_user(Role.COUNTY_OFFICE, region=f"{OTHER_COUNTY}000000"))
    village = village_of(TOWNSHIP_A)
    inside = _side(village, "450224", make_user(Role.COUNTY_OFFICE))
    return {"inside": inside, "outside": outside, "village": village}


def _user_for(role: str, world):
    region = {Role.ADMIN: None, Role.COUNTY_OFFICE: "450224000000", Role.FINANCE: "450224000000",
              Role.TOWNSHIP_OFFICE: TOWNSHIP_A,
              Role.INSPECTOR: TOWNSHIP_A}.get(role, world["village"].code)
    organization = world["inside"]["organization"] if role == Role.SCHOOL_ADMIN else None
    return make_user(role, region=region, organization=organization)


def _prefix(user) -> str:
    return user.region.prefix if user.region_id else ""


def _allowed(role: str, rule, user) -> bool:
    rules = ROLE_RULES[role]
    if isinstance(rule, tuple):  # every one of the rights
        return all(_allowed(role, r, user) for r in rule)
    if isinstance(rule, frozenset):  # a procedure's step: its roles, at its level
        return role in rule and len(_prefix(user)) <= STEP_LEVEL.get(rule, 12)
    if rule == "templates":  # a document template is replaced for the user's own region
        return role in DOCUMENT_TEMPLATE_ROLES and bool(user.region_id)
    if rule == "set_up":  # the matrix's programmes are set up by the county
        return rules.edit_registry and len(user.region.prefix if user.region_id else "") <= 6
    if rule == "record":
        return rules.record_activities
    return getattr(rules, rule)


def _expect(name, role, rule, kind, side, user):
    """The statuses the role table allows for `role` on this side of the scope."""
    hidden = kind in HIDDEN_FROM.get(role, ()) or len(_prefix(user)) > HIDDEN_BELOW.get(kind, 12)
    if rule == "open":
        return None  # any answer but a 5xx
    if kind is None and side == "outside":
        return None  # nothing to point outside the scope: a create's region is a field, checked by its service
    if side == "outside" and role != Role.ADMIN:
        return REFUSED
    if rule == "no_file":
        return None  # the user's own, but no file was written: 404 is the right answer too
    if rule == "own":
        return REFUSED if hidden else "ok"
    if rule == "read":
        return REFUSED if hidden else "ok"
    return "ok" if _allowed(role, rule, user) and not hidden else REFUSED | DENIED_OTHERWISE.get(name, set())


def _dummy(schema: dict, components: dict):
    """A value of the schema's type: enough to pass the API's input validation and reach its checks."""
    if "$ref" in schema:
        return _dummy(components[schema["$ref"].split("/")[-1]], components)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in schema:
            return _dummy(schema[key][0], components)
    kind, fmt = schema.get("type"), schema.get("format")
    if kind == "object":
        return {name: _dummy(sub, components) for name, sub in schema.get("properties", {}).items()
                if name in schema.get("required", [])}
    if kind == "array":
        return [_dummy(schema.get("items", {}), components)]
    if kind == "integer":
        return max(1, schema.get("minimum", 1))  # a year is bounded from below
    if kind == "number":
        return 1
    if kind == "boolean":
        return False
    if fmt == "date":
        return "2025-01-01"
    if fmt == "binary":
        return "x"
    return "x"


PARAM_KINDS = {"household_id": "household", "person_id": "person", "organization_id": "organization",
               "programme_id": "programme", "term_id": "term", "obligation_id": "obligation", "phase_id": "phase",
               "task_id": "task", "pairing_id": "pairing", "activity_id": "activity", "fund_id": "fund",
               "allocation_id": "allocation", "scheme_id": "scheme", "application_id": "application",
               "batch_id": "batch", "case_id": "case", "notice_id": "notice", "objection_id": "objection",
               "measure_id": "measure", "project_id": "project", "document_id": "document", "plan_id": "workplan",
               "clue_id": "clue", "rule_set_id": "rule_set", "evaluation_id": "evaluation",
               "monitoring_id": "monitoring"}


MONEY_PATHS = ("/api/v1/funds", "/api/v1/allocations", "/api/v1/subsidies", "/api/v1/procedures", "/api/v1/measures",
               "/api/v1/projects", "/api/v1/documents", "/api/v1/clues", "/api/v1/quality", "/api/v1/rules")


def _body_ids(data: dict, objects: dict, path: str = "") -> dict:
    """The dummy body pointed at this side's objects: ids and region codes a request names in its body."""
    ids = {"region": objects["region"].code, "village": objects["region"].code, "township": objects["township"],
           "household_id": objects["household"].pk, "scheme_id": objects["scheme"].pk, "fund_id": objects["fund"].pk,
           "allocation_id": objects["batch_allocation"].pk, "application_ids": [objects["application"].pk],
           "case_ids": [objects["case"].pk], "definition": subsidy_procedure.KEY, "transition": "approve",
           "kind": "booklet", "subject": str(objects["household"].pk), "programme": objects["programme"].pk}
    if path.startswith("/api/v1/rules"):  # the rules app's own cases (identification, exit)
        case = objects["identification_case"] if "/identification" in path else objects["exit_case"]
        ids.update(case_ids=[case.pk], definition="exit", household_ids=[objects["household"].pk])
    return {k: ids.get(k, v) for k, v in data.items()}


def _api_request(client, key: str, op: dict, objects: dict, kind: str | None):
    method, path = key.split(" ", 1)
    job = "import" if "/imports/" in path else "export"

    def fill(match):
        name = match.group(1)
        if name == "job_id":
            return str(objects[job].pk)
        if name == "code":
            return objects["region"].code
        if name == "field":
            return "phone" if "households" in path else "id_number"
        if name == "kind":
            return "booklet"
        if name == "rate":
            return "wrong_exit"
        return str(objects[PARAM_KINDS[name]].pk)

    url = re.sub(r"{(\w+)}", fill, path)
    query = {}
    if kind == "region_query":
        query = {"region": objects["region"].code}
    elif kind == "pairing_query":
        query = {"pairing": objects["pairing"].pk}
    if key == "GET /api/v1/procedures/overdue":
        query = {"as_of": "2026-01-01"}
    if method == "GET":
        return client.get(url, query)
    body = op.get("requestBody", {}).get("content", {})
    components = _schema()["components"]["schemas"]
    if "application/json" in body:
        data = _dummy(body["application/json"]["schema"], components)
        if path.startswith(MONEY_PATHS):
            data = _body_ids(data, objects, path)
        if kind == "pairing_body":
            data["pairing_ids"] = [objects["pairing"].pk]
        if key == "POST /api/v1/exports":
            data = {"listing": "households", "filters": {"region": objects["region"].code}}
        return client.generic(method, url, json.dumps(data), content_type="application/json")
    if "multipart/form-data" in body:
        form = _dummy(body["multipart/form-data"]["schema"], components)
        for name, sub in body["multipart/form-data"]["schema"].get("properties", {}).items():
            if sub.get("format") == "binary":
                form[name] = ContentFile(b"x", name="a.xlsx")
        return client.post(url, form)
    return client.generic(method, url)


def _page_request(client, name: str, pattern: str, method: str, objects: dict, kind: str | None):
    args = {}
    query = {}
    names = re.findall(r"<(?:\w+:)?(\w+)>", pattern)
    for param in names:
        if param == "pk":
            target = {"person_field": "person", "programme_token": "programme", "term": "programme",
                      "obligation": "programme", "register": None}.get(kind, kind)
            args[param] = objects[target].pk
        elif param == "term_pk":
            args[param] = objects["term"].pk
        elif param == "obligation_pk":
            args[param] = objects["obligation"].pk
        elif param == "record_type":
            args[param] = "person"
        elif param == "field":
            args[param] = "id_number"
        elif param == "token":
            args[param] = "x"
        elif param == "register":
            args[param] = "households"
        elif param == "listing":
            args[param] = "households"
        elif param == "kind":
            args[param] = "booklet"
        elif param == "rate":
            args[param] = "wrong_exit"
    if kind in ("region_query", "listing_region"):
        query = {"region": objects["region"].code}
    elif kind == "pairing_query":
        query = {"pairing": objects["pairing"].pk}
    url = reverse(name, kwargs=args)
    if method == "GET":
        return client.get(url, query)
    form = {}
    if kind == "booklet":
        form = {"subject": objects["household"].pk, "as_of": "2025-06-30"}
    elif kind == "region_body":
        form = {"region": objects["region"].code, "as_of": "2025-06-30"}
    return client.post(url + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else ""), form)


def _judge(expected, status: int) -> bool:
    if status >= 500:
        return False
    if expected is None:
        return True
    if expected == "ok":
        return status not in REFUSED
    return status in expected


@pytest.mark.once("postgresql")  # what a role may do does not depend on the database: the production one
@pytest.mark.parametrize("role", list(Role.values))
def test_every_page_and_operation_answers_as_the_role_table_says(client, world, role):
    user = _user_for(role, world)
    client.force_login(user)
    sides = ["inside"] if role == Role.ADMIN else ["outside", "inside"]  # the administrator has no outside
    wrong = []
    operations = _operations()
    pages = _pages()
    for side in sides:  # outside first: the inside requests may change or end what they touch
        objects = world[side]
        for key, (rule, kind) in OPERATIONS.items():
            if key in KNOWN_5XX:
                continue
            expected = _expect(key, role, rule, kind, side, user)
            if expected is None and side == "outside":
                continue
            objects_now = dict(objects)
            if rule == "own" and side == "inside":
                objects_now["import"], objects_now["export"] = _own_jobs(user)
                objects_now["document"] = _own_document(user, objects["document"])
            response = _api_request(client, key, operations[key], objects_now, kind)
            if not _judge(expected, response.status_code):
                wrong.append(f"{side} {key}: {response.status_code}, expected {expected} {response.content[:150]!r}")
        for name, (rule, kind, method) in PAGES.items():
            if rule == SKIP or name in KNOWN_5XX:
                continue
            expected = _expect(name, role, rule, kind, side, user)
            if expected is None and side == "outside":
                continue
            objects_now = dict(objects)
            if rule == "own" and side == "inside":
                objects_now["import"], objects_now["export"] = _own_jobs(user)
                objects_now["token"] = api_token_create(user=user, name="自己的")[0]
                objects_now["document"] = _own_document(user, objects["document"])
            status = _page_request(client, name, pages[name], method, objects_now, kind).status_code
            if not _judge(expected, status):
                wrong.append(f"{side} {name}: {status}, expected {expected}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)


def _own_jobs(user):
    return (ImportJob.objects.create(register="households", created_by=user, original_name="a.xlsx",
                                     file=ContentFile(b"x", name="a.xlsx")),
            ExportJob.objects.create(created_by=user, listing="teams", params={}, format="xlsx"))


def _own_document(user, document: Document) -> Document:
    """The user's own record of the same booklet (regenerating it finds the household in their scope, or not)."""
    return Document.objects.create(kind=document.kind, subject=document.subject, title=document.title,
                                   county_code=document.county_code, scope_prefix=_prefix(user), as_of=document.as_of,
                                   params=document.params, format=document.format, template_version="default",
                                   data_sha256=document.data_sha256, file_sha256=document.file_sha256, created_by=user)


# Filters an attacker points outside: every query parameter of the API's reads that names an object or
# a region, with the other county's object, for each role below the administrator. The answer is a
# refusal (403/404, or 400 naming the field), or an empty answer: never a row of the other county, nor
# the caller's own rows as if the filter were not there. A new query parameter must be entered in
# FILTER_KINDS (it names an object: walked here) or NOT_OBJECTS (it does not).
FILTER_KINDS = {"region": "region", "organization": "organization", "household": "household", "person": "person",
                "pairing": "pairing", "programme": "programme", "obligation": "obligation",
                "helper_person": "helper", "helper_org": "organization", "helper_team": "team", "fund_id": "fund",
                "scheme_id": "scheme"}
NOT_OBJECTS = {"q", "kind", "status", "cause", "work_ability", "assistance", "page", "page_size", "level", "limit",
               "include_superseded", "as_of", "period", "current_only", "by", "region_length", "definition", "state",
               "year", "source", "category", "start", "end", "on", "show", "finding", "reason", "reason_note"}


def _filter_params() -> list[tuple[str, str]]:
    found = []
    for key, op in _operations().items():
        if key.startswith("GET "):
            found += [(key, p["name"]) for p in op.get("parameters", []) if p["in"] == "query"]
    return found


def test_every_query_parameter_is_known_to_name_an_object_or_not():
    unknown = {name for _key, name in _filter_params()} - set(FILTER_KINDS) - NOT_OBJECTS
    assert not unknown, f"query parameters to enter in FILTER_KINDS or NOT_OBJECTS: {sorted(unknown)}"


def _rows(response) -> list | None:
    body = response.json()
    if isinstance(body, list):
        return body
    for key in ("items", "rows"):
        if isinstance(body, dict) and key in body:
            return body[key]
    return None


def _filter_value(objects: dict, kind: str):
    if kind == "region":
        return objects["region"].code
    if kind == "helper":
        return objects["pairing"].helper_person_id
    return objects[kind].pk


@pytest.mark.once("postgresql")  # what a role may do does not depend on the database: the production one
@pytest.mark.parametrize("role", [r for r in Role.values if r != Role.ADMIN])
def test_no_filter_reaches_outside_the_scope(client, world, role):
    client.force_login(_user_for(role, world))
    outside = world["outside"]
    markers = (OTHER_COUNTY, outside["household"].number, outside["region"].name)
    wrong = []
    for key, name in _filter_params():
        if name not in FILTER_KINDS:
            continue
        path = key.split(" ", 1)[1]
        if "{" in path:  # a list under an object: its own id is the matrix's; here the inside one
            path = re.sub(r"{(\w+)}", lambda m: "wrong_exit" if m.group(1) == "rate"
                          else str(world["inside"][PARAM_KINDS[m.group(1)]].pk), path)
        query = {name: _filter_value(outside, FILTER_KINDS[name])}
        if key == "GET /api/v1/procedures/overdue":
            query["as_of"] = "2026-01-01"
        response = client.get(path, query)
        if response.status_code >= 500:
            wrong.append(f"{key}?{name}=outside: {response.status_code}")
            continue
        if response.status_code in (400, 403, 404):
            continue
        rows = _rows(response)
        text = response.content.decode()
        if rows or any(marker in text for marker in markers):
            wrong.append(f"{key}?{name}=outside: {response.status_code} with {len(rows or [])} rows {text[:200]}")
    assert not wrong, f"{role}:\n" + "\n".join(wrong)
# What a role may list of the households (RoleRules.households): the role table's rule, for every role --------


@pytest.mark.parametrize("role", list(Role.values))
def test_the_households_a_role_lists_follow_the_role_table(client, regions, role):
    """A user of the county with a person record that helps one household: "region" lists every
    household of the county; "helped" (a helper) lists the households of the villages the person helps
    in (the helped one and its neighbour), not the county's others — on the page, the API and the
    household's own page; a role that does not see households lists none."""
    villages = list(Region.objects.filter(parent_id=TOWNSHIP_A).order_by("code")[:2])
    helped, neighbour = (make_household(region=villages[0], number=f"{villages[0].code}{n}", members=1)
                         for n in ("8001", "8002"))
    far = make_household(region=villages[1], number=f"{villages[1].code}8003", members=1)
    person = make_person(region=TOWNSHIP_A, rank="staff")
    programme = make_programme()
    add_obligation(programme)
    programme_services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=person,
                                      target=helped, starts_on=date(2025, 1, 1))
    organization = make_school(name="长安镇中心小学", region=TOWNSHIP_A) if role == Role.SCHOOL_ADMIN else None
    user = make_user(role, region="450224000000", person=person, organization=organization)
    client.force_login(user)
    rules = ROLE_RULES[role]
    expected = {h.number for h in (helped, neighbour, far)}
    if not rules.see_households:
        expected = set()
    elif rules.households == "helped":
        expected = {helped.number, neighbour.number}
    else:
        assert rules.households == "region", rules.households
    mine = {h.number for h in (helped, neighbour, far)}
    page = client.get(reverse("registry:household_list")).content.decode()
    assert {n for n in mine if n in page} == expected
    api = client.get("/api/v1/households", {"page_size": 100})
    listed = {h["number"] for h in api.json()["items"]} & mine if api.status_code == 200 else set()
    assert listed == expected, api.status_code
    for household in (helped, neighbour, far):
        status = client.get(reverse("registry:household_detail", args=[household.pk])).status_code
        assert (status == 200) == (household.number in expected), (household.number, status)
