"""Industrial ecosystems as sums of NACE divisions: a hand-worked cube, the catalogue's coverage, the mirror."""

from __future__ import annotations

import math

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_map import catalogue
from cluster_map.stats import ecosystems

MEMBERS = {"mobility": ("C29", "C30", "H49"), "aero": ("C30",), "textiles": ("C13",)}


def _cube(rows: list[tuple[str, str, float | None]], *, total: float | None = None) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "level": 2,
            "sector_level": 2,
            "year": 2014,
            "region": [r for r, _, _ in rows],
            "sector": [s for _, s, _ in rows],
            "country": [r[:2] for r, _, _ in rows],
            "employment": [v for _, _, v in rows],
            "establishments": float("nan"),
            "wages": float("nan"),
            "sector_type": None,
            "parent": None,
            "region_total": total,
        }
    )


def test_hand_worked_sums_lower_bounds_and_totals() -> None:
    # Region AA1: C29 100, C30 20, H49 30, C13 50, F41 800 (not in any ecosystem); no published total.
    # Region BB1: C29 confidential (:), C30 10, H49 5, C13 absent; published total 1,000.
    cube = pd.concat(
        [
            _cube(
                [
                    ("AA1", "C29", 100.0),
                    ("AA1", "C30", 20.0),
                    ("AA1", "H49", 30.0),
                    ("AA1", "C13", 50.0),
                    ("AA1", "F41", 800.0),
                ]
            ),
            _cube([("BB1", "C29", None), ("BB1", "C30", 10.0), ("BB1", "H49", 5.0)], total=1000.0),
        ],
        ignore_index=True,
    )
    out = ecosystems.aggregate(cube, MEMBERS, sector_level=9).set_index(["region", "sector"])
    # AA1 mobility = 100 + 20 + 30 = 150; aero = C30 = 20 (a division may belong to two ecosystems)
    assert out.loc[("AA1", "mobility"), "employment"] == 150.0
    assert out.loc[("AA1", "aero"), "employment"] == 20.0
    assert out.loc[("AA1", "textiles"), "employment"] == 50.0
    # E_r without a published total: every division with a value, 100 + 20 + 30 + 50 + 800 = 1,000, never the
    # sum over ecosystems (150 + 20 + 50 = 220, with C30 twice)
    assert set(out.loc["AA1", "region_total"]) == {1000.0}
    # BB1: C29 is ':' -> mobility = 10 + 5 = 15, a lower bound naming C29; E_r is the published 1,000
    assert out.loc[("BB1", "mobility"), "employment"] == 15.0
    assert out.loc[("BB1", "mobility"), "missing"] == "C29"
    assert out.loc[("BB1", "mobility"), "note"] == "lower bound: C29 not published"
    assert out.loc[("BB1", "mobility"), "region_total"] == 1000.0
    # BB1 has no C13 row: no textiles row (absent = no activity in the sparse cube)
    assert ("BB1", "textiles") not in out.index
    assert (out["sector_level"] == 9).all() and out.loc[("AA1", "mobility"), "note"] == ""


def test_every_member_unpublished_gives_unknown_not_zero() -> None:
    out = ecosystems.aggregate(_cube([("AA1", "C30", None), ("AA1", "F41", 5.0)]), MEMBERS, sector_level=9)
    aero = out[out["sector"] == "aero"].iloc[0]
    assert math.isnan(aero["employment"]) and aero["note"] == "C30 not published"


def test_only_division_rows_are_read() -> None:
    cube = _cube([("AA1", "C", 999.0), ("AA1", "C29", 7.0)])
    cube.loc[0, "sector_level"] = 1
    out = ecosystems.aggregate(cube, MEMBERS, sector_level=9)
    assert out.set_index("sector").loc["mobility", "employment"] == 7.0


def _reference(cube: pd.DataFrame, members: dict[str, tuple[str, ...]]) -> dict[tuple[int, str, str], tuple]:
    """The definition, cell by cell in plain Python: {(year, region, ecosystem): (E, divisions, missing)}."""
    out: dict[tuple[int, str, str], tuple] = {}
    for (year, region), cell in cube.groupby(["year", "region"]):
        values = dict(zip(cell["sector"], cell["employment"], strict=True))
        for eco, ds in members.items():
            present = sorted(d for d in ds if d in values)
            if not present:
                continue
            have = [d for d in present if not pd.isna(values[d])]
            total = sum(values[d] for d in have) if have else math.nan
            out[(int(year), region, eco)] = (
                total,
                ";".join(have),
                ";".join(d for d in present if d not in have),
            )
    return out


_CELL = st.tuples(
    st.sampled_from([2014, 2015]),
    st.sampled_from(["AA1", "AA2", "BB1"]),
    st.sampled_from(["C29", "C30", "H49", "C13", "F41"]),
    st.one_of(st.none(), st.floats(0, 1e6, allow_nan=False)),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(_CELL, min_size=1, max_size=30, unique_by=lambda c: c[:3]))
def test_sums_and_member_lists_match_the_cell_by_cell_definition(cells: list[tuple]) -> None:
    cube = _cube([(r, s, v) for _, r, s, v in cells])
    cube["year"] = [y for y, _, _, _ in cells]
    out = ecosystems.aggregate(cube, MEMBERS, sector_level=9)
    got = {
        (int(r.year), r.region, r.sector): (r.employment, r.divisions, r.missing) for r in out.itertuples()
    }
    want = _reference(cube, MEMBERS)
    assert got.keys() == want.keys()
    for key, (e, have, missing) in want.items():
        ge, ghave, gmissing = got[key]
        assert (math.isnan(e) and math.isnan(ge)) or ge == pytest.approx(e, rel=1e-12), key
        assert (ghave, gmissing) == (have, missing), key


def test_catalogue_declares_the_fourteen_ecosystems_once() -> None:
    slugs = [e.slug for e in catalogue.ECOSYSTEMS]
    assert len(slugs) == 14 and len(set(slugs)) == 14
    assert "mobility-transport-automotive" in slugs
    for e in catalogue.ECOSYSTEMS:
        assert e.divisions and all(len(d) == 3 for d in e.divisions), e.slug
        cov = e.coverage()
        assert len(cov["exact"]) + len(cov["misses"]) + sum(
            1 for c in e.published if len(c) > 3 and c[:3] in e.divisions
        ) == len(e.published)
    aero = catalogue.ecosystem("aerospace-defence").coverage()
    assert aero["misses"] == ("C254", "C3316") and aero["adds"] == (
        "C30 (published: C303)",
        "C30 (published: C304)",
    )
    with pytest.raises(catalogue.UnknownEntry, match="mobility-transport-automotive"):
        catalogue.ecosystem("automotive")


def test_mirror_ecosystem_rows(mirror_store) -> None:  # type: ignore[no-untyped-def]
    import duckdb

    con = duckdb.connect(str(mirror_store), read_only=True)
    try:
        rows = (
            con.sql("""SELECT region, sector, employment, reason, stars FROM metrics
                          WHERE dataset = 'sbs_r_nuts06_r2' AND year = 2014 AND level = 2
                            AND sector_scheme = 'ecosystems'""")
            .to_df()
            .set_index(["region", "sector"])
        )
        labels = con.sql("SELECT code FROM sectors WHERE scheme = 'ecosystems'").to_df()
    finally:
        con.close()
    assert len(labels) == 14
    # CZ02 2014 (Střední Čechy, Škoda): C29 41,983 + C30 2,547 + G45 11,772 + H49 22,555 + H50 76 + H52 8,529
    assert rows.loc[("CZ02", "mobility-transport-automotive"), "employment"] == 87462.0
    # DE91 2014 (Braunschweig): C29, C30 and H52 are confidential in the source: a lower bound, said so
    de91 = rows.loc[("DE91", "mobility-transport-automotive")]
    assert de91["employment"] == 13670.0 + 14426.0 + 47.0
    assert "lower bound: C29, C30, H52 not published" in de91["reason"]
    assert {s for _, s in rows.index} == {e.slug for e in catalogue.ECOSYSTEMS}
