"""The demo (`bangfu demo`, on either database) carries the rules' part of issue 16: Guangxi's lines for
two years, households on each side of the thresholds with the cases their changes raised, an exit
through its notice, a monitoring case closed by risk elimination, an evaluation — and the quality
figures reading that evaluation."""

from io import StringIO

import pytest
from django.core.management import call_command

from bangfu.accounts.roles import Role
from bangfu.rules.models import Evaluation, Monitoring, RuleSet
from bangfu.tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_the_demo_sets_lines_raises_cases_and_feeds_the_rates(client, regions):
    call_command("demo", "--seed", "11", "--scale", "0.05", "--today", "2026-11-23", stdout=StringIO())
    assert set(RuleSet.objects.values_list("year", "poverty_line")) == {(2025, 4700), (2026, 4900)}
    assert Monitoring.objects.filter(source="registry").exists()  # raised by the registry's changes
    assert Monitoring.objects.filter(closed_on__isnull=False, source="self").exists()  # risk eliminated
    evaluation = Evaluation.objects.get()
    client.force_login(make_user(Role.COUNTY_OFFICE))
    overdue = client.get("/api/v1/procedures/overdue", {"as_of": "2026-12-03", "definition": "monitoring"}).json()
    assert overdue and overdue[0]["name"] == "长安镇"
    rates = {r["key"]: r for r in client.get("/api/v1/quality/rates", {"region": "450224000000", "year": 2026}).json()["rates"]}
    listing = client.get("/api/v1/quality/rates/wrong_exit", {"region": "450224000000", "year": 2026}).json()
    from_rules = [r for r in listing["items"] if f"测算 {evaluation.on}" in r["reason"]]
    assert len(from_rules) == evaluation.exited_failing and rates["wrong_exit"]["households"] >= evaluation.exited_failing
