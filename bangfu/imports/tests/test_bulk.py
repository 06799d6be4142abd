"""The bulk forms the import uses give what the per-row code gives: hashes, ciphertext, initials,
and updates with their history."""

from datetime import date

import polars as pl
import pytest
from django.utils import translation
from faker import Faker

from bangfu.accounts.roles import Role
from bangfu.imports.initials import initials_column
from bangfu.imports.sealing import Sealer
from bangfu.imports.services import import_file
from bangfu.privacy import crypto, id_numbers
from bangfu.regions.services import person_initials
from bangfu.registry.models import Household, Person
from bangfu.tests.factories import make_user

HEADER = "户编号,所在村,姓名,身份证号,与户主关系,户状态,工资性收入\n"


def _ids(n):
    return [id_numbers.make("450224", date(1950, 1, 1 + i % 28), i % 400, "male" if i % 2 else "female")
            for i in range(n)]


def test_batch_crypto_equals_the_per_value_functions():
    ids = _ids(50)
    assert crypto.keyed_hashes(ids) == [crypto.keyed_hash(v) for v in ids]
    assert [crypto.decrypt(b) for b in crypto.encrypt_many(ids)] == ids
    hashes, blobs = crypto.seal_fixed("".join(ids).encode(), 18)
    assert hashes == b"".join(crypto.keyed_hash(v) for v in ids)
    assert [crypto.decrypt(blobs[i * 47:(i + 1) * 47]) for i in range(50)] == ids


@pytest.mark.parametrize("workers", [1, 2])
def test_the_sealer_gives_what_the_field_reads(workers):
    ids = _ids(101)
    sealer = Sealer(workers=workers, split_min=10)
    try:
        hashes, blobs = sealer.submit(pl.Series(ids)).columns()
    finally:
        sealer.close()
    assert hashes.to_list() == [crypto.keyed_hash(v) for v in ids]
    assert [crypto.decrypt(b) for b in blobs.to_list()] == ids
    assert len(set(b[1:13] for b in blobs.to_list())) == 101  # a fresh nonce each


def test_initials_column_equals_person_initials():
    fake = Faker("zh_CN")
    Faker.seed(4)
    names = [fake.name() for _ in range(3000)] + ["单田芳", "曾国藩", "解缙", "阿不都·热合曼", "李A12", "长孙无忌", "区先生",
                                                   "欧阳" * 12, "覃秀英", "万俟卨", "秘书", "朴槿惠", "王长江"]
    assert initials_column(pl.Series(names)).to_list() == [person_initials(n)[:20] for n in names]


def _write(tmp_path, rows, name="m.csv"):
    path = tmp_path / name
    path.write_text(HEADER + "".join(",".join(r) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.mark.django_db
def test_a_changed_row_updates_the_record_and_its_history_and_totals(tmp_path, regions):
    user = make_user(Role.COUNTY_OFFICE)
    head, wife, child = _ids(3)
    first = [["H9", "长安镇大巷村", "覃一", head, "户主", "未脱贫", "9000"],
             ["H9", "长安镇大巷村", "韦二", wife, "配偶", "", ""]]
    out = import_file(path=_write(tmp_path, first), register="members", scope=user.scope, by=user, dry_run=False)
    assert out.written and out.persons.created == 2
    household = Household.objects.get(number="H9")
    assert household.size == 2 and household.income_per_capita == 4500
    second = [["H9", "长安镇大巷村", "覃一", head, "户主", "已脱贫", "9000"],
              ["H9", "长安镇大巷村", "韦二改", wife, "配偶", "", ""],
              ["H9", "长安镇大巷村", "覃三", child, "子女", "", ""]]
    second[0][5] = "未脱贫"
    out = import_file(path=_write(tmp_path, second, "m2.csv"), register="members", scope=user.scope, by=user,
                      dry_run=False)
    assert out.persons.as_dict() == {"created": 1, "updated": 1, "unchanged": 1}
    assert out.households.updated == 1  # a new member: size and income per capita change
    household.refresh_from_db()
    assert household.size == 3 and household.income_per_capita == 3000 and household.head.name == "覃一"
    wife_row = Person.objects.get(id_hash=crypto.keyed_hash(wife))
    assert wife_row.name == "韦二改" and wife_row.id_number == wife
    assert [h.history_type for h in wife_row.history.order_by("history_date")] == ["+", "~"]
    assert household.history.count() == 2
    again = import_file(path=_write(tmp_path, second, "m2.csv"), register="members", scope=user.scope, by=user,
                        dry_run=False)
    assert again.changes == 0 and household.history.count() == 2


@pytest.mark.django_db
def test_history_rows_carry_the_written_values_user_and_reason(tmp_path, regions):
    user = make_user(Role.COUNTY_OFFICE)
    head, wife = _ids(2)
    rows = [["H7", "长安镇大巷村", "覃一", head, "户主", "未脱贫", "6000"],
            ["H7", "长安镇大巷村", "韦二", wife, "配偶", "", ""]]
    import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=False)
    household = Household.objects.get(number="H7")
    record = household.history.get()
    assert (record.history_type, record.history_user_id, record.history_change_reason) == ("+", user.pk, "导入 m.csv")
    assert record.head_id == household.head_id and record.income_per_capita == 3000
    member = Person.objects.get(id_hash=crypto.keyed_hash(wife)).history.get()
    assert (member.name, member.household_id, member.region_id, member.id_number) == (
        "韦二", household.pk, household.region_id, wife)
    rows[1][2] = "韦二妹"
    import_file(path=_write(tmp_path, rows, "m2.csv"), register="members", scope=user.scope, by=user, dry_run=False)
    changed = Person.objects.get(id_hash=crypto.keyed_hash(wife)).history.order_by("-history_date").first()
    assert (changed.history_type, changed.name, changed.history_change_reason) == ("~", "韦二妹", "导入 m2.csv")


@pytest.mark.django_db
def test_a_trigger_of_our_own_on_the_registry_still_fires_for_every_imported_row(tmp_path, regions):
    """The import does the foreign-key checks per set only when that turns off nothing but them."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite has no per-row foreign-key checks to replace")
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE test_seen (id bigint)")
        cursor.execute("CREATE FUNCTION test_seen_row() RETURNS trigger LANGUAGE plpgsql AS "
                       "$$ BEGIN INSERT INTO test_seen VALUES (NEW.id); RETURN NEW; END $$")
        cursor.execute("CREATE TRIGGER test_seen AFTER INSERT ON registry_person FOR EACH ROW "
                       "EXECUTE FUNCTION test_seen_row()")
    user = make_user(Role.COUNTY_OFFICE)
    ids = _ids(3)
    rows = [["H5", "长安镇大巷村", f"覃{i}", n, "户主" if i == 0 else "子女", "", ""] for i, n in enumerate(ids)]
    out = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=False)
    assert out.persons.created == 3
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM test_seen")
        assert cursor.fetchone()[0] == 3


@pytest.mark.django_db
def test_a_user_reading_english_pages_imports_a_register_written_in_chinese(tmp_path, regions):
    """The registers are written in Chinese whatever language the pages are read in; an English
    user's own spellings (their exports) are read too."""
    user = make_user(Role.COUNTY_OFFICE)
    head, wife = _ids(2)
    rows = [["E1", "长安镇大巷村", "覃一", head, "户主", "未脱贫", "9000"],
            ["E1", "长安镇大巷村", "韦二", wife, "Spouse", "", ""]]
    with translation.override("en"):
        out = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=False)
    assert out.error_total == 0 and out.persons.created == 2
    assert sorted(Person.objects.filter(household__number="E1").values_list("relation", flat=True)) == ["head",
                                                                                                          "spouse"]
