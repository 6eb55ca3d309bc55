"""Data safety of the board file: many sessions writing at once, the upgrade of a version-1 file, and
user content surviving a rebuild of the statistics store."""

from __future__ import annotations

import datetime as dt
import threading
from pathlib import Path

import duckdb
import pytest

from cluster_map.store import board

NOW = dt.datetime(2026, 1, 10, 12, 0)
DAY = dt.date(2026, 2, 10)


def test_many_sessions_write_at_once_without_losing_a_row(tmp_path: Path) -> None:
    db = tmp_path / "board.duckdb"
    ids = [board.create_account(db, username=f"user{i}", password_hash="h", now=NOW) for i in range(8)]
    errors: list[BaseException] = []
    made: list[int] = []
    start = threading.Barrier(len(ids))

    def session(author: int) -> None:
        try:
            start.wait()
            for n in range(10):
                made.append(
                    board.insert_post(
                        db,
                        author_id=author,
                        kind="offer",
                        title=f"t{n}",
                        body="b",
                        sectors=["x"],
                        countries=[],
                        expires=DAY,
                        now=NOW,
                    )
                )
        except BaseException as exc:  # noqa: BLE001 - collected and asserted below
            errors.append(exc)

    threads = [threading.Thread(target=session, args=(a,)) for a in ids]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    assert len(made) == len(set(made)) == 80
    assert len(board.posts(db)) == 80


def test_a_failed_transaction_leaves_nothing_behind(tmp_path: Path) -> None:
    db = tmp_path / "board.duckdb"
    author = board.create_account(db, username="alice", password_hash="h", now=NOW)
    with pytest.raises(RuntimeError), board.transaction(db) as con:
        board.insert_post(
            db,
            author_id=author,
            kind="offer",
            title="t",
            body="b",
            sectors=["x"],
            countries=[],
            expires=DAY,
            now=NOW,
            con=con,
        )
        raise RuntimeError("the caller failed after the insert")
    assert board.posts(db).empty


def test_a_version_1_board_is_upgraded_in_place_keeping_its_rows(tmp_path: Path) -> None:
    db = tmp_path / "board.duckdb"
    con = duckdb.connect(str(db))
    for statement in board._V1:
        con.execute(statement)
    con.execute("INSERT INTO board_meta VALUES ('schema_version', '1')")
    con.execute("INSERT INTO accounts (username, password_hash, created_at) VALUES ('old', 'h', ?)", [NOW])
    con.execute(
        "INSERT INTO posts (author_id, kind, title, body, sectors, countries, expires, status, created_at, "
        "updated_at) VALUES (1, 'offer', 'Old post', 'b', ['x'], [], ?, 'open', ?, ?)",
        [DAY, NOW, NOW],
    )
    con.close()
    found = board.posts(db)
    assert found[["title", "username", "contact", "hidden_reason"]].values.tolist() == [
        ["Old post", "old", "messages", None]
    ]
    assert board.account(db, username="old")["role"] == "org"
    with board.connect(db) as con:
        assert con.execute("SELECT value FROM board_meta WHERE key = 'schema_version'").fetchall() == [("3",)]
        assert con.execute("SELECT count(*) FROM bookings").fetchall() == [(0,)]
