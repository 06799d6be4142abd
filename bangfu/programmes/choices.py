"""The enumerations of programmes, pairings and obligations, with the offices' Chinese labels."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The seeded list of activity kinds; a programme keeps its own list (Programme.activity_kinds).
DEFAULT_ACTIVITY_KINDS = [
    "走访", "入户", "慰问", "谈心", "电话联系", "听课", "评课", "说课", "示范课", "汇报课", "公开课", "送教", "讲座",
    "培训", "跟班学习", "捐赠", "办实事", "工作汇报", "联合教研",
]


class PartyKind(models.TextChoices):
    HOUSEHOLD = "household", _("户")
    PERSON = "person", _("人员")
    ORGANIZATION = "organization", _("单位")
    TEAM = "team", _("工作队")
    VILLAGE = "village", _("村(社区)")


class ProgrammePeriodKind(models.TextChoices):
    CALENDAR_YEAR = "calendar_year", _("自然年度")
    MULTI_YEAR = "multi_year", _("多年度")
    TERM = "term", _("学期")
    ACADEMIC_YEAR = "academic_year", _("学年")


class ProgrammeStatus(models.TextChoices):
    DRAFT = "draft", _("筹备")
    ACTIVE = "active", _("实施中")
    CLOSED = "closed", _("已结束")


class PairingStatus(models.TextChoices):
    ACTIVE = "active", _("帮扶中")
    HANDED_OVER = "handed_over", _("已移交")
    ENDED = "ended", _("已结束")


class Actor(models.TextChoices):
    """Who does the activity an obligation counts: the helper (指导教师) or the target (新教师)."""

    HELPER = "helper", _("帮扶方")
    TARGET = "target", _("受帮扶方")


class Measure(models.TextChoices):
    COUNT = "count", _("次数")
    QUANTITY = "quantity", _("数量(课时、节等)")


class Period(models.TextChoices):
    WEEK = "week", _("每周")
    WEEKS = "weeks", _("每N周(从学期或项目开始起算)")
    MONTH = "month", _("每月")
    QUARTER = "quarter", _("每季度")
    TERM = "term", _("每学期")
    ACADEMIC_YEAR = "academic_year", _("每学年")
    YEAR = "year", _("每年")
    WINDOW = "window", _("指定时段")


class Window(models.TextChoices):
    SPRING_FESTIVAL = "spring_festival", _("春节")
    CHILDRENS_DAY = "childrens_day", _("六一儿童节")
    BIRTHDAY = "birthday", _("受帮扶人生日")
    SUMMER_HARVEST = "summer_harvest", _("三夏农忙")
    AUTUMN_HARVEST = "autumn_harvest", _("三秋农忙")
    EXPLICIT = "explicit", _("指定日期")


class WorkStatus(models.TextChoices):
    TODO = "todo", _("未开始")
    DOING = "doing", _("进行中")
    DONE = "done", _("已完成")


# Attributes an obligation may depend on, and coverage may filter by: a fixed list, so that a
# programme's configuration can never name an arbitrary column (or a personal-data field).
PERSON_ATTRIBUTES = {
    "subject": _("任教学科"), "rank": _("职级"), "kind": _("人员类别"), "gender": _("性别"),
    "orphan": _("孤儿"), "left_behind": _("留守儿童"), "lives_alone": _("独居"), "struggling": _("学困生"),
    "disability_category": _("残疾类别"), "schooling": _("在校生情况"),
}
HOUSEHOLD_ATTRIBUTES = {"status": _("户状态"), "dibao": _("低保户"), "wubao": _("五保户"), "tekun": _("特困供养")}
ORGANIZATION_ATTRIBUTES = {"kind": _("单位类型")}
TEAM_ATTRIBUTES = {"kind": _("工作队类型")}
ATTRIBUTES = {
    PartyKind.PERSON: PERSON_ATTRIBUTES,
    PartyKind.HOUSEHOLD: HOUSEHOLD_ATTRIBUTES,
    PartyKind.ORGANIZATION: ORGANIZATION_ATTRIBUTES,
    PartyKind.TEAM: TEAM_ATTRIBUTES,
    PartyKind.VILLAGE: {},
}
