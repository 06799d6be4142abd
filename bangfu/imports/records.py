"""Registers whose rows are single records: persons without a household (帮扶责任人名册, 教师名册,
学生名册) and organizations (单位名册).

The same machinery as the household registers (upsert.Stage): rows staged by COPY or executemany
with the ID number hashed and encrypted, rules across rows as queries on the stage, one plan
(create / update / unchanged) by INSERT … SELECT, then INSERT … SELECT and UPDATE … FROM with the
history rows. What differs is the key — a person by the keyed hash of the ID number within the
county, an organization by county and name — and that there are no household totals.
"""

from datetime import datetime

import polars as pl
from django.db import connection
from django.utils.translation import gettext as _

from bangfu.imports.upsert import (
    _MODELS,
    _SQL_TYPES,
    STAGE,
    STAGE_RECORDS,
    Counts,
    CrossError,
    Stage,
    _analyze,
    _vendor,
)
from bangfu.regions.services import initials_of


class RecordStage(Stage):
    """One import of a person or organization register, inside the caller's transaction."""

    @property
    def target(self) -> str:
        return self.register.record  # "person" or "organization"

    @property
    def model(self):
        return _MODELS[self.target]

    @property
    def always(self) -> set[str]:
        return super().always | {"p_kind", "o_initials"}

    def _key(self, stage: str, record: str) -> str:
        """How a staged row finds its registered record."""
        county = self.register.county_key
        if self.target == "person":
            return f"{record}.county_code = {stage}.{county} AND {record}.id_hash = {stage}.p_id_hash"
        return f"{record}.county_code = {stage}.{county} AND {record}.name = {stage}.o_name"

    # Loading ------------------------------------------------------------------------------

    def prepare(self, frame: pl.DataFrame, sealed) -> pl.DataFrame:
        frame = super().prepare(frame, sealed)
        if self.register.person_kind:
            frame = frame.with_columns(pl.lit(self.register.person_kind).alias("p_kind"))
        if self.target == "organization":
            # A register of units is short (hundreds of rows a county): initials once per distinct name.
            names = frame.get_column("o_name").drop_nulls().unique().to_list()
            initials = {name: initials_of(name)[:60] for name in names}
            frame = frame.with_columns(pl.col("o_name").replace_strict(initials, default="", return_dtype=pl.String)
                                       .alias("o_initials"))
        return frame

    # Rules across rows -------------------------------------------------------------------

    def cross_errors(self) -> list[CrossError]:
        self.flush()
        errors: list[CrossError] = []
        county = self.register.county_key
        with connection.cursor() as cursor:
            if self.target == "person":
                if _vendor() == "sqlite":
                    cursor.execute(f"CREATE INDEX {STAGE}_id ON {STAGE} (p_id_hash)")
                _analyze(cursor, STAGE, "row_no", county, "p_id_hash", "p_name", "p_region", "p_birth_date")
                errors += self._duplicate_ids(cursor)
                errors += self._duplicate_name_birth(cursor)
                errors += self._registered_elsewhere(cursor)
                errors += self._registry_name_birth(cursor)
            else:
                if _vendor() == "sqlite":
                    cursor.execute(f"CREATE INDEX {STAGE}_name ON {STAGE} ({county}, o_name)")
                _analyze(cursor, STAGE, "row_no", county, "o_name")
                errors += self._duplicate_names(cursor)
                errors += self._organizations_elsewhere(cursor)
        return errors

    def _registered_elsewhere(self, cursor) -> list[CrossError]:
        """One person, one record: an ID number registered outside the scope, or in another county,
        is refused (a move between counties goes through the person's page)."""
        cursor.execute(
            f"SELECT r.row_no, p.region_id, g.full_name FROM {STAGE} r JOIN registry_person p "
            f"ON p.id_hash = r.p_id_hash LEFT JOIN regions_region g ON g.code = p.region_id "
            f"WHERE p.region_id NOT LIKE %s OR p.county_code <> r.{self.register.county_key}",
            [self.scope.prefix + "%"])
        errors = []
        for row, region, name in cursor.fetchall():
            if not region.startswith(self.scope.prefix):
                message = _("该身份证号已登记在您管辖范围以外的人员记录中，不能重复登记")
            else:
                message = _("该身份证号已登记在 %(r)s 的人员记录中：跨县(区)调动请在人员页面办理") % {"r": name or region}
            errors.append(CrossError(row, "p_id_number", "duplicate_registry", message))
        return errors

    def _duplicate_names(self, cursor) -> list[CrossError]:
        county = self.register.county_key
        cursor.execute(
            f"SELECT r.row_no, d.first_row FROM {STAGE} r JOIN (SELECT {county}, o_name, min(row_no) AS first_row "
            f"FROM {STAGE} GROUP BY {county}, o_name HAVING count(*) > 1) d ON d.{county} = r.{county} "
            f"AND d.o_name = r.o_name WHERE r.row_no <> d.first_row")
        return [CrossError(row, "o_name", "duplicate_file", _("单位名称与%(ref)s 重复(同一县内单位不能重名)"), first)
                for row, first in cursor.fetchall()]

    def _organizations_elsewhere(self, cursor) -> list[CrossError]:
        cursor.execute(
            f"SELECT min(r.row_no), r.o_name FROM {STAGE} r JOIN registry_organization o ON {self._key('r', 'o')} "
            f"WHERE o.region_id NOT LIKE %s GROUP BY r.{self.register.county_key}, r.o_name",
            [self.scope.prefix + "%"])
        return [CrossError(row, "o_name", "region_scope",
                           _("单位 %(n)s 已登记在您管辖范围以外的区域") % {"n": name}) for row, name in cursor.fetchall()]

    # Matching and writing ----------------------------------------------------------------

    def plan(self, *, reserve: bool) -> dict[str, Counts]:
        """Match every staged row to its record and decide: create (+), update (~) or leave (=)."""
        target, model = self.target, self.model
        with connection.cursor() as cursor:
            self._secrets_current(cursor, target)
            types = _SQL_TYPES[_vendor()]
            cols = ", ".join(f"{c.name} {types[c.type]}" for c in self.columns)
            cursor.execute(f"CREATE TEMPORARY TABLE {STAGE_RECORDS} ({cols}, {target}_id bigint, action varchar(1))")
            names = [c.name for c in self.columns]
            changed = self._changed_sql(model, target, "t", "s", self._update_extra(target)[0])
            new_id = self._new_id(cursor, model, "t.id", "s.row_no") if reserve else "t.id"
            cursor.execute(
                f"INSERT INTO {STAGE_RECORDS} ({', '.join(names)}, {target}_id, action) "
                f"SELECT {', '.join('s.' + n for n in names)}, {new_id}, "
                f"CASE WHEN t.id IS NULL THEN '+' WHEN {changed} THEN '~' ELSE '=' END "
                f"FROM {STAGE} s LEFT JOIN {model._meta.db_table} t ON {self._key('s', 't')} "
                f"{self._secrets_join(target, 't')}")
            _analyze(cursor, STAGE_RECORDS, f"{target}_id", "action")
            counts = self._counts(cursor, STAGE_RECORDS)
        return {f"{target}s": counts}

    def _update_extra(self, target: str) -> tuple[dict[str, str], str]:
        """A household member keeps the region of the household; anyone else takes the file's (or
        the unit's) region. Organizations have nothing beyond their cells."""
        if target == "person":
            return {"region_id": "CASE WHEN t.household_id IS NULL THEN s.p_region ELSE t.region_id END"}, ""
        return {}, ""

    def _write(self, cursor, now: datetime, history: tuple, by, reason: str) -> None:
        target, model, sr = self.target, self.model, STAGE_RECORDS
        self._insert(cursor, model, target, sr, now, {"id": f"{sr}.{target}_id"}, history=history)
        self._update(cursor, model, target, sr, now, history=history)
        if _vendor() != "postgresql":
            self._history(cursor, model, sr, f"s.{target}_id = t.id", now, by, reason)

    def _written_tables(self) -> list[str]:
        return [self.model._meta.db_table, self.model.history.model._meta.db_table]

    def _checks_set_based(self, cursor, by) -> bool:
        return False  # registers of this kind are small: PostgreSQL's per-row foreign-key checks are fine
