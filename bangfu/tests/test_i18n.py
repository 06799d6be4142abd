"""English through Django i18n: the language a person chooses or their browser asks for; Chinese by default."""

import dataclasses
import io
from pathlib import Path

import polib
from python_calamine import CalamineWorkbook
import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from bangfu.tests.factories import make_household

pytestmark = pytest.mark.django_db

CATALOG = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES" / "django.po"


def page(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


def test_it_shows_the_login_page_in_chinese_by_default(client):
    html = page(client.get(reverse("accounts:login")))
    assert '<html lang="zh-hans">' in html
    assert "登录帮扶平台" in html and "用户名" in html
    assert "Log in to Bangfu" not in html


@pytest.mark.parametrize("accept", ["zh-CN,zh;q=0.9", "fr-FR,fr;q=0.9", "zh-Hans"])
def test_it_keeps_chinese_for_chinese_and_unsupported_browser_languages(client, accept):
    html = page(client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE=accept))
    assert "登录帮扶平台" in html
    assert "Log in to Bangfu" not in html


def test_it_shows_the_login_page_in_english_when_the_browser_asks_for_it(client):
    html = page(client.get(reverse("accounts:login"), HTTP_ACCEPT_LANGUAGE="en-GB,en;q=0.9,zh;q=0.5"))
    assert '<html lang="en">' in html
    for english in ("Log in to Bangfu", "Username", "Password", "Bangfu — a platform for pairing assistance"):
        assert english in html
    for chinese in ("登录帮扶平台", "用户名", "密码", "结对帮扶工作平台"):
        assert chinese not in html


def test_the_footer_offers_both_languages_by_their_own_names(client):
    html = page(client.get(reverse("accounts:login")))
    assert f'action="{reverse("set_language")}"' in html
    assert 'value="en" lang="en">English</button>' in html
    assert 'value="zh-hans" lang="zh-hans" aria-current="true" disabled>简体中文</button>' in html


def test_the_chosen_language_persists_across_pages_and_overrides_the_browser(county_client):
    response = county_client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302 and response.url == reverse("home")
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "en" and cookie["max-age"] == 365 * 24 * 3600

    html = page(county_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="zh-CN"))
    for english in ("Register of assisted households", "Programmes", "Compliance", "Log out", "By region",
                    "By main cause of poverty", "Dibao households", "County office"):
        assert english in html
    for chinese in ("帮扶对象台账", "帮扶项目", "落实情况", "退出登录", "按区域", "按主要致贫原因", "低保户", "县级业务部门"):
        assert chinese not in html

    county_client.post(reverse("set_language"), {"language": "zh-hans", "next": reverse("home")})
    html = page(county_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "帮扶对象台账" in html and "按区域" in html
    assert "Register of assisted households" not in html


def test_the_household_list_and_detail_read_in_english(county_client):
    household = make_household(members=2, dibao=True)
    make_household(members=1)

    html = page(county_client.get(reverse("registry:household_list"), HTTP_ACCEPT_LANGUAGE="en"))
    for english in ("Register of assisted households", "Register a household", "2 households", "Not yet exited", "Illness"):
        assert english in html
    for chinese in ("帮扶对象台账", "登记新户", "共 2 户", "未脱贫", "因病"):
        assert chinese not in html

    html = page(county_client.get(reverse("registry:household_detail", args=[household.pk]),
                                  HTTP_ACCEPT_LANGUAGE="en"))
    for english in ("Household members (2)", "Head of household", "Minimum living allowance (dibao)",
                    "Two Assurances and Three Guarantees", "0.00 yuan", f"Household of {household.head.name}"):
        assert english in html
    for chinese in ("家庭成员", "户主", "低保", "两不愁三保障", " 元<"):
        assert chinese not in html


def test_the_household_list_stays_chinese_without_a_choice(county_client):
    make_household(members=1)
    html = page(county_client.get(reverse("registry:household_list")))
    assert "帮扶对象台账" in html and "共 1 户" in html and "未脱贫" in html
    assert "Register of assisted households" not in html


def test_document_kinds_their_fields_and_the_quality_rates_read_in_english(county_client):
    """Their labels are declared at import time (lazy), so they follow each request's language."""
    html = page(county_client.get(reverse("documents:index"), HTTP_ACCEPT_LANGUAGE="en"))
    for english in ("Assistance booklet", "Village work team monthly report", "Half-year summary"):
        assert english in html
    for chinese in ("帮扶手册", "驻村工作队月报", "半年工作总结"):
        assert chinese not in html
    html = page(county_client.get(reverse("documents:templates"), HTTP_ACCEPT_LANGUAGE="en"))
    assert "Household net income" in html and "家庭纯收入" not in html

    html = page(county_client.get(reverse("quality:rates"), HTTP_ACCEPT_LANGUAGE="en"))
    for english in ("Poverty incidence", "Missed-identification rate", "Wrong-identification rate", "Wrong-exit rate"):
        assert english in html
    for chinese in ("贫困发生率", "漏评率", "错评率", "错退率", "群众认可度"):
        assert chinese not in html
    html = page(county_client.get(reverse("quality:rates")))
    assert "漏评率" in html and "Missed-identification rate" not in html


def test_an_import_template_in_english_has_valid_sheet_names():
    """Excel refuses a sheet name over 31 characters or with []:*?/\\: a translated title is cleaned."""
    from bangfu.imports.blanks import register_template
    from bangfu.imports.registers import REGISTERS

    register = next(iter(REGISTERS.values()))
    long_title = "Register of households: [poverty] alleviation / monitoring?"
    with translation.override("en"):
        for r in [*REGISTERS.values(), dataclasses.replace(register, title=long_title)]:
            names = CalamineWorkbook.from_filelike(io.BytesIO(register_template(r))).sheet_names
            assert all(0 < len(n) <= 31 and not set(n) & set("[]:*?/\\") for n in names), names
        assert names[0] == "Register of households poverty"


def test_the_english_catalog_has_no_empty_or_fuzzy_entries():
    """Checks the committed catalog only: strings added elsewhere since the last `make messages` are not its concern."""
    catalog = polib.pofile(str(CATALOG))
    assert catalog.metadata["Language"] == "en"
    assert not catalog.metadata_is_fuzzy
    assert len(catalog) > 500
    assert [e.msgid for e in catalog if "fuzzy" in e.flags] == []
    assert [e.msgid for e in catalog if e.obsolete] == []
    empty = [e.msgid for e in catalog
             if (e.msgid_plural and not all(e.msgstr_plural.values())) or (not e.msgid_plural and not e.msgstr)]
    assert empty == []


def test_the_compiled_catalog_matches_the_po_file():
    """The .mo is committed so that a clone needs no gettext tools; it must be compiled from the .po beside it."""
    catalog = polib.pofile(str(CATALOG))
    stale = []
    with translation.override("en"):
        for e in catalog:
            if e.msgid_plural:
                got = translation.npgettext(e.msgctxt, e.msgid, e.msgid_plural, 2) if e.msgctxt else \
                    translation.ngettext(e.msgid, e.msgid_plural, 2)
                want = e.msgstr_plural[1]
            else:
                got = translation.pgettext(e.msgctxt, e.msgid) if e.msgctxt else translation.gettext(e.msgid)
                want = e.msgstr
            if got != want:
                stale.append(e.msgid)
    assert stale == [], "run `make messages` and commit the .mo"
