"""Compare: up to ten regions side by side on the same sectors, metrics and key figures."""

import streamlit as st

from cluster_map.ui import compare, data, errors, profile
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Compare regions · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    filters, warnings = data.current_filters()
    profile.show_warnings(warnings)
    filters = profile.view_controls(filters.with_(page="compare"))
    metric = compare.pick_metric()
    scheme = profile.sector_choice(filters)
    st.header("Compare regions")
    filters = filters.with_(regions=compare.pick_regions(filters))
    data.set_filters(filters)
    if not filters.regions:
        st.info(
            "Pick two or more regions above (type a code such as DE21 or a name); the choice is kept in "
            "the link, so you can share the comparison."
        )
        st.stop()
    comparison = compare.load(filters, metric, sector_level=profile.sector_level(scheme))
    compare.show_figures(filters, comparison)
    compare.show_sectors(filters, comparison)
    compare.show_indices(filters, comparison)
