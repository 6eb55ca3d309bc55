"""The metrics service: materialise at ingest, compute on demand, a user's own table, mirror checks."""

from __future__ import annotations

from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest

from cluster_map.errors import InputError
from cluster_map.services import metrics as service
from cluster_map.store import engines
from cluster_map.store import metrics as sm
from tests.store.test_metrics import US_EMP, build_store


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    db = build_store(tmp_path_factory.mktemp("metrics") / "tiny.duckdb")
    service.materialise(db)
    return db


def _table(db: Path, sql: str) -> pd.DataFrame:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.sql(sql).df()
    finally:
        con.close()


def test_materialise_writes_every_dataset(tmp_path: Path) -> None:
    db = build_store(tmp_path / "s.duckdb")
    report = service.materialise(db)
    assert set(report) == {"sbs_r_nuts06_r2", "lfst_r_lfe2en2", "us_cmp_states_2016", "seconds"}
    assert report["us_cmp_states_2016"]["metrics"] == 9
    assert report["us_cmp_states_2016"]["benchmark"] == "external"
    keys = _table(
        db, "SELECT dataset, level, region, sector, year, count(*) n FROM metrics GROUP BY ALL HAVING n > 1"
    )
    assert keys.empty
    # materialising twice replaces, never appends
    service.materialise(db)
    assert service.materialise(db)["lfst_r_lfe2en2"]["metrics"] == report["lfst_r_lfe2en2"]["metrics"]


def test_us_cmp_convention_against_the_benchmark_totals(tiny: Path) -> None:
    m = _table(tiny, "SELECT * FROM metrics WHERE dataset = 'us_cmp_states_2016'").set_index(
        ["region", "sector"]
    )
    traded_mi = US_EMP["26"]["1"][0] + US_EMP["26"]["4"][0]
    assert m.lq[("26", "4")] == pytest.approx((9000 / traded_mi) / (900000 / 45e6))
    assert m.lq[("26", "101")] == pytest.approx(1.0 / (9e6 / 81e6))  # local: the only local cluster
    assert m.strong[("26", "101")] is None or pd.isna(m.strong[("26", "101")])
    assert m.region_total[("26", "4")] == traded_mi


def test_indices_and_sector_levels(tiny: Path) -> None:
    ri = _table(
        tiny, "SELECT * FROM region_indices WHERE dataset = 'sbs_r_nuts06_r2' ORDER BY sector_level, region"
    )
    assert set(ri.sector_level) == {1, 2}
    div = ri[ri.sector_level == 2].set_index("region")
    assert div.related_variety.notna().all()  # divisions have sections as parents
    si = _table(tiny, "SELECT * FROM sector_indices WHERE dataset = 'lfst_r_lfe2en2'")
    assert ((si.gini >= 0) & (si.gini < 1)).all() and set(si.sector) == {"A", "B-E", "F"}


def test_compute_matches_the_materialised_table(tiny: Path) -> None:
    now = service.compute("lfst_r_lfe2en2", db=tiny, year=2015)
    stored = _table(
        tiny,
        "SELECT * FROM metrics WHERE dataset = 'lfst_r_lfe2en2' AND year = 2015 "
        "ORDER BY level, sector_level, year, region, sector",
    )
    np.testing.assert_allclose(now.lq, stored.lq)
    assert now.benchmark.eq("dataset").all()
    country = service.compute("lfst_r_lfe2en2", db=tiny, year=2015, level=1, benchmark="country")
    assert not np.allclose(country.lq, now.lq)


def test_compute_errors(tiny: Path) -> None:
    with pytest.raises(InputError, match="Unknown dataset 'nope'"):
        service.compute("nope", db=tiny)
    with pytest.raises(InputError, match="No data .* year 1990"):
        service.compute("lfst_r_lfe2en2", db=tiny, year=1990)
    with pytest.raises(InputError, match="Unknown engine"):
        service.compute("lfst_r_lfe2en2", db=tiny, engine="polars")
    with pytest.raises(InputError, match="no external benchmark"):
        service.compute("lfst_r_lfe2en2", db=tiny, benchmark="external")
    with pytest.raises(InputError, match="'region' or 'sector'"):
        service.indices("lfst_r_lfe2en2", db=tiny, kind="country")  # type: ignore[arg-type]


def test_indices_and_growth_on_demand(tiny: Path) -> None:
    ri = service.indices("lfst_r_lfe2en2", db=tiny, kind="region", year=2014)
    assert set(ri.region) == {"AT1", "AT2", "BE1", "BE2"}
    si = service.indices("sbs_r_nuts06_r2", db=tiny, kind="sector", level=1)
    assert {"gini", "locational_gini", "hoover", "theil"} <= set(si.columns)
    g = service.growth("lfst_r_lfe2en2", db=tiny, start=2014, end=2015)
    np.testing.assert_allclose(g.cagr, 0.1)  # every cell grew by 10%
    np.testing.assert_allclose(g.national_share + g.industry_mix + g.regional_shift, g.job_creation)


LONG = pd.DataFrame({
    "region": ["A", "A", "B", "B", "C", "C"], "sector": ["x", "y"] * 3,
    "employment": ["100", "300", "200", "200", "50", "150"], "establishments": ["5", "9", "7", "7", "2", "4"],
})  # fmt: skip


def test_compute_long_without_and_with_a_benchmark() -> None:
    out = service.compute_long(LONG)
    assert list(out.columns[: len(service.METRIC_COLUMNS)]) == list(service.METRIC_COLUMNS)
    assert set(out.caveats) == {""} and out.lq_low.isna().all()  # a user's table has no caveats
    a = out.set_index(["region", "sector"])
    assert a.lq[("A", "x")] == pytest.approx(0.25 / (350 / 1000))
    assert out.year.isna().all()
    totals = pd.DataFrame({"sector": ["x", "y"], "employment": ["1000", "9000"]})
    ext = service.compute_long(LONG, benchmark_totals=totals).set_index(["region", "sector"])
    assert ext.lq[("A", "x")] == pytest.approx(0.25 / 0.1)
    assert ext.benchmark.eq("external").all()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            {"employment": ["-1", "300", "200", "200", "50", "150"]},
            r"line 2, column 'employment': '-1' is negative",
        ),
        (
            {"employment": ["abc", "300", "200", "200", "50", "150"]},
            r"line 2, column 'employment': 'abc' is not a number",
        ),
        ({"sector": ["x", "x", "x", "y", "x", "y"]}, r"line 3: duplicate key region='A', sector='x'"),
        (
            {"sector_type": ["traded", "local", "traded", "local", "traded", "Traded?"]},
            r"line 7, column 'sector_type'",
        ),
        ({"region": ["A", "", "B", "B", "C", "C"]}, r"line 3, column 'region': empty"),
    ],
)
def test_compute_long_bad_input(change: dict, message: str) -> None:
    frame = LONG.assign(**change).replace({"": None})
    with pytest.raises(InputError, match=message):
        service.compute_long(frame)


def test_compute_long_missing_column_and_unknown_benchmark_sector() -> None:
    with pytest.raises(InputError, match="missing column"):
        service.compute_long(LONG.drop(columns=["employment"]))
    with pytest.raises(InputError, match=r"\['y'\].*not in the benchmark"):
        service.compute_long(LONG, benchmark_totals=pd.DataFrame({"sector": ["x"], "employment": ["5"]}))


def test_compute_long_us_convention_with_types() -> None:
    frame = LONG.assign(sector_type=["traded", "local"] * 3, year=["2016"] * 6)
    out = service.compute_long(frame).set_index(["region", "sector"])
    # one traded and one local sector: by type, every LQ is 1
    np.testing.assert_allclose(out.lq, 1.0)
    assert out.strong[("A", "y")] is pd.NA or pd.isna(out.strong[("A", "y")])


@pytest.mark.spark
def test_spark_compute_equals_duckdb(tiny: Path) -> None:
    duck = service.compute("us_cmp_states_2016", db=tiny)
    spark = service.compute("us_cmp_states_2016", db=tiny, engine="spark")
    np.testing.assert_allclose(spark.lq, duck.lq, rtol=1e-12)
    assert spark.strong.tolist() == duck.strong.tolist()


# --- the real data ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def real_store(tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest) -> Path:
    """The session's mirror store (helper ingest), with metrics materialised."""
    db = request.getfixturevalue("mirror_store")
    con = engines.duckdb_backend(db)
    try:
        if "us_cmp_states_2016" not in sm.datasets_with_metrics(con):
            pytest.fail("the mirror store has no US metrics: ingest did not call materialise")
    finally:
        con.disconnect()
    return db


@pytest.mark.mirror
def test_us_lqs_on_the_mirror_are_sensible(real_store: Path) -> None:
    con = engines.duckdb_backend(real_store)
    try:
        m = sm.read_table(con, "metrics", dataset="us_cmp_states_2016", year=2016)
        labels = sm._query(con, "SELECT code, label FROM sectors WHERE scheme = 'us_cluster'", [])
    finally:
        con.disconnect()
    code = dict(zip(labels.label, labels.code, strict=True))
    lq = m.set_index(["region", "sector"]).lq
    assert lq[("26", code["Automotive"])] > 3  # Michigan
    assert lq[("53", code["Aerospace Vehicles and Defense"])] > 2  # Washington
    assert m.strong[(m.region == "26") & (m.sector == code["Automotive"])].iloc[0]
    assert len(m) == 50 * 67


@pytest.mark.mirror
def test_weighted_mean_lq_is_one_with_the_dataset_benchmark(real_store: Path) -> None:
    m = service.compute("us_cmp_states_2016", db=real_store, benchmark="dataset")
    w = m.assign(x=m.region_total * m.lq).groupby("sector")
    np.testing.assert_allclose(w.x.sum() / w.region_total.sum(), 1.0, rtol=1e-12)
    sbs = service.compute("sbs_r_nuts06_r2", db=real_store, level=2, year=2014)
    assert sbs.lq.notna().sum() > 10_000
