"""Shares and location quotients: EconGeo known values, benchmarks, bad input, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cluster_map.errors import StatsError
from cluster_map.stats.specialisation import (
    REASON_BELOW_MINIMUM,
    REASON_MISSING,
    REASON_REGION_ZERO,
    location_quotient_matrix,
    location_quotients,
    region_sector_matrix,
)

# Balland's EconGeo (R) example matrix: regions R1..R5 x industries I1..I5.
ECONGEO = np.array(
    [[100, 0, 0, 0, 0], [0, 15, 5, 70, 10], [0, 20, 10, 20, 50], [0, 25, 30, 5, 40], [0, 40, 55, 5, 0]],
    dtype=float,
)


def long_frame(matrix: np.ndarray, year: int = 2016) -> pd.DataFrame:
    rows = [
        {"region": f"R{r + 1}", "sector": f"I{s + 1}", "year": year, "employment": matrix[r, s]}
        for r in range(matrix.shape[0])
        for s in range(matrix.shape[1])
    ]
    return pd.DataFrame(rows)


def test_econgeo_lq_row_r2_long_frame() -> None:
    out = location_quotients(long_frame(ECONGEO))
    row = out[out["region"] == "R2"].sort_values("sector")["lq"].to_numpy()
    np.testing.assert_allclose(row, [0, 0.75, 0.25, 3.5, 0.5])


def test_econgeo_lq_matrix() -> None:
    lq = location_quotient_matrix(ECONGEO)
    np.testing.assert_allclose(lq[1], [0, 0.75, 0.25, 3.5, 0.5])
    np.testing.assert_allclose(lq[0], [5, 0, 0, 0, 0])


def test_matrix_and_long_forms_agree() -> None:
    out = location_quotients(long_frame(ECONGEO))
    m = out.pivot(index="region", columns="sector", values="lq").to_numpy()
    np.testing.assert_allclose(m, location_quotient_matrix(ECONGEO))
    back = region_sector_matrix(long_frame(ECONGEO))
    np.testing.assert_array_equal(back.to_numpy(), ECONGEO)


def test_shares_and_totals_columns() -> None:
    out = location_quotients(long_frame(ECONGEO)).set_index(["region", "sector"])
    cell = out.loc[("R2", "I4")]
    assert cell["region_total"] == 100 and cell["sector_total"] == 100 and cell["benchmark_total"] == 500
    assert cell["share_region"] == pytest.approx(0.7)
    assert cell["share_sector"] == pytest.approx(0.7)
    assert pd.isna(cell["lq_reason"])


def test_years_are_separate_benchmarks() -> None:
    frame = pd.concat([long_frame(ECONGEO, 2015), long_frame(ECONGEO * 3, 2016)], ignore_index=True)
    out = location_quotients(frame)
    a = out[out.year == 2015]["lq"].to_numpy()
    b = out[out.year == 2016]["lq"].to_numpy()
    np.testing.assert_allclose(a, b)
    assert out[out.year == 2016]["benchmark_total"].iloc[0] == 1500


def test_country_benchmark() -> None:
    # Two countries; each region is compared with its own country.
    frame = pd.DataFrame(
        {
            "region": ["DE1", "DE1", "DE2", "DE2", "FR1", "FR1"],
            "sector": ["A", "B"] * 3,
            "employment": [30.0, 10, 10, 30, 50, 50],
        }
    )
    out = location_quotients(frame, by=(), benchmark="country").set_index(["region", "sector"])
    # DE: A 40/80 = .5; DE1 share A = .75 -> LQ 1.5
    assert out.loc[("DE1", "A"), "lq"] == pytest.approx(1.5)
    assert out.loc[("FR1", "A"), "lq"] == pytest.approx(1.0)
    dataset = location_quotients(frame, by=()).set_index(["region", "sector"])
    # all: A 90/180 = .5 too, but FR1 vs dataset: .5/.5 = 1; DE1 vs dataset: .75/.5
    assert dataset.loc[("DE1", "A"), "lq"] == pytest.approx(1.5)
    assert out.loc[("DE1", "A"), "benchmark_total"] == 80


def test_external_totals_us_convention() -> None:
    # Hand-worked US CMP convention: traded against traded totals, local against local.
    frame = pd.DataFrame(
        {
            "region": ["01"] * 3 + ["02"] * 3,
            "sector": ["1", "2", "101"] * 2,
            "year": 2016,
            "employment": [30.0, 10, 60, 10, 30, 60],
            "sector_type": ["traded", "traded", "local"] * 2,
        }
    )
    totals = pd.DataFrame(
        {
            "sector": ["1", "2", "101"],
            "year": 2016,
            "employment": [100.0, 300, 500],  # us_emp
            "total": [1000.0, 1000, 2000],  # us_type_total_emp
        }
    )
    out = location_quotients(frame, benchmark="totals", totals=totals, within_type=True).set_index(
        ["region", "sector"]
    )
    # region 01 traded total 40: cluster 1 share .75, benchmark 100/1000 -> LQ 7.5
    assert out.loc[("01", "1"), "lq"] == pytest.approx(7.5)
    assert out.loc[("01", "2"), "lq"] == pytest.approx((10 / 40) / 0.3)
    # local: 60/60 over 500/2000 -> 4
    assert out.loc[("01", "101"), "lq"] == pytest.approx(4.0)
    assert out.loc[("01", "1"), "region_total"] == 40


def test_external_totals_without_total_column_sum_per_type() -> None:
    frame = pd.DataFrame({"region": ["a", "a"], "sector": ["x", "y"], "employment": [1.0, 1.0]})
    totals = pd.DataFrame({"sector": ["x", "y", "z"], "employment": [10.0, 30.0, 60.0]})
    out = location_quotients(frame, by=(), benchmark="totals", totals=totals)
    np.testing.assert_allclose(out["lq"], [0.5 / 0.1, 0.5 / 0.3])


def test_sector_missing_from_totals_is_named() -> None:
    frame = pd.DataFrame({"region": ["a", "a"], "sector": ["x", "q"], "employment": [1.0, 1.0]})
    totals = pd.DataFrame({"sector": ["x"], "employment": [10.0]})
    with pytest.raises(StatsError, match=r"sector='q'"):
        location_quotients(frame, by=(), benchmark="totals", totals=totals)


def test_zero_region_total_gives_null_with_reason() -> None:
    frame = long_frame(ECONGEO)
    frame.loc[frame.region == "R3", "employment"] = 0.0
    out = location_quotients(frame)
    r3 = out[out.region == "R3"]
    assert r3["lq"].isna().all() and r3["share_region"].isna().all()
    assert set(r3["lq_reason"]) == {REASON_REGION_ZERO}
    assert out[out.region != "R3"]["lq_reason"].isna().all()


def test_missing_cell_counts_as_zero_in_totals() -> None:
    frame = long_frame(ECONGEO)
    frame.loc[(frame.region == "R2") & (frame.sector == "I1"), "employment"] = np.nan
    out = location_quotients(frame)
    cell = out[(out.region == "R2") & (out.sector == "I1")].iloc[0]
    assert np.isnan(cell["lq"]) and cell["lq_reason"] == REASON_MISSING
    np.testing.assert_allclose(
        out[out.region == "R2"].sort_values("sector")["lq"].iloc[1:], [0.75, 0.25, 3.5, 0.5]
    )


def test_minimum_size_rule() -> None:
    out = location_quotients(long_frame(ECONGEO), min_employment=10)
    small = out[out.employment < 10]
    assert small["lq"].isna().all() and set(small["lq_reason"]) == {REASON_BELOW_MINIMUM}
    assert out[out.employment >= 10]["lq"].notna().all()
    regional = location_quotients(long_frame(ECONGEO), min_region_employment=101)
    assert regional["lq"].isna().all()


@pytest.mark.parametrize(
    ("column", "value", "pattern"),
    [
        ("employment", -5, r"Negative employment .*region='R1'.*employment=-5"),
        ("employment", "many", r"Non-numeric employment .*employment='many'"),
    ],
)
def test_bad_values_are_named(column: str, value: object, pattern: str) -> None:
    frame = long_frame(ECONGEO).astype({"employment": object})
    frame.loc[0, column] = value
    with pytest.raises(StatsError, match=pattern):
        location_quotients(frame)


def test_duplicate_keys_are_named() -> None:
    frame = pd.concat([long_frame(ECONGEO), long_frame(ECONGEO).iloc[[7]]], ignore_index=True)
    with pytest.raises(StatsError, match=r"Duplicate keys .*region='R2', sector='I3', year=2016"):
        location_quotients(frame)


def test_unknown_sectors_and_bad_options() -> None:
    with pytest.raises(StatsError, match=r"Unknown sector codes .*sector='I5'"):
        location_quotients(long_frame(ECONGEO), known_sectors=["I1", "I2", "I3", "I4"])
    with pytest.raises(StatsError, match="Unknown benchmark"):
        location_quotients(long_frame(ECONGEO), benchmark="world")  # type: ignore[arg-type]
    with pytest.raises(StatsError, match="needs a totals frame"):
        location_quotients(long_frame(ECONGEO), benchmark="totals")
    with pytest.raises(StatsError, match="missing"):
        location_quotients(long_frame(ECONGEO).drop(columns="year"))
    with pytest.raises(StatsError, match="sector_type"):
        location_quotients(long_frame(ECONGEO), within_type=True)


matrices = arrays(
    np.float64,
    st.tuples(st.integers(2, 6), st.integers(2, 6)),
    elements=st.floats(1.0, 1e6, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_shares_sum_to_one(m: np.ndarray) -> None:
    out = location_quotients(long_frame(m))
    np.testing.assert_allclose(out.groupby("region")["share_region"].sum(), 1.0)
    np.testing.assert_allclose(out.groupby("sector")["share_sector"].sum(), 1.0)


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_employment_weighted_mean_lq_is_one(m: np.ndarray) -> None:
    out = location_quotients(long_frame(m))
    weighted = (out["region_total"] / out["benchmark_total"] * out["lq"]).groupby(out["sector"]).sum()
    np.testing.assert_allclose(weighted, 1.0)


@settings(max_examples=60, deadline=None)
@given(matrices, st.floats(1e-3, 1e3))
def test_lq_and_shares_invariant_under_scaling(m: np.ndarray, k: float) -> None:
    a = location_quotients(long_frame(m))
    b = location_quotients(long_frame(m * k))
    for column in ("lq", "share_region", "share_sector"):
        np.testing.assert_allclose(a[column], b[column], rtol=1e-9)
