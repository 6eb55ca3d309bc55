"""Hostile links and hostile data in a real browser: every payload is shown as text on every page.

A Streamlit server runs over the tests' tiny store (tests/app_store.py), whose region, sector and
organisation names carry a Markdown image and link to evil.example. Each page is opened with a link
whose every view parameter is a Markdown/HTML/directive payload, and the data pages are opened on
the regions and sector with hostile names. On each page at rest, in the page and in every frame:
no ``<a>`` points to evil.example, no ``<img>`` has a remote ``src``, no request leaves localhost,
and the payload's characters are visible as text (the payload table of issue 14).
"""

from __future__ import annotations

import re
import time
import urllib.parse
from collections.abc import Iterator
from pathlib import Path

import pytest

from cluster_map.ui.text import short
from tests.app_store import IMAGE, LINK, build_tiny_store
from tests.browser.conftest import LOCAL, free_port, start_server, stop_server

pytestmark = [pytest.mark.browser]

PHISH = "[Your session expired - sign in again](http://evil.example/phish)"
PIXEL = "![x](http://evil.example/pixel.png)"
#: URL parameter -> payload (every parameter the pages read, see cluster_map.ui.state).
URL_PAYLOADS = {
    "page": PHISH,
    "dataset": PIXEL,
    "sector": "[Login](http://evil.example/login)",
    "metric": "<img src=http://evil.example/h.png>",
    "year": "$\\href{http://evil.example}{x}$",
    "classes": ":red[alert] www.evil.example",
    "countries": "![c](http://evil.example/c.png)",
    "level": "<http://evil.example/auto>",
    "scheme": "boss@evil.example",
    "min_emp": "![m](http://evil.example/m.png)",
    "regions": "[r](http://evil.example/r)",
}


def _q(value: str, limit: int = 40) -> str:
    return repr(short(value, limit))


#: The warnings the view pages show for URL_PAYLOADS, as a reader sees them (values cut, as ui/state does).
SHOWN = (
    f"Unknown page {_q(URL_PAYLOADS['page'])} in the link",
    f"Unknown dataset {_q(URL_PAYLOADS['dataset'])} in the link",
    f"Sector scheme {_q(URL_PAYLOADS['scheme'])} does not fit",
    f"Unknown metric {_q(URL_PAYLOADS['metric'])} in the link",
    f"Level {_q(URL_PAYLOADS['level'])} is not available",
    f"Sector code {_q(URL_PAYLOADS['sector'])} is not a code",
    f"Year {_q(URL_PAYLOADS['year'])} has no data",
    f"Unknown countries {[short(URL_PAYLOADS['countries'].upper(), 20)]!r} ignored",
    f"Unknown classification {_q(URL_PAYLOADS['classes'])}",
    f"Minimum employment {_q(URL_PAYLOADS['min_emp'], 20)} is not a number",
)
PAGES = (
    "",
    "Region_profile",
    "Sector_explorer",
    "Compare",
    "Organisations",
    "Data_and_methodology",
    "Reports",
    "Offers_and_demands",
    "Star_clusters",
    "Events_and_meetings",
    "Partnerships",
    "Organisation_profile",
)
FILTER_PAGES = PAGES[:6]  # the pages that read the view from the URL
HEADINGS = {
    "Reports": "Country reports",
    "Offers_and_demands": "Offers and demands",
    "Star_clusters": "Europe's star clusters",
    "Events_and_meetings": "Events and B2B meetings",
    "Partnerships": "Partnerships, projects and gateways",
    "Organisation_profile": "Organisation profile",
}

HARM_JS = """() => {
  const links = Array.from(document.querySelectorAll('a[href]')).map(a => a.href)
      .filter(h => { try { return new URL(h).hostname !== location.hostname; } catch (e) { return true; } })
      .filter(h => !h.startsWith('javascript:void'));
  const imgs = Array.from(document.querySelectorAll('img'))
      .map(i => i.currentSrc || i.src || i.getAttribute('src') || '')
      .filter(s => s && !(s.startsWith(location.origin) || s.startsWith('data:') || s.startsWith('blob:')
                          || s.startsWith('about:')));
  const srcsets = Array.from(document.querySelectorAll('[srcset], source[src], image, use'))
      .map(e => e.getAttribute('srcset') || e.getAttribute('src') || e.getAttribute('href') || '')
      .filter(s => s.includes('evil.example'));
  return {links, imgs, srcsets};
}"""


@pytest.fixture(scope="module")
def hostile_url(
    tmp_path_factory: pytest.TempPathFactory, chromium_path: Path, artifacts: Path
) -> Iterator[str]:
    """A server over the tiny store with hostile names (one per module)."""
    db = build_tiny_store(tmp_path_factory.mktemp("hostile") / "cluster_map.duckdb")
    port = free_port()
    proc = start_server(db, port, artifacts / "streamlit_hostile_server.log")
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_server(proc)


@pytest.fixture()
def requests(page) -> list[str]:  # type: ignore[no-untyped-def]
    """Every request the page makes (the page fixture also aborts and lists those off localhost)."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


def visible_text(page) -> str:  # type: ignore[no-untyped-def]
    return page.locator("body").inner_text().replace("\u200b", "")


def shown(page, *texts: str, timeout: float = 30.0) -> str:  # type: ignore[no-untyped-def]
    """Wait until every one of ``texts`` is visible on the page (as text); returns the page's text."""
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = visible_text(page)
        if all(t in text for t in texts):
            return text
        page.wait_for_timeout(100)
    missing = [t for t in texts if t not in text]
    raise AssertionError(f"not shown within {timeout} s: {missing!r}; page text: {text[:3000]!r}")


def at_rest(page, timeout: float = 30.0) -> None:  # type: ignore[no-untyped-def]
    """Wait until the script run ended (no "Running" status) and late elements (iframes, images) came."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not page.locator("[data-testid='stStatusWidget']").filter(has_text=re.compile("Running")).count():
            break
        page.wait_for_timeout(100)
    page.wait_for_timeout(500)


def assert_harmless(page, requests: list[str], where: str) -> None:  # type: ignore[no-untyped-def]
    for frame in page.frames:
        try:
            found = frame.evaluate(HARM_JS)
        except Exception:  # a frame navigating away  # noqa: BLE001
            continue
        assert not found["links"], (where, frame.url, "link", found["links"])
        assert not found["imgs"], (where, frame.url, "remote image", found["imgs"])
        assert not found["srcsets"], (where, frame.url, "remote source", found["srcsets"])
    outside = [u for u in requests if not u.startswith(LOCAL)]
    assert not outside and not page.offsite, (where, outside, page.offsite)


def test_hostile_link_parameters_are_text_on_every_page(page, requests, hostile_url, artifacts) -> None:
    query = urllib.parse.urlencode(URL_PAYLOADS)
    for name in PAGES:
        page.goto(f"{hostile_url}/{name}?{query}")
        # the warnings quote every value as text, characters and all (then the page may rerun without them)
        shown(page, *(SHOWN if name in FILTER_PAGES else (HEADINGS[name],)))
        assert_harmless(page, requests, name or "Map")
        if not name:
            page.screenshot(path=str(artifacts / "hostile_link_map.png"), full_page=True)
        at_rest(page)
        assert_harmless(page, requests, name or "Map")


@pytest.mark.parametrize(
    ("path", "text"),
    [
        ("/?sector=F43", f"Specialised construction activities {IMAGE}"),
        ("/Region_profile?regions=DE22", f"DE22 · Niederbayern {IMAGE}"),
        ("/Region_profile?regions=AT12", f"AT12 · Niederösterreich {LINK}"),
        ("/Sector_explorer?sector=F43&level=2", f"F43 · Specialised construction activities {IMAGE}"),
        ("/Compare?regions=AT12,DE22", "Key figures"),
        ("/Organisations", "Cluster organisations"),
        ("/Organisation_profile?org=EUCO4", f"Food Cluster Lower Austria {LINK}"),
    ],
)
def test_hostile_names_in_the_data_stay_text(
    page, requests, hostile_url, artifacts, path: str, text: str
) -> None:
    page.goto(hostile_url + path)
    shown(page, text)
    assert_harmless(page, requests, path)
    at_rest(page)
    assert_harmless(page, requests, path)
    if "DE22" in path:
        page.screenshot(path=str(artifacts / "hostile_region_profile.png"), full_page=True)


def test_an_uploaded_file_name_stays_text(page, requests, hostile_url) -> None:
    page.goto(hostile_url + "/Data_and_methodology")
    shown(page, "Data and methodology")
    at_rest(page)
    page.get_by_role("tab", name="Your data").click()
    name = "[Get the fix](http:evil.example) ![u](https:evil.example).csv"
    csv = b"region,sector,year,employment\nAT13,C29,2015,1100\nAT13,F41,2015,380\nAT12,C29,2015,80\nAT12,F41,2015,520\n"
    page.locator("input[type='file']").set_input_files({"name": name, "mimeType": "text/csv", "buffer": csv})
    shown(page, f"{name}: 4 rows imported")
    assert_harmless(page, requests, "upload")
