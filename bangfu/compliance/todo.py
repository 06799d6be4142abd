"""本周待办: what is still to do this week — the one rule the page (/compliance/week/ and 我的帮扶),
the API (/api/v1/compliance/due-this-week), its export and the reminders (`bangfu remind`) share.

Every obligation not yet met whose period ends in the current week or the current month, and what
fell overdue since the earlier of the week's Monday and the month's first day: a monthly visit not
yet made is a task this week, not only in the month's last week (issue 14)."""

from dataclasses import replace
from datetime import date, timedelta

from bangfu.compliance.selectors import ComplianceFilters


def week_end(day: date) -> date:
    """The Sunday of `day`'s week."""
    return day + timedelta(days=6 - day.weekday())


def month_end(day: date) -> date:
    return (day.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)


def todo_window(as_of: date) -> tuple[date, date]:
    """(first, last) day a period may end on to be on the list of `as_of`: from the earlier of the
    week's Monday and the month's first day to the later of the week's Sunday and the month's end."""
    monday = as_of - timedelta(days=as_of.weekday())
    return min(monday, as_of.replace(day=1)), max(week_end(as_of), month_end(as_of))


def todo_filters(filters: ComplianceFilters | None = None, *, as_of: date) -> ComplianceFilters:
    """`filters` (a helper, a region, a programme …) limited to what is to do on `as_of`: periods
    ending in the window, not met (open or overdue) unless a status is asked for."""
    filters = filters or ComplianceFilters()
    first, last = todo_window(as_of)
    return replace(filters, ending_after=first, ending_before=last, current_only=False,
                   status=filters.status or "todo")
