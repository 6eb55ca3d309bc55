"""Partner search backed by the statistics: rank organisations for an organisation or a described need.

The score and its factors are defined in :mod:`cluster_map.stats.partners` (and on the methodology
page). This service gathers their inputs: the sector terms and NACE divisions of both sides (from the
directory's vocabulary), the region each side sits in (its deepest NUTS code that the statistics
cover: NUTS 2, else 1, else the country; a US state), the metrics of those regions in those
divisions (LQ, stars, strong flag of the latest year of the largest regional dataset), the
co-location proximity of NACE divisions over European NUTS 2 regions, the US related-clusters
matrix, and the open marketplace posts of each candidate.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.sources import org_profiles
from cluster_map.stats import partners as score
from cluster_map.stats.relatedness import proximity, rca
from cluster_map.store import directory, region_sectors

#: The factors of the score and their weights (:mod:`cluster_map.stats.partners`), for the pages.
WEIGHTS = score.WEIGHTS
ORG_NUTS_VERSION = "2016"  # the NUTS version organisations are placed in (services.ingest.ORGANISATION_NUTS)
COLUMNS = (
    "rank",
    "id",
    "name",
    "country",
    "region",
    "score",
    *score.FACTORS,
    *(f"c_{f}" for f in score.FACTORS),
    "shared",
    "related_by",
    "why",
)


@dataclass(frozen=True)
class Need:
    """What a partner is sought for: sector terms (or NACE divisions), where, and from where."""

    sectors: tuple[str, ...]
    country: str = ""  # the seeker's country (for the border preference); '' = none
    region: str = ""  # the seeker's NUTS 2 (or state) code, for complementarity; '' = none
    lon: float = float("nan")
    lat: float = float("nan")
    countries: tuple[str, ...] = ()  # only candidates in these countries ('' = any)
    exclude: str = ""  # an organisation id never suggested (the seeker itself)
    us_clusters: tuple[str, ...] = ()


@dataclass(frozen=True)
class Statistics:
    """The statistics the factors read (one store, one load)."""

    cells: dict[
        tuple[str, str], tuple[float, float, bool, float]
    ]  # (region, sector) -> lq, stars, strong, emp
    proximity: dict[tuple[str, str], float]
    us_related: dict[tuple[str, str], float]
    to_stats_region: dict[str, str]  # organisation NUTS code -> code in the statistics' version
    regions: frozenset[str]
    source: str


def _term_keys(values: Sequence[str]) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Sector terms and the extra NACE divisions named directly (``C30``)."""
    keys, codes = [], []
    for v in values:
        v = v.strip()
        if not v:
            continue
        if len(v) == 3 and v[0].isalpha() and v[1:].isdigit():
            codes.append(v.upper())
            continue
        try:
            keys.append(catalogue.sector_term(v.lower()).key)
        except catalogue.UnknownEntry:
            found = org_profiles.terms_of_phrase(v)
            if not found:
                raise InputError(
                    f"Unknown sector {v!r}; give a NACE division (C30) or one of "
                    f"{', '.join(t.key for t in catalogue.SECTOR_TERMS)}."
                ) from None
            keys.extend(found)
    return tuple(dict.fromkeys(keys)), tuple(dict.fromkeys(codes))


def statistics(con: Any) -> Statistics:
    """Load the cells, proximities and US relatedness the factors need (cached per store file)."""
    return _statistics(con, _store_key(con))


def _store_key(con: Any) -> str:
    return region_sectors.store_key(con)


def _flag(v: object) -> bool:
    return v is True or (isinstance(v, (bool, np.bool_)) and bool(v))


@lru_cache(maxsize=4)
def _statistics(con: Any, key: str) -> Statistics:
    cells: dict[tuple[str, str], tuple[float, float, bool, float]] = {}
    prox: dict[tuple[str, str], float] = {}
    names = []
    eu = region_sectors.source(con, scheme="nace_r2", level=2, sector_level=2)
    to_stats: dict[str, str] = {}
    if eu:
        dataset, version, year = eu
        names.append(f"{dataset} {year} (NUTS {version})")
        for level in (0, 1, 2):
            rows = region_sectors.cells(con, dataset=dataset, level=level, sector_level=2, years=[year])
            for r in rows.itertuples(index=False):
                cells[(str(r.region), str(r.sector))] = (
                    _f(r.lq),
                    _f(r.stars),
                    _flag(r.strong),
                    _f(r.employment),
                )
            if level == 2:
                matrix = rows.pivot_table(
                    index="region", columns="sector", values="employment", aggfunc="sum"
                ).fillna(0)
                if matrix.shape[0] > 1 and matrix.shape[1] > 1:
                    phi = proximity(rca(matrix.clip(lower=0), binary=True))
                    stacked = phi.stack()
                    prox = {(str(a), str(b)): float(v) for (a, b), v in stacked.items() if v > 0}
        orgs = directory.search_terms_of(con)
        codes = sorted({str(c) for col in ("nuts0", "nuts1", "nuts2") for c in orgs[col].dropna()})
        to_stats = region_sectors.region_codes(con, codes, from_version=ORG_NUTS_VERSION, to_version=version)
    us = region_sectors.source(con, scheme="us_cluster", level=1, sector_level=1)
    if us:
        dataset, _, year = us
        names.append(f"{dataset} {year}")
        for r in region_sectors.cells(con, dataset=dataset, level=1, sector_level=1, years=[year]).itertuples(
            index=False
        ):
            cells[(f"US:{r.region}", str(r.sector))] = (
                _f(r.lq),
                _f(r.stars),
                _flag(r.strong),
                _f(r.employment),
            )
    rel = region_sectors.related_clusters(con)
    us_related: dict[tuple[str, str], float] = {}
    for a, b, pct, top in zip(
        rel["cluster_a"], rel["cluster_b"], rel["relatedness_pct"], rel["related_90"], strict=True
    ):
        value = 1.0 if _flag(top) else (0.0 if math.isnan(_f(pct)) else _f(pct) / 100.0)
        us_related[(str(a), str(b))] = max(value, us_related.get((str(a), str(b)), 0.0))
        us_related[(str(b), str(a))] = max(value, us_related.get((str(b), str(a)), 0.0))
    return Statistics(cells, prox, us_related, to_stats, frozenset(r for r, _ in cells), "; ".join(names))


def _f(v: object) -> float:
    try:
        x = float(v)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return float("nan")
    return x


def stats_region(row: Any, stats: Statistics) -> str:
    """The region of an organisation whose statistics count: ``US:<state>``, or its deepest NUTS code
    (2, 1, 0) that the statistics cover ('' when none)."""
    if row["country"] == "US":
        return f"US:{row['nuts1']}" if isinstance(row["nuts1"], str) else ""
    for col in ("nuts2", "nuts1", "nuts0"):
        code = row[col]
        if isinstance(code, str):
            mapped = stats.to_stats_region.get(code, code)
            if mapped in stats.regions:
                return mapped
    return ""


def need_of(con: Any, org_id: str) -> Need:
    """The need of an organisation: its own sector terms, country, region and point."""
    me = directory.organisation(con, org_id)
    if me.empty:
        raise InputError(
            f"Organisation {org_id!r} is not in the directory; search for it by name first "
            f"(`cluster-map orgs search --text ...`)."
        )
    row = me.iloc[0]
    keys = tuple(k for k in str(row["sector_keys"] or "").split("; ") if k)
    if not keys:
        raise InputError(
            f"Organisation {org_id!r} ({row['name']}) names no sector the vocabulary knows "
            f"(its sectors: {row['sectors']!r}); describe the need with sectors instead."
        )
    stats = statistics(con)
    return Need(
        sectors=keys,
        country=str(row["country"]),
        region=stats_region(row, stats),
        lon=_f(row["lon"]),
        lat=_f(row["lat"]),
        exclude=org_id,
        us_clusters=tuple(_us_codes(row["clusters"])),
    )


def _us_codes(clusters: object) -> list[str]:
    keys = org_profiles.sector_keys(None, clusters)
    return sorted({c for t in org_profiles.terms(keys) for c in t.us_clusters}) if keys else []


def rank_partners(
    con: Any,
    need: Need,
    *,
    prefer: score.Prefer = "abroad",
    top: int | None = 20,
    posts: pd.DataFrame | None = None,
    candidates: pd.DataFrame | None = None,
    stats: Statistics | None = None,
) -> pd.DataFrame:
    """Candidates for ``need``, best first, with every factor, its contribution and ``why`` in words.

    ``posts``: open marketplace posts (columns ``org_id`` and ``sectors``, a list of keywords);
    ``candidates``: the organisations to rank (default: the whole directory; columns of
    :func:`cluster_map.store.directory.search_terms_of` plus ``members_total``); ``stats``: the
    statistics (default: loaded from the store).
    """
    keys, codes = _term_keys(need.sectors)
    if not keys and not codes:
        raise InputError("Name at least one sector (a sector term such as 'aerospace' or a NACE division).")
    stats = statistics(con) if stats is None else stats
    need_keys = frozenset(keys)
    need_nace = tuple(sorted(set(org_profiles.nace_of(keys)) | set(codes)))
    need_us = tuple(
        sorted(set(need.us_clusters) | {c for t in org_profiles.terms(keys) for c in t.us_clusters})
    )
    orgs = directory.search_terms_of(con) if candidates is None else candidates
    orgs = orgs[orgs["id"] != need.exclude]
    if need.countries:
        orgs = orgs[orgs["country"].isin([catalogue.country_code(c) for c in need.countries])]
    orgs = orgs.reset_index(drop=True)
    post_keys = _post_keys(posts)
    n = len(orgs)

    def col(name: str) -> list[Any]:  # a column as Python values (far faster than rows as dicts)
        return orgs[name].tolist() if name in orgs.columns else [None] * n

    ids, countries = col("id"), col("country")
    regions: list[str] = []
    cells: list[tuple[object, ...]] = []
    where: dict[tuple[object, ...], str] = {}
    memo: dict[tuple[object, ...], dict[str, Any]] = {}
    for country, n0, n1, n2, sector_keys, nace, clusters in zip(
        countries,
        col("nuts0"),
        col("nuts1"),
        col("nuts2"),
        col("sector_keys"),
        col("nace"),
        col("clusters"),
        strict=True,
    ):
        place = (country, n0, n1, n2)
        if place not in where:
            where[place] = stats_region({"country": country, "nuts0": n0, "nuts1": n1, "nuts2": n2}, stats)
        region = where[place]
        key = (sector_keys, nace, region, clusters if country == "US" else None)
        if key not in memo:  # the factors but geography and marketplace depend on these fields only
            cand = {"sector_keys": sector_keys, "nace": nace, "clusters": clusters, "country": country}
            memo[key] = _factors(cand, region, need, need_keys, need_nace, need_us, stats)
        regions.append(region)
        cells.append(key)
    factors = list(next(iter(memo.values()))) if memo else []
    frame = pd.DataFrame(
        {
            "id": ids,
            "name": col("name"),
            "country": countries,
            "region": [r.removeprefix("US:") for r in regions],
            "members": col("members_total"),
            **{f: [memo[k][f] for k in cells] for f in factors},
            "marketplace": [1.0 if post_keys.get(str(i), frozenset()) & need_keys else 0.0 for i in ids],
            "lon": col("lon"),
            "lat": col("lat"),
            "_precision": col("geocode_precision"),
        }
    )
    if frame.empty:
        return pd.DataFrame(columns=list(COLUMNS))
    dist = score.distances_km(need.lon, need.lat, frame["lon"].to_numpy(float), frame["lat"].to_numpy(float))
    frame["distance_km"] = dist
    frame["geography"] = score.geography((frame["country"] == need.country).to_numpy(), dist, prefer=prefer)
    frame = frame[(frame["sectors"] > 0) | (frame["related"] > 0)]
    ranked = score.rank(frame)
    if top is not None:
        ranked = ranked.head(top)
    ranked["why"] = [_why(r, need, prefer) for r in ranked.to_dict("records")]
    return ranked[[*COLUMNS, "distance_km"]].reset_index(drop=True)


def _factors(
    r: dict[str, Any],
    region: str,
    need: Need,
    need_keys: frozenset[str],
    need_nace: tuple[str, ...],
    need_us: tuple[str, ...],
    stats: Statistics,
) -> dict[str, Any]:
    """The sector, relatedness, strength and complementarity factors of one candidate."""
    cand_keys = frozenset(k for k in str(r["sector_keys"] or "").split("; ") if k)
    cand_nace = [c for c in str(r["nace"] or "").split("; ") if c]
    is_us = region.startswith("US:")
    cand_us = _us_codes(r["clusters"]) if r["country"] == "US" else []
    f_sectors = (
        score.sector_overlap(need_keys, cand_keys)
        if need_keys
        else (len(set(need_nace) & set(cand_nace)) / len(need_nace))
    )
    rel, how = score.relatedness(
        need_nace, cand_nace, proximity=stats.proximity, us=stats.us_related, us_need=need_us, us_cand=cand_us
    )
    linking = sorted(set(need_us) & set(cand_us)) if is_us else sorted(set(need_nace) & set(cand_nace))
    if not linking:
        linking = cand_us if is_us else cand_nace
    strengths = [
        score.cell_strength(*stats.cells[(region, d)][:3]) if (region, d) in stats.cells else 0.0
        for d in linking
    ]
    best_cell = max(
        ((d, stats.cells[(region, d)]) for d in linking if (region, d) in stats.cells),
        key=lambda x: score.cell_strength(*x[1][:3]),
        default=None,
    )
    union = sorted(set(need_nace) | set(cand_nace))
    comp = (
        [d for d in union if _lq(stats, region, d) >= 1 and _lq(stats, need.region, d) < 1]
        if need.region and not is_us
        else []
    )
    return {
        "sectors": f_sectors,
        "related": rel,
        "strength": float(np.mean(strengths)) if strengths else 0.0,
        "complement": len(comp) / len(union) if union else 0.0,
        "shared": "; ".join(sorted(need_keys & cand_keys)),
        "related_by": how,
        "_cell": best_cell,
        "_comp": comp,
    }


def _lq(stats: Statistics, region: str, sector: str) -> float:
    cell = stats.cells.get((region, sector))
    return cell[0] if cell and cell[0] == cell[0] else 0.0


def _post_keys(posts: pd.DataFrame | None) -> dict[str, frozenset[str]]:
    if posts is None or posts.empty or "org_id" not in posts.columns:
        return {}
    out: dict[str, set[str]] = {}
    for org, sectors in zip(posts["org_id"], posts["sectors"], strict=True):
        if not isinstance(org, str) or not org:
            continue
        words = (
            list(sectors)
            if isinstance(sectors, (list, tuple, np.ndarray))
            else org_profiles.keyword_list(sectors)
        )
        out.setdefault(org, set()).update(k for w in words for k in org_profiles.terms_of_phrase(str(w)))
    return {k: frozenset(v) for k, v in out.items()}


def _why(r: dict[str, Any], need: Need, prefer: str) -> str:
    parts = []
    if r["shared"]:
        parts.append(f"shares {r['shared'].replace('; ', ', ')}")
    if r["related_by"] and r["related"] > 0:
        parts.append(f"related sectors ({r['related_by']})")
    cell = r["_cell"]
    if cell:
        division, (lq, stars, strong, emp) = cell
        star_text = "★" * int(stars) if stars == stars and stars else "no stars"
        flag = ", a strong cluster" if strong else ""
        emp_text = f", {emp:,.0f} employed" if emp == emp else ""
        sector = f"US cluster {division}" if division.isdigit() else division
        parts.append(f"its region {r['region']} in {sector}: LQ {lq:.2f}, {star_text}{flag}{emp_text}")
    elif r["region"]:
        parts.append(f"no statistics for its region {r['region']} in these sectors")
    else:
        parts.append("its region is not known precisely enough for regional statistics")
    if r["_comp"]:
        parts.append(f"its region is specialised where yours is not ({', '.join(r['_comp'][:3])})")
    where = "another country" if r["country"] != need.country else "the same country"
    dist = r["distance_km"]
    parts.append(f"{where} ({r['country']})" + (f", {dist:,.0f} km away" if dist == dist else ""))
    if r["_precision"] == "country":
        parts[-1] += " (placed at its country only)"
    if r["marketplace"]:
        parts.append("has an open marketplace post in your sectors")
    return "; ".join(parts)
