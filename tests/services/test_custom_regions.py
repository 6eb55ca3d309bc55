"""Custom regions on the mirror store: a known value worked from the members' stored counts, the property that a
group of one region is that region (LQ, stars, strong flag as the engine materialised them), parsing, and the
user's own saved list (per account, in the board file)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from cluster_map.errors import InputError
from cluster_map.services import custom_regions
from cluster_map.services.custom_regions import CustomRegion
from cluster_map.store import reports as store
from cluster_map.store.database import connect

DATASET = "sbs_r_nuts06_r2"


@pytest.fixture(scope="module")
def con(mirror_store: Path):  # type: ignore[no-untyped-def]
    c = connect(mirror_store)
    yield c
    c.close()


@pytest.mark.mirror
def test_oresund_lq_is_worked_from_the_members_counts(con) -> None:  # type: ignore[no-untyped-def]
    g = custom_regions.group_profile(con, custom_regions.parse("Øresund=DK01,SE22"), dataset=DATASET)
    rows = store.metric_rows(con, dataset=DATASET, level=2, sector_level=g.sector_level, years=[g.year])
    rows = rows[rows["benchmark"] == g.benchmark]
    dk, se = (rows[(rows["region"] == c)].set_index("sector") for c in ("DK01", "SE22"))
    cells = g.cells.set_index("sector")
    for sector in ("H50", "J62", "C26"):
        e_g = dk.loc[sector, "employment"] + se.loc[sector, "employment"]
        total = dk.loc[sector, "region_total"] + se.loc[sector, "region_total"]
        bench = dk.loc[sector, "sector_total"] / dk.loc[sector, "benchmark_total"]
        assert cells.loc[sector, "employment"] == pytest.approx(e_g)
        assert cells.loc[sector, "lq"] == pytest.approx((e_g / total) / bench, rel=1e-12)
        mean = (dk.loc[sector, "lq"] + se.loc[sector, "lq"]) / 2
        assert abs(cells.loc[sector, "lq"] - mean) > 1e-6  # recomputed, not averaged
    assert g.employment == pytest.approx(dk["region_total"].iloc[0] + se["region_total"].iloc[0])


@pytest.mark.mirror
@pytest.mark.parametrize(
    ("dataset", "codes"),
    [
        (DATASET, ("DE21", "FR10", "DK01", "ITC4", "PL12", "SE22")),
        ("us_cmp_states_2016", ("06", "36", "48")),
        ("lfst_r_lfe2en2", ("DE21", "FR10", "AT13")),
    ],
)
def test_property_group_of_one_region_is_that_region(con, dataset: str, codes: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    for code in codes:
        g = custom_regions.group_profile(con, CustomRegion(code, (code,)), dataset=dataset)
        mine = g.member_cells.set_index("sector").reindex(g.cells["sector"])
        cells = g.cells.set_index("sector")
        assert np.allclose(
            cells["lq"].astype(float).fillna(-1), mine["lq"].astype(float).fillna(-1), rtol=1e-12
        )
        for col in ("stars", "size_star", "specialisation_star", "focus_star", "strong"):
            assert (
                cells[col].astype("Float64").fillna(-1) == mine[col].astype("Float64").fillna(-1)
            ).all(), (code, col)


@pytest.mark.mirror
def test_members_of_different_levels_or_unknown_are_refused(con) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="different levels"):
        custom_regions.group_profile(con, custom_regions.parse("Mixed=DE2,DE21"), dataset=DATASET)
    with pytest.raises(InputError, match="'ZZ99'"):
        custom_regions.group_profile(con, custom_regions.parse("Nowhere=DK01,ZZ99"), dataset=DATASET)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("DK01,SE22", "NAME=CODE,CODE"),
        ("=DK01", "needs a name"),
        ("Øresund=", "no member regions"),
        ("Bad\x07name=DK01", "contains"),
        ("x=DK-01", "not a region code"),
        ("a=" + ",".join(f"R{i}" for i in range(61)), "at most 60"),
    ],
)
def test_parse_errors(text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        custom_regions.parse(text)


def test_parse_and_encode_round_trip() -> None:
    g = custom_regions.parse(" Øresund = dk01, SE22 ,DK01")
    assert g == CustomRegion("Øresund", ("DK01", "SE22")) and custom_regions.parse(g.encode()) == g


def test_saved_custom_regions_belong_to_their_account(tmp_path: Path) -> None:
    db = tmp_path / "board.duckdb"
    custom_regions.save(db, account_id=1, custom=CustomRegion("Øresund", ("DK01", "SE22")))
    custom_regions.save(
        db, account_id=1, custom=CustomRegion("Øresund", ("DK01", "SE22", "SE23"))
    )  # replaced
    custom_regions.save(db, account_id=2, custom=CustomRegion("Mine", ("06",)))
    assert custom_regions.saved(db, account_id=1) == [CustomRegion("Øresund", ("DK01", "SE22", "SE23"))]
    assert custom_regions.saved(db, account_id=2) == [CustomRegion("Mine", ("06",))]
    assert not custom_regions.delete(db, account_id=2, name="Øresund")  # not theirs
    assert (
        custom_regions.delete(db, account_id=1, name="Øresund")
        and custom_regions.saved(db, account_id=1) == []
    )
    assert custom_regions.saved(db, account_id=2) == [CustomRegion("Mine", ("06",))]
