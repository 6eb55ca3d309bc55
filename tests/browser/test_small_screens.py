"""Small screens in a real browser: at 800x600 (sidebar open) and at phone width (390x844) the Map page
shows all of Europe in a map that fits the window, and a region profile's key figures are whole.

Each viewport gets a fresh context; the Map page and the profile of Oberbayern (DE21) and California (06)
are screenshot into the pytest tmp dir (the paths are printed) to be looked at. A key figure counts as
whole when no element of its tile is cut (``scrollWidth <= clientWidth``: Streamlit cuts a metric that
does not fit with an ellipsis, "190,…") and its value is the full figure.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_map_browser import map_frame

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]

VIEWPORTS = {"800x600": (800, 600), "phone": (390, 844)}
#: Lisbon to Helsinki and Athens: a map of Europe shows at least this box ((south, west), (north, east)).
EUROPE_CORE = ((37.5, -9.5), (60.5, 26.0))
#: Every element of a metric tile that is cut: [testid or tag, text, scrollWidth, clientWidth].
CUT_JS = """() => {
  const out = [];
  for (const tile of document.querySelectorAll('[data-testid="stMetric"]')) {
    for (const el of [tile, ...tile.querySelectorAll('*')]) {
      if (el.scrollWidth > el.clientWidth + 1 && el.clientWidth > 0) {
        out.push([el.dataset.testid || el.tagName, el.innerText.slice(0, 40), el.scrollWidth, el.clientWidth]);
      }
    }
  }
  return out;
}"""
VALUES_JS = (
    """() => Array.from(document.querySelectorAll('[data-testid="stMetricValue"]')).map(e => e.innerText)"""
)
LABELS_JS = (
    """() => Array.from(document.querySelectorAll('[data-testid="stMetricLabel"]')).map(e => e.innerText)"""
)


def _idle(page) -> None:
    """Wait until Streamlit has no script run in progress (its status widget is gone)."""
    page.wait_for_timeout(300)
    running = page.locator("[data-testid='stStatusWidget']").filter(has_text=re.compile("Running"))
    for _ in range(300):
        if not running.count():
            return
        page.wait_for_timeout(200)


@pytest.fixture(params=list(VIEWPORTS))
def small_page(request, browser):  # type: ignore[no-untyped-def]
    width, height = VIEWPORTS[request.param]
    context = browser.new_context(viewport={"width": width, "height": height})
    pg = context.new_page()
    pg.viewport_name = request.param  # type: ignore[attr-defined]
    yield pg
    context.close()


def test_the_map_shows_europe_and_fits_the_window(small_page, app_url, tmp_path: Path) -> None:
    page = small_page
    page.goto(app_url + "/")
    frame = map_frame(page)
    _idle(page)
    iframe = page.locator("iframe[title*='st_folium']").first
    iframe.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    shot = tmp_path / f"map_{page.viewport_name}.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    box = iframe.bounding_box()
    assert box is not None and box["height"] <= page.viewport_size["height"], (box, page.viewport_size)
    assert box["width"] <= page.viewport_size["width"]
    (s, w, n, e) = frame.evaluate(
        "() => { const b = map_div.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"
    )
    (cs, cw), (cn, ce) = EUROPE_CORE
    assert s <= cs and w <= cw and n >= cn and e >= ce, f"the map shows {(s, w, n, e)}, not all of Europe"
    # a narrow map's legend is folded to its title (it would cover the Balkans); a tap unfolds it
    legend = frame.locator(".cm-legend").first
    swatches = frame.locator(".cm-legend .cm-swatch")
    assert "cm-folded" in (legend.get_attribute("class") or "") and not swatches.first.is_visible()
    assert legend.bounding_box()["height"] < 30  # type: ignore[index]
    frame.locator(".cm-legend-title").first.click()
    swatches.first.wait_for(state="visible", timeout=5_000)
    assert swatches.count() >= 3 and "cm-folded" not in (legend.get_attribute("class") or "")
    shot = tmp_path / f"map_{page.viewport_name}_legend.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/Region_profile?regions=DE21", ["1.81 M", "190,263", "229.93 bn"]),  # GDP: EUR 229,930 million
        ("/Region_profile?dataset=us_cmp_states_2016&regions=06&level=1", ["14.60 M", "919,531"]),
    ],
    ids=["DE21", "California"],
)
def test_key_figures_are_whole(small_page, app_url, tmp_path: Path, path: str, expected: list[str]) -> None:
    page = small_page
    page.goto(app_url + path)
    page.get_by_test_id("stMetricValue").first.wait_for(timeout=90_000)
    _idle(page)
    page.get_by_text("Key figures").first.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    shot = tmp_path / f"profile_{path.split('regions=')[1].split('&')[0]}_{page.viewport_name}.png"
    page.screenshot(path=str(shot))
    print(f"screenshot: {shot}")
    values = page.evaluate(VALUES_JS)
    assert set(expected) <= set(values), values
    assert page.evaluate(CUT_JS) == [], "key figures cut"
    labels = page.evaluate(LABELS_JS)
    assert all(" · " in label for label in labels), labels  # the year is in every label, not cut off
