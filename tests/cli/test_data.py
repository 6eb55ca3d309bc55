"""`cluster-map ingest` and `cluster-map info` (CliRunner on a tiny plan, and on the mirror store)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from cluster_map.cli.main import app, main, register_commands
from cluster_map.store.schema import SCHEMA_VERSION
from tests.services.test_ingest import tiny_plan  # noqa: F401 (fixture)

register_commands()
runner = CliRunner()


def test_ingest_prints_the_summary(tmp_path: Path, tiny_plan: list) -> None:  # noqa: F811
    db = tmp_path / "s.duckdb"
    result = runner.invoke(app, ["ingest", "--source", str(tmp_path), "--db", str(db), "--no-progress"])
    assert result.exit_code == 0, result.output
    assert f"Store {db}" in result.output
    assert "sbs_r_nuts06_r2" in result.output and "regions matched 2, unmatched 1 (FI18)" in result.output
    assert "organisations eu_cluster_organisations: 2 (city 1, country 1)" in result.output
    assert db.is_file()


def test_info_lists_datasets_with_provenance(tmp_path: Path, tiny_plan: list) -> None:  # noqa: F811
    db = tmp_path / "s.duckdb"
    runner.invoke(app, ["ingest", "--source", str(tmp_path), "--db", str(db), "--no-progress"])
    result = runner.invoke(app, ["info", "--db", str(db)])
    assert result.exit_code == 0, result.output
    assert (
        "sbs_r_nuts06_r2  [statistics]  6 rows, years 2014-2015, NUTS 2013, 1 region codes without geometry"
        in result.output
    )
    assert "official: https://example.org/sbs_r_nuts06_r2.tsv.gz" in result.output
    assert "read from: mirror:sbs_r_nuts06_r2.tsv.gz (local mirror)" in result.output


def test_info_json_is_machine_readable(tmp_path: Path, tiny_plan: list) -> None:  # noqa: F811
    db = tmp_path / "s.duckdb"
    runner.invoke(app, ["ingest", "--source", str(tmp_path), "--db", str(db), "--no-progress"])
    result = runner.invoke(app, ["info", "--json", "--db", str(db)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    by_code = {d["code"]: d for d in data["datasets"]}
    assert set(by_code) == {"gisco_nuts_2013", "nace_r2", "sbs_r_nuts06_r2"}
    assert by_code["sbs_r_nuts06_r2"]["row_count"] == 6 and by_code["sbs_r_nuts06_r2"]["cells_read"] == 6
    assert data["tables"]["observations"] == 6 and data["meta"]["schema_version"] == str(SCHEMA_VERSION)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["info"], "No store at"),
        (["ingest", "--only", "gdp", "--no-progress"], "Unknown dataset(s) ['gdp']"),
        (["ingest", "--only", "sbs_r_nuts06_r2", "--no-progress"], "Run a full `cluster-map ingest` first"),
    ],
)
def test_errors_are_one_clear_message(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    code = main([*args, "--db", str(tmp_path / "none.duckdb")])
    err = capsys.readouterr().err
    assert code == 1
    assert message in err and "Traceback" not in err


@pytest.mark.mirror
@pytest.mark.slow
def test_info_on_the_mirror_store(mirror_store: Path) -> None:
    result = runner.invoke(app, ["info", "--json", "--db", str(mirror_store)])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    kinds = {d["code"]: d["kind"] for d in data["datasets"]}
    for code in ("sbs_r_nuts06_r2", "lfst_r_lfe2en2", "sbs_na_sca_r2", "nama_10r_2gdp", "us_cmp_states_2016"):
        assert kinds[code] == "statistics"
    assert all(len(d["checksum"].split()[0]) == 64 for d in data["datasets"])
    assert {"gisco_nuts_2013", "gisco_nuts_2024", "us_regions", "nuts_recoding_2013"} <= set(kinds)
