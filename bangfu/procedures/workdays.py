"""Working days: Chinese statutory holidays and 调休 make-up days.

The chinesecalendar package knows the State Council's announced years (1.11 knows up to 2026 and
raises NotImplementedError for 2027). The office's Holiday table overrides the package day by day
and makes a year known when the package does not know it; a year neither knows is refused with a
message saying what to enter, never guessed.
"""

from datetime import date, timedelta

from django.utils.translation import gettext as _

from bangfu.errors import ValidationError
from bangfu.procedures.models import Holiday


class Calendar:
    """Working-day questions for one computation, reading the table once per year asked about."""

    def __init__(self):
        self._years: dict[int, dict[date, bool]] = {}

    def _table(self, year: int) -> dict[date, bool]:
        if year not in self._years:
            self._years[year] = dict(Holiday.objects.filter(day__year=year).values_list("day", "working"))
        return self._years[year]

    def is_working_day(self, day: date) -> bool:
        table = self._table(day.year)
        if day in table:
            return table[day]
        import chinese_calendar

        try:
            return chinese_calendar.is_workday(day)
        except NotImplementedError:
            if table:  # the office has entered this year's holidays; the other days follow the week
                return day.weekday() < 5
            raise ValidationError(_(
                "系统还不知道 %(y)s 年的法定节假日安排(chinesecalendar 未收录，节假日表中也没有)：请先在“节假日”中录入 "
                "%(y)s 年的放假和调休上班日期") % {"y": day.year}, field="day") from None

    def add_working_days(self, start: date, days: int) -> date:
        """The `days`-th working day after `start` (a step taken on a Friday with 1 day is due Monday)."""
        day = start
        left = days
        while left > 0:
            day += timedelta(days=1)
            if self.is_working_day(day):
                left -= 1
        return day

    def working_days_between(self, start: date, end: date) -> int:
        """Working days after `start` up to and including `end` (0 when end <= start)."""
        count, day = 0, start
        while day < end:
            day += timedelta(days=1)
            count += self.is_working_day(day)
        return count


def is_working_day(day: date) -> bool:
    return Calendar().is_working_day(day)


def add_working_days(start: date, days: int) -> date:
    return Calendar().add_working_days(start, days)
