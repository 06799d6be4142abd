"""Phone numbers and bank accounts in the registers: validated, stored encrypted as the forms store
them, compared without decrypting in the database, exported masked."""

import csv
import io
from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.imports.services import import_file
from bangfu.privacy import crypto, id_numbers
from bangfu.registry.models import Household, Person
from bangfu.tests.factories import make_user

pytestmark = pytest.mark.django_db

HEADER = "户号,所在村,姓名,公民身份号码,关系,手机号,开户行,银行卡号\n"


def _ids(n):
    return [id_numbers.make("450224", date(1960, 1, 1 + i), i, "male" if i % 2 else "female") for i in range(n)]


def _write(tmp_path, rows, name="m.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_bad_phone_and_bank_numbers_are_reported_by_row_and_header(tmp_path, regions):
    user = make_user(Role.COUNTY_OFFICE)
    a, b, c = _ids(3)
    rows = [["H1", "长安镇大巷村", "覃一", a, "户主", "1390772123", "农信社", "6.22848E+18"],
            ["H1", "长安镇大巷村", "覃二", b, "配偶", "8123456", "", ""],
            ["H2", "长安镇大巷村", "覃三", c, "户主", "（0772）8123456", "农信社", "6228 4800 12"]]
    out = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=True)
    found = {(e["row"], e["header"], e["kind"]) for e in out.errors.to_dicts()}
    assert found == {(2, "手机号", "phone"), (2, "银行卡号", "bank_account"), (3, "手机号", "phone"),
                     (4, "银行卡号", "bank_account")}
    messages = " ".join(out.errors.get_column("message").to_list())
    assert "科学计数法" in messages and "12到19位数字" in messages and "区号" in messages


def test_they_are_stored_encrypted_and_a_second_import_changes_nothing(tmp_path, regions, client):
    user = make_user(Role.COUNTY_OFFICE)
    a, b = _ids(2)
    rows = [["H1", "长安镇大巷村", "覃一", a, "户主", "+86 139 0772 1234", "农信社", "6228 4800 0000 0000 123"],
            ["H1", "长安镇大巷村", "覃二", b, "配偶", "（0772）8123456", "", ""]]
    first = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=False)
    assert first.written and first.persons.created == 2
    head = Person.objects.get(id_hash=crypto.keyed_hash(a))
    household = Household.objects.get(number="H1")
    assert head.phone == "13907721234" and household.bank_account == "6228480000000000123"
    assert household.bank_name == "农信社"
    assert Person.objects.get(id_hash=crypto.keyed_hash(b)).phone == "0772-8123456"
    with connection.cursor() as cursor:
        cursor.execute("SELECT phone FROM registry_person WHERE id = %s", [head.pk])
        raw = bytes(cursor.fetchone()[0])
    assert b"1390772" not in raw and crypto.decrypt(raw) == "13907721234"

    again = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=False)
    assert again.changes == 0, again.counts()
    assert head.history.count() == 1

    rows[0][5] = "13907725678"  # a new phone number: an update with its history
    rows[1][5] = ""  # a blank cell keeps the registered number, as the forms do
    third = import_file(path=_write(tmp_path, rows, "m2.csv"), register="members", scope=user.scope, by=user,
                        dry_run=False)
    assert third.persons.as_dict() == {"created": 0, "updated": 1, "unchanged": 1}
    head.refresh_from_db()
    assert head.phone == "13907725678"
    assert [h.phone for h in head.history.order_by("history_date")] == ["13907721234", "13907725678"]
    assert Person.objects.get(id_hash=crypto.keyed_hash(b)).phone == "0772-8123456"

    client.force_login(user)  # a role that may reveal them one at a time still exports them masked
    response = client.post(reverse("exports:start", args=["households"]), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert "6228480000000000123" not in text and row[-1].endswith("0123") and row[-1].startswith("*")
    response = client.post(reverse("exports:start", args=["persons"]), {"format": "csv"})
    text = b"".join(response.streaming_content).decode("utf-8-sig")
    assert "13907725678" not in text and "139****5678" in text
