"""Statements a page repeats, run as PostgreSQL prepared statements: hand-written report SQL
(`fetch_dicts`) and the querysets marked `prepared(qs)`.

A compliance statement is a UNION ALL of a part per obligation, and the pairings of a page are read
with a dozen related tables: PostgreSQL plans either longer than it runs it (docs/performance.md,
"Prepared statements"). The ORM's statements go through Django's client-side binding cursor, which
never prepares; the statements read here go through psycopg's server-side binding cursor, so that
psycopg prepares a statement seen before on the connection (`prepare_threshold`, settings.py) and
PostgreSQL keeps one generic plan for it for the connection's life (`CONN_MAX_AGE`). The text must
then carry its values as parameters, never inlined, or every request is a statement of its own.
`BANGFU_PG_PREPARE=0` turns it off (behind a connection pooler; docs/deploy.md).
"""

from django.db import connection
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import QuerySet


def _preparing() -> bool:
    """Whether this connection prepares: PostgreSQL with a prepare_threshold (settings.py)."""
    if connection.vendor != "postgresql":
        return False
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    return connection.connection.prepare_threshold is not None


def _cursor():
    if not _preparing():
        return connection.cursor()
    # Wrapped as connection.cursor() wraps its own: the query log, execute wrappers, error translation.
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def fetch_dicts(sql: str, params: list | tuple) -> list[dict]:
    """The rows of one SELECT as dicts keyed by column name."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


_END = object()


class _ServerBound:
    """A queryset's rows read through psycopg's server-side binding cursor (as `fetch_dicts` reads),
    so that its statement is prepared and keeps its generic plan: for the pairings with their dozen
    related tables, PostgreSQL planned 3–12 ms a statement it ran in half a millisecond. Mixed into
    the queryset's own iterable (model instances, values, values lists)."""

    def __iter__(self):
        if not _preparing():
            yield from super().__iter__()
            return
        raw = connection.connection
        factory, raw.cursor_factory = raw.cursor_factory, ServerBindingCursor
        try:  # the statement runs, and its cursor is made, on the first row asked (or at once: values lists)
            rows = super().__iter__()
            first = next(rows, _END)
        finally:
            raw.cursor_factory = factory
        if first is not _END:
            yield first
            yield from rows


_BOUND: dict[type, type] = {}


def _server_bound(iterable: type) -> type:
    if issubclass(iterable, _ServerBound):
        return iterable
    if iterable not in _BOUND:
        _BOUND[iterable] = type(f"ServerBound{iterable.__name__}", (_ServerBound, iterable), {})
    return _BOUND[iterable]


def prepared(qs: QuerySet) -> QuerySet:
    """The queryset, its rows (instances, or what `.values()` / `.values_list()` made of them: call it
    after those, which choose the rows' kind anew) read by a prepared statement on PostgreSQL (see
    above). For the reads a page repeats with the same shape; its SQL text must not change with the values."""
    qs = qs.all()
    qs._iterable_class = _server_bound(qs._iterable_class)
    return qs
