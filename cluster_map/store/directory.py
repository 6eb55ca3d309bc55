"""The SQL behind the directory of cluster organisations, partnerships and events.

Free-text search is a parameterised ``ILIKE`` with the user's ``%`` and ``_`` escaped, so a search
for ``10%`` finds ``10%`` and nothing else. Lists are bound as one ``VARCHAR[]`` parameter.
"""

from __future__ import annotations

from collections.abc import Sequence

import duckdb
import pandas as pd

from cluster_map.store.database import query
from cluster_map.store.queries import table_exists

ORGANISATION_COLUMNS = (
    "id", "directory", "name", "acronym", "country", "city", "region_text", "sectors", "clusters",
    "org_type", "members", "founded_year", "esca_label", "website", "source_url", "lat", "lon",
    "geocode_precision", "nuts0", "nuts1", "nuts2", "nuts3", "nuts_version",
)


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
    """Cluster organisations matching every given criterion, sorted by country and name.

    ``text`` searches name, acronym, city, region text and sectors; ``sector`` searches the sector
    keywords and US clusters; ``region`` matches any of nuts0..nuts3 (or a US state code in nuts1).
    Columns: :data:`ORGANISATION_COLUMNS`.
    """
    if not table_exists(con, "organisations"):
        return pd.DataFrame(columns=list(ORGANISATION_COLUMNS))
    return query(con, """
        SELECT id, directory, name, acronym, country, city, region_text, sectors, clusters, org_type, members,
               founded_year, esca_label, website, source_url, lat, lon, geocode_precision, nuts0, nuts1,
               nuts2, nuts3, nuts_version FROM organisations
        WHERE (? = '' OR concat_ws(' ', name, acronym, city, region_text, sectors, clusters)
                         ILIKE ? ESCAPE '\\')
          AND (? = '' OR concat_ws(' ', sectors, clusters) ILIKE ? ESCAPE '\\')
          AND (len(?::VARCHAR[]) = 0 OR list_contains(?::VARCHAR[], country))
          AND (? = '' OR ? IN (nuts0, nuts1, nuts2, nuts3))
          AND (? = '' OR directory = ?)
        ORDER BY country, name""",
                 [text, like_pattern(text), sector, like_pattern(sector), list(countries), list(countries),
                  region, region, directory, directory])


def organisation(con: duckdb.DuckDBPyConnection, org_id: str) -> pd.DataFrame:
    """One organisation by id (empty when unknown)."""
    return query(con, """
        SELECT id, directory, name, acronym, country, city, region_text, sectors, clusters, org_type, members,
               founded_year, esca_label, website, source_url, lat, lon, geocode_precision, nuts0, nuts1,
               nuts2, nuts3, nuts_version FROM organisations WHERE id = ?""", [org_id])


def partnerships(con: duckdb.DuckDBPyConnection, *, text: str = "", country: str = "") -> pd.DataFrame:
    """Cluster partnerships whose name, theme or members match ``text`` and that involve ``country``."""
    if not table_exists(con, "partnerships"):
        return pd.DataFrame(columns=["name", "theme", "type", "member_organisations", "countries",
                                     "source_url", "note"])
    return query(con, """
        SELECT name, theme, type, member_organisations, countries, source_url, note FROM partnerships
        WHERE (? = '' OR concat_ws(' ', name, theme, member_organisations) ILIKE ? ESCAPE '\\')
          AND (? = '' OR list_contains(string_split(replace(coalesce(countries, ''), ' ', ''), ';'), ?))
        ORDER BY name""", [text, like_pattern(text), country, country])


def events(con: duckdb.DuckDBPyConnection, *, text: str = "", country: str = "") -> pd.DataFrame:
    """Cluster events matching ``text`` (name, type, organisers) in ``country``, newest first."""
    if not table_exists(con, "events"):
        return pd.DataFrame(columns=["event_name", "event_type", "date_start", "date_end", "city", "country",
                                     "organisers_partners", "participants", "source_url", "note"])
    return query(con, """
        SELECT event_name, event_type, date_start, date_end, city, country, organisers_partners,
               participants, source_url, note FROM events
        WHERE (? = '' OR concat_ws(' ', event_name, event_type, organisers_partners, city) ILIKE ? ESCAPE '\\')
          AND (? = '' OR country = ?)
        ORDER BY date_start DESC NULLS LAST, event_name""", [text, like_pattern(text), country, country])


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
    return query(con, """
        WITH k AS (SELECT trim(unnest(string_split(coalesce(sectors, ''), ';'))) AS keyword FROM organisations)
        SELECT lower(keyword) AS keyword, count(*) AS n FROM k WHERE keyword <> ''
        GROUP BY ALL ORDER BY n DESC, keyword""")
