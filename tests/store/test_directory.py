"""Store queries of the organisations directory: parameterised search, LIKE escaping, filters."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pandas as pd
import pytest

from cluster_map.store import directory, queries
from tests.app_store import EVIL, tiny_connection


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("abc", "%abc%"),
        ("10%", "%10\\%%"),
        ("a_b", "%a\\_b%"),
        ("x\\y", "%x\\\\y%"),
        ("", "%%"),
    ],
)
def test_like_pattern_escapes(text: str, expected: str) -> None:
    assert directory.like_pattern(text) == expected


@pytest.mark.parametrize(
    ("kwargs", "ids"),
    [
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
    ],
)
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
    assert ev["city"].tolist() == ["Graz", "Vienna"]  # newest first
    assert ev[["dates", "date_precision"]].values.tolist() == [
        ["2025", "year"],
        ["2024-03-26 – 2024-03-27", "day"],
    ]
    assert directory.events(con, text="nothing like this").empty


@pytest.mark.parametrize(
    ("kwargs", "where", "params"),
    [
        ({}, "TRUE", []),
        ({"countries": ["FR", "DE"]}, "list_contains(?::VARCHAR[], country)", [["FR", "DE"]]),
        ({"region": "FRJ2"}, "? IN (nuts0, nuts1, nuts2, nuts3)", ["FRJ2"]),
        (
            {"groups": [(("aerospac", "~aerospace"), "aerospace")]},
            "(list_has_any(search_terms, ?::VARCHAR[]) OR concat_ws(' ', name, acronym) ILIKE ? ESCAPE '\\')",
            [["aerospac", "~aerospace"], "%aerospace%"],
        ),
        (
            {"any_terms": [["#c30", "~aerospace"]]},
            "list_has_any(search_terms, ?::VARCHAR[])",
            [["#c30", "~aerospace"]],
        ),
        (
            {"kinds": ["cluster"], "labels": ["gold"]},
            "list_contains(?::VARCHAR[], org_kind) AND list_contains(?::VARCHAR[], label_level)",
            [["cluster"], ["gold"]],
        ),
        (
            {"sizes": [(0, 49), (500, None)]},
            "(members_total BETWEEN ? AND ? OR members_total >= ?)",
            [0, 49, 500],
        ),
        ({"ids": []}, "list_contains(?::VARCHAR[], id)", [[]]),
        (
            {"groups": [(("x",), "50%_")]},
            "(list_has_any(search_terms, ?::VARCHAR[]) OR concat_ws(' ', name, acronym) ILIKE ? ESCAPE '\\')",
            [["x"], "%50\\%\\_%"],
        ),
    ],
)
def test_search_where(kwargs: dict[str, Any], where: str, params: list[object]) -> None:
    assert directory.search_where(**kwargs) == (where, params)


def test_search_pages_sorts_and_counts(con: Any) -> None:
    rows, total = directory.search(con, directory.search_where(), sort="name", limit=2, offset=2)
    assert total == 4 and len(rows) == 2
    everything, _ = directory.search(con, directory.search_where(), sort="name")
    assert rows["id"].tolist() == everything["id"].tolist()[2:]
    rows, total = directory.search(con, directory.search_where(), limit=2, offset=10)
    assert rows.empty and total == 4  # past the last page: no rows, the count still right
    with pytest.raises(ValueError, match="sort column"):
        directory.search(con, directory.search_where(), sort="name; DROP TABLE organisations")


def test_map_overlay_organisations_carry_kind_and_precision(con: Any) -> None:
    """The Map page's organisations overlay colours by kind and draws the precision: both columns come along."""
    rows = queries.organisations(con).set_index("id")
    assert set(rows.index) == {"EUCO1", "EUCO2", "EUCO3"}  # EUCO4 has no coordinates
    assert rows["org_kind"].tolist() == ["cluster"] * 3
    assert rows["geocode_precision"].tolist() == ["city"] * 3
    assert rows.loc["EUCO1", "org_type"] == "cluster organisation"


def test_the_reader_the_table_and_the_reads_share_one_column_list() -> None:
    """The directory reader's frame loads into the table as it is, and a read returns the table's columns
    (less the search index): a column added to the table DDL cannot be forgotten by one of them."""
    from cluster_map.sources import organisations as reader
    from cluster_map.store.load import table_columns

    table = tuple(name for name, _, _ in table_columns("organisations"))
    assert reader.ORGANISATION_COLUMNS == table
    assert directory.ORGANISATION_COLUMNS == tuple(c for c in table if c != "search_terms")


def test_organisations_in_regions_equals_one_query_per_region(con: Any) -> None:
    regions = ["AT", "AT1", "AT13", "DE21", "DE", "ZZ99"]
    batch = directory.organisations_in_regions(con, regions)
    assert list(batch) == regions and batch["ZZ99"].empty and len(batch["AT"]) >= 1
    for r in regions:
        one = directory.organisations(con, region=r)
        pd.testing.assert_frame_equal(batch[r], one, check_exact=True)
        for col in one.columns:
            assert [type(v) for v in batch[r][col]] == [type(v) for v in one[col]], (r, col)
