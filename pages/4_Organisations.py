"""Cluster organisations: searchable directory, partner finder, map, partnerships and events."""

import streamlit as st

from cluster_map.ui import data, errors, organisations, profile
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Cluster organisations · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    filters, warnings = data.current_filters()
    profile.show_warnings(warnings)
    st.header("Cluster organisations")
    st.caption(
        "Directory of cluster organisations, networks and associations (hand-compiled from public "
        "pages, each row with its source URL) and the US Cluster Mapping organisations."
    )
    criteria = organisations.search_form(filters.countries, filters.regions[0] if filters.regions else "")
    found = organisations.search(criteria)
    data.set_filters(filters.with_(page="organisations", countries=criteria["countries"]))
    # the map first and never in a hidden tab: Leaflet sizes and zooms a map drawn while hidden wrongly
    organisations.show_map(found, data.view_options(filters.dataset).nuts_version_for(filters.year))
    organisations.show_directory(found, criteria)
    organisations.show_partners(found)
    organisations.show_partnerships_and_events(criteria)
