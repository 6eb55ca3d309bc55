"""A user's own dataset in the store (``cluster-map ingest --add FILE --code CODE [--spec SPEC.toml]``).

The file (a Eurostat TSV in either layout, SDMX-CSV, or a long CSV) is validated like an official
source, described by a :class:`cluster_map.catalogue.Dataset` (from the spec file, else inferred from
the file), and written into a new copy of the store together with its description; the metrics are
then materialised for every dataset and the copy swapped in. A failure leaves the store untouched.
Once in the store the dataset has maps, profiles, rankings and reports like a catalogued one: every
process that opens the store registers it in the catalogue (``store.database.connect``), and a full
``cluster-map ingest`` carries it over (:func:`carry_over`).
"""

from __future__ import annotations

import json
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pandas as pd

from cluster_map import catalogue
from cluster_map.catalogue import Dataset
from cluster_map.config import get_settings
from cluster_map.errors import InputError, SourceError
from cluster_map.sources import eurostat, user_files
from cluster_map.sources.fetch import sha256_of
from cluster_map.store import catalogue as store_catalogue
from cluster_map.store import database, load

CODE = re.compile(r"^[a-z][a-z0-9_]{1,47}$")
NUTS_CANDIDATES = ("2013", "2016", "2021", "2024")


@dataclass(frozen=True)
class Added:
    """What ``ingest --add`` loaded."""

    code: str
    file: str
    kind: str
    rows: int
    years: str
    nuts_version: str
    matched: int
    unmatched: tuple[str, ...]
    metric_rows: int
    #: indicator codes of the file that none of the dataset's cells uses, with their rows: stored as
    #: observations (with their provenance) but in no metric; listed so that a user sees what was left out
    other_indicators: tuple[tuple[str, int], ...] = ()

    def lines(self) -> list[str]:
        """Plain-text lines for the CLI."""
        out = [
            f"Added {self.code!r} from {self.file} ({self.kind}): {self.rows:,} rows, years {self.years}, "
            f"NUTS {self.nuts_version}; regions matched {self.matched}, unmatched {len(self.unmatched)}"
            + (
                f" ({', '.join(self.unmatched[:8])}{' ...' if len(self.unmatched) > 8 else ''})"
                if self.unmatched
                else ""
            )
            + f"; {self.metric_rows:,} metric rows."
        ]
        if self.other_indicators:
            listed = ", ".join(f"{c} ({n:,} rows)" for c, n in self.other_indicators)
            out.append(
                f"  {self.file}: indicator codes no cell of the spec uses (stored, in no metric): {listed}; "
                "declare them in the spec file (employment / establishments / wages) to use them."
            )
        return out


def read_spec(path: Path | None) -> dict[str, Any]:
    """The keys of a spec file (TOML); an :class:`InputError` names the file and the problem."""
    if path is None:
        return {}
    try:
        return tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise InputError(
            f"{Path(path).name}: cannot read the spec file ({exc}); see the README's "
            "'Bring your own dataset' for its keys."
        ) from exc


def describe(code: str, path: Path, frame: pd.DataFrame, spec: dict[str, Any], kind: str) -> Dataset:
    """The dataset's description: the spec's keys, completed from the file where the spec is silent."""
    name = path.name
    keys = dict(spec)
    if "employment" not in keys:
        if kind == "long_csv":
            keys["employment"] = {"indicator": "employment", "unit": "persons"}
        else:
            cells = frame.groupby(["indicator", "breakdown"]).size()
            if len(cells) != 1:
                listed = "; ".join(f"{i} {b}".strip() for i, b in list(cells.index)[:10])
                raise InputError(
                    f"{name}: the file has {len(cells)} candidate employment cells ({listed}); say which "
                    "one is employment in a spec file (employment = {indicator = ..., breakdown = ...}) "
                    'or pin the other dimensions (pins = {sex = "T"}).'
                )
            indicator, breakdown = cells.index[0]
            keys["employment"] = {"indicator": indicator, "breakdown": breakdown}
    if kind == "long_csv":
        keys.setdefault(
            "establishments",
            {"indicator": "establishments", "unit": "establishments"}
            if "establishments" in set(frame["indicator"])
            else None,
        )
        keys.setdefault(
            "wages", {"indicator": "wages", "unit": ""} if "wages" in set(frame["indicator"]) else None
        )
        keys = {k: v for k, v in keys.items() if v is not None}
        keys.setdefault("unit_dim", None)
    try:
        return catalogue.user_dataset(
            code,
            {k: v for k, v in keys.items() if v is not None or k == "unit_dim"},
            layout="long_csv" if kind == "long_csv" else "eurostat",
            source_name=name,
        )
    except ValueError as exc:
        raise InputError(f"{name}: {exc}") from exc


def _read(path: Path, code: str, spec: dict[str, Any], kind: str, nuts_version: str | None) -> pd.DataFrame:
    if kind == "long_csv":
        return user_files.read_long_csv(
            path,
            dataset=code,
            nuts_version=nuts_version or "2021",
            sector_scheme=str(spec.get("sector_scheme", "nace_r2")),
        )
    try:
        pre = catalogue.user_dataset(code, spec, source_name=path.name) if spec else None
    except ValueError as exc:
        raise InputError(f"{path.name}: {exc}") from exc
    # with a spec, its NUTS rule (one version, or one per range of years) places each row
    return eurostat.read_observations(
        path, dataset=code, nuts_version=None if pre else nuts_version, spec=pre
    )


def best_version(codes: set[str], known: dict[str, set[str]]) -> tuple[str, int]:
    """The NUTS version whose region codes match most of ``codes`` (ties: the newest), and how many match."""
    scored = sorted(((len(codes & known[v]), v) for v in known), reverse=True)
    return (scored[0][1], scored[0][0]) if scored else ("2021", 0)


def add_dataset(file: Path, *, code: str, spec_file: Path | None = None, db: Path | None = None) -> Added:
    """Validate ``file`` and add it to the store as dataset ``code`` (see the module docstring).

    Raises
    ------
    InputError
        A bad code (catalogued, or not ``[a-z][a-z0-9_]*``), a bad spec, or a file whose employment cell
        cannot be told.
    SourceError
        The file is malformed (every bad line named) or would load into nothing.
    StoreError
        There is no store to add to (run ``cluster-map ingest``), or the new store failed validation.
    """
    from cluster_map.services import metrics as metrics_service
    from cluster_map.services.ingest import NOT_REGIONS, match_regions

    file = Path(file)
    if not CODE.match(code):
        raise InputError(
            f"Dataset code {code!r} must be lower case letters, digits and '_' (2-48 characters, "
            "starting with a letter), e.g. 'my_region_jobs'."
        )
    if code in {d.code for d in catalogue.DATASETS}:
        raise InputError(
            f"{code!r} is a catalogued dataset; reload it with `cluster-map ingest --only {code}`, "
            "or give your own file another code."
        )
    if not file.is_file():
        raise InputError(f"File {str(file)!r} not found.")
    target = Path(get_settings(db=db).db)
    if not target.is_file():
        raise InputError(f"There is no store at {str(target)!r} to add to; run `cluster-map ingest` first.")
    spec = read_spec(spec_file)
    kind = user_files.kind_of(file)
    con = database.connect(target, read_only=True)
    try:
        known = {v: store_catalogue.region_codes(con, v) for v in NUTS_CANDIDATES}
    finally:
        con.close()
    nuts = str(spec["nuts_version"]) if "nuts_version" in spec else None
    frame = _read(file, code, spec, kind, nuts)
    if frame.empty:
        raise SourceError(f"{file.name}: no data cells; nothing to add.")
    if nuts is None:  # no version given: the one whose codes match best
        nuts, hits = best_version(set(frame["region"]), known)
        frame["nuts_version"] = nuts
        spec = {**spec, "nuts_version": nuts}
    ds = describe(code, file, frame, spec, kind)
    eurostat.check_cells(frame, ds, name=file.name)
    matched, unmatched = set(), pd.DataFrame()
    with database.build_atomically(
        target, required=("meta", "datasets", "observations"), seed_from_target=True
    ) as build:
        w = build.connection
        for table, column in (
            ("observations", "dataset"),
            ("unmatched_regions", "dataset"),
            ("datasets", "code"),
            ("user_datasets", "code"),
        ):
            load.replace_rows(w, table, column, [code])
        parts, unmatched_parts = [], []
        for version in sorted(frame["nuts_version"].unique()):
            rows = frame[frame["nuts_version"] == version]
            got, miss = match_regions(rows, known.get(version, set()), dataset=code)
            matched |= got
            parts.append(rows)
            unmatched_parts.append(miss)
        unmatched = pd.concat(unmatched_parts, ignore_index=True)
        _refuse_unknown(w, code, file, frame, unmatched, ds)
        load.insert(w, "observations", frame)
        load.insert(w, "unmatched_regions", unmatched)
        now = datetime.now(UTC).replace(tzinfo=None)
        years = sorted(int(y) for y in frame["year"].unique())
        span = f"{years[0]}-{years[-1]}" if len(years) > 1 else str(years[0])
        load.insert(
            w,
            "datasets",
            pd.DataFrame(
                [
                    {
                        "code": code,
                        "kind": "statistics",
                        "title": ds.title,
                        "publisher": ds.publisher,
                        "licence": ds.licence,
                        "source_url": "user file (no official source)",
                        "retrieved_from": f"user:{file.name}",
                        "origin": "user",
                        "nuts_version": ", ".join(sorted(frame["nuts_version"].unique())),
                        "extracted_at": now,
                        "checksum": sha256_of(file),
                        "row_count": len(frame),
                        "cells_read": len(frame),
                        "years": span,
                        "notes": f"added with cluster-map ingest --add ({file.name}, {kind})",
                    }
                ]
            ),
        )
        load.insert(
            w,
            "user_datasets",
            pd.DataFrame(
                [
                    {
                        "code": code,
                        "spec": json.dumps(catalogue.dataset_to_spec(ds)),
                        "file_name": file.name,
                        "added_at": now,
                    }
                ]
            ),
        )
        build.close()
        catalogue.register(ds)
        try:
            report = metrics_service.materialise(build.path)
        except Exception:
            catalogue.forget(code)
            raise
    real = unmatched.loc[~unmatched["reason"].isin(NOT_REGIONS), "code"] if len(unmatched) else pd.Series([])
    return Added(
        code=code,
        file=file.name,
        kind=kind,
        rows=len(frame),
        years=span,
        nuts_version=nuts,
        matched=len(matched),
        unmatched=tuple(dict.fromkeys(real)),
        metric_rows=int(report.get(code, {}).get("metrics", 0)),
        other_indicators=unused_indicators(frame, ds),
    )


def unused_indicators(frame: pd.DataFrame, ds: catalogue.Dataset) -> tuple[tuple[str, int], ...]:
    """Indicator codes of ``frame`` that none of ``ds``'s declared cells or units names, with their rows."""
    declared = ds.known_indicators()
    counts = frame["indicator"].astype(str).value_counts()
    return tuple((str(c), int(n)) for c, n in sorted(counts.items()) if c not in declared)


def _refuse_unknown(
    con: Any, code: str, file: Path, frame: pd.DataFrame, unmatched: pd.DataFrame, ds: catalogue.Dataset
) -> None:
    """Fail naming file, lines and value on a sector or region code nobody knows (unless the spec tolerates it)."""
    from cluster_map.services import unknown_codes
    from cluster_map.sources.fetch import Fetched

    shown = Fetched(
        name=file.name,
        path=file,
        retrieved_from=f"user:{file.name}",
        official_url="",
        sha256="",
        origin="user",
    )
    t = unknown_codes.tally(code, [shown], frame, unmatched, spec=ds)
    sectors = store_catalogue.sectors(con)
    known = {str(s): set(g["code"]) for s, g in sectors.groupby("scheme")}
    unknown_codes.refuse(unknown_codes.judge(t, known), {code: t})


def carry_over(old: Path, con: Any) -> tuple[str, ...]:
    """Copy the user datasets of the store at ``old`` (rows, provenance, spec) into the store being built."""
    if not Path(old).is_file():
        return ()
    try:
        src = database.connect(old, read_only=True)
    except Exception:  # noqa: BLE001 - an unreadable old store has nothing to carry over; the ingest goes on
        return ()
    try:
        specs = store_catalogue.user_datasets(src)
        codes = [str(c) for c in specs["code"]]
        if not codes:
            return ()
        frames = {
            t: store_catalogue.dataset_rows(src, t, codes)
            for t in ("observations", "unmatched_regions", "datasets")
        }
    finally:
        src.close()
    for table, frame in frames.items():
        load.insert(con, table, frame)
    load.insert(con, "user_datasets", specs)
    return store_catalogue.register_user_datasets(rows=specs)
