"""The staging table and the set-based upsert with its history rows.

Valid rows of every batch go into a temporary staging table — by COPY on PostgreSQL, by
executemany on SQLite — with the ID number already hashed and encrypted (the plain number
never reaches the database). The rules that span rows (duplicates within the file and against
the registry, one head per household, one village per household number) are then queries
over the staging table, and the upsert is a handful of INSERT … SELECT / UPDATE … FROM
statements, each followed by the matching rows of simple-history's historical tables, so a
bulk change lands in the record's history exactly as a change through the pages does.
The SQL is the same on both databases but for the null-safe comparison and type names.
"""

from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
from django.db import DatabaseError, IntegrityError, connection
from django.utils import timezone
from django.utils.translation import gettext as _

from bangfu.accounts.scope import Scope
from bangfu.imports import pgcopy
from bangfu.imports.initials import initials_column
from bangfu.imports.registers import Column, Register
from bangfu.imports.sealing import Sealed, Sealer
from bangfu.privacy import crypto
from bangfu.privacy.fields import EncryptedField
from bangfu.registry.hooks import households_changed
from bangfu.registry.models import Household, Organization, Person

STAGE = "bangfu_import_rows"
STAGE_HOUSEHOLDS = "bangfu_import_households"
STAGE_PERSONS = "bangfu_import_persons"
STAGE_TOTALS = "bangfu_import_totals"
STAGE_RECORDS = "bangfu_import_records"  # persons or organizations of a register without households
STAGE_GROUPS = "bangfu_import_groups"  # one row per household number of the file (Stage._group_households)
STAGE_SECRETS = {"household": "bangfu_import_secrets_h", "person": "bangfu_import_secrets_p"}
STAGES = (STAGE, STAGE_HOUSEHOLDS, STAGE_PERSONS, STAGE_TOTALS, STAGE_RECORDS, STAGE_GROUPS,
          *STAGE_SECRETS.values())
KEEP_KINDS = ("phone", "bank_account")  # a blank (or masked) cell keeps the registered number
_MODELS = {"household": Household, "person": Person, "organization": Organization}
# Stage columns every file provides (required or derived from the ID number).
ALWAYS = {"h_county_code", "h_number", "h_region", "p_name", "p_relation", "p_id_hash", "p_id_enc", "p_initials",
          "p_gender", "p_birth_date"}

_SQL_TYPES = {
    "postgresql": {"text": "text", "date": "date", "bool": "boolean", "money": "numeric(12,2)", "int": "integer",
                   "bytes": "bytea", "bigint": "bigint"},
    "sqlite": {"text": "text", "date": "date", "bool": "bool", "money": "decimal", "int": "integer",
               "bytes": "blob", "bigint": "integer"},
}
_KIND_TYPES = {"text": "text", "choice": "text", "ethnicity": "text", "region": "text", "date": "date", "bool": "bool",
               "money": "money", "int": "int", "organization": "bigint"}


def _vendor() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _distinct(a: str, b: str) -> str:
    return f"({a} IS DISTINCT FROM {b})" if _vendor() == "postgresql" else f"({a} IS NOT {b})"


@dataclass
class StageColumn:
    name: str
    type: str  # key of _SQL_TYPES
    field: str | None = None  # model field it fills (attname), if any
    target: str | None = None
    key: str | None = None  # the register column it comes from, when not `name`
    secret: bool = False  # an EncryptedField's ciphertext; its keyed hash is staged as KEY_hash
    keep: bool = False  # a blank cell keeps the registered value (KEEP_KINDS)

    @property
    def source(self) -> str:
        return self.key or self.name


def stage_columns(register: Register) -> list[StageColumn]:
    county = register.county_key
    # row_no and seq (the file's 序号, if any) name rows in messages; bad marks a row with a cell error:
    # it takes part in the checks across rows (its keys are known) but is never planned nor written.
    columns = [StageColumn("row_no", "bigint"), StageColumn("seq", "text"), StageColumn("bad", "bool"),
               StageColumn(county, "text", "county_code", register.record)]
    if register.person_kind:  # the register's persons are cadres, teachers or students
        columns.append(StageColumn("p_kind", "text", "kind", "person"))
    if register.record == "organization":
        columns.append(StageColumn("o_initials", "text", "initials", "organization"))
    for column in register.stored:
        if column.kind == "id_number":
            columns += [StageColumn("p_id_hash", "bytes", "id_hash", "person"),
                        StageColumn("p_id_enc", "bytes", "id_number", "person"),
                        StageColumn("p_initials", "text", "initials", "person")]
        elif column.kind == "region":
            columns.append(StageColumn(column.key, "text", "region_id", column.target))
        elif column.kind in KEEP_KINDS and isinstance(_MODELS[column.target]._meta.get_field(column.field),
                                                      EncryptedField):
            # Ciphertext to write, and the keyed hash that tells whether the value changed
            # (ciphertexts differ at every encryption: random nonces).
            columns += [StageColumn(f"{column.key}_enc", "bytes", column.field, column.target, column.key, True,
                                    True),
                        StageColumn(f"{column.key}_hash", "bytes", None, column.target, column.key)]
        elif column.kind in KEEP_KINDS:  # a number kept in plain text (an organization's contact phone)
            columns.append(StageColumn(column.key, "text", column.field, column.target, keep=True))
        else:
            columns.append(StageColumn(column.key, _KIND_TYPES[column.kind], column.field, column.target))
    if "person" in register.targets:  # birth date and gender are taken from the ID number, columns or not
        names = {c.name for c in columns}
        columns += [StageColumn(name, type_, field, "person") for name, type_, field in
                    (("p_gender", "text", "gender"), ("p_birth_date", "date", "birth_date")) if name not in names]
    return columns


@dataclass
class Counts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"created": self.created, "updated": self.updated, "unchanged": self.unchanged}


@dataclass
class CrossError:
    row: int
    key: str  # register column key the error is put on
    kind: str
    message: str  # with %(ref)s where the other row is named (row_label: 第 3 行 / 序号 2)
    ref: int | None = None  # the other row the message names


@dataclass
class Stage:
    """One import's staging tables, inside the caller's transaction."""

    register: Register
    mapped: set[str]  # register column keys present in the file
    scope: Scope
    columns: list[StageColumn] = field(default_factory=list)
    rows: int = 0
    sealer: Sealer = field(default_factory=Sealer)
    timed: Callable = None  # Outcome.timed: a context manager per phase name
    _thread: ThreadPoolExecutor | None = None
    _sending: Future | None = None
    _raw: object = None
    # Written tables found empty and locked for a first load (_indexes_drop: ACCESS EXCLUSIVE on PostgreSQL,
    # the database's write lock on SQLite).
    _locked_empty: set[str] = field(default_factory=set)
    _all_new: bool = False  # the plan creates every household and person it holds (plan())
    _grouped: bool = False  # STAGE_GROUPS holds every staged row's household (until drop_bad)
    _dropped: list | None = None  # indexes dropped for a first load before the plan (plan(reserve=True))

    def __post_init__(self):
        if self.timed is None:
            from contextlib import nullcontext

            self.timed = lambda _phase: nullcontext()
        self.columns = stage_columns(self.register)
        self.has_persons = "person" in self.register.targets
        types = _SQL_TYPES[_vendor()]
        temp = "TEMPORARY"
        with connection.cursor() as cursor:
            for table in STAGES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")
            if _vendor() == "postgresql":
                # Room for the hash joins and aggregates over a million staged rows (this transaction only).
                cursor.execute("SET LOCAL work_mem = '128MB'")
            cols = ", ".join(f"{c.name} {types[c.type]}" for c in self.columns)
            cursor.execute(f"CREATE {temp} TABLE {STAGE} ({cols})")

    # Loading ------------------------------------------------------------------------------

    def load(self, frame: pl.DataFrame) -> None:
        """Hash and encrypt the ID numbers of a validated batch, then write it to the stage."""
        self.store(frame, self.seal(frame))

    def seal(self, frame: pl.DataFrame) -> Sealed | None:
        """Start hashing and encrypting a batch's ID numbers (in the workers for a big batch)."""
        if not (self.has_persons and frame.height):
            return None
        return self.sealer.submit(frame.get_column("p_id_number").drop_nulls())

    def store(self, frame: pl.DataFrame, sealed: Sealed | None) -> None:
        """Write a sealed batch to the stage. On PostgreSQL the COPY runs in a background thread on
        the same connection and transaction, so that the next batch is read and validated meanwhile;
        the previous COPY is finished first, and flush() waits for the last."""
        if not frame.height:
            return
        frame = self.prepare(frame, sealed)
        self.flush()
        if _vendor() == "postgresql":
            self._sending = self._sender().submit(self.write, frame)
        else:
            self.write(frame)

    def _sender(self) -> ThreadPoolExecutor:
        if self._thread is None:
            self._raw = connection.connection  # the psycopg connection: thread-safe, in our transaction
            self._thread = ThreadPoolExecutor(1, thread_name_prefix="bangfu-import-copy")
        return self._thread

    def flush(self) -> None:
        if self._sending is not None:
            sending, self._sending = self._sending, None
            sending.result()

    def prepare(self, frame: pl.DataFrame, sealed: Sealed | None) -> pl.DataFrame:
        """The batch in the stage's columns, once the sealer has the hashes and ciphertexts."""
        region, county = self.register.region_key, self.register.county_key
        derived = [pl.col(region).str.slice(0, 6).alias(county), pl.col("__row").alias("row_no"),
                   pl.col("__seq").alias("seq"), pl.col("__bad").alias("bad")]
        if self.has_persons:
            hashes, blobs = _scatter(frame.get_column("p_id_number"), *sealed.columns())
            derived += [hashes, blobs, initials_column(frame.get_column("p_name").fill_null("")),
                        pl.col("__id_gender").alias("p_gender"), pl.col("__id_birth").alias("p_birth_date")]
        derived += [column for c in self.columns if c.secret and c.source in frame.columns
                    for column in _seal_secret(frame.get_column(c.source), c.source)]
        return frame.with_columns(derived)

    def write(self, frame: pl.DataFrame) -> None:
        """Only the stage columns the batch has: the others (the register's columns the file lacks,
        most of them in a typical file) stay NULL without being sent — a member register's stage has
        some forty columns, a file often ten."""
        present = [c for c in self.columns if c.name in frame.columns]
        if _vendor() == "postgresql":
            self._copy(frame, present)
        else:
            self._executemany(frame, present)
        self.rows += frame.height

    def _copy(self, frame: pl.DataFrame, columns: list[StageColumn]) -> None:
        """Binary COPY (pgcopy.py): no text for the server to parse, hashes and ciphertexts raw."""
        data = pgcopy.encode(frame, [(c.name, c.type) for c in columns])
        with self._raw.cursor() as cursor:
            with cursor.copy(f"COPY {STAGE} ({', '.join(c.name for c in columns)}) FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)

    def _executemany(self, frame: pl.DataFrame, columns: list[StageColumn]) -> None:
        out = frame.select([
            pl.col(c.name) if c.type in ("bytes", "bigint", "int", "bool") else pl.col(c.name).cast(pl.String)
            for c in columns
        ])
        names = ", ".join(c.name for c in columns)
        placeholders = ", ".join(["%s"] * len(columns))
        with connection.cursor() as cursor:
            cursor.executemany(f"INSERT INTO {STAGE} ({names}) VALUES ({placeholders})", out.rows())

    # Rules across rows -------------------------------------------------------------------

    def cross_errors(self) -> list[CrossError]:
        """Duplicates, households and heads: rules that need every row of the file."""
        self.flush()
        errors: list[CrossError] = []
        with connection.cursor() as cursor:
            if _vendor() == "sqlite":  # PostgreSQL joins and groups by hashing; SQLite needs the indexes
                cursor.execute(f"CREATE INDEX {STAGE}_household ON {STAGE} (h_county_code, h_number)")
                if self.has_persons:
                    cursor.execute(f"CREATE INDEX {STAGE}_id ON {STAGE} (p_id_hash)")
            staged = {c.name for c in self.columns}  # the households register stages no persons
            _analyze(cursor, STAGE, *(c for c in ("row_no", "h_county_code", "h_number", "h_region", "p_id_hash",
                                                  "p_name", "p_birth_date") if c in staged))
            prefix = self.scope.prefix
            self._group_households(cursor)
            if self.has_persons:
                errors += self._household_village(cursor)
                errors += self._duplicate_ids(cursor)
                errors += self._duplicate_name_birth(cursor)
                errors += self._registry_ids(cursor)
                errors += self._registry_name_birth(cursor)
                errors += self._heads(cursor)
            else:
                cursor.execute(
                    f"SELECT r.row_no, d.first_row FROM {STAGE} r JOIN {STAGE_GROUPS} d "
                    f"ON d.h_county_code = r.h_county_code AND d.h_number = r.h_number "
                    f"WHERE d.n_rows > 1 AND r.row_no <> d.first_row")
                errors += [CrossError(row, "h_number", "duplicate_file", _("户编号与%(ref)s 重复"), first)
                           for row, first in cursor.fetchall()]
            # A household number of the county that is registered outside the user's scope.
            cursor.execute(
                f"SELECT min(r.row_no), r.h_number FROM {STAGE} r JOIN registry_household h "
                f"ON h.county_code = r.h_county_code AND h.number = r.h_number "
                f"WHERE h.region_id NOT LIKE %s GROUP BY r.h_county_code, r.h_number", [prefix + "%"])
            errors += [CrossError(row, "h_number", "region_scope",
                                  _("户编号 %(n)s 已登记在您管辖范围以外的村(社区)") % {"n": number})
                       for row, number in cursor.fetchall()]
        return errors

    def _group_households(self, cursor) -> None:
        """Every household number of the file once, with what the rules and the plan need of its rows:
        the first row, the number of rows, the villages given, the heads. The village rule, the heads
        rule and the households' plan each grouped every staged row by household before (0.6 + 0.7 +
        1.5 s at a million members, docs/performance.md). Rows refused in a cell are counted (see
        drop_bad)."""
        heads = ("sum(CASE WHEN p_relation = 'head' THEN 1 ELSE 0 END) AS heads, "
                 "sum(CASE WHEN p_relation IS NULL THEN 1 ELSE 0 END) AS unknown, ") if self.has_persons else ""
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE_GROUPS} AS SELECT h_county_code, h_number, min(row_no) AS first_row, "
            f"count(*) AS n_rows, {heads}min(h_region) AS region_min, max(h_region) AS region_max "
            f"FROM {STAGE} GROUP BY h_county_code, h_number")
        if _vendor() == "sqlite":  # looked up by household from the registry's side (_heads)
            cursor.execute(f"CREATE INDEX {STAGE_GROUPS}_household ON {STAGE_GROUPS} (h_county_code, h_number)")
        _analyze(cursor, STAGE_GROUPS, "h_county_code", "h_number", "first_row")
        self._grouped = True

    def _household_village(self, cursor) -> list[CrossError]:
        cursor.execute(
            f"SELECT r.row_no, r.h_number FROM {STAGE} r JOIN (SELECT h_county_code, h_number, region_min "
            f"FROM {STAGE_GROUPS} WHERE region_min <> region_max) d "
            f"ON d.h_county_code = r.h_county_code AND d.h_number = r.h_number WHERE r.h_region <> d.region_min")
        return [CrossError(row, "h_region", "household",
                           _("户 %(n)s 的成员填写了不同的所在村") % {"n": number}) for row, number in cursor.fetchall()]

    def _duplicate_ids(self, cursor) -> list[CrossError]:
        cursor.execute(
            f"SELECT r.row_no, d.first_row FROM {STAGE} r JOIN (SELECT p_id_hash, min(row_no) AS first_row "
            f"FROM {STAGE} GROUP BY p_id_hash HAVING count(*) > 1) d ON d.p_id_hash = r.p_id_hash "
            f"WHERE r.row_no <> d.first_row")
        return [CrossError(row, "p_id_number", "duplicate_file", _("身份证号与%(ref)s 重复"), first)
                for row, first in cursor.fetchall()]

    def _duplicate_name_birth(self, cursor) -> list[CrossError]:
        region = self.register.region_key
        # Distinct ID hashes are counted only in the groups of region, name and birth date with more than
        # one row (a few, if any): grouping every row by hash as well first cost twice as much (a
        # million groups hashed twice, docs/performance.md). A refused number (NULL) counts as one value.
        same = f"{region}, p_name, p_birth_date"
        cursor.execute(
            f"SELECT r.row_no, d.first_row FROM {STAGE} r JOIN (SELECT {same}, min(first_row) AS first_row FROM "
            f"(SELECT {same}, p_id_hash, min(row_no) AS first_row FROM {STAGE} WHERE ({same}) IN "
            f"(SELECT {same} FROM {STAGE} GROUP BY {same} HAVING count(*) > 1) GROUP BY {same}, p_id_hash) x "
            f"GROUP BY {same} HAVING count(*) > 1) d ON d.{region} = r.{region} AND d.p_name = r.p_name "
            f"AND d.p_birth_date = r.p_birth_date WHERE r.row_no <> d.first_row")
        return [CrossError(row, "p_name", "duplicate_file",
                           _("与%(ref)s 姓名、出生日期相同而身份证号不同，疑似同一人，请核实"), first)
                for row, first in cursor.fetchall()]

    def _registry_ids(self, cursor) -> list[CrossError]:
        """The same ID number registered elsewhere: another household, no household, outside the scope."""
        cursor.execute(
            f"SELECT r.row_no, h.number, p.region_id FROM {STAGE} r JOIN registry_person p ON p.id_hash = r.p_id_hash "
            f"LEFT JOIN registry_household h ON h.id = p.household_id "
            f"WHERE p.region_id NOT LIKE %s OR h.id IS NULL OR h.county_code <> r.h_county_code "
            f"OR h.number <> r.h_number", [self.scope.prefix + "%"])
        errors = []
        for row, number, region in cursor.fetchall():
            if not region.startswith(self.scope.prefix):
                message = _("该身份证号已登记在您管辖范围以外的人员记录中，不能重复登记")
            elif number is None:
                message = _("该身份证号已登记为非家庭成员的人员，请先在人员页面核实")
            else:
                message = _("该身份证号已登记在户 %(n)s 中；成员转户请在户页面办理") % {"n": number}
            errors.append(CrossError(row, "p_id_number", "duplicate_registry", message))
        return errors

    def _registry_name_birth(self, cursor) -> list[CrossError]:
        region, county = self.register.region_key, self.register.county_key
        cursor.execute(
            f"SELECT r.row_no, p.id FROM {STAGE} r JOIN registry_person p ON p.county_code = r.{county} "
            f"AND p.name = r.p_name AND p.region_id = r.{region} AND p.birth_date = r.p_birth_date "
            f"WHERE p.id_hash IS NULL OR p.id_hash <> r.p_id_hash")
        message = (_("本村已登记同名、同出生日期而身份证号不同的人员(编号 %(p)s)，疑似同一人，请核实")
                   if self.register.record == "household" else
                   _("本区域已登记同名、同出生日期而身份证号不同的人员(编号 %(p)s)，疑似同一人，请核实"))
        return [CrossError(row, "p_name", "duplicate_registry", message % {"p": pk}) for row, pk in cursor.fetchall()]

    def _heads(self, cursor) -> list[CrossError]:
        """Exactly one head per household: the file's heads plus registered heads the file leaves as they are.
        A household with a row whose relation or village was refused in its cell is not counted: its
        number of heads is not known, and the cell's own error says what to correct."""
        cursor.execute(
            f"SELECT g.first_row, g.h_number, g.heads + COALESCE(e.heads, 0) FROM {STAGE_GROUPS} g LEFT JOIN "
            f"(SELECT h.county_code, h.number, count(*) AS heads FROM registry_household h "
            f"JOIN registry_person p ON p.household_id = h.id WHERE p.relation = 'head' AND EXISTS "
            f"(SELECT 1 FROM {STAGE_GROUPS} s WHERE s.h_county_code = h.county_code AND s.h_number = h.number) "
            f"AND NOT EXISTS (SELECT 1 FROM {STAGE} s WHERE s.p_id_hash = p.id_hash) "
            f"GROUP BY h.county_code, h.number) e ON e.county_code = g.h_county_code AND e.number = g.h_number "
            f"WHERE g.heads + COALESCE(e.heads, 0) <> 1 AND g.unknown = 0 AND g.h_county_code IS NOT NULL "
            f"AND g.h_number NOT IN (SELECT h_number FROM {STAGE_GROUPS} WHERE h_county_code IS NULL "
            f"AND h_number IS NOT NULL)")
        return [CrossError(row, "p_relation", "head",
                           _("户 %(n)s 有 %(k)s 名户主：一户必须有且只有一名户主") % {"n": number, "k": count})
                for row, number, count in cursor.fetchall()]

    def seqs(self, rows: set[int]) -> dict[int, str]:
        """The 序号 of these rows, as the file gives it (for the messages that name them)."""
        found: dict[int, str] = {}
        rows = sorted(rows)
        with connection.cursor() as cursor:
            for i in range(0, len(rows), 500):
                part = rows[i : i + 500]
                cursor.execute(f"SELECT row_no, seq FROM {STAGE} WHERE seq IS NOT NULL AND row_no IN "
                               f"({', '.join(['%s'] * len(part))})", part)
                found.update(cursor.fetchall())
        return found

    def drop_bad(self) -> None:
        """Rows refused in a cell took part in the checks across rows; nothing else is done with them."""
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {STAGE} WHERE bad")
        self._grouped = False  # its first rows and counts included them

    # Matching and writing ----------------------------------------------------------------

    def _new_id(self, cursor, model, existing: str, order: str) -> str:
        """SQL for the id a new record will get: drawn from the table's sequence on PostgreSQL; on
        SQLite counted up from the highest id ever used (the import holds the write lock from
        BEGIN, settings.py: IMMEDIATE), so that inserts and history rows need no lookup after."""
        table = model._meta.db_table
        if _vendor() == "postgresql":
            cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
            return f"COALESCE({existing}, nextval('{cursor.fetchone()[0]}'))"
        cursor.execute(f"SELECT max(COALESCE((SELECT seq FROM sqlite_sequence WHERE name = %s), 0), "
                       f"COALESCE((SELECT max(id) FROM {table}), 0))", [table])
        base = int(cursor.fetchone()[0])
        return f"COALESCE({existing}, {base} + row_number() OVER (PARTITION BY {existing} IS NULL ORDER BY {order}))"

    def _household_stage(self, cursor, reserve: bool) -> int:
        """One row per household number (its first row in the file), matched and planned in one
        INSERT … SELECT: the registered id (or the one reserved for it), and + (create),
        ~ (update) or = (unchanged)."""
        h_cols = [c for c in self.columns if c.target == "household" and c.name != "h_county_code"]
        types = _SQL_TYPES[_vendor()]
        cols = ", ".join(f"{c.name} {types[c.type]}" for c in h_cols)
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_HOUSEHOLDS} (h_county_code text, {cols}, first_row bigint, "
                       f"household_id bigint, action varchar(1))")
        names = ", ".join(c.name for c in h_cols)
        if Household._meta.db_table in self._locked_empty:
            # A first load: the table was found empty under the import's lock, so every household is new
            # and there is nothing to match it with.
            new_id, action, registry = self._new_id(cursor, Household, "NULL", "s.row_no"), "'+'", ""
        else:
            changed = self._changed_sql(Household, "household", "h", "s")
            new_id = self._new_id(cursor, Household, "h.id", "s.row_no") if reserve else "h.id"
            action = f"CASE WHEN h.id IS NULL THEN '+' WHEN {changed} THEN '~' ELSE '=' END"
            registry = (f"LEFT JOIN registry_household h ON h.county_code = s.h_county_code "
                        f"AND h.number = s.h_number {self._secrets_join('household', 'h')}")
        if self._grouped:
            first_rows = f"{STAGE_GROUPS} g JOIN {STAGE} s ON s.row_no = g.first_row"
        else:  # rows refused in a cell have been dropped since: a household's first row may be gone
            first_rows = (f"{STAGE} s JOIN (SELECT min(row_no) AS first_row FROM {STAGE} GROUP BY h_county_code, "
                          f"h_number) g ON s.row_no = g.first_row")
        cursor.execute(
            f"INSERT INTO {STAGE_HOUSEHOLDS} (h_county_code, {names}, first_row, household_id, action) "
            f"SELECT s.h_county_code, {', '.join('s.' + c.name for c in h_cols)}, s.row_no, {new_id}, {action} "
            f"FROM {first_rows} {registry}")
        written = cursor.rowcount
        cursor.execute(f"CREATE UNIQUE INDEX {STAGE_HOUSEHOLDS}_key ON {STAGE_HOUSEHOLDS} (h_county_code, h_number)")
        _analyze(cursor, STAGE_HOUSEHOLDS, "h_county_code", "h_number", "household_id", "action")
        return written

    def _person_stage(self, cursor, reserve: bool) -> int:
        """Every staged person with the household's id, the person's id (registered or reserved) and
        the plan, in one INSERT … SELECT (not an UPDATE of the whole stage per derived column)."""
        types = _SQL_TYPES[_vendor()]
        cols = ", ".join(f"{c.name} {types[c.type]}" for c in self.columns)
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_PERSONS} ({cols}, household_id bigint, person_id bigint, "
                       f"action varchar(1))")
        names = [c.name for c in self.columns]
        if Person._meta.db_table in self._locked_empty:  # a first load: every person is new (_household_stage)
            new_id, action, registry = self._new_id(cursor, Person, "NULL", "s.row_no"), "'+'", ""
        else:
            changed = self._changed_sql(Person, "person", "p", "s", self._person_extra("s", "hs"))
            new_id = self._new_id(cursor, Person, "p.id", "s.row_no") if reserve else "p.id"
            action = f"CASE WHEN p.id IS NULL THEN '+' WHEN {changed} THEN '~' ELSE '=' END"
            registry = (f"LEFT JOIN registry_person p ON p.county_code = s.h_county_code AND p.id_hash = s.p_id_hash "
                        f"{self._secrets_join('person', 'p')}")
        cursor.execute(
            f"INSERT INTO {STAGE_PERSONS} ({', '.join(names)}, household_id, person_id, action) "
            f"SELECT {', '.join('s.' + n for n in names)}, hs.household_id, {new_id}, {action} "
            f"FROM {STAGE} s JOIN {STAGE_HOUSEHOLDS} hs ON hs.h_county_code = s.h_county_code "
            f"AND hs.h_number = s.h_number {registry}")
        written = cursor.rowcount
        if _vendor() == "sqlite":
            # SQLite has no hash anti-join: _totals' NOT EXISTS over this table would scan it once
            # per registered member of every household the file touches.
            cursor.execute(f"CREATE INDEX {STAGE_PERSONS}_person ON {STAGE_PERSONS} (person_id)")
        _analyze(cursor, STAGE_PERSONS, "household_id", "person_id", "action")
        return written

    def _totals(self, cursor) -> None:
        """Size and head of every household the file touches, as they will be after the import (the
        services' rule): the file's members plus registered members the file does not list, in one
        GROUP BY — before anything is written, so new households are inserted complete."""
        sh, sp = STAGE_HOUSEHOLDS, STAGE_PERSONS
        cursor.execute(
            f"CREATE TEMPORARY TABLE {STAGE_TOTALS} AS SELECT m.household_id, count(*) AS size, "
            f"min(CASE WHEN m.relation = 'head' THEN m.id END) AS head FROM ("
            f"SELECT household_id, person_id AS id, p_relation AS relation FROM {sp} UNION ALL "
            f"SELECT p.household_id, p.id, p.relation FROM registry_person p JOIN {sh} hs "
            f"ON p.household_id = hs.household_id AND hs.action <> '+' "
            f"WHERE NOT EXISTS (SELECT 1 FROM {sp} s WHERE s.person_id = p.id)) m GROUP BY m.household_id")
        cursor.execute(f"CREATE INDEX {STAGE_TOTALS}_id ON {STAGE_TOTALS} (household_id)")
        cursor.execute(f"ANALYZE {STAGE_TOTALS}")
        # A household whose only change is in its members is updated too (size, head, income per capita).
        cursor.execute(
            f"UPDATE {sh} SET action = '~' WHERE action = '=' AND EXISTS (SELECT 1 FROM registry_household h "
            f"JOIN {STAGE_TOTALS} t ON t.household_id = h.id WHERE h.id = {sh}.household_id AND "
            f"({_distinct('h.head_id', 't.head')} OR h.size <> t.size))")

    def _fields(self, model, target: str, alias: str, current: str | None) -> dict[str, str]:
        """attname → SQL expression of the new value, for the fields the file provides.

        A blank cell clears a text field, empties a nullable one, and leaves any other field
        as registered (or at the model's default in a new record): a blank 户状态 is not a status;
        a blank phone or bank account is not a request to delete it."""
        exprs = {}
        for c in self.columns:
            if c.target != target or c.field is None:
                continue
            if c.name not in self.always and c.source not in self.mapped:
                continue
            if current is not None and c.name in ("p_id_hash", "p_id_enc"):
                continue  # the key itself: unchanged by definition
            f = model._meta.get_field(c.field)
            src = f"{alias}.{c.name}"
            if c.keep and current is not None:  # a blank phone or bank account keeps the registered one
                expr = f"COALESCE({src}, {current}.{f.column})"
            elif c.secret or f.null:
                expr = src
            elif f.get_internal_type() == "CharField" and f.blank:
                expr = f"COALESCE({src}, '')"
            elif current is not None:
                expr = f"COALESCE({src}, {current}.{f.column})"
            else:
                expr = f"COALESCE({src}, %s)"
            exprs[f.attname] = expr
        return exprs

    def _default(self, f):
        return f.get_db_prep_save(f.get_default(), connection)

    @property
    def always(self) -> set[str]:
        """Stage columns written whether or not the file has the column: keys and derived values."""
        return ALWAYS | {self.register.county_key, self.register.region_key}

    def plan(self, *, reserve: bool) -> dict[str, Counts]:
        """Match the staged rows to the registry and decide per record: create, update or leave.
        With `reserve` (an import about to be written) new records get their ids now."""
        with connection.cursor() as cursor:
            if reserve:
                # An import about to be written: a first load finds its tables empty and locks them now
                # (_indexes_drop), so that the plan need not match its rows against them. The counts
                # are then the rows planned: counting them took 0.3 s a million (docs/performance.md).
                self._dropped = self._indexes_drop(cursor)
            for target in self.register.targets:
                self._secrets_current(cursor, target)
            planned = self._household_stage(cursor, reserve)
            persons = Counts()
            if self.has_persons:
                members = self._person_stage(cursor, reserve)
                self._totals(cursor)  # a household whose members change is updated (its action is set here)
                if Person._meta.db_table in self._locked_empty:
                    persons = Counts(created=members)
                else:
                    persons = self._counts(cursor, STAGE_PERSONS)
            if Household._meta.db_table in self._locked_empty:
                households = Counts(created=planned)
            else:
                households = self._counts(cursor, STAGE_HOUSEHOLDS)
        self._all_new = not (households.updated or households.unchanged or persons.updated or persons.unchanged)
        return {"households": households, "persons": persons}

    def _person_extra(self, stage: str, households: str) -> dict[str, str]:
        return {"household_id": f"{households}.household_id", "region_id": f"{stage}.h_region",
                "county_code": f"{stage}.h_county_code"}

    def _secrets(self, target: str) -> list[StageColumn]:
        return [c for c in self.columns if c.secret and c.target == target and c.source in self.mapped]

    def _changed_sql(self, model, target: str, current: str, stage: str, extra: dict[str, str] | None = None) -> str:
        exprs = self._fields(model, target, stage, current)
        exprs.update(extra or {})
        exprs.pop("county_code", None) if target == "household" else None
        secrets = self._secrets(target)
        parts = [_distinct(f"{current}.{model._meta.get_field(a).column}", e)
                 for a, e in exprs.items() if a not in ("id_number", "id_hash", "number", *(c.field for c in secrets))]
        # Encrypted values are compared by keyed hash: the file's against the registered one's (_secrets_current).
        parts += [f"({stage}.{c.source}_hash IS NOT NULL AND {_distinct(f'cur.{c.field}', f'{stage}.{c.source}_hash')})"
                  for c in secrets]
        return "(" + (" OR ".join(parts) or "1 = 0") + ")"

    def _secrets_join(self, target: str, record: str) -> str:
        return f"LEFT JOIN {STAGE_SECRETS[target]} cur ON cur.id = {record}.id " if self._secrets(target) else ""

    def _secrets_current(self, cursor, target: str) -> None:
        """The keyed hashes of the phone and bank numbers registered for the records the file gives
        new ones for, in a temporary table: decrypted and hashed here, since the database only
        holds ciphertexts. Nothing to do for records the registry does not have yet."""
        secrets = self._secrets(target)
        if not secrets:
            return
        model = _MODELS[target]
        fields = [c.field for c in secrets]
        cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_SECRETS[target]} (id bigint PRIMARY KEY, "
                       + ", ".join(f"{f} {_SQL_TYPES[_vendor()]['bytes']}" for f in fields) + ")")
        if target == "household":
            match = "s.h_county_code = r.county_code AND s.h_number = r.number"
        else:
            match = f"s.{self.register.county_key} = r.county_code AND s.p_id_hash = r.id_hash"
        given = " OR ".join(f"s.{c.source}_hash IS NOT NULL" for c in secrets)
        present = " OR ".join(f"r.{f} IS NOT NULL" for f in fields)
        reader = connection.chunked_cursor()
        reader.execute(f"SELECT r.id, {', '.join('r.' + f for f in fields)} FROM {model._meta.db_table} r "
                       f"WHERE ({present}) AND EXISTS (SELECT 1 FROM {STAGE} s WHERE {match} AND ({given}))")
        insert = (f"INSERT INTO {STAGE_SECRETS[target]} (id, {', '.join(fields)}) "
                  f"VALUES ({', '.join(['%s'] * (len(fields) + 1))})")
        while rows := reader.fetchmany(20_000):
            hashed = [(row[0], *(crypto.keyed_hash(crypto.decrypt(v)) if v is not None else None for v in row[1:]))
                      for row in rows]
            if _vendor() == "postgresql":
                with connection.connection.cursor() as raw, raw.copy(
                        f"COPY {STAGE_SECRETS[target]} (id, {', '.join(fields)}) FROM STDIN") as copy:
                    for row in hashed:
                        copy.write_row(row)
            else:
                cursor.executemany(insert, hashed)
        reader.close()
        cursor.execute(f"ANALYZE {STAGE_SECRETS[target]}")

    def _counts(self, cursor, table: str) -> Counts:
        cursor.execute(f"SELECT action, count(*) FROM {table} GROUP BY action")
        found = dict(cursor.fetchall())
        return Counts(created=found.get("+", 0), updated=found.get("~", 0), unchanged=found.get("=", 0))

    def apply(self, *, by, reason: str) -> None:
        """Write the plan (made with reserve=True): inserts and updates with their totals and the
        history rows of it all. On PostgreSQL each INSERT or UPDATE writes its history rows in the
        same statement (a data-modifying WITH: RETURNING feeds the historical table, no second pass
        over the records); SQLite, which has no such WITH, writes them after, one statement per table."""
        now = timezone.now()
        history = (now, by, reason)
        with connection.cursor() as cursor:
            with self.timed("write records and history"):
                checked = self._checks_set_based(cursor, by)
                dropped = self._dropped if self._dropped is not None else self._indexes_drop(cursor)
                self._write(cursor, now, history, by, reason)
            if dropped:
                with self.timed("rebuild indexes"):
                    if not checked and _vendor() == "postgresql":
                        # The per-row foreign-key checks (deferred to commit) run now: PostgreSQL
                        # builds no index on a table with trigger events pending.
                        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
                    self._indexes_create(cursor, dropped)
            if checked:
                with self.timed("check references"):
                    self._checks_after(cursor)
            changed = self._households_changed(cursor)
        # The apps told of registry changes (registry/hooks.py: the rules' monitoring check) see the
        # whole import at once, inside its transaction: one evaluation over the changed households.
        with self.timed("registry hooks"):
            households_changed(household_ids=changed, by=by)
            # The compliance summary needs no refresh: of what it depends on, an import could only
            # change a target's birth date (birthday windows), and that is read from the ID number
            # the person is matched by, so it never changes here.

    def _households_changed(self, cursor) -> list[int]:
        """The households the import created or changed, or whose members it created or changed (none
        for a register of persons or organizations without households: RecordStage)."""
        if self.register.record != "household":
            return []
        sql = f"SELECT household_id FROM {STAGE_HOUSEHOLDS} h WHERE action IN ('+', '~')"
        if self.has_persons:  # every staged person's household is a staged household: a semi-join, no UNION
            sql += (f" OR EXISTS (SELECT 1 FROM {STAGE_PERSONS} p WHERE p.household_id = h.household_id "
                    f"AND p.action IN ('+', '~'))")
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall() if row[0] is not None]

    def _write(self, cursor, now: datetime, history: tuple, by, reason: str) -> None:
        sh, sp = STAGE_HOUSEHOLDS, STAGE_PERSONS
        totals = self._household_totals(sh, None)
        self._insert(cursor, Household, "household", sh, now, {"id": f"{sh}.household_id", **totals},
                     join=f"LEFT JOIN {STAGE_TOTALS} tt ON tt.household_id = {sh}.household_id"
                     if self.has_persons else "", history=history)
        self._update(cursor, Household, "household", sh, now, history=history)
        if self.has_persons:
            self._insert(cursor, Person, "person", sp, now,
                         {"id": f"{sp}.person_id", **self._person_extra(sp, sp)}, history=history)
            self._update(cursor, Person, "person", sp, now, history=history)
        if _vendor() != "postgresql":
            self._history(cursor, Household, sh, "s.household_id = t.id", now, by, reason)
            if self.has_persons:
                self._history(cursor, Person, sp, "s.person_id = t.id", now, by, reason)

    # A first load: secondary indexes built once after the rows, not maintained per row (PostgreSQL)

    def _written_tables(self) -> list[str]:
        return [t for t in self.WRITTEN if self.has_persons or "person" not in t]

    def _indexes_drop(self, cursor) -> list[tuple[str, str]]:
        """Drop the secondary indexes of each written table that is empty, inside the import's
        transaction, and return their definitions for _indexes_create.

        PostgreSQL maintains every index entry by entry as the rows arrive: for a million members
        with their history that is most of the import (docs/performance.md), while building the same
        index once over the loaded rows is a sort. This is done only where it is safe: on PostgreSQL,
        whose DDL is transactional (a failed, rolled back or killed import leaves the indexes as they
        were), and only for a table that is empty under an ACCESS EXCLUSIVE lock — so only a new
        installation's first load. That lock is held until commit: other sessions reading that table
        wait for the import to finish (they would find it empty anyway). A table with rows is written
        with its indexes in place and is never locked more than the writes need. Only plain indexes
        go (not unique, not primary keys, not behind a constraint, valid, without a comment), and each
        comes back from its own definition in pg_indexes, so it cannot differ from the migrations'."""
        if _vendor() != "postgresql":
            return self._indexes_drop_sqlite(cursor)
        dropped = []
        for table in self._written_tables():
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                continue
            cursor.execute(
                "SELECT x.indexname, x.indexdef, x.tablespace FROM pg_indexes x "
                "JOIN pg_class c ON c.relname = x.indexname JOIN pg_namespace n ON n.oid = c.relnamespace "
                "AND n.nspname = x.schemaname JOIN pg_index i ON i.indexrelid = c.oid "
                "WHERE x.schemaname = current_schema() AND x.tablename = %s AND NOT i.indisunique "
                "AND NOT i.indisprimary AND i.indisvalid "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = c.oid) "
                "AND obj_description(c.oid, 'pg_class') IS NULL ORDER BY x.indexname", [table])
            indexes = cursor.fetchall()
            if not indexes:
                continue
            sid = connection.savepoint()
            cursor.execute(f"LOCK TABLE {table} IN ACCESS EXCLUSIVE MODE")
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:  # written by another session meanwhile: leave it (and its lock)
                connection.savepoint_rollback(sid)
                continue
            connection.savepoint_commit(sid)
            self._locked_empty.add(table)
            for name, definition, tablespace in indexes:
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append((name, definition + (f' TABLESPACE "{tablespace}"' if tablespace else "")))
        return dropped

    def _indexes_drop_sqlite(self, cursor) -> list[tuple[str, str]]:
        """SQLite: the same for the written tables that are empty. The import holds the database's
        write lock from BEGIN (settings.py: IMMEDIATE), so no other writer can fill them meanwhile;
        readers see the tables as they were until commit (WAL), and DDL is transactional here too.
        Indexes that lead with a foreign key column stay: SQLite settles its deferred foreign-key
        checks (a household's head is written before the head) by looking up the child rows of
        every parent row written, through them."""
        dropped = []
        for table in self._written_tables():
            cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
            if cursor.fetchone()[0]:
                continue
            self._locked_empty.add(table)  # under the database's write lock: it stays empty but for us
            cursor.execute(f"SELECT \"from\" FROM pragma_foreign_key_list('{table}')")
            keys = {row[0] for row in cursor.fetchall()}
            cursor.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = %s "
                           "AND sql IS NOT NULL AND sql NOT LIKE 'CREATE UNIQUE%%' ORDER BY name", [table])
            for name, definition in cursor.fetchall():
                cursor.execute(f"SELECT name FROM pragma_index_info('{name}') ORDER BY seqno LIMIT 1")
                if cursor.fetchone()[0] in keys:
                    continue
                cursor.execute(f'DROP INDEX "{name}"')
                dropped.append((name, definition))
        return dropped

    def _indexes_create(self, cursor, dropped: list[tuple[str, str]]) -> None:
        if _vendor() == "postgresql":
            cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _name, definition in dropped:
            cursor.execute(definition)

    # Foreign keys, checked per set instead of per row (PostgreSQL) --------------------------

    WRITTEN = ("registry_household", "registry_person", "registry_historicalhousehold", "registry_historicalperson")

    def _checks_set_based(self, cursor, by) -> bool:
        """Check and lock what the written rows refer to once per set, instead of once per row.

        PostgreSQL checks a foreign key by one query per written row at commit: for a million
        members with their history about four million queries, as long as all the rest of the
        import together (docs/performance.md). When the database role may (a superuser, or
        `GRANT SET ON PARAMETER session_replication_role`) and no trigger of our own sits on the
        written tables, the import turns those per-row checks off for its own transaction only
        (SET LOCAL session_replication_role = replica) and does their work per set: it locks the
        referenced villages, registered households, registered heads and the acting user FOR KEY
        SHARE — what each per-row check does, so none can be deleted before commit — and after
        writing verifies that every reference resolves (`_checks_after`). Otherwise the per-row
        checks run as usual. Returns whether the set-based path is taken."""
        if _vendor() != "postgresql":
            return False
        cursor.execute("SELECT count(*) FROM pg_trigger WHERE NOT tgisinternal AND tgrelid IN ("
                       + ", ".join(f"'{t}'::regclass" for t in self.WRITTEN) + ")")
        if cursor.fetchone()[0]:
            return False
        sid = connection.savepoint()
        try:
            cursor.execute("SET LOCAL session_replication_role = replica")
        except DatabaseError:
            connection.savepoint_rollback(sid)
            return False
        connection.savepoint_commit(sid)
        sh = STAGE_HOUSEHOLDS
        cursor.execute(f"SELECT 1 FROM regions_region WHERE code IN (SELECT DISTINCT h_region FROM {sh}) "
                       f"FOR KEY SHARE")
        cursor.execute(f"SELECT 1 FROM registry_household WHERE id IN (SELECT household_id FROM {sh} "
                       f"WHERE action <> '+') FOR KEY SHARE")
        if self.has_persons:
            cursor.execute(f"SELECT 1 FROM registry_person WHERE id IN (SELECT head FROM {STAGE_TOTALS}) "
                           f"FOR KEY SHARE")
        if by is not None:
            cursor.execute("SELECT 1 FROM accounts_user WHERE id = %s FOR KEY SHARE", [by.pk])
        return True

    def _checks_after(self, cursor) -> None:
        """Every reference the written rows make resolves (what the per-row checks would verify).
        When every household and person of the plan was new, the households and heads the rows refer
        to are rows this transaction has just inserted from the same plan (no other session can see,
        let alone delete them): only the villages are looked up then. Those three joins took about a
        second at a million members (docs/performance.md)."""
        sh, sp = STAGE_HOUSEHOLDS, STAGE_PERSONS
        queries = [f"SELECT count(*) FROM {sh} s LEFT JOIN regions_region g ON g.code = s.h_region "
                   f"WHERE g.code IS NULL"]
        if not self._all_new:
            queries.append(f"SELECT count(*) FROM {sh} s LEFT JOIN registry_household h ON h.id = s.household_id "
                           f"WHERE h.id IS NULL")
        if self.has_persons and not self._all_new:
            queries += [f"SELECT count(*) FROM {STAGE_TOTALS} t LEFT JOIN registry_person p ON p.id = t.head "
                        f"WHERE t.head IS NOT NULL AND p.id IS NULL",
                        f"SELECT count(*) FROM {sp} s LEFT JOIN registry_household h ON h.id = s.household_id "
                        f"WHERE h.id IS NULL"]
        for sql in queries:
            cursor.execute(sql)
            if cursor.fetchone()[0]:
                raise IntegrityError(f"import: a written row refers to a missing record ({sql})")
        cursor.execute("SET LOCAL session_replication_role = origin")

    def _household_totals(self, stage: str, current: str | None) -> dict[str, str]:
        """Size, head and income per capita: from the totals stage when the file has members, else
        the registered size (or 0 for a new household) with the new incomes."""
        incomes = ("wage_income", "production_income", "property_income", "transfer_income")
        if current is None:
            income = " + ".join(f"COALESCE({stage}.h_{f}, 0)" if f"h_{f}" in self.mapped else "0" for f in incomes)
        else:
            income = " + ".join(f"COALESCE({stage}.h_{f}, {current}.{f})" if f"h_{f}" in self.mapped
                                else f"{current}.{f}" for f in incomes)
        if self.has_persons:
            size, head = "COALESCE(tt.size, 0)", "tt.head"
        else:
            size, head = (f"{current}.size", f"{current}.head_id") if current else ("0", "NULL")
        return {"size": size, "head_id": head,
                "income_per_capita": f"CASE WHEN {size} > 0 THEN ROUND(({income}) / {size}, 2) ELSE 0 END"}

    def _insert(self, cursor, model, target: str, stage: str, now: datetime, extra: dict[str, str],
                join: str = "", history: tuple | None = None) -> None:
        exprs = self._fields(model, target, stage, None)
        exprs.update(extra)
        columns, values, params = [], [], []
        for f in model._meta.concrete_fields:
            if f.primary_key and f.attname not in exprs:
                continue
            columns.append(f.column)
            if f.attname in exprs:
                expr = exprs[f.attname]
                values.append(expr)
                if "%s" in expr:
                    params.append(self._default(f))
            elif f.attname in ("created_at", "updated_at"):
                values.append("%s")
                params.append(f.get_db_prep_save(now, connection))
            else:
                values.append("%s")
                params.append(self._default(f) if f.has_default() or not f.null else None)
        sql = (f"INSERT INTO {model._meta.db_table} ({', '.join(columns)}) "
               f"SELECT {', '.join(values)} FROM {stage} {join} WHERE {stage}.action = '+'")
        self._execute_with_history(cursor, model, sql, params, "+", history)

    def _update(self, cursor, model, target: str, stage: str, now: datetime, history: tuple | None = None) -> None:
        table = model._meta.db_table
        exprs = self._fields(model, target, "s", "t")
        extra, join = self._update_extra(target)
        exprs.update(extra)
        sets = [f"{model._meta.get_field(a).column} = {e}"
                for a, e in exprs.items() if a not in ("id_number", "id_hash", "number", "county_code")]
        params = []
        if any(f.attname == "updated_at" for f in model._meta.concrete_fields):
            sets.append("updated_at = %s")
            params.append(connection.ops.adapt_datetimefield_value(now))
        sql = (f"UPDATE {table} AS t SET {', '.join(sets)} FROM {stage} s {join} "
               f"WHERE s.{target}_id = t.id AND s.action = '~'")
        self._execute_with_history(cursor, model, sql, params, "~", history)

    def _update_extra(self, target: str) -> tuple[dict[str, str], str]:
        """Values of an updated record (alias t, its stage row s) that are not the file's cells, and
        the join they need: a member's household, region and county; a household's totals."""
        if target == "person":
            return self._person_extra("s", "s"), ""
        join = f"LEFT JOIN {STAGE_TOTALS} tt ON tt.household_id = s.household_id" if self.has_persons else ""
        return self._household_totals("s", "t"), join

    def _execute_with_history(self, cursor, model, sql: str, params: list, kind: str, history: tuple | None):
        """Run an INSERT or UPDATE; on PostgreSQL with the history row of each written record in the
        same statement (simple-history's columns: the record's own, then date, type, user, reason)."""
        if history is None or _vendor() != "postgresql":
            cursor.execute(sql, params)
            return
        now, by, reason = history
        historical = model.history.model
        own = ", ".join(f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_"))
        into = (f"INSERT INTO {historical._meta.db_table} ({own}, history_date, history_type, history_user_id, "
                f"history_change_reason) SELECT {own}, %s, %s, %s, %s FROM ")
        history_params = [connection.ops.adapt_datetimefield_value(now), kind, by.pk if by else None, reason[:100]]
        if kind == "+" and {model._meta.db_table, historical._meta.db_table} <= self._locked_empty:
            # A first load: the table was empty under the import's exclusive lock, so every row it holds
            # now is one this INSERT wrote. Its history rows come from one scan of it after the insert:
            # RETURNING kept a million rows in a tuplestore first (about 15% slower, docs/performance.md).
            cursor.execute(sql, params)
            cursor.execute(into + model._meta.db_table, history_params)
            return
        returning = ", ".join(f"{'t.' if kind == '~' else ''}{c}" for c in own.split(", "))
        cursor.execute(f"WITH written AS ({sql} RETURNING {returning}) {into}written", [*params, *history_params])

    def _history(self, cursor, model, stage: str, on: str, now: datetime, by, reason: str) -> None:
        historical = model.history.model
        own = [f.column for f in historical._meta.concrete_fields if not f.name.startswith("history_")]
        cols = ", ".join(own)
        src = ", ".join(f"t.{c}" for c in own)
        cursor.execute(
            f"INSERT INTO {historical._meta.db_table} ({cols}, history_date, history_type, history_user_id, "
            f"history_change_reason) SELECT {src}, %s, s.action, %s, %s FROM {model._meta.db_table} t "
            f"JOIN {stage} s ON {on} WHERE s.action IN ('+', '~')",
            [connection.ops.adapt_datetimefield_value(now), by.pk if by else None, reason[:100]])

    def close(self) -> None:
        self.sealer.close()
        if self._thread is not None:
            self._thread.shutdown(wait=True)
            self._thread = None

    def drop(self) -> None:
        with connection.cursor() as cursor:
            for table in STAGES:
                cursor.execute(f"DROP TABLE IF EXISTS {table}")


def _analyze(cursor, table: str, *columns: str) -> None:
    """Statistics for the planner on the columns the import joins and groups by: on PostgreSQL only
    those (a staged row has some twenty columns, two of them long byte strings; statistics on all
    of them cost the plan about a second at a million rows)."""
    if _vendor() == "postgresql" and columns:
        cursor.execute(f"ANALYZE {table} ({', '.join(columns)})")
    else:
        cursor.execute(f"ANALYZE {table}")


def _scatter(ids: pl.Series, hashes: pl.Series, blobs: pl.Series) -> tuple[pl.Series, pl.Series]:
    """The sealed values of the non-null ID numbers back in the rows they came from (a row refused
    for its ID number stages none)."""
    if not ids.null_count():
        return hashes, blobs
    where = ids.is_not_null().arg_true()
    return tuple(pl.Series(s.name, [None] * ids.len(), dtype=pl.Binary).scatter(where, s) for s in (hashes, blobs))


def _seal_secret(values: pl.Series, key: str) -> list[pl.Series]:
    """Ciphertext (as the EncryptedField writes it) and keyed hash of each value given."""
    given = values.drop_nulls().to_list()
    blobs, hashes = iter(crypto.encrypt_many(given)), iter(crypto.keyed_hashes(given))
    present = values.is_not_null().to_list()
    return [pl.Series(f"{key}_enc", [next(blobs) if p else None for p in present], dtype=pl.Binary),
            pl.Series(f"{key}_hash", [next(hashes) if p else None for p in present], dtype=pl.Binary)]


def column_for(register: Register, key: str) -> Column:
    return register.column(key)
