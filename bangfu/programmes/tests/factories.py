"""Programme test data through the same services the product uses."""

import itertools
from datetime import date

from bangfu.programmes import services
from bangfu.regions.models import Region
from bangfu.registry import services as registry
from bangfu.tests.factories import ADMIN_SCOPE, RONGAN, fake, id_number

_seq = itertools.count(1)


def make_person(*, region: str = RONGAN, kind: str = "cadre", by=None, **data):
    n = next(_seq)
    gender = data.pop("gender", "female" if n % 2 else "male")
    born = data.pop("born", date(1970 + n % 30, 1 + n % 12, 1 + n % 27))
    return registry.person_create(scope=ADMIN_SCOPE, by=by, data={
        "name": data.pop("name", fake.name_male() if gender == "male" else fake.name_female()),
        "id_number": id_number(born, gender), "region": Region.objects.get(code=region), "kind": kind, **data})


def make_school(*, name: str | None = None, region: str = RONGAN, kind: str = "school"):
    return registry.organization_create(scope=ADMIN_SCOPE, by=None, data={
        "name": name or f"融安县第{next(_seq)}小学", "kind": kind, "region": Region.objects.get(code=region)})


def make_programme(*, by=None, **data):
    data.setdefault("name", f"结对帮扶项目{next(_seq)}")
    data.setdefault("region", RONGAN)
    data.setdefault("starts_on", date(2025, 1, 1))
    data.setdefault("ends_on", date(2025, 12, 31))
    data.setdefault("helper_kinds", ["person"])
    data.setdefault("target_kinds", ["household"])
    return services.programme_create(scope=ADMIN_SCOPE, by=by, data=data)


def add_obligation(programme, **data):
    data.setdefault("name", "每月走访")
    data.setdefault("kind", "走访")
    data.setdefault("minimum", 1)
    data.setdefault("period", "month")
    return services.obligation_add(scope=ADMIN_SCOPE, by=None, programme=programme, data=data)
