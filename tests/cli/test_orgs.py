"""`cluster-map orgs search|show|import` and `cluster-map partners` (CliRunner on the mirror store)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import duckdb
import pytest
from typer.testing import CliRunner

from cluster_map.cli.main import app, register_commands
from cluster_map.stats.partners import FACTORS

register_commands()
runner = CliRunner()
pytestmark = pytest.mark.mirror

VALLEY = "eu_cluster_organisations:EUCO0109"


def run(*args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_search_formats(mirror_store: Path) -> None:
    db = ["--db", str(mirror_store)]
    out = run("orgs", "search", "--text", "aerospace", "--country", "FR", *db)
    assert "Aerospace Valley" in out and "organisation(s)" in out
    rows = json.loads(run("orgs", "search", "--sector", "C29", "--country", "AT", "--format", "json", *db))
    assert rows and all(r["country"] == "AT" and "C29" in r["nace"] for r in rows)
    table = list(
        csv.DictReader(io.StringIO(run("orgs", "search", "--label", "gold", "--format", "csv", *db)))
    )
    assert table and {r["label_level"] for r in table} == {"gold"}
    eco = json.loads(run("orgs", "search", "--ecosystem", "aerospace-defence", "--format", "json", *db))
    assert any(r["name"] == "Aerospace Valley" for r in eco)


def test_show_profile(mirror_store: Path) -> None:
    out = run("orgs", "show", VALLEY, "--db", str(mirror_store))
    assert "Aerospace Valley" in out and "Aerospace (NACE C30)" in out and "country only" in out
    data = json.loads(
        run("orgs", "show", "us_cmp_organisations:332", "--format", "json", "--db", str(mirror_store))
    )
    assert data["region"] == "12" and data["statistics"][0]["sector"] == "1"  # Florida, aerospace cluster
    bad = runner.invoke(app, ["orgs", "show", "nope", "--db", str(mirror_store)])
    assert bad.exit_code != 0


def test_partners_one_row_per_candidate_with_factors_and_why(mirror_store: Path) -> None:
    text = run("partners", "--org", VALLEY, "--format", "csv", "--top", "5", "--db", str(mirror_store))
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == 5
    assert {"id", "name", "score", "why", *FACTORS, *(f"c_{f}" for f in FACTORS)} <= set(rows[0])
    scores = [float(r["score"]) for r in rows]
    assert scores == sorted(scores, reverse=True) and all(r["why"] for r in rows)
    need = json.loads(
        run(
            "partners",
            "--sector",
            "automotive",
            "--country",
            "AT",
            "--format",
            "json",
            "--top",
            "3",
            "--db",
            str(mirror_store),
        )
    )
    assert len(need) == 3 and all("automotive" in r["shared"] for r in need)


def test_import_dry_run_then_write_and_report(store_copy: Path, tmp_path: Path) -> None:
    bad = tmp_path / "mine.csv"
    bad.write_text(
        "name,country,city,sectors\nAcme Aero,FR,Toulouse,aeronautics\nacme aero ,FR,,\nBad,Germany,,\n",
        encoding="utf-8",
    )
    before = store_copy.read_bytes()
    result = runner.invoke(app, ["orgs", "import", str(bad), "--db", str(store_copy)])
    assert result.exit_code == 1
    assert (
        "line 4, field 'country', value 'Germany'" in result.output and "nothing was written" in result.output
    )
    assert store_copy.read_bytes() == before  # nothing written on error
    good = tmp_path / "mine.json"
    good.write_text(
        json.dumps(
            [
                {"name": "Acme Aero", "country": "FR", "city": "Toulouse", "sectors": "aeronautics"},
                {"name": "Aerospace Valley", "country": "FR"},
            ]
        ),
        encoding="utf-8",
    )
    out = run("orgs", "import", str(good), "--dry-run", "--db", str(store_copy))
    assert "Valid (dry run" in out and "also in directory 'eu_cluster_organisations'" in out
    assert store_copy.read_bytes() == before
    out = run("orgs", "import", str(good), "--db", str(store_copy))
    assert "Written to the store" in out
    rows = (
        duckdb.connect(str(store_copy), read_only=True)
        .execute(
            "SELECT name, geocode_precision, nuts2, sector_keys FROM organisations WHERE directory = 'user:mine' "
            "ORDER BY name"
        )
        .fetchall()
    )
    assert rows[0] == ("Acme Aero", "city", "FRJ2", "aerospace")
    found = json.loads(
        run(
            "orgs",
            "search",
            "--text",
            "aerospace",
            "--country",
            "FR",
            "--format",
            "json",
            "--db",
            str(store_copy),
        )
    )
    assert "Acme Aero" in {r["name"] for r in found}
