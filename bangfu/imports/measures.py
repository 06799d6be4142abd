"""The register of measures (帮扶措施台账, 一户一策): one planned measure a row.

Read, mapped and checked cell by cell as every register is (reading.py, validation.py: the
category against the twelve categories, the dates, the amounts, the unit by name, the helper's ID
number by its check digit); then the rules across rows here, set-wise: the household is found by
its number inside the caller's scope (one query for the file), the helper by the keyed hash of the
ID number (one query). A register of measures is short (a few thousand rows a county), so the
rows are held in memory rather than staged in a table. A row already registered — same household,
category, content and planned date — is left unchanged, so importing a file twice adds nothing.
All rows are written with their history in one transaction, or none (import_file).
"""

from dataclasses import dataclass, field

import polars as pl
from django.utils.translation import gettext as _
from simple_history.utils import bulk_create_with_history

from bangfu.accounts.scope import Scope
from bangfu.imports.registers import Register
from bangfu.imports.upsert import Counts, CrossError
from bangfu.measures.models import Measure
from bangfu.privacy.crypto import keyed_hashes
from bangfu.registry.models import Household, Person


class _NoSealer:
    """No ID number is stored by this register (the helper's is only looked up): nothing to seal."""

    split_min = float("inf")

    def start(self) -> None:
        pass

    def close(self, *, wait: bool = True) -> None:
        pass


@dataclass
class MeasureStage:
    register: Register
    mapped: set
    scope: Scope
    timed: object = None
    sealer: _NoSealer = field(default_factory=_NoSealer)
    frames: list = field(default_factory=list)
    rows: list = field(default_factory=list)  # the rows to write, resolved
    counts: Counts = field(default_factory=Counts)

    def seal(self, typed: pl.DataFrame):
        return None

    def store(self, typed: pl.DataFrame, sealed) -> None:
        self.frames.append(typed)

    def flush(self) -> None:
        pass

    def seqs(self, rows) -> dict:
        return {}

    def _frame(self) -> pl.DataFrame:
        return pl.concat(self.frames, how="diagonal_relaxed") if self.frames else pl.DataFrame()

    def cross_errors(self) -> list[CrossError]:
        frame = self._frame()
        if not frame.height:
            return []
        numbers = [n for n in frame.get_column("m_household").unique().to_list() if n]
        households = {number: (pk, county, region) for number, pk, county, region in
                      self.scope.households(Household.objects.all()).filter(number__in=numbers)
                      .values_list("number", "pk", "county_code", "region_id")}
        helpers: dict[str, int] = {}
        if "m_helper" in frame.columns:
            ids = [i for i in frame.get_column("m_helper").unique().to_list() if i]
            by_hash = dict(zip(keyed_hashes(ids), ids))
            helpers = {by_hash[bytes(h)]: pk for h, pk in
                       Person.objects.filter(id_hash__in=list(by_hash)).values_list("id_hash", "pk")}
        errors, self.rows = [], []
        for row in frame.iter_rows(named=True):
            found = households.get(row["m_household"])
            if row["m_household"] and found is None:
                errors.append(CrossError(row["__row"], "m_household", "household",
                                         _("户编号 %(n)s 未登记，或不在您的管辖范围内") % {"n": row["m_household"]}))
                continue
            helper = row.get("m_helper")
            if helper and helper not in helpers:
                errors.append(CrossError(row["__row"], "m_helper", "rule",
                                         _("责任人身份证号未登记：请先在帮扶责任人名册中登记")))
                continue
            negative = [key for key in ("m_amount", "m_expected_income") if (row.get(key) or 0) < 0]
            if negative:
                errors.append(CrossError(row["__row"], negative[0], "number", _("金额不能为负数")))
                continue
            if row.get("__bad") or found is None:
                continue
            self.rows.append({"household_id": found[0], "county_code": found[1], "region_id": found[2],
                              "category": row["m_category"], "description": row["m_description"],
                              "planned_on": row["m_planned_on"], "helper_id": helpers.get(helper),
                              "unit_id": row.get("m_unit"), "amount": row.get("m_amount"),
                              "expected_income": row.get("m_expected_income")})
        return errors

    def drop_bad(self) -> None:
        pass  # rows refused in a cell or across rows were never kept (cross_errors)

    def plan(self, *, reserve: bool) -> dict[str, Counts]:
        """New (+) or already registered (=): same household, category, content and planned date."""
        keys = {(r["household_id"], r["category"], r["description"], r["planned_on"]) for r in self.rows}
        existing = set(Measure.objects.filter(household_id__in={k[0] for k in keys})
                       .values_list("household_id", "category", "description", "planned_on"))
        seen, new = set(), []
        for r in self.rows:
            key = (r["household_id"], r["category"], r["description"], r["planned_on"])
            if key not in existing and key not in seen:
                new.append(r)
            seen.add(key)
        self.counts = Counts(created=len(new), unchanged=len(self.rows) - len(new))
        self.rows = new
        return {"measures": self.counts}

    def apply(self, *, by, reason: str) -> None:
        objects = [Measure(created_by=by, **r) for r in self.rows]
        bulk_create_with_history(objects, Measure, batch_size=1000, default_user=by, default_change_reason=reason)

    def drop(self) -> None:
        pass

    def close(self) -> None:
        pass
