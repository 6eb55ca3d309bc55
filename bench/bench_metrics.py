"""Benchmark of the statistics engine.

(1) ``materialise``: every metric of every real dataset of a store (goal <= 2 s).
(2) A synthetic cube shaped like US counties (3,100) x NAICS6 (~1,050, sparse) x 10 years,
    ~32 M rows, written once to Parquet in a temporary folder: LQ + US CMP flags through the
    engine (ibis on DuckDB), against a hand-written pandas version and a bare DuckDB GROUP BY
    of the same data, and through the engine on Spark local. Goals: <= 10 s on 2 cores and
    within 1.5x of the faster baseline.

Usage::

    python bench/bench_metrics.py [--db STORE] [--rows 32000000] [--no-spark] [--no-pandas]

Figures are printed and written to ``bench/results/metrics.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import tempfile
import time
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from cluster_map.config import get_settings  # noqa: E402
from cluster_map.services import metrics as service  # noqa: E402
from cluster_map.stats import tables  # noqa: E402
from cluster_map.store import engines  # noqa: E402

COUNTIES, INDUSTRIES, YEARS = 3100, 1050, 10
#: What every contender keeps: the cell, its LQ and the four US CMP flags.
CPU = [0.0, 0.0]  # start, last measured CPU seconds of this process (all its threads)
OUT_COLUMNS = (
    "year",
    "region",
    "sector",
    "employment",
    "establishments",
    "lq",
    "qualifying",
    "significant",
    "strong",
    "strong10",
)


def bench_materialise(db: Path | None) -> dict:
    """Time ``materialise`` on a copy of the store (built from the mirror when none is given)."""
    tmp = Path(tempfile.mkdtemp(prefix="cm-bench-store-"))
    try:
        if db is None or not db.is_file():
            from cluster_map.services.ingest import ingest

            db = tmp / "built.duckdb"
            ingest(source=str(get_settings().mirror), db=db, progress=False)
        work = tmp / "store.duckdb"
        shutil.copy(db, work)
        service.materialise(work)  # warm-up (imports, first compile)
        runs, cpu = [], []
        for _ in range(3):
            t, c = time.perf_counter(), time.process_time()
            report = service.materialise(work)
            runs.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
        rows = {k: v["metrics"] for k, v in report.items() if isinstance(v, dict)}
        return {
            "seconds_best": round(min(runs), 3),
            "seconds_runs": [round(r, 3) for r in runs],
            "cpu_seconds_best": round(min(cpu), 3),
            "metric_rows": rows,
            "goal_seconds": 2.0,
        }
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def make_cube(path: Path, rows: int, seed: int = 42) -> int:
    """Write a county x NAICS6 x year cube with about ``rows`` rows to Parquet (numpy, per year)."""
    rng = np.random.default_rng(seed)
    density = min(1.0, rows / (COUNTIES * INDUSTRIES * YEARS))
    counties = np.array([f"{c:05d}" for c in range(1001, 1001 + COUNTIES)])
    naics = np.array([f"{111110 + 7 * i}" for i in range(INDUSTRIES)])
    size = rng.lognormal(4.0, 1.3, COUNTIES)  # county scale
    weight = rng.lognormal(0.0, 1.0, INDUSTRIES)  # industry scale
    writer = None
    n = 0
    for k, year in enumerate(range(2007, 2007 + YEARS)):
        keep = rng.random(COUNTIES * INDUSTRIES) < density
        ci = np.repeat(np.arange(COUNTIES), INDUSTRIES)[keep]
        si = np.tile(np.arange(INDUSTRIES), COUNTIES)[keep]
        mean = size[ci] * weight[si] * (1.0 + 0.01 * k)
        emp = rng.poisson(mean).astype("float64")
        est = np.maximum(1.0, np.round(emp / rng.uniform(5, 30, emp.size)))
        table = pa.table({
            "level": pa.array(np.full(emp.size, 3, "int64")),
            "sector_level": pa.array(np.full(emp.size, 1, "int64")),
            "year": pa.array(np.full(emp.size, year, "int64")),
            "region": pa.DictionaryArray.from_arrays(pa.array(ci.astype("int32")), pa.array(counties)),
            "sector": pa.DictionaryArray.from_arrays(pa.array(si.astype("int32")), pa.array(naics)),
            "country": pa.DictionaryArray.from_arrays(pa.array(np.zeros(emp.size, "int32")), pa.array(["US"])),
            "employment": pa.array(emp), "establishments": pa.array(est),
            "wages": pa.nulls(emp.size, pa.float64()),
            "sector_type": pa.DictionaryArray.from_arrays(pa.array(np.zeros(emp.size, "int32")), pa.array(["traded"])),
            "parent": pa.nulls(emp.size, pa.string()), "region_total": pa.nulls(emp.size, pa.float64()),
        })  # fmt: skip
        if writer is None:
            writer = pq.ParquetWriter(path, table.schema, compression="zstd")
        writer.write_table(table, row_group_size=1 << 20)
        n += emp.size
    assert writer is not None
    writer.close()
    return n


def run_engine_duckdb(path: Path, threads: int) -> tuple[float, int, int]:
    con = engines.duckdb_backend(threads=threads)
    CPU[0] = time.process_time()
    t0 = time.perf_counter()
    cube = engines.register_parquet(con, "cube", path)
    m = tables.metrics(cube, stars=False).select(*OUT_COLUMNS)
    con.raw_sql(f"CREATE OR REPLACE TEMP TABLE out AS {engines.sql_of(m)}")
    secs = time.perf_counter() - t0
    CPU[1] = time.process_time() - CPU[0]
    n, strong = con.raw_sql("SELECT count(*), count(*) FILTER (WHERE strong) FROM out").fetchall()[0]
    con.disconnect()
    return secs, int(n), int(strong)


BARE_SQL = """
CREATE OR REPLACE TEMP TABLE out AS
WITH c AS (SELECT * FROM read_parquet(?)),
r AS (SELECT level, sector_level, year, region, sum(employment) AS e_r FROM c GROUP BY ALL),
s AS (SELECT level, sector_level, year, sector, sum(employment) AS e_s FROM c GROUP BY ALL),
a AS (SELECT level, sector_level, year, sum(e_r) AS e FROM r GROUP BY ALL),
l AS (
    SELECT c.*, (c.employment / nullif(r.e_r, 0)) / nullif(s.e_s / nullif(a.e, 0), 0) AS lq
    FROM c JOIN r USING (level, sector_level, year, region) JOIN s USING (level, sector_level, year, sector)
           JOIN a USING (level, sector_level, year)),
q0 AS (
    SELECT level, sector_level, year, sector,
           quantile_cont(lq, [0.25, 0.5, 0.75, 0.9]) FILTER (WHERE employment > 0) AS ql,
           quantile_cont(employment, 0.25) FILTER (WHERE employment > 0) AS e25,
           quantile_cont(establishments, 0.25) FILTER (WHERE employment > 0) AS s25
    FROM l GROUP BY ALL),
q AS (SELECT *, ql[1] AS q25, ql[2] AS q50, ql[3] AS q75, ql[4] AS q90 FROM q0)
SELECT l.year, l.region, l.sector, l.employment, l.establishments, l.lq, l.lq > q.q25 AND l.employment > q.e25 AND l.establishments > q.s25 AS qualifying,
       l.lq > q.q50 AND l.employment > q.e25 AND l.establishments > q.s25 AS significant,
       l.lq >= q.q75 AND l.lq >= 1 AND l.employment > q.e25 AND l.establishments > q.s25 AS strong,
       l.lq >= q.q90 AND l.lq >= 1 AND l.employment > q.e25 AND l.establishments > q.s25 AS strong10
FROM l JOIN q USING (level, sector_level, year, sector)
"""


def run_bare_duckdb(path: Path, threads: int) -> tuple[float, int, int]:
    con = duckdb.connect()
    con.execute(f"SET threads = {threads}")
    CPU[0] = time.process_time()
    t0 = time.perf_counter()
    con.execute(BARE_SQL, [str(path)])
    secs = time.perf_counter() - t0
    CPU[1] = time.process_time() - CPU[0]
    n, strong = con.execute("SELECT count(*), count(*) FILTER (WHERE strong) FROM out").fetchall()[0]
    con.close()
    return secs, int(n), int(strong)


def run_pandas(path: Path) -> tuple[float, int, int]:
    CPU[0] = time.process_time()
    t0 = time.perf_counter()
    d = pd.read_parquet(path, columns=["year", "region", "sector", "employment", "establishments"])
    g_r = d.groupby(["year", "region"], observed=True)["employment"].transform("sum")
    g_s = d.groupby(["year", "sector"], observed=True)["employment"].transform("sum")
    g = d.groupby("year")["employment"].transform("sum")
    d["lq"] = (d["employment"] / g_r) / (g_s / g)
    pos = d[d["employment"] > 0]
    grp = pos.groupby(["year", "sector"], observed=True)
    q = grp["lq"].quantile([0.25, 0.5, 0.75, 0.9]).unstack()
    q.columns = ["q25", "q50", "q75", "q90"]
    q["e25"] = grp["employment"].quantile(0.25)
    q["s25"] = grp["establishments"].quantile(0.25)
    d = d.join(q, on=["year", "sector"])
    size = (d["employment"] > d["e25"]) & (d["establishments"] > d["s25"])
    d["qualifying"] = (d["lq"] > d["q25"]) & size
    d["significant"] = (d["lq"] > d["q50"]) & size
    d["strong"] = (d["lq"] >= d["q75"]) & (d["lq"] >= 1) & size
    d["strong10"] = (d["lq"] >= d["q90"]) & (d["lq"] >= 1) & size
    d = d[list(OUT_COLUMNS)]
    secs = time.perf_counter() - t0
    CPU[1] = time.process_time() - CPU[0]
    return secs, len(d), int(d["strong"].sum())


def run_engine_spark(path: Path) -> tuple[float, int, int, float]:
    t0 = time.perf_counter()
    con = engines.spark_backend()
    start = time.perf_counter() - t0
    t0 = time.perf_counter()
    cube = engines.register_parquet(con, "cube", path)
    m = tables.metrics(cube, stars=False).select(*OUT_COLUMNS)
    frame = con._session.sql(engines.sql_of(m)).cache()
    n = frame.count()
    secs = time.perf_counter() - t0
    CPU[1] = time.process_time() - CPU[0]
    strong = frame.filter("strong").count()
    return secs, int(n), int(strong), start


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument(
        "--db", type=Path, default=None, help="Store to materialise (default: build from the mirror)."
    )
    ap.add_argument("--rows", type=int, default=32_000_000, help="Rows of the synthetic cube (default 32 M).")
    ap.add_argument("--threads", type=int, default=os.cpu_count() or 2)
    ap.add_argument("--repeat", type=int, default=2, help="Runs per DuckDB/pandas contender (best is kept).")
    ap.add_argument("--no-spark", action="store_true")
    ap.add_argument("--no-pandas", action="store_true")
    ap.add_argument("--skip-store", action="store_true")
    ap.add_argument(
        "--results",
        type=Path,
        default=ROOT / "bench" / "results" / "metrics.json",
        help="JSON file for the figures (default bench/results/metrics.json).",
    )
    args = ap.parse_args()
    out: dict = {
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "load_average_at_start": os.getloadavg(),
        }
    }
    if not args.skip_store:
        db = args.db or get_settings().db
        out["materialise"] = bench_materialise(db)
        print(
            f"(1) materialise all real datasets: best {out['materialise']['seconds_best']} s "
            f"(cpu {out['materialise']['cpu_seconds_best']} s) "
            f"(goal 2 s); rows {out['materialise']['metric_rows']}"
        )
    tmp = Path(tempfile.mkdtemp(prefix="cm-bench-cube-"))
    try:
        path = tmp / "cube.parquet"
        t = time.perf_counter()
        n = make_cube(path, args.rows)
        print(
            f"(2) synthetic cube: {n:,} rows written in {time.perf_counter() - t:.1f} s "
            f"({path.stat().st_size / 1e6:.0f} MB Parquet)"
        )
        cube: dict = {"rows": n, "threads": args.threads}
        path.read_bytes()  # warm the OS page cache: no contender pays the cold read

        def measure(fn, *a) -> dict:
            best: dict = {}
            for _ in range(args.repeat):  # best of N: the first run also pays one-off start-up costs
                result = dict(zip(("seconds", "rows", "strong"), fn(*a), strict=True))
                if not best or result["seconds"] < best["seconds"]:
                    best = {**result, "cpu_seconds": round(CPU[1], 3)}
            return best

        cube["engine_duckdb"] = measure(run_engine_duckdb, path, args.threads)
        cube["bare_duckdb"] = measure(run_bare_duckdb, path, args.threads)
        if not args.no_pandas:
            cube["pandas"] = measure(run_pandas, path)
        if not args.no_spark:
            s = run_engine_spark(path)
            cube["engine_spark"] = {"seconds": s[0], "rows": s[1], "strong": s[2], "session_start": s[3]}
        base = min(v["seconds"] for k, v in cube.items() if k in ("bare_duckdb", "pandas"))
        engine = cube["engine_duckdb"]["seconds"]
        cube["ratio_engine_to_fastest_baseline"] = round(engine / base, 3)
        cube["goal_seconds"], cube["goal_ratio"] = 10.0, 1.5
        for k, v in cube.items():
            if isinstance(v, dict):
                print(
                    f"    {k:14s} {v['seconds']:7.2f} s (cpu {v.get('cpu_seconds', float('nan')):6.2f} s)  rows {v['rows']:,}  strong {v['strong']:,}  "
                    f"ratio to fastest baseline {v['seconds'] / base:.2f}"
                )
        out["synthetic_cube"] = cube
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    out["machine"]["load_average_at_end"] = os.getloadavg()
    args.results.parent.mkdir(parents=True, exist_ok=True)
    args.results.write_text(json.dumps(out, indent=2, default=float))
    print(f"wrote {args.results}")


if __name__ == "__main__":
    main()
