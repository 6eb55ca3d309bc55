"""Time the country report (PDF) of every EU country in the store: build, render, pages, size.

Usage: ``python bench/bench_reports.py [--db STORE] [--dataset sbs_r_nuts06_r2] [--format pdf]``
(default store: ``CLUSTER_MAP_DB``). Prints one line per country and writes
``bench/results/reports.json``. The goal is <= 10 s per country report (PDF). Reports run one after
the other in one process, as the app and ``cluster-map report`` do, so the first one also pays for
loading fonts and building the all-region geometry and contiguity weights (cached per store build).
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import time
from datetime import UTC, datetime
from pathlib import Path

from cluster_map.config import get_settings
from cluster_map.errors import ClusterMapError
from cluster_map.services import reports
from cluster_map.store.database import connect

#: EU member states in the data's years (EU28, Eurostat codes).
EU28 = ("AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT",
        "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK", "UK")
GOAL_SECONDS = 10.0
RESULTS = Path(__file__).resolve().parent / "results" / "reports.json"


def _pages(data: bytes, fmt: str) -> int | None:
    if fmt != "pdf":
        return None
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="store (default: CLUSTER_MAP_DB)")
    parser.add_argument("--dataset", default="sbs_r_nuts06_r2")
    parser.add_argument("--format", default="pdf", choices=sorted(reports.RENDERERS))
    args = parser.parse_args()
    db = Path(get_settings(db=args.db).db)
    con = connect(db)
    try:
        available = reports.countries(con, dataset=args.dataset)
        codes = [c for c in available["country"] if c in EU28]
        rows = []
        print(f"{'country':8} {'build s':>8} {'render s':>9} {'total s':>8} {'CPU s':>6} {'pages':>6} {'KB':>6}")
        for code in codes:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                report = reports.build_country_report(con, country=code, dataset=args.dataset)
            except ClusterMapError as exc:
                print(f"{code:8} skipped: {exc}")
                rows.append({"country": code, "error": str(exc)})
                continue
            t1 = time.perf_counter()
            data = reports.render(report, args.format)
            t2, c2 = time.perf_counter(), time.process_time()
            row = {"country": code, "year": report.year, "build_s": round(t1 - t0, 2),
                   "render_s": round(t2 - t1, 2), "total_s": round(t2 - t0, 2), "cpu_s": round(c2 - c0, 2),
                   "pages": _pages(data, args.format), "kb": round(len(data) / 1024)}
            rows.append(row)
            print(f"{code:8} {row['build_s']:8.2f} {row['render_s']:9.2f} {row['total_s']:8.2f} {row['cpu_s']:6.2f} "
                  f"{row['pages'] or '':>6} {row['kb']:6}")
    finally:
        con.close()
    done = [r for r in rows if "total_s" in r]
    totals = sorted(r["total_s"] for r in done)
    summary = {
        "countries": len(done), "skipped": [r["country"] for r in rows if "error" in r],
        "median_s": totals[len(totals) // 2] if totals else None, "max_s": max(totals) if totals else None,
        "first_s": done[0]["total_s"] if done else None,
        "median_cpu_s": sorted(r["cpu_s"] for r in done)[len(done) // 2] if done else None,
        "load_average_1min": round(os.getloadavg()[0], 2),
        "over_goal": [r["country"] for r in done if r["total_s"] > GOAL_SECONDS], "goal_s": GOAL_SECONDS,
    }
    print(f"{summary['countries']} reports: median {summary['median_s']} s (CPU {summary['median_cpu_s']} s), "
          f"max {summary['max_s']} s, first {summary['first_s']} s; over {GOAL_SECONDS:g} s: "
          f"{summary['over_goal'] or 'none'}; load average {summary['load_average_1min']}")
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({
        "benchmark": "country reports", "dataset": args.dataset, "format": args.format,
        "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
        "summary": summary, "reports": rows}, indent=2) + "\n", "utf-8")
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
