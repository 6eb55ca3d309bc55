"""Estimated regions on the Map page in a real browser: the dashed outline the paint asks for is drawn.

UKI3 and UKI4 (Inner London) in 2012 are NUTS 2010's UKI1 split by population weights: the paint lists
them under ``outline`` and the page draws their paths with a dark dashed stroke; a native region keeps
the plain white border. The screenshot is kept in tests/artifacts to look at.
"""

from __future__ import annotations

import pytest

from tests.browser.test_map_browser import map_frame

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]

STROKES_JS = """() => {
  const out = {};
  for (const id in map_div._layers) {
    const l = map_div._layers[id];
    if (!l.feature || !l._path) continue;
    out[String(Object.values(l.feature.properties)[0])] = [l._path.getAttribute('stroke'),
                                                           l._path.getAttribute('stroke-dasharray')];
  }
  return out;
}"""


def test_estimated_regions_are_outlined(page, app_url, artifacts) -> None:
    page.goto(app_url + "/?sector=C&year=2012&metric=lq&countries=UK")
    frame = map_frame(page)
    strokes = frame.evaluate(STROKES_JS)
    assert strokes["UKI3"] == ["#1f1f1f", "4 3"] and strokes["UKI4"] == ["#1f1f1f", "4 3"]
    assert strokes["UKC1"][1] is None  # a native region: no dash
    page.get_by_text("dashed outline").first.wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts / "map_estimated_outline.png"), full_page=True)
