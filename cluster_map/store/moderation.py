"""The SQL of trust on the board: organisation links awaiting approval, profiles, moderation, audit.

An account *asks* to speak for a directory organisation (``org_links``, status ``pending``); only an
admin's approval copies the organisation onto the account (``accounts.org_id``), in the same
transaction as the audit row. Moderators hide and restore posts and messages with a reason; every
such act, and every decision on a link, is one row of ``audit`` (who, when, what, why), written
in the transaction of the act itself.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cluster_map.store.board import connect, rows, set_organisation, transaction
from cluster_map.store.conversations import notify

LINK_COLUMNS = (
    "id",
    "account_id",
    "username",
    "org_id",
    "org_name",
    "org_country",
    "status",
    "requested_at",
    "decided_by",
    "decided_at",
    "reason",
)
AUDIT_COLUMNS = ("id", "done_at", "actor", "action", "target_kind", "target_id", "reason")


def audit(
    con: duckdb.DuckDBPyConnection,
    *,
    actor_id: int,
    action: str,
    target_kind: str,
    target_id: object,
    reason: str,
    now: dt.datetime,
) -> None:
    """One audit row inside the caller's transaction."""
    con.execute(
        "INSERT INTO audit (done_at, actor_id, action, target_kind, target_id, reason) VALUES (?, ?, ?, ?, ?, ?)",
        [now, actor_id, action, target_kind, str(target_id), reason],
    )


def request_link(
    db: Path | str, *, account_id: int, org_id: str, org_name: str, org_country: str | None, now: dt.datetime
) -> int:
    """Ask for ``account_id`` to speak for ``org_id`` (an earlier pending request is withdrawn); returns its id."""
    with transaction(db) as con:
        con.execute(
            "UPDATE org_links SET status = 'withdrawn', decided_at = ? WHERE account_id = ? AND status = 'pending'",
            [now, account_id],
        )
        return int(
            con.execute(
                "INSERT INTO org_links (account_id, org_id, org_name, org_country, status, requested_at) "
                "VALUES (?, ?, ?, ?, 'pending', ?) RETURNING id",
                [account_id, org_id, org_name, org_country, now],
            ).fetchall()[0][0]
        )


def unlink(db: Path | str, *, account_id: int, now: dt.datetime) -> None:
    """The account stops speaking for its organisation (and withdraws a pending request)."""
    with transaction(db) as con:
        con.execute(
            "UPDATE org_links SET status = 'withdrawn', decided_at = ? WHERE account_id = ? "
            "AND status IN ('pending', 'approved')",
            [now, account_id],
        )
        set_organisation(db, account_id=account_id, org_id=None, org_name=None, org_country=None, con=con)


def links(db: Path | str, *, status: str = "", account_id: int | None = None) -> pd.DataFrame:
    """Link requests (all, or of one status / account), oldest first; columns :data:`LINK_COLUMNS`."""
    with connect(db) as con:
        found = rows(
            con,
            """SELECT l.id, l.account_id, a.username, l.org_id, l.org_name, l.org_country, l.status,
                                    l.requested_at, l.decided_by, l.decided_at, l.reason
                             FROM org_links l JOIN accounts a ON a.id = l.account_id
                             WHERE (? = '' OR l.status = ?) AND (?::BIGINT IS NULL OR l.account_id = ?::BIGINT)
                             ORDER BY l.requested_at, l.id""",
            [status, status, account_id, account_id],
        )
    return pd.DataFrame(found, columns=list(LINK_COLUMNS))


def decide_link(
    db: Path | str, *, link_id: int, admin_id: int, approve: bool, reason: str, now: dt.datetime, note: str
) -> dict[str, Any] | None:
    """Approve or reject a pending request; an approval links the account. ``None`` if none was pending."""
    status = "approved" if approve else "rejected"
    with transaction(db) as con:
        found = rows(
            con,
            "UPDATE org_links SET status = ?, decided_by = ?, decided_at = ?, reason = ? "
            "WHERE id = ? AND status = 'pending' RETURNING account_id, org_id, org_name, org_country",
            [status, admin_id, now, reason, link_id],
        )
        if not found:
            return None
        row = found[0]
        if approve:  # an account speaks for one organisation at a time: an older approval ends
            con.execute(
                "UPDATE org_links SET status = 'withdrawn' WHERE account_id = ? AND status = 'approved' "
                "AND id <> ?",
                [row["account_id"], link_id],
            )
            set_organisation(
                db,
                account_id=row["account_id"],
                org_id=row["org_id"],
                org_name=row["org_name"],
                org_country=row["org_country"],
                con=con,
            )
        audit(
            con,
            actor_id=admin_id,
            action=f"link {status}",
            target_kind="org_link",
            target_id=link_id,
            reason=reason,
            now=now,
        )
        notify(con, account_id=row["account_id"], kind=f"link {status}", text=note, now=now)
        return row


def set_hidden(
    db: Path | str, *, target_kind: str, target_id: int, admin_id: int, reason: str | None, now: dt.datetime
) -> bool:
    """Hide (``reason`` given) or restore (``reason`` None) a post or a message; audited. ``True`` if found."""
    table = {"post": "posts", "message": "messages"}[target_kind]  # allow-list: never a user's identifier
    with transaction(db) as con:
        changed = con.execute(
            f"UPDATE {table} SET hidden_reason = ? WHERE id = ? RETURNING id",  # noqa: S608 (allow-listed)
            [reason, target_id],
        ).fetchall()
        if changed:
            audit(
                con,
                actor_id=admin_id,
                action="hide" if reason is not None else "restore",
                target_kind=target_kind,
                target_id=target_id,
                reason=reason or "restored",
                now=now,
            )
        return bool(changed)


def audit_trail(db: Path | str, *, limit: int = 500) -> pd.DataFrame:
    """The newest audit rows first; columns :data:`AUDIT_COLUMNS`."""
    with connect(db) as con:
        found = rows(
            con,
            """SELECT u.id, u.done_at, a.username AS actor, u.action, u.target_kind, u.target_id, u.reason
                             FROM audit u JOIN accounts a ON a.id = u.actor_id ORDER BY u.done_at DESC, u.id DESC
                             LIMIT ?""",
            [limit],
        )
    return pd.DataFrame(found, columns=list(AUDIT_COLUMNS))


# -- profiles --------------------------------------------------------------------------------------


def save_profile(
    db: Path | str,
    *,
    org_id: str,
    account_id: int,
    description: str,
    contact: str,
    website: str,
    now: dt.datetime,
) -> bool:
    """Write the profile of ``org_id`` if ``account_id`` is linked to it (checked in SQL); ``True`` if written."""
    with transaction(db) as con:
        linked = con.execute(
            "SELECT count(*) FROM accounts WHERE id = ? AND org_id = ?", [account_id, org_id]
        ).fetchall()[0][0]
        if not linked:
            return False
        con.execute(
            "INSERT INTO org_profiles VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (org_id) DO UPDATE SET "
            "description = excluded.description, contact = excluded.contact, website = excluded.website, "
            "updated_by = excluded.updated_by, updated_at = excluded.updated_at",
            [org_id, description, contact, website, account_id, now],
        )
        return True


def profile(db: Path | str, *, org_id: str) -> dict[str, Any] | None:
    """What the organisation's verified account wrote about it, with who and when, or ``None``."""
    with connect(db) as con:
        found = rows(
            con,
            """SELECT p.org_id, p.description, p.contact, p.website, a.username AS updated_by, p.updated_at
                             FROM org_profiles p JOIN accounts a ON a.id = p.updated_by WHERE p.org_id = ?""",
            [org_id],
        )
    return found[0] if found else None
