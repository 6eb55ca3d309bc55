"""Cluster organisations: searchable directory, map of every match; partner finder, partnerships, events in tabs."""

import streamlit as st

from cluster_map.ui import data, errors, org_import, organisations, profile
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Cluster organisations · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    filters, warnings = data.current_filters(without=("countries",))  # the directory's countries, below
    initial, search_warnings = organisations.initial_search()
    profile.show_warnings(warnings + search_warnings)
    st.header("Cluster organisations")
    st.caption(
        "Directory of cluster organisations, networks and associations (hand-compiled from public "
        "pages, each row with its source URL) and the US Cluster Mapping organisations."
    )
    search = organisations.search_form(initial)
    every = organisations.find(search, every=True)
    # the map first and never in a hidden tab: Leaflet sizes and zooms a map drawn while hidden wrongly
    organisations.show_map(every.rows, data.view_options(filters.dataset).nuts_version_for(filters.year))
    search = organisations.show_results(search, every)
    organisations.remember(filters, search)
    # below the results one section at a time: a hidden tab is not drawn (fewer grids on a first visit)
    partners, partnerships, events = st.tabs(
        ["Find partners", "Partnerships", "Events"], key="org-more", on_change="rerun"
    )
    if partners.open:
        with partners:
            organisations.show_partners(every.rows)
    if partnerships.open:
        with partnerships:
            organisations.show_partnerships(search)
    if events.open:
        with events:
            organisations.show_events(search)
    org_import.show_import()
