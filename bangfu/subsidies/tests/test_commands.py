"""The money verbs of `bangfu`: thin over the same services and selectors."""

from datetime import date
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from bangfu.accounts.roles import Role
from bangfu.funds.tests.factories import COUNTY_FINANCE, make_allocation, make_fund
from bangfu.funds import services as funds
from bangfu.procedures.models import Holiday
from bangfu.tests.factories import TOWNSHIP_A, make_user

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


def test_funds_report_overdue_and_holidays(regions):
    county = make_user(Role.COUNTY_OFFICE)
    allocation = make_allocation(make_fund(budget="1000"), amount="1000")
    funds.disbursement_create(scope=COUNTY_FINANCE, by=None, allocation=allocation, amount="250",
                              paid_on=date(2026, 6, 1), payee="长安镇", voucher_no="V1")
    report = _run("funds_report", "--user", county.username, "--year", "2026")
    assert "上级财政专项\t融安县\t1000.00\t1000.00\t250.00\t25.0" in report
    assert "合计 0 件" in _run("overdue", "--user", county.username, "--as-of", "2026-06-01")
    _run("holiday", "set", "2027-01-01", "--name", "元旦", "--user", county.username)
    assert Holiday.objects.get().name == "元旦" and "元旦" in _run("holiday", "list", "--year", "2027")
    township = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    with pytest.raises(CommandError, match="县级业务部门"):
        _run("holiday", "set", "2027-01-02", "--user", township.username)
    with pytest.raises(CommandError, match="代发批次不存在"):
        _run("subsidy_batch", "paid", "999", "--user", county.username, "--paid-on", "2026-06-01")
