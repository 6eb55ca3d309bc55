"""Cluster Map: the home page, a choropleth of one metric for one sector, year and level.

Run with ``cluster-map serve`` (or ``streamlit run app.py``). The view lives in the URL, so a link
reproduces it; see ``cluster_map.ui.state`` for the parameters.
"""

from __future__ import annotations

import streamlit as st

from cluster_map.ui import data, mapview, startup
from cluster_map.ui.errors import boundary

st.set_page_config(page_title="Cluster Map", layout="wide")

with boundary():
    startup.ensure_ready()
    filters, warnings = data.current_filters()
    for message in warnings:
        st.warning(message)
    st.sidebar.title("Cluster Map")
    filters = mapview.filter_sidebar(filters)
    overlays = mapview.layer_toggles()
    mapview.remember(filters)
    layer = data.map_layer(filters)
    mapview.headline(layer, filters)
    mapview.show_map(filters, overlays)
    table = st.expander("Regions ranked, with downloads", key="cm_table_open", on_change="rerun")
    if table.open:  # the table (and its heavy grid component) only when asked for
        with table:
            mapview.show_table(layer, filters)
    st.caption("Sources: Eurostat (SBS, LFS), U.S. Cluster Mapping Project; boundaries © EuroGeographics. "
               "Grey hatched regions have no value: the tooltip says why.")
