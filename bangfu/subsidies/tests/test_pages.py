"""The money pages: every one renders in scope, refuses roles that may not see money, and the
notice page shows no full ID number."""

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.funds.tests.factories import make_allocation, make_fund
from bangfu.procedures.models import Holiday
from bangfu.subsidies import services
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, make_household, make_user, village_of

pytestmark = pytest.mark.django_db
COUNTY = Scope(role=Role.COUNTY_OFFICE, prefix="450224")
TOWNSHIP = Scope(role=Role.TOWNSHIP_OFFICE, prefix="450224100")


@pytest.fixture
def world(regions):
    fund = make_fund()
    make_allocation(fund, amount="100000")
    scheme = services.scheme_create(scope=COUNTY, by=None, data={
        "name": "滑皮金桔种植奖补", "year": 2026, "region": "450224000000", "unit": "mu", "rate": "1000",
        "minimum_quantity": "1", "cap_per_member": "3000", "opens_on": date(2026, 1, 1),
        "closes_on": date(2026, 4, 30)}, standards=[{"label": "成活率", "unit": "%", "low": "90"}])
    household = make_household(members=2)
    application = services.application_create(scope=TOWNSHIP, by=None, scheme=scheme, household=household,
                                              quantity="8", applied_on=date(2026, 4, 1))
    services.applications_advance(scope=TOWNSHIP, by=None, application_ids=[application.pk], transition="register",
                                  on=date(2026, 4, 2))
    services.inspection_record(scope=TOWNSHIP, by=None, application=application, measured={"成活率": "95"},
                               accepted_quantity="8", inspected_on=date(2026, 4, 3))
    services.applications_assess(scope=TOWNSHIP, by=None, scheme=scheme, region=TOWNSHIP_A, on=date(2026, 4, 7))
    notice = services.applications_publish(scope=TOWNSHIP, by=None, scheme=scheme, village=village_of(TOWNSHIP_A).code,
                                           starts_on=date(2026, 4, 8), ends_on=date(2026, 4, 14))
    return {"scheme": scheme, "notice": notice, "household": household}


def test_the_pages_render_in_scope(client, world):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    pages = [reverse("funds:fund_list"), reverse("funds:report") + "?year=2026",
             reverse("subsidies:scheme_list"), reverse("subsidies:scheme_detail", args=[world["scheme"].pk]),
             reverse("procedures:overdue") + "?as_of=2026-06-01", reverse("procedures:holidays"),
             reverse("procedures:notice_detail", args=[world["notice"].pk])]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
    detail = client.get(reverse("subsidies:scheme_detail", args=[world["scheme"].pk])).content.decode()
    assert "6000.00" in detail and "已造册核定" not in detail and "公示中" in detail
    notice = client.get(reverse("procedures:notice_detail", args=[world["notice"].pk])).content.decode()
    head = world["household"].head
    assert head.name in notice and head.id_number not in notice and head.id_number[-4:] in notice
    export = client.get(reverse("funds:report_export") + "?year=2026")
    assert export.status_code == 200 and export["Content-Type"].startswith("application/vnd.openxml")


def test_roles_without_money_are_refused_and_other_counties_see_nothing(client, world):
    client.force_login(make_user(Role.SCHOOL_ADMIN, region=village_of(TOWNSHIP_A).code))
    for name in ("funds:fund_list", "funds:report", "subsidies:scheme_list", "procedures:overdue"):
        assert client.get(reverse(name)).status_code == 403, name
    client.force_login(make_user(Role.COUNTY_OFFICE, region="450223000000"))
    assert client.get(reverse("subsidies:scheme_detail", args=[world["scheme"].pk])).status_code == 404
    assert client.get(reverse("procedures:notice_detail", args=[world["notice"].pk])).status_code == 404
    assert "滑皮金桔" not in client.get(reverse("funds:report")).content.decode()


def test_only_a_county_office_keeps_the_holiday_table(client, world):
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    assert client.post(reverse("procedures:holidays"), {"day": "2027-01-01", "name": "元旦"}).status_code == 403
    client.force_login(make_user(Role.COUNTY_OFFICE))
    response = client.post(reverse("procedures:holidays"), {"day": "2027-01-01", "name": "元旦"})
    assert response.status_code == 302 and Holiday.objects.get().name == "元旦"


def test_list_pages_run_the_same_queries_for_one_row_and_many(client, world):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(make_user(Role.COUNTY_OFFICE))
    urls = [reverse("subsidies:scheme_detail", args=[world["scheme"].pk]), reverse("funds:fund_list"),
            reverse("subsidies:scheme_list")]

    def counts():
        result = []
        for url in urls:
            with CaptureQueriesContext(connection) as ctx:
                assert client.get(url).status_code == 200
            result.append(len(ctx))
        return result

    before = counts()
    for _ in range(3):
        services.application_create(scope=TOWNSHIP, by=None, scheme=world["scheme"], household=make_household(),
                                    quantity="2", applied_on=date(2026, 4, 1))
    fund = make_fund(name="另一笔资金")
    make_allocation(fund, amount="1000")
    assert counts() == before


def test_applications_allocations_and_measures_export_as_every_list(client, world):
    import csv
    import io

    def export(listing, **params):
        query = "&".join(f"{k}={v}" for k, v in params.items())
        response = client.post(reverse("exports:start", args=[listing]) + (f"?{query}" if query else ""),
                               {"format": "csv"})
        text = b"".join(response.streaming_content).decode("utf-8-sig")
        return list(csv.reader(io.StringIO(text)))

    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    page = client.get(reverse("subsidies:scheme_detail", args=[world["scheme"].pk])).content.decode()
    assert reverse("exports:start", args=["subsidy_applications"]) in page
    rows = export("subsidy_applications", scheme=world["scheme"].pk)
    head = world["household"].head
    assert len(rows) == 2 and rows[1][9] == "6000.00" and rows[1][10] == "公示中"
    assert head.id_number not in rows[1][4] and rows[1][4].endswith(head.id_number[-4:])
    assert export("allocations")[1][2] == "滑皮金桔种植奖补"
    assert export("measures", household=world["household"].pk) == [export("measures")[0]]
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert len(export("subsidy_applications", scheme=world["scheme"].pk)) == 1  # another township: headers only


def test_a_scheme_is_configured_on_a_page(client, regions):
    data = {"name": "肉牛养殖奖补", "year": "2026", "region": "450224000000", "unit": "head", "rate": "2000",
            "minimum_quantity": "1", "cap_per_household": "10000", "eligible_statuses": ["poor", "monitored"],
            "opens_on": "2026-03-01", "closes_on": "2026-10-31",
            "standards-TOTAL_FORMS": "6", "standards-INITIAL_FORMS": "0",
            "standards-0-label": "存栏天数", "standards-0-kind": "number", "standards-0-unit": "天", "standards-0-low": "90",
            **{f"standards-{i}-kind": "number" for i in range(1, 6)}}
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    assert client.get(reverse("subsidies:scheme_create")).status_code == 403
    client.force_login(make_user(Role.COUNTY_OFFICE))
    bad = client.post(reverse("subsidies:scheme_create"), {**data, "standards-0-low": "", "closes_on": "2026-02-01"})
    assert bad.status_code == 400 and "申报截止日期不能早于开始日期" in bad.content.decode()
    response = client.post(reverse("subsidies:scheme_create"), data)
    assert response.status_code == 302
    from bangfu.subsidies.models import SubsidyScheme

    scheme = SubsidyScheme.objects.get(name="肉牛养殖奖补")
    assert (scheme.unit, scheme.cap_per_member, scheme.eligible_statuses) == ("head", None, ["poor", "monitored"])
    assert [(s.label, s.low, s.high) for s in scheme.standards.all()] == [("存栏天数", 90, None)]


def test_the_notice_page_prints_the_notice_as_word_and_pdf(client, world):
    import io

    from docx import Document as Docx
    from pypdf import PdfReader

    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    page = client.get(reverse("procedures:notice_detail", args=[world["notice"].pk])).content.decode()
    generate = reverse("documents:generate", args=["notice"])
    assert generate in page and "打印公示(Word)" in page
    head = world["household"].head
    word = client.post(generate, {"subject": world["notice"].pk, "format": "docx", "as_of": "2026-04-08"})
    cells = [c.text for row in Docx(io.BytesIO(word.content)).tables[0].rows for c in row.cells]
    assert head.name in cells and head.id_number not in cells and "6000.00" in cells
    pdf = client.post(generate, {"subject": world["notice"].pk, "format": "pdf", "as_of": "2026-04-08"})
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    assert head.name in text and head.id_number not in text
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.post(generate, {"subject": world["notice"].pk, "format": "pdf"}).status_code == 404


def test_the_township_inspects_on_a_page_with_photos_shown_as_thumbnails(client, world):
    from bangfu.measures.tests.test_measures import photo
    from bangfu.subsidies.models import InspectionPhoto
    from bangfu.subsidies.tests.test_scenario import Caller

    scheme = world["scheme"]
    application = services.application_create(scope=TOWNSHIP, by=None, scheme=scheme, household=make_household(members=1),
                                              quantity="3", applied_on=date(2026, 4, 1))
    url = reverse("subsidies:application_detail", args=[application.pk])
    client.force_login(make_user(Role.VILLAGE_TEAM, region=village_of(TOWNSHIP_A).code))
    assert client.post(url, {"accepted_quantity": "3"}).status_code == 403  # not the township
    services.applications_advance(scope=TOWNSHIP, by=None, application_ids=[application.pk], transition="register",
                                  on=date(2026, 4, 2))
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    page = client.get(url).content.decode()
    assert "成活率(%)" in page and "记录验收结果" in page
    bad = client.post(url, {"m_" + str(scheme.standards.get().pk): "85", "accepted_quantity": "3",
                            "inspected_on": "2026-03-01"})
    assert bad.status_code == 400 and "验收日期不能早于申报日期" in bad.content.decode()
    done = client.post(url, {"m_" + str(scheme.standards.get().pk): "85", "accepted_quantity": "3",
                             "inspected_on": "2026-04-03", "photos": [photo("果园1.png"), photo("果园2.jpg", "JPEG")]})
    assert done.status_code == 302
    application.refresh_from_db()
    assert application.passed is False and "成活率" in application.failures[0]["message"]
    photos = list(InspectionPhoto.objects.filter(application=application))
    assert [p.name for p in photos] == ["果园1.png", "果园2.jpg"]
    detail = client.get(reverse("subsidies:scheme_detail", args=[scheme.pk])).content.decode()
    assert all(reverse("subsidies:inspection_photo", args=[p.pk]) in detail for p in photos)
    assert client.get(reverse("subsidies:inspection_photo", args=[photos[0].pk])).status_code == 200
    township = Caller(client, make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    more = client.post(f"/api/v1/subsidies/applications/{application.pk}/photos", {"file": photo("补拍.png")},
                       **township.headers)
    assert more.status_code == 201
    assert len(township.get(f"/subsidies/applications/{application.pk}").json()["photos"]) == 3
    text = client.post(f"/api/v1/subsidies/applications/{application.pk}/photos",
                       {"file": SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")},
                       **township.headers)
    assert text.status_code == 400 and "只能上传照片" in text.json()["message"]
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.get(reverse("subsidies:inspection_photo", args=[photos[0].pk])).status_code == 404
    # after the notice, the evidence is closed
    published = world["notice"].cases.values_list("subject_id", flat=True)[0]
    late = client.post(f"/api/v1/subsidies/applications/{published}/photos", {"file": photo("晚.png")},
                       **township.headers)
    assert late.status_code == 409 and "不能再补充验收照片" in late.json()["message"]
