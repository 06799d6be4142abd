"""Column-wise validation of one batch with polars expressions.

The registry's per-row services (bangfu.registry.services) are the rules; at 10^6 rows a
Python call per row is too slow, so the same rules are written here as polars expressions
evaluated over whole columns in compiled code (docs/import.md lists each rule and where its
per-row twin lives). A normalised column is computed once and reused by every check.

`batch_validate` returns the typed batch (one column per register column, by key) and the
errors found: one row per bad cell with the spreadsheet row, the column header and a message.
"""

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import polars as pl
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.accounts.scope import Scope
from bangfu.imports.registers import Column, Register, choice_map, header_key, normalize_text
from bangfu.regions.models import Level, Region
from bangfu.registry.choices import ETHNICITIES, OrganizationKind
from bangfu.registry.models import Organization
from bangfu.registry.names import HAN

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)  # GB 11643, as bangfu.privacy.id_numbers
ID_CHECK = "10X98765432"
DATE_FORMATS = ("%Y-%m-%d", "%Y/%m/%d", "%Y年%m月%d日", "%Y.%m.%d", "%Y%m%d", "%Y-%m-%d %H:%M:%S")
EXCEL_EPOCH = date(1899, 12, 30)
TRUE = {"是", "有", "√", "✓", "Y", "y", "yes", "YES", "Yes", "1", "true", "TRUE", "True", "T"}
FALSE = {"否", "无", "×", "✗", "N", "n", "no", "NO", "No", "0", "false", "FALSE", "False", "F"}
NON_NEGATIVE = {"wage_income", "property_income", "transfer_income"}

ERROR_KINDS = {
    "required": gettext_lazy("必填项为空"),
    "too_long": gettext_lazy("内容过长"),
    "id_format": gettext_lazy("身份证号格式错误"),
    "id_birth": gettext_lazy("身份证号出生日期无效"),
    "id_check": gettext_lazy("身份证号校验位错误"),
    "birth_mismatch": gettext_lazy("出生日期与身份证号不一致"),
    "gender_mismatch": gettext_lazy("性别与身份证号不一致"),
    "date": gettext_lazy("日期无法识别"),
    "choice": gettext_lazy("选项不在可选范围"),
    "bool": gettext_lazy("是/否填写有误"),
    "number": gettext_lazy("数字填写有误"),
    "phone": gettext_lazy("电话号码有误"),
    "bank_account": gettext_lazy("银行账号有误"),
    "region_unknown": gettext_lazy("区域不存在"),
    "region_ambiguous": gettext_lazy("区域名称有重名"),
    "region_scope": gettext_lazy("区域不在管辖范围内"),
    "organization_unknown": gettext_lazy("单位不存在"),
    "organization_ambiguous": gettext_lazy("单位名称有重名"),
    "organization_kind": gettext_lazy("单位类型不符"),
    "rule": gettext_lazy("不符合登记规则"),
    "region_mismatch": gettext_lazy("县、乡镇与所在村不一致"),
    "duplicate_file": gettext_lazy("文件内重复"),
    "duplicate_registry": gettext_lazy("与已登记人员重复"),
    "household": gettext_lazy("户信息冲突"),
    "head": gettext_lazy("户主人数不为一"),
}
ERROR_SCHEMA = {"row": pl.Int64, "seq": pl.String, "col": pl.Int32, "header": pl.String, "kind": pl.String,
                "message": pl.String}
SEQ_HEADERS = {"序号", "序", "no", "no.", "行号"}  # a column numbering the rows as the user counts them
SEPARATORS = r"[、,;/\s]+"  # between the values of a set-valued cell, after NFKC (，→, ；→; ／→/)
LOCATION_SUFFIXES = ("街道办事处", "街道", "自治县", "镇", "乡", "县", "区", "市")


def row_label(row: int, seq: str | None = None) -> str:
    """第 5 行 / 序号 3: the sheet's row, and the row's 序号 when the sheet has that column."""
    if seq:
        return _("第 %(r)s 行 / 序号 %(s)s") % {"r": row, "s": seq}
    return _("第 %(r)s 行") % {"r": row}


def seq_index(headers: list[str]) -> int | None:
    return next((i for i, h in enumerate(headers) if header_key(h) in SEQ_HEADERS), None)


def _short_names(name: str) -> set[str]:
    """长安镇 is also written 长安; 融安县 融安."""
    out = {normalize_text(name)}
    for suffix in LOCATION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            out.add(normalize_text(name[: -len(suffix)]))
            break
    return out


def error_kind_label(kind: str) -> str:
    return str(ERROR_KINDS.get(kind, kind))


def _name_variants(name: str) -> list[str]:
    """大巷村委会 is written 大巷村 or 大巷; 和平社区居委会 is written 和平社区."""
    names = [name]
    for suffix, shorts in (("社区居委会", ("社区",)), ("村民委员会", ("村", "")), ("村委会", ("村", "")),
                           ("居委会", ("社区", ""))):
        if name.endswith(suffix) and len(name) > len(suffix):
            names += [name[: -len(suffix)] + short for short in shorts]
            break
    return names


@dataclass
class RegionLookup:
    """Villages (or, with any_level, every region) within the scope by every spelling: code, name,
    乡镇+村 (parent + name), full name."""

    scope: Scope
    by_spelling: dict[str, str] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)
    any_level: bool = False
    # "village code|spelling" of each village's township and county (a 乡镇 or 县 column is checked
    # against the village), and each village's township and county as the message names them.
    ancestors: set[str] = field(default_factory=set)
    township_of: dict[str, str] = field(default_factory=dict)
    county_of: dict[str, str] = field(default_factory=dict)

    @classmethod
    def for_scope(cls, scope: Scope, *, any_level: bool = False) -> "RegionLookup":
        lookup = cls(scope=scope, any_level=any_level)
        regions = Region.objects.all() if any_level else Region.objects.filter(level=Level.VILLAGE)
        regions = scope.regions(regions).select_related("parent", "parent__parent")
        seen: dict[str, str] = {}
        for village in regions.only("code", "name", "full_name", "parent__name", "parent__parent__name"):
            spellings = {village.code}
            township = village.parent if village.parent_id else None
            for name in _name_variants(village.name):
                spellings.add(normalize_text(name))
                if township is not None:
                    spellings.update(short + normalize_text(name) for short in _short_names(township.name))
            spellings.add(normalize_text(village.full_name))
            if not any_level and township is not None:
                lookup.township_of[village.code] = township.name
                lookup.ancestors.update(f"{village.code}|{s}" for s in _short_names(township.name) | {township.code})
                county = township.parent if township.parent_id else None
                if county is not None:
                    lookup.county_of[village.code] = county.name
                    lookup.ancestors.update(f"{village.code}|{s}" for s in _short_names(county.name) | {county.code})
            for spelling in spellings:
                if spelling in seen and seen[spelling] != village.code:
                    lookup.ambiguous.add(spelling)
                seen[spelling] = village.code
        lookup.by_spelling = {k: v for k, v in seen.items() if k not in lookup.ambiguous}
        return lookup


@dataclass
class OrganizationLookup:
    """Units and schools within the scope by name (full width, spaces ignored): what a register of
    persons names them by. A name two units in the scope share (in different counties) is ambiguous."""

    by_name: dict[str, int] = field(default_factory=dict)
    ambiguous: set[str] = field(default_factory=set)
    region_of: dict[int, str] = field(default_factory=dict)
    kind_of: dict[int, str] = field(default_factory=dict)

    @classmethod
    def for_scope(cls, scope: Scope) -> "OrganizationLookup":
        lookup = cls()
        seen: dict[str, int] = {}
        rows = scope.organizations(Organization.objects.all()).values_list("id", "name", "region_id", "kind")
        for pk, name, region, kind in rows.iterator(chunk_size=5000):
            spelling = normalize_text(name)
            if spelling in seen and seen[spelling] != pk:
                lookup.ambiguous.add(spelling)
            seen[spelling] = pk
            lookup.region_of[pk], lookup.kind_of[pk] = region, kind
        lookup.by_name = {k: v for k, v in seen.items() if k not in lookup.ambiguous}
        return lookup


@dataclass
class Context:
    register: Register
    mapping: dict[str, int]  # column key → index of the file's column
    headers: list[str]
    regions: RegionLookup
    today: date  # the import's day: no birth date or past date after it (import_file sets it)
    organizations: OrganizationLookup | None = None  # for a register with a column of kind "organization"
    seq: int | None = None  # the file's 序号 column, if any

    @classmethod
    def for_scope(cls, *, register: Register, mapping: dict[str, int], headers: list[str], scope: Scope,
                  today: date) -> "Context":
        has_units = any(c.kind == "organization" for c in register.columns)
        return cls(register=register, mapping=mapping, headers=headers,
                   regions=RegionLookup.for_scope(scope, any_level=register.any_region), today=today,
                   organizations=OrganizationLookup.for_scope(scope) if has_units else None,
                   seq=seq_index(headers))

    def header(self, column: Column) -> str:
        return self.headers[self.mapping[column.key]] or _(column.header)

    @property
    def mapped(self) -> list[Column]:
        return [c for c in self.register.columns if c.key in self.mapping]


@dataclass
class _Check:
    column: Column | None
    kind: str
    bad: pl.Expr
    message: pl.Expr


def _text(column: Column, ctx: Context) -> pl.Expr:
    return pl.col(f"c{ctx.mapping[column.key]}").str.strip_chars()


def _norm(expr: pl.Expr, ascii_only: bool = False) -> pl.Expr:
    """NFKC (full-width → half-width) without any white space. NFKC leaves ASCII text as it is, so a
    column the batch has in ASCII only (numbers, codes, ID numbers, dates, in most files) is not
    normalised: about 12 ms of a 20,000-row batch, 0.6 s of CPU a million rows (docs/performance.md)."""
    return (expr if ascii_only else expr.str.normalize("NFKC")).str.replace_all(r"\s+", "")


def _ascii_columns(frame: pl.DataFrame, names: list[str]) -> set[str]:
    """The columns among `names` whose text is ASCII only in this batch (as many bytes as characters)."""
    names = [n for n in dict.fromkeys(names) if frame.schema.get(n) == pl.String]
    if not names:
        return set()
    row = frame.select((pl.col(n).str.len_bytes() == pl.col(n).str.len_chars()).all() for n in names).row(0)
    return {n for n, ascii_only in zip(names, row) if ascii_only}


def _name(raw: pl.Expr) -> pl.Expr:
    """A person's name as bangfu.registry.names.name_normalize stores it: 王　芳 → 王芳."""
    return (pl.when(raw.str.contains(HAN)).then(raw.str.replace_all(r"\s", ""))
            .otherwise(raw.str.replace_all(r"\s+", " ").str.strip_chars()))


def _parts(raw: pl.Expr) -> pl.Expr:
    """A set-valued cell as its values separated by commas: "因病、缺劳力" → "因病,缺劳力"."""
    return raw.str.normalize("NFKC").str.replace_all(SEPARATORS, ",").str.strip_chars(",")


def _date_expr(raw: pl.Expr) -> pl.Expr:
    serial = (pl.when(raw.str.contains(r"^\d{5}(\.0+)?$"))
              .then(pl.lit(EXCEL_EPOCH) + pl.duration(days=raw.cast(pl.Float64, strict=False).cast(pl.Int64)))
              .otherwise(None))
    return pl.coalesce([raw.str.strptime(pl.Date, f, strict=False) for f in DATE_FORMATS] + [serial.cast(pl.Date)])


def _id_parts(frame: pl.DataFrame, name: str) -> pl.DataFrame:
    """The ID number's parts as columns: `__id_upper` (the number, X upper case), `__id_format` (18 ASCII
    characters, 17 digits and a digit or X), `__id_birth` (the date of digits 7–14, if one) and `__id_check`
    (the GB 11643 check character the first 17 digits call for, where the format is right). The weighted
    sum of the digits is one matrix product over the batch's well-formed numbers (numpy): as 17 polars
    slices and casts it was the largest single cost of validating a batch."""
    upper = frame.get_column(name).str.to_uppercase()
    well_formed = upper.str.contains(r"^[0-9]{17}[0-9X]$").fill_null(False)
    check = pl.Series("__id_check", [None] * frame.height, dtype=pl.String)
    where = well_formed.arg_true()
    if where.len():
        text = upper.gather(where).str.slice(0, 17).str.join("").item().encode("ascii")
        digits = np.frombuffer(text, dtype=np.uint8).reshape(-1, 17).astype(np.int64) - ord("0")
        remainders = digits @ np.array(ID_WEIGHTS, dtype=np.int64) % 11
        check = check.scatter(where, pl.Series(np.array(list(ID_CHECK))[remainders], dtype=pl.String))
    return frame.with_columns(upper.alias("__id_upper"), well_formed.alias("__id_format"), check,
                              upper.str.slice(6, 8).str.strptime(pl.Date, "%Y%m%d", strict=False).alias("__id_birth"))


def batch_validate(frame: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Typed columns (by key) plus `__row`, and the batch's errors (ERROR_SCHEMA)."""
    today = ctx.today
    checks: list[_Check] = []
    # Pass 1: normalised text of every mapped column, computed once.
    norm_cols = []
    ascii_only = _ascii_columns(frame, [f"c{ctx.mapping[c.key]}" for c in ctx.mapped
                                        if not c.multi and c.key != "p_name" and c.kind != "text"])
    for column in ctx.mapped:
        raw = _text(column, ctx)
        if column.multi:
            norm = _parts(raw)
        elif column.key == "p_name":
            norm = _name(raw)
        else:
            norm = _norm(raw, f"c{ctx.mapping[column.key]}" in ascii_only) if column.kind not in ("text",) else raw
        norm_cols.append(norm.alias(f"n_{column.key}"))
    frame = frame.with_columns(norm_cols)
    for column in ctx.mapped:
        if column.kind == "id_number":
            frame = _id_parts(frame, f"n_{column.key}")
    typed: list[pl.Expr] = []
    for column in ctx.mapped:
        n = pl.col(f"n_{column.key}")
        empty = n.str.len_bytes() == 0
        header = _(column.header)
        if column.required:
            checks.append(_Check(column, "required", empty, pl.lit(_("「%(h)s」不能为空") % {"h": header})))
        if column.kind == "text":
            value = n
            if column.max_length:
                checks.append(_Check(column, "too_long", n.str.len_chars() > column.max_length,
                                     pl.lit(_("「%(h)s」最多 %(n)s 个字") % {"h": header, "n": column.max_length})))
        elif column.kind == "choice" and column.multi:
            mapping = choice_map(column.choices)
            parts = pl.when(empty).then(pl.lit([], dtype=pl.List(pl.String))).otherwise(n.str.split(","))
            codes = parts.list.eval(pl.element().str.replace_all(r"\s", "")
                                    .replace_strict(mapping, default=None, return_dtype=pl.String))
            unknown = parts.list.eval(pl.element().filter(
                pl.element().str.replace_all(r"\s", "").replace_strict(mapping, default=None,
                                                                       return_dtype=pl.String).is_null()))
            labels = "、".join(str(label) for _v, label in column.choices.choices)
            checks.append(_Check(column, "choice", unknown.list.len() > 0,
                                 pl.format(_("「{}」不是有效的%(h)s，可填：%(l)s(多个以顿号分隔)") % {"h": header, "l": labels},
                                           unknown.list.join("、"))))
            codes = codes.list.drop_nulls().list.unique(maintain_order=True)
            if column.rest:
                value = codes.list.first()
                typed.append(codes.list.slice(1).alias(f"__rest_{column.key}"))
            else:
                value = codes.list.join(",")
        elif column.kind == "choice":
            mapping = choice_map(column.choices)
            value = n.replace_strict(mapping, default=None)
            labels = "、".join(str(label) for _v, label in column.choices.choices)
            checks.append(_Check(column, "choice", ~empty & value.is_null(),
                                 pl.format(_("「{}」不是有效的%(h)s，可填：%(l)s") % {"h": header, "l": labels}, n)))
        elif column.kind == "ethnicity":
            known = {e: e for e in ETHNICITIES} | {e[:-1]: e for e in ETHNICITIES if e.endswith("族") and len(e) > 2}
            value = n.replace_strict(known, default=None)
            checks.append(_Check(column, "choice", ~empty & value.is_null(),
                                 pl.format(_("「{}」不是56个民族之一(如 汉族、壮族)"), n)))
        elif column.kind == "bool":
            value = (pl.when(n.is_in(list(TRUE))).then(True).when(n.is_in(list(FALSE))).then(False)
                     .otherwise(None))
            checks.append(_Check(column, "bool", ~empty & value.is_null(),
                                 pl.format(_("「{}」应填“是”或“否”"), n)))
        elif column.kind == "flags":  # 低保/五保 in one column: 低保, 五保, 低保、五保, 否
            rest = n.str.replace_all(r"(农村)?(低保|五保)(户|对象|供养)?|[、,;/，；和及+]", "")
            none = n.is_in(list(FALSE))
            checks.append(_Check(column, "choice", ~empty & ~none & (rest.str.len_bytes() > 0),
                                 pl.format(_("「{}」应填 低保、五保、低保、五保 或 否"), n)))
            value = pl.lit(None, dtype=pl.Boolean)
            given = ~empty & (none | (rest.str.len_bytes() == 0))
            typed += [pl.when(given).then(~none & n.str.contains("低保")).alias("__flag_h_dibao"),
                      pl.when(given).then(~none & n.str.contains("五保")).alias("__flag_h_wubao")]
        elif column.kind == "region_check":
            value = n  # compared with the village below
        elif column.kind == "money":
            value = n.str.replace_all(r"[,，元¥￥]", "").cast(pl.Decimal(12, 2), strict=False)
            checks.append(_Check(column, "number", ~empty & value.is_null(),
                                 pl.format(_("「{}」不是有效的金额"), n)))
            if column.field in NON_NEGATIVE:
                checks.append(_Check(column, "number", value < 0, pl.lit(_("%(h)s不能为负数") % {"h": header})))
        elif column.kind == "int":
            value = n.cast(pl.Float64, strict=False).cast(pl.Int32, strict=False)
            checks.append(_Check(column, "number", ~empty & (value.is_null() | (value < 1) | (value > 4)),
                                 pl.format(_("「{}」应为 1 到 4 的整数"), n)))
        elif column.kind == "date":
            value = _date_expr(n)
            checks.append(_Check(column, "date", ~empty & value.is_null(),
                                 pl.format(_("「{}」不是可识别的日期：请写成 2016-09-01、2016/9/1 或 2016年9月1日"), n)))
            latest = date(2100, 12, 31) if column.future else today  # a plan's dates lie ahead
            checks.append(_Check(column, "date", (value < date(1900, 1, 1)) | (value > latest),
                                 pl.format(_("日期 {} 超出合理范围"), value.cast(pl.String))))
        elif column.kind == "region":
            by_code = n.str.contains(r"^\d{12}$")
            value = n.replace_strict(ctx.regions.by_spelling, default=None, return_dtype=pl.String)
            if "h_township_name" in ctx.mapping:  # 乡镇 and 行政村 in two columns: the village of that township
                within = (pl.col("n_h_township_name") + n).replace_strict(ctx.regions.by_spelling, default=None,
                                                                          return_dtype=pl.String)
                value = pl.coalesce(within, value)
            ambiguous = n.is_in(list(ctx.regions.ambiguous)) & value.is_null()
            if ctx.regions.any_level:
                messages = (_("有多个区域名为「{}」：请写“乡镇+村”名称或12位区划代码"),
                            _("在您的管辖范围内找不到区域「{}」"), _("区划代码 {} 不在您的管辖范围内"))
            else:
                messages = (_("有多个村(社区)名为「{}」：请写“乡镇+村”名称或12位区划代码"),
                            _("在您的管辖范围内找不到村(社区)「{}」"), _("区划代码 {} 不是您管辖范围内的村(社区)"))
            checks.append(_Check(column, "region_ambiguous", ambiguous, pl.format(messages[0], n)))
            checks.append(_Check(column, "region_unknown", ~empty & ~ambiguous & value.is_null() & ~by_code,
                                 pl.format(messages[1], n)))
            checks.append(_Check(column, "region_scope", ~empty & value.is_null() & by_code,
                                 pl.format(messages[2], n)))
        elif column.kind == "organization":
            units = ctx.organizations
            value = n.replace_strict(units.by_name, default=None, return_dtype=pl.Int64)
            ambiguous = n.is_in(list(units.ambiguous))
            checks.append(_Check(column, "organization_ambiguous", ambiguous,
                                 pl.format(_("您的管辖范围内有多个单位名为「{}」：请在单位页面核实"), n)))
            checks.append(_Check(column, "organization_unknown", ~empty & ~ambiguous & value.is_null(),
                                 pl.format(_("在您的管辖范围内找不到单位「{}」：请先导入单位名册或在单位页面添加，"
                                             "名称须与登记的一致"), n)))
            if column.org_kinds:
                kind = value.replace_strict(units.kind_of, default=None, return_dtype=pl.String)
                allowed = "、".join(str(label) for v, label in OrganizationKind.choices if v in column.org_kinds)
                checks.append(_Check(column, "organization_kind", value.is_not_null() & ~kind.is_in(column.org_kinds),
                                     pl.format(_("「{}」登记的类型不是%(k)s") % {"k": allowed}, n)))
            typed.append(value.replace_strict(units.region_of, default=None, return_dtype=pl.String)
                         .alias("__organization_region"))
        elif column.kind == "phone":
            # 13907721234, +86 139 0772 1234, 0772-8123456, (0772)8123456, 07728123456
            digits = n.str.replace_all(r"^(\+?86)(1\d{10})$", "$2").str.replace(r"^\((0\d{2,3})\)", "$1-")
            mobile = digits.str.contains(r"^1[3-9]\d{9}$")
            landline = digits.str.contains(r"^0\d{2,3}-?[2-9]\d{6,7}$")
            masked = n.str.contains(r"\*")  # 139****5678 from an export: keep the registered number
            value = pl.when(empty | masked).then(None).otherwise(digits)
            checks.append(_Check(column, "phone", ~empty & ~masked & ~mobile & ~landline,
                                 pl.format(_("「{}」不是有效的电话号码：手机号为以1开头的11位数字，固定电话须带区号，"
                                             "如 0772-8123456"), n)))
        elif column.kind == "bank_account":
            digits = n.str.replace_all(r"[-]", "")
            masked = n.str.contains(r"\*")  # ****0123 from an export: keep the registered account
            value = pl.when(empty | masked).then(None).otherwise(digits)
            scientific = n.str.contains(r"(?i)^\d(\.\d+)?E\+?\d+$")
            checks.append(_Check(column, "bank_account", scientific,
                                 pl.format(_("「{}」是被 Excel 改写成科学计数法的长数字，原账号已无法还原：请把该列设为"
                                             "文本格式后重新填写"), n)))
            checks.append(_Check(column, "bank_account", ~empty & ~masked & ~scientific
                                 & ~digits.str.contains(r"^\d{12,19}$"),
                                 pl.format(_("「{}」不是有效的银行账号：应为12到19位数字"), n)))
        elif column.kind == "id_number":
            # The number's parts are columns already (_id_parts): each is computed once, not once per check.
            idn, fmt_ok, born, expected = (pl.col(f"__id_{part}") for part in ("upper", "format", "birth", "check"))
            born_ok = born.is_not_null() & (born >= date(1890, 1, 1)) & (born <= today)
            masked = idn.str.contains(r"\*")
            checks.append(_Check(column, "id_format", masked,
                                 pl.lit(_("身份证号已打码(如导出的文件)，无法据此登记：请填写完整的身份证号"))))
            checks.append(_Check(column, "id_format", ~empty & ~masked & ~fmt_ok,
                                 pl.lit(_("身份证号应为18位：前17位数字，末位为数字或X"))))
            checks.append(_Check(column, "id_birth", fmt_ok & ~born_ok,
                                 pl.format(_("身份证号中的出生日期 {} 不是有效日期"), idn.str.slice(6, 8))))
            checks.append(_Check(column, "id_check", fmt_ok & born_ok & (idn.str.slice(17, 1) != expected),
                                 pl.format(_("身份证号校验位错误：末位应为 {}，填写的是 {}"), expected,
                                           idn.str.slice(17, 1))))
            value = idn  # a number refused in its cell is not staged (below, once the errors are known)
            typed.append(pl.when(idn.str.slice(16, 1).cast(pl.Int32, strict=False) % 2 == 1).then(pl.lit("male"))
                         .otherwise(pl.lit("female")).alias("__id_gender"))
        else:  # pragma: no cover - registers only use the kinds above
            raise ValueError(column.kind)
        typed.append(value.alias(column.key))
    frame = frame.with_columns(typed)
    frame, feeder_checks = _feed(frame, ctx)
    checks += feeder_checks
    if "__organization_region" in frame.columns:
        # A person's region, when the file gives none, is that of the unit or school.
        region = pl.col("p_region") if "p_region" in ctx.mapping else pl.lit(None, dtype=pl.String)
        frame = frame.with_columns(pl.coalesce(region, pl.col("__organization_region")).alias("p_region"))

    # Rules between columns of one row (bangfu.registry.services: _person_identity, model constraints).
    mapped = {c.key: c for c in ctx.mapped}
    if "p_id_number" in mapped:
        if "p_birth_date" in mapped:
            given = pl.col("p_birth_date")
            checks.append(_Check(mapped["p_birth_date"], "birth_mismatch",
                                 given.is_not_null() & pl.col("__id_birth").is_not_null()
                                 & (given != pl.col("__id_birth")),
                                 pl.format(_("出生日期 {} 与身份证号中的 {} 不一致"), given.cast(pl.String),
                                           pl.col("__id_birth").cast(pl.String))))
        if "p_gender" in mapped:
            checks.append(_Check(mapped["p_gender"], "gender_mismatch",
                                 pl.col("p_gender").is_not_null() & (pl.col("p_gender") != pl.col("__id_gender")),
                                 pl.lit(_("性别与身份证号(第17位)不一致"))))
    if "h_status" in mapped:
        exited_on = pl.col("h_exited_on") if "h_exited_on" in mapped else pl.lit(None, dtype=pl.Date)
        checks.append(_Check(mapped.get("h_exited_on", mapped["h_status"]), "rule",
                             (pl.col("h_status") == "exited") & exited_on.is_null(),
                             pl.lit(_("已脱贫户须填写脱贫日期"))))
    if "p_disability_category" in mapped:
        grade = pl.col("p_disability_grade") if "p_disability_grade" in mapped else pl.lit(None, dtype=pl.Int32)
        checks.append(_Check(mapped.get("p_disability_grade", mapped["p_disability_category"]), "rule",
                             pl.col("p_disability_category").is_not_null() & grade.is_null(),
                             pl.lit(_("填写了残疾类别时须填写残疾等级"))))

    errors = _collect_errors(frame, checks, ctx)
    if "p_id_number" in mapped and errors.height:
        # Only a valid number is hashed, encrypted and checked against the file and the registry.
        refused = errors.filter(pl.col("col") == ctx.mapping["p_id_number"]).get_column("row")
        if refused.len():
            frame = frame.with_columns(pl.when(pl.col("__row").is_in(refused.implode())).then(None)
                                       .otherwise(pl.col("p_id_number")).alias("p_id_number"))
    seq = pl.col(f"c{ctx.seq}").str.strip_chars() if ctx.seq is not None else pl.lit(None, dtype=pl.String)
    return frame.with_columns(seq.alias("__seq")), errors


def _feed(frame: pl.DataFrame, ctx: Context) -> tuple[pl.DataFrame, list[_Check]]:
    """The values one column gives another (Column.rest and Column.into), and the checks that the two
    agree when the file has both; the 县 and 乡镇 columns checked against the village."""
    mapped = {c.key: c for c in ctx.mapped}
    checks: list[_Check] = []
    out: list[pl.Expr] = []
    causes = []
    if "h_main_cause" in mapped:
        causes.append(pl.col("__rest_h_main_cause"))
    if "h_other_causes" in mapped:
        causes.append(pl.col("n_h_other_causes").str.split(",").list.eval(
            pl.element().str.replace_all(r"\s", "").replace_strict(choice_map(mapped["h_other_causes"].choices),
                                                                   default=None, return_dtype=pl.String))
            .list.drop_nulls())
    if causes:
        main = pl.col("h_main_cause") if "h_main_cause" in mapped else pl.lit(None, dtype=pl.String)
        every = pl.concat_list(causes).list.unique(maintain_order=True)
        other = every.list.set_difference(pl.concat_list(main.fill_null(""))) if len(causes) > 1 else every
        blank = pl.lit(True)
        for key in ("h_main_cause", "h_other_causes"):
            if key in mapped:
                blank = blank & (pl.col(f"n_{key}").str.len_bytes() == 0)
        out.append(pl.when(blank).then(None).otherwise(other.list.join(",")).alias("h_other_causes"))
    for key in ("h_dibao", "h_wubao"):
        if "h_dibao_wubao" not in mapped:
            continue
        flag = pl.col(f"__flag_{key}")
        if key in mapped:
            checks.append(_Check(mapped["h_dibao_wubao"], "rule", flag.is_not_null() & pl.col(key).is_not_null()
                                 & (flag != pl.col(key)),
                                 pl.lit(_("「%(a)s」与「%(b)s」不一致") % {"a": _(mapped["h_dibao_wubao"].header),
                                                                    "b": _(mapped[key].header)})))
            out.append(pl.coalesce(pl.col(key), flag).alias(key))
        else:
            out.append(flag.alias(key))
    if "p_in_school" in mapped:
        in_school = pl.col("p_in_school")
        from_flag = pl.when(in_school).then(pl.lit("enrolled")).when(~in_school).then(pl.lit("none"))
        if "p_schooling" in mapped:
            stage = pl.col("p_schooling")
            enrolled = ~stage.is_in(["none", "dropout"])
            checks.append(_Check(mapped["p_in_school"], "rule", stage.is_not_null() & in_school.is_not_null()
                                 & (in_school != enrolled),
                                 pl.lit(_("「是否在校生」与「在校生情况」不一致"))))
            out.append(pl.coalesce(stage, from_flag).alias("p_schooling"))
        else:
            out.append(from_flag.alias("p_schooling"))
    frame = frame.with_columns(out) if out else frame
    region = ctx.register.region_key if "region" in {c.kind for c in ctx.mapped} else None
    for key, names in (("h_county_name", ctx.regions.county_of), ("h_township_name", ctx.regions.township_of)):
        if key not in mapped or region is None:
            continue
        n = pl.col(f"n_{key}")
        village = pl.col(region)
        expected = village.replace_strict(names, default="", return_dtype=pl.String)
        checks.append(_Check(mapped[key], "region_mismatch", (n.str.len_bytes() > 0) & village.is_not_null()
                             & ~(village + "|" + n).is_in(list(ctx.regions.ancestors)),
                             pl.format(_("「{}」与所在村不符：该村属于{}"), n, expected)))
    return frame, checks


def _collect_errors(frame: pl.DataFrame, checks: list[_Check], ctx: Context) -> pl.DataFrame:
    if not checks:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    # Which checks fail where, as booleans over the whole batch; the messages (pl.format per row) only
    # for the rows with a failure: formatting every check's message for every row was half the time of
    # validating a clean batch.
    flags = frame.select(*[check.bad.fill_null(False).alias(f"b{i}") for i, check in enumerate(checks)])
    failing = flags.select(pl.any_horizontal(pl.all())).to_series()
    if not failing.any():
        return pl.DataFrame(schema=ERROR_SCHEMA)
    seq = (pl.col(f"c{ctx.seq}").str.strip_chars() if ctx.seq is not None and f"c{ctx.seq}" in frame.columns
           else pl.lit(None, dtype=pl.String))
    bad_rows = pl.concat([frame.filter(failing), flags.filter(failing)], how="horizontal")
    flags = bad_rows.select(
        pl.col("__row"), seq.alias("__seq"),
        *[pl.when(pl.col(f"b{i}")).then(check.message).otherwise(None).alias(f"e{i}")
          for i, check in enumerate(checks)],
    )
    parts = []
    for i, check in enumerate(checks):
        bad = flags.filter(pl.col(f"e{i}").is_not_null())
        if bad.height:
            parts.append(bad.select(
                pl.col("__row").alias("row"),
                pl.col("__seq").alias("seq"),
                pl.lit(ctx.mapping[check.column.key], dtype=pl.Int32).alias("col"),
                pl.lit(ctx.header(check.column)).alias("header"),
                pl.lit(check.kind).alias("kind"),
                pl.col(f"e{i}").alias("message"),
            ))
    if not parts:
        return pl.DataFrame(schema=ERROR_SCHEMA)
    # One message per cell: the first check that failed (required before format before agreement).
    return pl.concat(parts).unique(subset=["row", "col"], keep="first", maintain_order=True)


def mapping_guess(register: Register, headers: list[str]) -> dict[str, int]:
    """Columns matched to the file's headers by name and synonyms (spaces, full width ignored)."""
    normalized = [header_key(h) for h in headers]
    mapping: dict[str, int] = {}
    for column in register.columns:
        names = column.names
        for index, header in enumerate(normalized):
            if header and (header in names or header.rstrip("*") in names) and index not in mapping.values():
                mapping[column.key] = index
                break
    return mapping
