"""The SQL side of productivity: read the cells of a dataset with wages, write back their productivity.

Used by :func:`cluster_map.services.metrics.materialise` after the metric rows are inserted; the numbers
come from the pure function :func:`cluster_map.stats.productivity.productivity`. Values are bound; the
frame written back is registered as an Arrow view.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import pyarrow as pa

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
COLUMNS = ("wage_per_person", "wage_ratio", "productivity_star", "performance")


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
    rows = frame[frame["wage_ratio"].notna()]
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
