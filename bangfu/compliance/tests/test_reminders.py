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


def test_it_finds_what_is_to_do_this_week_per_helper(programme):
    due = {r.name: r for r in reminders.due_this_week(scope=ADMIN_SCOPE, as_of=AS_OF)}
    # 本周待办 on Tuesday 28 October: October's visit (due Friday) where not made, this week's call,
    # and the calls of October's weeks 40–43 missed (overdue since the month began).
    assert set(due) == {"覃懒", "韦勤", "莫远"}
    assert sorted(r.period_label for r in due["覃懒"].rows) == [
        "2025年10月", "2025年第40周", "2025年第41周", "2025年第42周", "2025年第43周", "2025年第44周"]
    assert [r.obligation.name for r in due["莫远"].rows] == ["每周电话联系"] * 5  # 莫远 made the visit
    assert {r.status for r in due["韦勤"].rows} == {"overdue"} and len(due["韦勤"].rows) == 4
    assert due["覃懒"].phone == "13800001111" and due["覃懒"].shortfall == 6
    # September's missed visit ended before the month: overdue, no longer this week's task.
    assert all(r.period_ends_on >= date(2025, 10, 1) for r in due["覃懒"].rows)


def test_a_monthly_visit_not_yet_made_is_a_task_in_the_months_first_week(programme):
    due = {r.name: r for r in reminders.due_this_week(scope=ADMIN_SCOPE, as_of=date(2025, 10, 8))}
    # Wednesday 8 October: everyone still owes October's visit (made on the 9th), due on the 31st.
    assert {name: [row.period_label for row in r.rows if row.obligation.name == "每月走访"]
            for name, r in due.items()} == {name: ["2025年10月"] for name in ("覃懒", "韦勤", "莫远")}


def test_the_command_mails_each_office_its_own_helpers_and_texts_the_helpers(programme, settings, caplog):
    settings.BANGFU_REMINDER_SENDERS = ["bangfu.compliance.reminders.EmailSender",
                                        "bangfu.compliance.reminders.LoggingSmsSender"]
    make_user(Role.TOWNSHIP_OFFICE, region=TOWNSHIP_A, email="changan@example.org", display_name="长安镇扶贫站")
    make_user(Role.COUNTY_OFFICE, email="county@example.org", display_name="县乡村振兴局")
    make_user(Role.INSPECTOR, email="inspector@example.org")  # not an office that acts on reminders
    out = StringIO()
    with caplog.at_level(logging.INFO, logger="bangfu.reminders"):
        call_command("remind", "--as-of", AS_OF.isoformat(), stdout=out)
    assert "3 位" in out.getvalue() and "EmailSender 2" in out.getvalue()
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
    assert result.return_value == {"helpers": 3, "CollectingSender": 3}
    assert len(SENT) == 1 and SENT[0][0] == AS_OF
    assert sorted(SENT[0][1]) == sorted([("覃懒", "13800001111", 6), ("莫远", "13800003333", 5), ("韦勤", "13800002222", 4)])
    out = StringIO()
    call_command("remind", "--as-of", AS_OF.isoformat(), "--dry-run", stdout=out)
    assert "覃懒：6 项" in out.getvalue() and len(SENT) == 1  # a dry run sends nothing


@pytest.mark.parametrize("day", [date(2025, 10, 8), AS_OF, date(2025, 11, 3)])
def test_the_page_the_api_and_the_reminders_list_the_same_rows(programme, client, day):
    """One rule (compliance/todo.py) for 本周待办, the API's due-this-week and `bangfu remind`."""
    client.force_login(make_user(Role.COUNTY_OFFICE))
    response = client.get(f"/compliance/week/?as_of={day}")
    assert response.status_code == 200 and "本周待办" in response.content.decode()
    page = {(r.pairing.pk, r.obligation.pk, r.period_label) for r in response.context["page_obj"]}
    api = client.get(f"/api/v1/compliance/due-this-week?as_of={day}&page_size=500").json()
    assert api["count"] == len(api["items"])
    from_api = {(i["pairing_id"], i["obligation_id"], i["period_label"]) for i in api["items"]}
    sent = {(row.pairing.pk, row.obligation.pk, row.period_label)
            for r in reminders.due_this_week(scope=ADMIN_SCOPE, as_of=day) for row in r.rows}
    assert page == from_api == sent
    assert page  # there is something to do on each of these days
    out = StringIO()
    call_command("remind", "--as-of", day.isoformat(), "--dry-run", stdout=out)
    helpers = {programme["pairings"][name].pk: name for name in programme["pairings"]}
    assert f"共 {len({helpers[p] for p, _o, _l in page})} 位" in out.getvalue()
    assert Activity.objects.count() == 3
