"""Materialised metric tables: DDL, the cube read from observations, writes, slice reads.

``build_store`` makes a tiny store from the contract tables (regions, sectors, observations) with
hand-made rows for the three metric datasets; the services and CLI tests reuse it.
"""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cluster_map.errors import StoreError
from cluster_map.schema import OBSERVATION_COLUMNS
from cluster_map.store import engines
from cluster_map.store import metrics as sm
from cluster_map.store.schema import TABLES

US_EMP = {  # state -> cluster -> (emp, est)
    "26": {"1": (2000, 20), "4": (9000, 60), "101": (5000, 400)},
    "53": {"1": (8000, 30), "4": (500, 10), "101": (4000, 300)},
    "06": {"1": (6000, 50), "4": (3000, 40), "101": (20000, 900)},
}


def _obs(
    dataset,
    region,
    sector,
    indicator,
    value,
    *,
    year=2015,
    nuts="2013",
    scheme="nace_r2",
    unit="NR",
    breakdown="",
):
    return {
        "dataset": dataset,
        "region": region,
        "region_original": region,
        "nuts_version": nuts,
        "sector_scheme": scheme,
        "sector": sector,
        "indicator": indicator,
        "unit": unit,
        "breakdown": breakdown,
        "year": year,
        "value": value,
        "flags": "",
    }


def build_store(path: Path) -> Path:
    """A tiny store with SBS, LFS and US CMP observations (values made up for tests)."""
    regions = pd.DataFrame(
        [
            ("AT", "2013", 0, "AT", "nuts"),
            ("AT1", "2013", 1, "AT", "nuts"),
            ("AT2", "2013", 1, "AT", "nuts"),
            ("BE", "2013", 0, "BE", "nuts"),
            ("BE1", "2013", 1, "BE", "nuts"),
            ("BE2", "2013", 1, "BE", "nuts"),
            ("EU28", "2013", 0, None, "aggregate"),
            ("ATZ", "2013", 1, "AT", "extra_regio"),
            ("US", "us", 0, "US", "us_nation"),
            ("26", "us", 1, "US", "us_state"),
            ("53", "us", 1, "US", "us_state"),
            ("06", "us", 1, "US", "us_state"),
        ],
        columns=["code", "nuts_version", "level", "country", "kind"],
    )
    sectors = pd.DataFrame(
        [
            ("nace_r2", "TOTAL", 0, None, None),
            ("nace_r2", "A", 1, None, None),
            ("nace_r2", "B-E", 0, None, None),
            ("nace_r2", "C", 1, None, None),
            ("nace_r2", "F", 1, None, None),
            ("nace_r2", "NRP", 0, None, None),
            ("nace_r2", "C10", 2, "C", None),
            ("nace_r2", "C11", 2, "C", None),
            ("nace_r2", "F41", 2, "F", None),
            ("us_cluster", "1", 1, None, "traded"),
            ("us_cluster", "4", 1, None, "traded"),
            ("us_cluster", "101", 1, None, "local"),
        ],
        columns=["scheme", "code", "level", "parent", "sector_type"],
    )
    obs = []
    lfs = {
        "AT1": [50, 300, 100, 5],
        "AT2": [20, 100, 80, 0],
        "BE1": [10, 400, 90, 2],
        "BE2": [30, 200, 70, 1],
        "EU28": [1, 1, 1, 1],
        "ATZ": [1, 1, 1, 1],
    }
    for year, f in ((2014, 1.0), (2015, 1.1)):
        for region, vals in lfs.items():
            for sector, v in zip(("A", "B-E", "F", "NRP"), vals, strict=True):
                obs.append(
                    _obs(
                        "lfst_r_lfe2en2",
                        region,
                        sector,
                        "EMP",
                        v * f,
                        year=year,
                        unit="THS",
                        breakdown="age=Y_GE15",
                    )
                )
                obs.append(
                    _obs(
                        "lfst_r_lfe2en2",
                        region,
                        sector,
                        "EMP",
                        999.0,
                        year=year,
                        unit="THS",
                        breakdown="age=Y15-24",
                    )
                )
            obs.append(
                _obs(
                    "lfst_r_lfe2en2",
                    region,
                    "TOTAL",
                    "EMP",
                    sum(vals) * f + 15,
                    year=year,
                    unit="THS",
                    breakdown="age=Y_GE15",
                )
            )
    sbs = {
        "AT": [3000, 1000, 2000, 500],
        "AT1": [2000, 600, 1400, 300],
        "AT2": [1000, 400, 600, 200],
        "BE1": [500, 400, 100, 800],
        "BE2": [1500, 500, 1000, 700],
    }
    for region, vals in sbs.items():
        for sector, v in zip(("C", "C10", "C11", "F"), vals, strict=True):
            obs.append(_obs("sbs_r_nuts06_r2", region, sector, "V16110", float(v)))
            obs.append(_obs("sbs_r_nuts06_r2", region, sector, "V11210", float(v) / 100))
    obs.append(_obs("sbs_r_nuts06_r2", "BE1", "F41", "V16110", None))  # ':' cell
    for state, cl in US_EMP.items():
        for code, (emp, est) in cl.items():
            kw = {"year": 2016, "nuts": "us", "scheme": "us_cluster"}
            obs.append(_obs("us_cmp_states_2016", state, code, "emp", float(emp), **kw))
            obs.append(_obs("us_cmp_states_2016", state, code, "est", float(est), **kw))
            obs.append(_obs("us_cmp_states_2016", state, code, "ap", float(emp) * 50, unit="USD_THS", **kw))
    for code, emp, total in (("1", 500000.0, 45e6), ("4", 900000.0, 45e6), ("101", 9e6, 81e6)):
        kw = {"year": 2016, "nuts": "us", "scheme": "us_cluster"}
        obs.append(_obs("us_cmp_totals_2016", "US", code, "emp", emp, **kw))
        obs.append(_obs("us_cmp_totals_2016", "US", code, "type_total_emp", total, **kw))
    observations = pd.DataFrame(obs)[list(OBSERVATION_COLUMNS)]
    con = duckdb.connect(str(path))
    try:
        for name in ("regions", "sectors", "observations"):
            con.execute(TABLES[name])
        con.register("r", regions)
        con.execute("INSERT INTO regions BY NAME SELECT * FROM r")
        con.register("s", sectors)
        con.execute("INSERT INTO sectors BY NAME SELECT * FROM s")
        con.register("o", observations)
        con.execute("INSERT INTO observations BY NAME SELECT * FROM o")
    finally:
        con.close()
    return path


@pytest.fixture()
def tiny(tmp_path: Path) -> Path:
    return build_store(tmp_path / "tiny.duckdb")


def _params(**kw):
    base = dict(
        dataset="lfst_r_lfe2en2",
        scheme="nace_r2",
        employment=("EMP", "age=Y_GE15", 1000.0),
        total_code="TOTAL",
        excluded=("NRP",),
    )
    return sm.cube_params(**{**base, **kw})


def test_cube_of_lfs_follows_the_conventions(tiny: Path) -> None:
    con = engines.duckdb_backend(tiny)
    cube = sm.read_cube(con, _params()).to_pandas()
    assert set(cube.region) == {"AT1", "AT2", "BE1", "BE2"}  # no aggregate, no extra-regio, NUTS 1 only
    assert set(cube.sector) == {"A", "B-E", "F"}  # TOTAL is the denominator, NRP dropped
    assert (cube.sector_level == 1).all() and set(cube.level) == {1}
    at1 = cube[(cube.region == "AT1") & (cube.year == 2014)].set_index("sector")
    assert at1.employment["A"] == 50_000.0  # age=Y_GE15 x 1000, not Y15-24
    assert at1.region_total["A"] == (455 + 15) * 1000.0
    only = sm.read_cube(con, _params(year=2015, level=1)).to_pandas()
    assert set(only.year) == {2015}


def test_totals_from_observations(tiny: Path) -> None:
    con = engines.duckdb_backend(tiny)
    t = (
        sm.read_totals(
            con,
            dataset="us_cmp_totals_2016",
            scheme="us_cluster",
            employment=("emp", "", 1.0),
            total_indicator="type_total_emp",
        )
        .to_pandas()
        .set_index("sector")
    )
    assert t.total["101"] == 81e6 and t.employment["1"] == 500000.0
    assert t.sector_type["4"] == "traded" and (t.country == "US").all()


def test_create_insert_sort_and_read(tiny: Path) -> None:
    con = engines.duckdb_backend(tiny, read_only=False)
    sm.create_tables(con)
    frame = pd.DataFrame({
        "level": [2, 1, 2], "region": ["B", "A", "A"], "sector_level": 1, "sector": ["X", "X", "X"],
        "year": 2015, "employment": [1.0, 2.0, 3.0], "lq": [0.5, np.nan, 2.0],
    })  # fmt: skip
    const = {"dataset": "d", "nuts_version": "2013", "sector_scheme": "nace_r2", "benchmark": "dataset"}
    assert sm.insert_frame(con, "metrics", frame, constants=const) == 3
    with pytest.raises(StoreError, match="Cannot set column"):
        sm.insert_frame(con, "metrics", frame, constants={"lq; DROP TABLE metrics": "x"})
    stored = sm._query(con, "SELECT region, level FROM metrics", [])
    assert list(zip(stored.level, stored.region, strict=True)) == [(1, "A"), (2, "A"), (2, "B")]  # sorted
    got = sm.read_slice(con, dataset="d", level=2, sector="X", year=2015)
    assert got.region.tolist() == ["A", "B"] and got.lq.tolist() == [2.0, 0.5]
    assert sm.read_table(con, "metrics", dataset="d", level=1).region.tolist() == ["A"]
    assert sm.read_table(con, "metrics", dataset="d", sector="Y").empty
    assert sm.datasets_with_metrics(con) == ["d"]
    with pytest.raises(StoreError, match="Unknown metric table"):
        sm.read_table(con, "observations; DROP TABLE x", dataset="d")
    con.disconnect()


def test_reading_a_store_without_metrics_says_what_to_do(tiny: Path) -> None:
    con = engines.duckdb_backend(tiny)
    assert sm.datasets_with_metrics(con) == []
    with pytest.raises(StoreError, match="cluster-map ingest"):
        sm.read_slice(con, dataset="d", level=1, sector="X", year=2015)


def test_missing_store_file(tmp_path: Path) -> None:
    with pytest.raises(StoreError, match="No store"):
        engines.duckdb_backend(tmp_path / "nope.duckdb")
