"""``cluster-map metrics`` and ``cluster-map indices``: the statistics as CSV files.

``metrics --dataset CODE`` reads the store; ``metrics --input LONG.csv [--benchmark TOTALS.csv]``
reads a user's own long table. Both compute on DuckDB (default) or Spark (``--engine spark``).
Text cells that a spreadsheet would run as a formula (starting with ``= + - @``, tab or CR) are
written with a leading apostrophe.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Optional

import typer

from cluster_map import catalogue
from cluster_map.cli.main import DbOption, app
from cluster_map.errors import InputError

if TYPE_CHECKING:
    import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

EngineOption = typer.Option(
    "duckdb", "--engine", help="duckdb (default) or spark (local, or CLUSTER_MAP_SPARK_REMOTE)."
)
OutOption = typer.Option(..., "--out", help="CSV file to write.")
InputOption = typer.Option(
    None,
    "--input",
    help="Your own long table with columns region, sector, employment and optionally year, "
    "establishments, sector_type (traded/local: US CMP convention).",
)
BenchmarkOption = typer.Option(
    None,
    "--benchmark",
    help="With --input: benchmark totals CSV with columns sector, employment and optionally year, "
    "total, sector_type.",
)


def protect(value: object) -> object:
    """A text cell with a leading apostrophe if a spreadsheet would read it as a formula."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def write_csv(frame: pd.DataFrame, out: Path) -> None:
    """Write ``frame`` as UTF-8 CSV, NULL as an empty cell, text cells protected."""
    import pandas as pd

    safe = frame.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = safe[col].map(protect)
    out.parent.mkdir(parents=True, exist_ok=True)
    safe.to_csv(out, index=False, na_rep="")


def _read_csv(path: Path, what: str) -> pd.DataFrame:
    import pandas as pd

    if not path.is_file():
        raise InputError(f"{what} file {str(path)!r} does not exist; give the path of a CSV file.")
    try:
        return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""])
    except (pd.errors.ParserError, UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"{what} file {str(path)!r} is not a readable CSV: {exc}") from exc


@app.command("metrics")
def metrics_command(
    out: Path = OutOption,
    dataset: Optional[str] = typer.Option(
        None, "--dataset", help="Dataset code: " + ", ".join(d.code for d in catalogue.statistical())
    ),
    input_csv: Optional[Path] = InputOption,
    benchmark: Optional[Path] = BenchmarkOption,
    level: Optional[int] = typer.Option(None, "--level", help="NUTS level (US states: 1); default all."),
    year: Optional[int] = typer.Option(None, "--year", help="One year; default all."),
    engine: str = EngineOption,
    db: Optional[Path] = DbOption,
    sectors: str = typer.Option(
        "nace",
        "--sectors",
        help="nace (the dataset's own codes, default) or ecosystems "
        "(the 14 industrial ecosystems of the EU Industrial Strategy, as sums of NACE divisions).",
    ),
    focus: Optional[str] = typer.Option(
        None,
        "--focus",
        help="Reading of the ECO focus star: all_cells (top 10% of every region-sector cell, as the "
        "Observatory publishes it) or sector (top 10% of the sector's regions); default CLUSTER_MAP_FOCUS_SCOPE.",
    ),
    custom: Optional[list[str]] = typer.Option(
        None,
        "--custom",
        help="With --dataset: a custom region NAME=CODE,CODE (repeatable), e.g. "
        "'Øresund=DK01,SE22': its LQ, stars and strong flags recomputed from the members' counts.",
    ),
) -> None:
    """One row per region x sector x year: shares, LQ (bounds of a confidential one), ECO stars, US CMP flags,
    caveats (confidential; suspect:<rule>; estimated:<method>; denominator:<level>)."""
    from cluster_map.schema import METRIC_COLUMNS
    from cluster_map.services import metrics as service

    if custom:
        if dataset is None or input_csv is not None:
            raise InputError("--custom needs --dataset CODE (the members' dataset), not --input.")
        import pandas as pd

        from cluster_map.services import custom_regions, exports

        groups = [custom_regions.parse(c) for c in custom]
        con = exports.connect(db)
        try:
            frames = [custom_regions.group_metrics(con, g, dataset=dataset, year=year) for g in groups]
        finally:
            con.close()
        frame = pd.concat(frames, ignore_index=True)
        write_csv(frame, out)
        typer.echo(f"Wrote {len(frame):,} rows of {len(groups)} custom region(s) to {out}")
        return
    if (dataset is None) == (input_csv is None):
        raise InputError("Give exactly one of --dataset CODE or --input LONG.csv.")
    if input_csv is not None:
        if level is not None or year is not None or sectors != "nace":
            raise InputError("--level, --year and --sectors apply to --dataset only.")
        totals = _read_csv(benchmark, "Benchmark") if benchmark is not None else None
        frame = service.compute_long(
            _read_csv(input_csv, "Input"), benchmark_totals=totals, engine=engine, focus_scope=focus
        )
    else:
        if benchmark is not None:
            raise InputError("--benchmark applies to --input only (store datasets carry their own).")
        assert dataset is not None
        frame = service.compute(
            dataset,
            level=level,
            year=year,
            engine=engine,
            db=db,
            sectors=sectors,  # type: ignore[arg-type]
            focus_scope=focus,  # type: ignore[arg-type]
        )  # checked by the service
        rest = [c for c in frame.columns if c not in METRIC_COLUMNS]
        frame = frame[list(METRIC_COLUMNS) + rest]
    write_csv(frame, out)
    typer.echo(f"Wrote {len(frame):,} rows to {out}")


@app.command("indices")
def indices_command(
    dataset: str = typer.Option(
        ..., "--dataset", help="Dataset code: " + ", ".join(d.code for d in catalogue.statistical())
    ),
    out: Path = OutOption,
    kind: str = typer.Option(
        "region",
        "--kind",
        help="region (Krugman, HHI, entropy, variety, cluster strength) or sector (Gini, locational Gini, Hoover, Theil).",
    ),
    level: Optional[int] = typer.Option(None, "--level", help="NUTS level; default all."),
    year: Optional[int] = typer.Option(None, "--year", help="One year; default all."),
    engine: str = EngineOption,
    db: Optional[Path] = DbOption,
) -> None:
    """Region or sector indices of a dataset, one row per region (or sector) x level x year."""
    from cluster_map.services import metrics as service

    frame = service.indices(dataset, kind=kind, level=level, year=year, engine=engine, db=db)  # type: ignore[arg-type]
    write_csv(frame, out)
    typer.echo(f"Wrote {len(frame):,} rows to {out}")
