"""What value added per person employed (gva_ratio) costs at ingest: the metrics step with and without it.

Generates full-size current-layout ``nama_10r_3empers`` and ``nama_10r_3gva`` files (synthetic values,
the real NUTS 2021 codes of levels 0-3 from the mirror's GISCO files without the UK, the 11 NACE A*10
codes and TOTAL, 2000-2023, exact API TSV layout with ``:`` and ``: c`` cells and the rows the pins drop:
``SAL`` beside ``EMP``, ``PPS_EU27_2020`` beside ``MIO_EUR``) into a mirror overlay. Builds one store
with employment only and one with both (the first plus ``ingest --only nama_10r_3gva``), then times
:func:`cluster_map.services.metrics.materialise` on each (interleaved runs): the seconds of dataset
nama_10r_3empers and of the whole step, and the process CPU seconds.

Run: ``python bench/bench_value_added.py [--runs 3]``. Prints the figures and writes
``bench/results/value_added.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import resource
import shutil
import statistics
import tempfile
import time
from pathlib import Path

import numpy as np
from bench_ingest import nuts2021_regions  # the bench folder is the script's own (sys.path[0])

from cluster_map.config import get_settings
from cluster_map.services.ingest import ingest
from cluster_map.services.metrics import materialise

RESULTS = Path(__file__).resolve().parent / "results" / "value_added.json"
YEARS = tuple(range(2000, 2024))
A10 = ("A", "B-E", "C", "F", "G-I", "J", "K", "L", "M_N", "O-Q", "R-U", "TOTAL")


def _cells(rng: np.random.Generator, base: float, flags: str = "") -> list[str]:
    out = []
    for k in range(len(YEARS)):
        u = rng.random()
        out.append(
            ": c" if u < 0.03 else ":" if u < 0.05 else f"{base * (1 + 0.01 * k):.1f} {flags}".rstrip() + " "
        )
    return out


def write_files(api: Path, mirror: Path, *, seed: int = 11) -> dict[str, int]:
    """The two gzipped TSVs under ``api``; returns the number of values of each."""
    rng = np.random.default_rng(seed)
    regions = nuts2021_regions(mirror, levels=(0, 1, 2, 3))
    years = "\t".join(f"{y} " for y in YEARS)
    emp = ["freq,unit,wstatus,nace_r2,geo\\TIME_PERIOD\t" + years]
    gva = ["freq,unit,nace_r2,geo\\TIME_PERIOD\t" + years]
    for region in regions:
        for code in A10:
            e = float(rng.lognormal(2.0, 1.2))  # thousand persons
            v = e * float(rng.lognormal(4.0, 0.4))  # EUR million: ~55,000 EUR a person
            emp.append(f"A,THS_PER,EMP,{code},{region}\t" + "\t".join(_cells(rng, e)))
            emp.append(f"A,THS_PER,SAL,{code},{region}\t" + "\t".join(_cells(rng, 0.8 * e)))
            gva.append(f"A,MIO_EUR,{code},{region}\t" + "\t".join(_cells(rng, v)))
            gva.append(f"A,PPS_EU27_2020,{code},{region}\t" + "\t".join(_cells(rng, 0.93 * v)))
    api.mkdir(parents=True, exist_ok=True)
    for name, lines in (("nama_10r_3empers", emp), ("nama_10r_3gva", gva)):
        (api / f"{name}.tsv.gz").write_bytes(gzip.compress(("\n".join(lines) + "\n").encode(), mtime=0))
    return {"nama_10r_3empers": (len(emp) - 1) * len(YEARS), "nama_10r_3gva": (len(gva) - 1) * len(YEARS)}


def overlay(root: Path, mirror: Path, api_files: list[Path]) -> Path:
    (root / "eurostat" / "api").mkdir(parents=True)
    for entry in mirror.iterdir():
        if entry.name != "eurostat":
            os.symlink(entry, root / entry.name)
    for entry in (mirror / "eurostat").iterdir():
        os.symlink(entry, root / "eurostat" / entry.name)
    for f in api_files:
        os.symlink(f, root / "eurostat" / "api" / f.name)
    return root


def _cpu() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    mirror = Path(get_settings().mirror)
    work = Path(tempfile.mkdtemp(prefix="cm_gva_bench_"))
    try:
        values = write_files(work / "api", mirror)
        emp_only = overlay(work / "m_emp", mirror, [work / "api" / "nama_10r_3empers.tsv.gz"])
        both = overlay(work / "m_both", mirror, sorted((work / "api").iterdir()))
        stores = {"without": work / "without.duckdb", "with": work / "with.duckdb"}
        t = time.perf_counter()
        ingest(source=str(emp_only), db=stores["without"], progress=False)
        ingest_without = time.perf_counter() - t
        shutil.copy(stores["without"], stores["with"])
        t = time.perf_counter()
        only = ingest(source=str(both), db=stores["with"], progress=False, datasets=["nama_10r_3gva"])
        ingest_only = time.perf_counter() - t
        runs: dict[str, list[dict[str, float]]] = {"without": [], "with": []}
        for _ in range(args.runs):
            for name, db in stores.items():
                cpu, t = _cpu(), time.perf_counter()
                report = materialise(db)
                runs[name].append(
                    {
                        "seconds": round(time.perf_counter() - t, 2),
                        "cpu_seconds": round(_cpu() - cpu, 2),
                        "nama_10r_3empers_seconds": report["nama_10r_3empers"]["seconds"],
                        "nama_10r_3empers_rows": report["nama_10r_3empers"]["metrics"],
                        "value_added_cells": report["nama_10r_3empers"].get("value_added", 0),
                    }
                )

        def med(name: str, key: str) -> float:
            return round(statistics.median(r[key] for r in runs[name]), 2)

        result = {
            "what": "metrics step (services.metrics.materialise) on the mirror plus full-size synthetic "
            "current-layout nama_10r_3empers, without and with nama_10r_3gva",
            "values": values,
            "load_average_at_start": os.getloadavg()[0],
            "runs": runs,
            "median": {
                name: {k: med(name, k) for k in ("seconds", "cpu_seconds", "nama_10r_3empers_seconds")}
                for name in runs
            },
            "nama_10r_3empers_rows": runs["with"][0]["nama_10r_3empers_rows"],
            "value_added_cells": runs["with"][0]["value_added_cells"],
            "ingest_seconds_employment_only": round(ingest_without, 2),
            "ingest_only_gva_seconds": round(ingest_only, 2),
            "ingest_only_gva_source_seconds": dict(only.source_seconds),
        }
        print(json.dumps(result["median"], indent=2))
        print(
            f"nama_10r_3empers: {result['nama_10r_3empers_rows']:,} metric rows, "
            f"{result['value_added_cells']:,} with a value added ratio"
        )
        RESULTS.parent.mkdir(exist_ok=True)
        RESULTS.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
