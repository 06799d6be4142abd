"""The export buttons in a real headless Chromium: after an htmx filter, the file holds what the screen shows."""

import pytest

from bangfu.accounts.roles import Role
from bangfu.tests.browser import needs_chromium
from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium, pytest.mark.once]


def test_the_csv_holds_the_households_filtered_on_screen(live_server, regions, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A, username="changan", password="demo-pass-2026")
    poor = make_household(members=1)
    exited = make_household(members=1, status="exited", exited_on="2024-12-01")

    page = browser.new_page(locale="zh-CN")
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "changan")
    page.fill("input[name=password]", "demo-pass-2026")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/households/")
    page.select_option("select[name=status]", "exited")  # htmx swaps the rows, and the buttons with them
    # A function, not a bare expression: Playwright evals an expression, which the page's CSP refuses.
    page.wait_for_function("() => document.querySelector('#household-rows').innerText.includes('共 1 户')")
    with page.expect_download() as download:
        page.click("#household-rows button[value=csv]")
    text = download.value.path().read_text(encoding="utf-8-sig")
    assert exited.number in text and poor.number not in text
