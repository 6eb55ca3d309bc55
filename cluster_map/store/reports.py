"""Queries behind the country reports and the table exports (parameterised; read-only).

BLOB columns come back from DuckDB as ``bytearray``; the geometry readers here return ``bytes`` so
that shapely's ``from_wkb`` accepts them.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from cluster_map.store.database import query


def store_stamp(con: duckdb.DuckDBPyConnection) -> str:
    """When the store was built (``meta.built_at``): a cache key for work shared between reports."""
    rows = query(con, "SELECT value FROM meta WHERE key = 'built_at'")
    return str(rows["value"].iloc[0]) if not rows.empty else ""


def metric_datasets(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Datasets with rows in ``metrics`` (none when the table is missing)."""
    exists = query(con, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'metrics'")
    if not int(exists["n"].iloc[0]):
        return []
    return query(con, "SELECT DISTINCT dataset FROM metrics ORDER BY dataset")["dataset"].tolist()


def report_countries(
    con: duckdb.DuckDBPyConnection, *, dataset: str, level: int, sector_level: int
) -> pd.DataFrame:
    """Countries with employment in ``dataset`` at a region and sector level.

    Columns: country, name (the NUTS 0 name, else the code), years (list of years with employment).
    """
    return query(
        con,
        """
        SELECT m.country,
               coalesce(any_value(r.name), m.country) AS name,
               list(DISTINCT m.year ORDER BY m.year) FILTER (WHERE m.employment > 0) AS years
        FROM metrics m
        LEFT JOIN regions r ON r.code = m.country AND r.level = 0 AND r.nuts_version = m.nuts_version
        WHERE m.dataset = ? AND m.level = ? AND m.sector_level = ? AND m.country IS NOT NULL
        GROUP BY m.country ORDER BY m.country""",
        [dataset, level, sector_level],
    )


def metric_rows(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    level: int,
    sector_level: int | None = None,
    years: Sequence[int] | None = None,
    country: str | None = None,
    sectors: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Rows of ``metrics`` with region names and sector labels, filtered by the given keys."""
    return query(
        con,
        """
        SELECT m.*, coalesce(r.name, m.region) AS region_name, coalesce(s.label, m.sector) AS sector_label
        FROM metrics m
        LEFT JOIN regions r ON r.code = m.region AND r.nuts_version = m.nuts_version
        LEFT JOIN sectors s ON s.scheme = m.sector_scheme AND s.code = m.sector
        WHERE m.dataset = ? AND m.level = ? AND (?::INTEGER IS NULL OR m.sector_level = ?)
          AND (?::INTEGER[] IS NULL OR list_contains(?::INTEGER[], m.year))
          AND (?::VARCHAR IS NULL OR m.country = ?)
          AND (?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], m.sector))
        ORDER BY m.region, m.sector, m.year""",
        [
            dataset,
            level,
            sector_level,
            sector_level,
            *[None if years is None else [int(y) for y in years]] * 2,
            country,
            country,
            *[None if sectors is None else list(sectors)] * 2,
        ],
    )


def region_indices(
    con: duckdb.DuckDBPyConnection, *, dataset: str, level: int, year: int, sector_level: int
) -> pd.DataFrame:
    """Region indices of every region of a level (a country's rows and the all-region benchmark)."""
    return query(
        con,
        """
        SELECT i.*, coalesce(r.name, i.region) AS region_name, coalesce(r.country, left(i.region, 2)) AS country
        FROM region_indices i
        LEFT JOIN regions r ON r.code = i.region AND r.nuts_version = i.nuts_version
        WHERE i.dataset = ? AND i.level = ? AND i.year = ? AND i.sector_level = ?
        ORDER BY i.region""",
        [dataset, level, year, sector_level],
    )


def region_geometry(
    con: duckdb.DuckDBPyConnection, *, nuts_version: str, level: int, country: str | None = None
) -> pd.DataFrame:
    """Display geometry (else full) of the regions of one version and level: code, name, country, wkb."""
    frame = query(
        con,
        """
        SELECT g.code, coalesce(r.name, g.code) AS name, coalesce(r.country, left(g.code, 2)) AS country, g.wkb
        FROM geometries g
        LEFT JOIN regions r ON r.code = g.code AND r.nuts_version = g.nuts_version
        WHERE g.nuts_version = ? AND g.level = ? AND g.variant IN ('display', 'full')
          AND (?::VARCHAR IS NULL OR coalesce(r.country, left(g.code, 2)) = ?)
        QUALIFY row_number() OVER (PARTITION BY g.code ORDER BY g.variant = 'display' DESC) = 1
        ORDER BY g.code""",
        [nuts_version, level, country, country],
    )
    frame["wkb"] = [bytes(b) for b in frame["wkb"]]
    return frame


def organisations_of(con: duckdb.DuckDBPyConnection, *, countries: Sequence[str]) -> pd.DataFrame:
    """Cluster organisations of the given country codes."""
    return query(
        con,
        """
        SELECT name, acronym, city, nuts2, sectors, clusters, org_type, founded_year, esca_label, website,
               directory
        FROM organisations WHERE list_contains(?::VARCHAR[], country)
        ORDER BY name""",
        [list(countries)],
    )


def partnerships_of(con: duckdb.DuckDBPyConnection, *, countries: Sequence[str]) -> pd.DataFrame:
    """Cluster partnerships whose ``countries`` list ('; '-separated codes) names one of the countries."""
    return query(
        con,
        """
        SELECT name, theme, type, member_organisations, countries, source_url FROM partnerships
        WHERE list_has_any(list_transform(string_split(coalesce(countries, ''), ';'), lambda c: trim(c)),
                           ?::VARCHAR[])
        ORDER BY name""",
        [list(countries)],
    )


def events_of(con: duckdb.DuckDBPyConnection, *, countries: Sequence[str]) -> pd.DataFrame:
    """Cluster events held in the given countries."""
    return query(
        con,
        """
        SELECT event_name, event_type, dates, date_start, date_end, city, organisers_partners, source_url
        FROM events WHERE list_contains(?::VARCHAR[], country) ORDER BY date_start""",
        [list(countries)],
    )


def dataset_rows(con: duckdb.DuckDBPyConnection, *, codes: Sequence[str] | None = None) -> pd.DataFrame:
    """Provenance rows of the ``datasets`` table (all, or the given codes)."""
    return query(
        con,
        """
        SELECT code, kind, title, publisher, licence, source_url, retrieved_from, nuts_version, extracted_at,
               checksum, row_count, years
        FROM datasets WHERE ?::VARCHAR[] IS NULL OR list_contains(?::VARCHAR[], code)
        ORDER BY kind, code""",
        [None if codes is None else list(codes)] * 2,
    )


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


def export_rows(
    con: duckdb.DuckDBPyConnection, table: str, filters: dict[str, object | None]
) -> pd.DataFrame:
    """Rows of an exportable table (allow-listed name and filter columns; values are parameters)."""
    from cluster_map.store.catalogue import where_clause

    if table not in EXPORTABLE:
        raise ValueError(f"Table {table!r} cannot be exported; choose one of {sorted(EXPORTABLE)}")
    where, params = where_clause(filters, EXPORTABLE[table])
    return query(con, f"SELECT * FROM {table}{where}", params)  # noqa: S608 (allow-listed identifiers)


def display_geometry(
    con: duckdb.DuckDBPyConnection, *, codes: Sequence[str], nuts_version: str
) -> pd.DataFrame:
    """Display geometry (else full) of the given regions: code, wkb (bytes)."""
    frame = query(
        con,
        """
        SELECT code, wkb FROM geometries
        WHERE nuts_version = ? AND list_contains(?::VARCHAR[], code) AND variant IN ('display', 'full')
        QUALIFY row_number() OVER (PARTITION BY code ORDER BY variant = 'display' DESC) = 1""",
        [nuts_version, list(codes)],
    )
    frame["wkb"] = [bytes(b) for b in frame["wkb"]]
    return frame
