"""Custom regions: a user's group of regions (``Øresund=DK01,SE22``) profiled as one region.

A custom region is written ``NAME=CODE,CODE,...`` on the command line (``--custom``) and in the app's
address (``?custom=...``), so a link shares it. Its members must be regions of one dataset, one level
and one NUTS version (NUTS 2 regions of several countries, or US states). Its cells are recomputed
from the members' counts by :func:`cluster_map.stats.groups.group_cells` against the dataset's own
benchmark and thresholds. Saved custom regions live in the user's own file (the board file beside the
store, :mod:`cluster_map.store.user_regions`), one list per account, never in the statistics store.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import pandas as pd

from cluster_map.config import get_settings
from cluster_map.errors import InputError, StatsError
from cluster_map.services import profiles
from cluster_map.stats.groups import group_cells
from cluster_map.store import profiles as store_profiles
from cluster_map.store import reports as store
from cluster_map.store import user_regions

MAX_NAME: Final = 60
MAX_MEMBERS: Final = 60


@dataclass(frozen=True)
class CustomRegion:
    """A named group of region codes."""

    name: str
    members: tuple[str, ...]

    def encode(self) -> str:
        """``NAME=CODE,CODE`` (the ``--custom`` and ``?custom=`` form)."""
        return f"{self.name}={','.join(self.members)}"

    @property
    def label(self) -> str:
        return f"{self.name} ({' + '.join(self.members)})"


def parse(text: str) -> CustomRegion:
    """``NAME=CODE,CODE`` -> :class:`CustomRegion` (an :class:`InputError` says what is wrong)."""
    raw = str(text or "")
    if "=" not in raw:
        raise InputError(f"Custom region {raw!r} is not NAME=CODE,CODE (e.g. 'Øresund=DK01,SE22')")
    name, _, codes = raw.partition("=")
    return make(name, [c for c in codes.split(",")])


def make(name: str, members: list[str] | tuple[str, ...]) -> CustomRegion:
    """A validated :class:`CustomRegion`: a name of 1-60 printable characters, 1-60 distinct codes."""
    name = unicodedata.normalize("NFC", str(name)).strip()
    if not name:
        raise InputError("A custom region needs a name (e.g. 'Øresund=DK01,SE22')")
    if len(name) > MAX_NAME:
        raise InputError(
            f"Custom region name {name[:20]!r}... is longer than {MAX_NAME} characters; shorten it"
        )
    bad = [ch for ch in name if unicodedata.category(ch).startswith("C") or ch in "=,"]
    if bad:
        raise InputError(
            f"Custom region name {name!r} contains {bad[0]!r}; use letters, digits, spaces and "
            "punctuation other than '=' and ','"
        )
    codes = tuple(dict.fromkeys(c.strip().upper() for c in members if c and c.strip()))
    if not codes:
        raise InputError(f"Custom region {name!r} has no member regions; list codes after '=' (DK01,SE22)")
    if len(codes) > MAX_MEMBERS:
        raise InputError(f"Custom region {name!r} has {len(codes)} members; at most {MAX_MEMBERS}")
    odd = [c for c in codes if not c.isalnum()]
    if odd:
        raise InputError(
            f"Region code {odd[0]!r} of custom region {name!r} is not a region code (letters "
            "and digits, e.g. DK01)"
        )
    return CustomRegion(name, codes)


@dataclass(frozen=True)
class GroupProfile:
    """A custom region's cells for one year and sector level, with what it was computed from."""

    custom: CustomRegion
    members: tuple[profiles.Region, ...]
    dataset: str
    year: int
    years: tuple[int, ...]
    level: int
    sector_level: int
    nuts_version: str
    benchmark: str
    cells: pd.DataFrame  # group_cells output with sector_label
    member_cells: pd.DataFrame  # the members' own rows of the partition (for comparison)

    @property
    def employment(self) -> float:
        totals = self.cells["region_total"].dropna()
        return float(totals.max()) if len(totals) else float("nan")

    @property
    def countries(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(m.country for m in self.members))

    @property
    def specialisations(self) -> pd.DataFrame:
        return self.cells[self.cells["lq"].notna()].reset_index(drop=True)

    @property
    def clusters(self) -> pd.DataFrame:
        c = self.cells
        star = c["stars"].fillna(0) >= 1
        strong = c["strong"].fillna(False).astype(bool)
        return c[star | strong].sort_values(["stars", "lq"], ascending=False).reset_index(drop=True)


def resolve_members(con: Any, custom: CustomRegion, *, dataset: str) -> tuple[profiles.Region, ...]:
    """The members as stored for ``dataset``; all of one level and NUTS version."""
    members = tuple(profiles.resolve_region(con, code, dataset=dataset) for code in custom.members)
    shapes = {(m.level, m.nuts_version) for m in members}
    if len(shapes) > 1:
        listing = ", ".join(f"{m.code} (level {m.level}, NUTS {m.nuts_version})" for m in members)
        raise InputError(
            f"The members of custom region {custom.name!r} are of different levels or NUTS "
            f"versions: {listing}; group regions of one level"
        )
    return members


def group_profile(
    con: Any,
    custom: CustomRegion,
    *,
    dataset: str,
    year: int | None = None,
    sector_level: int | None = None,
    min_employment: float | None = None,
    benchmark: str | None = None,
) -> GroupProfile:
    """The custom region's LQ, stars and strong flags for ``year`` (default: the latest year every member has)."""
    members = resolve_members(con, custom, dataset=dataset)
    level, version = members[0].level, members[0].nuts_version
    mine = profiles.one_benchmark(
        store_profiles.region_metrics(con, dataset=dataset, regions=list(custom.members)), benchmark
    )
    mine = mine[(mine["nuts_version"] == version) & mine["employment"].notna()]
    by_year = mine.groupby("year")["region"].nunique()
    years = tuple(sorted(int(y) for y, n in by_year.items() if n == len(members)))
    if not years:
        raise InputError(f"The members of {custom.name!r} have no year with data in common in {dataset!r}")
    if year is None:
        year = years[-1]
    elif int(year) not in years:
        raise InputError(
            f"The members of {custom.name!r} do not all have data in {dataset!r} for {year}; "
            f"years they share: {', '.join(map(str, years))}"
        )
    if sector_level is None:
        found = profiles.default_sector_level(mine)
        sector_level = int(found) if found is not None else int(mine["sector_level"].iloc[0])
    population = profiles.one_benchmark(
        store.metric_rows(
            con, dataset=dataset, level=level, sector_level=int(sector_level), years=[int(year)]
        ),
        benchmark,
    )
    population = population[population["nuts_version"] == version]
    if population.empty:
        raise InputError(f"No sector level {sector_level} in {dataset!r} for {year}")
    settings = get_settings()
    minimum = settings.min_employment if min_employment is None else float(min_employment)
    try:
        cells = group_cells(
            population,
            custom.members,
            name=custom.name,
            min_employment=minimum,
            focus_scope=settings.focus_scope,  # type: ignore[arg-type]
        )
    except StatsError as exc:
        raise InputError(str(exc)) from exc
    return GroupProfile(
        custom=custom,
        members=members,
        dataset=dataset,
        year=int(year),
        years=years,
        level=level,
        sector_level=int(sector_level),
        nuts_version=version,
        benchmark=str(population["benchmark"].iloc[0]) if "benchmark" in population else "",
        cells=cells,
        member_cells=population[population["region"].isin(custom.members)],
    )


def group_metrics(con: Any, custom: CustomRegion, *, dataset: str, year: int | None = None) -> pd.DataFrame:
    """Every year (or one) and sector level of the custom region, one row per sector (``metrics --custom``)."""
    members = resolve_members(con, custom, dataset=dataset)
    rows = store.metric_rows(con, dataset=dataset, level=members[0].level)
    rows = profiles.one_benchmark(rows[rows["nuts_version"] == members[0].nuts_version])
    settings = get_settings()
    parts = []
    for (yr, sl), population in rows.groupby(["year", "sector_level"], sort=True):
        if year is not None and int(yr) != int(year):
            continue
        have = population.loc[population["employment"].notna(), "region"]
        if not set(custom.members) <= set(have):
            continue  # a member without any data this year: no group figures
        cells = group_cells(
            population,
            custom.members,
            name=custom.name,
            min_employment=settings.min_employment,
            focus_scope=settings.focus_scope,  # type: ignore[arg-type]
        )
        parts.append(
            cells.assign(
                year=int(yr),
                sector_level=int(sl),
                level=members[0].level,
                dataset=dataset,
                members_codes="+".join(custom.members),
            )
        )
    if not parts:
        raise InputError(
            f"The members of {custom.name!r} share no year with data in {dataset!r}"
            + (f" for {year}" if year is not None else "")
        )
    out = pd.concat(parts, ignore_index=True)
    first = ["dataset", "region", "members_codes", "level", "sector_level", "year", "sector"]
    return out[first + [c for c in out.columns if c not in first]]


# --- the user's saved custom regions (the board file, per account) -------------------------------
def user_file(settings: Any = None) -> Path:
    """The user's own file: the board file beside the store (never the rebuilt statistics store)."""
    from cluster_map.services.board import default_path

    return default_path(settings)


def save(db: Path | str, *, account_id: int, custom: CustomRegion) -> None:
    """Save (or replace) ``custom`` in the account's list."""
    user_regions.save(db, owner_id=int(account_id), name=custom.name, members=list(custom.members))


def saved(db: Path | str, *, account_id: int) -> list[CustomRegion]:
    """The account's saved custom regions, by name."""
    return [
        CustomRegion(r["name"], tuple(r["members"]))
        for r in user_regions.list_for(db, owner_id=int(account_id))
    ]


def delete(db: Path | str, *, account_id: int, name: str) -> bool:
    """Delete the account's custom region ``name`` (False if it had none of that name)."""
    return user_regions.delete(db, owner_id=int(account_id), name=name)
