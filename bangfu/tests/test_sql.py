"""bangfu/sql.py: report statements read as dicts; on PostgreSQL prepared on their second run in a
connection and kept with one generic plan (settings.py), answering as an unprepared statement does."""

import pytest
from django.db import connection

from bangfu.sql import fetch_dicts

SQL = "SELECT code, name FROM regions_region WHERE code LIKE %s AND level = %s ORDER BY code"


@pytest.mark.django_db
def test_a_report_statement_answers_alike_however_often_it_runs(regions):
    with connection.cursor() as cursor:
        cursor.execute(SQL, ["450224%", 3])
        expected = [{"code": code, "name": name} for code, name in cursor.fetchall()]
    assert expected  # Rong'an's townships
    for _ in range(3):
        assert fetch_dicts(SQL, ["450224%", 3]) == expected
    assert fetch_dicts(SQL, ["459999%", 3]) == []  # other values, the same statement
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements WHERE statement = %s",
                       [SQL.replace("%s", "$1", 1).replace("%s", "$2", 1)])
        kept = cursor.fetchall()
    # prepared on its second run; every run since on the one generic plan, none planned anew for its values
    assert kept == [(3, 0)]


@pytest.mark.django_db
def test_a_prepared_queryset_reads_the_same_instances_and_keeps_its_plan(regions):
    from bangfu.regions.models import Region
    from bangfu.sql import prepared

    townships = Region.objects.filter(code__startswith="450224", level=3).select_related("parent").order_by("code")
    expected = [(r.code, r.name, r.parent.name) for r in townships]
    assert expected
    for _ in range(3):
        assert [(r.code, r.name, r.parent.name) for r in prepared(townships)] == expected
    assert prepared(townships).filter(code=expected[0][0]).first().name == expected[0][1]  # chained, still a queryset
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans FROM pg_prepared_statements "
                       "WHERE statement LIKE '%%regions_region%%' AND statement LIKE '%%ORDER BY%%'")
        kept = cursor.fetchall()
    assert (2, 0) in kept  # the list's statement: prepared on its second read, its plan kept since


@pytest.mark.django_db
@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_turned_off_nothing_is_prepared(regions):
    """BANGFU_PG_PREPARE=0 leaves psycopg's prepare_threshold unset (settings.py): the ordinary cursor then."""
    def kept() -> list:
        with connection.cursor() as cursor:
            cursor.execute("SELECT name FROM pg_prepared_statements ORDER BY name")
            return cursor.fetchall()

    before = kept()
    raw = connection.connection
    threshold, raw.prepare_threshold = raw.prepare_threshold, None
    try:
        for _ in range(3):
            assert fetch_dicts(SQL, ["450224%", 3])
    finally:
        raw.prepare_threshold = threshold
    assert kept() == before


@pytest.mark.django_db
def test_prepared_values_and_values_lists_read_as_unprepared(regions):
    """`prepared` after `.values()` / `.values_list()` keeps their kind of row (the household list's page)."""
    from bangfu.regions.models import Region
    from bangfu.sql import prepared

    townships = Region.objects.filter(code__startswith="450224", level=3).order_by("code")
    as_dicts = list(townships.values("code", "parent__name"))
    as_tuples = list(townships.values_list("code", "name"))
    flat = list(townships.values_list("code", flat=True))
    assert as_dicts and as_tuples and flat
    for _ in range(3):
        assert list(prepared(townships.values("code", "parent__name"))) == as_dicts
        assert list(prepared(townships.values_list("code", "name"))) == as_tuples
        assert list(prepared(townships.values_list("code", flat=True))[1:3]) == flat[1:3]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT generic_plans, custom_plans, statement FROM pg_prepared_statements "
                       "WHERE statement LIKE '%%regions_region%%' AND statement LIKE '%%ORDER BY%%' "
                       "AND statement NOT LIKE '%%initials%%'")  # not another test's instances
        kept = cursor.fetchall()
    assert [plans[:2] for plans in kept].count((2, 0)) == 3, kept  # each of the three prepared on its second read


# Statements compiled once (bangfu.sql.Statement) ---------------------------------------------------

def _counted(build, **options):
    """A Statement over `build`, and how often the queryset was built."""
    from bangfu.sql import Statement

    calls = []

    def counting(**values):
        calls.append(values)
        return build(**values)

    return Statement(counting, **options), calls


@pytest.fixture
def households_in_two_townships(regions):
    from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, make_household

    return [make_household(township=TOWNSHIP_A, members=1), make_household(township=TOWNSHIP_A, members=1),
            make_household(township=TOWNSHIP_B, members=1)]


def _scope(level: str):
    from bangfu.accounts.roles import Role
    from bangfu.accounts.scope import Scope
    from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, village_of

    return {"county": Scope(role=Role.COUNTY_OFFICE, prefix="450224"),
            "township A": Scope(role=Role.TOWNSHIP_OFFICE, prefix=TOWNSHIP_A[:9]),
            "township B": Scope(role=Role.TOWNSHIP_OFFICE, prefix=TOWNSHIP_B[:9]),
            "village B": Scope(role=Role.VILLAGE_TEAM, prefix=village_of(TOWNSHIP_B).code)}[level]


@pytest.mark.django_db
def test_a_statement_reads_what_its_queryset_reads_and_is_built_once_a_shape(households_in_two_townships, settings):
    """A scope's prefix is a parameter even where it is sliced (the county code) or a LIKE pattern (below the
    county): one build of each shape, with stand-ins twice, and none after — whatever the household or place."""
    from bangfu.registry.models import Household

    settings.BANGFU_SQL_CHECK = False

    def build(scope, pk):
        return scope.households(Household.objects.select_related("region")).filter(pk=pk)

    statement, calls = _counted(build)
    a1, a2, b = households_in_two_townships
    for level, household, seen in [("county", a1, True), ("county", b, True), ("township A", a1, True),
                                   ("township A", a2, True), ("township B", a2, False), ("township B", b, True),
                                   ("village B", b, True), ("village B", a1, False)]:
        scope = _scope(level)
        rows = statement(scope=scope, pk=household.pk)
        assert [(h.pk, h.region.code) for h in rows] == [(h.pk, h.region.code) for h in build(scope, household.pk)]
        assert bool(rows) is seen, (level, household.number)
    # the county (6 digits), the townships (9) and the village (12): three shapes, each built twice with stand-ins
    assert len(calls) == 6
    assert all(call["pk"] >= 20_000 for call in calls)  # stand-ins: no household of the test has such an id


@pytest.mark.django_db
def test_a_statement_keeps_the_rows_kind_and_what_it_matches_nothing_reads_nothing(households_in_two_townships,
                                                                                 django_assert_num_queries):
    from bangfu.accounts.roles import Role
    from bangfu.accounts.scope import Scope
    from bangfu.registry.models import Household
    from bangfu.sql import Statement

    numbers = Statement(lambda scope: scope.households(Household.objects.all()).order_by("number")
                        .values_list("number", flat=True))
    expected = sorted(h.number for h in households_in_two_townships)
    assert numbers(scope=_scope("county")) == expected
    assert numbers(scope=_scope("county")) == expected  # kept: compiled with stand-ins, then run with the values
    nobody = Scope(role=Role.SCHOOL_ADMIN, prefix="450224", organization_id=1)  # sees no households
    with django_assert_num_queries(0):
        assert numbers(scope=nobody) == []


@pytest.mark.django_db
def test_values_that_are_not_parameters_alone_are_caught(households_in_two_townships, settings):
    """A build that computes with a value, or branches on it, cannot be kept: the tests' check says so; in
    production (the check off) such a shape is built and compiled anew each time and answers right."""
    from bangfu.registry.models import Household
    from bangfu.sql import Statement

    first = households_in_two_townships[0]
    shifted = Statement(lambda pk: Household.objects.filter(pk=pk + 1).values_list("pk", flat=True))
    with pytest.raises(AssertionError, match="not its parameters alone"):
        shifted(pk=first.pk)
    settings.BANGFU_SQL_CHECK = False
    assert shifted(pk=first.pk - 1) == [first.pk]
    assert shifted(pk=first.pk) == [first.pk + 1]

    settings.BANGFU_SQL_CHECK = True
    branching = Statement(lambda number: Household.objects.filter(
        **({"number": number} if number.isdigit() else {"address": number})).values_list("pk", flat=True))
    with pytest.raises(AssertionError, match="other SQL than its queryset"):
        branching(number=first.number)  # the stand-ins are not digits: the address branch was kept


@pytest.mark.django_db
def test_text_a_like_pattern_would_escape_is_built_anew(households_in_two_townships, settings):
    from bangfu.registry.models import Household

    settings.BANGFU_SQL_CHECK = False
    statement, calls = _counted(lambda text: Household.objects.filter(address__startswith=text)
                                .values_list("pk", flat=True))
    Household.objects.filter(pk=households_in_two_townships[0].pk).update(address="50%_路")
    assert statement(text="50%") == [households_in_two_townships[0].pk]
    assert statement(text="5_%") == []
    assert [call["text"] for call in calls] == ["50%", "5_%"]  # never stood in for: escaped in the pattern


@pytest.mark.django_db
def test_a_statement_answers_ids_of_every_size_as_its_queryset_does(households_in_two_townships):
    """Django compiles a value beyond a column's range to "matches nothing"; the stand-ins overflow where the
    values do, and a value beyond 32 bits is compiled as Django compiles it (here: a 404, never a 500)."""
    from bangfu.registry.models import TermGrade
    from bangfu.registry.selectors import household_get
    from bangfu.errors import NotFound
    from bangfu.sql import Statement

    scope = _scope("county")
    first = households_in_two_townships[0]
    assert household_get(scope=scope, pk=first.pk) == first
    for pk in (0, 40_000, 2**31 - 1, 2**31, 2**63 - 1, 2**63, 2**70):
        with pytest.raises(NotFound):
            household_get(scope=scope, pk=pk)
    terms = Statement(lambda term: TermGrade.objects.filter(term=term).values_list("pk", flat=True))
    for term in (1, 2, 70_000, 2**40):  # a small integer column: 70,000 is beyond it
        assert terms(term=term) == list(TermGrade.objects.filter(term=term).values_list("pk", flat=True))


@pytest.mark.django_db
def test_a_value_named_as_shape_is_never_a_parameter(households_in_two_townships, settings):
    """A LIMIT is written into the SQL: named in `shape`, each limit is a shape of its own, kept."""
    from bangfu.registry.models import Household

    settings.BANGFU_SQL_CHECK = False
    statement, calls = _counted(lambda scope, limit: scope.households(Household.objects.all())
                                .order_by("number").values_list("number", flat=True)[:limit], shape=("limit",))
    numbers = sorted(h.number for h in households_in_two_townships)
    for _ in range(2):
        assert statement(scope=_scope("county"), limit=2) == numbers[:2]
        assert statement(scope=_scope("county"), limit=3) == numbers
    assert [call["limit"] for call in calls] == [2, 2, 3, 3]  # two stand-in builds a limit, none after


@pytest.mark.django_db
def test_a_statements_pages_and_count_are_its_querysets_slices_and_count(households_in_two_townships, settings,
                                                                      django_assert_num_queries):
    """A page's offset and limit are parameters of the one statement (Django writes them into the SQL); the
    count is the rows' ids counted — for every page, scope and filter, the queryset's own answers."""
    from bangfu.registry.models import Household
    from bangfu.sql import Listing

    settings.BANGFU_SQL_CHECK = False

    def build(scope, status):
        qs = scope.households(Household.objects.all())
        return (qs.filter(status=status) if status else qs).order_by("number").values_list("number", flat=True)

    statement, calls = _counted(build)
    for level in ("county", "township A", "township B", "village B"):
        for status in ("", "poor", "exited"):
            expected = list(build(_scope(level), status))
            assert statement.count(scope=_scope(level), status=status) == len(expected)
            for offset, limit in [(0, 1), (0, 2), (1, 1), (1, 5), (2, 2), (5, 1), (0, 0)]:
                assert statement.page(offset, limit, scope=_scope(level), status=status) == \
                    expected[offset:offset + limit], (level, status, offset, limit)
    # 4 scopes of 3 prefix lengths × (no status, a status of 4 letters, one of 6): 9 shapes, each built twice
    # with stand-ins for its rows and twice for its count, whatever the pages asked
    assert len(calls) == 9 * 4
    county = _scope("county")
    with django_assert_num_queries(0):  # an empty page is no round trip
        assert statement.page(3, 0, scope=county, status="") == []
    with pytest.raises(ValueError):
        statement.page(-1, 2, scope=county, status="")

    listing = Listing(lambda: statement.count(scope=county, status=""),
                      lambda offset, limit: statement.page(offset, limit, scope=county, status=""))
    numbers = sorted(h.number for h in households_in_two_townships)
    assert (listing.count(), len(listing), listing[1:3], listing[:1], listing[2:1]) == (
        3, 3, numbers[1:], numbers[:1], [])
    for wrong in (1, slice(0, None), slice(0, 2, 2)):
        with pytest.raises(TypeError):
            listing[wrong]


@pytest.mark.django_db
def test_a_statement_run_prepared_is_logged_with_its_sql(regions):
    """psycopg keeps no text of a statement it ran prepared; the query log (DEBUG, the tests' captured
    queries) shows it as any other."""
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        for _ in range(3):  # unprepared, then prepared (prepare_threshold = 1)
            assert fetch_dicts(SQL, ["450224%", 3])
    logged = [q["sql"] for q in queries.captured_queries]
    assert len(logged) == 3 and all(sql and "FROM regions_region" in sql for sql in logged), logged
