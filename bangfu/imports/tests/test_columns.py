"""Columns that feed or check others, and set-valued cells (issue 12): each rule on a small file."""

from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.imports.services import import_file
from bangfu.privacy import id_numbers
from bangfu.registry.models import Household, Person
from bangfu.tests.factories import make_user

pytestmark = pytest.mark.django_db


def _run(tmp_path, header: str, *rows: str, dry_run: bool = True):
    user = make_user(Role.COUNTY_OFFICE)
    path = tmp_path / "f.csv"
    path.write_text(header + "\n" + "".join(r + "\n" for r in rows), encoding="utf-8")
    return import_file(path=path, register="members", scope=user.scope, by=user, dry_run=dry_run)


def _id(n: int) -> str:
    return id_numbers.make("450224", date(1970, 1, 1 + n), n, "male")


def test_causes_from_two_columns_are_merged_and_an_unknown_one_is_named(tmp_path, regions):
    header = "户编号,所在村,姓名,身份证号,与户主关系,致贫原因,其他致贫原因"
    out = _run(tmp_path, header, f"C1,长安镇大巷村,甲,{_id(1)},户主,因病、缺劳力,\"缺资金，因病\"",
               f"C2,长安镇大巷村,乙,{_id(2)},户主,因病、天灾,", dry_run=True)
    [error] = out.errors.to_dicts()
    assert (error["row"], error["kind"]) == (3, "choice") and error["message"].startswith("「天灾」不是有效的主要致贫原因")
    out = _run(tmp_path, header, f"C1,长安镇大巷村,甲,{_id(1)},户主,因病、缺劳力,\"缺资金，因病\"", dry_run=False)
    assert out.written
    household = Household.objects.get(number="C1")
    assert (household.main_cause, sorted(household.other_causes.split(","))) == ("illness", ["capital", "labour"])


def test_feeding_columns_must_agree_with_the_columns_they_feed(tmp_path, regions):
    header = "户编号,所在村,姓名,身份证号,与户主关系,低保/五保,低保户,是否在校生,在校生情况"
    out = _run(tmp_path, header, f"F1,长安镇大巷村,甲,{_id(1)},户主,低保、五保,否,否,小学在读",
               f"F2,长安镇大巷村,乙,{_id(2)},户主,五保,,是,", f"F3,长安镇大巷村,丙,{_id(3)},户主,低保户,是,,",
               f"F4,长安镇大巷村,丁,{_id(4)},户主,临时救助,,,")
    assert [(e["row"], e["header"], e["kind"]) for e in out.errors.to_dicts()] == [
        (2, "低保/五保", "rule"), (2, "是否在校生", "rule"), (5, "低保/五保", "choice")]
    out = _run(tmp_path, header, f"F2,长安镇大巷村,乙,{_id(2)},户主,五保,,是,",
               f"F3,长安镇大巷村,丙,{_id(3)},户主,低保户,是,,", dry_run=False)
    assert out.written
    assert (Household.objects.get(number="F2").dibao, Household.objects.get(number="F2").wubao) == (False, True)
    assert (Household.objects.get(number="F3").dibao, Household.objects.get(number="F3").wubao) == (True, False)
    assert Person.objects.get(name="乙").schooling == "enrolled"


def test_a_township_column_is_checked_and_tells_villages_apart(tmp_path, regions):
    header = "县,乡镇,行政村,户编号,姓名,身份证号,与户主关系"
    out = _run(tmp_path, header, f"融安,长安,大巷村,T1,甲,{_id(1)},户主", f"融安县,浮石镇,大巷村,T2,乙,{_id(2)},户主",
               f"柳城县,长安镇,大巷村,T3,丙,{_id(3)},户主", f"融安县,浮石,浮石村,T4,丁,{_id(4)},户主")
    assert [(e["row"], e["header"], e["message"]) for e in out.errors.to_dicts()] == [
        (3, "乡镇", "「浮石镇」与所在村不符：该村属于长安镇"), (4, "县", "「柳城县」与所在村不符：该村属于融安县")]
