"""The user-content store: accounts, posts, conversations, moderation and meetings in their own DuckDB file.

User content never goes into the main store (``ingest`` rebuilds that file and swaps it in). The
board file is opened for each operation with a short-lived read-write connection, because DuckDB
lets one process write a file at a time: a lock held by another process (another app server, a CLI)
is retried briefly before :class:`StoreError` says what to do. The schema is created on first use,
and a file of schema version 1 (accounts and posts only) is upgraded in place, keeping its rows.

Writes that must be all-or-nothing go through :func:`transaction`: one writer per file and process
at a time (a lock per path: Streamlit runs every session in a thread of one process, and DuckDB has
one writer), ``BEGIN``/``COMMIT``, and ``ROLLBACK`` on any error. Invariants that must hold even
between processes (one account per time slot of an event, one thread per post and respondent) are
``PRIMARY KEY``/``UNIQUE`` constraints, so the database refuses a double booking whatever a caller does.

Every statement is parameterised. Statements that change a post carry ``WHERE id = ? AND
author_id = ?``, so an account can touch only its own posts even if a caller forgets to check.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cluster_map.errors import InputError, StoreError
from cluster_map.store.directory import like_pattern

BOARD_SCHEMA_VERSION = "3"
#: Columns of a post as returned by :func:`posts` and :func:`post`.
POST_COLUMNS = (
    "id",
    "kind",
    "title",
    "body",
    "sectors",
    "countries",
    "expires",
    "status",
    "created_at",
    "updated_at",
    "author_id",
    "username",
    "org_id",
    "org_name",
    "org_country",
    "contact",
    "contact_detail",
    "hidden_reason",
)
_V1 = (
    "CREATE TABLE IF NOT EXISTS board_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE SEQUENCE IF NOT EXISTS account_ids",
    "CREATE SEQUENCE IF NOT EXISTS post_ids",
    """CREATE TABLE IF NOT EXISTS accounts (
        id BIGINT PRIMARY KEY DEFAULT nextval('account_ids'),
        username VARCHAR NOT NULL UNIQUE,      -- lower case
        password_hash VARCHAR NOT NULL,        -- scrypt$n$r$p$salt_hex$key_hex
        org_id VARCHAR, org_name VARCHAR, org_country VARCHAR,  -- linked directory organisation (approved)
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS failed_sign_ins (username VARCHAR NOT NULL, failed_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS posts (
        id BIGINT PRIMARY KEY DEFAULT nextval('post_ids'),
        author_id BIGINT NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('offer', 'demand')),
        title VARCHAR NOT NULL, body VARCHAR NOT NULL,
        sectors VARCHAR[] NOT NULL,            -- lower-case keywords
        countries VARCHAR[] NOT NULL,          -- ISO/Eurostat country codes sought ([] = anywhere)
        expires DATE NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('open', 'closed')),
        created_at TIMESTAMP NOT NULL, updated_at TIMESTAMP NOT NULL)""",
)
#: Version 2: roles, contact preference, moderation, conversations, notifications, saved searches,
#: organisation links awaiting approval, profiles, audit trail, events added by admins, B2B meetings.
_V2 = (
    "ALTER TABLE accounts ADD COLUMN IF NOT EXISTS role VARCHAR DEFAULT 'org'",  # org | admin
    "ALTER TABLE posts ADD COLUMN IF NOT EXISTS contact VARCHAR DEFAULT 'messages'",  # messages | email | phone
    "ALTER TABLE posts ADD COLUMN IF NOT EXISTS contact_detail VARCHAR DEFAULT ''",
    "ALTER TABLE posts ADD COLUMN IF NOT EXISTS hidden_reason VARCHAR",  # NULL = visible
    "CREATE SEQUENCE IF NOT EXISTS thread_ids",
    "CREATE SEQUENCE IF NOT EXISTS message_ids",
    "CREATE SEQUENCE IF NOT EXISTS notification_ids",
    "CREATE SEQUENCE IF NOT EXISTS search_ids",
    "CREATE SEQUENCE IF NOT EXISTS link_ids",
    "CREATE SEQUENCE IF NOT EXISTS audit_ids",
    "CREATE SEQUENCE IF NOT EXISTS event_ids",
    "CREATE SEQUENCE IF NOT EXISTS meeting_ids",
    """CREATE TABLE IF NOT EXISTS threads (          -- one per post and responding account
        id BIGINT PRIMARY KEY DEFAULT nextval('thread_ids'),
        post_id BIGINT NOT NULL, respondent_id BIGINT NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('pending', 'accepted', 'declined')),
        created_at TIMESTAMP NOT NULL, decided_at TIMESTAMP,
        UNIQUE (post_id, respondent_id))""",
    """CREATE TABLE IF NOT EXISTS messages (
        id BIGINT PRIMARY KEY DEFAULT nextval('message_ids'),
        thread_id BIGINT NOT NULL, sender_id BIGINT NOT NULL,
        kind VARCHAR NOT NULL CHECK (kind IN ('interest', 'reply')),
        body VARCHAR NOT NULL, created_at TIMESTAMP NOT NULL,
        hidden_reason VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS notifications (
        id BIGINT PRIMARY KEY DEFAULT nextval('notification_ids'),
        account_id BIGINT NOT NULL, kind VARCHAR NOT NULL, text VARCHAR NOT NULL,
        post_id BIGINT, thread_id BIGINT, meeting_id BIGINT,
        created_at TIMESTAMP NOT NULL, read_at TIMESTAMP)""",
    """CREATE TABLE IF NOT EXISTS saved_searches (
        id BIGINT PRIMARY KEY DEFAULT nextval('search_ids'),
        account_id BIGINT NOT NULL, name VARCHAR NOT NULL,
        kind VARCHAR NOT NULL, sector VARCHAR NOT NULL, country VARCHAR NOT NULL, text VARCHAR NOT NULL,
        created_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS org_links (       -- an account asks to speak for an organisation
        id BIGINT PRIMARY KEY DEFAULT nextval('link_ids'),
        account_id BIGINT NOT NULL, org_id VARCHAR NOT NULL, org_name VARCHAR NOT NULL, org_country VARCHAR,
        status VARCHAR NOT NULL CHECK (status IN ('pending', 'approved', 'rejected', 'withdrawn')),
        requested_at TIMESTAMP NOT NULL, decided_by BIGINT, decided_at TIMESTAMP, reason VARCHAR)""",
    """CREATE TABLE IF NOT EXISTS org_profiles (    -- what a verified account adds to its directory profile
        org_id VARCHAR PRIMARY KEY, description VARCHAR NOT NULL, contact VARCHAR NOT NULL,
        website VARCHAR NOT NULL, updated_by BIGINT NOT NULL, updated_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS audit (
        id BIGINT PRIMARY KEY DEFAULT nextval('audit_ids'),
        done_at TIMESTAMP NOT NULL, actor_id BIGINT NOT NULL, action VARCHAR NOT NULL,
        target_kind VARCHAR NOT NULL, target_id VARCHAR NOT NULL, reason VARCHAR NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS added_events (    -- events added by admins (the directory's come from ingest)
        id BIGINT PRIMARY KEY DEFAULT nextval('event_ids'),
        name VARCHAR NOT NULL, event_type VARCHAR NOT NULL,
        date_start DATE, date_end DATE, date_precision VARCHAR NOT NULL,  -- day | month | year
        city VARCHAR NOT NULL, country VARCHAR NOT NULL, organiser_ids VARCHAR[] NOT NULL,
        website VARCHAR NOT NULL, slot_minutes INTEGER NOT NULL, added_by BIGINT NOT NULL,
        added_at TIMESTAMP NOT NULL)""",
    """CREATE TABLE IF NOT EXISTS participants (
        event_id VARCHAR NOT NULL, account_id BIGINT NOT NULL, joined_at TIMESTAMP NOT NULL,
        PRIMARY KEY (event_id, account_id))""",
    """CREATE TABLE IF NOT EXISTS availability (
        event_id VARCHAR NOT NULL, account_id BIGINT NOT NULL, slot_start TIMESTAMP NOT NULL,
        PRIMARY KEY (event_id, account_id, slot_start))""",
    """CREATE TABLE IF NOT EXISTS meetings (
        id BIGINT PRIMARY KEY DEFAULT nextval('meeting_ids'),
        event_id VARCHAR NOT NULL, requester_id BIGINT NOT NULL, invitee_id BIGINT NOT NULL,
        slot_start TIMESTAMP NOT NULL, slot_end TIMESTAMP NOT NULL, note VARCHAR NOT NULL,
        status VARCHAR NOT NULL CHECK (status IN ('requested', 'accepted', 'declined', 'cancelled')),
        created_at TIMESTAMP NOT NULL, decided_at TIMESTAMP)""",
    # the guard against double booking: an accepted meeting books both accounts' slot; a second
    # booking of the same account and slot violates the key, in this process or any other
    """CREATE TABLE IF NOT EXISTS bookings (
        event_id VARCHAR NOT NULL, account_id BIGINT NOT NULL, slot_start TIMESTAMP NOT NULL,
        meeting_id BIGINT NOT NULL, PRIMARY KEY (event_id, account_id, slot_start))""",
)
#: Version 3: partnerships and projects imported by admins.
_V3 = (
    "CREATE SEQUENCE IF NOT EXISTS collab_ids",
    """CREATE TABLE IF NOT EXISTS collab_entities (
        id BIGINT PRIMARY KEY DEFAULT nextval('collab_ids'),
        kind VARCHAR NOT NULL CHECK (kind IN ('partnership', 'project')),
        name VARCHAR NOT NULL, programme VARCHAR NOT NULL, theme VARCHAR NOT NULL, ecosystems VARCHAR[] NOT NULL,
        period VARCHAR NOT NULL, members VARCHAR[] NOT NULL, countries VARCHAR[] NOT NULL,
        target_markets VARCHAR[] NOT NULL,     -- countries the partnership works towards (gateways)
        website VARCHAR NOT NULL, source_url VARCHAR NOT NULL,
        imported_by BIGINT NOT NULL, imported_at TIMESTAMP NOT NULL, file_name VARCHAR NOT NULL)""",
)
LOCK_RETRY_SECONDS = 3.0


@contextmanager
def connect(
    db: Path | str, *, retry_seconds: float = LOCK_RETRY_SECONDS
) -> Iterator[duckdb.DuckDBPyConnection]:
    """A short-lived read-write connection to the board file (created with its schema if missing).

    A lock held by another process is retried with growing pauses for ``retry_seconds``.

    Raises
    ------
    StoreError
        The file stays locked, is not a DuckDB file, or has another board schema version.
    """
    path = Path(db)
    path.parent.mkdir(parents=True, exist_ok=True)
    deadline, pause = time.monotonic() + retry_seconds, 0.02
    while True:
        try:
            con = duckdb.connect(str(path))
            break
        except duckdb.IOException as exc:
            first = str(exc).splitlines()[0]
            if "lock" not in first.lower():
                raise StoreError(f"Cannot open the board file {str(path)!r}: {first}.") from exc
            if time.monotonic() >= deadline:
                raise StoreError(
                    f"The board file {str(path)!r} is locked by another process ({first}); "
                    f"try again in a moment."
                ) from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
        except duckdb.Error as exc:
            raise StoreError(
                f"{str(path)!r} is not a board file ({str(exc).splitlines()[0]}); move it away "
                f"or point CLUSTER_MAP_DB elsewhere."
            ) from exc
    try:
        _ensure_schema(con, path)
        yield con
    finally:
        con.close()


def _ensure_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        found = con.execute("SELECT value FROM board_meta WHERE key = 'schema_version'").fetchall()[0][0]
    except (duckdb.CatalogException, IndexError):  # a new file
        found = ""
    if found == BOARD_SCHEMA_VERSION:
        return
    if found not in ("", "1", "2"):
        raise StoreError(
            f"The board file {str(path)!r} has schema version {found!r}; this Cluster Map "
            f"needs {BOARD_SCHEMA_VERSION!r}. Move the file away to start a new board."
        )
    with _lock(path):  # create (or upgrade versions 1 and 2) in one transaction
        con.execute("BEGIN")
        try:
            for statement in (*_V1, *_V2, *_V3):
                con.execute(statement)
            con.execute(
                "INSERT INTO board_meta VALUES ('schema_version', ?) ON CONFLICT DO UPDATE SET value = ?",
                [BOARD_SCHEMA_VERSION, BOARD_SCHEMA_VERSION],
            )
            con.execute("COMMIT")
        except duckdb.Error:
            con.execute("ROLLBACK")
            raise


_LOCKS: dict[str, threading.RLock] = {}
_LOCKS_GUARD = threading.Lock()


def _lock(path: Path) -> threading.RLock:
    """The writer lock of one board file in this process."""
    key = str(path.resolve())
    with _LOCKS_GUARD:
        return _LOCKS.setdefault(key, threading.RLock())


@contextmanager
def transaction(db: Path | str) -> Iterator[duckdb.DuckDBPyConnection]:
    """A connection inside ``BEGIN ... COMMIT``, the only writer of ``db`` in this process meanwhile.

    Any exception rolls the transaction back and propagates; a constraint or write conflict the
    database reports (another process won the race) comes out as :class:`duckdb.ConstraintException`
    or :class:`duckdb.TransactionException` for the caller to word.
    """
    path = Path(db)
    with _lock(path), connect(path) as con:
        con.execute("BEGIN")
        try:
            yield con
        except BaseException:
            con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")


def rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    """The result of ``sql`` as a list of dicts (fully fetched)."""
    return _rows(con, sql, params)


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# -- accounts ---------------------------------------------------------------------------------------


def create_account(
    db: Path | str, *, username: str, password_hash: str, now: dt.datetime, role: str = "org"
) -> int:
    """Insert an account and return its id; :class:`InputError` when the username is taken."""
    with transaction(db) as con:
        try:
            return int(
                con.execute(
                    "INSERT INTO accounts (username, password_hash, created_at, role) "
                    "VALUES (?, ?, ?, ?) RETURNING id",
                    [username, password_hash, now, role],
                ).fetchall()[0][0]
            )
        except duckdb.ConstraintException:
            raise InputError(
                f"Field 'username': {username!r} is already taken; choose another name."
            ) from None


def account(
    db: Path | str, *, account_id: int | None = None, username: str | None = None
) -> dict[str, Any] | None:
    """One account by id or by (lower-case) username, or ``None``."""
    with connect(db) as con:
        rows = _rows(
            con,
            "SELECT id, username, password_hash, org_id, org_name, org_country, created_at, role "
            "FROM accounts WHERE id = ? OR username = ?",
            [account_id, username],
        )
    return rows[0] if rows else None


def set_organisation(
    db: Path | str,
    *,
    account_id: int,
    org_id: str | None,
    org_name: str | None,
    org_country: str | None,
    con: duckdb.DuckDBPyConnection | None = None,
) -> None:
    """Link ``account_id`` to a directory organisation (``None`` values unlink it).

    Called by the approval of a link (inside its transaction, ``con``), never by the account itself.
    """
    sql = "UPDATE accounts SET org_id = ?, org_name = ?, org_country = ? WHERE id = ?"
    if con is not None:
        con.execute(sql, [org_id, org_name, org_country, account_id])
        return
    with transaction(db) as own:
        own.execute(sql, [org_id, org_name, org_country, account_id])


def set_role(db: Path | str, *, account_id: int, role: str) -> None:
    """Make ``account_id`` an ``org`` or ``admin`` account."""
    with transaction(db) as con:
        con.execute("UPDATE accounts SET role = ? WHERE id = ?", [role, account_id])


def accounts(db: Path | str) -> pd.DataFrame:
    """Every account (id, username, role, org_id, org_name, org_country, created_at), by id."""
    with connect(db) as con:
        found = _rows(
            con,
            "SELECT id, username, role, org_id, org_name, org_country, created_at FROM accounts ORDER BY id",
        )
    return pd.DataFrame(
        found, columns=["id", "username", "role", "org_id", "org_name", "org_country", "created_at"]
    )


def record_failed_sign_in(db: Path | str, *, username: str, at: dt.datetime) -> None:
    """Remember one failed sign-in for ``username``."""
    with transaction(db) as con:
        con.execute("INSERT INTO failed_sign_ins VALUES (?, ?)", [username, at])


def failed_sign_ins(db: Path | str, *, username: str, since: dt.datetime) -> int:
    """Failed sign-ins of ``username`` at or after ``since`` (older ones are deleted)."""
    with transaction(db) as con:
        con.execute("DELETE FROM failed_sign_ins WHERE failed_at < ?", [since])
        return int(
            con.execute("SELECT count(*) FROM failed_sign_ins WHERE username = ?", [username]).fetchall()[0][
                0
            ]
        )


def clear_failed_sign_ins(db: Path | str, *, username: str) -> None:
    """Forget the failed sign-ins of ``username`` (after a successful one)."""
    with transaction(db) as con:
        con.execute("DELETE FROM failed_sign_ins WHERE username = ?", [username])


# -- posts ------------------------------------------------------------------------------------------


def insert_post(
    db: Path | str,
    *,
    author_id: int,
    kind: str,
    title: str,
    body: str,
    sectors: Sequence[str],
    countries: Sequence[str],
    expires: dt.date,
    now: dt.datetime,
    contact: str = "messages",
    contact_detail: str = "",
    con: duckdb.DuckDBPyConnection | None = None,
) -> int:
    """Insert an open post and return its id (inside ``con``'s transaction when given)."""
    sql = (
        "INSERT INTO posts (author_id, kind, title, body, sectors, countries, expires, status, created_at, "
        "updated_at, contact, contact_detail) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?, ?, ?) RETURNING id"
    )
    params = [
        author_id,
        kind,
        title,
        body,
        list(sectors),
        list(countries),
        expires,
        now,
        now,
        contact,
        contact_detail,
    ]
    if con is not None:
        return int(con.execute(sql, params).fetchall()[0][0])
    with transaction(db) as own:
        return int(own.execute(sql, params).fetchall()[0][0])


def posts_since(con: duckdb.DuckDBPyConnection, *, author_id: int, since: dt.datetime) -> int:
    """How many posts ``author_id`` made at or after ``since`` (for the posting rate limit)."""
    return int(
        con.execute(
            "SELECT count(*) FROM posts WHERE author_id = ? AND created_at >= ?", [author_id, since]
        ).fetchall()[0][0]
    )


def update_post(
    db: Path | str,
    *,
    post_id: int,
    author_id: int,
    kind: str,
    title: str,
    body: str,
    sectors: Sequence[str],
    countries: Sequence[str],
    expires: dt.date,
    status: str,
    now: dt.datetime,
    contact: str = "messages",
    contact_detail: str = "",
) -> bool:
    """Replace the fields of post ``post_id`` if ``author_id`` wrote it; ``True`` if a row changed."""
    with transaction(db) as con:
        return bool(
            con.execute(
                "UPDATE posts SET kind = ?, title = ?, body = ?, sectors = ?, countries = ?, expires = ?, status = ?, "
                "updated_at = ?, contact = ?, contact_detail = ? WHERE id = ? AND author_id = ? RETURNING id",
                [
                    kind,
                    title,
                    body,
                    list(sectors),
                    list(countries),
                    expires,
                    status,
                    now,
                    contact,
                    contact_detail,
                    post_id,
                    author_id,
                ],
            ).fetchall()
        )


def delete_post(db: Path | str, *, post_id: int, author_id: int) -> bool:
    """Delete post ``post_id`` (and its conversations) if ``author_id`` wrote it; ``True`` if a row went."""
    with transaction(db) as con:
        gone = bool(
            con.execute(
                "DELETE FROM posts WHERE id = ? AND author_id = ? RETURNING id", [post_id, author_id]
            ).fetchall()
        )
        if gone:
            con.execute(
                "DELETE FROM messages WHERE thread_id IN (SELECT id FROM threads WHERE post_id = ?)",
                [post_id],
            )
            con.execute("DELETE FROM threads WHERE post_id = ?", [post_id])
        return gone


_POST_SELECT = """
    SELECT p.id, p.kind, p.title, p.body, p.sectors, p.countries, p.expires, p.status, p.created_at,
           p.updated_at, p.author_id, a.username, a.org_id, a.org_name, a.org_country, p.contact,
           p.contact_detail, p.hidden_reason
    FROM posts p JOIN accounts a ON a.id = p.author_id"""


def post(db: Path | str, *, post_id: int) -> dict[str, Any] | None:
    """One post with its author's username and organisation, or ``None`` (hidden posts too)."""
    with connect(db) as con:
        found = _rows(con, _POST_SELECT + " WHERE p.id = ?", [post_id])
    return found[0] if found else None


def posts(
    db: Path | str,
    *,
    kind: str = "",
    sector: str = "",
    country: str = "",
    text: str = "",
    valid_on: dt.date | None = None,
    status: str = "",
    author_id: int | None = None,
    include_hidden: bool = False,
) -> pd.DataFrame:
    """Posts matching every given criterion, newest first (columns :data:`POST_COLUMNS`).

    ``sector`` is a substring of any keyword, ``country`` a country sought or the poster's
    organisation country, ``text`` a substring of title, text or keywords (``%``/``_`` literal),
    ``valid_on`` keeps posts expiring on or after that date. Posts hidden by a moderator are left
    out unless ``include_hidden``.
    """
    with connect(db) as con:
        found = _rows(
            con,
            _POST_SELECT
            + """
            WHERE (? = '' OR p.kind = ?)
              AND (? = '' OR array_to_string(p.sectors, '; ') ILIKE ? ESCAPE '\\')
              AND (? = '' OR list_contains(p.countries, ?) OR a.org_country = ?)
              AND (? = '' OR concat_ws(' ', p.title, p.body, array_to_string(p.sectors, ' ')) ILIKE ? ESCAPE '\\')
              AND (?::DATE IS NULL OR p.expires >= ?::DATE)
              AND (? = '' OR p.status = ?)
              AND (?::BIGINT IS NULL OR p.author_id = ?::BIGINT)
              AND (? OR p.hidden_reason IS NULL)
            ORDER BY p.created_at DESC, p.id DESC""",
            [
                kind,
                kind,
                sector,
                like_pattern(sector),
                country,
                country,
                country,
                text,
                like_pattern(text),
                valid_on,
                valid_on,
                status,
                status,
                author_id,
                author_id,
                include_hidden,
            ],
        )
    return pd.DataFrame(found, columns=list(POST_COLUMNS))
