"""The catalogue is documented, consistent, and agrees with the layers that read it.

Table-driven over every catalogued record: each field has its one-line help; codes are unique; mapped
datasets open at a level they offer; every key figure is a well-formed cell; every metric has a store
column (or is computed at view time), a colour rule the map accepts, a methodology entry and a README
row; country aliases resolve to the data's codes.
"""

from __future__ import annotations

import re
from dataclasses import fields, is_dataclass
from pathlib import Path

import duckdb
import numpy as np
import pytest

from cluster_map import catalogue
from cluster_map.maps.classes import classes_for
from cluster_map.services import methodology
from cluster_map.store import metrics as store_metrics

ROOT = Path(__file__).resolve().parent.parent
RECORDS = (
    catalogue.Cell,
    catalogue.Figure,
    catalogue.NutsRule,
    catalogue.Totals,
    catalogue.SeriesPart,
    catalogue.Series,
    catalogue.Dataset,
    catalogue.Metric,
    catalogue.Country,
    catalogue.RegionLevel,
    catalogue.OrgKind,
    catalogue.LocationPrecision,
)
#: Colour rule of a metric -> the kind of classes ``classes_for`` gives it by default.
RULE_KINDS = {
    "lq_breaks": "fixed",
    "growth_breaks": "fixed",
    "ratio_breaks": "fixed",
    "quantiles": "quantiles",
    "stars": "stars",
    "boolean": "boolean",
    "hotspot": "hotspot_gi",
}
DATASETS = catalogue.DATASETS
METRICS = catalogue.METRICS


def _id(record: object) -> str:
    return str(getattr(record, "code", None) or getattr(record, "key", None) or record)


# --- (a) every field documented -----------------------------------------------------------------
@pytest.mark.parametrize("record", RECORDS, ids=lambda r: r.__name__)
def test_every_field_has_a_one_line_help(record: type) -> None:
    helps = catalogue.field_help(record)
    assert set(helps) == {f.name for f in fields(record)}
    missing = [name for name, text in helps.items() if not text.strip()]
    assert not missing, f"{record.__name__} fields without help: {missing}"
    multi = [name for name, text in helps.items() if "\n" in text]
    assert not multi, f"{record.__name__} fields whose help is not one line: {multi}"


# --- (b) codes unique, levels and cells well-formed ---------------------------------------------
@pytest.mark.parametrize(
    ("what", "codes"),
    [
        ("dataset codes", [d.code for d in DATASETS]),
        ("dataset labels", [d.label for d in DATASETS]),
        ("metric keys", [m.key for m in METRICS]),
        ("metric labels", [m.label for m in METRICS]),
        ("country codes and aliases", [a for c in catalogue.COUNTRIES for a in (c.code, *c.aliases)]),
        ("series codes", [s.code for s in catalogue.SERIES]),
    ],
)
def test_codes_are_unique(what: str, codes: list[str]) -> None:
    dupes = sorted({c for c in codes if codes.count(c) > 1})
    assert not dupes, f"duplicate {what}: {dupes}"


@pytest.mark.parametrize("ds", catalogue.mapped(), ids=_id)
def test_a_mapped_dataset_opens_at_a_level_it_offers(ds: catalogue.Dataset) -> None:
    assert ds.default_level in ds.map_levels
    assert list(ds.map_levels) == sorted(set(ds.map_levels))
    assert ds.employment is not None, "a map needs an employment cell"
    if ds.report_level is not None:
        assert ds.report_level[0] in ds.map_levels


@pytest.mark.parametrize("ds", catalogue.mapped(), ids=_id)
def test_every_map_level_has_a_label_of_its_area(ds: catalogue.Dataset) -> None:
    declared = {(lv.area, lv.level) for lv in catalogue.LEVELS}
    assert {(ds.area, lv) for lv in ds.map_levels} <= declared
    assert catalogue.level_label(ds.area, ds.map_levels[-1]) != f"level {ds.map_levels[-1]}"


@pytest.mark.parametrize(
    ("code", "source", "target", "expected"),
    [
        ("C29", "nace_r2", "nace_r2", ("C29",)),
        ("C29", "nace_r2", "us_cluster", ("4", "44", "108")),
        ("4", "us_cluster", "nace_r2", ("C29",)),
        ("23", "us_cluster", "nace_r2", ("J61", "J62", "J63", "C26", "C27")),
        ("C", "nace_r2", "us_cluster", ()),
        ("C29", "nace_r2", "total", ()),
    ],
)
def test_equivalent_sectors(code: str, source: str, target: str, expected: tuple[str, ...]) -> None:
    assert catalogue.equivalent_sectors(code, source=source, target=target) == expected


@pytest.mark.parametrize("ds", catalogue.reported(), ids=_id)
def test_a_reported_dataset_has_levels_and_words(ds: catalogue.Dataset) -> None:
    assert ds.report_level is not None and all(level >= 0 for level in ds.report_level)
    assert ds.region_word and ds.sector_word and ds.title


def _check_cell(cell: catalogue.Cell, where: str) -> None:
    assert isinstance(cell, catalogue.Cell), where
    assert cell.indicator.strip() == cell.indicator and cell.indicator, f"{where}: empty indicator"
    assert cell.breakdown == "" or re.fullmatch(
        r"[a-z_]+=[A-Z0-9_]+(,[a-z_]+=[A-Z0-9_]+)*", cell.breakdown
    ), f"{where}: breakdown {cell.breakdown!r} is not dimension=CODE"
    assert np.isfinite(cell.factor) and cell.factor > 0, f"{where}: factor {cell.factor!r}"
    assert cell.unit.strip(), f"{where}: empty unit"


@pytest.mark.parametrize("ds", DATASETS, ids=_id)
def test_cells_and_figures_are_well_formed(ds: catalogue.Dataset) -> None:
    for name, cell in ds.cells().items():
        _check_cell(cell, f"{ds.code}.{name}")
    for fig in ds.figures:
        assert isinstance(fig, catalogue.Figure) and fig.label.strip(), ds.code
        _check_cell(fig.cell, f"{ds.code} figure {fig.label!r}")
        assert fig.sectors or fig.sector_level is not None, f"{ds.code} figure {fig.label!r} sums nothing"
    labels = [f.label for f in ds.figures]
    assert len(labels) == len(set(labels)), f"{ds.code}: duplicate figure labels"
    if ds.totals is not None:
        assert catalogue.find_dataset(ds.totals.dataset) is not None, ds.totals.dataset
        _check_cell(ds.totals.employment, f"{ds.code}.totals")
    assert ds.nuts.version_for(2100) in ds.nuts.versions()
    assert [y for y, _ in ds.nuts.by_year] == sorted(y for y, _ in ds.nuts.by_year)


def test_value_added_links_name_a_dataset_with_a_value_added_cell_of_the_same_area_and_scheme() -> None:
    linked = [d for d in catalogue.DATASETS if d.value_added_from]
    assert [d.code for d in linked] == ["nama_10r_3empers"]
    for ds in linked:
        source = catalogue.dataset(ds.value_added_from)
        assert source.value_added is not None and source.value_added.unit == "EUR million"
        assert (source.area, source.sector_scheme, source.nuts) == (ds.area, ds.sector_scheme, ds.nuts)


def test_series_parts_are_catalogued() -> None:
    for series in catalogue.SERIES:
        for part in series.parts:
            assert catalogue.find_dataset(part.dataset) is not None, (series.code, part.dataset)


# --- (c) metrics agree with the store, the map, the methodology and the README ------------------
def _metrics_columns() -> set[str]:
    con = duckdb.connect()
    try:
        con.execute(store_metrics.DDL["metrics"])
        return {
            str(r[0])
            for r in con.execute(
                "SELECT column_name FROM information_schema.columns WHERE table_name = 'metrics'"
            ).fetchall()
        }
    finally:
        con.close()


COLUMNS = _metrics_columns()
METHODS = {e.key for e in methodology.entries()}
README = (ROOT / "README.md").read_text(encoding="utf-8")
REFERENCE = np.array([0.0, 120.0, 450.0, 1_000.0, 2_500.0, 8_000.0, 30_000.0])


@pytest.mark.parametrize("m", METRICS, ids=_id)
def test_metric_has_a_store_column_or_is_computed_at_view_time(m: catalogue.Metric) -> None:
    assert m.column == "" or m.column in COLUMNS, f"{m.key}: no column {m.column!r} in table metrics"


@pytest.mark.parametrize("m", METRICS, ids=_id)
def test_metric_colour_rule_is_one_the_map_draws(m: catalogue.Metric) -> None:
    reference = REFERENCE if m.classes == "quantiles" else None
    classes = classes_for(m.key, reference, title=m.label)
    assert classes.kind == RULE_KINDS[m.classes], f"{m.key}: rule {m.classes!r}, map draws {classes.kind!r}"
    assert len(classes.colours) == len(classes.labels) >= 2


@pytest.mark.parametrize("m", METRICS, ids=_id)
def test_metric_has_a_methodology_entry(m: catalogue.Metric) -> None:
    assert m.method in METHODS, f"{m.key}: no methodology entry {m.method!r}; entries: {sorted(METHODS)}"


@pytest.mark.parametrize("m", METRICS, ids=_id)
def test_metric_has_a_readme_row(m: catalogue.Metric) -> None:
    rows = [line for line in README.splitlines() if line.startswith(f"| `{m.key}` |")]
    assert rows, f"README has no metric table row for `{m.key}`"
    assert m.label in rows[0], f"README row of `{m.key}` does not carry its label {m.label!r}"


@pytest.mark.parametrize("m", METRICS, ids=_id)
def test_metric_fields_are_sane(m: catalogue.Metric) -> None:
    assert 0 <= m.digits <= 4 and m.scale > 0 and m.areas
    assert set(m.areas) <= {"europe", "us"}
    assert catalogue.metric(m.key) is m


def test_metrics_for_an_area_keep_catalogue_order() -> None:
    for area in ("europe", "us"):
        keys = [m.key for m in catalogue.metrics_for(area)]
        assert keys == [m.key for m in METRICS if area in m.areas] and keys


@pytest.mark.parametrize(
    ("code", "wage", "gva"),
    [
        ("sbs_r_nuts06_r2", True, False),
        ("eurostat_sbs", True, False),
        ("lfst_r_lfe2en2", False, False),
        ("nama_10r_3empers", False, True),
        ("us_cmp_states_2016", False, False),
    ],
)
def test_a_productivity_metric_is_offered_only_where_its_numerator_is(
    code: str, wage: bool, gva: bool
) -> None:
    keys = [m.key for m in catalogue.metrics_of(catalogue.dataset(code))]
    assert ("wage_ratio" in keys, "gva_ratio" in keys) == (wage, gva)
    assert {"lq", "employment", "share"} <= set(keys)


def test_unknown_entries_name_the_known_ones() -> None:
    with pytest.raises(catalogue.UnknownEntry, match="sbs_r_nuts06_r2"):
        catalogue.dataset("nope")
    with pytest.raises(catalogue.UnknownEntry, match="lq"):
        catalogue.metric("gdp")


# --- (d) countries ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("given", "code", "name"),
    [
        ("GR", "EL", "Greece"),
        ("GRC", "EL", "Greece"),
        ("EL", "EL", "Greece"),
        ("gb", "UK", "United Kingdom"),
        ("GBR", "UK", "United Kingdom"),
        ("USA", "US", "United States"),
        (" de ", "DE", "Germany"),
    ],
)
def test_country_aliases_resolve(given: str, code: str, name: str) -> None:
    assert catalogue.country_code(given) == code
    assert catalogue.country_name(given) == name


def test_every_alias_resolves_to_its_country_and_unknown_codes_pass_through() -> None:
    for c in catalogue.COUNTRIES:
        assert is_dataclass(c) and c.name
        for alias in (c.code, *c.aliases):
            assert catalogue.country_code(alias) == c.code
    assert catalogue.country_code("xx") == "XX" and catalogue.country_name("XX") == "XX"
    assert catalogue.country_name("XX", "Nowhere") == "Nowhere"


# --- organisation kinds and location precisions: what the organisations map draws ----------------
def test_organisation_kinds_have_distinct_marker_colours() -> None:
    colours = [k.colour for k in catalogue.ORG_KINDS] + [catalogue.ORG_KIND_UNKNOWN_COLOUR]
    assert all(re.fullmatch(r"#[0-9A-Fa-f]{6}", c) for c in colours), colours
    assert len({c.lower() for c in colours}) == len(colours)
    assert len({k.key for k in catalogue.ORG_KINDS}) == len(catalogue.ORG_KINDS)


def test_location_precisions_are_drawn_from_most_to_least_precise() -> None:
    keys = [p.key for p in catalogue.LOCATION_PRECISIONS]
    assert keys == ["coordinates", "city", "region", "country", "none"]  # schema.py's organisations column
    markers = [p.marker for p in catalogue.LOCATION_PRECISIONS]
    assert markers == ["point", "point", "region", "country", None]  # a country is not drawn as a city


@pytest.mark.parametrize(
    ("code", "available", "expected"),
    [
        ("C29", ["A", "B-E", "F", "C"], ("C", "B-E")),  # the section first, then the A*10 aggregate
        ("C29", ["A", "B-E", "F"], ("B-E",)),  # the LFS: sections and aggregates only
        ("M72", ["M_N", "J", "M"], ("M", "M_N")),
        ("C", ["B-E", "C"], ("B-E",)),  # never the code itself
        ("R90", ["R-U", "O-Q"], ("R-U",)),
        ("C29", ["C30", "C2"], ()),  # other divisions do not contain it
        ("4", ["A", "B-E"], ()),  # not a NACE code
        ("aerospace-defence", ["C"], ()),
    ],
)
def test_enclosing_sectors(code: str, available: list[str], expected: tuple[str, ...]) -> None:
    assert catalogue.enclosing_sectors(code, available) == expected
