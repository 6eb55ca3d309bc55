"""The SQL side of the industrial-ecosystem cube: read the division rows of a cube, put the ecosystem cube
in its place, and write the lower-bound notes on the ecosystem metric rows.

Used by :func:`cluster_map.services.metrics.materialise`; the aggregation itself is the pure function
:func:`cluster_map.stats.ecosystems.aggregate`. Table names are checked identifiers; values are bound.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from cluster_map.errors import StoreError


def _raw(con: Any) -> Any:
    return getattr(con, "con", con)


def _name(name: str) -> str:
    if not name.isidentifier():
        raise StoreError(f"Bad temporary table name {name!r}.")
    return name


def read_divisions(con: Any, name: str, *, sector_level: int = 2) -> pd.DataFrame:
    """Rows of the temporary cube ``name`` whose ``sector_level`` is ``sector_level`` (NACE divisions).

    Read on the connection itself: a temporary table is not visible to its cursors."""
    return (
        _raw(con)
        .sql(
            f"SELECT * FROM {_name(name)} WHERE sector_level = ?",  # noqa: S608
            params=[sector_level],
        )
        .to_arrow_table()
        .to_pandas()
    )


def replace_temp(con: Any, name: str, data: pa.Table) -> int:
    """Replace the temporary table ``name`` by ``data``; returns its row count."""
    raw = _raw(con)
    raw.register("_cm_eco_in", data)
    try:
        raw.execute(f"CREATE OR REPLACE TEMP TABLE {_name(name)} AS SELECT * FROM _cm_eco_in")  # noqa: S608
    finally:
        raw.unregister("_cm_eco_in")
    return int(raw.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])  # noqa: S608


def annotate(
    con: Any, *, dataset: str, nuts_version: str, scheme: str, notes: pd.DataFrame, column: str = "reason"
) -> int:
    """Append ``notes`` (level, year, region, sector, note) to ``column`` of the matching metric rows of
    ``dataset``'s ``scheme`` rows in ``nuts_version`` ('; '-separated); returns the rows noted."""
    if column not in ("reason", "caveats"):
        raise StoreError(f"Cannot annotate column {column!r}; only 'reason' or 'caveats'.")
    notes = notes[notes["note"].astype(str) != ""]
    if notes.empty:
        return 0
    raw = _raw(con)
    raw.register(
        "_cm_eco_notes",
        pa.Table.from_pandas(notes[["level", "year", "region", "sector", "note"]], preserve_index=False),
    )
    try:
        sql = (
            f"UPDATE metrics m SET {column} = CASE WHEN m.{column} IS NULL OR m.{column} = '' "  # noqa: S608
            f"THEN n.note ELSE m.{column} || '; ' || n.note END FROM _cm_eco_notes n "
            "WHERE m.dataset = ? AND m.nuts_version = ? AND m.sector_scheme = ? AND m.level = n.level "
            "AND m.year = n.year AND m.region = n.region AND m.sector = n.sector"
        )
        raw.execute(sql, [dataset, nuts_version, scheme])
    finally:
        raw.unregister("_cm_eco_notes")
    return len(notes)
