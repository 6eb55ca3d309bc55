"""Benchmark of the analysis pages' services on a store built from the mirror (no browser).

Figures: seconds per call (median of ``--repeat`` warm calls, and the first call) for the region
profile, the sector ranking, Gi* and LISA hot spots (999 permutations, NUTS 2), shift-share, related
sectors, a 10-region comparison, the partner finder, a 10,000-row upload, and the export of one year of
metrics (CSV / XLSX / Parquet: seconds and bytes; the app offers XLSX up to 300,000 cells).

Run: ``python bench/bench_pages.py [--db PATH] [--repeat 5]``; writes ``bench/results/pages.json``.
Without ``--db`` (or ``CLUSTER_MAP_DB``) a store is built from the mirror into a temporary folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "bench" / "results" / "pages.json"


def _time(fn: Callable[[], Any], repeat: int) -> dict[str, float]:
    t = time.perf_counter()
    fn()
    first = time.perf_counter() - t
    runs = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - t)
    return {"first_s": round(first, 4), "median_s": round(statistics.median(runs), 4)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    from cluster_map.config import get_settings
    from cluster_map.reports import exports
    from cluster_map.services import catalogue, compare, organisations, profiles, sectors, uploads
    from cluster_map.services.ingest import ingest
    from cluster_map.store.database import connect

    db = args.db or get_settings().db
    if not Path(db).is_file():
        db = Path(tempfile.mkdtemp()) / "cluster_map.duckdb"
        print(f"building a store from the mirror at {db} ...")
        ingest(source=str(get_settings().mirror), db=db, progress=False)
    con = connect(db)
    ds = "sbs_r_nuts06_r2"
    ten = ["DE21", "FR10", "ITC4", "ES51", "NL33", "SE11", "PL12", "AT13", "CZ01", "DK01"]
    org = organisations.search(con, text="automotive")["id"].iloc[0]
    upload = (
        "region,sector,year,employment\n"
        + "".join(
            f"R{r:03d},S{s:02d},2015,{(r * 7 + s * 13) % 997 + 1}\n" for r in range(200) for s in range(50)
        )
    ).encode()
    table = catalogue.metrics_table(con, dataset=ds, level=2, year=2014)
    cases: dict[str, Callable[[], Any]] = {
        "region_profile": lambda: profiles.region_profile(con, dataset=ds, region="DE21"),
        "sector_ranking": lambda: sectors.ranking(
            con, dataset=ds, sector="C29", year=2015, level=2, min_employment=1000
        ),
        "hot_spots_gi_999": lambda: sectors.hot_spots(
            con, dataset=ds, sector="C29", year=2015, level=2, statistic="gi", permutations=999, seed=12345
        ),
        "hot_spots_lisa_999": lambda: sectors.hot_spots(
            con, dataset=ds, sector="C29", year=2015, level=2, statistic="lisa", permutations=999, seed=12345
        ),
        "shift_share": lambda: sectors.shift_share(
            con, dataset=ds, sector="C29", level=2, start_year=2010, end_year=2015
        ),
        "related_sectors": lambda: sectors.related_sectors(con, dataset=ds, sector="C29", year=2015, level=2),
        "compare_10_regions": lambda: compare.compare_regions(con, dataset=ds, regions=ten, metric="lq"),
        "partner_finder": lambda: organisations.partners(con, org_id=org, related=True),
        "upload_10000_rows": lambda: uploads.load(upload, name="bench.csv"),
    }
    out: dict[str, Any] = {"store": str(db), "repeat": args.repeat, "calls": {}}
    for name, fn in cases.items():
        out["calls"][name] = _time(fn, args.repeat)
        print(
            f"{name:22s} first {out['calls'][name]['first_s']:7.3f} s  median {out['calls'][name]['median_s']:7.3f} s"
        )
    out["export_rows"] = len(table)
    out["exports"] = {}
    writers = {"csv": exports.to_csv, "xlsx": exports.to_xlsx, "parquet": exports.to_parquet}
    for fmt, writer in writers.items():
        t = time.perf_counter()
        data = writer(table)
        seconds = time.perf_counter() - t
        out["exports"][fmt] = {"seconds": round(seconds, 3), "bytes": len(data), "cells": int(table.size)}
        print(
            f"export {fmt:8s} {len(table):,} rows x {table.shape[1]} columns: {len(data):,} bytes in {seconds:.2f} s"
        )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(out, indent=2), encoding="utf-8")
    print(f"wrote {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
