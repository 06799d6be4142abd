"""一户一策, 民情日记, a helper's household list, half-year summaries with charts, and the work plan
drafted from a programme, edited on a page and issued: Word and PDF, the pages' figures, scope."""

import io
import json
from datetime import date

import pytest
from django.urls import reverse
from docx import Document as Docx
from pypdf import PdfReader

from bangfu.accounts.roles import Role
from bangfu.documents.models import WorkPlan
from bangfu.documents.tests.conftest import user
from bangfu.documents.tests.test_households import docx_text, generate, pdf_text
from bangfu.funds import services as funds
from bangfu.measures import services as measures
from bangfu.programmes import services as programmes
from bangfu.registry import services as registry
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B

pytestmark = pytest.mark.django_db


def flat(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def plan_world(world):
    household, helper = world["household"], world["helper"]
    made = [measures.measure_create(scope=ADMIN_SCOPE, by=None, data={
        "household": household.pk, "category": category, "description": text, "planned_on": planned,
        "amount": amount, "expected_income": "1500", "helper": helper.pk})
        for category, text, planned, amount in (("industry", "发展金桔种植5亩", date(2025, 2, 1), "3000"),
                                                ("employment", "推荐到县城务工", date(2025, 3, 1), None),
                                                ("housing", "危房改造", date(2025, 5, 1), "20000"))]
    measures.measure_deliver(scope=ADMIN_SCOPE, by=None, measure=made[0], delivered_on=date(2025, 3, 10),
                             note="已发放种苗")
    return made


def test_the_household_plan_has_the_plan_pages_measures(client, world, plan_world):
    household = world["household"]
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    page = client.get(reverse("measures:household_plan", args=[household.pk]))
    shown = list(page.context["measures"])
    response = generate(client, "household_plan", household.pk)
    assert response.status_code == 200, response.content[:300]
    text = docx_text(response.content)
    assert f"户编号：{household.number}" in text and "一户一策帮扶计划" in text
    for m in shown:
        assert m.description in text
    assert f"共{len(shown)}项措施，已落实1项；计划金额23000.00元，已落实3000.00元。" in text
    assert "已发放种苗" in text and "覃帮扶" in text and "139****5678" in text
    pdf = flat(pdf_text(generate(client, "household_plan", household.pk, fmt="pdf").content))
    assert "共3项措施，已落实1项" in pdf and "发展金桔种植5亩" in pdf and household.number in pdf
    # delivered after the data date: still planned on that day
    early = docx_text(client.post(reverse("documents:generate", args=["household_plan"]),
                                  {"subject": household.pk, "as_of": "2025-03-01"}).content)
    assert "已落实0项" in early
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert generate(client, "household_plan", household.pk).status_code == 404


def test_the_helpers_diary_and_household_list(client, world):
    helper = world["helper"]
    client.force_login(user())
    page = client.get(reverse("registry:person_detail", args=[helper.pk]))
    helping = list(page.context["helping"])
    diary = generate(client, "helper_diary", helper.pk, start="2025-01-01", end="2025-03-31")
    assert diary.status_code == 200, diary.content[:300]
    text = docx_text(diary.content)
    # three households, three activities each (走访 Jan, 走访 Feb, 慰问 Mar)
    assert "覃帮扶民情日记" in text and "本期共记录帮扶活动9次，涉及帮扶对象3个，3天有工作记录。" in text
    assert "走访 | 6" in text and "慰问 | 3" in text and "走访了解家庭情况" in text
    assert len(Docx(io.BytesIO(diary.content)).inline_shapes) == 1  # the visits-per-month chart
    pdf = PdfReader(io.BytesIO(generate(client, "helper_diary", helper.pk, fmt="pdf", start="2025-01-01").content))
    assert "本期共记录帮扶活动9次" in flat("".join(p.extract_text() for p in pdf.pages))
    assert len({image.data for p in pdf.pages for image in p.images}) == 1
    # the default period is the data date's month
    assert "本期共记录帮扶活动3次" in docx_text(generate(client, "helper_diary", helper.pk).content)

    listing = docx_text(generate(client, "helper_households", helper.pk).content)
    assert f"在帮对象{len(helping)}个，累计帮扶活动9次。" in listing
    assert all(p.target_household.number in listing for p in helping) and "139****5678" in listing
    assert "13912345678" in docx_text(generate(client, "helper_households", helper.pk, full="1").content)
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))  # the helper is the county's, not 浮石镇's
    assert generate(client, "helper_diary", helper.pk).status_code == 404


def test_the_half_year_summary_takes_every_figure_from_the_pages(client, team_world, plan_world, world):
    fund = funds.fund_create(scope=ADMIN_SCOPE, by=None, name="长安镇衔接资金", source="higher_fiscal", year=2025,
                             region=TOWNSHIP_A, budget="100000")
    allocation = funds.allocation_create(scope=ADMIN_SCOPE, by=None, fund=fund, amount="40000",
                                         region=world["household"].region_id, purpose="产业奖补",
                                         allocated_on=date(2025, 2, 1))
    funds.disbursement_create(scope=ADMIN_SCOPE, by=None, allocation=allocation, amount="25000",
                              paid_on=date(2025, 3, 1), payee="金桔合作社", voucher_no="2025-001")
    exited = world["households"][1]
    registry.household_update(scope=ADMIN_SCOPE, by=None, household=exited,
                              data={"status": "exited", "exited_on": date(2024, 12, 20)})
    township = user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(township)
    summary = client.get(reverse("home")).context["summary"]
    totals = client.get(reverse("compliance:rollup"), {"by": "programme", "as_of": "2025-03-31"}).context["totals"]
    [report] = client.get(reverse("funds:report"), {"year": "2025"}).context["rows"]
    response = generate(client, "half_year_summary", TOWNSHIP_A, year="2025", half="1")
    assert response.status_code == 200, response.content[:300]
    text = docx_text(response.content)
    assert "长安镇2025年上半年结对帮扶工作总结" in text
    assert f"共有建档立卡及监测户{summary.households}户{summary.people}人" in text
    assert f"考核项{totals['total']}项，已完成{totals['met']}项，落后或逾期{totals['due']}项。" in text
    # measures planned in February and March (May's is after the data date), one delivered
    assert "本期计划帮扶措施2项、金额3000.00元，落实1项、金额3000.00元。" in text
    assert f"本年度资金预算{report['budget']}元，已支付{report['disbursed']}元，执行率{report['rate']}%。" in text
    assert "上级财政专项 | 100000.00 | 40000.00 | 25000.00 | 25.0" in text
    assert "2024 | 1" in text  # exits by year
    assert len(Docx(io.BytesIO(response.content)).inline_shapes) == 4  # causes, funds, visits, exits
    pdf = PdfReader(io.BytesIO(generate(client, "half_year_summary", TOWNSHIP_A, fmt="pdf", year="2025",
                                        half="1").content))
    pdf_flat = flat("".join(p.extract_text() for p in pdf.pages))
    assert "本期计划帮扶措施2项" in pdf_flat and f"已支付{report['disbursed']}元" in pdf_flat
    assert len({image.data for p in pdf.pages for image in p.images}) == 4  # pages share their resources
    # the second half has not begun on the data date
    refused = generate(client, "half_year_summary", TOWNSHIP_A, year="2025", half="2")
    assert refused.status_code == 302
    assert generate(client, "half_year_summary", TOWNSHIP_B, year="2025").status_code == 404
    # the yearly summary carries the same sections and charts
    year = docx_text(generate(client, "year_summary", TOWNSHIP_A, year="2025").content)
    assert "本期计划帮扶措施2项" in year and "上级财政专项 | 100000.00" in year

    team = docx_text(generate(client, "team_half_year", team_world.pk, year="2025", half="1").content)
    assert "县财政局驻村工作队2025年上半年工作总结" in team
    # the first secretary's visits to 长安镇's two households and the team's own report and deed
    assert "工作队在岗开展工作6天，共开展帮扶活动9次，其中走访6次。" in team
    assert "硬化通屯道路" in team and "本期计划帮扶措施2项" in team
    assert "上级财政专项 | 40000.00 | 0.00 | 25000.00 | 62.5" in team  # allocated to the village


def test_a_work_plan_is_drafted_from_the_programme_edited_and_issued(client, world):
    programme = world["programme"]
    phase = programmes.phase_add(scope=ADMIN_SCOPE, by=None, programme=programme, name="开展帮扶",
                                 starts_on=date(2025, 3, 1), ends_on=date(2025, 11, 30))
    programmes.task_add(scope=ADMIN_SCOPE, by=None, phase=phase, name="制定一户一策", owner="乡镇扶贫站",
                        due_on=date(2025, 4, 30))
    office = user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A)
    client.force_login(office)
    created = client.post("/api/v1/documents/plans", json.dumps({"programme": programme.pk, "year": 2025}),
                          content_type="application/json")
    assert created.status_code == 201, created.content
    plan = created.json()
    assert plan["status"] == "draft" and "在帮结对" in plan["sections"]["goals"]
    page = client.get(reverse("documents:plan", args=[plan["id"]]))
    assert page.status_code == 200 and "保存正文" in page.content.decode()
    client.post(reverse("documents:plan", args=[plan["id"]]),
                {"guidance": "以乡村振兴为统领。", "goals": "全镇帮扶对象稳定增收。", "measures": "每月走访一次。",
                 "requirements": "按月调度。"})
    draft = docx_text(generate(client, "work_plan", plan["id"]).content)
    assert "(征求意见稿)" in draft and "全镇帮扶对象稳定增收。" in draft
    issued = client.post(reverse("documents:plan_issue", args=[plan["id"]]), {"on": "2025-03-05"})
    assert issued.status_code == 302
    record = WorkPlan.objects.get(pk=plan["id"])
    assert (record.status, record.version, record.issued_on) == ("issued", 1, date(2025, 3, 5))
    response = generate(client, "work_plan", plan["id"])
    text = docx_text(response.content)
    assert "长安镇2025年2025年干部结对帮扶工作计划" in text and "征求意见稿" not in text
    assert "以乡村振兴为统领。" in text and "按月调度。" in text
    obligation = programme.obligations.get()
    assert obligation.name in text and "制定一户一策 | " not in text and "乡镇扶贫站 | 制定一户一策" in text
    assert "4月 | " in text and "2025-03-05" in text
    assert "以乡村振兴为统领" in flat(pdf_text(generate(client, "work_plan", plan["id"], fmt="pdf").content))
    # an issued plan no longer changes; a revision is a new draft with its text, issued as version 2
    again = client.put(f"/api/v1/documents/plans/{plan['id']}", json.dumps({"sections": {"goals": "改"}}),
                       content_type="application/json")
    assert again.status_code == 409
    revision = client.post("/api/v1/documents/plans", json.dumps({"programme": programme.pk, "year": 2025}),
                           content_type="application/json").json()
    assert revision["sections"]["goals"] == "全镇帮扶对象稳定增收。"
    second = client.post(f"/api/v1/documents/plans/{revision['id']}/issue", json.dumps({"on": "2025-06-01"}),
                         content_type="application/json")
    assert second.json()["version"] == 2
    # another township does not see it; a helper does not draft
    client.force_login(user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    assert client.get(reverse("documents:plan", args=[plan["id"]])).status_code == 404
    assert generate(client, "work_plan", plan["id"]).status_code == 404
    client.force_login(user(Role.HELPER, region=TOWNSHIP_A))
    assert client.post(reverse("documents:plan_draft"), {"programme": programme.pk, "year": "2025"}).status_code == 403


def test_the_command_drafts_edits_and_issues_a_plan(world, tmp_path):
    from django.core.management import call_command

    office = user(Role.COUNTY_OFFICE)
    out = io.StringIO()
    call_command("document", "plan-draft", str(world["programme"].pk), "--param", "year=2025", "--user",
                 office.username, stdout=out)
    plan = WorkPlan.objects.get()
    call_command("document", "plan-edit", str(plan.pk), "--param", "goals=全县应帮尽帮。", "--user", office.username,
                 stdout=out)
    call_command("document", "plan-issue", str(plan.pk), "--as-of", "2025-02-01", "--user", office.username, stdout=out)
    assert out.getvalue().splitlines()[-1].endswith("已印发\t1")
    target = tmp_path / "计划.docx"
    call_command("document", "work_plan", str(plan.pk), "--as-of", "2025-02-01", "-o", str(target), "--user",
                 office.username, stdout=out)
    assert "全县应帮尽帮。" in docx_text(target.read_bytes())
