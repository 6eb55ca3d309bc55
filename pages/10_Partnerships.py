"""Partnerships and projects: ESCP, Euroclusters, Interreg, Horizon; members; gateways to markets outside Europe."""

import streamlit as st

from cluster_map.ui import board, errors, partnerships
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Partnerships · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    db = board.board_path()
    st.header("Partnerships, projects and gateways")
    st.caption(
        "European Strategic Cluster Partnerships, Euroclusters and cluster projects with their programme, "
        "theme, period, member organisations (linked to their profiles) and target markets."
    )
    partnerships.search_panel(db)
    partnerships.gateways_panel(db)
