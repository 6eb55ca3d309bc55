"""Offers and demands: cluster managers post what they offer and seek, answer each other, and find matches."""

import streamlit as st

from cluster_map.ui import board, conversations, errors, moderation
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Offers and demands · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    db = board.board_path()
    st.header("Offers and demands")
    st.caption(
        "A board for cluster managers: post what your cluster offers or seeks (services, test "
        "facilities, partners for projects), browse the posts of others, express interest and talk it "
        "through, and find the offers that match a demand by shared sector keywords and the countries "
        "sought. Reading needs no account; posting and answering do."
    )
    account = board.account_panel(db)
    if account is not None and account.is_admin:
        shown = st.tabs(["Browse", "My posts", "Inbox", "Saved searches", "Admin"])
    else:
        shown = st.tabs(["Browse", "My posts", "Inbox", "Saved searches"])
    tabs = dict(zip(["Browse", "My posts", "Inbox", "Saved searches", "Admin"], shown, strict=False))
    with tabs["Browse"]:
        found = board.browse_panel(db)
        board.details_and_matches(db, found, account)
    with tabs["My posts"]:
        if account is None:
            st.info("Sign in or register to post offers and demands.")
        else:
            board.new_post_form(db, account)
            board.my_posts_panel(db, account)
    with tabs["Inbox"]:
        if account is None:
            st.info("Sign in to see the answers to your posts and your notifications.")
        else:
            conversations.notifications_panel(db, account)
            conversations.inbox_panel(db, account)
    with tabs["Saved searches"]:
        if account is None:
            st.info("Sign in to save searches and be told about new matching posts.")
        else:
            conversations.saved_searches_panel(db, account)
    if "Admin" in tabs and account is not None:
        with tabs["Admin"]:
            moderation.admin_panel(db, account)
