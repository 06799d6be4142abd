"""What a process keeps of the reference data (bangfu/reference.py) follows every change of it — by the
ORM, a queryset update, plain SQL as another process would write it, a delete — and a rolled-back change
leaves what was kept before it right. Through the compliance page, which reads its obligations, periods and
filters from what is kept."""

from datetime import date

import pytest
from django.apps import apps
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from bangfu import reference
from bangfu.activities.services import activity_record
from bangfu.programmes import services
from bangfu.programmes.models import Obligation, ReferenceStamp
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme
from bangfu.regions.models import Region
from bangfu.tests.factories import ADMIN_SCOPE, make_household, make_user

pytestmark = pytest.mark.django_db

DAY = {"as_of": "2025-03-10"}


@pytest.fixture
def programme(regions):
    programme = make_programme(name="结对帮扶项目")
    add_obligation(programme, name="每月走访")
    pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=make_person(),
                                      target=make_household(members=1), starts_on=date(2025, 1, 1))
    activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                    data={"kind": "走访", "occurred_on": date(2025, 1, 20), "content": "走访"})
    programme.pairing = pairing
    return programme


def _page(county_client) -> str:
    response = county_client.get(reverse("compliance:rollup"), DAY)
    assert response.status_code == 200
    return response.content.decode()


def _reads_obligations(county_client) -> bool:
    with CaptureQueriesContext(connection) as queries:
        _page(county_client)
    return any('FROM "programmes_obligation"' in (q["sql"] or "") for q in queries.captured_queries)


def test_what_is_kept_is_read_once_while_the_stamp_stands(county_client, programme):
    assert ReferenceStamp.objects.filter(pk=1).exists()  # installed with the triggers after migrate
    _page(county_client)
    assert not _reads_obligations(county_client)
    Obligation.objects.filter(programme=programme).update(minimum=2)  # any change renews the stamp
    assert _reads_obligations(county_client)
    assert not _reads_obligations(county_client)


def test_every_change_of_the_reference_data_is_seen(county_client, programme):
    assert "每月走访" in _page(county_client)
    add_obligation(programme, name="电话联系")
    assert "电话联系" in _page(county_client)
    Obligation.objects.filter(name="电话联系").update(name="视频联系")  # no model signals
    page = _page(county_client)
    assert "视频联系" in page and "电话联系" not in page
    with connection.cursor() as cursor:  # as another process, or psql, would write it
        cursor.execute("UPDATE programmes_obligation SET name = %s WHERE name = %s", ["微信联系", "视频联系"])
    page = _page(county_client)
    assert "微信联系" in page and "视频联系" not in page
    Obligation.objects.filter(name="微信联系").delete()
    assert "微信联系" not in _page(county_client)
    households = reverse("registry:household_list")
    assert "长安新镇" not in county_client.get(households).content.decode()
    Region.objects.filter(code="450224100000").update(name="长安新镇")  # the regions' filters
    assert "长安新镇" in _page(county_client)
    assert "长安新镇" in county_client.get(households).content.decode()


def test_a_rolled_back_change_leaves_what_was_kept_before_it(county_client, programme):
    assert "临时要求" not in _page(county_client)
    with pytest.raises(RuntimeError), transaction.atomic():
        add_obligation(programme, name="临时要求")
        assert "临时要求" in _page(county_client)  # kept under the change's own stamp
        raise RuntimeError
    assert "临时要求" not in _page(county_client)


def test_an_exemption_granted_renews_the_stamp(county_client, programme):
    # whether a programme has exemptions decides how a status filter reads its ended periods (_foldable)
    def due_shortfall():
        response = county_client.get(reverse("compliance:rollup"), {**DAY, "status": "due"})
        return response.context["totals"]["shortfall"]

    assert due_shortfall() == 1  # February's visit: overdue
    before = reference.stamp()
    services.exemption_grant(scope=ADMIN_SCOPE, by=make_user(), pairing=programme.pairing, obligation=None,
                             starts_on=date(2025, 2, 1), ends_on=date(2025, 2, 28), reason="外出务工")
    assert reference.stamp() != before
    assert due_shortfall() == 0


def test_each_table_of_the_reference_data_renews_the_stamp(programme):
    services.exemption_grant(scope=ADMIN_SCOPE, by=make_user(), pairing=programme.pairing, obligation=None,
                             starts_on=date(2025, 2, 1), ends_on=date(2025, 2, 28), reason="外出务工")
    tables = {model._meta.db_table: model._meta.pk.column for model in apps.get_models()}
    for table in reference.TABLES:
        before, pk = reference.stamp(), tables[table]
        with connection.cursor() as cursor:  # one row rewritten as it is
            cursor.execute(f"UPDATE {table} SET {pk} = {pk} WHERE {pk} IN (SELECT MIN({pk}) FROM {table})")
            assert cursor.rowcount == 1, table
        assert reference.stamp() != before, table


def test_without_a_stamp_nothing_is_kept(county_client, programme):
    ReferenceStamp.objects.all().delete()  # a flushed database, before anything was changed
    assert reference.stamp() is None
    _page(county_client)
    assert _reads_obligations(county_client)
    add_obligation(programme, name="电话联系")  # a change writes a stamp again
    assert reference.stamp() is not None
    assert "电话联系" in _page(county_client)


def test_a_get_reads_the_stamp_once_and_sees_a_change_on_its_next_request(county_client, programme):
    """A compliance page reads its obligations and its filters' choices from what is kept: one stamp read for both
    (ReferenceStampMiddleware), where each kept read used to read it. Outside a request every kept read reads it."""
    def stamp_reads() -> int:
        with CaptureQueriesContext(connection) as queries:
            html = _page(county_client)
        assert "结对帮扶项目" in html
        return sum(STAMP in (q["sql"] or "") for q in queries.captured_queries)

    STAMP = reference.STAMP_TABLE
    _page(county_client)
    assert stamp_reads() == 1
    programme.name = "结对帮扶项目（新）"
    programme.save()
    assert "结对帮扶项目（新）" in _page(county_client)  # the next request: the new stamp, the new name
    with CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            reference.kept(("test", 1), lambda: 1)
    assert sum(STAMP in q["sql"] for q in queries.captured_queries) == 2
    with reference.stamp_once(), CaptureQueriesContext(connection) as queries:
        for _ in range(2):
            reference.kept(("test", 1), lambda: 1)
    assert sum(STAMP in q["sql"] for q in queries.captured_queries) == 1
