"""A user's own datasets (``cluster-map ingest --add``): built from a spec file and registered for
this process.
"""

from __future__ import annotations

from typing import Any, Final

from cluster_map.catalogue.base import AUTO, Layout
from cluster_map.catalogue.datasets import DATASETS, SERIES_DATASETS
from cluster_map.catalogue.records import (
    Cell,
    Dataset,
    NutsRule,
    Tolerated,
)

#: Codes of the catalogued datasets and series (a user's dataset never takes one).
_CATALOGUED: Final = frozenset(d.code for d in DATASETS + SERIES_DATASETS)


# --- a user's own datasets -----------------------------------------------------------------------
#: Datasets a user added to their store (``cluster-map ingest --add``), registered when the store is
#: opened or built; they are looked up like catalogued ones but never shadow one.
_USER: dict[str, Dataset] = {}
#: Keys of a spec file (``--spec SPEC.toml``) and what they become.
SPEC_KEYS: Final = {
    "title": "the dataset's title",
    "label": "short label for menus",
    "publisher": "who publishes it",
    "licence": "its reuse terms",
    "area": "'europe' or 'us'",
    "sector_scheme": "nace_r2 (default) or another scheme",
    "sector_dim": "dimension with the sector code",
    "indicator_dim": "dimension with the indicator",
    "indicator": "constant indicator when there is no indicator dimension",
    "unit_dim": "dimension with the unit",
    "units": "table indicator -> unit when there is no unit dimension",
    "pins": "table dimension -> code kept",
    "nuts_version": "NUTS version of the geo codes",
    "nuts_by_year": "table first year -> NUTS version",
    "employment": "table indicator, breakdown, factor, unit of the employment cell",
    "establishments": "the same for establishments",
    "wages": "the same for wages",
    "total_code": "sector code of the region's total",
    "excluded": "sector codes left out",
    "map_levels": "region levels the map offers",
    "default_level": "the level a map opens at",
    "report_level": "[region level, sector level] of reports",
    "layout": "'eurostat' (TSV or SDMX-CSV) or 'long_csv' (set by Cluster Map)",
    "tolerated": "table kind -> codes the file holds that the code lists or geometries do not know, accepted "
    "anyway (kinds: region, sector)",
}
#: Why a user's tolerated codes are accepted (the spec file says so).
SPEC_TOLERATED: Final = "declared tolerated in the dataset's spec file"


def _cell_of(value: Any, key: str) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Cell(value)
    if not isinstance(value, dict) or "indicator" not in value:
        raise ValueError(
            f"spec key {key!r} must be an indicator code or a table with 'indicator' "
            "(and optional 'breakdown', 'factor', 'unit')"
        )
    return Cell(
        str(value["indicator"]),
        str(value.get("breakdown", "")),
        float(value.get("factor", 1.0)),
        str(value.get("unit", "persons")),
    )


def user_dataset(
    code: str, spec: dict[str, Any], *, layout: Layout = "eurostat", source_name: str = ""
) -> Dataset:
    """A user's dataset from the keys of a spec file (:data:`SPEC_KEYS`); ``ValueError`` names a bad key."""
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise ValueError(f"unknown spec key(s) {unknown!r}; known keys: {', '.join(SPEC_KEYS)}")
    if code in _CATALOGUED:
        raise ValueError(f"{code!r} is a catalogued dataset; give your own dataset another code")
    employment = _cell_of(spec.get("employment"), "employment")
    by_year = tuple(sorted((int(y), str(v)) for y, v in dict(spec.get("nuts_by_year", {})).items()))
    levels = tuple(int(v) for v in spec.get("map_levels", (0, 1, 2, 3)))
    report = spec.get("report_level")
    return Dataset(
        code=code,
        title=str(spec.get("title", code)),
        label=str(spec.get("label", f"Your data: {code}")),
        publisher=str(spec.get("publisher", "user file")),
        licence=str(spec.get("licence", "as stated by its owner")),
        area=spec.get("area", "europe"),
        layout=spec.get("layout", layout),
        official_urls=(),
        mirror_files=(source_name,) if source_name else (),
        role="statistics",
        required=False,
        sector_scheme=str(spec.get("sector_scheme", "nace_r2")),
        sector_dim=spec.get("sector_dim", "nace_r2"),
        indicator_dim=spec.get("indicator_dim", AUTO),
        indicator=str(spec.get("indicator", "")),
        unit_dim=spec.get("unit_dim", AUTO),
        units=tuple((str(k), str(v)) for k, v in dict(spec.get("units", {})).items()),
        pins=tuple((str(k), str(v)) for k, v in dict(spec.get("pins", {})).items()),
        nuts=NutsRule(str(spec.get("nuts_version", "2021")), by_year),
        employment=employment,
        establishments=_cell_of(spec.get("establishments"), "establishments"),
        wages=_cell_of(spec.get("wages"), "wages"),
        total_code=str(spec.get("total_code", "")),
        excluded=tuple(str(c) for c in spec.get("excluded", ())),
        map_levels=levels,
        default_level=int(spec.get("default_level", 2 if 2 in levels else levels[-1])) if levels else None,
        report_level=(int(report[0]), int(report[1])) if report else None,
        region_word="regions",
        sector_word="sectors",
        notes="Added by a user (cluster-map ingest --add).",
        tolerated=_spec_tolerated(spec.get("tolerated", {})),
    )


def _spec_tolerated(value: Any) -> tuple[Tolerated, ...]:
    if not isinstance(value, dict) or not all(k in ("region", "sector") for k in value):
        raise ValueError('spec key \'tolerated\' must be a table like {region = ["HU99"], sector = ["Z99"]}')
    return tuple(
        Tolerated(kind, tuple(str(c) for c in codes), SPEC_TOLERATED) for kind, codes in value.items()
    )


def dataset_to_spec(ds: Dataset) -> dict[str, Any]:
    """The spec keys that rebuild ``ds`` with :func:`user_dataset` (stored beside a user's dataset)."""

    def cell(c: Cell | None) -> dict[str, Any] | None:
        return (
            None
            if c is None
            else {"indicator": c.indicator, "breakdown": c.breakdown, "factor": c.factor, "unit": c.unit}
        )

    out: dict[str, Any] = {
        "title": ds.title,
        "label": ds.label,
        "publisher": ds.publisher,
        "licence": ds.licence,
        "area": ds.area,
        "layout": ds.layout,
        "sector_scheme": ds.sector_scheme,
        "sector_dim": ds.sector_dim,
        "indicator_dim": ds.indicator_dim,
        "indicator": ds.indicator,
        "unit_dim": ds.unit_dim,
        "units": dict(ds.units),
        "pins": dict(ds.pins),
        "nuts_version": ds.nuts.default,
        "nuts_by_year": {str(y): v for y, v in ds.nuts.by_year},
        "employment": cell(ds.employment),
        "establishments": cell(ds.establishments),
        "wages": cell(ds.wages),
        "total_code": ds.total_code,
        "excluded": list(ds.excluded),
        "map_levels": list(ds.map_levels),
        "default_level": ds.default_level,
        "report_level": list(ds.report_level) if ds.report_level else None,
        "tolerated": {t.kind: list(t.codes) for t in ds.tolerated} or None,
    }
    return {k: v for k, v in out.items() if v is not None}


def register(ds: Dataset) -> None:
    """Make a user's dataset known to every layer of this process (a catalogued code cannot be replaced)."""
    if ds.code in _CATALOGUED:
        raise ValueError(f"{ds.code!r} is a catalogued dataset and cannot be registered again")
    _USER[ds.code] = ds


def forget(code: str) -> None:
    """Unregister a user's dataset (no error when it is not registered)."""
    _USER.pop(code, None)


def user_datasets() -> tuple[Dataset, ...]:
    """The registered user datasets, by code."""
    return tuple(_USER[c] for c in sorted(_USER))
