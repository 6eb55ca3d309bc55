"""The grey NUTS 0 base is drawn under the coloured regions on every fresh browser launch.

The base and the regions are two geometry files the page fetches in parallel; before the map panes
(``cluster_map.maps.choropleth.PANES``) whichever arrived last was drawn on top, and in about half of
the visits from a freshly started browser the opaque grey base covered Europe. This test launches
chromium afresh 20 times (no HTTP cache, no warm renderer), waits until *both* geometries are on the
map, takes a screenshot of the map and counts the pixels that have one of the legend's class colours
(as blended over the base): they must cover a good part of the map every time.
"""

from __future__ import annotations

import io
import time

import pytest

from tests.conftest import CHROMIUM_ARGS

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]

LAUNCHES = 20
#: Both layers hold their features, and the page's paint (class colours, fill opacity) as a dict.
READY_JS = """() => {
  const c = window.cmap;
  if (!c || !c.layers.base || !c.layers.choropleth || !c.paints.choropleth) return null;
  if (!c.layers.base.getLayers().length || !c.layers.choropleth.getLayers().length) return null;
  return {colours: c.paints.choropleth.colours, opacity: c.styles.choropleth.fillOpacity,
          base: c.styles.base.fillColor,
          panes: [c.layers.base.options.pane, c.layers.choropleth.options.pane]};
}"""


def _rgb(colour: str) -> tuple[int, int, int]:
    colour = colour.lstrip("#")
    return int(colour[0:2], 16), int(colour[2:4], 16), int(colour[4:6], 16)


def class_pixel_share(png: bytes, colours: list[str], opacity: float, under: str, tol: int = 8) -> float:
    """Share of the image's pixels showing a class colour laid at ``opacity`` over ``under``."""
    from PIL import Image

    img = Image.open(io.BytesIO(png)).convert("RGB")
    bg = _rgb(under)
    wanted = [
        tuple(round(opacity * c + (1 - opacity) * b) for c, b in zip(_rgb(col), bg, strict=True))
        for col in colours
        if col.startswith("#")
    ]
    counts = img.getcolors(maxcolors=img.width * img.height) or []
    hit = sum(
        n
        for n, px in counts
        if any(all(abs(p - w) <= tol for p, w in zip(px, want, strict=True)) for want in wanted)
    )
    return hit / (img.width * img.height)


def _painted(page, timeout: float = 90.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                info = frame.evaluate(READY_JS)
            except Exception:  # frame navigating
                continue
            if info:
                return frame, info
        page.wait_for_timeout(100)
    raise AssertionError("the map did not load both geometries within the timeout")


def test_base_pixel_share_detects_a_covered_map() -> None:
    """The pixel count itself: a coloured block is found, the same block under opaque grey is not."""
    from PIL import Image

    colours, grey = ["#08519c", "#fd8d3c"], "#e4e4e0"
    blended = tuple(round(0.85 * c + 0.15 * b) for c, b in zip(_rgb(colours[0]), _rgb(grey), strict=True))
    img = Image.new("RGB", (100, 100), _rgb(grey))
    img.paste(blended, (0, 0, 50, 100))
    buf = io.BytesIO()
    img.save(buf, format="PNG")
    assert class_pixel_share(buf.getvalue(), colours, 0.85, grey) == pytest.approx(0.5)
    buf = io.BytesIO()
    Image.new("RGB", (100, 100), _rgb(grey)).save(buf, format="PNG")
    assert class_pixel_share(buf.getvalue(), colours, 0.85, grey) == 0.0


def test_coloured_classes_visible_on_every_fresh_launch(browser, chromium_path, app_url, artifacts) -> None:
    shares: list[float] = []
    for i in range(LAUNCHES):
        # a new browser process each time (the session's browser only lends its Playwright)
        fresh = browser.browser_type.launch(executable_path=str(chromium_path), args=CHROMIUM_ARGS)
        try:
            context = fresh.new_context(viewport={"width": 1200, "height": 900})
            page = context.new_page()
            page.goto(app_url + "/")
            frame, info = _painted(page)
            assert info["panes"] == ["cmBase", "cmRegions"]
            page.wait_for_timeout(300)  # let the last paint reach the screen
            png = frame.frame_element().screenshot()
            if i in (0, LAUNCHES - 1):
                (artifacts / f"map_fresh_launch_{i}.png").write_bytes(png)
            share = class_pixel_share(png, info["colours"], info["opacity"], info["base"])
            shares.append(share)
            if share < 0.05:
                (artifacts / f"map_fresh_launch_{i}_failed.png").write_bytes(png)
            context.close()
        finally:
            fresh.close()
    assert min(shares) >= 0.05, f"class colours covered on some launches: shares {shares}"
