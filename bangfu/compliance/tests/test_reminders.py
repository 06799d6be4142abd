"""Reminders of what falls due this week: the same rows as the page, per helper, through the senders
named in settings — e-mail via Django's backend (locmem here), SMS via the logging example."""

import logging
from datetime import date
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from bangfu.accounts.roles import Role
from bangfu.activities.models import Activity
from bangfu.activities.services import activity_record
from bangfu.compliance import reminders
from bangfu.compliance.tasks import reminders_send_task
from bangfu.programmes import services
from bangfu.programmes.tests.factories import add_obligation, make_person, make_programme
from bangfu.tests.factories import ADMIN_SCOPE, TOWNSHIP_A, TOWNSHIP_B, make_household, make_user

pytestmark = pytest.mark.django_db
AS_OF = date(2025, 10, 28)  # a Tuesday: October's visit falls due on Friday the 31st
SENT: list = []


class CollectingSender(reminders.ReminderSender):
    """A sender as a deployment would add one (a real one would call its gateway here)."""

    def send(self, due, *, as_of):
        SENT.append((as_of, [(r.name, r.phone, len(r.rows)) for r in due]))
        return len(due)


@pytest.fixture
def programme(regions):
    programme = make_programme(name="干部结对帮扶")
    monthly = add_obligation(programme, name="每月走访", kind="走访", minimum=1, period="month")
    add_obligation(programme, name="每周电话联系", kind="电话联系", minimum=1, period="week")
    lazy = make_person(name="覃懒", phone="13800001111", region=TOWNSHIP_A)
    keen = make_person(name="韦勤", phone="13800002222", region=TOWNSHIP_A)
    far = make_person(name="莫远", phone="13800003333", region=TOWNSHIP_B)
    pairings = {}
    for helper, township in ((lazy, TOWNSHIP_A), (keen, TOWNSHIP_A), (far, TOWNSHIP_B)):
        household = make_household(township=township, members=1)
        pairings[helper.name] = services.pairing_create(scope=ADMIN_SCOPE, by=None, programme=programme,
                                                        helper=helper, target=household, starts_on=date(2025, 9, 1))
    services_record(pairings["韦勤"], "走访", date(2025, 10, 9))
    services_record(pairings["韦勤"], "电话联系", date(2025, 10, 27))
    services_record(pairings["莫远"], "走访", date(2025, 10, 9))
    return {"programme": programme, "monthly": monthly, "pairings": pairings}


def services_record(pairing, kind, on):
    activity_record(scope=ADMIN_SCOPE, by=None, pairings=[pairing], data={
        "kind": kind, "occurred_on": on, "content": "入户走访"})


def test_it_finds_what_is_due_by_sunday_per_helper(programme):
    due = {r.name: r for r in reminders.due_this_week(scope=ADMIN_SCOPE, as_of=AS_OF)}
    # 覃懒 owes October's visit (due Friday) — on track by the share of days, but not done;
    # this week's call is due too. 韦勤 has done both; 莫远 owes only the call.
    assert set(due) == {"覃懒", "莫远"}
    assert sorted(r.obligation.name for r in due["覃懒"].rows) == ["每周电话联系", "每月走访"]
    assert [r.obligation.name for r in due["莫远"].rows] == ["每周电话联系"]
    assert due["覃懒"].phone == "13800001111" and due["覃懒"].shortfall == 2
    # Only the periods under way: September's missed visit is overdue, not "due this week".
    assert all(r.period_ends_on >= AS_OF for r in due["覃懒"].rows)


def test_the_command_mails_each_office_its_own_helpers_and_texts_the_helpers(programme, settings, caplog):
    settings.BANGFU_REMINDER_SENDERS = ["bangfu.compliance.reminders.EmailSender",
                                        "bangfu.compliance.reminders.LoggingSmsSender"]
    make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A, email="changan@example.org", display_name="长安镇扶贫站")
    make_user(Role.COUNTY_OFFICE, email="county@example.org", display_name="县乡村振兴局")
    make_user(Role.INSPECTOR, email="inspector@example.org")  # not an office that acts on reminders
    out = StringIO()
    with caplog.at_level(logging.INFO, logger="bangfu.reminders"):
        call_command("remind", "--as-of", AS_OF.isoformat(), stdout=out)
    assert "2 位" in out.getvalue() and "EmailSender 2" in out.getvalue()
    by_to = {m.to[0]: m for m in mail.outbox}
    assert set(by_to) == {"changan@example.org", "county@example.org"}
    assert "覃懒" in by_to["changan@example.org"].body and "莫远" not in by_to["changan@example.org"].body
    assert "莫远" in by_to["county@example.org"].body and "还差 1" in by_to["county@example.org"].body
    texts = [r.getMessage() for r in caplog.records]
    assert any("覃懒您好" in t and "138****1111" in t for t in texts)
    assert not any("13800001111" in t for t in texts)  # the number is masked in the log


def test_a_sender_named_in_settings_gets_the_reminders_from_the_task(programme, settings):
    settings.BANGFU_REMINDER_SENDERS = [f"{__name__}.CollectingSender"]
    SENT.clear()
    result = reminders_send_task.enqueue(AS_OF.isoformat())
    assert result.return_value == {"helpers": 2, "CollectingSender": 2}
    assert SENT == [(AS_OF, [("覃懒", "13800001111", 2), ("莫远", "13800003333", 1)])]
    out = StringIO()
    call_command("remind", "--as-of", AS_OF.isoformat(), "--dry-run", stdout=out)
    assert "覃懒：2 项" in out.getvalue() and len(SENT) == 1  # a dry run sends nothing


def test_the_page_and_the_api_list_the_same_rows(programme, client):
    client.force_login(make_user(Role.COUNTY_OFFICE))
    response = client.get(f"/compliance/week/?as_of={AS_OF}")
    assert response.status_code == 200
    page = response.content.decode()
    assert "覃懒" in page and "莫远" in page
    # the page (本周待办) also lists what fell overdue this month: 韦勤 missed the calls of October's
    # weeks 40–43 (the week-44 call and October's visit are done)
    rows = page.split("<tbody>")[1]
    assert rows.count(">韦勤</a>") == 4 and "逾期未完成" in rows
    api = client.get(f"/api/v1/compliance/due-this-week?as_of={AS_OF}").json()
    assert api["count"] == 3
    assert {i["helper_name"] for i in api["items"]} == {"覃懒", "莫远"}
    assert Activity.objects.count() == 3
    assert {i["obligation_name"] for i in api["items"]} == {"每月走访", "每周电话联系"}
