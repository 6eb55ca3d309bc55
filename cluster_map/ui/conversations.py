"""Inbox widgets: notifications, answers to my posts (accept/decline), my answers, one thread, saved searches.

Everything is shown as plain text (``st.text``, dataframes); the account comes from the session
(:func:`cluster_map.ui.board.current_account`) and every call passes its id to the services, which
check that the account is a party of what it reads or changes.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from cluster_map.services import board, conversations
from cluster_map.services.board import Account
from cluster_map.ui.errors import boundary
from cluster_map.ui.text import plain

THREAD_LIST = [
    "id",
    "post_id",
    "post_title",
    "owner",
    "respondent",
    "respondent_org",
    "status",
    "n_messages",
    "last_at",
]


def notifications_panel(db: Path, account: Account) -> None:
    """The account's notifications, unread first marked, with "mark all read"."""
    found = conversations.notifications(db, account_id=account.id)
    unread = int(found["read_at"].isna().sum())
    st.subheader(f"Notifications ({plain(unread)} unread)")
    if found.empty:
        st.info(
            "No notifications yet: answers to your posts and new posts matching your saved searches show here."
        )
        return
    shown = found.assign(unread=found["read_at"].isna())[
        ["unread", "created_at", "kind", "text", "post_id", "thread_id"]
    ]
    st.dataframe(shown, hide_index=True, width="stretch", key="board-notes")
    if unread and st.button("Mark all read", key="board-notes-read"):
        conversations.mark_read(db, account_id=account.id)
        st.rerun()


def _pick_thread(threads: pd.DataFrame, key: str) -> int | None:
    if threads.empty:
        return None
    labels: dict[int, str] = {
        int(t): f"#{t} on #{p} {title} ({who}, {status})"
        for t, p, title, who, status in zip(
            threads["id"],
            threads["post_id"],
            threads["post_title"],
            threads["respondent"],
            threads["status"],
            strict=True,
        )
    }
    chosen = st.selectbox("Conversation", list(labels), key=key, format_func=lambda i: labels[i])
    return None if chosen is None else int(chosen)


def inbox_panel(db: Path, account: Account) -> None:
    """Answers to my posts (accept / decline) and my answers to others, then the chosen thread."""
    mine, theirs = (
        conversations.inbox(db, account_id=account.id),
        conversations.sent(db, account_id=account.id),
    )
    st.subheader(f"Answers to my posts ({len(mine)})")
    if mine.empty:
        st.info("Nobody has answered your posts yet.")
    else:
        st.dataframe(mine[THREAD_LIST], hide_index=True, width="stretch", key="board-inbox")
    st.subheader(f"My answers to others ({len(theirs)})")
    if not theirs.empty:
        st.dataframe(theirs[THREAD_LIST], hide_index=True, width="stretch", key="board-sent")
    both = pd.concat([mine, theirs], ignore_index=True).sort_values("last_at", ascending=False)
    tid = _pick_thread(both, "board-thread-pick")
    if tid is not None:
        thread_panel(db, account, tid)


def thread_panel(db: Path, account: Account, thread_id: int) -> None:
    """One conversation: its messages as text, accept/decline for the post's author, a reply box."""
    with boundary(stop=False):
        head, msgs = conversations.conversation(db, account_id=account.id, thread_id=thread_id)
        st.text(
            f"Conversation #{head['id']} on {head['post_kind']} #{head['post_id']} {head['post_title']}: "
            f"{head['respondent']} answered {head['owner']}; {head['status']}."
        )
        for m in msgs.itertuples():
            st.text(f"{m.created_at:%Y-%m-%d %H:%M} {m.sender}: {m.body}")
        if account.id == head["owner_id"] and head["status"] == "pending":
            c1, c2 = st.columns(2)
            if c1.button("Accept", key=f"board-accept-{thread_id}"):
                conversations.decide(db, account_id=account.id, thread_id=thread_id, decision="accepted")
                st.rerun()
            if c2.button("Decline", key=f"board-decline-{thread_id}"):
                conversations.decide(db, account_id=account.id, thread_id=thread_id, decision="declined")
                st.rerun()
        if head["status"] != "declined":
            with st.form(f"board-reply-{thread_id}", clear_on_submit=True):
                text = st.text_area("Reply", max_chars=2000, key=f"board-reply-text-{thread_id}")
                if st.form_submit_button("Send reply"):
                    with boundary(stop=False):
                        conversations.reply(db, account_id=account.id, thread_id=thread_id, text=text)
                        st.rerun()


def saved_searches_panel(db: Path, account: Account) -> None:
    """Saved searches: be told when someone posts what you look for."""
    st.subheader("Saved searches")
    with st.form("board-search-new", clear_on_submit=True):
        c1, c2, c3, c4, c5 = st.columns([2, 1, 2, 1, 2])
        name = c1.text_input("Name", max_chars=80, key="board-s-name")
        kind = c2.selectbox("Kind", ["", *board.KINDS], key="board-s-kind", format_func=lambda k: k or "both")
        sector = c3.text_input("Sector keyword", max_chars=200, key="board-s-sector")
        country = c4.text_input("Country", max_chars=2, key="board-s-country")
        text = c5.text_input("Text", max_chars=200, key="board-s-text")
        if st.form_submit_button("Save search"):
            with boundary(stop=False):
                conversations.save_search(
                    db, account_id=account.id, name=name, kind=kind, sector=sector, country=country, text=text
                )
                st.rerun()
    found = conversations.saved_searches(db, account_id=account.id)
    if found.empty:
        st.caption("No saved searches.")
        return
    st.dataframe(
        found[["id", "name", "kind", "sector", "country", "text"]],
        hide_index=True,
        width="stretch",
        key="board-searches",
    )
    names = dict(zip(found["id"], found["name"], strict=True))
    sid = st.selectbox(
        "Saved search", list(names), key="board-s-pick", format_func=lambda i: f"#{i} {names[i]}"
    )
    if st.button("Delete saved search", key="board-s-delete"):
        with boundary(stop=False):
            conversations.delete_search(db, account_id=account.id, search_id=sid)
            st.rerun()
    st.caption(f"New posts by others that match a search notify you ({plain(len(found))} saved).")
