"""Europe's star clusters: every region x sector (or ecosystem) cell with 1, 2 or 3 stars, counted beside
the European Cluster Observatory's published figures, on one map and in one sortable list."""

import streamlit as st

from cluster_map.ui import data, errors, profile, stars
from cluster_map.ui.startup import ensure_ready
from cluster_map.ui.text import plain

st.set_page_config(page_title="Europe's star clusters · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    filters, warnings = data.current_filters()
    profile.show_warnings(warnings)
    filters, scheme = stars.controls(filters)
    result = stars.load(filters, scheme)
    st.header("Europe's star clusters")
    st.caption(f"{plain(stars.SCHEME_LABELS[scheme])} · NUTS {plain(filters.level)} · {plain(filters.year)}")
    stars.counts(result)
    with errors.boundary(stop=False):
        stars.show_map(filters, scheme)
    st.subheader("Every cell with a star, ranked")
    stars.show_list(filters, result)
