"""`cluster-map serve`: builds a missing store first, then runs `streamlit run app.py` from the repo root."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from cluster_map.cli.main import main
from cluster_map.config import REPO_ROOT


@pytest.fixture()
def calls(monkeypatch: pytest.MonkeyPatch) -> dict[str, list]:
    seen: dict[str, list] = {"build": [], "run": [], "assets": [], "popen": []}

    def build_store(db: Path, *, progress: bool = False) -> float:
        seen["build"].append((db, progress))
        db.write_bytes(b"")
        return 1.0

    def run(cmd, cwd=None, env=None, check=False):
        seen["run"].append((cmd, cwd, env))
        return subprocess.CompletedProcess(cmd, 0)

    class Warmer:  # the warm-up client: recorded, never started
        def __init__(self, cmd, cwd=None, env=None) -> None:
            seen["popen"].append(cmd)

        def poll(self):
            return None

        def terminate(self) -> None:
            seen["popen"].append("terminated")

    import cluster_map.cli.serve as serve

    monkeypatch.setattr(serve.subprocess, "Popen", Warmer)
    from cluster_map.services import mapview

    monkeypatch.setattr(mapview, "build_store", build_store)
    monkeypatch.setattr(mapview, "install_assets", lambda d: seen["assets"].append(d))
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
    # beside the server, the warm-up client runs every page once; it is stopped when the server ends
    assert calls["popen"][0][1:] == ["-m", "cluster_map.ui.warmup", "http://127.0.0.1:8599"]
    assert calls["popen"][-1] == "terminated"


def test_serve_without_warm_up_starts_no_client(calls, tmp_path: Path) -> None:
    db = tmp_path / "there.duckdb"
    db.write_bytes(b"x")
    assert main(["serve", "--db", str(db), "--no-warm-up"]) == 0
    assert calls["run"] and calls["popen"] == []


def test_serve_uses_an_existing_store_as_is(calls, tmp_path: Path) -> None:
    db = tmp_path / "there.duckdb"
    db.write_bytes(b"x")
    assert main(["serve", "--db", str(db)]) == 0
    assert calls["build"] == []
    cmd, _, _ = calls["run"][0]
    assert cmd[cmd.index("--server.port") + 1] == "8501"


def test_workers_without_nginx_say_what_to_do(
    calls, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cluster_map.cli.serve as serve

    db = tmp_path / "there.duckdb"
    db.write_bytes(b"x")
    monkeypatch.setattr(serve.shutil, "which", lambda name: None)
    assert main(["serve", "--db", str(db), "--workers", "3"]) == 1
    err = capsys.readouterr().err
    assert "sticky sessions" in err and "--proxy-config" in err and "Traceback" not in err


def test_workers_start_streamlit_per_port_and_write_the_proxy_config(
    calls, tmp_path: Path, capsys, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cluster_map.cli.serve as serve

    started: list[list[str]] = []

    class Child:
        def __init__(self, cmd, cwd=None, env=None) -> None:
            started.append(cmd)
            self.env, self.returncode = env, None

        def poll(self):  # the first worker ends at once: serve stops the others and returns
            self.returncode = 0 if len(started) > 0 else None
            return self.returncode

        def terminate(self) -> None: ...

        def wait(self, timeout=None) -> int:
            return 0

    db = tmp_path / "there.duckdb"
    db.write_bytes(b"x")
    conf = tmp_path / "cluster_map.conf"
    monkeypatch.setattr(serve.subprocess, "Popen", Child)
    assert (
        main(["serve", "--db", str(db), "--port", "8600", "--workers", "2", "--proxy-config", str(conf)]) == 0
    )
    servers = [c for c in started if "streamlit" in c]
    assert [c[c.index("--server.port") + 1] for c in servers] == ["8601", "8602"]
    assert all(
        c[c.index("--server.address") + 1] == "127.0.0.1" for c in servers
    )  # only the proxy faces users
    warmers = [c[-1] for c in started if "cluster_map.ui.warmup" in c]
    assert warmers == ["http://127.0.0.1:8601", "http://127.0.0.1:8602"]  # each worker warmed
    text = conf.read_text()
    assert (
        "server 127.0.0.1:8601" in text
        and "server 127.0.0.1:8602" in text
        and "listen 127.0.0.1:8600" in text
    )
    assert "hash $cm_route consistent" in text and "proxy_set_header Upgrade $http_upgrade" in text
    assert "2 workers on ports 8601-8602" in capsys.readouterr().out
