"""Table exports of the mirror store: every format read back, provenance sidecar, formula text neutralised."""

from __future__ import annotations

import io
import json
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import pytest

from cluster_map.errors import InputError
from cluster_map.services import exports
from cluster_map.store.database import connect

pytestmark = pytest.mark.mirror
C29 = {"dataset": "sbs_r_nuts06_r2", "level": 2, "year": 2014, "sector": "C29"}
INJECT = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def con(mirror_store: Path) -> Iterator[Any]:
    c = connect(mirror_store)
    yield c
    c.close()


def _sidecar(result: exports.Export) -> dict[str, Any]:
    return json.loads(result.sidecar.decode("utf-8"))


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "geojson", "geoparquet"])
def test_metric_slice_in_every_format(con: Any, fmt: str) -> None:
    result = exports.export(con, "metrics", fmt, filters=C29)  # type: ignore[arg-type]
    if fmt == "csv":
        frame = pd.read_csv(io.BytesIO(result.data), encoding="utf-8-sig", dtype={"region": str})
    elif fmt == "xlsx":
        frame = pd.read_excel(io.BytesIO(result.data))
    elif fmt == "parquet":
        frame = pd.read_parquet(io.BytesIO(result.data))
    elif fmt == "geojson":
        frame = gpd.read_file(io.BytesIO(result.data))
    else:
        frame = gpd.read_parquet(io.BytesIO(result.data))
    assert len(frame) == result.rows > 250
    assert set(frame["sector"]) == {"C29"} and set(frame["year"]) == {2014}
    stuttgart = frame[frame["region"] == "DE11"]
    # 5.96 with the sum of the published divisions as E_r; 6.04 with the sum of the sections (issue 11)
    assert stuttgart["lq"].iloc[0] == pytest.approx(6.04, abs=0.01)
    assert "caveats" in frame.columns and "lq_low" in frame.columns
    if fmt in ("geojson", "geoparquet"):
        assert frame.crs.to_epsg() == 4326 and frame.geometry.notna().mean() > 0.95
        assert stuttgart.geometry.iloc[0].contains(gpd.points_from_xy([9.18], [48.78])[0])  # Stuttgart city
    side = _sidecar(result)
    codes = [s["code"] for s in side["sources"]]
    assert "sbs_r_nuts06_r2" in codes and side["table"] == "metrics" and side["rows"] == result.rows
    assert side["parameters"]["filters"] == C29 and side["parameters"]["format"] == fmt
    assert ("gisco_nuts_2013" in codes) == (fmt in ("geojson", "geoparquet"))
    assert all(s["licence"] for s in side["sources"])
    assert result.file_name.startswith("metrics_dataset-sbs_r_nuts06_r2")


def test_organisations_as_points(con: Any) -> None:
    result = exports.export(con, "organisations", "geojson", filters={"country": "DE"})
    frame = gpd.read_file(io.BytesIO(result.data))
    assert len(frame) >= 20 and (frame.geometry.dropna().geom_type == "Point").all()


@pytest.mark.parametrize(
    ("table", "fmt", "filters", "message"),
    [
        ("secrets", "csv", {}, "cannot be exported"),
        ("metrics", "csv", {"colour": "red"}, "Cannot filter on 'colour'"),
        ("metrics", "docx", {}, "Unknown export format 'docx'"),
        ("sectors", "geojson", {}, "no regions to draw"),
    ],
)
def test_bad_requests_say_what_to_do(
    con: Any, table: str, fmt: str, filters: dict[str, Any], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        exports.export(con, table, fmt, filters=filters)  # type: ignore[arg-type]


def test_too_many_rows_asks_for_a_filter(con: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(InputError, match="filter by dataset"):
        exports.export(con, "metrics", "csv", filters={"dataset": "sbs_r_nuts06_r2"}, max_rows=1000)
    monkeypatch.setattr(exports, "XLSX_MAX_ROWS", 100)
    with pytest.raises(InputError, match="do not fit in one XLSX sheet"):
        exports.export(con, "metrics", "xlsx", filters=C29)


def test_formula_text_is_neutralised_in_csv_and_xlsx(mirror_store: Path, tmp_path: Path) -> None:
    import duckdb
    import openpyxl

    db = tmp_path / "store.duckdb"
    shutil.copy(mirror_store, db)
    raw = duckdb.connect(str(db))
    raw.execute("UPDATE organisations SET name = ?, city = '+SUM(A1)' WHERE country = 'AT'", [INJECT])
    raw.close()
    c = connect(db)
    try:
        csv = exports.export(c, "organisations", "csv", filters={"country": "AT"})
        xlsx = exports.export(c, "organisations", "xlsx", filters={"country": "AT"})
        parquet = exports.export(c, "organisations", "parquet", filters={"country": "AT"})
    finally:
        c.close()
    text = csv.data.decode("utf-8-sig")
    assert "'" + INJECT in text and "\n" + INJECT not in text and ",=cmd" not in text and "'+SUM(A1)" in text
    ws = openpyxl.load_workbook(io.BytesIO(xlsx.data)).active
    header = [c.value for c in ws[1]]
    names = [r[header.index("name")].value for r in ws.iter_rows(min_row=2)]
    assert names and all(n == "'" + INJECT for n in names)
    assert set(pd.read_parquet(io.BytesIO(parquet.data))["name"]) == {INJECT}  # data formats keep the value
