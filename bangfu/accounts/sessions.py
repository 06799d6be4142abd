"""The session store (SESSION_ENGINE): Django's database sessions, the session read by one prepared statement.

Every page and API call reads its session first. Django's store builds and compiles that read as a queryset
on every request, and its expiry bound (now) makes no two alike; here it is hand-written SQL with the bound a
parameter, prepared on PostgreSQL (bangfu/sql.py): 0.2–0.3 ms a request less (docs/performance.md, Pages).
Saving, creating and clearing expired sessions stay Django's own."""

from django.contrib.sessions.backends import db
from django.db import connection
from django.utils import timezone

from bangfu.sql import fetch_dicts


class SessionStore(db.SessionStore):
    def _get_session_from_db(self):
        table = connection.ops.quote_name(self.model._meta.db_table)
        rows = fetch_dicts(f"SELECT session_data FROM {table} WHERE session_key = %s AND expire_date > %s",
                           [self.session_key, connection.ops.adapt_datetimefield_value(timezone.now())])
        if not rows:
            self._session_key = None
            return None
        return self.model(session_key=self.session_key, session_data=rows[0]["session_data"])
