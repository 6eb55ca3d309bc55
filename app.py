"""Cluster Map: the home page, a choropleth of one metric for one sector, year and level.

Run with ``cluster-map serve`` (or ``streamlit run app.py``). The view lives in the URL, so a link
reproduces it; see ``cluster_map.ui.state`` for the parameters.
"""

from __future__ import annotations

import streamlit as st

from cluster_map.ui import data, mapview, startup
from cluster_map.ui.errors import boundary
from cluster_map.ui.text import plain


def map_page() -> None:
    """The home page: the map of one metric for one sector, year and level."""
    st.set_page_config(page_title="Cluster Map", layout="wide")
    with boundary():
        startup.ensure_ready()
        filters, warnings = data.current_filters()
        for message in warnings:
            st.warning(plain(message, 400))
        st.sidebar.title("Cluster Map")
        filters = mapview.filter_sidebar(filters)
        overlays = mapview.layer_toggles()
        mapview.remember(filters)
        layer = data.map_layer(filters)
        mapview.headline(layer, filters)
        mapview.show_map(filters, overlays)
        mapview.show_top(layer, filters)
        table = st.expander("Regions ranked, with downloads", key="cm_table_open", on_change="rerun")
        if table.open:  # the table (and its heavy grid component) only when asked for
            with table:
                mapview.show_table(layer, filters)
        st.caption(
            "Sources: Eurostat (SBS, LFS), U.S. Cluster Mapping Project; boundaries © EuroGeographics. "
            "Grey hatched regions have no value: the tooltip says why."
        )


PAGES = [
    st.Page(map_page, title="Map", icon=None, default=True),
    st.Page("pages/1_Region_profile.py", title="Region profile"),
    st.Page("pages/2_Sector_explorer.py", title="Sector explorer"),
    st.Page("pages/3_Compare.py", title="Compare"),
    st.Page("pages/4_Organisations.py", title="Organisations"),
    st.Page("pages/5_Data_and_methodology.py", title="Data and methodology"),
    st.Page("pages/6_Reports.py", title="Reports"),
    st.Page("pages/7_Offers_and_demands.py", title="Offers and demands"),
    st.Page("pages/8_Star_clusters.py", title="Europe's star clusters"),
    st.Page("pages/9_Events_and_meetings.py", title="Events and meetings"),
    st.Page("pages/10_Partnerships.py", title="Partnerships"),
    st.Page(
        "pages/11_Organisation_profile.py", title="Organisation profile", url_path="Organisation_profile"
    ),
]
st.navigation(PAGES).run()
