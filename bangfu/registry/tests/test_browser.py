"""The foundation's flow in a real headless Chromium (Debian's package, driven by Playwright)."""

from datetime import date

import pytest

from bangfu.accounts.roles import Role
from bangfu.registry import services
from bangfu.tests.browser import needs_chromium
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, id_number, make_household, make_user

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium, pytest.mark.once]


def _login(page, live_server, username, password):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", password)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")


def test_a_county_officer_finds_edits_and_sees_history(live_server, regions, browser, tmp_path):
    make_user(Role.COUNTY_OFFICE, username="county", password="demo-pass-2026", display_name="县扶贫办")
    household = make_household(members=0)
    head = services.person_create(scope=ADMIN_SCOPE, by=None, data={
        "name": "覃秀英", "id_number": id_number(date(1968, 7, 9), "female"), "household": household,
        "relation": "head", "work_ability": "able"})
    child = services.person_create(scope=ADMIN_SCOPE, by=None, data={
        "name": "韦小明", "id_number": id_number(date(2008, 2, 3), "male"), "household": household,
        "relation": "child", "schooling": "senior"})
    make_household()

    page = browser.new_page(viewport={"width": 412, "height": 900}, locale="zh-CN")  # a phone in China
    _login(page, live_server, "county", "demo-pass-2026")
    page.goto(f"{live_server.url}/households/")
    page.fill("input[name=q]", "qxy")
    # The search answers as one types (htmx): wait for the filtered rows, not the first page.
    # A function, not a bare expression: Playwright evals an expression, which the page's CSP refuses.
    page.wait_for_function("() => document.querySelector('#household-rows').innerText.includes('共 1 户')")
    assert "覃秀英" in page.inner_text("#household-rows")
    page.screenshot(path=str(tmp_path / "list.png"), full_page=True)
    page.click(f"text={household.number}")
    members = page.inner_text("#members")
    assert head.id_number not in members and child.id_number not in members
    assert head.id_number[:6] + "********" + head.id_number[-4:] in members

    page.click(f"#members tr:has-text('韦小明') >> text=修改")
    bad = child.id_number[:17] + ("0" if child.id_number[17] != "0" else "1")
    page.fill("input[name=id_number]", bad)
    page.click("main button[type=submit]")
    error = page.inner_text("#id_id_number_errors")
    assert "校验位错误" in error
    page.screenshot(path=str(tmp_path / "error.png"), full_page=True)

    page.fill("input[name=id_number]", "")
    page.select_option("select[name=health]", "chronic")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/households/{household.pk}/")
    page.click("#members >> text=韦小明")
    history = page.inner_text("#history")
    assert "健康状况" in history and "长期慢性病" in history and "县扶贫办" in history


def test_a_township_user_sees_only_its_township(live_server, regions, browser):
    make_user(Role.TOWNSHIP_OFFICE, username="changan", password="demo-pass-2026", region=TOWNSHIP_A)
    mine = make_household(township=TOWNSHIP_A)
    theirs = make_household(township=TOWNSHIP_B)
    page = browser.new_page(locale="zh-CN")  # Chromium asks for en-US otherwise, which now gets English
    _login(page, live_server, "changan", "demo-pass-2026")
    page.goto(f"{live_server.url}/households/")
    rows = page.inner_text("#household-rows")
    assert mine.number in rows and theirs.number not in rows
    response = page.goto(f"{live_server.url}/households/{theirs.pk}/")
    assert response.status == 404
    assert "不在您的管辖范围内" in page.inner_text("main")
    api = page.request.get(f"{live_server.url}/api/v1/households/{theirs.pk}")
    assert api.status == 404
