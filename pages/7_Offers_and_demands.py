"""Offers and demands: cluster managers post what they offer and seek, and find matching partners."""

import streamlit as st

from cluster_map.ui import board, errors
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Offers and demands · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    db = board.board_path()
    st.header("Offers and demands")
    st.caption("A board for cluster managers: post what your cluster offers or seeks (services, test "
               "facilities, partners for projects), browse the posts of others, and find the offers that "
               "match a demand by shared sector keywords and the countries sought. Reading needs no account; "
               "posting does.")
    account = board.account_panel(db)
    browse, mine = st.tabs(["Browse", "My posts"])
    with browse:
        found = board.browse_panel(db)
        board.details_and_matches(db, found)
    with mine:
        if account is None:
            st.info("Sign in or register to post offers and demands.")
        else:
            board.new_post_form(db, account)
            board.my_posts_panel(db, account)
