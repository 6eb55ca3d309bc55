"""The SQL of answers to posts: threads, messages, notifications and saved searches (board file).

A *thread* joins one post and one responding account (``UNIQUE (post_id, respondent_id)``): it starts
with an expression of interest and holds the messages of both sides. The post's author accepts or
declines it. Notifications are rows per recipient with ``read_at`` (NULL = unread); they are
written in the same transaction as the event that causes them, so a reply never exists without
its notification. Every statement is parameterised; every change is scoped by the acting account.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cluster_map.store.board import connect, rows, transaction

THREAD_COLUMNS = (
    "id",
    "post_id",
    "post_title",
    "post_kind",
    "owner_id",
    "owner",
    "respondent_id",
    "respondent",
    "respondent_org",
    "status",
    "created_at",
    "last_at",
    "n_messages",
)
MESSAGE_COLUMNS = ("id", "thread_id", "sender_id", "sender", "kind", "body", "created_at", "hidden_reason")
NOTIFICATION_COLUMNS = ("id", "kind", "text", "post_id", "thread_id", "meeting_id", "created_at", "read_at")
SEARCH_COLUMNS = ("id", "account_id", "name", "kind", "sector", "country", "text", "created_at")


def notify(
    con: duckdb.DuckDBPyConnection,
    *,
    account_id: int,
    kind: str,
    text: str,
    now: dt.datetime,
    post_id: int | None = None,
    thread_id: int | None = None,
    meeting_id: int | None = None,
) -> None:
    """Add one unread notification for ``account_id`` inside the caller's transaction."""
    con.execute(
        "INSERT INTO notifications (account_id, kind, text, post_id, thread_id, meeting_id, created_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)",
        [account_id, kind, text, post_id, thread_id, meeting_id, now],
    )


def start_thread(
    db: Path | str, *, post_id: int, respondent_id: int, body: str, now: dt.datetime, owner_id: int, note: str
) -> int | None:
    """Open a thread on ``post_id`` for ``respondent_id`` with an interest message; notify the owner.

    Returns the thread id, or ``None`` when this account already has a thread on the post.
    """
    with transaction(db) as con:
        try:
            tid = int(
                con.execute(
                    "INSERT INTO threads (post_id, respondent_id, status, created_at) "
                    "VALUES (?, ?, 'pending', ?) RETURNING id",
                    [post_id, respondent_id, now],
                ).fetchall()[0][0]
            )
        except duckdb.ConstraintException:
            return None
        con.execute(
            "INSERT INTO messages (thread_id, sender_id, kind, body, created_at) VALUES (?, ?, 'interest', ?, ?)",
            [tid, respondent_id, body, now],
        )
        notify(con, account_id=owner_id, kind="interest", text=note, now=now, post_id=post_id, thread_id=tid)
        return tid


def add_message(
    db: Path | str,
    *,
    thread_id: int,
    sender_id: int,
    recipient_id: int,
    body: str,
    now: dt.datetime,
    note: str,
) -> int:
    """Add a reply to a thread and notify the other side; returns the message id."""
    with transaction(db) as con:
        mid = int(
            con.execute(
                "INSERT INTO messages (thread_id, sender_id, kind, body, created_at) "
                "VALUES (?, ?, 'reply', ?, ?) RETURNING id",
                [thread_id, sender_id, body, now],
            ).fetchall()[0][0]
        )
        post_id = con.execute("SELECT post_id FROM threads WHERE id = ?", [thread_id]).fetchall()[0][0]
        notify(
            con,
            account_id=recipient_id,
            kind="reply",
            text=note,
            now=now,
            post_id=post_id,
            thread_id=thread_id,
        )
        return mid


def decide_thread(
    db: Path | str, *, thread_id: int, owner_id: int, status: str, now: dt.datetime, note: str
) -> bool:
    """Accept or decline a thread on a post of ``owner_id`` (SQL checks the ownership); notify the respondent."""
    with transaction(db) as con:
        changed = con.execute(
            "UPDATE threads SET status = ?, decided_at = ? WHERE id = ? AND post_id IN "
            "(SELECT id FROM posts WHERE author_id = ?) RETURNING respondent_id, post_id",
            [status, now, thread_id, owner_id],
        ).fetchall()
        if changed:
            notify(
                con,
                account_id=int(changed[0][0]),
                kind=status,
                text=note,
                now=now,
                post_id=int(changed[0][1]),
                thread_id=thread_id,
            )
        return bool(changed)


def messages_since(con: duckdb.DuckDBPyConnection, *, sender_id: int, since: dt.datetime) -> int:
    """Messages ``sender_id`` wrote at or after ``since`` (for the rate limit)."""
    return int(
        con.execute(
            "SELECT count(*) FROM messages WHERE sender_id = ? AND created_at >= ?", [sender_id, since]
        ).fetchall()[0][0]
    )


_THREAD_SELECT = """
    SELECT t.id, t.post_id, p.title AS post_title, p.kind AS post_kind, p.author_id AS owner_id,
           o.username AS owner, t.respondent_id, r.username AS respondent, coalesce(r.org_name, '') AS respondent_org,
           t.status, t.created_at, max(m.created_at) AS last_at, count(m.id) AS n_messages
    FROM threads t JOIN posts p ON p.id = t.post_id JOIN accounts o ON o.id = p.author_id
    JOIN accounts r ON r.id = t.respondent_id LEFT JOIN messages m ON m.thread_id = t.id"""


def threads(db: Path | str, *, account_id: int, role: str = "any") -> pd.DataFrame:
    """Threads where ``account_id`` is the post's owner (``role='owner'``), the respondent, or either.

    Newest activity first; columns :data:`THREAD_COLUMNS`.
    """
    where = {
        "owner": "p.author_id = ?",
        "respondent": "t.respondent_id = ?",
        "any": "(p.author_id = ? OR t.respondent_id = ?)",
    }[role]
    params: list[Any] = [account_id] * where.count("?")
    with connect(db) as con:
        found = rows(
            con, _THREAD_SELECT + f" WHERE {where} GROUP BY ALL ORDER BY last_at DESC, t.id DESC", params
        )
    return pd.DataFrame(found, columns=list(THREAD_COLUMNS))


def thread(db: Path | str, *, thread_id: int) -> dict[str, Any] | None:
    """One thread (columns :data:`THREAD_COLUMNS`) or ``None``."""
    with connect(db) as con:
        found = rows(con, _THREAD_SELECT + " WHERE t.id = ? GROUP BY ALL", [thread_id])
    return found[0] if found else None


def messages(db: Path | str, *, thread_id: int) -> pd.DataFrame:
    """Messages of a thread, oldest first (hidden ones too, with their reason)."""
    with connect(db) as con:
        found = rows(
            con,
            """SELECT m.id, m.thread_id, m.sender_id, a.username AS sender, m.kind, m.body, m.created_at,
                                    m.hidden_reason
                             FROM messages m JOIN accounts a ON a.id = m.sender_id WHERE m.thread_id = ?
                             ORDER BY m.created_at, m.id""",
            [thread_id],
        )
    return pd.DataFrame(found, columns=list(MESSAGE_COLUMNS))


def message(db: Path | str, *, message_id: int) -> dict[str, Any] | None:
    """One message or ``None``."""
    with connect(db) as con:
        found = rows(
            con,
            "SELECT id, thread_id, sender_id, kind, body, created_at, hidden_reason FROM messages "
            "WHERE id = ?",
            [message_id],
        )
    return found[0] if found else None


# -- notifications -------------------------------------------------------------------------------


def notifications(db: Path | str, *, account_id: int, unread_only: bool = False) -> pd.DataFrame:
    """Notifications of ``account_id``, newest first (columns :data:`NOTIFICATION_COLUMNS`)."""
    with connect(db) as con:
        found = rows(
            con,
            "SELECT id, kind, text, post_id, thread_id, meeting_id, created_at, read_at FROM notifications "
            "WHERE account_id = ? AND (NOT ? OR read_at IS NULL) ORDER BY created_at DESC, id DESC",
            [account_id, unread_only],
        )
    return pd.DataFrame(found, columns=list(NOTIFICATION_COLUMNS))


def unread_count(db: Path | str, *, account_id: int) -> int:
    """How many unread notifications ``account_id`` has."""
    with connect(db) as con:
        return int(
            con.execute(
                "SELECT count(*) FROM notifications WHERE account_id = ? AND read_at IS NULL", [account_id]
            ).fetchall()[0][0]
        )


def mark_read(db: Path | str, *, account_id: int, now: dt.datetime, ids: Sequence[int] | None = None) -> int:
    """Mark notifications of ``account_id`` read (all of them, or ``ids``); returns how many changed."""
    with transaction(db) as con:
        return len(
            con.execute(
                "UPDATE notifications SET read_at = ? WHERE account_id = ? AND read_at IS NULL "
                "AND (?::BIGINT[] IS NULL OR list_contains(?::BIGINT[], id)) RETURNING id",
                [now, account_id, None if ids is None else list(ids), None if ids is None else list(ids)],
            ).fetchall()
        )


# -- saved searches -------------------------------------------------------------------------------


def save_search(
    db: Path | str,
    *,
    account_id: int,
    name: str,
    kind: str,
    sector: str,
    country: str,
    text: str,
    now: dt.datetime,
) -> int:
    """Store a search of ``account_id`` to be told about new posts that match it; returns its id."""
    with transaction(db) as con:
        return int(
            con.execute(
                "INSERT INTO saved_searches (account_id, name, kind, sector, country, text, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, ?) RETURNING id",
                [account_id, name, kind, sector, country, text, now],
            ).fetchall()[0][0]
        )


def saved_searches(
    db: Path | str, *, account_id: int | None = None, con: duckdb.DuckDBPyConnection | None = None
) -> pd.DataFrame:
    """Saved searches of one account (or of everyone), by id; columns :data:`SEARCH_COLUMNS`."""
    sql = (
        "SELECT id, account_id, name, kind, sector, country, text, created_at FROM saved_searches "
        "WHERE (?::BIGINT IS NULL OR account_id = ?::BIGINT) ORDER BY id"
    )
    if con is not None:
        return pd.DataFrame(rows(con, sql, [account_id, account_id]), columns=list(SEARCH_COLUMNS))
    with connect(db) as own:
        return pd.DataFrame(rows(own, sql, [account_id, account_id]), columns=list(SEARCH_COLUMNS))


def searches_of_others(con: duckdb.DuckDBPyConnection, *, account_id: int) -> list[dict[str, Any]]:
    """Every saved search that does not belong to ``account_id``, by id (whom a new post may notify)."""
    return rows(con, "SELECT * FROM saved_searches WHERE account_id <> ? ORDER BY id", [account_id])


def delete_search(db: Path | str, *, account_id: int, search_id: int) -> bool:
    """Delete a saved search of ``account_id``; ``True`` if one went."""
    with transaction(db) as con:
        return bool(
            con.execute(
                "DELETE FROM saved_searches WHERE id = ? AND account_id = ? RETURNING id",
                [search_id, account_id],
            ).fetchall()
        )
