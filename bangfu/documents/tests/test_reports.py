"""The work team's monthly report, a township's yearly summary and a school pairing's term summary:
their figures equal the pages' for the same date and scope, in Word and in PDF."""

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.documents.tests.conftest import AS_OF, user
from bangfu.documents.tests.test_households import docx_text, generate, pdf_text
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def test_the_team_monthly_report_counts_days_visits_deeds_and_problems(client, team_world):
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    response = generate(client, "team_month", team_world.pk, month="2025-03")
    assert response.status_code == 200, response.content[:300]
    text = docx_text(response.content)
    behind = client.get(reverse("compliance:behind"), {"helper_team": team_world.pk, "as_of": "2025-03-31"})
    due = behind.context["page_obj"].paginator.count
    assert due == 1  # February's report was never made
    # March: the first secretary's visit (5 Mar, 慰问) to each of two households of 长安镇, the deed
    # (10 Mar) and the report (28 Mar): three days at work, four activities, two visits
    assert "县财政局驻村工作队2025年3月驻村工作报告" in text
    assert "工作队在岗开展工作3天，共开展帮扶活动4次，其中走访2次。" in text
    assert "硬化通屯道路" in text and f"尚有{due}项帮扶要求未按期完成" in text
    assert "第一书记每月向乡镇报告工作" in text and "2025年2月" in text
    text = pdf_text(generate(client, "team_month", team_world.pk, fmt="pdf", month="2025-03").content)
    assert "在岗开展工作3天" in text and "硬化通屯道路" in text and "逾期未完成" in text


def test_the_yearly_summary_has_the_home_and_compliance_pages_figures(client, team_world):
    township = user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(township)
    summary = client.get(reverse("home")).context["summary"]
    totals = client.get(reverse("compliance:rollup"), {"by": "programme", "as_of": "2025-03-31"}).context["totals"]
    response = generate(client, "year_summary", TOWNSHIP_A, year="2025")
    assert response.status_code == 200, response.content[:300]
    text = docx_text(response.content)
    assert summary.households == 2 and totals["total"] > 0
    assert (f"共有建档立卡及监测户{summary.households}户{summary.people}人" in text)
    assert f"全年考核项{totals['total']}项，已完成{totals['met']}项，落后或逾期{totals['due']}项。" in text
    assert "长安镇2025年度结对帮扶工作总结" in text and "走访 | 4" in text
    text = pdf_text(generate(client, "year_summary", TOWNSHIP_A, fmt="pdf", year="2025").content)
    assert f"全年考核项{totals['total']}项" in text.replace("\n", "")
    assert generate(client, "year_summary", TOWNSHIP_B, year="2025").status_code == 404


def test_the_term_summary_counts_outreach_hours_and_lessons(client, school_world):
    client.force_login(user())
    pairing = school_world["pairing"]
    rows = client.get(reverse("compliance:rows"), {"pairing": pairing.pk, "as_of": "2025-03-31"}).context["page_obj"]
    [row] = list(rows)
    response = generate(client, "term_summary", pairing.pk)
    assert response.status_code == 200, response.content[:300]
    text = docx_text(response.content)
    assert "共开展结对活动4次：联合教研1次，送教7课时，听评课1节。" in text
    assert f"每学期送教不少于10课时 | {row.period_label} | 10 | {row.done:g} | {row.status_label}" in text
    text = pdf_text(generate(client, "term_summary", pairing.pk, fmt="pdf").content)
    assert "送教7课时" in text.replace("\n", "")
    client.force_login(user(Role.SCHOOL_ADMIN, region=TOWNSHIP_B))
    assert generate(client, "term_summary", pairing.pk).status_code == 404


def test_official_reports_keep_the_gb_t_9704_page(client, team_world):
    from io import BytesIO

    from docx import Document as Docx
    from docx.shared import Mm, Pt

    client.force_login(user())
    doc = Docx(BytesIO(generate(client, "team_month", team_world.pk, month="2025-03").content))
    section = doc.sections[0]
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm) for m in margins] == [37, 35, 28, 26]
    assert doc.styles["Normal"].font.size == Pt(16)
    assert "PAGE" in section.footer._element.xml and "—" in section.footer.paragraphs[0].text
    title = doc.paragraphs[0]
    assert title.runs[0].font.size == Pt(22) and "方正小标宋简体" in title.runs[0]._r.xml


def test_a_long_table_breaks_across_pages_with_its_header_repeated(client, world):
    from datetime import date, timedelta

    from bangfu.activities.services import activity_record
    from bangfu.tests.factories import ADMIN_SCOPE

    household = world["household"]
    pairing = household.pairings.get()
    for i in range(70):
        activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing],
                        data={"kind": "电话联系", "occurred_on": date(2025, 1, 1) + timedelta(days=i),
                              "content": f"第{i + 1}次电话联系，了解务工和就医情况"})
    client.force_login(user())
    from io import BytesIO

    from pypdf import PdfReader

    pages = PdfReader(BytesIO(generate(client, "booklet", household.pk, fmt="pdf").content)).pages
    texts = ["".join(p.extract_text().split()) for p in pages]
    with_rows = [t for t in texts if "次电话联系" in t]
    assert len(with_rows) >= 2  # the activity table runs over more than one page …
    assert all("日期类型帮扶方内容成效" in t for t in with_rows)  # … with its header on each
    assert "共73次。" in "".join(texts) and "第70次电话联系" in with_rows[-1]
