"""Overlays: clustered organisations with escaped popups, hot spots, star clusters, layer control."""

from __future__ import annotations

import json
import re

import folium
import geopandas as gpd
import pandas as pd
import pytest

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.maps.assets import RUNTIME_CSS, offsite_links
from cluster_map.maps.choropleth import choropleth
from cluster_map.maps.classes import GI_CLASSES, lq_classes
from cluster_map.maps.layers import (
    MARKER_SIZES,
    STAR_OUTLINES,
    OrganisationMarkers,
    hotspot_layer,
    layer_control,
    organisation_popup,
    organisations_layer,
    star_layer,
)

from .conftest import XSS_NAME
from .test_choropleth import _DECODER, _call_args

COLOURS = {k.key: k.colour for k in catalogue.ORG_KINDS}


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


def _drawn(orgs: pd.DataFrame, **kwargs) -> tuple[list, list, list, str]:  # type: ignore[no-untyped-def]
    """Rows, kind table, style table and legend as the rendered page hands them to the browser."""
    m = folium.Map(tiles=None)
    organisations_layer(orgs, **kwargs).add_to(m)
    html = m.get_root().render()
    start = html.index("})(", html.index("L.markerClusterGroup")) + 3
    args = []
    for _ in range(4):
        obj, end = _DECODER.raw_decode(html, start)
        args.append(obj)
        start = end + 2
    rows, kinds, styles, legend = args
    return rows, kinds, styles, legend


def _classes(kinds: list, styles: list, row: list) -> str:
    """The class list the page script gives a marker (see OrganisationMarkers)."""
    return f"cm-org cm-org-{kinds[row[5]][0]} cm-at-{styles[row[6]][0]}"


@pytest.fixture()
def kinds_and_places() -> pd.DataFrame:
    """Five organisations: three kinds (one twice), every precision drawn, one not located."""
    return pd.DataFrame(
        {
            "id": ["a", "b", "c", "d", "e", "f"],
            "name": ["At address", "In a city", "In a region", "In a country", "Nowhere", "No precision"],
            "lat": [48.1, 45.7, 46.5, 47.0, 47.0, 44.0],
            "lon": [11.6, 4.8, 2.5, 3.0, 3.0, 1.0],
            "org_kind": ["cluster", "network", "cluster", "other", "other", None],
            "geocode_precision": ["coordinates", "city", "region", "country", "none", None],
        }
    )


def test_markers_are_coloured_by_kind_through_a_small_palette(kinds_and_places: pd.DataFrame) -> None:
    rows, kinds, styles, _ = _drawn(kinds_and_places)
    assert [r[2] for r in rows] == ["a", "b", "c", "d", "f"]  # "none" is not located: not drawn
    # one entry per kind present, in catalogue order; rows carry an index into it, not a colour
    assert kinds == [[k, COLOURS[k]] for k in ("network", "cluster", "other", "not_stated")]
    assert [kinds[r[5]][0] for r in rows] == ["cluster", "network", "cluster", "other", "not_stated"]
    assert all(isinstance(r[5], int) and isinstance(r[6], int) for r in rows)
    assert styles == [["point", MARKER_SIZES["point"]], ["region", 16], ["country", 24]]
    assert [_classes(kinds, styles, r) for r in rows] == [
        "cm-org cm-org-cluster cm-at-point",
        "cm-org cm-org-network cm-at-point",
        "cm-org cm-org-cluster cm-at-region",
        "cm-org cm-org-other cm-at-country",
        "cm-org cm-org-not_stated cm-at-country",  # an unknown precision is drawn as the least precise
    ]


def test_a_country_level_point_is_not_drawn_like_a_city(kinds_and_places: pd.DataFrame) -> None:
    rows, _, styles, _ = _drawn(kinds_and_places)
    by_id = {r[2]: styles[r[6]] for r in rows}
    assert by_id["b"] == ["point", 12] and by_id["d"] == ["country", 24] and by_id["c"] == ["region", 16]
    # every style the layer draws has its own look in the page's style sheet, and they differ
    looks = {}
    for style in MARKER_SIZES:
        rule = re.search(rf"\.cm-at-{style} i, [^{{]*\{{([^}}]*)\}}", RUNTIME_CSS)
        assert rule, style
        looks[style] = rule.group(1)
    assert "background: currentColor" in looks["point"]
    assert "solid currentColor" in looks["region"] and "dashed currentColor" in looks["country"]
    assert len(set(looks.values())) == 3


def test_marker_popups_say_how_precisely_an_organisation_is_placed(kinds_and_places: pd.DataFrame) -> None:
    rows, _, _, _ = _drawn(kinds_and_places)
    popups = {r[2]: r[3] for r in rows}
    assert "Location: city" in popups["b"] and "Location: country only (label point)" in popups["d"]
    assert "Location: region (label point)" in popups["c"] and "Location: exact coordinates" in popups["a"]
    assert "Location:" not in popups["f"]  # nothing stated, nothing said


def test_the_legend_names_the_kinds_and_placements_present(kinds_and_places: pd.DataFrame) -> None:
    _, _, _, legend = _drawn(kinds_and_places, name="Matches")
    assert legend.startswith(
        '<div class="cm-legend-title">Matches</div><div class="cm-legend-sub">Type</div>'
    )
    entries = re.findall(r'<div><i class="([^"]*)"(?: style="color:([^"]*)")?></i>([^<]*)</div>', legend)
    assert entries == [
        ("cm-org-key cm-org-network cm-at-point", COLOURS["network"], "Cluster network or association (1)"),
        ("cm-org-key cm-org-cluster cm-at-point", COLOURS["cluster"], "Cluster organisation (2)"),
        ("cm-org-key cm-org-other cm-at-point", COLOURS["other"], "Other organisation (1)"),
        ("cm-org-key cm-org-not_stated cm-at-point", COLOURS["not_stated"], "Type not stated (1)"),
        ("cm-org-key cm-at-point", "", "exact coordinates, city (2)"),
        ("cm-org-key cm-at-region", "", "region (label point) (1)"),
        ("cm-org-key cm-at-country", "", "country only (label point), precision not stated (2)"),
        ("cm-org-key cm-cluster-key", "", "dashed group: all at a country point"),
    ]
    assert '<div class="cm-legend-sub">Placed at</div>' in legend
    assert _drawn(kinds_and_places, legend=False)[3] == ""


def test_the_legend_shows_only_what_is_drawn() -> None:
    cities = pd.DataFrame(
        {"name": ["A"], "lat": [50.0], "lon": [10.0], "org_kind": ["cluster"], "geocode_precision": ["city"]}
    )
    rows, kinds, styles, legend = _drawn(cities)
    assert kinds == [["cluster", COLOURS["cluster"]]] and styles == [["point", 12]]
    assert "Cluster organisation (1)" in legend and "network" not in legend and "country" not in legend
    assert "cm-cluster-key" not in legend


def test_without_a_precision_column_no_point_is_presented_as_exact() -> None:
    points = pd.DataFrame({"name": ["A"], "lat": [50.0], "lon": [10.0]})
    rows, kinds, styles, legend = _drawn(points)
    assert kinds == [["not_stated", COLOURS["not_stated"]]] and styles == [["country", 24]]
    assert "precision not stated (1)" in legend and "exact" not in legend and "city" not in legend


def test_an_unknown_kind_is_named_by_its_value_escaped() -> None:
    orgs = pd.DataFrame(
        {"name": ["A", "B"], "lat": [50.0, 51.0], "lon": [10.0, 11.0], "org_kind": [XSS_NAME, "cluster"]}
    )
    rows, kinds, _, legend = _drawn(orgs)
    assert kinds == [["cluster", COLOURS["cluster"]], ["unknown", catalogue.ORG_KIND_UNKNOWN_COLOUR]]
    assert XSS_NAME not in legend and "&lt;script&gt;alert(1)&lt;/script&gt; (1)" in legend
    m = folium.Map(tiles=None)
    organisations_layer(orgs).add_to(m)
    assert XSS_NAME not in m.get_root().render()


def test_marker_tables_refuse_what_would_not_be_a_class_or_a_colour() -> None:
    with pytest.raises(InputError, match="#rrggbb"):
        OrganisationMarkers([], kinds=[("cluster", "red;background:url(x)")])
    with pytest.raises(InputError, match="#rrggbb"):
        OrganisationMarkers([], kinds=[('x" onclick="', "#000000")])
    with pytest.raises(InputError, match="marker style"):
        OrganisationMarkers([], styles=["star"])  # type: ignore[list-item]


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
