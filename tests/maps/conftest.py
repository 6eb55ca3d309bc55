"""Tiny layers for map tests: four unit squares with hostile names, values and no-data reasons."""

from __future__ import annotations

import geopandas as gpd
import pandas as pd
import pytest
import shapely

XSS_NAME = "<script>alert(1)</script>"
ATTR_NAME = 'Quote" onmouseover="alert(2)'


@pytest.fixture()
def layer() -> gpd.GeoDataFrame:
    """Four regions AA1..AA4 (2x2 squares near 10E 50N) with LQ values, one of them without data."""
    boxes = [
        shapely.box(10, 50, 11, 51),
        shapely.box(11, 50, 12, 51),
        shapely.box(10, 51, 11, 52),
        shapely.box(11, 51, 12.5, 52.5),
    ]
    return gpd.GeoDataFrame(
        {
            "code": ["AA1", "AA2", "AA3", "AA4"],
            "name": [XSS_NAME, ATTR_NAME, "Plain & simple", "Nord"],
            "value": [0.5, 2.2, None, 3.4],
            "rank": pd.array([3, 2, None, 1], dtype="Int64"),
            "employment": [1200.0, 5400.0, None, 880.0],
            "flags": ["e", "", "c", "p"],
            "nuts_version": ["2013"] * 4,
            "reason": ["", "", "confidential in the source (flag c)", ""],
            "stars": [0, 2, None, 3],
            "strong": [False, True, None, True],
            "hotspot": ["ns", "hot_99", None, "cold_95"],
        },
        geometry=boxes,
        crs="EPSG:4326",
    )


@pytest.fixture()
def countries(layer: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """One country (AA) covering the four regions: the NUTS 0 base."""
    return gpd.GeoDataFrame({"code": ["AA"]}, geometry=[layer.union_all().buffer(0.2)], crs="EPSG:4326")


@pytest.fixture()
def organisations() -> pd.DataFrame:
    """Three organisations: hostile name and website, a bare host name, one without coordinates."""
    return pd.DataFrame(
        {
            "id": ["EUCO0001", "EUCO0002", "EUCO0003"],
            "name": [XSS_NAME, "Cluster Two", "No place"],
            "acronym": [None, "C2", None],
            "country": ["AA", "AA", "AA"],
            "city": ['Town" onclick="x', "Ville", None],
            "sectors": ["automotive; <b>mobility</b>", "health", "food"],
            "website": ["javascript:alert(3)", "cluster-two.example.org", None],
            "lat": [50.5, 51.5, None],
            "lon": [10.5, 11.5, None],
        }
    )
