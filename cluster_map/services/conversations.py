"""Answers to offers and demands: interest, replies, the owner's inbox, decisions, notifications.

Another account *expresses interest* in an open post (a short note: this opens one thread per post
and account), the post's author sees it in the inbox and *accepts* or *declines* it, and both write
*replies* in the thread. Each step notifies the other side in the same transaction (unread counts
per account). Accepting shows the respondent the poster's contact detail when the post has one.
Saved searches tell their owner about new posts that match (see :func:`cluster_map.services.board.create_post`).

Rules: visitors cannot answer; an author cannot answer their own post; only the two parties read
or write a thread (admins read it to moderate); a declined thread takes no more messages; at most
:data:`MAX_MESSAGES_PER_HOUR` messages per account an hour. Hidden messages read "hidden by a
moderator" to everyone but admins.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from cluster_map.errors import InputError
from cluster_map.services.board import _now, _text, current, parse_countries, require_account
from cluster_map.store import board, conversations

MAX_MESSAGES_PER_HOUR = 30
HIDDEN_TEXT = "(hidden by a moderator)"


def _open_post(db: Path | str, post_id: int) -> dict[str, Any]:
    row = board.post(db, post_id=int(post_id))
    if row is None or row["hidden_reason"] is not None:
        raise InputError(f"Post {post_id!r} does not exist; pick a post from the list.")
    return row


def _rate(db: Path | str, account_id: int, now: dt.datetime) -> None:
    with board.connect(db) as con:
        n = conversations.messages_since(con, sender_id=account_id, since=now - dt.timedelta(hours=1))
    if n >= MAX_MESSAGES_PER_HOUR:
        raise InputError(
            f"You sent {MAX_MESSAGES_PER_HOUR} messages in the last hour; wait a while and write again."
        )


def express_interest(
    db: Path | str, *, account_id: int | None, post_id: int, text: str = "", now: dt.datetime | None = None
) -> int:
    """Tell the author of ``post_id`` that ``account_id`` is interested; returns the thread id.

    Refused for visitors, for one's own post, for a closed or hidden post, and when this account
    already answered the post (the existing thread is named).
    """
    me = require_account(db, account_id)
    row = _open_post(db, post_id)
    if row["author_id"] == me.id:
        raise InputError(f"Post {post_id!r} is your own; answer the posts of other organisations.")
    if row["status"] != "open":
        raise InputError(f"Post {post_id!r} is closed; its author no longer takes answers.")
    body = (
        _text("message", text, limit="message", multiline=True)
        if str(text).strip()
        else f"{me.org_name or me.username} is interested in your {row['kind']}."
    )
    now = now or _now()
    _rate(db, me.id, now)
    who = f"{me.username}" + (f" ({me.org_name})" if me.org_name else "")
    tid = conversations.start_thread(
        db,
        post_id=row["id"],
        respondent_id=me.id,
        body=body,
        now=now,
        owner_id=row["author_id"],
        note=f"{who} is interested in your {row['kind']} #{row['id']} {row['title']}",
    )
    if tid is None:
        existing = conversations.threads(db, account_id=me.id, role="respondent")
        found = existing[existing["post_id"] == row["id"]]
        raise InputError(
            f"You already answered post {post_id!r} (conversation #{int(found['id'].iloc[0])}); "
            f"write in that conversation."
        )
    return tid


def _party(
    db: Path | str, account_id: int | None, thread_id: int, *, admin_reads: bool = False
) -> tuple[Any, dict]:
    me = require_account(db, account_id)
    found = conversations.thread(db, thread_id=int(thread_id))
    if found is None or (
        me.id not in (found["owner_id"], found["respondent_id"]) and not (admin_reads and me.is_admin)
    ):
        raise InputError(f"Conversation {thread_id!r} does not exist or is not yours.")
    return me, found


def reply(
    db: Path | str, *, account_id: int | None, thread_id: int, text: str, now: dt.datetime | None = None
) -> int:
    """Write ``text`` in a thread of which ``account_id`` is a party; notifies the other party."""
    me, found = _party(db, account_id, thread_id)
    if found["status"] == "declined":
        raise InputError(
            f"Conversation {thread_id!r} was declined by the post's author; it takes no more messages."
        )
    body = _text("message", text, limit="message", multiline=True)
    now = now or _now()
    _rate(db, me.id, now)
    other = found["respondent_id"] if me.id == found["owner_id"] else found["owner_id"]
    return conversations.add_message(
        db,
        thread_id=found["id"],
        sender_id=me.id,
        recipient_id=other,
        body=body,
        now=now,
        note=f"{me.username} replied about #{found['post_id']} {found['post_title']}",
    )


def decide(
    db: Path | str,
    *,
    account_id: int | None,
    thread_id: int,
    decision: Literal["accepted", "declined"],
    now: dt.datetime | None = None,
) -> None:
    """The post's author accepts or declines the interest of a thread (SQL checks the author again)."""
    if decision not in ("accepted", "declined"):
        raise InputError(f"Field 'decision': {decision!r} is not 'accepted' or 'declined'.")
    me, found = _party(db, account_id, thread_id)
    if me.id != found["owner_id"]:
        raise InputError(f"Only the author of post #{found['post_id']} accepts or declines its answers.")
    word = "accepted" if decision == "accepted" else "declined"
    if not conversations.decide_thread(
        db,
        thread_id=found["id"],
        owner_id=me.id,
        status=decision,
        now=now or _now(),
        note=f"{me.username} {word} your interest in #{found['post_id']} {found['post_title']}",
    ):
        raise InputError(f"Conversation {thread_id!r} was not changed; only the post's author decides.")


def inbox(db: Path | str, *, account_id: int | None) -> pd.DataFrame:
    """Answers to the account's own posts, newest activity first (the owner's inbox)."""
    me = require_account(db, account_id)
    return conversations.threads(db, account_id=me.id, role="owner")


def sent(db: Path | str, *, account_id: int | None) -> pd.DataFrame:
    """The account's own answers to the posts of others, newest activity first."""
    me = require_account(db, account_id)
    return conversations.threads(db, account_id=me.id, role="respondent")


def conversation(
    db: Path | str, *, account_id: int | None, thread_id: int
) -> tuple[dict[str, Any], pd.DataFrame]:
    """A thread and its messages, oldest first, for one of its parties (or an admin).

    Messages hidden by a moderator read :data:`HIDDEN_TEXT` to the parties.
    """
    me, found = _party(db, account_id, thread_id, admin_reads=True)
    msgs = conversations.messages(db, thread_id=found["id"])
    if not me.is_admin:
        msgs["body"] = [
            HIDDEN_TEXT if h is not None and not pd.isna(h) else b
            for b, h in zip(msgs["body"], msgs["hidden_reason"], strict=True)
        ]
    return found, msgs


def notifications(db: Path | str, *, account_id: int | None, unread_only: bool = False) -> pd.DataFrame:
    """The account's notifications, newest first."""
    me = require_account(db, account_id)
    return conversations.notifications(db, account_id=me.id, unread_only=unread_only)


def unread(db: Path | str, *, account_id: int | None) -> int:
    """Unread notifications of the account (0 for a visitor)."""
    return 0 if account_id is None else conversations.unread_count(db, account_id=int(account_id))


def mark_read(db: Path | str, *, account_id: int | None, ids: list[int] | None = None) -> int:
    """Mark the account's notifications read (all, or ``ids``); returns how many."""
    me = require_account(db, account_id)
    return conversations.mark_read(db, account_id=me.id, now=_now(), ids=ids)


def save_search(
    db: Path | str,
    *,
    account_id: int | None,
    name: str,
    kind: str = "",
    sector: str = "",
    country: str = "",
    text: str = "",
) -> int:
    """Keep a search: the account is notified of every new post by others that matches it."""
    me = require_account(db, account_id)
    if kind and kind not in ("offer", "demand"):
        raise InputError(f"Field 'kind': {kind!r} is not one of ('offer', 'demand').")
    codes = parse_countries(country)
    if len(codes) > 1:
        raise InputError(f"Field 'country': {country!r} holds several codes; save one country per search.")
    sector, text = (
        _text(f, v, limit="filter") if str(v).strip() else "" for f, v in (("sector", sector), ("text", text))
    )
    if not (kind or sector or codes or text):
        raise InputError("A saved search needs at least one criterion (kind, sector, country or text).")
    return conversations.save_search(
        db,
        account_id=me.id,
        name=_text("name", name),
        kind=kind,
        sector=sector.lower(),
        country=codes[0] if codes else "",
        text=text,
        now=_now(),
    )


def saved_searches(db: Path | str, *, account_id: int | None) -> pd.DataFrame:
    """The account's saved searches."""
    me = require_account(db, account_id)
    return conversations.saved_searches(db, account_id=me.id)


def delete_search(db: Path | str, *, account_id: int | None, search_id: int) -> None:
    """Delete one of the account's saved searches."""
    me = require_account(db, account_id)
    if not conversations.delete_search(db, account_id=me.id, search_id=int(search_id)):
        raise InputError(f"Saved search {search_id!r} does not exist or is not yours.")


__all__ = [
    "HIDDEN_TEXT",
    "MAX_MESSAGES_PER_HOUR",
    "conversation",
    "current",
    "decide",
    "delete_search",
    "express_interest",
    "inbox",
    "mark_read",
    "notifications",
    "reply",
    "save_search",
    "saved_searches",
    "sent",
    "unread",
]
