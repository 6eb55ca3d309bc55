"""The statistics of regions in sectors that the directory links to organisations.

An organisation sits in a region (its NUTS codes, of the version organisations are placed in) and
names sectors (NACE divisions through the catalogue's sector terms, or US CMP clusters). This
module reads what the metrics say about those cells: LQ, stars, strong flag, employment per year;
the region x sector employment matrix (for co-location relatedness); and the US related-clusters
matrix. Region codes of another NUTS version are matched by code, else by the same name at the
same level in the same country (FRJ2 in NUTS 2016 is FR62 "Midi-Pyrénées" in NUTS 2013).
"""

from __future__ import annotations

import os
from collections.abc import Sequence

import duckdb
import pandas as pd

from cluster_map.store.database import query
from cluster_map.store.queries import table_exists

CELL_COLUMNS = ("region", "sector", "year", "employment", "lq", "stars", "strong")


def source(
    con: duckdb.DuckDBPyConnection, *, scheme: str, level: int, sector_level: int
) -> tuple[str, str, int] | None:
    """``(dataset, nuts_version, latest year)`` of the metrics with the most rows of ``scheme`` at
    region ``level`` and ``sector_level`` in their latest year (None when the store has none)."""
    if not table_exists(con, "metrics"):
        return None
    rows = query(
        con,
        """
        WITH latest AS (SELECT dataset, nuts_version, max(year) AS year FROM metrics
                        WHERE sector_scheme = ? AND level = ? AND sector_level = ? GROUP BY ALL)
        SELECT l.dataset, l.nuts_version, l.year, count(*) AS n FROM latest l
        JOIN metrics m ON m.dataset = l.dataset AND m.nuts_version = l.nuts_version AND m.year = l.year
             AND m.sector_scheme = ? AND m.level = ? AND m.sector_level = ?
        GROUP BY ALL ORDER BY n DESC, l.dataset LIMIT 1""",
        [scheme, level, sector_level, scheme, level, sector_level],
    )
    if rows.empty:
        return None
    return str(rows["dataset"].iloc[0]), str(rows["nuts_version"].iloc[0]), int(rows["year"].iloc[0])


def cells(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    level: int,
    sector_level: int,
    regions: Sequence[str] | None = None,
    sectors: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
) -> pd.DataFrame:
    """Metric cells (:data:`CELL_COLUMNS`) of ``dataset`` at region ``level`` (``None`` lists: all)."""
    return query(
        con,
        """
        SELECT region, sector, year, employment, lq, stars, strong FROM metrics
        WHERE dataset = ? AND level = ? AND sector_level = ?
          AND (? OR list_contains(?::VARCHAR[], region))
          AND (? OR list_contains(?::VARCHAR[], sector))
          AND (? OR list_contains(?::INTEGER[], year))
        ORDER BY region, sector, year""",
        [
            dataset,
            level,
            sector_level,
            regions is None,
            list(regions or []),
            sectors is None,
            list(sectors or []),
            years is None,
            list(years or []),
        ],
    )


def region_codes(
    con: duckdb.DuckDBPyConnection, codes: Sequence[str], *, from_version: str, to_version: str
) -> dict[str, str]:
    """``{code of from_version: code of to_version}``: the same code where it exists, else the region
    of the same name, level and country (codes without either are left out)."""
    if not codes:
        return {}
    rows = query(
        con,
        """
        WITH src AS (SELECT code, level, country, name FROM regions
                     WHERE nuts_version = ? AND list_contains(?::VARCHAR[], code)),
             dst AS (SELECT code, level, country, name FROM regions WHERE nuts_version = ?)
        SELECT s.code AS code, coalesce(same.code, named.code) AS target FROM src s
        LEFT JOIN dst same ON same.code = s.code
        LEFT JOIN dst named ON named.level = s.level AND named.country = s.country AND named.name = s.name
        WHERE coalesce(same.code, named.code) IS NOT NULL""",
        [from_version, list(codes), to_version],
    )
    out: dict[str, str] = {}
    for code, target in zip(rows["code"], rows["target"], strict=True):
        out.setdefault(str(code), str(target))
    return out


def related_clusters(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The US related-clusters matrix: cluster_a, cluster_b, relatedness_pct, related_90."""
    if not table_exists(con, "related_clusters"):
        return pd.DataFrame(columns=["cluster_a", "cluster_b", "relatedness_pct", "related_90"])
    return query(con, "SELECT cluster_a, cluster_b, relatedness_pct, related_90 FROM related_clusters")


def store_key(con: duckdb.DuckDBPyConnection) -> str:
    """The file behind a connection and its size and time of change (a cache key that changes with the store)."""
    rows = query(con, "SELECT path FROM duckdb_databases() WHERE database_name = current_database()")
    path = str(rows["path"].iloc[0]) if len(rows) and rows["path"].iloc[0] else f"memory:{id(con)}"
    try:
        st = os.stat(path)
        return f"{path}:{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return path


def sector_labels(con: duckdb.DuckDBPyConnection, scheme: str, codes: Sequence[str]) -> dict[str, str]:
    """``{code: label}`` of sector codes of ``scheme``."""
    rows = query(
        con,
        "SELECT code, label FROM sectors WHERE scheme = ? AND list_contains(?::VARCHAR[], code)",
        [scheme, list(codes)],
    )
    return {str(c): str(lb) for c, lb in zip(rows["code"], rows["label"], strict=True)}
