"""Denominators, confidential bounds, suspect source values and caveat codes: hand-worked cubes."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cluster_map.stats import quality


def cells(rows: list[tuple], **common: object) -> pd.DataFrame:
    """(region, sector, hier_level, parent, employment[, flags]) rows of one year at NUTS level 2."""
    out = []
    for row in rows:
        region, sector, hier, parent, emp, *rest = row
        out.append(
            {
                "level": 2,
                "year": 2014,
                "country": region[:2],
                "region": region,
                "sector": sector,
                "sector_level": max(hier, 1),
                "hier_level": hier,
                "parent": parent,
                "employment": emp,
                "region_total": np.nan,
                "flags": rest[0] if rest else "",
                "caveats": "",
                **common,
            }
        )
    return pd.DataFrame(out)


# Region XX11: sections B 10, C confidential (divisions C10 5, C11 confidential), division S95 2 (its
# section S is not in the dataset). Region XX12: every section published.
DEN = cells(
    [
        ("XX11", "B", 1, None, 10.0),
        ("XX11", "B05", 2, "B", 10.0),
        ("XX11", "C", 1, None, np.nan, "c"),
        ("XX11", "C10", 2, "C", 5.0),
        ("XX11", "C11", 2, "C", np.nan, "c"),
        ("XX11", "S95", 2, "S", 2.0),
        ("XX12", "B", 1, None, 4.0),
        ("XX12", "B05", 2, "B", 4.0),
        ("XX12", "C", 1, None, 6.0),
        ("XX12", "C10", 2, "C", 1.0),
        ("XX12", "C11", 2, "C", 5.0),
        ("XX12", "S95", 2, "S", 1.0),
    ]
)


def test_denominator_is_sum_of_sections_with_confidential_section_as_lower_bound() -> None:
    den = quality.denominators(DEN).set_index("region")
    # B 10 + C (confidential: its published division C10 = 5) + S95 2 = 17, a lower bound
    assert den.loc["XX11", "denominator"] == 17.0
    assert den.loc["XX11", "denominator_level"] == "sections"
    assert bool(den.loc["XX11", "lower_bound"])
    assert den.loc["XX12", "denominator"] == 11.0 and not bool(den.loc["XX12", "lower_bound"])


def test_published_total_wins_and_undeclared_total_changes_nothing() -> None:
    frame = DEN.assign(region_total=np.where(DEN.region == "XX12", 50.0, np.nan))
    den = quality.denominators(frame).set_index("region")
    assert den.loc["XX12", "denominator"] == 50.0 and den.loc["XX12", "denominator_level"] == "total"
    out = quality.annotate(frame)
    assert set(out.loc[out.region == "XX12", "caveats"]) == {""}
    assert (out.loc[out.region == "XX12", "region_total"] == 50.0).all()
    plain = quality.annotate(DEN, total_declared=False)
    assert plain["region_total"].isna().all() and not plain["caveats"].str.contains("denominator").any()


def test_divisions_only_region_uses_sum_of_divisions() -> None:
    frame = cells(
        [("XX21", "C10", 2, "C", 3.0), ("XX21", "C11", 2, "C", 4.0), ("XX21", "C12", 2, "C", np.nan, "c")]
    )
    # no section rows at all but C is a section of the dataset only through its parent code: the
    # divisions stand in for it; C12 confidential makes it a lower bound
    frame = pd.concat([frame, cells([("XX22", "C", 1, None, 9.0)])], ignore_index=True)
    den = quality.denominators(frame).set_index("region")
    assert den.loc["XX21", "denominator"] == 7.0 and bool(den.loc["XX21", "lower_bound"])


def test_confidential_bounds_hand_worked() -> None:
    # Section C 100 with published divisions C10 30, C11 50 and two confidential C12, C13: each of
    # the two lies in [0, 100 - 80] = [0, 20]. With a published total 200 and sections C 100, E 60,
    # the confidential section D lies in [5 (its published division D35), 200 - 160 = 40]; D36
    # (under a confidential section) has no upper bound.
    frame = cells(
        [
            ("XX11", "C", 1, None, 100.0),
            ("XX11", "C10", 2, "C", 30.0),
            ("XX11", "C11", 2, "C", 50.0),
            ("XX11", "C12", 2, "C", np.nan, "c"),
            ("XX11", "C13", 2, "C", np.nan, "c"),
            ("XX11", "D", 1, None, np.nan, "c"),
            ("XX11", "D35", 2, "D", 5.0),
            ("XX11", "D36", 2, "D", np.nan, "c"),
            ("XX11", "E", 1, None, 60.0),
        ],
        region_total=200.0,
    )
    b = quality.confidential_bounds(frame).set_axis(frame.sector)
    assert b.loc["C12"].tolist() == [0.0, 20.0] and b.loc["C13"].tolist() == [0.0, 20.0]
    assert b.loc["D"].tolist() == [5.0, 40.0]
    assert b.loc["D36"].isna().all() and b.loc["C10"].isna().all()
    out = quality.annotate(frame).set_index("sector")
    assert out.loc["C12", "caveats"] == "confidential"
    assert bool(out.loc["C12", "confidential"]) and not bool(out.loc["C10", "confidential"])


def _country(emps: list[float], sector: str = "G47", country: str = "NO") -> list[tuple]:
    return [(f"{country}0{i + 1}", sector, 2, "G", e) for i, e in enumerate(emps)]


def test_sole_region_rule_flags_the_region_and_the_zeros() -> None:
    others = [(f"SE{i:02d}", "G47", 2, "G", 1000.0 + i) for i in range(12)]
    frame = cells(_country([0.0, 0.0, 5000.0, 0.0]) + others + [("SE99", "G47", 2, "G", 0.0)])
    codes = quality.suspect_rules(frame).set_axis(frame.region)
    assert {r for r, c in codes.items() if c} == {"NO01", "NO02", "NO03", "NO04"}
    assert codes["NO03"] == "suspect:sole_region"
    # a sector absent from most regions elsewhere (one refinery per country) is not suspect
    rare = cells(
        _country([0.0, 3000.0], sector="C19")
        + [(f"SE{i:02d}", "C19", 2, "C", 0.0 if i % 2 else 500.0) for i in range(12)]
    )
    assert not quality.suspect_rules(rare).str.len().any()


def test_exceeds_parent_rule() -> None:
    frame = cells(
        [("XX11", "C", 1, None, 100.0), ("XX11", "C10", 2, "C", 120.0), ("XX11", "C11", 2, "C", 99.0)]
    )
    codes = quality.suspect_rules(frame).set_axis(frame.sector)
    assert codes["C10"] == "suspect:exceeds_parent" and codes["C11"] == "" and codes["C"] == ""


@pytest.mark.parametrize(
    ("series", "flagged"),
    [
        ([1000.0, 1100.0, 20000.0, 1200.0], {2010}),  # a spike; 2011 is in line with 2009
        ([1000.0, 1100.0, 20000.0, 21000.0, 22000.0], set()),  # a step that persists: a real change
        ([1000.0, 1100.0, 20000.0, 1200.0, 1150.0], {2010}),  # the year after a spike is not suspect
        ([1000.0, 1100.0, 1050.0, 0.0], {2011}),  # the last year falls to 0: only one neighbour
        ([10.0, 200.0, 12.0, 11.0], set()),  # below the minimum size
    ],
)
def test_year_jump_rule(series: list[float], flagged: set[int]) -> None:
    frame = pd.concat(
        [cells([("XX11", "C10", 2, "C", v)]).assign(year=2008 + i) for i, v in enumerate(series)],
        ignore_index=True,
    )
    codes = quality.suspect_rules(frame).set_axis(frame.year)
    assert {y for y, c in codes.items() if c == "suspect:year_jump"} == flagged


def test_caveat_codes_are_ordered_and_estimates_carried() -> None:
    frame = cells([("UKI3", "C", 1, None, 10.0), ("UKI3", "C10", 2, "C", np.nan, "c")])
    frame["caveats"] = ["estimated:jrc_pop_split", "converted:nuts_rename"]
    out = quality.annotate(frame).set_index("sector")
    assert out.loc["C", "caveats"] == "estimated:jrc_pop_split;denominator:sections"
    # the section C is published: the denominator is exact although its division C10 is not
    assert out.loc["C10", "caveats"] == "confidential;denominator:sections"
