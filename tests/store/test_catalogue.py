"""Catalogue queries on a tiny hand-made store: filters, counts, provenance, unmatched codes."""

from __future__ import annotations

from datetime import datetime

import duckdb
import pandas as pd
import pytest

from cluster_map.store import catalogue, database
from cluster_map.store.load import insert
from cluster_map.store.schema import SCHEMA_VERSION
from tests.store.test_database import MINIMAL, fill_minimal


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> duckdb.DuckDBPyConnection:
    db = tmp_path_factory.mktemp("cat") / "s.duckdb"
    with database.build_atomically(db) as build:
        fill_minimal(
            build.connection,
            datasets=pd.DataFrame(
                {
                    "code": ["d1", "gisco_nuts_2013"],
                    "kind": ["statistics", "geometry"],
                    "row_count": [3, 2],
                    "extracted_at": [datetime(2026, 11, 25, 10, 0), datetime(2026, 11, 25, 10, 1)],
                }
            ),
        )
        c = build.connection
        insert(
            c,
            "regions",
            pd.DataFrame(
                {
                    "code": ["AT2", "AT", "EU28", "01"],
                    "nuts_version": ["2013"] * 3 + ["us"],
                    "level": [1, 0, None, 1],
                    "country": ["AT", "AT", None, "US"],
                    "kind": ["nuts", "nuts", "aggregate", "us_state"],
                }
            ),
        )
        insert(
            c,
            "observations",
            pd.concat(
                [MINIMAL["observations"].assign(region=r, year=y) for r, y in (("AT2", 2014), ("EU28", 2015))]
            ),
        )
        insert(
            c,
            "unmatched_regions",
            pd.DataFrame(
                {
                    "dataset": ["d1", "d1"],
                    "code": ["EU28", "AT9"],
                    "n_rows": [1, 4],
                    "reason": ["aggregate", "no geometry"],
                }
            ),
        )
        insert(c, "nuts_recodes", pd.DataFrame({"dataset": ["d1"], "code_from": ["AT0"], "code_to": ["AT2"]}))
        insert(
            c,
            "organisations",
            pd.DataFrame(
                {
                    "id": ["o2", "o3"],
                    "directory": ["eu", "us"],
                    "name": ["B", "C"],
                    "geocode_precision": ["city", None],
                }
            ),
        )
    connection = database.connect(db)
    yield connection
    connection.close()


@pytest.mark.parametrize(
    ("filters", "where", "params"),
    [
        ({}, "", []),
        ({"kind": None}, "", []),
        ({"kind": "nuts"}, ' WHERE "kind" = ?', ["nuts"]),
        ({"nuts_version": "2013", "level": 0}, ' WHERE "nuts_version" = ? AND "level" = ?', ["2013", 0]),
        ({"kind": "x' OR 1=1 --"}, ' WHERE "kind" = ?', ["x' OR 1=1 --"]),
    ],
)
def test_where_clause_binds_values(filters: dict, where: str, params: list) -> None:
    assert catalogue.where_clause(filters, frozenset({"kind", "nuts_version", "level"})) == (where, params)


def test_where_clause_refuses_columns_outside_the_allow_list() -> None:
    with pytest.raises(ValueError, match=r"Cannot filter on 'kind; DROP TABLE regions'"):
        catalogue.where_clause({"kind; DROP TABLE regions": "x"}, frozenset({"kind"}))


def test_regions_are_filtered(con: duckdb.DuckDBPyConnection) -> None:
    # ordered by level (NULL last), then code
    assert catalogue.regions(con, nuts_version="2013", kind="nuts")["code"].tolist() == ["AT", "AT2", "AT1"]
    assert catalogue.regions(con, level=1, country="US")["code"].tolist() == ["01"]
    assert catalogue.regions(con, kind="nothing").empty


def test_region_codes_with_and_without_geometry(con: duckdb.DuckDBPyConnection) -> None:
    assert catalogue.region_codes(con, "2013") == {"AT1"}
    assert catalogue.region_codes(con, "2013", with_geometry=False) == {"AT", "AT1", "AT2", "EU28"}


def test_datasets_with_provenance(con: duckdb.DuckDBPyConnection) -> None:
    rows = catalogue.datasets(con)
    assert rows["code"].tolist() == ["d1", "gisco_nuts_2013"]  # statistics first, then geometry
    assert catalogue.datasets(con, kind="statistics")["row_count"].tolist() == [3]


def test_counts_summaries_and_meta(con: duckdb.DuckDBPyConnection) -> None:
    counts = catalogue.table_counts(con)
    assert counts["observations"] == 3 and counts["regions"] == 5 and counts["events"] == 0
    summary = catalogue.observation_summary(con).iloc[0]
    assert (summary["dataset"], summary["rows"], summary["year_min"], summary["year_max"]) == (
        "d1",
        3,
        2014,
        2015,
    )
    assert (summary["regions"], summary["regions_unmatched"], summary["codes_recoded"]) == (3, 2, 1)
    assert catalogue.unmatched_regions(con, dataset="d1")["code"].tolist() == ["AT9", "EU28"]
    assert catalogue.nuts_recodes(con)["code_to"].tolist() == ["AT2"]
    precision = catalogue.organisation_precision(con)
    assert sorted(map(tuple, precision.values.tolist())) == [
        ("eu", "city", 1),
        ("eu", "none", 1),
        ("us", "none", 1),
    ]
    assert catalogue.meta(con) == {"schema_version": str(SCHEMA_VERSION)}


def test_sectors_by_scheme(con: duckdb.DuckDBPyConnection) -> None:
    assert catalogue.sectors(con, scheme="nace_r2")["code"].tolist() == ["C"]
    assert catalogue.sectors(con, scheme="us_cluster").empty
