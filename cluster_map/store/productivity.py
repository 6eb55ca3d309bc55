"""The SQL side of productivity: read the cells of a dataset with wages, write back their productivity.

Used by :func:`cluster_map.services.metrics.materialise`: the cells of each insert are read from its
temporary metric table (:func:`slice_cells`), with the value added of another dataset where the
catalogue links one (:func:`value_added`: regional accounts' GVA beside their employment), their
productivity (the pure function :func:`cluster_map.stats.productivity.productivity`) is staged as an
Arrow view (:func:`stage`) and joined into the rows as they are inserted (:func:`joined`), so the stored
rows are written once, never updated. :func:`cells` and :func:`write` do the same on rows already
stored. Values are bound.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

from cluster_map.errors import StoreError

#: The partition and row keys of table ``metrics`` that identify one cell.
CELL_KEYS = (
    "nuts_version",
    "level",
    "sector_scheme",
    "sector_level",
    "year",
    "sector",
    "region",
    "benchmark",
)
#: Columns written (declared in :data:`cluster_map.store.metrics.DDL`).
COLUMNS = (
    "wage_per_person",
    "wage_ratio",
    "gva_per_person",
    "gva_ratio",
    "productivity_star",
    "performance",
    "productivity_basis",
)
#: Staged beside :data:`COLUMNS`: caveat codes the productivity inputs add to the cell's ``caveats``
#: (``value_added:<method>``: the value added the ratio divides was estimated between NUTS versions).
ADDED_CAVEATS = "caveats_added"
#: The ratio columns: a cell is staged or written when it has one of them.
RATIOS = ("wage_ratio", "gva_ratio")


def _with_ratio(frame: pd.DataFrame) -> pd.DataFrame:
    """The rows of ``frame`` (which holds every column of :data:`COLUMNS`) that have a ratio."""
    return frame[frame[list(RATIOS)].notna().any(axis=1)]


def _raw(con: Any) -> Any:
    return getattr(con, "con", con)


def cells(con: Any, *, dataset: str) -> pd.DataFrame:
    """Every metric row of ``dataset`` with its keys, employment, wages and caveats."""
    raw = _raw(con)
    return (
        raw.sql(
            f"SELECT {', '.join(CELL_KEYS)}, employment, wages, caveats FROM metrics "  # noqa: S608
            "WHERE dataset = ?",
            params=[dataset],
        )
        .to_arrow_table()
        .to_pandas()
    )


def write(con: Any, *, dataset: str, frame: pd.DataFrame) -> int:
    """Set :data:`COLUMNS` of the rows of ``dataset`` matched by :data:`CELL_KEYS` in ``frame``."""
    rows = _with_ratio(frame)
    if rows.empty:
        return 0
    raw = _raw(con)
    data = pa.Table.from_pandas(rows[[*CELL_KEYS, *COLUMNS]].reset_index(drop=True), preserve_index=False)
    raw.register("_cm_prod", data)
    try:
        sets = ", ".join(f"{c} = p.{c}" for c in COLUMNS)
        on = " AND ".join(f"m.{k} = p.{k}" for k in CELL_KEYS)
        raw.execute(
            f"UPDATE metrics m SET {sets} FROM _cm_prod p WHERE m.dataset = ? AND {on}",  # noqa: S608
            [dataset],
        )
    finally:
        raw.unregister("_cm_prod")
    return len(rows)


#: The keys of a cell within one insert (dataset, NUTS version, scheme and benchmark are its constants).
SLICE_KEYS = ("level", "sector_level", "year", "sector", "region")
#: The order of the rows of one insert (:data:`cluster_map.store.metrics.WITHIN`).
SLICE_ORDER = "level, sector, year, region"
_STAGED = "_cm_prod"


def slice_cells(con: Any, name: str) -> pd.DataFrame:
    """The cells of the temporary metric table ``name`` (one insert) with employment, wages and caveats,
    in the order the insert stores them."""
    if not name.isidentifier():
        raise StoreError(f"Bad temporary table name {name!r}.")
    # a temporary table lives in its connection: no cursor here
    return (
        _raw(con)
        .sql(
            f"SELECT {', '.join(SLICE_KEYS)}, employment, wages, caveats FROM {name} "  # noqa: S608
            f"ORDER BY {SLICE_ORDER}"
        )
        .to_arrow_table()
        .to_pandas()
    )


def stage(con: Any, frame: pd.DataFrame) -> int:
    """Register the cells of ``frame`` that have a wage or value-added ratio (:data:`SLICE_KEYS`,
    :data:`COLUMNS` and, where ``frame`` has it, :data:`ADDED_CAVEATS`; else none is added) for
    :func:`joined`; returns their number."""
    rows = _with_ratio(frame)
    if ADDED_CAVEATS not in rows.columns:
        rows = rows.assign(**{ADDED_CAVEATS: ""})
    data = pa.Table.from_pandas(
        rows[[*SLICE_KEYS, *COLUMNS, ADDED_CAVEATS]].reset_index(drop=True), preserve_index=False
    )
    _raw(con).register(_STAGED, data)
    return len(rows)


def unstage(con: Any) -> None:
    """Drop the view registered by :func:`stage`."""
    _raw(con).unregister(_STAGED)


def joined(select_sql: str) -> str:
    """``select_sql`` (the rows of one insert) with the staged productivity columns of each cell (NULL
    where none is staged) and the staged :data:`ADDED_CAVEATS` appended to its ``caveats``."""
    on = " AND ".join(f"_r.{k} = _p.{k}" for k in SLICE_KEYS)
    columns = ", ".join(f"_p.{c}" for c in COLUMNS)
    added = f"coalesce(_p.{ADDED_CAVEATS}, '')"
    caveats = (
        f"CASE WHEN {added} = '' THEN _r.caveats WHEN coalesce(_r.caveats, '') = '' THEN {added} "
        f"ELSE _r.caveats || ';' || {added} END AS caveats"
    )
    return (
        f"SELECT _r.* REPLACE ({caveats}), {columns} "  # noqa: S608
        f"FROM ({select_sql}) _r LEFT JOIN {_STAGED} _p ON {on}"
    )


def value_added(con: Any, *, dataset: str, indicator: str, breakdown: str, nuts_version: str) -> pd.DataFrame:
    """The value added cells of ``dataset`` in NUTS version ``nuts_version``: region, sector, year,
    ``value_added`` (in the dataset's unit; NULL where missing or confidential, and where a cell has
    several rows of which one is NULL, so an unpublished part is never summed as zero) and ``caveats``:
    the cell's ``estimated:<method>`` codes (a value converted between NUTS versions by population
    weights), ``;``-separated and sorted, '' when native."""
    cur = _raw(con).cursor()
    try:
        return (
            cur.sql(
                """
                SELECT region, sector, year::BIGINT AS year,
                       CASE WHEN count(value) = count(*) THEN sum(value) END AS value_added,
                       coalesce(string_agg(DISTINCT caveats, ';' ORDER BY caveats)
                                FILTER (WHERE caveats LIKE 'estimated:%'), '') AS caveats
                FROM observations
                WHERE dataset = ? AND indicator = ? AND breakdown = ? AND nuts_version = ?
                GROUP BY region, sector, year""",
                params=[dataset, indicator, breakdown, nuts_version],
            )
            .to_arrow_table()
            .to_pandas()
        )
    finally:
        cur.close()
