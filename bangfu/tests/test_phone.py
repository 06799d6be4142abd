"""A helper's flow on a 390×844 phone in a real headless Chromium (issue 14): the menu collapses, the
home is 我的帮扶 with one tap to record, lists are cards, and no page scrolls sideways. Screenshots go
to the test's folder (BANGFU_SCREENSHOTS=DIR keeps them) for a person to look at."""

import os
from pathlib import Path

import pytest

from bangfu.accounts.roles import Role
from bangfu.tests.browser import needs_chromium
from bangfu.tests.factories import make_user
from bangfu.tests.test_pages import world  # noqa: F401  (the fixture)

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium, pytest.mark.once]
PHONE = {"width": 390, "height": 844}


def _no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"], page.url


def _in_viewport(page, selector):
    box = page.locator(selector).first.bounding_box()
    assert box is not None, selector
    assert box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], (selector, box)
    assert box["y"] >= 0 and box["y"] + box["height"] <= PHONE["height"], (selector, box)


def test_a_helper_records_a_visit_on_a_phone_without_scrolling_sideways(live_server, browser, world, tmp_path):  # noqa: F811
    shots = Path(os.environ.get("BANGFU_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    helper = world["helper"]
    helper.username = "weizq"
    helper.set_password("demo-pass-2026")
    helper.save()
    page = browser.new_page(viewport=PHONE, is_mobile=True, has_touch=True, locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "weizq")
    page.fill("input[name=password]", "demo-pass-2026")
    page.click("main button[type=submit]")
    page.goto(f"{live_server.url}/?as_of=2025-10-08")
    page.wait_for_url(f"{live_server.url}/mine/")
    page.goto(f"{live_server.url}/mine/?as_of=2025-10-08")
    page.screenshot(path=str(shots / "phone-mine.png"))
    _no_sideways_scroll(page)
    assert not page.locator("#site-nav").is_visible()  # the menu is folded behind one button
    _in_viewport(page, "#my-todo a.record")  # 记录: the primary action, on the first screen
    _in_viewport(page, ".bottom-bar")
    page.click(".menu-toggle")
    assert page.locator("#site-nav").is_visible()
    page.screenshot(path=str(shots / "phone-menu.png"))
    page.click(".menu-toggle")

    page.click("#my-todo a.record")
    page.wait_for_url("**/activities/new/**")
    _no_sideways_scroll(page)
    assert page.input_value("select[name=kind]") == "走访"
    assert page.input_value("input[name=occurred_on]")  # today, pre-filled
    height = page.locator("textarea[name=content]").bounding_box()["height"]
    assert height >= 44  # thumb-sized
    page.fill("input[name=occurred_on]", "2025-10-08")
    page.fill("textarea[name=content]", "入户了解金桔管护和务工情况")
    page.screenshot(path=str(shots / "phone-record.png"), full_page=True)
    save = page.locator("main button[type=submit]").bounding_box()  # 保存: as wide as the screen, no sideways scroll
    assert save["x"] >= 0 and save["x"] + save["width"] <= PHONE["width"] and save["height"] >= 44
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/pairings/{world['pairing'].pk}/")
    _no_sideways_scroll(page)
    assert "入户了解金桔管护和务工情况" in page.inner_text("main")
    page.screenshot(path=str(shots / "phone-pairing.png"), full_page=True)

    for path in (f"/compliance/week/?as_of=2025-10-08&helper_person={world['wei'].pk}",
                 f"/households/{world['helped'].pk}/?as_of=2025-10-08", "/households/"):
        page.goto(live_server.url + path)
        _no_sideways_scroll(page)
        page.screenshot(path=str(shots / f"phone-{path.strip('/').split('/')[0]}-{len(path)}.png"), full_page=True)


def test_an_office_home_fits_a_phone_and_a_desktop(live_server, browser, world, tmp_path):  # noqa: F811
    shots = Path(os.environ.get("BANGFU_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    make_user(Role.COUNTY_OFFICE, username="county", password="demo-pass-2026")
    for size, name in ((PHONE, "phone"), ({"width": 1366, "height": 900}, "desktop")):
        page = browser.new_page(viewport=size, is_mobile=name == "phone", locale="zh-CN")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "county")
        page.fill("input[name=password]", "demo-pass-2026")
        page.click("main button[type=submit]")
        page.goto(f"{live_server.url}/?as_of=2025-10-08")
        assert page.locator("#by-area canvas").count() == 1  # the chart drew from its json_script data
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(shots / f"{name}-county-home.png"), full_page=True)
        page.goto(f"{live_server.url}/compliance/behind/?as_of=2025-11-05")
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"] or name == "desktop"
        page.screenshot(path=str(shots / f"{name}-behind.png"), full_page=True)
        page.close()


def test_an_office_reveals_a_number_saying_why_and_finds_it_in_the_access_log(live_server, browser, world, tmp_path):  # noqa: F811
    """The access log shows a reveal made a minute earlier, with who, what, when, how and why."""
    shots = Path(os.environ.get("BANGFU_SCREENSHOTS") or tmp_path)
    shots.mkdir(parents=True, exist_ok=True)
    make_user(Role.COUNTY_OFFICE, username="county", password="demo-pass-2026", display_name="县办张琴")
    for size, name in ((PHONE, "phone"), ({"width": 1366, "height": 900}, "desktop")):
        page = browser.new_page(viewport=size, is_mobile=name == "phone", locale="zh-CN")
        page.goto(f"{live_server.url}/accounts/login/")
        page.fill("input[name=username]", "county")
        page.fill("input[name=password]", "demo-pass-2026")
        page.click("main button[type=submit]")
        page.goto(f"{live_server.url}/households/{world['helped'].pk}/?as_of=2025-10-08")
        field = page.locator(f"#pf-person-{world['wei'].pk}-phone")  # the helper's phone, in 帮扶责任人
        field.locator("summary").click()
        field.locator("select[name=reason]").select_option("contact")
        field.locator("input[name=reason_note]").fill(f"约定入户时间({name})")
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(shots / f"{name}-reveal-asks-why.png"), full_page=False)
        field.locator("button[type=submit]").click()
        page.wait_for_selector(f"#pf-person-{world['wei'].pk}-phone .revealed")
        assert page.inner_text(f"#pf-person-{world['wei'].pk}-phone") == "13812345678"
        page.goto(f"{live_server.url}/privacy/reads/?reason=contact")
        first = page.locator("#access-log tbody tr").first.inner_text()
        assert "县办张琴" in first and "韦志强" in first and "联系电话" in first and "页面查看" in first
        assert "联系本人" in first and f"约定入户时间({name})" in first
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"]
        page.screenshot(path=str(shots / f"{name}-access-log.png"), full_page=True)
        page.close()
