"""A region x sector over the years: employment and location quotient, with the breaks a reader must see.

``sector_series`` answers "how did sector S develop in region R?" in the manner of the U.S. Cluster Mapping
Project's region-cluster charts: one point a year, employment and LQ. Two kinds of break are marked:

- a NUTS version change: the region's cells of some years were converted from an older NUTS version at
  ingest (caveats ``converted:nuts_rename``, ``estimated:jrc_pop_split``/``_merge``), the later ones are
  native; the first native year after converted years is a break, and every converted value is flagged
  (estimated values separately);
- a series join: a dataset that continues another (the catalogue's :data:`~cluster_map.catalogue.SERIES`,
  e.g. ``eurostat_sbs``: sbs_r_nuts06_r2 up to 2020, sbs_r_nuts2021 from 2021) is read from each part for
  its years when the store holds both, and the join year is a break with the series' own note.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from cluster_map import catalogue
from cluster_map.services import profiles
from cluster_map.store import profiles as store
from cluster_map.store import reports as report_store

COLUMNS = (
    "year",
    "dataset",
    "employment",
    "lq",
    "stars",
    "strong",
    "estimated",
    "converted",
    "caveats",
    "nuts_version",
)


@dataclass(frozen=True)
class SectorSeries:
    """One region x sector over the years."""

    region: str
    sector: str
    sector_label: str
    frame: pd.DataFrame  # COLUMNS, one row a year (from the dataset that covers it)
    breaks: tuple[tuple[int, str], ...] = field(default=())  # (first year after the break, what changed)

    @property
    def empty(self) -> bool:
        return self.frame.dropna(subset=["employment"]).empty


def _parts(dataset: str, present: set[str]) -> list[tuple[str, int | None, int | None]]:
    series = catalogue.series_of(dataset)
    if series is None:
        return [(dataset, None, None)]
    parts = [(p.dataset, p.first_year, p.last_year) for p in series.parts if p.dataset in present]
    return parts or [(dataset, None, None)]


def sector_series(
    con: Any,
    *,
    dataset: str,
    region: str,
    sector: str,
    sector_level: int | None = None,
    benchmark: str | None = None,
) -> SectorSeries:
    """Employment and LQ of ``sector`` in ``region`` for every year, over the datasets of ``dataset``'s series."""
    present = set(report_store.metric_datasets(con))
    frames: list[pd.DataFrame] = []
    for code, first, last in _parts(dataset, present):
        rows = profiles.one_benchmark(store.region_metrics(con, dataset=code, regions=[region]), benchmark)
        rows = rows[rows["sector"] == sector]
        if sector_level is not None and "sector_level" in rows.columns:
            rows = rows[rows["sector_level"] == sector_level]
        if first is not None:
            rows = rows[rows["year"] >= first]
        if last is not None:
            rows = rows[rows["year"] <= last]
        frames.append(rows.assign(dataset=code))
    rows = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
    label = (
        str(rows["sector_label"].dropna().iloc[0])
        if len(rows) and rows["sector_label"].notna().any()
        else sector
    )
    if rows.empty:
        return SectorSeries(region, sector, label, pd.DataFrame(columns=list(COLUMNS)))
    caveats = (
        rows["caveats"].fillna("").astype(str)
        if "caveats" in rows.columns
        else pd.Series("", index=rows.index)
    )
    rows = rows.assign(
        caveats=caveats,
        estimated=caveats.str.contains("estimated:", regex=False),
        converted=caveats.str.contains(r"converted:|estimated:jrc", regex=True),
    )
    rows = rows.sort_values("year").drop_duplicates("year", keep="last")
    for col in ("stars", "strong"):
        if col not in rows.columns:
            rows[col] = pd.NA
    frame = rows[list(COLUMNS)].reset_index(drop=True)
    return SectorSeries(region, sector, label, frame, breaks=_breaks(frame, dataset))


def _breaks(frame: pd.DataFrame, dataset: str) -> tuple[tuple[int, str], ...]:
    out: list[tuple[int, str]] = []
    prev = None
    for row in frame.itertuples():
        if prev is not None:
            if row.dataset != prev.dataset:
                series = catalogue.series_of(dataset)
                out.append(
                    (int(row.year), series.break_note if series else f"{prev.dataset} -> {row.dataset}")
                )
            elif row.nuts_version != prev.nuts_version:
                out.append((int(row.year), f"NUTS {prev.nuts_version} -> NUTS {row.nuts_version}"))
            elif bool(prev.converted) and not bool(row.converted):
                out.append(
                    (
                        int(row.year),
                        f"NUTS version change: the years before were converted to NUTS "
                        f"{row.nuts_version} at ingest",
                    )
                )
        prev = row
    return tuple(out)
