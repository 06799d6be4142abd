"""Background work of compliance: the weekly reminders (a nightly or Monday-morning schedule
enqueues this; the embedded default runs it at once)."""

from datetime import date

from django.utils import timezone
from django_tasks import task

from bangfu.compliance import reminders


@task()
def reminders_send_task(as_of: str | None = None) -> dict[str, int]:
    """Send every helper their due-this-week summary. Takes the date as ISO text, not a date object."""
    day = date.fromisoformat(as_of) if as_of else timezone.localdate()
    return reminders.reminders_send(as_of=day)
