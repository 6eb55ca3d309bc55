"""Region profile: one region's key figures, specialisations, clusters, indices, organisations, neighbours.

One function per user question. Each takes an open read-only store connection (``con``) and returns
plain frames or a frozen :class:`RegionProfile`; the UI caches and draws them.
"""

from __future__ import annotations

import difflib
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Final

import pandas as pd
import shapely

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.geo import from_wkb
from cluster_map.services import coverage
from cluster_map.stats import quality
from cluster_map.store import directory, profiles

#: The dataset whose GDP is shown for European regions, and the units shown when present.
GDP_DATASET: Final = "nama_10r_2gdp"
GDP_UNITS: Final[dict[str, tuple[str, str]]] = {
    "MIO_EUR": ("GDP", "EUR million"),
    "EUR_HAB": ("GDP per inhabitant", "EUR"),
    "PPS_HAB": ("GDP per inhabitant", "PPS"),
}
BENCHMARK_ORDER: Final = ("dataset", "external", "country")
#: Columns of the European Cluster Observatory's stars (not shown where the area has no stars: US states).
STAR_COLUMNS: Final = ("stars", "size_star", "specialisation_star", "focus_star", "productivity_star")
#: The productivity columns a profile table shows: the catalogue's productivity metrics (wage_ratio,
#: gva_ratio), then the star and band and what they read.
PRODUCTIVITY_COLUMNS: Final = (
    *(m.column for m in catalogue.METRICS if m.method == "productivity" and m.column),
    "productivity_star",
    "performance",
    "productivity_basis",
)


def productivity_columns(table: pd.DataFrame) -> list[str]:
    """The :data:`PRODUCTIVITY_COLUMNS` of ``table`` that hold a value (a dataset without wages or value
    added shows none of them)."""
    return [c for c in PRODUCTIVITY_COLUMNS if c in table.columns and table[c].notna().any()]


@dataclass(frozen=True)
class Region:
    """A region resolved from a code: where it sits in the store."""

    code: str
    name: str
    country: str
    level: int
    nuts_version: str


@dataclass(frozen=True)
class RegionProfile:
    """Everything the region profile page shows (plain frames; the UI draws them)."""

    region: Region
    dataset: str
    year: int | None
    years: tuple[int, ...]
    key_figures: pd.DataFrame  # label, year, value, unit, flags, note
    specialisations: pd.DataFrame  # sector, sector_label, employment, lq, share_region, stars, strong ...
    clusters: pd.DataFrame  # stars >= 1 or strong, sorted
    series: pd.DataFrame  # label, year, value (long), for the time-series chart
    indices: pd.DataFrame  # region_indices rows of the region
    organisations: pd.DataFrame  # with ``located``: in the region, or only in its parent
    neighbours: pd.DataFrame  # code, name, country
    sector_level: int | None = None
    notes: tuple[str, ...] = field(default=())
    #: confidential cells of the year with the LQ bounds the NACE hierarchy allows (sector, label, lq_low, lq_high)
    confidential: pd.DataFrame = field(default_factory=pd.DataFrame)
    area: catalogue.Area = "europe"

    @property
    def where(self) -> str:
        """The region's level in the catalogue's words: 'NUTS 2 (2013)', 'US states'."""
        return catalogue.level_label(self.area, self.region.level, self.region.nuts_version)

    @property
    def has_stars(self) -> bool:
        """Whether the European Cluster Observatory's stars apply (not to US states: strong clusters only)."""
        return catalogue.offers(self.area, "stars")


def region_choices(con: Any, *, dataset: str) -> pd.DataFrame:
    """Regions with data in ``dataset`` for a pick list: code, name, level, country, nuts_version, label."""
    rows = profiles.regions_with_data(con, dataset=dataset)
    rows["label"] = rows["code"] + " · " + rows["name"].astype(str)
    return rows


def resolve_region(con: Any, code: str, *, dataset: str) -> Region:
    """The region ``code`` as stored for ``dataset``.

    Raises
    ------
    InputError
        Naming the code and suggesting close codes and names (``difflib``) when it is unknown or
        has no data in ``dataset``.
    """
    choices = region_choices(con, dataset=dataset)
    hit = choices[choices["code"] == code]
    if hit.empty:
        close = difflib.get_close_matches(code.upper(), choices["code"].tolist(), n=5, cutoff=0.5)
        by_name = choices[choices["name"].astype(str).str.lower() == code.lower()]["code"].tolist()
        hint = ", ".join(dict.fromkeys(by_name + close)) or "pick one from the list"
        known = profiles.region_lookup(con, code)
        why = f"has no data in {dataset!r}" if len(known) else "is not a known region code"
        raise InputError(f"Region {code!r} {why}; did you mean: {hint}?")
    row = hit.iloc[0]
    return Region(
        code=code,
        name=str(row["name"]),
        country=str(row["country"]),
        level=int(row["level"]),
        nuts_version=str(row["nuts_version"]),
    )


def one_benchmark(frame: pd.DataFrame, benchmark: str | None = None) -> pd.DataFrame:
    """Rows of one benchmark when ``metrics`` holds several (``benchmark`` or the first of
    :data:`BENCHMARK_ORDER` present); the frame unchanged when it has no ``benchmark`` column."""
    if "benchmark" not in frame.columns or frame.empty:
        return frame
    present = [b for b in frame["benchmark"].dropna().unique().tolist()]
    chosen: str | None
    if benchmark is not None:
        if benchmark not in present:
            raise InputError(f"Benchmark {benchmark!r} is not in the store; choose one of {present!r}.")
        chosen = benchmark
    else:
        chosen = next((b for b in BENCHMARK_ORDER if b in present), present[0] if present else None)
    return frame[frame["benchmark"] == chosen] if chosen is not None else frame


def default_sector_level(frame: pd.DataFrame) -> int | None:
    """Divisions (2) when the rows have them, else the sector level with the most rows."""
    col = "sector_level" if "sector_level" in frame.columns else None
    if col is None or frame[col].dropna().empty:
        return None
    levels = frame[col].dropna().astype(int)
    return 2 if (levels == 2).any() else int(levels.value_counts().idxmax())


def key_figures(con: Any, *, dataset: str, regions: Sequence[str]) -> pd.DataFrame:
    """Key figures of ``regions`` for every year: region, label, year, value, unit, flags, note.

    ``note`` says when some cells of a sum were missing (confidential ``c`` or not available), so the
    sum is a lower bound.
    """
    parts: list[pd.DataFrame] = []
    ds = catalogue.find_dataset(dataset)
    series = catalogue.series(dataset)
    # A series sums each part's own cells over the part's years, under the series' labels.
    sources = (
        [(catalogue.dataset(p.dataset), p.first_year, p.last_year) for p in series.parts]
        if series
        else [(ds, None, None)]
        if ds
        else []
    )
    for i, fig in enumerate(ds.figures if ds else ()):
        pieces = []
        for src, first, last in sources:
            if i >= len(src.figures):
                continue
            cell = src.figures[i].cell
            got = profiles.observation_totals(
                con,
                dataset=src.code,
                regions=regions,
                indicator=cell.indicator,
                breakdown=cell.breakdown,
                sectors=src.figures[i].sectors,
                sector_level=src.figures[i].sector_level,
            )
            lo, hi = (first if first is not None else -9999), (last if last is not None else 9999)
            pieces.append(got[got["year"].between(lo, hi)])
        rows = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame()
        if rows.empty:
            continue
        rows["value"] = rows["value"] * fig.cell.factor
        rows["label"], rows["unit"] = fig.label, fig.cell.unit
        rows["note"] = [
            f"{m} of {n} cells missing: a lower bound" if m else ""
            for m, n in zip(rows["cells_missing"], rows["cells"], strict=True)
        ]
        parts.append(rows[["region", "label", "year", "value", "unit", "flags", "note"]])
    gdp = catalogue.dataset(GDP_DATASET)
    if ds is None or ds.area == gdp.area:
        units = profiles.indicator_units(con, dataset=gdp.code, indicator=gdp.indicator)
        for unit, (label, shown) in GDP_UNITS.items():
            if unit not in units:
                continue
            rows = profiles.unit_totals(
                con, dataset=gdp.code, regions=regions, indicator=gdp.indicator, unit=unit
            )
            if len(rows):
                rows["label"], rows["unit"], rows["note"] = f"{label}, {shown}", shown, ""
                parts.append(rows[["region", "label", "year", "value", "unit", "flags", "note"]])
    if not parts:
        return pd.DataFrame(columns=["region", "label", "year", "value", "unit", "flags", "note"])
    return pd.concat(parts, ignore_index=True)


def neighbours(con: Any, region: Region) -> pd.DataFrame:
    """Regions of the same level and NUTS version whose polygons touch ``region``'s (code, name, country).

    Computed from the stored (coverage-simplified) geometry with a shapely STRtree, so shared borders
    stay shared; islands have no neighbours.
    """
    rows = profiles.level_geometry(con, nuts_version=region.nuts_version, level=region.level)
    if rows.empty or region.code not in set(rows["code"]):
        return pd.DataFrame(columns=["code", "name", "country"])
    geoms = from_wkb(rows["wkb"]).to_numpy()
    me = geoms[rows.index[rows["code"] == region.code][0]]
    tree = shapely.STRtree(geoms)
    hits = tree.query(me, predicate="intersects")
    out = rows.iloc[sorted(int(i) for i in hits)][["code", "name", "country"]]
    return out[out["code"] != region.code].reset_index(drop=True)


def organisations_in(con: Any, region: Region) -> pd.DataFrame:
    """Cluster organisations located in ``region``, then those placed only in its parent region.

    Many directory entries give a federal state or a province but no city: a NUTS 2 profile lists
    them too, with ``located`` saying so (``'in DE21'`` or ``'in DE2 (not placed more precisely)'``).
    """
    here = directory.organisations(con, region=region.code).assign(located=f"in {region.code}")
    if region.nuts_version == "us" or region.level < 1:
        return here
    parent = region.code[:-1]
    column = f"nuts{region.level}"
    wider = directory.organisations(con, region=parent)
    if column in wider.columns:
        wider = wider[wider[column].isna()].assign(located=f"in {parent} (not placed more precisely)")
    else:
        wider = wider.iloc[0:0]
    return pd.concat([here, wider], ignore_index=True)


def region_profile(
    con: Any,
    *,
    dataset: str,
    region: str,
    year: int | None = None,
    min_employment: float = 0.0,
    benchmark: str | None = None,
    sector_level: int | None = None,
) -> RegionProfile:
    """The profile of ``region`` in ``dataset`` for ``year`` (default: the latest year with data).

    Specialisations are the sectors of one sector level (divisions by default) with an LQ, with
    employment >= ``min_employment``, sorted by LQ. Clusters are those with at least one star or
    flagged strong (US CMP); US states have no stars (the star columns are left out).
    """
    reg = resolve_region(con, region, dataset=dataset)
    rows = one_benchmark(profiles.region_metrics(con, dataset=dataset, regions=[region]), benchmark)
    years = tuple(sorted(int(y) for y in rows.loc[rows["lq"].notna(), "year"].unique()))
    notes: list[str] = []
    bench = coverage.coverage(con, dataset, level=reg.level)
    if year is None or year not in years:
        fallback = bench.default_year(years) if years else None  # never a year with a partial benchmark
        if year is not None:
            notes.append(f"No data for {year}; showing {fallback if fallback is not None else 'no year'}.")
        year = fallback
    if bench.note(year):
        notes.append(bench.note(year))
    if "sector_level" not in rows.columns:  # metrics without the partition key: use the scheme's level
        rows = rows.assign(sector_level=rows["scheme_level"])
    level = sector_level if sector_level is not None else default_sector_level(rows)
    if "caveats" in rows.columns:
        rows = rows.assign(
            caveat=[quality.describe_caveats(c, skip=("denominator:sections",)) for c in rows["caveats"]]
        )
    hidden = rows[(rows["year"] == year) & rows["lq"].isna() & rows["employment"].isna()]
    now = rows[(rows["year"] == year) & rows["lq"].notna()]
    if level is not None:
        now = now[now["sector_level"] == level]
        hidden = hidden[hidden["sector_level"] == level]
    bounded = hidden[hidden["lq_high"].notna()] if "lq_high" in hidden.columns else hidden.iloc[0:0]
    confidential = bounded[
        [c for c in ("sector", "sector_label", "lq_low", "lq_high", "caveat") if c in bounded.columns]
    ]
    if "lq_high" in confidential.columns:
        confidential = confidential.sort_values("lq_high", ascending=False)
    spec = now[now["employment"].fillna(0) >= min_employment].sort_values(
        ["lq", "sector"], ascending=[False, True]
    )
    ds = catalogue.find_dataset(dataset)
    area: catalogue.Area = ds.area if ds else ("us" if reg.nuts_version == "us" else "europe")
    if not catalogue.offers(area, "stars"):  # US states: strong clusters only, no European stars
        spec = spec.drop(columns=[c for c in STAR_COLUMNS if c in spec.columns])
    star = spec["stars"].fillna(0) >= 1 if "stars" in spec else pd.Series(False, index=spec.index)
    strong = (
        spec["strong"].fillna(False).astype(bool) if "strong" in spec else pd.Series(False, index=spec.index)
    )
    clusters = (
        spec[star | strong].sort_values(["stars", "lq"], ascending=[False, False])
        if "stars" in spec
        else spec[strong]
    )
    figures = key_figures(con, dataset=dataset, regions=[region])
    order = {label: i for i, label in enumerate(dict.fromkeys(figures["label"]))}
    latest = figures[figures["value"].notna()].sort_values("year").groupby("label", sort=False).tail(1)
    latest = latest.sort_values("label", key=lambda s: s.map(order))
    indices = profiles.region_indices(con, dataset=dataset, regions=[region])
    if len(indices) and level is not None and "sector_level" in indices.columns:
        indices = indices[indices["sector_level"] == level]
    orgs = organisations_in(con, reg)
    return RegionProfile(
        region=reg,
        dataset=dataset,
        year=year,
        years=years,
        key_figures=latest.reset_index(drop=True),
        specialisations=spec.reset_index(drop=True),
        clusters=clusters.reset_index(drop=True),
        series=figures[["label", "year", "value", "unit", "flags"]].reset_index(drop=True),
        indices=indices.reset_index(drop=True),
        organisations=orgs,
        neighbours=neighbours(con, reg),
        sector_level=level,
        notes=tuple(notes),
        confidential=confidential.reset_index(drop=True),
        area=area,
    )
