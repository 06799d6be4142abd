"""A department's list through the import machinery (bangfu.imports): read, validated column-wise
and staged like any register — the ID number hashed with the registry's key on the way in — then
written as list entries and matched against the registry by one statement (services.clues_match).

Nothing here decrypts or compares a number: the stage's keyed hash meets `Person.id_hash`.
"""

from django.db import connection

from bangfu.imports.upsert import STAGE, Counts, CrossError, Stage, _analyze, _vendor


class ListStage(Stage):
    """One load of a cross-check list, inside the import's transaction."""

    @property
    def source(self) -> str:
        return self.register.list_source

    def _same(self, s: str, e: str) -> str:
        county = self.register.county_key
        return f"{e}.county_code = {s}.{county} AND {e}.source = %s AND {e}.id_hash = {s}.p_id_hash"

    def _changed(self, s: str, e: str) -> str:
        return (f"({e}.name <> {s}.p_name OR {e}.region_id <> {s}.p_region "
                f"OR {e}.detail <> COALESCE({s}.p_detail, ''))")

    def cross_errors(self) -> list[CrossError]:
        """The same ID number twice in one list."""
        self.flush()
        with connection.cursor() as cursor:
            if _vendor() == "sqlite":
                cursor.execute(f"CREATE INDEX {STAGE}_id ON {STAGE} (p_id_hash)")
            _analyze(cursor, STAGE, "row_no", "p_id_hash")
            return self._duplicate_ids(cursor)

    def plan(self, *, reserve: bool) -> dict[str, Counts]:
        e = "crosschecks_listentry"
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT count(*) FROM {STAGE}")
            total = cursor.fetchone()[0]
            cursor.execute(f"SELECT count(*) FROM {STAGE} s WHERE NOT EXISTS "
                           f"(SELECT 1 FROM {e} WHERE {self._same('s', e)})", [self.source])
            created = cursor.fetchone()[0]
            cursor.execute(f"SELECT count(*) FROM {STAGE} s JOIN {e} ON {self._same('s', e)} "
                           f"WHERE {self._changed('s', e)}", [self.source])
            updated = cursor.fetchone()[0]
        return {"entries": Counts(created=created, updated=updated, unchanged=total - created - updated)}

    def apply(self, *, by, reason: str) -> None:
        from django.utils import timezone

        from bangfu.crosschecks.services import clues_match

        now = connection.ops.adapt_datetimefield_value(timezone.now())
        user = by.pk if by else None
        e, county = "crosschecks_listentry", self.register.county_key
        with self.timed("write records and history"), connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {e} SET name = s.p_name, region_id = s.p_region, detail = COALESCE(s.p_detail, ''), "
                f"loaded_at = %s, loaded_by_id = %s FROM {STAGE} s WHERE {self._same('s', e)} "
                f"AND {self._changed('s', e)}", [now, user, self.source])
            cursor.execute(
                f"INSERT INTO {e} (source, county_code, region_id, name, id_hash, detail, loaded_at, loaded_by_id) "
                f"SELECT %s, s.{county}, s.p_region, s.p_name, s.p_id_hash, COALESCE(s.p_detail, ''), %s, %s "
                f"FROM {STAGE} s WHERE NOT EXISTS (SELECT 1 FROM {e} WHERE {self._same('s', e)})",
                [self.source, now, user, self.source])
            cursor.execute(f"SELECT DISTINCT {county} FROM {STAGE}")
            counties = [row[0] for row in cursor.fetchall()]
        with self.timed("match"):
            clues_match(source=self.source, counties=counties, scope=self.scope)
