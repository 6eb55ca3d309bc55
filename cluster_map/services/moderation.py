"""Admins: who may speak for which organisation, moderation of posts and messages, the audit trail.

* An organisation account asks to speak for a directory organisation
  (:func:`cluster_map.services.board.link_organisation`); an admin approves or rejects the request
  here, with a reason. Only an approved link puts the organisation's name on the account's posts
  and lets the account edit the organisation's profile text (:func:`edit_profile`).
* Admins hide a post or a message with a reason and restore it. A hidden post disappears for
  visitors and other accounts (its author sees it with the reason); a hidden message reads
  "hidden by a moderator".
* Every decision and every hide/restore is one audit row (who, when, what, why), written in the
  same transaction as the act.

Admin accounts are made from the command line (``cluster-map users add NAME --role admin``): the
app's registration makes organisation accounts only.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import pandas as pd

from cluster_map.errors import InputError
from cluster_map.services.board import Account, _now, _text, current, register, require_account, require_admin
from cluster_map.store import board, moderation


def add_user(db: Path | str, *, username: str, password: str, role: Literal["org", "admin"]) -> Account:
    """Create an account with ``role`` (the bootstrap of the first admin); returns it."""
    return register(db, username=username, password=password, role=role)


def set_role(db: Path | str, *, admin_id: int | None, username: str, role: Literal["org", "admin"]) -> None:
    """An admin makes another account an admin or an organisation account (audited)."""
    admin = require_admin(db, admin_id)
    row = board.account(db, username=str(username).strip().lower())
    if row is None:
        raise InputError(f"Account {username!r} does not exist; check the username.")
    if role not in ("org", "admin"):
        raise InputError(f"Option 'role': {role!r} is not 'org' or 'admin'.")
    board.set_role(db, account_id=int(row["id"]), role=role)
    with board.transaction(db) as con:
        moderation.audit(
            con,
            actor_id=admin.id,
            action=f"role {role}",
            target_kind="account",
            target_id=row["id"],
            reason=f"{row['username']} made {role}",
            now=_now(),
        )


def users(db: Path | str) -> pd.DataFrame:
    """Every account: id, username, role, linked organisation, created_at (no password hashes)."""
    return board.accounts(db)


def pending_links(db: Path | str, *, admin_id: int | None) -> pd.DataFrame:
    """Requests to speak for an organisation that await a decision, oldest first (admins only)."""
    require_admin(db, admin_id)
    return moderation.links(db, status="pending")


def decide_link(db: Path | str, *, admin_id: int | None, link_id: int, approve: bool, reason: str) -> None:
    """Approve or reject a request to speak for an organisation, with a reason (audited, notified)."""
    admin = require_admin(db, admin_id)
    why = _text("reason", reason)
    word = "approved" if approve else "rejected"
    done = moderation.decide_link(
        db,
        link_id=int(link_id),
        admin_id=admin.id,
        approve=approve,
        reason=why,
        now=_now(),
        note=f"Your request to speak for an organisation was {word}: {why}",
    )
    if done is None:
        raise InputError(f"Request {link_id!r} is not pending; reload the list of requests.")


def hide(
    db: Path | str, *, admin_id: int | None, target: Literal["post", "message"], target_id: int, reason: str
) -> None:
    """Hide a post or a message with a reason (admins only; audited)."""
    admin = require_admin(db, admin_id)
    _target(target)
    if not moderation.set_hidden(
        db,
        target_kind=target,
        target_id=int(target_id),
        admin_id=admin.id,
        reason=_text("reason", reason),
        now=_now(),
    ):
        raise InputError(f"{target.capitalize()} {target_id!r} does not exist.")


def restore(
    db: Path | str, *, admin_id: int | None, target: Literal["post", "message"], target_id: int
) -> None:
    """Show a hidden post or message again (admins only; audited)."""
    admin = require_admin(db, admin_id)
    _target(target)
    if not moderation.set_hidden(
        db, target_kind=target, target_id=int(target_id), admin_id=admin.id, reason=None, now=_now()
    ):
        raise InputError(f"{target.capitalize()} {target_id!r} does not exist.")


def _target(target: str) -> None:
    if target not in ("post", "message"):
        raise InputError(f"Field 'target': {target!r} is not 'post' or 'message'.")


def hidden_posts(db: Path | str, *, admin_id: int | None) -> pd.DataFrame:
    """Every hidden post with its reason (admins only)."""
    require_admin(db, admin_id)
    found = board.posts(db, include_hidden=True)
    return found[found["hidden_reason"].notna()].reset_index(drop=True)


def audit_trail(db: Path | str, *, admin_id: int | None) -> pd.DataFrame:
    """The audit trail, newest first (admins only)."""
    require_admin(db, admin_id)
    return moderation.audit_trail(db)


def edit_profile(
    db: Path | str,
    *,
    account_id: int | None,
    org_id: str,
    description: str,
    contact: str = "",
    website: str = "",
) -> None:
    """Write the profile text of ``org_id``: only an account whose link to it an admin approved."""
    me = require_account(db, account_id)
    if me.org_id != str(org_id):
        raise InputError(
            f"Account {me.username!r} does not speak for organisation {org_id!r}; ask an admin to "
            f"approve your link to it first."
        )
    fields = {
        "description": _text("text", description, multiline=True),
        "contact": _text("contact_detail", contact) if contact.strip() else "",
        "website": _text("contact_detail", website) if website.strip() else "",
    }
    if not moderation.save_profile(db, org_id=str(org_id), account_id=me.id, now=_now(), **fields):
        raise InputError(f"Account {me.username!r} does not speak for organisation {org_id!r}.")


def profile_of(db: Path | str, org_id: str) -> dict[str, Any] | None:
    """What the organisation's verified account wrote on its profile (description, contact, website,
    updated_by, updated_at), or ``None``: for the directory's profile page."""
    return moderation.profile(db, org_id=str(org_id))


__all__ = [
    "add_user",
    "audit_trail",
    "current",
    "decide_link",
    "edit_profile",
    "hidden_posts",
    "hide",
    "pending_links",
    "profile_of",
    "restore",
    "set_role",
    "users",
]
