"""Sector explorer: one sector across regions (ranking, LQ distribution, hot spots, growth, relatives).

One function per user question; each takes an open read-only store connection and returns plain
frames (a GeoDataFrame for the hot-spot map). Statistics come from :mod:`cluster_map.stats`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Final, Literal

import geopandas as gpd
import numpy as np
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.geo import STORAGE_CRS, from_wkb
from cluster_map.services.profiles import one_benchmark
from cluster_map.stats import growth as growth_stats
from cluster_map.stats import hotspots, relatedness
from cluster_map.store import profiles, rankings

#: The ranking column (LQ) right after the rank, so a narrow table still shows what it is ranked by.
RANKING_COLUMNS: Final = (
    "rank",
    "lq",
    "region",
    "name",
    "country",
    "employment",
    "share_region",
    "share_sector",
    "stars",
    "strong",
    "establishments",
    "year",
)
HotSpotStatistic = Literal["gi", "lisa"]


def search_sectors(sectors: Sequence[tuple[str, str]], query: str) -> list[str]:
    """Codes of ``sectors`` ((code, label) pairs) that match ``query``: every word of it is found in the code,
    the label or, for an industrial ecosystem, its catalogued keywords ("automotive", "cars", "aerospace",
    "tourism" ...), case-insensitive. An empty query matches every code; order is kept."""
    words = [w for w in query.lower().split() if w]
    if not words:
        return [c for c, _ in sectors]
    keywords = {e.slug: " ".join(e.keywords) for e in catalogue.ECOSYSTEMS}
    out = []
    for code, label in sectors:
        text = f"{code} {label} {keywords.get(code, '')}".lower()
        if all(w in text for w in words):
            out.append(code)
    return out


def sector_label(con: Any, *, scheme: str, sector: str) -> str:
    """``code · label`` of a sector (the code alone when the store does not know it)."""
    row = rankings.sector_row(con, scheme=scheme, code=sector)
    return f"{sector} · {row['label'].iloc[0]}" if len(row) and row["label"].iloc[0] else sector


def ranking(
    con: Any,
    *,
    dataset: str,
    sector: str,
    year: int,
    level: int,
    min_employment: float = 0.0,
    countries: Sequence[str] = (),
    benchmark: str | None = None,
) -> pd.DataFrame:
    """Regions of ``level`` ranked by LQ for one sector and year (employment >= ``min_employment``).

    Columns: :data:`RANKING_COLUMNS` (those present in the store). ``rank`` 1 is the most
    specialised region; ties share the lower rank.

    Raises
    ------
    InputError
        When the sector has no data at that level and year (names the years that have data).
    """
    rows = one_benchmark(
        rankings.sector_metrics(
            con, dataset=dataset, sector=sector, level=level, years=[year], countries=countries
        ),
        benchmark,
    )
    if rows.empty:
        have = rankings.years(con, dataset=dataset, sector=sector, level=level)
        span = f"years with data: {', '.join(map(str, have))}" if have else "no year has data at this level"
        raise InputError(
            f"Sector {sector!r} has no data for {year} at level {level} in {dataset!r} ({span})."
        )
    rows = rows[rows["lq"].notna() & (rows["employment"].fillna(0) >= min_employment)].copy()
    rows["rank"] = rows["lq"].rank(ascending=False, method="min").astype("Int64")
    cols = [c for c in RANKING_COLUMNS if c in rows.columns]
    return rows.sort_values(["rank", "region"])[cols].reset_index(drop=True)


def lq_histogram(
    frame: pd.DataFrame, *, bins: Sequence[float] = (0, 0.5, 0.8, 1.0, 1.25, 2, 3, 5)
) -> pd.DataFrame:
    """Counts of regions per LQ class (the fixed map classes, open-ended at the top).

    Columns: lq_class (``[a, b)`` label), regions.
    """
    edges = [*bins, np.inf]
    labels = [
        f"{a:g}–{b:g}" if np.isfinite(b) else f"≥ {a:g}" for a, b in zip(edges[:-1], edges[1:], strict=True)
    ]
    cut = pd.cut(frame["lq"], bins=edges, right=False, labels=labels)
    counts = cut.value_counts(sort=False).reindex(labels, fill_value=0)
    return pd.DataFrame({"lq_class": labels, "regions": counts.to_numpy(dtype=int)})


def years(con: Any, *, dataset: str, sector: str, level: int) -> list[int]:
    """Years in which ``sector`` has employment at ``level``."""
    return rankings.years(con, dataset=dataset, sector=sector, level=level)


def shift_share(
    con: Any,
    *,
    dataset: str,
    sector: str,
    level: int,
    start_year: int,
    end_year: int,
    countries: Sequence[str] = (),
) -> pd.DataFrame:
    """Growth and shift-share of ``sector`` in every region of ``level`` between two years.

    The benchmark is the dataset itself: all regions of the level and all sectors of the sector's
    level (Dunn 1960; see :func:`cluster_map.stats.growth.shift_share`). Only region x sector cells
    with a value in both years count (a missing or confidential cell is unknown, not zero), so a
    region whose sector is missing in one year is left out rather than shown as created from nothing. Columns: region, name,
    country, employment_start, employment_end, change, cagr (% a year), national_growth,
    industry_mix, regional_shift.
    """
    if end_year <= start_year:
        raise InputError(f"The end year {end_year!r} must be after the start year {start_year!r}; swap them.")
    row = rankings.sector_row(con, scheme=_scheme(con, dataset, sector, level), code=sector)
    sector_level = int(row["level"].iloc[0]) if len(row) and pd.notna(row["level"].iloc[0]) else None
    cube = rankings.cube(
        con, dataset=dataset, level=level, years=[start_year, end_year], sector_level=sector_level
    )
    cube = cube[cube["employment"].notna() & (cube["employment"] >= 0)]
    if cube.empty or sector not in set(cube["sector"]):
        raise InputError(
            f"Sector {sector!r} has no employment in {start_year} or {end_year} at level {level}; "
            f"pick two years with data."
        )
    have = set(cube["year"].unique().tolist())
    if not {start_year, end_year} <= have:
        raise InputError(
            f"No employment at level {level} for {sorted({start_year, end_year} - have)!r}; "
            f"years with data: {sorted(have)!r}."
        )
    both = cube.pivot_table(index=["region", "sector"], columns="year", values="employment", aggfunc="sum")
    both = both.dropna()  # a cell missing in one year is unknown, not zero: leave it out of every total
    cells = both.stack().rename("employment").reset_index()
    if sector not in set(cells["sector"]):
        raise InputError(
            f"No region has employment in {sector!r} in both {start_year} and {end_year}; pick other years."
        )
    ss = growth_stats.shift_share(
        cells[["region", "sector", "year", "employment"]], start_year=start_year, end_year=end_year
    )
    ss = ss[ss["sector"] == sector].copy()
    ss["cagr"] = 100 * growth_stats.cagr(ss["employment_start"], ss["employment_end"], end_year - start_year)
    names = cube.drop_duplicates("region").set_index("region")["country"]
    ss["country"] = ss["region"].map(names)
    if countries:
        ss = ss[ss["country"].isin(countries)]
    label = profiles.region_names(con, ss["region"].tolist(), nuts_version=_version(con, dataset, level))
    ss["name"] = ss["region"].map(label.set_index("code")["name"]).fillna(ss["region"])
    cols = [
        "region",
        "name",
        "country",
        "employment_start",
        "employment_end",
        "change",
        "cagr",
        "national_growth",
        "industry_mix",
        "regional_shift",
    ]
    return ss[cols].sort_values("change", ascending=False).reset_index(drop=True)


def related_clusters(con: Any, *, cluster: str, top: int = 15) -> pd.DataFrame:
    """The US CMP related clusters of ``cluster`` (published relatedness, Delgado-Porter-Stern 2016).

    Columns: cluster, label, relatedness, relatedness_pct, related_90; strongest first.
    """
    return rankings.related_clusters(con, cluster=cluster).head(top).reset_index(drop=True)


def hot_spots(
    con: Any,
    *,
    dataset: str,
    sector: str,
    year: int,
    level: int,
    statistic: HotSpotStatistic = "gi",
    permutations: int = 999,
    seed: int = 12345,
    alpha: float = 0.05,
    min_employment: float = 0.0,
) -> gpd.GeoDataFrame:
    """Hot and cold spots of the sector's LQ over the regions of ``level`` (queen contiguity).

    ``statistic`` ``'gi'``: local Getis-Ord Gi* (binary weights), label ``hot`` / ``cold`` / ``ns``;
    ``'lisa'``: local Moran's I (row-standardised), label ``HH`` / ``LH`` / ``LL`` / ``HL`` / ``ns``.
    Regions with no LQ (no data, below the minimum size) and islands (no neighbour among them) get
    label ``no data`` / ``island`` (``too few regions`` under three) and no class; a Gi* z that is
    undefined (the neighbourhood holds every region) is ``ns``. Permutation inference uses ``seed``.

    Columns: code, name, country, lq, employment, stat (Gi* z or local I), p_sim, label (at ``alpha``),
    hotspot (map class: Gi* ``hot_99`` / ``hot_95`` / ``hot_90`` / ``ns`` / ``cold_..`` by pseudo p, or
    the LISA label), reason (why a region has no class), geometry.
    """
    if statistic not in ("gi", "lisa"):
        raise InputError(f"Unknown hot-spot statistic {statistic!r}; choose 'gi' (Getis-Ord Gi*) or 'lisa'.")
    geo = level_geometry(con, dataset=dataset, level=level)
    rows = one_benchmark(
        rankings.sector_metrics(con, dataset=dataset, sector=sector, level=level, years=[year])
    )
    values = rows.set_index("region")
    frame = geo.assign(lq=geo["code"].map(values["lq"]), employment=geo["code"].map(values["employment"]))
    ok = frame["lq"].notna() & (frame["employment"].fillna(0) >= min_employment)
    frame["stat"], frame["p_sim"] = np.nan, np.nan
    frame["label"] = np.where(ok, "island", "no data").astype(object)
    use = frame[ok].reset_index(drop=True)
    for _ in range(3):  # dropping islands can make new ones only rarely; three passes are plenty
        if len(use) < 3:
            break
        w = hotspots.queen_weights(use, ids="code")
        if not w.islands:
            break
        use = use[~use["code"].isin(w.islands)].reset_index(drop=True)
    if len(use) < 3:
        frame.loc[ok, "label"] = "too few regions"
    else:
        values_ = use.set_index("code")["lq"]
        if statistic == "gi":
            gi = hotspots.local_getis_ord(
                values_, w, star=True, permutations=permutations, seed=seed, alpha=alpha
            )
            out = gi.to_frame().rename(columns={"z": "stat"})
        else:
            li = hotspots.lisa(values_, w, permutations=permutations, seed=seed, alpha=alpha)
            out = li.to_frame().rename(columns={"local_i": "stat"})
        idx = frame["code"].isin(out.index)
        frame.loc[idx, "stat"] = frame.loc[idx, "code"].map(out["stat"]).to_numpy()
        frame.loc[idx, "p_sim"] = frame.loc[idx, "code"].map(out["p_sim"]).to_numpy()
        frame.loc[idx, "label"] = frame.loc[idx, "code"].map(out["label"]).to_numpy()
    frame["hotspot"] = [
        _hotspot_class(statistic, lbl, z, p)
        for lbl, z, p in zip(frame["label"], frame["stat"], frame["p_sim"], strict=True)
    ]
    frame["reason"] = (
        frame["label"]
        .map(
            {
                "no data": "no LQ (no data or below the minimum size)",
                "island": "no neighbour with data (island)",
                "too few regions": "fewer than 3 regions with data",
            }
        )
        .fillna("")
    )
    return frame[
        [
            "code",
            "name",
            "country",
            "lq",
            "employment",
            "stat",
            "p_sim",
            "label",
            "hotspot",
            "reason",
            "geometry",
        ]
    ]


def _hotspot_class(statistic: str, label: str, z: float, p: float) -> str | None:
    """Map class of a region: Gi* ``hot_99/95/90``, ``cold_..``, ``ns``; LISA quadrant or ``ns``; None for no data."""
    if label in ("no data", "island", "too few regions"):
        return None
    if statistic == "lisa":
        return label
    if not np.isfinite(z):  # Gi* is undefined when a neighbourhood holds every region (zero variance)
        return "ns"
    for level, cut in ((99, 0.01), (95, 0.05), (90, 0.10)):
        if hotspots.significant_at(p, cut):
            return f"{'hot' if z > 0 else 'cold'}_{level}"
    return "ns"


def related_sectors(
    con: Any, *, dataset: str, sector: str, year: int, level: int, top: int = 15
) -> pd.DataFrame:
    """Sectors most often co-located with ``sector`` (Hidalgo et al. 2007 proximity over the regions).

    Both sectors count as present in a region when its LQ >= 1 (RCA); proximity
    ``phi = C_ij / max(k_i, k_j)``. For US clusters the published Delgado-Porter-Stern relatedness is
    added (``relatedness``, ``related_90``). Columns: sector, label, proximity, regions_both,
    [relatedness, related_90].
    """
    row = rankings.sector_row(con, scheme=_scheme(con, dataset, sector, level), code=sector)
    sector_level = int(row["level"].iloc[0]) if len(row) and pd.notna(row["level"].iloc[0]) else None
    cube = rankings.cube(con, dataset=dataset, level=level, years=[year], sector_level=sector_level)
    matrix = cube.pivot_table(index="region", columns="sector", values="employment", aggfunc="sum").fillna(
        0.0
    )
    matrix = matrix.clip(lower=0.0)
    if sector not in matrix.columns or len(matrix) < 2:
        raise InputError(
            f"Sector {sector!r} has no employment in {year} at level {level}; pick another year."
        )
    binary = relatedness.rca(matrix, binary=True)
    phi = relatedness.proximity(binary)
    both = binary.T @ binary
    labels = cube.drop_duplicates("sector").set_index("sector")["sector_label"]
    out = pd.DataFrame(
        {
            "sector": phi.index,
            "label": phi.index.map(labels),
            "proximity": phi[sector].to_numpy(),
            "regions_both": both[sector].reindex(phi.index).to_numpy().astype(int),
        }
    )
    out = out[out["sector"] != sector]
    pub = rankings.related_clusters(con, cluster=sector)
    if len(pub):
        out = out.merge(
            pub.rename(columns={"cluster": "sector"})[["sector", "relatedness", "related_90"]],
            on="sector",
            how="left",
        )
        out = out.sort_values(["relatedness", "proximity"], ascending=False, na_position="last")
    else:
        out = out.sort_values(["proximity", "regions_both", "sector"], ascending=[False, False, True])
    return out.head(top).reset_index(drop=True)


def level_geometry(con: Any, *, dataset: str, level: int) -> gpd.GeoDataFrame:
    """Geometry (display variant) of the regions of ``level`` in ``dataset``: code, name, country, geometry."""
    rows = profiles.level_geometry(con, nuts_version=_version(con, dataset, level), level=level)
    geom = from_wkb(rows["wkb"])
    return gpd.GeoDataFrame(
        rows[["code", "name", "country"]].reset_index(drop=True), geometry=geom.values, crs=STORAGE_CRS
    )


def sector_indices(con: Any, *, dataset: str, sector: str, level: int) -> pd.DataFrame:
    """Concentration indices (Gini, locational Gini, Hoover, Theil) of the sector per year at ``level``."""
    rows = rankings.sector_indices(con, dataset=dataset, sector=sector)
    if len(rows) and "level" in rows.columns:
        rows = rows[rows["level"] == level]
    return one_benchmark(rows).reset_index(drop=True)


def _version(con: Any, dataset: str, level: int) -> str:
    regions = profiles.regions_with_data(con, dataset=dataset)
    at = regions[regions["level"] == level]
    if at.empty:
        raise InputError(
            f"Dataset {dataset!r} has no regions at level {level}; levels with data: "
            f"{sorted(regions['level'].unique().tolist())!r}."
        )
    return str(at["nuts_version"].iloc[0])


def _scheme(con: Any, dataset: str, sector: str, level: int) -> str:
    rows = rankings.sector_metrics(con, dataset=dataset, sector=sector, level=level)
    return str(rows["sector_scheme"].iloc[0]) if len(rows) else "nace_r2"
