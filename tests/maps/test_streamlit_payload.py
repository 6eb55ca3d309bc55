"""What st_folium sends for our maps (AppTest): local links only, and a recolour keeps the component key.

streamlit-folium rebuilds its iframe when the hash of the map script changes; our base map holds only
geometry, so changing the metric must change the ``feature_group`` argument and nothing else.
"""

from __future__ import annotations

import json

import pytest

from cluster_map.maps.assets import offsite_links

pytest.importorskip("streamlit_folium")


def _app() -> None:
    import geopandas as gpd
    import pandas as pd
    import shapely
    import streamlit as st
    from streamlit_folium import st_folium

    from cluster_map.maps.choropleth import base_map, paint
    from cluster_map.maps.classes import lq_classes, star_classes
    from cluster_map.maps.layers import layer_control, organisations_layer

    g = gpd.GeoDataFrame(
        {
            "code": ["AA1", "AA2"],
            "name": ["<script>alert(1)</script>", "B"],
            "lq": [0.5, 2.5],
            "stars": [0, 3],
        },
        geometry=[shapely.box(0, 0, 1, 1), shapely.box(1, 0, 2, 1)],
        crs="EPSG:4326",
    )
    metric = st.radio("metric", ["lq", "stars"], key="metric")
    classes = lq_classes() if metric == "lq" else star_classes()
    p = paint(g.drop(columns="geometry"), value_col=metric, label_col="name", classes=classes)
    orgs = organisations_layer(pd.DataFrame({"name": ["Org"], "lat": [0.5], "lon": [0.5]}))
    st_folium(
        base_map(g),
        key="map",
        feature_group_to_add=[p.feature_group(), orgs],
        layer_control=layer_control(),
        returned_objects=["last_object_clicked_tooltip"],
    )


def _args(at) -> dict:  # type: ignore[no-untyped-def]
    (component,) = at.get("component_instance")
    return json.loads(component.proto.json_args)


def test_recolour_changes_only_the_feature_group() -> None:
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_function(_app, default_timeout=60).run()
    assert not at.exception
    first = _args(at)
    links = first["js_links"] + first["css_links"]
    assert links and all(link.startswith("/app/static/vendor/") for link in links)
    assert offsite_links(first["header"] + first["html"] + first["script"] + first["feature_group"]) == []
    assert "cmap.paint" not in first["script"] and "cmap.paint" in first["feature_group"]
    assert "<script>alert(1)</script>" not in first["feature_group"]

    at.radio(key="metric").set_value("stars").run()
    second = _args(at)
    assert second["key"] == first["key"] and second["script"] == first["script"]
    assert second["feature_group"] != first["feature_group"]
    assert "Cluster stars" in second["feature_group"]
