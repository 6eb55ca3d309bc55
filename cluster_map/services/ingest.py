"""Ingest: official sources -> a new store file -> validated -> swapped in (``cluster-map ingest``).

Every source is read by its reader in ``cluster_map.sources`` (one thread per source: gunzip, CSV
parsing and GEOS release the GIL), then the main thread recodes the statistics to their target NUTS
version, places the organisations, loads everything into a new DuckDB file with Arrow bulk inserts,
records the provenance of every dataset in ``datasets``, lets the statistics engine materialise its
metrics into the same file, and swaps it in atomically (``cluster_map.store.database``). A failure
anywhere leaves the previous store untouched. Re-running gives the same content: the same rows in
every table of the ingest (only the extraction times differ; the metrics engine's floating-point
sums may differ in the last bits, as DuckDB adds in parallel).
"""

from __future__ import annotations

import importlib
import importlib.util
import logging
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from cluster_map import catalogue as catalogue_
from cluster_map.config import get_settings
from cluster_map.errors import InputError, StoreError
from cluster_map.geo import REPAIR_AREA_TOLERANCE
from cluster_map.schema import EUROSTAT_LICENCE
from cluster_map.services import unknown_codes
from cluster_map.services.readers import (
    ORGANISATION_NUTS,
    Part,
    Reader,
    build_plan,
    provenance,
    year_span,
)
from cluster_map.sources.fetch import SourceResolver
from cluster_map.store import catalogue, database, load
from cluster_map.store.schema import REQUIRED_TABLES

log = logging.getLogger(__name__)

#: Datasets that ``--only`` may reload (observation rows keyed by ``dataset``): every catalogued one.
STATISTICAL_DATASETS: tuple[str, ...] = tuple(d.code for d in catalogue_.DATASETS)
NO_GEOMETRY = "no geometry"
#: ``unmatched_regions.reason`` of codes that are not regions (kept as aggregates on purpose; the
#: catalogue tolerates them in every dataset, with its reasons).
NOT_REGIONS = tuple(catalogue_.TOLERATED_REGION_KINDS)
METRICS_MODULE = "cluster_map.services.metrics"
#: Reader threads: parsing releases the GIL in gzip, pyarrow CSV, GEOS; more threads only add contention.
READER_THREADS = 3
#: Readers whose parts the statistics wait for (recoding table, geometry codes).
REFERENCE_READERS = ("nuts recoding", "nuts 2013", "us regions")


# --- results ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class DatasetLine:
    """One row of the ingest summary: a dataset and what was loaded from it."""

    code: str
    kind: str
    rows: int
    years: str
    nuts_version: str
    retrieved_from: str


@dataclass(frozen=True)
class IngestSummary:
    """What an ingest loaded (returned by :func:`ingest`, printed by ``cluster-map ingest``)."""

    db: Path
    origin: str
    datasets: tuple[DatasetLine, ...]
    regions_matched: Mapping[str, int]  # dataset -> region codes that have a geometry
    regions_unmatched: Mapping[str, tuple[str, ...]]  # dataset -> codes with no geometry (not aggregates)
    codes_recoded: Mapping[str, int]  # dataset -> codes changed by NUTS recoding
    skipped: Mapping[str, str]  # optional dataset -> why it was not loaded (e.g. not in the mirror)
    unknown_codes: Mapping[
        str, tuple[unknown_codes.UnknownCode, ...]
    ]  # file -> its unknown (tolerated) codes
    repairs: Mapping[str, tuple[str, ...]]  # geometry source -> regions repaired by make_valid, with how
    organisations: Mapping[str, Mapping[str, int]]  # directory -> geocode precision -> organisations
    tables: Mapping[str, int]  # rows per table
    source_seconds: Mapping[str, float]  # wall seconds per source reader / write / metrics / swap
    reader_cpu_seconds: Mapping[str, float]  # CPU seconds of each reader's thread (no contention)
    metrics: str  # 'materialised' or why it was skipped
    seconds: float
    store_bytes: int

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary."""
        d = asdict(self)
        d["db"] = str(self.db)
        return d

    def lines(self) -> list[str]:
        """The summary as plain text lines (the CLI prints them)."""
        out = [
            f"Store {self.db} ({self.store_bytes / 1e6:.1f} MB) built in {self.seconds:.1f} s "
            f"from {self.origin}."
        ]
        for d in self.datasets:
            extra = ""
            if d.code in self.regions_matched:
                unmatched = self.regions_unmatched.get(d.code, ())
                extra = (
                    f"; regions matched {self.regions_matched[d.code]}, unmatched {len(unmatched)}"
                    + (
                        f" ({', '.join(unmatched[:8])}{' ...' if len(unmatched) > 8 else ''})"
                        if unmatched
                        else ""
                    )
                    + (
                        f", recoded {self.codes_recoded.get(d.code, 0)}"
                        if d.code in self.codes_recoded
                        else ""
                    )
                )
            years = f", years {d.years}" if d.years else ""
            out.append(f"  {d.code:<28} {d.kind:<13} {d.rows:>10,} rows{years}{extra}")
        for code, why in self.skipped.items():
            out.append(f"  {code:<28} {'skipped':<13} {why}")
        out += unknown_codes.summary_lines(self.unknown_codes)
        for source, repaired in self.repairs.items():
            if repaired:
                out.append(
                    f"  {source}: {len(repaired)} invalid geometr{'y' if len(repaired) == 1 else 'ies'} "
                    f"repaired with make_valid (area kept within {100 * REPAIR_AREA_TOLERANCE:g} %):"
                )
                out += [f"    {r}" for r in repaired]
        for directory, counts in self.organisations.items():
            shown = ", ".join(f"{k} {v}" for k, v in counts.items())
            out.append(f"  organisations {directory}: {sum(counts.values())} ({shown})")
        out.append(f"  metrics: {self.metrics}")
        out.append("  seconds: " + ", ".join(f"{k} {v:.1f}" for k, v in self.source_seconds.items()))
        return out


# --- the ingest ---------------------------------------------------------------------------------
def ingest(
    source: str | None = None,
    db: Path | None = None,
    *,
    progress: bool = True,
    datasets: Sequence[str] | None = None,
) -> IngestSummary:
    """Read every official source and build the store atomically.

    Parameters
    ----------
    source
        A mirror directory or URL base (default: ``CLUSTER_MAP_SOURCE``; empty = official URLs with
        the mirror as offline fallback).
    db
        Store to (re)build (default: ``CLUSTER_MAP_DB``).
    progress
        Show rich progress bars (one task per source).
    datasets
        Reload only these statistical datasets into the existing store (``--only``); see
        :data:`STATISTICAL_DATASETS`.

    Raises
    ------
    SourceError
        A source file is missing or malformed (message names the file, line and value).
    StoreError
        The new store failed validation; the previous store is unchanged.
    InputError
        An unknown dataset code in ``datasets``.
    """
    started = time.perf_counter()
    settings = get_settings(source=source, db=db)
    target = Path(settings.db)
    only = _check_only(datasets, target)
    notes: list[str] = []
    resolver = SourceResolver(
        source=settings.source,
        mirror=settings.mirror,
        cache_dir=settings.cache_dir,
        timeout=settings.http_timeout,
        notify=notes.append,
    )
    plan = build_plan(only)
    seconds: dict[str, float] = {}
    cpu_seconds: dict[str, float] = {}
    with (
        _Progress(progress) as bar,
        database.build_atomically(target, required=_required(only), seed_from_target=bool(only)) as build,
    ):
        con = build.connection
        if only:
            _forget(con, only)
        _settle_origin(resolver, plan, bar)
        writer = StoreWriter(con, waiting_for=[r.name for r in plan if r.name in REFERENCE_READERS])
        seconds.update(_read_and_write(plan, resolver, bar, writer, cpu_seconds))
        t = time.perf_counter()
        bar.start("load into the store")
        result = writer.finish()
        if not only:  # a user's own datasets (ingest --add) survive a full ingest
            from cluster_map.services.user_datasets import carry_over

            result["carried"] = dict.fromkeys(carry_over(target, con), "carried over from the previous store")
            from cluster_map.services.imports import carry_over as carry_directories

            carry_directories(target, con)  # and the directories a user imported (`cluster-map orgs import`)
        load.replace_rows(con, "meta", "key", ["origin", "built_at"])
        load.insert(
            con,
            "meta",
            pd.DataFrame(
                {
                    "key": ["origin", "built_at"],
                    "value": [resolver.origin, datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")],
                }
            ),
        )
        bar.done("load into the store")
        seconds["load"] = time.perf_counter() - t
        tables = catalogue.table_counts(con)
        lines = _dataset_lines(con)
        organisations = _organisation_counts(con)
        build.close()
        t = time.perf_counter()
        metrics = _materialise(build.path, progress=progress, bar=bar)
        seconds["metrics"] = time.perf_counter() - t
        t_swap = time.perf_counter()
    seconds["validate+swap"] = time.perf_counter() - t_swap
    for note in notes:
        log.info(note)
    return IngestSummary(
        db=target,
        origin=resolver.origin,
        datasets=lines,
        regions_matched=result["matched"],
        regions_unmatched=result["unmatched"],
        codes_recoded=result["recoded"],
        skipped=result["skipped"],
        unknown_codes=result["unknown"],
        repairs=result["repairs"],
        organisations=organisations,
        tables=tables,
        source_seconds={k: round(v, 2) for k, v in seconds.items()},
        reader_cpu_seconds=cpu_seconds,
        metrics=metrics,
        seconds=round(time.perf_counter() - started, 2),
        store_bytes=target.stat().st_size,
    )


def _check_only(datasets: Sequence[str] | None, target: Path) -> tuple[str, ...]:
    if not datasets:
        return ()
    bad = [d for d in datasets if d not in STATISTICAL_DATASETS]
    if bad:
        raise InputError(
            f"Unknown dataset(s) {bad!r} for --only; choose from {', '.join(STATISTICAL_DATASETS)}."
        )
    if not target.is_file():
        raise StoreError(
            f"--only reloads datasets into an existing store, but there is none at {str(target)!r}. "
            f"Run a full `cluster-map ingest` first."
        )
    return tuple(dict.fromkeys(datasets))


def _required(only: tuple[str, ...]) -> tuple[str, ...]:
    return ("meta", "datasets", "observations") if only else REQUIRED_TABLES


def _forget(con: Any, only: tuple[str, ...]) -> None:
    """Before a partial reload: drop the rows of the datasets about to be read again."""
    load.replace_rows(con, "observations", "dataset", only)
    load.replace_rows(con, "unmatched_regions", "dataset", only)
    load.replace_rows(con, "nuts_recodes", "dataset", only)
    load.replace_rows(con, "datasets", "code", only)


def _settle_origin(resolver: SourceResolver, plan: Sequence[Reader], bar: _Progress) -> None:
    """Fetch one file first, so that the online/offline decision is taken (and said) once."""
    first = next((r.probe for r in plan if r.probe is not None), None)
    if first is not None:
        resolver.fetch(*first)
        if resolver.origin != "official URLs":
            bar.note(f"Reading sources from {resolver.origin}.")


def _read_and_write(
    plan: Sequence[Reader],
    resolver: SourceResolver,
    bar: _Progress,
    writer: StoreWriter,
    cpu_seconds: dict[str, float],
) -> dict[str, float]:
    """Run the readers in threads and hand each part to ``writer`` as soon as it is read."""
    for reader in plan:
        bar.add(reader.name)
    seconds: dict[str, float] = {}
    pool = ThreadPoolExecutor(max_workers=min(READER_THREADS, len(plan)), thread_name_prefix="ingest")
    try:
        futures = [pool.submit(_timed, r, resolver, bar) for r in plan]  # references first (plan order)
        for future in as_completed(futures):
            part = future.result()  # re-raises a reader's error
            seconds[part.name] = part.seconds
            cpu_seconds[part.name] = round(part.cpu_seconds, 2)
            t = time.perf_counter()
            writer.add(part)
            seconds["write"] = seconds.get("write", 0.0) + time.perf_counter() - t
    finally:
        pool.shutdown(wait=True, cancel_futures=True)
    return seconds


def _timed(reader: Reader, resolver: SourceResolver, bar: _Progress) -> Part:
    bar.start(reader.name)
    t, cpu = time.perf_counter(), time.thread_time()
    part = reader.read(resolver)
    part.name = reader.name
    part.seconds = time.perf_counter() - t
    part.cpu_seconds = time.thread_time() - cpu
    bar.done(reader.name)
    return part


def _dataset_lines(con: Any) -> tuple[DatasetLine, ...]:
    rows = catalogue.datasets(con)
    return tuple(
        DatasetLine(
            code=r.code,
            kind=r.kind,
            rows=int(r.row_count or 0),
            years=r.years or "",
            nuts_version=r.nuts_version or "",
            retrieved_from=r.retrieved_from or "",
        )
        for r in rows.itertuples()
    )


def _organisation_counts(con: Any) -> dict[str, dict[str, int]]:
    out: dict[str, dict[str, int]] = {}
    for r in catalogue.organisation_precision(con).itertuples():
        out.setdefault(r.directory, {})[r.geocode_precision] = int(r.n)
    return out


def _materialise(path: Path, *, progress: bool, bar: _Progress) -> str:
    if importlib.util.find_spec(METRICS_MODULE) is None:
        note = f"skipped: {METRICS_MODULE} is not installed yet (the store holds no metrics tables)"
        log.warning("Metrics %s", note)
        return note
    bar.add("metrics")
    bar.start("metrics")
    module = importlib.import_module(METRICS_MODULE)
    module.materialise(path, progress=progress)
    bar.done("metrics")
    return "materialised"


# --- progress -----------------------------------------------------------------------------------
class _Progress:
    """Rich progress bars, one task per source (a no-op when ``enabled`` is false)."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self._tasks: dict[str, Any] = {}
        self._bar: Any = None

    def __enter__(self) -> _Progress:
        if self.enabled:
            from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

            self._bar = Progress(
                SpinnerColumn(),
                TextColumn("{task.description:<28}"),
                BarColumn(bar_width=20),
                TimeElapsedColumn(),
                transient=False,
            )
            self._bar.__enter__()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._bar is not None:
            self._bar.__exit__(*exc)

    def add(self, name: str) -> None:
        if self._bar is not None and name not in self._tasks:
            self._tasks[name] = self._bar.add_task(name, total=1, start=False)

    def start(self, name: str) -> None:
        self.add(name)
        if self._bar is not None:
            self._bar.start_task(self._tasks[name])

    def done(self, name: str) -> None:
        if self._bar is not None:
            self._bar.update(self._tasks[name], completed=1)
            self._bar.stop_task(self._tasks[name])

    def note(self, text: str) -> None:
        if self._bar is not None:
            self._bar.console.print(text)
        else:
            log.info(text)


# --- loading ------------------------------------------------------------------------------------
class StoreWriter:
    """Writes parts into the store being built as they arrive (the main thread; DuckDB releases the GIL).

    Reference parts (geometry codes, the recoding table) are needed before statistics can be
    recoded and matched: observation parts wait until every reader named in ``waiting_for`` has
    delivered. Regions are merged (geometry files first, then the classification lists) and provenance
    rows written in :meth:`finish`.
    """

    def __init__(self, con: Any, waiting_for: Sequence[str] = ()) -> None:
        self.con = con
        self.waiting_for = set(waiting_for)
        self.result: dict[str, dict[str, Any]] = {
            "matched": {},
            "unmatched": {},
            "recoded": {},
            "skipped": {},
            "unknown": {},
            "repairs": {},
        }
        self._tallies: dict[str, unknown_codes.Tally] = {}
        self._regions: list[pd.DataFrame] = []
        self._fallback_regions: list[pd.DataFrame] = []
        self._provenance: list[dict[str, Any]] = []
        self._pending: list[Part] = []
        self._geometry_codes: dict[str, set[str]] = {}
        self._recoding: dict[str, pd.DataFrame] = {}
        self._nuts_frames: dict[str, gpd.GeoDataFrame] = {}
        self._country_points: dict[str, tuple[float, float]] = {}
        self._directories: list[Any] = []
        self._us_regions: gpd.GeoDataFrame | None = None

    def add(self, part: Part) -> None:
        """Insert what ``part`` holds, or keep its observations until the reference data is in."""
        for table, frame in part.tables:
            if table == "regions":
                self._regions.append(frame)
            else:
                load.insert(self.con, table, frame)
        self._fallback_regions += part.payload.get("regions_fallback", [])
        for version, codes in part.payload.get("geometry_codes", {}).items():
            self._geometry_codes.setdefault(version, set()).update(codes)
        self._recoding.update(part.payload.get("recoding", {}))
        self.result["skipped"].update(part.payload.get("skipped", {}))
        self.result["repairs"].update(part.payload.get("repairs", {}))
        self._nuts_frames.update(part.payload.get("nuts_frames", {}))
        self._country_points.update(part.payload.get("country_points", {}))
        self._directories += part.payload.get("directories", [])
        if "us_regions" in part.payload:
            self._us_regions = part.payload["us_regions"]
        self._provenance += part.provenance
        if part.observations:
            self._pending.append(part)
        self.waiting_for.discard(part.name)
        if not self.waiting_for:
            ready = [p for p in self._pending if self._versions(p) <= set(self._geometry_codes)]
            self._pending = [p for p in self._pending if p not in ready]
            for p in ready:
                self._observations(p)

    @staticmethod
    def _versions(part: Part) -> set[str]:
        return {str(v) for frame in part.observations.values() for v in frame["nuts_version"].unique()}

    def finish(self) -> dict[str, dict[str, Any]]:
        """Write the pending observations, the merged regions and the provenance rows."""
        self.waiting_for.clear()
        while self._pending:
            self._observations(self._pending.pop(0))
        self._judge_codes()
        self._place_organisations()
        regions = self._regions + self._fallback_regions
        if regions:
            merged = pd.concat(regions, ignore_index=True).drop_duplicates(
                ["code", "nuts_version"], keep="first"
            )
            load.insert(self.con, "regions", merged)
        if self._provenance:  # a source read again (partial ingest) replaces its provenance row
            load.replace_rows(self.con, "datasets", "code", [str(p["code"]) for p in self._provenance])
            load.insert(self.con, "datasets", pd.DataFrame(self._provenance))
        return self.result

    def _judge_codes(self) -> None:
        """Every unknown code of every statistics file: listed when tolerated, else the ingest fails."""
        if not self._tallies:
            return
        sectors = catalogue.sectors(self.con)
        known = {str(s): set(g["code"]) for s, g in sectors.groupby("scheme")}
        found: list[unknown_codes.UnknownCode] = []
        for t in self._tallies.values():
            found += unknown_codes.judge(t, known)
        unknown_codes.refuse(found, self._tallies)
        for u in found:
            self.result["unknown"].setdefault(u.file, []).append(u)
        self.result["unknown"] = {k: tuple(v) for k, v in self.result["unknown"].items()}

    def _place_organisations(self) -> None:
        """Locate each directory's organisations offline and assign NUTS codes (point in polygon)."""
        if not self._directories:
            return
        from cluster_map.sources import organisations as orgs

        if ORGANISATION_NUTS not in self._nuts_frames:
            raise StoreError(
                f"Placing organisations needs the NUTS {ORGANISATION_NUTS} geometries, which were "
                f"not read in this ingest; run a full `cluster-map ingest`."
            )
        names = [f for v, f in sorted(self._nuts_frames.items(), reverse=True) if v != ORGANISATION_NUTS]
        for directory in self._directories:
            located = orgs.locate(
                directory,
                self._nuts_frames[ORGANISATION_NUTS],
                names=names,
                country_points=self._country_points,
                us_regions=self._us_regions,
            )
            load.insert(self.con, "organisations", located)

    def _observations(self, part: Part) -> None:
        """Recode each version's rows to the codes of that version, write them, list the unmatched."""
        from cluster_map.sources import nuts_versions

        for code, frame in part.observations.items():
            cells = len(frame)
            pieces, unmatched_all, matched_all = [], [], set()
            versions = sorted(frame["nuts_version"].unique()) if len(frame) else []
            for version in versions:
                rows = frame[frame["nuts_version"] == version]
                if version not in self._geometry_codes:
                    self._geometry_codes[version] = catalogue.region_codes(self.con, version)
                known = self._geometry_codes[version]
                reasons: dict[str, str] = {}
                table = self._recoding.get(version)
                if table is not None:
                    rows, applied, unmatched_nuts = nuts_versions.recode(rows, table, version, known)
                    load.insert(self.con, "nuts_recodes", applied)
                    self.result["recoded"][code] = self.result["recoded"].get(code, 0) + int(
                        applied["code_from"].nunique()
                    )
                    reasons = dict(zip(unmatched_nuts["code"], unmatched_nuts["reason"], strict=True))
                matched, unmatched = match_regions(rows, known, dataset=code, reasons=reasons)
                pieces.append(rows)
                unmatched_all.append(unmatched)
                matched_all |= matched
            frame = pd.concat(pieces, ignore_index=True) if pieces else frame
            unmatched = (
                pd.concat(unmatched_all, ignore_index=True)
                if unmatched_all
                else pd.DataFrame(columns=["dataset", "code", "nuts_version", "n_rows", "reason"])
            )
            load.insert(self.con, "observations", frame)
            load.insert(self.con, "unmatched_regions", unmatched)
            self._tallies[code] = unknown_codes.tally(code, part.payload["files"][code], frame, unmatched)
            self.result["matched"][code] = len(matched_all)
            self.result["unmatched"][code] = tuple(
                dict.fromkeys(unmatched.loc[~unmatched["reason"].isin(NOT_REGIONS), "code"])
            )
            ds = catalogue_.find_dataset(code)
            self._provenance.append(
                provenance(
                    code,
                    "statistics",
                    part.payload["files"][code],
                    publisher=ds.publisher if ds else "Eurostat",
                    licence=ds.licence if ds else EUROSTAT_LICENCE,
                    nuts_version=", ".join(versions),
                    rows=len(frame),
                    years=year_span(frame["year"]),
                    cells_read=cells,
                )
            )


def load_parts(con: Any, parts: Sequence[Part]) -> dict[str, dict[str, Any]]:
    """Write already-read parts into the store being built (see :class:`StoreWriter`)."""
    writer = StoreWriter(con)
    for part in parts:
        writer.add(part)
    return writer.finish()


def match_regions(
    frame: pd.DataFrame, known: set[str], *, dataset: str, reasons: Mapping[str, str] | None = None
) -> tuple[set[str], pd.DataFrame]:
    """Region codes of an observation frame that have a geometry, and the ``unmatched_regions`` rows.

    Unmatched rows carry a reason: ``aggregate`` (EU28, EA19 ...) or ``extra_regio`` (``xxZZ``), which
    are kept as aggregates on purpose (:data:`NOT_REGIONS`), or why a region code matches no
    geometry of the dataset's NUTS version even after recoding (``reasons`` from the recoding, else
    :data:`NO_GEOMETRY`).
    """
    from cluster_map.sources.codelists import geo_kind

    reasons = reasons or {}
    version = str(frame["nuts_version"].iloc[0]) if len(frame) else ""
    counts = frame["region"].value_counts(sort=False)
    matched = {c for c in counts.index if c in known}
    rows = []
    for code, n in sorted(counts.items()):
        if code in matched:
            continue
        kind = geo_kind(code) if version != "us" else "nuts"
        reason = kind if kind in NOT_REGIONS else reasons.get(code, NO_GEOMETRY)
        rows.append((dataset, code, version, int(n), reason))
    unmatched = pd.DataFrame(rows, columns=["dataset", "code", "nuts_version", "n_rows", "reason"])
    return matched, unmatched


# --- what is in the store (``cluster-map info``) ------------------------------------------------
@dataclass(frozen=True)
class StoreInfo:
    """The datasets of a store with their provenance, plus row counts and build metadata."""

    db: Path
    store_bytes: int
    meta: Mapping[str, str]
    datasets: tuple[Mapping[str, Any], ...]
    tables: Mapping[str, int]
    unmatched: Mapping[str, int]  # dataset -> region codes without geometry (aggregates excluded)

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (timestamps as ISO 8601 UTC)."""
        rows = [
            {k: (v.isoformat() + "Z" if isinstance(v, datetime) else v) for k, v in d.items()}
            for d in self.datasets
        ]
        return {
            "db": str(self.db),
            "store_bytes": self.store_bytes,
            "meta": dict(self.meta),
            "datasets": rows,
            "tables": dict(self.tables),
            "unmatched": dict(self.unmatched),
        }


def store_info(db: Path | None = None) -> StoreInfo:
    """Describe the store at ``db`` (default ``CLUSTER_MAP_DB``): datasets, provenance, counts.

    Raises
    ------
    StoreError
        No store there (run ``cluster-map ingest``), locked, or of another schema version.
    """
    path = Path(get_settings(db=db).db)
    con = database.connect(path, read_only=True)
    try:
        frame = catalogue.datasets(con)
        rows = tuple(
            {
                k: (
                    None
                    if _missing(v)
                    else v.to_pydatetime()
                    if isinstance(v, pd.Timestamp)
                    else int(v)
                    if k == "row_count"
                    else v
                )
                for k, v in r.items()
            }
            for r in frame.to_dict("records")
        )
        unmatched = catalogue.unmatched_regions(con)
        counts = unmatched[~unmatched["reason"].isin(NOT_REGIONS)].groupby("dataset").size()
        return StoreInfo(
            db=path,
            store_bytes=path.stat().st_size,
            meta=catalogue.meta(con),
            datasets=rows,
            tables=catalogue.table_counts(con),
            unmatched={k: int(v) for k, v in counts.items()},
        )
    finally:
        con.close()


def _missing(value: object) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False
