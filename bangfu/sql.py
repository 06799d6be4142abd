"""Hand-written report SQL, run as PostgreSQL prepared statements where it repeats.

A compliance statement is a UNION ALL of a part per obligation: PostgreSQL plans it longer than it
runs it (docs/performance.md, "prepared statements"). The ORM's statements go through Django's
client-side binding cursor, which never prepares; the statements read here go through psycopg's
server-side binding cursor, so that psycopg prepares a statement seen before on the connection
(`prepare_threshold`, settings.py) and PostgreSQL keeps its plan for the connection's life
(`CONN_MAX_AGE`). The text must then carry its values as parameters, never inlined, or every
request is a statement of its own. `BANGFU_PG_PREPARE=0` turns it off (a pooler in transaction mode
older than PgBouncer 1.21 cannot keep prepared statements; docs/deploy.md).
"""

from django.db import connection


def _cursor():
    if connection.vendor != "postgresql":
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        return connection.cursor()
    from django.db.backends.postgresql.base import ServerBindingCursor

    # Wrapped as connection.cursor() wraps its own: the query log, execute wrappers, error translation.
    with connection.wrap_database_errors:
        return connection._prepare_cursor(ServerBindingCursor(connection.connection))


def fetch_dicts(sql: str, params: list | tuple) -> list[dict]:
    """The rows of one SELECT as dicts keyed by column name."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]
