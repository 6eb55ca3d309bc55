"""The Organisations map in a real browser: markers coloured by kind, shaped by location precision, a legend.

Over the store built from the mirror: every located organisation is a marker of the cluster group with
the classes of its kind and precision; a country-level marker, once shown, is a large dashed ring and a
city-level one a filled dot in its kind's colour; a cluster bubble is dashed when every organisation
in it sits at a country's label point; the legend names the kinds and placements with the
catalogue's colours; a screenshot is kept in ``tests/artifacts/org_markers.png``.
"""

from __future__ import annotations

import time

import pytest

from cluster_map import catalogue

pytestmark = [pytest.mark.browser, pytest.mark.mirror, pytest.mark.slow]

#: The marker cluster group of the map in the st_folium iframe (``map_div``), or null before it is drawn.
GROUP_JS = """() => {
  if (typeof map_div === 'undefined') return null;
  let group = null;
  map_div.eachLayer(l => { if (l.getLayers && l._featureGroup) group = l; });
  return group;
}"""
#: Class names of every marker of the group (drawn or inside a cluster bubble).
CLASSES_JS = f"""() => {{
  const group = ({GROUP_JS})();
  return group ? group.getLayers().map(m => m.options.icon.options.className) : [];
}}"""
#: Zoom until a marker of the given precision class is drawn; resolve to its computed look.
SHOW_JS = f"""(cls) => new Promise(resolve => {{
  const group = ({GROUP_JS})();
  const marker = group.getLayers().find(m => m.options.icon.options.className.includes(cls));
  group.zoomToShowLayer(marker, () => setTimeout(() => {{
    const el = marker.getElement(), i = el.querySelector('i'), s = getComputedStyle(i);
    resolve({{cls: el.className, width: el.offsetWidth, border: s.borderTopStyle, colour: s.borderTopColor,
              background: s.backgroundColor, inline: i.style.color}});
  }}, 400));
}})"""
#: Each cluster bubble drawn: [dashed?, every organisation in it at a country's label point?].
BUBBLES_JS = f"""() => {{
  const group = ({GROUP_JS})(), out = [];
  group._featureGroup.eachLayer(c => {{
    if (!c.getAllChildMarkers || !c.getElement()) return;
    const all = c.getAllChildMarkers().every(m => m.options.icon.options.className.includes('cm-at-country'));
    out.push([c.getElement().classList.contains('cm-cluster-country'), all]);
  }});
  return out;
}}"""
LEGEND_JS = """() => Array.from(document.querySelectorAll('.cm-legend i.cm-org-key'))
  .map(i => [i.className, getComputedStyle(i).color, i.parentElement.textContent])"""


def _rgb(hex_colour: str) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgb({r}, {g}, {b})"


def _marker_frame(page, timeout: float = 90.0):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for frame in page.frames:
            if "st_folium" not in frame.url:
                continue
            try:
                if frame.evaluate(CLASSES_JS) and frame.locator(".cm-legend").count():
                    return frame
            except Exception:  # frame navigating  # noqa: S112
                continue
        page.wait_for_timeout(200)
    raise AssertionError(f"no organisation markers within {timeout} s; frames {[f.url for f in page.frames]}")


def test_organisation_markers_show_kind_and_precision(page, app_url, artifacts) -> None:  # type: ignore[no-untyped-def]
    page.goto(app_url + "/Organisations")
    frame = _marker_frame(page)
    page.wait_for_timeout(1000)
    page.locator("iframe[title='streamlit_folium.st_folium']").scroll_into_view_if_needed()
    page.screenshot(path=str(artifacts / "org_markers.png"), full_page=True)

    classes = frame.evaluate(CLASSES_JS)
    kinds = {k.key for k in catalogue.ORG_KINDS}
    assert all(c.split()[0] == "cm-org" and c.split()[1][len("cm-org-") :] in kinds for c in classes)
    styles = {c.split()[2] for c in classes}
    assert {"cm-at-point", "cm-at-country"} <= styles, styles  # the mirror has both (issue 12)
    present = {c.split()[1][len("cm-org-") :] for c in classes}

    legend = frame.evaluate(LEGEND_JS)
    colours = {k.key: k for k in catalogue.ORG_KINDS}
    typed = [e for e in legend if "cm-at-point" in e[0] and "cm-org-" in e[0].replace("cm-org-key", "")]
    assert {e[0].split()[1][len("cm-org-") :] for e in typed} == present
    for cls, colour, text in typed:
        kind = colours[cls.split()[1][len("cm-org-") :]]
        assert colour == _rgb(kind.colour) and text.startswith(kind.label)
    placed = [e[2] for e in legend if e not in typed]
    assert any(t.startswith("country only (label point)") for t in placed), placed

    bubbles = frame.evaluate(BUBBLES_JS)
    assert bubbles and all(dashed == all_country for dashed, all_country in bubbles), bubbles
    assert any(dashed for dashed, _ in bubbles), bubbles  # countries whose organisations are all at its point

    country = frame.evaluate(SHOW_JS, "cm-at-country")
    city = frame.evaluate(SHOW_JS, "cm-at-point")
    assert country["border"] == "dashed" and country["width"] == 24
    assert city["border"] == "solid" and city["width"] == 12
    palette = {_rgb(k.colour) for k in catalogue.ORG_KINDS}
    assert (
        city["background"] == city["inline"] and city["background"] in palette
    )  # a dot in its kind's colour
    assert (
        country["colour"] == country["inline"] and country["colour"] in palette
    )  # a ring in its kind's colour
    assert country["background"] != country["colour"]  # hollow, not a filled dot
    frame.evaluate("() => map_div.setView([48.5, 6.5], 6, {animate: false})")  # France, Benelux, Germany
    page.wait_for_timeout(800)
    page.screenshot(path=str(artifacts / "org_markers_zoomed.png"))
    assert page.offsite == [], page.offsite  # type: ignore[attr-defined]
