"""The map layer service over a tiny hand-made store: options, values, ranks and no-data reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cluster_map import catalogue
from cluster_map.errors import InputError, StoreError
from cluster_map.services import mapview
from tests.ui.tinystore import NAMES, build_tiny_store


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):
    db = build_tiny_store(tmp_path_factory.mktemp("tiny") / "tiny.duckdb")
    c = mapview.open_store(db)
    yield c
    c.close()


def test_view_options_resolve_defaults_from_the_data(con) -> None:
    o = mapview.view_options(con, "sbs_r_nuts06_r2")
    assert o.datasets == ("sbs_r_nuts06_r2",)
    assert o.years == (2014, 2015) and o.levels == (2,) and o.default_level == 2
    assert o.default_year == o.latest_year == 2014  # 2015 covers 3 of 4 regions (< 80 %)
    assert o.default_sector == "C29"  # preferred and well covered
    assert dict(o.sectors)["C29"].startswith("Manufacture of motor vehicles")
    assert o.countries == ("AA", "BB") and "AA11" in o.regions and o.nuts_version == "2013"


def test_unknown_dataset_is_a_clear_input_error(con) -> None:
    with pytest.raises(InputError, match="'lfst_r_lfe2en2' has no statistics"):
        mapview.view_options(con, "lfst_r_lfe2en2")


def test_lq_values_ranks_and_reasons(con) -> None:
    v = mapview.map_values(con, dataset="sbs_r_nuts06_r2", level=2, sector="C29", year=2015, metric="lq")
    v = v.set_index("code")
    # LQ by hand: AA11 share 3630/50000, sector total 6030 of 150000
    assert v.loc["AA11", "value"] == pytest.approx((3630 / 50000) / (6030 / 150000))
    assert v.loc["BB11", "rank"] == 1 and v.loc["AA11", "rank"] == 2 and v.loc["AA12", "rank"] == 3
    assert v.loc["AA13", "reason"] == "confidential in the source (flag c)"
    assert v.loc["BB12", "reason"] == "no figure in the source for this sector and year"
    assert v.loc["AA12", "name"] == NAMES["AA12"]
    assert (v["reason"] == "").sum() == 3


def test_minimum_employment_and_country_filter(con) -> None:
    v = mapview.map_values(
        con,
        dataset="sbs_r_nuts06_r2",
        level=2,
        sector="C29",
        year=2015,
        metric="employment",
        min_employment=1000,
        countries=("AA",),
    ).set_index("code")
    assert list(v.index) == ["AA11", "AA12", "AA13"]
    assert v.loc["AA12", "reason"] == "employment 400 below the minimum 1,000"
    assert v.loc["AA11", "rank"] == 1 and v.loc["AA11", "value"] == 3630


def test_growth_is_compound_annual_percent(con) -> None:
    v = mapview.map_values(
        con, dataset="sbs_r_nuts06_r2", level=2, sector="C29", year=2015, metric="growth", growth_from=2014
    ).set_index("code")
    assert v.loc["AA11", "value"] == pytest.approx(21.0)
    first = mapview.map_values(
        con, dataset="sbs_r_nuts06_r2", level=2, sector="C29", year=2014, metric="growth", growth_from=2014
    )
    assert first["value"].isna().all() and first["reason"].str.contains("earlier year").all()


def test_strong_is_boolean_and_ranked_by_lq(con) -> None:
    v = mapview.map_values(
        con, dataset="sbs_r_nuts06_r2", level=2, sector="C29", year=2015, metric="strong"
    ).set_index("code")
    assert bool(v.loc["BB11", "value"]) is True and v.loc["BB11", "rank"] == 1


def test_unknown_metric(con) -> None:
    with pytest.raises(InputError, match="Unknown metric 'gdp'"):
        mapview.map_values(con, dataset="sbs_r_nuts06_r2", level=2, sector="C29", year=2015, metric="gdp")


def test_layer_has_geometry_of_every_region_and_exports_geojson(con) -> None:
    layer = mapview.map_layer(con, dataset="sbs_r_nuts06_r2", level=2, sector="C29", year=2015, metric="lq")
    assert len(layer.frame) == 5 and layer.n_with_data == 3 and layer.frame.crs.to_epsg() == 4326
    table = layer.table()
    assert list(table["code"][:3]) == ["BB11", "AA11", "AA12"] and "geometry" not in table
    gj = json.loads(mapview.layer_geojson(layer))
    assert len(gj["features"]) == 5
    props = {f["properties"]["code"]: f["properties"] for f in gj["features"]}
    assert props["AA13"]["value"] is None and props["AA13"]["reason"].startswith("confidential")


def test_missing_geometry_is_a_store_error(con) -> None:
    with pytest.raises(StoreError, match="no geometry for NUTS version '2021' level 3"):
        mapview.map_geometry(con, nuts_version="2021", level=3)


def test_missing_store_is_a_store_error(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="cluster-map ingest"):
        mapview.open_store(tmp_path / "none.duckdb")


def test_hotspot_classes_are_seeded_and_known_labels(con) -> None:
    a = mapview.map_values(con, dataset="sbs_r_nuts06_r2", level=2, sector="C", year=2015, metric="hotspot")
    b = mapview.map_values(con, dataset="sbs_r_nuts06_r2", level=2, sector="C", year=2015, metric="hotspot")
    assert a["value"].tolist() == b["value"].tolist()
    allowed = {"ns", "hot_90", "hot_95", "hot_99", "cold_90", "cold_95", "cold_99", None}
    assert set(a["value"]) <= allowed and a["value"].notna().sum() == 5


def test_nuts_version_of_a_year() -> None:
    o = mapview.ViewOptions(
        dataset="d",
        datasets=("d",),
        sector_scheme="nace_r2",
        sectors=(),
        default_sector="",
        years=(2021, 2024),
        levels=(2,),
        default_level=2,
        countries=(),
        regions=frozenset(),
        metrics=("lq",),
        nuts_version="2024",
        versions=((2021, "2021"), (2024, "2024")),
    )
    assert [o.nuts_version_for(y) for y in (None, 2019, 2021, 2023, 2024, 2030)] == [
        "2024",
        "2021",
        "2021",
        "2021",
        "2024",
        "2024",
    ]
    plain = mapview.ViewOptions(
        dataset="d",
        datasets=("d",),
        sector_scheme="nace_r2",
        sectors=(),
        default_sector="",
        years=(2015,),
        levels=(2,),
        default_level=2,
        countries=(),
        regions=frozenset(),
        metrics=("lq",),
        nuts_version="2013",
    )
    assert plain.nuts_version_for(2015) == "2013"


def test_dataset_labels_come_from_the_catalogue() -> None:
    assert mapview.dataset_label("sbs_r_nuts06_r2") == catalogue.dataset("sbs_r_nuts06_r2").label
    assert mapview.dataset_label("my_own") == "my_own"


def test_download_table_says_dataset_sector_year_level_and_has_a_provenance_sidecar(con) -> None:
    layer = mapview.map_layer(con, dataset="sbs_r_nuts06_r2", level=2, sector="C29", year=2015, metric="lq")
    t = layer.download_table()
    assert list(t.columns[:7]) == ["dataset", "sector", "sector_label", "year", "level", "metric", "rank"]
    assert set(t["dataset"]) == {"sbs_r_nuts06_r2"} and set(t["sector"]) == {"C29"}
    assert set(t["year"]) == {2015} and set(t["level"]) == {"NUTS 2"}
    assert set(t["metric"]) == {catalogue.metric("lq").label}
    assert t["code"].tolist() == layer.table()["code"].tolist()  # the same rows, in rank order
    side = json.loads(layer.provenance([{"code": "sbs_r_nuts06_r2", "publisher": "Eurostat"}]))
    assert side["parameters"] == {
        "dataset": "sbs_r_nuts06_r2",
        "sector": "C29",
        "year": 2015,
        "level": 2,
        "nuts_version": layer.nuts_version,
        "metric": "lq",
    }
    assert side["rows"] == len(t) and side["columns"] == [str(c) for c in t.columns]
    assert side["sources"] == [{"code": "sbs_r_nuts06_r2", "publisher": "Eurostat"}]


def _frame(rows: list[tuple[str, str, tuple[float, float, float, float]]]):  # type: ignore[no-untyped-def]
    import geopandas as gpd
    import shapely

    return gpd.GeoDataFrame(
        {"code": [r[0] for r in rows], "country": [r[1] for r in rows]},
        geometry=[shapely.box(*r[2]) for r in rows],
        crs="EPSG:4326",
    )


#: Mainland France, Corsica, Réunion (outermost: outside the Europe view extent), Germany, the Canaries.
EUROPE_ROWS = [
    ("FR10", "FR", (1.4, 48.1, 3.6, 49.2)),
    ("FRM0", "FR", (8.5, 41.3, 9.6, 43.0)),
    ("FRY4", "FR", (55.2, -21.4, 55.8, -20.9)),
    ("DE21", "DE", (10.7, 47.3, 13.1, 49.1)),
    ("ES70", "ES", (-18.2, 27.6, -13.4, 29.5)),
]


@pytest.mark.parametrize(
    ("countries", "area", "expected"),
    [
        (("DE",), "europe", [[47.3, 10.7], [49.1, 13.1]]),
        (("FR",), "europe", [[41.3, 1.4], [49.2, 9.6]]),  # Réunion does not widen the view
        (("FR", "DE"), "europe", [[41.3, 1.4], [49.2, 13.1]]),
        ((), "europe", [[41.3, 1.4], [49.2, 13.1]]),  # all regions of the area, outermost left out
        (("ES",), "europe", [[27.6, -18.2], [29.5, -13.4]]),  # only outermost regions: their own bounds
        (("XX",), "europe", None),
        (("FR",), "us", [[-21.4, 1.4], [49.2, 55.8]]),  # outside the US extent: all of them
    ],
)
def test_view_bounds_of_the_chosen_countries(countries, area, expected) -> None:  # type: ignore[no-untyped-def]
    assert mapview.view_bounds(_frame(EUROPE_ROWS), area=area, countries=countries) == expected
