"""How a person's name is stored and searched: 王　芳 (a full-width space), 王 芳 and 王芳 are one name.

Offices pad two-character names with a space (often the full-width one) to line them up with
three-character names; the space is no part of the name. A name with a Chinese character loses
every white space; any other name (a transliteration in Latin letters) keeps single spaces between
its words. The import applies the same rule column-wise (imports/validation.py, with HAN below).
"""

import re

# Han characters (CJK unified ideographs, extension A, compatibility ideographs, extensions B…G):
# literal characters in a class, so that Python's re and polars' (Rust) regex read it alike.
HAN = "[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]"
_HAN = re.compile(HAN)
_SPACES = re.compile(r"\s+")


def name_normalize(name: str | None) -> str:
    """王　芳 → 王芳; "  Li   Ming " → "Li Ming"."""
    name = name or ""
    if _HAN.search(name):
        return _SPACES.sub("", name)
    return _SPACES.sub(" ", name).strip()
