"""The schema stays ready for a province and the nation (docs/scale.md): every table that grows with
the population carries the county code (the key a province's database partitions by, and Citus
would distribute by), and on PostgreSQL the main queries of a county's pages are pruned to that
county — each scan of a growing table is either filtered by county_code or a lookup by id from a
row that was."""

import json
import re
from datetime import date
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.db.backends.postgresql.base import ServerBindingCursor
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.activities.services import activity_record
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme, make_school
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user

# Tables that do not grow with the population, each with why: reference data, configuration a
# programme or an office sets up, the framework's own, and jobs pruned by retention. A new model
# that is not here must carry county_code (or be added here, in review, with its reason).
NOT_BY_COUNTY = {
    "auth.Permission": "framework: fixed",
    "auth.Group": "framework: fixed",
    "contenttypes.ContentType": "framework: fixed",
    "sessions.Session": "framework: one per signed-in user, expire; kept where the users sign in",
    "axes.AccessFailureLog": "sign-in failures: pruned (axes), per user not per household",
    "axes.AccessAttempt": "sign-in failures: pruned (axes)",
    "axes.AccessAttemptExpiration": "sign-in failures: pruned (axes)",
    "axes.AccessLog": "sign-ins: per user, pruned",
    "django_tasks_database.DBTaskResult": "background jobs' queue: pruned",
    "regions.Region": "reference: the division codes, 700,000 rows for the nation, replicated",
    "accounts.User": "accounts: per office and helper (region carries the county), replicated with sign-in",
    "accounts.ApiToken": "accounts: per user",
    "imports.ImportJob": "jobs: one per upload, pruned by retention",
    "exports.ExportJob": "jobs: one per export, pruned by retention (BANGFU_EXPORT_RETENTION_DAYS)",
    "programmes.Programme": "configuration: a handful per county",
    "programmes.HistoricalProgramme": "configuration's history",
    "programmes.Term": "configuration: school terms of a programme",
    "programmes.CapacityRule": "configuration",
    "programmes.Obligation": "configuration: a handful per programme",
    "programmes.HistoricalObligation": "configuration's history",
    "programmes.ProgrammePeriod": "configuration: one per programme, obligation period kind and period",
    "programmes.ReferenceStamp": "one row: the reference data's stamp (bangfu/reference.py)",
    "programmes.Phase": "configuration: a work plan's phases",
    "programmes.Task": "configuration: a work plan's tasks",
    "programmes.HistoricalTask": "configuration's history",
    "documents.DocumentTemplate": "configuration: templates",
    "procedures.Holiday": "reference: the State Council's holiday calendar",
    "subsidies.AcceptanceStandard": "configuration: a scheme's standards",
    "measures.Milestone": "a project's milestones: a handful per project (the project carries county_code)",
    "documents.WorkPlan": "configuration: a programme's yearly plan per region, a handful a year",
    "rules.RuleSet": "configuration: policy lines per province or county and year, versioned (a handful a year)",
    "rules.Evaluation": "a snapshot's header: one per evaluation run of a region (its rows carry county_code)",
    "rules.VillageResult": "per village and evaluation: hundreds a run; region-keyed (its code starts with the county's)",
}


def _has_county(model) -> bool:
    return any(f.name == "county_code" for f in model._meta.concrete_fields)


def test_every_growing_table_carries_the_county_code():
    models = {f"{m._meta.app_label}.{m.__name__}": m for m in apps.get_models()}
    missing = sorted(label for label, model in models.items() if not _has_county(model) and label not in NOT_BY_COUNTY)
    assert not missing, f"growing tables without county_code (add the column, or list them with a reason): {missing}"
    stale = sorted(label for label in NOT_BY_COUNTY if label not in models or _has_county(models[label]))
    assert not stale, f"listed as not by county, but gone or carrying county_code: {stale}"
    # the known growing tables, named so that dropping the column from one fails here too
    for label in ("registry.Household", "registry.Person", "registry.HistoricalPerson", "registry.HistoricalHousehold",
                  "programmes.Pairing", "programmes.HistoricalPairing", "programmes.Exemption", "activities.Activity",
                  "activities.Evidence", "compliance.ComplianceDone", "compliance.ComplianceArea",
                  "compliance.ComplianceTownship", "privacy.FullRead", "funds.Disbursement", "subsidies.Application",
                  "documents.Document", "procedures.Case"):
        assert _has_county(models[label]), label


GROWING = {m._meta.db_table for m in apps.get_models() if _has_county(m)}


def _scans(plan: dict):
    """Every scan node of a plan tree: (table, its conditions as one text)."""
    if "Relation Name" in plan:
        conditions = " ".join(str(plan.get(k, "")) for k in ("Index Cond", "Recheck Cond", "Filter", "TID Cond"))
        yield plan["Relation Name"], plan.get("Alias", plan["Relation Name"]), conditions
    for child in plan.get("Plans", []):
        yield from _scans(child)


def _pruned(alias: str, conditions: str) -> bool:
    """Filtered by the county code, or looked up by id — a constant id or the id another (pruned) row
    names (a join's inner side, parameterized by the outer row)."""
    if "county_code" in conditions:
        return True
    if re.search(r"\b(id|pairing_id|household_id|person_id|activity_id) = (ANY )?\(?(ARRAY\[)?'?[\d{$]", conditions):
        return True  # a constant id or list of ids (or a placeholder for one, in a generic plan)
    # a lookup by a column of another relation: the outer row's id
    # (the planner writes it either way round: "(organization_id = registry_organization.id)" or the mirror)
    other = rf"(?!{re.escape(alias)}\.)\w+\.\w+"
    return bool(re.search(rf"\(\w+ = {other}\)|\({other} = \w+\)", conditions))


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="EXPLAIN on PostgreSQL")
def test_a_county_pages_queries_are_pruned_to_the_county(client, regions):
    programme = make_programme(name="干部结对帮扶")
    add_obligation(programme, name="每月走访帮扶户", kind="走访", minimum=1, period="month")
    unit = make_school(name="融安县人民政府办公室", kind="government")
    for township in (TOWNSHIP_A, TOWNSHIP_B, TOWNSHIP_A):
        helper = make_person(region=township, organization=unit)
        pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                          target=make_household(township=township, members=2),
                                          starts_on=date(2025, 3, 1))
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                        data={"kind": "走访", "occurred_on": date(2025, 9, 12), "content": "入户走访"})
    household = pairing.target_household
    client.force_login(make_user(Role.COUNTY_OFFICE))
    pages = [reverse("registry:household_list"), reverse("registry:household_detail", args=[household.pk]),
             reverse("compliance:rollup"), reverse("compliance:rows"), reverse("compliance:behind"),
             "/api/v1/households?page_size=50"]
    unpruned, checked, generic = [], set(), 0
    for page in pages:
        statements = []

        def record(execute, sql, params, many, context):
            statements.append((sql, params, isinstance(context["cursor"].cursor, ServerBindingCursor)))
            return execute(sql, params, many, context)

        with connection.execute_wrapper(record):
            assert client.get(page, {"as_of": "2025-11-05"}).status_code == 200, page
        for sql, params, prepared in statements:
            if not sql.lstrip().upper().startswith("SELECT") or not any(t in sql for t in GROWING):
                continue
            plans = [_plan(sql, params)]
            if prepared:  # a report statement of bangfu/sql.py: what runs is its generic plan
                plans.append(_plan(sql, params, generic=True))
                generic += 1
            for plan in plans:
                for table, alias, conditions in _scans(plan[0]["Plan"]):
                    checked.add((page, table))
                    if table in GROWING and not _pruned(alias, conditions):
                        unpruned.append((page, table, conditions[:200], sql[:300]))
    assert not unpruned, "\n".join(map(str, unpruned))
    scanned = {table for _page, table in checked}
    for table in ("registry_household", "registry_person", "programmes_pairing", "compliance_compliancedone"):
        assert table in scanned, (table, sorted(scanned))  # the test looked where it matters
    assert generic, "no compliance statement ran as a prepared statement"


_PARAM_TYPES = {bool: "boolean", int: "bigint", float: "double precision", Decimal: "numeric", date: "date"}


def _plan(sql: str, params, generic: bool = False) -> list:
    """The plan of one statement with its values; `generic`: the plan PostgreSQL keeps for it prepared
    (plan_cache_mode = force_generic_plan, settings.py), which sees placeholders, not the values."""
    with transaction.atomic(), connection.cursor() as cursor:
        # the plan the indexes give at a county's size, not the seq scans of a few test rows
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_hashjoin = off")
        cursor.execute("SET LOCAL enable_mergejoin = off")
        if not generic:
            cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        else:
            numbered = iter(range(1, len(params) + 1))
            text = re.sub(r"%%|%s", lambda m: "%" if m[0] == "%%" else f"${next(numbered)}", sql)
            cursor.execute("SET LOCAL plan_cache_mode = force_generic_plan")
            types = ", ".join(_PARAM_TYPES.get(type(p), "unknown") for p in params)  # as psycopg sends them
            cursor.execute(f"PREPARE scale_probe ({types}) AS {text}".replace("%", "%%"))
            cursor.execute(f"EXPLAIN (FORMAT JSON) EXECUTE scale_probe({', '.join(['%s'] * len(params))})", params)
        plan = cursor.fetchone()[0]
        if generic:
            cursor.execute("DEALLOCATE scale_probe")
    return json.loads(plan) if isinstance(plan, str) else plan


@pytest.mark.django_db
def test_the_county_code_is_the_regions_first_six_digits(regions):
    """The scopes filter by county_code where they filtered by the region code's prefix
    (Scope.in_prefix): the two must agree on every row the services write."""
    from django.db.models import F
    from django.db.models.functions import Substr

    programme = make_programme(name="干部结对帮扶")
    add_obligation(programme)
    unit = make_school(name="融安县人民政府办公室", kind="government")
    helper = make_person(region=TOWNSHIP_B, organization=unit)
    pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                      target=make_household(township=TOWNSHIP_A, members=2), starts_on=date(2025, 3, 1))
    activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                    data={"kind": "走访", "occurred_on": date(2025, 9, 12), "content": "入户走访"})
    checked = 0
    for model in apps.get_models():
        names = {f.attname for f in model._meta.concrete_fields}
        if "county_code" in names and "region_id" in names and model._default_manager.exists():
            wrong = model._default_manager.annotate(code6=Substr("region_id", 1, 6)).exclude(county_code=F("code6"))
            assert not wrong.exists(), model
            checked += 1
    assert checked >= 5, checked


def _index_shapes() -> dict[tuple, list[str]]:
    """Each index of the database by what it holds — table, columns or expressions, operator classes,
    uniqueness and predicate — with the names of the indexes that hold it."""
    shapes: dict[tuple, list[str]] = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT i.indrelid::regclass::text, i.indkey::text, i.indclass::text, i.indisunique, "
                "COALESCE(pg_get_expr(i.indexprs, i.indrelid), ''), COALESCE(pg_get_expr(i.indpred, i.indrelid), ''), "
                "i.indexrelid::regclass::text FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid "
                "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = current_schema()")
            for *shape, name in cursor.fetchall():
                shapes.setdefault(tuple(shape), []).append(name)
            return shapes
        for table in connection.introspection.table_names(cursor):
            for _seq, name, unique, _origin, partial in cursor.execute(f'PRAGMA index_list("{table}")').fetchall():
                columns = tuple(r[2] for r in cursor.execute(f'PRAGMA index_xinfo("{name}")').fetchall() if r[5])
                sql = cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [name]).fetchone()[0] or ""
                predicate = sql.partition(" WHERE ")[2] if partial else ""
                shapes.setdefault((table, columns, unique, predicate), []).append(name)
    return shapes


@pytest.mark.django_db
def test_no_table_keeps_the_same_index_twice():
    """Every write pays for every index: a second index of the same columns (a Meta index beside the one
    Django makes for a foreign key, or beside its `…_like` twin on PostgreSQL) is a cost for nothing —
    the activities' and the summary's, tens of millions of rows at a province's size, carried one each."""
    twice = sorted(names for names in _index_shapes().values() if len(names) > 1)
    assert not twice, f"the same index kept twice (keep one: db_index=False on the field, or no Meta index): {twice}"
    # the comparison sees the indexes at all: a table known to have several
    assert sum(1 for shape in _index_shapes() if shape[0].strip('"') == "activities_activity") >= 5
