"""Test data through the same services the product uses (faker zh_CN, fixed seed)."""

import itertools
from datetime import date

from faker import Faker

from bangfu.accounts.models import User
from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.privacy import id_numbers
from bangfu.regions.models import Region
from bangfu.registry import services

fake = Faker("zh_CN")
fake.seed_instance(20261123)
_seq = itertools.count(1)

RONGAN = "450224000000"
TOWNSHIP_A = "450224100000"  # 长安镇
TOWNSHIP_B = "450224101000"  # 浮石镇
ADMIN_SCOPE = Scope(role=Role.ADMIN, prefix="")


def village_of(township: str) -> Region:
    return Region.objects.filter(parent_id=township).order_by("code").first()


def make_user(role: str = Role.COUNTY_OFFICE, region: str | None = RONGAN, password: str = "pass-1234-word", **kw) -> User:
    n = next(_seq)
    user = User(username=kw.pop("username", f"{role}{n}"), role=role, region_id=region, display_name=kw.pop("display_name", f"用户{n}"), **kw)
    user.set_password(password)
    user.save()
    return user


def id_number(born: date = date(1980, 5, 17), gender: str = "male", area: str = "450224") -> str:
    return id_numbers.make(area, born, next(_seq) % 500, gender)


def make_household(*, township: str = TOWNSHIP_A, by=None, members: int = 2, **data):
    village = village_of(township)
    data.setdefault("number", f"{village.code}{next(_seq):04d}")
    data.setdefault("status", "poor")
    data.setdefault("main_cause", "illness")
    household = services.household_create(scope=ADMIN_SCOPE, by=by, data={"region": village, **data})
    for i in range(members):
        born = date(1975 + i * 20, 3, 1 + i)
        gender = "male" if i % 2 == 0 else "female"
        services.person_create(scope=ADMIN_SCOPE, by=by, data={
            "name": fake.name_male() if gender == "male" else fake.name_female(),
            "id_number": id_number(born, gender),
            "household": household,
            "relation": "head" if i == 0 else "child",
            "work_ability": "able",
        })
    household.refresh_from_db()
    return household
