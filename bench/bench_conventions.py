"""Data report (not a timing): what issue 11's conventions change on the mirror's regional SBS.

Four runs of the metrics engine over the same cube of ``sbs_r_nuts06_r2`` (from a store's observations):

``old``        the previous conventions: E_r = sum of the published cells of each sector level, nothing
               suspect, focus ranked within the sector;
``denominators`` + the highest-level published total as E_r (sections; confidential sections counted by
               their published divisions), confidential cells with reason and bounds;
``suspect``    + suspect source values withheld from stars and strong flags (and the percentiles);
``new``        + focus ranked across all region x sector cells (the European Cluster Observatory's reading):
               what the store holds now.

Reported for NUTS 2 (default year 2014, the issue's reference year; ``--year``): cells whose stars, strong
flag or LQ (by more than 10%) change between ``old`` and ``new``, by country and by step; three-star and
starred counts under both focus readings (after the other changes); the ten largest three-star cells after
the changes; the NUTS 2 regions whose old denominator was under 95% of the sections' total. Estimated cells
(``estimated:<method>``) are counted too: they change no number, only what the reader is told.

Usage::

    python bench/bench_conventions.py [--db STORE] [--year 2014] [--out bench/results/conventions.json]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cluster_map import catalogue  # noqa: E402
from cluster_map.config import get_settings  # noqa: E402
from cluster_map.services import metrics as service  # noqa: E402
from cluster_map.stats import tables  # noqa: E402
from cluster_map.store import engines  # noqa: E402
from cluster_map.store import metrics as store  # noqa: E402

DATASET = "sbs_r_nuts06_r2"
KEY = ["level", "sector_level", "year", "region", "sector"]


def _run(cube: pd.DataFrame, *, schema: Any, focus: str, min_employment: float) -> pd.DataFrame:
    con = engines.duckdb_backend()
    t = engines.register(con, "cube", cube.reset_index(drop=True), schema=schema)
    m = engines.to_pandas(tables.metrics(t, min_employment=min_employment, focus_scope=focus))  # type: ignore[arg-type]
    return m.set_index(KEY).sort_index()


def _changes(a: pd.DataFrame, b: pd.DataFrame) -> pd.DataFrame:
    """Per cell: stars changed, strong changed, LQ changed by more than 10% (a NULL on one side counts)."""
    sa, sb = a["stars"].astype("Float64"), b["stars"].astype("Float64")
    ga, gb = a["strong"].astype("boolean"), b["strong"].astype("boolean")
    la, lb = a["lq"].astype("float64"), b["lq"].astype("float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        rel = np.abs(lb / la - 1.0)
    lq = ((la.isna() != lb.isna()) | ((la > 0) & (rel > 0.10)) | ((la == 0) & (lb > 0))).fillna(False)
    out = pd.DataFrame(
        {
            "stars": (sa.fillna(-1) != sb.fillna(-1)).to_numpy(),
            "strong": (ga.fillna(False) != gb.fillna(False)).to_numpy() | (ga.isna() != gb.isna()).to_numpy(),
            "lq_10pct": lq.to_numpy(),
        },
        index=a.index,
    )
    out["any"] = out.any(axis=1)
    out["country"] = a["country"].to_numpy()
    return out


def _counts(ch: pd.DataFrame) -> dict[str, int]:
    return {k: int(ch[k].sum()) for k in ("stars", "strong", "lq_10pct", "any")}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--db", type=Path, default=None, help="store with the mirror's observations (CLUSTER_MAP_DB)"
    )
    parser.add_argument("--year", type=int, default=2014)
    parser.add_argument("--out", type=Path, default=ROOT / "bench" / "results" / "conventions.json")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    settings = get_settings()
    spec = catalogue.dataset(DATASET)
    src = engines.duckdb_backend(args.db or settings.db, read_only=True)
    try:
        raw = store.read_cube(src, service._cube_params(spec)).to_pandas()
        names = store._query(src, "SELECT code, name FROM regions WHERE level = 2", [])
        labels = store._query(src, "SELECT code, label FROM sectors WHERE scheme = 'nace_r2'", [])
    finally:
        src.disconnect()
    annotated = service.annotate_cube(raw, spec)
    minimum = settings.min_employment
    base = raw[list(tables.CUBE_SCHEMA.names)]
    runs = {
        "old": _run(base, schema=tables.CUBE_SCHEMA, focus="sector", min_employment=minimum),
        "denominators": _run(
            annotated.assign(suspect=False),
            schema=tables.CUBE_QUALITY_SCHEMA,
            focus="sector",
            min_employment=minimum,
        ),
        "suspect": _run(annotated, schema=tables.CUBE_QUALITY_SCHEMA, focus="sector", min_employment=minimum),
        "new": _run(annotated, schema=tables.CUBE_QUALITY_SCHEMA, focus="all_cells", min_employment=minimum),
    }

    def part(m: pd.DataFrame, *, sector_level: int | None = None) -> pd.DataFrame:
        idx = m.index.to_frame(index=False)
        keep = (idx["level"] == 2) & (idx["year"] == args.year)
        if sector_level is not None:
            keep &= idx["sector_level"] == sector_level
        return m[keep.to_numpy()]

    old, new = part(runs["old"]), part(runs["new"])
    ch = _changes(old, new)
    by_country = {c: _counts(g) for c, g in ch.groupby("country")}
    steps = {}
    for before, after in (("old", "denominators"), ("denominators", "suspect"), ("suspect", "new")):
        steps[f"{before}->{after}"] = _counts(_changes(part(runs[before]), part(runs[after])))

    def stars(m: pd.DataFrame) -> dict[str, int]:
        d = part(m, sector_level=2)["stars"]
        return {
            "three_star": int((d == 3).sum()),
            "with_a_star": int((d >= 1).sum()),
            "two_or_more": int((d >= 2).sum()),
        }

    focus = {
        "all_cells (ECO, default)": stars(runs["new"]),
        "sector": stars(runs["suspect"]),
        "sector, old denominators (before issue 11)": stars(runs["old"]),
    }
    div = part(runs["new"], sector_level=2).reset_index()
    region_name = dict(zip(names["code"], names["name"], strict=False))
    sector_label = dict(zip(labels["code"], labels["label"], strict=False))
    top = div[div["stars"] == 3].sort_values(["employment", "lq"], ascending=False).head(10)
    top_ten = [
        {
            "region": r.region,
            "name": region_name.get(r.region, r.region),
            "sector": r.sector,
            "label": sector_label.get(r.sector, r.sector),
            "employment": float(r.employment),
            "lq": round(float(r.lq), 3),
            "share_region": round(float(r.share_region), 4),
            "caveats": r.caveats,
        }
        for r in top.itertuples()
    ]
    # the old denominator of NUTS 2 regions (sum of the published divisions) against the new one
    o2 = part(runs["old"], sector_level=2).reset_index().groupby("region")["region_total"].first()
    n2 = div.groupby("region")["region_total"].first()
    ratio = (o2 / n2).dropna()
    caveats = div["caveats"].fillna("")
    report = {
        "dataset": DATASET,
        "level": 2,
        "year": args.year,
        "min_employment": minimum,
        "changed_cells_by_country": by_country,
        "changed_cells_total": _counts(ch),
        "changed_cells_by_step": steps,
        "stars_by_focus_reading_divisions": focus,
        "top_ten_three_star_divisions": top_ten,
        "regions_old_denominator_under_95pct": int((ratio < 0.95).sum()),
        "old_denominator_ratio": {k: round(float(ratio[k]), 4) for k in ("DE91", "IE01") if k in ratio},
        "division_cells": int(len(div)),
        "division_cells_caveated": {
            "confidential": int(caveats.str.contains("confidential").sum()),
            "confidential_with_bounds": int(div["lq_high"].notna().sum()),
            "suspect": int(caveats.str.contains("suspect:").sum()),
            "estimated": int(caveats.str.contains("estimated:").sum()),
            "denominator_lower_bound": int(caveats.str.contains("denominator:lower_bound").sum()),
        },
        "estimated_division_cells_all_years": int(
            annotated[(annotated["level"] == 2) & (annotated["sector_level"] == 2)]["caveats"]
            .fillna("")
            .str.contains("estimated:")
            .sum()
        ),
        "seconds": round(time.perf_counter() - started, 1),
        "note": "A data report on the mirror (stars, flags, LQs), not a timing.",
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(json.dumps(report, indent=2, ensure_ascii=False))
    return report


if __name__ == "__main__":
    main()
