"""Monitoring is continuous: every registry write path — the household form, the API, an import —
tells the rules, and a change that meets a trigger raises a monitoring case at once. An import is
evaluated set-wise: the same number of statements for two changed households as for eight."""

import io
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from bangfu.accounts.roles import Role
from bangfu.imports.services import import_file
from bangfu.imports.tests.jobs import api_import
from bangfu.rules.models import IncomeRecord, Monitoring
from bangfu.tests.factories import make_household, make_user

pytestmark = pytest.mark.django_db
COUNTY = "450224000000"


def _json(client, method, url, data):
    response = client.generic(method, url, __import__("json").dumps(data), content_type="application/json")
    assert response.status_code in (200, 201), response.content.decode()
    return response.json()


def _rules(client):
    _json(client, "POST", "/api/v1/rules/rule-sets", {"region": COUNTY, "year": 2026, "effective_from": "2026-01-01",
                                                      "poverty_line": "4900", "monitoring_line": "7300"})
    today = timezone.localdate()  # the hook dates a change today: a year the calendar package lacks needs a holiday
    if today.year > 2026:
        _json(client, "POST", "/api/v1/procedures/holidays", {"day": f"{today.year}-01-01", "working": False,
                                                              "name": "元旦"})


def _csv(rows: list[tuple[str, str, str]]) -> io.BytesIO:
    fh = io.BytesIO(("户编号,所在村,工资性收入\r\n" + "".join(f"{n},{v},{w}\r\n" for n, v, w in rows)).encode("utf-8"))
    fh.name = "台账.csv"
    return fh


def test_an_imported_income_under_the_monitoring_line_raises_a_case(client, regions, django_capture_on_commit_callbacks):
    falling = make_household(status="exited", exited_on=date(2019, 11, 1), wage_income="20000")  # 10000 a head
    steady = make_household(status="exited", exited_on=date(2019, 11, 1), wage_income="20000")
    poor = make_household(status="poor", wage_income="6000")  # not a candidate for monitoring
    client.force_login(make_user(Role.COUNTY_OFFICE))
    _rules(client)
    job = api_import(client, _csv([(falling.number, falling.region_id, "9000"),  # 4500 a head: under 7300
                                   (steady.number, steady.region_id, "18000"),  # 9000 a head: over it
                                   (poor.number, poor.region_id, "5000")]), "households", django_capture_on_commit_callbacks)
    assert job["status"] == "done", job
    [m] = client.get("/api/v1/rules/monitoring").json()["items"]
    assert m["household_id"] == falling.pk and m["source"] == "registry" and m["state"] == "declared"
    assert m["triggers"] == "income_low" and "4500.00" in m["reason"] and "7300.00" in m["reason"]
    assert "2026年 第1版" in m["reason"]
    # every imported income is on record for the risk-elimination months
    assert set(IncomeRecord.objects.filter(household__in=[falling, steady, poor]).values_list(
        "household_id", "income_per_capita")) >= {(falling.pk, 4500), (steady.pk, 9000)}
    # importing the same file again raises nothing more (the case is open; the incomes are unchanged)
    api_import(client, _csv([(falling.number, falling.region_id, "9000")]), "households",
               django_capture_on_commit_callbacks)
    assert Monitoring.objects.count() == 1 and IncomeRecord.objects.filter(household=falling).count() == 1


def test_the_household_form_and_the_api_raise_a_case(client, regions):
    by_form = make_household(status="exited", exited_on=date(2019, 11, 1), wage_income="20000")
    by_api = make_household(status="not_poor", wage_income="20000")
    office = make_user(Role.COUNTY_OFFICE)
    client.force_login(office)
    _rules(client)
    page = client.get(f"/households/{by_form.pk}/edit/")
    assert page.status_code == 200
    form = {k: v for k, v in page.context["form"].initial.items() if v is not None}
    form.update({"region": by_form.region_id, "wage_income": "8000", "number": by_form.number})
    response = client.post(f"/households/{by_form.pk}/edit/", {k: _form_value(v) for k, v in form.items()})
    assert response.status_code == 302, response.content.decode()[:2000]
    _json(client, "PATCH", f"/api/v1/households/{by_api.pk}", {"housing_secure": False})
    found = {m["household_id"]: m for m in client.get("/api/v1/rules/monitoring").json()["items"]}
    assert found[by_form.pk]["triggers"] == "income_low"
    assert found[by_api.pk]["triggers"] == "housing" and "住房安全有保障：否" in found[by_api.pk]["reason"]


def _form_value(value):
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (list, tuple)):
        return list(value)
    return getattr(value, "pk", value)


def _import_query_count(user, households, wage: str, tmp_path, name: str) -> int:
    path = tmp_path / name
    path.write_bytes(_csv([(h.number, h.region_id, wage) for h in households]).getvalue())
    with CaptureQueriesContext(connection) as queries:
        out = import_file(path=path, register="households", scope=user.scope, by=user, dry_run=False)
    assert out.written
    return len(queries)


def test_an_import_is_evaluated_set_wise(client, regions, tmp_path):
    households = [make_household(status="exited", exited_on=date(2019, 11, 1), wage_income="20000")
                  for _ in range(12)]
    office = make_user(Role.COUNTY_OFFICE)
    client.force_login(office)
    _rules(client)
    _import_query_count(office, households[:2], "9000", tmp_path, "first.csv")  # fills the region cache
    two = _import_query_count(office, households[2:4], "9000", tmp_path, "two.csv")
    eight = _import_query_count(office, households[4:], "9000", tmp_path, "eight.csv")
    assert Monitoring.objects.filter(source="registry").count() == 12
    assert eight == two
