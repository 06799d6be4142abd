from datetime import date

import pytest
from django.db import connection
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.privacy.models import FullRead
from bangfu.registry.services import organization_create, person_create
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, id_number, make_household, make_user, village_of

pytestmark = pytest.mark.django_db


def test_it_finds_a_household_by_the_initials_of_its_head(county_client):
    household = make_household()
    other = make_household()
    initials = household.head.initials
    response = county_client.get(reverse("registry:household_list"), {"q": initials})
    assert response.status_code == 200
    assert household.number in response.content.decode()
    if not other.head.initials.startswith(initials):
        assert other.number not in response.content.decode()


def test_it_finds_a_household_by_exact_id_number(county_client):
    household = make_household(members=2)
    make_household()
    member = household.members.exclude(relation="head").get()
    response = county_client.get(reverse("registry:household_list"), {"q": member.id_number})
    page = response.content.decode()
    assert household.number in page
    assert response.context["page_obj"].paginator.count == 1


def test_it_masks_id_numbers_in_lists_and_details(county_client):
    household = make_household()
    head = household.head
    for url in (reverse("registry:household_list"), reverse("registry:household_detail", args=[household.pk])):
        page = county_client.get(url).content.decode()
        assert head.id_number not in page
        assert head.id_number[:6] + "********" + head.id_number[-4:] in page


def test_it_reveals_a_full_id_number_and_logs_the_read(county_client):
    head = make_household().head
    response = county_client.post(reverse("registry:reveal", args=["person", head.pk, "id_number"]))
    assert response.status_code == 200
    assert head.id_number in response.content.decode()
    read = FullRead.objects.get()
    assert (read.user, read.record_id, read.field) == (county_client.user, head.pk, "id_number")


def test_a_reveal_for_another_purpose_without_a_note_asks_again_keeping_what_was_written(county_client):
    """「其他」 needs its 用途说明, and a purpose must be one of the list: the field comes back masked and
    open, with the message, keeping what was chosen and written (escaped)."""
    head = make_household().head
    url = reverse("registry:reveal", args=["person", head.pk, "id_number"])
    page = county_client.post(url, {"reason": "other", "reason_note": " "}).content.decode()
    assert head.id_number not in page and head.id_number[-4:] in page
    assert f'id="pf-person-{head.pk}-id_number"' in page and '<details class="reveal" open>' in page
    assert "请写明用途说明" in page and '<option value="other" selected>' in page
    assert f'hx-post="{url}"' in page
    page = county_client.post(url, {"reason": "<i>", "reason_note": "<b>核对</b>"}).content.decode()
    assert "查看用途不正确：&lt;i&gt;" in page and 'value="&lt;b&gt;核对&lt;/b&gt;"' in page
    assert head.id_number not in page and " selected" not in page
    assert not FullRead.objects.exists()


def test_a_masked_fields_form_is_each_records_own_in_each_language(regions):
    """The 查看 form is written once per language and kind of field and filled with each record's id: the same as
    written anew for that record, in Chinese and in English, with its own URL and anchor; without the right, none."""
    from django.utils import translation

    from bangfu.privacy.templatetags.privacy import _reveal_form, personal_field

    household = make_household(members=2)
    people = list(household.members.order_by("pk"))
    for language in ("zh-hans", "en"):
        with translation.override(language):
            for person in people:
                html = personal_field("person", person, "id_number", True)
                shown = f'<span class="personal" id="pf-person-{person.pk}-id_number">'
                assert html == f"{shown}{person.id_number[:6]}********{person.id_number[-4:]}" + _reveal_form(
                    "person", person.pk, "id_number")
                assert reverse("registry:reveal", args=["person", person.pk, "id_number"]) in html
            assert ("查看" in html) is (language == "zh-hans")
    assert "<details" not in personal_field("person", people[0], "id_number", False)


def test_it_refuses_to_reveal_to_a_role_without_the_right(client, regions):
    head = make_household().head
    client.force_login(make_user(Role.VILLAGE_TEAM, region=TOWNSHIP_A))
    response = client.post(reverse("registry:reveal", args=["person", head.pk, "id_number"]))
    assert response.status_code == 403
    assert not FullRead.objects.exists()


def test_it_names_the_field_when_the_check_digit_is_wrong(county_client):
    household = make_household(members=1)
    good = id_number(date(1992, 4, 5), "female")
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    url = reverse("registry:member_create", args=[household.pk])
    response = county_client.post(url, {"name": "韦丽", "id_number": bad, "relation": "spouse", "ethnicity": "壮族",
                                        "schooling": "none", "health": "healthy", "kind": "resident"})
    assert response.status_code == 400
    form = response.context["form"]
    assert "校验位" in form.errors["id_number"][0]
    assert household.members.count() == 1


def test_it_shows_the_change_in_the_history_after_a_valid_edit(county_client):
    household = make_household(members=1)
    member = household.members.get()
    url = reverse("registry:person_edit", args=[member.pk])
    response = county_client.post(url, {"name": member.name, "relation": "head", "ethnicity": "壮族",
                                        "schooling": "none", "health": "chronic", "kind": "resident",
                                        "work_ability": "weak"})
    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    page = county_client.get(reverse("registry:person_detail", args=[member.pk])).content.decode()
    assert "长期慢性病" in page and "健康状况" in page and str(county_client.user) in page


def test_a_township_user_sees_only_its_township(client, regions):
    mine = make_household(township=TOWNSHIP_A)
    theirs = make_household(township=TOWNSHIP_B)
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    page = client.get(reverse("registry:household_list")).content.decode()
    assert mine.number in page and theirs.number not in page
    assert client.get(reverse("registry:household_detail", args=[theirs.pk])).status_code == 404
    assert client.get(reverse("registry:household_edit", args=[theirs.pk])).status_code == 404
    assert client.post(reverse("registry:reveal", args=["person", theirs.head_id, "id_number"])).status_code == 404


@pytest.mark.parametrize("rows", [1, 30])
@pytest.mark.parametrize("page", ["registry:household_list", "registry:person_list", "registry:organization_list"])
def test_list_pages_run_the_same_number_of_queries_whatever_the_rows(county_client, django_assert_num_queries, rows,
                                                                      page):
    for _ in range(rows):
        make_household(members=1)
    for i in range(rows):
        organization_create(scope=ADMIN_SCOPE, by=None, data={"name": f"单位{i}", "kind": "government",
                                                                "region": village_of(TOWNSHIP_A)})
    # session, user with its region + count + page rows (+ the filter form's region choices: reference data, read once
    # a process while it stands, bangfu/reference.py — hence a first request before the one counted)
    expected = {"registry:household_list": 5, "registry:person_list": 4, "registry:organization_list": 4}[page]
    county_client.get(reverse(page))
    with django_assert_num_queries(expected):
        response = county_client.get(reverse(page))
    assert response.status_code == 200
    assert response.context["page_obj"].paginator.count >= rows


def test_the_household_list_counts_without_joining_what_it_shows(county_client):
    """The rows shown join the regions and heads; the count reads the households alone (a search that joins
    the members is counted by test_it_finds_a_household_by_exact_id_number)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):
        make_household(members=2)
    with CaptureQueriesContext(connection) as queries:
        response = county_client.get(reverse("registry:household_list"))
    counts = [q["sql"] for q in queries.captured_queries if "COUNT(" in q["sql"]]
    assert len(counts) == 1 and "JOIN" not in counts[0]
    assert response.context["page_obj"].paginator.count == 3
    assert len(response.context["lines"]) == 3
    numbers = {line["number"] for line in response.context["lines"]}
    assert len(numbers) == 3


def test_the_home_page_counts_within_scope(client, regions):
    make_household(township=TOWNSHIP_A, members=3)
    make_household(township=TOWNSHIP_B, members=2)
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    response = client.get("/")
    summary = response.context["summary"]
    assert (summary.households, summary.people) == (1, 3)


def test_a_county_office_forms_a_work_team_with_one_first_secretary(county_client):
    unit = organization_create(scope=ADMIN_SCOPE, by=None, data={"name": "县财政局", "kind": "government",
                                                                 "region": village_of(TOWNSHIP_A)})
    cadres = [person_create(scope=ADMIN_SCOPE, by=None, data={
        "name": name, "id_number": id_number(date(1985, 1, 1 + i)), "region": village_of(TOWNSHIP_A), "kind": "cadre",
        "organization": unit, "rank": "staff"}) for i, name in enumerate(["蓝天明", "廖志强"])]
    response = county_client.post(reverse("registry:team_create"), {
        "name": "县财政局驻和平村工作队", "kind": "village_work_team", "organization": unit.pk,
        "region": village_of(TOWNSHIP_A).code})
    assert response.status_code == 302
    team_url = response.url
    assert county_client.post(team_url, {"person": cadres[0].pk, "role": "first_secretary"}).status_code == 302
    response = county_client.post(team_url, {"person": cadres[1].pk, "role": "first_secretary"})
    assert response.status_code == 400
    assert "该工作队已有第一书记" in response.content.decode()
    page = county_client.get(team_url).content.decode()
    assert "蓝天明" in page and "第一书记" in page
    assert "县财政局驻和平村工作队" in county_client.get(reverse("registry:team_list")).content.decode()


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_the_household_page_shows_each_members_labels_as_their_fields_give_them(county_client, language):
    """The members table's cells are computed in Python (registry.display.member_lines): each choice by the
    label get_FOO_display gives in the user's language, a disability with its grade, the person's pages linked."""
    from django.conf import settings
    from django.utils import translation

    from bangfu.registry.models import Person

    household = make_household(members=2)
    child = household.members.exclude(relation="head").get()
    Person.objects.filter(pk=child.pk).update(health="disabled", disability_category="physical", disability_grade=4,
                                              education="junior", schooling="none", work_ability="weak")
    county_client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    page = county_client.get(reverse("registry:household_detail", args=[household.pk])).content.decode()
    with translation.override(language):
        for m in household.members.all():
            name, relation = translation.gettext("姓名"), translation.gettext("与户主关系")
            assert (f'<td data-label="{name}"><a href="{reverse("registry:person_detail", args=[m.pk])}">{m.name}</a>'
                    f'</td><td data-label="{relation}">{m.get_relation_display()}</td>') in page
            assert f'<td data-label="{translation.gettext("性别")}">{m.get_gender_display()}</td>' in page
            assert f'<td class="hide-sm">{m.get_work_ability_display()}</td>' in page
            assert f'<a href="{reverse("registry:person_edit", args=[m.pk])}">{translation.gettext("修改")}</a>' in page
        child.refresh_from_db()
        assert (f'<td class="hide-sm">{child.get_health_display()} · {child.get_disability_category_display()} '
                f'{child.get_disability_grade_display()}</td>') in page
        assert child.get_disability_category_display() != "physical" and child.get_education_display() in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_household_lists_rows_are_prepared_unless_searched_by_text(county_client):
    """The page's rows (HTML and API) are read as a prepared statement with its generic plan (bangfu/sql.py);
    a text search is not, since a generic plan of `LIKE $1` cannot range an index by the pattern's prefix."""
    from django.db.backends.postgresql.base import ServerBindingCursor

    household = make_household(members=2)

    def rows_read(path, params) -> list[bool]:
        read = []

        def record(execute, sql, sql_params, many, context):
            if "registry_household" in sql and "LIMIT" in sql:
                read.append(isinstance(context["cursor"].cursor, ServerBindingCursor))
            return execute(sql, sql_params, many, context)

        with connection.execute_wrapper(record):
            response = county_client.get(path, params)
        assert response.status_code == 200 and household.number in response.content.decode()
        return read

    for path in (reverse("registry:household_list"), "/api/v1/households"):
        assert rows_read(path, {}) == [True]
        assert rows_read(path, {"status": household.status}) == [True]
        assert rows_read(path, {"q": household.head.initials}) == [False]
        assert rows_read(path, {"q": household.number}) == [False]
