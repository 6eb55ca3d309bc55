"""Exports of store tables (CSV, XLSX, Parquet, GeoJSON, GeoParquet) with a provenance sidecar."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import geopandas as gpd
import pandas as pd
import shapely

from cluster_map.errors import InputError
from cluster_map.reports import exports as writers
from cluster_map.store import reports as store

ExportFormat = Literal["csv", "xlsx", "parquet", "geojson", "geoparquet"]
FORMATS: tuple[str, ...] = ("csv", "xlsx", "parquet", "geojson", "geoparquet")
TABLES: tuple[str, ...] = tuple(store.EXPORTABLE)
#: Rows of one Excel sheet, header excluded.
XLSX_MAX_ROWS = 1_048_575


@dataclass(frozen=True)
class Export:
    """The bytes of an exported table and of its provenance sidecar."""

    data: bytes
    sidecar: bytes
    rows: int
    file_name: str


def table(con: Any, name: str, *, filters: dict[str, object | None] | None = None) -> pd.DataFrame:
    """One exportable store table, filtered (InputError for an unknown table or filter column)."""
    try:
        return store.export_rows(con, name, dict(filters or {}))
    except ValueError as exc:
        raise InputError(str(exc)) from None


def with_geometry(con: Any, frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """Attach display geometry to rows keyed by (region or code, nuts_version); organisations get points."""
    if {"lat", "lon"} <= set(frame.columns) and "region" not in frame:
        pts = gpd.points_from_xy(frame["lon"], frame["lat"])
        return gpd.GeoDataFrame(frame, geometry=pts, crs="EPSG:4326")
    key = "region" if "region" in frame else "code"
    if key not in frame or "nuts_version" not in frame:
        raise InputError(
            "This table has no regions to draw; GeoJSON/GeoParquet apply to metrics, indices, "
            "observations, regions and organisations."
        )
    parts = []
    for version, rows in frame.groupby("nuts_version", sort=False):
        geo = store.display_geometry(con, codes=rows[key].unique().tolist(), nuts_version=str(version))
        geo = geo.assign(geometry=shapely.from_wkb(geo["wkb"].to_numpy())).drop(columns="wkb")
        parts.append(rows.merge(geo.rename(columns={"code": key}), on=key, how="left"))
    merged = pd.concat(parts, ignore_index=True) if parts else frame.assign(geometry=None)
    return gpd.GeoDataFrame(merged, geometry="geometry", crs="EPSG:4326")


def export(
    con: Any,
    name: str,
    fmt: ExportFormat,
    *,
    filters: dict[str, object | None] | None = None,
    max_rows: int = 5_000_000,
) -> Export:
    """Export a store table in ``fmt`` with a provenance sidecar naming its sources and parameters.

    The sidecar lists the ``datasets`` rows of the table's datasets (and, for GeoJSON/GeoParquet, of
    the geometry they are drawn with); tables without a dataset column (regions, sectors,
    organisations, datasets) list every source of the store. GeoJSON/GeoParquet attach the display
    geometry (EPSG:4326) to region rows and points to organisations.

    Raises
    ------
    InputError
        Unknown table, filter column or format; more rows than ``max_rows``; no geometry for the table.
    """
    if fmt not in FORMATS:
        raise InputError(f"Unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    frame = table(con, name, filters=filters)
    if len(frame) > max_rows:
        raise InputError(f"{len(frame):,} rows is more than {max_rows:,}; filter by dataset, level or year.")
    if fmt == "xlsx" and len(frame) > XLSX_MAX_ROWS:
        raise InputError(
            f"{len(frame):,} rows do not fit in one XLSX sheet ({XLSX_MAX_ROWS:,} at most); "
            "filter by dataset, level or year, or export CSV or Parquet."
        )
    frame = frame.drop(columns=[c for c in ("wkb",) if c in frame])
    if fmt in ("geojson", "geoparquet"):
        frame = with_geometry(con, frame)
        data = writers.to_geojson(frame) if fmt == "geojson" else writers.to_parquet(frame)
    else:
        data = writers.export(frame, fmt)  # type: ignore[arg-type]
    codes = sorted(set(frame["dataset"])) if "dataset" in frame else None
    if codes is not None and fmt in ("geojson", "geoparquet") and "nuts_version" in frame:
        codes += sorted(
            {"us_regions" if v == "us" else f"gisco_nuts_{v}" for v in frame["nuts_version"].dropna()}
        )
    sources = store.dataset_rows(con, codes=codes).to_dict("records")
    sidecar = writers.provenance(
        table=name,
        parameters={"filters": dict(filters or {}), "format": fmt},
        sources=sources,
        rows=len(frame),
        columns=list(frame.columns),
    )
    ext = "parquet" if fmt == "geoparquet" else fmt
    stem = "_".join([name] + [f"{k}-{v}" for k, v in (filters or {}).items() if v is not None])
    return Export(data=data, sidecar=sidecar, rows=len(frame), file_name=writers.file_name(stem, ext))


def connect(db: Any = None) -> Any:
    """A read-only connection to the store at ``db`` (default: the settings' store)."""
    from cluster_map.config import get_settings
    from cluster_map.store.database import connect as open_store

    return open_store(get_settings(db=db).db)
