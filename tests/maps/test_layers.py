"""Overlays: clustered organisations with escaped popups, hot spots, star clusters, layer control."""

from __future__ import annotations

import json

import geopandas as gpd
import pandas as pd
import pytest

from cluster_map.errors import InputError
from cluster_map.maps.assets import offsite_links
from cluster_map.maps.choropleth import choropleth
from cluster_map.maps.classes import GI_CLASSES, lq_classes
from cluster_map.maps.layers import (
    STAR_OUTLINES,
    OrganisationMarkers,
    hotspot_layer,
    layer_control,
    organisation_popup,
    organisations_layer,
    star_layer,
)

from .conftest import XSS_NAME
from .test_choropleth import _call_args


def _markers(group) -> OrganisationMarkers:  # type: ignore[no-untyped-def]
    return next(c for c in group._children.values() if isinstance(c, OrganisationMarkers))


def test_organisation_popups_are_escaped_and_links_safe(organisations: pd.DataFrame) -> None:
    rows = _markers(organisations_layer(organisations)).rows
    first, second = rows[0][3], rows[1][3]
    assert first.startswith("<b>&lt;script&gt;alert(1)&lt;/script&gt;</b>")
    assert "City: Town&quot; onclick=&quot;x" in first
    assert "Sectors: automotive; &lt;b&gt;mobility&lt;/b&gt;" in first
    assert "javascript" not in first and "<a " not in first
    assert '<a href="https://cluster-two.example.org" target="_blank" rel="noopener noreferrer">' in second
    assert "<b>Cluster Two</b> (C2)" in second


def test_organisations_without_coordinates_are_counted(organisations: pd.DataFrame) -> None:
    group = organisations_layer(organisations, name="Orgs")
    assert group.n_markers == 2 and group.n_skipped == 1
    assert group.layer_name == "Orgs (2)"
    rows = _markers(group).rows
    assert [r[:3] for r in rows] == [[50.5, 10.5, "EUCO0001"], [51.5, 11.5, "EUCO0002"]]


def test_organisation_popup_skips_empty_fields() -> None:
    assert (
        organisation_popup({"name": "A", "founded_year": 2008.0, "city": ""}) == "<b>A</b><br>Founded: 2008"
    )


def test_organisations_need_coordinates() -> None:
    with pytest.raises(InputError, match="no column 'lat'"):
        organisations_layer(pd.DataFrame({"name": ["x"]}))


def test_hotspot_layer_keeps_significant_regions_only(layer: gpd.GeoDataFrame) -> None:
    group = hotspot_layer(layer)
    assert group.n_regions == 2 and group.show is False
    m = choropleth(layer, value_col="value", label_col="name", classes=lq_classes())
    m.add_child(group)
    data, options = _call_args(m.get_root().render(), "layer", "hotspot_gi")
    assert data["c"] == ["AA2", "AA4"]
    colours = dict(zip((r[0] for r in GI_CLASSES), (r[2] for r in GI_CLASSES), strict=True))
    p = options["paint"]
    assert [p["colours"][p["cls"][c]] for c in data["c"]] == [colours["hot_99"], colours["cold_95"]]
    assert options["interactive"] is False and options["style"]["outline"] is True


def test_star_layer_outlines_regions_with_two_or_more_stars(layer: gpd.GeoDataFrame) -> None:
    group = star_layer(layer)
    assert group.n_regions == 2
    m = choropleth(layer, value_col="value", label_col="name", classes=lq_classes())
    m.add_child(group)
    data, options = _call_args(m.get_root().render(), "layer", "stars")
    assert data["c"] == ["AA2", "AA4"]
    p = options["paint"]
    assert [p["colours"][p["cls"][c]] for c in data["c"]] == [STAR_OUTLINES[2], STAR_OUTLINES[3]]
    assert star_layer(layer, min_stars=3).n_regions == 1
    assert star_layer(layer.assign(stars=0)).n_regions == 0


def test_every_layer_together_renders_offline_with_a_layer_control(layer, countries, organisations) -> None:  # type: ignore[no-untyped-def]
    for mode in ("url", "inline"):
        m = choropleth(
            layer, value_col="value", label_col="name", classes=lq_classes(), base=countries, assets=mode
        )
        for overlay in (organisations_layer(organisations), hotspot_layer(layer), star_layer(layer)):
            m.add_child(overlay)
        m.add_child(layer_control())
        html = m.get_root().render()
        assert offsite_links(html) == []
        assert XSS_NAME not in html
        assert "L.markerClusterGroup" in html and "L.control.layers" in html
        for name in ("Cluster organisations (2)", "Hot spots (Getis-Ord Gi*) (2)", "Star clusters (★★+) (2)"):
            assert json.dumps(name)[1:-1] in html or name in html


def test_overlay_layers_need_their_column(layer: gpd.GeoDataFrame) -> None:
    with pytest.raises(InputError, match="hot spots"):
        hotspot_layer(layer, class_col="gi")
    with pytest.raises(InputError, match="star clusters"):
        star_layer(layer.drop(columns="stars"))
