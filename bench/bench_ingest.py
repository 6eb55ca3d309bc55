"""Ingest benchmark: full ingest of the mirror (median of N runs), store size, seconds per source.

Run: ``python bench/bench_ingest.py [--source DIR] [--runs 3] [--threads N] [--profile]`` (default
source: the mirror from the settings; ``--threads 1`` reads the sources one after the other).
Each run builds a fresh store in a temporary directory with ``cluster_map.services.ingest.ingest``
(metrics included). Prints the figures and writes ``bench/results/ingest.json``. ``--profile`` adds a cProfile of one more run (top 25 functions by
cumulative time) to the printout.

Reader seconds are wall time inside each reader thread: they overlap (3 threads on 2 cores), so
they add up to more than the total. The load average at the start is recorded because the figures
depend on what else runs on the machine; CPU seconds (user + system, all threads) depend on it
much less (on 2 cores the wall time cannot be below CPU seconds / 2).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import platform
import pstats
import resource
import statistics
import tempfile
import time
from pathlib import Path

import cluster_map.services.ingest as ingest_service
from cluster_map.config import get_settings
from cluster_map.services.ingest import ingest

RESULTS = Path(__file__).resolve().parent / "results" / "ingest.json"
GOAL_SECONDS = 30.0


def one_run(source: str, workdir: Path, n: int) -> dict:
    db = workdir / f"run{n}" / "cluster_map.duckdb"
    cpu = _cpu()
    t = time.perf_counter()
    summary = ingest(source=source, db=db, progress=False)
    seconds = time.perf_counter() - t
    return {
        "seconds": round(seconds, 2),
        "cpu_seconds": round(_cpu() - cpu, 2),
        "store_mb": round(summary.store_bytes / 1e6, 1),
        "source_seconds": dict(summary.source_seconds),
        "reader_cpu_seconds": dict(summary.reader_cpu_seconds),
        "tables": dict(summary.tables),
        "metrics": summary.metrics,
    }


def _cpu() -> float:
    """User + system CPU seconds of this process (all threads, DuckDB's included)."""
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--source", default=str(get_settings().mirror), help="mirror directory or URL base")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one extra run")
    parser.add_argument("--threads", type=int, default=ingest_service.READER_THREADS,
                        help="reader threads (default: the ingest's own setting)")
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON figures")
    args = parser.parse_args()
    ingest_service.READER_THREADS = args.threads

    load_before = os.getloadavg()
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        runs = [one_run(args.source, Path(tmp), i) for i in range(args.runs)]
        profile_text = ""
        if args.profile:
            prof = cProfile.Profile()
            prof.enable()
            one_run(args.source, Path(tmp), args.runs)
            prof.disable()
            out = io.StringIO()
            pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(25)
            profile_text = out.getvalue()

    times = [r["seconds"] for r in runs]
    median_run = sorted(runs, key=lambda r: r["seconds"])[len(runs) // 2]
    result = {
        "what": "full ingest of the mirror (all sources, NUTS recoding, organisations, metrics), fresh store",
        "runs": args.runs,
        "reader_threads": args.threads,
        "seconds_each": times,
        "seconds_median": round(statistics.median(times), 2),
        "cpu_seconds_each": [r["cpu_seconds"] for r in runs],
        "goal_seconds": GOAL_SECONDS,
        "store_mb": median_run["store_mb"],
        "source_seconds_median_run": median_run["source_seconds"],
        "reader_cpu_seconds_median_run": median_run["reader_cpu_seconds"],
        "tables": median_run["tables"],
        "metrics": median_run["metrics"],
        "machine": {"cpus": os.cpu_count(), "python": platform.python_version(),
                    "load_average_before": [round(x, 2) for x in load_before]},
    }
    print(f"full ingest: median {result['seconds_median']} s of {times} (goal <= {GOAL_SECONDS} s); "
          f"CPU seconds {result['cpu_seconds_each']}; "
          f"store {result['store_mb']} MB; load average before {result['machine']['load_average_before']}")
    cpu = median_run["reader_cpu_seconds"]
    print(f"  {'step':<28} {'wall s':>7} {'thread CPU s':>13}")
    for name, sec in sorted(median_run["source_seconds"].items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28} {sec:7.2f} {cpu.get(name, float('nan')):13.2f}")
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in median_run["tables"].items()))
    if profile_text:
        print(profile_text)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
