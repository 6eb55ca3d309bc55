"""``cluster-map sources check``: what the store holds of each catalogued dataset, next to what its
official source offers now.

For every dataset of :data:`cluster_map.catalogue.DATASETS` the store's ``datasets`` row gives what is
loaded (years, NUTS version, origin, when it was read, the source's last update where known). For the
Eurostat datasets, Eurostat's table of contents (:mod:`cluster_map.sources.eurostat_toc`, one request
for all of them) gives the latest year and the last update the dissemination API offers today.
Compiled directories have no official feed, and the U.S. Cluster Mapping Project publishes no listing
to compare against; the table says so. Without network the check says once that it cannot ask the
official sources now and still shows what is loaded (it never fails for being offline).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Final

import pandas as pd

from cluster_map import catalogue
from cluster_map.config import get_settings
from cluster_map.errors import SourceError, StoreError
from cluster_map.sources import eurostat_toc
from cluster_map.sources.fetch import get_text
from cluster_map.store import catalogue as store_catalogue
from cluster_map.store import database

#: What the data page and ``sources check --help`` say about checking online.
CHECK_HINT: Final = (
    "What the official sources offer now is checked by `cluster-map sources check` (needs the network)."
)
COMPILED: Final = "compiled directory (no official feed)"
_ORIGIN_WORDS: Final = {
    "url": "official URL",
    "mirror": "local mirror",
    "mixed": "official URL and local mirror",
    "compiled": "shipped file",
    "user": "your file",
}


@dataclass(frozen=True)
class SourceStatus:
    """One catalogued dataset: loaded in the store vs. offered by its official source now."""

    code: str
    title: str
    required: bool
    loaded: bool
    years: str  # loaded reference years ('2008-2015'; '' when not loaded)
    nuts_version: str
    origin: str  # url | mirror | mixed | compiled | user ('' when not loaded or unknown)
    retrieved_from: str
    extracted_at: datetime | None
    last_update: datetime | None  # the source's last update as recorded at ingest
    official_latest_year: int | None  # latest reference year the official source offers now
    official_last_update: datetime | None
    official_years: str  # 'data start-data end' as the source states it
    status: str  # one phrase: up to date, newer data at the source, not loaded, compiled ..., not checked

    @property
    def loaded_latest_year(self) -> int | None:
        tail = self.years.split("-")[-1] if self.years else ""
        return int(tail) if tail.isdigit() else None


@dataclass(frozen=True)
class SourcesCheck:
    """The result of a check: one :class:`SourceStatus` per catalogued dataset, and how it was checked."""

    db: str
    checked_online: bool
    note: str  # '' when checked; else why the official sources could not be asked
    rows: tuple[SourceStatus, ...]

    def to_dict(self) -> dict[str, Any]:
        """A JSON-ready dictionary (datetimes as ISO 8601 UTC)."""

        def clean(v: Any) -> Any:
            return v.isoformat() + "Z" if isinstance(v, datetime) else v

        return {
            "db": self.db,
            "checked_online": self.checked_online,
            "note": self.note,
            "datasets": [{k: clean(v) for k, v in asdict(r).items()} for r in self.rows],
        }

    def frame(self) -> pd.DataFrame:
        """The table the app shows (one row per dataset)."""
        cols = [
            "code",
            "years",
            "nuts_version",
            "origin",
            "extracted_at",
            "last_update",
            "official_latest_year",
            "official_last_update",
            "status",
        ]
        return pd.DataFrame([{c: getattr(r, c) for c in cols} for r in self.rows], columns=cols)

    def lines(self) -> list[str]:
        """Plain text lines (the CLI prints them)."""
        out = (
            [self.note]
            if self.note
            else [f"Official sources checked now ({eurostat_toc.TOC_URL} for Eurostat)."]
        )
        out.append(f"Store {self.db}:")
        for r in self.rows:
            loaded = (
                (
                    f"loaded {r.years or 'no years'}"
                    + (f", NUTS {r.nuts_version}" if r.nuts_version else "")
                    + f", from {_ORIGIN_WORDS.get(r.origin, r.origin or '?')}"
                    + f", read {_day(r.extracted_at)}"
                    + (f", source updated {_day(r.last_update)}" if r.last_update else "")
                )
                if r.loaded
                else "not loaded"
            )
            official = ""
            if r.official_latest_year is not None or r.official_last_update is not None:
                official = (
                    f"; official now: data {r.official_years or '?'}, last update "
                    f"{_day(r.official_last_update)}"
                )
            verdict = "" if r.status == "not loaded" else f" -> {r.status}"
            out.append(f"  {r.code:<22} {loaded}{official}{verdict}")
        return out


def check(
    db: Path | None = None, *, online: bool = True, fetch_text: Callable[[str], str] | None = None
) -> SourcesCheck:
    """Compare the store at ``db`` (default ``CLUSTER_MAP_DB``) with the official sources now.

    ``fetch_text(url) -> str`` reads a URL (default: a plain HTTP GET with ``CLUSTER_MAP_HTTP_TIMEOUT``);
    tests inject a fake. ``online=False`` skips the request. A missing store is not an error: every
    dataset is then 'not loaded'.
    """
    settings = get_settings(db=db)
    path = Path(settings.db)
    loaded, store_note = _loaded(path)
    toc: Mapping[str, eurostat_toc.TocEntry] = {}
    note = ""
    if online:
        read = fetch_text or (lambda url: get_text(url, timeout=max(settings.http_timeout, 10.0)))
        try:
            toc = eurostat_toc.read_toc(read)
        except SourceError as exc:
            note = (
                f"Cannot check the official sources now ({str(exc).splitlines()[0].rstrip('.')}); showing what is loaded. "
                f"Run `cluster-map sources check` again when online."
            )
    else:
        note = "Official sources not checked (offline); showing what is loaded. " + CHECK_HINT
    if store_note:
        note = f"{note} {store_note}".strip()
    rows = tuple(
        _status(d, loaded.get(d.code), toc, checked=online and not note.startswith("Cannot"))
        for d in catalogue.DATASETS
    )
    return SourcesCheck(db=str(path), checked_online=bool(toc), note=note, rows=rows)


def loaded_only(con: Any) -> SourcesCheck:
    """What the store behind ``con`` holds of each catalogued dataset, without asking any source (the app)."""
    frame = store_catalogue.datasets(con)
    loaded = {str(r["code"]): r for r in frame.to_dict("records")}
    rows = tuple(_status(d, loaded.get(d.code), {}, checked=False) for d in catalogue.DATASETS)
    return SourcesCheck(db="", checked_online=False, note=CHECK_HINT, rows=rows)


# --- the parts ----------------------------------------------------------------------------------
def _loaded(path: Path) -> tuple[dict[str, Mapping[str, Any]], str]:
    if not path.is_file():
        return {}, f"No store at {str(path)!r} yet (run `cluster-map ingest`)."
    try:
        con = database.connect(path, read_only=True)
    except StoreError as exc:
        return {}, f"The store cannot be read ({exc})."
    try:
        frame = store_catalogue.datasets(con)
    finally:
        con.close()
    return {str(r["code"]): r for r in frame.to_dict("records")}, ""


def _status(
    ds: catalogue.Dataset,
    row: Mapping[str, Any] | None,
    toc: Mapping[str, eurostat_toc.TocEntry],
    *,
    checked: bool,
) -> SourceStatus:
    entry = toc.get(ds.code.lower()) if ds.layout == "eurostat" else None
    years = _text(row.get("years")) if row else ""
    origin = _text(row.get("origin")) if row else ""
    if row is not None and not origin:
        origin = _origin_of(_text(row.get("retrieved_from")))
    status = _verdict(ds, row, years, entry, checked=checked)
    return SourceStatus(
        code=ds.code,
        title=ds.title,
        required=ds.required,
        loaded=row is not None,
        years=years,
        nuts_version=_text(row.get("nuts_version")) if row else "",
        origin=origin,
        retrieved_from=_text(row.get("retrieved_from")) if row else "",
        extracted_at=_when(row.get("extracted_at")) if row else None,
        last_update=_when(row.get("last_update")) if row else None,
        official_latest_year=entry.latest_year if entry else None,
        official_last_update=entry.last_update if entry else None,
        official_years="-".join(p for p in (entry.data_start, entry.data_end) if p) if entry else "",
        status=status,
    )


def _verdict(
    ds: catalogue.Dataset,
    row: Mapping[str, Any] | None,
    years: str,
    entry: eurostat_toc.TocEntry | None,
    *,
    checked: bool,
) -> str:
    if ds.compiled:
        return COMPILED + ("" if row is not None else "; not loaded")
    if ds.layout != "eurostat":
        return (
            ("no machine-readable listing to check against; see " + ds.official_url)
            if checked
            else ("loaded" if row is not None else "not loaded")
        )
    if not checked:
        return (
            "loaded; not checked online"
            if row is not None
            else ("not loaded" if ds.required else "optional; read when found")
        )
    if entry is None:
        return "not in Eurostat's table of contents"
    if row is None:
        return f"not loaded; the source offers data to {entry.data_end or '?'}"
    tail = years.split("-")[-1] if years else ""
    have = int(tail) if tail.isdigit() else None
    if have is not None and entry.latest_year is not None and entry.latest_year > have:
        return f"newer data at the source ({entry.latest_year} > {have})"
    recorded = _when(row.get("last_update"))
    if recorded is not None and entry.last_update is not None and entry.last_update > recorded:
        return "updated at the source since it was read"
    return "up to date"


def _origin_of(retrieved_from: str) -> str:
    """The origin of a row written before the ``origin`` column existed."""
    parts = {
        ("url" if p.startswith(("http://", "https://")) else "user" if p.startswith("user:") else "mirror")
        for p in retrieved_from.split()
    }
    return next(iter(parts)) if len(parts) == 1 else ("mixed" if parts else "")


def _text(value: Any) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return str(value)


def _when(value: Any) -> datetime | None:
    if value is None or value is pd.NaT:
        return None
    try:
        if pd.isna(value):
            return None
    except (TypeError, ValueError):
        return None
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    return value if isinstance(value, datetime) else None


def _day(value: datetime | None) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value is not None else "?"
