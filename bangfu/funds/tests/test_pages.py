"""Funds through the pages: register a fund, allocate it down to a township, pay from the
allocation; the balance refuses an overdraw with its Chinese message."""

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.funds.models import Allocation, Fund
from bangfu.tests.factories import TOWNSHIP_A, make_user

pytestmark = pytest.mark.django_db


def test_a_fund_is_registered_allocated_and_paid_on_pages(client, regions):
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    assert client.get(reverse("funds:fund_create")).status_code == 403
    assert client.get(reverse("funds:allocation_create")).status_code == 403
    client.force_login(make_user(Role.FINANCE))
    made = client.post(reverse("funds:fund_create"), {
        "name": "2026年财政专项扶贫资金(金桔)", "source": "higher_fiscal", "year": "2026", "region": "450224000000",
        "budget": "4000000", "document_no": "融财农〔2026〕12号"})
    assert made.status_code == 302
    fund = Fund.objects.get()
    page = client.get(reverse("funds:allocation_create")).content.decode()
    assert fund.name in page
    allocation = {"fund": fund.pk, "amount": "4000000", "region": TOWNSHIP_A, "purpose": "滑皮金桔种植奖补",
                  "allocated_on": "2026-03-01", "target_kind": "region"}
    too_much = client.post(reverse("funds:allocation_create"), {**allocation, "amount": "4000001"})
    assert too_much.status_code == 400 and "可分配余额为 4000000.00 元" in too_much.content.decode()
    assert client.post(reverse("funds:allocation_create"), allocation).status_code == 302
    made = Allocation.objects.get()
    listing = client.get(reverse("funds:fund_list")).content.decode()
    url = reverse("funds:allocation_detail", args=[made.pk])
    assert url in listing
    pay = {"amount": "6000", "paid_on": "2026-05-20", "payee": "覃某某", "voucher_no": "融扶拨2026-001"}
    assert client.post(url, pay).status_code == 302
    detail = client.get(url).content.decode()
    assert "融扶拨2026-001" in detail and 'id="remaining">3994000.00<' in detail
    overdraw = client.post(url, {**pay, "amount": "3994000.01", "voucher_no": "融扶拨2026-002"})
    assert overdraw.status_code == 400 and "余额为 3994000.00 元" in overdraw.content.decode()
    client.force_login(make_user(Role.COUNTY_OFFICE))  # may allocate, may not pay
    assert client.post(url, pay).status_code == 403
    client.force_login(make_user(Role.FINANCE, region="450223000000"))
    assert client.get(url).status_code == 404
