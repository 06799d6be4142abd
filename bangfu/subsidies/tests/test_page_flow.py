"""The 金桔 scheme's procedure through the pages only, as offices click it: a fund and its
allocation, 申报, 村登记汇总, 乡镇验收 with photos, 造册核定, 公示 with an objection raised and resolved,
县审核, 审批, the batch and its payment; the allocation's page shows the balance moved by the total."""

from decimal import Decimal

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.funds.models import Allocation, Fund
from bangfu.measures.tests.test_measures import photo
from bangfu.procedures.models import Notice, Objection
from bangfu.subsidies.models import Application, PaymentBatch, SubsidyScheme
from bangfu.tests.factories import TOWNSHIP_A, make_household, make_user, village_of

pytestmark = pytest.mark.django_db


def _messages(response) -> str:
    return " ".join(str(m) for m in response.context["messages"]) if response.context else ""


def test_the_procedure_through_the_pages(client, regions):
    village = village_of(TOWNSHIP_A).code
    growers = [make_household(members=2), make_household(members=1), make_household(members=3)]
    county, finance = make_user(Role.COUNTY_OFFICE), make_user(Role.FINANCE)
    township, team = make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A), make_user(Role.VILLAGE_TEAM, region=village)
    client.force_login(county)
    client.post(reverse("subsidies:scheme_create"), {
        "name": "滑皮金桔种植奖补", "year": "2026", "region": "450224000000", "unit": "mu", "rate": "1000",
        "minimum_quantity": "1", "cap_per_member": "3000", "opens_on": "2026-01-01", "closes_on": "2026-04-30",
        "standards-TOTAL_FORMS": "6", "standards-INITIAL_FORMS": "0", "standards-0-label": "每亩株数",
        "standards-0-kind": "number", "standards-0-unit": "株", "standards-0-low": "60", "standards-0-high": "65",
        **{f"standards-{i}-kind": "number" for i in range(1, 6)}})
    scheme = SubsidyScheme.objects.get()
    act = reverse("subsidies:scheme_act", args=[scheme.pk])
    client.force_login(finance)
    client.post(reverse("funds:fund_create"), {"name": "2026年财政专项扶贫资金(金桔)", "source": "higher_fiscal",
                                               "year": "2026", "region": "450224000000", "budget": "4000000"})
    client.post(reverse("funds:allocation_create"), {
        "fund": Fund.objects.get().pk,
        "amount": "4000000", "region": TOWNSHIP_A, "purpose": "滑皮金桔种植奖补", "allocated_on": "2026-03-01",
        "target_kind": "scheme", "target_id": scheme.pk})
    allocation = Allocation.objects.get()

    client.force_login(team)
    small = client.post(act, {"action": "apply", "household": growers[0].pk, "quantity": "0.5",
                              "applied_on": "2026-04-20"}, follow=True)
    assert "低于最低 1.00亩" in _messages(small)
    for household, quantity in zip(growers, ("8", "2", "3")):
        client.post(act, {"action": "apply", "household": household.pk, "quantity": quantity, "applied_on": "2026-04-20"})
    assert Application.objects.count() == 3
    client.post(act, {"action": "advance", "transition": "register", "on": "2026-04-22"})
    refused = client.post(act, {"action": "advance", "transition": "review", "on": "2026-04-22"}, follow=True)
    assert "没有处于" in _messages(refused)

    client.force_login(township)
    standard = scheme.standards.get()
    for application, plants in zip(Application.objects.order_by("pk"), ("62", "62", "58")):
        response = client.post(reverse("subsidies:application_detail", args=[application.pk]), {
            f"m_{standard.pk}": plants, "accepted_quantity": str(application.quantity), "inspected_on": "2026-04-27",
            "photos": [photo("果园.png")]})
        assert response.status_code == 302
    client.post(act, {"action": "assess", "region": TOWNSHIP_A, "on": "2026-04-30"})
    amounts = dict(Application.objects.values_list("household_id", "amount"))
    assert amounts[growers[0].pk] == Decimal("6000") and amounts[growers[2].pk] is None  # 2 persons × 3,000
    client.post(act, {"action": "publish", "village": village, "starts_on": "2026-05-04", "ends_on": "2026-05-10"})
    notice = Notice.objects.get()
    page = client.get(reverse("procedures:notice_detail", args=[notice.pk])).content.decode()
    assert growers[0].head.name in page and growers[2].head.name not in page
    notice_act = reverse("procedures:notice_act", args=[notice.pk])
    client.post(notice_act, {"action": "raise", "content": "反映面积不足", "on": "2026-05-06", "raised_by": "村民"})
    objection = Objection.objects.get()

    client.force_login(county)
    held = client.post(act, {"action": "advance", "transition": "review", "on": "2026-05-11"}, follow=True)
    assert "异议" in _messages(held)
    client.force_login(township)
    client.post(notice_act, {"action": "resolve", "objection": objection.pk, "resolution": "复核属实",
                             "on": "2026-05-08"})
    client.force_login(county)
    client.post(act, {"action": "advance", "transition": "review", "on": "2026-05-11"})
    client.post(act, {"action": "advance", "transition": "approve", "on": "2026-05-13"})

    client.force_login(township)
    assert "生成代发批次" not in client.get(reverse("subsidies:scheme_detail", args=[scheme.pk])).content.decode()
    denied = client.post(act, {"action": "batch", "township": TOWNSHIP_A, "allocation": allocation.pk}, follow=True)
    assert "财务" in _messages(denied) or denied.status_code == 403
    client.force_login(finance)
    client.post(act, {"action": "batch", "township": TOWNSHIP_A, "allocation": allocation.pk})
    batch = PaymentBatch.objects.get()
    assert batch.total == Decimal("8000") and batch.count == 2
    client.post(act, {"action": "paid", "batch": batch.pk, "paid_on": "2026-05-20", "voucher_no": "融扶拨2026-018"})
    detail = client.get(reverse("funds:allocation_detail", args=[allocation.pk])).content.decode()
    assert 'id="remaining">3992000.00<' in detail and "融扶拨2026-018" in detail
    states = sorted(Application.objects.values_list("case__state", flat=True))
    assert states == ["failed", "paid", "paid"]
