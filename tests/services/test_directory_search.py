"""Directory search on the real mirror store: synonyms, stemming, filters (table-driven), paging,
and where the organisations are placed (location precision)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cluster_map.errors import InputError
from cluster_map.services import organisations as orgs
from cluster_map.services.organisations import OrgQuery

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def con(mirror_store: Path) -> Iterator[Any]:
    from cluster_map.store.database import connect

    c = connect(mirror_store)
    yield c
    c.close()


def names(con: Any, q: OrgQuery) -> list[str]:
    return orgs.find(con, q).rows["name"].tolist()


@pytest.mark.parametrize(
    ("query", "includes", "excludes"),
    [
        # the case: Aerospace Valley is tagged "aeronautics; space", never "aerospace"
        (OrgQuery(text="aerospace", countries=("FR",)), ["Aerospace Valley"], ["Minalogic"]),
        (OrgQuery(text="aeronautics"), ["Aerospace Valley", "Hamburg Aviation e.V."], []),
        (OrgQuery(text="Aerospace Val"), ["Aerospace Valley"], []),  # a part of the name still finds it
        (OrgQuery(sectors=("C30",), countries=("FR",)), ["Aerospace Valley"], []),  # by NACE code
        (OrgQuery(text="C30", countries=("FR",)), ["Aerospace Valley"], []),
        (
            OrgQuery(sectors=("aerospace",), countries=("US",)),
            ["Space Florida", "Ohio Aerospace Institute"],
            [],
        ),
        (OrgQuery(text="automotive", countries=("AT",)), ["Automotive Cluster Styria"], []),
        (OrgQuery(sectors=("C29",), countries=("AT",)), ["Automobil-Cluster (Business Upper Austria)"], []),
        (
            OrgQuery(text="clusters", countries=("SE",)),
            ["Clusters of Sweden"],
            [],
        ),  # stem: clusters ~ cluster
        (
            OrgQuery(text="photonics", countries=("US",)),
            ["Rochester Regional Photonics Cluster"],
            ["Space Florida"],
        ),
        (OrgQuery(labels=("gold",)), ["Basque Energy Cluster"], ["Aerospace Valley"]),
        (OrgQuery(kinds=("network",), countries=("SE",)), ["Clusters of Sweden"], ["Mobile Heights"]),
        (OrgQuery(region="12"), ["Space Florida", "Florida Photonics Cluster"], ["Colorado Space Coalition"]),
    ],
)
def test_search_finds_and_leaves_out(
    con: Any, query: OrgQuery, includes: list[str], excludes: list[str]
) -> None:
    found = names(con, query)
    assert set(includes) <= set(found), (query, found)
    assert not set(excludes) & set(found)


def test_member_size_filter_uses_the_parsed_total(con: Any) -> None:
    rows = orgs.find(con, OrgQuery(sizes=("large",))).rows
    assert len(rows) and rows["members_total"].between(150, 499).all()
    both = orgs.find(con, OrgQuery(sizes=("small", "very_large"))).rows
    assert ((both["members_total"] < 50) | (both["members_total"] >= 500)).all()


def test_partnership_filter_finds_named_members(con: Any) -> None:
    found = names(
        con, OrgQuery(partnership="LASER-GO - Strategic Cluster Partnership in Photonics for Health")
    )
    assert {"Optics Valley", "Human Technology Styria"} <= set(found)


def test_paging_and_sorting(con: Any) -> None:
    everything = orgs.find(con, OrgQuery(text="energy", sort="members_total", descending=True))
    page2 = orgs.find(con, OrgQuery(text="energy", sort="members_total", descending=True, page=2, per_page=5))
    assert page2.total == everything.total and page2.pages == -(-everything.total // 5)
    assert page2.rows["id"].tolist() == everything.rows["id"].tolist()[5:10]
    totals = everything.rows["members_total"].dropna().tolist()
    assert totals == sorted(totals, reverse=True)


@pytest.mark.parametrize(
    ("query", "message"),
    [
        (OrgQuery(sectors=("spaceships",)), "Unknown sector 'spaceships'"),
        (OrgQuery(labels=("platinum",)), "Unknown label"),
        (OrgQuery(sizes=("huge",)), "Unknown member size"),
        (OrgQuery(sort="website"), "Cannot sort by 'website'"),
        (OrgQuery(page=0, per_page=10), "page >= 1"),
        (OrgQuery(partnership="Nope"), "Unknown partnership 'Nope'"),
        (OrgQuery(text="x" * 201), "200 characters"),
    ],
)
def test_bad_filters_say_what_to_do(con: Any, query: OrgQuery, message: str) -> None:
    with pytest.raises(InputError, match=message):
        orgs.find(con, query)


def test_location_precision_of_the_real_directories(con: Any) -> None:
    rows = orgs.find(con, OrgQuery()).rows
    counts = rows.groupby(["directory", "geocode_precision"]).size().to_dict()
    # EU: cities from the gazetteer, regions from NUTS names, the rest at the country's label point
    assert counts[("eu_cluster_organisations", "city")] == 54
    assert counts[("eu_cluster_organisations", "region")] == 101
    assert counts[("eu_cluster_organisations", "country")] == 108
    # US: the CMP list has only names; a state or large city named in the name places 76 of 145
    assert counts[("us_cmp_organisations", "city")] == 17
    assert counts[("us_cmp_organisations", "region")] == 59
    assert counts[("us_cmp_organisations", "country")] == 69
    us = rows[rows["country"] == "US"].set_index("name")
    assert us.at["Space Florida", "nuts1"] == "12" and us.at["Space Florida", "geocode_precision"] == "region"
    assert us.at["San Diego Film Commission", "nuts3"] == "06073"  # San Diego County
    assert "read from the organisation's name" in us.at["Milwaukee Water Council", "location_note"]
    assert us.at["Mississippi River Corridor", "geocode_precision"] == "country"  # a river, not the state
    # every country-level point says so, and single-region countries still get their NUTS 2 code
    country = rows[rows["geocode_precision"] == "country"]
    assert country["location_note"].str.contains("country's label point").all()
    lu = rows[(rows["country"] == "LU") & (rows["geocode_precision"] == "country")]
    assert len(lu) and (lu["nuts2"] == "LU00").all()
    assert (rows["precision_label"] != "").all()
