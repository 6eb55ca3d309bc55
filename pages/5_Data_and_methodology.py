"""Data and methodology: provenance, flags, formulas, known limits, your own CSV, downloads."""

import streamlit as st

from cluster_map.ui import data, errors, methodology, profile, upload
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Data and methodology · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    filters, warnings = data.current_filters()
    profile.show_warnings(warnings)
    filters = profile.view_controls(filters.with_(page="data"), year=False)
    data.set_filters(filters)
    st.header("Data and methodology")
    # Sources, Conversions and limits and Methods are drawn when chosen (each a handful of grids; Methods'
    # formulas load a 1.5 MB highlighter bundle); Your data and Downloads always, so an uploaded file or a
    # picked level survives a tab switch
    sources, limits, methods, yours, downloads = st.tabs(
        ["Sources", "Conversions and limits", "Methods", "Your data", "Downloads"],
        key="meth-tab",
        on_change="rerun",
    )
    if sources.open:
        with sources:
            methodology.show_sources()
    if limits.open:
        with limits:
            methodology.show_conversions_and_limits()
    if methods.open:
        with methods:
            methodology.show_methods()
    with yours:
        upload.show_upload()
    with downloads:
        methodology.show_downloads(filters)
