"""The SQL behind the map: options (datasets, levels, sectors, years, countries) and one map layer.

Every query is parameterised; the only identifiers spliced into SQL are metric columns, checked against
``METRIC_COLUMNS_SQL`` first. Each function takes a read-only connection from
:func:`cluster_map.store.database.connect` and runs on its own cursor (``database.query``).
"""

from __future__ import annotations

from typing import Final

import duckdb
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.store.database import query

#: Columns of table ``metrics`` that :func:`map_values` always selects under their own names.
_MAP_COLUMNS: Final = (
    "employment",
    "establishments",
    "share_region",
    "share_sector",
    "lq",
    "stars",
    "strong",
)
#: Metric columns of table ``metrics`` that a map may show (allow-list for identifiers): the fixed ones and
#: every stored column of a catalogued metric (``wage_ratio``, ``gva_ratio`` ...).
METRIC_COLUMNS_SQL: Final = tuple(
    dict.fromkeys([*_MAP_COLUMNS, *(m.column for m in catalogue.METRICS if m.column)])
)
#: The SQL type of a missing column of each kind of metric (an older store: NULL of the right type).
_NULL_TYPES: Final = {"flag": "BOOLEAN", "category": "INTEGER"}


def _catalogued_columns(cols: set[str]) -> str:
    """``m.<column> AS <key>`` of every catalogued metric stored in its own column beyond :data:`_MAP_COLUMNS`
    (a typed NULL where the store lacks the column); identifiers come from the catalogue, checked to be plain
    identifiers before they are spliced."""
    parts = []
    for m in catalogue.METRICS:
        if not m.column or m.column in _MAP_COLUMNS:
            continue
        if not (m.column.isidentifier() and m.key.isidentifier()):
            raise InputError(
                f"Metric {m.key!r}: column {m.column!r} is not a plain identifier; fix the catalogue."
            )
        parts.append(
            f"m.{m.column} AS {m.key}"
            if m.column in cols
            else f"NULL::{_NULL_TYPES.get(m.kind, 'DOUBLE')} AS {m.key}"
        )
    return "".join(f", {p}" for p in parts)


def table_exists(con: duckdb.DuckDBPyConnection, table: str) -> bool:
    """Whether ``table`` exists in the store (the app degrades gracefully on a partial store)."""
    rows = query(con, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = ?", [table])
    return bool(rows["n"].iloc[0])


def metric_columns(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Column names of table ``metrics``."""
    rows = query(
        con,
        "SELECT column_name FROM information_schema.columns WHERE table_name = 'metrics' "
        "ORDER BY ordinal_position",
    )
    return rows["column_name"].tolist()


def dataset_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per (dataset, nuts_version, sector_scheme, level) of ``metrics`` with its year range.

    Columns: dataset, nuts_version, sector_scheme, level, first_year, last_year, n_regions, title.
    """
    return query(
        con,
        """
        SELECT m.dataset, m.nuts_version, m.sector_scheme, m.level,
               min(m.year) AS first_year, max(m.year) AS last_year,
               count(DISTINCT m.region) AS n_regions, any_value(d.title) AS title
        FROM metrics m LEFT JOIN datasets d ON d.code = m.dataset
        GROUP BY ALL ORDER BY m.dataset, m.level""",
    )


def benchmark_of(con: duckdb.DuckDBPyConnection, dataset: str) -> str:
    """The benchmark the map shows for ``dataset``: 'dataset' when materialised, else the first one."""
    rows = query(
        con,
        """
        SELECT benchmark FROM metrics WHERE dataset = ? GROUP BY benchmark
        ORDER BY benchmark <> 'dataset', benchmark LIMIT 1""",
        [dataset],
    )
    return str(rows["benchmark"].iloc[0]) if len(rows) else "dataset"


def years(con: duckdb.DuckDBPyConnection, dataset: str, level: int | None = None) -> list[int]:
    """Years with at least one location quotient in ``dataset`` (ascending)."""
    rows = query(
        con,
        """
        SELECT DISTINCT year FROM metrics
        WHERE dataset = ? AND lq IS NOT NULL AND (? IS NULL OR level = ?) ORDER BY year""",
        [dataset, level, level],
    )
    return [int(y) for y in rows["year"]]


def year_coverage(con: duckdb.DuckDBPyConnection, dataset: str, *, level: int, sector: str) -> pd.DataFrame:
    """Regions with an LQ per year for one sector and level. Columns: year, n_regions (ascending)."""
    return query(
        con,
        """
        SELECT year, count(lq) AS n_regions FROM metrics
        WHERE dataset = ? AND level = ? AND sector = ? AND benchmark = ?
        GROUP BY year ORDER BY year""",
        [dataset, level, sector, benchmark_of(con, dataset)],
    )


def benchmark_countries(con: duckdb.DuckDBPyConnection, dataset: str, *, level: int) -> pd.DataFrame:
    """Countries whose regions of ``level`` have employment, per year (what the dataset benchmark sums).

    Columns: year, countries (sorted list), ascending by year."""
    country = "country" if "country" in set(metric_columns(con)) else "left(region, 2)"
    return query(
        con,
        f"""
        SELECT year, list(DISTINCT {country} ORDER BY {country}) AS countries FROM metrics
        WHERE dataset = ? AND level = ? AND benchmark = ? AND employment > 0 AND {country} IS NOT NULL
        GROUP BY year ORDER BY year""",  # noqa: S608 - a constant column name
        [dataset, level, benchmark_of(con, dataset)],
    )


def sectors(con: duckdb.DuckDBPyConnection, dataset: str, *, level: int) -> pd.DataFrame:
    """Sectors of ``dataset`` with a label and their coverage at region ``level`` in the latest year.

    Columns: code, label, level, parent, n_regions (regions with an LQ in the latest year), last_year.
    Sorted by code.
    """
    return query(
        con,
        """
        WITH last AS (SELECT max(year) AS y FROM metrics WHERE dataset = ? AND lq IS NOT NULL),
        cov AS (
            SELECT m.sector, m.sector_scheme, count(*) FILTER (WHERE m.year = (SELECT y FROM last)
                                                             AND m.lq IS NOT NULL) AS n_regions,
                   max(m.year) FILTER (WHERE m.lq IS NOT NULL) AS last_year
            FROM metrics m WHERE m.dataset = ? AND m.benchmark = ? AND m.level = ? GROUP BY ALL)
        SELECT c.sector AS code, coalesce(s.label, c.sector) AS label, s.level, s.parent,
               c.n_regions, c.last_year
        FROM cov c LEFT JOIN sectors s ON s.scheme = c.sector_scheme AND s.code = c.sector
        WHERE c.sector <> ''
        ORDER BY CASE WHEN regexp_matches(c.sector, '^[0-9]+$') THEN lpad(c.sector, 4, '0')
                      ELSE c.sector END""",
        [dataset, dataset, benchmark_of(con, dataset), level],
    )


def region_codes(con: duckdb.DuckDBPyConnection, dataset: str) -> pd.DataFrame:
    """Regions of ``dataset`` (any level) with name and country. Columns: code, level, country, name."""
    return query(
        con,
        """
        WITH r AS (SELECT DISTINCT region, nuts_version, level FROM metrics WHERE dataset = ?)
        SELECT r.region AS code, r.level, coalesce(g.country, left(r.region, 2)) AS country,
               coalesce(g.name, r.region) AS name
        FROM r LEFT JOIN regions g ON g.code = r.region AND g.nuts_version = r.nuts_version
        ORDER BY code""",
        [dataset],
    )


def year_versions(con: duckdb.DuckDBPyConnection, dataset: str) -> pd.DataFrame:
    """The NUTS version of each year's metrics of ``dataset``. Columns: year, nuts_version (ascending).

    One version a year: a dataset's geo codes change version between years, never within one.
    """
    return query(
        con,
        """
        SELECT year, any_value(nuts_version) AS nuts_version FROM metrics WHERE dataset = ?
        GROUP BY year ORDER BY year""",
        [dataset],
    )


def map_values(
    con: duckdb.DuckDBPyConnection,
    *,
    dataset: str,
    level: int,
    sector: str,
    year: int,
    growth_from: int | None = None,
    employment: tuple[str, str] | None = None,
    observations_of: str | None = None,
) -> pd.DataFrame:
    """Every region of ``level`` in ``dataset`` with the metrics of one sector and year.

    Regions come from ``regions`` of the NUTS version of ``year``'s metrics (so regions with no data
    are kept, with NULL values); values from ``metrics``; ``flags`` and ``raw_value`` of the employment
    cell ``employment`` = (indicator, breakdown) from ``observations`` of dataset ``observations_of``
    (default ``dataset``; a series reads the part of ``year``) (None: no source flags); ``growth``
    is the compound annual growth of employment from ``growth_from`` to ``year``, in percent.

    Columns: code, name, country, nuts_version, employment, establishments, share_region,
    share_sector, lq, stars, strong, one column per other stored catalogued metric named by its key
    (wage_ratio, gva_ratio), performance, productivity_basis, caveats, lq_low, lq_high, growth, flags,
    has_obs, raw_value.
    """
    indicator, breakdown = employment or ("", "")
    cols = set(metric_columns(con))
    bench = "AND benchmark = ?"
    strong = "m.strong" if "strong" in cols else "NULL::BOOLEAN"
    stars = "m.stars" if "stars" in cols else "NULL::INTEGER"
    establishments = "m.establishments" if "establishments" in cols else "NULL::DOUBLE"
    catalogued = _catalogued_columns(cols)
    performance = "m.performance" if "performance" in cols else "NULL::VARCHAR"
    basis = "m.productivity_basis" if "productivity_basis" in cols else "NULL::VARCHAR"
    quality = (
        "m.caveats, m.lq_low, m.lq_high"
        if {"caveats", "lq_low", "lq_high"} <= cols
        else "NULL::VARCHAR AS caveats, NULL::DOUBLE AS lq_low, NULL::DOUBLE AS lq_high"
    )
    sql = f"""
        WITH nv AS (SELECT coalesce(any_value(nuts_version) FILTER (WHERE year = ?), any_value(nuts_version)) AS v
                    FROM metrics WHERE dataset = ? AND level = ?),
        reg AS (
            SELECT code, name, country, nuts_version FROM regions
            WHERE nuts_version = (SELECT v FROM nv) AND level = ? AND kind IN ('nuts', 'us_state')),
        m AS (SELECT * FROM metrics WHERE dataset = ? AND level = ? AND sector = ? AND year = ? {bench}),
        g AS (SELECT region, employment AS emp0 FROM metrics
              WHERE dataset = ? AND level = ? AND sector = ? AND year = ? {bench}),
        o AS (SELECT region, any_value(flags) AS flags, any_value(value) AS raw_value, count(*) AS n
              FROM observations WHERE dataset = ? AND sector = ? AND year = ? AND indicator = ?
                                      AND breakdown = ? GROUP BY region)
        SELECT reg.code, reg.name, reg.country, reg.nuts_version,
               m.employment, {establishments} AS establishments, m.share_region, m.share_sector, m.lq,
               {stars} AS stars, {strong} AS strong{catalogued}, {performance} AS performance,
               {basis} AS productivity_basis,
               {quality},
               CASE WHEN g.emp0 > 0 AND m.employment > 0 AND ? > 0
                    THEN 100 * (power(m.employment / g.emp0, 1.0 / ?) - 1) END AS growth,
               coalesce(o.flags, '') AS flags, o.n IS NOT NULL AS has_obs, o.raw_value
        FROM reg LEFT JOIN m ON m.region = reg.code
                 LEFT JOIN g ON g.region = reg.code
                 LEFT JOIN o ON o.region = reg.code
        ORDER BY reg.code"""  # noqa: S608 - spliced parts are constants chosen above; values are bound
    span = (year - growth_from) if growth_from is not None else 0
    b = benchmark_of(con, dataset)
    params = [
        year,
        dataset,
        level,
        level,
        dataset,
        level,
        sector,
        year,
        b,
        dataset,
        level,
        sector,
        growth_from if growth_from is not None else -1,
        b,
        observations_of or dataset,
        sector,
        year,
        indicator,
        breakdown,
        span,
        span or 1,
    ]
    return query(con, sql, params)


def display_geometry(con: duckdb.DuckDBPyConnection, *, nuts_version: str, level: int) -> pd.DataFrame:
    """Display (coverage-simplified) geometry of one NUTS version and level: code, wkb, label_lon/lat.

    Falls back to the 'full' variant when no display variant was built.
    """
    rows = query(
        con,
        """
        SELECT code, wkb, label_lon, label_lat, variant FROM geometries
        WHERE nuts_version = ? AND level = ? AND variant IN ('display', 'full')
        QUALIFY row_number() OVER (PARTITION BY code ORDER BY variant = 'display' DESC) = 1
        ORDER BY code""",
        [nuts_version, level],
    )
    return rows


def country_borders(con: duckdb.DuckDBPyConnection, *, nuts_version: str) -> pd.DataFrame:
    """Level-0 display geometry of a NUTS version (the base map): code, wkb."""
    return display_geometry(con, nuts_version=nuts_version, level=0)


def organisations(con: duckdb.DuckDBPyConnection, *, countries: tuple[str, ...] = ()) -> pd.DataFrame:
    """Cluster organisations with coordinates (optionally of some countries).

    Columns: id, name, acronym, country, city, sectors, clusters, website, lat, lon, directory, nuts2,
    org_type, org_kind, geocode_precision (the map colours markers by kind and draws the precision).
    """
    if not table_exists(con, "organisations"):
        return pd.DataFrame(
            columns=[
                "id",
                "name",
                "acronym",
                "country",
                "city",
                "sectors",
                "clusters",
                "website",
                "lat",
                "lon",
                "directory",
                "nuts2",
                "org_type",
                "org_kind",
                "geocode_precision",
            ]
        )
    return query(
        con,
        """
        SELECT id, name, acronym, country, city, sectors, clusters, website, lat, lon, directory, nuts2,
               org_type, org_kind, geocode_precision
        FROM organisations
        WHERE lat IS NOT NULL AND lon IS NOT NULL
          AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], country))
        ORDER BY name""",
        [list(countries), list(countries)],
    )


def check_metric(column: str) -> str:
    """``column`` if it is a metric column the map may show, else :class:`InputError`."""
    if column not in METRIC_COLUMNS_SQL:
        raise InputError(f"Unknown metric column {column!r}; known: {', '.join(METRIC_COLUMNS_SQL)}.")
    return column
