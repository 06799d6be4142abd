"""Import throughput against bare baselines measured in the same run.

    BANGFU_BENCH_ROWS        members in the CSV for PostgreSQL (default 1000000)
    BANGFU_BENCH_XLSX_ROWS   members in the .xlsx (default 100000)
    BANGFU_BENCH_SQLITE_ROWS members in the CSV for SQLite (default 200000)
    BANGFU_BENCH_PG          server URL without database (default postgres://postgres@127.0.0.1:5432)
    BANGFU_BENCH_DB          name of the database it creates and drops (default bangfu_bench_import)
    BANGFU_BENCH_PHASES      set: print the PostgreSQL import's phase times (bangfu import -v 2)
    BANGFU_BENCH_ONLY        "postgresql": only the PostgreSQL CSV figures (no .xlsx, no SQLite): the
                             first load and the import of as many new members into the filled registry;
                             "xlsx": the same BANGFU_BENCH_ROWS members as CSV and as .xlsx, each imported
                             into a fresh PostgreSQL database, the .xlsx's speed against the CSV's
                             (writing a million-row .xlsx takes some minutes; the full run ends its
                             PostgreSQL part with the same figure, against the CSV import it timed)

Each import is `bangfu import` in a fresh process on a fresh database (full validation,
hashing and encryption of every ID number, staging, upsert and history rows); its peak
memory is that of the process with its workers (the sum of their proportional set sizes, sampled
every 20 ms: _tree_memory).

Issue 18's goals are printed with their verdicts (the first load against (b), the import into a filled
registry against its (a), the streamed .xlsx against the CSV, the peak memory at 10^6 rows); the ratios of
earlier issues (against raw COPY into a bare table, calamine's bare read, SQLite's bare executemany),
which issue 18 replaced, for reference. (b) is binary COPY of the rows the import wrote — already typed,
hashed and encrypted — into copies of the four written tables (CREATE TABLE … (LIKE registry_person
INCLUDING ALL) and so on) with their secondary indexes built after, as a first load builds them; (a) the
same with all the registry's indexes maintained. That is what merely storing those rows with this schema
costs; the import cannot be faster than (b).

Then a second import into the registry the first one filled: BANGFU_BENCH_ROWS new members (other ID
numbers and households, the same county), its indexes maintained row by row as for any import into a
registry holding rows. Its baseline (a) for a filled registry: binary COPY of exactly the rows that import
wrote into copies of the written tables that already hold the first load's rows, with all their indexes
(issue 18: ≥ 0.90).
"""

import csv
import os
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PG = os.environ.get("BANGFU_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
ROWS = int(os.environ.get("BANGFU_BENCH_ROWS", "1000000"))
XLSX_ROWS = int(os.environ.get("BANGFU_BENCH_XLSX_ROWS", "100000"))
SQLITE_ROWS = int(os.environ.get("BANGFU_BENCH_SQLITE_ROWS", "200000"))
DB = os.environ.get("BANGFU_BENCH_DB", "bangfu_bench_import")
ONLY = os.environ.get("BANGFU_BENCH_ONLY", "")
WRITTEN = ("registry_household", "registry_person", "registry_historicalhousehold", "registry_historicalperson")
KEYS = {"registry_household": "id", "registry_person": "id", "registry_historicalhousehold": "history_id",
        "registry_historicalperson": "history_id"}  # each written table's key, ascending as rows are written
HEADER = ["户编号", "所在村", "姓名", "身份证号", "与户主关系", "性别", "出生日期", "民族", "劳动能力", "户状态"]
RELATIONS = ["户主", "配偶", "子女", "子女"]


def _check(first17: str) -> str:
    weights = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
    return "10X98765432"[sum(int(c) * w for c, w in zip(first17, weights)) % 11]


def _villages() -> list[str]:
    import gzip

    with gzip.open(ROOT / "bangfu/regions/data/villages-450224.csv.gz", "rt", encoding="utf-8") as fh:
        return [r["code"] for r in csv.DictReader(fh) if len(r["code"]) == 12]


def member_rows(n: int, offset: int = 0):
    villages = _villages()
    start = date(1940, 1, 1)
    for i in range(offset, offset + n):
        born = start + timedelta(days=i // 400)
        seq = i % 400
        male = i % 2 == 0
        first17 = f"450224{born:%Y%m%d}{seq * 2 + (1 if male else 0):03d}"[:17]
        household = i // 4
        yield [f"B{household:07d}", villages[household % len(villages)], f"村民{i}", first17 + _check(first17),
               RELATIONS[i % 4], "男" if male else "女", born.isoformat(), "壮族", "有劳动能力", "未脱贫"]


def write_csv(path: Path, n: int, offset: int = 0) -> None:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(HEADER)
        writer.writerows(member_rows(n, offset))


def write_xlsx(path: Path, n: int, offset: int) -> None:
    import xlsxwriter

    book = xlsxwriter.Workbook(str(path), {"constant_memory": True, "strings_to_numbers": False})
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, HEADER)
    for r, row in enumerate(member_rows(n, offset), start=1):
        sheet.write_row(r, 0, row)
    book.close()


def _tree_memory(pid: int) -> int:
    """Memory of a process and all its descendants, in bytes, from /proc: the sum of their
    proportional set sizes (PSS: a page shared by n processes counts 1/n in each, so the import's
    pages shared with its workers, and the libraries they share, count once). A child that has not
    yet exec'd — multiprocessing forks, then execs a fresh interpreter for each worker — is a copy
    of its parent sharing every page, so it is left out (an earlier version summed VmRSS and, when
    it sampled that instant, reported 540 MB for an import that otherwise peaked at 390 MB)."""
    total, todo = 0, [(pid, None)]
    while todo:
        p, parent_cmdline = todo.pop()
        try:
            with open(f"/proc/{p}/cmdline", "rb") as fh:
                cmdline = fh.read()
            if cmdline != parent_cmdline:
                with open(f"/proc/{p}/smaps_rollup") as fh:
                    for line in fh:
                        if line.startswith("Pss:"):
                            total += int(line.split()[1]) * 1024
                            break
            for task in os.listdir(f"/proc/{p}/task"):
                with open(f"/proc/{p}/task/{task}/children") as fh:
                    todo += [(int(c), cmdline) for c in fh.read().split()]
        except (OSError, ValueError):
            continue
    return total


def bangfu(env: dict, *args: str, quiet: bool = True) -> tuple[float, float]:
    """Run `bangfu ARGS`; seconds taken and peak memory in MB of the process with its workers,
    sampled every 20 ms."""
    start = time.perf_counter()
    child = subprocess.Popen([sys.executable, "-m", "bangfu.cli", *args], env=env, cwd=ROOT,
                             stdout=subprocess.DEVNULL if quiet else None)
    peak = 0
    while child.poll() is None:
        peak = max(peak, _tree_memory(child.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - start
    if child.returncode:
        raise subprocess.CalledProcessError(child.returncode, args)
    return seconds, peak / (1 << 20)


def prepare(env: dict) -> None:
    bangfu(env, "migrate", "--no-input", "-v", "0")
    bangfu(env, "shell", "-c", "from bangfu.regions.services import regions_load_base, regions_load_villages;"
           "regions_load_base(only='450224'); regions_load_villages(county='450224');"
           "from bangfu.accounts.models import User;"
           "User.objects.create(username='bench', role='county_office', region_id='450224000000')")


def timed_import(env: dict, path: Path) -> tuple[float, float]:
    if os.environ.get("BANGFU_BENCH_PHASES"):  # print the import's phase times (-v 2)
        return bangfu(env, "import", str(path), "--user", "bench", "--no-progress", "-v", "2", quiet=False)
    return bangfu(env, "import", str(path), "--user", "bench", "--no-progress")


def raw_copy(url: str, path: Path) -> float:
    import psycopg

    with psycopg.connect(url) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_raw")
        conn.execute("CREATE TABLE bench_raw (" + ", ".join(f"c{i} text" for i in range(len(HEADER))) + ")")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cur, open(path, "rb") as fh:
            with cur.copy("COPY bench_raw FROM STDIN (FORMAT csv, HEADER true)") as copy:
                while chunk := fh.read(1 << 20):
                    copy.write(chunk)
        conn.commit()
        seconds = time.perf_counter() - start
        conn.execute("DROP TABLE bench_raw")
    return seconds


def typed_copy(url: str, tmp: Path) -> tuple[float, float, int]:
    """Seconds to COPY (binary) what the import wrote into the four written tables, into copies
    of them with the same indexes, in one transaction: (1) with every index maintained row by
    row, (2) as the import's first load does, with the secondary indexes dropped and built after
    the rows. And the rows copied."""
    import psycopg

    dumps, rows = [], 0
    with psycopg.connect(url) as conn:
        for table in WRITTEN:
            dump = tmp / f"{table}.copy"
            with conn.cursor() as cur, open(dump, "wb") as fh:
                with cur.copy(f"COPY {table} TO STDOUT (FORMAT binary)") as copy:
                    for data in copy:
                        fh.write(data)
            rows += conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            dumps.append((table, dump))
        conn.commit()
        timings = []
        for rebuild in (False, True):
            for table, _dump in dumps:
                conn.execute(f"DROP TABLE IF EXISTS bench_{table}")
                conn.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
            conn.commit()
            start = time.perf_counter()
            secondary = []
            if rebuild:
                for table, _dump in dumps:
                    found = conn.execute(
                        "SELECT x.indexname, x.indexdef FROM pg_indexes x JOIN pg_class c ON c.relname = x.indexname "
                        "JOIN pg_index i ON i.indexrelid = c.oid WHERE x.tablename = %s AND NOT i.indisunique "
                        "AND NOT i.indisprimary", [f"bench_{table}"]).fetchall()
                    for name, definition in found:
                        conn.execute(f'DROP INDEX "{name}"')
                        secondary.append(definition)
            for table, dump in dumps:
                with conn.cursor() as cur, open(dump, "rb") as fh:
                    with cur.copy(f"COPY bench_{table} FROM STDIN (FORMAT binary)") as copy:
                        while chunk := fh.read(1 << 20):
                            copy.write(chunk)
            if secondary:
                conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for definition in secondary:
                conn.execute(definition)
            conn.commit()
            timings.append(time.perf_counter() - start)
            for table, _dump in dumps:
                conn.execute(f"DROP TABLE bench_{table}")
            conn.commit()
        for _table, dump in dumps:
            dump.unlink()
    return timings[0], timings[1], rows


def written_keys(url: str) -> dict[str, int]:
    """The highest key of each written table: what a later import writes lies above it."""
    import psycopg

    with psycopg.connect(url) as conn:
        return {t: conn.execute(f"SELECT COALESCE(max({KEYS[t]}), 0) FROM {t}").fetchone()[0] for t in WRITTEN}


def filled_copy(url: str, tmp: Path, before: dict[str, int]) -> tuple[float, int]:
    """Seconds to COPY (binary) the rows an import wrote above `before` (written_keys) into copies of
    the written tables that already hold the rows below it, every index maintained row by row, in one
    transaction: baseline (a) for an import into a filled registry. And the rows copied."""
    import psycopg

    dumps, rows = [], 0
    with psycopg.connect(url) as conn:
        for table in WRITTEN:
            parts = {}
            for part, where in (("old", f"{KEYS[table]} <= {before[table]}"), ("new", f"{KEYS[table]} > {before[table]}")):
                parts[part] = tmp / f"{table}.{part}.copy"
                with conn.cursor() as cur, open(parts[part], "wb") as fh:
                    with cur.copy(f"COPY (SELECT * FROM {table} WHERE {where} ORDER BY {KEYS[table]}) TO STDOUT "
                                  f"(FORMAT binary)") as copy:
                        for data in copy:
                            fh.write(data)
            rows += conn.execute(f"SELECT count(*) FROM {table} WHERE {KEYS[table]} > %s", [before[table]]).fetchone()[0]
            dumps.append((table, parts))
        conn.commit()

        def load(part: str) -> None:
            for table, parts in dumps:
                with conn.cursor() as cur, open(parts[part], "rb") as fh:
                    with cur.copy(f"COPY bench_{table} FROM STDIN (FORMAT binary)") as copy:
                        while chunk := fh.read(1 << 20):
                            copy.write(chunk)

        for table, _parts in dumps:
            conn.execute(f"DROP TABLE IF EXISTS bench_{table}")
            conn.execute(f"CREATE TABLE bench_{table} (LIKE {table} INCLUDING ALL)")
        load("old")  # the registry as the first load left it
        conn.commit()
        for table, _parts in dumps:
            conn.execute(f"ANALYZE bench_{table}")
        conn.commit()
        try:  # the old rows' writes are not charged to the timed COPY
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:  # a role without pg_checkpoint: timed as it comes
            conn.rollback()
        start = time.perf_counter()
        load("new")
        conn.commit()
        seconds = time.perf_counter() - start
        for table, parts in dumps:
            conn.execute(f"DROP TABLE bench_{table}")
            for dump in parts.values():
                dump.unlink()
        conn.commit()
    return seconds, rows


def bare_executemany(db: Path, path: Path) -> float:
    conn = sqlite3.connect(db)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE bench_raw (" + ", ".join(f"c{i} text" for i in range(len(HEADER))) + ")")
    start = time.perf_counter()
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh)
        next(reader)
        conn.executemany(f"INSERT INTO bench_raw VALUES ({', '.join('?' * len(HEADER))})", reader)
    conn.commit()
    seconds = time.perf_counter() - start
    conn.execute("DROP TABLE bench_raw")
    conn.close()
    return seconds


def bare_calamine(path: Path) -> float:
    from python_calamine import CalamineWorkbook

    start = time.perf_counter()
    rows = 0
    for _row in CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).iter_rows():
        rows += 1
    return time.perf_counter() - start


MEMORY_GOAL_MB = 400  # issue 18: peak memory of an import of 10^6 rows
EARLIER = "an earlier issue's goal, which issue 18 replaced"


def _report(label: str, rows: int, baseline: float, product: float, peak: float | None, goal: float | None,
            *, earlier: float | None = None) -> None:
    """One figure: the ratio baseline / product with issue 18's `goal` and its verdict, or, for a ratio that
    issue replaced (`earlier`: the goal it had), the ratio for reference; the peak memory, with its goal
    at 10^6 rows."""
    ratio = baseline / product
    memory = f", peak {peak:.0f} MB" if peak is not None else ""
    if peak is not None and rows >= 1_000_000:
        memory += f" (goal < {MEMORY_GOAL_MB} MB: {'OK' if peak < MEMORY_GOAL_MB else 'ABOVE GOAL'})"
    verdict = (f"(goal ≥ {goal:.2f}) {'OK' if ratio >= goal else 'BELOW GOAL'}" if goal is not None
               else f"(for reference: ≥ {earlier:.2f} was {EARLIER})")
    print(f"{label}: {rows} rows — baseline {baseline:.2f} s ({rows / baseline:,.0f}/s), "
          f"bangfu import {product:.2f} s ({rows / product:,.0f}/s){memory} → ratio {ratio:.2f} {verdict}",
          flush=True)


def xlsx_against_csv(tmp: Path, base_env: dict, csv_s: float | None = None) -> None:
    """The same members imported from CSV and from .xlsx (streamed above 16 MB of sheet XML), each
    into a fresh database: the .xlsx import's speed as a share of the CSV import's (issue 18). With
    `csv_s`, the CSV's first load was timed already in this run (main) and only the .xlsx is imported."""
    import psycopg

    timings = {} if csv_s is None else {"csv": (csv_s, None)}
    for fmt, write in (("csv", write_csv), ("xlsx", write_xlsx)):
        if fmt in timings:
            continue
        source = tmp / f"members-same.{fmt}"
        write(source, ROWS, 0)
        name = f"{DB}_{fmt}"
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            conn.execute(f"CREATE DATABASE {name}")
        env = {**base_env, "DATABASE_URL": f"{PG}/{name}"}
        prepare(env)
        timings[fmt] = timed_import(env, source)
        print(f"PostgreSQL {fmt}: {ROWS} rows in {timings[fmt][0]:.2f} s, peak {timings[fmt][1]:.0f} MB", flush=True)
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
    _report("PostgreSQL .xlsx vs CSV of the same rows", ROWS, timings["csv"][0], timings["xlsx"][0],
            timings["xlsx"][1], 0.8)


def main() -> None:
    import psycopg

    with tempfile.TemporaryDirectory(prefix="bangfu-bench-") as tmp:
        tmp = Path(tmp)
        base_env = {**os.environ, "BANGFU_VAR_DIR": str(tmp / "var")}
        if ONLY == "xlsx":
            xlsx_against_csv(tmp, base_env)
            return
        # PostgreSQL: CSV import against raw COPY of the same file; then .xlsx against calamine.
        name = DB
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name}")
            conn.execute(f"CREATE DATABASE {name}")
        pg_env = {**base_env, "DATABASE_URL": f"{PG}/{name}"}
        prepare(pg_env)
        source = tmp / "members.csv"
        write_csv(source, ROWS)
        copy_s = raw_copy(f"{PG}/{name}", source)
        import_s, peak = timed_import(pg_env, source)
        _report("PostgreSQL CSV vs raw COPY", ROWS, copy_s, import_s, peak, None, earlier=0.5)
        typed_s, rebuilt_s, typed_rows = typed_copy(f"{PG}/{name}", tmp)
        _report(f"PostgreSQL CSV, a first load, vs (b) binary COPY of the {typed_rows:,} rows it wrote (records and "
                f"history, typed), secondary indexes built after", ROWS, rebuilt_s, import_s, peak, 0.7)
        print(f"  explanatory: the same binary COPY with the registry's indexes maintained (a) {typed_s:.2f} s → "
              f"the import reaches {typed_s / import_s:.2f} of that (raw COPY is {copy_s / typed_s:.2f} of (a) and "
              f"{copy_s / rebuilt_s:.2f} of (b))", flush=True)
        # The same number of new members into the registry the first load filled, indexes maintained.
        before = written_keys(f"{PG}/{name}")
        second = tmp / "members-second.csv"
        write_csv(second, ROWS, offset=ROWS)
        filled_s, peak = timed_import(pg_env, second)
        filled_base_s, filled_rows = filled_copy(f"{PG}/{name}", tmp, before)
        _report(f"PostgreSQL CSV into a registry holding {ROWS} members vs (a) binary COPY of the "
                f"{filled_rows:,} rows it wrote, indexes maintained", ROWS, filled_base_s, filled_s, peak, 0.9)
        if ONLY == "postgresql":
            with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
                conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            return
        book = tmp / "members.xlsx"
        write_xlsx(book, XLSX_ROWS, offset=2 * ROWS)  # new members: the registry holds the first 2 × ROWS
        read_s = bare_calamine(book)
        xlsx_s, peak = timed_import(pg_env, book)
        _report("PostgreSQL .xlsx vs calamine read", XLSX_ROWS, read_s, xlsx_s, peak, None, earlier=0.7)
        with psycopg.connect(f"{PG}/postgres", autocommit=True) as conn:
            conn.execute(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
        # The same BANGFU_BENCH_ROWS members as an .xlsx (streamed at a million), a first load into a fresh
        # database like the CSV's above: issue 18's goal for the .xlsx (writing the file takes minutes).
        xlsx_against_csv(tmp, base_env, csv_s=import_s)
        # SQLite: CSV import against a bare executemany of the same file.
        db = tmp / "bench.sqlite3"
        sqlite_env = {**base_env, "DATABASE_URL": f"sqlite:///{db}"}
        prepare(sqlite_env)
        small = tmp / "members-sqlite.csv"
        write_csv(small, SQLITE_ROWS)
        bare_s = bare_executemany(tmp / "bare.sqlite3", small)
        sqlite_s, peak = timed_import(sqlite_env, small)
        _report("SQLite CSV vs bare executemany", SQLITE_ROWS, bare_s, sqlite_s, peak, None, earlier=0.5)


if __name__ == "__main__":
    main()
