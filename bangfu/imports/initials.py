"""拼音首字母 of a whole column of names, equal to regions.services.person_initials of each name.

initials_of segments the name into phrases (pypinyin), about 150 µs a name: an hour for a
province's register. A name's initials are its characters' initials whenever every reading of
each character starts with the same letter, which holds for most characters; those are
replaced column-wise (polars replace_many, compiled). Names with a character whose readings
start differently (单 shan/dan, 曾 zeng/ceng, 解 xie/jie …) still go through person_initials, once
per distinct name; the surnames read otherwise as surnames are all such characters.
"""

import polars as pl
from pypinyin import Style, pinyin
from pypinyin.constants import PINYIN_DICT

from bangfu.regions.services import SURNAME_INITIALS, person_initials

MAX_LENGTH = 20  # Person.initials
_CHAR: dict[str, str | None] = {}  # Han character → its initial, None when its readings disagree


def _char_initial(char: str) -> str | None:
    if char not in _CHAR:
        readings = pinyin(char, style=Style.FIRST_LETTER, heteronym=True, errors="default")[0]
        letters = {r.lower() for r in readings}
        _CHAR[char] = letters.pop() if len(letters) == 1 else None
    return _CHAR[char]


def initials_column(names: pl.Series) -> pl.Series:
    """The initials of every name in `names`, in order, at most MAX_LENGTH characters."""
    chars = names.str.split("").explode().unique().drop_nulls().to_list()
    han = [c for c in chars if len(c) == 1 and ord(c) in PINYIN_DICT]
    known = {c: _char_initial(c) for c in han}
    simple = {c: i for c, i in known.items() if i is not None and SURNAME_INITIALS.get(c, i) == i}
    hard = [c for c, i in known.items() if i is None or SURNAME_INITIALS.get(c, i) != i]
    frame = pl.DataFrame({"name": names})
    out = pl.col("name")
    if simple:
        out = out.str.replace_many(list(simple), list(simple.values()))
    out = out.str.to_lowercase()
    if hard:
        mask = pl.col("name").str.contains_any(hard)
        odd = frame.filter(mask).get_column("name").unique().to_list()
        slow = {name: person_initials(name) for name in odd}
        out = pl.when(mask).then(pl.col("name").replace_strict(slow, default="")).otherwise(out)
    return frame.select(out.str.slice(0, MAX_LENGTH).alias("p_initials")).to_series()
