"""Time country reports as a person runs them: ``cluster-map report`` end to end, one process per country.

Usage: ``python bench/bench_reports.py [--db STORE] [--dataset sbs_r_nuts06_r2] [--format pdf] [--quick]
[--repeat 3] [--in-process]`` (default store: ``CLUSTER_MAP_DB``). ``--quick`` times three countries (DE,
FR, AT) only.

For each country it runs ``python -m cluster_map.cli report --country CC --format pdf`` as a subprocess
``--repeat`` times (interleaved over the countries) and records the median wall time from process start
to exit and the CPU time of the child (user + system): the process start, the imports, opening the
store, the sections and the render, as ``cluster-map report`` costs a person. The goal is <= 5 s for a
country PDF. For each country it also records where the time goes, in a fresh process that does what
the command does step by step (``--phases CC``, median of ``--repeat`` runs): the interpreter start
(``python -c pass``), the imports of the command and its services, opening the store, each section of
the report, the HTML, and the render (importing the renderer, then the render itself), with the cyclic
garbage collector paused as the command pauses it; the end-to-end time less these steps is the process
start and exit. ``--in-process``
also times build and render inside one warm process (the app's case: geometry, weights and fonts loaded
once). Prints one line per country and writes ``bench/results/reports.json``.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

# The package is imported inside the functions: ``--phases`` times the imports of a fresh process.
FORMATS = ("html", "pdf", "xlsx")
#: EU member states in the data's years (EU28, Eurostat codes).
EU28 = (
    "AT",
    "BE",
    "BG",
    "CY",
    "CZ",
    "DE",
    "DK",
    "EE",
    "EL",
    "ES",
    "FI",
    "FR",
    "HR",
    "HU",
    "IE",
    "IT",
    "LT",
    "LU",
    "LV",
    "MT",
    "NL",
    "PL",
    "PT",
    "RO",
    "SE",
    "SI",
    "SK",
    "UK",
)
QUICK = ("DE", "FR", "AT")
GOAL_SECONDS = 5.0
RESULTS = Path(__file__).resolve().parent / "results" / "reports.json"
ROOT = Path(__file__).resolve().parent.parent


def _pages(data: bytes, fmt: str) -> int | None:
    if fmt != "pdf":
        return None
    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(data)).pages)


def _env() -> dict[str, str]:
    """The child's environment: this checkout first on the path (as the tests and the app run it)."""
    path = os.environ.get("PYTHONPATH", "")
    return {**os.environ, "PYTHONPATH": str(ROOT) + (os.pathsep + path if path else "")}


def _child(cmd: list[str]) -> tuple[float, float, subprocess.CompletedProcess[str]]:
    """Run ``cmd``; wall seconds, CPU seconds of the child (user + system) and the result."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    done = subprocess.run(cmd, capture_output=True, text=True, env=_env(), check=False)
    wall = time.perf_counter() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu, done


def report_command(country: str, *, dataset: str, fmt: str, db: Path, out: Path) -> list[str]:
    """The command line a person types, run with this interpreter."""
    return [
        sys.executable,
        "-m",
        "cluster_map.cli",
        "report",
        "--country",
        country,
        "--dataset",
        dataset,
        "--format",
        fmt,
        "--out",
        str(out),
        "--db",
        str(db),
    ]


def import_seconds(stderr: str) -> float:
    """Seconds spent importing, from ``python -X importtime`` output (top-level imports summed)."""
    total = 0
    for line in stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = line.split("|", 2)
        if cumulative.strip().isdigit() and not name.startswith("   "):  # nested imports are indented
            total += int(cumulative)
    return total / 1e6


def breakdown(country: str, *, dataset: str, fmt: str, db: Path, out: Path) -> dict[str, Any]:
    """Where one end-to-end run spends its time: interpreter start, imports, the rest."""
    start, _, _ = _child([sys.executable, "-c", "pass"])
    cmd = report_command(country, dataset=dataset, fmt=fmt, db=db, out=out)
    wall, cpu, done = _child([cmd[0], "-X", "importtime", *cmd[1:]])
    imports = import_seconds(done.stderr)
    return {
        "country": country,
        "interpreter_start_s": round(start, 2),
        "imports_s": round(imports, 2),
        "store_sections_render_s": round(wall - start - imports, 2),
        "total_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "note": "one run with -X importtime (which adds a little to the imports)",
    }


def end_to_end(
    codes: list[str], *, dataset: str, fmt: str, db: Path, repeat: int = 3
) -> list[dict[str, Any]]:
    """Each country ``repeat`` times (rounds interleaved over the countries); the median run per country."""
    runs: dict[str, list[tuple[float, float]]] = {c: [] for c in codes}
    errors: dict[str, str] = {}
    sizes: dict[str, bytes] = {}
    with tempfile.TemporaryDirectory() as tmp:
        for _ in range(repeat):
            for code in codes:
                if code in errors:
                    continue
                out = Path(tmp) / f"{code}.{fmt}"
                wall, cpu, done = _child(report_command(code, dataset=dataset, fmt=fmt, db=db, out=out))
                if done.returncode != 0:
                    errors[code] = (
                        done.stderr.strip().splitlines() or ["exit code " + str(done.returncode)]
                    )[-1]
                    continue
                runs[code].append((wall, cpu))
                sizes[code] = out.read_bytes()
    rows: list[dict[str, Any]] = []
    print(
        f"{'country':8} {'wall s':>7} {'CPU s':>6} {'pages':>6} {'KB':>6}   "
        f"(cluster-map report, one process each, median of {repeat})"
    )
    for code in codes:
        if code in errors:
            print(f"{code:8} failed: {errors[code]}")
            rows.append({"country": code, "error": errors[code]})
            continue
        walls = [w for w, _ in runs[code]]
        row = {
            "country": code,
            "wall_s": round(_median(walls) or 0.0, 2),
            "cpu_s": round(_median([c for _, c in runs[code]]) or 0.0, 2),
            "runs_s": [round(w, 2) for w in walls],
            "pages": _pages(sizes[code], fmt),
            "kb": round(len(sizes[code]) / 1024),
        }
        rows.append(row)
        print(f"{code:8} {row['wall_s']:7.2f} {row['cpu_s']:6.2f} {row['pages'] or '':>6} {row['kb']:6}")
    return rows


#: The report's sections, timed by name in ``--phases`` (module, function).
SECTIONS = (
    ("report_sections", "national"),
    ("report_sections", "specialisation"),
    ("report_sections", "clusters"),
    ("report_sections", "top_sectors"),
    ("report_sections", "indices"),
    ("report_sections", "growth"),
    ("report_sections", "hotspots"),
    ("report_growth", "ecosystems"),
    ("report_growth", "grow"),
    ("report_sections", "organisations"),
    ("report_sections", "method"),
    ("report_sections", "sources"),
    ("coverage", "coverage"),
)


def phases(country: str, *, dataset: str, fmt: str, db: Path | None) -> dict[str, float]:
    """In this (fresh) process, what ``cluster-map report`` does, step by step: seconds per step."""
    import functools
    import gc
    import importlib

    gc.disable()  # as cluster-map report does (cluster_map/cli/reports.py)
    times: dict[str, float] = {}
    t0 = time.perf_counter()
    main = importlib.import_module("cluster_map.cli.main")
    main.register_commands()
    from cluster_map.services import exports as exports_service
    from cluster_map.services import reports as report_service

    times["imports"] = time.perf_counter() - t0
    sections = {"report_sections", "report_growth", "coverage"}
    modules = {name: importlib.import_module(f"cluster_map.services.{name}") for name in sections}
    spent: dict[str, float] = {}

    def timed(name: str, fn: Any) -> Any:
        @functools.wraps(fn)
        def run(*args: Any, **kwargs: Any) -> Any:
            start = time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                spent[name] = spent.get(name, 0.0) + time.perf_counter() - start

        return run

    for module, fn in SECTIONS:
        setattr(modules[module], fn, timed(fn, getattr(modules[module], fn)))
    t1 = time.perf_counter()
    con = exports_service.connect(db)
    times["store open"] = time.perf_counter() - t1
    t2 = time.perf_counter()
    try:
        report = report_service.build_country_report(con, country=country, dataset=dataset)
    finally:
        con.close()
    build = time.perf_counter() - t2
    for name, seconds in spent.items():
        times[f"section {name}"] = seconds
    times["build, rest"] = build - sum(spent.values())
    t3 = time.perf_counter()
    from cluster_map.reports.html import render_html

    render_html(report)
    times["html"] = time.perf_counter() - t3
    if fmt == "pdf":
        t4 = time.perf_counter()
        import weasyprint  # noqa: F401 - timed on its own: the render's import

        times["import weasyprint"] = time.perf_counter() - t4
    t5 = time.perf_counter()
    report_service.render(report, fmt)  # type: ignore[arg-type]
    times[f"render {fmt}"] = time.perf_counter() - t5
    times["total"] = time.perf_counter() - t0
    return times


def breakdowns(
    codes: list[str], *, dataset: str, fmt: str, db: Path, repeat: int = 3
) -> list[dict[str, Any]]:
    """:func:`phases` of each country in fresh processes, the median of ``repeat`` runs per step."""
    start = _median([_child([sys.executable, "-c", "pass"])[0] for _ in range(repeat)]) or 0.0
    rows = []
    for code in codes:
        runs: list[dict[str, float]] = []
        for _ in range(repeat):
            cmd = [sys.executable, str(Path(__file__).resolve()), "--phases", code, "--dataset", dataset]
            _, _, done = _child([*cmd, "--format", fmt, "--db", str(db)])
            if done.returncode == 0:
                runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        if not runs:
            continue
        steps = {k: round(_median([r[k] for r in runs if k in r]) or 0.0, 2) for k in runs[0]}
        rows.append({"country": code, "interpreter_start_s": round(start, 2), "steps_s": steps})
        print(f"{code}: interpreter {start:.2f} s; " + "; ".join(f"{k} {v:.2f}" for k, v in steps.items()))
    return rows


def in_process(codes: list[str], *, dataset: str, fmt: str, db: Path) -> list[dict[str, Any]]:
    """Build and render one after the other in this process (the first also loads fonts, weights)."""
    from cluster_map.errors import ClusterMapError
    from cluster_map.services import reports
    from cluster_map.store.database import connect

    rows: list[dict[str, Any]] = []
    con = connect(db)
    try:
        print(
            f"{'country':8} {'build s':>8} {'render s':>9} {'total s':>8} {'CPU s':>6}   (in one warm process)"
        )
        for code in codes:
            t0, c0 = time.perf_counter(), time.process_time()
            try:
                report = reports.build_country_report(con, country=code, dataset=dataset)
            except ClusterMapError as exc:
                rows.append({"country": code, "error": str(exc)})
                continue
            t1 = time.perf_counter()
            reports.render(report, fmt)  # type: ignore[arg-type]
            t2, c2 = time.perf_counter(), time.process_time()
            row = {
                "country": code,
                "build_s": round(t1 - t0, 2),
                "render_s": round(t2 - t1, 2),
                "total_s": round(t2 - t0, 2),
                "cpu_s": round(c2 - c0, 2),
            }
            rows.append(row)
            print(
                f"{code:8} {row['build_s']:8.2f} {row['render_s']:9.2f} {row['total_s']:8.2f} {row['cpu_s']:6.2f}"
            )
    finally:
        con.close()
    return rows


def _median(values: list[float]) -> float | None:
    values = sorted(values)
    return values[len(values) // 2] if values else None


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--db", type=Path, default=None, help="store (default: CLUSTER_MAP_DB)")
    parser.add_argument("--dataset", default="sbs_r_nuts06_r2")
    parser.add_argument("--format", default="pdf", choices=FORMATS)
    parser.add_argument("--quick", action="store_true", help=f"only {', '.join(QUICK)}")
    parser.add_argument("--repeat", type=int, default=3, help="runs per country (the median is kept)")
    parser.add_argument("--in-process", action="store_true", help="also time build + render in one process")
    parser.add_argument(
        "--phases", metavar="CC", help="(internal) time the steps of one report in this process"
    )
    args = parser.parse_args()
    if args.phases:
        print(json.dumps(phases(args.phases, dataset=args.dataset, fmt=args.format, db=args.db)))
        return
    from cluster_map.config import get_settings
    from cluster_map.services import reports
    from cluster_map.store.database import connect

    db = Path(get_settings(db=args.db).db).resolve()
    con = connect(db)
    try:
        available = [c for c in reports.countries(con, dataset=args.dataset)["country"] if c in EU28]
    finally:
        con.close()
    codes = [c for c in QUICK if c in available] if args.quick else available
    load_before = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory() as tmp:
        parts = breakdown(codes[0], dataset=args.dataset, fmt=args.format, db=db, out=Path(tmp) / "first.pdf")
    print(
        f"{parts['country']}: interpreter start {parts['interpreter_start_s']} s, imports {parts['imports_s']} s, "
        f"store + sections + render {parts['store_sections_render_s']} s; total {parts['total_s']} s "
        f"(CPU {parts['cpu_s']} s)"
    )
    steps = breakdowns(codes, dataset=args.dataset, fmt=args.format, db=db, repeat=args.repeat)
    rows = end_to_end(codes, dataset=args.dataset, fmt=args.format, db=db, repeat=args.repeat)
    warm = in_process(codes, dataset=args.dataset, fmt=args.format, db=db) if args.in_process else []
    done = [r for r in rows if "wall_s" in r]
    summary = {
        "countries": len(done),
        "failed": [r["country"] for r in rows if "error" in r],
        "quick": args.quick,
        "repeat": args.repeat,
        "median_s": _median([r["wall_s"] for r in done]),
        "max_s": max((r["wall_s"] for r in done), default=None),
        "median_cpu_s": _median([r["cpu_s"] for r in done]),
        "over_goal": [r["country"] for r in done if r["wall_s"] > GOAL_SECONDS],
        "goal_s": GOAL_SECONDS,
        "in_process_median_s": _median([r["total_s"] for r in warm if "total_s" in r]),
        "load_average_1min_before": load_before,
        "load_average_1min_after": round(os.getloadavg()[0], 2),
    }
    print(
        f"{summary['countries']} reports end to end: median {summary['median_s']} s (CPU {summary['median_cpu_s']} s), "
        f"max {summary['max_s']} s; over {GOAL_SECONDS:g} s: {summary['over_goal'] or 'none'}; load average "
        f"{summary['load_average_1min_before']} -> {summary['load_average_1min_after']}"
    )
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "benchmark": "country reports end to end (cluster-map report, one process each)",
                "dataset": args.dataset,
                "format": args.format,
                "measured_at": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": {"python": platform.python_version(), "cpus": os.cpu_count()},
                "summary": summary,
                "breakdown": parts,
                "phases": steps,
                "reports": rows,
                "in_process": warm,
            },
            indent=2,
        )
        + "\n",
        "utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
