"""Organisations service: search, partner finder (Jaccard of sector keywords), points."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map.errors import InputError
from cluster_map.services import organisations
from tests.app_store import tiny_connection


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("automotive; mobility", {"automotive", "mobility"}),
        (" Food ;; agriculture ;", {"food", "agriculture"}),
        ("a, b", {"a", "b"}),
        (None, set()),
        (float("nan"), set()),
    ],
)
def test_keywords(cell: object, expected: set[str]) -> None:
    assert organisations.keywords(cell) == expected


@given(st.lists(st.text(alphabet="abcdef ", min_size=1, max_size=6), max_size=6))
def test_keywords_are_trimmed_lowercase_and_non_empty(words: list[str]) -> None:
    kws = organisations.keywords("; ".join(words))
    assert all(k == k.strip().lower() and k for k in kws)


def test_search(con: Any) -> None:
    assert set(organisations.search(con, text="cluster")["id"]) == {"EUCO1", "EUCO4"}
    assert organisations.search(con, sector="food", countries=["AT"])["id"].tolist() == ["EUCO4"]
    with pytest.raises(InputError, match="200 characters"):
        organisations.search(con, text="x" * 201)


def test_partners_abroad_by_shared_keywords(con: Any) -> None:
    p = organisations.partners(con, org_id="EUCO1")
    assert p["id"].tolist() == ["EUCO2"] and p["related"].tolist() == [""]
    assert p["shared"].tolist() == ["automotive"]
    assert p["score"].iloc[0] == pytest.approx(1 / 3)  # {automotive} / {automotive, mobility, electronics}
    home = organisations.partners(con, org_id="EUCO4", other_countries=False)
    assert home["id"].tolist() == ["EUCO3"]  # food, same keyword set size 1 of 2
    assert organisations.partners(con, org_id="EUCO4")["id"].tolist() == ["EUCO3"]


def test_partners_of_unknown_organisation(con: Any) -> None:
    with pytest.raises(InputError, match="'EUCO99'"):
        organisations.partners(con, org_id="EUCO99")


def test_points_keep_only_located() -> None:
    frame = pd.DataFrame({"id": ["a", "b"], "name": ["x", "y"], "lat": [48.2, None], "lon": [16.4, None]})
    pts = organisations.points(frame)
    assert pts["id"].tolist() == ["a"] and pts.crs.to_epsg() == 4326
    assert (pts.geometry.x.iloc[0], pts.geometry.y.iloc[0]) == (16.4, 48.2)


def test_partnerships_events_and_lists(con: Any) -> None:
    assert organisations.partnerships(con, country="AT")["name"].tolist() == ["RECiPE4Mobility"]
    assert organisations.events(con, text="vienna")["country"].tolist() == ["AT"]
    assert organisations.countries(con) == ["AT", "DE"]
    assert organisations.sector_keywords(con)[0] == "automotive"


def test_keyword_proximity_known_values() -> None:
    sets = [
        frozenset({"wood", "furniture"}),
        frozenset({"wood", "furniture"}),
        frozenset({"wood"}),
        frozenset({"wood", "paper"}),
    ]
    prox = organisations.keyword_proximity(sets)
    assert prox["wood"] == {"furniture": pytest.approx(2 / 4)}  # together 2, wood named 4 times
    assert prox["furniture"] == {"wood": pytest.approx(0.5)}
    assert "paper" not in prox  # named together once only
    assert organisations.keyword_proximity(sets, min_together=1)["paper"] == {"wood": 0.25}


def test_partners_across_sectors(con: Any) -> None:
    # automotive co-occurs with mobility (EUCO1) and electronics (EUCO2) once each: below min_together
    p = organisations.partners(con, org_id="EUCO3", related=True)
    assert p["id"].tolist() == ["EUCO4"] and p["related"].tolist() == [""]
