"""``cluster-map ingest`` and ``cluster-map info``: build the store, and say what it holds."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Optional

import typer

from cluster_map import catalogue
from cluster_map.cli.main import DbOption, app

# The services are imported inside the commands: `cluster-map report` need not load the ingest.
STATISTICAL_DATASETS: tuple[str, ...] = tuple(d.code for d in catalogue.DATASETS)

SourceOption = typer.Option(
    None,
    "--source",
    help="Mirror directory or URL base (default: CLUSTER_MAP_SOURCE, else the official "
    "URLs with ../shared/mirror as offline fallback).",
)
OnlyOption = typer.Option(
    None,
    "--only",
    help="Reload only this statistical dataset into the existing store (repeatable): "
    + ", ".join(STATISTICAL_DATASETS)
    + ".",
)
ProgressOption = typer.Option(True, "--progress/--no-progress", help="Show progress bars.")
AddOption = typer.Option(
    None,
    "--add",
    help="Add your own statistics file to the store: a Eurostat TSV (either "
    "layout), SDMX-CSV, or a long CSV (region, sector, year, employment[, establishments, wages]).",
)
CodeOption = typer.Option(None, "--code", help="Code of the added dataset (lower case, e.g. my_region_jobs).")
SpecOption = typer.Option(
    None,
    "--spec",
    help="TOML file describing the added dataset (dimensions, pins, NUTS "
    "version, employment cell); inferred from the file when omitted.",
)
JsonOption = typer.Option(False, "--json", help="Machine-readable output.")


@app.command("ingest")
def ingest_command(
    source: Optional[str] = SourceOption,  # noqa: UP045 (typer reads the annotation)
    db: Optional[Path] = DbOption,
    only: Optional[list[str]] = OnlyOption,
    progress: bool = ProgressOption,
    add: Optional[Path] = AddOption,
    code: Optional[str] = CodeOption,
    spec: Optional[Path] = SpecOption,
) -> None:
    """Read the official sources, validate them, and build the store atomically; or add your own dataset
    to the store (--add FILE --code CODE [--spec SPEC.toml])."""
    if add is not None:
        from cluster_map.services.user_datasets import add_dataset

        if not code:
            raise typer.BadParameter("--add needs --code CODE (the name of your dataset in the store)")
        for line in add_dataset(add, code=code, spec_file=spec, db=db).lines():
            typer.echo(line)
        return
    from cluster_map.services.ingest import ingest

    summary = ingest(source=source, db=db, progress=progress, datasets=only or None)
    for line in summary.lines():
        typer.echo(line)


#: How ``info`` names a dataset's origin (``datasets.origin``).
_ORIGINS = {
    "url": "official URL",
    "mirror": "local mirror",
    "mixed": "mixed: official URL and local mirror",
    "compiled": "shipped file, no official feed",
    "user": "your file",
}


@app.command("info")
def info_command(
    db: Optional[Path] = DbOption,
    as_json: bool = JsonOption,
) -> None:
    """List the datasets in the store with their provenance."""
    from cluster_map.services.ingest import store_info

    info = store_info(db)
    if as_json:
        typer.echo(json.dumps(info.to_dict(), indent=2, default=str))
        return
    built = info.meta.get("built_at", "?")
    typer.echo(
        f"Store {info.db} ({info.store_bytes / 1e6:.1f} MB), schema {info.meta.get('schema_version')}, "
        f"built {built} from {info.meta.get('origin', '?')}"
    )
    for d in info.datasets:
        years = f", years {d['years']}" if d.get("years") else ""
        nuts = f", NUTS {d['nuts_version']}" if d.get("nuts_version") else ""
        unmatched = info.unmatched.get(d["code"])
        extra = f", {unmatched} region codes without geometry" if unmatched else ""
        typer.echo(f"{d['code']}  [{d['kind']}]  {d.get('row_count') or 0:,} rows{years}{nuts}{extra}")
        typer.echo(f"    {d.get('title') or ''}")
        typer.echo(f"    publisher: {d.get('publisher') or ''}; licence: {d.get('licence') or ''}")
        source = d.get("source_url") or ""
        compiled = d.get("origin") == "compiled" or source.startswith("compiled directory")
        typer.echo(f"    {'source' if compiled else 'official'}: {source}")
        extracted = d.get("extracted_at")
        when = extracted.strftime("%Y-%m-%d %H:%M:%S") if isinstance(extracted, datetime) else extracted
        origin = f" ({_ORIGINS.get(d.get('origin') or '', d.get('origin'))})" if d.get("origin") else ""
        updated = d.get("last_update")
        updated_text = (
            f"; source last updated {updated.strftime('%Y-%m-%d')}"
            if isinstance(updated, datetime)
            else f"; source last updated {updated}"
            if updated
            else ""
        )
        typer.echo(f"    read from: {d.get('retrieved_from') or ''}{origin} at {when} UTC{updated_text}")
        typer.echo(f"    sha256: {d.get('checksum') or ''}")
    typer.echo("tables: " + ", ".join(f"{k} {v:,}" for k, v in info.tables.items()))
