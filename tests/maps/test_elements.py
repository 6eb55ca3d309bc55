"""Our map elements put their rendered text into the page as it is: data is never Jinja syntax.

branca compiles each element's rendered output as a new Jinja template; a name such as
``{{ cycler.__init__.__globals__.os.getcwd() }}`` then ran on the server (JSON-encoding and HTML
escaping leave braces alone). These tests render every element that carries data, standalone and the
way streamlit-folium does, and require the hostile text to arrive unevaluated.
"""

from __future__ import annotations

import os

import folium
import geopandas as gpd
import pandas as pd
import pytest

from cluster_map.errors import InputError
from cluster_map.maps.choropleth import base_map, choropleth, encode_geometry, paint
from cluster_map.maps.classes import lq_classes
from cluster_map.maps.elements import RawText, RenderedOnce
from cluster_map.maps.layers import hotspot_layer, organisations_layer, star_layer

#: Jinja that, if evaluated, would print 49 and the server's working directory.
HOSTILE = [
    "{{ 7*7 }} land",
    "{{ cycler.__init__.__globals__.os.getcwd() }}",
    "{% if true %}x{% endif %}",
    "{# comment #}",
    "{{ 'a' ~ 'b' }}",
]


def _evaluated(html: str) -> list[str]:
    """Signs in ``html`` that the hostile text was evaluated."""
    signs = {"49 land": "{{ 7*7 }}", os.getcwd(): "getcwd"}
    return [what for sign, what in signs.items() if sign in html]


@pytest.fixture()
def hostile(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    out = layer.copy()
    out["name"] = HOSTILE[: len(out)]
    return out


def test_raw_text_renders_as_it_is() -> None:
    text = "{{ 7*7 }} {% raw %} {# x #}"
    assert RawText(text).render() == text


def test_paint_and_geometry_keep_jinja_syntax_as_text(hostile: gpd.GeoDataFrame, countries) -> None:  # type: ignore[no-untyped-def]
    m = choropleth(hostile, value_col="value", label_col="name", classes=lq_classes(), base=countries)
    html = m.get_root().render()
    assert _evaluated(html) == []
    assert "{{ 7*7 }} land" in html and "{# comment #}" in html


def test_st_folium_rendering_runs_no_template_from_data(
    hostile: gpd.GeoDataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What st_folium does with the map and the paint: render them (side effects count, not only output)."""
    from streamlit_folium import _get_feature_group_string, generate_leaflet_string

    monkeypatch.delenv("CLUSTER_MAP_TEST_SSTI", raising=False)
    hostile = hostile.assign(
        name=[
            "{{ cycler.__init__.__globals__.os.environ.__setitem__('CLUSTER_MAP_TEST_SSTI', 'ran') }}",
            *HOSTILE[: len(hostile) - 1],
        ]
    )
    m = base_map(encode_geometry(hostile))
    group = paint(
        hostile.drop(columns="geometry"), value_col="value", label_col="name", classes=lq_classes()
    ).feature_group()
    m.get_root().render()
    script = generate_leaflet_string(m) + _get_feature_group_string(group, m)
    m.get_root().render()  # st_folium renders the whole figure with the group on it
    assert "CLUSTER_MAP_TEST_SSTI" not in os.environ
    assert _evaluated(script) == [] and "{{ 7*7 }} land" in script


def test_overlays_keep_jinja_syntax_as_text(hostile: gpd.GeoDataFrame) -> None:
    orgs = pd.DataFrame(
        {
            "id": [1, 2],
            "name": HOSTILE[:2],
            "lat": [50.5, 51.5],
            "lon": [10.5, 11.5],
            "country": ["AA", "AA"],
            "city": HOSTILE[2:4],
            "org_kind": HOSTILE[:2],  # an unknown kind is named by its value in the legend
        }
    )
    m = folium.Map(tiles=None)
    for group in (organisations_layer(orgs), hotspot_layer(hostile), star_layer(hostile, min_stars=2)):
        group.add_to(m)
    html = m.get_root().render()
    assert _evaluated(html) == []
    assert "{{ 7*7 }} land" in html


def test_rendered_once_needs_a_figure() -> None:
    class Orphan(RenderedOnce):
        pass

    with pytest.raises(InputError, match="must be on a folium map"):
        Orphan().render()
