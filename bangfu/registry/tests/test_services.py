from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.errors import Conflict, PermissionDenied, ValidationError
from bangfu.privacy import crypto
from bangfu.registry import services
from bangfu.registry.models import Person
from bangfu.registry.selectors import record_history
from django.db import connection
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, id_number, make_household, village_of

pytestmark = pytest.mark.django_db


def test_it_keeps_the_id_number_encrypted_and_findable_by_hash(regions):
    household = make_household(members=1)
    person = household.members.get()
    with connection.cursor() as cur:
        cur.execute("SELECT id_number FROM registry_person WHERE id = %s", [person.pk])
        blob = bytes(cur.fetchone()[0])
    assert person.id_number.encode() not in blob
    assert crypto.decrypt(blob) == person.id_number
    assert Person.objects.filter(id_hash=crypto.keyed_hash(person.id_number)).get() == person


def test_it_refuses_a_wrong_check_digit_naming_the_field(regions):
    household = make_household(members=1)
    good = id_number(date(1990, 1, 2), "female")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    with pytest.raises(ValidationError) as exc:
        services.person_create(scope=ADMIN_SCOPE, by=None, data={
            "name": "李四", "id_number": bad, "household": household, "relation": "spouse"})
    assert exc.value.field == "id_number"
    assert "校验位" in exc.value.message


def test_it_refuses_a_birth_date_that_disagrees_with_the_id_number(regions):
    household = make_household(members=1)
    with pytest.raises(ValidationError) as exc:
        services.person_create(scope=ADMIN_SCOPE, by=None, data={
            "name": "李四", "id_number": id_number(date(1990, 1, 2), "female"), "birth_date": date(1991, 1, 2),
            "household": household, "relation": "spouse"})
    assert exc.value.field == "birth_date"


def test_it_refuses_a_duplicate_person(regions):
    household = make_household(members=1)
    existing = household.members.get()
    with pytest.raises(Conflict):
        services.person_create(scope=ADMIN_SCOPE, by=None, data={
            "name": "王五", "id_number": existing.id_number, "household": household, "relation": "child"})


def test_it_keeps_one_head_per_household_and_counts_members(regions):
    household = make_household(members=3, wage_income=9000)
    assert household.size == 3
    assert household.income_per_capita == 3000
    assert household.head.relation == "head"
    with pytest.raises(ValidationError) as exc:
        services.person_create(scope=ADMIN_SCOPE, by=None, data={
            "name": "赵六", "id_number": id_number(), "household": household, "relation": "head"})
    assert exc.value.field == "relation"


def test_it_refuses_writes_outside_scope_and_for_read_only_roles(regions):
    township_scope = Scope(role=Role.TOWNSHIP_OFFICE, prefix="450224100")
    with pytest.raises(ValidationError) as exc:
        services.household_create(scope=township_scope, by=None, data={
            "number": "4502241019999", "region": village_of(TOWNSHIP_B), "status": "poor"})
    assert exc.value.field == "region"
    inspector = Scope(role=Role.INSPECTOR, prefix="450224")
    with pytest.raises(PermissionDenied):
        services.household_create(scope=inspector, by=None, data={
            "number": "4502241009999", "region": village_of(TOWNSHIP_A), "status": "poor"})


def test_it_records_who_changed_what(regions, django_user_model):
    user = django_user_model.objects.create(username="u1", role="county_office", region_id="450224000000")
    household = make_household(members=1, by=user)
    services.household_update(scope=ADMIN_SCOPE, by=user, household=household, data={"wage_income": 12000})
    latest = record_history(record=household)[0]
    assert latest.who == str(user)
    assert latest.kind == "修改"
    assert set(latest.fields) == {("工资性收入(元)", "0.00", "12000.00"), ("人均纯收入(元)", "0.00", "12000.00")}
    # a foreign key reads as what it points to (户主 蔡斌), not as the row's id
    fields = [f for change in record_history(record=household) for f in change.fields]
    assert ("户主", "", household.head.name) in fields
