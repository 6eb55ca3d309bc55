"""A Streamlit page for the benchmark: the stack's own floor for "time to first map".

``?kind=text``: one line of text, the least a Streamlit page can show (the front end's bootstrap,
the websocket and one script run). ``?kind=map``: the smallest st_folium map we would draw (twelve
triangles, Leaflet from the same local static files, no widgets). ``bench/bench_app.py`` times both
in a fresh browser context beside the Map page, so the figures say how much of the Map page's time
is ours and how much any Streamlit + streamlit-folium page pays.
"""

from __future__ import annotations

from pathlib import Path

import folium
import streamlit as st
from streamlit_folium import st_folium

from cluster_map.maps.assets import install_static_assets, localise

st.set_page_config(page_title="Cluster Map floor bench", layout="wide")
install_static_assets(Path(__file__).resolve().parent / "static")
if st.query_params.get("kind", "text") == "map":
    m = folium.Map(location=(50.0, 10.0), zoom_start=4, tiles=None)
    for i in range(12):
        folium.Polygon(
            [(40 + i, 0), (41 + i, 0), (41 + i, 1)],
            color="#ffffff",
            fill=True,
            fill_color="#d73027",
            fill_opacity=0.85,
        ).add_to(m)
    st_folium(
        localise(m, extra=()),
        key="floor_map",
        height=620,
        use_container_width=True,
        returned_objects=["last_object_clicked_tooltip"],
    )
else:
    st.write("Cluster Map floor page")
