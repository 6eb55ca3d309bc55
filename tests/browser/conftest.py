"""Real-browser fixtures: a Streamlit server on a free localhost port and Debian's chromium.

Playwright drives ``/usr/bin/chromium`` (never ``playwright install``). Without chromium the tests are
skipped locally and fail when ``CI=true``. Every request that would leave localhost is aborted and
recorded, so a test can assert that the app works offline.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LOCAL = (
    "http://localhost",
    "http://127.0.0.1",
    "ws://localhost",
    "ws://127.0.0.1",
    "data:",
    "blob:",
    "about:",
    "chrome-extension:",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start_server(
    db: Path, port: int, log: Path, *, script: Path = ROOT / "app.py", cwd: Path = ROOT
) -> subprocess.Popen:
    """``streamlit run app.py`` (or ``script``) on ``port`` with ``CLUSTER_MAP_DB=db``; waits until it answers."""
    env = {**os.environ, "CLUSTER_MAP_DB": str(db)}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(script),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
    ]
    proc = subprocess.Popen(cmd, cwd=cwd, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"streamlit exited with {proc.returncode}; see {log}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
                if r.status == 200:
                    return proc
        except OSError:
            time.sleep(0.3)
    proc.terminate()
    raise RuntimeError(f"streamlit did not answer on port {port} within 60 s; see {log}")


def stop_server(proc: subprocess.Popen) -> None:
    """Terminate a server from :func:`start_server` (kill it if it does not end within 10 s)."""
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="session")
def app_url(mirror_store: Path, chromium_path: Path, artifacts: Path) -> Iterator[str]:
    """Base URL of the app served over the mirror store (one server per test session)."""
    port = free_port()
    proc = start_server(mirror_store, port, artifacts / "streamlit_server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


@pytest.fixture()
def page(browser):
    """A fresh page whose requests off localhost are aborted and listed in ``page.offsite``."""
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    pg = context.new_page()
    offsite: list[str] = []

    def guard(route) -> None:
        url = route.request.url
        if url.startswith(LOCAL):
            route.continue_()
        else:
            offsite.append(url)
            route.abort()

    context.route("**/*", guard)
    pg.offsite = offsite  # type: ignore[attr-defined]
    yield pg
    context.close()
