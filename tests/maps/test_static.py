"""Static choropleth for reports: a valid PNG of the requested size, legend and source drawn."""

from __future__ import annotations

import io
import struct

import geopandas as gpd
import numpy as np
import pytest
import shapely
from PIL import Image

from cluster_map.errors import InputError
from cluster_map.maps.classes import LQ_COLOURS, lq_classes
from cluster_map.maps.static import static_choropleth

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


def _size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_MAGIC and png[12:16] == b"IHDR"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def _colours(png: bytes) -> set[str]:
    img = Image.open(io.BytesIO(png)).convert("RGB")
    return {"#{:02x}{:02x}{:02x}".format(*px) for _, px in img.getcolors(maxcolors=1_000_000)}


def test_png_has_the_requested_size(layer: gpd.GeoDataFrame) -> None:
    png = static_choropleth(layer, "value", title="LQ", classes=lq_classes(), source="Source: test")
    assert _size(png) == (1050, 900)
    small = static_choropleth(layer, "value", title="LQ", figsize=(4, 3), dpi=100)
    assert _size(small) == (400, 300)
    Image.open(io.BytesIO(png)).verify()


def test_class_colours_appear_in_the_image(layer: gpd.GeoDataFrame, countries) -> None:  # type: ignore[no-untyped-def]
    png = static_choropleth(
        layer, "value", title="LQ", classes=lq_classes(), base=countries, source="Source: x"
    )
    seen = _colours(png)
    for i in (0, 3, 4):  # the classes of AA1, AA2, AA4
        assert LQ_COLOURS[i] in seen


def test_title_legend_and_source_change_the_picture(layer: gpd.GeoDataFrame) -> None:
    plain = static_choropleth(layer, "value", title="A", classes=lq_classes())
    sourced = static_choropleth(layer, "value", title="A", classes=lq_classes(), source="Source: Eurostat")
    assert plain != sourced


def test_default_classes_follow_the_metric(layer: gpd.GeoDataFrame) -> None:
    png = static_choropleth(
        layer.assign(v=[1.0, 2.0, np.nan, 3.0]), "v", title="Quantiles", legend_loc="lower left"
    )
    assert _size(png) == (1050, 900)
    lq = static_choropleth(layer.rename(columns={"value": "lq"}), "lq", title="LQ")
    assert LQ_COLOURS[4] in _colours(lq)  # the fixed LQ classes, as in the app


def test_a_map_without_any_value_is_all_no_data(layer: gpd.GeoDataFrame) -> None:
    png = static_choropleth(layer.assign(v=np.nan), "v", title="Nothing")
    assert _size(png) == (1050, 900)


def test_us_states_are_drawn_in_conus_albers() -> None:
    states = gpd.GeoDataFrame(
        {"lq": [0.5, 2.5]},
        geometry=[shapely.box(-100, 35, -95, 40), shapely.box(-95, 35, -90, 40)],
        crs="EPSG:4326",
    )
    png = static_choropleth(states, "lq", title="US")
    seen = _colours(png)
    assert LQ_COLOURS[0] in seen and LQ_COLOURS[3] in seen


def test_overseas_regions_do_not_shrink_a_europe_map() -> None:
    mainland = shapely.box(2, 46, 8, 50)
    overseas = shapely.box(-62, 14, -60, 16)  # Caribbean
    gdf = gpd.GeoDataFrame({"value": [1.0, 2.0]}, geometry=[mainland, overseas], crs="EPSG:4326")
    full = static_choropleth(gdf, "value", title="t", classes=lq_classes(), extent="data")
    auto = static_choropleth(gdf, "value", title="t", classes=lq_classes())

    # with the mainland window the mainland square fills much more of the picture
    def share(png: bytes) -> float:
        img = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"))
        target = np.array([int(LQ_COLOURS[1][i : i + 2], 16) for i in (1, 3, 5)])
        return float((np.abs(img.astype(int) - target).sum(axis=2) < 10).mean())

    assert share(auto) > 5 * share(full)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda g: g.drop(columns="value"), "no column 'value'"),
        (lambda g: g.set_crs(None, allow_override=True), "no CRS"),
        (lambda g: g.iloc[:0], "no regions"),
    ],
)
def test_bad_input(layer: gpd.GeoDataFrame, change, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        static_choropleth(change(layer), "value", title="t")


@pytest.mark.mirror
def test_real_country_map(mirror, artifacts) -> None:  # type: ignore[no-untyped-def]
    g = gpd.read_file(mirror / "gisco/nuts/geojson/NUTS_RG_20M_2021_4326_LEVL_2.geojson")
    es = g[g["CNTR_CODE"] == "ES"].copy()
    es["value"] = np.linspace(0.3, 3.5, len(es))
    png = static_choropleth(
        es,
        "value",
        title="Spain: LQ (test values)",
        classes=lq_classes(),
        source="© EuroGeographics for the administrative boundaries",
    )
    (artifacts / "static_choropleth_es.png").write_bytes(png)
    assert _size(png) == (1050, 900)


def test_highlight_outlines_regions_and_names_them_in_the_legend() -> None:
    import geopandas as gpd
    from shapely.geometry import box

    from cluster_map.maps.static import static_choropleth

    gdf = gpd.GeoDataFrame(
        {"code": ["A", "B", "C"], "lq": [0.5, 1.5, 2.5]},
        geometry=[box(10, 50, 11, 51), box(11, 50, 12, 51), box(12, 50, 13, 51)],
        crs="EPSG:4326",
    )
    plain = static_choropleth(gdf, "lq", title="t")
    marked = static_choropleth(gdf, "lq", title="t", highlight=["B"], highlight_label="Group")
    assert marked[:8] == b"\x89PNG\r\n\x1a\n" and marked != plain
