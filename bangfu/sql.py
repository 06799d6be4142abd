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

import copy
from dataclasses import replace
from enum import Enum

from django.conf import settings
from django.core.exceptions import EmptyResultSet
from django.db import connection, connections
from django.db.backends.postgresql.base import ServerBindingCursor
from django.db.models import QuerySet

from bangfu.accounts.scope import Scope


class _Cursor(ServerBindingCursor):
    """psycopg's server-side binding cursor (Django's), keeping the statement it ran prepared where it keeps one
    it ran unprepared: Django's query log reads it there (`last_executed_query`), and without it logged the
    prepared statements' SQL as None (DEBUG's query list, the tests' captured queries)."""

    def _maybe_prepare_gen(self, pgq, *, prepare=None, binary=None):
        self._query = pgq
        return super()._maybe_prepare_gen(pgq, prepare=prepare, binary=binary)


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
        return connection._prepare_cursor(_Cursor(connection.connection))


def fetch_dicts(sql: str, params: list | tuple) -> list[dict]:
    """The rows of one SELECT as dicts keyed by column name."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def execute(sql: str, params: list | tuple) -> int:
    """Run one statement that writes (prepared, as `fetch_dicts` runs a SELECT); the rows it wrote."""
    with _cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount


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
        factory, raw.cursor_factory = raw.cursor_factory, _Cursor
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


# Statements compiled once ------------------------------------------------------------------------

# The stand-in integers lie in the range of the smallest integer column that holds the value they stand
# for: Django compiles a value outside a column's range to "matches nothing" (or drops the condition), so a
# stand-in must overflow exactly where its value does. Values beyond 32 bits, or negative, are not stood in for.
_SMALL, _LARGE, _INT16, _INT32 = 20_000, 1_900_000_000, 2**15 - 1, 2**31 - 1
_CHAR = 0xF0000  # the stand-in text: characters of Unicode's supplementary private use area A
_SECOND = 5_000  # how far the second set of stand-ins lies from the first
_LIKE = frozenset("%_\\")  # text carrying these is escaped in a LIKE pattern: not stood in for


class _Stand:
    """Stand-in values for one call's parameters: an integer or text no page ever holds, each traced
    back to the value it stands for in the compiled statement's parameters."""

    def __init__(self, offset: int):
        self.ints: dict[int, str] = {}
        self.chars: dict[str, tuple[str, int]] = {}
        self._next_small, self._next_large, self._next_char = _SMALL + offset, _LARGE + offset, _CHAR + offset

    def int(self, name: str, value: int) -> int:
        if value <= _INT16:
            stand, self._next_small = self._next_small, self._next_small + 1
        else:
            stand, self._next_large = self._next_large, self._next_large + 1
        self.ints[stand] = name
        return stand

    def str(self, name: str, length: int) -> str:
        text = "".join(chr(self._next_char + i) for i in range(length))
        self.chars.update((char, (name, i)) for i, char in enumerate(text))
        self._next_char += length
        return text

    def spec(self, param):
        """How a compiled parameter is made from the values: ("int", (name, int type)), ("str", parts) where a
        part is literal text or (name, start, stop), or ("const", param)."""
        if isinstance(param, int) and not isinstance(param, bool) and int(param) in self.ints:
            return ("int", (self.ints[int(param)], type(param)))  # psycopg's Int8 and kin kept
        if isinstance(param, str) and any(char in self.chars for char in param):
            parts: list = []
            for char in param:
                last = parts[-1] if parts else None
                if char not in self.chars:
                    if isinstance(last, str):
                        parts[-1] = last + char
                    else:
                        parts.append(char)
                    continue
                name, i = self.chars[char]
                if isinstance(last, tuple) and last[0] == name and last[2] == i:
                    parts[-1] = (name, last[1], i + 1)
                else:
                    parts.append((name, i, i + 1))
            return ("str", tuple(parts))
        return ("const", param)

    def values(self) -> dict:
        """The stand-ins by name: what a compiled statement's parameters are filled from."""
        texts: dict[str, list] = {}
        for char, (name, i) in self.chars.items():
            texts.setdefault(name, []).append((i, char))
        return {**{name: value for value, name in self.ints.items()},
                **{name: "".join(char for _i, char in sorted(chars)) for name, chars in texts.items()}}

    def leaks_into(self, sql: str) -> bool:
        """Whether a stand-in was written into the statement's text rather than passed as a parameter."""
        return any(char in self.chars for char in sql) or any(str(value) in sql for value in self.ints)


def _fill(spec, params: dict) -> object:
    kind, what = spec
    if kind == "int":
        name, kind_of_int = what
        return params[name] if kind_of_int is int else kind_of_int(params[name])
    if kind == "str":
        return "".join(part if isinstance(part, str) else params[part[0]][part[1]:part[2]] for part in what)
    return what


_SCOPE_FIELDS = ("prefix", "organization_id", "person_id")  # a Scope's values; its role is its shape


def _scope_fields(name: str, scope) -> list[tuple[str, object]]:
    return [(f"{name}.{field}", getattr(scope, field)) for field in _SCOPE_FIELDS]


def _parameter(value) -> str | None:
    """"int" or "str" for a value that is a statement's parameter; None for one that is part of its shape
    (0, None, booleans, enums, anything else): 0 and "" are false where a stand-in is true."""
    if type(value) is int and value != 0:
        return "int"
    if isinstance(value, str) and not isinstance(value, Enum) and value:
        return "str"
    return None


class _Compiled:
    """One shape's statement: its SQL, how its parameters are made, and the compiler that read it
    (what it selects and how each column is converted), copied for every run."""

    def __init__(self, qs: QuerySet, compiler, sql: str, specs: list):
        self.sql, self.specs, self.compiler = sql, specs, compiler
        self.query, self.alias = qs.query, qs.db
        self.queryset_state = {k: v for k, v in qs.__dict__.items() if k not in ("_query", "_result_cache")}
        self.queryset_class = type(qs)
        # a page's LIMIT and OFFSET go at the end of the SQL: not after a slice, a FOR UPDATE or a UNION's parts
        self.windowed = not (self.query.is_sliced or self.query.select_for_update or self.query.combinator)

    def params(self, values: dict) -> list:
        return [_fill(spec, values) for spec in self.specs]

    def rows(self, values: dict, window: tuple[int, int] | None = None) -> list:
        sql, params = self.sql, self.params(values)
        if window is not None:  # (offset, limit) as parameters: Django writes a slice into the SQL
            sql, params = f"{sql} LIMIT %s OFFSET %s", [*params, window[1], window[0]]
        compiler = copy.copy(self.compiler)
        compiler.connection = connections[self.alias]
        compiler.as_sql = lambda *args, **kwargs: (sql, params)
        query = copy.copy(self.query)
        query.get_compiler = lambda *args, **kwargs: compiler
        qs = self.queryset_class.__new__(self.queryset_class)
        qs.__dict__.update(self.queryset_state)
        qs._query, qs._result_cache, qs._prefetch_done = query, None, False
        return list(qs)


class Listing:
    """A list read a page at a time: its count and its slices, as Django's Paginator and the API's pages ask
    them (`count()`, `listing[start:stop]`), from two callables: the count, and (offset, limit) -> rows."""

    def __init__(self, count, page):
        self._count, self._page = count, page

    def count(self) -> int:
        return self._count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, item: slice) -> list:
        if not isinstance(item, slice) or item.step is not None or (item.start or 0) < 0 or item.stop is None:
            raise TypeError("a Listing is read by slices from a start to a stop")
        start = item.start or 0
        return self._page(start, max(item.stop - start, 0))


_EMPTY = "empty"  # the shape's statement matches nothing (EmptyResultSet): no round trip at all
_UNCACHED = "uncached"  # the shape's statement cannot be kept: built and compiled anew each time


class Statement:
    """A queryset a page reads on every request, built and compiled to SQL once per shape and then
    run with each call's values — what SQLAlchemy's cached lambda statements do. Django builds and
    compiles a queryset anew on every call: for the household page's ten statements that was 3.7–4.4
    of its 18–20 ms (docs/performance.md, "Statements compiled once").

    `build(**values)` returns the queryset. Integers and text among the values (a Scope's prefix,
    organization and person too) are its parameters; everything else (0, None, booleans, a model, a
    tuple, the values named in `shape`), the texts' lengths and a Scope's role are its shape, each
    shape compiled once. The first call of a shape builds it with stand-in values no page holds,
    finds each one in the compiled parameters (text also sliced or with affixes, as a prefix's LIKE
    pattern), and builds it again with a second set to check that the parameters follow the values
    and the text does not. A shape that fails that check, or a call whose text would be escaped in
    a LIKE pattern, is built and compiled as any queryset is. So `build` must use its values only as
    parameters — never branch on their content or compute with them; a value written into the SQL
    (a LIMIT) is named in `shape` — and return a queryset without prefetches or known related
    objects. With `BANGFU_SQL_CHECK` (the tests) every call is also compiled anew and compared. On
    PostgreSQL the rows are read by a prepared statement (`prepared`, above); `sql()` gives the SQL
    alone, for a subquery; `page(offset, limit)` a list's page with both as parameters, and `count()` the
    rows' number (a `Listing` of the two serves Django's Paginator)."""

    LIMIT = 256  # shapes kept per statement

    def __init__(self, build, *, shape: tuple[str, ...] = ()):
        self.build, self.shape = build, frozenset(shape)  # `shape`: values that are never parameters (a LIMIT)
        self._shapes: dict = {}
        self._counted: Statement | None = None  # the rows' ids, for `count`

    def __call__(self, **values) -> list:
        return self._rows(values, None)

    def page(self, offset: int, limit: int, **values) -> list:
        """At most `limit` rows from `offset` on (a list's page), the offset and limit parameters of the one
        statement: Django writes a queryset's slice into its SQL, a statement for every page."""
        if offset < 0 or limit < 0:
            raise ValueError("a page's offset and limit are not negative")
        return self._rows(values, (offset, limit)) if limit else []

    def count(self, **values) -> int:
        """How many rows the statement reads, counted by the database (as `queryset.count()`): the rows' ids,
        a statement of their own compiled once per shape, counted in a subquery."""
        if self._counted is None:
            build = self.build
            self._counted = Statement(lambda **kept: build(**kept).order_by().values("pk"), shape=tuple(self.shape))
        try:
            sql, params = self._counted.sql(**values)
        except EmptyResultSet:
            return 0
        with _cursor() as cursor:
            cursor.execute(f"SELECT COUNT(*) FROM ({sql}) counted", params)
            return cursor.fetchone()[0]

    def _rows(self, values: dict, window: tuple[int, int] | None) -> list:
        def built():
            qs = self.build(**values)
            return list(prepared(qs if window is None else qs[window[0]:window[0] + window[1]]))

        split = self._split(values)
        if split is None:
            return built()
        shape, params = split
        compiled = self._kept(values, shape)
        if compiled == _EMPTY:
            return []
        if compiled == _UNCACHED or (window is not None and not compiled.windowed):
            return built()
        if getattr(settings, "BANGFU_SQL_CHECK", False):
            self._check(compiled, values, params)
        return compiled.rows(params, window)

    def sql(self, **values) -> tuple[str, list]:
        """The statement's SQL and parameters for these values, as `queryset.query.sql_with_params()` gives
        them (to write into hand-written SQL as a subquery), compiled once per shape."""
        split = self._split(values)
        compiled = self._kept(values, split[0]) if split else _UNCACHED
        if compiled == _EMPTY:
            raise EmptyResultSet
        if compiled == _UNCACHED:
            sql, params = self.build(**values).query.sql_with_params()
            return sql, list(params)
        if getattr(settings, "BANGFU_SQL_CHECK", False):
            self._check(compiled, values, split[1])
        return compiled.sql, compiled.params(split[1])

    def _kept(self, values: dict, shape: tuple):
        compiled = self._shapes.get(shape)
        if compiled is None:
            compiled = self._compile(values)
            if len(self._shapes) < self.LIMIT:
                self._shapes[shape] = compiled
        return compiled

    def _split(self, values: dict) -> tuple[tuple, dict] | None:
        """(shape, parameters) of a call; None when a value cannot be a parameter or part of a shape."""
        shape, params = [], {}
        for name, value in sorted(values.items()):
            fields = _scope_fields(name, value) if isinstance(value, Scope) else [(name, value)]
            if isinstance(value, Scope):
                shape.append((name, "scope", value.role))
            for field, item in fields:
                kind = None if name in self.shape else _parameter(item)
                if kind == "int":
                    if not 0 < item <= _INT32:
                        return None
                    shape.append((field, "int", item <= _INT16))
                    params[field] = item
                elif kind == "str":
                    if _LIKE.intersection(item) or any(ord(char) >= _CHAR for char in item):
                        return None
                    shape.append((field, "str", len(item)))
                    params[field] = str(item)
                else:
                    try:
                        hash(item)
                    except TypeError:
                        return None
                    shape.append((field, "const", item))
        return tuple(shape), params

    def _stand_ins(self, values: dict, stand: _Stand) -> dict:
        """The values with each parameter replaced by a stand-in (_split decided which are parameters)."""
        def one(name, value):
            kind = _parameter(value)
            return stand.int(name, value) if kind == "int" else stand.str(name, len(value)) if kind == "str" else value

        out = {}
        for name, value in values.items():
            if name in self.shape:
                out[name] = value
            elif isinstance(value, Scope):
                out[name] = replace(value, **{field: one(f"{name}.{field}", getattr(value, field))
                                              for field in _SCOPE_FIELDS})
            else:
                out[name] = one(name, value)
        return out

    def _compiled(self, values: dict, stand: _Stand):
        """The queryset built with stand-ins, its compiler and (SQL, parameters); None if it matches nothing."""
        qs = prepared(self.build(**self._stand_ins(values, stand)))
        if qs._prefetch_related_lookups or qs._known_related_objects:
            raise TypeError("a Statement's queryset cannot prefetch or carry known related objects")
        compiler = qs.query.get_compiler(using=qs.db)
        try:
            sql, params = compiler.as_sql()
        except EmptyResultSet:
            return None
        return (qs, compiler, sql, list(params)) if sql else None

    def _compile(self, values: dict):
        first, second = _Stand(0), _Stand(_SECOND)
        built = self._compiled(values, first)
        if built is None:
            return _EMPTY if self._compiled(values, second) is None else _UNCACHED
        qs, compiler, sql, params = built
        specs = [first.spec(p) for p in params]
        again = self._compiled(values, second)
        follows = (again is not None and not first.leaks_into(sql) and again[2] == sql
                   and [_fill(spec, second.values()) for spec in specs] == again[3])
        if not follows:
            if getattr(settings, "BANGFU_SQL_CHECK", False):
                raise AssertionError(f"a Statement's values are not its parameters alone: {sql}")
            return _UNCACHED
        return _Compiled(qs, compiler, sql, specs)

    def _check(self, compiled: _Compiled, values: dict, params: dict) -> None:
        qs = self.build(**values)
        try:
            sql, fresh = qs.query.get_compiler(using=qs.db).as_sql()
        except EmptyResultSet:
            sql, fresh = "", ()
        kept = compiled.params(params)
        if (sql, list(fresh)) != (compiled.sql, kept):
            raise AssertionError(f"a Statement ran other SQL than its queryset: {compiled.sql} {kept} != {sql} {fresh}")
