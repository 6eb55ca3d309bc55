"""Sector explorer: regions ranked for a sector, LQ distribution, hot spots, growth, related sectors."""

import streamlit as st

from cluster_map.ui import data, errors, profile, sector
from cluster_map.ui.startup import ensure_ready
from cluster_map.ui.text import plain

st.set_page_config(page_title="Sector explorer · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    filters, warnings = data.current_filters()
    profile.show_warnings(warnings)
    filters = profile.view_controls(filters.with_(page="sector"), level=True)
    filters = sector.pick_sector(filters)
    data.set_filters(filters)
    label = data.view_options(filters.dataset).sector_label(filters.sector)
    st.header(f"{plain(filters.sector)} · {plain(label)}")
    table = sector.ranking(filters)
    ranked, dist = st.columns([3, 2])
    with ranked:
        sector.show_ranking(filters, table, label)
    with dist:
        sector.show_distribution(filters, table)
    with errors.boundary(stop=False):
        sector.show_hot_spots(filters)
    with errors.boundary(stop=False):
        sector.show_growth(filters)
    left, right = st.columns(2)
    with left, errors.boundary(stop=False):
        sector.show_related(filters)
    with right, errors.boundary(stop=False):
        sector.show_indices(filters)
