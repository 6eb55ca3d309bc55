"""``cluster-map report`` and ``cluster-map export`` through Typer's CliRunner on the mirror store."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cluster_map.cli.main import app, register_commands
from cluster_map.errors import InputError

pytestmark = pytest.mark.mirror
register_commands()
runner = CliRunner()


def _run(*args: str) -> object:
    return runner.invoke(app, [str(a) for a in args])


@pytest.mark.slow
@pytest.mark.parametrize(
    ("country", "dataset", "fmt"),
    [
        ("FR", "sbs_r_nuts06_r2", "pdf"),
        ("IT", "sbs_r_nuts06_r2", "xlsx"),
        ("EL", "sbs_r_nuts06_r2", "html"),
        ("US", "us_cmp_states_2016", "pdf"),
    ],
)
def test_report_writes_each_format(
    mirror_store: Path, tmp_path: Path, country: str, dataset: str, fmt: str
) -> None:
    out = tmp_path / f"report.{fmt}"
    result = _run(
        "report",
        "--country",
        country,
        "--dataset",
        dataset,
        "--format",
        fmt,
        "--out",
        out,
        "--db",
        mirror_store,
    )
    assert result.exit_code == 0, result.output
    assert "Wrote" in result.output and out.is_file() and not out.with_name(out.name + ".part").exists()
    data = out.read_bytes()
    if fmt == "pdf":
        from pypdf import PdfReader

        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
        assert {"FR": "France", "US": "United States"}[country] in text and dataset in text
    elif fmt == "xlsx":
        import openpyxl

        wb = openpyxl.load_workbook(io.BytesIO(data))
        assert wb["About"]["B3"].value == "Italy (IT)" and "Star_clusters" in wb.sheetnames
    else:
        html = data.decode("utf-8")
        assert "<h1>Greece</h1>" in html and "http://" not in html.split("<body>")[0]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--country", "ZZ"), "valid codes: AT, BE, BG"),
        (("--country", "FR", "--year", "2015"), "years with data: 2010"),
        (("--country", "DE", "--format", "docx"), "choose pdf, html or xlsx"),
    ],
)
def test_report_bad_input(mirror_store: Path, tmp_path: Path, args: tuple[str, ...], message: str) -> None:
    out = tmp_path / "r.pdf"
    result = _run("report", *args, "--out", out, "--db", mirror_store)
    assert result.exit_code != 0 and isinstance(result.exception, InputError)
    assert message in str(result.exception) and not out.exists()


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet", "geojson", "geoparquet"])
def test_export_with_provenance_sidecar(mirror_store: Path, tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"metrics.{fmt}"
    result = _run(
        "export",
        "--table",
        "metrics",
        "--dataset",
        "lfst_r_lfe2en2",
        "--level",
        "2",
        "--year",
        "2015",
        "--sector",
        "F",
        "--format",
        fmt,
        "--out",
        out,
        "--db",
        mirror_store,
    )
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1000
    sidecar = json.loads(out.with_name(out.name + ".provenance.json").read_text("utf-8"))
    assert sidecar["table"] == "metrics" and sidecar["rows"] > 200
    assert "lfst_r_lfe2en2" in [s["code"] for s in sidecar["sources"]]
    assert sidecar["parameters"]["filters"]["sector"] == "F"


def test_export_unknown_table(mirror_store: Path, tmp_path: Path) -> None:
    result = _run("export", "--table", "passwords", "--out", tmp_path / "x.csv", "--db", mirror_store)
    assert isinstance(result.exception, InputError) and "metrics" in str(result.exception)


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("--region", "DE21", "--format", "pdf"), "Oberbayern"),
        (("--custom", "Øresund=DK01,SE22", "--format", "html"), "Custom region report"),
        (("--region", "06", "--dataset", "us_cmp_states_2016", "--format", "xlsx"), "California"),
    ],
)
def test_region_and_custom_reports(
    mirror_store: Path, tmp_path: Path, args: tuple[str, ...], expected: str
) -> None:
    out = tmp_path / f"r.{args[-1]}"
    result = _run("report", *args, "--out", out, "--db", mirror_store)
    assert result.exit_code == 0, result.output
    data = out.read_bytes()
    if args[-1] == "pdf":
        from pypdf import PdfReader

        text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    elif args[-1] == "xlsx":
        import openpyxl

        text = str(openpyxl.load_workbook(io.BytesIO(data))["About"]["B2"].value)
    else:
        text = data.decode("utf-8")
    assert expected in text


def test_report_needs_exactly_one_subject(mirror_store: Path, tmp_path: Path) -> None:
    result = _run(
        "report", "--country", "DE", "--region", "DE21", "--out", tmp_path / "r.pdf", "--db", mirror_store
    )
    assert isinstance(result.exception, InputError) and "exactly one" in str(result.exception)
