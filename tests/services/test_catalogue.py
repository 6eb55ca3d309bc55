"""Catalogue service: provenance, flags, methods, download files read back."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterator
from typing import Any

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from shapely.geometry import Point

from cluster_map.schema import FLAGS
from cluster_map.services import catalogue
from tests.app_store import tiny_connection


@pytest.fixture(scope="module")
def con(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


def test_datasets_with_provenance(con: Any) -> None:
    rows = catalogue.datasets(con)
    assert rows["code"].tolist() == ["sbs_r_nuts06_r2"]
    assert {
        "publisher",
        "licence",
        "source_url",
        "retrieved_from",
        "extracted_at",
        "checksum",
        "row_count",
    } <= set(rows.columns)
    assert catalogue.sources_for(con, ["sbs_r_nuts06_r2"])[0]["publisher"] == "Eurostat"


def test_flags_and_methods() -> None:
    assert catalogue.flags_legend().set_index("flag")["meaning"].to_dict() == FLAGS
    m = catalogue.methods()
    assert {"lq", "krugman", "hhi", "shift_share", "gistar"} <= set(m["key"])


def test_limits_unmatched_recodes(con: Any) -> None:
    assert catalogue.unmatched_regions(con)["code"].tolist() == ["ATZZ"]
    assert catalogue.nuts_recodes(con)["code_to"].tolist() == ["DE40"]
    assert any("confidential" in x.lower() for x in catalogue.KNOWN_LIMITS)
    assert {"AT13", "AT", "DE22"} <= catalogue.known_region_codes(con)


def test_metrics_table(con: Any) -> None:
    t = catalogue.metrics_table(con, dataset="sbs_r_nuts06_r2", level=2, year=2015)
    assert list(t.columns[:9]) == [
        "dataset",
        "nuts_version",
        "level",
        "year",
        "region",
        "region_name",
        "sector_scheme",
        "sector",
        "sector_label",
    ]


def test_download_files_read_back_neutralised() -> None:
    frame = pd.DataFrame({"name": ['=HYPERLINK("http://x")', "Wien"], "lq": [1.5, -0.2]})
    geo = gpd.GeoDataFrame(frame, geometry=[Point(16, 48), Point(11, 48)], crs="EPSG:4326")
    files = {
        f.fmt: f
        for f in catalogue.download_files(
            frame, stem="t", parameters={"year": 2015}, sources=[{"code": "x"}], geo=geo, parquet=True
        )
    }
    assert set(files) == {"csv", "xlsx", "parquet", "geojson", "json"}
    rows = list(csv.DictReader(io.StringIO(files["csv"].data.decode("utf-8-sig"), newline="")))
    assert rows[0]["name"].startswith("'=") and rows[1]["lq"] == "-0.2"
    ws = openpyxl.load_workbook(io.BytesIO(files["xlsx"].data)).active
    assert ws["A2"].value.startswith("'=") and ws["B3"].value == -0.2 and ws.freeze_panes == "A2"
    assert json.loads(files["geojson"].data)["features"][1]["properties"]["name"] == "Wien"
    side = json.loads(files["json"].data)
    assert side["parameters"] == {"year": 2015} and side["sources"] == [{"code": "x"}] and side["rows"] == 2
    assert files["csv"].file_name == "t.csv" and files["json"].file_name == "t.provenance.json"


def test_large_tables_get_parquet_instead_of_xlsx(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(catalogue, "XLSX_MAX_CELLS", 5)
    frame = pd.DataFrame({"a": range(3), "b": range(3)})
    assert [f.fmt for f in catalogue.download_files(frame, stem="t", parameters={})] == [
        "csv",
        "parquet",
        "json",
    ]


def test_lazy_download_files_build_nothing_until_asked(monkeypatch: pytest.MonkeyPatch) -> None:
    built: list[str] = []
    for name in ("to_csv", "to_xlsx", "to_geojson", "provenance"):
        real = getattr(catalogue.exports, name)
        monkeypatch.setattr(
            catalogue.exports,
            name,
            lambda *a, _real=real, _name=name, **k: built.append(_name) or _real(*a, **k),
        )
    frame = pd.DataFrame({"name": ["=1+1", "Wien"], "lq": [1.5, 0.2]})
    geo = gpd.GeoDataFrame(frame, geometry=[Point(16, 48), Point(11, 48)], crs="EPSG:4326")
    lazy = catalogue.lazy_download_files(frame, stem="t", parameters={"year": 2015}, geo=geo)
    assert [f.fmt for f in lazy] == ["csv", "xlsx", "geojson", "json"] and built == []
    frame.loc[0, "name"] = "changed after the page drew the buttons"
    files = {f.fmt: f.make() for f in lazy}
    assert sorted(built) == ["provenance", "to_csv", "to_geojson", "to_xlsx"]
    assert files["csv"] == catalogue.exports.to_csv(
        pd.DataFrame({"name": ["=1+1", "Wien"], "lq": [1.5, 0.2]})
    )
    assert json.loads(files["json"])["parameters"] == {"year": 2015}
