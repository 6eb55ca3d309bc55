"""Compare: up to ten regions side by side on the same sectors, metrics and key figures."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.services.profiles import default_sector_level, key_figures, one_benchmark, resolve_region
from cluster_map.store import profiles

MAX_REGIONS: Final = 10
#: Metrics a comparison can be drawn on (column of ``metrics`` -> the catalogue's label): the stored
#: numeric ones a sector x region table can hold.
COMPARE_METRICS: Final[dict[str, str]] = {
    m.column: m.label for m in catalogue.METRICS if m.key in ("lq", "employment", "share", "stars")
}


@dataclass(frozen=True)
class Comparison:
    """Regions side by side: long rows, a sector x region table of one metric, figures and indices."""

    regions: pd.DataFrame  # code, name, country, level
    year: int | None
    metric: str
    long: pd.DataFrame  # region, name, sector, sector_label, employment, lq, share_region, stars, strong
    wide: pd.DataFrame  # sector, sector_label, one column per region (the metric)
    figures: pd.DataFrame  # label, unit, year (of the latest values), one column per region (latest value)
    indices: pd.DataFrame  # region, name, krugman, hhi, entropy ... (latest year)
    notes: tuple[str, ...] = ()


def _year_text(rows: pd.DataFrame) -> str:
    """The year of a key figure's latest values: one year, or each region's year when they differ."""
    years = sorted({int(y) for y in rows["year"]})
    if len(years) == 1:
        return str(years[0])
    return ", ".join(f"{r} {int(y)}" for r, y in zip(rows["region"], rows["year"], strict=True))


def compare_regions(
    con: Any,
    *,
    dataset: str,
    regions: Sequence[str],
    year: int | None = None,
    metric: str = "lq",
    sector_level: int | None = None,
    top: int = 15,
) -> Comparison:
    """Compare ``regions`` (1-10 codes of one dataset) on ``metric`` for ``year`` (default: the latest year
    with data for all of them; ``notes`` names regions without data in the year used).

    ``wide`` keeps the ``top`` sectors by the mean of the metric over the regions.

    Raises
    ------
    InputError
        For more than :data:`MAX_REGIONS` regions, an unknown metric, or a region with no data.
    """
    codes = list(dict.fromkeys(regions))
    if not codes:
        raise InputError("Pick at least one region to compare (up to 10).")
    if len(codes) > MAX_REGIONS:
        raise InputError(f"{len(codes)} regions chosen; compare at most {MAX_REGIONS} at once.")
    if metric not in COMPARE_METRICS:
        raise InputError(f"Unknown metric {metric!r}; choose one of {', '.join(COMPARE_METRICS)}.")
    resolved = [resolve_region(con, c, dataset=dataset) for c in codes]
    info = pd.DataFrame(
        [{"code": r.code, "name": r.name, "country": r.country, "level": r.level} for r in resolved]
    )
    rows = one_benchmark(profiles.region_metrics(con, dataset=dataset, regions=codes))
    if "sector_level" not in rows.columns:
        rows = rows.assign(sector_level=rows["scheme_level"])
    with_lq = rows[rows["lq"].notna()]
    have = sorted(int(y) for y in with_lq["year"].unique())
    per_region = with_lq.groupby("region")["year"].agg(lambda y: set(int(v) for v in y))
    common = set.intersection(*per_region.tolist()) if len(per_region) == len(codes) else set()
    if year is None or year not in have:
        year = max(common) if common else (have[-1] if have else None)
    notes: list[str] = []
    missing = [c for c in codes if year not in per_region.get(c, set())]
    if missing and year is not None:
        hint = f"; the latest year with data for all of them is {max(common)}" if common else ""
        notes.append(f"No data for {', '.join(missing)} in {year}{hint}.")
    level = sector_level if sector_level is not None else default_sector_level(rows)
    now = rows[(rows["year"] == year)]
    if level is not None:
        now = now[now["sector_level"] == level]
    now = now.merge(info[["code", "name"]], left_on="region", right_on="code", how="left")
    keep = [
        c
        for c in (
            "region",
            "name",
            "sector",
            "sector_label",
            "employment",
            "lq",
            "share_region",
            "stars",
            "strong",
        )
        if c in now.columns
    ]
    long = now[keep].sort_values(["region", "sector"]).reset_index(drop=True)
    wide = long.pivot_table(
        index=["sector", "sector_label"], columns="region", values=metric, aggfunc="first"
    )
    wide = wide.reindex(columns=codes)  # a region without data keeps an empty column
    if len(wide):
        order = wide.mean(axis=1, skipna=True).sort_values(ascending=False).index[:top]
        wide = wide.loc[order]
    wide = wide.reset_index()
    wide.columns.name = None
    figs = key_figures(con, dataset=dataset, regions=codes)
    order_src = figs["label"]
    figs = figs[figs["value"].notna()].sort_values("year").groupby(["region", "label"]).tail(1)
    figures = figs.pivot_table(index=["label", "unit"], columns="region", values="value", aggfunc="first")
    order = {label: i for i, label in enumerate(dict.fromkeys(order_src))}
    figures = figures.reindex(columns=codes).reset_index()
    years = figs.groupby(["label", "unit"])[["region", "year"]].apply(_year_text)
    figures.insert(
        2,
        "year",
        [years.get((lab, unit), "") for lab, unit in zip(figures["label"], figures["unit"], strict=True)],
    )
    figures = figures.sort_values("label", key=lambda s: s.map(order)).reset_index(drop=True)
    figures.columns.name = None
    ind = profiles.region_indices(con, dataset=dataset, regions=codes)
    if len(ind):
        if level is not None and "sector_level" in ind.columns:
            ind = ind[ind["sector_level"] == level]
        ind = one_benchmark(ind)
        ind = (
            ind[ind["year"] == year]
            if year in set(ind["year"])
            else ind.sort_values("year").groupby("region").tail(1)
        )
        ind = ind.merge(info[["code", "name"]], left_on="region", right_on="code", how="left").drop(
            columns="code"
        )
        lead = ["region", "name", "year"]
        ind = ind[
            lead + [c for c in ind.columns if c not in lead and c not in ("dataset", "level", "sector_level")]
        ]
    return Comparison(
        regions=info,
        year=year,
        metric=metric,
        long=long,
        wide=wide,
        figures=figures,
        indices=ind.reset_index(drop=True),
        notes=tuple(notes),
    )
