"""Real browser: search the directory -> open an organisation's profile -> its partner suggestions; the URL is shareable."""

from __future__ import annotations

import re

EXCEPTION = "[data-testid='stException']"


def _profile_shown(page, name: str) -> None:
    page.get_by_role("heading", name=name).first.wait_for(timeout=90000)
    page.get_by_text("Statistics of its region FR for its sectors").wait_for(timeout=60000)
    page.get_by_text("Partner suggestions").wait_for(timeout=90000)
    page.get_by_text("Score: weighted factors").wait_for(
        timeout=90000
    )  # only shown when partners were ranked


def test_search_then_profile_then_partners(page, app_url, artifacts) -> None:
    page.goto(app_url + "/Organisations")
    search = page.get_by_label("Search name, acronym, city")
    search.wait_for(timeout=90000)
    search.fill("Aerospace Valley")
    search.press("Enter")
    button = page.get_by_role("button", name="Open the profile of Aerospace Valley (FR)")
    button.wait_for(timeout=60000)
    button.click()
    page.wait_for_url(
        re.compile(r"/Organisation_profile\?org=eu_cluster_organisations(%3A|:)EUCO0109"), timeout=60000
    )
    _profile_shown(page, "Aerospace Valley")
    body = page.inner_text("body")
    assert (
        "Industrial ecosystems: aerospace-defence" in body
    )  # tables are drawn on a canvas; Markdown is text
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "org_profile.png"), full_page=True)
    assert page.locator(EXCEPTION).count() == 0
    shared = page.url

    page.goto(shared)  # the link alone opens the same profile
    _profile_shown(page, "Aerospace Valley")
    assert page.locator(EXCEPTION).count() == 0
    assert page.offsite == [], page.offsite  # type: ignore[attr-defined]
