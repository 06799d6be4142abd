"""A helper on a phone records a visit with a photo, in a real headless Chromium: the visit lands in
the pairing's log and the household's 帮扶手册 with the photo's EXIF time, and this month's
obligation turns from due to met."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from PIL import Image

from bangfu.accounts.roles import Role
from bangfu.activities.models import Activity
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme
from bangfu.tests.browser import needs_chromium
from bangfu.tests.factories import ADMIN_SCOPE, make_household, make_user

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium, pytest.mark.once]


def _photo(path, taken) -> None:
    """A JPEG as a phone writes it: EXIF time taken (and GPS, which the test does not need)."""
    image = Image.new("RGB", (64, 48), (200, 40, 40))
    exif = Image.Exif()
    exif.get_ifd(0x8769)[0x9003] = taken.strftime("%Y:%m:%d %H:%M:%S")  # Exif IFD, DateTimeOriginal
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", exif=exif.tobytes())
    path.write_bytes(buffer.getvalue())


def test_a_helper_records_a_visit_with_a_photo_on_a_phone(live_server, regions, browser, tmp_path):
    today = timezone.localdate()
    programme = make_programme(name="干部结对帮扶", starts_on=today - timedelta(days=400),
                               ends_on=today + timedelta(days=400))
    add_obligation(programme, name="每月走访帮扶户", kind="走访", minimum=1, period="month")
    cadre = make_person(name="韦志强")
    household = make_household()
    pairing = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme, helper=cadre, target=household,
                                      starts_on=today.replace(day=1) - timedelta(days=40))
    make_user(Role.HELPER, username="weizq", password="demo-pass-2026", person=cadre, display_name=cadre.name)
    taken = timezone.localtime().replace(hour=9, minute=30, second=0, microsecond=0)
    _photo(tmp_path / "visit.jpg", taken)

    page = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "weizq")
    page.fill("input[name=password]", "demo-pass-2026")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/compliance/rows/?pairing={pairing.pk}&current=1")
    row = page.inner_text("main table tbody")
    assert "每月走访帮扶户" in row and page.inner_text("#compliance-rows tbody .tag") == "进度正常"

    page.goto(f"{live_server.url}/mine/")
    page.click(f"#my-pairings tr:has-text('{household.number}') >> text=记录帮扶")
    page.select_option("select[name=kind]", "走访")
    page.fill("input[name=occurred_on]", today.isoformat())
    page.fill("textarea[name=content]", "入户了解金桔管护和务工情况")
    page.set_input_files("input[name=photo]", str(tmp_path / "visit.jpg"))
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/pairings/{pairing.pk}/")
    page.screenshot(path=str(tmp_path / "pairing.png"), full_page=True)
    log = page.inner_text("main")
    assert "入户了解金桔管护和务工情况" in log and page.locator("img[alt='visit.jpg']").count() == 2 and taken.strftime("%m-%d %H:%M") in log

    activity = Activity.objects.get(pairing=pairing)
    assert activity.recorded_by.username == "weizq" and activity.evidence.get().taken_at is not None
    page.goto(f"{live_server.url}/compliance/rows/?pairing={pairing.pk}&current=1")
    assert page.inner_text("#compliance-rows tbody .tag") == "已完成"
