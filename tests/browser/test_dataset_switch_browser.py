"""Switching dataset in a real browser: SBS C29 at NUTS 2 -> the US states -> back keeps the equivalent
sector and level, and the page says in one line per change what changed and why.

On the mirror store: the sidebar's dataset box goes to the US Cluster Mapping dataset (C29 becomes its
declared equivalent 4 Automotive, the level box says US states) and back (C29 again, NUTS 2, not the
default sector nor NUTS 1). Screenshots of both steps go to the pytest tmp dir.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.browser.test_map_browser import choose, map_frame
from tests.browser.test_small_screens import _idle

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]


def _box_text(page, label: str) -> str:
    """Label and shown value of a selectbox (the value sits in its search input or as text)."""
    box = page.get_by_test_id("stSelectbox").filter(has_text=label).first
    inputs = box.locator("input")
    shown = inputs.first.input_value() if inputs.count() else ""
    return f"{box.inner_text()} {shown}"


def _wait_url(page, pattern: str) -> None:
    page.wait_for_url(re.compile(pattern), timeout=60_000)
    _idle(page)


def test_sbs_c29_to_the_us_and_back(page, app_url, tmp_path: Path) -> None:
    page.goto(app_url + "/?dataset=sbs_r_nuts06_r2&sector=C29&level=2&year=2014")
    map_frame(page)
    _idle(page)

    choose(page, "Dataset", "United States: Cluster Mapping")
    _wait_url(page, r"dataset=us_cmp_states_2016.*sector=4|sector=4.*dataset=us_cmp_states_2016")
    info = page.get_by_test_id("stAlert").filter(has_text="showing its equivalent 4 Automotive").first
    info.wait_for(timeout=30_000)
    assert "C29 Manufacture of motor vehicles" in info.inner_text()
    page.get_by_test_id("stAlert").filter(has_text="No NUTS 2 in").first.wait_for(timeout=10_000)
    assert "US states" in _box_text(page, "Level") and "4 · Automotive" in _box_text(page, "Sector")
    assert "level=1" in page.url
    frame = map_frame(page)  # the US states' map, painted and fitted to the lower 48
    page.wait_for_timeout(800)
    s, w, n, e = frame.evaluate(
        "() => { const b = map_div.getBounds(); return [b.getSouth(), b.getWest(), b.getNorth(), b.getEast()]; }"
    )
    assert s <= 26 and w <= -120 and n >= 48 and e >= -70 and e - w < 120, (s, w, n, e)
    page.screenshot(path=str(tmp_path / "switch_to_us.png"))

    choose(page, "Dataset", "Europe: Eurostat SBS, persons employed")
    _wait_url(page, r"dataset=sbs_r_nuts06_r2")
    back = page.get_by_test_id("stAlert").filter(has_text="showing its equivalent C29").first
    back.wait_for(timeout=30_000)
    assert "4 Automotive is not in" in back.inner_text()
    page.get_by_test_id("stAlert").filter(has_text="No US states in").first.wait_for(timeout=10_000)
    assert "sector=C29" in page.url and "level=2" in page.url and "year=2014" in page.url
    map_frame(page)
    level = _box_text(page, "Level")
    assert "NUTS 2" in level and "US states" not in level, level
    assert "C29" in _box_text(page, "Sector") and "Construction" not in _box_text(page, "Sector")
    page.screenshot(path=str(tmp_path / "switch_back.png"))
    print(f"screenshots: {tmp_path}")
