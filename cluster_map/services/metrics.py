"""Statistics of the store and of a user's own table: compute, materialise, read back.

One engine: the ibis expressions of :mod:`cluster_map.stats.tables`, run on DuckDB (default) or
Spark (``engine='spark'``, a local session or ``CLUSTER_MAP_SPARK_REMOTE``).

How each dataset becomes a cube (one row per region x sector x year) is declared once, in
:mod:`cluster_map.catalogue`: its employment, establishments and wages cells (indicator, breakdown,
factor), the code of the region's published total (``E_r``; else the sum over the sectors of the
level), the excluded codes and the benchmark. Each NUTS version of a dataset (a per-year rule such
as sbs_r_nuts2021's 2021/2024) is materialised apart, with that version's regions.

Regions: kind ``nuts`` or ``us_state`` of the ``regions`` table, each NUTS level separately
(aggregates and extra-regio excluded). Sectors: each level of the hierarchy separately (LFS A*10
aggregates such as ``B-E`` count as level 1; ``NRP`` 'no response' is dropped). Benchmarks: Europe
``dataset`` (all regions of the level); US ``external``: the US CMP convention (traded and local
denominators apart) against ``us_cmp_totals_2016``.
"""

from __future__ import annotations

import functools
import logging
import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa

from cluster_map import catalogue
from cluster_map.catalogue import Cell, Dataset
from cluster_map.config import get_settings
from cluster_map.errors import InputError, StatsError
from cluster_map.schema import METRIC_COLUMNS
from cluster_map.stats import ecosystems, quality, tables
from cluster_map.stats import productivity as productivity_stats
from cluster_map.store import ecosystems as eco_store
from cluster_map.store import engines
from cluster_map.store import metrics as store
from cluster_map.store import productivity as productivity_store

log = logging.getLogger(__name__)

Benchmark = Literal["dataset", "country", "external"]
IndexKind = Literal["region", "sector"]
SectorScheme = Literal["nace", "ecosystems"]


def spec(dataset: str) -> Dataset:
    """The catalogue entry of a dataset the metrics engine builds a cube of (an :class:`InputError`
    naming the choices)."""
    found = catalogue.find_dataset(dataset)
    if found is None or not found.is_statistics:
        choices = ", ".join(d.code for d in catalogue.statistical())
        raise InputError(f"Unknown dataset {dataset!r}; use one of {choices}.")
    return found


def _cell(cell: Cell | None) -> tuple[str, str, float]:
    return (cell.indicator, cell.breakdown, cell.factor) if cell is not None else ("", "", 1.0)


def _cube_params(
    s: Dataset, *, level: int | None = None, year: int | None = None, nuts_version: str | None = None
) -> dict[str, Any]:
    return store.cube_params(
        dataset=s.code, scheme=s.sector_scheme, employment=_cell(s.employment),
        establishments=s.establishments.indicator if s.establishments else "",
        wages=s.wages.indicator if s.wages else "", total_code=s.total_code, excluded=s.excluded,
        level=level, year=year, nuts_version=nuts_version,
    )  # fmt: skip


def _totals(con: Any, s: Dataset) -> Any:
    assert s.totals is not None
    return store.read_totals(
        con, dataset=s.totals.dataset, scheme=s.sector_scheme, employment=_cell(s.totals.employment),
        total_indicator=s.totals.total_indicator, total_code=s.totals.total_code,
    )  # fmt: skip


def _expressions(
    cube: Any,
    totals: Any,
    s: Dataset | None,
    benchmark: Benchmark,
    min_employment: float,
    *,
    by_type: bool | None = None,
    focus_scope: str | None = None,
) -> tuple[Any, Any, Any]:
    by_type = (s.by_type if s is not None else False) if by_type is None else by_type
    if benchmark == "external" and totals is None:
        raise InputError(
            f"Dataset {s.code if s else ''!r} has no external benchmark; use 'dataset' or 'country'."
        )
    if benchmark == "external":
        totals = tables.complete_totals(totals, by_type=by_type)
    m = tables.metrics(
        cube, benchmark=benchmark, totals=totals, by_type=by_type and benchmark == "external",
        min_employment=min_employment, focus_scope=focus_scope or get_settings().focus_scope,  # type: ignore[arg-type]
    )  # fmt: skip
    return m, tables.region_indices(m), tables.sector_indices(m)


def annotate_cube(cube: pd.DataFrame | Any, s: Dataset | None) -> pd.DataFrame:
    """The cube with denominators, confidential bounds, suspect flags and caveats
    (:func:`cluster_map.stats.quality.annotate`), typed as :data:`tables.CUBE_QUALITY_SCHEMA`."""
    frame = cube if isinstance(cube, pd.DataFrame) else cube.to_pandas()
    if frame.empty:
        for name in tables.QUALITY_SCHEMA.names:
            if name not in frame.columns:
                frame[name] = pd.Series(dtype="object")
        return frame
    out = quality.annotate(
        frame,
        total_declared=bool(s.total_code) if s is not None else False,
        minimum=get_settings().min_employment,
    )
    return out[list(tables.CUBE_QUALITY_SCHEMA.names)]


@functools.lru_cache(maxsize=8)
def _materialise_sql(
    spec_shape: tuple[str, bool, bool], min_employment: float, focus_scope: str = "all_cells"
) -> tuple[str, str, str, str]:
    """SQL of the metrics, of the metric rows to store, and of the two index tables, compiled once
    per process and dataset shape (benchmark, by_type, has totals) on unbound tables ``_cm_cube``,
    ``_cm_totals`` and ``_cm_m`` (ibis compilation costs ~0.1 s per expression)."""
    benchmark, by_type, has_totals = spec_shape
    cube = ibis.table(tables.CUBE_QUALITY_SCHEMA, name="_cm_cube")
    totals = ibis.table(tables.TOTALS_SCHEMA, name="_cm_totals") if has_totals else None
    m, _, _ = _expressions(
        cube,
        totals,
        None,
        benchmark,  # type: ignore[arg-type]
        min_employment,
        by_type=by_type,
        focus_scope=focus_scope,
    )
    mt = ibis.table(m.schema(), name="_cm_m")

    def sql(e: Any) -> str:
        return str(ibis.to_sql(e, dialect="duckdb"))

    return sql(m), sql(mt.drop("parent")), sql(tables.region_indices(mt)), sql(tables.sector_indices(mt))


#: DuckDB threads of the metrics step (None: DuckDB's default, every core). The same observations give
#: the same bits at any thread count: the sums are exact (:func:`cluster_map.stats.tables._xsum`) and the
#: cube is read in key order before its pandas rules.
METRIC_THREADS: int | None = None


def materialise(db: Path, *, progress: bool = False) -> dict[str, Any]:
    """Compute every metric of every dataset, level and year into the store file ``db``.

    Called by ingest on the new store file before the swap. (Re)creates the tables ``metrics``,
    ``region_indices`` and ``sector_indices``, written in slice order.

    Returns
    -------
    dict
        ``{dataset: {"metrics": rows, "region_indices": rows, "sector_indices": rows,
        "benchmark": name, "seconds": s}}`` plus ``"seconds"`` for the whole run.
    """
    started = time.perf_counter()
    settings = get_settings()
    # a parallel float sum depends on how the rows are split between threads (two builds of the mirror
    # store differed in 45,334 of 417,014 metric rows, now and then in a flag); the sums are in fixed
    # point instead, so every thread count gives the same bits
    con = engines.duckdb_backend(db, read_only=False, threads=METRIC_THREADS)
    report: dict[str, Any] = {}
    try:
        store.create_tables(con)
        present = set(store.observation_datasets(con))
        for s in catalogue.statistical():
            code = s.code
            if code not in present:
                continue
            t0 = time.perf_counter()
            has_totals = s.benchmark == "external" and s.totals is not None
            if has_totals:
                engines.register(con, "_cm_totals", _totals(con, s), schema=tables.TOTALS_SCHEMA)
            m_sql, rows_sql, ri_sql, si_sql = _materialise_sql(
                (s.benchmark, s.by_type and s.benchmark == "external", has_totals),
                settings.min_employment,
                settings.focus_scope,
            )
            counts = {"metrics": 0, "region_indices": 0, "sector_indices": 0}
            numerators = Numerators(_wage_factor(s), _value_added(s, present))
            if numerators.wage_factor is not None or numerators.value_added is not None:
                counts["productivity"] = 0
            if numerators.value_added is not None:
                counts["value_added"] = 0
            for version in store.observation_versions(con, code):
                if not store.create_cube(con, "_cm_cube", _cube_params(s, nuts_version=version)):
                    continue
                store.replace_temp(con, "_cm_cube", annotate_cube(store.read_temp(con, "_cm_cube"), s))
                store.create_temp(con, "_cm_m", m_sql)
                const = {"dataset": code, "nuts_version": version, "sector_scheme": s.sector_scheme,
                         "benchmark": s.benchmark}  # fmt: skip
                counts["metrics"] += _insert_metric_rows(
                    con, rows_sql, const, numerators, settings.min_employment, counts
                )
                counts["region_indices"] += store.insert_select(
                    con, "region_indices", ri_sql, constants=const
                )
                counts["sector_indices"] += store.insert_select(
                    con, "sector_indices", si_sql, constants=const
                )
                if s.ecosystems:
                    counts["ecosystem_metrics"] = counts.get("ecosystem_metrics", 0) + _materialise_ecosystems(
                        con, const, m_sql=m_sql, rows_sql=rows_sql, si_sql=si_sql,
                        numerators=numerators, min_employment=settings.min_employment, counts=counts,
                    )  # fmt: skip
            if not counts["metrics"]:
                raise StatsError(
                    f"Dataset {code!r} has observations but gives no metric rows: none of its rows is the "
                    f"employment cell with a region of its NUTS version(s) "
                    f"{', '.join(store.observation_versions(con, code)) or '(none)'} and a sector of scheme "
                    f"{s.sector_scheme!r}. " + store.cube_diagnosis(con, _cube_params(s))
                )
            report[code] = {**counts, "benchmark": s.benchmark, "seconds": round(time.perf_counter() - t0, 3)}
            log.log(
                logging.INFO if progress else logging.DEBUG,
                "metrics %s: %s rows in %s s",
                code,
                counts["metrics"],
                report[code]["seconds"],
            )
        for series in catalogue.SERIES:
            if all(code in report for code in series.datasets):
                t0 = time.perf_counter()
                counts = store.copy_series(
                    con,
                    code=series.code,
                    parts=[(p.dataset, p.first_year, p.last_year) for p in series.parts],
                    break_years=series.join_years(),
                    caveat=catalogue.SERIES_BREAK_CAVEAT,
                )
                report[series.code] = {
                    **counts,
                    "benchmark": "dataset",
                    "series": list(series.datasets),
                    "seconds": round(time.perf_counter() - t0, 3),
                }
    finally:
        con.disconnect()
    report["seconds"] = round(time.perf_counter() - started, 3)
    return report


def ecosystem_cube(cube: pd.DataFrame) -> pd.DataFrame:
    """The industrial-ecosystem cube of a NACE cube (:func:`cluster_map.stats.ecosystems.aggregate` with the
    catalogue's division approximation), with ``divisions`` and ``missing`` per cell."""
    return ecosystems.aggregate(cube, catalogue.ecosystem_members(), sector_level=catalogue.ECOSYSTEM_LEVEL)


def _ecosystem_quality(eco: pd.DataFrame, divisions: pd.DataFrame) -> pd.DataFrame:
    """The ecosystem cube typed as :data:`tables.CUBE_QUALITY_SCHEMA`, with the caveats of its member
    divisions (:func:`cluster_map.stats.quality.aggregate_caveats`)."""
    out = quality.aggregate_caveats(eco, divisions, dict(catalogue.ecosystem_members()))
    return out[list(tables.CUBE_QUALITY_SCHEMA.names)]


def _materialise_ecosystems(
    con: Any,
    const: dict[str, str],
    *,
    m_sql: str,
    rows_sql: str,
    si_sql: str,
    numerators: Numerators,
    min_employment: float,
    counts: dict[str, int],
) -> int:
    """Metric rows of the ecosystems of the cube in ``_cm_cube`` (one dataset and NUTS version), inserted
    with scheme ``ecosystems``; a sum that leaves out unpublished divisions is noted as a lower bound.
    Region indices are not computed over ecosystems (they overlap: shares would not add up to one).
    Their productivity reads wages only: a linked value added is published by sector of its own scheme
    (A*10), never by ecosystem."""
    divisions = eco_store.read_divisions(con, "_cm_cube", sector_level=2)
    eco = ecosystem_cube(divisions)
    if eco.empty:
        return 0
    cube = _ecosystem_quality(eco, divisions)
    eco_store.replace_temp(
        con,
        "_cm_cube",
        pa.Table.from_pandas(cube, schema=tables.CUBE_QUALITY_SCHEMA.to_pyarrow(), preserve_index=False),
    )
    store.create_temp(con, "_cm_m", m_sql)
    const = {**const, "sector_scheme": catalogue.ECOSYSTEM_SCHEME}
    n = _insert_metric_rows(
        con, rows_sql, const, replace(numerators, value_added=None), min_employment, counts
    )
    store.insert_select(con, "sector_indices", si_sql, constants=const)
    eco_store.annotate(
        con,
        dataset=const["dataset"],
        nuts_version=const["nuts_version"],
        scheme=catalogue.ECOSYSTEM_SCHEME,
        notes=eco,
    )
    return n


#: Euro per unit of a wage or value added cell (the catalogue's unit names).
WAGE_UNITS = {"EUR million": 1e6, "EUR thousand": 1e3, "EUR": 1.0}


@dataclass(frozen=True)
class ValueAdded:
    """Where the value added of a dataset's cells is: the linked dataset's cell, in euro per unit."""

    dataset: str
    indicator: str
    breakdown: str
    factor: float


@dataclass(frozen=True)
class Numerators:
    """The numerators of a dataset's productivity: euro per unit of its wage cell, and its value added
    (None: not available). The star and the band read value added where it is loaded, wages otherwise."""

    wage_factor: float | None
    value_added: ValueAdded | None


def _euro(s: Dataset, cell: Cell, what: str) -> float:
    factor = WAGE_UNITS.get(cell.unit)
    if factor is None:
        raise StatsError(
            f"Dataset {s.code!r}: {what} unit {cell.unit!r} is not one of {', '.join(WAGE_UNITS)}; "
            "declare it in the catalogue."
        )
    return factor * cell.factor


def _wage_factor(s: Dataset) -> float | None:
    """Euro per unit of ``s``'s wage cell, None when the dataset has no productivity (no wages, or an area
    the wage ratio is not defined for)."""
    if s.wages is None or s.area not in catalogue.metric("wage_ratio").areas:
        return None
    return _euro(s, s.wages, "wage")


def _value_added(s: Dataset, present: set[str]) -> ValueAdded | None:
    """The value added cell that ``s``'s catalogue entry links (``value_added_from``) when that dataset is
    in the store, None otherwise (no link, an area without ``gva_ratio``, or the dataset not loaded)."""
    code = s.value_added_from
    if not code or code not in present or s.area not in catalogue.metric("gva_ratio").areas:
        return None
    source = catalogue.dataset(code)
    if source.value_added is None:
        raise StatsError(
            f"Dataset {s.code!r} takes its value added from {code!r}, which declares no value_added cell; "
            "fix the catalogue."
        )
    cell = source.value_added
    return ValueAdded(code, cell.indicator, cell.breakdown, _euro(source, cell, "value added"))


def productivity_frame(
    rows: pd.DataFrame,
    numerators: Numerators,
    *,
    value_added: pd.DataFrame | None = None,
    min_employment: float = 0.0,
) -> pd.DataFrame:
    """The productivity columns (:data:`cluster_map.store.productivity.COLUMNS`) of the cells ``rows``
    (keys, employment, wages, caveats of one insert) on ``rows``' index.

    ``value_added`` (region, sector, year, value_added in the linked dataset's unit) is matched by region,
    sector and year (the insert is one NUTS version); where the dataset has it, the star and the band
    read the value added ratio and ``productivity_basis`` is ``value_added``, else they read wages
    (``wages``); NULL where the basis has no ratio. A suspect source value earns no star (issue 11)."""
    keys = ["level", "sector_level", "year", "sector"]
    nan = pd.Series(np.nan, index=rows.index, dtype="float64")
    out = pd.DataFrame(
        {"wage_per_person": nan, "wage_ratio": nan, "gva_per_person": nan, "gva_ratio": nan}, index=rows.index
    )
    basis: pd.DataFrame | None = None
    name = ""
    if numerators.wage_factor is not None:
        basis = productivity_stats.productivity(
            rows, value="wages", keys=keys, factor=numerators.wage_factor, min_employment=min_employment
        )
        out["wage_per_person"], out["wage_ratio"] = basis["wage_per_person"], basis["wage_ratio"]
        name = "wages"
    if numerators.value_added is not None and value_added is not None:
        cells = rows[["level", "sector_level", "year", "sector", "region", "employment"]].copy()
        cells["year"] = cells["year"].astype("int64")
        va = value_added.astype({"year": "int64"})
        matched = cells.merge(va, on=["region", "sector", "year"], how="left", validate="many_to_one")
        matched.index = rows.index
        basis = productivity_stats.productivity(
            matched,
            value="value_added",
            keys=keys,
            factor=numerators.value_added.factor,
            min_employment=min_employment,
        )
        out["gva_per_person"], out["gva_ratio"] = basis["gva_per_person"], basis["gva_ratio"]
        out[productivity_store.ADDED_CAVEATS] = quality.value_added_caveats(
            matched["caveats"] if "caveats" in matched.columns else None, has=out["gva_ratio"].notna()
        )
        name = "value_added"
    if basis is None:
        out["productivity_star"] = pd.Series(pd.NA, index=rows.index, dtype="boolean")
        out["performance"] = pd.Series(None, index=rows.index, dtype="object")
        out["productivity_basis"] = pd.Series(None, index=rows.index, dtype="object")
        return out
    star = basis["productivity_star"]
    suspect = rows["caveats"].fillna("").astype(str).str.contains("suspect:")
    out["productivity_star"] = star.mask(suspect & star.notna(), False)
    out["performance"] = basis["performance"]
    has = basis["gva_ratio" if name == "value_added" else "wage_ratio"].notna()
    out["productivity_basis"] = pd.Series(name, index=rows.index, dtype="object").where(has, None)
    return out


def _insert_metric_rows(
    con: Any,
    rows_sql: str,
    const: dict[str, str],
    numerators: Numerators,
    min_employment: float,
    counts: dict[str, int],
) -> int:
    """Insert the metric rows of ``_cm_m`` (one dataset, NUTS version and scheme) with, when the dataset
    has wages or linked value added, the wages and value added per person employed, their ratios to the
    sector's European level, the productivity star and the performance band of every cell
    (:func:`productivity_frame`); the staged productivity rows are added to ``counts['productivity']``,
    the cells with a value added ratio to ``counts['value_added']``.

    Each partition of the productivity level (level, sector level, year, sector of one NUTS version,
    scheme and benchmark) lies in one insert, so computing it per insert gives the same numbers as over
    the whole dataset, and the rows are written once instead of inserted and then updated."""
    if numerators.wage_factor is None and numerators.value_added is None:
        return store.insert_select(con, "metrics", rows_sql, constants=const)
    rows = productivity_store.slice_cells(con, "_cm_m")
    va = numerators.value_added
    value_added = (
        productivity_store.value_added(
            con,
            dataset=va.dataset,
            indicator=va.indicator,
            breakdown=va.breakdown,
            nuts_version=const["nuts_version"],
        )  # fmt: skip
        if va is not None
        else None
    )
    out = productivity_frame(rows, numerators, value_added=value_added, min_employment=min_employment)
    if va is not None:
        counts["value_added"] += int(out["gva_ratio"].notna().sum())
    counts["productivity"] += productivity_store.stage(
        con, pd.concat([rows.drop(columns="caveats"), out], axis=1)
    )
    try:
        return store.insert_select(con, "metrics", productivity_store.joined(rows_sql), constants=const)
    finally:
        productivity_store.unstage(con)


def _prepare(
    dataset: str,
    *,
    level: int | None,
    year: int | None,
    engine: str,
    db: Path | None,
    benchmark: Benchmark | None,
    sectors: SectorScheme = "nace",
    notes: list[pd.DataFrame] | None = None,
) -> tuple[Any, Any, Dataset, Benchmark]:
    s = spec(dataset)
    if sectors not in ("nace", "ecosystems"):
        raise InputError(f"Unknown sector scheme {sectors!r}; use 'nace' or 'ecosystems'.")
    if sectors == "ecosystems" and not s.ecosystems:
        offered = ", ".join(d.code for d in catalogue.statistical() if d.ecosystems)
        raise InputError(
            f"Dataset {dataset!r} has no NACE divisions, so it has no industrial ecosystems; "
            f"use one of {offered}."
        )
    engines.check_engine(engine)
    settings = get_settings()
    src = engines.duckdb_backend(db or settings.db, read_only=True)
    try:
        # the quality rules need every year and level of the dataset (adjacent years, parents, countries)
        cube = annotate_cube(store.read_cube(src, _cube_params(s)), s)
        if level is not None:
            cube = cube[cube["level"] == level]
        if year is not None:
            cube = cube[cube["year"] == year]
        bench: Benchmark = benchmark or s.benchmark
        totals = _totals(src, s) if bench == "external" and s.totals is not None else None
    finally:
        src.disconnect()
    if len(cube) == 0:
        raise InputError(
            f"No data for dataset {dataset!r}"
            + (f" level {level!r}" if level is not None else "")
            + (f" year {year!r}" if year is not None else "")
            + " in the store; check --level/--year."
        )
    if sectors == "ecosystems":
        eco = ecosystem_cube(cube)
        if notes is not None:
            notes.append(eco[["level", "year", "region", "sector", "note"]])
        cube = _ecosystem_quality(eco, cube[cube["sector_level"] == 2])
    con = engines.backend(engine, remote=settings.spark_remote)
    t = engines.register(con, "cm_cube", cube.reset_index(drop=True), schema=tables.CUBE_QUALITY_SCHEMA)
    tt = (
        engines.register(con, "cm_totals", totals, schema=tables.TOTALS_SCHEMA)
        if totals is not None
        else None
    )
    return t, tt, s, bench


def compute(
    dataset: str,
    *,
    level: int | None = None,
    year: int | None = None,
    engine: str = "duckdb",
    db: Path | None = None,
    benchmark: Benchmark | None = None,
    min_employment: float | None = None,
    sectors: SectorScheme = "nace",
    focus_scope: str | None = None,
) -> pd.DataFrame:
    """Metrics of ``dataset`` from the store, computed now on ``engine``.

    ``sectors='ecosystems'``: the 14 industrial ecosystems (sums of their NACE divisions,
    :data:`cluster_map.catalogue.ECOSYSTEMS`) instead of the NACE codes, with ``sector_scheme``.

    Columns: level, sector_level, year, region, sector, ... (:func:`cluster_map.stats.tables.metrics`)
    plus ``benchmark``; sorted by level, sector_level, year, region, sector. ``focus_scope``: the
    reading of the focus star (``catalogue.FOCUS_SCOPES``; default the setting).
    """
    if focus_scope is not None and focus_scope not in catalogue.FOCUS_SCOPES:
        raise InputError(
            f"Unknown focus reading {focus_scope!r}; use one of {', '.join(catalogue.FOCUS_SCOPES)}."
        )
    notes: list[pd.DataFrame] = []
    t, tt, s, bench = _prepare(
        dataset,
        level=level,
        year=year,
        engine=engine,
        db=db,
        benchmark=benchmark,
        sectors=sectors,
        notes=notes,
    )
    minimum = get_settings().min_employment if min_employment is None else min_employment
    m, _, _ = _expressions(t, tt, s, bench, minimum, focus_scope=focus_scope)
    out = engines.to_pandas(m)
    out["benchmark"] = bench
    out["sector_scheme"] = catalogue.ECOSYSTEM_SCHEME if sectors == "ecosystems" else s.sector_scheme
    if notes:
        keys = ["level", "year", "region", "sector"]
        out = out.merge(notes[0], on=keys, how="left")
        note = out.pop("note").fillna("")
        reason = out["reason"].fillna("").astype(str)
        out["reason"] = [
            f"{r}; {n}" if r and n else (r or n or None) for r, n in zip(reason, note, strict=True)
        ]
    return _sorted(out, ["level", "sector_level", "year", "region", "sector"])


def indices(
    dataset: str,
    *,
    kind: IndexKind = "region",
    level: int | None = None,
    year: int | None = None,
    engine: str = "duckdb",
    db: Path | None = None,
) -> pd.DataFrame:
    """Region indices (Krugman, HHI, entropy, variety, cluster strength) or sector indices (Gini,
    locational Gini, Hoover, Theil) of ``dataset``, computed on ``engine``."""
    if kind not in ("region", "sector"):
        raise InputError(f"Unknown index kind {kind!r}; use 'region' or 'sector'.")
    t, tt, s, bench = _prepare(dataset, level=level, year=year, engine=engine, db=db, benchmark=None)
    _, ri, si = _expressions(t, tt, s, bench, get_settings().min_employment)
    out = engines.to_pandas(ri if kind == "region" else si)
    keys = ["level", "sector_level", "year", "region" if kind == "region" else "sector"]
    return _sorted(out, keys)


def growth(
    dataset: str,
    *,
    start: int,
    end: int,
    level: int | None = None,
    engine: str = "duckdb",
    db: Path | None = None,
) -> pd.DataFrame:
    """CAGR, job creation, LQ change and shift-share of ``dataset`` between ``start`` and ``end``."""
    t, tt, s, bench = _prepare(dataset, level=level, year=None, engine=engine, db=db, benchmark=None)
    m, _, _ = _expressions(t, tt, s, bench, get_settings().min_employment)
    try:
        out = engines.to_pandas(tables.growth(m, start=start, end=end))
    except ValueError as exc:
        raise InputError(str(exc)) from exc
    return _sorted(out, ["level", "sector_level", "region", "sector"])


def _sorted(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    return frame.sort_values(keys, kind="stable").reset_index(drop=True)


# --- a user's own long table -------------------------------------------------------------------
LONG_REQUIRED = ("region", "sector", "employment")
LONG_OPTIONAL = ("year", "establishments", "sector_type", "wages")
TOTALS_REQUIRED = ("sector", "employment")


def _numeric(frame: pd.DataFrame, column: str, name: str, problems: list[str]) -> pd.Series:
    raw = frame[column]
    values = pd.to_numeric(raw, errors="coerce")
    bad = values.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    for i in frame.index[bad][:20]:
        problems.append(f"{name} line {i + 2}, column {column!r}: {raw[i]!r} is not a number")
    neg = values < 0
    for i in frame.index[neg][:20]:
        problems.append(f"{name} line {i + 2}, column {column!r}: {raw[i]!r} is negative")
    return values.astype("float64")


def validate_long(frame: pd.DataFrame, *, name: str = "input") -> pd.DataFrame:
    """Check a user's long table and return it typed (CUBE_SCHEMA columns).

    Raises :class:`InputError` listing every problem with line (header = line 1), column and value:
    missing columns, non-numeric or negative employment/establishments, unknown sector_type, empty
    region or sector, duplicate (region, sector, year) keys.
    """
    frame = frame.reset_index(drop=True)
    missing = [c for c in LONG_REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(
            f"{name}: missing column(s) {missing!r}; the table needs {LONG_REQUIRED!r} and may have "
            f"{LONG_OPTIONAL!r} (found {list(frame.columns)!r})."
        )
    problems: list[str] = []
    out = pd.DataFrame({
        "level": 0, "sector_level": 1,
        "year": 0, "region": frame["region"].astype("string").str.strip(),
        "sector": frame["sector"].astype("string").str.strip(),
    }, index=frame.index)  # fmt: skip
    if "year" in frame.columns:
        years = pd.to_numeric(frame["year"], errors="coerce")
        for i in frame.index[years.isna() | (years % 1 != 0)][:20]:
            problems.append(f"{name} line {i + 2}, column 'year': {frame['year'][i]!r} is not a year")
        out["year"] = years.fillna(0).astype("int64")
    for col in ("region", "sector"):
        for i in frame.index[out[col].isna() | (out[col] == "")][:20]:
            problems.append(f"{name} line {i + 2}, column {col!r}: empty")
    out["employment"] = _numeric(frame, "employment", name, problems)
    for col in ("establishments", "wages"):
        out[col] = _numeric(frame, col, name, problems) if col in frame.columns else float("nan")
    out["country"] = "ALL"
    if "sector_type" in frame.columns:
        st = frame["sector_type"].astype("string").str.strip().str.lower()
        for i in frame.index[~st.isin(["traded", "local"])][:20]:
            problems.append(
                f"{name} line {i + 2}, column 'sector_type': {frame['sector_type'][i]!r} is not 'traded' or 'local'"
            )
        out["sector_type"] = st
    else:
        out["sector_type"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    dup = out.duplicated(["region", "sector", "year"], keep="first")
    for i in out.index[dup][:20]:
        problems.append(
            f"{name} line {i + 2}: duplicate key region={out['region'][i]!r}, sector={out['sector'][i]!r}"
            + (f", year={int(out['year'][i])!r}" if "year" in frame.columns else "")
        )
    if problems:
        raise InputError(
            f"{name} has {len(problems)} problem(s); fix them and retry:\n  " + "\n  ".join(problems)
        )
    out["parent"] = pd.Series(pd.NA, index=frame.index, dtype="string")
    out["region_total"] = float("nan")
    return out


def validate_totals(frame: pd.DataFrame, *, name: str = "benchmark") -> pd.DataFrame:
    """Check an external benchmark table (sector, employment, [year], [total], [sector_type])."""
    frame = frame.reset_index(drop=True)
    missing = [c for c in TOTALS_REQUIRED if c not in frame.columns]
    if missing:
        raise InputError(f"{name}: missing column(s) {missing!r} (found {list(frame.columns)!r}).")
    problems: list[str] = []
    out = pd.DataFrame({"country": "ALL", "sector": frame["sector"].astype("string").str.strip()})
    out["year"] = (
        pd.to_numeric(frame["year"], errors="coerce").fillna(0).astype("int64") if "year" in frame else 0
    )
    out["employment"] = _numeric(frame, "employment", name, problems)
    out["total"] = _numeric(frame, "total", name, problems) if "total" in frame.columns else float("nan")
    out["sector_type"] = (
        frame["sector_type"].astype("string").str.strip().str.lower() if "sector_type" in frame.columns
        else pd.Series(pd.NA, index=frame.index, dtype="string")
    )  # fmt: skip
    dup = out.duplicated(["sector", "year"])
    for i in out.index[dup][:20]:
        problems.append(f"{name} line {i + 2}: duplicate sector {out['sector'][i]!r}")
    if problems:
        raise InputError(f"{name} has {len(problems)} problem(s):\n  " + "\n  ".join(problems))
    return out


def compute_long(
    frame: pd.DataFrame,
    *,
    benchmark_totals: pd.DataFrame | None = None,
    engine: str = "duckdb",
    min_employment: float = 0.0,
    focus_scope: str | None = None,
) -> pd.DataFrame:
    """Metrics of a user's own long table (region, sector, [year], employment, [establishments],
    [sector_type]) on ``engine``.

    Without ``benchmark_totals`` the benchmark is the table itself (all its regions); with it, the
    totals' ``employment`` per sector is ``E_s`` and their ``total`` (or their sum) ``E``. When the
    table has ``sector_type``, the US CMP convention applies (traded and local denominators apart).
    Returns :data:`cluster_map.schema.METRIC_COLUMNS` first, then the other metric columns.
    """
    engines.check_engine(engine)
    scope = focus_scope or get_settings().focus_scope
    if scope not in catalogue.FOCUS_SCOPES:
        raise InputError(f"Unknown focus reading {scope!r}; use one of {', '.join(catalogue.FOCUS_SCOPES)}.")
    cube = validate_long(frame)
    has_year = "year" in frame.columns
    by_type = "sector_type" in frame.columns
    con = engines.backend(engine, remote=get_settings().spark_remote)
    t = engines.register(con, "cm_long", cube, schema=tables.CUBE_SCHEMA)
    if benchmark_totals is not None:
        tot = validate_totals(benchmark_totals)
        if "year" not in benchmark_totals.columns:
            years = cube["year"].unique()
            tot = pd.concat([tot.assign(year=y) for y in years], ignore_index=True)
        unknown = sorted(set(cube["sector"]) - set(tot["sector"]))
        if unknown:
            raise InputError(
                f"Sector(s) {unknown[:10]!r} of the input are not in the benchmark table; add them."
            )
        tt = tables.complete_totals(
            engines.register(con, "cm_long_totals", tot, schema=tables.TOTALS_SCHEMA), by_type=by_type
        )
        m = tables.metrics(
            t,
            benchmark="external",
            totals=tt,
            by_type=by_type,
            min_employment=min_employment,
            focus_scope=scope,  # type: ignore[arg-type]
        )
    else:
        m = tables.metrics(t, by_type=by_type, min_employment=min_employment, focus_scope=scope)  # type: ignore[arg-type]
    out = engines.to_pandas(m)
    if out["employment"].sum() == 0:
        raise StatsError("The input has no positive employment; nothing to compare.")
    out["benchmark"] = "external" if benchmark_totals is not None else "dataset"
    out = out.drop(columns=["level", "sector_level", "country", "parent"])
    if not has_year:
        out["year"] = pd.NA
    rest = [c for c in out.columns if c not in METRIC_COLUMNS]
    return _sorted(
        out[list(METRIC_COLUMNS) + rest],
        ["region", "sector"] if not has_year else ["year", "region", "sector"],
    )
