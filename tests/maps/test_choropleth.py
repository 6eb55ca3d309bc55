"""Choropleth: rendered HTML has minimal properties, class colours, escaped tooltips, a legend."""

from __future__ import annotations

import json
import re

import geopandas as gpd
import numpy as np
import pytest
import shapely

from cluster_map.errors import InputError
from cluster_map.maps.assets import offsite_links
from cluster_map.maps.choropleth import (
    BASE_STYLE,
    EncodedGeometry,
    base_map,
    choropleth,
    clicked_region,
    encode_geometry,
    legend_html,
    paint,
)
from cluster_map.maps.classes import LQ_COLOURS, lq_classes, star_classes

from .conftest import ATTR_NAME, XSS_NAME

_DECODER = json.JSONDecoder()


def _call_args(html: str, call: str, key: str) -> list[object]:
    """The JSON arguments after the key in the first ``cmap.<call>("<key>", ...)`` of the page."""
    start = html.index(f'cmap.{call}("{key}", ') + len(f'cmap.{call}("{key}", ')
    args = []
    while True:
        obj, end = _DECODER.raw_decode(html, start)
        args.append(obj)
        if html[end : end + 2] != ", ":
            return args
        start = end + 2


def _decode(data: dict) -> dict[str, list]:
    """Decode packed rings back to lon/lat (what the browser runtime does)."""
    out = {}
    for code, polys in zip(data["c"], data["g"], strict=True):
        rings = []
        for poly in polys:
            for ring in poly:
                xy = np.cumsum(np.asarray(ring, dtype=float).reshape(-1, 2), axis=0) / data["s"]
                rings.append(xy)
        out[code] = rings
    return out


def test_rendered_map_has_no_offsite_links_in_both_modes(layer: gpd.GeoDataFrame, countries) -> None:  # type: ignore[no-untyped-def]
    for mode in ("url", "inline"):
        m = choropleth(
            layer, value_col="value", label_col="name", classes=lq_classes(), base=countries, assets=mode
        )
        html = m.get_root().render()
        assert offsite_links(html) == []
        for host in (
            "cdn.jsdelivr.net",
            "cdnjs.cloudflare.com",
            "code.jquery.com",
            "bootstrapcdn.com",
            "d3js.org",
        ):
            assert host not in html
        if mode == "url":
            assert '<script src="/app/static/vendor/bundle/leaflet+markerclusterjs.js"></script>' in html
        else:
            assert "<script src=" not in html and "Leaflet 1.9.3" in html


def test_hostile_names_stay_text(layer: gpd.GeoDataFrame) -> None:
    html = choropleth(layer, value_col="value", label_col="name", classes=lq_classes()).get_root().render()
    assert XSS_NAME not in html and "<script>alert" not in html
    assert '"onmouseover=' not in html and 'onmouseover="' not in html
    rows = _call_args(html, "paint", "choropleth")[0]["rows"]
    assert rows["AA1"][0] == "AA1 · &lt;script&gt;alert(1)&lt;/script&gt;"
    assert rows["AA2"][0] == "AA2 · Quote&quot; onmouseover=&quot;alert(2)"
    assert rows["AA3"][0] == "AA3 · Plain &amp; simple"
    assert ATTR_NAME not in html


def test_geometry_sends_only_codes_and_rounded_coordinates(layer: gpd.GeoDataFrame) -> None:
    html = choropleth(layer, value_col="value", label_col="name", classes=lq_classes()).get_root().render()
    data, options = _call_args(html, "layer", "choropleth")
    assert set(data) == {"s", "c", "g"} and data["s"] == 10_000
    assert data["c"] == ["AA1", "AA2", "AA3", "AA4"]
    assert options["paint"] is None and options["interactive"] is True
    assert all(isinstance(v, int) for poly in data["g"][0] for ring in poly for v in ring)
    decoded = _decode(data)
    for code, geom in zip(layer["code"], layer.geometry, strict=True):
        expected = np.asarray(geom.exterior.coords)[:-1]
        assert np.allclose(decoded[code][0], expected, atol=1e-4)


def test_colours_follow_the_classes_and_no_data_is_hatched(layer: gpd.GeoDataFrame) -> None:
    p = paint(layer, value_col="value", label_col="name", classes=lq_classes())
    assert p.payload["cls"] == {"AA1": 0, "AA2": 3, "AA3": -1, "AA4": 4}
    assert p.colour_of("AA1") == LQ_COLOURS[0] and p.colour_of("AA4") == LQ_COLOURS[4]
    assert p.colour_of("AA3") == "url(#cm-hatch)" and p.colour_of("ZZ9") is None
    assert p.payload["colours"] == list(LQ_COLOURS)


def test_tooltip_rows_carry_value_rank_flags_version_and_reason(layer: gpd.GeoDataFrame) -> None:
    p = paint(layer, value_col="value", label_col="name", classes=lq_classes(), value_label="LQ")
    assert p.payload["fields"] == ["LQ", "Rank", "Employment", "Source flags"]
    assert p.payload["common"] == [["NUTS version", "2013"]]  # one value for all: sent once
    assert p.payload["rows"]["AA1"][1:] == ["0.50", "3 of 3", "1,200", "e (estimated)"]
    assert p.tooltip("AA1") == (
        "<b>AA1 · &lt;script&gt;alert(1)&lt;/script&gt;</b><br>"
        "LQ: 0.50 (&lt; 0.8 (under-represented))<br>Rank: 3 of 3<br>Employment: 1,200<br>"
        "Source flags: e (estimated)<br>NUTS version: 2013"
    )
    assert p.tooltip("AA3") == (
        "<b>AA3 · Plain &amp; simple</b><br>LQ: no data: confidential in the source (flag c)"
        "<br>Source flags: c (confidential)<br>NUTS version: 2013"
    )
    assert p.tooltip("ZZ9") is None


def test_categorical_values_show_their_class_label(layer: gpd.GeoDataFrame) -> None:
    p = paint(layer, value_col="stars", label_col="name", classes=star_classes(), tooltip_fields=())
    assert p.payload["rows"]["AA4"] == ["AA4 · Nord", ""]
    assert p.tooltip("AA4") == "<b>AA4 · Nord</b><br>Cluster stars: ★★★"
    assert p.payload["rows"]["AA3"][1] == "no data: confidential in the source (flag c)"


def test_legend_lists_classes_and_no_data(layer: gpd.GeoDataFrame) -> None:
    html = (
        choropleth(
            layer,
            value_col="value",
            label_col="name",
            classes=lq_classes(),
            subtitle="C29 <motor vehicles>, 2015",
        )
        .get_root()
        .render()
    )
    legend = _call_args(html, "paint", "choropleth")[0]["legend"]
    assert legend.count('class="cm-swatch') == 6
    for label in (
        "Location quotient",
        "2 – 3 (highly specialised)",
        "≥ 3",
        "no data",
        "&lt;motor vehicles&gt;",
    ):
        assert label in legend
    assert ".cm-legend" in html  # its style is in the page head


def test_legend_refuses_a_colour_that_could_break_out_of_the_style() -> None:
    bad = lq_classes()
    object.__setattr__(bad, "colours", ("red;background:url(x)",) + bad.colours[1:])
    with pytest.raises(InputError, match="not a hex colour"):
        legend_html(bad)


def test_base_map_script_does_not_depend_on_the_paint(layer: gpd.GeoDataFrame) -> None:
    """The geometry map stays byte-identical (ids aside) so st_folium keeps the same component key."""
    enc = encode_geometry(layer)
    scripts = []
    for col in ("value", "stars"):
        m = base_map(enc)
        m.get_root().render()
        scripts.append(re.sub(r"_[0-9a-f]{32}", "_ID", m.get_root().script.render()))
        paint(layer, value_col=col, label_col="name", classes=lq_classes()).feature_group()
    assert scripts[0] == scripts[1]
    assert "cmap.paint" not in scripts[0]


def test_paint_feature_group_holds_only_the_paint(layer: gpd.GeoDataFrame) -> None:
    fg = paint(layer, value_col="value", label_col="name", classes=lq_classes()).feature_group()
    assert fg.control is False
    m = base_map(layer)
    m.add_child(fg)
    html = m.get_root().render()
    assert html.index('cmap.layer("choropleth"') < html.index('cmap.paint("choropleth"')


def test_base_layer_is_drawn_first_and_not_interactive(layer: gpd.GeoDataFrame, countries) -> None:  # type: ignore[no-untyped-def]
    html = base_map(layer, base=countries).get_root().render()
    data, options = _call_args(html, "layer", "base")
    assert data["c"] == ["AA"] and data["s"] == 1000
    assert options["interactive"] is False and options["style"] == BASE_STYLE
    assert html.index('cmap.layer("base"') < html.index('cmap.layer("choropleth"')


def test_map_fits_the_layer_bounds(layer: gpd.GeoDataFrame) -> None:
    m = base_map(layer)
    assert m.get_bounds() == [[50.0, 10.0], [52.5, 12.5]]
    assert "fitBounds" in m.get_root().render()


def test_tiles_are_optional(layer: gpd.GeoDataFrame) -> None:
    assert "L.tileLayer" not in base_map(layer).get_root().render()
    html = (
        base_map(layer, tiles="https://tiles.example.org/{z}/{x}/{y}.png", tiles_attr="© example")
        .get_root()
        .render()
    )
    assert "https://tiles.example.org/{z}/{x}/{y}.png" in html and offsite_links(html) == []


def test_paint_bounds_make_the_rendered_map_fit_them(layer: gpd.GeoDataFrame) -> None:
    """The chosen countries' bounds travel in the paint; the map's runtime fits them when they change."""
    bounds = [[50.0, 10.0], [51.0, 11.0]]
    m = base_map(layer, fit=False)
    m.add_child(
        paint(layer, value_col="value", label_col="name", classes=lq_classes(), bounds=bounds).feature_group()
    )
    html = m.get_root().render()
    (payload,) = _call_args(html, "paint", "choropleth")
    assert payload["bounds"] == bounds
    assert "layer._map.fitBounds(p.bounds)" in html  # applied by the runtime, refit only on a change
    unpainted = base_map(layer, fit=False)
    unpainted.add_child(
        paint(layer, value_col="value", label_col="name", classes=lq_classes()).feature_group()
    )
    assert _call_args(unpainted.get_root().render(), "paint", "choropleth")[0]["bounds"] is None


def test_paint_fit_sends_the_bounds_of_the_painted_regions(layer: gpd.GeoDataFrame) -> None:
    p = paint(layer.iloc[:2], value_col="value", label_col="name", classes=lq_classes(), fit=True)
    assert p.payload["bounds"] == [[50.0, 10.0], [51.0, 12.0]]


def test_encode_geometry_handles_holes_multipolygons_empties_and_crs() -> None:
    ring = shapely.box(0, 0, 4, 4).difference(shapely.box(1, 1, 2, 2))
    multi = shapely.MultiPolygon([shapely.box(5, 5, 6, 6), shapely.box(7, 7, 8, 8)])
    sliver = shapely.Polygon([(9, 9), (9.00001, 9), (9, 9.00001)])  # collapses on the 1e-4 grid
    frame = gpd.GeoDataFrame(
        {"code": ["H", "M", "E", "S"]}, geometry=[ring, multi, shapely.Polygon(), sliver], crs="EPSG:4326"
    )
    enc = encode_geometry(frame)
    data = json.loads(enc.data_json)
    assert enc.codes == ("H", "M") and data["c"] == ["H", "M"]
    assert len(data["g"][0]) == 1 and len(data["g"][0][0]) == 2  # one polygon: shell + hole
    assert len(data["g"][1]) == 2  # two polygons
    assert enc.bounds == ((0.0, 0.0), (9.00001, 9.00001))
    projected = encode_geometry(frame.iloc[:2].to_crs("EPSG:3035"))
    corners = _decode(json.loads(projected.data_json))["M"][0]
    assert sorted(map(tuple, np.round(corners, 3).tolist())) == [(5, 5), (5, 6), (6, 5), (6, 6)]


def test_encoded_geometry_is_smaller_than_geojson(layer: gpd.GeoDataFrame) -> None:
    enc = encode_geometry(layer)
    assert isinstance(enc, EncodedGeometry)
    assert enc.nbytes < len(layer[["code", "geometry"]].to_json().encode())


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda g: encode_geometry(g, code_col="nuts"), "no column 'nuts'"),
        (lambda g: encode_geometry(g.iloc[:0]), "no polygon geometry"),
        (lambda g: paint(g, value_col="lq", label_col="name", classes=lq_classes()), "no column 'lq'"),
    ],
)
def test_bad_layers_are_refused(layer: gpd.GeoDataFrame, call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        call(layer)


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        ({"last_active_drawing": {"type": "Feature", "properties": {"c": "DE21"}}}, "DE21"),
        ({"last_active_drawing": {"properties": {"o": "EUCO1"}}, "last_object_clicked_tooltip": None}, None),
        ({"last_active_drawing": None, "last_object_clicked_tooltip": "FR10 · Île-de-FranceLQ: 1.2"}, "FR10"),
        ({"last_object_clicked_tooltip": "Cluster organisations"}, None),
        ({}, None),
        (None, None),
    ],
)
def test_clicked_region(returned: dict | None, expected: str | None) -> None:
    assert clicked_region(returned) == expected


@pytest.mark.mirror
def test_real_nuts2_layer_renders_offline_and_small(mirror) -> None:  # type: ignore[no-untyped-def]
    from cluster_map.geo import coverage_simplify

    g = gpd.read_file(mirror / "gisco/nuts/geojson/NUTS_RG_20M_2021_4326_LEVL_2.geojson")
    g = gpd.GeoDataFrame(
        {"code": g["NUTS_ID"], "name": g["NAME_LATN"]},
        geometry=coverage_simplify(g.geometry, 0.015),
        crs="EPSG:4326",
    )
    g["value"] = np.linspace(0.1, 4.0, len(g))
    g.loc[g.index[:5], "value"] = np.nan
    m = choropleth(g, value_col="value", label_col="name", classes=lq_classes())
    html = m.get_root().render()
    assert offsite_links(html) == []
    data = _call_args(html, "layer", "choropleth")[0]
    assert sorted(data["c"]) == sorted(g["code"])
    assert len(html.encode()) < 600_000
    p = _call_args(html, "paint", "choropleth")[0]
    assert sum(1 for v in p["cls"].values() if v < 0) == 5


def test_paint_takes_explicit_bounds_for_a_plain_frame(layer: gpd.GeoDataFrame) -> None:
    frame = layer.drop(columns="geometry")
    p = paint(frame, value_col="value", label_col="name", classes=lq_classes(), bounds=((50, 10), (51, 12)))
    assert p.payload["bounds"] == [[50.0, 10.0], [51.0, 12.0]]
    assert (
        paint(frame, value_col="value", label_col="name", classes=lq_classes(), fit=True).payload["bounds"]
        is None
    )


def test_non_interactive_base_map_draws_plain_countries(countries: gpd.GeoDataFrame) -> None:
    html = base_map(countries, key="orgbase", interactive=False).get_root().render()
    options = _call_args(html, "layer", "orgbase")[1]
    assert options["interactive"] is False and options["style"] == BASE_STYLE


def test_published_geometry_is_fetched_not_embedded(layer: gpd.GeoDataFrame, countries, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from cluster_map.maps.choropleth import publish_geometry

    enc, benc = encode_geometry(layer), encode_geometry(countries, precision=3)
    url = publish_geometry(enc, tmp_path, base_url="/app/static/")
    assert url.startswith("/app/static/vendor/geo/") and url.endswith(".json")
    written = tmp_path / "vendor" / "geo" / url.rsplit("/", 1)[1]
    assert written.read_text(encoding="utf-8") == enc.data_json
    stamp = written.stat().st_mtime_ns
    assert publish_geometry(enc, tmp_path) == url and written.stat().st_mtime_ns == stamp
    burl = publish_geometry(benc, tmp_path)
    assert burl != url
    m = base_map(enc, base=benc, geometry_url=url, base_geometry_url=burl)
    html = m.get_root().render()
    data, options = _call_args(html, "layer", "choropleth")
    assert data is None and options["url"] == url
    assert _call_args(html, "layer", "base")[1]["url"] == burl
    assert enc.data_json not in html and offsite_links(html) == []
    assert np.allclose(m.get_bounds(), [[49.8, 9.8], [52.7, 12.7]])  # the countries around the regions
