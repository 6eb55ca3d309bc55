"""Store queries of the organisations directory: parameterised search, LIKE escaping, filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from cluster_map.store import directory
from tests.app_store import EVIL, tiny_connection


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)



@pytest.mark.parametrize(("text", "expected"), [
    ("abc", "%abc%"), ("10%", "%10\\%%"), ("a_b", "%a\\_b%"), ("x\\y", "%x\\\\y%"), ("", "%%"),
])
def test_like_pattern_escapes(text: str, expected: str) -> None:
    assert directory.like_pattern(text) == expected


@pytest.mark.parametrize(("kwargs", "ids"), [
    ({}, {"EUCO1", "EUCO2", "EUCO3", "EUCO4"}),
    ({"text": "styria"}, {"EUCO1"}),
    ({"text": "ACSTYRIA"}, {"EUCO1"}),
    ({"sector": "food"}, {"EUCO3", "EUCO4"}),
    ({"countries": ["DE"]}, {"EUCO2", "EUCO3"}),
    ({"region": "AT1"}, {"EUCO1", "EUCO4"}),
    ({"region": "DE22"}, {"EUCO3"}),
    ({"text": "%"}, set()),
    ({"text": "_"}, set()),
    ({"text": "<script>"}, {"EUCO2"}),
    ({"text": "' OR 1=1 --"}, set()),
    ({"directory": "us_cmp_organisations"}, set()),
])
def test_organisation_search(con: Any, kwargs: dict[str, Any], ids: set[str]) -> None:
    assert set(directory.organisations(con, **kwargs)["id"]) == ids


def test_one_organisation_and_lists(con: Any) -> None:
    assert directory.organisation(con, "EUCO2")["name"].tolist() == [EVIL]
    assert directory.organisation(con, "nope").empty
    assert directory.countries(con) == ["AT", "DE"]
    kw = directory.sector_keywords(con)
    assert kw.iloc[0].tolist() == ["automotive", 2]


def test_partnerships_and_events(con: Any) -> None:
    assert directory.partnerships(con, country="DE")["name"].tolist() == ["RECiPE4Mobility"]
    assert directory.partnerships(con, country="FR").empty
    assert directory.partnerships(con, text="mobility")["countries"].tolist() == ["AT; DE"]
    ev = directory.events(con, country="AT")
    assert ev["city"].tolist() == ["Vienna"]
    assert directory.events(con, text="nothing like this").empty
