"""Store queries of the sector explorer, against the tiny store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from cluster_map.store import rankings
from tests.app_store import tiny_connection


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


def test_sector_metrics_filters_years_and_countries(con: Any) -> None:
    rows = rankings.sector_metrics(con, dataset="sbs_r_nuts06_r2", sector="C29", level=2, years=[2015])
    assert len(rows) == 5 and set(rows["year"]) == {2015}
    assert "name" in rows.columns and rows.set_index("region").loc["AT11", "name"] == "Burgenland"
    de = rankings.sector_metrics(con, dataset="sbs_r_nuts06_r2", sector="C29", level=2, countries=["DE"])
    assert set(de["region"]) == {"DE21", "DE22"} and set(de["year"]) == {2010, 2015}


def test_cube_keeps_one_sector_level(con: Any) -> None:
    cube = rankings.cube(con, dataset="sbs_r_nuts06_r2", level=2, years=[2010], sector_level=2)
    assert set(cube["sector"]) == {"C10", "C29", "F41", "F43"} and len(cube) == 20
    everything = rankings.cube(con, dataset="sbs_r_nuts06_r2", level=2, years=[2010], sector_level=None)
    assert len(everything) == 30


def test_years_and_sector_row(con: Any) -> None:
    assert rankings.years(con, dataset="sbs_r_nuts06_r2", sector="C29", level=2) == [2010, 2015]
    assert rankings.years(con, dataset="sbs_r_nuts06_r2", sector="C29", level=1) == []
    assert rankings.sector_row(con, scheme="nace_r2", code="F")["label"].tolist() == ["Construction"]


def test_related_clusters_empty_without_links(con: Any) -> None:
    assert rankings.related_clusters(con, cluster="1").empty


def test_metrics_table_for_download(con: Any) -> None:
    rows = rankings.metrics_table(con, dataset="sbs_r_nuts06_r2", level=2, year=2015)
    assert len(rows) == 30 and {"region_name", "sector_label", "lq"} <= set(rows.columns)


def test_sectors_metrics_equals_one_query_per_sector(con: Any) -> None:
    sectors = ["C29", "C10", "F", "NOPE"]
    batch = rankings.sectors_metrics(con, dataset="sbs_r_nuts06_r2", sectors=sectors, level=2, years=[2015])
    assert list(batch) == sectors and batch["NOPE"].empty
    for s in sectors:
        one = rankings.sector_metrics(con, dataset="sbs_r_nuts06_r2", sector=s, level=2, years=[2015])
        pd.testing.assert_frame_equal(batch[s], one, check_exact=True)
