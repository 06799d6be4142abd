"""The registry's enumerations, with the Chinese labels the offices use."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Gender(models.TextChoices):
    MALE = "male", _("男")
    FEMALE = "female", _("女")


class HouseholdStatus(models.TextChoices):
    POOR = "poor", _("未脱贫")
    EXITED = "exited", _("已脱贫")
    MONITORED = "monitored", _("监测对象")
    NOT_POOR = "not_poor", _("一般农户")


class MonitoringCategory(models.TextChoices):
    UNSTABLE = "unstable", _("脱贫不稳定户")
    MARGINAL = "marginal", _("边缘易致贫户")
    SUDDEN = "sudden", _("突发严重困难户")


class PovertyCause(models.TextChoices):
    ILLNESS = "illness", _("因病")
    DISABILITY = "disability", _("因残")
    SCHOOLING = "schooling", _("因学")
    DISASTER = "disaster", _("因灾")
    LAND = "land", _("缺土地")
    WATER = "water", _("缺水")
    SKILLS = "skills", _("缺技术")
    LABOUR = "labour", _("缺劳力")
    CAPITAL = "capital", _("缺资金")
    TRANSPORT = "transport", _("交通条件落后")
    MOTIVATION = "motivation", _("自身发展动力不足")


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    CHILD_IN_LAW = "child_in_law", _("儿媳/女婿")
    GRANDCHILD = "grandchild", _("孙子女/外孙子女")
    PARENT = "parent", _("父母")
    PARENT_IN_LAW = "parent_in_law", _("岳父母/公婆")
    GRANDPARENT = "grandparent", _("祖父母/外祖父母")
    SIBLING = "sibling", _("兄弟姐妹")
    GREAT_GRANDCHILD = "great_grandchild", _("曾孙子女")
    OTHER = "other", _("其他")


class Education(models.TextChoices):
    PRESCHOOL = "preschool", _("学龄前儿童")
    ILLITERATE = "illiterate", _("文盲或半文盲")
    PRIMARY = "primary", _("小学")
    JUNIOR = "junior", _("初中")
    SENIOR = "senior", _("高中")
    VOCATIONAL = "vocational", _("中专/职高")
    COLLEGE = "college", _("大专")
    BACHELOR = "bachelor", _("本科及以上")


class Schooling(models.TextChoices):
    NONE = "none", _("非在校生")
    PRESCHOOL = "preschool", _("学前教育")
    PRIMARY = "primary", _("小学在读")
    JUNIOR = "junior", _("初中在读")
    SENIOR = "senior", _("高中在读")
    VOCATIONAL = "vocational", _("中职在读")
    COLLEGE = "college", _("高职高专在读")
    UNIVERSITY = "university", _("本科及以上在读")
    DROPOUT = "dropout", _("辍学")
    ENROLLED = "enrolled", _("在校生(学段未填)")  # a ledger's 是否在校生 = 是 without the stage


class Health(models.TextChoices):
    HEALTHY = "healthy", _("健康")
    CHRONIC = "chronic", _("长期慢性病")
    SERIOUS = "serious", _("患有大病")
    DISABLED = "disabled", _("残疾")


class DisabilityCategory(models.TextChoices):
    VISUAL = "visual", _("视力残疾")
    HEARING = "hearing", _("听力残疾")
    SPEECH = "speech", _("言语残疾")
    PHYSICAL = "physical", _("肢体残疾")
    INTELLECTUAL = "intellectual", _("智力残疾")
    MENTAL = "mental", _("精神残疾")
    MULTIPLE = "multiple", _("多重残疾")


class WorkAbility(models.TextChoices):
    ABLE = "able", _("有劳动能力")
    WEAK = "weak", _("弱劳动力或半劳动力")
    UNABLE = "unable", _("丧失劳动力")
    NONE = "none", _("无劳动力")


class PersonKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    CADRE = "cadre", _("干部")
    TEACHER = "teacher", _("教师")
    STUDENT = "student", _("学生")
    CHILD = "child", _("儿童")
    ELDERLY = "elderly", _("老年人")
    VOLUNTEER = "volunteer", _("志愿者")


class CadreRank(models.TextChoices):
    """The ranks the "54321" capacity rule speaks of."""

    COUNTY_LEADER = "county_leader", _("县级领导")
    DIVISION = "division", _("处级干部")
    SECTION = "section", _("科级干部")
    DEPUTY_SECTION = "deputy_section", _("副科级干部")
    STAFF = "staff", _("一般干部")


class OrganizationKind(models.TextChoices):
    GOVERNMENT = "government", _("机关事业单位")
    SCHOOL = "school", _("学校")
    KINDERGARTEN = "kindergarten", _("幼儿园")
    COMPANY = "company", _("企业")
    VILLAGE_COMMITTEE = "village_committee", _("村(居)委会")
    SOCIAL = "social", _("社会组织")


class TeamKind(models.TextChoices):
    VILLAGE_WORK_TEAM = "village_work_team", _("驻村工作队")
    HELP_GROUP = "help_group", _("帮扶小组")


class TeamRole(models.TextChoices):
    LEADER = "leader", _("队长/组长")
    FIRST_SECRETARY = "first_secretary", _("第一书记")
    MEMBER = "member", _("队员")


# The value stored is the Chinese name (as on the 户口簿 and in the registers); the label is translated.
ETHNICITY_CHOICES = [
    ("汉族", _("汉族")), ("蒙古族", _("蒙古族")), ("回族", _("回族")), ("藏族", _("藏族")), ("维吾尔族", _("维吾尔族")), ("苗族", _("苗族")),
    ("彝族", _("彝族")), ("壮族", _("壮族")), ("布依族", _("布依族")), ("朝鲜族", _("朝鲜族")), ("满族", _("满族")), ("侗族", _("侗族")),
    ("瑶族", _("瑶族")), ("白族", _("白族")), ("土家族", _("土家族")), ("哈尼族", _("哈尼族")), ("哈萨克族", _("哈萨克族")), ("傣族", _("傣族")),
    ("黎族", _("黎族")), ("傈僳族", _("傈僳族")), ("佤族", _("佤族")), ("畲族", _("畲族")), ("高山族", _("高山族")), ("拉祜族", _("拉祜族")),
    ("水族", _("水族")), ("东乡族", _("东乡族")), ("纳西族", _("纳西族")), ("景颇族", _("景颇族")), ("柯尔克孜族", _("柯尔克孜族")), ("土族", _("土族")),
    ("达斡尔族", _("达斡尔族")), ("仫佬族", _("仫佬族")), ("羌族", _("羌族")), ("布朗族", _("布朗族")), ("撒拉族", _("撒拉族")), ("毛南族", _("毛南族")),
    ("仡佬族", _("仡佬族")), ("锡伯族", _("锡伯族")), ("阿昌族", _("阿昌族")), ("普米族", _("普米族")), ("塔吉克族", _("塔吉克族")), ("怒族", _("怒族")),
    ("乌孜别克族", _("乌孜别克族")), ("俄罗斯族", _("俄罗斯族")), ("鄂温克族", _("鄂温克族")), ("德昂族", _("德昂族")), ("保安族", _("保安族")),
    ("裕固族", _("裕固族")), ("京族", _("京族")), ("塔塔尔族", _("塔塔尔族")), ("独龙族", _("独龙族")), ("鄂伦春族", _("鄂伦春族")),
    ("赫哲族", _("赫哲族")), ("门巴族", _("门巴族")), ("珞巴族", _("珞巴族")), ("基诺族", _("基诺族")),
]
ETHNICITIES = [value for value, _label in ETHNICITY_CHOICES]
