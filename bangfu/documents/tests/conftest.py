"""A small world for documents: two townships' households with helpers, visits and a school pairing."""

from datetime import date
from decimal import Decimal

import pytest

from bangfu.accounts.roles import Role
from bangfu.activities.services import activity_record
from bangfu.programmes import services as programmes
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme, make_school
from bangfu.registry import services as registry
from bangfu.regions.models import Region
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user, village_of

AS_OF = date(2025, 3, 31)


@pytest.fixture
def world(regions):
    programme = make_programme(name="2025年干部结对帮扶")
    add_obligation(programme)
    helper = make_person(rank="staff", name="覃帮扶", phone="13877001234", position="副科长")
    households = []
    for township in (TOWNSHIP_A, TOWNSHIP_A, TOWNSHIP_B):
        household = make_household(township=township, members=3, phone="13912345678",
                                   wage_income=Decimal("12000"), transfer_income=Decimal("3000"))
        pairing = programmes.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                            target=household, starts_on=date(2025, 1, 1))
        for day, kind in ((date(2025, 1, 20), "走访"), (date(2025, 2, 18), "走访"), (date(2025, 3, 5), "慰问")):
            activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                            data={"kind": kind, "occurred_on": day, "content": f"{kind}了解家庭情况"})
        households.append(household)
    household = households[0]
    household.refresh_from_db()
    return {"programme": programme, "helper": helper, "households": households, "household": household}


@pytest.fixture
def team_world(world):
    village = Region.objects.get(code=world["household"].region_id)
    team = registry.team_create(scope=ADMIN_SCOPE, by=None, data={"name": "县财政局驻村工作队", "region": village,
                                                                  "started_on": date(2024, 6, 1)})
    registry.team_member_add(scope=ADMIN_SCOPE, by=None, team=team, person=world["helper"], role="first_secretary",
                             started_on=date(2024, 6, 1))
    programme = make_programme(name="驻村工作队帮扶", helper_kinds=["team"], target_kinds=["village"])
    add_obligation(programme, name="第一书记每月向乡镇报告工作", kind="工作汇报")
    pairing = programmes.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=team, target=village,
                                        starts_on=date(2025, 1, 1))
    for day, kind, content in ((date(2025, 1, 28), "工作汇报", "向乡镇党委汇报一月工作"),
                               (date(2025, 3, 10), "办实事", "硬化通屯道路"), (date(2025, 3, 28), "工作汇报", "汇报三月工作")):
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                        data={"kind": kind, "occurred_on": day, "content": content})
    return team


def user(role=Role.COUNTY_OFFICE, region="450224000000", **kw):
    return make_user(role, region=region, **kw)


@pytest.fixture
def school_world(regions):
    programme = make_programme(name="城乡学校手拉手", helper_kinds=["organization"], target_kinds=["organization"],
                               period_kind="term", starts_on=date(2025, 2, 17), ends_on=date(2025, 7, 10))
    programmes.term_add(scope=ADMIN_SCOPE, by=None, programme=programme, name="2024-2025学年第二学期",
                        academic_year="2024-2025学年", starts_on=date(2025, 2, 17), ends_on=date(2025, 7, 10))
    add_obligation(programme, name="每学期送教不少于10课时", kind="送教", measure="quantity", minimum=10, unit="课时",
                   period="term")
    helper, target = make_school(name="融安县实验小学"), make_school(name="融安县大将镇中心小学", region=TOWNSHIP_A)
    pairing = programmes.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper, target=target,
                                        starts_on=date(2025, 2, 17))
    for day, kind, qty in ((date(2025, 3, 3), "送教", 4), (date(2025, 3, 20), "送教", 3), (date(2025, 3, 12), "听课", 1),
                           (date(2025, 3, 25), "联合教研", 1)):
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                        data={"kind": kind, "occurred_on": day, "content": f"{kind}活动", "quantity": qty,
                              "unit": "课时" if kind == "送教" else "次"})
    return {"programme": programme, "pairing": pairing}
