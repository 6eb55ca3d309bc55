"""Cluster organisations: search the directory, find partners, partnerships and events.

The partner finder ranks organisations in *other* countries by the sector keywords they share with
the chosen one (Jaccard similarity of the keyword sets), the practical question of a cluster manager
looking for a partner abroad.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import geopandas as gpd
import pandas as pd

from cluster_map.errors import InputError
from cluster_map.geo import STORAGE_CRS
from cluster_map.store import directory

TABLE_COLUMNS = ("id", "name", "acronym", "country", "city", "region_text", "sectors", "clusters", "org_type",
                 "members", "founded_year", "website", "nuts2", "geocode_precision", "directory")


def keywords(text: object) -> frozenset[str]:
    """The sector keywords of a ``'; '``-separated cell, lower-cased and trimmed.

    >>> sorted(keywords("Automotive; mobility ;"))
    ['automotive', 'mobility']
    """
    if not isinstance(text, str):
        return frozenset()
    return frozenset(k.strip().lower() for k in text.replace(",", ";").split(";") if k.strip())


def search(
    con: Any,
    *,
    text: str = "",
    sector: str = "",
    countries: Sequence[str] = (),
    region: str = "",
) -> pd.DataFrame:
    """Organisations matching every criterion (free text, sector keyword, countries, NUTS/US region)."""
    if len(text) > 200 or len(sector) > 200:
        raise InputError("The search text is longer than 200 characters; shorten it.")
    rows = directory.organisations(con, text=text.strip(), sector=sector.strip(), countries=countries,
                                   region=region.strip())
    return rows[[c for c in TABLE_COLUMNS if c in rows.columns] + ["lat", "lon"]].reset_index(drop=True)


def partners(con: Any, *, org_id: str, other_countries: bool = True, top: int = 20) -> pd.DataFrame:
    """Organisations sharing sector keywords with ``org_id``, best match first.

    Columns: id, name, country, city, sectors, shared (the keywords in common), score (Jaccard
    similarity in [0, 1]), website. ``other_countries`` keeps only organisations abroad.

    Raises
    ------
    InputError
        When ``org_id`` is not in the directory.
    """
    me = directory.organisation(con, org_id)
    if me.empty:
        raise InputError(f"Organisation {org_id!r} is not in the directory; search for it by name first.")
    mine = keywords(me["sectors"].iloc[0]) | keywords(me["clusters"].iloc[0])
    if not mine:
        return pd.DataFrame(columns=["id", "name", "country", "city", "sectors", "shared", "score", "website"])
    rows = directory.organisations(con)
    rows = rows[rows["id"] != org_id]
    if other_countries:
        rows = rows[rows["country"] != me["country"].iloc[0]]
    theirs = [keywords(s) | keywords(c) for s, c in zip(rows["sectors"], rows["clusters"], strict=True)]
    shared = [sorted(mine & t) for t in theirs]
    score = [len(mine & t) / len(mine | t) if t else 0.0 for t in theirs]
    out = rows.assign(shared=["; ".join(s) for s in shared], score=score)
    out = out[out["score"] > 0].sort_values(["score", "name"], ascending=[False, True]).head(top)
    return out[["id", "name", "country", "city", "sectors", "shared", "score", "website"]].reset_index(drop=True)


def points(frame: pd.DataFrame) -> gpd.GeoDataFrame:
    """The organisations of ``frame`` that have coordinates, as points (EPSG:4326) for maps and GeoJSON."""
    located = frame[frame["lat"].notna() & frame["lon"].notna()]
    return gpd.GeoDataFrame(located.drop(columns=["lat", "lon"]).reset_index(drop=True),
                            geometry=gpd.points_from_xy(located["lon"], located["lat"]), crs=STORAGE_CRS)


def partnerships(con: Any, *, text: str = "", country: str = "") -> pd.DataFrame:
    """Cluster partnerships (ESCP, Euroclusters) matching ``text`` and involving ``country``."""
    return directory.partnerships(con, text=text.strip(), country=country.strip())


def events(con: Any, *, text: str = "", country: str = "") -> pd.DataFrame:
    """Cluster events (ECCP workshops, matchmaking) matching ``text`` in ``country``, newest first."""
    return directory.events(con, text=text.strip(), country=country.strip())


def countries(con: Any) -> list[str]:
    """Countries with at least one organisation."""
    return directory.countries(con)


def sector_keywords(con: Any, *, top: int = 60) -> list[str]:
    """The most used sector keywords of the directory (for the sector pick list)."""
    return directory.sector_keywords(con)["keyword"].head(top).tolist()
