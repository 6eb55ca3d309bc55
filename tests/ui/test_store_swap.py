"""A store file replaced beside the running app (a full ingest swaps it in) is read at the next run.

DuckDB keeps one database instance per path: a new connection to a path whose old file is still open
gets the old file. ``ui.data`` must close the old file's connections when the store key changes.
"""

from __future__ import annotations

import os
from pathlib import Path

import duckdb
import pytest

from cluster_map.store.schema import SCHEMA_VERSION
from cluster_map.ui import data


def _store(path: Path, value: str) -> None:
    con = duckdb.connect(str(path))
    con.execute("CREATE TABLE meta (key VARCHAR NOT NULL, value VARCHAR)")
    con.execute("INSERT INTO meta VALUES ('schema_version', ?)", [str(SCHEMA_VERSION)])
    con.execute("CREATE TABLE t (v VARCHAR)")
    con.execute("INSERT INTO t VALUES (?)", [value])
    con.close()


def _value() -> str:
    cur = data.connection().cursor()
    try:
        return str(cur.execute("SELECT v FROM t").fetchone()[0])
    finally:
        cur.close()


def test_a_replaced_store_is_read_without_a_restart(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tmp_path / "cluster_map.duckdb"
    _store(db, "old")
    monkeypatch.setenv("CLUSTER_MAP_DB", str(db))
    data._connection.clear()
    assert _value() == "old"
    new = tmp_path / "next.duckdb"
    _store(new, "new")
    os.replace(new, db)  # what the ingest's validate+swap does
    st = db.stat()
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # a distinct mtime, whatever the clock
    assert _value() == "new"
    # the old file's connection is closed: one open connection to this path, the new file's
    assert [k for k in data._OPEN if k.split("|", 1)[0] == str(db)] == [data.store_key()]
    data._connection.clear()
