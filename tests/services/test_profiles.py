"""Region profile service on the tiny store: resolution, key figures, specialisations, neighbours."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from cluster_map.errors import InputError
from cluster_map.services import profiles
from tests.app_store import DIVISIONS, metrics_frame, tiny_connection


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


def test_resolve_known_region(con: Any) -> None:
    r = profiles.resolve_region(con, "DE21", dataset="sbs_r_nuts06_r2")
    assert (r.code, r.name, r.country, r.level, r.nuts_version) == ("DE21", "Oberbayern", "DE", 2, "2013")


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("AT1", "'AT1' is not a known region code; did you mean: AT13, AT12, AT11"),
        ("AT", "'AT' has no data in 'sbs_r_nuts06_r2'"),
        ("oberbayern", "did you mean: DE21"),
        ("<script>", "'<script>' is not a known region code"),
    ],
)
def test_unknown_region_names_the_code_and_suggests(con: Any, code: str, message: str) -> None:
    with pytest.raises(InputError) as err:
        profiles.resolve_region(con, code, dataset="sbs_r_nuts06_r2")
    assert message in str(err.value)


def test_profile_of_wien(con: Any) -> None:
    p = profiles.region_profile(con, dataset="sbs_r_nuts06_r2", region="AT13")
    assert p.year == 2015 and p.years == (2010, 2015) and p.sector_level == 2
    assert p.specialisations["sector"].tolist() == ["C29", "F41", "C10", "F43"]  # sorted by LQ
    expected = metrics_frame().query("region == 'AT13' and sector == 'C29' and year == 2015")["lq"].iloc[0]
    assert p.specialisations["lq"].iloc[0] == pytest.approx(expected)
    assert p.clusters["sector"].tolist() == ["C29"]
    figures = p.key_figures.set_index("label")
    assert figures.loc["Persons employed", "value"] == sum(DIVISIONS[2015]["AT13"])
    assert figures.loc["GDP, EUR million", "flags"] == "p"
    assert p.organisations["id"].tolist() == ["EUCO1"]
    assert set(p.neighbours["code"]) == {"AT12", "DE22"}  # a border and a corner (queen contiguity)
    assert set(p.indices["year"]) == {2010, 2015}


def test_profile_min_employment_and_year(con: Any) -> None:
    p = profiles.region_profile(con, dataset="sbs_r_nuts06_r2", region="AT13", year=2010, min_employment=300)
    assert p.year == 2010
    assert set(p.specialisations["sector"]) == {"C29", "F41"}
    missing = profiles.region_profile(con, dataset="sbs_r_nuts06_r2", region="AT13", year=1999)
    assert missing.year == 2015 and "No data for 1999" in missing.notes[0]


def test_wages_sum_is_marked_as_lower_bound(con: Any) -> None:
    figs = profiles.key_figures(con, dataset="sbs_r_nuts06_r2", regions=["AT11"])
    wages = figs[figs["label"] == "Wages and salaries"].set_index("year")
    assert wages.loc[2015, "flags"] == "c"
    assert wages.loc[2015, "note"] == "1 of 2 cells missing: a lower bound"


def test_neighbours_of_a_corner_region(con: Any) -> None:
    r = profiles.resolve_region(con, "AT11", dataset="sbs_r_nuts06_r2")
    assert profiles.neighbours(con, r)["code"].tolist() == ["AT12", "DE21", "DE22"]


@pytest.mark.parametrize(
    ("present", "asked", "kept"),
    [
        (["dataset"], None, "dataset"),
        (["country", "dataset"], None, "dataset"),
        (["country", "external"], None, "external"),
        (["country", "dataset"], "country", "country"),
    ],
)
def test_one_benchmark(present: list[str], asked: str | None, kept: str) -> None:
    frame = pd.DataFrame({"benchmark": present, "x": range(len(present))})
    assert profiles.one_benchmark(frame, asked)["benchmark"].tolist() == [kept]


def test_one_benchmark_unknown() -> None:
    with pytest.raises(InputError, match="'eu'"):
        profiles.one_benchmark(pd.DataFrame({"benchmark": ["dataset"]}), "eu")
