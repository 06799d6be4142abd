"""The key flow in a real headless Chromium: a township office uploads a civil servants' list on 导入,
imports it, finds the clue on 数据比对, assigns, verifies and closes it; sees it counted in 错评率 and the
targets chart drawn (ECharts under the strict CSP)."""

import pytest

from bangfu.accounts.roles import Role
from bangfu.tests.browser import needs_chromium
from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user

pytestmark = [pytest.mark.django_db(transaction=True), needs_chromium, pytest.mark.once]


def test_a_list_hit_is_raised_worked_and_counted(live_server, regions, browser, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A, username="changan", password="demo-pass-2026")
    household = make_household(members=2)
    member = household.members.order_by("pk").last()
    csv = tmp_path / "公职人员名单.csv"
    csv.write_text(f"姓名,身份证号,所在区域,工作单位\n{member.name},{member.id_number},长安镇,融安县农业农村局\n",
                   encoding="utf-8")

    page = browser.new_page(locale="zh-CN")
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", "changan")
    page.fill("input[name=password]", "demo-pass-2026")
    page.click("main button[type=submit]")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/imports/")
    page.select_option("select[name=register]", "xc_civil_servants")
    page.set_input_files("input[name=file]", str(csv))
    page.click("main form[enctype] button[type=submit]")
    page.wait_for_selector("button[name=dry_run][value='0']")
    page.click("button[name=dry_run][value='0']")
    page.wait_for_function("() => document.querySelector('#import-counts') !== null")

    page.goto(f"{live_server.url}/crosschecks/")
    page.click(f"#clues a:has-text('{member.name}')")
    page.fill("input[name=assignee]", "长安镇扶贫工作站")
    page.fill("input[name=assigned_on]", "2025-06-01")
    page.click("form[action$='/assign/'] button")
    page.wait_for_function("() => document.querySelector('#clue-status').innerText.includes('核查中')")
    page.fill("textarea[name=verification]", "入户核实：该成员在县农业农村局工作")
    page.fill("input[name=verified_on]", "2025-06-05")
    page.click("form[action$='/verify/'] button")
    page.wait_for_function("() => document.querySelector('#clue-status').innerText.includes('已核实')")
    page.select_option("select[name=finding]", "wrong_identification")
    page.fill("input[name=closed_on]", "2025-06-10")
    page.fill("input[name=evidence_note]", "在职证明")
    page.click("form[action$='/close/'] button")
    page.wait_for_function("() => document.querySelector('#clue-status').innerText.includes('已办结')")

    page.goto(f"{live_server.url}/quality/?region={TOWNSHIP_A}&year=2025")
    text = page.inner_text("#rate-wrong_identification")
    assert f"{household.size} / {household.size}" in text  # the only registered household, confirmed 错评
    page.click("#rate-wrong_identification a")
    assert household.number in page.inner_text("#rate-rows")

    page.goto(f"{live_server.url}/quality/targets/?region={TOWNSHIP_A}&year=2025")
    page.wait_for_selector("#targets-chart canvas")
    assert not errors, errors
