"""Queries behind the country report (parameterised; read-only)."""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from cluster_map.store.database import query


def report_countries(con: duckdb.DuckDBPyConnection, *, dataset: str) -> pd.DataFrame:
    """Countries with metrics in ``dataset``: country, name, years (list), levels (list)."""
    return query(con, """
        SELECT m.country,
               coalesce(any_value(r.name), m.country) AS name,
               list(DISTINCT m.year ORDER BY m.year) AS years,
               list(DISTINCT m.level ORDER BY m.level) AS levels
        FROM metrics m
        LEFT JOIN regions r ON r.code = m.country AND r.level = 0 AND r.nuts_version = m.nuts_version
        WHERE m.dataset = ? AND m.country IS NOT NULL
        GROUP BY m.country ORDER BY m.country""", [dataset])


def metric_rows(con: duckdb.DuckDBPyConnection, *, dataset: str, level: int, year: int | None = None,
                country: str | None = None, sector_level: int | None = None,
                sector: str | None = None) -> pd.DataFrame:
    """Rows of ``metrics`` with region names and sector labels, filtered by the given keys."""
    return query(con, """
        SELECT m.*, coalesce(r.name, m.region) AS region_name, coalesce(s.label, m.sector) AS sector_label
        FROM metrics m
        LEFT JOIN regions r ON r.code = m.region AND r.nuts_version = m.nuts_version
        LEFT JOIN sectors s ON s.scheme = m.sector_scheme AND s.code = m.sector
        WHERE m.dataset = ? AND m.level = ?
          AND (?::INTEGER IS NULL OR m.year = ?)
          AND (?::VARCHAR IS NULL OR m.country = ?)
          AND (?::INTEGER IS NULL OR m.sector_level = ?)
          AND (?::VARCHAR IS NULL OR m.sector = ?)
        ORDER BY m.region, m.sector, m.year""",
        [dataset, level, year, year, country, country, sector_level, sector_level, sector, sector])


def region_indices(con: duckdb.DuckDBPyConnection, *, dataset: str, level: int, year: int,
                   sector_level: int) -> pd.DataFrame:
    """Region indices of every region of a level (for a country's rows and the all-region benchmark)."""
    return query(con, """
        SELECT i.*, coalesce(r.name, i.region) AS region_name, coalesce(r.country, left(i.region, 2)) AS country
        FROM region_indices i
        LEFT JOIN regions r ON r.code = i.region AND r.nuts_version = i.nuts_version
        WHERE i.dataset = ? AND i.level = ? AND i.year = ? AND i.sector_level = ?
        ORDER BY i.region""", [dataset, level, year, sector_level])


def organisations_of(con: duckdb.DuckDBPyConnection, *, countries: Sequence[str]) -> pd.DataFrame:
    """Cluster organisations of the given country codes."""
    return query(con, """
        SELECT name, acronym, city, nuts2, sectors, org_type, members, founded_year, esca_label, website,
               geocode_precision, directory
        FROM organisations WHERE list_contains(?::VARCHAR[], country)
        ORDER BY name""", [list(countries)])


def partnerships_of(con: duckdb.DuckDBPyConnection, *, countries: Sequence[str]) -> pd.DataFrame:
    """European Strategic Cluster Partnerships naming one of the countries (or all when none names any)."""
    return query(con, """
        SELECT name, theme, type, member_organisations, countries, source_url FROM partnerships
        WHERE len(list_filter(?::VARCHAR[], c -> coalesce(countries, '') LIKE '%' || c || '%')) > 0
        ORDER BY name""", [list(countries)])


def events_of(con: duckdb.DuckDBPyConnection, *, countries: Sequence[str]) -> pd.DataFrame:
    """Cluster events held in the given countries."""
    return query(con, """
        SELECT event_name, event_type, date_start, date_end, city, organisers_partners, source_url
        FROM events WHERE list_contains(?::VARCHAR[], country) ORDER BY date_start""", [list(countries)])


def dataset_rows(con: duckdb.DuckDBPyConnection, *, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Provenance rows of the ``datasets`` table (all, or the given codes)."""
    return query(con, """
        SELECT code, kind, title, publisher, licence, source_url, retrieved_from, nuts_version, extracted_at,
               checksum, row_count, years
        FROM datasets WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], code)
        ORDER BY kind, code""", [None if codes is None else list(codes)] * 2)


#: Tables a user may export, with the columns they may filter on.
EXPORTABLE: dict[str, frozenset[str]] = {
    "observations": frozenset({"dataset", "region", "sector", "indicator", "year", "nuts_version"}),
    "metrics": frozenset({"dataset", "level", "sector", "year", "region", "country", "sector_level"}),
    "region_indices": frozenset({"dataset", "level", "year", "region", "sector_level"}),
    "sector_indices": frozenset({"dataset", "level", "year", "sector", "sector_level"}),
    "regions": frozenset({"nuts_version", "level", "country", "kind"}),
    "sectors": frozenset({"scheme", "level"}),
    "organisations": frozenset({"country", "directory", "nuts2"}),
    "datasets": frozenset({"kind", "code"}),
}


def export_rows(con: duckdb.DuckDBPyConnection, table: str, filters: dict[str, object | None]) -> pd.DataFrame:
    """Rows of an exportable table (allow-listed name and filter columns; values are parameters)."""
    from cluster_map.store.catalogue import where_clause

    if table not in EXPORTABLE:
        raise ValueError(f"Table {table!r} cannot be exported; choose one of {sorted(EXPORTABLE)}")
    where, params = where_clause(filters, EXPORTABLE[table])
    return query(con, f"SELECT * FROM {table}{where}", params)  # noqa: S608 (allow-listed identifiers)


def display_geometry(con: duckdb.DuckDBPyConnection, *, codes: Sequence[str], nuts_version: str) -> pd.DataFrame:
    """Display geometry (else full) of the given regions: code, wkb."""
    return query(con, """
        SELECT code, wkb FROM geometries
        WHERE nuts_version = ? AND list_contains(?::VARCHAR[], code) AND variant IN ('display', 'full')
        QUALIFY row_number() OVER (PARTITION BY code ORDER BY variant = 'display' DESC) = 1""",
        [nuts_version, list(codes)])
