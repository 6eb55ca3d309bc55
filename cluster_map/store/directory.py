"""The SQL behind the directory of cluster organisations, partnerships and events.

Free-text search is a parameterised ``ILIKE`` with the user's ``%`` and ``_`` escaped, so a search
for ``10%`` finds ``10%`` and nothing else. Lists are bound as one ``VARCHAR[]`` parameter.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import duckdb
import pandas as pd

from cluster_map.store.database import positions_by_value, query, split_result
from cluster_map.store.load import table_columns
from cluster_map.store.queries import table_exists

#: Columns a directory read returns: the ``organisations`` table's (store/schema.py), less the search index.
ORGANISATION_COLUMNS: tuple[str, ...] = tuple(
    name for name, _, _ in table_columns("organisations") if name != "search_terms"
)
_SELECT = ", ".join(ORGANISATION_COLUMNS)
#: Columns a search may be sorted by (an allow-list: the user picks one).
SORT_COLUMNS = ("name", "country", "members_total", "founded_year", "label_level", "geocode_precision")


def like_pattern(text: str) -> str:
    """``%text%`` with ``\\``, ``%`` and ``_`` escaped for ``ILIKE ... ESCAPE '\\'``.

    >>> like_pattern("10%_a")
    '%10\\\\%\\\\_a%'
    """
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def organisations(
    con: duckdb.DuckDBPyConnection,
    *,
    text: str = "",
    sector: str = "",
    countries: Sequence[str] = (),
    region: str = "",
    directory: str = "",
) -> pd.DataFrame:
    """Cluster organisations matching every given criterion, sorted by country and name (then id).

    ``text`` searches name, acronym, city, region text and sectors; ``sector`` searches the sector
    keywords and US clusters; ``region`` matches any of nuts0..nuts3 (or a US state code in nuts1).
    Columns: :data:`ORGANISATION_COLUMNS`.
    """
    if not table_exists(con, "organisations"):
        return pd.DataFrame(columns=list(ORGANISATION_COLUMNS))
    return query(
        con,
        f"""
        SELECT {_SELECT} FROM organisations
        WHERE (? = '' OR concat_ws(' ', name, acronym, city, region_text, sectors, clusters)
                         ILIKE ? ESCAPE '\\')
          AND (? = '' OR concat_ws(' ', sectors, clusters) ILIKE ? ESCAPE '\\')
          AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], country))
          AND (? = '' OR ? IN (nuts0, nuts1, nuts2, nuts3))
          AND (? = '' OR directory = ?)
        ORDER BY country, name, id""",  # noqa: S608 - only the constant column list is spliced
        [
            text,
            like_pattern(text),
            sector,
            like_pattern(sector),
            list(countries),
            list(countries),
            region,
            region,
            directory,
            directory,
        ],
    )


def organisations_in_regions(
    con: duckdb.DuckDBPyConnection, regions: Sequence[str]
) -> dict[str, pd.DataFrame]:
    """:func:`organisations` of several regions in one query: ``{region: frame}``, each frame equal to
    ``organisations(con, region=region)`` (same rows, order, index and column types)."""
    wanted = list(dict.fromkeys(regions))
    if not table_exists(con, "organisations"):
        return {r: pd.DataFrame(columns=list(ORGANISATION_COLUMNS)) for r in wanted}
    rows = query(
        con,
        f"""
        SELECT {_SELECT} FROM organisations
        WHERE list_has_any(?::VARCHAR[], [nuts0, nuts1, nuts2, nuts3])
        ORDER BY country, name, id""",  # noqa: S608 - only the constant column list is spliced
        [wanted],
    )
    at = positions_by_value(rows, ["nuts0", "nuts1", "nuts2", "nuts3"])
    return split_result(rows, {r: at.get(r, []) for r in wanted})


def organisation(con: duckdb.DuckDBPyConnection, org_id: str) -> pd.DataFrame:
    """One organisation by id (empty when unknown)."""
    return query(con, f"SELECT {_SELECT} FROM organisations WHERE id = ?", [org_id])  # noqa: S608 - constant columns


def directory_dates(con: duckdb.DuckDBPyConnection, code: str) -> tuple[Any, Any]:
    """(the source's own last update, when Cluster Map read it) of directory ``code``; ``None`` where unknown."""
    if not table_exists(con, "datasets"):
        return None, None
    found = con.execute(
        "SELECT last_update, extracted_at FROM datasets WHERE code = ? ORDER BY extracted_at DESC LIMIT 1",
        [code],
    ).fetchone()
    return (None, None) if found is None else (found[0], found[1])


def partnerships(con: duckdb.DuckDBPyConnection, *, text: str = "", country: str = "") -> pd.DataFrame:
    """Cluster partnerships whose name, theme or members match ``text`` and that involve ``country``."""
    if not table_exists(con, "partnerships"):
        return pd.DataFrame(
            columns=["name", "theme", "type", "member_organisations", "countries", "source_url", "note"]
        )
    return query(
        con,
        """
        SELECT name, theme, type, member_organisations, countries, source_url, note FROM partnerships
        WHERE (? = '' OR concat_ws(' ', name, theme, member_organisations) ILIKE ? ESCAPE '\\')
          AND (? = '' OR list_contains(string_split(replace(coalesce(countries, ''), ' ', ''), ';'), ?))
        ORDER BY name""",
        [text, like_pattern(text), country, country],
    )


def events(con: duckdb.DuckDBPyConnection, *, text: str = "", country: str = "") -> pd.DataFrame:
    """Cluster events matching ``text`` (name, type, organisers) in ``country``, newest first."""
    if not table_exists(con, "events"):
        return pd.DataFrame(
            columns=[
                "id",
                "event_name",
                "event_type",
                "dates",
                "date_precision",
                "date_start",
                "date_end",
                "city",
                "country",
                "organisers_partners",
                "participants",
                "source_url",
                "note",
            ]
        )
    return query(
        con,
        """
        SELECT id, event_name, event_type, dates, date_precision, date_start, date_end, city, country, organisers_partners,
               participants, source_url, note FROM events
        WHERE (? = '' OR concat_ws(' ', event_name, event_type, organisers_partners, city) ILIKE ? ESCAPE '\\')
          AND (? = '' OR country = ?)
        ORDER BY date_start DESC NULLS LAST, event_name""",
        [text, like_pattern(text), country, country],
    )


def countries(con: duckdb.DuckDBPyConnection) -> list[str]:
    """Countries that have at least one organisation."""
    if not table_exists(con, "organisations"):
        return []
    rows = query(con, "SELECT DISTINCT country FROM organisations WHERE country IS NOT NULL ORDER BY country")
    return rows["country"].tolist()


def sector_keywords(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Sector keywords of the directory with the number of organisations using each: keyword, n."""
    if not table_exists(con, "organisations"):
        return pd.DataFrame(columns=["keyword", "n"])
    return query(
        con,
        """
        WITH k AS (SELECT trim(unnest(string_split(coalesce(sectors, ''), ';'))) AS keyword FROM organisations)
        SELECT lower(keyword) AS keyword, count(*) AS n FROM k WHERE keyword <> ''
        GROUP BY ALL ORDER BY n DESC, keyword""",
    )


def search_where(
    *,
    groups: Sequence[tuple[Sequence[str], str]] = (),
    countries: Sequence[str] = (),
    region: str = "",
    any_terms: Sequence[Sequence[str]] = (),
    kinds: Sequence[str] = (),
    labels: Sequence[str] = (),
    sizes: Sequence[tuple[int, int | None]] = (),
    ids: Sequence[str] | None = None,
    directory: str = "",
) -> tuple[str, list[object]]:
    """The ``WHERE`` clause and parameters of a directory search (a pure function; table-driven tests).

    ``groups``: every ``(terms, word)`` must match, by one of ``terms`` in ``search_terms`` or by
    ``word`` inside the name or acronym; ``any_terms``: for each list, the organisation holds one of
    them (sector and ecosystem filters); ``sizes``: ``(low, high)`` ranges of ``members_total``
    (``high`` None: no upper end); ``ids``: only these organisations (a partnership's members).

    >>> search_where(countries=["FR"])
    ('list_contains(?::VARCHAR[], country)', [['FR']])
    """
    clauses: list[str] = []
    params: list[object] = []
    for terms, word in groups:
        clauses.append(
            "(list_has_any(search_terms, ?::VARCHAR[]) OR concat_ws(' ', name, acronym) ILIKE ? ESCAPE '\\')"
        )
        params += [list(terms), like_pattern(word)]
    if countries:
        clauses.append("list_contains(?::VARCHAR[], country)")
        params.append(list(countries))
    if region:
        clauses.append("? IN (nuts0, nuts1, nuts2, nuts3)")
        params.append(region)
    for terms in any_terms:
        clauses.append("list_has_any(search_terms, ?::VARCHAR[])")
        params.append(list(terms))
    if kinds:
        clauses.append("list_contains(?::VARCHAR[], org_kind)")
        params.append(list(kinds))
    if labels:
        clauses.append("list_contains(?::VARCHAR[], label_level)")
        params.append(list(labels))
    if sizes:
        parts = []
        for low, high in sizes:
            if high is None:
                parts.append("members_total >= ?")
                params.append(low)
            else:
                parts.append("members_total BETWEEN ? AND ?")
                params += [low, high]
        clauses.append("(" + " OR ".join(parts) + ")")
    if ids is not None:
        clauses.append("list_contains(?::VARCHAR[], id)")
        params.append(list(ids))
    if directory:
        clauses.append("directory = ?")
        params.append(directory)
    return (" AND ".join(clauses) or "TRUE"), params


def search(
    con: duckdb.DuckDBPyConnection,
    where: tuple[str, list[object]],
    *,
    sort: str = "name",
    descending: bool = False,
    limit: int | None = None,
    offset: int = 0,
) -> tuple[pd.DataFrame, int]:
    """One page of the organisations matching ``where`` (from :func:`search_where`) and the total count.

    ``sort`` is one of :data:`SORT_COLUMNS` (then name and id break ties); ``limit`` None: all rows.
    """
    if sort not in SORT_COLUMNS:
        raise ValueError(f"sort column {sort!r} is not one of {SORT_COLUMNS!r}")
    if not table_exists(con, "organisations"):
        return pd.DataFrame(columns=list(ORGANISATION_COLUMNS)), 0
    clause, params = where
    key = (
        "CASE label_level WHEN 'gold' THEN 3 WHEN 'silver' THEN 2 WHEN 'bronze' THEN 1 END"
        if sort == "label_level"
        else sort
    )
    order = f"{key} {'DESC' if descending else 'ASC'} NULLS LAST, name, id"
    page = "" if limit is None else f" LIMIT {int(limit)} OFFSET {int(offset)}"
    # spliced: the clause of search_where (placeholders only), an allow-listed sort column, two integers
    sql = f"SELECT {_SELECT}, count(*) OVER () AS n_found FROM organisations WHERE {clause} ORDER BY {order}{page}"  # noqa: S608
    rows = query(con, sql, params)
    count_sql = f"SELECT count(*) AS n FROM organisations WHERE {clause}"  # noqa: S608
    total = (
        int(rows["n_found"].iloc[0])
        if len(rows)
        else (0 if offset == 0 else int(query(con, count_sql, params)["n"].iloc[0]))
    )
    return rows.drop(columns=["n_found"]), total


def search_terms_of(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """id, country, nuts2, lat, lon, sector_keys, nace of every organisation (the partner finder's input)."""
    if not table_exists(con, "organisations"):
        return pd.DataFrame(
            columns=[
                "id",
                "name",
                "country",
                "nuts0",
                "nuts1",
                "nuts2",
                "lat",
                "lon",
                "geocode_precision",
                "sector_keys",
                "nace",
                "clusters",
                "sectors",
                "members_total",
            ]
        )
    return query(
        con,
        """SELECT id, name, country, nuts0, nuts1, nuts2, lat, lon, geocode_precision, sector_keys,
                                nace, clusters, sectors, members_total FROM organisations ORDER BY id""",
    )


def region_shapes(con: duckdb.DuckDBPyConnection, nuts_version: str) -> pd.DataFrame:
    """code, nuts_version, level, country, name, kind, label_lon, label_lat, wkb (full geometry) of one
    version (``'us'``: US states and counties), for placing imported organisations."""
    return query(
        con,
        """
        SELECT r.code, r.nuts_version, r.level, r.country, r.name, r.kind, g.label_lon, g.label_lat, g.wkb
        FROM regions r JOIN geometries g ON g.code = r.code AND g.nuts_version = r.nuts_version AND g.variant = 'full'
        WHERE r.nuts_version = ? AND r.level BETWEEN 0 AND 3
          AND (? <> 'us' OR r.kind IN ('us_state', 'us_county'))""",
        [nuts_version, nuts_version],
    )


def names_and_countries(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """id, directory, name, country of every organisation (for duplicate checks)."""
    if not table_exists(con, "organisations"):
        return pd.DataFrame(columns=["id", "directory", "name", "country"])
    return query(con, "SELECT id, directory, name, country FROM organisations")


def user_directory_rows(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Every row of the organisations table that came from a user's import (directory ``user:*``)."""
    if not table_exists(con, "organisations"):
        return pd.DataFrame()
    return query(con, "SELECT * FROM organisations WHERE starts_with(directory, 'user:')")
