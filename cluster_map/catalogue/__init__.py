"""The catalogue: every dataset, metric and country Cluster Map knows, declared once.

A leaf package (it imports nothing from the package but :mod:`cluster_map.schema`'s constants). Every
layer reads these records instead of keeping a table of its own: the Eurostat reader takes the
dimensions, pins and NUTS rule of a dataset from here, the ingest its files and origin, the metrics
engine its employment / establishment / wage cells and benchmark, the map its levels and label, the
profiles its key figures, the reports its report level, the methodology page its definitions.

Where each thing is declared (every name is imported from here, ``from cluster_map import catalogue``):

- :mod:`~cluster_map.catalogue.datasets`: every dataset and series (:data:`DATASETS`, :data:`SERIES`),
  built from the records of :mod:`~cluster_map.catalogue.records` (:class:`Dataset`, :class:`Cell` ...);
- :mod:`~cluster_map.catalogue.metrics`: every metric (:data:`METRICS`);
- :mod:`~cluster_map.catalogue.countries`: countries and region levels;
- :mod:`~cluster_map.catalogue.ecosystems`: the 14 industrial ecosystems;
- :mod:`~cluster_map.catalogue.conventions`: the readings of published rules a user can choose;
- :mod:`~cluster_map.catalogue.sectors`: the directory's sector vocabulary and NACE relations;
- :mod:`~cluster_map.catalogue.organisations`: organisation kinds, location precisions, member sizes;
- :mod:`~cluster_map.catalogue.user`: a user's own datasets (``cluster-map ingest --add``).

The records are frozen dataclasses whose every field carries a one-line ``help`` in its metadata (the
way datasette declares its settings); :func:`field_help` reads it and a test checks that none is
missing. Adding a Eurostat dataset whose file layout is already known is one :class:`Dataset` entry in
``datasets.py``; adding a metric is one :class:`Metric` entry in ``metrics.py`` plus its expression and a
known-value test. This module holds the look-ups over all of them.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Final

from cluster_map.catalogue.base import AUTO, Area, Benchmark, CodeKind, Layout, Role, UnknownEntry, field_help
from cluster_map.catalogue.conventions import CONVENTIONS, FOCUS_SCOPES, Convention, convention, conventions
from cluster_map.catalogue.countries import COUNTRIES, LEVELS, Country, RegionLevel, level_label
from cluster_map.catalogue.datasets import DATASETS, SERIES, SERIES_DATASETS
from cluster_map.catalogue.ecosystems import (
    ECOSYSTEM_LEVEL,
    ECOSYSTEM_SCHEME,
    ECOSYSTEM_SOURCE,
    ECOSYSTEMS,
    Ecosystem,
)
from cluster_map.catalogue.metrics import METRICS, Metric, offers
from cluster_map.catalogue.organisations import (
    LABEL_LEVELS,
    LOCATION_PRECISIONS,
    MEMBER_SIZES,
    ORG_KIND_UNKNOWN_COLOUR,
    ORG_KINDS,
    LocationPrecision,
    MarkerStyle,
    MemberSize,
    OrgKind,
    member_size,
)
from cluster_map.catalogue.records import (
    SERIES_BREAK_CAVEAT,
    TOLERATED_REGION_KINDS,
    Cell,
    Dataset,
    Figure,
    NutsRule,
    Series,
    SeriesPart,
    Tolerated,
    Totals,
    eurostat_api_url,
    eurostat_files,
)
from cluster_map.catalogue.sectors import (
    SECTOR_TERMS,
    SectorTerm,
    enclosing_sectors,
    equivalent_sectors,
    sector_term,
)
from cluster_map.catalogue.user import (
    _USER,
    SPEC_KEYS,
    SPEC_TOLERATED,
    dataset_to_spec,
    forget,
    register,
    user_dataset,
    user_datasets,
)


def _catalogued() -> tuple[Dataset, ...]:
    """The catalogued datasets with each series just before its first part (menu order)."""
    out: list[Dataset] = []
    for d in DATASETS:
        out += [x for s, x in zip(SERIES, SERIES_DATASETS, strict=True) if s.parts[0].dataset == d.code]
        out.append(d)
    return tuple(out)


def _all() -> tuple[Dataset, ...]:
    return _catalogued() + user_datasets()


# --- look-ups -----------------------------------------------------------------------------------
_BY_CODE: Final = {d.code: d for d in DATASETS + SERIES_DATASETS}
_METRICS: Final = {m.key: m for m in METRICS}
_COUNTRIES: Final = {c.code: c for c in COUNTRIES}
_ECOSYSTEMS: Final = {e.slug: e for e in ECOSYSTEMS}
_ALIASES: Final = {a: c.code for c in COUNTRIES for a in (c.code, *c.aliases)}


def dataset(code: str) -> Dataset:
    """The dataset ``code``, catalogued or registered (:class:`UnknownEntry` naming the known codes)."""
    found = find_dataset(code)
    if found is None:
        raise UnknownEntry(f"Unknown dataset {code!r}; known: {', '.join(d.code for d in _all())}.")
    return found


def find_dataset(code: str) -> Dataset | None:
    """The dataset ``code`` (catalogued, else a registered user dataset), or None."""
    return _BY_CODE.get(code) or _USER.get(code)


def datasets(*, role: Role | None = None, area: Area | None = None) -> Iterator[Dataset]:
    """Catalogued then registered datasets, optionally of one role and area."""
    return (d for d in _all() if (role is None or d.role == role) and (area is None or d.area == area))


def statistical() -> tuple[Dataset, ...]:
    """Datasets the metrics engine builds a cube of (user datasets last)."""
    return tuple(d for d in _all() if d.is_statistics)


def mapped() -> tuple[Dataset, ...]:
    """Datasets the map offers, in menu order (user datasets last)."""
    return tuple(d for d in _all() if d.mapped)


def reported() -> tuple[Dataset, ...]:
    """Datasets reports can be built from."""
    return tuple(d for d in _all() if d.report_level is not None)


def eurostat() -> tuple[Dataset, ...]:
    """Datasets read by the Eurostat reader."""
    return tuple(d for d in DATASETS if d.layout == "eurostat")


def metric(key: str) -> Metric:
    """The metric ``key`` (:class:`UnknownEntry` naming the known ones)."""
    try:
        return _METRICS[key]
    except KeyError:
        raise UnknownEntry(f"Unknown metric {key!r}; choose one of {', '.join(_METRICS)}.") from None


def metrics_for(area: Area) -> tuple[Metric, ...]:
    """Metrics the datasets of ``area`` offer."""
    return tuple(m for m in METRICS if area in m.areas)


def metrics_of(ds: Dataset) -> tuple[Metric, ...]:
    """Metrics dataset ``ds`` offers: those of its area whose needed quantity (:attr:`Metric.needs`) it has,
    so the LFS offers no wage ratio and only regional accounts employment offers value added per person."""
    has = {
        "": True,
        "wages": ds.wages is not None,
        "value_added": ds.value_added is not None or bool(ds.value_added_from),
    }
    return tuple(m for m in metrics_for(ds.area) if has[m.needs])


def country(code: str) -> Country | None:
    """The country of a code or alias (``GR`` -> Greece ``EL``), or None."""
    key = _ALIASES.get(code.strip().upper())
    return _COUNTRIES[key] if key else None


def country_code(code: str) -> str:
    """The data's code for a code or alias (``GR`` -> ``EL``, ``GB`` -> ``UK``); unknown codes upper-cased."""
    found = country(code)
    return found.code if found else code.strip().upper()


def country_name(code: str, default: str | None = None) -> str:
    """English name of a country code or alias (``default``, else the code, when unknown)."""
    found = country(code)
    return found.name if found else (default if default is not None else code)


def ecosystem(slug: str) -> Ecosystem:
    """The ecosystem ``slug`` (:class:`UnknownEntry` naming the known ones)."""
    try:
        return _ECOSYSTEMS[slug]
    except KeyError:
        raise UnknownEntry(f"Unknown ecosystem {slug!r}; choose one of {', '.join(_ECOSYSTEMS)}.") from None


def ecosystem_members() -> dict[str, tuple[str, ...]]:
    """``{slug: divisions summed}`` of every ecosystem (the division approximation)."""
    return {e.slug: e.divisions for e in ECOSYSTEMS}


def series_of(code: str) -> Series | None:
    """The series a dataset belongs to, or None."""
    return next((s for s in SERIES if any(p.dataset == code for p in s.parts)), None)


def series(code: str) -> Series | None:
    """The series whose own code is ``code``, or None (``code`` is a dataset)."""
    return next((s for s in SERIES if s.code == code), None)


def source_dataset(code: str, year: int) -> Dataset | None:
    """The dataset whose observations hold ``code``'s figures of ``year``: the part of a series that
    covers the year, else the dataset itself (None when unknown)."""
    found = series(code)
    return find_dataset(found.part_for(year).dataset if found else code)


def series_break(code: str, year: int) -> str:
    """The break note when ``year`` is a join year of the series ``code`` ('' otherwise)."""
    found = series(code)
    return found.break_note if found is not None and year in found.join_years() else ""


__all__ = [
    "Area",
    "AUTO",
    "Benchmark",
    "Cell",
    "CodeKind",
    "Convention",
    "convention",
    "CONVENTIONS",
    "conventions",
    "COUNTRIES",
    "Country",
    "country",
    "country_code",
    "country_name",
    "Dataset",
    "dataset",
    "dataset_to_spec",
    "DATASETS",
    "datasets",
    "Ecosystem",
    "ecosystem",
    "ECOSYSTEM_LEVEL",
    "ecosystem_members",
    "ECOSYSTEM_SCHEME",
    "ECOSYSTEM_SOURCE",
    "ECOSYSTEMS",
    "enclosing_sectors",
    "equivalent_sectors",
    "eurostat",
    "eurostat_api_url",
    "eurostat_files",
    "field_help",
    "Figure",
    "find_dataset",
    "FOCUS_SCOPES",
    "forget",
    "LABEL_LEVELS",
    "Layout",
    "level_label",
    "LEVELS",
    "LOCATION_PRECISIONS",
    "LocationPrecision",
    "mapped",
    "MarkerStyle",
    "member_size",
    "MEMBER_SIZES",
    "MemberSize",
    "Metric",
    "metric",
    "METRICS",
    "metrics_for",
    "metrics_of",
    "NutsRule",
    "offers",
    "ORG_KIND_UNKNOWN_COLOUR",
    "ORG_KINDS",
    "OrgKind",
    "RegionLevel",
    "register",
    "reported",
    "Role",
    "sector_term",
    "SECTOR_TERMS",
    "SectorTerm",
    "SERIES",
    "Series",
    "series",
    "series_break",
    "SERIES_BREAK_CAVEAT",
    "SERIES_DATASETS",
    "series_of",
    "SeriesPart",
    "source_dataset",
    "SPEC_KEYS",
    "SPEC_TOLERATED",
    "statistical",
    "Tolerated",
    "TOLERATED_REGION_KINDS",
    "Totals",
    "UnknownEntry",
    "user_dataset",
    "user_datasets",
]
