"""Custom regions recomputed from the members' counts: a hand-worked example, missing and mixed
members, and (on the mirror store) the property that a group of one region is that region."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_map.errors import StatsError
from cluster_map.stats.groups import REASON_MEMBER_MISSING, group_cells, thresholds

#: Three regions, two sectors. E_x = 100, E_y = 500, E = 600.
EMPLOYMENT = {
    ("A", "x"): 30.0,
    ("A", "y"): 70.0,
    ("B", "x"): 10.0,
    ("B", "y"): 290.0,
    ("C", "x"): 60.0,
    ("C", "y"): 140.0,
}


def population(employment: dict[tuple[str, str], float] = EMPLOYMENT) -> pd.DataFrame:
    frame = pd.DataFrame(
        [(r, s, e) for (r, s), e in employment.items()], columns=["region", "sector", "employment"]
    )
    frame["region_total"] = frame.groupby("region")["employment"].transform("sum")
    frame["sector_total"] = frame.groupby("sector")["employment"].transform("sum")
    frame["benchmark_total"] = frame["employment"].sum()
    frame["lq"] = (frame["employment"] / frame["region_total"]) / (
        frame["sector_total"] / frame["benchmark_total"]
    )
    return frame


def test_known_values_of_a_group_by_hand() -> None:
    g = group_cells(population(), ["A", "B"], name="AB").set_index("sector")
    # x: E_Gx = 30 + 10 = 40, E_G = 100 + 300 = 400, share 0.1; benchmark share 100/600: LQ 0.6
    assert g.loc["x", "employment"] == 40 and g.loc["x", "region_total"] == 400
    assert g.loc["x", "lq"] == pytest.approx(0.6)
    # not the mean of the members' LQs (1.8 and 0.2 -> 1.0)
    assert g.loc["x", "lq"] != pytest.approx(1.0)
    # y: 360 / 400 = 0.9 against 500/600: LQ 1.08
    assert g.loc["y", "lq"] == pytest.approx(1.08)
    # size: Q90 of y's employment (70, 140, 290) = 140 + 0.8 * 150 = 260 <= 360: star; x: Q90 of (10, 30, 60) = 54 > 40
    assert bool(g.loc["y", "size_star"]) and not bool(g.loc["x", "size_star"])
    # focus (all cells): Q90 of the six shares = 0.7 + 0.5 * (0.9667 - 0.7) = 0.8333 <= 0.9: star
    assert bool(g.loc["y", "focus_star"]) and not bool(g.loc["x", "focus_star"])
    assert not bool(g.loc["y", "specialisation_star"]) and int(g.loc["y", "stars"]) == 2
    # strong: LQ 1.08 >= Q75 of (0.84, 0.84, 1.16) = 1.0 and >= 1; 360 > Q25 of employment (105)
    assert bool(g.loc["y", "strong"]) and not bool(g.loc["x", "strong"])
    assert (g["members"] == 2).all() and g["reason"].isna().all()


def test_thresholds_by_hand() -> None:
    q = thresholds(population()).set_index("sector")
    assert q.loc["x", "q_size"] == pytest.approx(54.0) and q.loc["y", "q_size"] == pytest.approx(260.0)
    assert q.loc["y", "q_lq75"] == pytest.approx(1.0) and q.loc["y", "q_emp25"] == pytest.approx(105.0)
    assert q["q_focus"].nunique() == 1 and q.loc["x", "q_focus"] == pytest.approx(
        0.7 + 0.5 * (290 / 300 - 0.7)
    )


def test_a_confidential_member_cell_leaves_the_group_cell_missing() -> None:
    pop = population()
    pop.loc[(pop["region"] == "B") & (pop["sector"] == "x"), "employment"] = np.nan
    g = group_cells(pop, ["A", "B"], name="AB").set_index("sector")
    assert np.isnan(g.loc["x", "employment"]) and np.isnan(g.loc["x", "lq"])
    assert g.loc["x", "reason"] == REASON_MEMBER_MISSING and pd.isna(g.loc["x", "stars"])
    assert g.loc["y", "employment"] == 360


def test_bad_members_are_named() -> None:
    with pytest.raises(StatsError, match="'Z'"):
        group_cells(population(), ["A", "Z"], name="AZ")
    with pytest.raises(StatsError, match="at least one"):
        group_cells(population(), [], name="none")
    pop = population()
    pop.loc[pop["region"] == "B", "sector_total"] += 1  # another benchmark
    with pytest.raises(StatsError, match="different benchmarks"):
        group_cells(pop, ["A", "B"], name="AB")


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.integers(min_value=0, max_value=5000), min_size=12, max_size=12),
    st.integers(min_value=0, max_value=3),
)
def test_property_group_of_one_is_the_region(values: list[int], pick: int) -> None:
    regions, sectors = ["A", "B", "C", "D"], ["x", "y", "z"]
    emp = {
        (r, s): float(values[i * 3 + j]) + 1.0 for i, r in enumerate(regions) for j, s in enumerate(sectors)
    }
    pop = population(emp)
    region = regions[pick]
    g = group_cells(pop, [region], name=region).set_index("sector").sort_index()
    me = pop[pop["region"] == region].set_index("sector").sort_index()
    assert np.allclose(g["lq"], me["lq"]) and np.allclose(g["employment"], me["employment"])


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(min_value=1, max_value=5000), min_size=12, max_size=12))
def test_property_group_employment_weighted_lq(values: list[int]) -> None:
    """The group's LQ is the members' LQs weighted by their total employment (not their plain mean)."""
    regions, sectors = ["A", "B", "C", "D"], ["x", "y", "z"]
    emp = {(r, s): float(values[i * 3 + j]) for i, r in enumerate(regions) for j, s in enumerate(sectors)}
    pop = population(emp)
    g = group_cells(pop, ["A", "C"], name="AC").set_index("sector")
    mine = pop[pop["region"].isin(["A", "C"])]
    weighted = mine.groupby("sector").apply(
        lambda f: np.average(f["lq"], weights=f["region_total"]), include_groups=False
    )
    assert np.allclose(g["lq"].sort_index(), weighted.sort_index())
