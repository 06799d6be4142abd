"""The registers offices keep in Excel, described once: columns, Chinese headers, synonyms.

A register is a list of columns; each column names the model field it fills (`target` and
`field`), how its text is read (`kind`) and the header the template shows. The same
description drives the downloadable template, the header mapping, the column-wise
validation (validation.py), the staging table and the upsert (writing.py).
"""

import unicodedata
from dataclasses import dataclass, field

from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from bangfu.registry.choices import (
    DisabilityCategory,
    Education,
    Gender,
    Health,
    HouseholdStatus,
    MonitoringCategory,
    PovertyCause,
    Relation,
    Schooling,
    WorkAbility,
)

# Variants offices write for the labels in bangfu/registry/choices.py (label → code is added
# automatically, so only the extra spellings are listed here).
VARIANTS: dict[type[models.TextChoices], dict[str, str]] = {
    Gender: {"男性": "male", "女性": "female", "M": "male", "F": "female"},
    HouseholdStatus: {"贫困户": "poor", "脱贫户": "exited", "已脱贫户": "exited", "脱贫": "exited",
                      "监测户": "monitored", "防返贫监测对象": "monitored", "一般户": "not_poor", "非贫困户": "not_poor"},
    MonitoringCategory: {"脱贫不稳定": "unstable", "边缘易致贫": "marginal", "突发严重困难": "sudden",
                         "边缘户": "marginal", "不稳定户": "unstable"},
    PovertyCause: {"病": "illness", "残": "disability", "学": "schooling", "灾": "disaster", "因病致贫": "illness",
                   "因残致贫": "disability", "因学致贫": "schooling", "因灾致贫": "disaster", "缺劳动力": "labour",
                   "交通落后": "transport", "交通条件落后": "transport", "缺发展动力": "motivation",
                   "自身发展动力不足": "motivation", "缺技能": "skills"},
    Relation: {"本人": "head", "户主本人": "head", "妻": "spouse", "夫": "spouse", "妻子": "spouse", "丈夫": "spouse",
               "子": "child", "女": "child", "儿子": "child", "女儿": "child", "之子": "child", "之女": "child",
               "长子": "child", "次子": "child", "长女": "child", "次女": "child", "儿媳": "child_in_law",
               "女婿": "child_in_law", "孙子": "grandchild", "孙女": "grandchild", "外孙子": "grandchild",
               "外孙女": "grandchild", "孙子女": "grandchild", "父亲": "parent", "母亲": "parent", "父": "parent",
               "母": "parent", "祖父": "grandparent", "祖母": "grandparent", "兄": "sibling", "弟": "sibling",
               "姐": "sibling", "妹": "sibling", "兄弟": "sibling", "姐妹": "sibling", "其他亲属": "other"},
    Education: {"学龄前": "preschool", "文盲": "illiterate", "半文盲": "illiterate", "文盲半文盲": "illiterate",
                "中专": "vocational", "职高": "vocational", "本科": "bachelor", "研究生": "bachelor",
                "大学本科": "bachelor", "大学专科": "college"},
    Schooling: {"否": "none", "非在校": "none", "": "none", "学前": "preschool", "小学": "primary",
                "初中": "junior", "高中": "senior", "中职": "vocational", "高职": "college", "大专在读": "college",
                "大学": "university", "本科在读": "university"},
    Health: {"长期慢性病": "chronic", "慢性病": "chronic", "大病": "serious", "患大病": "serious", "残疾": "disabled"},
    DisabilityCategory: {"视力": "visual", "听力": "hearing", "言语": "speech", "肢体": "physical", "智力": "intellectual",
                         "精神": "mental", "多重": "multiple"},
    WorkAbility: {"有": "able", "有劳动力": "able", "普通劳动力": "able", "技能劳动力": "able", "弱": "weak",
                  "弱劳动力": "weak", "半劳动力": "weak", "弱劳动力或半劳动力": "weak", "丧失": "unable",
                  "丧失劳动能力": "unable", "无": "none", "无劳动能力": "none"},
}


def normalize_text(value: str) -> str:
    """Full-width to half-width (NFKC) and no spaces: what headers and choices are compared on."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


def choice_map(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling → code: the codes themselves, the Chinese labels (whatever language
    the user reads the pages in: the registers are written in Chinese), the labels in the user's
    language (so that their own exports read back), the variants."""
    mapping = {c.value: c.value for c in choices}
    labels = list(choices.choices)
    with translation.override("zh-hans"):
        labels = [(value, str(label)) for value, label in labels] + labels
    for value, label in labels:
        mapping.setdefault(normalize_text(str(label)), value)
        # "儿媳/女婿" also accepts each side of the slash
        for part in str(label).split("/"):
            mapping.setdefault(normalize_text(part), value)
    for spelling, value in VARIANTS.get(choices, {}).items():
        mapping[normalize_text(spelling)] = value
    return {k: v for k, v in mapping.items() if k}


@dataclass(frozen=True)
class Column:
    target: str  # "household" or "person"
    field: str  # the model field it fills
    header: str  # the template's header
    kind: str  # text / id_number / phone / bank_account / date / choice / bool / money / int / region / ethnicity
    synonyms: tuple[str, ...] = ()
    required: bool = False
    choices: type[models.TextChoices] | None = None
    example: str = ""
    max_length: int | None = None
    help: object = ""

    @property
    def key(self) -> str:
        """The column's name in polars frames and staging tables: h_number, p_name."""
        return f"{self.target[0]}_{self.field}"

    @property
    def names(self) -> set[str]:
        return {normalize_text(n) for n in (self.header, *self.synonyms)}


PHONE_NAMES = ("联系电话", "手机号", "电话", "手机号码", "手机", "联系方式", "电话号码")


def _phone_column(target: str) -> Column:
    return Column(target, "phone", PHONE_NAMES[0], "phone", PHONE_NAMES[1:], example="13907721234",
                  help=_("11位手机号，或带区号的固定电话(如 0772-8123456)"))


def _bank_columns() -> list[Column]:
    return [
        Column("household", "bank_name", "开户银行", "text", ("开户行", "银行名称", "开户银行名称"), example="融安县农村信用合作联社",
               max_length=60),
        Column("household", "bank_account", "银行账号", "bank_account", ("银行卡号", "一卡通账号", "一卡通", "银行帐号",
                                                                          "社保卡号(一卡通)", "惠民一卡通账号"),
               example="6228480000000000000", help=_("12到19位数字，可带空格；请把该列设为文本格式，以免 Excel 改写长数字")),
    ]


def _household_columns(*, required_region: bool = True) -> list[Column]:
    return [
        Column("household", "number", "户编号", "text", ("户号", "户编码", "家庭编号"), required=True,
               example="4502241012010001", max_length=20),
        Column("household", "region", "所在村", "region", ("村", "村(社区)", "所在村(社区)", "行政村", "村名", "区划代码",
                                                          "所在区域", "村委"), required=required_region,
               example="长安镇大巷村", help=_("12位区划代码，或村(社区)名称；重名时写“乡镇+村”")),
        Column("household", "address", "住址", "text", ("家庭住址", "地址", "详细地址"), example="东门街12号",
               max_length=200),
        Column("household", "status", "户状态", "choice", ("贫困户状态", "户类型", "脱贫状态"), choices=HouseholdStatus,
               example="已脱贫"),
        Column("household", "identified_on", "识别日期", "date", ("识别(纳入)日期", "纳入日期", "建档立卡日期", "识别时间"),
               example="2016年9月1日"),
        Column("household", "exited_on", "脱贫日期", "date", ("脱贫时间", "脱贫年度日期"), example="2019-12-20"),
        Column("household", "monitoring_category", "监测对象类别", "choice", ("监测类型", "监测对象类型"),
               choices=MonitoringCategory),
        Column("household", "main_cause", "主要致贫原因", "choice", ("致贫原因", "主要致贫原因(单选)"), choices=PovertyCause,
               example="因病"),
        Column("household", "dibao", "低保户", "bool", ("是否低保", "是否低保户", "低保"), example="否"),
        Column("household", "wubao", "五保户", "bool", ("是否五保", "是否五保户", "五保"), example="否"),
        Column("household", "tekun", "特困供养", "bool", ("是否特困", "特困", "特困供养户"), example="否"),
        Column("household", "wage_income", "工资性收入", "money", ("工资性收入(元)", "务工收入"), example="12000"),
        Column("household", "production_income", "生产经营性收入", "money", ("生产经营性收入(元)", "经营性收入"),
               example="3500"),
        Column("household", "property_income", "财产性收入", "money", ("财产性收入(元)",), example="0"),
        Column("household", "transfer_income", "转移性收入", "money", ("转移性收入(元)", "政策性收入"), example="2400"),
    ]


def _member_columns() -> list[Column]:
    return [
        Column("person", "name", "姓名", "text", ("成员姓名", "家庭成员姓名", "名字"), required=True, example="覃桂英",
               max_length=40),
        Column("person", "id_number", "身份证号", "id_number", ("身份证号码", "公民身份号码", "证件号码", "身份证"),
               required=True, example="450224198005170220"),
        Column("person", "relation", "与户主关系", "choice", ("关系", "与户主的关系", "家庭关系"), required=True,
               choices=Relation, example="户主"),
        Column("person", "gender", "性别", "choice", (), choices=Gender, example="女"),
        Column("person", "birth_date", "出生日期", "date", ("出生年月日", "生日"), example="1980-05-17"),
        Column("person", "ethnicity", "民族", "ethnicity", (), example="壮族"),
        Column("person", "education", "文化程度", "choice", ("学历",), choices=Education, example="初中"),
        Column("person", "schooling", "在校生情况", "choice", ("在校生状况", "在校情况"), choices=Schooling, example="非在校生"),
        Column("person", "health", "健康状况", "choice", ("健康情况",), choices=Health, example="健康"),
        Column("person", "work_ability", "劳动能力", "choice", ("劳动技能", "劳动力状况"), choices=WorkAbility,
               example="有劳动能力"),
        Column("person", "disability_category", "残疾类别", "choice", ("残疾类型",), choices=DisabilityCategory),
        Column("person", "disability_grade", "残疾等级", "int", ("残疾级别",)),
        _phone_column("person"),
    ]


@dataclass(frozen=True)
class Register:
    key: str
    title: object  # lazy translation
    columns: list[Column] = field(default_factory=list)

    @property
    def targets(self) -> set[str]:
        return {c.target for c in self.columns}

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


REGISTERS: dict[str, Register] = {
    "members": Register("members", _("家庭成员信息表"), [*_household_columns()[:2], *_member_columns(),
                                                              *_household_columns()[2:], *_bank_columns()]),
    "households": Register("households", _("建档立卡户台账"), [
        *_household_columns(),
        _phone_column("household"),
        *_bank_columns()]),
}


def register_get(key: str) -> Register:
    from bangfu.errors import ValidationError

    if key not in REGISTERS:
        raise ValidationError(_("没有名为 %(k)s 的台账，可用：%(all)s") % {"k": key, "all": "、".join(REGISTERS)},
                              field="register")
    return REGISTERS[key]
