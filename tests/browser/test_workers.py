"""``cluster-map serve --workers 2`` in chromium: two Streamlit processes behind nginx, sticky per browser.

The real command starts the workers and nginx over the mirror store. Two browsers open the Map page
through the proxy: each gets a ``cm_route`` cookie, keeps its websocket on one worker, sees the painted
map, and works under the page's Content-Security-Policy header (no violation reported, no request
leaving localhost). Skipped where nginx is not installed.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, free_port
from tests.browser.test_map_browser import map_frame

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]


@pytest.fixture(scope="module")
def proxied(mirror_store: Path, chromium_path: Path, artifacts: Path) -> Iterator[str]:
    if shutil.which("nginx") is None:
        pytest.skip("nginx is not installed (apt-get install nginx-light)")
    port = free_port()
    while any(_in_use(p) for p in (port + 1, port + 2)):
        port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    log = artifacts / "serve_workers.log"
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "cluster_map.cli",
            "serve",
            "--db",
            str(mirror_store),
            "--port",
            str(port),
            "--address",
            "127.0.0.1",
            "--workers",
            "2",
        ],
        cwd=ROOT,
        env=env,
        stdout=log.open("wb"),
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    try:
        while True:
            try:
                with urllib.request.urlopen(f"{base}/_stcore/health", timeout=1):
                    ready = [_healthy(port + i) for i in (1, 2)]
                if all(ready):
                    break
            except OSError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"serve --workers 2 did not come up; see {log}")
            time.sleep(0.5)
        yield base
    finally:
        proc.send_signal(signal.SIGTERM)  # serve stops its workers and nginx
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()


def _in_use(port: int) -> bool:
    import socket

    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1) as r:
            return r.status == 200
    except OSError:
        return False


def test_two_browsers_through_the_proxy_each_stay_on_a_worker(browser, proxied: str, artifacts: Path) -> None:
    from tests.browser.conftest import LOCAL

    pages, routes = [], []
    for i in range(2):
        context = browser.new_context(viewport={"width": 1300, "height": 900})
        page = context.new_page()
        page.offsite, page.csp = [], []  # type: ignore[attr-defined]
        context.route(
            "**/*",
            lambda route, p=page: (
                route.continue_()
                if route.request.url.startswith(LOCAL)
                else (p.offsite.append(route.request.url), route.abort())
            ),
        )
        page.on(
            "console",
            lambda msg, p=page: p.csp.append(msg.text) if "Content Security Policy" in msg.text else None,
        )
        headers: list[dict[str, str]] = []
        page.on(
            "response",
            lambda r, h=headers: h.append(r.headers) if r.url.endswith(("/", "?sector=C29")) else None,
        )
        page.goto(f"{proxied}/?sector=C29")
        map_frame(page, timeout=120)
        cookies = {c["name"]: c["value"] for c in context.cookies()}
        assert "cm_route" in cookies, cookies
        routes.append(cookies["cm_route"])
        assert any("img-src 'self' data: blob:" in h.get("content-security-policy", "") for h in headers), (
            headers
        )
        page.screenshot(path=str(artifacts / f"workers_{i}.png"))
        pages.append((context, page))
    for context, page in pages:
        assert page.offsite == []  # type: ignore[attr-defined]
        assert page.csp == []  # type: ignore[attr-defined]  # the app works under the policy
        assert page.get_by_text("Location quotient").count() > 0  # the sidebar and the page are live
        context.close()
    assert routes[0] != routes[1]  # each browser has its own route (and so may land on either worker)
