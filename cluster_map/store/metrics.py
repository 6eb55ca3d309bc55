"""The materialised statistics: tables ``metrics``, ``region_indices``, ``sector_indices``.

Written by :func:`cluster_map.services.metrics.materialise` at ingest, read by the map, profiles,
reports and the CLI. Rows are written clustered by ``dataset, level, sector, year`` (indices:
``dataset, level, year``) so that DuckDB's row-group min/max zone maps skip everything but the
slice a map asks for: one (dataset, level, sector, year) slice reads in milliseconds. One benchmark
per dataset is stored, its name in column ``benchmark``: ``dataset`` for Eurostat data, ``external``
(the US Cluster Mapping convention against the US benchmark totals) for ``us_cmp_states_2016``.

The cube reader (:data:`CUBE_SQL`) turns ``observations`` into one row per region x sector x year.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pandas as pd
import pyarrow as pa

from cluster_map.errors import StoreError

KEY = (
    "dataset VARCHAR NOT NULL, nuts_version VARCHAR NOT NULL, level INTEGER NOT NULL, "
    "region VARCHAR NOT NULL, sector_scheme VARCHAR NOT NULL, sector_level INTEGER NOT NULL, "
)
DDL: dict[str, str] = {
    "metrics": f"""
        CREATE TABLE metrics (
            {KEY} sector VARCHAR NOT NULL, year INTEGER NOT NULL,
            country VARCHAR, sector_type VARCHAR,  -- traded | local (US), NULL (NACE)
            employment DOUBLE, establishments DOUBLE, wages DOUBLE,
            region_total DOUBLE,     -- E_r: the dataset's total code, else the sum over the sector level
            sector_total DOUBLE,     -- E_s of the benchmark
            benchmark_total DOUBLE,  -- E of the benchmark
            share_region DOUBLE, share_sector DOUBLE, lq DOUBLE,
            lq_low DOUBLE, lq_high DOUBLE,  -- bounds of a confidential cell's LQ from the NACE hierarchy
            size_star BOOLEAN, specialisation_star BOOLEAN, focus_star BOOLEAN, stars INTEGER,
            qualifying BOOLEAN, significant BOOLEAN, strong BOOLEAN, strong10 BOOLEAN,
            benchmark VARCHAR NOT NULL,  -- dataset | country | external
            reason VARCHAR,              -- why a value is NULL or a star withheld; NULL if none
            caveats VARCHAR,             -- ';'-separated: confidential, suspect:<rule>, estimated:<method>,
                                         -- denominator:<level>; '' if none
            wage_per_person DOUBLE,      -- wages / persons employed, euro (stats.productivity)
            wage_ratio DOUBLE,           -- wage_per_person / the sector's European level
            gva_per_person DOUBLE,       -- gross value added / persons employed, euro (regional accounts)
            gva_ratio DOUBLE,            -- gva_per_person / the sector's European level
            productivity_star BOOLEAN,   -- the basis' ratio >= Q90 of the sector's regions
            performance VARCHAR,         -- high | medium | basic (bands of the basis' ratio)
            productivity_basis VARCHAR)  -- value_added (gva_ratio) | wages (wage_ratio): what the star
                                         -- and the band read; NULL without a ratio""",
    "region_indices": f"""
        CREATE TABLE region_indices (
            {KEY} year INTEGER NOT NULL,
            employment DOUBLE, n_sectors BIGINT, krugman DOUBLE, krugman_half DOUBLE, hhi DOUBLE,
            entropy DOUBLE, related_variety DOUBLE, unrelated_variety DOUBLE, cluster_strength DOUBLE,
            published_share DOUBLE,  -- share of E_r the published cells cover (indices use those only)
            benchmark VARCHAR NOT NULL)""",
    "sector_indices": """
        CREATE TABLE sector_indices (
            dataset VARCHAR NOT NULL, nuts_version VARCHAR NOT NULL, level INTEGER NOT NULL,
            sector_scheme VARCHAR NOT NULL, sector_level INTEGER NOT NULL, sector VARCHAR NOT NULL,
            year INTEGER NOT NULL,
            employment DOUBLE, n_regions BIGINT, regions BIGINT, gini DOUBLE, locational_gini DOUBLE,
            hoover DOUBLE, theil DOUBLE, benchmark VARCHAR NOT NULL)""",
}
SORT: dict[str, str] = {
    "metrics": "dataset, level, sector, year, region",
    "region_indices": "dataset, level, year, sector_level, region",
    "sector_indices": "dataset, level, year, sector_level, sector",
}
TABLES = tuple(DDL)


def _raw(con: Any) -> Any:
    """The DuckDB connection behind an ibis backend (or the connection itself)."""
    return getattr(con, "con", con)


#: Order of the rows within one dataset (the dataset is constant in one insert).
WITHIN: dict[str, str] = {name: order.removeprefix("dataset, ") for name, order in SORT.items()}
#: Columns an insert may set to a constant (allow-list: they are spliced as identifiers).
CONSTANT_COLUMNS = ("dataset", "nuts_version", "sector_scheme", "benchmark")


def create_tables(con: Any) -> None:
    """(Re)create the three metric tables, empty.

    Each dataset's rows are then inserted once, sorted (:func:`insert_select`): rows of one dataset
    are contiguous and ordered by level, sector, year, so DuckDB's row-group zone maps make a
    (dataset, level, sector, year) read a millisecond lookup without a second sorting pass.
    """
    raw = _raw(con)
    for name, ddl in DDL.items():
        raw.execute(f"DROP TABLE IF EXISTS {name}")
        raw.execute(ddl)


def _constants(constants: dict[str, str]) -> tuple[str, list[str]]:
    bad = [k for k in constants if k not in CONSTANT_COLUMNS]
    if bad:
        raise StoreError(f"Cannot set column(s) {bad!r}; only {CONSTANT_COLUMNS!r}.")
    return "".join(f", ?::VARCHAR AS {k}" for k in constants), list(constants.values())


def insert_select(con: Any, table: str, select_sql: str, *, constants: dict[str, str] | None = None) -> int:
    """``INSERT INTO table BY NAME`` the rows of ``select_sql`` (SQL compiled from an ibis
    expression for the same DuckDB) plus ``constants`` (e.g. dataset), sorted for slice reads."""
    _check_table(table)
    extra, params = _constants(constants or {})
    sql = (
        f"INSERT INTO {table} BY NAME SELECT _s.*{extra} FROM ({select_sql}) _s "  # noqa: S608
        f"ORDER BY {WITHIN[table]}"
    )
    return int(_raw(con).execute(sql, params).fetchall()[0][0])


def insert_frame(
    con: Any, table: str, frame: pd.DataFrame | pa.Table, *, constants: dict[str, str] | None = None
) -> int:
    """Append a frame (e.g. computed on Spark) to ``table`` by column name, sorted for slice reads."""
    _check_table(table)
    raw = _raw(con)
    data = frame if isinstance(frame, pa.Table) else pa.Table.from_pandas(frame, preserve_index=False)
    raw.register("_cm_insert", data)
    try:
        return insert_select(con, table, "SELECT * FROM _cm_insert", constants=constants)
    finally:
        raw.unregister("_cm_insert")


def copy_series(
    con: Any,
    *,
    code: str,
    parts: Sequence[tuple[str, int | None, int | None]],
    break_years: Sequence[int],
    caveat: str,
) -> dict[str, int]:
    """Copy the rows of each part dataset (dataset, first year, last year; None: open) of every metric
    table to dataset ``code``, sorted for slice reads; the ``metrics`` rows of ``break_years`` get
    ``caveat`` appended to ``caveats`` (';'-separated). Returns the rows written per table."""
    raw = _raw(con)
    out: dict[str, int] = {}
    for table in TABLES:
        cols = [r[0] for r in raw.execute(f"DESCRIBE {table}").fetchall()]  # noqa: S608 - allow-listed
        select = ", ".join(
            "?::VARCHAR AS dataset"
            if c == "dataset"
            else (
                "CASE WHEN list_contains(?::INTEGER[], year) THEN concat_ws(';', nullif(caveats, ''), ?::VARCHAR) "
                "ELSE caveats END AS caveats"
            )
            if c == "caveats"
            else c
            for c in cols
        )
        params: list[Any] = [code] + ([list(break_years), caveat] if "caveats" in cols else [])
        where = " OR ".join(
            "(dataset = ? AND year >= coalesce(?, year) AND year <= coalesce(?, year))" for _ in parts
        )
        for part in parts:
            params += list(part)
        sql = (
            f"INSERT INTO {table} SELECT {select} FROM {table} WHERE {where} "  # noqa: S608 - allow-listed
            f"ORDER BY {WITHIN[table]}"
        )
        out[table] = int(raw.execute(sql, params).fetchall()[0][0])
    return out


def _check_table(table: str) -> None:
    if table not in DDL:
        raise StoreError(f"Unknown metric table {table!r}; expected one of {', '.join(TABLES)}.")


def _query(con: Any, sql: str, params: Sequence[Any]) -> pd.DataFrame:
    cur = _raw(con).cursor()
    try:
        return cur.sql(sql, params=list(params)).to_arrow_table().to_pandas()
    except Exception as exc:
        if "does not exist" in str(exc) and "Table" in str(exc):
            raise StoreError(
                "The store has no metric tables; rebuild it with `cluster-map ingest` "
                "(which materialises the statistics)."
            ) from exc
        raise
    finally:
        cur.close()


def read_slice(con: Any, *, dataset: str, level: int, sector: str, year: int) -> pd.DataFrame:
    """All regions of one (dataset, level, sector, year) slice of ``metrics`` (the map's lookup)."""
    return _query(
        con,
        "SELECT * FROM metrics WHERE dataset = ? AND level = ? AND sector = ? AND year = ? ORDER BY region",
        [dataset, level, sector, year],
    )


def read_table(
    con: Any,
    table: str,
    *,
    dataset: str,
    level: int | None = None,
    year: int | None = None,
    sector: str | None = None,
) -> pd.DataFrame:
    """Rows of a metric table for ``dataset``, optionally one level, year and (not for
    ``region_indices``) sector, in the table's sort order."""
    _check_table(table)
    where = ["dataset = ?", "(? IS NULL OR level = ?)", "(? IS NULL OR year = ?)"]
    params: list[Any] = [dataset, level, level, year, year]
    if sector is not None and table != "region_indices":
        where.append("sector = ?")
        params.append(sector)
    sql = f"SELECT * FROM {table} WHERE {' AND '.join(where)} ORDER BY {SORT[table]}"  # noqa: S608
    return _query(con, sql, params)


def datasets_with_metrics(con: Any) -> list[str]:
    """Datasets present in ``metrics`` (empty when the table is missing)."""
    rows = _query(con, "SELECT count(*) AS n FROM information_schema.tables WHERE table_name = 'metrics'", [])
    if not int(rows["n"].iloc[0]):
        return []
    return _query(con, "SELECT DISTINCT dataset FROM metrics ORDER BY dataset", [])["dataset"].tolist()


def observation_datasets(con: Any) -> list[str]:
    """Datasets present in ``observations``."""
    return _query(con, "SELECT DISTINCT dataset FROM observations ORDER BY dataset", [])["dataset"].tolist()


CUBE_SQL = """
    WITH o AS (
        SELECT region, nuts_version, sector, year,
               sum(CASE WHEN indicator = $emp AND breakdown = $emp_breakdown THEN value * $emp_factor END)
                   AS employment,
               sum(CASE WHEN indicator = $est THEN value END) AS establishments,
               sum(CASE WHEN indicator = $wages THEN value END) AS wages,
               count(*) FILTER (WHERE indicator = $emp AND breakdown = $emp_breakdown) AS n_emp,
               string_agg(DISTINCT flags, '') FILTER (WHERE indicator = $emp AND breakdown = $emp_breakdown)
                   AS flags,
               string_agg(DISTINCT caveats, ';') FILTER (WHERE indicator = $emp AND breakdown = $emp_breakdown
                                                         AND caveats <> '') AS caveats
        FROM observations
        WHERE dataset = $dataset AND indicator IN ($emp, $est, $wages)
          AND ($nuts IS NULL OR nuts_version = $nuts)
        GROUP BY ALL),
    reg AS (
        SELECT code, nuts_version, level,
               CASE WHEN kind LIKE 'us_%' THEN 'US' ELSE coalesce(country, left(code, 2)) END AS country
        FROM regions WHERE kind IN ('nuts', 'us_state')),
    sec AS (SELECT code, level, parent, sector_type FROM sectors WHERE scheme = $scheme),
    tot AS (SELECT region, year, employment AS region_total FROM o WHERE sector = $total_code),
    cells AS (
        SELECT reg.level::BIGINT AS level,
               (CASE WHEN sec.level >= 1 THEN sec.level ELSE 1 END)::BIGINT AS sector_level,
               o.year::BIGINT AS year, o.region, o.sector, reg.country,
               o.employment, o.establishments, o.wages, sec.sector_type,
               CASE WHEN sec.level >= 2 THEN sec.parent END AS parent,
               tot.region_total,
               coalesce(o.flags, '') AS flags, coalesce(o.caveats, '') AS caveats,
               sec.level::BIGINT AS hier_level
        FROM o
        JOIN reg ON reg.code = o.region AND reg.nuts_version = o.nuts_version
        JOIN sec ON sec.code = o.sector
        LEFT JOIN tot ON tot.region = o.region AND tot.year = o.year
        WHERE o.n_emp > 0 AND o.sector <> $total_code AND o.sector NOT IN (SELECT unnest($excluded)))
    SELECT * FROM cells
    WHERE ($level IS NULL OR level = $level) AND ($year IS NULL OR year = $year)
"""


def cube_params(
    *,
    dataset: str,
    scheme: str,
    employment: tuple[str, str, float],
    establishments: str = "",
    wages: str = "",
    total_code: str = "",
    excluded: Sequence[str] = (),
    level: int | None = None,
    year: int | None = None,
    nuts_version: str | None = None,
) -> dict[str, Any]:
    """Named parameters of :data:`CUBE_SQL` (``employment`` = indicator, breakdown, factor)."""
    emp, breakdown, factor = employment
    return {
        "dataset": dataset, "scheme": scheme, "emp": emp, "emp_breakdown": breakdown,
        "emp_factor": float(factor), "est": establishments or "\x00", "wages": wages or "\x00",
        "total_code": total_code or "\x00", "excluded": list(excluded) or ["\x00"],
        "level": level, "year": year, "nuts": nuts_version,
    }  # fmt: skip


def observation_versions(con: Any, dataset: str) -> list[str]:
    """NUTS versions of a dataset's observations (ascending)."""
    rows = _query(
        con, "SELECT DISTINCT nuts_version FROM observations WHERE dataset = ? ORDER BY 1", [dataset]
    )
    return [str(v) for v in rows["nuts_version"]]


def cube_diagnosis(con: Any, params: dict[str, Any]) -> str:
    """Why a dataset's cube is empty, in one sentence: how many of its employment rows exist, how many
    have a region of their NUTS version, how many a sector of the scheme."""
    rows = _query(
        con,
        """
        WITH o AS (SELECT DISTINCT region, nuts_version, sector FROM observations
                   WHERE dataset = ? AND indicator = ? AND breakdown = ?)
        SELECT count(*) AS cells,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM regions r WHERE r.code = o.region
                                AND r.nuts_version = o.nuts_version AND r.kind IN ('nuts', 'us_state')))
                   AS with_region,
               count(*) FILTER (WHERE EXISTS (SELECT 1 FROM sectors s WHERE s.code = o.sector AND s.scheme = ?))
                   AS with_sector
        FROM o""",
        [params["dataset"], params["emp"], params["emp_breakdown"], params["scheme"]],
    )
    r = rows.iloc[0]
    return (
        f"Employment cell {params['emp']!r} {params['emp_breakdown']!r}: {int(r['cells'])} region-sector "
        f"combinations, {int(r['with_region'])} with a known region, {int(r['with_sector'])} with a known "
        "sector. Check the dataset's NUTS version and sector codes in the catalogue."
    )


def create_cube(con: Any, name: str, params: dict[str, Any]) -> int:
    """Materialise the cube of one dataset as the temporary table ``name``; returns its row count."""
    if not name.isidentifier():
        raise StoreError(f"Bad temporary table name {name!r}.")
    raw = _raw(con)
    raw.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {CUBE_SQL}", params)
    return int(raw.execute(f"SELECT count(*) FROM {name}").fetchall()[0][0])  # noqa: S608


def create_temp(con: Any, name: str, select_sql: str) -> None:
    """``CREATE OR REPLACE TEMP TABLE name AS <select_sql>`` (compiled from an ibis expression)."""
    if not name.isidentifier():
        raise StoreError(f"Bad temporary table name {name!r}.")
    _raw(con).execute(f"CREATE OR REPLACE TEMP TABLE {name} AS {select_sql}")


#: A total order of the cube's rows (one row per level, sector level, year, region and sector).
CUBE_ORDER = "level, sector_level, year, region, sector"


def read_temp(con: Any, name: str, *, order_by: str = CUBE_ORDER) -> pd.DataFrame:
    """A temporary table as a pandas frame, its rows in ``order_by`` (column names; the default is the
    cube's key): a parallel scan returns rows in any order, and the pandas sums that follow (the NACE
    bounds of a confidential cell) would then differ in their last bits between two builds."""
    if not name.isidentifier() or not all(c.strip().isidentifier() for c in order_by.split(",")):
        raise StoreError(f"Bad temporary table name {name!r} or order {order_by!r}.")
    # a temporary table lives in its connection: no cursor here
    return (
        _raw(con).sql(f"SELECT * FROM {name} ORDER BY {order_by}").to_arrow_table().to_pandas()  # noqa: S608
    )


def replace_temp(con: Any, name: str, frame: pd.DataFrame) -> None:
    """``CREATE OR REPLACE TEMP TABLE name`` holding ``frame`` (e.g. the cube after the quality rules)."""
    if not name.isidentifier():
        raise StoreError(f"Bad temporary table name {name!r}.")
    raw = _raw(con)
    raw.register("_cm_frame", pa.Table.from_pandas(frame, preserve_index=False))
    try:
        raw.execute(f"CREATE OR REPLACE TEMP TABLE {name} AS SELECT * FROM _cm_frame")  # noqa: S608
    finally:
        raw.unregister("_cm_frame")


def read_cube(con: Any, params: dict[str, Any]) -> pa.Table:
    """The cube of one dataset as an Arrow table (for Spark)."""
    cur = _raw(con).cursor()
    try:
        return cur.sql(CUBE_SQL, params=params).to_arrow_table()
    finally:
        cur.close()


TOTALS_SQL = """
    WITH t AS (
        SELECT region AS country, sector, year::BIGINT AS year,
               sum(CASE WHEN indicator = $emp AND breakdown = $emp_breakdown THEN value * $emp_factor END)
                   AS employment,
               sum(CASE WHEN indicator = $total_indicator THEN value * $emp_factor END) AS type_total
        FROM observations WHERE dataset = $dataset GROUP BY ALL),
    grand AS (SELECT country, year, employment AS grand_total FROM t WHERE sector = $total_code)
    SELECT t.country, t.sector, t.year, t.employment,
           coalesce(t.type_total, grand.grand_total) AS total, s.sector_type
    FROM t LEFT JOIN grand USING (country, year)
    LEFT JOIN (SELECT code, sector_type FROM sectors WHERE scheme = $scheme) s ON s.code = t.sector
    WHERE t.sector <> $total_code AND t.employment IS NOT NULL
"""


def read_totals(
    con: Any,
    *,
    dataset: str,
    scheme: str,
    employment: tuple[str, str, float],
    total_indicator: str = "",
    total_code: str = "",
) -> pa.Table:
    """External benchmark totals from ``observations`` (country, sector, year, employment, total,
    sector_type): ``total`` is the ``total_indicator`` of the row (US ``type_total_emp``) or the
    value at ``total_code`` of the same country and year (Eurostat ``B-N_S95_X_K``)."""
    emp, breakdown, factor = employment
    params = {
        "dataset": dataset, "scheme": scheme, "emp": emp, "emp_breakdown": breakdown,
        "emp_factor": float(factor), "total_indicator": total_indicator or "\x00",
        "total_code": total_code or "\x00",
    }  # fmt: skip
    cur = _raw(con).cursor()
    try:
        return cur.sql(TOTALS_SQL, params=params).to_arrow_table()
    finally:
        cur.close()
