from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bangfu.errors import NotFound, ValidationError

# Significant digits of a 12-digit statistical code, by level.
PREFIX_LENGTHS = {1: 2, 2: 4, 3: 6, 4: 9, 5: 12}


class Level(models.IntegerChoices):
    PROVINCE = 1, _("省")
    CITY = 2, _("市")
    COUNTY = 3, _("县")
    TOWNSHIP = 4, _("乡镇")
    VILLAGE = 5, _("村/社区")


def level_of(code: str) -> int:
    """The level of a code given with or without its trailing zeros."""
    code = code.rstrip("0") if len(code) == 12 else code
    for level, length in PREFIX_LENGTHS.items():
        if len(code) <= length:
            return level
    raise ValueError(code)


def pad(code: str) -> str:
    return code.ljust(12, "0")


def code_range(prefix: str) -> tuple[str, str]:
    """The codes under a prefix as a range of text, first and last: from the prefix itself (a row kept
    under a township's nine digits, ComplianceTownship's, comes first) to the prefix filled with nines
    to a village's twelve. Digit strings compare alike in every collation; a prepared statement's
    generic plan ranges a plain index by the two, as it cannot by `LIKE $n` (docs/performance.md, stop 23)
    — the compliance summary's tables; the registry's region indexes are pattern indexes, which serve
    LIKE (Scope.in_prefix) and not a range."""
    return prefix, prefix + "9" * (PREFIX_LENGTHS[Level.VILLAGE] - len(prefix))


def prefix_of(code: str) -> str:
    """The significant digits of a code at its level: 450224100000 → 450224100."""
    return code[: PREFIX_LENGTHS[level_of(code)]]


def region_prefix(code: str, *, field: str = "region") -> str:
    """The code prefix of a region the caller names, as users and the API give it: its significant
    digits (450224, 450224100) or its full 12-digit statistical code (450224000000, 450224100000,
    the form the API returns). The one reading of a requested region: a code of no level's length
    is refused (ValidationError, 400), one that names no region is not found (404)."""
    code = (code or "").strip()
    if not code:
        return ""
    if not code.isdigit() or (len(code) not in PREFIX_LENGTHS.values()):
        raise ValidationError(gettext("区划代码应为2、4、6、9或12位数字，收到的是“%(c)s”") % {"c": code[:20]},
                              field=field)
    found = Region.objects.filter(**({"code": code} if len(code) == 12 else {"prefix": code}))
    prefix = found.values_list("prefix", flat=True).first()
    if prefix is None:
        raise NotFound(gettext("没有区划代码为 %(c)s 的地区") % {"c": code}, field=field)
    return prefix


class Region(models.Model):
    """One administrative division; its 12-digit code is the path to it (统计用区划代码)."""

    code = models.CharField(_("区划代码"), max_length=12, primary_key=True)
    name = models.CharField(_("名称"), max_length=60)
    level = models.PositiveSmallIntegerField(_("级别"), choices=Level.choices)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children",
                               verbose_name=_("上级"), db_constraint=False)
    prefix = models.CharField(_("代码前缀"), max_length=12, help_text=_("本级有效位数，如县为6位"))
    initials = models.CharField(_("拼音首字母"), max_length=40, db_index=True)
    full_name = models.CharField(_("全称"), max_length=200, help_text=_("自省级起的完整名称"))

    class Meta:
        verbose_name = _("行政区划")
        ordering = ["code"]
        indexes = [
            # scope and roll-up filters: prefix LIKE 'xxxx%' (PostgreSQL needs the pattern opclass)
            models.Index(fields=["prefix"], name="regions_region_prefix", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["name"], name="regions_region_name"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(level__gte=1, level__lte=5), name="regions_region_level_valid"),
        ]

    def __str__(self):
        return self.name

    @property
    def county_code(self) -> str:
        return self.code[:6]

    def contains(self, code: str) -> bool:
        return code.startswith(self.prefix)
