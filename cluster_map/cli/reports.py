"""``cluster-map report`` (country reports) and ``cluster-map export`` (tables with provenance)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any, Optional

import typer

from cluster_map import catalogue
from cluster_map.cli.main import DbOption, app
from cluster_map.errors import InputError

#: Report formats (the renderers live in cluster_map.reports; the services are imported inside the
#: commands, so that `cluster-map --help` and the other commands do not load PDF and map libraries).
FORMATS = ("pdf", "html", "xlsx")
#: Tables ``export`` offers (cluster_map.store.reports.EXPORTABLE; a test keeps the two equal).
TABLES = (
    "observations",
    "metrics",
    "region_indices",
    "sector_indices",
    "regions",
    "sectors",
    "organisations",
    "datasets",
)


@app.command("report")
def report_command(
    out: Path = typer.Option(..., "--out", help="Output file."),
    country: Optional[str] = typer.Option(
        None, "--country", help="Country code (DE, FR, EL ...; US for US states)."
    ),
    region: Optional[str] = typer.Option(
        None,
        "--region",
        help="A region instead: NUTS 2 code (DE21) or US state "
        "FIPS code (06) with --dataset us_cmp_states_2016.",
    ),
    custom: Optional[str] = typer.Option(
        None,
        "--custom",
        help="A custom region instead: NAME=CODE,CODE (e.g. "
        "'Øresund=DK01,SE22'), recomputed from the members' counts.",
    ),
    fmt: str = typer.Option("pdf", "--format", help="pdf, html or xlsx."),
    dataset: str = typer.Option(
        "sbs_r_nuts06_r2",
        "--dataset",
        help="Dataset code: " + ", ".join(d.code for d in catalogue.reported()) + ".",
    ),
    year: Optional[int] = typer.Option(None, "--year", help="Reference year (default: latest with data)."),
    min_employment: Optional[float] = typer.Option(
        None, "--min-employment", help="Cells below are not ranked (default: CLUSTER_MAP_MIN_EMPLOYMENT)."
    ),
    db: Optional[Path] = DbOption,
) -> None:
    """Write a country, region or custom-region report (PDF, standalone HTML or XLSX workbook)."""
    if fmt not in FORMATS:
        raise InputError(f"Unknown --format {fmt!r}; choose pdf, html or xlsx")
    given = [name for name, v in (("--country", country), ("--region", region), ("--custom", custom)) if v]
    if len(given) != 1:
        raise InputError(
            "Give exactly one of --country CODE, --region CODE or --custom NAME=CODE,CODE"
            + (f" (got {' and '.join(given)})" if given else "")
        )
    # The command's imports (pandas, GeoPandas, PySAL, matplotlib, WeasyPrint), the build and the render
    # make objects that live until the end; the cyclic collector's passes over them cost a country report
    # about 0.7 s besides the render's own pause (reports.pdf.collector_paused), and the memory stays the
    # same without them (DE: 0.5 GB at most). Reference counting still frees what is dropped.
    was_on = gc.isenabled()
    gc.disable()
    try:
        data, report = _build_and_render(
            country=country,
            region=region,
            custom=custom,
            fmt=fmt,
            dataset=dataset,
            year=year,
            min_employment=min_employment,
            db=db,
        )
    finally:
        if was_on:
            gc.enable()
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    typer.echo(f"Wrote {out} ({len(data) / 1024:,.0f} KB): {report.title}, {report.year}")


def _build_and_render(
    *,
    country: str | None,
    region: str | None,
    custom: str | None,
    fmt: str,
    dataset: str,
    year: int | None,
    min_employment: float | None,
    db: Path | None,
) -> tuple[bytes, Any]:
    from cluster_map.services import exports, reports

    subject = country or region or (custom or "").partition("=")[0]
    con = exports.connect(db)
    try:
        with typer.progressbar(length=2, label=f"Building the {subject} report") as bar:
            if country:
                report = reports.build_country_report(
                    con, country=country, dataset=dataset, year=year, min_employment=min_employment
                )
            else:
                from cluster_map.services.region_reports import build_region_report

                report = build_region_report(
                    con,
                    region=region,
                    custom=custom,
                    dataset=dataset,
                    year=year,
                    min_employment=min_employment,
                )
            bar.update(1)
            data = reports.render(report, fmt)  # type: ignore[arg-type]
            bar.update(1)
    finally:
        con.close()
    return data, report


@app.command("export")
def export_command(
    table: str = typer.Option(..., "--table", help="One of: " + ", ".join(TABLES) + "."),
    fmt: str = typer.Option("csv", "--format", help="csv, xlsx, parquet, geojson or geoparquet."),
    out: Path = typer.Option(
        ..., "--out", help="Output file; the provenance sidecar is <out>.provenance.json."
    ),
    dataset: Optional[str] = typer.Option(None, "--dataset", help="Filter: dataset code."),
    level: Optional[int] = typer.Option(None, "--level", help="Filter: region level."),
    year: Optional[int] = typer.Option(None, "--year", help="Filter: year."),
    sector: Optional[str] = typer.Option(None, "--sector", help="Filter: sector code."),
    country: Optional[str] = typer.Option(None, "--country", help="Filter: country code."),
    db: Optional[Path] = DbOption,
) -> None:
    """Export a store table with a provenance sidecar (sources, parameters)."""
    from cluster_map.services import exports

    filters = {
        k: v
        for k, v in {
            "dataset": dataset,
            "level": level,
            "year": year,
            "sector": sector,
            "country": country,
        }.items()
        if v is not None
    }
    con = exports.connect(db)
    try:
        result = exports.export(con, table, fmt, filters=filters)  # type: ignore[arg-type]
    finally:
        con.close()
    out.write_bytes(result.data)
    sidecar = out.with_name(out.name + ".provenance.json")
    sidecar.write_bytes(result.sidecar)
    typer.echo(f"Wrote {result.rows:,} rows to {out} and provenance to {sidecar}")
