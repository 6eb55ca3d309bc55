"""The SQL behind region profiles and comparisons: one region's metrics, totals, indices, neighbours.

Every query is parameterised and runs on its own cursor (:func:`cluster_map.store.database.query`);
lists of codes are bound as one ``VARCHAR[]`` parameter. No identifier is spliced from user input.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from cluster_map.store.database import query
from cluster_map.store.queries import table_exists


def region_lookup(con: duckdb.DuckDBPyConnection, code: str) -> pd.DataFrame:
    """Rows of ``regions`` with this code (one per NUTS version), newest version first.

    Columns: code, nuts_version, level, country, name, parent, kind.
    """
    return query(
        con,
        """
        SELECT code, nuts_version, level, country, name, parent, kind FROM regions
        WHERE code = ? ORDER BY nuts_version DESC""",
        [code],
    )


def region_names(con: duckdb.DuckDBPyConnection, codes: Sequence[str], *, nuts_version: str) -> pd.DataFrame:
    """Names of ``codes`` in one NUTS version. Columns: code, name, level, country."""
    return query(
        con,
        """
        SELECT code, name, level, country FROM regions
        WHERE nuts_version = ? AND list_contains(?::VARCHAR[], code) ORDER BY code""",
        [nuts_version, list(codes)],
    )


def regions_with_data(con: duckdb.DuckDBPyConnection, *, dataset: str) -> pd.DataFrame:
    """Regions that have metrics in ``dataset`` (for pick lists).

    Columns: code, name, level, country, nuts_version.
    """
    return query(
        con,
        """
        WITH r AS (SELECT DISTINCT region, nuts_version, level FROM metrics WHERE dataset = ?)
        SELECT r.region AS code, coalesce(g.name, r.region) AS name, r.level,
               coalesce(g.country, left(r.region, 2)) AS country, r.nuts_version
        FROM r LEFT JOIN regions g ON g.code = r.region AND g.nuts_version = r.nuts_version
        ORDER BY r.level, code""",
        [dataset],
    )


def region_metrics(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    regions: Sequence[str],
    year: int | None = None,
) -> pd.DataFrame:
    """Every metric row of ``regions`` in ``dataset`` (all sectors; one year or all years).

    Columns: the columns of ``metrics`` plus sector_label, scheme_level (the sector's level in
    ``sectors``). Sorted by region, year, sector.
    """
    return query(
        con,
        """
        SELECT m.*, coalesce(s.label, m.sector) AS sector_label, s.level AS scheme_level
        FROM metrics m
        LEFT JOIN sectors s ON s.scheme = m.sector_scheme AND s.code = m.sector
        WHERE m.dataset = ? AND list_contains(?::VARCHAR[], m.region) AND (? IS NULL OR m.year = ?)
        ORDER BY m.region, m.year, m.sector""",
        [dataset, list(regions), year, year],
    )


def observation_totals(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    regions: Sequence[str],
    indicator: str,
    breakdown: str = "",
    sectors: Sequence[str] = (),
    sector_level: int | None = None,
) -> pd.DataFrame:
    """Sum of one indicator over sectors, per region and year, with the flags met on the way.

    Sectors are either the explicit list ``sectors`` or, when it is empty, every sector of the
    dataset's scheme at ``sector_level`` (``None``: the rows with sector ``''``, e.g. GDP).

    Columns: region, year, unit, value (NULL when no cell has a value), cells, cells_missing, flags
    (distinct flag letters, sorted).
    """
    return query(
        con,
        """
        WITH o AS (
            SELECT o.* FROM observations o
            LEFT JOIN sectors s ON s.scheme = o.sector_scheme AND s.code = o.sector
            WHERE o.dataset = ? AND list_contains(?::VARCHAR[], o.region) AND o.indicator = ?
              AND o.breakdown = ?
              AND CASE WHEN len(?::VARCHAR[]) > 0 THEN list_contains(?::VARCHAR[], o.sector)
                       WHEN ? IS NULL THEN o.sector = ''
                       ELSE s.level = ? END)
        SELECT region, year, any_value(unit) AS unit, sum(value) AS value, count(*) AS cells,
               count(*) - count(value) AS cells_missing,
               array_to_string(list_sort(list_distinct(flatten(list(string_split(flags, ''))))), '')
                   AS flags
        FROM o GROUP BY region, year ORDER BY region, year""",
        [
            dataset,
            list(regions),
            indicator,
            breakdown,
            list(sectors),
            list(sectors),
            sector_level,
            sector_level,
        ],
    )


def indicator_units(con: duckdb.DuckDBPyConnection, *, dataset: str, indicator: str) -> list[str]:
    """Units in which ``indicator`` of ``dataset`` is published (e.g. GDP: MIO_EUR, PPS_HAB ...)."""
    rows = query(
        con,
        "SELECT DISTINCT unit FROM observations WHERE dataset = ? AND indicator = ? ORDER BY unit",
        [dataset, indicator],
    )
    return rows["unit"].tolist()


def unit_totals(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    regions: Sequence[str],
    indicator: str,
    unit: str,
) -> pd.DataFrame:
    """One indicator in one unit with no sector (GDP): region, year, value, flags."""
    return query(
        con,
        """
        SELECT region, year, value, flags FROM observations
        WHERE dataset = ? AND list_contains(?::VARCHAR[], region) AND indicator = ? AND unit = ?
          AND sector = '' ORDER BY region, year""",
        [dataset, list(regions), indicator, unit],
    )


def region_indices(con: duckdb.DuckDBPyConnection, *, dataset: str, regions: Sequence[str]) -> pd.DataFrame:
    """Rows of ``region_indices`` (Krugman, HHI, variety, ...) for ``regions``; empty if not built."""
    if not table_exists(con, "region_indices"):
        return pd.DataFrame()
    return query(
        con,
        """
        SELECT * FROM region_indices WHERE dataset = ? AND list_contains(?::VARCHAR[], region)
        ORDER BY region, year""",
        [dataset, list(regions)],
    )


def level_geometry(
    con: duckdb.DuckDBPyConnection, *, nuts_version: str, level: int, country: str | None = None
) -> pd.DataFrame:
    """Display geometry (else full) of every region of one version and level (optionally one country).

    Columns: code, name, country, wkb.
    """
    return query(
        con,
        """
        SELECT g.code, coalesce(r.name, g.code) AS name, coalesce(r.country, left(g.code, 2)) AS country,
               g.wkb
        FROM geometries g
        LEFT JOIN regions r ON r.code = g.code AND r.nuts_version = g.nuts_version
        WHERE g.nuts_version = ? AND g.level = ? AND g.variant IN ('display', 'full')
          AND (? IS NULL OR coalesce(r.country, left(g.code, 2)) = ?)
        QUALIFY row_number() OVER (PARTITION BY g.code ORDER BY g.variant = 'display' DESC) = 1
        ORDER BY g.code""",
        [nuts_version, level, country, country],
    )
