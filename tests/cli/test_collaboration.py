"""`cluster-map events --format ics|csv|table` and `cluster-map partnerships search|gateways|import` on the tiny store."""

from __future__ import annotations

import json
from pathlib import Path

import icalendar
import pytest
from typer.testing import CliRunner

from cluster_map.cli.main import app, register_commands
from cluster_map.services import moderation
from tests.app_store import build_tiny_store

PW = "correct horse battery"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    register_commands()
    return build_tiny_store(tmp_path_factory.mktemp("cli") / "cluster_map.duckdb")


def test_events_ics_is_valid_and_names_the_left_out_event(store: Path, tmp_path: Path) -> None:
    out = tmp_path / "events.ics"
    got = CliRunner().invoke(app, ["events", "--format", "ics", "--out", str(out), "--db", str(store)])
    assert got.exit_code == 0, got.output
    assert "Wrote" in got.output and "1 event(s)" in got.output
    assert (
        "left out because their source gives only a month or a year" in got.output and "(2025)" in got.output
    )
    raw = out.read_bytes()
    assert b"\r\n" in raw and b"\n" not in raw.replace(b"\r\n", b"")
    (vevent,) = icalendar.Calendar.from_ical(raw).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Clusters meet Regions - Vienna"


def test_events_table_and_csv_keep_partial_dates(store: Path, tmp_path: Path) -> None:
    got = CliRunner().invoke(app, ["events", "--db", str(store)])
    assert got.exit_code == 0 and "2024-03-26 – 2024-03-27" in got.output and " 2025 " in got.output
    out = tmp_path / "e.csv"
    CliRunner().invoke(
        app, ["events", "--format", "csv", "--when", "past", "--out", str(out), "--db", str(store)]
    )
    text = out.read_text(encoding="utf-8")
    assert "Vienna" in text and ",2025,year," in text and "2025-01-01" not in text  # a year stays a year
    bad = CliRunner().invoke(app, ["events", "--format", "ics", "--db", str(store)])
    assert bad.exit_code != 0 and "--out" in str(bad.exception)


def test_partnerships_import_then_gateways(store: Path, tmp_path: Path) -> None:
    moderation.add_user(store.parent / "board.duckdb", username="root", password=PW, role="admin")
    src = tmp_path / "p.json"
    src.write_text(
        json.dumps(
            [
                {
                    "name": "EU-Japan health gateway",
                    "theme": "health",
                    "members": "ACstyria",
                    "countries": "AT",
                    "target_markets": "JP",
                    "kind": "project",
                    "programme": "COSME",
                }
            ]
        ),
        encoding="utf-8",
    )
    runner = CliRunner()
    got = runner.invoke(
        app, ["partnerships", "import", str(src), "--admin", "root", "--db", str(store)], input=f"{PW}\n"
    )
    assert got.exit_code == 0 and "Imported 1" in got.output, got.output
    got = runner.invoke(
        app, ["partnerships", "gateways", "--market", "JP", "--text", "health", "--db", str(store)]
    )
    assert "EU-Japan health gateway" in got.output and "Automotive Cluster Styria" in got.output
    got = runner.invoke(app, ["partnerships", "gateways", "--market", "CN", "--db", str(store)])
    assert "No partnership or project" in got.output
    got = runner.invoke(app, ["partnerships", "search", "--format", "csv", "--db", str(store)])
    assert "RECiPE4Mobility" in got.output and "[EUCO1]" in got.output and "'=cmd" not in got.output
