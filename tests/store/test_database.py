"""The store file: opening it (errors that say what to do) and building it atomically."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cluster_map.errors import StoreError
from cluster_map.store import database
from cluster_map.store.database import positions_by_value, query, split_result
from cluster_map.store.load import insert
from cluster_map.store.schema import REQUIRED_TABLES, SCHEMA_VERSION

ROOT = Path(__file__).resolve().parents[2]

MINIMAL: dict[str, pd.DataFrame] = {
    "datasets": pd.DataFrame({"code": ["d1"], "kind": ["statistics"]}),
    "regions": pd.DataFrame({"code": ["AT1"], "nuts_version": ["2013"], "kind": ["nuts"]}),
    "geometries": pd.DataFrame(
        {
            "code": ["AT1"],
            "nuts_version": ["2013"],
            "variant": ["full"],
            "wkb": [bytes.fromhex("0101000000000000000000f03f0000000000000040")],
        }
    ),
    "sectors": pd.DataFrame({"scheme": ["nace_r2"], "code": ["C"]}),
    "observations": pd.DataFrame(
        {
            "dataset": ["d1"],
            "region": ["AT1"],
            "region_original": ["AT1"],
            "nuts_version": ["2013"],
            "sector_scheme": ["nace_r2"],
            "sector": ["C"],
            "indicator": ["V16110"],
            "unit": ["NR"],
            "breakdown": [""],
            "year": [2015],
            "value": [1.0],
            "flags": [""],
        }
    ),
    "related_clusters": pd.DataFrame({"cluster_a": ["1"], "cluster_b": ["2"]}),
    "cluster_naics": pd.DataFrame({"scheme": ["us_cluster"], "cluster_code": ["1"], "naics": ["111111"]}),
    "organisations": pd.DataFrame({"id": ["o1"], "directory": ["eu"], "name": ["An org"]}),
}


def fill_minimal(con: duckdb.DuckDBPyConnection, **extra: pd.DataFrame) -> None:
    for table, frame in {**MINIMAL, **extra}.items():
        insert(con, table, frame)


def build_minimal(db: Path, **extra: pd.DataFrame) -> None:
    with database.build_atomically(db) as build:
        fill_minimal(build.connection, **extra)


def sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name != db.name)


# --- connect ------------------------------------------------------------------------------------
def test_missing_store_says_to_run_ingest(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cluster-map ingest"):
        database.connect(tmp_path / "none.duckdb")


def test_other_schema_version_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "old.duckdb"
    con = duckdb.connect(str(db))
    con.execute("CREATE TABLE meta (key VARCHAR, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', '0')")
    con.close()
    with pytest.raises(StoreError, match=rf"schema version '0'.*needs '{SCHEMA_VERSION}'"):
        database.connect(db)


def test_a_duckdb_file_without_meta_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "other.duckdb"
    duckdb.connect(str(db)).close()
    with pytest.raises(StoreError, match="schema version None"):
        database.connect(db)


def test_a_file_that_is_not_duckdb_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "notes.duckdb"
    db.write_text("hello, not a database\n" * 100)
    with pytest.raises(StoreError, match="notes.duckdb"):
        database.connect(db)


def test_store_locked_by_a_writer_is_reported(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    code = f"import duckdb, time; c = duckdb.connect({str(db)!r}); print('open', flush=True); time.sleep(60)"
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None and proc.stdout.readline().strip() == "open"
        with pytest.raises(StoreError, match="locked"):
            database.connect(db)
    finally:
        proc.kill()
        proc.wait()


def test_readers_use_one_cursor_per_query(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    con = database.connect(db)
    a = database.query(con, "SELECT code FROM regions WHERE nuts_version = ?", ["2013"])
    b = database.query(con, "SELECT count(*) AS n FROM observations")
    assert a["code"].tolist() == ["AT1"] and b["n"].tolist() == [1]
    con.close()


# --- build_atomically -----------------------------------------------------------------------------
def test_build_creates_a_valid_store_and_leaves_no_temporary_file(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    con = database.connect(db)
    assert database.validate(con) == []
    con.close()
    assert leftovers(db) == []


def test_exception_during_build_leaves_the_old_store_byte_identical(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    before = sha(db)
    with pytest.raises(RuntimeError, match="boom"), database.build_atomically(db) as build:
        fill_minimal(build.connection)
        build.connection.execute("DELETE FROM regions")
        raise RuntimeError("boom")
    assert sha(db) == before
    assert leftovers(db) == []


@pytest.mark.parametrize(
    ("table", "frame", "message"),
    [
        ("regions", MINIMAL["regions"], r"duplicate key in table 'regions': code='AT1', nuts_version='2013'"),
        ("organisations", MINIMAL["organisations"], r"duplicate key in table 'organisations': id='o1'"),
        ("observations", MINIMAL["observations"], r"duplicate key in table 'observations'.*year=2015"),
    ],
)
def test_duplicate_keys_fail_validation_and_keep_the_old_store(
    tmp_path: Path, table: str, frame: pd.DataFrame, message: str
) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    before = sha(db)
    with pytest.raises(StoreError, match=message), database.build_atomically(db) as build:
        fill_minimal(build.connection)
        insert(build.connection, table, frame)
    assert sha(db) == before
    assert leftovers(db) == []


@pytest.mark.parametrize("empty", ["observations", "geometries", "organisations"])
def test_an_empty_required_table_fails_validation(tmp_path: Path, empty: str) -> None:
    db = tmp_path / "s.duckdb"
    with pytest.raises(StoreError, match=f"table '{empty}' is empty"), database.build_atomically(db) as b:
        fill_minimal(b.connection)
        b.connection.execute(f"DELETE FROM {empty}")
    assert not db.exists()
    assert leftovers(db) == []


def test_partial_build_checks_only_the_tables_asked_for(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    with database.build_atomically(db, required=("regions",)) as build:
        insert(build.connection, "regions", MINIMAL["regions"])
    con = database.connect(db)
    assert database.validate(con, required=("regions",)) == []
    assert "table 'observations' is empty" in database.validate(con, required=REQUIRED_TABLES)
    con.close()


def test_seeding_from_the_target_keeps_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    with database.build_atomically(db, seed_from_target=True) as build:
        insert(
            build.connection,
            "regions",
            pd.DataFrame({"code": ["AT2"], "nuts_version": ["2013"], "kind": ["nuts"]}),
        )
    con = database.connect(db)
    assert database.query(con, "SELECT code FROM regions ORDER BY code")["code"].tolist() == ["AT1", "AT2"]
    con.close()


def test_build_can_release_the_file_for_other_code(tmp_path: Path) -> None:
    """The metrics engine opens the temporary file itself between close() and the swap."""
    db = tmp_path / "s.duckdb"
    with database.build_atomically(db) as build:
        fill_minimal(build.connection)
        build.close()
        other = duckdb.connect(str(build.path))
        other.execute("CREATE TABLE metrics_probe AS SELECT 42 AS x")
        other.close()
    con = database.connect(db)
    assert database.query(con, "SELECT x FROM metrics_probe")["x"].tolist() == [42]
    con.close()


def test_stale_temporary_files_of_dead_processes_are_removed(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True, check=True
    )
    stale = database.temp_path(db, int(dead.stdout))
    stale.write_bytes(b"half a store")
    stale.with_name(stale.name + ".wal").write_bytes(b"wal")
    (spill := stale.with_name(stale.name + ".tmp")).mkdir()
    (spill / "duckdb_temp_block-1.block").write_bytes(b"spilled")
    build_minimal(db)
    assert leftovers(db) == []


def test_a_live_concurrent_build_is_refused(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        database.temp_path(db, proc.pid).write_bytes(b"")
        with pytest.raises(StoreError, match=f"process {proc.pid}"):
            build_minimal(db)
    finally:
        proc.kill()
        proc.wait()


@pytest.mark.slow
def test_kill_9_during_a_build_keeps_the_old_store_usable(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    before = sha(db)
    code = textwrap.dedent(f"""
        import time, pandas as pd
        from cluster_map.store import database
        from cluster_map.store.load import insert
        with database.build_atomically({str(db)!r}) as build:
            n = 2_000_000
            insert(build.connection, "observations", pd.DataFrame({{
                "dataset": "x", "region": "R", "region_original": "R", "nuts_version": "2013",
                "sector_scheme": "nace_r2", "sector": "C", "indicator": "V", "unit": "NR",
                "breakdown": "", "year": range(n), "value": 1.0, "flags": ""}}))
            print("building", flush=True)
            time.sleep(60)
    """)
    proc = subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    assert proc.stdout is not None and proc.stdout.readline().strip() == "building"
    assert database.temp_path(db, proc.pid).exists()
    os.kill(proc.pid, 9)
    proc.wait()
    assert sha(db) == before
    con = database.connect(db)
    assert database.validate(con) == []
    con.close()
    build_minimal(db)  # the next build cleans up what the killed one left
    assert leftovers(db) == []


def test_validation_reads_the_schema_version_first(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    con = duckdb.connect(str(db))
    con.execute("UPDATE meta SET value = '999' WHERE key = 'schema_version'")
    problems = database.validate(con)
    con.close()
    assert len(problems) == 1 and "'999'" in problems[0]


def test_a_stale_wal_of_the_old_store_is_not_replayed_into_the_new_one(tmp_path: Path) -> None:
    db = tmp_path / "s.duckdb"
    build_minimal(db)
    db.with_name(db.name + ".wal").write_bytes(b"not a log of the new file")
    build_minimal(db)
    con = database.connect(db)
    assert database.validate(con) == []
    con.close()
    assert leftovers(db) == []


def test_split_result_types_each_part_as_its_own_query() -> None:
    """A batch split per key equals the one-key queries, column types included (DuckDB types by rows)."""
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE t AS SELECT * FROM (VALUES "
        "('a', 1, 'x', 10, true, 1.5, ['p']), ('a', 2, NULL, NULL, NULL, NULL, NULL), "
        "('b', 3, NULL, 20, false, 2.5, ['q']), ('c', 4, 'z', NULL, NULL, NULL, NULL)"
        ") v(k, i, txt, n, flag, x, tags)"
    )
    con.execute("ALTER TABLE t ALTER n TYPE INTEGER; ALTER TABLE t ALTER tags TYPE VARCHAR[]")
    keys = ["a", "b", "c", "none"]
    batch = query(con, "SELECT * FROM t WHERE list_contains(?::VARCHAR[], k) ORDER BY k, i", [keys])
    parts = split_result(batch, {k: list(np.flatnonzero(batch["k"] == k)) for k in keys})
    for k in keys:
        one = query(con, "SELECT * FROM t WHERE k = ? ORDER BY k, i", [k])
        pd.testing.assert_frame_equal(parts[k], one, check_exact=True)
        for col in one.columns:
            assert [type(v) for v in parts[k][col]] == [type(v) for v in one[col]], (k, col)
    assert str(parts["b"]["txt"].dtype) == "object" and str(parts["b"]["n"].dtype) == "int32"
    assert str(parts["a"]["n"].dtype) == "Int32" and str(parts["b"]["flag"].dtype) == "bool"


def test_positions_by_value_looks_in_every_column() -> None:
    frame = pd.DataFrame({"a": ["AT", "DE", None], "b": ["AT1", None, "AT1"]})
    assert positions_by_value(frame, ["a", "b"]) == {"AT": [0], "DE": [1], "AT1": [0, 2]}
