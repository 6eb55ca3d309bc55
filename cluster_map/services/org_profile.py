"""One organisation's profile: its fields, partnerships, and the statistics of its region for its sectors.

The link between a statistical cluster and the organisation that runs it: for each NACE division of
the organisation's sectors (US: each US CMP cluster), the LQ, stars and strong flag of its region in
the latest year and the employment trend (compound annual growth from the first to the last year
with data), from the same statistics the partner finder reads (:mod:`cluster_map.services.partners`).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.services import organisations, partners
from cluster_map.store import directory, region_sectors

STAT_COLUMNS = (
    "sector",
    "sector_label",
    "region",
    "year",
    "employment",
    "lq",
    "stars",
    "strong",
    "trend_pct",
    "trend_years",
)


@dataclass(frozen=True)
class OrgProfile:
    """Everything the profile page shows about one organisation."""

    fields: dict[str, Any]
    sectors: list[dict[str, str]]  # key, label, nace (one per sector term)
    ecosystems: list[str]
    partnerships: pd.DataFrame
    statistics: pd.DataFrame  # STAT_COLUMNS
    stats_region: str
    stats_source: str


def profile(con: Any, org_id: str) -> OrgProfile:
    """The profile of ``org_id``.

    Raises
    ------
    InputError
        When ``org_id`` is not in the directory.
    """
    me = directory.organisation(con, org_id)
    if me.empty:
        raise InputError(
            f"Organisation {org_id!r} is not in the directory; search for it by name "
            f"(`cluster-map orgs search --text ...`)."
        )
    row = me.iloc[0].to_dict()
    row = {k: (None if _missing(v) else v) for k, v in row.items()}
    row["precision_label"] = organisations.PRECISION_LABELS.get(str(row["geocode_precision"]), "")
    row["member_size"] = (
        catalogue.member_size(int(row["members_total"])) if row["members_total"] is not None else None
    )
    row["last_updated"] = last_updated(con, str(row["directory"]))
    keys = [k for k in str(row["sector_keys"] or "").split("; ") if k]
    terms = [t for t in catalogue.SECTOR_TERMS if t.key in keys]
    sectors = [{"key": t.key, "label": t.label, "nace": ", ".join(t.nace)} for t in terms]
    nace = [c for c in str(row["nace"] or "").split("; ") if c]
    stats = partners.statistics(con)
    region = partners.stats_region(row, stats)
    codes = sorted({c for t in terms for c in t.us_clusters}) if region.startswith("US:") else nace
    return OrgProfile(
        fields=row,
        sectors=sectors,
        ecosystems=organisations.ecosystems_of(nace),
        partnerships=organisations.partnerships_of(con, org_id),
        statistics=region_statistics(con, region, codes),
        stats_region=region.removeprefix("US:"),
        stats_source=stats.source,
    )


def last_updated(con: Any, directory_code: str) -> str:
    """When the organisation's directory was last updated: the source's own date where known, else when read.

    From the store's provenance table (``datasets``); '' when the directory is not listed there.
    """
    source_date, read_at = directory.directory_dates(con, directory_code)
    if source_date is not None:
        return f"{source_date:%Y-%m-%d} (the source's own date)"
    if read_at is not None:
        return f"read into the store on {read_at:%Y-%m-%d}; the source states no date of its own"
    return ""


def _missing(v: object) -> bool:
    try:
        return bool(pd.isna(v))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def region_statistics(con: Any, region: str, sectors: list[str]) -> pd.DataFrame:
    """Latest LQ, stars, strong flag and the employment trend of ``region`` in each of ``sectors``."""
    if not region or not sectors:
        return pd.DataFrame(columns=list(STAT_COLUMNS))
    us = region.startswith("US:")
    src = region_sectors.source(
        con, scheme="us_cluster" if us else "nace_r2", level=1 if us else 2, sector_level=1 if us else 2
    )
    if src is None:
        return pd.DataFrame(columns=list(STAT_COLUMNS))
    dataset = src[0]
    code = region.removeprefix("US:")
    level = 1 if us else _nuts_level(code)
    cells = region_sectors.cells(
        con, dataset=dataset, level=level, sector_level=1 if us else 2, regions=[code], sectors=sectors
    )
    labels = sector_labels(con, "us_cluster" if us else "nace_r2", sectors)
    rows: list[dict[str, Any]] = []
    for sector in sectors:
        series = cells[(cells["sector"] == sector) & cells["employment"].notna()].sort_values("year")
        if series.empty:
            rows.append({"sector": sector, "sector_label": labels.get(sector, ""), "region": code})
            continue
        last = series.iloc[-1]
        first = series.iloc[0]
        span = int(last["year"] - first["year"])
        trend = (
            ((last["employment"] / first["employment"]) ** (1 / span) - 1) * 100
            if span > 0 and first["employment"] > 0
            else math.nan
        )
        rows.append(
            {
                "sector": sector,
                "sector_label": labels.get(sector, ""),
                "region": code,
                "year": int(last["year"]),
                "employment": last["employment"],
                "lq": last["lq"],
                "stars": last["stars"],
                "strong": last["strong"],
                "trend_pct": trend,
                "trend_years": f"{int(first['year'])}-{int(last['year'])}" if span > 0 else "",
            }
        )
    return pd.DataFrame(rows, columns=list(STAT_COLUMNS))


def _nuts_level(code: str) -> int:
    return max(0, min(3, len(code) - 2))


def sector_labels(con: Any, scheme: str, codes: list[str]) -> dict[str, str]:
    """Labels of sector codes of ``scheme``."""
    return region_sectors.sector_labels(con, scheme, codes)
