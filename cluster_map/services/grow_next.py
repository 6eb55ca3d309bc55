"""What could this region grow next: related sectors it is not yet specialised in, who is strong in them
abroad, and the cluster organisations there.

One function per question (:func:`grow_next`), returning a frozen :class:`GrowNext` the region profile
and the country report show. Statistics come from :mod:`cluster_map.stats.relatedness` and
:mod:`cluster_map.stats.diversification`; the specialisation matrix is the stored LQ (``LQ >= 1``), so it
agrees with every other page (and, for ecosystems, uses the region's published total, not the sum of
overlapping ecosystems).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError, StatsError
from cluster_map.stats import diversification, relatedness
from cluster_map.store import directory, rankings

Scheme = Literal["divisions", "ecosystems"]
SECTOR_LEVELS: Final[dict[str, int]] = {"divisions": 2, "ecosystems": catalogue.ECOSYSTEM_LEVEL}
CANDIDATE_COLUMNS: Final = (
    "rank",
    "sector",
    "sector_label",
    "density",
    "lq",
    "employment",
    "pci",
    "strong_abroad",
    "organisations",
)


@dataclass(frozen=True)
class GrowNext:
    """The answer for one region: candidates, the regions abroad strong in them, their organisations."""

    region: str
    dataset: str
    year: int
    level: int
    scheme: str
    candidates: pd.DataFrame  # CANDIDATE_COLUMNS
    abroad: pd.DataFrame  # sector, region, name, country, stars, lq, employment
    organisations: pd.DataFrame  # sector, region, name, acronym, city, website, sectors
    eci: float | None
    eci_rank: int | None
    n_regions: int
    check: diversification.SupermodularityCheck
    notes: tuple[str, ...] = field(default=())

    @property
    def complexity_shown(self) -> bool:
        """Whether ECI/PCI are shown as rankings (the log-supermodularity check passes)."""
        return self.check.passes


def _matrix(
    con: Any, *, dataset: str, level: int, year: int, sector_level: int
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    cube = rankings.cube(con, dataset=dataset, level=level, years=[year], sector_level=sector_level)
    if cube.empty:
        raise InputError(f"No metrics for {dataset!r} at level {level} in {year}; pick another year.")
    emp = cube.pivot_table(index="region", columns="sector", values="employment", aggfunc="sum").fillna(0.0)
    lq = cube.pivot_table(index="region", columns="sector", values="lq", aggfunc="max").reindex_like(emp)
    binary = (lq.fillna(0.0) >= 1.0).astype("float64")
    return cube, emp.clip(lower=0.0), binary


@dataclass
class _Context:
    """What every region of one (dataset, level, year, sector level) shares: the matrices, the relatedness,
    the complexity and its check, and the look-ups already made (regions strong in a sector, organisations)."""

    con: Any
    dataset: str
    level: int
    year: int
    scheme: str
    cube: pd.DataFrame
    emp: pd.DataFrame
    binary: pd.DataFrame
    density: pd.DataFrame
    labels: pd.Series
    pci: pd.Series
    eci: pd.Series
    check: diversification.SupermodularityCheck
    notes: list[str]
    strong: dict[str, pd.DataFrame] = field(default_factory=dict)
    orgs: dict[str, pd.DataFrame] = field(default_factory=dict)
    strongest: dict[tuple[str, str, int], pd.DataFrame] = field(default_factory=dict)
    countries: dict[str, str] = field(default_factory=dict)

    def strong_in(self, sector: str) -> pd.DataFrame:
        if sector not in self.strong:
            self.prefetch([sector])
        return self.strong[sector]

    def organisations_in(self, region: str) -> pd.DataFrame:
        if region not in self.orgs:
            self.orgs.update(directory.organisations_in_regions(self.con, [region]))
        return self.orgs[region]

    def country_of(self, region: str) -> str:
        if not self.countries:
            first = self.cube.drop_duplicates("region")
            self.countries.update(zip(first["region"], first["country"].astype(str), strict=True))
        return self.countries[region]

    def abroad(self, sector: str, country: str, n: int) -> pd.DataFrame:
        """The ``n`` regions outside ``country`` strongest in ``sector`` (most stars, then LQ)."""
        key = (sector, country, n)
        if key not in self.strongest:
            strong = self.strong_in(sector)
            self.strongest[key] = strong[strong["country"] != country].head(n)
        return self.strongest[key]

    def prefetch(self, sectors: list[str], *, plan: dict[str, list[str]] | None = None, n: int = 0) -> None:
        """Look up, in one query each, the regions strong in ``sectors`` and (with ``plan``: region ->
        its candidate sectors, and ``n`` regions abroad per sector) the organisations of the regions abroad
        the regions will name; afterwards :meth:`strong_in` and :meth:`organisations_in` ask no query."""
        missing = [s for s in dict.fromkeys(sectors) if s not in self.strong]
        if missing:
            found = rankings.sectors_metrics(
                self.con, dataset=self.dataset, sectors=missing, level=self.level, years=[self.year]
            )
            for sector, rows in found.items():
                rows = rows[rows["lq"].notna() & (rows["lq"] >= 1)]
                sort = ["stars", "lq"] if "stars" in rows else ["lq"]
                self.strong[sector] = rows.sort_values(sort, ascending=False, na_position="last")
        if plan:
            wanted = {
                str(code)
                for region, cands in plan.items()
                for s in cands
                for code in self.abroad(s, self.country_of(region), n)["region"]
            }
            todo = sorted(wanted - self.orgs.keys())
            if todo:
                self.orgs.update(directory.organisations_in_regions(self.con, todo))


def _context(
    con: Any, *, dataset: str, year: int, level: int, scheme: Scheme, sector_level: int | None
) -> _Context:
    if scheme not in SECTOR_LEVELS:
        raise InputError(f"Unknown sector choice {scheme!r}; use 'divisions' or 'ecosystems'.")
    ds = catalogue.find_dataset(dataset)
    if scheme == "ecosystems" and (ds is None or not ds.ecosystems):
        raise InputError(f"Dataset {dataset!r} has no NACE divisions, so no industrial ecosystems.")
    sl = SECTOR_LEVELS[scheme] if sector_level is None or scheme == "ecosystems" else sector_level
    cube, emp, binary = _matrix(con, dataset=dataset, level=level, year=year, sector_level=sl)
    notes: list[str] = []
    phi = relatedness.proximity(binary)
    density = relatedness.relatedness_density(binary, phi)
    try:
        cx = relatedness.complexity(binary, binary_input=True)
        check = diversification.log_supermodularity(emp, cx.eci, cx.pci)
        eci, pci = cx.eci, cx.pci
    except StatsError as exc:
        notes.append(f"ECI/PCI not computed: {exc}")
        check = diversification.SupermodularityCheck(0, 0, diversification.MIN_SHARE)
        eci, pci = pd.Series(dtype="float64"), pd.Series(dtype="float64")
    labels = cube.drop_duplicates("sector").set_index("sector")["sector_label"]
    return _Context(
        con=con,
        dataset=dataset,
        level=level,
        year=year,
        scheme=scheme,
        cube=cube,
        emp=emp,
        binary=binary,
        density=density,
        labels=labels,
        pci=pci,
        eci=eci,
        check=check,
        notes=notes,
    )


def grow_next(
    con: Any,
    *,
    dataset: str,
    region: str,
    year: int,
    level: int | None = None,
    scheme: Scheme = "divisions",
    top: int = 5,
    abroad_per_sector: int = 3,
    organisations_per_sector: int = 3,
    sector_level: int | None = None,
) -> GrowNext:
    """The ``top`` sectors (or ecosystems) ``region`` is closest to but not yet specialised in.

    For each: its relatedness density (co-location proximity over the regions of the level), the region's
    LQ and employment there, the PCI, the ``abroad_per_sector`` regions of other countries strongest in it
    (most stars, then LQ) and up to ``organisations_per_sector`` cluster organisations located in them.
    ``sector_level`` overrides the scheme's sector level (e.g. 1 for the LFS sections).

    Raises
    ------
    InputError
        Unknown scheme, a dataset without divisions for ecosystems, or a region without metrics.
    """
    ds = catalogue.find_dataset(dataset)
    if level is None:
        level = len(region) - 2 if ds is not None and ds.area == "europe" else 1
    ctx = _context(con, dataset=dataset, year=year, level=level, scheme=scheme, sector_level=sector_level)
    return _for_region(
        ctx,
        region,
        top=top,
        abroad_per_sector=abroad_per_sector,
        organisations_per_sector=organisations_per_sector,
    )


def grow_next_many(
    con: Any,
    *,
    dataset: str,
    regions: list[str],
    year: int,
    level: int,
    scheme: Scheme = "divisions",
    top: int = 3,
    abroad_per_sector: int = 2,
    organisations_per_sector: int = 2,
    sector_level: int | None = None,
) -> list[GrowNext]:
    """:func:`grow_next` for several regions of one level, sharing the matrices and the look-ups (for
    reports); regions without metrics are skipped."""
    ctx = _context(con, dataset=dataset, year=year, level=level, scheme=scheme, sector_level=sector_level)
    known = [r for r in regions if r in ctx.binary.index]
    cands = {r: diversification.candidates(ctx.binary, ctx.density, r, top=top) for r in known}
    plan = {r: list(c["sector"]) for r, c in cands.items()}
    ctx.prefetch([s for ss in plan.values() for s in ss], plan=plan, n=abroad_per_sector)
    return [
        _for_region(
            ctx,
            r,
            top=top,
            abroad_per_sector=abroad_per_sector,
            organisations_per_sector=organisations_per_sector,
            cands=cands[r],
        )
        for r in known
    ]


def _for_region(
    ctx: _Context,
    region: str,
    *,
    top: int,
    abroad_per_sector: int,
    organisations_per_sector: int,
    cands: pd.DataFrame | None = None,
) -> GrowNext:
    if region not in ctx.binary.index:
        raise InputError(
            f"Region {region!r} has no metrics at level {ctx.level} in {ctx.year} for {ctx.dataset!r}."
        )
    cube, labels = ctx.cube, ctx.labels
    notes = list(ctx.notes)
    if cands is None:
        cands = diversification.candidates(ctx.binary, ctx.density, region, top=top)
        plan = {region: list(cands["sector"])}
        ctx.prefetch(plan[region], plan=plan, n=abroad_per_sector)
    ranks = ctx.eci.rank(ascending=False, method="min")
    eci = float(ctx.eci.get(region, np.nan)) if len(ctx.eci) else np.nan
    eci_rank = int(ranks[region]) if region in ranks.index and pd.notna(ranks[region]) else None
    now = cube[cube["region"] == region].set_index("sector")
    country = ctx.country_of(region)
    abroad_rows: list[dict[str, Any]] = []
    org_rows: list[dict[str, Any]] = []
    for s in cands["sector"]:
        strong = ctx.abroad(s, country, abroad_per_sector)
        for _, r in strong.iterrows():
            abroad_rows.append(
                {
                    "sector": s,
                    "region": r["region"],
                    "name": r["name"],
                    "country": r["country"],
                    "stars": r.get("stars"),
                    "lq": r["lq"],
                    "employment": r["employment"],
                }
            )
        found = [ctx.organisations_in(str(code)) for code in strong["region"]]
        orgs = (
            pd.concat([f for f in found if len(f)], ignore_index=True)
            if any(len(f) for f in found)
            else pd.DataFrame()
        )
        if len(orgs):
            orgs = orgs.assign(
                _fit=orgs["sectors"].fillna("").astype(str).map(lambda t, s=s: _fits(t, s, labels))
            )
            orgs = orgs.sort_values(["_fit", "name"], ascending=[False, True]).head(organisations_per_sector)
            for _, o in orgs.iterrows():
                org_rows.append(
                    {
                        "sector": s,
                        "region": o.get("nuts2") or o.get("nuts1") or "",
                        "name": o["name"],
                        "acronym": o.get("acronym"),
                        "city": o.get("city"),
                        "website": o.get("website"),
                        "sectors": o.get("sectors"),
                    }
                )
    abroad = pd.DataFrame(
        abroad_rows, columns=["sector", "region", "name", "country", "stars", "lq", "employment"]
    )
    orgs_frame = pd.DataFrame(
        org_rows, columns=["sector", "region", "name", "acronym", "city", "website", "sectors"]
    )
    out = cands.assign(
        sector_label=cands["sector"].map(labels).fillna(cands["sector"]),
        lq=cands["sector"].map(now["lq"]) if len(now) else np.nan,
        employment=cands["sector"].map(now["employment"]) if len(now) else np.nan,
        pci=cands["sector"].map(ctx.pci),
        strong_abroad=cands["sector"].map(
            lambda s: "; ".join(f"{r['region']} {r['name']}" for r in abroad_rows if r["sector"] == s)
        ),
        organisations=cands["sector"].map(
            lambda s: "; ".join(str(r["name"]) for r in org_rows if r["sector"] == s)
        ),
    )
    unknown = int(now["lq"].isna().sum()) if len(now) else 0
    if unknown:
        notes.append(
            f"{unknown} of the region's cells have no LQ (confidential or missing); they count as not "
            "specialised in the relatedness and could be candidates only by that."
        )
    if not ctx.check.passes:
        out["pci"] = np.nan  # the peer's caveat: no complexity ranking without log-supermodularity
    return GrowNext(
        region=region,
        dataset=ctx.dataset,
        year=ctx.year,
        level=ctx.level,
        scheme=ctx.scheme,
        candidates=out[list(CANDIDATE_COLUMNS)],
        abroad=abroad,
        organisations=orgs_frame,
        eci=eci if np.isfinite(eci) else None,
        eci_rank=eci_rank,
        n_regions=int(ctx.binary.shape[0]),
        check=ctx.check,
        notes=tuple(notes),
    )


def _fits(text: str, sector: str, labels: pd.Series) -> bool:
    """Whether an organisation's sector text names the sector (its label's words or its ecosystem keywords)."""
    low = text.lower()
    if not low:
        return False
    words = [w for w in str(labels.get(sector, sector)).lower().replace(",", " ").split() if len(w) > 4]
    try:
        words += [k.lower() for k in catalogue.ecosystem(sector).keywords]
    except catalogue.UnknownEntry:
        pass
    return any(w in low for w in words)
