"""The registers offices keep in Excel, described once: columns, Chinese headers, synonyms.

A register is a list of columns; each column names the model field it fills (`target` and
`field`), how its text is read (`kind`) and the header the template shows. The same
description drives the downloadable template, the header mapping, the column-wise
validation (validation.py), the staging table and the upsert (upsert.py; records.py for the
registers of persons without a household and of organizations).
"""

import unicodedata
from dataclasses import dataclass, field

from django.conf import settings
from django.db import models
from django.utils import translation
from django.utils.translation import gettext_lazy as _
from django.utils.translation import gettext_noop

from bangfu.registry.choices import (
    CadreRank,
    DisabilityCategory,
    Education,
    Gender,
    Health,
    HouseholdStatus,
    MonitoringCategory,
    OrganizationKind,
    PersonKind,
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
    Relation: {},  # RELATION_SPELLINGS below
    Education: {"学龄前": "preschool", "文盲": "illiterate", "半文盲": "illiterate", "文盲半文盲": "illiterate",
                "中专": "vocational", "职高": "vocational", "本科": "bachelor", "研究生": "bachelor",
                "大学本科": "bachelor", "大学专科": "college"},
    Schooling: {"否": "none", "非在校": "none", "": "none", "学前": "preschool", "小学": "primary",
                "初中": "junior", "高中": "senior", "中职": "vocational", "高职": "college", "大专在读": "college",
                "大学": "university", "本科在读": "university"},
    Health: {"长期慢性病": "chronic", "慢性病": "chronic", "大病": "serious", "患大病": "serious", "残疾": "disabled"},
    DisabilityCategory: {"视力": "visual", "听力": "hearing", "言语": "speech", "肢体": "physical", "智力": "intellectual",
                         "精神": "mental", "多重": "multiple"},
    CadreRank: {"县领导": "county_leader", "县级干部": "county_leader", "县处级": "division", "处级": "division",
                "正处级": "division", "副处级": "division", "正科级": "section", "正科": "section", "科级": "section",
                "副科": "deputy_section", "副科级": "deputy_section", "科员": "staff", "办事员": "staff",
                "一般干部": "staff", "普通干部": "staff"},
    OrganizationKind: {"机关": "government", "机关单位": "government", "事业单位": "government", "行政机关": "government",
                       "党政机关": "government", "小学": "school", "中学": "school", "初中": "school", "高中": "school",
                       "中心校": "school", "企业": "company", "公司": "company", "村委会": "village_committee",
                       "居委会": "village_committee", "村民委员会": "village_committee", "社区": "village_committee",
                       "协会": "social", "社会团体": "social"},
    WorkAbility: {"有": "able", "有劳动力": "able", "普通劳动力": "able", "技能劳动力": "able", "弱": "weak",
                  "弱劳动力": "weak", "半劳动力": "weak", "弱劳动力或半劳动力": "weak", "丧失": "unable",
                  "丧失劳动能力": "unable", "无": "none", "无劳动能力": "none"},
}


# The relationship list of the 建档立卡 system, as the offices write it ("之子": the head's son), each
# with the value stored. Each is accepted with and without the 之; the template's 填写说明 lists them.
OFFICE_RELATIONS: dict[str, str] = {
    "户主": "head", "配偶": "spouse", "之子": "child", "之女": "child", "之儿媳": "child_in_law",
    "之女婿": "child_in_law", "之孙子": "grandchild", "之孙女": "grandchild", "之外孙子": "grandchild",
    "之外孙女": "grandchild", "之父": "parent", "之母": "parent", "之岳父": "parent_in_law",
    "之岳母": "parent_in_law", "之公公": "parent_in_law", "之婆婆": "parent_in_law", "之祖父": "grandparent",
    "之祖母": "grandparent", "之兄弟姐妹": "sibling", "之曾孙子女": "great_grandchild", "其他": "other",
}
# Other spellings seen in ledgers (also with and without 之).
RELATION_VARIANTS: dict[str, str] = {
    "本人": "head", "户主本人": "head", "妻": "spouse", "夫": "spouse", "妻子": "spouse", "丈夫": "spouse",
    "儿子": "child", "女儿": "child", "长子": "child", "次子": "child", "三子": "child", "长女": "child",
    "次女": "child", "三女": "child", "养子": "child", "养女": "child", "继子": "child", "继女": "child",
    "子女": "child", "儿媳妇": "child_in_law", "媳妇": "child_in_law", "孙子女": "grandchild",
    "外孙子女": "grandchild", "外孙": "grandchild", "孙": "grandchild", "父亲": "parent", "母亲": "parent",
    "父母": "parent", "岳父母": "parent_in_law", "公婆": "parent_in_law", "外祖父": "grandparent",
    "外祖母": "grandparent", "爷爷": "grandparent", "奶奶": "grandparent", "外公": "grandparent",
    "外婆": "grandparent", "祖父母": "grandparent", "兄": "sibling", "弟": "sibling", "姐": "sibling",
    "妹": "sibling", "哥哥": "sibling", "弟弟": "sibling", "姐姐": "sibling", "妹妹": "sibling", "兄弟": "sibling",
    "姐妹": "sibling", "曾孙": "great_grandchild", "曾孙子": "great_grandchild", "曾孙女": "great_grandchild",
    "曾外孙子": "great_grandchild", "曾外孙女": "great_grandchild", "其他亲属": "other", "其它": "other",
    "非亲属": "other",
}


def _relation_spellings() -> dict[str, str]:
    out = {}
    for spelling, value in {**OFFICE_RELATIONS, **RELATION_VARIANTS}.items():
        bare = spelling.removeprefix("之")
        out[bare] = out["之" + bare] = value
    return out


VARIANTS[Relation] = _relation_spellings()


def normalize_text(value: str) -> str:
    """Full-width to half-width (NFKC) and no spaces: what headers and choices are compared on."""
    return "".join(unicodedata.normalize("NFKC", value or "").split())


def header_key(value: str) -> str:
    """A header as it is compared: normalised and without case ("ID Number" = "ID number")."""
    return normalize_text(value).casefold()


def _in_every_language(labels: list[tuple[str, object]]) -> list[tuple[str, str]]:
    """(value, label) in each language the pages offer — Chinese first — then in the active one."""
    def text(label) -> str:  # a plain string is looked up in the catalog; a lazy one translates itself
        return translation.gettext(label) if isinstance(label, str) else str(label)

    out = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            out += [(value, text(label)) for value, label in labels]
    return out + [(value, text(label)) for value, label in labels]


def choice_map(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every accepted spelling → code: the codes themselves, the labels in every language the pages
    offer, whatever language the user reads them in (the registers are written in Chinese, and a
    register exported while the pages were in English carries English labels), the variants."""
    mapping = {c.value: c.value for c in choices}
    labels = _in_every_language(list(choices.choices))
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
    target: str  # "household", "person" or "organization"
    field: str  # the model field it fills
    header: str  # the template's header (Chinese; marked for the English catalog)
    kind: str  # text / id_number / phone / bank_account / date / choice / bool / money / int / region / ethnicity
    # / organization (a unit or school given by name)
    synonyms: tuple[str, ...] = ()
    required: bool = False
    choices: type[models.TextChoices] | None = None
    example: str = ""
    max_length: int | None = None
    help: object = ""
    future: bool = False  # a date column that may lie ahead (a measure's planned date)
    org_kinds: tuple[str, ...] = ()  # kind "organization": the unit must be of one of these kinds
    # A set-valued cell ("因病、缺劳力"): split on 、，,；;/ and spaces. With `rest`, the first value is this
    # column's and the others go to the column keyed `rest` (主要致贫原因 → 其他致贫原因).
    multi: bool = False
    rest: str = ""
    # A column that is not stored itself but gives the values of others (是否在校生 → 在校生情况;
    # a combined 低保/五保 column → 低保户 and 五保户); a column of kind "region_check" (县, 乡镇
    # beside 行政村) is only compared with the village.
    into: tuple[str, ...] = ()

    @property
    def key(self) -> str:
        """The column's name in polars frames and staging tables: h_number, p_name, o_name."""
        return f"{self.target[0]}_{self.field}"

    @property
    def names(self) -> set[str]:
        """The header keys this column answers to: its header and synonyms in Chinese and as the
        catalog translates them (an English export's headers), whatever language is active."""
        spellings = (self.header, *self.synonyms)
        return {header_key(name) for _value, name in _in_every_language([(None, s) for s in spellings])
                if name} | {header_key(s) for s in spellings}


PHONE_NAMES = (gettext_noop("联系电话"), "手机号", "电话", "手机号码", "手机", "联系方式", "电话号码")


def _phone_column(target: str, field: str = "phone", more: tuple[str, ...] = ()) -> Column:
    return Column(target, field, PHONE_NAMES[0], "phone", PHONE_NAMES[1:] + more, example="13907721234",
                  help=_("11位手机号，或带区号的固定电话(如 0772-8123456)"))


def _bank_columns() -> list[Column]:
    return [
        Column("household", "bank_name", gettext_noop("开户银行"), "text", ("开户行", "银行名称", "开户银行名称"), example="融安县农村信用合作联社",
               max_length=60),
        Column("household", "bank_account", gettext_noop("银行账号"), "bank_account", ("银行卡号", "一卡通账号", "一卡通", "银行帐号",
                                                                          "社保卡号(一卡通)", "惠民一卡通账号"),
               example="6228480000000000000", help=_("12到19位数字，可带空格；请把该列设为文本格式，以免 Excel 改写长数字")),
    ]


def _household_columns(*, required_region: bool = True) -> list[Column]:
    return [
        Column("household", "number", gettext_noop("户编号"), "text", ("户号", "户编码", "家庭编号"), required=True,
               example="4502241012010001", max_length=20),
        Column("household", "region", gettext_noop("所在村"), "region", ("村", "村(社区)", "所在村(社区)", "行政村", "村名", "区划代码",
                                                          "所在区域", "村委"), required=required_region,
               example="长安镇大巷村", help=_("12位区划代码，或村(社区)名称；重名时写“乡镇+村”")),
        Column("household", "county_name", gettext_noop("县"), "region_check", ("县(区)", "县区", "县(市、区)", "所在县", "区县",
                                                                      "县(市)", "县名"), into=("h_region",),
               help=_("可不填；填写时须与所在村一致")),
        Column("household", "township_name", gettext_noop("乡镇"), "region_check", ("乡(镇)", "乡镇(街道)", "所在乡镇", "镇",
                                                                          "乡", "乡镇名称", "镇(乡)"),
               into=("h_region",), help=_("可不填；填写时须与所在村一致，村名重名时用它区分")),
        Column("household", "address", gettext_noop("住址"), "text", ("家庭住址", "地址", "详细地址"), example="东门街12号",
               max_length=200),
        Column("household", "status", gettext_noop("户状态"), "choice", ("贫困户状态", "户类型", "脱贫状态"), choices=HouseholdStatus,
               example="已脱贫"),
        Column("household", "identified_on", gettext_noop("识别日期"), "date", ("识别(纳入)日期", "纳入日期", "建档立卡日期", "识别时间"),
               example="2016年9月1日"),
        Column("household", "exited_on", gettext_noop("脱贫日期"), "date", ("脱贫时间", "脱贫年度日期"), example="2019-12-20"),
        Column("household", "monitoring_category", gettext_noop("监测对象类别"), "choice", ("监测类型", "监测对象类型"),
               choices=MonitoringCategory),
        Column("household", "main_cause", gettext_noop("主要致贫原因"), "choice", ("致贫原因", "主要致贫原因(单选)"),
               choices=PovertyCause, example="因病", multi=True, rest="h_other_causes",
               help=_("可填多个，以顿号、逗号或空格分隔：第一个为主要致贫原因，其余记为其他致贫原因")),
        Column("household", "other_causes", gettext_noop("其他致贫原因"), "choice", ("次要致贫原因", "其它致贫原因"),
               choices=PovertyCause, multi=True, help=_("可填多个，以顿号、逗号或空格分隔")),
        Column("household", "dibao", gettext_noop("低保户"), "bool", ("是否低保", "是否低保户", "低保"), example="否"),
        Column("household", "wubao", gettext_noop("五保户"), "bool", ("是否五保", "是否五保户", "五保"), example="否"),
        Column("household", "dibao_wubao", gettext_noop("低保/五保"), "flags",
               ("低保五保", "是否低保五保", "是否低保/五保", "低保五保户", "低保/五保户", "低保、五保", "享受低保五保情况",
                "低保五保情况", "兜底保障"),
               into=("h_dibao", "h_wubao"), help=_("低保、五保、低保、五保 或 否：一列填写两项，代替“低保户”“五保户”两列")),
        Column("household", "tekun", gettext_noop("特困供养"), "bool", ("是否特困", "特困", "特困供养户"), example="否"),
        Column("household", "wage_income", gettext_noop("工资性收入"), "money", ("工资性收入(元)", "务工收入"), example="12000"),
        Column("household", "production_income", gettext_noop("生产经营性收入"), "money", ("生产经营性收入(元)", "经营性收入"),
               example="3500"),
        Column("household", "property_income", gettext_noop("财产性收入"), "money", ("财产性收入(元)",), example="0"),
        Column("household", "transfer_income", gettext_noop("转移性收入"), "money", ("转移性收入(元)", "政策性收入"), example="2400"),
    ]


def _member_columns() -> list[Column]:
    return [
        Column("person", "name", gettext_noop("姓名"), "text", ("成员姓名", "家庭成员姓名", "名字"), required=True, example="覃桂英",
               max_length=40),
        Column("person", "id_number", gettext_noop("身份证号"), "id_number", ("身份证号码", "公民身份号码", "证件号码", "身份证"),
               required=True, example="450224198005170220"),
        Column("person", "relation", gettext_noop("与户主关系"), "choice", ("关系", "与户主的关系", "家庭关系"), required=True,
               choices=Relation, example="户主"),
        Column("person", "gender", gettext_noop("性别"), "choice", (), choices=Gender, example="女"),
        Column("person", "birth_date", gettext_noop("出生日期"), "date", ("出生年月日", "生日"), example="1980-05-17"),
        Column("person", "ethnicity", gettext_noop("民族"), "ethnicity", (), example="壮族"),
        Column("person", "education", gettext_noop("文化程度"), "choice", ("学历",), choices=Education, example="初中"),
        Column("person", "schooling", gettext_noop("在校生情况"), "choice", ("在校生状况", "在校情况", "在校生类别"),
               choices=Schooling, example="非在校生"),
        Column("person", "in_school", gettext_noop("是否在校生"), "bool", ("是否在校", "在校生"), into=("p_schooling",),
               help=_("是 / 否；与“在校生情况”同填时须一致，只填此列时记为“在校生(学段未填)”或“非在校生”")),
        Column("person", "health", gettext_noop("健康状况"), "choice", ("健康情况",), choices=Health, example="健康"),
        Column("person", "work_ability", gettext_noop("劳动能力"), "choice", ("劳动技能", "劳动力状况"), choices=WorkAbility,
               example="有劳动能力"),
        Column("person", "disability_category", gettext_noop("残疾类别"), "choice", ("残疾类型",), choices=DisabilityCategory),
        Column("person", "disability_grade", gettext_noop("残疾等级"), "int", ("残疾级别",)),
        _phone_column("person"),
    ]


# Registers of persons outside households (cadres, teachers, students) and of organizations. --------

SCHOOL_KINDS = (OrganizationKind.SCHOOL.value, OrganizationKind.KINDERGARTEN.value)
UNIT_NAMES = ("单位", "单位名称", "所在单位", "工作单位/学校")  # the last: the person list's export


def _identity_columns(example: tuple[str, str, str], *name_synonyms: str) -> list[Column]:
    name, id_number, gender = example
    return [
        Column("person", "name", gettext_noop("姓名"), "text", ("名字", *name_synonyms), required=True, example=name,
               max_length=40),
        Column("person", "id_number", gettext_noop("身份证号"), "id_number", ("身份证号码", "公民身份号码", "证件号码", "身份证"),
               required=True, example=id_number),
        Column("person", "gender", gettext_noop("性别"), "choice", (), choices=Gender, example=gender),
        Column("person", "ethnicity", gettext_noop("民族"), "ethnicity", (), example="壮族"),
    ]


def _person_region_column(example: str) -> Column:
    return Column("person", "region", gettext_noop("所在区域"), "region", ("区划代码", "所在地", "所在乡镇", "所在村", "所在村(社区)",
                                                           "区域"), example=example,
                  help=_("12位区划代码，或县、乡镇、村(社区)名称；不填时取单位(学校)所在区域"))


def _school_column() -> Column:
    return Column("person", "organization", gettext_noop("学校"), "organization", ("所在学校", "学校名称", "就读学校", "任教学校",
                                                                        *UNIT_NAMES), required=True,
                  example="融安县长安镇中心小学", org_kinds=SCHOOL_KINDS,
                  help=_("学校的名称，与单位名册中的名称一致"))


def _cadre_columns() -> list[Column]:
    return [
        *_identity_columns(("韦志明", "450224197908230090", "男"), "帮扶责任人", "帮扶责任人姓名", "帮扶人", "干部姓名"),
        Column("person", "organization", gettext_noop("工作单位"), "organization", ("帮扶单位", "派出单位", *UNIT_NAMES),
               required=True, example="融安县农业农村局", help=_("单位的名称，与单位名册中的名称一致")),
        Column("person", "position", gettext_noop("职务"), "text", ("现任职务", "职位"), example="副局长", max_length=60),
        Column("person", "rank", gettext_noop("职级"), "choice", ("级别", "干部职级", "职级(级别)"), choices=CadreRank,
               example="科级干部"),
        _phone_column("person"),
        _person_region_column("融安县"),
    ]


def _teacher_columns() -> list[Column]:
    return [
        *_identity_columns(("覃丽华", "45022419850312004X", "女"), "教师姓名"),
        _school_column(),
        Column("person", "subject", gettext_noop("任教学科"), "text", ("学科", "所教学科", "任教科目", "科目"), example="数学",
               max_length=20),
        Column("person", "position", gettext_noop("职务"), "text", ("职称/职务", "职务/职称", "职称"), example="教导主任",
               max_length=60),
        _phone_column("person"),
        _person_region_column("长安镇"),
    ]


def _student_columns() -> list[Column]:
    return [
        *_identity_columns(("覃小燕", "450224201509060142", "女"), "学生姓名"),
        _school_column(),
        Column("person", "grade_level", gettext_noop("年级"), "text", ("所在年级", "就读年级"), example="四年级", max_length=10),
        Column("person", "class_name", gettext_noop("班级"), "text", ("所在班级", "就读班级", "班别"), example="2班", max_length=20),
        Column("person", "left_behind", gettext_noop("留守儿童"), "bool", ("是否留守儿童", "留守"), example="是"),
        Column("person", "orphan", gettext_noop("孤儿"), "bool", ("是否孤儿",), example="否"),
        Column("person", "struggling", gettext_noop("学困生"), "bool", ("是否学困生",), example="否"),
        # A child's contact number is its guardian's; the registry has no place for the guardian's name.
        _phone_column("person", more=("监护人电话", "监护人联系电话", "监护人手机", "家长电话", "家长联系电话")),
        _person_region_column("长安镇大巷村"),
        Column("person", "address", gettext_noop("住址"), "text", ("家庭住址", "地址", "详细地址"), example="大巷村3组",
               max_length=200),
    ]


def _organization_columns() -> list[Column]:
    return [
        Column("organization", "name", gettext_noop("名称"), "text", ("单位名称", "单位", "学校名称", "机构名称"), required=True,
               example="融安县长安镇中心小学", max_length=100),
        Column("organization", "kind", gettext_noop("类型"), "choice", ("单位类型", "单位性质", "机构类型", "类别"), required=True,
               choices=OrganizationKind, example="学校"),
        Column("organization", "region", gettext_noop("所在区域"), "region", ("区划代码", "所在地", "所在地区", "所在乡镇", "所在村",
                                                                   "区域"), required=True, example="长安镇",
               help=_("12位区划代码，或县、乡镇、村(社区)名称")),
        Column("organization", "address", gettext_noop("地址"), "text", ("详细地址", "单位地址", "住址"), example="长安镇东门街8号",
               max_length=200),
        Column("organization", "contact_name", gettext_noop("联系人"), "text", ("负责人", "联系人姓名"), example="覃海燕",
               max_length=40),
        _phone_column("organization", "contact_phone"),
    ]


def _measure_columns() -> list[Column]:
    """帮扶措施(一户一策)台账: one planned measure a row, for a household registered in the scope."""
    from bangfu.measures.models import MeasureCategory

    return [
        Column("measure", "household", gettext_noop("户编号"), "text", ("户号", "户编码", "家庭编号"), required=True,
               example="4502241012010001", max_length=20, help=_("已登记的建档立卡户的户编号")),
        Column("measure", "category", gettext_noop("措施类别"), "choice", ("帮扶措施类别", "类别", "措施类型"), required=True,
               choices=MeasureCategory, example="产业"),
        Column("measure", "description", gettext_noop("措施内容"), "text", ("帮扶措施", "具体措施", "措施"), required=True,
               example="发展滑皮金桔种植 5 亩", max_length=200),
        Column("measure", "planned_on", gettext_noop("计划落实日期"), "date", ("计划完成时间", "计划时间", "落实时限"),
               required=True, example="2026-04-30", future=True),
        Column("measure", "helper", gettext_noop("责任人身份证号"), "id_number", ("帮扶责任人身份证号",),
               example="450224197908230090", help=_("已登记的帮扶责任人的身份证号；可不填")),
        Column("measure", "unit", gettext_noop("责任单位"), "organization", ("帮扶单位",), example="融安县农业农村局",
               help=_("单位的名称，与单位名册中的名称一致；可不填")),
        Column("measure", "amount", gettext_noop("金额(元)"), "money", ("金额", "资金(元)", "投入资金"), example="5000"),
        Column("measure", "expected_income", gettext_noop("预期增收(元/年)"), "money", ("预期增收", "预计增收(元)"),
               example="6000"),
    ]


# Lists of other departments for cross-checks (数据比对, bangfu.crosschecks): a person's name, ID number
# and region, and what the list says of them (a unit, a plate number, a company, an address, a date).
# Their rows become list entries, keyed on county, list and the keyed hash of the ID number, never persons.
LIST_DETAILS = {
    "civil_servant": (gettext_noop("工作单位"), ("单位", "单位名称", "所在单位", "工作单位及职务", "职务"), "融安县农业农村局"),
    "vehicle": (gettext_noop("号牌号码"), ("车牌号", "车牌号码", "号牌", "车辆号牌"), "桂B12345"),
    "business": (gettext_noop("企业名称"), ("市场主体名称", "字号名称", "企业(字号)名称", "公司名称", "个体工商户名称"),
                 "融安县某某商贸有限公司"),
    "housing": (gettext_noop("房屋坐落"), ("房屋地址", "坐落", "楼盘名称", "房产坐落"), "柳州市城中区某小区3栋"),
    "death": (gettext_noop("死亡日期"), ("死亡时间", "注销日期", "注销时间"), "2025-03-02"),
    "dibao": (gettext_noop("保障类别"), ("救助类别", "低保类别", "类别", "保障类型"), "城乡低保"),
}


def _list_columns(source: str) -> list[Column]:
    header, synonyms, example = LIST_DETAILS[source]
    return [
        Column("person", "name", gettext_noop("姓名"), "text", ("名字", "户主姓名", "人员姓名", "车主姓名", "法定代表人",
                                                              "经营者姓名", "购房人", "死者姓名"), required=True,
               example="覃桂英", max_length=40),
        Column("person", "id_number", gettext_noop("身份证号"), "id_number", ("身份证号码", "公民身份号码", "证件号码",
                                                                          "身份证"), required=True,
               example="450224198005170220"),
        Column("person", "region", gettext_noop("所在区域"), "region", ("区划代码", "所在地", "户籍地", "所在乡镇", "所在村",
                                                                     "区域"), required=True, example="融安县",
               help=_("12位区划代码，或县、乡镇、村(社区)名称：名单与该区域内的建档立卡户成员比对")),
        Column("person", "detail", header, "text", synonyms, example=example, max_length=200),
    ]


@dataclass(frozen=True)
class Register:
    key: str
    title: object  # lazy translation
    columns: list[Column] = field(default_factory=list)
    person_kind: str = ""  # the Person.kind a register of persons without a household gives them
    any_region: bool = False  # its region column takes a county, township or village (else villages only)
    list_source: str = ""  # a cross-check list (bangfu.crosschecks ListSource): its rows are list entries

    @property
    def targets(self) -> set[str]:
        return {c.target for c in self.columns}

    @property
    def stored(self) -> list[Column]:
        """The columns with a place in the staging table (not those that only feed or check others)."""
        return [c for c in self.columns if not c.into]

    def given(self, mapped) -> set[str]:
        """The stored columns a file with these columns gives values for: the mapped ones, those the
        mapped columns feed (是否在校生 → p_schooling) and take the rest of (h_main_cause → h_other_causes)."""
        out = set(mapped)
        for column in self.columns:
            if column.key in out and column.kind != "region_check":
                out.update(column.into)
                if column.rest:
                    out.add(column.rest)
        return out

    @property
    def record(self) -> str:
        """What one record of the register is: a household (with its members), a person or an organization."""
        if self.list_source:
            return "entry"
        return "household" if "household" in self.targets else self.columns[0].target

    @property
    def region_key(self) -> str:
        return next(c.key for c in self.columns if c.kind == "region")

    @property
    def county_key(self) -> str:
        """The stage column holding the county code, taken from the region column."""
        return f"{self.region_key[0]}_county_code"

    @property
    def count_keys(self) -> tuple[str, ...]:
        """The records an import reports created / updated / unchanged counts of."""
        if self.record == "household":
            return ("households", "persons")
        if self.record == "entry":
            return ("entries",)
        return (f"{self.record}s",)

    def column(self, key: str) -> Column:
        return next(c for c in self.columns if c.key == key)


REGISTERS: dict[str, Register] = {
    "members": Register("members", _("家庭成员信息表"), [*_household_columns()[:2], *_member_columns(),
                                                              *_household_columns()[2:], *_bank_columns()]),
    "households": Register("households", _("建档立卡户台账"), [
        *_household_columns(),
        _phone_column("household"),
        *_bank_columns()]),
    "cadres": Register("cadres", _("帮扶责任人名册"), _cadre_columns(), person_kind=PersonKind.CADRE.value,
                       any_region=True),
    "teachers": Register("teachers", _("教师名册"), _teacher_columns(), person_kind=PersonKind.TEACHER.value,
                         any_region=True),
    "students": Register("students", _("学生名册"), _student_columns(), person_kind=PersonKind.STUDENT.value,
                         any_region=True),
    "organizations": Register("organizations", _("单位名册"), _organization_columns(), any_region=True),
    "measures": Register("measures", _("帮扶措施台账(一户一策)"), _measure_columns()),
    # cross-check lists (docs/crosschecks.md)
    "xc_civil_servants": Register("xc_civil_servants", _("比对名单：公职人员"), _list_columns("civil_servant"),
                                  any_region=True, list_source="civil_servant"),
    "xc_vehicles": Register("xc_vehicles", _("比对名单：车辆登记"), _list_columns("vehicle"), any_region=True,
                            list_source="vehicle"),
    "xc_businesses": Register("xc_businesses", _("比对名单：工商注册"), _list_columns("business"), any_region=True,
                              list_source="business"),
    "xc_housing": Register("xc_housing", _("比对名单：购买商品房"), _list_columns("housing"), any_region=True,
                           list_source="housing"),
    "xc_deaths": Register("xc_deaths", _("比对名单：死亡人员"), _list_columns("death"), any_region=True,
                          list_source="death"),
    "xc_dibao": Register("xc_dibao", _("比对名单：低保对象"), _list_columns("dibao"), any_region=True, list_source="dibao"),
}
COUNT_LABELS = {"households": _("户"), "persons": _("人员"), "organizations": _("单位"), "measures": _("帮扶措施"),
                "entries": _("名单条目")}


def register_get(key: str) -> Register:
    from bangfu.errors import ValidationError

    if key not in REGISTERS:
        raise ValidationError(_("没有名为 %(k)s 的台账，可用：%(all)s") % {"k": key, "all": "、".join(REGISTERS)},
                              field="register")
    return REGISTERS[key]
