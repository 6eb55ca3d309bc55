"""The readers of an ingest: one task per source, each returning a :class:`Part` (frames + provenance).

A reader calls the source modules (``cluster_map.sources``) through a :class:`SourceResolver`, so
the same code reads the official URLs, a URL base or a local mirror. It only reads and reshapes:
recoding, matching and writing happen in :mod:`cluster_map.services.ingest`, which runs the
readers of :func:`build_plan` in threads.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd

from cluster_map import catalogue
from cluster_map.schema import EUROSTAT_LICENCE, GISCO_LICENCE, US_CLUSTER, US_CMP_LICENCE
from cluster_map.sources.fetch import Fetched, SourceResolver
from cluster_map.store import load

#: NUTS version of the 2017 Eurostat files (their geo codes are mostly NUTS 2013; aggregates are listed in it).
EUROSTAT_TARGET_NUTS = "2013"
#: NUTS version the organisations are placed in (the version the statistics are recoded to).
ORGANISATION_NUTS = "2013"
_US_PUB = "U.S. Cluster Mapping Project (Harvard Business School ISC, U.S. EDA)"


# --- what one source produced -------------------------------------------------------------------
@dataclass
class Part:
    """Frames and provenance produced by one source reader (one progress task)."""

    name: str
    tables: list[tuple[str, pd.DataFrame]] = field(default_factory=list)
    provenance: list[dict[str, Any]] = field(default_factory=list)
    observations: dict[str, pd.DataFrame] = field(default_factory=dict)  # dataset -> frame (before recoding)
    payload: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    cpu_seconds: float = 0.0


def provenance(
    code: str,
    kind: str,
    files: Sequence[Fetched],
    *,
    title: str = "",
    publisher: str = "",
    licence: str = "",
    nuts_version: str | None = None,
    rows: int = 0,
    years: str = "",
    notes: str = "",
    extracted_at: datetime | None = None,
    cells_read: int | None = None,
) -> dict[str, Any]:
    """A ``datasets`` row: where the files came from, their sha256, what was loaded from them.

    ``source_url`` is the official URL of the files, or for compiled files (no official feed) a plain
    'compiled directory (no official feed); shipped file <name>'. ``retrieved_from`` is the URL read or
    ``mirror:<mirror-relative name>``, never a local path. ``origin`` is 'url', 'mirror', 'mixed' (some
    files of each), 'compiled' or 'user'; ``last_update`` the newest ``Last-Modified`` of the downloads.
    """
    compiled = [f for f in files if f.compiled]
    official = [f for f in files if not f.compiled]
    urls = [f.official_url for f in official if f.official_url]
    if compiled:
        urls.append(compiled_source(*(f.name for f in compiled)))
    kinds = {f.origin for f in official} | ({"compiled"} if compiled else set())
    origin = next(iter(kinds)) if len(kinds) == 1 else ("mixed" if kinds else None)
    updates = [f.last_update for f in files if f.last_update is not None]
    return {
        "code": code,
        "kind": kind,
        "title": title or (ds.title if (ds := catalogue.find_dataset(code)) is not None else ""),
        "publisher": publisher,
        "licence": licence,
        "source_url": " ".join(dict.fromkeys(urls)),
        "retrieved_from": " ".join(_shown_source(f) for f in files),
        "origin": origin,
        "nuts_version": nuts_version,
        "extracted_at": (extracted_at or datetime.now(UTC)).replace(tzinfo=None),
        "last_update": max(updates) if updates else None,
        "checksum": " ".join(f.sha256 for f in files),
        "row_count": rows,
        "cells_read": cells_read,
        "years": years,
        "notes": notes,
    }


def compiled_source(*names: str) -> str:
    """``source_url`` of compiled files: they have no official feed; their origin is the shipped file."""
    shown = ", ".join(names)
    return f"compiled directory (no official feed); shipped file{'s' if len(names) > 1 else ''} {shown}"


def _shown_source(f: Fetched) -> str:
    """Where a file was read, without a local path: the URL, or ``mirror:<mirror-relative name>``."""
    if f.retrieved_from.startswith(("http://", "https://", "mirror:", "user:")):
        return f.retrieved_from
    if f.retrieved_from.startswith("file:") or Path(f.retrieved_from).is_absolute():
        return f"mirror:{f.mirror_name or f.name}" if f.origin == "mirror" else f"file:{Path(f.name).name}"
    return f.retrieved_from


def repair_note(repairs: Sequence[Any]) -> str:
    """The ``datasets.notes`` of a geometry source: the regions ``make_valid`` repaired, with how."""
    from cluster_map.geo import REPAIR_AREA_TOLERANCE

    if not repairs:
        return ""
    return (
        f"{len(repairs)} invalid geometr{'y' if len(repairs) == 1 else 'ies'} repaired with shapely.make_valid "
        f"(each within the {100 * REPAIR_AREA_TOLERANCE:g} % area tolerance): " + "; ".join(map(str, repairs))
    )


def year_span(years: pd.Series) -> str:
    """``'2008-2015'`` (or ``'2015'``; ``''`` when there are no years)."""
    if years.empty:
        return ""
    lo, hi = int(years.min()), int(years.max())
    return str(lo) if lo == hi else f"{lo}-{hi}"


def geometry_rows(frame: gpd.GeoDataFrame, source: str) -> pd.DataFrame:
    """Rows of ``geometries`` (variants ``full`` and ``display``) from a reader's region frame."""
    keep = ["code", "nuts_version", "level", "label_lon", "label_lat"]
    out = []
    for variant, column in (("full", frame.geometry.name), ("display", "display")):
        part = frame[keep].assign(variant=variant, source=source)
        geo = gpd.GeoDataFrame(
            part, geometry=gpd.GeoSeries(frame[column].values, crs=frame.crs, index=frame.index)
        )
        geo = geo[geo.geometry.notna() & ~geo.geometry.is_empty]
        out.append(load.geometry_frame(geo))
    return pd.concat(out, ignore_index=True)


def region_rows(frame: pd.DataFrame, kind: str | None = None) -> pd.DataFrame:
    """Rows of ``regions`` from a reader's region frame (``kind`` if the frame has none)."""
    cols = ["code", "nuts_version", "level", "country", "name", "parent"]
    out = pd.DataFrame({c: frame[c].to_numpy() for c in cols})
    out["kind"] = frame["kind"].to_numpy() if "kind" in frame.columns else kind
    return out


# --- the plan: one reader per source ------------------------------------------------------------
@dataclass(frozen=True)
class Reader:
    """One source of the plan: a progress task whose ``read`` returns a :class:`Part`."""

    name: str
    read: Callable[[SourceResolver], Part]
    probe: tuple[str, str] | None = None  # (mirror name, url) of a small file, to settle the origin


def build_plan(only: Sequence[str] = ()) -> list[Reader]:
    """The readers of a full ingest, or of the statistical datasets in ``only``.

    Every Eurostat dataset of the catalogue gets a reader: a required one fails the ingest when its
    file cannot be had, an optional one (``Dataset.required`` False: the 2017 mirror lacks it) is
    skipped with a line saying so. Order matters: the thread pool starts readers in plan order, so
    the reference data the statistics wait for comes first, then the largest files.
    """
    from cluster_map.sources import codelists, gisco, us_cmp

    stats = [
        Reader(
            f"eurostat {d.code}",
            _eurostat_reader(d.code),
            probe=(d.mirror_files[-1], d.official_url) if d.required else None,
        )
        for d in catalogue.eurostat()
        if not only or d.code in only
    ]
    stats.sort(key=lambda r: r.name not in ("eurostat sbs_r_nuts06_r2", "eurostat sbs_na_sca_r2"))
    plan = [Reader("nuts recoding", _read_recoding)] if stats else []
    if not only:  # every version's geometry early: each dataset's rows are matched against their own version
        plan += [Reader("nuts 2013", _nuts_reader("2013")), Reader("us regions", _read_us_regions)]
        plan += [Reader(f"nuts {v}", _nuts_reader(v)) for v in gisco.NUTS_VERSIONS if v != "2013"]
    plan += stats
    if not only:
        plan.append(Reader("code lists", _read_codelists, probe=(codelists.NACE_FILE, codelists.NACE_URL)))
        plan.append(Reader("us clusters", _read_us_clusters))
        plan.append(Reader("organisations", _read_organisations))
    if not only or set(only) & {us_cmp.STATES_DATASET, us_cmp.TOTALS_DATASET}:
        plan.append(Reader("us cluster data 2016", _us_observations_reader(only)))
    return plan


def recoding_targets() -> tuple[str, ...]:
    """NUTS versions the Eurostat datasets' codes are recoded to (every version a NUTS rule gives)."""
    from cluster_map.sources import nuts_versions

    found = {v for d in catalogue.eurostat() for v in d.nuts.versions()}
    return tuple(v for v in nuts_versions.JRC_VERSIONS if v in found)


def _read_codelists(resolver: SourceResolver) -> Part:
    from cluster_map.sources import codelists as cl

    part = Part("code lists")
    got = resolver.fetch(cl.NACE_FILE, cl.NACE_URL)
    nace = cl.read_nace(got.path)
    part.tables.append(("sectors", nace))
    part.tables.append(("sectors", cl.ecosystem_sectors()))
    part.provenance.append(
        provenance(
            "nace_r2",
            "codelist",
            [got],
            title="Statistical classification of economic activities NACE Rev. 2 (Eurostat code list)",
            publisher="Eurostat",
            licence=EUROSTAT_LICENCE,
            rows=len(nace),
        )
    )
    got = resolver.fetch(cl.GEO_DIC_FILE, cl.GEO_DIC_URL)
    labels = cl.read_geo_dic(got.path)
    aggregates = cl.geo_regions(labels, nuts_version=EUROSTAT_TARGET_NUTS)
    part.provenance.append(
        provenance(
            "geo_dic",
            "codelist",
            [got],
            title="Eurostat geo dictionary: aggregates and extra-regio codes "
            "(region names come from the NUTS files)",
            publisher="Eurostat",
            licence=EUROSTAT_LICENCE,
            nuts_version=EUROSTAT_TARGET_NUTS,
            rows=len(aggregates),
        )
    )
    lists = []
    for version, url in (
        ("2013", cl.NUTS2010_2013_URL),
        ("2016", cl.NUTS2013_2016_URL),
        ("2021", cl.NUTS2021_URL),
    ):
        got = resolver.fetch(cl.nuts_list_file(version), url)
        regions = cl.read_nuts_regions(got.path, version)
        lists.append(regions)
        part.provenance.append(
            provenance(
                f"nuts_{version}_list",
                "codelist",
                [got],
                title=f"NUTS {version} classification (official "
                f"Eurostat workbook): regions incl. extra-regio, names",
                publisher="Eurostat",
                licence=EUROSTAT_LICENCE,
                nuts_version=version,
                rows=len(regions),
            )
        )
    # Region lists go after the geometry files' regions (which win on duplicates, see load_parts).
    part.payload["regions_fallback"] = [*lists, aggregates]
    return part


def _read_recoding(resolver: SourceResolver) -> Part:
    """One recoding table per target NUTS version (codes of older versions -> the dataset's own)."""
    from cluster_map.sources import nuts_versions

    tables: dict[str, pd.DataFrame] = {}
    part = Part("nuts recoding", payload={"recoding": tables})
    for target in recoding_targets():
        files: list[Fetched] = []

        def open_file(name: str, url: str, files: list[Fetched] = files) -> Path:
            files.append(resolver.fetch(name, url))
            return files[-1].path

        tables[target] = table = nuts_versions.build_recoding_table(open_file, target_version=target)
        part.provenance.append(
            provenance(
                f"nuts_recoding_{target}",
                "codelist",
                files,
                title=f"NUTS recoding table to NUTS {target} (JRC "
                f"NUTS converter matrices, population weights; official Eurostat change tables; NUTS 2006->2010 "
                f"regulation)",
                publisher="European Commission JRC; Eurostat",
                licence="Commission reuse policy (Decision 2011/833/EU), acknowledge the source",
                nuts_version=target,
                rows=len(table),
            )
        )
    return part


def _read_us_clusters(resolver: SourceResolver) -> Part:
    from cluster_map.sources import us_cmp

    part = Part("us clusters")
    bench = us_cmp.read_clusters(resolver)
    legacy = us_cmp.read_legacy_clusters(resolver)
    related, got = us_cmp.read_related(resolver)
    part.tables += [
        ("sectors", bench.sectors),
        ("sectors", legacy.sectors),
        ("cluster_naics", bench.cluster_naics.assign(scheme=US_CLUSTER)),
        ("cluster_naics", legacy.cluster_naics.assign(scheme=us_cmp.LEGACY_SCHEME)),
        ("related_clusters", related),
    ]
    part.provenance += [
        provenance(
            "us_cmp_clusters",
            "clusters",
            bench.files,
            title="U.S. Cluster Mapping benchmark cluster "
            "definitions (2014: 51 traded + 16 local clusters, subclusters, 2012 NAICS)",
            publisher=_US_PUB,
            licence=US_CMP_LICENCE,
            nuts_version="us",
            rows=len(bench.sectors),
            notes=f"{len(bench.cluster_naics)} cluster-NAICS rows",
        ),
        provenance(
            "us_cmp_clusters_2007",
            "clusters",
            legacy.files,
            title="U.S. Cluster Mapping legacy "
            "cluster list (clusters-list.json, NAICS 2007 basis; codes differ from 2014)",
            publisher=_US_PUB,
            licence=US_CMP_LICENCE,
            nuts_version="us",
            rows=len(legacy.sectors),
            notes=f"{len(legacy.cluster_naics)} cluster-NAICS rows",
        ),
        provenance(
            "us_cmp_related",
            "clusters",
            [got],
            title="Related clusters (Delgado-Porter-Stern relatedness of the 51 traded clusters)",
            publisher=_US_PUB,
            licence=US_CMP_LICENCE,
            nuts_version="us",
            rows=len(related),
        ),
    ]
    return part


def _read_organisations(resolver: SourceResolver) -> Part:
    """Directories, partnerships and events; placing them needs the NUTS frames (see StoreWriter)."""
    from cluster_map.sources import organisations as orgs

    part = Part("organisations")
    directories = [orgs.read_eu_directory(resolver), orgs.read_us_directory(resolver)]
    partnerships, got_p = orgs.read_partnerships(resolver)
    events, got_e = orgs.read_events(resolver)
    part.tables += [("partnerships", partnerships), ("events", events)]
    part.payload["directories"] = directories
    for d in directories:
        part.provenance.append(
            provenance(
                d.name,
                "organisations",
                d.files,
                title=_DIRECTORY_TITLES.get(d.name, d.name),
                publisher=(orgs.EU_DIRECTORY if d.name == orgs.EU_NAME else orgs.US_DIRECTORY).publisher,
                licence=(orgs.EU_DIRECTORY if d.name == orgs.EU_NAME else orgs.US_DIRECTORY).licence,
                nuts_version=ORGANISATION_NUTS,
                rows=len(d.frame),
            )
        )
    part.provenance += [
        provenance(
            "cluster_partnerships",
            "organisations",
            [got_p],
            title="European Strategic Cluster Partnerships and Euroclusters named on public pages",
            publisher=orgs.PARTNERSHIPS.publisher,
            licence=orgs.PARTNERSHIPS.licence,
            rows=len(partnerships),
        ),
        provenance(
            "cluster_events",
            "organisations",
            [got_e],
            title="Cluster events (ECCP matchmaking, Clusters meet Regions, TCI conferences)",
            publisher=orgs.EVENTS.publisher,
            licence=orgs.EVENTS.licence,
            rows=len(events),
        ),
    ]
    return part


_DIRECTORY_TITLES = {
    "eu_cluster_organisations": "European cluster organisations (compiled from public pages; located "
    "offline by city, region name or country)",
    "us_cmp_organisations": "U.S. Cluster Mapping cluster organisations (CurrentOrganizationsAndClusters)",
}


def _us_observations_reader(only: Sequence[str]) -> Callable[[SourceResolver], Part]:
    def read(resolver: SourceResolver) -> Part:
        from cluster_map.sources import us_cmp

        part = Part("us cluster data 2016")
        for dataset, reader in (
            (us_cmp.STATES_DATASET, us_cmp.read_states),
            (us_cmp.TOTALS_DATASET, us_cmp.read_totals),
        ):
            if only and dataset not in only:
                continue
            obs = reader(resolver)
            part.observations[dataset] = obs.frame
            part.payload.setdefault("files", {})[dataset] = list(obs.files)
        return part

    return read


def _eurostat_reader(code: str) -> Callable[[SourceResolver], Part]:
    def read(resolver: SourceResolver) -> Part:
        from cluster_map.errors import SourceError
        from cluster_map.sources import eurostat

        ds = catalogue.dataset(code)
        fetched: Fetched | None = None
        tried: list[str] = []
        for name in ds.mirror_files:
            try:
                fetched = resolver.fetch(name, ds.official_url)
                break
            except SourceError as exc:
                tried.append(f"{name}: {exc}")
        if fetched is None:
            if ds.required:
                raise SourceError(
                    f"Dataset {code!r}: no file could be read; tried {', '.join(ds.mirror_files)}. "
                    "Point CLUSTER_MAP_SOURCE at a mirror with the official file names, or go "
                    "online.",
                    tried,
                )
            return Part(
                code,
                payload={
                    "skipped": {code: f"not in the mirror (optional; read online from {ds.official_url})"}
                },
            )
        frame = eurostat.read_observations(fetched.path, dataset=code)
        eurostat.check_cells(frame, ds, name=fetched.name)
        return Part(code, observations={code: frame}, payload={"files": {code: [fetched]}})

    return read


def _nuts_reader(version: str) -> Callable[[SourceResolver], Part]:
    def read(resolver: SourceResolver) -> Part:
        from cluster_map.sources import gisco

        nuts = gisco.read_nuts(resolver, version)
        frame = nuts.frame
        part = Part(nuts.source_code)
        part.tables.append(("regions", region_rows(frame, "nuts")))
        part.tables.append(("geometries", geometry_rows(frame, nuts.source_code)))
        part.provenance.append(
            provenance(
                nuts.source_code,
                "geometry",
                nuts.files,
                title=f"NUTS {version} regions, levels 0-3 "
                f"(full and display-simplified geometry; labels: {nuts.label_source})",
                publisher="Eurostat GISCO",
                licence=GISCO_LICENCE,
                nuts_version=version,
                rows=len(frame),
                notes=repair_note(nuts.repairs),
            )
        )
        part.payload["repairs"] = {nuts.source_code: tuple(str(r) for r in nuts.repairs)}
        part.payload["geometry_codes"] = {version: set(frame["code"])}
        part.payload["nuts_frames"] = {version: frame}
        return part

    return read


def _read_us_regions(resolver: SourceResolver) -> Part:
    from cluster_map.sources import us_atlas

    us = us_atlas.read_us_regions(resolver)
    part = Part(us.source_code)
    part.tables.append(("regions", region_rows(us.frame)))
    part.tables.append(("geometries", geometry_rows(us.frame, us.source_code)))
    part.provenance.append(
        provenance(
            us.source_code,
            "geometry",
            us.files,
            title="US nation, states, counties (us-atlas, Census "
            "cartographic boundaries 1:10m), BEA economic areas and MSAs (U.S. Cluster Mapping)",
            publisher="US Census Bureau; U.S. Cluster Mapping Project",
            licence=us_atlas.US_ATLAS_LICENCE,
            nuts_version="us",
            rows=len(us.frame),
            notes=repair_note(us.repairs),
        )
    )
    part.payload["repairs"] = {us.source_code: tuple(str(r) for r in us.repairs)}
    part.payload["geometry_codes"] = {"us": set(us.frame.loc[us.frame.geometry.notna(), "code"])}
    # states and counties place the US organisations (point in polygon, state names in their names)
    part.payload["us_regions"] = us.frame.loc[
        us.frame["kind"].isin(["us_state", "us_county"]),
        ["code", "level", "kind", "name", "label_lon", "label_lat", "geometry"],
    ]
    nation = us.frame[us.frame["kind"] == "us_nation"]
    if len(nation):
        part.payload["country_points"] = {
            "US": (float(nation["label_lon"].iloc[0]), float(nation["label_lat"].iloc[0]))
        }
    return part
