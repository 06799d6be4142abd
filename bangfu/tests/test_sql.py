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
