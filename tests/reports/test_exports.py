"""Exports read back: CSV (csv module), XLSX (openpyxl), Parquet (pyarrow), GeoJSON (json)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import geopandas as gpd
import openpyxl
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from shapely.geometry import Point

from cluster_map.errors import ReportError
from cluster_map.reports import exports

DANGEROUS = ["=cmd|' /C calc'!A0", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "region": ["AT13", "DE21", "FR10", "XX01", "YY02", "ZZ03"],
            "name": DANGEROUS,
            "employment": [1200.0, -5.0, float("nan"), 3.0, 4.0, 5.0],
            "stars": [3, 0, 1, 2, 2, 1],
            "strong": [True, False, True, False, True, False],
            "day": [dt.date(2015, 1, 2)] * 6,
        }
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("=1+2", "'=1+2"),
        ("+x", "'+x"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("Wien", "Wien"),
        ("", ""),
        ("a=b", "a=b"),
        (-3, -3),
        (2.5, 2.5),
        (None, None),
    ],
)
def test_neutralise_table(value: object, expected: object) -> None:
    assert exports.neutralise(value) == expected


@given(st.text())
def test_neutralised_text_never_starts_with_a_formula_character(text: str) -> None:
    out = exports.neutralise(text)
    assert not out.startswith(exports.FORMULA_PREFIXES)
    assert out.endswith(text)


def test_csv_reads_back_with_formulas_neutralised() -> None:
    data = exports.to_csv(_frame())
    assert data.startswith("\ufeff".encode())
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert [r["name"] for r in rows] == ["'" + d for d in DANGEROUS]
    assert rows[1]["employment"] == "-5.0"  # numbers are not text: no apostrophe
    assert rows[2]["employment"] == ""
    assert rows[0]["region"] == "AT13"


def test_xlsx_has_typed_cells_frozen_header_and_no_formula() -> None:
    data = exports.to_xlsx({"ranking": _frame()}, notes=['=HYPERLINK("x")', "source: Eurostat"])
    wb = openpyxl.load_workbook(io.BytesIO(data))
    assert wb.sheetnames == ["ranking", "about"]
    ws = wb["ranking"]
    assert ws.freeze_panes == "A2"
    assert [c.value for c in ws[1]] == list(_frame().columns)
    assert ws["A2"].value == "AT13"
    assert ws["B2"].value == "'=cmd|' /C calc'!A0"
    assert ws["B2"].data_type == "s"
    assert ws["C2"].value == 1200.0 and ws["C2"].data_type == "n"
    assert ws["C3"].value == -5.0
    assert ws["C4"].value is None  # NaN stays an empty cell
    assert ws["D2"].value == 3
    assert ws["E2"].value is True
    assert ws["F2"].value == dt.datetime(2015, 1, 2)
    assert wb["about"]["A1"].value.startswith("'=")
    for row in ws.iter_rows():
        for cell in row:
            assert cell.data_type != "f"


def test_xlsx_sheet_names_are_made_valid_and_unique() -> None:
    frame = pd.DataFrame({"a": [1]})
    data = exports.to_xlsx({"a/b:c" * 10: frame, "A/B:C" * 10: frame})
    names = openpyxl.load_workbook(io.BytesIO(data)).sheetnames
    assert len(names) == 2 and len(set(n.lower() for n in names)) == 2
    assert all(len(n) <= 31 and "/" not in n and ":" not in n for n in names)


def test_parquet_round_trip_keeps_values() -> None:
    frame = _frame().drop(columns=["day"])
    back = pd.read_parquet(io.BytesIO(exports.to_parquet(frame)))
    assert back["name"].tolist() == DANGEROUS  # a data format: unchanged
    assert back["stars"].tolist() == frame["stars"].tolist()


def test_geojson_writes_features_in_4326() -> None:
    gdf = gpd.GeoDataFrame(
        {"code": ["AT13"], "name": ["<script>alert(1)</script>"]},
        geometry=[Point(1_000_000, 2_000_000)],
        crs="EPSG:3035",
    )
    doc = json.loads(exports.to_geojson(gdf))
    assert doc["type"] == "FeatureCollection"
    feat = doc["features"][0]
    assert feat["properties"] == {"code": "AT13", "name": "<script>alert(1)</script>"}
    lon, lat = feat["geometry"]["coordinates"]
    assert -40 < lon < 60 and 20 < lat < 80


def test_geojson_of_a_plain_table_is_refused_with_advice() -> None:
    with pytest.raises(ReportError, match="geometry column"):
        exports.to_geojson(pd.DataFrame({"a": [1]}))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_export_dispatches(fmt: str) -> None:
    assert exports.export(pd.DataFrame({"a": [1, 2]}), fmt)  # type: ignore[arg-type]


def test_export_unknown_format() -> None:
    with pytest.raises(ReportError, match="'pdf'"):
        exports.export(pd.DataFrame({"a": [1]}), "pdf")  # type: ignore[arg-type]


def test_provenance_names_sources_and_parameters() -> None:
    sources = [
        {
            "code": "sbs_r_nuts06_r2",
            "publisher": "Eurostat",
            "extracted_at": pd.Timestamp("2026-11-25 10:00"),
            "row_count": pd.Series([7]).iloc[0],
            "checksum": "ab" * 32,
        }
    ]
    doc = json.loads(
        exports.provenance(
            table="ranking",
            parameters={"year": 2015, "countries": ("AT", "DE"), "lq": float("nan")},
            sources=sources,
            rows=3,
            columns=["region"],
            generated_at=dt.datetime(2026, 11, 25, tzinfo=dt.UTC),
        )
    )
    assert doc["sources"][0]["code"] == "sbs_r_nuts06_r2"
    assert doc["sources"][0]["extracted_at"].startswith("2026-11-25T10:00")
    assert doc["sources"][0]["row_count"] == 7
    assert doc["parameters"] == {"year": 2015, "countries": ["AT", "DE"], "lq": None}
    assert doc["rows"] == 3 and doc["generated_at"] == "2026-11-25T00:00:00+00:00"


@pytest.mark.parametrize(
    ("stem", "fmt", "expected"),
    [
        ("ranking C10 2015", "csv", "ranking_C10_2015.csv"),
        ("../etc/passwd", "xlsx", "etc_passwd.xlsx"),
        ("", "csv", "table.csv"),
    ],
)
def test_file_name_is_safe(stem: str, fmt: str, expected: str) -> None:
    assert exports.file_name(stem, fmt) == expected
