"""The SQL behind the "Europe's star clusters" view: every starred region x sector cell of one slice.

Parameterised; one cursor per query (:func:`cluster_map.store.database.query`).
"""

from __future__ import annotations

import duckdb
import pandas as pd

from cluster_map.store.database import query
from cluster_map.store.queries import metric_columns


def starred_cells(
    con: duckdb.DuckDBPyConnection, *, dataset: str, level: int, year: int, sector_level: int, benchmark: str
) -> pd.DataFrame:
    """Cells with at least one star of one (dataset, region level, year, sector level, benchmark).

    Columns: region, name, country, nuts_version, sector, sector_label, sector_scheme, stars, size_star,
    specialisation_star, focus_star, productivity_star, performance, wage_ratio, productivity_basis,
    gva_ratio, employment, lq, share_region, share_sector, reason.
    """
    cols = set(metric_columns(con))
    # a store built before value added was read lacks its columns until the next ingest: NULL then
    later = ", ".join(
        f"m.{c}" if c in cols else f"NULL::{kind} AS {c}"
        for c, kind in (("productivity_basis", "VARCHAR"), ("gva_ratio", "DOUBLE"))
    )
    return query(
        con,
        f"""
        SELECT m.region, coalesce(g.name, m.region) AS name, m.country, m.nuts_version, m.sector,
               coalesce(s.label, m.sector) AS sector_label, m.sector_scheme, m.stars, m.size_star,
               m.specialisation_star, m.focus_star, m.productivity_star, m.performance, m.wage_ratio,
               {later}, m.employment, m.lq, m.share_region, m.share_sector, m.reason
        FROM metrics m
        LEFT JOIN sectors s ON s.scheme = m.sector_scheme AND s.code = m.sector
        LEFT JOIN regions g ON g.code = m.region AND g.nuts_version = m.nuts_version
        WHERE m.dataset = ? AND m.level = ? AND m.year = ? AND m.sector_level = ? AND m.benchmark = ?
          AND m.stars >= 1
        ORDER BY m.stars DESC, m.employment DESC, m.region, m.sector""",  # noqa: S608 - constant column names
        [dataset, level, year, sector_level, benchmark],
    )


def cells_evaluated(
    con: duckdb.DuckDBPyConnection, *, dataset: str, level: int, year: int, sector_level: int, benchmark: str
) -> pd.DataFrame:
    """How many cells of the slice have stars computed (not NULL) and how many regions and sectors.

    Columns: cells, regions, sectors.
    """
    return query(
        con,
        """
        SELECT count(stars) AS cells, count(DISTINCT region) FILTER (WHERE stars IS NOT NULL) AS regions,
               count(DISTINCT sector) FILTER (WHERE stars IS NOT NULL) AS sectors
        FROM metrics WHERE dataset = ? AND level = ? AND year = ? AND sector_level = ? AND benchmark = ?""",
        [dataset, level, year, sector_level, benchmark],
    )
