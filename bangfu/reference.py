"""Reference data kept by each process while it stands: what every compliance page reads first and
users rarely change — the regions, programmes, their obligations and periods, and whether a
programme has exemptions. Read anew on every request, it was 40 % of a compliance page's time
(docs/performance.md, Pages).

The database says when it changed: triggers on those tables (installed after every `migrate`, see
`install_triggers`) write a new random stamp into the one row of `programmes_referencestamp` in the
same statement's transaction. A process keeps what it read together with the stamp it read first,
and uses it only while the stamp it reads is the same. So:
- a change is seen by every process on its next read once it is committed (the stamp row commits
  with it), and inside its own transaction at once;
- a rolled-back change takes its stamp with it, and the stamp before it still describes the data;
- a stamp is random, never a counter: no two states of the data share one;
- without the row (a fresh or flushed database) nothing is kept.
What depends on anything else (pairings, activities) is never kept here.
"""

import contextvars
import threading
from contextlib import contextmanager

from django.db import connection, connections

TABLES = ("regions_region", "programmes_programme", "programmes_obligation", "programmes_programmeperiod",
          "programmes_exemption")
STAMP_TABLE = "programmes_referencestamp"
MOST_KEPT = 512  # entries a process keeps (scopes × what is read of them); all are dropped past it

_kept: dict = {}
_lock = threading.Lock()
_UNREAD = object()
# The stamp read first inside `stamp_once` (a request that writes no reference data), else _UNREAD.
_once: contextvars.ContextVar = contextvars.ContextVar("bangfu_reference_stamp", default=None)


def stamp() -> str | None:
    """The reference data's stamp as this connection sees it (None: not kept); inside `stamp_once`, as
    it was first read there."""
    once = _once.get()
    if once is not None and once[0] is not _UNREAD:
        return once[0]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT stamp FROM {STAMP_TABLE} WHERE id = 1")
        row = cursor.fetchone()
    current = row[0] if row else None
    if once is not None:
        once[0] = current
    return current


@contextmanager
def stamp_once():
    """Read the stamp once for all that is kept inside: for a request that changes no reference data (a
    GET: bangfu.middleware.ReferenceStampMiddleware), whose several kept reads (a compliance page's
    obligations and filter choices) each read it again otherwise. What is read inside is as new as the
    stamp read first, as a request that read it once at its start would see."""
    token = _once.set([_UNREAD])
    try:
        yield
    finally:
        _once.reset(token)


def kept(key, read):
    """`read()`, or what it gave before under the same stamp. What it returns is shared between
    requests: callers must not change it."""
    current = stamp()  # first: data read after it is at least as new as the stamp
    if current is None:
        return read()
    found = _kept.get(key)
    if found is not None and found[0] == current:
        return found[1]
    value = read()
    with _lock:
        if len(_kept) >= MOST_KEPT:
            _kept.clear()
        _kept[key] = (current, value)
    return value


def install_triggers(using: str) -> None:
    """The triggers that renew the stamp on every change of TABLES, and a first stamp. Idempotent:
    run after every `migrate` (and a test database's creation, which migrates too)."""
    conn = connections[using]
    if not {STAMP_TABLE, *TABLES} <= set(conn.introspection.table_names()):
        return  # migrated part of the way (or backwards): the next full migrate installs them
    random = {"postgresql": "md5(random()::text || clock_timestamp()::text)", "sqlite": "lower(hex(randomblob(16)))"}
    if conn.vendor not in random:
        return
    renew = (f"INSERT INTO {STAMP_TABLE} (id, stamp) VALUES (1, {random[conn.vendor]}) "
             f"ON CONFLICT (id) DO UPDATE SET stamp = excluded.stamp")
    with conn.cursor() as cursor:
        if conn.vendor == "postgresql":
            cursor.execute(f"CREATE OR REPLACE FUNCTION bangfu_reference_changed() RETURNS trigger LANGUAGE plpgsql "
                           f"AS $$ BEGIN {renew}; RETURN NULL; END $$")
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS bangfu_reference_changed ON {table}")
                cursor.execute(f"CREATE TRIGGER bangfu_reference_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
                               f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION bangfu_reference_changed()")
        else:  # row triggers only; SQLite has one writer at a time
            for table in TABLES:
                for event in ("INSERT", "UPDATE", "DELETE"):
                    name = f"bangfu_reference_{event.lower()}_{table}"
                    cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
                    cursor.execute(f"CREATE TRIGGER {name} AFTER {event} ON {table} BEGIN {renew}; END")
        cursor.execute(renew)
