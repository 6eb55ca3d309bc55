"""Two sections of the country report: the country's industrial ecosystems, and what its regions could
grow next (assembled from the store and the statistics; no rendering).

Called by :func:`cluster_map.services.reports.build_country_report` with its
:class:`cluster_map.services.report_sections.Scope`.
"""

from __future__ import annotations

from typing import Any, Final

import pandas as pd

from cluster_map import catalogue
from cluster_map.reports.country import ReportSection, ReportTable
from cluster_map.services import grow_next
from cluster_map.services.report_sections import Scope, short
from cluster_map.store import reports as store

ECOSYSTEM_COLUMNS: Final = {
    "region": "Region",
    "region_name": "Name",
    "label": "Ecosystem",
    "employment": "Employment",
    "lq": "LQ",
    "stars": "Stars",
    "performance": "Wage level",
    "note": "Note",
}
GROW_COLUMNS: Final = {
    "region": "Region",
    "region_name": "Name",
    "rank": "#",
    "sector": "Sector",
    "label": "Name of the sector",
    "density": "Density",
    "lq": "LQ here",
    "strong_abroad": "Strong abroad",
    "organisations": "Cluster organisations there",
}


def ecosystems(con: Any, scope: Scope) -> ReportSection | None:
    """The industrial ecosystems of the country's regions with a star (None when the dataset has none)."""
    if not scope.info.ecosystems:
        return None
    rows = store.metric_rows(
        con,
        dataset=scope.dataset,
        level=scope.level,
        sector_level=catalogue.ECOSYSTEM_LEVEL,
        years=[scope.year],
        country=scope.country,
    )
    if rows.empty:
        return None
    rows = rows.assign(
        label=rows["sector_label"].map(lambda s: short(s, 40)),
        note=rows["reason"].fillna("").map(lambda s: s if "lower bound" in s else ""),
    )
    starred = rows[rows["stars"].fillna(0) >= 1].sort_values(["stars", "employment"], ascending=False)
    cols = [c for c in ECOSYSTEM_COLUMNS if c in starred.columns]
    best = starred.groupby("sector")["stars"].max().sort_values(ascending=False)
    lead = ", ".join(
        f"{short(catalogue.ecosystem(s).label, 40)} ({int(v)}★)" for s, v in best.head(5).items()
    )
    text = (
        f"{len(starred)} region x ecosystem cells of {scope.in_text} have at least one star "
        f"({int((starred['stars'] == 3).sum())} three). The 14 industrial ecosystems of the EU Industrial "
        "Strategy are sums of NACE divisions (the division approximation and what it adds or leaves out are "
        "on the methodology page); a sum with unpublished divisions is a lower bound and says so."
        + (f" Strongest: {lead}." if lead else "")
    )
    return ReportSection(
        "ecosystems",
        "Industrial ecosystems",
        (text,),
        (
            ReportTable(
                "Ecosystems",
                f"Ecosystem clusters with a star, {scope.year}",
                starred[cols].reset_index(drop=True),
                columns={c: ECOSYSTEM_COLUMNS[c] for c in cols},
                print_rows=40,
            ),
        ),
    )


def grow(con: Any, scope: Scope, *, top: int = 3) -> ReportSection | None:
    """For each region of the country, the ``top`` related sectors it is not yet specialised in."""
    if scope.is_us:
        return None
    rows = store.metric_rows(
        con,
        dataset=scope.dataset,
        level=scope.level,
        sector_level=scope.sector_level,
        years=[scope.year],
        country=scope.country,
    )
    regions = sorted(rows["region"].unique().tolist())
    if not regions:
        return None
    names = rows.drop_duplicates("region").set_index("region")["region_name"]
    results = grow_next.grow_next_many(
        con,
        dataset=scope.dataset,
        regions=regions,
        year=scope.year,
        level=scope.level,
        sector_level=scope.sector_level,
        top=top,
    )
    if not results:
        return None
    parts = [g.candidates.assign(region=g.region, region_name=names.get(g.region, g.region)) for g in results]
    table = pd.concat(parts, ignore_index=True)
    table["label"] = table["sector_label"].map(lambda s: short(s, 36))
    cols = [c for c in GROW_COLUMNS if c in table.columns]
    check = results[0].check
    text = (
        f"For each region of {scope.in_text}: the {top} sectors it is not yet specialised in (LQ < 1) that "
        "are closest to what it already does, by relatedness density over the co-location proximity of "
        "Europe's regions (Hidalgo et al. 2007), with the regions of other countries strongest in them and "
        f"the cluster organisations there. {check.sentence()}"
    )
    return ReportSection(
        "grow_next",
        "What the regions could grow next",
        (text,),
        (
            ReportTable(
                "Grow_next",
                f"Related sectors not yet specialised, {scope.year}",
                table[cols],
                columns={c: GROW_COLUMNS[c] for c in cols},
                print_rows=60,
                text_width=60,
            ),
        ),
    )


def grow_region(con: Any, scope: Scope, region: str, *, top: int = 5) -> ReportSection | None:
    """The region report's section: the ``top`` related sectors ``region`` could grow, who is strong in them
    abroad and the cluster organisations there (None for US states)."""
    if scope.is_us:
        return None
    g = grow_next.grow_next(
        con,
        dataset=scope.dataset,
        region=region,
        year=scope.year,
        level=scope.level,
        sector_level=scope.sector_level,
        top=top,
    )
    table = g.candidates.assign(label=g.candidates["sector_label"].map(lambda s: short(s, 36)))
    cols = [c for c in GROW_COLUMNS if c in table.columns]
    text = (
        f"The {top} sectors {scope.name} is not yet specialised in (LQ < 1) that are closest to what it "
        "already does, by relatedness density over the co-location proximity of Europe's regions "
        f"(Hidalgo et al. 2007), with the regions abroad strongest in them and their cluster organisations. "
        f"{g.check.sentence()}"
    )
    if g.complexity_shown and g.eci is not None:
        text += f" ECI of the region: {g.eci:.2f} (rank {g.eci_rank} of {g.n_regions})."
    return ReportSection(
        "grow_next",
        "What the region could grow next",
        (text, *g.notes),
        (
            ReportTable(
                "Grow_next",
                f"Related sectors not yet specialised, {scope.year}",
                table[cols],
                columns={c: GROW_COLUMNS[c] for c in cols},
                text_width=60,
            ),
        ),
    )
