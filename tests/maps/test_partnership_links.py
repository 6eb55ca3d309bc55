"""Partnership links on the map: one escaped line per member pair, dashed where a seat is imprecise."""

from __future__ import annotations

import folium
import pandas as pd
import pytest

from cluster_map.errors import InputError
from cluster_map.maps.partnership_links import partnership_links_layer

EVIL = "<script>alert(1)</script>"


def test_lines_are_escaped_and_dashed_when_a_seat_is_imprecise() -> None:
    pairs = pd.DataFrame(
        [
            {
                "partnership": "LASER-GO",
                "programme": "ESCP-4i",
                "name_a": "LITEK",
                "name_b": EVIL,
                "lat_a": 54.7,
                "lon_a": 25.3,
                "lat_b": 48.8,
                "lon_b": 2.3,
                "precision_a": "city",
                "precision_b": "city",
            },
            {
                "partnership": "LASER-GO",
                "programme": "ESCP-4i",
                "name_a": "LITEK",
                "name_b": "HTS",
                "lat_a": 54.7,
                "lon_a": 25.3,
                "lat_b": 47.2,
                "lon_b": 15.0,
                "precision_a": "city",
                "precision_b": "region",
            },
        ]
    )
    m = folium.Map(tiles=None)
    group = partnership_links_layer(pairs)
    group.add_to(m)
    html = m.get_root().render()
    assert group.n_links == 2 and html.count("L.polyline(") == 2
    assert EVIL not in html and "&lt;script&gt;" in html
    assert html.count('"dashArray": "6 6"') == 1 and "#1b9e77" in html


def test_missing_columns_are_named() -> None:
    with pytest.raises(InputError, match="lack column"):
        partnership_links_layer(pd.DataFrame({"partnership": []}))
