"""Compare service on the tiny store."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cluster_map.errors import InputError
from cluster_map.services import compare
from tests.app_store import DIVISIONS, tiny_connection

DS = "sbs_r_nuts06_r2"


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


def test_two_regions_side_by_side(con: Any) -> None:
    c = compare.compare_regions(con, dataset=DS, regions=["DE21", "AT13"], metric="employment")
    assert c.year == 2015
    assert c.regions["code"].tolist() == ["DE21", "AT13"]
    assert list(c.wide.columns) == ["sector", "sector_label", "DE21", "AT13"]  # the user's order
    wide = c.wide.set_index("sector")
    assert wide.loc["C29", "DE21"] == DIVISIONS[2015]["DE21"][1]
    assert c.wide["sector"].iloc[0] == "C29"  # largest mean employment first
    figs = c.figures.set_index("label")
    assert figs.loc["Persons employed", "AT13"] == sum(DIVISIONS[2015]["AT13"])
    assert figs.loc["Persons employed", "year"] == "2015"  # the year of the latest values is stated
    assert set(c.indices["region"]) == {"DE21", "AT13"} and set(c.indices["year"]) == {2015}


def test_year_and_duplicates(con: Any) -> None:
    c = compare.compare_regions(con, dataset=DS, regions=["AT11", "AT11", "AT12"], year=2010)
    assert c.year == 2010 and c.regions["code"].tolist() == ["AT11", "AT12"]


@pytest.mark.parametrize(
    ("regions", "metric", "message"),
    [
        ([], "lq", "at least one region"),
        ([f"R{i}" for i in range(11)], "lq", "at most 10"),
        (["AT11"], "gdp", "Unknown metric 'gdp'"),
        (["AT11", "XX99"], "lq", "'XX99'"),
    ],
)
def test_bad_requests(con: Any, regions: list[str], metric: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        compare.compare_regions(con, dataset=DS, regions=regions, metric=metric)


def test_region_without_data_in_the_year_is_named(con: Any) -> None:
    c = compare.compare_regions(con, dataset=DS, regions=["AT11", "DE21"], year=2015)
    assert c.notes == ()
    assert list(c.wide.columns[2:]) == ["AT11", "DE21"]


def test_figure_year_names_each_region_when_years_differ() -> None:
    rows = compare.pd.DataFrame({"region": ["AT11", "DE21"], "year": [2010, 2015]})
    assert compare._year_text(rows) == "AT11 2010, DE21 2015"
    assert compare._year_text(rows.assign(year=[2015, 2015])) == "2015"
