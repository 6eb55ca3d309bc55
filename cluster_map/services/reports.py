"""Country reports: assemble a :class:`CountryReport` from the store, then render it.

``build_country_report`` answers "what does the cluster landscape of country X look like?" with the
materialised metrics (LQ, stars, strong clusters), region indices, growth and shift-share, hot spots
(Gi* over all regions of the level, so a country's regions are judged with their European
neighbours), the cluster organisations, partnerships and events, the methodology and the provenance
of every source. The sections are built in :mod:`cluster_map.services.report_sections`.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from cluster_map import catalogue
from cluster_map.config import get_settings
from cluster_map.errors import InputError, ReportError
from cluster_map.reports.country import CountryReport, KeyFigure
from cluster_map.reports.html import render_html
from cluster_map.reports.pdf import render_pdf
from cluster_map.reports.workbook import render_xlsx
from cluster_map.services import coverage, report_growth
from cluster_map.services import report_sections as sections
from cluster_map.store import reports as store

__all__ = [
    "RENDERERS",
    "CountryReport",
    "build_country_report",
    "countries",
    "render",
    "report_datasets",
    "report_levels",
    "write_country_report",
]

Format = Literal["pdf", "html", "xlsx"]
RENDERERS: dict[str, Callable[[CountryReport], bytes]] = {
    "pdf": render_pdf,
    "html": lambda r: render_html(r).encode("utf-8"),
    "xlsx": render_xlsx,
}


def report_levels(dataset: str) -> tuple[int, int]:
    """(region level, sector level) of the reports of ``dataset`` (the catalogue's ``report_level``).

    Raises :class:`InputError` naming the datasets reports can be built from.
    """
    found = catalogue.find_dataset(dataset)
    if found is None or found.report_level is None:
        raise InputError(
            f"Unknown dataset {dataset!r} for a report; choose one of "
            f"{', '.join(d.code for d in catalogue.reported())}"
        )
    return found.report_level


def report_datasets(con: Any) -> tuple[str, ...]:
    """Datasets a report can be built from (the catalogue's, in its order) that the store has metrics of."""
    present = set(store.metric_datasets(con))
    return tuple(d.code for d in catalogue.reported() if d.code in present)


def countries(con: Any, *, dataset: str = "sbs_r_nuts06_r2") -> pd.DataFrame:
    """Countries a report can be built for: country, name (English), years (with data)."""
    level, sector_level = report_levels(dataset)
    frame = store.report_countries(con, dataset=dataset, level=level, sector_level=sector_level)
    frame["name"] = [
        catalogue.country_name(c, str(n).title())
        for c, n in zip(frame["country"], frame["name"], strict=True)
    ]
    frame["years"] = [list(y) if isinstance(y, list | np.ndarray) else [] for y in frame["years"]]
    return frame


def _resolve(con: Any, dataset: str, country: str) -> tuple[str, str, list[int]]:
    code = catalogue.country_code(country)
    known = countries(con, dataset=dataset)
    row = known[known["country"] == code]
    if row.empty:
        valid = ", ".join(known["country"].tolist()) or "none (build the store with `cluster-map ingest`)"
        raise InputError(f"Unknown country code {country!r} for dataset {dataset!r}; valid codes: {valid}")
    return code, str(row["name"].iloc[0]), sorted(int(y) for y in row["years"].iloc[0])


def build_country_report(
    con: Any,
    *,
    country: str,
    dataset: str = "sbs_r_nuts06_r2",
    year: int | None = None,
    min_employment: float | None = None,
    top_sectors: int = 2,
    seed: int | None = None,
    permutations: int | None = None,
) -> CountryReport:
    """Assemble the country report (see the module docstring); no rendering here.

    Parameters
    ----------
    country
        Eurostat country code (``DE``, ``EL``; ISO ``GR``/``GB`` are accepted) or ``US`` with
        ``dataset='us_cmp_states_2016'``.
    year
        Reference year; default the latest year with data for the country.
    min_employment
        Cells below it are not ranked (top sectors, national ranking); default
        ``CLUSTER_MAP_MIN_EMPLOYMENT``.
    top_sectors
        Number of top specialisations mapped and tested for hot spots.
    seed, permutations
        Permutation inference of the Gi* hot spots; default ``CLUSTER_MAP_SEED`` and
        ``CLUSTER_MAP_PERMUTATIONS``.

    Raises
    ------
    InputError
        Unknown dataset or country code (the message lists the valid ones), or a year without data
        for the country (the message lists the years with data).
    """
    level, sector_level = report_levels(dataset)
    settings = get_settings()
    min_employment = settings.min_employment if min_employment is None else float(min_employment)
    seed = settings.seed if seed is None else int(seed)
    permutations = settings.permutations if permutations is None else int(permutations)
    code, name, years = _resolve(con, dataset, country)
    if not years:
        raise InputError(
            f"{name} ({code}) has no employment data in {dataset!r} at all; choose another country"
        )
    bench = coverage.coverage(con, dataset, level=level)
    # the default is the latest year whose benchmark holds every country, never a partial one
    year = (bench.default_year(years) or years[-1]) if year is None else int(year)
    if year not in years:
        raise InputError(
            f"{name} ({code}) has no data in {dataset!r} for {year}; years with data: "
            f"{', '.join(map(str, years))}"
        )
    rows = store.metric_rows(con, dataset=dataset, level=level, sector_level=sector_level, country=code)
    now = rows[(rows["year"] == year) & rows["employment"].notna()]
    if now.empty:
        raise ReportError(
            f"No level-{level} metrics for {name} ({code}) in {dataset!r} {year}; rebuild the store"
        )
    scope = sections.Scope(
        country=code,
        name=name,
        dataset=dataset,
        year=year,
        years=tuple(years),
        level=level,
        sector_level=sector_level,
        nuts_version=str(now["nuts_version"].iloc[0]),
        min_employment=float(min_employment),
        stamp=store.store_stamp(con),
        benchmark_note=bench.note(year),
    )
    nat = sections.national(con, scope, now)
    tops = nat.head(top_sectors)
    clusters = sections.clusters(scope, now)
    indices, idx = sections.indices(con, scope)
    orgs, n_orgs = sections.organisations(con, scope)
    parts = (
        sections.specialisation(con, scope, tops, nat, now),
        clusters,
        sections.top_sectors(scope, now),
        indices,
        sections.growth(con, scope, rows),
        sections.hotspots(con, scope, tops, seed=seed, permutations=permutations),
        *(x for x in (report_growth.ecosystems(con, scope), report_growth.grow(con, scope)) if x is not None),
        orgs,
        sections.method(scope),
    )
    sources = sections.sources(con, scope)
    vintage = sections.vintage(sources, dataset)
    return CountryReport(
        country=code,
        country_name=name,
        dataset=dataset,
        dataset_title=catalogue.dataset(dataset).title,
        year=year,
        level=level,
        nuts_version=scope.nuts_version,
        vintage=vintage,
        generated_at=datetime.now(UTC),
        key_figures=_key_figures(scope, now, nat, clusters, idx, n_orgs),
        sections=parts,
        sources=sources,
        parameters={
            "dataset": dataset,
            "year": str(year),
            "region level": str(level),
            "sector level": str(sector_level),
            "minimum employment": f"{min_employment:g}",
            "benchmark": scope.benchmark_name,
            "top sectors": str(top_sectors),
            "permutations": str(permutations),
            "seed": str(seed),
        },
    )


def render(report: CountryReport, fmt: Format) -> bytes:
    """Render a report in one of ``pdf``, ``html``, ``xlsx``."""
    if fmt not in RENDERERS:
        raise InputError(f"Unknown report format {fmt!r}; choose pdf, html or xlsx")
    return RENDERERS[fmt](report)


def write_country_report(con: Any, *, country: str, fmt: Format, out: Path, **options: Any) -> CountryReport:
    """Build, render and write a report atomically (a failed render leaves no partial file)."""
    if fmt not in RENDERERS:
        raise InputError(f"Unknown report format {fmt!r}; choose pdf, html or xlsx")
    report = build_country_report(con, country=country, **options)
    data = render(report, fmt)
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return report


def _key_figures(
    scope: sections.Scope, now: pd.DataFrame, nat: pd.DataFrame, clusters: Any, idx: pd.DataFrame, n_orgs: int
) -> tuple[KeyFigure, ...]:
    per_region = now.drop_duplicates("region")
    employment = float(per_region["region_total"].sum())
    tables = {t.key: t.frame for t in clusters.tables}
    figs = [
        KeyFigure(f"{scope.regions_label} with data", int(now["region"].nunique())),
        KeyFigure(scope.employment_label, employment),
    ]
    if not scope.is_us and len(per_region):
        share = employment / float(per_region["benchmark_total"].iloc[0])
        figs.append(KeyFigure("Share of the benchmark's employment", f"{share:.1%}"))
    if "Star_clusters" in tables:  # not for US states: strong clusters only
        stars = tables["Star_clusters"]
        figs.append(
            KeyFigure(
                "Star clusters (2-3 stars)", len(stars), note=f"{int((stars['stars'] == 3).sum())} with 3"
            )
        )
    figs.append(KeyFigure("Strong clusters", len(tables["Strong_clusters"])))
    if not nat.empty:
        top = nat.iloc[0]
        figs.append(
            KeyFigure(
                "Top specialisation",
                f"{sections.short(top['sector_label'], 40)} ({top['sector']})",
                note=(
                    f"strong in {int(top['strong_states'])} {scope.info.region_word}"
                    if scope.is_us
                    else f"LQ {top['lq']:.2f}"
                ),
            )
        )
    if not idx.empty:
        mine = idx if scope.is_us else idx[idx["country"] == scope.country]
        figs.append(
            KeyFigure(
                "Median Krugman index of the regions",
                float(mine["krugman"].median()),
                note=f"all regions: {idx['krugman'].median():.2f}",
            )
        )
    figs.append(KeyFigure("Cluster organisations in the directories", n_orgs))
    return tuple(figs)
