"""Concentration and specialisation indices: EconGeo known values, hand-worked cases, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cluster_map.errors import StatsError
from cluster_map.stats.concentration import (
    gini,
    hhi,
    hoover,
    krugman,
    locational_gini,
    region_indices,
    sector_indices,
    theil,
    variety,
)

ECONGEO = np.array(
    [[100, 0, 0, 0, 0], [0, 15, 5, 70, 10], [0, 20, 10, 20, 50], [0, 25, 30, 5, 40], [0, 40, 55, 5, 0]],
    dtype=float,
)
FRAME = pd.DataFrame(ECONGEO, index=[f"R{i}" for i in range(1, 6)], columns=[f"I{i}" for i in range(1, 6)])


def test_econgeo_known_values() -> None:
    np.testing.assert_allclose(krugman(ECONGEO), [1.6, 1.0, 0.6, 0.7, 1.1])
    np.testing.assert_allclose(krugman(ECONGEO, halved=True), [0.8, 0.5, 0.3, 0.35, 0.55])
    np.testing.assert_allclose(hhi(ECONGEO), [1.0, 0.525, 0.34, 0.315, 0.465])
    np.testing.assert_allclose(gini(ECONGEO), [0.8, 0.36, 0.54, 0.62, 0.56])


def test_dataframe_in_series_out() -> None:
    k = krugman(FRAME)
    assert isinstance(k, pd.Series) and list(k.index) == list(FRAME.index)
    g = gini(FRAME)
    assert isinstance(g, pd.Series) and g["I1"] == pytest.approx(0.8)
    regions = region_indices(FRAME)
    assert regions.loc["R2", "hhi"] == pytest.approx(0.525)
    sectors = sector_indices(FRAME)
    assert list(sectors.columns) == ["gini", "locational_gini", "hoover", "theil"]


def test_krugman_rest_reference() -> None:
    m = np.array([[10.0, 0.0], [0.0, 10.0]])
    # each region is the opposite of the rest: |1-0| + |0-1| = 2
    np.testing.assert_allclose(krugman(m, reference="rest"), [2.0, 2.0])
    np.testing.assert_allclose(krugman(m), [1.0, 1.0])


def test_locational_gini_hand_worked() -> None:
    # Two equal regions; sector A all in R2: Lorenz (0,0),(.5,0),(1,1): area between = .25
    m = np.array([[0.0, 20.0], [20.0, 0.0]])
    np.testing.assert_allclose(locational_gini(m), [0.25, 0.25])
    np.testing.assert_allclose(locational_gini(m, normalised=True), [0.5, 0.5])
    proportional = np.array([[10.0, 20.0], [30.0, 60.0]])
    np.testing.assert_allclose(locational_gini(proportional), [0.0, 0.0], atol=1e-12)


def test_hoover_and_theil_hand_worked() -> None:
    m = np.array([[0.0, 20.0], [20.0, 0.0]])
    # sector 1 all in R2 (which has half of employment): .5(|0-.5| + |1-.5|) = .5
    np.testing.assert_allclose(hoover(m), [0.5, 0.5])
    np.testing.assert_allclose(theil(m), [np.log(2), np.log(2)])
    np.testing.assert_allclose(theil(m, reference="regions"), [np.log(2), np.log(2)])
    proportional = np.array([[10.0, 20.0], [30.0, 60.0]])
    np.testing.assert_allclose(hoover(proportional), [0.0, 0.0], atol=1e-12)
    np.testing.assert_allclose(theil(proportional), [0.0, 0.0], atol=1e-12)
    # regions reference: sector 1 [10, 30] vs equal shares: .25 ln .5 + .75 ln 1.5
    assert theil(proportional, reference="regions")[0] == pytest.approx(
        0.25 * np.log(0.5) + 0.75 * np.log(1.5)
    )


def test_variety_decomposition_hand_worked() -> None:
    # Four divisions in two sections, equal shares: H = 2 bits, UV = 1 bit, RV = 1 bit.
    frame = pd.DataFrame(
        [[1.0, 1.0, 1.0, 1.0], [2.0, 2.0, 0.0, 0.0]], index=["a", "b"], columns=["C10", "C11", "J58", "J59"]
    )
    groups = {"C10": "C", "C11": "C", "J58": "J", "J59": "J"}
    out = variety(frame, groups)
    assert out.loc["a"].tolist() == pytest.approx([2.0, 1.0, 1.0])
    assert out.loc["b"].tolist() == pytest.approx([1.0, 0.0, 1.0])
    assert region_indices(frame, groups=groups).loc["a", "related_variety"] == pytest.approx(1.0)
    with pytest.raises(StatsError, match="no group"):
        variety(frame, {"C10": "C"})


def test_bad_matrices() -> None:
    with pytest.raises(StatsError, match="Negative employment -1.0 at row 0, column 1"):
        hhi(np.array([[1.0, -1.0]]))
    with pytest.raises(StatsError, match="NaN"):
        krugman(np.array([[1.0, np.nan]]))
    with pytest.raises(StatsError, match="2-D"):
        gini(np.array([1.0, 2.0]))


def test_empty_region_and_sector_are_nan() -> None:
    m = np.array([[0.0, 0.0], [1.0, 2.0], [3.0, 0.0]])
    assert np.isnan(hhi(m)[0]) and np.isnan(krugman(m)[0])
    m2 = np.array([[1.0, 0.0], [2.0, 0.0]])
    assert np.isnan(gini(m2)[1]) and np.isnan(hoover(m2)[1]) and np.isnan(locational_gini(m2)[1])


matrices = arrays(
    np.float64,
    st.tuples(st.integers(2, 8), st.integers(2, 8)),
    elements=st.floats(1.0, 1e5, allow_nan=False, allow_infinity=False),
)


@settings(max_examples=80, deadline=None)
@given(matrices)
def test_index_bounds(m: np.ndarray) -> None:
    n_sectors = m.shape[1]
    h = hhi(m)
    assert np.all(h >= 1.0 / n_sectors - 1e-12) and np.all(h <= 1.0 + 1e-12)
    k = krugman(m)
    assert np.all(k >= -1e-12) and np.all(k <= 2.0)
    assert np.all(krugman(m, halved=True) <= 1.0)
    g = gini(m)
    assert np.all(g >= -1e-12) and np.all(g <= (m.shape[0] - 1) / m.shape[0] + 1e-12)
    lg = locational_gini(m)
    assert np.all(lg >= -1e-12) and np.all(lg <= 0.5)
    assert np.all((hoover(m) >= -1e-12) & (hoover(m) <= 1.0))


@settings(max_examples=50, deadline=None)
@given(matrices, st.floats(1e-3, 1e3))
def test_indices_invariant_under_scaling(m: np.ndarray, k: float) -> None:
    for f in (krugman, hhi, gini, locational_gini, hoover, theil):
        np.testing.assert_allclose(f(m), f(m * k), rtol=1e-9, atol=1e-12)


@settings(max_examples=50, deadline=None)
@given(arrays(np.float64, st.integers(2, 12), elements=st.floats(0.0, 1e4, allow_nan=False)))
def test_gini_matches_pairwise_definition(x: np.ndarray) -> None:
    if x.sum() == 0:
        return
    pairwise = np.abs(x[:, None] - x[None, :]).sum() / (2 * len(x) ** 2 * x.mean())
    assert gini(x[:, None])[0] == pytest.approx(pairwise, abs=1e-12)
