"""Reminders: each helper's "due this week" summary, handed to pluggable senders (SMS, e-mail …).

What is due is 本周待办 (compliance/todo.py) — obligations not yet met whose period ends this week or
this month, and what fell overdue since the week or the month began: the same rows as
/compliance/week/ and /api/v1/compliance/due-this-week — grouped per helper. Sending is a hook:
settings.BANGFU_REMINDER_SENDERS names classes; each gets every reminder and delivers those it
can address. Two ship with Bangfu:

- EmailSender: Django's e-mail backend (the console in development). It mails a helper when a
  user account with an e-mail is linked to that helper (no link exists yet: see `helper_emails`),
  and mails each office account with an e-mail (county, township, village team) the list of
  helpers due in its own scope.
- LoggingSmsSender: writes the text it would send to the helper's phone to the log. It is the
  example for a real gateway.

A real SMS gateway sender subclasses ReminderSender and implements `send(reminders) -> int`:
for each reminder with a phone, send `sms_text(reminder)` (short: the gateway's template and
signature rules — 【融安县帮扶办】 — and about 70 Chinese characters a part), batch as the gateway
allows, respect its rate limit, never log the full phone number, and return how many messages
were accepted. It must not raise for one bad number: log it and go on; raise only when the
gateway as a whole is unreachable, so the task is retried. Credentials come from the environment.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.mail import get_connection
from django.core.mail.message import EmailMessage
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from bangfu.accounts.roles import Role
from bangfu.accounts.scope import Scope
from bangfu.compliance.selectors import ComplianceRow, compliance_count, compliance_rows
from bangfu.compliance.todo import todo_filters, week_end
from bangfu.privacy.masking import mask_phone

logger = logging.getLogger("bangfu.reminders")
PAGE = 1000
ALL = Scope(role=Role.ADMIN, prefix="")
OFFICE_ROLES = (Role.COUNTY_OFFICE, Role.TOWNSHIP_OFFICE, Role.VILLAGE_TEAM)


@dataclass
class Reminder:
    """One helper's 本周待办: obligations due this week or month, or overdue since, not yet met."""

    helper_kind: str
    helper_id: int
    name: str
    region_code: str
    phone: str = ""
    email: str = ""
    rows: list[ComplianceRow] = field(default_factory=list)

    @property
    def shortfall(self) -> float:
        return sum(r.shortfall for r in self.rows)


def due_this_week(*, scope: Scope, as_of: date) -> list[Reminder]:
    """The reminders for everyone in the scope: pages of compliance rows, grouped per helper."""
    filters = todo_filters(as_of=as_of)
    total = compliance_count(scope=scope, filters=filters, as_of=as_of)
    by_helper: dict[tuple[str, int], Reminder] = {}
    for offset in range(0, total, PAGE):
        for row in compliance_rows(scope=scope, filters=filters, as_of=as_of, limit=PAGE, offset=offset):
            pairing = row.pairing
            helper = pairing.helper
            key = (pairing.helper_kind, helper.pk)
            if key not in by_helper:
                by_helper[key] = Reminder(helper_kind=pairing.helper_kind, helper_id=helper.pk, name=str(helper),
                                          region_code=pairing.region_id)
            by_helper[key].rows.append(row)
    reminders = sorted(by_helper.values(), key=lambda r: (r.region_code, r.name, r.helper_id))
    _addresses(reminders)
    return reminders


def _addresses(reminders: list[Reminder]) -> None:
    """Phones from the registry in three queries (persons, units' contacts, team leaders)."""
    from bangfu.registry.choices import TeamRole
    from bangfu.registry.models import Organization, Person, TeamMember

    ids = defaultdict(list)
    for r in reminders:
        ids[r.helper_kind].append(r.helper_id)
    phones = {("person", p.pk): p.phone for p in Person.objects.filter(pk__in=ids["person"]).only("phone")}
    phones |= {("organization", pk): phone for pk, phone in
               Organization.objects.filter(pk__in=ids["organization"]).values_list("pk", "contact_phone")}
    leaders = (TeamMember.objects.filter(team_id__in=ids["team"], ended_on__isnull=True)
               .filter(role__in=[TeamRole.FIRST_SECRETARY, TeamRole.LEADER]).select_related("person")
               .order_by("team_id", "-role"))  # first_secretary sorts after leader: the secretary wins
    for member in leaders:
        phones[("team", member.team_id)] = member.person.phone
    emails = helper_emails(ids["person"])
    for r in reminders:
        r.phone = phones.get((r.helper_kind, r.helper_id)) or ""
        r.email = emails.get(r.helper_id, "") if r.helper_kind == "person" else ""


def helper_emails(person_ids: list[int]) -> dict[int, str]:
    """E-mail of the user account linked to each helper person. The accounts app has no user ↔
    person link yet; when it gains one (a `person` foreign key on User) this finds it."""
    from bangfu.accounts.models import User

    if not any(f.name == "person" for f in User._meta.get_fields()):
        return {}
    rows = User.objects.filter(person_id__in=person_ids, is_active=True).exclude(email="")
    return dict(rows.values_list("person_id", "email"))


def sms_text(reminder: Reminder) -> str:
    first = reminder.rows[0]
    text = _("%(name)s您好：本周有%(n)d项帮扶待办，如“%(ob)s”(%(target)s，%(end)s截止，还差%(short)g%(unit)s)。") % {
        "name": reminder.name, "end": first.period_ends_on.strftime("%m-%d"), "n": len(reminder.rows),
        "ob": first.obligation.name, "target": first.pairing.target_name, "short": first.shortfall,
        "unit": first.obligation.unit}
    return text


def email_body(name: str, reminders: list[Reminder]) -> str:
    lines = [_("%(name)s：") % {"name": name}, "", _("以下帮扶要求本周或本月到期尚未完成，或已逾期(本周待办)：")]
    for reminder in reminders:
        lines.append("")
        lines.append(f"{reminder.name}")
        for row in reminder.rows:
            lines.append(_("  · %(ob)s｜%(target)s｜%(period)s｜要求 %(req)g，已完成 %(done)g，还差 %(short)g %(unit)s") % {
                "ob": row.obligation.name, "target": row.pairing.target_name, "period": row.period_label,
                "req": row.required, "done": row.done, "short": row.shortfall, "unit": row.obligation.unit})
    lines += ["", _("详情请登录 Bangfu 查看“本周待办”。")]
    return "\n".join(lines)


class ReminderSender:
    """The hook: deliver what can be delivered, return how many messages went out."""

    def send(self, reminders: list[Reminder], *, as_of: date) -> int:
        raise NotImplementedError


class LoggingSmsSender(ReminderSender):
    """An SMS sender for development: logs the text and the masked number instead of sending."""

    def send(self, reminders, *, as_of):
        sent = 0
        for reminder in reminders:
            if not reminder.phone:
                continue
            logger.info("SMS %s: %s", mask_phone(reminder.phone), sms_text(reminder))
            sent += 1
        return sent


class EmailSender(ReminderSender):
    """E-mail through Django's backend: to linked helpers, and a digest to each office in its scope."""

    def send(self, reminders, *, as_of):
        from bangfu.accounts.models import User

        subject = _("本周帮扶待办(%(d)s)") % {"d": week_end(as_of).isoformat()}
        messages = [EmailMessage(subject, email_body(r.name, [r]), to=[r.email]) for r in reminders if r.email]
        offices = User.objects.filter(is_active=True, role__in=OFFICE_ROLES, region__isnull=False).exclude(email="")
        for user in offices.select_related("region").order_by("pk"):
            mine = [r for r in reminders if r.region_code.startswith(user.region.prefix)]
            if mine:
                messages.append(EmailMessage(subject, email_body(user.display_name or user.username, mine),
                                             to=[user.email]))
        if not messages:
            return 0
        with get_connection() as connection:
            return connection.send_messages(messages) or 0


def senders() -> list[ReminderSender]:
    return [import_string(path)() for path in getattr(settings, "BANGFU_REMINDER_SENDERS", [])]


def reminders_send(*, as_of: date) -> dict[str, int]:
    """Send everyone's due-this-week summary through every configured sender; counts per sender."""
    reminders = due_this_week(scope=ALL, as_of=as_of)
    result = {"helpers": len(reminders)}
    for sender in senders():
        result[type(sender).__name__] = sender.send(reminders, as_of=as_of)
    return result
