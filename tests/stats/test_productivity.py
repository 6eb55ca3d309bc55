"""Productivity against the sector's European level: hand-worked values, the star, the bands, the mirror."""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_map.stats import productivity as prod


def _frame() -> pd.DataFrame:
    # sector S: A 100 persons EUR 4.0m (40,000 each), B 300 persons 9.0m (30,000), C 100 persons 2.5m (25,000),
    # D 50 persons, wage confidential (NaN). Level W_s / E_s = 15.5m / 500 = 31,000 (D left out of both sums).
    return pd.DataFrame(
        {
            "level": 2,
            "sector_level": 2,
            "year": 2014,
            "sector": "S",
            "region": ["A", "B", "C", "D"],
            "employment": [100.0, 300.0, 100.0, 50.0],
            "wages": [4.0, 9.0, 2.5, float("nan")],
        }
    )


def test_hand_worked_ratios_star_and_bands() -> None:
    out = prod.productivity(_frame(), min_employment=0.0).set_index(_frame()["region"])
    assert out.loc["A", "wage_per_person"] == pytest.approx(40_000.0)
    assert out.loc["A", "wage_ratio"] == pytest.approx(40_000 / 31_000)  # 1.2903 -> high
    assert out.loc["B", "wage_ratio"] == pytest.approx(30_000 / 31_000)  # 0.9677 -> medium
    assert out.loc["C", "wage_ratio"] == pytest.approx(25_000 / 31_000)  # 0.8065 -> basic
    assert list(out["performance"][:3]) == ["high", "medium", "basic"]
    # Q90 of (1.2903, 0.9677, 0.8065) by linear interpolation = 0.9677 + 0.8 * (1.2903 - 0.9677) = 1.2258: only A
    assert list(out["productivity_star"][:3]) == [True, False, False]
    assert math.isnan(out.loc["D", "wage_ratio"]) and pd.isna(out.loc["D", "productivity_star"])
    assert out.loc["D", "performance"] is None


def test_minimum_employment_withholds_the_star_but_keeps_the_level() -> None:
    out = prod.productivity(_frame(), min_employment=150.0)
    assert not out["productivity_star"].iloc[0]  # A has 100 < 150 persons employed
    assert out["wage_ratio"].iloc[0] == pytest.approx(40_000 / 31_000)


def test_bands_edges() -> None:
    assert prod.performance_band(1.10) == "high" and prod.performance_band(1.0999) == "medium"
    assert prod.performance_band(0.90) == "medium" and prod.performance_band(0.8999) == "basic"
    assert prod.performance_band(float("nan")) is None


def test_levels_are_per_sector() -> None:
    two = pd.concat([_frame(), _frame().assign(sector="T", wages=[8.0, 18.0, 5.0, 1.0])], ignore_index=True)
    out = prod.productivity(two)
    # T pays twice as much everywhere (D now published too): its ratios are its own, not S's doubled
    t = out[two["sector"] == "T"]["wage_ratio"].to_numpy()
    assert t[0] == pytest.approx(80_000 / (32.0e6 / 550))


def test_mirror_oberbayern_motor_vehicles(mirror_store) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    con = duckdb.connect(str(mirror_store), read_only=True)
    try:
        rows = (
            con.sql("""SELECT region, employment, wages, wage_per_person, wage_ratio, productivity_star,
                                 performance FROM metrics WHERE dataset = 'sbs_r_nuts06_r2' AND level = 2
                                 AND year = 2014 AND sector = 'C29'""")
            .to_df()
            .set_index("region")
        )
    finally:
        con.close()
    de21 = rows.loc["DE21"]  # Oberbayern 2014: V13320 7,802.1 EUR million, V16110 104,228 persons employed
    assert de21["wage_per_person"] == pytest.approx(7802.1e6 / 104228)
    ok = rows["wages"].notna() & (rows["employment"] > 0)
    level = rows.loc[ok, "wages"].sum() * 1e6 / rows.loc[ok, "employment"].sum()
    assert de21["wage_ratio"] == pytest.approx(7802.1e6 / 104228 / level)
    assert bool(de21["productivity_star"]) and de21["performance"] == "high"
    q90 = rows["wage_ratio"].dropna().quantile(0.9)  # linear, as the size star
    expected = (
        (rows["wage_ratio"] >= q90) & (rows["employment"] >= 1000)
    ).sum()  # CLUSTER_MAP_MIN_EMPLOYMENT
    assert rows["productivity_star"].fillna(False).sum() == expected > 10


def test_vectorised_bands_equal_performance_band_per_cell() -> None:
    """The bands of :func:`productivity` are :func:`performance_band` of each ratio (NaN, inf, ties)."""
    import numpy as np
    import pandas as pd

    from cluster_map.stats.productivity import BASIC, HIGH, performance_band, productivity

    rng = np.random.default_rng(3)
    wages = np.concatenate([rng.lognormal(0, 0.4, 200), [np.nan, 0.0, 1.0, 1.0]])
    emp = np.concatenate([rng.lognormal(3, 1, 200), [5.0, 0.0, 10.0, 10.0]])
    frame = pd.DataFrame({"level": 2, "sector_level": 2, "year": 2020, "sector": "C10",
                          "employment": emp, "wages": wages})  # fmt: skip
    out = productivity(frame, factor=1.0)
    expected = [performance_band(r) if pd.notna(r) else None for r in out["wage_ratio"]]
    assert out["performance"].tolist() == expected
    assert {"high", "medium", "basic"} <= set(expected) and None in expected
    assert performance_band(HIGH) == "high" and performance_band(BASIC) == "medium"


# --- value added per person employed -----------------------------------------------------------------
def test_value_added_reading_names_its_columns_and_counts_a_published_loss() -> None:
    # GVA EUR million: A 6.0 / 100 persons, B -1.0 (a published loss) / 50, C confidential / 50.
    # Level (6.0 - 1.0)e6 / 150 = 33,333.3; A 60,000 -> 1.8, B -20,000 -> -0.6; C left out of both sums.
    frame = pd.DataFrame({"level": 3, "sector_level": 1, "year": 2021, "sector": "C",
                          "employment": [100.0, 50.0, 50.0], "value_added": [6.0, -1.0, float("nan")]})  # fmt: skip
    out = prod.productivity(frame, value="value_added")
    assert {"gva_per_person", "gva_ratio"} <= set(out.columns) and "wage_ratio" not in out.columns
    assert out["gva_ratio"].iloc[0] == pytest.approx(60_000 / (5e6 / 150))
    assert out["gva_ratio"].iloc[1] == pytest.approx(-20_000 / (5e6 / 150))
    assert math.isnan(out["gva_ratio"].iloc[2])
    assert out["performance"].tolist() == ["high", "basic", None]
    with pytest.raises(ValueError, match="value_added"):
        prod.productivity(frame, value="turnover")  # type: ignore[arg-type]


_cells = st.lists(
    st.tuples(
        st.sampled_from(["C", "F"]),
        st.floats(1.0, 1e6),  # persons employed
        st.one_of(st.none(), st.floats(0.01, 1e5)),  # GVA EUR million; None: ':' or ': c'
    ),
    min_size=1,
    max_size=40,
)


@settings(max_examples=200, deadline=None)
@given(_cells)
def test_employment_weighted_mean_of_the_value_added_ratio_is_one_per_sector(cells: list[Any]) -> None:
    frame = pd.DataFrame(cells, columns=["sector", "employment", "value_added"]).assign(
        level=3, sector_level=1, year=2021
    )
    frame["value_added"] = frame["value_added"].astype("float64")
    out = prod.productivity(frame, value="value_added")
    for _, rows in frame.join(out).groupby("sector"):
        has = rows["gva_ratio"].notna()
        assert has.sum() == rows["value_added"].notna().sum()  # every published cell has a ratio
        if has.any():
            e = rows.loc[has, "employment"]
            assert (e * rows.loc[has, "gva_ratio"]).sum() / e.sum() == pytest.approx(1.0, rel=1e-9)
