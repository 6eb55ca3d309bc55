"""Store tests of the board file: schema on first use, author guard in SQL, filters, locks."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from cluster_map.errors import InputError, StoreError
from cluster_map.store import board

NOW = dt.datetime(2026, 1, 10, 12, 0)
DAY = dt.date(2026, 1, 10)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    path = tmp_path / "sub" / "board.duckdb"
    a = board.create_account(path, username="alice", password_hash="h", now=NOW)
    b = board.create_account(path, username="bob", password_hash="h", now=NOW)
    board.set_organisation(path, account_id=b, org_id="EUCO2", org_name="Bavarian cluster", org_country="DE")
    post = dict(body="text", now=NOW, expires=DAY)
    board.insert_post(
        path,
        author_id=a,
        kind="offer",
        title="Battery test bench 100%",
        sectors=["automotive", "batteries"],
        countries=["DE"],
        **post,
    )
    board.insert_post(
        path, author_id=b, kind="demand", title="Food packaging", sectors=["food"], countries=[], **post
    )
    board.insert_post(
        path,
        author_id=a,
        kind="demand",
        title="Old demand",
        sectors=["food"],
        countries=["AT"],
        body="text",
        now=NOW,
        expires=DAY - dt.timedelta(days=1),
    )
    return path


def test_schema_is_created_on_first_use_and_accounts_round_trip(db: Path) -> None:
    assert db.is_file()
    row = board.account(db, username="bob")
    assert (row["id"], row["org_id"], row["org_name"], row["org_country"]) == (
        2,
        "EUCO2",
        "Bavarian cluster",
        "DE",
    )
    assert board.account(db, account_id=1)["username"] == "alice"
    assert board.account(db, username="nobody") is None


def test_duplicate_username_is_an_input_error(db: Path) -> None:
    with pytest.raises(InputError, match="'alice' is already taken"):
        board.create_account(db, username="alice", password_hash="x", now=NOW)


@pytest.mark.parametrize(
    ("criteria", "titles"),
    [
        ({}, ["Old demand", "Food packaging", "Battery test bench 100%"]),
        ({"kind": "offer"}, ["Battery test bench 100%"]),
        ({"sector": "batt"}, ["Battery test bench 100%"]),
        (
            {"country": "DE"},
            ["Food packaging", "Battery test bench 100%"],
        ),  # bob's org is in DE; alice seeks DE
        ({"country": "AT"}, ["Old demand"]),
        ({"text": "100%"}, ["Battery test bench 100%"]),
        ({"text": "1_0"}, []),  # '_' is literal, not a wildcard
        ({"valid_on": DAY}, ["Food packaging", "Battery test bench 100%"]),
        ({"author_id": 2}, ["Food packaging"]),
        ({"status": "closed"}, []),
    ],
)
def test_post_filters(db: Path, criteria: dict, titles: list[str]) -> None:
    assert board.posts(db, **criteria)["title"].tolist() == titles


def test_sql_guard_refuses_another_authors_changes(db: Path) -> None:
    fields = dict(
        kind="offer",
        title="hijacked",
        body="x",
        sectors=["x"],
        countries=[],
        expires=DAY,
        status="closed",
        now=NOW,
    )
    assert board.update_post(db, post_id=1, author_id=2, **fields) is False
    assert board.delete_post(db, post_id=1, author_id=2) is False
    assert board.post(db, post_id=1)["title"] == "Battery test bench 100%"
    assert board.update_post(db, post_id=1, author_id=1, **fields) is True
    assert board.post(db, post_id=1)["status"] == "closed"
    assert board.delete_post(db, post_id=1, author_id=1) is True
    assert board.post(db, post_id=1) is None


@pytest.mark.parametrize("evil", ["x'); DROP TABLE posts; --", "' OR 1=1 --", "<script>alert(1)</script>"])
def test_injection_strings_are_stored_as_text(db: Path, evil: str) -> None:
    pid = board.insert_post(
        db,
        author_id=1,
        kind="offer",
        title=evil,
        body=evil,
        sectors=[evil],
        countries=[],
        expires=DAY,
        now=NOW,
    )
    assert board.post(db, post_id=pid)["title"] == evil
    assert board.posts(db, text=evil)["id"].tolist() == [pid]
    assert board.account(db, username=evil) is None
    assert len(board.posts(db)) == 4


def test_failed_sign_ins_are_counted_in_a_window(db: Path) -> None:
    for minutes in (0, 1, 20):
        board.record_failed_sign_in(db, username="alice", at=NOW - dt.timedelta(minutes=minutes))
    assert board.failed_sign_ins(db, username="alice", since=NOW - dt.timedelta(minutes=10)) == 2
    assert board.failed_sign_ins(db, username="bob", since=NOW - dt.timedelta(minutes=10)) == 0
    board.clear_failed_sign_ins(db, username="alice")
    assert board.failed_sign_ins(db, username="alice", since=NOW - dt.timedelta(minutes=10)) == 0


def test_a_file_that_is_not_duckdb_is_a_store_error(tmp_path: Path) -> None:
    bad = tmp_path / "board.duckdb"
    bad.write_text("not a database")
    with pytest.raises(StoreError, match="board"), board.connect(bad):
        pass


def test_lock_held_by_another_process_is_retried(db: Path) -> None:
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(f"""
        import duckdb, sys, time
        con = duckdb.connect({str(db)!r})
        print("locked", flush=True)
        time.sleep(1.0)
        con.close()
        """),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "locked"
        with pytest.raises(StoreError, match="locked by another process"), board.connect(db, retry_seconds=0):
            pass
        with board.connect(db, retry_seconds=30) as con:  # waits until the holder lets go
            assert con.execute("SELECT count(*) FROM posts").fetchall() == [(3,)]
    finally:
        holder.wait(timeout=30)


def test_another_schema_version_is_refused(db: Path) -> None:
    with board.connect(db) as con:
        con.execute("UPDATE board_meta SET value = '0' WHERE key = 'schema_version'")
    with pytest.raises(StoreError, match="schema version '0'"), board.connect(db):
        pass
