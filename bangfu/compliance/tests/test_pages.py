import io
from datetime import date

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.activities.models import Activity, Evidence
from bangfu.activities.services import activity_record
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user

pytestmark = pytest.mark.django_db


def _pairings(n, township=TOWNSHIP_A):
    programme = make_programme()
    add_obligation(programme)
    add_obligation(programme, name="春节慰问", kind="慰问", period="window", window="spring_festival",
                   window_before_days=15, window_after_days=15)
    helper = make_person(rank="staff")
    made = []
    for _ in range(n):
        pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=helper,
                                          target=make_household(members=1, township=township),
                                          starts_on=date(2025, 1, 1))
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                        data={"kind": "走访", "occurred_on": date(2025, 1, 20), "content": "走访"})
        made.append(pairing)
    return programme, made


@pytest.mark.parametrize("n", [1, 12])
def test_the_compliance_pages_run_a_bounded_number_of_queries(county_client, django_assert_max_num_queries, n):
    programme, _ = _pairings(n)
    for name in ("compliance:rollup", "compliance:rows", "compliance:behind"):
        # 14, and one to check that the programme filtered by is inside the scope
        with django_assert_max_num_queries(15):
            response = county_client.get(reverse(name), {"programme": programme.pk, "as_of": "2025-03-10"})
        assert response.status_code == 200
    with django_assert_max_num_queries(14):
        response = county_client.get(reverse("programmes:programme_detail", args=[programme.pk]))
    assert response.status_code == 200


def test_the_rollup_drills_down_and_the_rows_show_the_shortfall(county_client):
    programme, pairings = _pairings(2)
    page = county_client.get(reverse("compliance:rollup"), {"programme": programme.pk, "as_of": "2025-03-10"})
    rows = page.context["rows"]
    assert [r["name"] for r in rows] == ["长安镇"]
    # January met, February overdue, March under way; the Spring Festival (29 Jan 2025) visit missed
    assert (rows[0]["met"], rows[0]["overdue"], rows[0]["on_track"]) == (2, 4, 2)
    behind = county_client.get(reverse("compliance:behind"), {"programme": programme.pk, "as_of": "2025-03-10"})
    labels = sorted(r.period_label for r in behind.context["page_obj"])
    assert labels == ["2025年2月", "2025年2月", "2025年春节", "2025年春节"]


def test_the_export_is_an_xlsx_in_scope(county_client, client):
    programme, _ = _pairings(2)
    url = reverse("exports:start", args=["compliance"]) + f"?programme={programme.pk}&as_of=2025-03-10"
    response = county_client.post(url, {"format": "xlsx"})
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    assert content[:2] == b"PK"
    from python_calamine import CalamineWorkbook

    sheet = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    assert len(sheet) == 1 + 8 and sheet[0][0] == "项目"
    client.force_login(make_user(Role.HELPER, region=TOWNSHIP_A))
    assert client.post(reverse("exports:start", args=["compliance"]), {"format": "xlsx"}).status_code == 403


def test_out_of_scope_pairings_are_404_in_pages(client, regions):
    programme, [pairing] = _pairings(1, township=TOWNSHIP_A)
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.get(reverse("programmes:pairing_detail", args=[pairing.pk])).status_code == 404
    assert client.get(reverse("activities:activity_create"), {"pairing": pairing.pk}).status_code == 404
    household = pairing.target_household
    assert client.get(reverse("activities:household_log", args=[household.pk])).status_code == 404
    response = client.get(reverse("compliance:rows"), {"programme": programme.pk, "as_of": "2025-03-10"})
    assert response.context["page_obj"].paginator.count == 0


def _photo_with_exif() -> bytes:
    from PIL import Image

    image = Image.new("RGB", (8, 8), "red")
    exif = Image.Exif()
    exif[0x0132] = "2025:02:03 10:20:30"  # DateTime
    gps = {1: "N", 2: (24.0, 13.0, 30.0), 3: "E", 4: (109.0, 24.0, 0.0)}
    exif[0x8825] = gps
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def test_a_helper_records_a_visit_with_a_photo_on_the_phone_page(client, regions):
    from django.core.files.uploadedfile import SimpleUploadedFile

    programme, [pairing] = _pairings(1)
    client.force_login(make_user(Role.HELPER, region=TOWNSHIP_A))
    url = reverse("activities:activity_create") + f"?pairing={pairing.pk}"
    assert client.get(url).status_code == 200
    photo = SimpleUploadedFile("visit.jpg", _photo_with_exif(), content_type="image/jpeg")
    response = client.post(url, {"kind": "走访", "occurred_on": "2025-02-03", "actor": "helper",
                                 "with_counterpart": "on", "quantity": "1", "unit": "次",
                                 "content": "了解金桔种植情况", "photo": photo})
    assert response.status_code == 302, response.context["form"].errors
    evidence = Evidence.objects.get()
    assert evidence.taken_at.date() == date(2025, 2, 3)
    assert (float(evidence.latitude), float(evidence.longitude)) == (24.225, 109.4)
    log = client.get(reverse("activities:household_log", args=[pairing.target_household_id])).content.decode()
    assert "了解金桔种植情况" in log and "visit.jpg" in log
    bad = SimpleUploadedFile("x.exe", b"MZ", content_type="application/x-msdownload")
    response = client.post(url, {"kind": "走访", "occurred_on": "2025-02-04", "actor": "helper", "quantity": "1",
                                 "unit": "次", "content": "再访", "photo": bad})
    assert response.status_code == 400 and "文件类型不支持" in str(response.context["form"].errors["photo"])
    assert Activity.objects.filter(occurred_on=date(2025, 2, 4)).count() == 0  # nothing half-written


def test_an_office_creates_a_programme_and_pairs_in_the_pages(county_client):
    response = county_client.post(reverse("programmes:programme_create"), {
        "name": "县直单位干部结对帮扶", "region": "450224000000", "period_kind": "calendar_year",
        "starts_on": "2025-01-01", "ends_on": "2025-12-31", "helper_kinds": ["person"], "target_kinds": ["household"],
        "helper_label": "帮扶责任人", "target_label": "贫困户", "activity_kinds": "走访、慰问、办实事"})
    assert response.status_code == 302
    programme_url = response["Location"]
    pk = int(programme_url.rstrip("/").split("/")[-1])
    response = county_client.post(reverse("programmes:obligation_add", args=[pk]), {
        "name": "每月走访", "actor": "helper", "kind": "走访", "measure": "count", "minimum": "1", "unit": "次",
        "period": "month", "window_before_days": 0, "window_after_days": 0, "grace_days": 5})
    assert response.status_code == 302
    helper, households = make_person(rank="staff"), [make_household(members=1) for _ in range(2)]
    response = county_client.post(reverse("programmes:pairing_create", args=[pk]), {
        "helper_kind": "person", "helper_id": helper.pk, "target_kind": "household",
        "target_ids": f"{households[0].pk}, {households[1].pk}", "starts_on": "2025-01-01"})
    assert response.status_code == 302
    page = county_client.get(programme_url).content.decode()
    assert helper.name in page and "每月走访" in page
    response = county_client.post(reverse("programmes:pairing_create", args=[pk]), {
        "helper_kind": "person", "helper_id": helper.pk, "target_kind": "household",
        "target_ids": "99999999", "starts_on": "2025-01-01"})
    assert response.status_code == 400 and "户不存在" in str(response.context["form"].errors["target_ids"])
