"""The Map page in a real browser (Playwright + Debian chromium) over the store built from the mirror.

Open the app and wait for the Leaflet polygons inside the component iframe; change a filter and see
the fill colours change; click a region and land on its profile; download the ranked CSV and read its
rows; load a shared URL and get the same colours; and no request leaves localhost.
"""

from __future__ import annotations

import csv
import io
import re
import time

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]

NODATA = "url(#cm-hatch)"
FILLS_JS = """() => Array.from(document.querySelectorAll('path.leaflet-interactive'))
                 .map(p => p.getAttribute('fill'))"""
# Painted regions with a point inside them that really hits their own path: [code, x, y].
TARGETS_JS = """() => {
  const out = [];
  for (const id in map_div._layers) {
    const l = map_div._layers[id];
    if (!l.feature || !l._path || !l.getBounds || !l._path.classList.contains('leaflet-interactive')) continue;
    const fill = l._path.getAttribute('fill');
    if (!fill || fill === '#f0f0f0' || fill.startsWith('url(')) continue;
    const pt = map_div.latLngToContainerPoint(l.getBounds().getCenter());
    const hit = document.elementFromPoint(pt.x, pt.y);
    if (hit === l._path) out.push([String(Object.values(l.feature.properties)[0]), pt.x, pt.y]);
  }
  return out;
}"""


def map_frame(page, timeout: float = 60.0):
    """The st_folium iframe once its polygons are painted (some fill other than the default)."""
    deadline = time.monotonic() + timeout
    seen: object = None
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                fills = frame.evaluate(FILLS_JS)
            except Exception as exc:  # frame navigating
                seen = exc
                continue
            seen = fills[:5]
            if len(fills) > 10 and any(f and f != "#f0f0f0" for f in fills):
                return frame
        page.wait_for_timeout(100)
    raise AssertionError(
        f"no painted map within the timeout; frames {[f.url for f in page.frames]}, last {seen!r}"
    )


def fills(frame) -> list[str]:
    return frame.evaluate(FILLS_JS)


def wait_recoloured(frame, before: list[str], timeout: float = 30.0) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        now = fills(frame)
        if now != before and len(now) == len(before):
            return now
        time.sleep(0.05)
    raise AssertionError("the map was not recoloured")


def choose(page, label: str, option: str) -> None:
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    box.click()
    page.get_by_role("option", name=re.compile(re.escape(option))).first.click()


def test_map_opens_offline_and_recolours_on_a_filter_change(page, app_url, artifacts) -> None:
    page.goto(app_url + "/")
    frame = map_frame(page)
    first = fills(frame)
    assert len(first) > 200, f"a NUTS 2 map of Europe has hundreds of regions, got {len(first)}"
    assert sum(f not in ("#f0f0f0", NODATA) for f in first) > 100
    page.wait_for_timeout(1000)  # the view moves to mainland Europe (animated) once the map exists
    page.screenshot(path=str(artifacts / "map_default.png"), full_page=True)
    choose(page, "Metric", "Employment")
    second = wait_recoloured(frame, first)
    assert "metric=employment" in page.url
    assert set(second) - {NODATA, "#f0f0f0"} != set(first) - {NODATA, "#f0f0f0"}
    page.screenshot(path=str(artifacts / "map_employment.png"), full_page=True)
    assert page.offsite == [], page.offsite  # type: ignore[attr-defined]


def test_clicking_a_region_opens_its_profile(page, app_url, artifacts) -> None:
    page.goto(app_url + "/")
    frame = map_frame(page)
    page.wait_for_timeout(1000)  # let the initial zoom animation end
    targets = frame.evaluate(TARGETS_JS)
    assert targets, "no clickable painted region"
    code, x, y = targets[len(targets) // 2]
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    page.mouse.click(box["x"] + x, box["y"] + y)
    page.wait_for_url(re.compile(r"Region_profile.*regions=" + re.escape(code)), timeout=30000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "region_profile_after_click.png"), full_page=True)
    assert code in page.content()
    assert page.offsite == [], page.offsite  # type: ignore[attr-defined]


def test_ranked_csv_download(page, app_url) -> None:
    page.goto(app_url + "/?sector=C&metric=lq")
    map_frame(page)
    page.get_by_text("Regions ranked, with downloads").click()
    button = page.get_by_test_id("stDownloadButton").filter(has_text="CSV").first
    with page.expect_download() as info:
        button.click()
    text = open(info.value.path(), encoding="utf-8-sig").read()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) > 200
    assert {"rank", "code", "name", "value", "flags", "nuts_version", "reason"} <= set(rows[0])
    assert rows[0]["rank"] == "1" and float(rows[0]["value"]) >= float(rows[1]["value"])
    assert all(r["reason"] for r in rows if not r["value"])


def test_shared_url_reproduces_the_view(page, browser, app_url, artifacts) -> None:
    url = app_url + "/?sector=C&year=2014&metric=share&classes=quantiles&countries=DE,FR,IT"
    page.goto(url)
    one = fills(map_frame(page))
    assert "countries=DE%2CFR%2CIT" in page.url or "countries=DE,FR,IT" in page.url
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:
        other.goto(page.url)
        two = fills(map_frame(other))
        other.wait_for_timeout(1000)
        other.screenshot(path=str(artifacts / "map_shared_url.png"), full_page=True)
    finally:
        other.context.close()
    assert one == two


def test_bad_link_shows_a_message_and_the_default_map(page, app_url) -> None:
    page.goto(app_url + "/?sector=NOPE99")
    map_frame(page)
    assert page.get_by_text("Unknown sector 'NOPE99'").count() >= 1
    assert page.offsite == [], page.offsite  # type: ignore[attr-defined]


def test_tooltip_shows_value_rank_and_nuts_version(page, app_url, artifacts) -> None:
    page.goto(app_url + "/?sector=C29&metric=lq")
    frame = map_frame(page)
    page.wait_for_timeout(1000)
    code, x, y = frame.evaluate(TARGETS_JS)[0]
    box = page.locator("iframe[title='streamlit_folium.st_folium']").bounding_box()
    page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.move(box["x"] + x + 1, box["y"] + y + 1)
    tip = frame.locator(".leaflet-tooltip").first
    tip.wait_for(timeout=10000)
    text = tip.inner_text()
    page.screenshot(path=str(artifacts / "map_tooltip.png"))
    assert text.startswith(f"{code} · ")
    assert re.search(r"Location quotient: \d+\.\d\d \(", text), text
    assert re.search(r"Rank: \d+ of \d+", text) and "NUTS version: 2013" in text


def test_a_page_link_as_the_first_visit_after_a_restart_gets_the_apps_navigation(
    page, mirror_store, artifacts, tmp_path
) -> None:
    """Until app.py's st.navigation has run once, Streamlit treats pages/ as an old-style page folder.

    A fresh server whose first visitor follows a shared profile link must still show the app's own
    navigation (home page "Map") and the profile of the linked region.
    """
    from tests.browser.conftest import free_port, start_server, stop_server

    port = free_port()
    proc = start_server(mirror_store, port, tmp_path / "fresh_server.log")
    try:
        page.goto(f"http://127.0.0.1:{port}/Region_profile?regions=DE11")
        nav = page.get_by_test_id("stSidebarNav")
        nav.get_by_text("Region profile").wait_for(timeout=60000)
        page.get_by_role("heading", name=re.compile("DE11")).wait_for(timeout=60000)
        links = nav.locator("a").all_inner_texts()
        page.screenshot(path=str(artifacts / "region_profile_first_visit.png"))
        assert links[:2] == ["Map", "Region profile"], links
        assert "app" not in links
    finally:
        stop_server(proc)
