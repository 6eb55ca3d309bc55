"""US region geometries from TopoJSON: nation, states, counties (us-atlas), EAs and MSAs (US CMP).

TopoJSON (https://github.com/topojson/topojson-specification) stores shared borders once, as *arcs*;
a polygon ring lists arc indexes (``~i``, i.e. ``-i - 1``, means arc ``i`` reversed). A quantised
topology stores arcs as integer deltas: position ``k`` of an arc is the cumulative sum of its
first ``k + 1`` points, mapped to lon/lat by ``x * scale + translate``. The decoder here needs no
extra dependency.

Files: ``us_atlas/us-atlas@3.0.1/states-10m.json`` (objects ``states``, ``nation``),
``counties-10m.json`` (``counties``) and the U.S. Cluster Mapping Project's
``countiesEasMsas.json`` (``eas``: BEA Economic Areas, ``msas``: metropolitan and micropolitan
statistical areas).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cluster_map.errors import SourceError
from cluster_map.geo import STORAGE_CRS, US_CRS, Repair, display_geometry, repair_geometries
from cluster_map.schema import US_CMP_LICENCE, SourceFile
from cluster_map.sources.fetch import Fetched, SourceResolver

US_ATLAS_LICENCE: Final = "US Census Bureau cartographic boundaries (public domain); us-atlas packaging ISC"
_ATLAS_CDN: Final = "https://cdn.jsdelivr.net/npm/us-atlas@3.0.1/"
_CMP_RAW: Final = (
    "https://raw.githubusercontent.com/clustermapping/cmp/f1b2b674482e3016a90dccfce9dc2c0c4638898b/"
)

STATES_FILE: Final = SourceFile(
    "us_atlas/us-atlas@3.0.1/states-10m.json",
    _ATLAS_CDN + "states-10m.json",
    "US Census Bureau (us-atlas)",
    US_ATLAS_LICENCE,
)
COUNTIES_FILE: Final = SourceFile(
    "us_atlas/us-atlas@3.0.1/counties-10m.json",
    _ATLAS_CDN + "counties-10m.json",
    "US Census Bureau (us-atlas)",
    US_ATLAS_LICENCE,
)
EAS_MSAS_FILE: Final = SourceFile(
    "us_cluster_mapping/cmp/data/web/viz/json/countiesEasMsas.json",
    _CMP_RAW + "data/web/viz/json/countiesEasMsas.json",
    "U.S. Cluster Mapping Project",
    US_CMP_LICENCE,
)

#: Columns of the frame returned by :func:`read_us_regions`.
US_REGION_COLUMNS: Final = (
    "code",
    "nuts_version",
    "level",
    "country",
    "name",
    "parent",
    "kind",
    "label_lon",
    "label_lat",
    "geometry",
    "display",
)
#: The nation has no id or name in us-atlas; this is the code and name used for it.
NATION_CODE: Final = "US"
NATION_NAME: Final = "United States"
# kind -> level (contract: 0 nation, 1 state, 2 EA/MSA, 3 county)
_LEVEL: Final = {"us_nation": 0, "us_state": 1, "us_ea": 2, "us_msa": 2, "us_county": 3}
_EXTENT: Final = (-180.0, -15.0, 180.0, 72.0)  # lon/lat envelope of US states and territories


def decode_topology(
    topology: dict[str, Any], object_name: str, *, source: str = "topology"
) -> list[tuple[str | None, dict[str, Any], shapely.Geometry | None]]:
    """Decode one object of a TopoJSON topology into ``(id, properties, geometry)`` triples.

    Geometries are shapely objects in the topology's coordinates (lon/lat for us-atlas). Null
    geometries decode to ``None``. A ``GeometryCollection`` object yields one triple per member.

    Raises
    ------
    SourceError
        If ``object_name`` is not in the topology or an arc index is out of range.
    """
    objects = topology.get("objects", {})
    if object_name not in objects:
        raise SourceError(
            f"TopoJSON {source!r} has no object {object_name!r} (has {sorted(objects)!r}); "
            f"use the official file."
        )
    arcs = _decode_arcs(topology, source)
    transform = topology.get("transform")
    obj = objects[object_name]
    members = obj.get("geometries", []) if obj.get("type") == "GeometryCollection" else [obj]
    out = []
    for geo in members:
        gid = geo.get("id")
        try:
            geom = _geometry(geo, arcs, transform)
        except IndexError:
            raise SourceError(
                f"TopoJSON {source!r}, object {object_name!r}: geometry {gid!r} refers to an "
                f"arc that does not exist; the file is truncated or corrupt."
            ) from None
        out.append((None if gid is None else str(gid), dict(geo.get("properties") or {}), geom))
    return out


def _decode_arcs(topology: dict[str, Any], source: str) -> list[np.ndarray]:
    transform = topology.get("transform")
    arcs = []
    for i, arc in enumerate(topology.get("arcs", [])):
        try:
            a = np.asarray(arc, dtype=float)
        except ValueError:  # positions with extra members (z, m): keep x, y
            a = np.asarray([p[:2] for p in arc], dtype=float)
        if a.ndim != 2 or a.shape[1] < 2:
            raise SourceError(f"TopoJSON {source!r}: arc {i} is not a list of [x, y] positions.")
        a = a[:, :2]
        if transform:
            a = np.cumsum(a, axis=0) * np.asarray(transform["scale"], dtype=float) + np.asarray(
                transform["translate"], dtype=float
            )
        arcs.append(a)
    return arcs


def _ring(indexes: Sequence[int], arcs: list[np.ndarray]) -> np.ndarray:
    parts = []
    for k, i in enumerate(indexes):
        a = arcs[i] if i >= 0 else arcs[~i][::-1]
        parts.append(a if k == 0 else a[1:])
    return np.concatenate(parts) if parts else np.empty((0, 2))


def _polygon(rings: Sequence[Sequence[int]], arcs: list[np.ndarray]) -> shapely.Polygon | None:
    coords = [_ring(r, arcs) for r in rings]
    coords = [c for c in coords if len(c) >= 4]
    if not coords:
        return None
    return shapely.Polygon(coords[0], coords[1:])


def _point(p: Sequence[float], transform: dict[str, Any] | None) -> tuple[float, float]:
    if transform:
        (sx, sy), (tx, ty) = transform["scale"], transform["translate"]
        return p[0] * sx + tx, p[1] * sy + ty
    return p[0], p[1]


def _geometry(
    geo: dict[str, Any], arcs: list[np.ndarray], transform: dict[str, Any] | None
) -> shapely.Geometry | None:
    kind = geo.get("type")
    if kind == "Polygon":
        return _polygon(geo["arcs"], arcs)
    if kind == "MultiPolygon":
        polys = [p for p in (_polygon(rings, arcs) for rings in geo["arcs"]) if p is not None]
        return shapely.MultiPolygon(polys) if polys else None
    if kind == "LineString":
        return shapely.LineString(_ring(geo["arcs"], arcs))
    if kind == "MultiLineString":
        return shapely.MultiLineString([_ring(line, arcs) for line in geo["arcs"]])
    if kind == "Point":
        return shapely.Point(_point(geo["coordinates"], transform))
    if kind == "MultiPoint":
        return shapely.MultiPoint([_point(p, transform) for p in geo["coordinates"]])
    if kind == "GeometryCollection":
        parts = [_geometry(g, arcs, transform) for g in geo.get("geometries", [])]
        return shapely.GeometryCollection([p for p in parts if p is not None])
    return None  # type null


@dataclass(frozen=True)
class UsRegions:
    """US regions (nation, states, counties, EAs, MSAs) with :data:`US_REGION_COLUMNS`."""

    frame: gpd.GeoDataFrame
    files: tuple[Fetched, ...]
    source_code: str = "us_regions"
    repairs: tuple[Repair, ...] = ()  # geometries repaired by make_valid (within the area tolerance)


def read_us_regions(resolver: SourceResolver) -> UsRegions:
    """Read the nation, states, counties, economic areas and MSAs as one frame (EPSG:4326).

    ``code`` is the FIPS code (2-digit state, 5-digit county), the BEA EA code (``57001``), the
    CBSA code of an MSA, or ``US``; ``nuts_version`` is ``'us'``; ``parent`` is the state of a
    county and ``US`` otherwise. Display geometry is coverage-simplified per kind.
    """
    fetched: list[Fetched] = []
    frames: list[gpd.GeoDataFrame] = []
    repairs: list[Repair] = []
    states_topo = _load(resolver, STATES_FILE, fetched)
    topo: dict[str, dict[str, Any]] = {STATES_FILE.path: states_topo}
    for obj, kind, f in (
        ("nation", "us_nation", STATES_FILE),
        ("states", "us_state", STATES_FILE),
        ("counties", "us_county", COUNTIES_FILE),
        ("eas", "us_ea", EAS_MSAS_FILE),
        ("msas", "us_msa", EAS_MSAS_FILE),
    ):
        if f.path not in topo:  # each file is read when its first object is due (errors in file order)
            topo[f.path] = _load(resolver, f, fetched)
        frame, fixed = _frame(topo[f.path], obj, kind, f.path)
        frames.append(frame)
        repairs += fixed
    frame = gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=STORAGE_CRS)
    # Simplify each kind separately: EAs, MSAs and counties are different coverages.
    display = []
    for kind, part in frame.groupby("kind", sort=False):
        d = display_geometry(part.assign(level=0), tolerance={0: 0.05 if kind != "us_county" else 0.02})
        display.append(d)
    frame["display"] = pd.concat(display).reindex(frame.index)
    frame["display"] = gpd.GeoSeries(frame["display"], crs=STORAGE_CRS)
    return UsRegions(frame[list(US_REGION_COLUMNS)], tuple(fetched), repairs=tuple(repairs))


def _load(resolver: SourceResolver, f: SourceFile, fetched: list[Fetched]) -> dict[str, Any]:
    got = resolver.fetch(f.path, f.url)
    fetched.append(got)
    try:
        topo = json.loads(got.path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise SourceError(f"{f.path!r} is not valid JSON ({exc}); download it again from {f.url}.") from exc
    if not isinstance(topo, dict) or topo.get("type") != "Topology":
        raise SourceError(f"{f.path!r} is not a TopoJSON Topology; download it again from {f.url}.")
    return topo


def _frame(
    topo: dict[str, Any], obj: str, kind: str, source: str
) -> tuple[gpd.GeoDataFrame, tuple[Repair, ...]]:
    rows = decode_topology(topo, obj, source=source)
    codes, names, geoms = [], [], []
    for gid, props, geom in rows:
        code = NATION_CODE if kind == "us_nation" else (props.get("fips") or gid)
        codes.append(str(code) if code is not None else None)
        names.append(NATION_NAME if kind == "us_nation" else props.get("name"))
        geoms.append(geom)
    missing = [i for i, c in enumerate(codes) if not c]
    if missing:
        raise SourceError(
            f"{source!r}, object {obj!r}: features {missing[:10]!r} have no id; use the official file."
        )
    frame = gpd.GeoDataFrame(
        {
            "code": codes,
            "nuts_version": "us",
            "level": _LEVEL[kind],
            "country": "US",
            "name": names,
            "kind": kind,
        },
        geometry=geoms,
        crs=STORAGE_CRS,
    )
    frame["parent"] = (
        frame["code"].str[:2] if kind == "us_county" else (None if kind == "us_nation" else NATION_CODE)
    )
    dups = frame.loc[frame["code"].duplicated(), "code"].tolist()
    if dups:
        raise SourceError(f"{source!r}, object {obj!r}: codes {dups[:10]!r} appear more than once.")
    x0, y0, x1, y1 = frame.total_bounds
    if x0 < _EXTENT[0] or y0 < _EXTENT[1] or x1 > _EXTENT[2] or y1 > _EXTENT[3]:
        raise SourceError(
            f"{source!r}, object {obj!r}: coordinates (lon {x0:.4g}..{x1:.4g}, lat {y0:.4g}.."
            f"{y1:.4g}) are not US lon/lat; the file is projected (e.g. the Albers variant): use "
            f"the unprojected file."
        )
    frame, repairs = repair_geometries(
        frame, source=f"{source} ({obj})", allow_empty=kind == "us_county", area_crs=US_CRS
    )
    pts = shapely.point_on_surface(np.asarray(frame.geometry.array, dtype=object))
    frame["label_lon"] = shapely.get_x(pts)
    frame["label_lat"] = shapely.get_y(pts)
    return frame, repairs
