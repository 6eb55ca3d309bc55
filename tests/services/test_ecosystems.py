"""Industrial ecosystems through the services on the mirror store: map options, ranking, profile, search."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cluster_map import catalogue
from cluster_map.services import mapview, methodology, profiles, sectors

DS = "sbs_r_nuts06_r2"


@pytest.fixture(scope="module")
def con(mirror_store: Path) -> Iterator[Any]:
    c = mapview.open_store(mirror_store)
    yield c
    c.close()


def test_search_finds_ecosystems_by_name_and_keyword() -> None:
    opts = [
        ("C29", "Manufacture of motor vehicles"),
        ("mobility-transport-automotive", "Mobility – Transport – Automotive"),
        ("aerospace-defence", "Aerospace & defence"),
        ("tourism", "Tourism"),
    ]
    assert sectors.search_sectors(opts, "automotive") == ["mobility-transport-automotive"]
    assert sectors.search_sectors(opts, "Aerospace") == ["aerospace-defence"]
    assert sectors.search_sectors(opts, "tourism") == ["tourism"]
    assert sectors.search_sectors(opts, "cars") == ["mobility-transport-automotive"]  # a catalogued keyword
    assert sectors.search_sectors(opts, "motor vehicles") == ["C29", "mobility-transport-automotive"]
    assert sectors.search_sectors(opts, "") == [c for c, _ in opts]
    assert sectors.search_sectors(opts, "zeppelin") == []


def test_map_offers_ecosystems_and_ranks_them(con: Any) -> None:
    opts = mapview.view_options(con, DS)
    codes = [c for c, _ in opts.sectors]
    assert {e.slug for e in catalogue.ECOSYSTEMS} <= set(codes)
    for word in ("automotive", "aerospace", "tourism"):
        assert sectors.search_sectors(opts.sectors, word), word
    layer = mapview.map_layer(
        con,
        dataset=DS,
        level=2,
        sector="mobility-transport-automotive",
        year=2014,
        metric="stars",
        options=opts,
    )
    assert layer.n_with_data > 200 and layer.sector_label == "Mobility – Transport – Automotive"
    r = sectors.ranking(con, dataset=DS, sector="tourism", year=2014, level=2, min_employment=1000)
    assert r["rank"].iloc[0] == 1 and r["lq"].is_monotonic_decreasing
    assert r["region"].iloc[0].startswith(("EL", "ES", "PT", "IT", "HR", "AT", "CY", "MT"))


def test_profile_by_ecosystem(con: Any) -> None:
    p = profiles.region_profile(
        con, dataset=DS, region="CZ02", year=2014, sector_level=catalogue.ECOSYSTEM_LEVEL
    )
    assert set(p.specialisations["sector"]) <= {e.slug for e in catalogue.ECOSYSTEMS}
    top = p.specialisations.iloc[0]
    assert top["sector"] == "mobility-transport-automotive" and top["lq"] > 2
    # region indices are not computed over overlapping ecosystems
    assert p.indices.empty


def test_methodology_table_lists_coverage() -> None:
    t = methodology.ecosystem_table()
    assert len(t) == 14
    aero = t.set_index("code").loc["aerospace-defence"]
    assert aero["divisions"] == "C30" and "C254" in aero["leaves_out"]


def test_wage_ratio_is_a_map_metric(con: Any) -> None:
    layer = mapview.map_layer(con, dataset=DS, level=2, sector="C29", year=2014, metric="wage_ratio")
    t = layer.table().set_index("code")
    assert t.loc["DE21", "value"] > 1.5 and t.loc["DE21", "rank"] <= 5
    assert layer.spec.classes == "ratio_breaks"


def test_grow_next_on_the_mirror(con: Any) -> None:
    from cluster_map.services import grow_next

    g = grow_next.grow_next(con, dataset=DS, region="CZ02", year=2014, top=5)
    c = g.candidates
    assert len(c) == 5 and c["rank"].tolist() == [1, 2, 3, 4, 5] and c["density"].is_monotonic_decreasing
    assert (c["lq"].fillna(0) < 1).all()  # not yet specialised
    assert set(g.abroad["sector"]) <= set(c["sector"]) and not g.abroad["country"].eq("CZ").any()
    assert (g.abroad["lq"] >= 1).all()
    # the log-supermodularity check on the 2014 NUTS 2 x division matrix: about half the adjacent blocks
    # hold, so ECI/PCI are not shown as complexity rankings (PCI blanked)
    assert 0.4 < g.check.share < 0.6 and not g.complexity_shown and c["pci"].isna().all()
    e = grow_next.grow_next(con, dataset=DS, region="DE91", year=2014, scheme="ecosystems")
    assert set(e.candidates["sector"]) <= {x.slug for x in catalogue.ECOSYSTEMS}
    assert "mobility-transport-automotive" in set(
        e.candidates["sector"]
    )  # C29 confidential: LQ a lower bound < 1
