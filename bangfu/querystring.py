"""Reading the pages' query strings: one reader of ids, so every page bounds them alike."""

from django.utils.translation import gettext as _

from bangfu.errors import ValidationError
from bangfu.schemas import INT64_MAX


def query_id(params, key: str) -> int | None:
    """The id `params[key]` names, None when the parameter is absent or empty. A value that is not an
    id (not a whole number from 1 to 2^63-1, what the database holds) is refused, naming the
    parameter: a page shows it as a 400 with the message (bangfu.middleware.BangfuErrorMiddleware)."""
    value = (params.get(key) or "").strip()
    if not value:
        return None
    if not value.isascii() or not value.isdigit() or not 1 <= int(value) <= INT64_MAX:
        raise ValidationError(_("参数 %(key)s 不是有效的编号：%(value)s") % {"key": key, "value": value[:30]},
                              field=key)
    return int(value)
