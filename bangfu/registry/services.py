"""Writes to the registry. Pages, API, CLI and imports all come through here.

Each service checks the caller's role and scope, validates with the model's own rules
(full_clean) plus the ID-number rules, saves in one transaction and leaves the change in
the record's history (django-simple-history, with the acting user).
"""

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.db.models import Count
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.compliance.summary import summary_refresh_birthdays
from bangfu.errors import Conflict, FieldErrors, NotFound, PermissionDenied, ValidationError
from bangfu.privacy import crypto, id_numbers
from bangfu.regions.models import Region
from bangfu.regions.services import initials_of, person_initials
from bangfu.registry.hooks import households_changed
from bangfu.registry.models import Household, Organization, Person, Team, TeamMember, TermGrade
from bangfu.registry.names import name_normalize

HOUSEHOLD_FIELDS = {
    "number", "region", "address", "status", "identified_on", "exited_on", "monitoring_category", "monitored_on",
    "dibao", "wubao", "tekun", "main_cause", "other_causes", "wage_income", "production_income", "property_income",
    "transfer_income", "food_secure", "clothing_secure", "education_secure", "medical_secure", "housing_secure",
    "water_secure", "phone", "bank_name", "bank_account", "income_per_capita_previous", "medical_expense",
    "schooling_expense", "disaster_loss",
}
PERSON_FIELDS = {
    "name", "id_number", "gender", "birth_date", "ethnicity", "phone", "region", "address", "household", "relation",
    "education", "schooling", "health", "disability_category", "disability_grade", "work_ability", "kind", "orphan",
    "left_behind", "lives_alone", "struggling", "organization", "rank", "position", "subject", "grade_level",
    "class_name",
}
ORGANIZATION_FIELDS = {"name", "kind", "region", "address", "contact_name", "contact_phone"}
TEAM_FIELDS = {"name", "kind", "organization", "region", "started_on", "ended_on"}


def registry_edit_check(scope: Scope) -> None:
    """Refuse read-only roles; pages call it before showing a form, services before writing."""
    if not scope.rules.edit_registry:
        raise PermissionDenied(_("您的角色只能查看，不能修改基础信息"))


def _region_in_scope(scope: Scope, region: Region | str | None, *, field: str = "region") -> Region:
    if region is None or region == "":
        raise ValidationError(_("请选择所在区域"), field=field)
    if isinstance(region, str):
        region = Region.objects.filter(code=region).first()
        if region is None:
            raise ValidationError(_("区划代码不存在"), field=field)
    if not scope.contains_code(region.code):
        raise ValidationError(_("所选区域不在您的管辖范围内"), field=field)
    return region


def _apply(obj, data: dict[str, Any], allowed: set[str]) -> None:
    unknown = set(data) - allowed
    if unknown:
        raise ValidationError(_("不能修改的字段：%(f)s") % {"f": ", ".join(sorted(unknown))}, field=sorted(unknown)[0])
    for name, value in data.items():
        setattr(obj, name, value)


def _full_clean(obj, *, exclude: list[str] | None = None) -> None:
    try:
        obj.full_clean(exclude=exclude)
    except DjangoValidationError as exc:
        errors = {k if k != "__all__" else "__all__": [str(m) for m in v] for k, v in exc.message_dict.items()}
        raise FieldErrors(errors) from None


def _save_with_history(obj, by) -> None:
    obj._history_user = by
    obj.save()


# Households ---------------------------------------------------------------------------------


def _household_prepare(scope: Scope, household: Household, data: dict[str, Any]) -> None:
    if "region" in data:
        data["region"] = _region_in_scope(scope, data["region"])
    _apply(household, data, HOUSEHOLD_FIELDS)
    if household.region.level != 5:
        raise ValidationError(_("户须登记在村(社区)一级"), field="region")
    household.county_code = household.region.code[:6]
    if household.other_causes:
        causes = [c.strip() for c in household.other_causes.split(",") if c.strip()]
        household.other_causes = ",".join(dict.fromkeys(causes))
    _full_clean(household, exclude=["head"])
    taken = Household.objects.filter(county_code=household.county_code, number=household.number)
    if taken.exclude(pk=household.pk).exists():
        raise Conflict(_("户编号 %(n)s 已存在") % {"n": household.number}, field="number")


@transaction.atomic
def household_create(*, scope: Scope, by, data: dict[str, Any], on=None) -> Household:
    """Register a household; its members are added with person_create(household=…). `on`: the day
    of the change for the apps told of it (registry/hooks.py; default today)."""
    registry_edit_check(scope)
    household = Household()
    _household_prepare(scope, household, dict(data))
    _save_with_history(household, by)
    households_changed(household_ids=[household.pk], by=by, on=on)
    return household


@transaction.atomic
def household_update(*, scope: Scope, by, household: Household, data: dict[str, Any], on=None) -> Household:
    registry_edit_check(scope)
    household = Household.objects.select_for_update().get(pk=household.pk)
    _household_prepare(scope, household, dict(data))
    _household_refresh_totals(household)
    _save_with_history(household, by)
    households_changed(household_ids=[household.pk], by=by, on=on)
    return household


def _household_refresh_totals(household: Household) -> None:
    """Size and income per capita follow the members; called inside the writing transaction."""
    household.size = Person.objects.filter(household=household).count()
    if household.size:
        per_capita = household.income_total / household.size
        household.income_per_capita = per_capita.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    else:
        household.income_per_capita = Decimal("0")


def household_totals_refresh(*, households) -> None:
    """Recompute size and income per capita for many households at once (imports, demo)."""
    sizes = dict(
        Person.objects.filter(household__in=households).values("household").annotate(n=Count("id"))
        .values_list("household", "n")
    )
    changed = []
    for household in households:
        household.size = sizes.get(household.pk, 0)
        total = household.income_total
        household.income_per_capita = (
            (total / household.size).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP) if household.size else Decimal(0)
        )
        changed.append(household)
    Household.objects.bulk_update(changed, ["size", "income_per_capita"], batch_size=1000)


# Persons ------------------------------------------------------------------------------------


def _person_identity(person: Person, data: dict[str, Any]) -> None:
    """Check the ID number; birth date and gender must agree with it (or are taken from it)."""
    raw = data.get("id_number", person.id_number)
    if not raw:
        person.id_number = None
        person.id_hash = None
        if not person.gender:
            raise ValidationError(_("请填写性别"), field="gender")
        return
    parsed = id_numbers.parse(raw)
    if "birth_date" in data and data["birth_date"] and data["birth_date"] != parsed.birth_date:
        raise ValidationError(
            _("出生日期 %(b)s 与身份证号中的 %(i)s 不一致") % {"b": data["birth_date"], "i": parsed.birth_date},
            field="birth_date",
        )
    if "gender" in data and data["gender"] and data["gender"] != parsed.gender:
        raise ValidationError(_("性别与身份证号(第17位)不一致"), field="gender")
    person.id_number = parsed.value
    person.id_hash = crypto.keyed_hash(parsed.value)
    person.birth_date = parsed.birth_date
    person.gender = parsed.gender


def _person_duplicate_check(person: Person) -> None:
    """One person, one record, across every county: the same ID number is refused."""
    if person.id_hash is None:
        return
    if Person.objects.filter(id_hash=person.id_hash).exclude(pk=person.pk).exists():
        raise Conflict(_("该身份证号已登记在其他人员记录中，不能重复登记"), field="id_number")


def _person_probable_duplicate(person: Person) -> None:
    """A person without an ID number who has the name, unit (or school) and birth date of one
    registered in the county is probably that person: registered again only when the caller confirms."""
    if person.id_hash is not None or person.birth_date is None:
        return
    same = (Person.objects.filter(county_code=person.county_code, name=person.name,
                                  organization_id=person.organization_id, birth_date=person.birth_date)
            .exclude(pk=person.pk).values_list("pk", flat=True).first())
    if same is not None:
        raise Conflict(_("已登记同名、同单位、同出生日期的人员(编号 %(p)s)，可能是同一人。请先核实；确认是不同的人，"
                         "请勾选“确认不是同一人”后再保存(接口：confirm_duplicate=true)") % {"p": same},
                       field="confirm_duplicate")


def _person_prepare(scope: Scope, person: Person, data: dict[str, Any]) -> None:
    data = dict(data)
    confirmed = bool(data.pop("confirm_duplicate", False))
    if "region" in data:
        data["region"] = _region_in_scope(scope, data["region"])
    household = data.get("household", person.household if person.household_id else None)
    if isinstance(household, int):
        household = scope.households(Household.objects.all()).filter(pk=household).first()
        if household is None:
            raise ValidationError(_("所在户不存在或不在您的管辖范围内"), field="household")
        data["household"] = household
    if household is not None:
        if "household" in data and not scope.households(Household.objects.filter(pk=household.pk)).exists():
            raise ValidationError(_("所在户不存在或不在您的管辖范围内"), field="household")
        data.setdefault("region", household.region)
    organization = data.get("organization")
    if isinstance(organization, int):
        organization = scope.organizations(Organization.objects.all()).filter(pk=organization).first()
        if organization is None:
            raise ValidationError(_("单位不存在或不在您的管辖范围内"), field="organization")
        data["organization"] = organization
    identity = {k: data.pop(k) for k in ("id_number", "birth_date", "gender") if k in data}
    _apply(person, data, PERSON_FIELDS)
    if "gender" in identity:
        person.gender = identity["gender"]
    if "birth_date" in identity:
        person.birth_date = identity["birth_date"]
    _person_identity(person, identity)
    person.name = name_normalize(person.name)  # 王　芳 → 王芳, as the import stores it
    if not person.name:
        raise ValidationError(_("请填写姓名"), field="name")
    person.initials = _initials_fit(Person, person_initials(person.name))
    if person.region_id is None:  # neither given nor taken from a household
        raise ValidationError(_("不在户中的人员须填写所在区域"), field="region")
    person.county_code = person.region.code[:6]
    if person.household_id and person.relation == "head":
        heads = Person.objects.filter(household_id=person.household_id, relation="head").exclude(pk=person.pk)
        if heads.exists():
            raise ValidationError(_("该户已有户主，一户只能有一名户主"), field="relation")
    if person.disability_category and not person.disability_grade:
        raise ValidationError(_("请填写残疾等级"), field="disability_grade")
    _full_clean(person, exclude=["id_hash"])
    _person_duplicate_check(person)
    if person.pk is None and not confirmed:
        _person_probable_duplicate(person)


def _person_saved(person: Person, previous_household_id: int | None, by) -> None:
    for household_id in {previous_household_id, person.household_id} - {None}:
        household = Household.objects.select_for_update().get(pk=household_id)
        head = Person.objects.filter(household_id=household_id, relation="head").first()
        household.head = head
        _household_refresh_totals(household)
        household._history_user = by
        household.save(update_fields=["head", "size", "income_per_capita"])


@transaction.atomic
def person_create(*, scope: Scope, by, data: dict[str, Any], on=None) -> Person:
    """Register a person; with `household` set, a member of that household."""
    registry_edit_check(scope)
    person = Person()
    _person_prepare(scope, person, data)
    _save_with_history(person, by)
    _person_saved(person, None, by)
    households_changed(household_ids=[person.household_id], by=by, on=on)
    return person


@transaction.atomic
def person_update(*, scope: Scope, by, person: Person, data: dict[str, Any], on=None) -> Person:
    registry_edit_check(scope)
    person = Person.objects.select_for_update().get(pk=person.pk)
    previous_household_id, previous_birth_date = person.household_id, person.birth_date
    _person_prepare(scope, person, data)
    _save_with_history(person, by)
    _person_saved(person, previous_household_id, by)
    if person.birth_date != previous_birth_date:  # birthday windows count from it
        summary_refresh_birthdays("%s", [person.pk])
    households_changed(household_ids=[previous_household_id, person.household_id], by=by, on=on)
    return person


# Organizations and teams --------------------------------------------------------------------


@transaction.atomic
def organization_create(*, scope: Scope, by, data: dict[str, Any]) -> Organization:
    registry_edit_check(scope)
    return _organization_save(scope, Organization(), data, by)


@transaction.atomic
def organization_update(*, scope: Scope, by, organization: Organization, data: dict[str, Any]) -> Organization:
    registry_edit_check(scope)
    return _organization_save(scope, Organization.objects.select_for_update().get(pk=organization.pk), data, by)


def _initials_fit(model, initials: str) -> str:
    """The search key cut to its column: a name within its own limit never fails on it (a name of 64
    characters made 64 initials for a column of 60), and a name over its limit fails on the name."""
    return initials[: model._meta.get_field("initials").max_length]


def _organization_save(scope: Scope, organization: Organization, data: dict[str, Any], by) -> Organization:
    data = dict(data)
    if "region" in data:
        data["region"] = _region_in_scope(scope, data["region"])
    _apply(organization, data, ORGANIZATION_FIELDS)
    organization.county_code = organization.region.code[:6]
    organization.initials = _initials_fit(Organization, initials_of(organization.name or ""))
    _full_clean(organization)
    _save_with_history(organization, by)
    return organization


@transaction.atomic
def team_create(*, scope: Scope, by, data: dict[str, Any]) -> Team:
    registry_edit_check(scope)
    data = dict(data)
    data["region"] = _region_in_scope(scope, data.get("region"))
    team = Team()
    _apply(team, data, TEAM_FIELDS)
    team.county_code = team.region.code[:6]
    _full_clean(team)
    _save_with_history(team, by)
    return team


@transaction.atomic
def team_member_add(*, scope: Scope, by, team: Team, person: Person, role: str, started_on=None) -> TeamMember:
    registry_edit_check(scope)
    if not scope.persons(Person.objects.filter(pk=person.pk)).exists():
        raise NotFound(_("人员不存在"), field="person")
    if role in ("leader", "first_secretary") and team.memberships.filter(role=role, ended_on__isnull=True).exists():
        raise Conflict(_("该工作队已有%(r)s") % {"r": dict(TeamMember._meta.get_field("role").choices)[role]},
                       field="role")
    member = TeamMember(team=team, person=person, role=role, started_on=started_on, county_code=team.county_code)
    _full_clean(member)
    _save_with_history(member, by)
    return member


# Term grades ----------------------------------------------------------------------------------

ACADEMIC_YEAR = re.compile(r"^(\d{4})-(\d{4})$")


@transaction.atomic
def term_grade_record(*, scope: Scope, by, person: Person, academic_year: str, term: int, subject: str,
                      score, full_marks=None) -> TermGrade:
    """Record (or correct) a student's score in one subject for one term; the history keeps the old one."""
    registry_edit_check(scope)
    person = scope.persons(Person.objects.all()).filter(pk=person.pk).first()
    if person is None:
        raise NotFound(_("人员不存在或不在您的管辖范围内"))
    academic_year = str(academic_year or "").strip().replace("学年", "")
    match = ACADEMIC_YEAR.match(academic_year)
    if not match or int(match.group(2)) != int(match.group(1)) + 1:
        raise ValidationError(_("学年请写成“2025-2026”的形式"), field="academic_year")
    try:
        term = int(term)
    except (TypeError, ValueError):
        term = 0
    if term not in (1, 2):
        raise ValidationError(_("学期只能是1(第一学期)或2(第二学期)"), field="term")
    subject = str(subject or "").strip()
    if not subject:
        raise ValidationError(_("请填写科目"), field="subject")
    try:
        score = Decimal(str(score)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
        full_marks = Decimal(str(full_marks)) if full_marks not in (None, "") else None
    except (InvalidOperation, ValueError):
        raise ValidationError(_("成绩请填写数字"), field="score") from None
    grade = (TermGrade.objects.select_for_update()
             .filter(county_code=person.county_code, person=person, academic_year=academic_year, term=term,
                     subject=subject).first()
             or TermGrade(person=person, county_code=person.county_code, academic_year=academic_year, term=term,
                          subject=subject))
    grade.score = score
    if full_marks is not None:
        grade.full_marks = full_marks
    if grade.score < 0 or grade.score > grade.full_marks:
        raise ValidationError(_("成绩须在0到满分(%(m)s)之间") % {"m": grade.full_marks}, field="score")
    grade.recorded_by = by
    _full_clean(grade, exclude=["person", "recorded_by"])
    grade._history_user = by
    grade.save()
    return grade
