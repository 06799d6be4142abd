from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.imports.services import import_file
from bangfu.privacy import id_numbers
from bangfu.registry.models import Household, Person
from bangfu.tests.factories import make_user

pytestmark = pytest.mark.django_db

HEADER = "户编号,所在村,姓名,身份证号,与户主关系,出生日期,户状态,识别日期,主要致贫原因,工资性收入\n"


def _id(born, seq, gender):
    return id_numbers.make("450224", born, seq, gender)


def _rows():
    return [
        ["H001", "长安镇大巷村", "覃大明", _id(date(1970, 1, 2), 1, "male"), "户主", "", "未脱贫", "2016年9月1日", "因病", "12000"],
        ["H001", "长安镇大巷村", "覃小红", _id(date(1995, 3, 4), 2, "female"), "女儿", "1995-03-04", "", "", "", ""],
        ["H002", "450224100201", "韦建国", _id(date(1965, 7, 8), 3, "male"), "户主", "", "已脱贫", "2016/9/1", "缺技术", ""],
    ]


def _write(tmp_path, rows, encoding="utf-8"):
    path = tmp_path / "members.csv"
    path.write_bytes((HEADER + "".join(",".join(r) + "\n" for r in rows)).encode(encoding))
    return path


def test_it_imports_then_changes_nothing_the_second_time(tmp_path, regions):
    user = make_user(Role.COUNTY_OFFICE)
    rows = _rows()
    rows[2][6] = "未脱贫"
    path = _write(tmp_path, rows)
    dry = import_file(path=path, register="members", scope=user.scope, by=user, dry_run=True)
    assert dry.error_total == 0, dry.errors.to_dicts()
    assert Household.objects.count() == 0
    first = import_file(path=path, register="members", scope=user.scope, by=user, dry_run=False)
    assert first.written and first.persons.created == 3 and first.households.created == 2
    household = Household.objects.get(number="H001")
    assert household.size == 2 and household.head.name == "覃大明"
    assert household.identified_on == date(2016, 9, 1)
    assert household.income_per_capita == 6000
    assert household.history.count() == 1
    second = import_file(path=path, register="members", scope=user.scope, by=user, dry_run=False)
    assert second.changes == 0, second.counts()
    assert household.history.count() == 1
    assert Person.objects.get(name="覃小红").history.count() == 1


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_rows_are_named_right_when_a_cell_holds_a_line_break_and_the_file_is_read_in_pieces(
        tmp_path, regions, monkeypatch, encoding):
    from bangfu.imports import reading

    monkeypatch.setattr(reading, "CSV_CHUNK_MIN", 64)  # pieces far smaller than a row
    user = make_user(Role.COUNTY_OFFICE)
    rows = _rows()
    rows[0][2] = '"覃""大""明"'
    rows[1][0] = '"H001"'
    rows[1][3] = rows[1][3][:-1] + ("0" if rows[1][3][-1] != "0" else "1")  # wrong check digit
    rows[2][2], rows[2][6] = '"韦\n建国"', "未脱贫"  # a line break inside a quoted cell
    lines = ["家庭成员信息表(标题行),,,,,,,,,\n", HEADER, *(",".join(r) + "\n" for r in (rows[0], rows[2], rows[1]))]
    path = tmp_path / "members.csv"
    path.write_bytes("".join(lines).encode(encoding))
    out = import_file(path=path, register="members", scope=user.scope, by=user, dry_run=True, batch_rows=1)
    assert out.rows == 3
    assert [(e["row"], e["kind"]) for e in out.errors.to_dicts()] == [(5, "id_check")]


def test_id_numbers_are_judged_as_the_per_row_parser_judges_them(tmp_path, regions):
    """The import checks a batch's ID numbers column-wise (validation._id_parts: the check digit as one
    matrix product); each verdict is the one privacy.id_numbers.parse gives the same number."""
    user = make_user(Role.COUNTY_OFFICE)
    with_x = [n for n in (_id(date(1980, 5, 6), s, "male") for s in range(500)) if n.endswith("X")][:2]
    good = _id(date(1970, 1, 2), 1, "male")
    wrong_check = good[:17] + ("0" if good[17] != "0" else "1")
    bad_date = "45022419700230" + "123"
    bad_date += id_numbers.check_digit(bad_date)
    full_width = _id(date(1971, 1, 2), 1, "female").translate(str.maketrans("0123456789", "０１２３４５６７８９"))
    ids = [good, with_x[0], with_x[1].lower(), full_width, wrong_check, bad_date, good[:17]]
    rows = [[f"H{i:03d}", "长安镇大巷村", f"村民{i}", number, "户主", "", "未脱贫", "", "", ""]
            for i, number in enumerate(ids)]
    out = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=True)
    refused = {e["row"] - 2: e["message"] for e in out.errors.to_dicts()}
    for index, number in enumerate(ids):
        try:
            id_numbers.parse(number)
        except Exception as exc:
            assert refused.get(index) == exc.message, (number, refused.get(index))
        else:
            assert index not in refused, (number, refused[index])
    assert set(refused) == {4, 5, 6}


def test_an_id_number_with_digits_of_another_script_is_refused_in_its_cell(tmp_path, regions):
    """Only ASCII digits make an ID number (a regular expression's \\d takes ٣ too): such a number is
    refused for its format, not checked digit by digit nor sealed."""
    user = make_user(Role.COUNTY_OFFICE)
    number = _id(date(1970, 1, 2), 1, "male")
    rows = [["H001", "长安镇大巷村", "覃大明", number[:5] + "٣" + number[6:], "户主", "", "未脱贫", "", "", ""]]
    out = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=True)
    assert [(e["row"], e["kind"]) for e in out.errors.to_dicts()] == [(2, "id_format")]


def test_same_name_and_birth_with_another_id_in_the_file_is_refused_also_beside_a_refused_number(tmp_path, regions):
    """Stage._duplicate_name_birth: rows of one village, name and birth date with more than one ID
    number, a number refused in its cell counting as one; the first such row is named in the others."""
    user = make_user(Role.COUNTY_OFFICE)
    born = date(1970, 1, 2)
    one, two, three = (_id(born, s, "male") for s in (1, 2, 3))
    refused = three[:17] + ("0" if three[17] != "0" else "1")  # wrong check digit, same birth date
    rows = [
        ["H001", "长安镇大巷村", "覃大明", one, "户主", "", "未脱贫", "", "", ""],       # row 2: first
        ["H002", "长安镇大巷村", "覃大明", two, "户主", "", "未脱贫", "", "", ""],       # row 3: another ID
        ["H003", "长安镇大巷村", "韦建国", refused, "户主", "", "未脱贫", "", "", ""],   # row 4: refused ID
        ["H004", "长安镇大巷村", "韦建国", three, "户主", "", "未脱贫", "", "", ""],     # row 5: vs row 4
        ["H005", "长安镇大巷村", "莫小燕", refused, "户主", "", "未脱贫", "", "", ""],   # rows 6, 7: both refused
        ["H006", "长安镇大巷村", "莫小燕", refused, "户主", "", "未脱贫", "", "", ""],
    ]
    out = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=True)
    same = sorted((e["row"], e["message"]) for e in out.errors.to_dicts() if e["header"] == "姓名")
    assert same == [(3, "与第 2 行 姓名、出生日期相同而身份证号不同，疑似同一人，请核实"),
                    (5, "与第 4 行 姓名、出生日期相同而身份证号不同，疑似同一人，请核实")]


def test_a_household_whose_first_row_is_refused_is_still_counted_in_the_plan(tmp_path, regions):
    """The households' plan takes each household's first row from the grouping the checks across rows
    made (Stage._group_households); once rows refused in a cell are dropped, it groups the rest again."""
    user = make_user(Role.COUNTY_OFFICE)
    rows = _rows()
    rows[0][7] = "某年某月"  # 识别日期 refused: the first row of H001 is dropped before the plan
    rows[2][6] = "未脱贫"
    outcome = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=True)
    assert outcome.error_counts == {"date": 1}, outcome.errors.to_dicts()
    assert outcome.households.created == 2 and outcome.persons.created == 2


def test_a_household_number_given_twice_in_the_households_register_is_refused_naming_the_first(tmp_path, regions):
    user = make_user(Role.COUNTY_OFFICE)
    path = tmp_path / "households.csv"
    path.write_text("户编号,所在村,户状态\nH001,长安镇大巷村,未脱贫\nH002,长安镇大巷村,未脱贫\nH001,长安镇大巷村,未脱贫\n",
                    encoding="utf-8")
    outcome = import_file(path=path, register="households", scope=user.scope, by=user, dry_run=True)
    assert [(e["row"], e["message"]) for e in outcome.errors.to_dicts()] == [(4, "户编号与第 2 行 重复")]
    assert Household.objects.count() == 0


def test_full_width_cells_are_read_as_half_width_whichever_batch_they_are_in(tmp_path, regions):
    """validation._norm: a column a batch has in ASCII only is not put through NFKC (it would not change);
    a batch with one full-width cell in that column is, as before."""
    user = make_user(Role.COUNTY_OFFICE)
    rows = [[f"H{i:03d}", "长安镇大巷村", f"村民{i}", _id(date(1970, 1, 1 + i), i, "male"), "户主", "", "未脱贫",
             "2016-09-01", "", ""] for i in range(6)]
    wide = str.maketrans("0123456789H-", "０１２３４５６７８９Ｈ－")
    for col in (3, 7):  # ID number and 识别日期 of the fourth row: in the second batch of three
        rows[3][col] = rows[3][col].translate(wide)
    out = import_file(path=_write(tmp_path, rows), register="members", scope=user.scope, by=user, dry_run=False,
                      batch_rows=2)
    assert out.error_total == 0, out.errors.to_dicts()
    assert Household.objects.filter(number__in=[f"H{i:03d}" for i in range(6)], identified_on=date(2016, 9, 1)).count() == 6
    assert Person.objects.get(name="村民3").id_number == _id(date(1970, 1, 4), 3, "male")


def test_the_import_day_is_a_parameter_no_date_after_it_is_taken(tmp_path, regions):
    """识别日期 and the birth date in an ID number may not lie after the import's day — the day given
    (the server's by default), so that the same file reads the same on any day of the year."""
    user = make_user(Role.COUNTY_OFFICE)
    rows = _rows()
    rows[2][6] = "未脱贫"
    rows[0][7] = "2026-06-01"  # 识别日期
    rows[1][3], rows[1][5] = _id(date(2026, 3, 4), 2, "female"), "2026-03-04"  # born this spring
    path = _write(tmp_path, rows)
    before = import_file(path=path, register="members", scope=user.scope, by=user, dry_run=True,
                         today=date(2026, 2, 1))
    assert {(e["row"], e["header"]) for e in before.errors.to_dicts()} == {(2, "识别日期"), (3, "身份证号"), (3, "出生日期")}
    after = import_file(path=path, register="members", scope=user.scope, by=user, dry_run=True, today=date(2026, 7, 1))
    assert after.error_total == 0, after.errors.to_dicts()
