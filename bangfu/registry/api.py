"""Registry endpoints: the same selectors and services as the pages, the same scope."""

from datetime import date, datetime
from decimal import Decimal

from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import PageNumberPagination, paginate
from ninja.schema import DjangoGetter
from pydantic import model_validator

from bangfu.privacy.masking import mask_id_number, mask_phone
from bangfu.privacy.services import personal_value_reveal
from bangfu.registry import selectors, services
from bangfu.schemas import Income, PageNumber, PageSize, RegionCode, Score, SmallCount

router = Router(tags=["基础信息库"])


class Page(PageNumberPagination):
    class Input(PageNumberPagination.Input):
        page: PageNumber = 1
        page_size: PageSize = 50

    def paginate_queryset(self, queryset, pagination, request=None, **params):
        self.page_size = pagination.page_size
        return super().paginate_queryset(queryset, pagination, request=request, **params)


class HouseholdPage(Page):
    """The household list's page: the view's Listing (selectors.household_listing) counted and sliced, each row
    masked into HouseholdOut's shape (household_out_row)."""

    def paginate_queryset(self, queryset, pagination, request=None, **params):
        page = super().paginate_queryset(queryset, pagination, request=request, **params)
        page[self.items_attribute] = [household_out_row(values) for values in page[self.items_attribute]]
        return page


# Schemas ------------------------------------------------------------------------------------


class HouseholdOut(Schema):
    id: int
    number: str
    region_code: str = Field(alias="region_id")
    address: str
    head_name: str | None = Field(None, alias="head.name")
    head_id_number: str = ""
    size: int
    status: str
    identified_on: date | None
    exited_on: date | None
    monitoring_category: str
    main_cause: str
    other_causes: list[str]
    dibao: bool
    wubao: bool
    tekun: bool
    wage_income: Decimal
    production_income: Decimal
    property_income: Decimal
    transfer_income: Decimal
    income_per_capita: Decimal
    income_per_capita_previous: Decimal
    medical_expense: Decimal
    schooling_expense: Decimal
    disaster_loss: Decimal
    food_secure: bool
    clothing_secure: bool
    education_secure: bool
    medical_secure: bool
    housing_secure: bool
    water_secure: bool
    phone: str = ""
    bank_name: str

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):
        """A household read as a dict (the list's rows: household_out_row) is validated as it is; a model
        instance goes through ninja's getter and the resolvers below, as in every other schema."""
        return handler(values if isinstance(values, dict) else DjangoGetter(values, cls, info.context))

    @staticmethod
    def resolve_head_id_number(obj):
        return mask_id_number(obj.head.id_number) if obj.head_id else ""

    @staticmethod
    def resolve_other_causes(obj):
        return _cause_list(obj.other_causes)

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


def _cause_list(other_causes: str) -> list[str]:
    return [c for c in other_causes.split(",") if c]


_HOUSEHOLD_OUT_PLAIN = tuple(name for name, field in HouseholdOut.model_fields.items() if field.alias is None
                             and name not in ("head_id_number", "other_causes", "phone"))
# what the list reads: the household's columns and its head's name and ID number (one join, no model instances)
HOUSEHOLD_OUT_VALUES = (*_HOUSEHOLD_OUT_PLAIN, "region_id", "head_id", "head__name", "head__id_number",
                        "other_causes", "phone")


def household_out_row(values: dict) -> dict:
    """One `.values(*HOUSEHOLD_OUT_VALUES)` row as HouseholdOut reads it (keys by alias), masked as the
    resolvers mask a model instance: validating 50 dicts costs a fraction of ninja's 1,650 attribute reads."""
    row = {name: values[name] for name in _HOUSEHOLD_OUT_PLAIN}
    row.update({"region_id": values["region_id"], "head.name": values["head__name"],
                "head_id_number": mask_id_number(values["head__id_number"]) if values["head_id"] else "",
                "other_causes": _cause_list(values["other_causes"]), "phone": mask_phone(values["phone"])})
    return row


class HouseholdIn(Schema):
    number: str
    region: str = Field(..., description="村(社区)的12位区划代码")
    address: str = ""
    status: str = "poor"
    identified_on: date | None = None
    exited_on: date | None = None
    monitoring_category: str = ""
    monitored_on: date | None = None
    main_cause: str = ""
    other_causes: list[str] = []
    dibao: bool = False
    wubao: bool = False
    tekun: bool = False
    wage_income: Income = Decimal(0)
    production_income: Income = Decimal(0)
    property_income: Income = Decimal(0)
    transfer_income: Income = Decimal(0)
    income_per_capita_previous: Income = Decimal(0)
    medical_expense: Income = Decimal(0)
    schooling_expense: Income = Decimal(0)
    disaster_loss: Income = Decimal(0)
    food_secure: bool = True
    clothing_secure: bool = True
    education_secure: bool = True
    medical_secure: bool = True
    housing_secure: bool = True
    water_secure: bool = True
    phone: str | None = None
    bank_name: str = ""
    bank_account: str | None = None


class HouseholdPatch(HouseholdIn):
    number: str | None = None
    region: str | None = None


class PersonOut(Schema):
    id: int
    name: str
    id_number: str = ""
    gender: str
    birth_date: date | None
    ethnicity: str
    region_code: str = Field(alias="region_id")
    household_id: int | None
    relation: str
    education: str
    schooling: str
    health: str
    disability_category: str
    disability_grade: int | None
    work_ability: str
    kind: str
    orphan: bool
    left_behind: bool
    lives_alone: bool
    struggling: bool
    organization_id: int | None
    rank: str
    position: str
    subject: str
    grade_level: str
    class_name: str
    phone: str = ""
    updated_at: datetime

    @staticmethod
    def resolve_id_number(obj):
        return mask_id_number(obj.id_number)

    @staticmethod
    def resolve_phone(obj):
        return mask_phone(obj.phone)


class PersonIn(Schema):
    name: str
    id_number: str | None = None
    gender: str | None = None
    birth_date: date | None = None
    ethnicity: str = "汉族"
    phone: str | None = None
    region: str | None = Field(None, description="不在户中的人员须填写区划代码；家庭成员随户")
    address: str = ""
    household: int | None = None
    relation: str = ""
    education: str = ""
    schooling: str = "none"
    health: str = "healthy"
    disability_category: str = ""
    disability_grade: SmallCount | None = None
    work_ability: str = ""
    kind: str = "resident"
    orphan: bool = False
    left_behind: bool = False
    lives_alone: bool = False
    struggling: bool = False
    organization: int | None = None
    rank: str = ""
    position: str = ""
    subject: str = ""
    grade_level: str = ""
    class_name: str = ""
    confirm_duplicate: bool = Field(False, description="没有身份证号而与已登记人员同名、同单位、同出生日期时，"
                                                      "确认是不同的人后传 true 再提交(否则返回 409)")


class PersonPatch(PersonIn):
    name: str | None = None


class OrganizationOut(Schema):
    id: int
    name: str
    kind: str
    region_code: str = Field(alias="region_id")
    address: str
    contact_name: str
    contact_phone: str


class OrganizationIn(Schema):
    name: str
    kind: str
    region: str
    address: str = ""
    contact_name: str = ""
    contact_phone: str = ""


class HouseholdQuery(Schema):
    q: str = ""
    region: RegionCode = ""
    status: str = ""
    cause: str = ""
    work_ability: str = ""
    assistance: str = ""


class PersonQuery(Schema):
    q: str = ""
    kind: str = ""
    organization: int | None = None


class Revealed(Schema):
    field: str
    value: str


def _payload(schema: Schema, *, partial: bool = False) -> dict:
    data = schema.dict(exclude_unset=partial)
    if "other_causes" in data:
        data["other_causes"] = ",".join(data["other_causes"] or [])
    for key in ("phone", "bank_account", "id_number", "region", "household", "organization"):
        if key in data and data[key] is None:
            data.pop(key)
    return data


# Households ---------------------------------------------------------------------------------


@router.get("/households", response=list[HouseholdOut], summary="户列表(分页，个人信息脱敏)")
@paginate(HouseholdPage)
def household_list(request, filters: Query[HouseholdQuery]):
    return selectors.household_listing(scope=request.auth.scope, filters=selectors.HouseholdFilters(**filters.dict()),
                                       fields=HOUSEHOLD_OUT_VALUES)


@router.get("/households/{household_id}", response=HouseholdOut, summary="户详情")
def household_get(request, household_id: int):
    return selectors.household_get(scope=request.auth.scope, pk=household_id)


@router.post("/households", response={201: HouseholdOut}, summary="登记新户")
def household_create(request, payload: HouseholdIn):
    household = services.household_create(scope=request.auth.scope, by=request.auth, data=_payload(payload))
    return Status(201, selectors.household_get(scope=request.auth.scope, pk=household.pk))


@router.patch("/households/{household_id}", response=HouseholdOut, summary="修改户信息(只传要改的字段)")
def household_update(request, household_id: int, payload: HouseholdPatch):
    scope = request.auth.scope
    household = selectors.household_get(scope=scope, pk=household_id)
    services.household_update(scope=scope, by=request.auth, household=household, data=_payload(payload, partial=True))
    return selectors.household_get(scope=scope, pk=household_id)


@router.get("/households/{household_id}/members", response=list[PersonOut], summary="家庭成员")
def household_members(request, household_id: int):
    household = selectors.household_get(scope=request.auth.scope, pk=household_id)
    return selectors.household_members(household=household)


class RevealQuery(Schema):
    reason: str = Field("", max_length=20, description="用途(记入查看记录)：verify 核实身份信息(默认)、contact 联系本人、"
                        "payment 资金发放、insurance 保险医保社保、report 报送名单、document 打印文书、"
                        "inspection 督查核查、other 其他(须填 reason_note)")
    reason_note: str = Field("", max_length=200, description="用途说明")


@router.get("/households/{household_id}/personal/{field}", response=Revealed,
            summary="查看户的完整个人信息(phone / bank_account，按角色，留痕，注明用途)")
def household_reveal(request, household_id: int, field: str, why: Query[RevealQuery]):
    household = selectors.household_get(scope=request.auth.scope, pk=household_id)
    value = personal_value_reveal(user=request.auth, record=household, field=field, channel="api",
                                  reason=why.reason, note=why.reason_note)
    return Revealed(field=field, value=value)


# Persons ------------------------------------------------------------------------------------


@router.get("/persons", response=list[PersonOut], summary="人员列表(分页，个人信息脱敏)")
@paginate(Page)
def person_list(request, filters: Query[PersonQuery]):
    return selectors.person_list(scope=request.auth.scope, **filters.dict())


@router.get("/persons/{person_id}", response=PersonOut, summary="人员详情")
def person_get(request, person_id: int):
    return selectors.person_get(scope=request.auth.scope, pk=person_id)


@router.post("/persons", response={201: PersonOut}, summary="登记人员或家庭成员")
def person_create(request, payload: PersonIn):
    person = services.person_create(scope=request.auth.scope, by=request.auth, data=_payload(payload))
    return Status(201, selectors.person_get(scope=request.auth.scope, pk=person.pk))


@router.patch("/persons/{person_id}", response=PersonOut, summary="修改人员信息(只传要改的字段)")
def person_update(request, person_id: int, payload: PersonPatch):
    scope = request.auth.scope
    person = selectors.person_get(scope=scope, pk=person_id)
    services.person_update(scope=scope, by=request.auth, person=person, data=_payload(payload, partial=True))
    return selectors.person_get(scope=scope, pk=person_id)


@router.get("/persons/{person_id}/personal/{field}", response=Revealed,
            summary="查看人员的完整个人信息(id_number / phone，按角色，留痕，注明用途)")
def person_reveal(request, person_id: int, field: str, why: Query[RevealQuery]):
    person = selectors.person_get(scope=request.auth.scope, pk=person_id)
    return Revealed(field=field, value=personal_value_reveal(user=request.auth, record=person, field=field,
                                                             channel="api", reason=why.reason,
                                                             note=why.reason_note))


# Organizations ------------------------------------------------------------------------------


@router.get("/organizations", response=list[OrganizationOut], summary="单位列表")
@paginate(Page)
def organization_list(request, q: str = ""):
    return selectors.organization_list(scope=request.auth.scope, q=q)


@router.get("/organizations/{organization_id}", response=OrganizationOut, summary="单位详情")
def organization_get(request, organization_id: int):
    return selectors.organization_get(scope=request.auth.scope, pk=organization_id)


@router.post("/organizations", response={201: OrganizationOut}, summary="登记单位")
def organization_create(request, payload: OrganizationIn):
    organization = services.organization_create(scope=request.auth.scope, by=request.auth, data=payload.dict())
    return Status(201, organization)


# Term grades --------------------------------------------------------------------------------


class TermGradeIn(Schema):
    academic_year: str = Field(..., description="如 2025-2026")
    term: SmallCount = Field(..., description="1 第一学期, 2 第二学期")
    subject: str
    score: Score
    full_marks: Score | None = None


class TermGradeOut(Schema):
    id: int
    academic_year: str
    term: int
    term_label: str
    subject: str
    score: Decimal
    full_marks: Decimal


class GradeChangeOut(Schema):
    subject: str
    before: Decimal | None
    now: Decimal | None
    change: Decimal | None


class GradeComparisonOut(Schema):
    current: str
    previous: str
    rows: list[GradeChangeOut]
    average_change: Decimal | None


@router.get("/persons/{person_id}/term-grades", response=list[TermGradeOut], summary="学生的学期成绩(最近的学期在前)")
def term_grade_list(request, person_id: int):
    person = selectors.person_get(scope=request.auth.scope, pk=person_id)
    return list(selectors.term_grade_list(scope=request.auth.scope, person=person))


@router.post("/persons/{person_id}/term-grades", response={201: TermGradeOut},
             summary="登记或更正一科学期成绩(同一学年、学期、科目再登记即为更正，旧值留在变更记录中)")
def term_grade_record(request, person_id: int, payload: TermGradeIn):
    person = selectors.person_get(scope=request.auth.scope, pk=person_id)
    grade = services.term_grade_record(scope=request.auth.scope, by=request.auth, person=person, **payload.dict())
    return Status(201, grade)


@router.get("/persons/{person_id}/term-grades/compare", response={200: GradeComparisonOut, 204: None},
            summary="最近一个学期与上一学期的成绩对比(逐科变化)")
def term_grade_compare(request, person_id: int):
    person = selectors.person_get(scope=request.auth.scope, pk=person_id)
    comparison = selectors.term_grades_compare(scope=request.auth.scope, person=person)
    if comparison is None:
        return Status(204, None)
    return comparison
