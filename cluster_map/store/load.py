"""Bulk loading of frames into the store: Arrow tables registered with DuckDB, never row loops.

Every loader names its target table and columns from the DDL (``cluster_map.store.schema``): a
frame's extra columns are ignored, missing nullable columns become NULL, and a missing NOT NULL
column is an error naming the table and column. Geometries are stored as WKB in EPSG:4326.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cache

import duckdb
import pandas as pd
import pyarrow as pa
import shapely

from cluster_map.errors import StoreError
from cluster_map.store.schema import TABLES

_COLUMN = re.compile(r"^\s*([a-z_][a-z0-9_]*)\s+([A-Z]+(?:\[\])?)(.*)$")
_view_ids = itertools.count()


@cache
def table_columns(table: str) -> tuple[tuple[str, str, bool], ...]:
    """``(name, type, not_null)`` of each column of a store table, parsed from its DDL."""
    if table not in TABLES:
        raise StoreError(f"Unknown table {table!r}; known tables: {sorted(TABLES)}.")
    body = TABLES[table].split("(", 1)[1]
    cols: list[tuple[str, str, bool]] = []
    for line in body.splitlines():
        for part in line.split("--")[0].split(","):
            m = _COLUMN.match(part.rstrip(") "))
            if m:
                cols.append((m.group(1), m.group(2), "NOT NULL" in m.group(3)))
    return tuple(cols)


_ARROW_TYPES: dict[str, pa.DataType] = {
    "VARCHAR": pa.string(),
    "INTEGER": pa.int32(),
    "BIGINT": pa.int64(),
    "DOUBLE": pa.float64(),
    "BOOLEAN": pa.bool_(),
    "BLOB": pa.binary(),
    "TIMESTAMP": pa.timestamp("us"),
    "DATE": pa.date32(),
    "VARCHAR[]": pa.list_(pa.string()),
}


def to_arrow(table: str, frame: pd.DataFrame, *, constants: Mapping[str, object] | None = None) -> pa.Table:
    """Convert ``frame`` to an Arrow table with exactly the columns (and types) of ``table``.

    ``constants`` fills columns that are the same on every row (e.g. ``dataset``).
    """
    constants = dict(constants or {})
    n = len(frame)
    arrays: dict[str, pa.Array] = {}
    for name, sql_type, not_null in table_columns(table):
        typ = _ARROW_TYPES[sql_type]
        if name in constants:
            arrays[name] = pa.array([constants[name]] * n, type=typ)
        elif name in frame.columns:
            arrays[name] = _column(table, name, frame[name], typ)
        elif not_null:
            raise StoreError(
                f"Cannot load table {table!r}: the frame has no column {name!r} (columns: "
                f"{list(frame.columns)}). This is a bug in the reader that produced it."
            )
        else:
            arrays[name] = pa.nulls(n, type=typ)
        if not_null and arrays[name].null_count:
            bad = frame.index[pd.isna(frame[name])][:3].tolist() if name in frame.columns else []
            raise StoreError(
                f"Cannot load table {table!r}: column {name!r} must not be empty but is in "
                f"{arrays[name].null_count} rows (first row labels {bad!r})."
            )
    return pa.table(arrays)


def _column(table: str, name: str, values: pd.Series, typ: pa.DataType) -> pa.Array:
    if pa.types.is_string(typ) and values.dtype != object and not pd.api.types.is_string_dtype(values):
        values = values.astype("string")
    try:
        return pa.array(values, type=typ, from_pandas=True)
    except (pa.ArrowInvalid, pa.ArrowTypeError) as exc:
        raise StoreError(
            f"Cannot load column {name!r} of table {table!r} as {typ}: {exc}. "
            f"This is a bug in the reader that produced it."
        ) from exc


def insert(
    con: duckdb.DuckDBPyConnection,
    table: str,
    data: pd.DataFrame | pa.Table,
    *,
    constants: Mapping[str, object] | None = None,
    order_by: Sequence[str] = (),
) -> int:
    """Append ``data`` to ``table`` in one ``INSERT ... SELECT`` over a registered Arrow table.

    ``order_by`` sorts the rows on the way in (DuckDB sorts in parallel), which keeps the file's
    zone maps tight for queries filtering on those columns and makes re-ingests reproducible.
    Returns the number of rows inserted.
    """
    frame = data.to_pandas() if isinstance(data, pa.Table) else data
    arrow = to_arrow(table, frame, constants=constants)
    if arrow.num_rows == 0:
        return 0
    names = [c[0] for c in table_columns(table)]
    bad = [c for c in order_by if c not in names]
    if bad:
        raise StoreError(f"Cannot order table {table!r} by {bad!r}; its columns are {names}.")
    view = f"_load_{table}_{next(_view_ids)}"
    cols = ", ".join(f'"{c}"' for c in names)
    order = (" ORDER BY " + ", ".join(f'"{c}"' for c in order_by)) if order_by else ""
    con.register(view, arrow)
    try:
        con.execute(f'INSERT INTO "{table}" ({cols}) SELECT {cols} FROM "{view}"{order}')  # noqa: S608 (allow-listed identifiers)
    finally:
        con.unregister(view)
    return arrow.num_rows


def replace_rows(con: duckdb.DuckDBPyConnection, table: str, column: str, values: Sequence[str]) -> None:
    """Delete the rows of ``table`` whose ``column`` is one of ``values`` (before a partial reload)."""
    if column not in {c[0] for c in table_columns(table)}:
        raise StoreError(f"Table {table!r} has no column {column!r}.")
    if values:
        marks = ", ".join("?" for _ in values)
        con.execute(f'DELETE FROM "{table}" WHERE "{column}" IN ({marks})', list(values))  # noqa: S608 (allow-listed identifiers)


def geometry_frame(gdf: pd.DataFrame, *, geometry: str = "geometry") -> pd.DataFrame:
    """A copy of a (Geo)DataFrame with its geometry column replaced by WKB bytes in ``wkb``.

    The geometry must already be in EPSG:4326 (GeoDataFrames with another CRS are refused).
    """
    crs = getattr(gdf, "crs", None)
    if crs is not None and crs.to_epsg() != 4326:
        raise StoreError(
            f"Geometries must be stored in EPSG:4326, got {crs.to_string()!r}; reproject with "
            f"to_crs(4326) in the reader."
        )
    geoms = gdf[geometry].to_numpy()
    out = pd.DataFrame({c: gdf[c].to_numpy() for c in gdf.columns if c != geometry})
    out["wkb"] = shapely.to_wkb(geoms, include_srid=False)
    return out


def insert_geometries(
    con: duckdb.DuckDBPyConnection, gdf: pd.DataFrame, *, constants: Mapping[str, object] | None = None
) -> int:
    """Append a GeoDataFrame (code, nuts_version, level, variant, geometry, label_lon/lat) to ``geometries``."""
    return insert(con, "geometries", geometry_frame(gdf), constants=constants)


def insert_many(con: duckdb.DuckDBPyConnection, frames: Iterable[tuple[str, pd.DataFrame]]) -> dict[str, int]:
    """Insert several ``(table, frame)`` pairs; returns rows inserted per table."""
    counts: dict[str, int] = {}
    for table, frame in frames:
        counts[table] = counts.get(table, 0) + insert(con, table, frame)
    return counts
