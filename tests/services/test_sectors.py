"""Sector explorer service on the tiny store: ranking, histogram, shift-share, hot spots, relatives."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_map.errors import InputError
from cluster_map.services import sectors
from tests.app_store import DIVISIONS, tiny_connection

DS = "sbs_r_nuts06_r2"


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


def test_ranking_orders_by_lq_and_applies_minimum(con: Any) -> None:
    r = sectors.ranking(con, dataset=DS, sector="C29", year=2015, level=2)
    assert r["region"].tolist()[:2] == ["DE21", "AT13"] and r["rank"].tolist() == [1, 2, 3, 4, 5]
    big = sectors.ranking(con, dataset=DS, sector="C29", year=2015, level=2, min_employment=1000)
    assert big["region"].tolist() == ["DE21", "AT13"]
    at = sectors.ranking(con, dataset=DS, sector="C29", year=2015, level=2, countries=["AT"])
    assert set(at["country"]) == {"AT"}


def test_ranking_with_no_data_names_the_years(con: Any) -> None:
    with pytest.raises(InputError, match="years with data: 2010, 2015"):
        sectors.ranking(con, dataset=DS, sector="C29", year=2012, level=2)


def test_lq_histogram_counts() -> None:
    hist = sectors.lq_histogram(pd.DataFrame({"lq": [0.1, 0.8, 0.99, 1.0, 1.3, 7.0, np.nan]}))
    counts = dict(zip(hist["lq_class"], hist["regions"], strict=True))
    assert counts["0–0.5"] == 1 and counts["0.8–1"] == 2 and counts["1–1.25"] == 1 and counts["≥ 5"] == 1
    assert hist["regions"].sum() == 6


@settings(deadline=None)  # pandas' first cut is slow on a loaded machine
@given(st.lists(st.floats(min_value=0, max_value=50, allow_nan=False), max_size=40))
def test_lq_histogram_counts_every_region(values: list[float]) -> None:
    assert sectors.lq_histogram(pd.DataFrame({"lq": values}))["regions"].sum() == len(values)


def test_shift_share_components_add_up(con: Any) -> None:
    ss = sectors.shift_share(con, dataset=DS, sector="C29", level=2, start_year=2010, end_year=2015)
    assert len(ss) == 5
    total = ss["national_growth"] + ss["industry_mix"] + ss["regional_shift"]
    assert np.allclose(total, ss["change"])
    de21 = ss.set_index("region").loc["DE21"]
    assert de21["change"] == DIVISIONS[2015]["DE21"][1] - DIVISIONS[2010]["DE21"][1]
    assert de21["cagr"] == pytest.approx(100 * ((3500 / 3000) ** (1 / 5) - 1))
    assert abs(ss["regional_shift"].sum()) < 1e-6  # the dataset is its own benchmark


def test_shift_share_bad_years(con: Any) -> None:
    with pytest.raises(InputError, match="must be after"):
        sectors.shift_share(con, dataset=DS, sector="C29", level=2, start_year=2015, end_year=2010)
    with pytest.raises(InputError, match="2013"):
        sectors.shift_share(con, dataset=DS, sector="C29", level=2, start_year=2010, end_year=2013)


@pytest.mark.parametrize("statistic", ["gi", "lisa"])
def test_hot_spots_are_reproducible_with_a_seed(con: Any, statistic: str) -> None:
    a = sectors.hot_spots(
        con,
        dataset=DS,
        sector="C29",
        year=2015,
        level=2,
        statistic=statistic,  # type: ignore[arg-type]
        permutations=99,
        seed=7,
    )
    b = sectors.hot_spots(
        con,
        dataset=DS,
        sector="C29",
        year=2015,
        level=2,
        statistic=statistic,  # type: ignore[arg-type]
        permutations=99,
        seed=7,
    )
    assert a["p_sim"].tolist() == b["p_sim"].tolist()
    assert len(a) == 5 and a.crs.to_epsg() == 4326
    allowed = (
        {"hot_99", "hot_95", "hot_90", "ns", "cold_90", "cold_95", "cold_99"}
        if statistic == "gi"
        else {"HH", "HL", "LH", "LL", "ns"}
    )
    assert set(a["hotspot"]) <= allowed
    assert a["hotspot"].notna().all()  # every region has data and neighbours
    if statistic == "gi":  # z undefined where the neighbourhood is every region: not significant
        assert (a.loc[a["stat"].isna(), "hotspot"] == "ns").all()


def test_hot_spots_minimum_size_leaves_regions_without_class(con: Any) -> None:
    h = sectors.hot_spots(
        con, dataset=DS, sector="C29", year=2015, level=2, permutations=99, min_employment=500
    )
    labels = h.set_index("code")["label"].to_dict()
    assert labels == {
        "AT11": "no data",
        "AT12": "no data",
        "DE22": "no data",
        "AT13": "too few regions",
        "DE21": "too few regions",
    }
    assert h["hotspot"].isna().all() and (h["reason"] != "").all()


def test_hot_spots_unknown_statistic(con: Any) -> None:
    with pytest.raises(InputError, match="'moran'"):
        sectors.hot_spots(con, dataset=DS, sector="C29", year=2015, level=2, statistic="moran")  # type: ignore[arg-type]


def test_related_sectors_by_co_location(con: Any) -> None:
    rel = sectors.related_sectors(con, dataset=DS, sector="C29", year=2015, level=2)
    assert "C29" not in set(rel["sector"])
    assert rel["proximity"].between(0, 1).all()
    assert rel["proximity"].is_monotonic_decreasing


def test_sector_label_and_indices(con: Any) -> None:
    assert sectors.sector_label(con, scheme="nace_r2", sector="C29") == "C29 · Manufacture of motor vehicles"
    assert sectors.sector_label(con, scheme="nace_r2", sector="ZZ") == "ZZ"
    ind = sectors.sector_indices(con, dataset=DS, sector="C29", level=2)
    assert ind["year"].tolist() == [2010, 2015]
