"""Data and methodology: datasets with provenance, flags legend, metric definitions, known limits,
and the files behind every download button.

The formulas come from :mod:`cluster_map.services.methodology` (one source for the app, the country
reports and the README); this module adds the provenance, the limits and the download files.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from cluster_map import catalogue as cluster_catalogue
from cluster_map.reports import exports
from cluster_map.schema import FLAGS
from cluster_map.services import methodology
from cluster_map.store import catalogue as store_catalogue
from cluster_map.store import rankings

PROVENANCE_COLUMNS: Final = (
    "code",
    "kind",
    "title",
    "publisher",
    "licence",
    "source_url",
    "retrieved_from",
    "origin",
    "nuts_version",
    "extracted_at",
    "last_update",
    "checksum",
    "row_count",
    "years",
    "notes",
)


KNOWN_LIMITS: Final[tuple[str, ...]] = (
    "NUTS versions: Eurostat files mix NUTS 2010 and 2013 codes; codes are recoded to the dataset's target "
    "version (2013) with the official change tables and the JRC NUTS converter; codes that match no region "
    "are listed below and left off the maps.",
    "Confidential cells (flag 'c') and ':' are missing values, not zeros: sums over sectors that meet them "
    "are lower bounds and are marked so (caveat 'confidential', 'denominator:lower_bound'); a confidential "
    "cell's LQ is given as the bounds the NACE hierarchy allows.",
    "The mirrored regional SBS publishes no business-economy total (B-N_S95_X_K) for any region: every region's "
    "total is the sum of its NACE sections (caveat 'denominator:sections').",
    "Suspect source values (caveat 'suspect:<rule>', rules in the methods) keep their LQ but earn no star and no "
    "strong flag; the cells found are listed below as known source problems.",
    "SBS 2015 holds 17 of the 29 countries of 2014: its benchmark is not Europe's, so no page or report opens on "
    "it, and each says which countries it holds when 2015 is picked.",
    "Vintage: the mirrored Eurostat regional SBS runs 2008-2015 (sbs_r_nuts06_r2, NACE Rev. 2); its successor "
    "sbs_r_nuts2021 is not in the mirror. LFS employment is by NACE section only.",
    "US Cluster Mapping: state data for 2016 only (benchmark cluster definitions); counties are not in the mirror.",
    "Cluster organisations: a hand-compiled directory (see its README); coordinates are geocoded to a city or "
    "region where no address was given (column geocode_precision).",
)


def datasets(con: Any) -> pd.DataFrame:
    """Every ingested dataset with its provenance (publisher, licence, URLs, extraction time, checksum, rows)."""
    rows = store_catalogue.datasets(con)
    return rows[[c for c in PROVENANCE_COLUMNS if c in rows.columns]].reset_index(drop=True)


def flags_legend() -> pd.DataFrame:
    """The Eurostat flag letters and their meaning: flag, meaning."""
    return pd.DataFrame({"flag": list(FLAGS), "meaning": list(FLAGS.values())})


def methods() -> pd.DataFrame:
    """The method entries (:mod:`cluster_map.services.methodology`, written once for the app, the reports
    and the README) as a table: key, name, formula, text, reference, group."""
    return pd.DataFrame([e.__dict__ for e in methodology.entries()])


def conventions(kind: str) -> tuple[Any, ...]:
    """The readings of one published rule (``'focus_scope'``), the default first (catalogue.CONVENTIONS)."""
    return cluster_catalogue.conventions(kind)


def known_source_problems(con: Any, *, level: int | None = 2) -> pd.DataFrame:
    """The source values the suspect rules caveat (methodology entry 'suspect'), grouped by dataset, country,
    year and rule with the sectors and regions affected; ``level`` keeps one NUTS level (None: all)."""
    rows = store_catalogue.suspect_cells(con)
    if level is not None:
        rows = rows[rows["level"] == level]
    return rows.reset_index(drop=True)


def unmatched_regions(con: Any) -> pd.DataFrame:
    """Codes of each dataset that match no region geometry after recoding (dataset, code, rows, reason)."""
    return store_catalogue.unmatched_regions(con)


def geometry_repairs(con: Any) -> pd.DataFrame:
    """Geometry sources whose invalid polygons the ingest repaired with ``make_valid`` (source, repairs, with
    each region, why it was invalid and how much its area changed; within ``geo.REPAIR_AREA_TOLERANCE``)."""
    rows = store_catalogue.datasets(con, kind="geometry")
    rows = rows[rows["notes"].fillna("").str.contains("make_valid", regex=False)]
    return pd.DataFrame({"source": rows["code"].to_numpy(), "repairs": rows["notes"].to_numpy()})


def tolerated_codes() -> pd.DataFrame:
    """Codes the ingest does not know but the catalogue accepts, and why (dataset, kind, codes, reason);
    aggregates and extra-regio codes first, as every dataset tolerates them."""
    from cluster_map import catalogue as leaf

    rows = [
        {"dataset": "(every dataset)", "kind": "region", "codes": kind, "reason": why}
        for kind, why in leaf.TOLERATED_REGION_KINDS.items()
    ]
    rows += [
        {"dataset": d.code, "kind": t.kind, "codes": ", ".join(t.codes), "reason": t.reason}
        for d in leaf.DATASETS
        for t in d.tolerated
    ]
    return pd.DataFrame(rows, columns=["dataset", "kind", "codes", "reason"])


#: The quantities a series' definitions table compares, with their labels.
_QUANTITIES: Final = (
    ("employment", "Persons employed"),
    ("establishments", "Local units / establishments"),
    ("wages", "Wages and salaries"),
    ("value_added", "Gross value added"),
)


def series_definitions() -> list[tuple[Any, pd.DataFrame]]:
    """Per catalogued series: (the series record, a table of its parts' indicator definitions side by side):
    one row per quantity, one column per part dataset ('EMP_LOC_NR (persons employed)'), then the years
    taken from each part and its NUTS versions."""
    from cluster_map import catalogue as leaf

    out: list[tuple[Any, pd.DataFrame]] = []
    for series in leaf.SERIES:
        parts = [leaf.dataset(code) for code in series.datasets]
        rows: list[dict[str, str]] = []
        for key, label in _QUANTITIES:
            cells = [d.cells().get(key) for d in parts]
            if all(c is None for c in cells):
                continue
            row = {"quantity": label}
            for d, c in zip(parts, cells, strict=True):
                row[d.code] = (
                    f"{c.indicator} ({c.unit}{f', x{c.factor:g}' if c.factor != 1 else ''})" if c else "-"
                )
            rows.append(row)
        years = {"quantity": "Reference years taken"}
        nuts = {"quantity": "NUTS version of the geo codes"}
        total = {"quantity": "Region total (sector code)"}
        for p, d in zip(series.parts, parts, strict=True):
            years[d.code] = f"{p.first_year or 'first'}-{p.last_year or 'latest'}"
            nuts[d.code] = d.nuts.default + "".join(f", {v} from {y}" for y, v in d.nuts.by_year)
            total[d.code] = d.total_code or "sum of the sectors"
        rows += [years, nuts, total]
        out.append((series, pd.DataFrame(rows, columns=["quantity", *series.datasets])))
    return out


def _cell_text(c: Any) -> str:
    return (
        f"{c.indicator}{f' [{c.breakdown}]' if c.breakdown else ''} ({c.unit}{f', x{c.factor:g}' if c.factor != 1 else ''})"
        if c is not None
        else "-"
    )


def indicator_definitions() -> pd.DataFrame:
    """The indicator definitions of every catalogued dataset with a cube, side by side: one row per quantity
    (persons employed, local units, wages, value added: indicator code, unit, factor) and per coverage item
    (area, sector scheme, NUTS version(s), map levels, pinned dimensions, region total), one column per dataset
    (e.g. sbs_r_nuts2021's EMP_LOC_NR next to sbs_r_nuts06_r2's V16110 and lfst_r_lfe2en2's EMP)."""
    from cluster_map import catalogue as leaf

    parts = [d for d in leaf.DATASETS if d.is_statistics]
    rows: list[dict[str, str]] = []
    for key, label in _QUANTITIES:
        rows.append({"quantity": label, **{d.code: _cell_text(d.cells().get(key)) for d in parts}})
    rows.append(
        {
            "quantity": "Area",
            **{d.code: "Europe (NUTS)" if d.area == "europe" else "US states" for d in parts},
        }
    )
    rows.append({"quantity": "Sector scheme", **{d.code: d.sector_scheme for d in parts}})
    rows.append(
        {
            "quantity": "NUTS version of the geo codes",
            **{
                d.code: (d.nuts.default + "".join(f", {v} from {y}" for y, v in d.nuts.by_year))
                if d.area == "europe"
                else "-"
                for d in parts
            },
        }
    )
    rows.append(
        {"quantity": "Map levels", **{d.code: ", ".join(str(x) for x in d.map_levels) or "-" for d in parts}}
    )
    rows.append(
        {
            "quantity": "Pinned dimensions",
            **{d.code: ", ".join(f"{k}={v}" for k, v in d.pins) or "-" for d in parts},
        }
    )
    rows.append(
        {
            "quantity": "Region total (sector code)",
            **{d.code: d.total_code or "sum of the sectors" for d in parts},
        }
    )
    return pd.DataFrame(rows, columns=["quantity", *(d.code for d in parts)])


def conversions(con: Any) -> pd.DataFrame:
    """Values converted or estimated at ingest, counted: dataset, caveat (the method, e.g. the JRC
    recoding between NUTS versions), values; and the NUTS codes recoded per dataset and method
    (``nuts_recodes``: codes, rows). Every row of ``observations`` whose ``caveats`` is not empty counts."""
    return store_catalogue.conversion_counts(con)


def nuts_recodes(con: Any) -> pd.DataFrame:
    """NUTS recodings applied at ingest (dataset, code_from, version_from, code_to, version_to, method, weight)."""
    return store_catalogue.nuts_recodes(con)


def metrics_table(con: Any, *, dataset: str, level: int, year: int) -> pd.DataFrame:
    """All metrics of one dataset, level and year (one row per region x sector), for download."""
    rows = rankings.metrics_table(con, dataset=dataset, level=level, year=year)
    lead = [
        c
        for c in (
            "dataset",
            "nuts_version",
            "level",
            "year",
            "region",
            "region_name",
            "sector_scheme",
            "sector",
            "sector_label",
        )
        if c in rows.columns
    ]
    return rows[lead + [c for c in rows.columns if c not in lead]]


def known_region_codes(con: Any) -> frozenset[str]:
    """Every region code of the store (all NUTS versions, US regions), to check an upload's codes."""
    return frozenset(store_catalogue.regions(con)["code"].astype(str))


def sources_for(con: Any, codes: list[str]) -> list[dict[str, Any]]:
    """Provenance rows of ``codes`` as plain dicts (for the export sidecar)."""
    rows = datasets(con)
    return rows[rows["code"].isin(codes)].to_dict(orient="records")


#: Above this many cells a table is offered as CSV and Parquet only: xlsxwriter writes ~50,000 cells a
#: second, so a year of NUTS 2 metrics (900,000 cells) would keep the page busy for 20 s.
XLSX_MAX_CELLS: Final = 300_000


@dataclass(frozen=True)
class DownloadFile:
    """One file offered for download: button label, format, bytes, file name, MIME type."""

    label: str
    fmt: str
    data: bytes
    file_name: str
    mime: str


@dataclass(frozen=True)
class LazyDownload:
    """A file offered for download whose bytes are built only when asked for (``make()``)."""

    label: str
    fmt: str
    make: Callable[[], bytes]
    file_name: str
    mime: str


def lazy_download_files(
    frame: pd.DataFrame,
    *,
    stem: str,
    parameters: Mapping[str, Any],
    sources: Sequence[Mapping[str, Any]] = (),
    geo: pd.DataFrame | None = None,
    parquet: bool = False,
) -> list[LazyDownload]:
    """The files of :func:`download_files`, each with a ``make()`` that builds its bytes on demand.

    A page offers CSV, XLSX (and GeoJSON) under every table; building them all on every script run
    cost the pages most of their render time (an XLSX workbook per table), for files rarely taken.
    """
    frame = frame.copy()
    parameters = dict(parameters)
    sources = [dict(s) for s in sources]
    out = [
        LazyDownload(
            "CSV",
            "csv",
            lambda: exports.to_csv(frame),
            exports.file_name(stem, "csv"),
            exports.MEDIA_TYPES["csv"],
        )
    ]
    if frame.size <= XLSX_MAX_CELLS:
        notes = [f"{k}: {v}" for k, v in parameters.items()]
        out.append(
            LazyDownload(
                "XLSX",
                "xlsx",
                lambda: exports.to_xlsx(frame, sheet=stem[:31] or "data", notes=notes),
                exports.file_name(stem, "xlsx"),
                exports.MEDIA_TYPES["xlsx"],
            )
        )
    else:
        parquet = True  # too large for a workbook: offer the columnar file instead
    if parquet:
        out.append(
            LazyDownload(
                "Parquet",
                "parquet",
                lambda: exports.to_parquet(frame),
                exports.file_name(stem, "parquet"),
                exports.MEDIA_TYPES["parquet"],
            )
        )
    if geo is not None and len(geo):
        shapes = geo.copy()
        out.append(
            LazyDownload(
                "GeoJSON",
                "geojson",
                lambda: exports.to_geojson(shapes),
                exports.file_name(stem, "geojson"),
                exports.MEDIA_TYPES["geojson"],
            )
        )
    columns = [str(c) for c in frame.columns]
    out.append(
        LazyDownload(
            "Provenance",
            "json",
            lambda: exports.provenance(
                table=stem, parameters=parameters, sources=sources, rows=len(frame), columns=columns
            ),
            exports.file_name(stem + ".provenance", "json"),
            exports.MEDIA_TYPES["json"],
        )
    )
    return out


def download_files(
    frame: pd.DataFrame,
    *,
    stem: str,
    parameters: Mapping[str, Any],
    sources: Sequence[Mapping[str, Any]] = (),
    geo: pd.DataFrame | None = None,
    parquet: bool = False,
) -> list[DownloadFile]:
    """CSV and XLSX of ``frame`` (GeoJSON of ``geo``, Parquet when ``parquet``) and the provenance JSON.

    Tables of more than :data:`XLSX_MAX_CELLS` cells get Parquet instead of XLSX.

    Text cells are protected against formula injection (:mod:`cluster_map.reports.exports`).
    """
    return [
        DownloadFile(f.label, f.fmt, f.make(), f.file_name, f.mime)
        for f in lazy_download_files(
            frame, stem=stem, parameters=parameters, sources=sources, geo=geo, parquet=parquet
        )
    ]
