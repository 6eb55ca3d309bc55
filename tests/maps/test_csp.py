"""The Content Security Policy of map documents (table-driven; the browser test is tests/browser/test_map_csp.py)."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest

from cluster_map.maps import csp
from cluster_map.maps.choropleth import base_map


@pytest.mark.parametrize(
    ("tiles", "origin"),
    [
        (None, None),
        ("", None),
        ("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png", "https://*.tile.openstreetmap.org"),
        ("http://tiles.example.org:8080/{z}/{x}/{y}.png", "http://tiles.example.org:8080"),
        ("/app/static/tiles/{z}/{x}/{y}.png", None),  # served by the app itself: 'self'
        ("javascript:alert(1)", None),
    ],
)
def test_tile_origin(tiles: str | None, origin: str | None) -> None:
    assert csp.tile_origin(tiles) == origin


def test_the_policy_allows_only_the_server_and_in_document_data() -> None:
    directives = dict(d.split(" ", 1) for d in csp.policy().split("; "))
    for name in ("default-src", "img-src", "connect-src", "font-src"):
        assert directives[name] == "'self' data: blob:", name
    assert directives["object-src"] == "'none'"
    assert "http" not in csp.policy()
    with_tiles = dict(
        d.split(" ", 1) for d in csp.policy(tiles="https://{s}.tile.example.org/{z}/{x}/{y}.png").split("; ")
    )
    assert with_tiles["img-src"] == "'self' data: blob: https://*.tile.example.org"
    assert with_tiles["connect-src"] == "'self' data: blob:"  # tiles are images, nothing else may go there


def _regions(fixtures: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(fixtures / "geo" / "adjacent.geojson").rename(columns={"NUTS_ID": "code"})


def test_every_map_document_carries_the_policy_in_its_head(fixtures: Path) -> None:
    html = base_map(_regions(fixtures)).get_root().render()
    head = html[: html.index("</head>")]
    assert '<meta http-equiv="Content-Security-Policy" content="default-src \'self\' data: blob:;' in head
    assert "img-src 'self' data: blob:;" in head


def test_streamlit_folium_passes_the_policy_to_its_iframe(fixtures: Path) -> None:
    """st_folium copies the folium header into the component iframe's head (scripts with src aside)."""
    from streamlit_folium import _get_header

    m = base_map(_regions(fixtures))
    m.get_root().render()
    assert csp.meta_element() in _get_header(m)
