"""The map of a dataset whose NUTS version changes between years, and the datasets the map offers.

``current_store`` holds sbs_r_nuts2021 (NUTS 2021 codes for 2021-2023, NUTS 2024 from 2024); the
mirror store (the 2017 vintage) holds none of it, so the map must not offer it there.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cluster_map import catalogue
from cluster_map.services import mapview

pytestmark = pytest.mark.mirror
DATASET = "sbs_r_nuts2021"


@pytest.fixture(scope="module")
def con(current_store: Path) -> Iterator[Any]:
    c = mapview.open_store(current_store)
    yield c
    c.close()


def test_view_options_know_the_version_of_each_year(con: Any) -> None:
    o = mapview.view_options(con, DATASET)
    assert dict(o.versions) == {2021: "2021", 2022: "2021", 2023: "2021", 2024: "2024"}
    assert [o.nuts_version_for(y) for y in (2021, 2023, 2024, 2030)] == ["2021", "2021", "2024", "2024"]
    assert o.nuts_version == o.nuts_version_for(o.latest_year)
    assert o.area == "europe" and "stars" in o.metrics


@pytest.mark.parametrize(("year", "version"), [(2021, "2021"), (2024, "2024")])
def test_map_values_and_geometry_follow_the_year(con: Any, year: int, version: str) -> None:
    o = mapview.view_options(con, DATASET)
    v = mapview.map_values(con, dataset=DATASET, level=2, sector=o.default_sector, year=year, metric="lq")
    assert set(v["nuts_version"]) == {version} and v["value"].notna().any()
    layer = mapview.map_layer(
        con, dataset=DATASET, level=2, sector=o.default_sector, year=year, metric="lq", options=o
    )
    assert layer.nuts_version == version and set(layer.frame["code"]) <= set(v["code"])
    assert len(layer.frame) >= 0.95 * len(v) and layer.frame.geometry.notna().all()  # the year's geometry


def test_only_datasets_in_the_store_are_offered_in_catalogue_order(con: Any, mirror_store: Path) -> None:
    offered = mapview.datasets(con)
    assert DATASET in offered
    assert list(offered) == [d.code for d in catalogue.mapped() if d.code in offered]
    old = mapview.open_store(mirror_store)
    try:
        assert mapview.datasets(old) == ("sbs_r_nuts06_r2", "lfst_r_lfe2en2", "us_cmp_states_2016")
        us = mapview.view_options(old, "us_cmp_states_2016")
        assert us.area == "us" and "stars" not in us.metrics and us.nuts_version_for(2016) == "us"
    finally:
        old.close()
