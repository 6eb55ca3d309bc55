"""European Cluster Observatory stars: a hand-worked 3x3 case, the top-10% rule with ties, properties."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from cluster_map.errors import StatsError
from cluster_map.stats.specialisation import location_quotients
from cluster_map.stats.stars import observatory_stars, star_thresholds, top_share

# Regions R1..R3 x categories A, B, C. Totals: A 90, B 60, C 250, all 400.
# Shares of region: R1 [.6 .3 .1], R2 [.2 .2 .6], R3 [.05 .05 .9]; benchmark [.225 .15 .625].
# LQ: R1 [2.667 2.0 .16], R2 [.889 1.333 .96], R3 [.222 .333 1.44].
HAND = pd.DataFrame(
    {
        "region": ["R1"] * 3 + ["R2"] * 3 + ["R3"] * 3,
        "sector": ["A", "B", "C"] * 3,
        "year": 2015,
        "employment": [60.0, 30, 10, 20, 20, 60, 10, 10, 180],
    }
)


def test_hand_worked_3x3() -> None:
    out = observatory_stars(HAND, focus_scope="sector").set_index(["region", "sector"])
    # With 3 regions, Q90 = x1 + 0.8 (x2 - x1): only the largest value (or ties with it) is "top 10%".
    expected = {
        # region, sector: (size, specialisation, focus, stars)
        ("R1", "A"): (True, True, True, 3),  # largest A, LQ 2.67, largest share .6
        ("R1", "B"): (True, True, True, 3),  # LQ exactly 2.0 counts (>=)
        ("R1", "C"): (False, False, False, 0),
        ("R2", "A"): (False, False, False, 0),
        ("R2", "B"): (False, False, False, 0),
        ("R2", "C"): (False, False, False, 0),
        ("R3", "A"): (False, False, False, 0),
        ("R3", "B"): (False, False, False, 0),
        ("R3", "C"): (True, False, True, 2),  # largest C (180) and share .9, LQ 1.44 < 2
    }
    for key, (size, spec, focus, stars) in expected.items():
        row = out.loc[key]
        assert (row["size_star"], row["specialisation_star"], row["focus_star"], row["stars"]) == (
            size,
            spec,
            focus,
            stars,
        ), key
    assert str(out["stars"].dtype) == "Int8"


def test_focus_across_all_cells_hand_worked() -> None:
    # The Observatory's reading: focus ranks the share among all nine cells. Shares sorted
    # .05 .05 .1 .2 .2 .3 .6 .6 .9: Q90 = x7 + .2 (x8 - x7) = .6 + .2 x .3 = .66, so only R3-C (.9) is
    # focused; R1-A and R1-B (share .6, the largest of their categories) lose the focus star they
    # get when focus is ranked within the category.
    out = observatory_stars(HAND).set_index(["region", "sector"])
    within = observatory_stars(HAND, focus_scope="sector").set_index(["region", "sector"])
    assert out.loc[("R1", "A"), ["size_star", "specialisation_star", "focus_star", "stars"]].tolist() == [
        True,
        True,
        False,
        2,
    ]
    assert int(out.loc[("R1", "B"), "stars"]) == 2 and int(within.loc[("R1", "B"), "stars"]) == 3
    assert bool(out.loc[("R3", "C"), "focus_star"]) and int(out.loc[("R3", "C"), "stars"]) == 2
    assert int(out["focus_star"].sum()) == 1 and int(within["focus_star"].sum()) == 3
    # within a category the share orders regions exactly as the LQ does
    lq = location_quotients(HAND)
    for _, g in lq.groupby("sector"):
        assert g["share_region"].rank().tolist() == g["lq"].rank().tolist()


def test_thresholds_are_parameters() -> None:
    out = observatory_stars(HAND, lq_threshold=1.4, size_quantile=0.3).set_index(["region", "sector"])
    assert bool(out.loc[("R3", "C"), "specialisation_star"])  # 1.44 >= 1.4
    # size Q30 of C [10, 60, 180] = 10 + 0.6*50 = 40 -> R2 and R3
    assert bool(out.loc[("R2", "C"), "size_star"]) and not bool(out.loc[("R1", "C"), "size_star"])


def test_focus_differs_from_size() -> None:
    # R2 is small but focused on C: largest share, not largest employment.
    frame = HAND.copy()
    frame.loc[(frame.region == "R2"), "employment"] = [1.0, 1.0, 38.0]
    out = observatory_stars(frame).set_index(["region", "sector"])
    assert not bool(out.loc[("R2", "C"), "size_star"]) and bool(out.loc[("R2", "C"), "focus_star"])
    assert not bool(out.loc[("R3", "C"), "focus_star"]) and bool(out.loc[("R3", "C"), "size_star"])


@pytest.mark.parametrize(
    ("values", "rule", "expected"),
    [
        # Q90 of [5, 10, 10] = 10 -> both tied maxima are top
        ([10, 10, 5], "quantile", [True, True, False]),
        ([10, 10, 5], "rank", [True, True, False]),  # ceil(0.3) = 1, ties share rank 1
        # 1..10: Q90 = 9.1 -> only 10; rank: ceil(1.0) = 1 -> only 10
        (list(range(1, 11)), "quantile", [False] * 9 + [True]),
        (list(range(1, 11)), "rank", [False] * 9 + [True]),
        # 1..11: Q90 = 10 exactly -> 10 and 11; rank: ceil(1.1) = 2 -> 10 and 11
        (list(range(1, 12)), "quantile", [False] * 9 + [True, True]),
        (list(range(1, 12)), "rank", [False] * 9 + [True, True]),
        # 1..20 with a tie at the cut: [.., 18, 19, 19]; Q90 = 18 + .1*(19-18)=18.1 -> the two 19s
        (list(range(1, 19)) + [19, 19], "quantile", [False] * 18 + [True, True]),
        # Q90 of [1,1,1,1,1,1,9,9,9,10] = 9.1 -> only 10; rank: ceil(1)=1 -> only 10
        ([10, 9, 9, 9, 1, 1, 1, 1, 1, 1], "quantile", [True] + [False] * 9),
        # rank 2 for all three 9s > 1 -> only 10
        ([10, 9, 9, 9, 1, 1, 1, 1, 1, 1], "rank", [True] + [False] * 9),
        # zero is never top, NaN is not ranked
        ([0, 0, 0], "quantile", [False, False, False]),
        ([4, np.nan, 1], "quantile", [True, None, False]),
    ],
)
def test_top_share_rules_and_ties(values: list[float], rule: str, expected: list[bool | None]) -> None:
    flags = top_share(pd.Series(values, dtype=float), None, quantile=0.9, rule=rule)  # type: ignore[arg-type]
    got = [None if pd.isna(v) else bool(v) for v in flags]
    assert got == expected


def test_star_threshold_is_linear_interpolation() -> None:
    assert star_thresholds([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]) == pytest.approx(9.1)
    assert star_thresholds([10, 60, 180], quantile=0.9) == pytest.approx(156.0)


def test_minimum_employment_removes_stars() -> None:
    out = observatory_stars(HAND, min_employment=50, focus_scope="sector").set_index(["region", "sector"])
    assert out.loc[("R1", "B"), "stars"] == 0  # 30 employees < 50
    assert out.loc[("R1", "A"), "stars"] == 3


def test_precomputed_lq_is_used_and_null_region() -> None:
    frame = HAND.copy()
    frame.loc[frame.region == "R2", "employment"] = 0.0
    lq = location_quotients(frame)
    out = observatory_stars(lq)
    r2 = out[out.region == "R2"]
    assert r2["stars"].isna().all() and r2["focus_star"].isna().all()
    assert not r2["size_star"].any()


def test_bad_quantile() -> None:
    with pytest.raises(StatsError, match="between 0 and 1"):
        observatory_stars(HAND, size_quantile=1.0)
    with pytest.raises(StatsError, match="Unknown rule"):
        observatory_stars(HAND, rule="median")  # type: ignore[arg-type]


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(2, 7), st.integers(2, 5)),
        elements=st.integers(0, 10_000).map(float),
    ),
    st.sampled_from([0.5, 2.0, 1024.0, 0.0078125]),  # powers of two scale exactly,
)
def test_stars_invariant_under_scaling(m: np.ndarray, k: float) -> None:
    rows = [
        {"region": f"R{r}", "sector": f"S{s}", "year": 2016, "employment": m[r, s]}
        for r in range(m.shape[0])
        for s in range(m.shape[1])
    ]
    frame = pd.DataFrame(rows)
    a = observatory_stars(frame)
    b = observatory_stars(frame.assign(employment=frame.employment * k))
    for column in ("size_star", "specialisation_star", "focus_star", "stars"):
        pd.testing.assert_series_equal(a[column], b[column])


def test_quantile_interpolation_keyword() -> None:
    values = pd.Series(np.arange(1.0, 11.0))
    assert top_share(values, None, quantile=0.9).sum() == 1  # linear: Q90 = 9.1
    assert top_share(values, None, quantile=0.9, interpolation="lower").sum() == 2  # Q90 = 9
