"""Growth and shift-share: hand-worked decomposition, identities, bad input."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cluster_map.errors import StatsError
from cluster_map.stats.growth import cagr, growth, shift_share

# Year 0: R1 A100 B100, R2 A100 B200 (E 500, A 200, B 300); year 1: R1 A150 B90, R2 A130 B230
# (E 600, A 280, B 320): g = .2, g_A = .4, g_B = 1/15.
HAND = pd.DataFrame(
    {
        "region": ["R1", "R1", "R2", "R2"] * 2,
        "sector": ["A", "B"] * 4,
        "year": [2010] * 4 + [2015] * 4,
        "employment": [100.0, 100, 100, 200, 150, 90, 130, 230],
    }
)


def test_shift_share_hand_worked() -> None:
    out = shift_share(HAND, start_year=2010, end_year=2015).set_index(["region", "sector"])
    expected = {
        ("R1", "A"): (50, 20, 20, 10),
        ("R1", "B"): (-10, 20, 100 * (1 / 15 - 0.2), 100 * (-0.1 - 1 / 15)),
        ("R2", "A"): (30, 20, 20, -10),
        ("R2", "B"): (30, 40, 200 * (1 / 15 - 0.2), 200 * (0.15 - 1 / 15)),
    }
    for key, values in expected.items():
        got = out.loc[key, ["change", "national_growth", "industry_mix", "regional_shift"]].tolist()
        assert got == pytest.approx(values), key


def test_shift_share_external_totals() -> None:
    totals = pd.DataFrame(
        {"sector": ["A", "B"] * 2, "year": [2010, 2010, 2015, 2015], "employment": [1000.0, 1000, 1000, 1500]}
    )
    out = shift_share(HAND, start_year=2010, end_year=2015, totals=totals).set_index(["region", "sector"])
    # g = 2500/2000 - 1 = .25, g_A = 0, g_B = .5
    assert out.loc[
        ("R1", "A"), ["national_growth", "industry_mix", "regional_shift"]
    ].tolist() == pytest.approx([25.0, -25.0, 50.0])
    with pytest.raises(StatsError, match="no benchmark totals"):
        shift_share(HAND, start_year=2010, end_year=2015, totals=totals[totals.sector == "A"])


def test_entry_and_exit_cells() -> None:
    frame = pd.concat(
        [HAND, pd.DataFrame({"region": ["R3"], "sector": ["A"], "year": [2015], "employment": [20.0]})]
    )
    out = shift_share(frame, start_year=2010, end_year=2015).set_index(["region", "sector"])
    r3 = out.loc[("R3", "A")]
    assert (r3["employment_start"], r3["national_growth"], r3["industry_mix"], r3["regional_shift"]) == (
        0,
        0,
        0,
        20,
    )


def test_growth_table() -> None:
    out = growth(HAND, start_year=2010, end_year=2015).set_index(["region", "sector"])
    assert out.loc[("R1", "A"), "job_creation"] == 50
    assert out.loc[("R1", "A"), "cagr"] == pytest.approx(1.5**0.2 - 1)
    # LQ R1A: 2010 (100/200)/(200/500) = 1.25; 2015 (150/240)/(280/600) = 1.339...
    assert out.loc[("R1", "A"), "lq_change"] == pytest.approx((150 / 240) / (280 / 600) - 1.25)


def test_cagr() -> None:
    np.testing.assert_allclose(
        cagr(np.array([100.0, 0.0, 50.0]), np.array([121.0, 5.0, 0.0]), 2), [0.1, np.nan, -1.0]
    )
    with pytest.raises(StatsError, match="positive"):
        cagr(1.0, 2.0, 0)


def test_bad_years() -> None:
    with pytest.raises(StatsError, match="after"):
        shift_share(HAND, start_year=2015, end_year=2010)
    with pytest.raises(StatsError, match=r"\[2020\]"):
        growth(HAND, start_year=2010, end_year=2020)


@settings(max_examples=60, deadline=None)
@given(
    arrays(
        np.float64, st.tuples(st.integers(2, 5), st.integers(2, 5)), elements=st.integers(0, 1000).map(float)
    ),
    arrays(
        np.float64, st.tuples(st.integers(2, 5), st.integers(2, 5)), elements=st.integers(1, 1000).map(float)
    ),
)
def test_components_sum_to_change(m0: np.ndarray, m1: np.ndarray) -> None:
    r, s = min(m0.shape[0], m1.shape[0]), min(m0.shape[1], m1.shape[1])
    rows = []
    for year, m in ((2000, m0[:r, :s] + 1), (2005, m1[:r, :s])):
        rows += [
            {"region": f"R{i}", "sector": f"S{j}", "year": year, "employment": m[i, j]}
            for i in range(r)
            for j in range(s)
        ]
    out = shift_share(pd.DataFrame(rows), start_year=2000, end_year=2005)
    total = out["national_growth"] + out["industry_mix"] + out["regional_shift"]
    np.testing.assert_allclose(total, out["change"], atol=1e-9)
    np.testing.assert_allclose(out.groupby("sector")["regional_shift"].sum(), 0.0, atol=1e-7)
