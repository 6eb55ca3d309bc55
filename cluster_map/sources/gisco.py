"""GISCO NUTS region geometries (2013, 2016, 2021, 2024), validated and reprojected to EPSG:4326.

Files (mirror-relative names = GISCO's own file names):

* 2013: the shapefile package ``NUTS_2013_60M_SH`` (1:60M, ETRS89): region polygons of all levels in
  ``NUTS_RG_60M_2013.shp``, names in ``NUTS_AT_2013.csv`` (Windows-1252), label points in
  ``NUTS_LB_2013.shp``.
* 2016: ``NUTS_RG_20M_2016_4326_LEVL_{0..3}.geojson`` (1:20M), no label points (a representative
  point inside each polygon is used).
* 2021: ``NUTS_RG_20M_2021_4326_LEVL_{0..3}.geojson`` plus label points ``NUTS_LB_2021_4326.geojson``.
* 2024: ``NUTS_RG_20M_2024_4326.geojson`` (all levels), no label points (representative points).

Every region gets a ``display`` geometry, coverage-simplified level by level (see
:func:`cluster_map.geo.display_geometry`).
"""

from __future__ import annotations

import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import pyogrio
import shapely

from cluster_map.errors import SourceError
from cluster_map.geo import STORAGE_CRS, Repair, display_geometry, repair_geometries
from cluster_map.schema import EUROSTAT_LICENCE, GISCO_LICENCE, SourceFile
from cluster_map.sources import codelists, integrity
from cluster_map.sources.fetch import Fetched, SourceResolver

NutsVersion = Literal["2013", "2016", "2021", "2024"]
NUTS_VERSIONS: Final[tuple[str, ...]] = ("2013", "2016", "2021", "2024")

#: Columns of the frame returned by :func:`read_nuts` (``geometry`` full, ``display`` simplified).
NUTS_COLUMNS: Final = (
    "code",
    "nuts_version",
    "level",
    "country",
    "name",
    "parent",
    "label_lon",
    "label_lat",
    "geometry",
    "display",
)

GISCO_GEOJSON: Final = "https://gisco-services.ec.europa.eu/distribution/v2/nuts/geojson/"
#: GISCO's download of the 2013 1:60M shapefile package (the mirror holds its unzipped content).
NUTS_2013_ZIP: Final = "http://ec.europa.eu/eurostat/cache/GISCO/geodatafiles/NUTS_2013_60M_SH.zip"
_SHP_2013: Final = "gisco/nuts/shp/NUTS_2013_60M_SH/data/"
_GEOJSON: Final = "gisco/nuts/geojson/"
#: Eurostat's ``geo`` code list (SDMX 2.1 codelist endpoint, TSV); the mirror keeps the 2017 ``geo.dic``
#: of the same ``code<TAB>label`` layout under its old name.
GEO_DIC: Final = SourceFile(codelists.GEO_DIC_FILE, codelists.GEO_DIC_URL, "Eurostat", EUROSTAT_LICENCE)
_SHP_PARTS: Final = (".shp", ".shx", ".dbf", ".prj")

#: Lon/lat envelope that every NUTS region lies in (outermost regions included: Guyane -54,
#: Guadeloupe -61.8, Azores -31, Reunion 55.8 E / -21.4 S, Svalbard 80.8 N).
EUROPE_ENVELOPE: Final = (-65.0, -25.0, 60.0, 85.0)


def _gisco(name: str) -> SourceFile:
    return SourceFile(_GEOJSON + name, GISCO_GEOJSON + name, "Eurostat GISCO", GISCO_LICENCE)


def _shp2013(name: str) -> SourceFile:
    return SourceFile(_SHP_2013 + name, NUTS_2013_ZIP, "Eurostat GISCO", GISCO_LICENCE)


def nuts_files(version: str) -> dict[str, list[SourceFile]]:
    """Source files of one NUTS version: ``{"regions": [...], "names": [...], "labels": [...]}``."""
    if version == "2013":
        return {
            "regions": [_shp2013("NUTS_RG_60M_2013" + ext) for ext in _SHP_PARTS],
            "names": [_shp2013("NUTS_AT_2013.csv")],
            "labels": [_shp2013("NUTS_LB_2013" + ext) for ext in _SHP_PARTS],
        }
    if version in ("2016", "2021"):
        labels = [_gisco("NUTS_LB_2021_4326.geojson")] if version == "2021" else []
        return {
            "regions": [_gisco(f"NUTS_RG_20M_{version}_4326_LEVL_{lv}.geojson") for lv in range(4)],
            "names": [],
            "labels": labels,
        }
    if version == "2024":
        return {"regions": [_gisco("NUTS_RG_20M_2024_4326.geojson")], "names": [], "labels": []}
    raise SourceError(f"Unknown NUTS version {version!r}; choose one of {', '.join(NUTS_VERSIONS)}.")


@dataclass(frozen=True)
class NutsGeometry:
    """The NUTS regions of one version: a frame with :data:`NUTS_COLUMNS`, and provenance."""

    version: str
    frame: gpd.GeoDataFrame
    files: tuple[Fetched, ...]
    label_source: str  # 'gisco label points' | 'representative points'
    repairs: tuple[Repair, ...] = ()  # geometries repaired by make_valid (within the area tolerance)

    @property
    def source_code(self) -> str:
        """Code of this geometry source in the store's ``datasets`` table."""
        return f"gisco_nuts_{self.version}"


def read_nuts(
    resolver: SourceResolver,
    version: str,
    *,
    tolerance: dict[int, float] | None = None,
) -> NutsGeometry:
    """Read, validate, reproject and simplify the NUTS regions of ``version``.

    Raises
    ------
    SourceError
        A file is missing, has no or a wrong CRS, lacks a column, or holds a geometry that cannot
        be repaired (the message names the file, the CRS or the NUTS_ID, and what to do).
    """
    spec = nuts_files(version)
    fetched: list[Fetched] = []
    regions = _read_layer(resolver, spec["regions"], fetched)
    _require(regions, ("NUTS_ID",), _attributes(spec["regions"]))
    level_col = "LEVL_CODE" if "LEVL_CODE" in regions.columns else "STAT_LEVL_"
    _require(regions, (level_col,), _attributes(spec["regions"]))
    frame = gpd.GeoDataFrame(
        {
            "code": regions["NUTS_ID"].astype(str).str.strip(),
            "nuts_version": version,
            "level": regions[level_col].astype(int),
        },
        geometry=regions.geometry.values,
        crs=regions.crs,
    )
    frame["country"] = frame["code"].str[:2]
    frame["name"] = _names(resolver, spec, regions, fetched)
    frame["parent"] = frame["code"].str[:-1].where(frame["level"] > 0, None)
    _check_codes(frame, spec["regions"][0].path)
    frame, repairs = repair_geometries(frame, source=spec["regions"][0].path)
    _fix_parents(frame)

    label_source = "representative points"
    frame["label_lon"] = np.nan
    frame["label_lat"] = np.nan
    if spec["labels"]:
        labels = _read_layer(resolver, spec["labels"], fetched)
        _require(labels, ("NUTS_ID",), _attributes(spec["labels"]))
        pts = labels.drop_duplicates("NUTS_ID").set_index(labels["NUTS_ID"].astype(str).str.strip())
        xy = frame["code"].map(pd.Series(shapely.get_x(pts.geometry.array), index=pts.index))
        frame["label_lon"] = xy.to_numpy(dtype=float)
        frame["label_lat"] = (
            frame["code"]
            .map(pd.Series(shapely.get_y(pts.geometry.array), index=pts.index))
            .to_numpy(dtype=float)
        )
        label_source = "gisco label points"
    missing = frame["label_lon"].isna().to_numpy()
    if missing.any():
        rep = shapely.point_on_surface(np.asarray(frame.geometry.array, dtype=object)[missing])
        frame.loc[missing, "label_lon"] = shapely.get_x(rep)
        frame.loc[missing, "label_lat"] = shapely.get_y(rep)

    frame["display"] = display_geometry(frame, tolerance=tolerance)
    frame = frame.sort_values(["level", "code"], kind="stable").reset_index(drop=True)
    return NutsGeometry(version, frame[list(NUTS_COLUMNS)], tuple(fetched), label_source, repairs)


def read_all_nuts(
    resolver: SourceResolver, versions: tuple[str, ...] = NUTS_VERSIONS
) -> dict[str, NutsGeometry]:
    """:func:`read_nuts` for every version in ``versions`` (default: all four)."""
    return {v: read_nuts(resolver, v) for v in versions}


def read_geometry_file(path: Path, *, name: str | None = None) -> gpd.GeoDataFrame:
    """Read one vector file with pyogrio and return it in EPSG:4326, checking its CRS.

    A file without a CRS, or whose coordinates do not fit its CRS (metres labelled as degrees,
    regions outside Europe), raises :class:`SourceError` naming the file and the CRS.
    """
    label = name or str(path)
    try:
        gdf = pyogrio.read_dataframe(path, use_arrow=True)
    except Exception as exc:  # pyogrio raises DataSourceError, DataLayerError, ...
        raise SourceError(
            f"Cannot read geometry file {label!r}: {exc}. Replace it with the official file."
        ) from exc
    if Path(path).suffix.lower() == ".shp":  # the Arrow reader stops quietly at a cut-off .dbf or .shx
        declared, stem = int(pyogrio.read_info(path).get("features", -1)), Path(label).stem
        if declared > len(gdf):
            raise SourceError(
                f"Geometry file {label!r} declares {declared} features but only {len(gdf)} can be "
                f"read: {stem}.shp, {stem}.shx or {stem}.dbf is cut off (a truncated download or copy). Replace "
                f"the shapefile's parts with the official files."
            )
    if gdf.crs is None:
        raise SourceError(
            f"Geometry file {label!r} has no CRS (missing .prj file or 'crs' member). GISCO NUTS files "
            f"are EPSG:4326 (GeoJSON) or EPSG:4258 (2013 shapefile): restore the .prj from the official "
            f"package, or download the file again."
        )
    crs_name = gdf.crs.to_string()
    if not gdf.crs.equals(STORAGE_CRS):
        gdf = gdf.to_crs(STORAGE_CRS)
    xmin, ymin, xmax, ymax = (float(v) for v in gdf.total_bounds) if len(gdf) else EUROPE_ENVELOPE
    ex0, ey0, ex1, ey1 = EUROPE_ENVELOPE
    if not (
        np.isfinite([xmin, ymin, xmax, ymax]).all()
        and xmin >= ex0
        and ymin >= ey0
        and xmax <= ex1
        and ymax <= ey1
    ):
        raise SourceError(
            f"Geometry file {label!r} declares CRS {crs_name!r}, but its coordinates "
            f"(lon {xmin:.6g}..{xmax:.6g}, lat {ymin:.6g}..{ymax:.6g} after conversion to EPSG:4326) "
            f"are not in Europe: the declared CRS is wrong (e.g. metres labelled as degrees). Fix the "
            f"file's CRS or use the official GISCO file."
        )
    return gdf


# -- internals ---------------------------------------------------------------------------------
def _read_layer(
    resolver: SourceResolver, files: list[SourceFile], fetched: list[Fetched]
) -> gpd.GeoDataFrame:
    if files[0].path.endswith(".shp"):
        parts = [resolver.fetch(f.path, f.url) for f in files]
        fetched += parts
        shp = _unzipped(parts)
        return read_geometry_file(shp, name=files[0].path)
    frames = []
    for f in files:
        got = resolver.fetch(f.path, f.url)
        fetched.append(got)
        frames.append(read_geometry_file(got.path, name=f.path))
    if len(frames) == 1:
        return frames[0]
    return gpd.GeoDataFrame(pd.concat(frames, ignore_index=True), crs=STORAGE_CRS)


def _unzipped(parts: list[Fetched]) -> Path:
    """Path of the first part; if a download gave GISCO's zip package instead, extract the parts."""
    shp = parts[0].path
    with shp.open("rb") as fh:
        if fh.read(2) != b"PK":
            return shp
    target = Path(tempfile.mkdtemp(prefix="gisco_"))
    wanted = {Path(p.name).name for p in parts}
    with zipfile.ZipFile(shp) as zf:
        for member in zf.namelist():
            if Path(member).name in wanted:
                (target / Path(member).name).write_bytes(zf.read(member))
    out = target / Path(parts[0].name).name
    if not out.is_file():
        raise SourceError(
            f"The package {parts[0].official_url!r} holds no {out.name!r}; "
            f"set CLUSTER_MAP_SOURCE to a mirror with the unzipped files."
        )
    return out


def _names(
    resolver: SourceResolver, spec: dict[str, list[SourceFile]], regions: pd.DataFrame, fetched: list[Fetched]
) -> pd.Series:
    codes = regions["NUTS_ID"].astype(str).str.strip()
    if spec["names"]:
        f = spec["names"][0]
        got = resolver.fetch(f.path, f.url)
        fetched.append(got)
        at = integrity.read_table(
            _unzipped([got]),
            name=f.path,
            encoding="cp1252",
            dtype=str,
            keep_default_na=False,
            advice="it must be the Windows-1252 CSV of the GISCO package: restore it from the "
            "official package",
        )
        _require(at, ("NUTS_ID", "NAME_LATN"), f.path)
        lookup = at.drop_duplicates("NUTS_ID").set_index("NUTS_ID")["NAME_LATN"]
        names = codes.map(lookup)
        if names.isna().any():  # e.g. DEC0, DEC01..DEC06 are not in NUTS_AT_2013.csv
            names = names.fillna(codes.map(_geo_dic(resolver, fetched)))
    else:
        col = "NAME_LATN" if "NAME_LATN" in regions.columns else "NUTS_NAME"
        _require(regions, (col,), spec["regions"][0].path)
        names = regions[col].astype(str)
    return names.str.strip().to_numpy()


def _geo_dic(resolver: SourceResolver, fetched: list[Fetched]) -> pd.Series:
    """Eurostat's ``geo`` dictionary (code -> English label), the fallback for missing names."""
    got = resolver.fetch(GEO_DIC.path, GEO_DIC.url)
    fetched.append(got)
    text = integrity.decode(integrity.read_source_bytes(got.path, name=GEO_DIC.path), name=GEO_DIC.path)
    integrity.check_line_end(text, name=GEO_DIC.path)
    return pd.Series(codelists.parse_codelist(text, name=GEO_DIC.path))


def _attributes(files: list[SourceFile]) -> str:
    """The file that holds a layer's columns: a shapefile's ``.dbf`` (named beside the ``.shp``)."""
    first = files[0].path
    dbf = next((f.path for f in files if f.path.endswith(".dbf")), None)
    return f"{first} (attributes in {Path(dbf).name})" if first.endswith(".shp") and dbf else first


def _require(frame: pd.DataFrame, columns: tuple[str, ...], name: str) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise SourceError(
            f"{name!r} lacks column(s) {missing!r} (has {list(frame.columns)!r}); "
            f"it is not a GISCO NUTS file: replace it with the official file."
        )


def _fix_parents(frame: gpd.GeoDataFrame) -> None:
    """Parents that are not the code minus its last character (NUTS 2016 UKN10..UKN16 -> UKN0):
    the region one level up, in the same country, that holds the child's interior point."""
    known = set(frame["code"])
    orphan = np.flatnonzero((frame["level"] > 0).to_numpy() & ~frame["parent"].isin(known).to_numpy())
    for i in orphan:
        level, country = frame["level"].iat[i], frame["country"].iat[i]
        up = frame[(frame["level"] == level - 1) & (frame["country"] == country)]
        inner = shapely.point_on_surface(frame.geometry.iat[i])
        hits = up.loc[shapely.contains(np.asarray(up.geometry.array), inner), "code"].tolist()
        frame.loc[frame.index[i], "parent"] = hits[0] if hits else None


def _check_codes(frame: gpd.GeoDataFrame, name: str) -> None:
    problems = []
    bad_len = frame["code"].str.len() != frame["level"] + 2
    for code, level in frame.loc[bad_len, ["code", "level"]].itertuples(index=False):
        problems.append(f"NUTS_ID {code!r} does not have {level + 2} characters as level {level} needs")
    for code in frame.loc[frame["code"].duplicated(), "code"]:
        problems.append(f"NUTS_ID {code!r} appears more than once")
    if problems:
        raise SourceError(f"Bad NUTS codes in {name!r}; use the official GISCO file:", problems)
