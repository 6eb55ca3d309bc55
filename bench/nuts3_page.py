"""A Streamlit page for the benchmark: the NUTS 2021 level 3 layer (1,500 regions) drawn like the Map page.

The store has no NUTS 3 statistics, so each NUTS 3 region is coloured by the location quotient of its
NUTS 2 parent (C29, SBS, the default year), a real value that exercises the same geometry + paint path
as the Map page. Run by ``bench/bench_app.py`` (``streamlit run bench/nuts3_page.py``).
"""

from __future__ import annotations

from pathlib import Path

import streamlit as st
from streamlit_folium import st_folium

from cluster_map.maps.assets import install_static_assets
from cluster_map.maps.choropleth import base_map, paint, publish_geometry
from cluster_map.maps.classes import classes_for
from cluster_map.ui import data, startup
from cluster_map.ui.state import Filters

st.set_page_config(page_title="Cluster Map NUTS 3 bench", layout="wide")
startup.ensure_ready()
# Streamlit serves static/ next to the *main script*: give this page its own copy of the map libraries.
STATIC = Path(__file__).resolve().parent / "static"
install_static_assets(STATIC)
sector = st.query_params.get("sector", "C29")
geom = data.encoded_geometry("2021", 3)
frame = data.geometry("2021", 3)[["code"]].copy()
opts = data.view_options("sbs_r_nuts06_r2")
lq = data.level_values(Filters(sector=sector, year=opts.latest_year, metric="lq")).set_index("code")["value"]
frame["name"] = frame["code"]
frame["value"] = frame["code"].str[:4].map(lq)
frame["reason"] = frame["value"].isna().map({True: "no LQ for the NUTS 2 parent", False: ""})
p = paint(
    frame,
    value_col="value",
    label_col="name",
    classes=classes_for("lq"),
    title="LQ of the NUTS 2 parent",
    subtitle=f"{sector} · {opts.latest_year}",
    tooltip_fields=(),
)
base = data.encoded_geometry("2021", 0, precision=3)
# as on the Map page: the geometry is a static file the browser fetches once, reruns send the script
m = base_map(
    geom,
    base=base,
    fit=False,
    geometry_url=publish_geometry(geom, STATIC),
    base_geometry_url=publish_geometry(base, STATIC),
)
st.caption(
    f"NUTS 2021 level 3: {len(geom.codes)} regions; geometry {geom.nbytes:,} bytes; "
    f"paint {len(p.json()):,} bytes"
)
st_folium(
    m,
    key="bench_map",
    height=620,
    use_container_width=True,
    center=(53.0, 14.0),
    zoom=3.75,
    returned_objects=["last_object_clicked_tooltip"],
    feature_group_to_add=[p.feature_group()],
)
