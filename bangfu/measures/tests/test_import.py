"""Measures import from Excel through the import machinery (the `measures` register), like every
register: template, upload on the 导入 page, check, import — all rows or none — and again."""

import io

import pytest
from django.urls import reverse

from bangfu.accounts.roles import Role
from bangfu.imports.tests.jobs import start, upload
from bangfu.measures.models import Measure
from bangfu.programmes.tests.factories import make_person
from bangfu.tests.factories import TOWNSHIP_A, TOWNSHIP_B, make_household, make_user

pytestmark = pytest.mark.django_db


def _csv(text: str) -> io.BytesIO:
    fh = io.BytesIO(text.encode("utf-8-sig"))
    fh.name = "一户一策.csv"
    return fh


def test_measures_import_from_a_register_all_or_nothing(client, regions, django_capture_on_commit_callbacks):
    ours, theirs = make_household(members=2), make_household(township=TOWNSHIP_B)
    helper = make_person(rank="staff", name="韦帮扶")
    client.force_login(make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A))
    template = client.get(reverse("imports:template", args=["measures"]))
    assert template.status_code == 200
    header = "户编号,措施类别,措施内容,计划落实日期,责任人身份证号,金额(元),预期增收(元/年)\n"
    bad = (header + f"{ours.number},产业,发展滑皮金桔种植 5 亩,2027-04-30,{helper.id_number},5000,6000\n"
           + f"{theirs.number},就业,外出务工,2027-03-01,,,\n"
           + f"{ours.number},魔法,不存在的类别,2027-03-01,,,\n")
    job = start(client, upload(client, _csv(bad), "measures"), False, django_capture_on_commit_callbacks)
    messages = " ".join(e["message"] for e in job.error_sample)
    assert job.status != "done" and "未登记，或不在您的管辖范围内" in messages and "魔法" in messages, job.error_sample
    assert Measure.objects.count() == 0  # nothing written while any row is wrong
    good = (header + f"{ours.number},产业,发展滑皮金桔种植 5 亩,2027-04-30,{helper.id_number},5000,6000\n"
            + f"{ours.number},教育,雨露计划助学,2027-09-01,,3000,\n")
    job = start(client, upload(client, _csv(good), "measures"), False, django_capture_on_commit_callbacks)
    assert job.status == "done", (job.message, job.error_sample)
    rows = list(Measure.objects.order_by("planned_on").values_list("category", "helper_id", "amount", "region_id"))
    assert rows == [("industry", helper.pk, 5000, ours.region_id), ("education", None, 3000, ours.region_id)]
    assert Measure.history.count() == 2
    again = start(client, upload(client, _csv(good), "measures"), False, django_capture_on_commit_callbacks)
    assert again.status == "done" and Measure.objects.count() == 2  # the same file twice adds nothing
    plan = client.get(reverse("measures:household_plan", args=[ours.pk])).content.decode()
    assert "雨露计划助学" in plan
