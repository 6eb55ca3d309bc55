"""Bulk loading: frames to the store's columns and types, geometry as WKB, refusals that name the column."""

from __future__ import annotations

import re

import duckdb
import geopandas as gpd
import pandas as pd
import pytest
import shapely
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_map.errors import StoreError
from cluster_map.store import database, load
from cluster_map.store.schema import PRIMARY_KEYS, REQUIRED_TABLES, TABLES


@pytest.fixture()
def con() -> duckdb.DuckDBPyConnection:
    c = duckdb.connect()
    database.create_schema(c)
    yield c
    c.close()


def obs(**overrides: object) -> pd.DataFrame:
    row = {
        "dataset": "d",
        "region": "AT1",
        "region_original": "AT1",
        "nuts_version": "2013",
        "sector_scheme": "nace_r2",
        "sector": "C",
        "indicator": "V16110",
        "unit": "NR",
        "breakdown": "",
        "year": 2015,
        "value": 1.5,
        "flags": "",
    }
    row.update(overrides)
    return pd.DataFrame([row])


def test_the_parsed_columns_are_those_duckdb_creates(con: duckdb.DuckDBPyConnection) -> None:
    for table in TABLES:
        described = con.execute(f'DESCRIBE "{table}"').fetchall()
        assert [(r[0], r[1], r[2] == "NO") for r in described] == list(load.table_columns(table)), table


def test_every_key_and_required_table_names_real_columns() -> None:
    for table, key in PRIMARY_KEYS.items():
        names = {c[0] for c in load.table_columns(table)}
        assert set(key) <= names, table
    assert set(REQUIRED_TABLES) <= set(TABLES)


def test_insert_ignores_extra_columns_fills_missing_nullable_ones_and_constants(
    con: duckdb.DuckDBPyConnection,
) -> None:
    frame = pd.DataFrame({"code": ["AT1", "AT2"], "nuts_version": "2013", "surplus": [1, 2]})
    assert load.insert(con, "regions", frame, constants={"kind": "nuts"}) == 2
    assert con.execute("SELECT code, level, kind FROM regions ORDER BY code").fetchall() == [
        ("AT1", None, "nuts"),
        ("AT2", None, "nuts"),
    ]


@pytest.mark.parametrize(
    ("table", "frame", "message"),
    [
        ("regions", pd.DataFrame({"code": ["AT1"], "kind": ["nuts"]}), "no column 'nuts_version'"),
        ("observations", obs(region=None), r"column 'region' must not be empty but is in 1 rows"),
        ("observations", obs(year="2015a"), r"Cannot load column 'year' of table 'observations'"),
        ("nowhere", obs(), r"Unknown table 'nowhere'"),
    ],
)
def test_bad_frames_are_refused_with_table_and_column(
    con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame, message: str
) -> None:
    with pytest.raises(StoreError, match=message):
        load.insert(con, table, frame)


def test_an_empty_frame_inserts_nothing(con: duckdb.DuckDBPyConnection) -> None:
    assert load.insert(con, "observations", obs().iloc[:0]) == 0
    assert con.execute("SELECT count(*) FROM observations").fetchall() == [(0,)]


def test_order_by_sorts_and_refuses_unknown_columns(con: duckdb.DuckDBPyConnection) -> None:
    frame = pd.concat([obs(region="B"), obs(region="A"), obs(region="C")])
    load.insert(con, "observations", frame, order_by=("region",))
    assert [r[0] for r in con.execute("SELECT region FROM observations").fetchall()] == ["A", "B", "C"]
    with pytest.raises(StoreError, match=re.escape("by ['value; DROP TABLE observations']")):
        load.insert(con, "observations", frame, order_by=("value; DROP TABLE observations",))


def test_replace_rows_deletes_by_value_and_checks_the_column(con: duckdb.DuckDBPyConnection) -> None:
    load.insert(
        con, "observations", pd.concat([obs(dataset="a"), obs(dataset="b"), obs(dataset="x' OR '1'='1")])
    )
    load.replace_rows(con, "observations", "dataset", ["a", "x' OR '1'='1"])
    assert con.execute("SELECT dataset FROM observations").fetchall() == [("b",)]
    with pytest.raises(StoreError, match="has no column 'nope'"):
        load.replace_rows(con, "observations", "nope", ["a"])


def test_geometry_is_stored_as_wkb_in_epsg_4326(con: duckdb.DuckDBPyConnection) -> None:
    poly = shapely.box(14.0, 45.0, 15.0, 46.0)
    gdf = gpd.GeoDataFrame(
        {"code": ["AT1"], "nuts_version": "2013", "variant": "full"}, geometry=[poly], crs=4326
    )
    assert load.insert_geometries(con, gdf) == 1
    wkb = con.execute("SELECT wkb FROM geometries").fetchall()[0][0]
    assert shapely.from_wkb(wkb).equals(poly)


def test_geometry_in_another_crs_is_refused() -> None:
    gdf = gpd.GeoDataFrame({"code": ["AT1"]}, geometry=[shapely.box(4e6, 2e6, 4.1e6, 2.1e6)], crs=3035)
    with pytest.raises(StoreError, match=r"EPSG:4326, got 'EPSG:3035'.*to_crs\(4326\)"):
        load.geometry_frame(gdf)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.text(min_size=1, max_size=6),
            st.integers(1990, 2030),
            st.one_of(st.none(), st.floats(allow_nan=False, allow_infinity=False)),
            st.text(alphabet="bcdeu", max_size=3),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_observations_round_trip_exactly(rows: list[tuple[str, int, float | None, str]]) -> None:
    frame = pd.DataFrame(
        [{**obs().iloc[0].to_dict(), "region": r, "year": y, "value": v, "flags": f} for r, y, v, f in rows]
    )
    c = duckdb.connect()
    database.create_schema(c)
    load.insert(c, "observations", frame)
    back = c.execute("SELECT region, year, value, flags FROM observations").fetchall()
    c.close()
    assert back == [(r, y, v, f) for r, y, v, f in rows]
