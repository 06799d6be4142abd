"""The dated periods and windows obligations are counted over.

Calendar periods follow the calendar (ISO weeks from Monday); in a school-term programme
weeks, months and quarters exist only inside terms, so holidays owe nothing. The Spring
Festival is found with the `lunardate` library (正月初一), not a hand-made table.
"""

import re
from dataclasses import dataclass
from datetime import date, timedelta

from django.utils import formats, translation
from django.utils.translation import gettext as _
from lunardate import LunarDate

from bangfu.programmes.choices import Period, ProgrammePeriodKind, Window

# 三夏 and 三秋 as the offices of the south-west usually date them; other dates: an explicit window.
FARMING_SEASONS = {Window.SUMMER_HARVEST: ((5, 25), (6, 30)), Window.AUTUMN_HARVEST: ((9, 15), (10, 31))}


@dataclass(frozen=True)
class Span:
    label: str
    starts_on: date
    ends_on: date


def spring_festival(year: int) -> date:
    return LunarDate(year, 1, 1).to_solar_date()


def _months(start: date, end: date, step: int, label) -> list[Span]:
    spans = []
    month = ((start.month - 1) // step) * step + 1
    cursor = date(start.year, month, 1)
    while cursor <= end:
        nxt_month = cursor.month + step
        nxt = date(cursor.year + (nxt_month - 1) // 12, (nxt_month - 1) % 12 + 1, 1)
        spans.append(Span(label(cursor), max(cursor, start), min(nxt - timedelta(days=1), end)))
        cursor = nxt
    return spans


def calendar_spans(period: str, start: date, end: date) -> list[Span]:
    if period == Period.WEEK:
        spans = []
        cursor = start - timedelta(days=start.weekday())
        while cursor <= end:
            iso = cursor.isocalendar()
            spans.append(Span(f"{iso.year}年第{iso.week}周", max(cursor, start), min(cursor + timedelta(days=6), end)))
            cursor += timedelta(days=7)
        return spans
    if period == Period.MONTH:
        return _months(start, end, 1, lambda d: f"{d.year}年{d.month}月")
    if period == Period.QUARTER:
        return _months(start, end, 3, lambda d: f"{d.year}年第{(d.month - 1) // 3 + 1}季度")
    if period == Period.YEAR:
        return [Span(f"{y}年", max(date(y, 1, 1), start), min(date(y, 12, 31), end))
                for y in range(start.year, end.year + 1)]
    raise ValueError(period)


# The labels above are stored with the period rows (in Chinese, the offices' own words); shown to a
# reader of another language they are rebuilt from their parts. A term's or a set window's own name
# is shown as its author wrote it.
_STORED_LABEL = re.compile(r"^(?P<year>\d{4})年(?:第(?P<week>\d+)周|(?P<month>\d{1,2})月|第(?P<quarter>[1-4])季度|"
                           r"(?P<window>春节|六一|生日|三夏农忙|三秋农忙))?$")
# weeks_spans' labels inside a term: the term's name as written, then 第3周 or 第3—4周.
_TERM_WEEKS = re.compile(r"^(?P<term>.+?)第(?P<first>\d+)(?:—(?P<last>\d+))?周$")
_STORED_WINDOWS = {"春节": Window.SPRING_FESTIVAL, "六一": Window.CHILDRENS_DAY, "生日": Window.BIRTHDAY,
                   "三夏农忙": Window.SUMMER_HARVEST, "三秋农忙": Window.AUTUMN_HARVEST}


def period_label_shown(label: str) -> str:
    """A period's stored label in the active language: 2025年11月 → November 2025, 2025年第3周 → Week 3
    of 2025, 2026年春节 → Spring Festival 2026, 2026年秋季学期第13—14周 → 2026年秋季学期, weeks 13–14."""
    if (translation.get_language() or "").startswith("zh"):
        return label
    found = _STORED_LABEL.match(label)
    if found is None:
        weeks = _TERM_WEEKS.match(label)
        if weeks is None:
            return label
        if weeks["last"]:
            return _("%(term)s第%(first)s—%(last)s周") % weeks.groupdict()
        return _("%(term)s第%(first)s周") % weeks.groupdict()
    year = found["year"]
    if found["week"]:
        return _("%(year)s年第%(week)s周") % {"year": year, "week": found["week"]}
    if found["month"]:
        return formats.date_format(date(int(year), int(found["month"]), 1), "YEAR_MONTH_FORMAT")
    if found["quarter"]:
        return _("%(year)s年第%(quarter)s季度") % {"year": year, "quarter": found["quarter"]}
    if found["window"]:
        return _("%(year)s年%(window)s") % {"year": year, "window": Window(_STORED_WINDOWS[found["window"]]).label}
    return year


def window_spans(obligation, start: date, end: date) -> list[Span]:
    """The dated windows of a window obligation that overlap the programme's dates."""
    before = timedelta(days=obligation.window_before_days)
    after = timedelta(days=obligation.window_after_days)
    spans: list[Span] = []
    years = range(start.year, end.year + 1)
    if obligation.window == Window.SPRING_FESTIVAL:
        # The festival of year Y falls in Jan/Feb of Y; the window may begin in December of Y-1.
        for y in range(start.year, end.year + 2):
            day = spring_festival(y)
            spans.append(Span(f"{y}年春节", day - before, day + after))
    elif obligation.window == Window.CHILDRENS_DAY:
        spans = [Span(f"{y}年六一", date(y, 6, 1) - before, date(y, 6, 1) + after) for y in years]
    elif obligation.window in FARMING_SEASONS:
        (m1, d1), (m2, d2) = FARMING_SEASONS[obligation.window]
        name = Window(obligation.window).label
        spans = [Span(f"{y}年{name}", date(y, m1, d1), date(y, m2, d2)) for y in years]
    elif obligation.window == Window.BIRTHDAY:
        # One row per year; the target's own window inside it is computed in the query.
        spans = [Span(f"{y}年生日", date(y, 1, 1), date(y, 12, 31)) for y in years]
    elif obligation.window == Window.EXPLICIT:
        if obligation.window_starts_on and obligation.window_ends_on:
            spans = [Span(obligation.name[:40], obligation.window_starts_on, obligation.window_ends_on)]
    return [s for s in spans if s.ends_on >= start and s.starts_on <= end]


def weeks_spans(weeks: int, start: date, end: date, name: str = "") -> list[Span]:
    """Every `weeks` weeks from `start` (a term's first day, whatever its weekday), the last one cut
    short at `end`. Labelled by the weeks they cover, as schools count them: 2025年秋季学期第3—4周;
    without a term name, by their dates."""
    spans = []
    cursor, number = start, 1
    while cursor <= end:
        last = min(cursor + timedelta(weeks=weeks) - timedelta(days=1), end)
        if name:
            weeks_named = f"第{number}周" if weeks == 1 else f"第{number}—{number + weeks - 1}周"
            label = f"{name[:40 - len(weeks_named)]}{weeks_named}"
        else:
            label = f"{cursor.year}年{cursor.month}月{cursor.day}日—{last.month}月{last.day}日"
        spans.append(Span(label, cursor, last))
        cursor += timedelta(weeks=weeks)
        number += weeks
    return spans


WEEKS_KEY = re.compile(r"^weeks(?P<n>\d+)$")


def programme_spans(programme, terms, period: str) -> list[Span]:
    """Periods of one kind (a period key: `month`, `term`, `weeks2` …) across the programme; inside
    terms only for a school programme, where every N weeks counts from each term's first day."""
    every = WEEKS_KEY.match(period)
    if every:
        weeks = int(every["n"])
        if programme.period_kind in (ProgrammePeriodKind.TERM, ProgrammePeriodKind.ACADEMIC_YEAR) and terms:
            return [span for t in terms for span in weeks_spans(weeks, t.starts_on, t.ends_on, t.name)]
        return weeks_spans(weeks, programme.starts_on, programme.ends_on)
    if period == Period.TERM:
        return [Span(t.name[:40], t.starts_on, t.ends_on) for t in terms]
    if period == Period.ACADEMIC_YEAR:
        years: dict[str, list] = {}
        for t in terms:
            years.setdefault(t.academic_year, []).append(t)
        return [Span(name[:40], min(t.starts_on for t in ts), max(t.ends_on for t in ts)) for name, ts in years.items()]
    if programme.period_kind in (ProgrammePeriodKind.TERM, ProgrammePeriodKind.ACADEMIC_YEAR) and terms:
        return [span for t in terms for span in calendar_spans(period, t.starts_on, t.ends_on)]
    return calendar_spans(period, programme.starts_on, programme.ends_on)
