"""Term grades of a student (学期成绩): recorded and corrected through the API and the pages, kept
in the history, compared term against term on the student's and the pairing's page, in scope only."""

from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.programmes import services as programme_services
from bangfu.programmes.tests.factories import make_person, make_programme
from bangfu.registry.models import TermGrade
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_user

pytestmark = pytest.mark.django_db
API = "/api/v1/persons"


@pytest.fixture
def student(client, regions):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    return make_person(name="覃小明", kind="student", region=TOWNSHIP_A, struggling=True, born=date(2013, 5, 4))


def post(client, person, **data):
    return client.post(f"{API}/{person.pk}/term-grades", data, content_type="application/json")


def test_grades_are_recorded_corrected_and_compared_through_the_api(client, student):
    for year, term, subject, score in (("2024-2025", 2, "语文", 52), ("2024-2025", 2, "数学", 61),
                                       ("2025-2026", 1, "语文", 66.5), ("2025-2026", 1, "数学", 58),
                                       ("2025-2026", 1, "英语", 70)):
        assert post(client, student, academic_year=year, term=term, subject=subject, score=score).status_code == 201
    # a second score for the same term and subject corrects the first; the history keeps both
    assert post(client, student, academic_year="2025-2026", term=1, subject="数学", score=63).status_code == 201
    grade = TermGrade.objects.get(person=student, academic_year="2025-2026", term=1, subject="数学")
    assert [float(h.score) for h in grade.history.order_by("history_date")] == [58, 63]

    listed = client.get(f"{API}/{student.pk}/term-grades").json()
    assert [(g["term_label"], g["subject"]) for g in listed][:1] == [("2025-2026学年第一学期", "数学")]
    compared = client.get(f"{API}/{student.pk}/term-grades/compare").json()
    assert (compared["previous"], compared["current"]) == ("2024-2025学年第二学期", "2025-2026学年第一学期")
    rows = {r["subject"]: (r["before"], r["now"], r["change"]) for r in compared["rows"]}
    assert rows == {"语文": ("52.0", "66.5", "14.5"), "数学": ("61.0", "63.0", "2.0"), "英语": (None, "70.0", None)}
    assert compared["average_change"] == "8.2"  # (14.5 + 2) / 2 to a tenth; decimals are strings, as elsewhere


@pytest.mark.parametrize("data, field", [
    ({"academic_year": "2025", "term": 1, "subject": "语文", "score": 60}, "academic_year"),
    ({"academic_year": "2025-2027", "term": 1, "subject": "语文", "score": 60}, "academic_year"),
    ({"academic_year": "2025-2026", "term": 3, "subject": "语文", "score": 60}, "term"),
    ({"academic_year": "2025-2026", "term": 1, "subject": " ", "score": 60}, "subject"),
    ({"academic_year": "2025-2026", "term": 1, "subject": "语文", "score": 120}, "score"),
])
def test_bad_grades_are_refused_naming_the_field(client, student, data, field):
    response = post(client, student, **data)
    assert response.status_code == 400
    assert field in response.content.decode()
    assert not TermGrade.objects.exists()


def test_grades_out_of_scope_are_not_found(client, student):
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert post(client, student, academic_year="2025-2026", term=1, subject="语文", score=60).status_code == 404
    assert client.get(f"{API}/{student.pk}/term-grades").status_code == 404
    client.force_login(make_user(Role.HELPER, region=TOWNSHIP_A))
    assert post(client, student, academic_year="2025-2026", term=1, subject="语文", score=60).status_code == 403


def test_the_pairing_page_shows_the_term_before_and_the_latest_side_by_side(client, student):
    programme = make_programme(target_kinds=["person"], name="教师结对帮扶学困生")
    teacher = make_person(kind="teacher", region=TOWNSHIP_A)
    pairing = programme_services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=teacher,
                                                target=student, starts_on=date(2025, 3, 1))
    page = f"/pairings/{pairing.pk}/"
    assert "尚未登记学期成绩" in client.get(page).content.decode()
    for term, score in ((2, "48"), (1, "57.5")):
        response = client.post(f"/persons/{student.pk}/grades/new/", {
            "academic_year": "2024-2025" if term == 2 else "2025-2026", "term": term, "subject": "数学",
            "score": score, "next": page})
        assert response.status_code == 302 and response["Location"] == page
    html = client.get(page).content.decode()
    assert "2024-2025学年第二学期" in html and "2025-2026学年第一学期" in html and "+9.5" in html
    bad = client.post(f"/persons/{student.pk}/grades/new/", {"academic_year": "2025", "term": 1, "subject": "数学",
                                                              "score": "60"})
    assert bad.status_code == 400 and "学年请写成" in bad.content.decode()
    assert "+9.5" in client.get(f"/persons/{student.pk}/").content.decode()
