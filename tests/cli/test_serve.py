"""`cluster-map serve`: builds a missing store first, then runs `streamlit run app.py` from the repo root."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cluster_map.cli.main import main
from cluster_map.config import REPO_ROOT


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    seen: dict[str, list] = {"build": [], "run": [], "assets": []}

    def build_store(db: Path, *, progress: bool = False) -> float:
        seen["build"].append((db, progress))
        db.write_bytes(b"")
        return 1.0

    def run(cmd, cwd=None, env=None, check=False):
        seen["run"].append((cmd, cwd, env))
        return subprocess.CompletedProcess(cmd, 0)

    import cluster_map.cli.serve as serve

    monkeypatch.setattr(serve.mapview, "build_store", build_store)
    monkeypatch.setattr(serve.mapview, "install_assets", lambda d: seen["assets"].append(d))
    monkeypatch.setattr(serve.subprocess, "run", run)
    return seen


def test_serve_builds_a_missing_store_then_runs_streamlit(calls, tmp_path: Path, capsys) -> None:
    db = tmp_path / "new.duckdb"
    assert main(["serve", "--port", "8599", "--db", str(db)]) == 0
    assert calls["build"] == [(db, True)]
    cmd, cwd, env = calls["run"][0]
    assert cmd[1:4] == ["-m", "streamlit", "run"] and cmd[4] == str(REPO_ROOT / "app.py")
    assert cmd[cmd.index("--server.port") + 1] == "8599" and cwd == REPO_ROOT
    assert env["CLUSTER_MAP_DB"] == str(db)
    assert calls["assets"] == [REPO_ROOT / "static"]
    assert "http://localhost:8599" in capsys.readouterr().out


def test_serve_uses_an_existing_store_as_is(calls, tmp_path: Path) -> None:
    db = tmp_path / "there.duckdb"
    db.write_bytes(b"x")
    assert main(["serve", "--db", str(db)]) == 0
    assert calls["build"] == []
    cmd, _, _ = calls["run"][0]
    assert cmd[cmd.index("--server.port") + 1] == "8501"
