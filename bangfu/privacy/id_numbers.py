"""Resident identity numbers (公民身份号码, GB 11643-1999)."""

from dataclasses import dataclass
from datetime import date

from django.utils.translation import gettext as _

from bangfu.errors import ValidationError

_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"


def check_digit(first17: str) -> str:
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def normalize(raw: str) -> str:
    """Strip spaces and full-width characters; the check digit x is upper case."""
    value = (raw or "").strip().replace(" ", "").replace("\u3000", "")
    value = value.translate(str.maketrans("０１２３４５６７８９ＸｘX", "0123456789XXX"))
    return value.upper()


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: date
    gender: str  # "male" / "female", as registry.Gender


def parse(raw: str, *, field: str = "id_number") -> IdNumber:
    """Check an 18-character number: format, birth date, check digit. Raise with a Chinese message."""
    value = normalize(raw)
    if len(value) != 18 or not value[:17].isdigit() or not (value[17].isdigit() or value[17] == "X"):
        raise ValidationError(_("身份证号应为18位：前17位数字，末位为数字或X"), field=field)
    try:
        born = date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(_("身份证号中的出生日期 %(d)s 不是有效日期") % {"d": value[6:14]}, field=field)
    if born.year < 1890 or born > date.today():
        raise ValidationError(_("身份证号中的出生日期 %(d)s 超出合理范围") % {"d": value[6:14]}, field=field)
    expected = check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误：末位应为 %(expected)s，填写的是 %(given)s") % {"expected": expected, "given": value[17]},
            field=field,
        )
    gender = "male" if int(value[16]) % 2 else "female"
    return IdNumber(value=value, birth_date=born, gender=gender)


def make(area6: str, born: date, sequence: int, gender: str) -> str:
    """A valid number for demo and test data: sequence 0-499, its parity set by gender."""
    seq = sequence * 2 + (1 if gender == "male" else 0)
    first17 = f"{area6}{born:%Y%m%d}{seq:03d}"
    return first17 + check_digit(first17)
