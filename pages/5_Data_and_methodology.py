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
    sources, methods, yours, downloads = st.tabs(["Sources", "Methods", "Your data", "Downloads"])
    with sources:
        methodology.show_datasets()
        methodology.show_sources_check()
        methodology.show_series()
        methodology.show_definitions()
        methodology.show_conversions()
        methodology.show_flags()
        methodology.show_limits()
    with methods:
        methodology.show_methods()
    with yours:
        upload.show_upload()
    with downloads:
        methodology.show_downloads(filters)
