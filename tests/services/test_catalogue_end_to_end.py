"""Every catalogued dataset through ingest -> metrics -> map layer -> profile -> report, on small fixtures.

``current_store`` is the mirror (2017 vintage) plus today's datasets as small files in the exact current
API layout; between them every catalogued dataset is in it. A dataset the map offers must give a map
layer whose regions have a geometry of their own NUTS version, a region profile with its key figures, and
(where the catalogue says it has reports) a country report.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cluster_map import catalogue
from cluster_map.services import mapview, profiles, reports
from cluster_map.store import database

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def con(current_store: Path):  # type: ignore[no-untyped-def]
    c = database.connect(current_store, read_only=True)
    yield c
    c.close()


@pytest.mark.parametrize("ds", catalogue.DATASETS, ids=lambda d: d.code)
def test_every_catalogued_dataset_is_ingested_with_provenance(con, ds: catalogue.Dataset) -> None:  # type: ignore[no-untyped-def]
    rows = database.query(
        con, "SELECT code, title, publisher, row_count, nuts_version FROM datasets WHERE code = ?", [ds.code]
    )
    assert len(rows) == 1, ds.code
    assert rows["title"].iloc[0] == ds.title and rows["publisher"].iloc[0] == ds.publisher
    assert rows["row_count"].iloc[0] > 0
    assert set(rows["nuts_version"].iloc[0].split(", ")) <= set(ds.nuts.versions()) | {"2013"}


@pytest.mark.parametrize("ds", catalogue.statistical(), ids=lambda d: d.code)
def test_every_statistical_dataset_has_metrics_for_each_of_its_versions(con, ds: catalogue.Dataset) -> None:  # type: ignore[no-untyped-def]
    m = database.query(
        con,
        "SELECT nuts_version, count(*) AS n, count(lq) AS n_lq FROM metrics WHERE dataset = ? GROUP BY ALL",
        [ds.code],
    )
    assert len(m) and (m["n_lq"] > 0).all(), ds.code
    assert set(m["nuts_version"]) <= set(ds.nuts.versions())


@pytest.mark.parametrize("ds", catalogue.mapped(), ids=lambda d: d.code)
def test_every_mapped_dataset_draws_a_map_layer_and_a_profile(con, ds: catalogue.Dataset) -> None:  # type: ignore[no-untyped-def]
    assert ds.code in mapview.datasets(con)
    opts = mapview.view_options(con, ds.code)
    year = opts.latest_year
    assert year is not None and opts.default_level in ds.map_levels
    layer = mapview.map_layer(
        con,
        dataset=ds.code,
        level=opts.default_level,
        sector=opts.default_sector,
        year=year,
        metric="lq",
        options=opts,
    )
    assert layer.nuts_version == ds.nuts.version_for(year)
    assert layer.n_with_data > 0 and layer.frame.geometry.notna().all()
    region = str(layer.frame.loc[layer.frame["reason"] == "", "code"].iloc[0])
    prof = profiles.region_profile(con, dataset=ds.code, region=region)
    assert prof.region.code == region and len(prof.specialisations) > 0
    if ds.figures:
        assert len(prof.key_figures) > 0, ds.code


@pytest.mark.parametrize("ds", catalogue.reported(), ids=lambda d: d.code)
def test_every_reported_dataset_gives_a_country_report(con, ds: catalogue.Dataset) -> None:  # type: ignore[no-untyped-def]
    known = reports.countries(con, dataset=ds.code)
    assert len(known), ds.code
    country = "AT" if "AT" in set(known["country"]) else str(known["country"].iloc[0])
    report = reports.build_country_report(con, country=country, dataset=ds.code, permutations=99)
    assert report.dataset == ds.code and report.level == ds.report_level[0]  # type: ignore[index]
    html = reports.render(report, "html").decode("utf-8")
    assert ds.title.split(" (")[0][:30] in html or ds.code in html
