"""Ingest benchmark: full ingest of the mirror (median of N runs), store size, seconds per source; and the
same ingest with a current-layout ``sbs_r_nuts2021``-sized file (about 2 million values) added.

Run: ``python bench/bench_ingest.py [--source DIR] [--runs 3] [--threads N] [--profile] [--no-current]``
(default source: the mirror from the settings; ``--threads 1`` reads the sources one after the other).
The current-layout file is generated here (synthetic values, real NUTS 2021 codes from the mirror's
GISCO files and real NACE Rev. 2 codes from its code list, in the exact API TSV layout with ``:`` and
``: c`` cells) into a temporary mirror overlay (the real mirror linked, plus ``eurostat/api/``); runs
of the two contenders are interleaved. Goal: the overlay ingest within 1.5x of the mirror ingest.
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
GOAL_RATIO = 1.5
CURRENT_YEARS = (2021, 2022, 2023, 2024)


def nuts2021_regions(mirror: Path, *, levels: tuple[int, ...]) -> list[str]:
    """NUTS 2021 codes of ``levels`` from the mirror's GISCO files, without the UK (today's files have none)."""
    geo = mirror / "gisco" / "nuts" / "geojson"
    out: list[str] = []
    for level in levels:
        features = json.loads(
            (geo / f"NUTS_RG_20M_2021_4326_LEVL_{level}.geojson").read_text(encoding="utf-8")
        )
        out += sorted(
            {
                f["properties"]["NUTS_ID"]
                for f in features["features"]
                if not f["properties"]["NUTS_ID"].startswith("UK")
            }
        )
    return out


def current_layout_file(target: Path, mirror: Path, *, seed: int = 7) -> int:
    """Write a gzipped ``sbs_r_nuts2021`` TSV in today's API layout; returns the number of values."""
    import gzip

    import numpy as np
    import pandas as pd

    # the UK left the EU before the first reference year (2021): today's file has no UK rows, and a
    # 2024 UK code is rightly refused as unknown (no NUTS 2024 region of the UK exists)
    regions = nuts2021_regions(mirror, levels=(0, 1, 2))
    nace = pd.read_csv(mirror / "eurostat" / "classifications" / "nace_r2.csv", dtype=str)
    codes = nace.loc[
        nace["level"].isin(["1", "2", "3"]) & nace["code"].str.match(r"^[B-NS]"), "code"
    ].tolist()
    codes = ["B-S_X_O_S94", *codes]
    rng = np.random.default_rng(seed)
    header = "freq,indic_sbs,nace_r2,geo\\TIME_PERIOD\t" + "\t".join(f"{y} " for y in CURRENT_YEARS)
    lines = [header]
    n = 0
    for indicator, scale in (("EMP_LOC_NR", 1.0), ("LOC_NR", 0.08), ("WAGE_LOC_MEUR", 0.00004)):
        base = rng.lognormal(7.0, 1.6, size=(len(regions), len(codes))) * scale
        for i, region in enumerate(regions):
            for j, code in enumerate(codes):
                cells = []
                for k in range(len(CURRENT_YEARS)):
                    u = rng.random()
                    cells.append(
                        ": c" if u < 0.03 else ":" if u < 0.05 else f"{base[i, j] * (1 + 0.02 * k):.0f} "
                    )
                lines.append(f"A,{indicator},{code},{region}\t" + "\t".join(cells))
                n += len(CURRENT_YEARS)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8"), compresslevel=6, mtime=0))
    return n


def overlay(root: Path, mirror: Path) -> Path:
    """A mirror at ``root`` whose entries link to the real mirror's (``eurostat/`` one level down)."""
    (root / "eurostat").mkdir(parents=True)
    for entry in mirror.iterdir():
        if entry.name != "eurostat":
            os.symlink(entry, root / entry.name)
    for entry in (mirror / "eurostat").iterdir():
        os.symlink(entry, root / "eurostat" / entry.name)
    return root


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
    parser.add_argument(
        "--threads",
        type=int,
        default=ingest_service.READER_THREADS,
        help="reader threads (default: the ingest's own setting)",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where to write the JSON figures")
    parser.add_argument("--no-current", action="store_true", help="skip the current-layout contender")
    args = parser.parse_args()
    ingest_service.READER_THREADS = args.threads

    load_before = os.getloadavg()
    current: list[dict] = []
    current_values = 0
    with tempfile.TemporaryDirectory(prefix="bench_ingest_") as tmp:
        over = None
        if not args.no_current:
            over = overlay(Path(tmp) / "current_mirror", Path(args.source))
            current_values = current_layout_file(
                over / "eurostat" / "api" / "sbs_r_nuts2021.tsv.gz", Path(args.source)
            )
            print(
                f"current-layout sbs_r_nuts2021: {current_values:,} values "
                f"({(over / 'eurostat' / 'api' / 'sbs_r_nuts2021.tsv.gz').stat().st_size / 1e6:.1f} MB gzipped)"
            )
        runs = []
        for i in range(args.runs):  # interleaved, so both contenders see the same machine
            runs.append(one_run(args.source, Path(tmp), i))
            if over is not None:
                current.append(one_run(str(over), Path(tmp), 100 + i))
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
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "load_average_before": [round(x, 2) for x in load_before],
        },
    }
    if current:
        c_times = [r["seconds"] for r in current]
        c_median = sorted(current, key=lambda r: r["seconds"])[len(current) // 2]
        result["with_current_layout_file"] = {
            "what": "the same ingest plus a generated current-layout sbs_r_nuts2021 file (eurostat/api/)",
            "values": current_values,
            "seconds_each": c_times,
            "seconds_median": round(statistics.median(c_times), 2),
            "cpu_seconds_each": [r["cpu_seconds"] for r in current],
            "ratio_to_mirror_ingest": round(statistics.median(c_times) / statistics.median(times), 2),
            "goal_ratio": GOAL_RATIO,
            "store_mb": c_median["store_mb"],
            "source_seconds_median_run": c_median["source_seconds"],
        }
    print(
        f"full ingest: median {result['seconds_median']} s of {times} (goal <= {GOAL_SECONDS} s); "
        f"CPU seconds {result['cpu_seconds_each']}; "
        f"store {result['store_mb']} MB; load average before {result['machine']['load_average_before']}"
    )
    cpu = median_run["reader_cpu_seconds"]
    print(f"  {'step':<28} {'wall s':>7} {'thread CPU s':>13}")
    for name, sec in sorted(median_run["source_seconds"].items(), key=lambda kv: -kv[1]):
        print(f"  {name:<28} {sec:7.2f} {cpu.get(name, float('nan')):13.2f}")
    print("rows: " + ", ".join(f"{k} {v:,}" for k, v in median_run["tables"].items()))
    if current:
        c = result["with_current_layout_file"]
        print(
            f"with a current-layout file of {c['values']:,} values: median {c['seconds_median']} s of "
            f"{c['seconds_each']}, {c['ratio_to_mirror_ingest']}x the mirror ingest (goal <= {GOAL_RATIO}x); "
            f"store {c['store_mb']} MB"
        )
    if profile_text:
        print(profile_text)
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
