"""Imperfect official data on real mirror rows: denominators, confidential cells, suspect values, estimates."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_map.services import metrics as service
from cluster_map.store import engines
from cluster_map.store import metrics as sm

pytestmark = pytest.mark.mirror
SBS = "sbs_r_nuts06_r2"


@pytest.fixture(scope="module")
def sbs_2014(mirror_store: Path) -> pd.DataFrame:
    con = engines.duckdb_backend(mirror_store)
    try:
        return sm.read_table(con, "metrics", dataset=SBS, level=2, year=2014)
    finally:
        con.disconnect()


def _cell(m: pd.DataFrame, region: str, sector: str) -> pd.Series:
    return m[(m.region == region) & (m.sector == sector)].iloc[0]


def test_de91_2014_denominator_is_the_sum_of_its_sections(sbs_2014: pd.DataFrame) -> None:
    # Braunschweig: B 893, C 176,502, F 33,642, G 101,586, H 36,204, I 34,025, J 12,728, L 6,003, M 46,904,
    # N 40,195 and S95 720 sum to 489,402 persons; D and E are confidential, so it is a lower bound.
    assert 893 + 176502 + 33642 + 101586 + 36204 + 34025 + 12728 + 6003 + 46904 + 40195 + 720 == 489402
    de91 = sbs_2014[sbs_2014.region == "DE91"]
    assert set(de91.region_total) == {489402.0}  # every sector level: sections, divisions, groups
    g47 = _cell(sbs_2014, "DE91", "G47")
    assert g47.caveats == "denominator:sections;denominator:lower_bound"
    assert g47.share_region == pytest.approx(66604 / 489402)
    # Volkswagen's C29 is confidential: no LQ, its reason, and the bounds of C minus its published divisions
    c29 = _cell(sbs_2014, "DE91", "C29")
    assert np.isnan(c29.lq) and c29.reason == "confidential"
    assert c29.caveats.split(";")[0] == "confidential"
    assert c29.lq_low == 0.0 and c29.lq_high > 5


def test_ie01_and_the_regions_whose_old_denominator_fell_short(sbs_2014: pd.DataFrame) -> None:
    divisions = sbs_2014[sbs_2014.sector_level == 2]
    published = divisions.groupby("region").employment.sum()
    ratio = published / divisions.groupby("region").region_total.first()
    # the old denominator (the sum of the published divisions) was 71% of DE91's and 76% of IE01's
    assert ratio["DE91"] == pytest.approx(347711 / 489402)
    assert round(ratio["IE01"], 2) == 0.76
    assert 25 <= int((ratio < 0.95).sum()) <= 32


def test_no04_trade_2014_is_caveated_and_unstarred(mirror_store: Path, sbs_2014: pd.DataFrame) -> None:
    for sector in ("G45", "G46", "G47"):
        no04 = _cell(sbs_2014, "NO04", sector)
        assert "suspect:sole_region" in no04.caveats.split(";"), sector
        assert no04.stars == 0 and not no04.size_star and not no04.focus_star and no04.strong is not True
        assert no04.reason.startswith("suspect source value")
        oslo = _cell(sbs_2014, "NO01", sector)
        assert oslo.employment == 0 and "suspect:sole_region" in oslo.caveats
    # a year earlier Norway reports its trade region by region: nothing suspect, and NO04 retail is no
    # three-star cluster in 2014
    con = engines.duckdb_backend(mirror_store)
    try:
        m13 = sm.read_table(con, "metrics", dataset=SBS, level=2, year=2013)
    finally:
        con.disconnect()
    norway = m13[m13.region.str.startswith("NO") & m13.sector.isin(["G45", "G46", "G47"])]
    assert len(norway) == 21 and not norway.caveats.str.contains("suspect").any()


def test_uki3_uki4_2012_are_estimated(mirror_store: Path) -> None:
    con = engines.duckdb_backend(mirror_store)
    try:
        m = sm.read_table(con, "metrics", dataset=SBS, level=2, year=2012)
        m13 = sm.read_table(con, "metrics", dataset=SBS, level=2, year=2013)
    finally:
        con.disconnect()
    london = m[m.region.isin(["UKI3", "UKI4"]) & (m.sector_level == 2) & m.employment.notna()]
    assert len(london) > 50
    assert london.caveats.str.contains("estimated:jrc_pop_split").all()
    # the split gives both halves the same profile, hence the same LQs: the caveat is why
    lq = london.pivot_table(index="sector", columns="region", values="lq")
    np.testing.assert_allclose(lq["UKI3"], lq["UKI4"], rtol=1e-9)
    native = m13[m13.region.isin(["UKI3", "UKI4"])]
    assert not native.caveats.str.contains("estimated").any()


def test_compute_on_demand_carries_the_same_caveats(mirror_store: Path, sbs_2014: pd.DataFrame) -> None:
    now = service.compute(SBS, db=mirror_store, level=2, year=2014)
    key = ["region", "sector"]
    a = now[now.sector_level == 2].set_index(key).sort_index()
    b = sbs_2014[sbs_2014.sector_level == 2].set_index(key).sort_index()
    assert a.caveats.equals(b.caveats)
    np.testing.assert_allclose(a.lq, b.lq, rtol=1e-12)
    assert a.stars.astype("Int64").equals(b.stars.astype("Int64"))


@pytest.fixture(scope="module")
def con(mirror_store: Path):  # type: ignore[no-untyped-def]
    from cluster_map.store.database import connect

    c = connect(mirror_store)
    yield c
    c.close()


def test_map_tooltip_gives_bounds_and_estimates(con) -> None:  # type: ignore[no-untyped-def]
    from cluster_map.maps.choropleth import paint
    from cluster_map.maps.classes import lq_classes
    from cluster_map.services import mapview

    v = mapview.map_values(con, dataset=SBS, level=2, sector="C29", year=2014, metric="lq").set_index("code")
    reason = v.loc["DE91", "reason"]
    assert reason.startswith(
        "confidential in the source (flag c); from the NACE hierarchy the LQ lies between 0.00"
    )
    assert f"{v.loc['DE91', 'lq_high']:,.2f}" in reason
    london = mapview.map_values(con, dataset=SBS, level=2, sector="C", year=2012, metric="lq")
    est = london.set_index("code").loc[["UKI3", "UKI4"]]
    assert est["estimated"].all() and est["caveat"].str.contains("population weights").all()
    p = paint(london, value_col="value", label_col="name", classes=lq_classes())
    assert p.payload["outline"].get("UKI3") == 1 and "DE11" not in p.payload["outline"]
    assert "Caveat: estimated: split from a region of an older NUTS version" in (p.tooltip("UKI3") or "")


def test_profile_lists_confidential_sectors_with_bounds(con) -> None:  # type: ignore[no-untyped-def]
    from cluster_map.services import profiles

    p = profiles.region_profile(con, dataset=SBS, region="DE91", year=2014)
    conf = p.confidential.set_index("sector")
    assert "C29" in conf.index and conf.loc["C29", "lq_low"] == 0.0 and conf.loc["C29", "lq_high"] > 5
    assert p.indices["published_share"].between(0.5, 1.0).all()
    assert (p.specialisations["caveat"].str.contains("lower bound")).all()


def test_known_source_problems_list_norway_2014(con) -> None:  # type: ignore[no-untyped-def]
    from cluster_map.services import catalogue

    problems = catalogue.known_source_problems(con)
    norway = problems[(problems.country == "NO") & (problems.year == 2014) & (problems.rule == "sole_region")]
    assert len(norway) == 1
    assert {"G45", "G46", "G47"} <= set(norway.sectors.iloc[0].split(", "))
    assert "NO04" in norway.regions.iloc[0] and int(norway.cells.iloc[0]) >= 21
