"""A spreadsheet cell as the text the user sees, whichever reader read it: calamine's values
(reading.py) or the raw text of a streamed .xlsx (xlsxstream.py). 12, not 12.0; dates as ISO
dates; booleans as 是/否."""

import datetime as dt


def bool_text(value: bool) -> str:
    return "是" if value else "否"


def number_text(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def moment_text(moment: dt.datetime) -> str:
    """2016-09-01 for midnight, 2016-09-01 08:30:00 with a time of day."""
    return moment.date().isoformat() if moment.time() == dt.time() else moment.isoformat(sep=" ")


def cell_text(value) -> str:
    """A value as calamine gives it."""
    if value is None:
        return ""
    if type(value) is str:
        return value
    if isinstance(value, bool):
        return bool_text(value)
    if isinstance(value, float):
        return number_text(value)
    if isinstance(value, dt.datetime):
        return moment_text(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)
