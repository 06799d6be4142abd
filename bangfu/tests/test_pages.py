"""The pages as users meet them (issue 14): each role's home, who helps a household, the behind list's
where and why, 本周待办 with the month's visits, the access log, and what a helper may list."""

from datetime import date

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.activities.services import activity_record
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme, make_school
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user, village_of

pytestmark = pytest.mark.django_db
AS_OF = "2025-10-08"  # a Wednesday: October's visit is due by the 31st, the week ends on the 12th
AFTER = "2025-11-05"  # October is over: its missed visits are overdue


@pytest.fixture
def world(regions):
    programme = make_programme(name="干部结对帮扶")
    add_obligation(programme, name="每月走访帮扶户", kind="走访", minimum=1, period="month")
    unit = make_school(name="融安县人民政府办公室", kind="government")
    other_unit = make_school(name="融安县水利局", kind="government")
    wei = make_person(name="韦志强", region=TOWNSHIP_A, rank="county_leader", position="副县长", organization=unit,
                      phone="13812345678")
    mo = make_person(name="莫远", region=TOWNSHIP_B, organization=other_unit, phone="13900001111")
    helped = make_household(township=TOWNSHIP_A, members=1)
    neighbour = make_household(township=TOWNSHIP_A, members=1)  # same village, no pairing
    far = make_household(township=TOWNSHIP_B, members=1)
    pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=wei, target=helped,
                                      starts_on=date(2025, 3, 1))
    far_pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=mo, target=far,
                                          starts_on=date(2025, 3, 1))
    activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing], data={
        "kind": "走访", "occurred_on": date(2025, 9, 12), "content": "入户走访"})
    helper = make_user(Role.HELPER, person=wei, display_name="韦志强")
    return {"programme": programme, "unit": unit, "other_unit": other_unit, "wei": wei, "mo": mo, "helped": helped,
            "neighbour": neighbour, "far": far, "pairing": pairing, "far_pairing": far_pairing, "helper": helper}


def _html(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_a_helper_lands_on_their_todo_with_one_tap_to_record(client, world):
    client.force_login(world["helper"])
    assert client.get("/").url == reverse("programmes:mine")
    html = _html(client.get(reverse("programmes:mine"), {"as_of": AS_OF}))
    assert "每月走访帮扶户" in html and world["helped"].number in html
    record = f'{reverse("activities:activity_create")}?pairing={world["pairing"].pk}&amp;kind=%E8%B5%B0%E8%AE%BF'
    assert record in html
    form = _html(client.get(reverse("activities:activity_create"),
                            {"pairing": world["pairing"].pk, "kind": "走访", "on": AS_OF}))
    assert 'value="2025-10-08"' in form and '<option value="走访" selected>' in form


def test_my_pairings_list_the_helpers_targets_read_without_other_kinds_of_helper(client, world):
    """我的帮扶 reads the signed-in helper's pairings with what it shows (programmes.selectors.own_pairings):
    each target linked to its pairing with a button to record, and no join to teams or units."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(world["helper"])
    with CaptureQueriesContext(connection) as queries:
        html = _html(client.get(reverse("programmes:mine"), {"as_of": AS_OF}))
    pairing, helped = world["pairing"], world["helped"]
    detail = reverse("programmes:pairing_detail", args=[pairing.pk])
    assert f'<a href="{detail}">{helped.head.name}户({helped.number})</a>' in html
    assert f'href="{reverse("activities:activity_create")}?pairing={pairing.pk}">记录帮扶</a>' in html
    pairing_reads = [q["sql"] for q in queries.captured_queries if q["sql"].startswith('SELECT "programmes_pairing"."id"')]
    assert pairing_reads and not [sql for sql in pairing_reads if '"registry_team"' in sql]


def test_this_weeks_list_holds_the_months_visit_not_yet_made(client, world):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    html = _html(client.get(reverse("compliance:this_week"), {"as_of": AS_OF}))
    # Both October visits are open (due on the 31st): a task this week, not only at the month's end.
    assert world["helped"].number in html and world["far"].number in html and "本周待办" in html


def test_the_behind_list_says_where_and_why_and_links_through(client, world):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    html = _html(client.get(reverse("compliance:behind"), {"as_of": AFTER}))
    pairing, helped = world["pairing"], world["helped"]
    for text in (helped.region.name, "融安县人民政府办公室", "韦志强", "每月走访帮扶户", "0 / 1", "2025-10-31", "逾期未完成",
                 reverse("registry:household_detail", args=[helped.pk]),
                 reverse("registry:person_detail", args=[world["wei"].pk]),
                 reverse("programmes:pairing_detail", args=[pairing.pk])):
        assert text in html, text
    by_unit = _html(client.get(reverse("compliance:behind"), {"as_of": AFTER, "helper_org": world["other_unit"].pk}))
    assert "莫远" in by_unit and "韦志强" not in by_unit.split("<tbody>")[1]
    by_region = _html(client.get(reverse("compliance:behind"), {"as_of": AFTER, "region": "450224101"}))
    assert world["far"].number in by_region and helped.number not in by_region


def test_the_household_page_names_its_helpers_and_what_is_due(client, world):
    client.force_login(make_user(Role.VILLAGE_TEAM, region=world["helped"].region_id))
    html = _html(client.get(reverse("registry:household_detail", args=[world["helped"].pk]), {"as_of": AS_OF}))
    for text in ("韦志强", "县级领导", "副县长", "融安县人民政府办公室", "138****5678", "干部结对帮扶", "现任",
                 "每月走访帮扶户", "已完成 0 / 1",
                 reverse("programmes:pairing_detail", args=[world["pairing"].pk])):
        assert text in html, text
    assert "13812345678" not in html
    # the cadre lives in the township: a village team sees the name, not a link into a 404
    assert reverse("registry:person_detail", args=[world["wei"].pk]) not in html
    client.force_login(make_user(Role.COUNTY_OFFICE))
    person = _html(client.get(reverse("registry:person_detail", args=[world["wei"].pk])))
    assert reverse("registry:household_detail", args=[world["helped"].pk]) in person and "2025-09-12" in person


def test_a_helper_lists_the_households_of_the_villages_they_help_in(client, world):
    client.force_login(world["helper"])
    html = _html(client.get(reverse("registry:household_list")))
    assert world["helped"].number in html and world["neighbour"].number in html
    assert world["far"].number not in html
    assert client.get(reverse("registry:household_detail", args=[world["far"].pk])).status_code == 404


def test_the_access_log_shows_a_reveal_made_a_minute_earlier(client, world, django_assert_num_queries):
    from bangfu.privacy.models import FullRead

    county = make_user(Role.COUNTY_OFFICE, display_name="县办张琴")
    client.force_login(county)
    # On the household page, 查看 asks what for; the read is logged with that reason.
    page = _html(client.get(reverse("registry:household_detail", args=[world["helped"].pk])))
    action = reverse("registry:reveal", args=["person", world["wei"].pk, "phone"])
    assert f'hx-post="{action}"' in page and 'name="reason"' in page and "联系本人" in page
    refused = _html(client.post(action, {"reason": "other", "reason_note": " "}))
    assert "请写明用途说明" in refused and "13812345678" not in refused and not FullRead.objects.exists()
    assert '<option value="other" selected>' in refused and '<option value="contact">' in refused  # asked again as chosen
    revealed = client.post(action, {"reason": "contact", "reason_note": "约定入户时间"})
    assert "13812345678" in revealed.content.decode()
    client.post(reverse("registry:reveal", args=["household", world["helped"].pk, "phone"]))  # no reason: 核实身份信息
    client.force_login(make_user(Role.ADMIN))
    api = client.get(f"/api/v1/households/{world['helped'].pk}/personal/bank_account", {"reason": "payment"})
    assert api.status_code == 200
    wrong = client.get(f"/api/v1/households/{world['helped'].pk}/personal/phone", {"reason": "curiosity"})
    assert wrong.status_code == 400 and wrong.json()["field"] == "reason"
    assert FullRead.objects.count() == 3

    inspector = make_user(Role.INSPECTOR)
    client.force_login(inspector)
    html = _html(client.get(reverse("privacy:access_log")))
    assert "县办张琴" in html and "韦志强" in html and "联系电话" in html and "页面查看" in html
    assert "联系本人" in html and "约定入户时间" in html and "核实身份信息" in html and "资金发放(银行代发)" in html
    assert "县办张琴" in _html(client.get(reverse("privacy:access_log"), {"channel": "web", "q": county.username}))
    assert "县办张琴" not in _html(client.get(reverse("privacy:access_log"), {"channel": "export"})).split("<tbody>")[1]
    by_reason = _html(client.get(reverse("privacy:access_log"), {"reason": "contact"})).split("<tbody>")[1]
    assert "约定入户时间" in by_reason and "核实身份信息" not in by_reason and "资金发放" not in by_reason
    home = _html(client.get("/"))
    assert "最近的个人信息查看" in home and "联系本人" in home

    for role in (Role.HELPER, Role.TOWNSHIP_OFFICE, Role.VILLAGE_TEAM, Role.SCHOOL_ADMIN):
        client.force_login(make_user(role, region=TOWNSHIP_A if role != Role.VILLAGE_TEAM else village_of(TOWNSHIP_A).code))
        assert client.get(reverse("privacy:access_log")).status_code == 403, role

    client.force_login(inspector)
    with django_assert_num_queries(6):  # session, user with its region (menu), count, page, the persons and the households named
        client.get(reverse("privacy:access_log"))
    for _ in range(5):
        client.force_login(county)
        client.post(reverse("registry:reveal", args=["household", world["far"].pk, "phone"]))
    client.force_login(inspector)
    with django_assert_num_queries(6):
        client.get(reverse("privacy:access_log"))


def test_each_role_has_a_home_for_what_it_came_for(client, world):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    html = _html(client.get("/", {"as_of": AS_OF}))
    assert "应完成项次" in html and "长安镇" in html and "结对覆盖" in html and 'data-chart="bar"' in html
    assert '<script>' not in html  # chart data in a json_script element, the code in a static file

    client.force_login(make_user(Role.VILLAGE_TEAM, region=world["helped"].region_id))
    html = _html(client.get("/", {"as_of": AS_OF}))
    assert "按帮扶人" in html and "韦志强" in html and "暂无数据" not in html

    school = make_school(name="长安镇中心小学", region=TOWNSHIP_A)
    client.force_login(make_user(Role.SCHOOL_ADMIN, region=TOWNSHIP_A, organization=school))
    html = _html(client.get("/", {"as_of": AS_OF}))
    assert "本校结对" in html and "学期" in html

    client.force_login(make_user(Role.INSPECTOR))
    html = _html(client.get("/", {"as_of": AFTER}))
    assert "落后与逾期" in html and "韦志强" in html and "最近的个人信息查看" in html


def test_api_root_leads_to_the_docs(client):
    response = client.get("/api/v1/")
    assert response.status_code == 302 and response.url == "/api/v1/docs"


def test_obligations_carry_their_programme_where_several_are_listed(client, world):
    other = make_programme(name="春节慰问")
    add_obligation(other, name="每年慰问一次", kind="慰问", minimum=1, period="year")
    services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=other, helper=world["mo"], target=world["far"],
                            starts_on=date(2025, 3, 1))
    client.force_login(make_user(Role.COUNTY_OFFICE))
    html = _html(client.get(reverse("compliance:rollup"), {"by": "obligation", "as_of": AS_OF}))
    assert "干部结对帮扶 · 每月走访帮扶户" in html and "春节慰问 · 每年慰问一次" in html
    html = _html(client.get(reverse("compliance:behind"), {"as_of": AS_OF}))
    assert "干部结对帮扶 · 每月走访帮扶户" in html  # the filter's choices


def test_the_household_page_names_the_household_in_its_due_list_without_reading_it_again(client, world):
    """The helpers' pairings carry the household the page read (programmes.selectors.target_pairings): the due
    list names it and links to it, and no read of the pairings joins the households."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    helped = world["helped"]
    client.force_login(make_user(Role.COUNTY_OFFICE))
    url = reverse("registry:household_detail", args=[helped.pk])
    with CaptureQueriesContext(connection) as queries:
        html = _html(client.get(url, {"as_of": AS_OF}))
    assert f'<a href="{url}">{helped.head.name}户({helped.number})</a>' in html
    pairing_reads = [q["sql"] for q in queries.captured_queries if 'FROM "programmes_pairing"' in q["sql"]
                     and q["sql"].startswith('SELECT "programmes_pairing"."id"')]
    assert pairing_reads and not [sql for sql in pairing_reads if "registry_household" in sql]


def test_the_household_page_reads_a_fixed_number_of_queries_however_many_helpers(client, world,
                                                                                  django_assert_num_queries):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    url = reverse("registry:household_detail", args=[world["helped"].pk])
    client.get(url, {"as_of": AS_OF})
    with django_assert_num_queries(QUERIES_HOUSEHOLD_PAGE):
        client.get(url, {"as_of": AS_OF})
    pairing = world["pairing"]
    for n in range(3):  # three handovers: three past helpers and a current one
        helper = make_person(name=f"帮扶人{n}", region=TOWNSHIP_A, organization=world["unit"])
        pairing = services.pairing_handover(scope=ADMIN_SCOPE, by=None, pairing=pairing, new_helper=helper,
                                            on=date(2025, 4 + n, 1), reason="工作调动")
    html = _html(client.get(url, {"as_of": AS_OF}))
    assert "帮扶人2" in html and "韦志强" in html and "已移交" in html
    with django_assert_num_queries(QUERIES_HOUSEHOLD_PAGE):
        client.get(url, {"as_of": AS_OF})


def test_compliance_rows_take_the_pairings_a_page_read_already_and_read_only_the_others(world):
    """The household page and 我的帮扶 hand the pairings they show to compliance_rows, which reads the rest."""
    from bangfu.compliance.selectors import compliance_rows
    from bangfu.programmes.models import Pairing

    as_of = date.fromisoformat(AS_OF)
    read = compliance_rows(scope=ADMIN_SCOPE, as_of=as_of)
    assert {r.pairing.pk for r in read} == {world["pairing"].pk, world["far_pairing"].pk}
    shown = Pairing.objects.get(pk=world["pairing"].pk)
    mixed = compliance_rows(scope=ADMIN_SCOPE, as_of=as_of, pairings={shown.pk: shown})
    by_pairing = {r.pairing.pk: r for r in mixed}
    assert by_pairing[shown.pk].pairing is shown  # not read again
    assert by_pairing[world["far_pairing"].pk].pairing.target_household.number == world["far"].number
    assert [(r.pairing.pk, r.obligation.pk, r.period_label, r.status) for r in mixed] == [
        (r.pairing.pk, r.obligation.pk, r.period_label, r.status) for r in read]


# whatever the number of helpers, past or present (the history: 户主 by name, one more); once the process keeps
# the reference data (bangfu/reference.py), as after the first request
QUERIES_HOUSEHOLD_PAGE = 10


def test_the_office_home_reads_a_fixed_number_of_queries_however_many_pairings(client, world,
                                                                                django_assert_num_queries):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    client.get("/", {"as_of": AS_OF})
    with django_assert_num_queries(QUERIES_OFFICE_HOME):
        client.get("/", {"as_of": AS_OF})
    for n in range(4):
        helper = make_person(name=f"干部{n}", region=TOWNSHIP_B, organization=world["other_unit"])
        services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=world["programme"], helper=helper,
                                target=make_household(township=TOWNSHIP_B, members=1), starts_on=date(2025, 3, 1))
    with django_assert_num_queries(QUERIES_OFFICE_HOME):
        client.get("/", {"as_of": AS_OF})


# the registry's counts in one statement; grows with the programmes in scope (coverage: one statement for all,
# then one each with a rule), not the pairings; after the first request, which also reads the reference data the
# process then keeps (bangfu/reference.py), whose stamp a GET reads once (its compliance parts, the regions' names)
QUERIES_OFFICE_HOME = 15


def test_the_work_plan_reads_its_phases_by_date_and_ranks_by_name(client, world):
    import re

    programme = world["programme"]  # created with the four phases of a work plan, none marked done
    services.capacity_rule_set(scope=ADMIN_SCOPE, by=None, programme=programme, helper_rank="county_leader",
                               max_targets=5)
    client.force_login(make_user(Role.COUNTY_OFFICE))
    html = _html(client.get(reverse("programmes:programme_detail", args=[programme.pk]), {"as_of": AS_OF}))
    shown = re.findall(r"</strong> (\d{4}-\d\d-\d\d) — (\d{4}-\d\d-\d\d) · (\S+)", html)
    assert len(shown) == programme.phases.count() >= 3
    for starts, ends, status in shown:
        expected = "已结束" if ends < AS_OF else "进行中" if starts <= AS_OF else "未开始"
        assert status == expected, (starts, ends, status)
    assert {s for _a, _b, s in shown} >= {"已结束", "进行中"}
    assert "县级领导 5 户" in html and "county_leader" not in html


def test_the_unit_filter_offers_the_units_helping_here_themselves_or_through_their_people(client, world):
    school = make_school(name="融安县第一中学")  # a unit that is a helper itself (school to school)
    make_school(name="融安县统计局", kind="government")  # no pairing: nothing to filter by
    units_helping = make_programme(name="单位结对帮扶", helper_kinds=["organization"], target_kinds=["household"])
    services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=units_helping, helper=school,
                            target=make_household(township=TOWNSHIP_B, members=1), starts_on=date(2025, 3, 1))
    client.force_login(make_user(Role.COUNTY_OFFICE))
    html = _html(client.get(reverse("compliance:behind"), {"as_of": AFTER}))
    units = html.split('name="helper_org"')[1].split("</select>")[0]
    for unit in (world["unit"], world["other_unit"], school):  # through 韦志强, through 莫远, itself
        assert f'<option value="{unit.pk}"' in units, unit.name
    assert "融安县统计局" not in units
