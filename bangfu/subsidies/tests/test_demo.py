"""The money demo over a small demo registry: the 金桔 scheme paid to the households that passed."""

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from bangfu.funds.models import Allocation, Disbursement
from bangfu.procedures.models import Objection
from bangfu.subsidies.demo import money_demo
from bangfu.subsidies.models import Application

pytestmark = pytest.mark.django_db


def test_the_demo_pays_the_kumquat_scheme(regions):
    call_command("demo", "--without-programmes", "--scale", "0.2", stdout=StringIO())
    result = money_demo()
    assert result["applications"] == 10
    states = sorted(Application.objects.values_list("case__state", flat=True))
    assert states == ["failed"] * 2 + ["paid"] * 8
    paid = sum(Application.objects.filter(case__state="paid").values_list("amount", flat=True))
    assert paid == result["paid"] > 0
    allocation = Allocation.objects.get()
    assert allocation.disbursed == paid and allocation.amount == Decimal("4000000")
    assert Disbursement.objects.get().amount == paid
    # the rules' demo may raise its own objection to an exit notice: this one is the scheme's
    objection = Objection.objects.get(case__in=Application.objects.values("case"))
    assert objection.resolved_on is not None


def test_the_demo_enters_2027_so_a_deadline_in_2027_is_computed(regions):
    """chinesecalendar 1.11 stops at 2026 and the demo's day is in December 2026: a case opened now
    is due in 2027, which the demo's holiday table (demo data, labelled) must cover."""
    from datetime import date

    from bangfu.procedures.models import Holiday
    from bangfu.procedures.workdays import add_working_days

    call_command("demo", "--without-programmes", "--scale", "0.2", stdout=StringIO())
    money_demo()
    assert Holiday.objects.filter(day__year=2027).count() >= 10
    assert all("演示数据" in name for name in Holiday.objects.values_list("name", flat=True))
    assert add_working_days(date(2026, 12, 20), 15) == date(2027, 1, 11)  # 2027-01-01 is off
