"""The map's Content Security Policy in chromium: a missed escape in the map document cannot call out.

A tiny Streamlit script draws the app's own base map (``cluster_map.maps.choropleth.base_map``, Leaflet
from the server's static files) with a paint that carries what a missed escape would put there: a
marker whose HTML is a raw ``<img src=http://evil.example/x>``. Every request of the page (the app, its
component iframe, the static files) is watched. With the policy the image element is in the iframe's
document, the browser refuses to load it (a ``securitypolicyviolation``) and no request leaves the
machine, while the regions still draw. The same page without the policy (``?csp=0``) does send the
request, so the test can fail.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.browser.conftest import ROOT, free_port, stop_server

pytestmark = pytest.mark.browser

EVIL = "http://evil.example/x"
SCRIPT = f'''
import folium
import geopandas as gpd
import streamlit as st
from streamlit_folium import st_folium

from cluster_map.maps.choropleth import base_map

regions = gpd.read_file({str(ROOT / "tests/fixtures/geo/adjacent.geojson")!r}).rename(columns={{"NUTS_ID": "code"}})
m = base_map(regions)
if st.query_params.get("csp") == "0":
    m.get_root().header._children.pop("cm_csp")
paint = folium.FeatureGroup(name="paint")
# what a missed escape in a tooltip or label would put in the map document
folium.Marker([0.55, 1.0], icon=folium.DivIcon(html='<img id="leak" src="{EVIL}">')).add_to(paint)
st_folium(m, key="csp_map", height=400, feature_group_to_add=[paint], returned_objects=[])
st.write("drawn")
'''


@pytest.fixture(scope="module")
def csp_app(tmp_path_factory: pytest.TempPathFactory, chromium_path: Path, artifacts: Path) -> Iterator[str]:
    from cluster_map.services.mapview import install_assets

    home = tmp_path_factory.mktemp("csp_app")
    (home / "app.py").write_text(SCRIPT)
    install_assets(home / "static")
    port = free_port()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")])}
    cmd = [
        sys.executable,
        "-m",
        "streamlit",
        "run",
        str(home / "app.py"),
        "--server.port",
        str(port),
        "--server.address",
        "127.0.0.1",
        "--server.headless",
        "true",
        "--browser.gatherUsageStats",
        "false",
        "--server.enableStaticServing",
        "true",
        "--server.fileWatcherType",
        "none",
    ]
    log = artifacts / "csp_server.log"
    proc = subprocess.Popen(cmd, cwd=home, env=env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=1):
                break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_server(proc)
                raise RuntimeError(f"the CSP test app did not start; see {log}") from None
            time.sleep(0.3)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


def _open(page, url: str):  # type: ignore[no-untyped-def]
    page.goto(url)
    page.wait_for_selector("iframe[title*='st_folium'], iframe", timeout=60_000)
    frame = page.frame_locator("iframe").first
    frame.locator("path.leaflet-interactive").first.wait_for(timeout=60_000)
    frame.locator("#leak").wait_for(state="attached", timeout=30_000)
    page.wait_for_timeout(1500)  # let any image request go out
    return frame


def test_a_missed_escape_in_the_map_makes_no_request_leave_the_machine(
    page,
    csp_app: str,  # type: ignore[no-untyped-def]
    artifacts: Path,
) -> None:
    violations: list[str] = []
    page.on(
        "console", lambda msg: violations.append(msg.text) if "Content Security Policy" in msg.text else None
    )
    frame = _open(page, f"{csp_app}/?csp=1")
    assert frame.locator("path.leaflet-interactive").count() == 2  # both regions drawn
    assert page.offsite == []  # type: ignore[attr-defined]
    assert any("evil.example" in v for v in violations), violations  # refused by the policy, not by luck
    page.screenshot(path=str(artifacts / "map_csp.png"))


def test_without_the_policy_the_same_page_calls_out(page, csp_app: str) -> None:  # type: ignore[no-untyped-def]
    _open(page, f"{csp_app}/?csp=0")
    assert EVIL in page.offsite  # type: ignore[attr-defined]
