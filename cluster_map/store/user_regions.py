"""A user's saved custom regions, in the user's own file (the board file, never the statistics store).

One row per account and name; every statement is parameterised and carries ``owner_id = ?``, so an
account reads and changes only its own custom regions. The table is created on first use, through the
board file's short-lived connections (writes in :func:`cluster_map.store.board.transaction`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb

from cluster_map.store import board

_SCHEMA = """CREATE TABLE IF NOT EXISTS custom_regions (
    owner_id BIGINT NOT NULL,
    name VARCHAR NOT NULL,
    members VARCHAR[] NOT NULL,
    saved_at TIMESTAMP NOT NULL,
    PRIMARY KEY (owner_id, name))"""


def _ensure(con: duckdb.DuckDBPyConnection) -> None:
    con.execute(_SCHEMA)


def save(
    db: Path | str, *, owner_id: int, name: str, members: Sequence[str], now: dt.datetime | None = None
) -> None:
    """Insert or replace the account's custom region ``name``."""
    when = (now or dt.datetime.now(dt.UTC)).replace(tzinfo=None)
    with board.transaction(db) as con:  # replace in one transaction, the only writer of the file meanwhile
        _ensure(con)
        con.execute("DELETE FROM custom_regions WHERE owner_id = ? AND name = ?", [owner_id, name])
        con.execute("INSERT INTO custom_regions VALUES (?, ?, ?, ?)", [owner_id, name, list(members), when])


def list_for(db: Path | str, *, owner_id: int) -> list[dict[str, Any]]:
    """The account's custom regions (name, members, saved_at), by name."""
    with board.connect(db) as con:
        _ensure(con)
        rows = con.execute(
            "SELECT name, members, saved_at FROM custom_regions WHERE owner_id = ? ORDER BY name", [owner_id]
        ).fetchall()
    return [{"name": n, "members": list(m), "saved_at": t} for n, m, t in rows]


def delete(db: Path | str, *, owner_id: int, name: str) -> bool:
    """Delete the account's custom region ``name``; whether there was one."""
    with board.transaction(db) as con:
        _ensure(con)
        found = con.execute(
            "SELECT count(*) FROM custom_regions WHERE owner_id = ? AND name = ?", [owner_id, name]
        ).fetchall()[0][0]
        con.execute("DELETE FROM custom_regions WHERE owner_id = ? AND name = ?", [owner_id, name])
    return bool(found)
