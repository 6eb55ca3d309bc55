"""Geometry helpers: coverage simplification keeps shared borders, WKB round trip, repair."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_map.errors import SourceError
from cluster_map.geo import (
    EUROPE_CRS,
    REPAIR_AREA_TOLERANCE,
    STORAGE_CRS,
    coverage_simplify,
    display_geometry,
    from_wkb,
    geojson_bytes,
    repair,
    repair_geometries,
    to_wkb,
)


@pytest.fixture()
def adjacent(fixtures: Path) -> gpd.GeoDataFrame:
    return gpd.read_file(fixtures / "geo" / "adjacent.geojson")


TOLERANCE = 0.05  # coverage simplification: removes the wiggles of the border
PER_POLYGON_TOLERANCE = 0.02  # Douglas-Peucker per polygon: diverges on this fixture


def _border_vertices(g: shapely.Geometry) -> set[tuple[float, float]]:
    return {(x, y) for x, y in shapely.get_coordinates(g).tolist() if 0.98 < x < 1.02 and 0 < y < 1}


def _shared_edge(a: shapely.Geometry, b: shapely.Geometry) -> shapely.Geometry:
    return shapely.line_merge(shapely.intersection(a.boundary, b.boundary))


def test_coverage_simplify_keeps_the_shared_edge_identical(adjacent: gpd.GeoDataFrame) -> None:
    a, b = coverage_simplify(adjacent, TOLERANCE, grid=1e-4)
    assert shapely.get_num_coordinates(a) < shapely.get_num_coordinates(adjacent.geometry.iloc[0])
    # the border vertices (x near 1, strictly between the corners) are the same points in both
    assert _border_vertices(a) == _border_vertices(b)
    assert len(_border_vertices(a)) >= 2
    # no gap, no overlap: union area equals the sum of areas and equals the original total
    assert shapely.union_all([a, b]).area == pytest.approx(a.area + b.area, rel=1e-9)
    assert a.area + b.area == pytest.approx(2.0, rel=1e-6)
    assert shapely.area(shapely.intersection(a, b)) == pytest.approx(0.0, abs=1e-12)


def test_the_fixture_would_catch_per_polygon_simplification(adjacent: gpd.GeoDataFrame) -> None:
    # Simplifying each polygon alone opens gaps/overlaps along the wiggly border: the test above
    # is able to fail.
    a, b = shapely.simplify(np.asarray(adjacent.geometry.array), PER_POLYGON_TOLERANCE)
    assert _border_vertices(a) != _border_vertices(b)
    assert shapely.area(shapely.intersection(a, b)) > 1e-4


def test_coverage_simplify_rounds_to_the_grid(adjacent: gpd.GeoDataFrame) -> None:
    out = coverage_simplify(adjacent, 0.01, grid=1e-4)
    coords = shapely.get_coordinates(out)
    assert np.allclose(coords, np.round(coords, 4), atol=1e-12)


def test_coverage_simplify_keeps_missing_as_none() -> None:
    out = coverage_simplify([shapely.box(0, 0, 1, 1), None, shapely.box(1, 0, 2, 1)], 0.1)
    assert out[1] is None and out[0].area == pytest.approx(1.0)


def test_display_geometry_simplifies_levels_separately(adjacent: gpd.GeoDataFrame) -> None:
    frame = adjacent.assign(level=[1, 2])
    display = display_geometry(frame, tolerance={1: TOLERANCE, 2: 0.0})
    assert len(display) == 2 and display.crs == adjacent.crs
    assert shapely.get_num_coordinates(display.iloc[0]) < shapely.get_num_coordinates(
        adjacent.geometry.iloc[0]
    )


@settings(max_examples=30, deadline=None)
@given(
    st.lists(st.tuples(st.floats(-170, 170), st.floats(-80, 80), st.floats(0.01, 5)), min_size=1, max_size=6)
)
def test_wkb_round_trip(boxes: list[tuple[float, float, float]]) -> None:
    geoms = gpd.GeoSeries([shapely.box(x, y, x + d, y + d) for x, y, d in boxes], crs=STORAGE_CRS)
    back = from_wkb(to_wkb(geoms))
    assert back.crs == geoms.crs
    assert all(shapely.equals_exact(p, q, tolerance=0) for p, q in zip(geoms, back, strict=True))


#: A 1x1 degree region whose ring crosses itself in a small loop on its west side (GEOS: Self-intersection).
TWISTED = shapely.Polygon(
    [
        (14, 45),
        (15, 45),
        (15, 46),
        (14, 46),
        (14, 45.51),
        (14.01, 45.49),
        (14.01, 45.51),
        (14, 45.49),
        (14, 45),
    ]
)


def test_repair_fixes_a_small_self_intersection_and_lists_it() -> None:
    frame = gpd.GeoDataFrame(
        {"code": ["AT1", "AT2"]}, geometry=[TWISTED, shapely.box(15, 45, 16, 46)], crs=STORAGE_CRS
    )
    fixed, repairs = repair_geometries(frame, source="test.geojson")
    assert fixed.geometry.is_valid.all()
    assert [r.code for r in repairs] == ["AT1"] and "Self-intersection" in repairs[0].reason
    assert 0 < repairs[0].area_change < REPAIR_AREA_TOLERANCE  # the loop is 0.01 % of the region
    assert repairs[0].area_change == pytest.approx(1e-4, rel=0.05)
    assert "area changed by 0.010 %" in str(repairs[0])
    assert fixed.geometry.iloc[1].equals(shapely.box(15, 45, 16, 46))


def test_repair_refuses_a_bow_tie_whose_area_it_would_change() -> None:
    """A bow tie's rings cancel (area as drawn 0): make_valid would invent an area, so the region is refused."""
    bow = shapely.Polygon([(14, 45), (16, 47), (16, 45), (14, 47), (14, 45)])
    frame = gpd.GeoDataFrame({"code": ["AT1", "AT2"]}, geometry=[bow, TWISTED], crs=STORAGE_CRS)
    with pytest.raises(SourceError) as err:
        repair(frame, source="NUTS_RG_test.geojson")
    assert len(err.value.problems) == 1
    assert err.value.problems[0].startswith("'AT1': invalid geometry (Self-intersection")
    assert "more than the 1 % a repair may change" in str(err.value) and "NUTS_RG_test.geojson" in str(
        err.value
    )


def test_the_repair_tolerance_is_a_parameter() -> None:
    frame = gpd.GeoDataFrame({"code": ["AT1"]}, geometry=[TWISTED], crs=STORAGE_CRS)
    with pytest.raises(SourceError, match="'AT1'"):
        repair(frame, source="x", tolerance=1e-5)


def test_repair_names_every_region_it_cannot_repair() -> None:
    line_like = shapely.Polygon([(0, 0), (1, 0), (2, 0), (0, 0)])
    frame = gpd.GeoDataFrame(
        {"code": ["DE1", "DE2", "DE3"]}, geometry=[line_like, shapely.box(0, 0, 1, 1), None], crs=STORAGE_CRS
    )
    with pytest.raises(SourceError) as err:
        repair(frame, source="NUTS_RG_test.geojson")
    text = str(err.value)
    assert "NUTS_RG_test.geojson" in text and "'DE1'" in text and "'DE3'" in text and "'DE2'" not in text
    assert len(err.value.problems) == 2


def test_repair_allows_empty_when_asked() -> None:
    frame = gpd.GeoDataFrame({"code": ["51610"]}, geometry=[None], crs=STORAGE_CRS)
    assert repair(frame, source="x", allow_empty=True).geometry.iloc[0] is None


def test_geojson_bytes_grows_with_vertices(adjacent: gpd.GeoDataFrame) -> None:
    simplified = gpd.GeoSeries(coverage_simplify(adjacent, TOLERANCE), crs=adjacent.crs)
    assert geojson_bytes(simplified) < geojson_bytes(adjacent.geometry)


@pytest.mark.mirror
def test_real_nuts2_coverage_stays_a_coverage(mirror: Path) -> None:
    nuts2 = gpd.read_file(mirror / "gisco/nuts/geojson/NUTS_RG_20M_2021_4326_LEVL_2.geojson")
    simplified = gpd.GeoSeries(coverage_simplify(nuts2, 0.06), crs=nuts2.crs)
    full_ea, simple_ea = nuts2.geometry.to_crs(EUROPE_CRS), simplified.to_crs(EUROPE_CRS)
    # no gaps or overlaps created: union area == sum of areas (to 1e-6), and the total area moves < 0.5%
    assert simple_ea.union_all().area == pytest.approx(simple_ea.area.sum(), rel=1e-6)
    assert simple_ea.area.sum() == pytest.approx(full_ea.area.sum(), rel=5e-3)
    assert shapely.coverage_is_valid(np.asarray(simplified.array))
    assert shapely.is_valid(np.asarray(simplified.array)).all()
    # Bayern (DE2x) and Baden-Wuerttemberg (DE1x) still share a border line
    codes = list(nuts2["NUTS_ID"])
    de14, de27 = simplified.iloc[codes.index("DE14")], simplified.iloc[codes.index("DE27")]
    assert _shared_edge(de14, de27).length > 0.1


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.lists(st.floats(-0.04, 0.04), min_size=3, max_size=12), min_size=1, max_size=4),
    st.floats(0.005, 0.2),
)
def test_property_strips_stay_a_coverage(jitters: list[list[float]], tolerance: float) -> None:
    """Strips of a unit square split by jagged borders: simplified, they still tile the square."""
    borders = []
    for k, jitter in enumerate(jitters, start=1):
        x0 = k / (len(jitters) + 1)
        ys = np.linspace(0, 1, len(jitter) + 2)
        xs = [x0, *[x0 + j for j in jitter], x0]
        borders.append(list(zip(xs, ys, strict=True)))
    strips = []
    edges = [[(0.0, 0.0), (0.0, 1.0)], *borders, [(1.0, 0.0), (1.0, 1.0)]]
    for a, b in zip(edges[:-1], edges[1:], strict=True):
        strips.append(shapely.Polygon([*a, *reversed(b)]))
    geoms = np.array(strips, dtype=object)
    if not shapely.is_valid(geoms).all():
        return  # jitters that cross are not a coverage to begin with
    out = coverage_simplify(geoms, tolerance, grid=1e-4)
    assert shapely.is_valid(out).all()
    assert shapely.union_all(out).area == pytest.approx(sum(g.area for g in out), abs=1e-9)
    assert sum(g.area for g in out) == pytest.approx(1.0, abs=1e-6)
