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
    # below the map, one section at a time: a hidden tab is not drawn (fewer grids on a first visit)
    growth, related, concentration = st.tabs(
        ["Growth and shift-share", "Related sectors", "Geographic concentration"],
        key="sec-more",
        on_change="rerun",
    )
    if growth.open:
        with growth, errors.boundary(stop=False):
            sector.show_growth(filters)
    if related.open:
        with related, errors.boundary(stop=False):
            sector.show_related(filters)
    if concentration.open:
        with concentration, errors.boundary(stop=False):
            sector.show_indices(filters)
