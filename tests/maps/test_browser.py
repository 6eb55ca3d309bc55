"""Real browser (Debian chromium via Playwright): the offline map draws, colours, escapes, makes no request."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest

from cluster_map.maps.choropleth import choropleth, paint
from cluster_map.maps.classes import LQ_COLOURS, STAR_COLOURS, lq_classes, star_classes
from cluster_map.maps.layers import layer_control, organisations_layer, star_layer

from .conftest import XSS_NAME

pytestmark = [
    pytest.mark.browser,
]


def _fills(page) -> list[str]:  # type: ignore[no-untyped-def]
    return page.eval_on_selector_all(
        "path.leaflet-interactive", "els => els.map(e => e.getAttribute('fill'))"
    )


def test_standalone_map_draws_offline_with_escaped_tooltips(
    layer: gpd.GeoDataFrame,
    countries,  # type: ignore[no-untyped-def]
    organisations: pd.DataFrame,
    tmp_path: Path,
    browser,
    artifacts: Path,
) -> None:
    m = choropleth(
        layer, value_col="value", label_col="name", classes=lq_classes(), base=countries, assets="inline"
    )
    m.add_child(organisations_layer(organisations))
    m.add_child(star_layer(layer))
    m.add_child(layer_control())
    recolour = paint(layer, value_col="stars", label_col="name", classes=star_classes())
    page_file = tmp_path / "map.html"
    page_file.write_text(m.get_root().render(), encoding="utf-8")

    context = browser.new_context(viewport={"width": 900, "height": 700})
    try:
        page = context.new_page()
        requests: list[str] = []
        errors: list[str] = []
        dialogs: list[str] = []
        page.on("request", lambda r: requests.append(r.url))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        page.goto(page_file.as_uri())
        page.wait_for_selector("path.leaflet-interactive")
        assert _fills(page) == [LQ_COLOURS[0], LQ_COLOURS[3], "url(#cm-hatch)", LQ_COLOURS[4]]
        assert page.locator(".cm-legend", has_text="Location quotient").count() == 1
        assert page.locator(".cm-org").count() + page.locator(".marker-cluster").count() >= 1
        page.locator("path.leaflet-interactive").first.hover(position={"x": 12, "y": 12})
        tip = page.locator(".leaflet-tooltip").inner_text()
        assert tip.startswith(f"AA1 · {XSS_NAME}")  # shown as text, not run
        assert "Rank: 3 of 3" in tip and "Source flags: e (estimated)" in tip
        expected = paint(layer, value_col="value", label_col="name", classes=lq_classes()).tooltip("AA1")
        assert page.locator(".leaflet-tooltip", has_text="AA1 ·").inner_html() == expected
        page.locator("path.leaflet-interactive").nth(2).hover(position={"x": 12, "y": 12})
        tip3 = page.locator(".leaflet-tooltip", has_text="AA3 · Plain & simple").inner_text()
        assert "no data: confidential in the source (flag c)" in tip3
        page.screenshot(path=str(artifacts / "maps_standalone.png"))
        # a filter change: the paint script alone restyles the same polygons in place
        page.evaluate(f"cmap.paint('choropleth', {recolour.json()})")
        assert _fills(page) == [STAR_COLOURS[0], STAR_COLOURS[2], "url(#cm-hatch)", STAR_COLOURS[3]]
        assert page.locator(".cm-legend", has_text="Cluster stars").count() == 1
        assert page.locator(".cm-legend", has_text="Location quotient").count() == 0
        assert dialogs == [] and errors == []
        assert [u for u in requests if not u.startswith(("file:", "data:"))] == []
    finally:
        context.close()


def test_streamlit_style_page_fetches_assets_and_geometry_from_the_server(
    layer: gpd.GeoDataFrame,
    countries,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    browser,
) -> None:
    """URL mode: Leaflet from /app/static/vendor, geometry fetched from /app/static/vendor/geo, paint applied."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    from cluster_map.maps.assets import install_static_assets
    from cluster_map.maps.choropleth import base_map, encode_geometry, publish_geometry

    static = tmp_path / "app" / "static"
    install_static_assets(static)
    enc, benc = encode_geometry(layer), encode_geometry(countries, precision=3)
    m = base_map(
        enc,
        base=benc,
        geometry_url=publish_geometry(enc, static),
        base_geometry_url=publish_geometry(benc, static),
    )
    m.add_child(paint(layer, value_col="value", label_col="name", classes=lq_classes()).feature_group())
    (tmp_path / "index.html").write_text(m.get_root().render(), encoding="utf-8")

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(tmp_path)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    origin = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        context = browser.new_context(viewport={"width": 800, "height": 600})
        try:
            page = context.new_page()
            requests: list[str] = []
            errors: list[str] = []
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(f"{origin}/index.html")
            page.wait_for_function("document.querySelectorAll('path.leaflet-interactive').length == 4")
            assert _fills(page) == [LQ_COLOURS[0], LQ_COLOURS[3], "url(#cm-hatch)", LQ_COLOURS[4]]
            assert errors == []
            assert all(u.startswith(origin) for u in requests)
            assert any("/app/static/vendor/geo/" in u for u in requests)
            # one file for Leaflet + marker clusters, no jQuery (no element uses it)
            scripts = [u for u in requests if u.endswith(".js")]
            assert scripts == [f"{origin}/app/static/vendor/bundle/leaflet+markerclusterjs.js"]
        finally:
            context.close()
    finally:
        server.shutdown()
