"""The SQL behind the sector explorer: one sector across regions, the region x sector cube, relatedness.

Every query is parameterised and runs on its own cursor (:func:`cluster_map.store.database.query`).
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from cluster_map.store.database import query, split_result
from cluster_map.store.queries import table_exists
from cluster_map.store.reports import metric_rows


def sector_row(con: duckdb.DuckDBPyConnection, *, scheme: str, code: str) -> pd.DataFrame:
    """The ``sectors`` row of one code (empty when unknown): scheme, code, label, level, parent, sector_type."""
    return query(con, "SELECT * FROM sectors WHERE scheme = ? AND code = ?", [scheme, code])


def sector_metrics(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    sector: str,
    level: int,
    years: Sequence[int] = (),
    countries: Sequence[str] = (),
) -> pd.DataFrame:
    """Metric rows of one sector at one region level (some years, or all when ``years`` is empty).

    Columns: the columns of ``metrics`` plus name and country of the region. Sorted by year, region.
    """
    return query(
        con,
        """
        SELECT m.*, coalesce(r.name, m.region) AS name, coalesce(r.country, left(m.region, 2)) AS country
        FROM metrics m LEFT JOIN regions r ON r.code = m.region AND r.nuts_version = m.nuts_version
        WHERE m.dataset = ? AND m.sector = ? AND m.level = ?
          AND (len(?::INTEGER[]) = 0 OR list_contains(?::INTEGER[], m.year))
          AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], coalesce(r.country, left(m.region, 2))))
        ORDER BY m.year, m.region""",
        [dataset, sector, level, list(years), list(years), list(countries), list(countries)],
    )


def sectors_metrics(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    sectors: Sequence[str],
    level: int,
    years: Sequence[int] = (),
) -> dict[str, pd.DataFrame]:
    """:func:`sector_metrics` of several sectors in one query: ``{sector: frame}``, each frame equal to
    ``sector_metrics(..., sector=sector)`` (same rows, order, index and column types)."""
    wanted = list(dict.fromkeys(sectors))
    rows = query(
        con,
        """
        SELECT m.*, coalesce(r.name, m.region) AS name, coalesce(r.country, left(m.region, 2)) AS country
        FROM metrics m LEFT JOIN regions r ON r.code = m.region AND r.nuts_version = m.nuts_version
        WHERE m.dataset = ? AND list_contains(?::VARCHAR[], m.sector) AND m.level = ?
          AND (len(?::INTEGER[]) = 0 OR list_contains(?::INTEGER[], m.year))
        ORDER BY m.sector, m.year, m.region""",
        [dataset, wanted, level, list(years), list(years)],
    )
    at = rows.groupby("sector", sort=False).indices if len(rows) else {}
    return split_result(rows, {s: at.get(s, []) for s in wanted})


def cube(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    level: int,
    years: Sequence[int],
    sector_level: int | None,
) -> pd.DataFrame:
    """Region x sector employment and LQ of one region level, for the sectors of one sector level.

    ``sector_level`` ``None`` keeps every sector. Columns: region, country, sector, sector_label, year,
    employment, lq.
    """
    return query(
        con,
        """
        SELECT m.region, coalesce(r.country, left(m.region, 2)) AS country, m.sector,
               coalesce(s.label, m.sector) AS sector_label, m.year, m.employment, m.lq
        FROM metrics m
        LEFT JOIN sectors s ON s.scheme = m.sector_scheme AND s.code = m.sector
        LEFT JOIN regions r ON r.code = m.region AND r.nuts_version = m.nuts_version
        WHERE m.dataset = ? AND m.level = ? AND list_contains(?::INTEGER[], m.year)
          AND (? IS NULL OR s.level = ?)
        ORDER BY m.year, m.region, m.sector""",
        [dataset, level, list(years), sector_level, sector_level],
    )


def years(con: duckdb.DuckDBPyConnection, *, dataset: str, sector: str, level: int) -> list[int]:
    """Years in which ``sector`` has employment in at least one region of ``level`` (ascending)."""
    rows = query(
        con,
        """
        SELECT DISTINCT year FROM metrics
        WHERE dataset = ? AND sector = ? AND level = ? AND employment IS NOT NULL ORDER BY year""",
        [dataset, sector, level],
    )
    return [int(y) for y in rows["year"]]


def related_clusters(con: duckdb.DuckDBPyConnection, *, cluster: str) -> pd.DataFrame:
    """Published US CMP links of one cluster (Delgado-Porter-Stern), strongest first.

    Columns: cluster, label, relatedness, relatedness_pct, related_90.
    """
    if not table_exists(con, "related_clusters"):
        return pd.DataFrame(columns=["cluster", "label", "relatedness", "relatedness_pct", "related_90"])
    return query(
        con,
        """
        SELECT c.cluster_b AS cluster, coalesce(s.label, c.cluster_b) AS label, c.relatedness,
               c.relatedness_pct, c.related_90
        FROM related_clusters c
        LEFT JOIN sectors s ON s.scheme = 'us_cluster' AND s.code = c.cluster_b
        WHERE c.cluster_a = ? AND c.cluster_b <> ?
        ORDER BY c.relatedness DESC NULLS LAST, c.cluster_b""",
        [cluster, cluster],
    )


def sector_indices(con: duckdb.DuckDBPyConnection, *, dataset: str, sector: str) -> pd.DataFrame:
    """Rows of ``sector_indices`` (Gini, Hoover, concentration) of one sector; empty if not built."""
    if not table_exists(con, "sector_indices"):
        return pd.DataFrame()
    return query(
        con, "SELECT * FROM sector_indices WHERE dataset = ? AND sector = ? ORDER BY year", [dataset, sector]
    )


def metrics_table(con: duckdb.DuckDBPyConnection, *, dataset: str, level: int, year: int) -> pd.DataFrame:
    """Every metric row of one dataset, region level and year, with region and sector names (for downloads)."""
    return metric_rows(con, dataset=dataset, level=level, years=[year])
