"""US Cluster Mapping flags and cluster strength: hand-worked cases with quantile ties, real states."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_map.errors import StatsError
from cluster_map.stats.strength import cluster_strength, cmp_flags

# Four regions with employment + one without, two traded clusters T1, T2 and a local cluster L1.
# T1: LQ [0.5, 1, 1, 2] -> Q25 .875, Q50 1 (tie!), Q75 1.25, Q90 1.7; emp Q25 175; est Q25 17.5
# T2: LQ [.2, .4, .6, .8] -> Q25 .35, Q50 .5, Q75 .65; emp Q25 175; est Q25 1.75; all LQ < 1
HAND = pd.DataFrame(
    {
        "region": ["R1", "R2", "R3", "R4", "R5"] * 3,
        "sector": ["T1"] * 5 + ["T2"] * 5 + ["L1"] * 5,
        "year": 2016,
        "sector_type": ["traded"] * 10 + ["local"] * 5,
        "lq": [0.5, 1.0, 1.0, 2.0, 0.0, 0.2, 0.4, 0.6, 0.8, 0.0, 1, 2, 3, 4, 5],
        "employment": [100.0, 200, 200, 400, 0, 100, 200, 300, 400, 0, 10, 10, 10, 10, 10],
        "establishments": [10.0, 20, 20, 40, 0, 1, 2, 3, 4, 0, 1, 1, 1, 1, 1],
    }
)

EXPECTED = {
    # (region, cluster): qualifying, significant, strong, strong10
    ("R1", "T1"): (False, False, False, False),
    ("R2", "T1"): (True, False, False, False),  # LQ 1 is not > the median 1 (tie)
    ("R3", "T1"): (True, False, False, False),
    ("R4", "T1"): (True, True, True, True),
    ("R5", "T1"): (False, False, False, False),  # no employment: outside the population, False
    ("R1", "T2"): (False, False, False, False),
    ("R2", "T2"): (True, False, False, False),
    ("R3", "T2"): (True, True, False, False),
    ("R4", "T2"): (True, True, False, False),  # LQ .8 >= Q75 .65 but < 1: not strong
    ("R5", "T2"): (False, False, False, False),
}


def test_hand_worked_flags_with_ties() -> None:
    out = cmp_flags(HAND).set_index(["region", "sector"])
    for key, flags in EXPECTED.items():
        got = tuple(bool(out.loc[key, f]) for f in ("qualifying", "significant", "strong", "strong10"))
        assert got == flags, key
    t1 = out.loc[("R1", "T1")]
    assert (t1["lq_q25"], t1["lq_q50"], t1["lq_q75"], t1["lq_q90"]) == pytest.approx((0.875, 1.0, 1.25, 1.7))
    assert (t1["emp_q25"], t1["est_q25"]) == pytest.approx((175.0, 17.5))


def test_local_clusters_have_null_flags() -> None:
    out = cmp_flags(HAND)
    local = out[out.sector_type == "local"]
    for flag in ("qualifying", "significant", "strong", "strong10"):
        assert local[flag].isna().all()
        assert str(out[flag].dtype) == "boolean"


def test_size_ties_fail_the_strict_test() -> None:
    # Equal employment in every region: emp > Q25(emp) fails everywhere -> no flag at all.
    frame = HAND.copy()
    frame.loc[frame.sector == "T1", "employment"] = [50.0, 50, 50, 50, 0]
    out = cmp_flags(frame)
    assert not out[out.sector == "T1"][["qualifying", "strong"]].any().any()


def test_cluster_strength() -> None:
    flags = cmp_flags(HAND)
    strength = cluster_strength(flags).set_index("region")
    # R4: strong in T1 (400) of traded 400 + 400
    assert strength.loc["R4", "cluster_strength"] == pytest.approx(0.5)
    assert strength.loc["R4", "strong_clusters"] == 1
    assert strength.loc["R1", "cluster_strength"] == 0.0
    assert np.isnan(strength.loc["R5", "cluster_strength"])  # no traded employment


def test_computed_lq_against_totals() -> None:
    frame = HAND.drop(columns="lq")
    totals = pd.DataFrame(
        {
            "sector": ["T1", "T2", "L1"],
            "year": 2016,
            "employment": [2000.0, 2000, 100],
            "total": [8000.0, 8000, 100],
        }
    )
    out = cmp_flags(frame, totals=totals).set_index(["region", "sector"])
    # R1 traded total 200; T1 share .5 over benchmark .25 -> LQ 2
    assert out.loc[("R1", "T1"), "lq"] == pytest.approx(2.0)


def test_missing_type_column() -> None:
    with pytest.raises(StatsError, match="sector_type"):
        cmp_flags(HAND.drop(columns=["sector_type", "lq"]))


@pytest.mark.mirror
def test_us_states_2016_from_mirror(mirror: Path) -> None:
    base = mirror / "us_cluster_mapping" / "clustermapping_api_2016"
    raw = pd.read_csv(base / "all_states_clusters.csv", dtype={"region_code_t": str, "cluster_code_t": str})
    frame = pd.DataFrame(
        {
            "region": raw["region_code_t"],
            "sector": raw["cluster_code_t"],
            "year": raw["year_t"],
            "employment": raw["emp_tl"].astype(float),
            "establishments": raw["est_tl"].astype(float),
            "sector_type": raw["cluster_type"],
        }
    )
    us = pd.read_csv(base / "us_national_cluster_totals_2016.csv", dtype={"cluster_code_t": str})
    totals = pd.DataFrame(
        {
            "sector": us["cluster_code_t"],
            "year": us["year"],
            "employment": us["us_emp"].astype(float),
            "total": us["us_type_total_emp"].astype(float),
        }
    )
    out = cmp_flags(frame, totals=totals).set_index(["region", "sector"])
    assert len(out) == 3350 and out["lq"].notna().sum() > 3300
    # Michigan (26) in Automotive (4) and Nevada (32) in Hospitality and Tourism (22): textbook strong clusters.
    for key in (("26", "4"), ("32", "22")):
        assert out.loc[key, "lq"] > 3 and bool(out.loc[key, "strong"])
    traded = out[out.sector_type == "traded"]
    # strong implies significant implies qualifying; strong10 implies strong
    assert not (traded["strong"] & ~traded["significant"]).any()
    assert not (traded["significant"] & ~traded["qualifying"]).any()
    assert not (traded["strong10"] & ~traded["strong"]).any()
    assert 0.2 * len(traded) < traded["strong"].sum() < 0.3 * len(traded)
    strength = cluster_strength(out.reset_index())
    assert strength["cluster_strength"].between(0, 1).all() and len(strength) == 50


def test_quantile_method_is_a_keyword() -> None:
    # 'lower' takes Q75(T1) = 1.0 instead of 1.25: the tied LQ = 1 regions become strong.
    linear = cmp_flags(HAND).set_index(["region", "sector"])
    lower = cmp_flags(HAND, interpolation="lower").set_index(["region", "sector"])
    assert not bool(linear.loc[("R2", "T1"), "strong"])
    assert bool(lower.loc[("R2", "T1"), "strong"]) and bool(lower.loc[("R3", "T1"), "strong"])
    assert lower.loc[("R1", "T1"), "lq_q75"] == 1.0
