"""Import a user's own directory of cluster organisations into the store (CLI and the app's admin import).

The file is validated like a source (:func:`cluster_map.sources.organisations.read_user_directory`):
every problem is reported at once as line, field, value and what to do; two rows with the same name
and country are a problem too, and rows whose name and country are already in another directory of
the store are reported (kept: two directories may list one organisation). Nothing is written when a
problem is found or with ``dry_run``. Otherwise the organisations are placed like the official
directories (coordinates, city, region, country; point in polygon against the store's NUTS
geometry) and written as directory ``user:<name>`` in one atomic store build: the previous store
stays as it was if anything fails, and a re-import of the same name replaces its rows. A full
``cluster-map ingest`` carries user directories over to the new store.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import shapely

from cluster_map.config import get_settings
from cluster_map.errors import InputError
from cluster_map.geo import STORAGE_CRS
from cluster_map.sources import org_profiles
from cluster_map.sources import organisations as orgs
from cluster_map.store import database, directory, load

ORG_NUTS_VERSION = "2016"
_PROBLEM = re.compile(
    r"^(?P<file>.+?), (?P<where>line|row|record) (?P<n>\d+), column '(?P<field>[^']+)': (?P<rest>.*)$"
)


@dataclass(frozen=True)
class Problem:
    """One problem of an imported file."""

    line: int | None
    field: str
    value: str
    todo: str


@dataclass(frozen=True)
class ImportReport:
    """What an import found and did."""

    file: str
    directory: str
    rows: int
    problems: list[Problem] = field(default_factory=list)
    known_elsewhere: list[str] = field(default_factory=list)  # 'line 4: "X" (DE) is also in eu_cluster_...'
    written: bool = False
    precision: dict[str, int] = field(default_factory=dict)

    def lines(self) -> list[str]:
        """The report in words, one line each."""
        out = [f"{self.file}: {self.rows} organisation(s) read as directory {self.directory!r}."]
        if self.problems:
            out.append(f"{len(self.problems)} problem(s); nothing was written:")
            out += [
                f"  line {p.line}, field {p.field!r}, value {p.value!r}: {p.todo}"
                if p.line is not None
                else f"  {p.todo}"
                for p in self.problems
            ]
        for k in self.known_elsewhere:
            out.append(f"  note: {k}")
        if self.written:
            shown = ", ".join(f"{v} {k}" for k, v in self.precision.items() if v)
            out.append(f"Written to the store ({shown}).")
        elif not self.problems:
            out.append("Valid (dry run: nothing written).")
        return out

    def table(self) -> pd.DataFrame:
        """The problems as a table: line, field, value, what to do."""
        return pd.DataFrame([p.__dict__ for p in self.problems], columns=["line", "field", "value", "todo"])


def _problem(message: str) -> Problem:
    m = _PROBLEM.match(message)
    if not m:
        return Problem(None, "", "", message)
    rest = m.group("rest")
    value = re.match(r"^('(?:[^'\\]|\\.)*'|\"[^\"]*\")", rest)
    return Problem(
        int(m.group("n")),
        m.group("field"),
        value.group(1)[1:-1] if value else "",
        rest[value.end() :].lstrip(" :") if value else rest,
    )


def check(
    path: Path, *, name: str | None = None, con: Any = None
) -> tuple[orgs.Directory | None, ImportReport]:
    """Validate ``path``; the directory (None when it has problems) and the report."""
    path = Path(path)
    try:
        found = orgs.read_user_directory(path, name=name)
    except InputError as exc:
        found_problems = [_problem(p) for p in getattr(exc, "problems", [])] or [
            Problem(None, "", "", str(exc))
        ]
        return None, ImportReport(path.name, f"user:{name or path.stem}", 0, found_problems)
    frame = found.frame
    problems: list[Problem] = []
    first = 2 if path.suffix.lower() in (".csv", ".txt", ".xlsx", ".xlsm") else 1
    keys = [(org_profiles.fold(n).strip(), c) for n, c in zip(frame["name"], frame["country"], strict=True)]
    seen: dict[tuple[str, str], int] = {}
    for i, key in enumerate(keys):
        if key in seen:
            problems.append(
                Problem(
                    i + first,
                    "name",
                    str(frame["name"].iat[i]),
                    f"same name and country ({key[1]}) as line {seen[key]}; remove one of them",
                )
            )
        else:
            seen[key] = i + first
    notes = []
    if con is not None:
        known = directory.names_and_countries(con)
        known = known[known["directory"] != found.name]
        elsewhere = {
            (org_profiles.fold(n).strip(), c): d
            for n, c, d in zip(known["name"], known["country"], known["directory"], strict=True)
        }
        for key, line in seen.items():
            if key in elsewhere:
                notes.append(f"line {line}: {key[0]!r} ({key[1]}) is also in directory {elsewhere[key]!r}")
    report = ImportReport(path.name, found.name, len(frame), problems, notes)
    return (None if problems else found), report


def import_directory(
    db: Path | str | None, path: Path, *, name: str | None = None, dry_run: bool = False
) -> ImportReport:
    """Validate ``path`` and, unless ``dry_run`` or a problem was found, write it to the store ``db``."""
    target = get_settings(db=db).db
    con = database.connect(target)
    try:
        found, report = check(path, name=name, con=con)
        if found is None or dry_run:
            return report
        located = place(con, found)
    finally:
        con.close()
    with database.build_atomically(target, seed_from_target=True) as build:
        load.replace_rows(build.connection, "organisations", "directory", [found.name])
        load.insert(build.connection, "organisations", located)
    return ImportReport(
        report.file,
        report.directory,
        report.rows,
        [],
        report.known_elsewhere,
        True,
        orgs.precision_counts(located),
    )


def _shapes(con: Any, version: str) -> gpd.GeoDataFrame:
    rows = directory.region_shapes(con, version)
    geoms = shapely.from_wkb([bytes(b) for b in rows.pop("wkb")])
    return gpd.GeoDataFrame(rows, geometry=list(geoms), crs=STORAGE_CRS)


def place(con: Any, found: orgs.Directory) -> pd.DataFrame:
    """Locate an imported directory against the store's NUTS (and US) geometry."""
    nuts = _shapes(con, ORG_NUTS_VERSION)
    if nuts.empty:
        raise InputError(
            f"The store has no NUTS {ORG_NUTS_VERSION} geometry to place organisations in; "
            f"run a full `cluster-map ingest` first."
        )
    us = _shapes(con, "us")
    us_point = {}
    if "US" in set(found.frame["country"]) and len(us):
        states = us[us["kind"] == "us_state"]
        us_point = {"US": (float(states["label_lon"].mean()), float(states["label_lat"].mean()))}
    return orgs.locate(found, nuts, country_points=us_point, us_regions=us if len(us) else None)


def carry_over(old: Path, con: Any) -> int:
    """Copy the imported directories of the store at ``old`` into the store being built (full ingest)."""
    if not Path(old).is_file():
        return 0
    try:
        src = database.connect(old, read_only=True)
    except Exception:  # noqa: BLE001 - an unreadable old store has nothing to carry over; the ingest goes on
        return 0
    try:
        rows = directory.user_directory_rows(src)
    finally:
        src.close()
    if len(rows):
        load.insert(con, "organisations", rows)
    return len(rows)
