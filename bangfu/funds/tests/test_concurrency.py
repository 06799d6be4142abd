"""Two officers paying from one allocation at the same moment cannot overdraw it (PostgreSQL:
each thread has its own connection; SQLite serializes writers and is not what this proves)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections, transaction

from bangfu.errors import BangfuError, Conflict
from bangfu.funds import services
from bangfu.funds.models import Allocation, Disbursement
from bangfu.funds.tests.factories import COUNTY_FINANCE, make_allocation, make_fund

pytestmark = [pytest.mark.django_db(transaction=True),
              pytest.mark.skipif("connection.vendor != 'postgresql'", reason="row locks: PostgreSQL")]


def _disburse(allocation_id, voucher, results, key, hold=None):
    try:
        with transaction.atomic():
            services.disbursement_create(scope=COUNTY_FINANCE, by=None, allocation=Allocation(pk=allocation_id),
                                         amount="600", paid_on=date(2026, 6, 1), payee="长安镇", voucher_no=voucher)
            if hold:
                hold()
        results[key] = "paid"
    except BangfuError as exc:
        results[key] = exc
    finally:
        connections.close_all()


def _waiting_on_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                       "AND wait_event_type = 'Lock'")
        return cursor.fetchone()[0] > 0


def test_two_disbursements_started_together_pay_once(regions):
    assert connection.vendor == "postgresql"
    allocation = make_allocation(make_fund(budget="1000"), amount="1000")
    barrier = threading.Barrier(2)
    results = {}

    def run(key):
        barrier.wait()
        _disburse(allocation.pk, f"V-{key}", results, key)

    threads = [threading.Thread(target=run, args=(k,)) for k in ("a", "b")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    outcomes = sorted(type(r).__name__ if isinstance(r, Exception) else r for r in results.values())
    assert outcomes == ["Conflict", "paid"]
    allocation.refresh_from_db()
    assert allocation.disbursed == Decimal("600") and Disbursement.objects.count() == 1


def test_the_second_payment_waits_for_the_first_and_is_refused(regions):
    """The first payment holds its transaction open until the second is seen waiting on the row
    lock; only then does the first commit. The second re-reads the allocation and is refused."""
    allocation = make_allocation(make_fund(budget="1000"), amount="1000")
    results = {}
    first_holds = threading.Event()
    release = threading.Event()

    def hold():
        first_holds.set()
        assert release.wait(60)

    first = threading.Thread(target=_disburse, args=(allocation.pk, "V-1", results, "first", hold))
    first.start()
    assert first_holds.wait(60)
    second = threading.Thread(target=_disburse, args=(allocation.pk, "V-2", results, "second"))
    second.start()
    for _ in range(600):  # until the second connection is blocked on the lock (not a timing assertion)
        if _waiting_on_a_lock():
            break
        threading.Event().wait(0.05)
    else:
        release.set()
        pytest.fail("the second payment never waited on the allocation's lock")
    release.set()
    first.join()
    second.join()
    assert results["first"] == "paid"
    assert isinstance(results["second"], Conflict) and "余额为 400.00 元" in results["second"].message
    allocation.refresh_from_db()
    assert allocation.disbursed == Decimal("600")
