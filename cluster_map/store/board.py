"""The offers-and-demands board: accounts and posts in their own DuckDB file.

User content never goes into the main store (``ingest`` rebuilds that file and swaps it in). The
board file is opened for each operation with a short-lived read-write connection, because DuckDB
lets one process write a file at a time: a lock held by another process (another app server, a CLI)
is retried briefly before :class:`StoreError` says what to do. The schema is created on first use.

Every statement is parameterised. Statements that change a post carry ``WHERE id = ? AND
author_id = ?``, so an account can touch only its own posts even if a caller forgets to check.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cluster_map.errors import InputError, StoreError
from cluster_map.store.directory import like_pattern

BOARD_SCHEMA_VERSION = "1"
#: Columns of a post as returned by :func:`posts` and :func:`post`.
POST_COLUMNS = ("id", "kind", "title", "body", "sectors", "countries", "expires", "status", "created_at",
                "updated_at", "author_id", "username", "org_id", "org_name", "org_country")
_SCHEMA = (
    "CREATE TABLE IF NOT EXISTS board_meta (key VARCHAR PRIMARY KEY, value VARCHAR)",
    "CREATE SEQUENCE IF NOT EXISTS account_ids",
    "CREATE SEQUENCE IF NOT EXISTS post_ids",
    """CREATE TABLE IF NOT EXISTS accounts (
        id BIGINT PRIMARY KEY DEFAULT nextval('account_ids'),
        username VARCHAR NOT NULL UNIQUE,      -- lower case
        password_hash VARCHAR NOT NULL,        -- scrypt$n$r$p$salt_hex$key_hex
        org_id VARCHAR, org_name VARCHAR, org_country VARCHAR,  -- linked directory organisation
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
LOCK_RETRY_SECONDS = 3.0


@contextmanager
def connect(db: Path | str, *, retry_seconds: float = LOCK_RETRY_SECONDS) -> Iterator[duckdb.DuckDBPyConnection]:
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
                raise StoreError(f"The board file {str(path)!r} is locked by another process ({first}); "
                                 f"try again in a moment.") from exc
            time.sleep(pause)
            pause = min(pause * 2, 0.5)
        except duckdb.Error as exc:
            raise StoreError(f"{str(path)!r} is not a board file ({str(exc).splitlines()[0]}); move it away "
                             f"or point CLUSTER_MAP_DB elsewhere.") from exc
    try:
        _ensure_schema(con, path)
        yield con
    finally:
        con.close()


def _ensure_schema(con: duckdb.DuckDBPyConnection, path: Path) -> None:
    try:
        found = con.execute("SELECT value FROM board_meta WHERE key = 'schema_version'").fetchall()[0][0]
    except (duckdb.CatalogException, IndexError):  # a new file: create the schema in one transaction
        con.execute("BEGIN")
        for statement in _SCHEMA:
            con.execute(statement)
        con.execute("INSERT INTO board_meta VALUES ('schema_version', ?) ON CONFLICT DO NOTHING",
                    [BOARD_SCHEMA_VERSION])
        con.execute("COMMIT")
        found = BOARD_SCHEMA_VERSION
    if found != BOARD_SCHEMA_VERSION:
        raise StoreError(f"The board file {str(path)!r} has schema version {found!r}; this Cluster Map "
                         f"needs {BOARD_SCHEMA_VERSION!r}. Move the file away to start a new board.")


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: Sequence[Any] = ()) -> list[dict[str, Any]]:
    cur = con.execute(sql, list(params))
    names = [d[0] for d in cur.description]
    return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


# -- accounts ---------------------------------------------------------------------------------------

def create_account(db: Path | str, *, username: str, password_hash: str, now: dt.datetime) -> int:
    """Insert an account and return its id; :class:`InputError` when the username is taken."""
    with connect(db) as con:
        try:
            return int(con.execute("INSERT INTO accounts (username, password_hash, created_at) VALUES (?, ?, ?) "
                                   "RETURNING id", [username, password_hash, now]).fetchall()[0][0])
        except duckdb.ConstraintException:
            raise InputError(f"Field 'username': {username!r} is already taken; choose another name.") from None


def account(db: Path | str, *, account_id: int | None = None, username: str | None = None) -> dict[str, Any] | None:
    """One account by id or by (lower-case) username, or ``None``."""
    with connect(db) as con:
        rows = _rows(con, "SELECT id, username, password_hash, org_id, org_name, org_country, created_at "
                     "FROM accounts WHERE id = ? OR username = ?", [account_id, username])
    return rows[0] if rows else None


def set_organisation(db: Path | str, *, account_id: int, org_id: str | None, org_name: str | None,
                     org_country: str | None) -> None:
    """Link ``account_id`` to a directory organisation (``None`` values unlink it)."""
    with connect(db) as con:
        con.execute("UPDATE accounts SET org_id = ?, org_name = ?, org_country = ? WHERE id = ?",
                    [org_id, org_name, org_country, account_id])


def record_failed_sign_in(db: Path | str, *, username: str, at: dt.datetime) -> None:
    """Remember one failed sign-in for ``username``."""
    with connect(db) as con:
        con.execute("INSERT INTO failed_sign_ins VALUES (?, ?)", [username, at])


def failed_sign_ins(db: Path | str, *, username: str, since: dt.datetime) -> int:
    """Failed sign-ins of ``username`` at or after ``since`` (older ones are deleted)."""
    with connect(db) as con:
        con.execute("DELETE FROM failed_sign_ins WHERE failed_at < ?", [since])
        return int(con.execute("SELECT count(*) FROM failed_sign_ins WHERE username = ?", [username]).fetchall()[0][0])


def clear_failed_sign_ins(db: Path | str, *, username: str) -> None:
    """Forget the failed sign-ins of ``username`` (after a successful one)."""
    with connect(db) as con:
        con.execute("DELETE FROM failed_sign_ins WHERE username = ?", [username])


# -- posts ------------------------------------------------------------------------------------------

def insert_post(db: Path | str, *, author_id: int, kind: str, title: str, body: str, sectors: Sequence[str],
                countries: Sequence[str], expires: dt.date, now: dt.datetime) -> int:
    """Insert an open post and return its id."""
    with connect(db) as con:
        return int(con.execute(
            "INSERT INTO posts (author_id, kind, title, body, sectors, countries, expires, status, created_at, "
            "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'open', ?, ?) RETURNING id",
            [author_id, kind, title, body, list(sectors), list(countries), expires, now, now]).fetchall()[0][0])


def update_post(db: Path | str, *, post_id: int, author_id: int, kind: str, title: str, body: str,
                sectors: Sequence[str], countries: Sequence[str], expires: dt.date, status: str,
                now: dt.datetime) -> bool:
    """Replace the fields of post ``post_id`` if ``author_id`` wrote it; ``True`` if a row changed."""
    with connect(db) as con:
        return bool(con.execute(
            "UPDATE posts SET kind = ?, title = ?, body = ?, sectors = ?, countries = ?, expires = ?, status = ?, "
            "updated_at = ? WHERE id = ? AND author_id = ? RETURNING id",
            [kind, title, body, list(sectors), list(countries), expires, status, now, post_id, author_id]).fetchall())


def delete_post(db: Path | str, *, post_id: int, author_id: int) -> bool:
    """Delete post ``post_id`` if ``author_id`` wrote it; ``True`` if a row went."""
    with connect(db) as con:
        return bool(con.execute("DELETE FROM posts WHERE id = ? AND author_id = ? RETURNING id",
                                [post_id, author_id]).fetchall())


_POST_SELECT = """
    SELECT p.id, p.kind, p.title, p.body, p.sectors, p.countries, p.expires, p.status, p.created_at,
           p.updated_at, p.author_id, a.username, a.org_id, a.org_name, a.org_country
    FROM posts p JOIN accounts a ON a.id = p.author_id"""


def post(db: Path | str, *, post_id: int) -> dict[str, Any] | None:
    """One post with its author's username and organisation, or ``None``."""
    with connect(db) as con:
        rows = _rows(con, _POST_SELECT + " WHERE p.id = ?", [post_id])
    return rows[0] if rows else None


def posts(db: Path | str, *, kind: str = "", sector: str = "", country: str = "", text: str = "",
          valid_on: dt.date | None = None, status: str = "", author_id: int | None = None) -> pd.DataFrame:
    """Posts matching every given criterion, newest first (columns :data:`POST_COLUMNS`).

    ``sector`` is a substring of any keyword, ``country`` a country sought or the poster's
    organisation country, ``text`` a substring of title, text or keywords (``%``/``_`` literal),
    ``valid_on`` keeps posts expiring on or after that date.
    """
    with connect(db) as con:
        rows = _rows(con, _POST_SELECT + """
            WHERE (? = '' OR p.kind = ?)
              AND (? = '' OR array_to_string(p.sectors, '; ') ILIKE ? ESCAPE '\\')
              AND (? = '' OR list_contains(p.countries, ?) OR a.org_country = ?)
              AND (? = '' OR concat_ws(' ', p.title, p.body, array_to_string(p.sectors, ' ')) ILIKE ? ESCAPE '\\')
              AND (?::DATE IS NULL OR p.expires >= ?::DATE)
              AND (? = '' OR p.status = ?)
              AND (?::BIGINT IS NULL OR p.author_id = ?::BIGINT)
            ORDER BY p.created_at DESC, p.id DESC""",
                     [kind, kind, sector, like_pattern(sector), country, country, country, text, like_pattern(text),
                      valid_on, valid_on, status, status, author_id, author_id])
    return pd.DataFrame(rows, columns=list(POST_COLUMNS))
