"""Map payload benchmark: bytes sent for a NUTS 2 and a NUTS 3 choropleth, and browser draw/recolour time.

For each level of the real GISCO NUTS 2021 1:20M geometry in the mirror (333 NUTS 2 and 1,512
NUTS 3 polygons), with the geometry as read (rounded only) and coverage-simplified for display
(``cluster_map.geo.coverage_simplify`` at ``DISPLAY_TOLERANCE``), it measures:

* ``geometry_bytes``: the packed geometry (:func:`cluster_map.maps.choropleth.encode_geometry`);
* ``st_folium_script_bytes``: the map script streamlit-folium sends once per geometry (the
  component key is a hash of it, so it is not rebuilt on a filter change);
* ``st_folium_script_bytes_geometry_by_url``: the same when the geometry is published under
  ``static/vendor/geo`` (:func:`cluster_map.maps.choropleth.publish_geometry`) and fetched by the page;
* ``paint_bytes``: the feature-group script sent on each filter change (colours, tooltips, legend);
* ``html_bytes`` / ``html_inline_bytes``: the standalone page (assets linked / inlined);
* ``naive_folium_html_bytes``: the same map as folium ``GeoJson`` with all properties, a Python
  ``style_function`` and a ``GeoJsonTooltip`` (what we avoid);
* gzip sizes (the browser and Streamlit's websocket compress);
* with ``--browser``: chromium (Playwright) time from navigation to all polygons drawn for the
  standalone page, and the time of one in-page recolour (``cmap.paint``), median of 5.

The values painted are synthetic LQs (log-normal, seed 1) with 5% no-data regions: payload size
depends on the number of regions and the tooltip text, not on the values.

Run: ``python bench/bench_map_payload.py [--mirror DIR] [--browser]``; prints a table and writes
``bench/results/map_payload.json``.
"""

from __future__ import annotations

import argparse
import gzip
import json
import platform
import statistics
import tempfile
import time
from pathlib import Path

import folium
import geopandas as gpd
import numpy as np

from cluster_map.config import get_settings
from cluster_map.geo import DISPLAY_TOLERANCE, coverage_simplify
from cluster_map.maps.choropleth import base_map, choropleth, encode_geometry, paint
from cluster_map.maps.classes import lq_classes

RESULTS = Path(__file__).resolve().parent / "results" / "map_payload.json"
FILES = {2: "NUTS_RG_20M_2021_4326_LEVL_2.geojson", 3: "NUTS_RG_20M_2021_4326_LEVL_3.geojson"}
BASE = "NUTS_RG_20M_2021_4326_LEVL_0.geojson"


def _gz(text: str) -> int:
    return len(gzip.compress(text.encode("utf-8"), compresslevel=6))


def _layer(path: Path, level: int, simplify: bool) -> gpd.GeoDataFrame:
    raw = gpd.read_file(path)
    geom = coverage_simplify(raw.geometry, DISPLAY_TOLERANCE[level]) if simplify else raw.geometry.values
    rng = np.random.default_rng(1)
    n = len(raw)
    value = rng.lognormal(0.0, 0.6, n)
    value[rng.random(n) < 0.05] = np.nan
    frame = gpd.GeoDataFrame(
        {
            "code": raw["NUTS_ID"],
            "name": raw["NAME_LATN"],
            "value": value,
            "employment": np.round(rng.lognormal(9, 1.2, n)),
            "flags": np.where(rng.random(n) < 0.1, "e", ""),
            "nuts_version": "2021",
            "reason": np.where(np.isnan(value), "confidential in the source (flag c)", ""),
        },
        geometry=geom,
        crs="EPSG:4326",
    )
    frame["rank"] = frame["value"].rank(ascending=False, method="min").astype("Int64")
    return frame


def _naive(layer: gpd.GeoDataFrame) -> str:
    classes = lq_classes()
    m = folium.Map(tiles=None)
    colours = dict(
        zip(layer["code"], (classes.colour(int(i)) for i in classes.assign(layer["value"])), strict=True)
    )
    data = layer.assign(rank=layer["rank"].astype("float64"))
    folium.GeoJson(
        data,
        style_function=lambda f: {"fillColor": colours[f["properties"]["code"]], "weight": 0.5},
        tooltip=folium.GeoJsonTooltip(["code", "name", "value", "rank", "employment", "flags"]),
    ).add_to(m)
    return m.get_root().render()


def _streamlit_payload(layer: gpd.GeoDataFrame, enc, base_enc, *, url: bool = False) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    """Bytes of the main map script and of the paint feature-group script as st_folium builds them.

    ``url``: geometry published under static/vendor/geo and fetched by the page (``publish_geometry``).
    """
    from streamlit_folium import _get_feature_group_string, _get_map_string

    urls = (
        {
            "geometry_url": "/app/static/vendor/geo/x.json",
            "base_geometry_url": "/app/static/vendor/geo/y.json",
        }
        if url
        else {}
    )
    m = base_map(enc, base=base_enc, **urls)
    m.get_root().render()
    script = _get_map_string(m)
    fg = paint(layer, value_col="value", label_col="name", classes=lq_classes()).feature_group()
    fg_script = _get_feature_group_string(fg, map=m)
    return len(script.encode()), len(fg_script.encode())


def _measure(path: Path, base: gpd.GeoDataFrame, level: int, simplify: bool) -> dict:
    layer = _layer(path, level, simplify)
    t0 = time.perf_counter()
    enc = encode_geometry(layer)
    t_encode = time.perf_counter() - t0
    base_enc = encode_geometry(base, precision=3)
    t0 = time.perf_counter()
    p = paint(layer, value_col="value", label_col="name", classes=lq_classes())
    t_paint = time.perf_counter() - t0
    t0 = time.perf_counter()
    html = (
        choropleth(
            layer, value_col="value", label_col="name", classes=lq_classes(), geometry=enc, base=base_enc
        )
        .get_root()
        .render()
    )
    t_render = time.perf_counter() - t0
    inline = (
        choropleth(
            layer,
            value_col="value",
            label_col="name",
            classes=lq_classes(),
            geometry=enc,
            base=base_enc,
            assets="inline",
        )
        .get_root()
        .render()
    )
    script, fg = _streamlit_payload(layer, enc, base_enc)
    script_url, _ = _streamlit_payload(layer, enc, base_enc, url=True)
    naive = _naive(layer)
    return {
        "level": level,
        "geometry": "display (coverage-simplified)" if simplify else "as read (rounded only)",
        "regions": len(layer),
        "vertices": int(layer.get_coordinates().shape[0]),
        "geometry_bytes": enc.nbytes,
        "base_geometry_bytes": base_enc.nbytes,
        "st_folium_script_bytes": script,
        "st_folium_script_bytes_geometry_by_url": script_url,
        "paint_bytes": fg,
        "paint_json_bytes": len(p.json().encode()),
        "html_bytes": len(html.encode()),
        "html_gzip_bytes": _gz(html),
        "html_inline_bytes": len(inline.encode()),
        "html_inline_gzip_bytes": _gz(inline),
        "naive_folium_html_bytes": len(naive.encode()),
        "naive_folium_html_gzip_bytes": _gz(naive),
        "encode_s": round(t_encode, 4),
        "paint_s": round(t_paint, 4),
        "render_s": round(t_render, 4),
        "_inline_html": inline,
        "_recolour": paint(
            layer.assign(value=layer["value"][::-1].to_numpy()),
            value_col="value",
            label_col="name",
            classes=lq_classes(),
        ).json(),
    }


def _browser(rows: list[dict]) -> None:
    from playwright.sync_api import sync_playwright

    args = [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    ]
    with sync_playwright() as p, tempfile.TemporaryDirectory() as tmp:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=args)
        for row in rows:
            page_file = Path(tmp) / f"map_{row['level']}.html"
            page_file.write_text(row["_inline_html"], encoding="utf-8")
            draws, recolours = [], []
            for _ in range(5):
                page = browser.new_page(viewport={"width": 1200, "height": 900})
                t0 = time.perf_counter()
                page.goto(page_file.as_uri())
                page.wait_for_function(
                    f"document.querySelectorAll('path.leaflet-interactive').length >= {row['regions']}"
                )
                draws.append(time.perf_counter() - t0)
                recolours.append(
                    page.evaluate(
                        f"() => {{ const t = performance.now(); cmap.paint('choropleth', {row['_recolour']}); "
                        f"return (performance.now() - t) / 1000; }}"
                    )
                )
                page.close()
            row["browser_draw_s"] = round(statistics.median(draws), 3)
            row["browser_recolour_s"] = round(statistics.median(recolours), 4)
        browser.close()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mirror", default=str(get_settings().mirror))
    parser.add_argument(
        "--browser", action="store_true", help="also time drawing and recolouring in chromium"
    )
    args = parser.parse_args()
    folder = Path(args.mirror) / "gisco" / "nuts" / "geojson"
    base = gpd.read_file(folder / BASE).rename(columns={"NUTS_ID": "code"})
    base = gpd.GeoDataFrame(
        base[["code"]], geometry=coverage_simplify(base.geometry, DISPLAY_TOLERANCE[0]), crs="EPSG:4326"
    )
    rows = [
        _measure(folder / FILES[level], base, level, simplify)
        for level in (2, 3)
        for simplify in (False, True)
    ]
    if args.browser:
        _browser(rows)
    for row in rows:
        row.pop("_inline_html")
        row.pop("_recolour")
    header = (
        "level",
        "geometry",
        "regions",
        "vertices",
        "geometry_bytes",
        "st_folium_script_bytes",
        "st_folium_script_bytes_geometry_by_url",
        "paint_bytes",
        "html_bytes",
        "html_gzip_bytes",
        "naive_folium_html_bytes",
        "browser_draw_s",
        "browser_recolour_s",
    )
    print(" | ".join(header))
    for row in rows:
        print(" | ".join(str(row.get(h, "")) for h in header))
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(
        json.dumps(
            {
                "machine": {
                    "python": platform.python_version(),
                    "cpu": platform.processor() or platform.machine(),
                },
                "goal": "map payload for a NUTS3-size layer <= 1 MB",
                "rows": rows,
            },
            indent=2,
        )
        + "\n",
        encoding="utf-8",
    )
    print(f"wrote {RESULTS}")


if __name__ == "__main__":
    main()
