"""Issue 15's done-when, through the API only: the 金桔 scheme of seed 004 from configuration to
payment for ten households of one village, and a second scheme with other numbers and no code."""

import io
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from bangfu.accounts.roles import Role
from bangfu.accounts.services import api_token_create
from bangfu.funds.models import Allocation
from bangfu.privacy.models import FullRead
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, make_household, make_user, village_of

pytestmark = pytest.mark.django_db
API = "/api/v1"
# (members, declared 亩, plants per 亩, survival %): the last two fail inspection
GROWERS = [(2, "8"), (1, "2.5"), (3, "4"), (3, "20"), (2, "1"), (3, "3.2"), (1, "6"), (2, "2"), (3, "5"), (2, "3")]
MEASURED = [("62", "95")] * 8 + [("58", "95"), ("62", "85")]


class Caller:
    def __init__(self, client, user):
        self.client = client
        _token, key = api_token_create(user=user, name="test")
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

    def get(self, url, **params):
        return self.client.get(API + url, params, **self.headers)

    def post(self, url, data):
        return self.client.post(API + url, data, content_type="application/json", **self.headers)

    def ok(self, url, data, status=(200, 201)):
        response = self.post(url, data)
        assert response.status_code in status, response.content.decode()
        return response.json()


def _scheme(caller, **overrides):
    data = {
        "name": "滑皮金桔种植奖补", "year": 2026, "region": "450224000000", "unit": "mu", "rate": "1000",
        "minimum_quantity": "1", "cap_per_member": "3000", "eligible_statuses": ["poor", "exited"],
        "opens_on": "2026-01-01", "closes_on": "2026-04-30",
        "standards": [
            {"label": "每亩株数", "unit": "株", "low": "60", "high": "65"},
            {"label": "成活率", "unit": "%", "low": "90"},
            {"label": "种植时间", "kind": "date", "low_date": "2026-01-01", "high_date": "2026-04-30"},
        ]}
    data.update(overrides)
    return caller.ok("/subsidies/schemes", data)


def _notice_printed_lists_exactly_the_passed(caller, notice_id, passed, failed):
    """The notice as posted — Word (opened with python-docx) and PDF (its text extracted) — lists
    exactly the passed households, ID numbers masked."""
    from docx import Document as Docx
    from pypdf import PdfReader

    heads = {h.pk: h.head for h in passed + failed}
    for fmt in ("docx", "pdf"):
        response = caller.post("/documents", {"kind": "notice", "subject": str(notice_id), "as_of": "2026-05-04",
                                              "format": fmt})
        assert response.status_code == 200, response.content[:300]
        if fmt == "docx":
            doc = Docx(io.BytesIO(response.content))
            [table] = doc.tables
            rows = [[c.text for c in row.cells] for row in table.rows]
            assert rows[0][:3] == ["序号", "户主姓名", "身份证号"] and len(rows) == 1 + len(passed)
            assert sorted(r[1] for r in rows[1:]) == sorted(heads[h.pk].name for h in passed)
            assert all("*" in r[2] and len(r[2]) == 18 for r in rows[1:])
            text = "\n".join([p.text for p in doc.paragraphs] + [c for r in rows for c in r])
        else:
            text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
        for h in passed:
            head = heads[h.pk]
            assert head.name in text and head.id_number not in text and head.id_number[-4:] in text, fmt
        for h in failed:
            # the demo's names and ID numbers are drawn at random: one a passed household shares proves nothing
            head = heads[h.pk]
            if not any(head.name in heads[p.pk].name for p in passed):
                assert head.name not in text, fmt
            if not any(head.id_number[-4:] in heads[p.pk].id_number for p in passed):
                assert head.id_number[-4:] not in text, fmt


def test_the_kumquat_scheme_from_configuration_to_payment(client, regions):
    village = village_of(TOWNSHIP_A)
    households = [make_household(members=m, bank_name="融安县农村信用合作联社",
                                 bank_account=f"62299100{i:011d}") for i, (m, _q) in enumerate(GROWERS)]
    county = Caller(client, make_user(Role.COUNTY_OFFICE))
    finance = Caller(client, make_user(Role.FINANCE))
    township = Caller(client, make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    other_township = Caller(client, make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_B))
    team = Caller(client, make_user(Role.VILLAGE_TEAM, region=village.code))
    helper = Caller(client, make_user(Role.HELPER, region=village.code))

    # configure, fund, allocate
    scheme = _scheme(county)
    assert [s["label"] for s in scheme["standards"]] == ["每亩株数", "成活率", "种植时间"]
    refused = township.post("/subsidies/schemes", {**scheme, "name": "x", "region": "450224100000"})
    assert refused.status_code in (403, 422)
    fund = finance.ok("/funds", {"name": "2026年财政专项扶贫资金(金桔)", "source": "higher_fiscal", "year": 2026,
                                 "region": "450224000000", "budget": "4000000"})
    allocation = finance.ok("/allocations", {"fund_id": fund["id"], "region": TOWNSHIP_A, "amount": "4000000",
                                             "purpose": "滑皮金桔种植奖补", "allocated_on": "2026-03-01",
                                             "target_kind": "scheme", "target_id": scheme["id"]})
    report_before = {r["source"]: r for r in county.get("/funds/report", year=2026).json()}

    # 申报: ten households; under the minimum is refused before inspection; a helper may not enter one
    small = team.post("/subsidies/applications", {"scheme_id": scheme["id"], "household_id": households[0].pk,
                                                 "quantity": "0.8", "applied_on": "2026-04-20"})
    assert small.status_code == 400 and "低于最低 1.00亩" in small.json()["message"]
    assert helper.post("/subsidies/applications", {"scheme_id": scheme["id"], "household_id": households[0].pk,
                                                  "quantity": "3", "applied_on": "2026-04-20"}).status_code == 403
    apps = [team.ok("/subsidies/applications", {"scheme_id": scheme["id"], "household_id": h.pk, "quantity": q,
                                                "applied_on": "2026-04-20"})
            for h, (_m, q) in zip(households, GROWERS)]
    assert [a["members"] for a in apps] == [m for m, _q in GROWERS]
    ids = [a["id"] for a in apps]
    team.ok("/subsidies/applications/advance", {"application_ids": ids, "transition": "register", "on": "2026-04-22"})

    # 乡镇验收: only the township, only its own; two fail, each failure naming standard and value
    body = {"measured": {"每亩株数": "62", "成活率": "95", "种植时间": "2026-03-10"}, "accepted_quantity": "8",
            "inspected_on": "2026-04-27"}
    wrong_role = team.post(f"/subsidies/applications/{ids[0]}/inspection", body)
    assert wrong_role.status_code == 403 and "乡镇(街道)" in wrong_role.json()["message"]
    assert other_township.post(f"/subsidies/applications/{ids[0]}/inspection", body).status_code == 404
    results = []
    for a, (plants, survival), (_m, q) in zip(apps, MEASURED, GROWERS):
        results.append(township.ok(f"/subsidies/applications/{a['id']}/inspection", {
            "measured": {"每亩株数": plants, "成活率": survival, "种植时间": "2026-03-10"}, "accepted_quantity": q,
            "inspected_on": "2026-04-27"}))
    assert [r["state"] for r in results] == ["inspected"] * 8 + ["failed"] * 2
    assert results[8]["failures"][0]["standard"] == "每亩株数" and "实测 58" in results[8]["failures"][0]["message"]
    assert results[9]["failures"][0]["standard"] == "成活率" and "85" in results[9]["failures"][0]["message"]

    # 造册核定: amounts by the rule and the cap, computed, never typed
    assert township.ok(f"/subsidies/schemes/{scheme['id']}/assess", {"region": TOWNSHIP_A, "on": "2026-04-30"}) \
        == {"count": 8}
    amounts = {a["id"]: township.get(f"/subsidies/applications/{a['id']}").json()["amount"] for a in apps}
    expected = [Decimal(min(Decimal(q) * 1000, m * 3000)) for m, q in GROWERS[:8]]
    assert [Decimal(amounts[i]) for i in ids[:8]] == expected
    assert Decimal(amounts[ids[0]]) == Decimal("6000")  # 2 persons, 8 亩: 6,000 元, not 8,000
    assert amounts[ids[8]] is None and amounts[ids[9]] is None

    # 村内公示: exactly the passed households, numbers masked; an objection holds the county's review
    notice = township.ok(f"/subsidies/schemes/{scheme['id']}/notices", {
        "village": village.code, "starts_on": "2026-05-04", "ends_on": "2026-05-10"})
    assert sorted(r["application"] for r in notice["rows"]) == sorted(ids[:8])
    assert all("*" in r["id_number"] and len(r["id_number"]) == 18 for r in notice["rows"])
    _notice_printed_lists_exactly_the_passed(township, notice["id"], households[:8], households[8:])
    objection = team.ok(f"/procedures/notices/{notice['id']}/objections", {
        "content": "反映该户种植面积不足", "raised_on": "2026-05-06", "raised_by": "村民",
        "case_id": apps[3]["case_id"]})
    review = {"application_ids": ids[:8], "transition": "review", "on": "2026-05-11", "comment": "审核通过"}
    held = county.post("/subsidies/applications/advance", review)
    assert held.status_code == 409 and "异议" in held.json()["message"]
    township.ok(f"/procedures/objections/{objection['id']}/resolve", {
        "resolution": "经复核，实测面积 20 亩属实", "resolved_on": "2026-05-08"})
    early = county.post("/subsidies/applications/advance", {**review, "on": "2026-05-10"})
    assert early.status_code == 409 and "期满" in early.json()["message"]
    by_township = township.post("/subsidies/applications/advance", review)
    assert by_township.status_code == 403 and "县级业务部门" in by_township.json()["message"]
    county.ok("/subsidies/applications/advance", review)
    county.ok("/subsidies/applications/advance", {**review, "transition": "approve", "on": "2026-05-13"})
    failed_review = county.post("/subsidies/applications/advance", {**review, "application_ids": [ids[8]]})
    assert failed_review.status_code == 409 and "验收不合格" in failed_review.json()["message"]

    # 拨付: a batch per township, the bank's list with full accounts (logged), then paid
    assert township.post("/subsidies/batches", {"scheme_id": scheme["id"], "township": TOWNSHIP_A,
                                                "allocation_id": allocation["id"]}).status_code == 403
    batch = finance.ok("/subsidies/batches", {"scheme_id": scheme["id"], "township": TOWNSHIP_A,
                                              "allocation_id": allocation["id"]})
    total = sum(expected)
    assert (batch["count"], Decimal(batch["total"])) == (8, total)
    workbook = finance.get(f"/subsidies/batches/{batch['id']}/bank.xlsx")
    assert workbook.status_code == 200
    rows = CalamineWorkbook.from_filelike(io.BytesIO(workbook.content)).get_sheet_by_index(0).to_python()
    assert rows[0][:4] == ["序号", "户名", "账号", "金额(元)"]
    assert sorted(r[2] for r in rows[1:9]) == sorted(f"62299100{i:011d}" for i in range(8))
    assert Decimal(str(rows[9][3])) == total
    assert FullRead.objects.filter(field="bank_account", channel="export", reason="payment").count() == 8
    paid = finance.ok(f"/subsidies/batches/{batch['id']}/paid", {"paid_on": "2026-05-20", "voucher_no": "融扶拨2026-018"})
    assert paid["paid_on"] == "2026-05-20"
    again = finance.post(f"/subsidies/batches/{batch['id']}/paid", {"paid_on": "2026-05-21", "voucher_no": "x"})
    assert again.status_code == 409
    balance = finance.get(f"/allocations/{allocation['id']}").json()
    assert (Decimal(balance["disbursed"]), Decimal(balance["remaining"])) == (total, Decimal("4000000") - total)
    report_after = {r["source"]: r for r in county.get("/funds/report", year=2026).json()}["higher_fiscal"]
    assert Decimal(report_after["disbursed"]) - Decimal(report_before["higher_fiscal"]["disbursed"]) == total
    states = [township.get(f"/subsidies/applications/{i}").json()["state"] for i in ids]
    assert states == ["paid"] * 8 + ["failed"] * 2
    steps = county.get(f"/procedures/cases/{apps[0]['case_id']}").json()["steps"]
    assert [s["transition"] for s in steps] == ["open", "register", "inspect_pass", "assess", "publish", "review",
                                                "approve", "pay"]
    assert Allocation.objects.get(pk=allocation["id"]).disbursed == total


def test_a_second_scheme_with_other_unit_rate_bounds_and_cap_needs_no_code(client, regions):
    county = Caller(client, make_user(Role.COUNTY_OFFICE))
    township = Caller(client, make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    pigs = _scheme(county, name="生猪养殖奖补", unit="head", rate="500", minimum_quantity="2", cap_per_member=None,
                   cap_per_household="5000", eligible_statuses=["monitored"], standards=[
                       {"label": "出栏体重", "unit": "公斤", "low": "90"},
                       {"label": "防疫合格率", "unit": "%", "low": "100", "high": "100"}])
    assert pigs["unit"] == "head" and pigs["cap_per_household"] == "5000.00"
    monitored = [make_household(members=1, status="monitored", monitoring_category="marginal") for _ in range(2)]
    poor = make_household(members=1)
    not_eligible = township.post("/subsidies/applications", {"scheme_id": pigs["id"], "household_id": poor.pk,
                                                             "quantity": "5", "applied_on": "2026-02-01"})
    assert not_eligible.status_code == 400 and "监测对象" in not_eligible.json()["message"]
    apps = [township.ok("/subsidies/applications", {"scheme_id": pigs["id"], "household_id": h.pk, "quantity": q,
                                                    "applied_on": "2026-02-01"})
            for h, q in zip(monitored, ["12", "3"])]
    township.ok("/subsidies/applications/advance", {"application_ids": [a["id"] for a in apps],
                                                    "transition": "register", "on": "2026-02-02"})
    for a, q in zip(apps, ["12", "3"]):
        township.ok(f"/subsidies/applications/{a['id']}/inspection", {
            "measured": {"出栏体重": "95.5", "防疫合格率": "100"}, "accepted_quantity": q, "inspected_on": "2026-02-03"})
    township.ok(f"/subsidies/schemes/{pigs['id']}/assess", {"region": TOWNSHIP_A, "on": "2026-02-04"})
    amounts = [township.get(f"/subsidies/applications/{a['id']}").json()["amount"] for a in apps]
    assert amounts == ["5000.00", "1500.00"]  # 12 头 × 500 capped at 5,000 per household; 3 × 500
