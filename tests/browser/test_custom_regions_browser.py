"""In a real browser on the mirror store: a user groups DK01 + SE22 into the Øresund on the Region profile (the
group goes to the address, so the link shares it), then downloads its report from the Reports page."""

from __future__ import annotations

import io
import re
from urllib.parse import unquote

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]


def _idle(page) -> None:
    """Wait until Streamlit has no script run in progress (its status widget is gone)."""
    page.wait_for_timeout(300)
    running = page.locator("[data-testid='stStatusWidget']").filter(has_text=re.compile("Running"))
    for _ in range(300):
        if not running.count():
            return
        page.wait_for_timeout(200)


def _pick(page, label: str, code: str) -> None:
    """Type ``code`` into the multiselect and choose its option; a rerun (the name box losing focus) can
    redraw the box or close its list while we type or click, so typing and clicking are retried on the
    redrawn box, once the script is idle."""
    option = page.get_by_role("option", name=re.compile("^" + re.escape(code))).first
    box = page.get_by_test_id("stMultiSelect").filter(has_text=label).first
    for attempt in range(5):
        _idle(page)
        box = page.get_by_test_id("stMultiSelect").filter(has_text=label).first
        if box.get_by_text(code).count():
            break  # chosen by an earlier attempt whose click landed during a redraw
        box.locator("input").click()
        box.locator("input").fill(code)
        try:
            option.wait_for(timeout=15000)
            option.click(timeout=5000)
            break
        except Exception:  # playwright TimeoutError: the box was redrawn; type again
            if attempt == 4:
                raise
    page.keyboard.press("Escape")
    _idle(page)


def test_create_a_custom_region_and_share_it(page, browser, app_url, artifacts) -> None:
    page.goto(app_url + "/Region_profile")
    page.get_by_text("Custom region: group regions into one").click()
    page.get_by_label("Name").fill("Øresund")
    page.keyboard.press("Tab")
    _pick(page, "Member regions", "DK01")
    _pick(page, "Member regions", "SE22")
    page.get_by_role("button", name="Show the custom region").click()
    page.get_by_text("Øresund · custom region").wait_for(timeout=60000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "custom_region_profile.png"), full_page=True)
    assert "custom=Øresund=DK01,SE22" in unquote(page.url).replace("+", " ")
    other = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    try:  # the link alone reproduces the custom region
        other.goto(page.url)
        other.get_by_text("Øresund · custom region").wait_for(timeout=60000)
    finally:
        other.context.close()
    assert page.offsite == [], page.offsite  # type: ignore[attr-defined]


def test_download_a_custom_region_report(page, app_url, artifacts) -> None:
    from pypdf import PdfReader

    page.goto(app_url + "/Reports?custom=%C3%98resund%3DDK01%2CSE22")
    page.get_by_role("button", name="Build region report").click()
    button = page.get_by_test_id("stDownloadButton").filter(has_text="Download PDF").last
    button.wait_for(timeout=120000)
    page.screenshot(path=str(artifacts / "custom_region_report_download.png"), full_page=True)
    with page.expect_download() as info:
        button.click()
    data = open(info.value.path(), "rb").read()
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "Øresund" in text and "DK01" in text and "Custom region report" in text
    assert info.value.suggested_filename.endswith(".pdf")
