"""Geometry helpers shared by every layer: CRS constants, coverage simplification, WKB, repair.

Storage and maps use lon/lat (EPSG:4326). Areas and distances are computed only in an equal-area
projected CRS: ETRS89-LAEA (EPSG:3035) for Europe, NAD83 / Conus Albers (EPSG:5070) for the US.

Display geometry is *coverage*-simplified: simplifying each polygon alone opens gaps and overlaps
between neighbours, so the polygons of one level are simplified together, after snapping their
vertices to a common grid, and shared borders stay shared.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import shapely

from cluster_map.errors import SourceError

#: CRS of every geometry in the store and on maps (WGS84 lon/lat).
STORAGE_CRS = "EPSG:4326"
#: Equal-area CRS for areas and distances in Europe (ETRS89-extended / LAEA Europe).
EUROPE_CRS = "EPSG:3035"
#: Equal-area CRS for areas and distances in the conterminous US (NAD83 / Conus Albers).
US_CRS = "EPSG:5070"

#: Grid (degrees) that display coordinates are rounded to: 1e-4 deg is about 11 m.
DISPLAY_GRID = 1e-4
#: Grid (degrees) that full geometries are snapped to before coverage simplification.
SNAP_GRID = 1e-6
#: Default simplification tolerance (degrees) per NUTS / US level for display geometry.
DISPLAY_TOLERANCE: dict[int, float] = {0: 0.1, 1: 0.08, 2: 0.06, 3: 0.04}
#: Lon/lat box (west, south, east, north) of the regions an interactive map of an area zooms to: a region
#: whose label point lies outside (the outermost regions: Canarias, Madeira, Azores, the French overseas
#: departments; Alaska, Hawaii and the territories) does not widen the view.
VIEW_EXTENTS: dict[str, tuple[float, float, float, float]] = {
    "europe": (-25.0, 33.5, 46.0, 72.0),
    "us": (-125.0, 24.0, -66.0, 50.0),
}

__all__ = [
    "VIEW_EXTENTS",
    "DISPLAY_GRID",
    "DISPLAY_TOLERANCE",
    "EUROPE_CRS",
    "REPAIR_AREA_TOLERANCE",
    "Repair",
    "SNAP_GRID",
    "STORAGE_CRS",
    "US_CRS",
    "coverage_simplify",
    "display_geometry",
    "from_wkb",
    "geojson_bytes",
    "repair",
    "repair_geometries",
    "to_wkb",
]


def coverage_simplify(
    geoms: gpd.GeoSeries | gpd.GeoDataFrame | Sequence[shapely.Geometry] | np.ndarray,
    tolerance: float,
    *,
    grid: float = DISPLAY_GRID,
    snap: float = SNAP_GRID,
) -> np.ndarray:
    """Simplify polygons that tile a surface together, keeping shared borders shared.

    Parameters
    ----------
    geoms
        Polygons of **one** level (a coverage: they may touch but not overlap).
    tolerance
        Simplification tolerance in the units of the coordinates (degrees for EPSG:4326).
    grid
        Final coordinate grid (``1e-4`` degrees rounds to 4 decimals, about 11 m).
    snap
        Grid that vertices are snapped to before simplifying, so that nearly-equal vertices of
        neighbours become equal and GEOS sees one shared edge.

    Returns
    -------
    numpy.ndarray of shapely geometries, same order and length as ``geoms``. A polygon that
    would collapse keeps its snapped (unsimplified) form rather than vanishing; missing or empty
    geometries give ``None``.

    Notes
    -----
    Three steps: ``shapely.set_precision(g, snap)`` (snap), ``shapely.coverage_simplify(g,
    tolerance)`` (GEOS CoverageSimplifier, a Visvalingam-Whyatt variant that simplifies each
    shared edge once; JTS ``CoverageSimplifier``, M. Davis 2023), then ``set_precision(g, grid)``.
    Rounding is pointwise, a function of the coordinate only, so a vertex shared by two polygons
    rounds to the same point in both; a geometry that rounding makes invalid is rounded again in
    GEOS' validity-preserving mode.
    """
    arr = _as_array(geoms)
    out = np.full(arr.shape, None, dtype=object)
    present = ~(shapely.is_missing(arr) | shapely.is_empty(arr)) if arr.size else np.zeros(0, bool)
    if not present.any():
        return out
    # Pointwise rounding is ~10x faster than GEOS' validity-preserving mode; the few geometries
    # that rounding makes invalid are redone in the slow mode.
    snapped = shapely.set_precision(arr[present], snap, mode="pointwise")
    bad = ~shapely.is_valid(snapped)
    if bad.any():
        snapped[bad] = shapely.set_precision(arr[present][bad], snap)
    simplified = shapely.coverage_simplify(snapped, tolerance)
    rounded = shapely.set_precision(simplified, grid, mode="pointwise")
    bad = ~shapely.is_valid(rounded)
    if bad.any():
        rounded[bad] = shapely.set_precision(simplified[bad], grid)
    lost = shapely.is_empty(rounded)
    if lost.any():
        rounded[lost] = shapely.set_precision(snapped[lost], grid)
    out[present] = rounded
    return out


def display_geometry(
    frame: gpd.GeoDataFrame,
    *,
    level_column: str = "level",
    tolerance: dict[int, float] | None = None,
    grid: float = DISPLAY_GRID,
) -> gpd.GeoSeries:
    """Coverage-simplified display geometry of ``frame``, simplified level by level.

    Each level is a separate coverage (a NUTS 1 region overlaps its NUTS 2 regions), so levels are
    never simplified together. ``tolerance`` maps level -> tolerance (default
    :data:`DISPLAY_TOLERANCE`).
    """
    tol = DISPLAY_TOLERANCE if tolerance is None else tolerance
    out = np.empty(len(frame), dtype=object)
    levels = frame[level_column].to_numpy()
    geoms = np.asarray(frame.geometry.array, dtype=object)
    for level in sorted(set(levels.tolist())):
        mask = levels == level
        out[mask] = coverage_simplify(geoms[mask], tol.get(int(level), min(tol.values())), grid=grid)
    return gpd.GeoSeries(out, index=frame.index, crs=frame.crs)


#: Largest relative change of a region's area that a ``make_valid`` repair may make (1 %): the area of
#: the invalid polygon as drawn (GEOS' signed-ring area) against the area of the repaired one, both in
#: an equal-area CRS. A small self-intersection (a ring that crosses itself in a tiny loop) changes the
#: area by far less; a bow tie or a ring whose vertices are out of order changes it by much more, and
#: then the region is refused rather than guessed.
REPAIR_AREA_TOLERANCE = 0.01


@dataclass(frozen=True)
class Repair:
    """One geometry repaired by ``make_valid``: the region, why it was invalid, how its area changed."""

    code: str
    reason: str  # shapely.is_valid_reason of the original
    area_change: float  # relative change of the area (0.002 = 0.2 %)

    def __str__(self) -> str:
        return f"{self.code} ({self.reason}; area changed by {100 * self.area_change:.3f} %)"


def repair(
    frame: gpd.GeoDataFrame,
    *,
    source: str,
    code_column: str = "code",
    allow_empty: bool = False,
    area_crs: str = EUROPE_CRS,
    tolerance: float = REPAIR_AREA_TOLERANCE,
) -> gpd.GeoDataFrame:
    """``frame`` with invalid polygons repaired (see :func:`repair_geometries`, which also lists the repairs)."""
    return repair_geometries(
        frame,
        source=source,
        code_column=code_column,
        allow_empty=allow_empty,
        area_crs=area_crs,
        tolerance=tolerance,
    )[0]


def repair_geometries(
    frame: gpd.GeoDataFrame,
    *,
    source: str,
    code_column: str = "code",
    allow_empty: bool = False,
    area_crs: str = EUROPE_CRS,
    tolerance: float = REPAIR_AREA_TOLERANCE,
) -> tuple[gpd.GeoDataFrame, tuple[Repair, ...]]:
    """Return ``frame`` with invalid polygons repaired by ``shapely.make_valid``, and the repairs made.

    A repair is kept only when it changes the region's area by at most ``tolerance`` (relative, areas
    in ``area_crs``; :data:`REPAIR_AREA_TOLERANCE`). Polygonal parts are kept (a repair can add slivers
    of lines or points, which are dropped). With ``allow_empty`` a missing or empty geometry becomes
    ``None`` instead of an error (a region too small for the scale of the file, e.g. county 51610 in
    us-atlas 1:10m).

    Raises
    ------
    SourceError
        Naming every region code (and ``source``) whose geometry is missing, empty, cannot be
        repaired into a valid (multi)polygon, or whose repair would change its area by more than
        ``tolerance``.
    """
    geoms = np.asarray(frame.geometry.array, dtype=object).copy()
    codes = frame[code_column].astype(str).tolist()
    problems: list[str] = []
    repairs: list[Repair] = []
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if not allow_empty:
        for i in np.flatnonzero(missing):
            problems.append(f"{codes[i]!r}: geometry is missing or empty")
    geoms[missing] = None
    bad = ~missing & ~shapely.is_valid(geoms)
    if bad.any():
        fixed = geoms.copy()
        for i in np.flatnonzero(bad):
            reason = shapely.is_valid_reason(geoms[i])
            repaired = _polygonal(shapely.make_valid(geoms[i]))
            if repaired is None or not repaired.is_valid:
                problems.append(f"{codes[i]!r}: invalid geometry ({reason}) that make_valid cannot repair")
                continue
            before, after = gpd.GeoSeries([geoms[i], repaired], crs=frame.crs).to_crs(area_crs).area
            change = abs(after - before) / before if before > 0 else float("inf")
            if change > tolerance:
                problems.append(
                    f"{codes[i]!r}: invalid geometry ({reason}); make_valid would change its area "
                    f"from {before / 1e6:,.1f} to {after / 1e6:,.1f} km2 ({_percent(change)}), more "
                    f"than the {100 * tolerance:g} % a repair may change (REPAIR_AREA_TOLERANCE)"
                )
                continue
            fixed[i] = repaired
            repairs.append(Repair(codes[i], reason, float(change)))
        geoms = fixed
    if problems:
        raise SourceError(
            f"Invalid region geometry in {source}; fix or replace the file (a fresh download from the "
            f"official URL), or remove these regions:",
            problems,
        )
    out = frame.copy()
    out[out.geometry.name] = gpd.GeoSeries(geoms, index=frame.index, crs=frame.crs)
    return out, tuple(repairs)


def _percent(change: float) -> str:
    return "a change without limit" if change == float("inf") else f"{100 * change:.1f} %"


def to_wkb(geoms: Iterable[shapely.Geometry] | gpd.GeoSeries) -> list[bytes]:
    """Encode geometries as ISO WKB (bytes) for the store's ``BLOB`` columns."""
    return [bytes(b) for b in shapely.to_wkb(_as_array(geoms), output_dimension=2)]


def from_wkb(blobs: Iterable[bytes | bytearray | memoryview], *, crs: str = STORAGE_CRS) -> gpd.GeoSeries:
    """Decode WKB blobs (as read back from the store) into a GeoSeries in ``crs``."""
    data = np.array([bytes(b) for b in blobs], dtype=object)
    return gpd.GeoSeries(shapely.from_wkb(data), crs=crs)


def _polygonal(geom: shapely.Geometry) -> shapely.Geometry | None:
    """Polygonal part of a geometry (make_valid may return a collection with lines/points)."""
    if geom is None or geom.is_empty:
        return None
    if isinstance(geom, (shapely.Polygon, shapely.MultiPolygon)):
        return geom
    parts = [g for g in shapely.get_parts(geom) if isinstance(g, (shapely.Polygon, shapely.MultiPolygon))]
    if not parts:
        return None
    merged = shapely.union_all(parts)
    return merged if not merged.is_empty else None


def _as_array(geoms: Any) -> np.ndarray:
    if isinstance(geoms, gpd.GeoDataFrame):
        geoms = geoms.geometry
    if isinstance(geoms, gpd.GeoSeries):
        return np.asarray(geoms.array, dtype=object)
    return np.asarray(list(geoms) if not isinstance(geoms, np.ndarray) else geoms, dtype=object)


def geojson_bytes(geoms: gpd.GeoSeries, *, properties: Sequence[str] | None = None) -> int:
    """Size in bytes of ``geoms`` written as a GeoJSON FeatureCollection (what a map embeds).

    ``properties`` (optional) gives one id string per feature, written as ``{"code": ...}``.
    """
    codes = list(properties) if properties is not None else [str(i) for i in range(len(geoms))]
    frame = gpd.GeoDataFrame({"code": codes}, geometry=np.asarray(geoms.array, dtype=object), crs=geoms.crs)
    return len(frame.to_json(drop_id=True).encode("utf-8"))
