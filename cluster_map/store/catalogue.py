"""What the store holds: datasets with provenance, region and sector lookups, unmatched codes, counts.

Every function takes an open connection (read-only is enough) and uses its own cursor, so the app may
call them from several threads on one cached connection. Filters are parameterised; the filterable
columns are fixed per function.
"""

from __future__ import annotations

from collections.abc import Mapping

import duckdb
import pandas as pd

from cluster_map.store.database import query
from cluster_map.store.schema import TABLES


def where_clause(filters: Mapping[str, object | None], allowed: frozenset[str]) -> tuple[str, list[object]]:
    """``(" WHERE a = ? AND b = ?", [va, vb])`` for the filters that are not ``None``.

    Column names must be in ``allowed`` (a ``ValueError`` names the bad one); values are never
    spliced into the SQL.
    """
    parts: list[str] = []
    params: list[object] = []
    for column, value in filters.items():
        if column not in allowed:
            raise ValueError(f"Cannot filter on {column!r}; allowed: {sorted(allowed)}")
        if value is None:
            continue
        parts.append(f'"{column}" = ?')
        params.append(value)
    return (" WHERE " + " AND ".join(parts) if parts else ""), params


def datasets(con: duckdb.DuckDBPyConnection, *, kind: str | None = None) -> pd.DataFrame:
    """The ``datasets`` table (one row per source dataset or file family, with provenance).

    Ordered statistics, geometry, clusters, organisations, code lists; then by code.
    """
    where, params = where_clause({"kind": kind}, frozenset({"kind"}))
    order = (
        "CASE kind WHEN 'statistics' THEN 0 WHEN 'geometry' THEN 1 WHEN 'clusters' THEN 2 "
        "WHEN 'organisations' THEN 3 WHEN 'codelist' THEN 4 ELSE 5 END, code"
    )
    return query(con, f"SELECT * FROM datasets{where} ORDER BY {order}", params)  # noqa: S608 (allow-listed identifiers)


def regions(
    con: duckdb.DuckDBPyConnection,
    *,
    nuts_version: str | None = None,
    level: int | None = None,
    kind: str | None = None,
    country: str | None = None,
) -> pd.DataFrame:
    """Regions (code, nuts_version, level, country, name, parent, kind), filtered."""
    where, params = where_clause(
        {"nuts_version": nuts_version, "level": level, "kind": kind, "country": country},
        frozenset({"nuts_version", "level", "kind", "country"}),
    )
    return query(con, f"SELECT * FROM regions{where} ORDER BY nuts_version, level, code", params)  # noqa: S608 (allow-listed identifiers)


def region_codes(
    con: duckdb.DuckDBPyConnection, nuts_version: str, *, with_geometry: bool = True
) -> set[str]:
    """Codes of one NUTS version (``with_geometry``: only those that have a geometry)."""
    table = "geometries" if with_geometry else "regions"
    rows = query(con, f"SELECT DISTINCT code FROM {table} WHERE nuts_version = ?", [nuts_version])  # noqa: S608 (allow-listed identifiers)
    return set(rows["code"])


def sectors(
    con: duckdb.DuckDBPyConnection, *, scheme: str | None = None, level: int | None = None
) -> pd.DataFrame:
    """Sectors of a scheme (``nace_r2``, ``us_cluster``, ``us_subcluster``)."""
    where, params = where_clause({"scheme": scheme, "level": level}, frozenset({"scheme", "level"}))
    return query(con, f"SELECT * FROM sectors{where} ORDER BY scheme, code", params)  # noqa: S608 (allow-listed identifiers)


def unmatched_regions(con: duckdb.DuckDBPyConnection, *, dataset: str | None = None) -> pd.DataFrame:
    """Codes of a dataset that match no geometry of its NUTS version after recoding."""
    where, params = where_clause({"dataset": dataset}, frozenset({"dataset"}))
    return query(con, f"SELECT * FROM unmatched_regions{where} ORDER BY dataset, code", params)  # noqa: S608 (allow-listed identifiers)


def nuts_recodes(con: duckdb.DuckDBPyConnection, *, dataset: str | None = None) -> pd.DataFrame:
    """NUTS recodings applied at ingest (old code -> new code, method, weight)."""
    where, params = where_clause({"dataset": dataset}, frozenset({"dataset"}))
    return query(con, f"SELECT * FROM nuts_recodes{where} ORDER BY dataset, code_from, code_to", params)  # noqa: S608 (allow-listed identifiers)


def suspect_cells(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """The metric cells caveated ``suspect:<rule>``, grouped: dataset, country, year, level, rule, cells,
    sectors and regions (sorted, ``', '``-joined); empty when the store has no caveats column."""
    cols = query(con, "SELECT column_name FROM information_schema.columns WHERE table_name = 'metrics'")
    if "caveats" not in set(cols["column_name"]):
        return pd.DataFrame(
            columns=["dataset", "country", "year", "level", "rule", "cells", "sectors", "regions"]
        )
    return query(
        con,
        """
        WITH c AS (
            SELECT dataset, country, year, level, region, sector, unnest(string_split(caveats, ';')) AS code
            FROM metrics WHERE caveats LIKE '%suspect:%' AND sector_scheme <> 'ecosystems')
        SELECT dataset, country, year, level, replace(code, 'suspect:', '') AS rule, count(*) AS cells,
               string_agg(DISTINCT sector, ', ' ORDER BY sector) AS sectors,
               string_agg(DISTINCT region, ', ' ORDER BY region) AS regions
        FROM c WHERE code LIKE 'suspect:%'
        GROUP BY ALL ORDER BY dataset, level DESC, country, year, rule""",
    )


def conversion_counts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Observations converted or estimated at ingest, and NUTS codes recoded, counted per dataset and method.

    Columns: dataset, what ('values' from ``observations.caveats``, 'codes recoded' from ``nuts_recodes``),
    method (the caveat / recode method), n (values, or distinct codes), rows (observation rows concerned).
    """
    return query(
        con,
        """
        SELECT dataset, 'values' AS what, caveats AS method, count(*) AS n, count(*) AS rows
        FROM observations WHERE coalesce(caveats, '') <> '' GROUP BY ALL
        UNION ALL
        SELECT dataset, 'codes recoded' AS what, coalesce(method, '') AS method, count(DISTINCT code_from) AS n,
               coalesce(sum(n_rows), 0) AS rows
        FROM nuts_recodes GROUP BY ALL
        ORDER BY dataset, what DESC, method""",
    )


def table_counts(con: duckdb.DuckDBPyConnection) -> dict[str, int]:
    """Rows per table of the store schema (tables absent from the file are left out)."""
    present = set(query(con, "SELECT table_name FROM information_schema.tables")["table_name"])
    counts: dict[str, int] = {}
    for table in TABLES:  # identifiers from the DDL allow-list only
        if table in present:
            counts[table] = int(query(con, f'SELECT count(*) AS n FROM "{table}"')["n"].iloc[0])  # noqa: S608 (allow-listed identifiers)
    return counts


def observation_summary(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per statistical dataset: rows, values present, first/last year, regions, unmatched codes."""
    return query(
        con,
        """
        SELECT o.dataset, any_value(o.nuts_version) AS nuts_version, count(*) AS rows,
               count(o.value) AS values_present, min(o.year) AS year_min, max(o.year) AS year_max,
               count(DISTINCT o.region) AS regions,
               coalesce(any_value(u.n_unmatched), 0) AS regions_unmatched,
               coalesce(any_value(r.n_recoded), 0) AS codes_recoded
        FROM observations o
        LEFT JOIN (SELECT dataset, count(*) AS n_unmatched FROM unmatched_regions GROUP BY dataset) u
               USING (dataset)
        LEFT JOIN (SELECT dataset, count(DISTINCT code_from) AS n_recoded FROM nuts_recodes GROUP BY dataset) r
               USING (dataset)
        GROUP BY o.dataset ORDER BY o.dataset""",
    )


def organisation_precision(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Organisations per directory and geocode precision (coordinates, city, region, country, none)."""
    return query(
        con,
        """
        SELECT directory, coalesce(geocode_precision, 'none') AS geocode_precision, count(*) AS n
        FROM organisations GROUP BY ALL ORDER BY directory, n DESC""",
    )


def meta(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """The ``meta`` key/value pairs (schema version, build time, origin of the sources)."""
    rows = query(con, "SELECT key, value FROM meta ORDER BY key")
    return dict(zip(rows["key"], rows["value"], strict=True))


def user_datasets(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Datasets a user added (code, spec JSON, file_name, added_at); empty for a store without the table."""
    present = set(query(con, "SELECT table_name FROM information_schema.tables")["table_name"])
    if "user_datasets" not in present:
        return pd.DataFrame(columns=["code", "spec", "file_name", "added_at"])
    return query(con, "SELECT code, spec, file_name, added_at FROM user_datasets ORDER BY code")


def dataset_rows(con: duckdb.DuckDBPyConnection, table: str, codes: list[str]) -> pd.DataFrame:
    """The rows of ``table`` (observations, unmatched_regions, datasets) that belong to datasets ``codes``."""
    column = {"observations": "dataset", "unmatched_regions": "dataset", "datasets": "code"}.get(table)
    if column is None:
        raise ValueError(f"No per-dataset rows in table {table!r}.")
    return query(
        con,
        f'SELECT * FROM "{table}" WHERE list_contains(?::VARCHAR[], "{column}")',  # noqa: S608
        [codes],
    )


def register_user_datasets(
    con: duckdb.DuckDBPyConnection | None = None, *, rows: pd.DataFrame | None = None
) -> tuple[str, ...]:
    """Register the store's user datasets (table ``user_datasets``, or ``rows`` of it) in this process's
    catalogue, so every layer treats them like catalogued ones; returns their codes."""
    import json

    from cluster_map import catalogue as leaf

    specs = rows if rows is not None else user_datasets(con)  # type: ignore[arg-type]
    for r in specs.itertuples():
        leaf.register(leaf.user_dataset(str(r.code), json.loads(r.spec), source_name=str(r.file_name or "")))
    return tuple(str(c) for c in specs["code"])
