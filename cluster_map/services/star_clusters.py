"""Europe's star clusters: every region x sector (or ecosystem) cell with 1, 2 or 3 stars of one year.

One function per question: the starred cells ranked (:func:`star_clusters`), how many of each beside the
European Cluster Observatory's published counts (:attr:`StarClusters.counts`), and one row per region for
the map (:func:`region_layer`). The stars are the stored ones (:mod:`cluster_map.stats.stars`); the
convention they follow is the catalogue's rule of metric ``stars``, stated with the counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, Literal

import geopandas as gpd
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.services import mapview
from cluster_map.store import queries, stars

Scheme = Literal["divisions", "ecosystems"]
#: The sector level each choice reads (NACE divisions, or the ecosystems' own level).
SECTOR_LEVELS: Final[dict[str, int]] = {"divisions": 2, "ecosystems": catalogue.ECOSYSTEM_LEVEL}
#: The European Cluster Observatory's published counts the view compares with.
ECO_PUBLISHED: Final = {
    "with_star": 2000,
    "three_stars": 150,
    "source": "European Cluster Observatory star-cluster mapping: about 2,000 regional clusters with at least "
    "one star, about 150 with three ('world-class'), over its cluster categories and NUTS 2 regions "
    "(Ketels & Protsiv, European Cluster Panorama 2014, and earlier ECO mappings)",
}
COLUMNS: Final = (
    "rank",
    "stars",
    "region",
    "name",
    "country",
    "sector",
    "sector_label",
    "employment",
    "lq",
    "share_region",
    "size_star",
    "specialisation_star",
    "focus_star",
    "productivity_star",
    "wage_ratio",
    "gva_ratio",
    "performance",
    "productivity_basis",
    "reason",
)


@dataclass(frozen=True)
class StarClusters:
    """The starred cells of one dataset, level, year and sector choice, with their counts."""

    dataset: str
    level: int
    year: int
    scheme: Scheme
    cells: pd.DataFrame  # COLUMNS, rank 1 = most stars, then largest employment
    counts: pd.DataFrame  # stars, cells here, ECO published
    evaluated: int  # cells with stars computed
    convention: str

    @property
    def n_starred(self) -> int:
        return len(self.cells)


def star_clusters(
    con: Any, *, dataset: str, year: int | None = None, level: int | None = None, scheme: Scheme = "divisions"
) -> StarClusters:
    """Every cell with at least one star, ranked: most stars first, then largest employment.

    Raises
    ------
    InputError
        For an unknown scheme, a dataset without stars (US data) or a slice with no stars.
    """
    if scheme not in SECTOR_LEVELS:
        raise InputError(f"Unknown sector choice {scheme!r}; use 'divisions' or 'ecosystems'.")
    ds = catalogue.find_dataset(dataset)
    if ds is None or ds.area not in catalogue.metric("stars").areas:
        raise InputError(f"Dataset {dataset!r} has no cluster stars; choose a European dataset.")
    if scheme == "ecosystems" and not ds.ecosystems:
        raise InputError(f"Dataset {dataset!r} has no NACE divisions, so no industrial ecosystems.")
    opts = mapview.view_options(con, dataset)
    level = opts.default_level if level is None else level
    year = opts.latest_year if year is None else year
    if year is None:
        raise InputError(f"Dataset {dataset!r} has no year with data.")
    bench = queries.benchmark_of(con, dataset)
    sl = SECTOR_LEVELS[scheme]
    cells = stars.starred_cells(
        con, dataset=dataset, level=level, year=year, sector_level=sl, benchmark=bench
    )
    evaluated = stars.cells_evaluated(
        con, dataset=dataset, level=level, year=year, sector_level=sl, benchmark=bench
    )
    n_eval = int(evaluated["cells"].iloc[0]) if len(evaluated) else 0
    if n_eval == 0:
        raise InputError(
            f"No stars for {dataset!r} level {level} in {year} ({scheme}); years with data: "
            f"{', '.join(map(str, opts.years))}."
        )
    cells = cells.copy()
    cells["rank"] = range(1, len(cells) + 1)
    return StarClusters(
        dataset=dataset,
        level=level,
        year=year,
        scheme=scheme,
        cells=cells[list(COLUMNS)].reset_index(drop=True),
        counts=count_table(cells),
        evaluated=n_eval,
        convention=catalogue.metric("stars").rule,
    )


def count_table(cells: pd.DataFrame) -> pd.DataFrame:
    """Cells with 1, 2, 3 stars and with at least one, beside the ECO's published counts.

    Columns: stars ('★', '★★', '★★★', 'at least one'), cells, eco_published (None where ECO gives none).
    """
    n = cells["stars"].value_counts()
    rows = [
        ("★", int(n.get(1, 0)), None),
        ("★★", int(n.get(2, 0)), None),
        ("★★★ (world-class)", int(n.get(3, 0)), ECO_PUBLISHED["three_stars"]),
        ("at least one star", int(len(cells)), ECO_PUBLISHED["with_star"]),
    ]
    if "productivity_star" in cells:
        rows.append(
            ("of which with the productivity star", int(cells["productivity_star"].fillna(False).sum()), None)
        )
    return pd.DataFrame(rows, columns=["stars", "cells", "eco_published"]).astype({"eco_published": "Int64"})


def region_layer(con: Any, result: StarClusters) -> gpd.GeoDataFrame:
    """One row per region of the level for the map: its most stars, how many starred cells and which.

    Columns: code, name, stars (max; 0 when none), n_starred, n_three, clusters (top five, text), reason,
    geometry.
    """
    opts = mapview.view_options(con, result.dataset)
    geom = mapview.map_geometry(con, nuts_version=opts.nuts_version_for(result.year), level=result.level)
    cells = result.cells
    agg = cells.groupby("region").agg(
        stars=("stars", "max"), n_starred=("stars", "size"), n_three=("stars", lambda s: int((s == 3).sum()))
    )
    top = (
        cells.groupby("region")
        .head(5)
        .groupby("region")
        .apply(
            lambda g: "; ".join(
                f"{lbl} {'★' * int(s)}" for lbl, s in zip(g["sector_label"], g["stars"], strict=True)
            ),
            include_groups=False,
        )
    )
    names = queries.region_codes(con, result.dataset).set_index("code")["name"]
    out = geom.assign(name=geom["code"].map(names).fillna(geom["code"]))
    out = out.merge(agg, left_on="code", right_index=True, how="left")
    out["stars"] = out["stars"].fillna(0).astype(int)
    out["n_starred"] = out["n_starred"].fillna(0).astype(int)
    out["n_three"] = out["n_three"].fillna(0).astype(int)
    out["clusters"] = out["code"].map(top).fillna("")
    out["reason"] = ""
    return out[["code", "name", "stars", "n_starred", "n_three", "clusters", "reason", "geometry"]]
