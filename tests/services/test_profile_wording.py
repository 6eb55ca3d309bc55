"""A US state's profile speaks of US states and strong clusters; a NUTS region's keeps its stars.

Service test on the tiny store with its US part (tests/ui/tinystore.py): the level in the catalogue's
words (never "NUTS us level 1"), and no European Cluster Observatory star column for US states.
"""

from __future__ import annotations

import pytest

from cluster_map.services import mapview, profiles
from cluster_map.services.profiles import STAR_COLUMNS
from tests.ui.tinystore import build_tiny_store


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    c = mapview.open_store(str(build_tiny_store(tmp_path_factory.mktemp("tiny_us") / "t.duckdb", us=True)))
    yield c
    c.close()


def test_a_us_state_has_strong_clusters_only(con) -> None:  # type: ignore[no-untyped-def]
    p = profiles.region_profile(con, dataset="us_cmp_states_2016", region="26")
    assert (p.area, p.where, p.has_stars) == ("us", "US states", False)
    assert not set(STAR_COLUMNS) & set(p.specialisations.columns)
    assert not set(STAR_COLUMNS) & set(p.clusters.columns)
    # Michigan: automotive 170,000 of 3.9 M against 190,000 of 29.9 M: LQ 6.9, flagged strong
    assert p.clusters["sector"].tolist() == ["4"] and bool(p.clusters["strong"].iloc[0])


def test_a_nuts_region_keeps_its_stars(con) -> None:  # type: ignore[no-untyped-def]
    p = profiles.region_profile(con, dataset="sbs_r_nuts06_r2", region="AA11")
    assert (p.area, p.where, p.has_stars) == ("europe", "NUTS 2 (2013)", True)
    assert {"stars", "size_star"} <= set(p.specialisations.columns)
