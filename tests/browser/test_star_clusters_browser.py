"""Real browser: the "Europe's star clusters" page draws its map offline, with its counts and list."""

from __future__ import annotations

from tests.browser.test_map_browser import fills, map_frame


def test_star_clusters_page_in_a_browser(page, app_url, artifacts) -> None:
    page.goto(app_url + "/Star_clusters")
    frame = map_frame(page, timeout=90.0)
    painted = fills(frame)
    assert len(painted) > 200, f"a NUTS 2 map of Europe has hundreds of regions, got {len(painted)}"
    page.get_by_text("Every cell with a star, ranked").wait_for(timeout=30000)
    page.wait_for_timeout(1500)
    page.screenshot(path=str(artifacts / "star_clusters.png"), full_page=True)
    page.locator("iframe[title='streamlit_folium.st_folium']").first.screenshot(
        path=str(artifacts / "star_clusters_map.png")
    )
    body = page.content()
    assert "Europe's star clusters" in body or "Europe&#39;s star clusters" in body
    assert "world-class" in body and "at least one star" in body
    assert len(set(painted)) >= 3, set(
        painted
    )  # regions with no star and with 1, 2, 3 stars differ in colour
    assert page.offsite == [], page.offsite  # type: ignore[attr-defined]
