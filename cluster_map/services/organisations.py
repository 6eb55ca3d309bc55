"""Cluster organisations: search the directory, find partners, partnerships and events.

The partner finder ranks organisations in *other* countries by the sector keywords they share with
the chosen one (Jaccard similarity of the keyword sets), the practical question of a cluster manager
looking for a partner abroad. Across sectors, it also counts keywords *related* to the chosen ones:
two keywords are related when organisations often name them together (co-occurrence proximity
``phi_kj = C_kj / max(n_k, n_j)``, the "product space" measure of Hidalgo et al. 2007 applied to the
directory's keyword lists), e.g. biotech ~ medtech, aerospace ~ space, furniture ~ wood.
"""

from __future__ import annotations

import itertools
from collections import Counter
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


def keyword_proximity(keyword_sets: Sequence[frozenset[str]], *, min_together: int = 2) -> dict[str, dict[str, float]]:
    """Co-occurrence proximity of sector keywords over organisations.

    ``phi_kj = C_kj / max(n_k, n_j)``, with ``C_kj`` the organisations naming both and ``n_k`` those
    naming ``k``; pairs named together by fewer than ``min_together`` organisations are left out.
    Returns ``{k: {j: phi}}`` (symmetric).

    >>> keyword_proximity([frozenset({"wood", "furniture"})] * 2)["wood"]
    {'furniture': 1.0}
    """
    n = Counter(k for ks in keyword_sets for k in ks)
    together = Counter(pair for ks in keyword_sets for pair in itertools.combinations(sorted(ks), 2))
    out: dict[str, dict[str, float]] = {}
    for (a, b), c in together.items():
        if c >= min_together:
            phi = c / max(n[a], n[b])
            out.setdefault(a, {})[b] = phi
            out.setdefault(b, {})[a] = phi
    return out


def partners(
    con: Any,
    *,
    org_id: str,
    other_countries: bool = True,
    related: bool = False,
    min_proximity: float = 0.25,
    top: int = 20,
) -> pd.DataFrame:
    """Organisations sharing sector keywords with ``org_id`` (and, with ``related``, related ones).

    Score: ``(|shared| + 0.5 |related only|) / |union of both keyword sets|`` in [0, 1] (the Jaccard
    similarity when ``related`` is off). ``related`` keywords are those with co-occurrence proximity
    >= ``min_proximity`` to one of ``org_id``'s keywords (:func:`keyword_proximity`).

    Columns: id, name, country, city, sectors, shared, related, score, website. ``other_countries``
    keeps only organisations abroad.

    Raises
    ------
    InputError
        When ``org_id`` is not in the directory.
    """
    me = directory.organisation(con, org_id)
    if me.empty:
        raise InputError(f"Organisation {org_id!r} is not in the directory; search for it by name first.")
    columns = ["id", "name", "country", "city", "sectors", "shared", "related", "score", "website"]
    mine = keywords(me["sectors"].iloc[0]) | keywords(me["clusters"].iloc[0])
    if not mine:
        return pd.DataFrame(columns=columns)
    rows = directory.organisations(con)
    sets = [keywords(s) | keywords(c) for s, c in zip(rows["sectors"], rows["clusters"], strict=True)]
    near: set[str] = set()
    if related:
        prox = keyword_proximity(sets)
        near = {j for k in mine for j, phi in prox.get(k, {}).items() if phi >= min_proximity} - mine
    keep = (rows["id"] != org_id).to_numpy(dtype=bool, copy=True)
    if other_countries:
        keep &= (rows["country"] != me["country"].iloc[0]).fillna(True).to_numpy(dtype=bool)
    rows = rows[keep]
    theirs = [t for t, k in zip(sets, keep, strict=True) if k]
    shared = [sorted(mine & t) for t in theirs]
    rel = [sorted((near & t) - mine) for t in theirs]
    score = [(len(s) + 0.5 * len(r)) / len(mine | t) if t else 0.0 for s, r, t in zip(shared, rel, theirs, strict=True)]
    out = rows.assign(shared=["; ".join(s) for s in shared], related=["; ".join(r) for r in rel], score=score)
    out = out[out["score"] > 0].sort_values(["score", "name"], ascending=[False, True]).head(top)
    return out[columns].reset_index(drop=True)


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
