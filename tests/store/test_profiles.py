"""Store queries of the region profile, against the tiny hand-made store (known values)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cluster_map.store import profiles
from tests.app_store import DIVISIONS, tiny_connection


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


def test_region_lookup_and_names(con: Any) -> None:
    rows = profiles.region_lookup(con, "AT13")
    assert rows["nuts_version"].tolist() == ["2013"] and rows["level"].tolist() == [2]
    assert profiles.region_lookup(con, "ZZ99").empty
    names = profiles.region_names(con, ["DE21", "AT11", "XX"], nuts_version="2013")
    assert names["code"].tolist() == ["AT11", "DE21"]


def test_regions_with_data(con: Any) -> None:
    rows = profiles.regions_with_data(con, dataset="sbs_r_nuts06_r2")
    assert rows["code"].tolist() == ["AT11", "AT12", "AT13", "DE21", "DE22"]
    assert set(rows["country"]) == {"AT", "DE"}


def test_region_metrics_one_year(con: Any) -> None:
    rows = profiles.region_metrics(con, dataset="sbs_r_nuts06_r2", regions=["AT13"], year=2015)
    assert len(rows) == 6  # 2 sections + 4 divisions
    c29 = rows.set_index("sector").loc["C29"]
    assert c29["employment"] == 1100
    assert c29["sector_label"] == "Manufacture of motor vehicles" and c29["scheme_level"] == 2


def test_observation_totals_sum_sections_and_carry_flags(con: Any) -> None:
    emp = profiles.observation_totals(
        con, dataset="sbs_r_nuts06_r2", regions=["AT11"], indicator="V16110", sector_level=1
    )
    by_year = emp.set_index("year")
    assert by_year.loc[2010, "value"] == sum(DIVISIONS[2010]["AT11"])
    assert by_year.loc[2015, "cells"] == 2 and by_year.loc[2015, "cells_missing"] == 0
    wages = profiles.observation_totals(
        con, dataset="sbs_r_nuts06_r2", regions=["AT11"], indicator="V13320", sectors=["C29", "C10"]
    )
    assert wages["flags"].tolist() == ["c", "c"] and wages["cells_missing"].tolist() == [1, 1]
    assert wages.set_index("year").loc[2010, "value"] == pytest.approx(100 * 0.03)


def test_gdp_units_and_values(con: Any) -> None:
    assert profiles.indicator_units(con, dataset="nama_10r_2gdp", indicator="GDP") == ["MIO_EUR"]
    gdp = profiles.unit_totals(
        con, dataset="nama_10r_2gdp", regions=["AT13"], indicator="GDP", unit="MIO_EUR"
    )
    assert gdp["year"].tolist() == [2010, 2015] and gdp["flags"].tolist() == ["", "p"]


def test_region_indices_and_geometry(con: Any) -> None:
    ind = profiles.region_indices(con, dataset="sbs_r_nuts06_r2", regions=["AT13", "DE21"])
    assert set(ind["region"]) == {"AT13", "DE21"}
    geo = profiles.level_geometry(con, nuts_version="2013", level=2, country="DE")
    assert geo["code"].tolist() == ["DE21", "DE22"]


@pytest.mark.parametrize("hostile", ["AT13' OR '1'='1", "'; DROP TABLE metrics; --", "%", "AT13\x00"])
def test_hostile_codes_are_values_not_sql(con: Any, hostile: str) -> None:
    assert profiles.region_lookup(con, hostile).empty
    assert profiles.region_metrics(con, dataset="sbs_r_nuts06_r2", regions=[hostile]).empty
    assert len(profiles.regions_with_data(con, dataset="sbs_r_nuts06_r2")) == 5
