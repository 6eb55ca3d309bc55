"""Offers-and-demands widgets: sign-in and registration, posting, browsing, matches, own posts.

The signed-in account lives only in ``st.session_state`` (server side, one per browser session):
never in ``st.cache_*`` (shared by every session) and never in the URL. Every change passes the
session's account id to the service, which checks ownership and lets SQL check it again. User text
is shown with ``st.text`` and ``st.dataframe`` (plain text, no Markdown or HTML); nothing here uses
``unsafe_allow_html``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Literal

import pandas as pd
import streamlit as st

from cluster_map.errors import InputError
from cluster_map.services import board, conversations, organisations
from cluster_map.services.board import Account
from cluster_map.ui import data
from cluster_map.ui.errors import boundary
from cluster_map.ui.text import plain

ACCOUNT_KEY = "board-account"
LIST_COLUMNS = [
    "id",
    "kind",
    "title",
    "organisation",
    "country",
    "sectors",
    "countries",
    "expires",
    "username",
]


def board_path() -> Path:
    """The board file in force (``board.duckdb`` beside the store)."""
    return board.default_path()


def current_account() -> Account | None:
    """The account signed in in this browser session, or ``None``."""
    account = st.session_state.get(ACCOUNT_KEY)
    return account if isinstance(account, Account) else None


def current_admin() -> Account | None:
    """The session's account if it is an admin *as the board stores it now* (a role taken away since
    sign-in counts), else ``None``: for what changes the store for everyone (imports, "add to the store")."""
    account = current_account()
    if account is None or not account.is_admin:
        return None
    try:
        fresh = board.current(board_path(), account.id)
    except InputError:
        return None
    return fresh if fresh.is_admin else None


def _set_account(account: Account | None) -> None:
    if account is None:
        st.session_state.pop(ACCOUNT_KEY, None)
    else:
        st.session_state[ACCOUNT_KEY] = account
    st.rerun()


@st.cache_data(show_spinner=False, max_entries=4)
def _organisations(key: str) -> dict[str, str]:
    found = organisations.search(data.connection())
    return {
        i: f"{n} ({c})"
        for i, n, c in zip(found["id"], found["name"].astype(str), found["country"].fillna("?"), strict=True)
    }


def account_panel(db: Path) -> Account | None:
    """Sign in / register forms, or who is signed in with the organisation link and a sign-out button."""
    account = current_account()
    if account is None:
        sign_in, register = st.tabs(["Sign in", "Register"])
        with sign_in, st.form("board-sign-in"):
            name = st.text_input("Username", key="board-si-user", max_chars=32)
            password = st.text_input("Password", type="password", key="board-si-pw", max_chars=256)
            if st.form_submit_button("Sign in"):
                with boundary(stop=False):
                    _set_account(board.sign_in(db, username=name, password=password))
        with register, st.form("board-register"):
            name = st.text_input("Username (letters, digits, . _ -)", key="board-rg-user", max_chars=32)
            password = st.text_input(
                "Password (at least 10 characters)", type="password", key="board-rg-pw", max_chars=256
            )
            again = st.text_input("Password again", type="password", key="board-rg-pw2", max_chars=256)
            if st.form_submit_button("Register"):
                if password != again:
                    st.error("The two passwords differ; type them again.")
                else:
                    with boundary(stop=False):
                        _set_account(board.register(db, username=name, password=password))
        return None
    fresh = board.current(db, account.id)  # an admin may have approved a link or changed the role meanwhile
    if fresh != account:
        st.session_state[ACCOUNT_KEY] = account = fresh
    left, mid, right = st.columns([5, 1, 1])
    org = (
        f" for {account.org_name} ({account.org_country or '?'})"
        if account.org_id
        else " (no organisation linked)"
    )
    left.text(f"Signed in as {account.username}{org}" + (" · admin" if account.is_admin else ""))
    mid.metric(
        "Unread",
        conversations.unread(db, account_id=account.id),
        help="Unread notifications: answers to "
        "your posts, replies, decisions, new posts matching your saved searches.",
    )
    if right.button("Sign out", key="board-sign-out"):
        _set_account(None)
    pending = board.pending_link(db, account_id=account.id)
    if pending:
        st.text(f"Waiting for an admin to approve your link to {pending['org_name']} ({pending['org_id']}).")
    with st.expander("Speak for a cluster organisation of the directory (an admin approves the link)"):
        names = _organisations(data.store_key())
        options = [""] + list(names)
        chosen = st.selectbox(
            "Organisation",
            options,
            index=options.index(account.org_id) if account.org_id in names else 0,
            key="board-org",
            format_func=lambda i: names.get(i, "none"),
        )
        if st.button("Ask for the link" if chosen else "Remove the link", key="board-org-save"):
            with boundary(stop=False):
                _set_account(
                    board.link_organisation(db, data.connection(), account_id=account.id, org_id=chosen)
                )
    return account


def _post_fields(prefix: str, row: dict | None = None) -> dict:
    row = row or {}
    today = dt.date.today()
    expires = row.get("expires") or today + dt.timedelta(days=30)
    kind = st.radio(
        "Kind",
        board.KINDS,
        horizontal=True,
        key=f"{prefix}-kind",
        index=board.KINDS.index(row.get("kind", "offer")),
    )
    title = st.text_input("Title", value=row.get("title", ""), max_chars=120, key=f"{prefix}-title")
    text = st.text_area("Text", value=row.get("body", ""), max_chars=4000, key=f"{prefix}-text")
    sectors = st.text_input(
        "Sector keywords (separated by ;)",
        value="; ".join(row.get("sectors", [])),
        key=f"{prefix}-sectors",
        max_chars=500,
    )
    countries = st.text_input(
        "Countries sought (codes such as DE, AT; empty = anywhere)",
        value=", ".join(row.get("countries", [])),
        key=f"{prefix}-countries",
        max_chars=200,
    )
    expires = st.date_input(
        "Expires on",
        value=max(expires, today),
        min_value=today,
        max_value=today + board.MAX_EXPIRY,
        key=f"{prefix}-expires",
    )
    contact = st.radio(
        "Contact",
        board.CONTACTS,
        horizontal=True,
        key=f"{prefix}-contact",
        index=board.CONTACTS.index(row.get("contact") or "messages"),
        format_func={"messages": "in-app messages", "email": "e-mail", "phone": "phone"}.get,
    )
    detail = st.text_input(
        "E-mail or phone (shown only to those whose interest you accept)",
        value=row.get("contact_detail") or "",
        max_chars=200,
        key=f"{prefix}-detail",
    )
    return {
        "kind": kind,
        "title": title,
        "text": text,
        "sectors": sectors,
        "countries": countries,
        "expires": expires,
        "contact": contact,
        "contact_detail": detail,
    }


def new_post_form(db: Path, account: Account) -> None:
    """The form to post an offer or a demand."""
    posted = st.session_state.pop("board-posted", None)
    if posted:
        st.success(f"Posted as #{plain(posted)}.")
    with st.form("board-new", clear_on_submit=True):
        st.subheader("Post an offer or a demand")
        fields = _post_fields("board-new")
        if st.form_submit_button("Post"):
            with boundary(stop=False):
                st.session_state["board-posted"] = board.create_post(db, account_id=account.id, **fields)
                st.rerun()  # the list above shows the new post


def browse_panel(db: Path) -> pd.DataFrame:
    """Filters and the list of open posts; returns the posts shown."""
    c1, c2, c3, c4, c5 = st.columns([1, 2, 1, 3, 1])
    kind = c1.selectbox("Kind", ["", *board.KINDS], key="board-f-kind", format_func=lambda k: k or "both")
    sector = c2.text_input("Sector keyword", key="board-f-sector", max_chars=200)
    country = c3.text_input("Country", key="board-f-country", max_chars=2)
    text = c4.text_input("Search text", key="board-f-text", max_chars=200)
    expired = c5.checkbox("Include expired", key="board-f-expired")
    found = pd.DataFrame(columns=LIST_COLUMNS)
    with boundary(stop=False):
        found = board.browse(
            db, kind=kind, sector=sector, country=country, text=text, include_expired=expired
        )
    st.caption(f"{len(found)} open posts.")
    st.dataframe(found[LIST_COLUMNS], hide_index=True, width="stretch", key="board-list")
    return found


def _show_post(row: dict) -> None:
    st.text(f"#{row['id']} {row['kind']}: {row['title']}")
    st.text(
        f"by {row['username']}"
        + (f", {row['org_name']} ({row['org_country']})" if row["org_id"] else "")
        + f"; expires {row['expires']}; {row['status']}"
    )
    st.text(
        f"Sectors: {'; '.join(row['sectors'])}. Countries sought: {', '.join(row['countries']) or 'anywhere'}."
    )
    st.text(row["body"])
    how = {"messages": "in-app messages", "email": "e-mail", "phone": "phone"}.get(
        row.get("contact") or "", ""
    )
    st.text(f"Contact: {how}" + (f" · {row['contact_detail']}" if row.get("contact_detail") else ""))
    if row.get("hidden_reason"):
        st.text(f"Hidden by a moderator: {row['hidden_reason']}")


def _interest_form(db: Path, account: Account | None, row: dict) -> None:
    if account is None:
        st.caption("Sign in to answer this post.")
        return
    if account.id == row["author_id"] or row["status"] != "open":
        return
    with st.form(f"board-interest-{row['id']}", clear_on_submit=True):
        note = st.text_area(
            "A note to the author (optional)", max_chars=2000, key=f"board-interest-text-{row['id']}"
        )
        if st.form_submit_button("Express interest"):
            with boundary(stop=False):
                tid = conversations.express_interest(db, account_id=account.id, post_id=row["id"], text=note)
                st.success(f"Sent: conversation #{plain(tid)}. The author sees it in the inbox.")


def details_and_matches(db: Path, found: pd.DataFrame, account: Account | None = None) -> None:
    """Pick a post to read it in full and see the posts of the other kind that match it."""
    if found.empty:
        return
    titles = dict(zip(found["id"], found["kind"] + ": " + found["title"], strict=True))
    pid = st.selectbox(
        "Read a post and find matches",
        list(titles),
        key="board-pick",
        format_func=lambda i: f"#{i} {titles[i]}",
    )
    with boundary(stop=False):
        row = board.post(db, post_id=pid, viewer_id=account.id if account else None)
        _show_post(row)
        _interest_form(db, account, row)
        best = board.matches(db, post_id=pid)
        st.caption(f"{len(best)} matching posts (shared sector keywords first, then country fit).")
        st.dataframe(
            best.drop(columns=["text"]),
            hide_index=True,
            width="stretch",
            key="board-matches",
            column_config={
                "country_fit": st.column_config.ProgressColumn("country fit", min_value=0.0, max_value=1.0)
            },
        )


def my_posts_panel(db: Path, account: Account) -> None:
    """The account's own posts, with edit, close/reopen and delete."""
    mine = board.my_posts(db, account_id=account.id)
    st.subheader("My posts")
    if mine.empty:
        st.info("You have not posted yet.")
        return
    st.dataframe(
        mine[LIST_COLUMNS + ["status", "hidden"]], hide_index=True, width="stretch", key="board-mine"
    )
    titles = dict(zip(mine["id"], mine["title"], strict=True))
    pid = st.selectbox("Post", list(titles), key="board-mine-pick", format_func=lambda i: f"#{i} {titles[i]}")
    row = board.post(db, post_id=pid, viewer_id=account.id)
    if row.get("hidden_reason"):
        st.warning(f"A moderator hid this post: {plain(row['hidden_reason'], 300)}")
    with st.form(f"board-edit-{pid}"):
        fields = _post_fields(f"board-edit-{pid}", row)
        if st.form_submit_button("Save changes"):
            with boundary(stop=False):
                board.edit_post(db, account_id=account.id, post_id=pid, **fields)
                st.rerun()
    c1, c2 = st.columns(2)
    flip: Literal["open", "closed"] = "open" if row["status"] == "closed" else "closed"
    if c1.button("Reopen" if flip == "open" else "Close", key=f"board-status-{pid}"):
        with boundary(stop=False):
            board.set_status(db, account_id=account.id, post_id=pid, status=flip)
            st.rerun()
    if c2.button("Delete", key=f"board-delete-{pid}", type="primary"):
        with boundary(stop=False):
            board.delete_post(db, account_id=account.id, post_id=pid)
            st.rerun()
