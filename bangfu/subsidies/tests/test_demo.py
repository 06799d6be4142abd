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


@pytest.fixture(autouse=True)
def fast_hasher(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


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
    assert Objection.objects.get().resolved_on is not None
