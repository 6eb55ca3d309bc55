"""Local copies of Leaflet & co.: installed into static/vendor, linked from the server or inlined."""

from __future__ import annotations

from pathlib import Path

import folium
import folium.plugins
import pytest

from cluster_map.errors import ClusterMapError
from cluster_map.maps.assets import (
    ASSETS,
    BUNDLES,
    DROPPED,
    bundle_target,
    install_static_assets,
    localise,
    offsite_links,
)


def test_install_copies_every_asset_and_is_idempotent(tmp_path: Path) -> None:
    install_static_assets(tmp_path)
    vendor = tmp_path / "vendor"
    for asset in ASSETS.values():
        target = vendor / asset.target
        assert target.read_bytes() == asset.source().read_bytes()
    assert (vendor / "leaflet" / "images" / "layers.png").is_file()
    stamp = (vendor / "leaflet/leaflet.js").stat().st_mtime_ns
    bundle_stamp = (vendor / bundle_target(BUNDLES[0])).stat().st_mtime_ns
    install_static_assets(tmp_path)
    assert (vendor / "leaflet/leaflet.js").stat().st_mtime_ns == stamp
    assert (vendor / bundle_target(BUNDLES[0])).stat().st_mtime_ns == bundle_stamp
    assert not list(vendor.rglob("*.tmp"))


def test_install_repairs_a_truncated_copy(tmp_path: Path) -> None:
    install_static_assets(tmp_path)
    broken = tmp_path / "vendor/leaflet/leaflet.js"
    broken.write_bytes(b"/* half")
    install_static_assets(tmp_path)
    assert broken.read_bytes() == ASSETS["leaflet"].source().read_bytes()


@pytest.mark.parametrize("names", BUNDLES)
def test_a_bundle_is_its_scripts_in_order_each_ended_so_none_swallows_the_next(
    tmp_path: Path, names: tuple[str, ...]
) -> None:
    install_static_assets(tmp_path)
    text = (tmp_path / "vendor" / bundle_target(names)).read_bytes()
    starts = [text.index(ASSETS[name].source().read_bytes()) for name in names]
    assert starts == sorted(starts)
    for name in names:  # a trailing `//# sourceMappingURL` comment must not run into the next file
        source = ASSETS[name].source().read_bytes()
        assert text[text.index(source) + len(source) :].startswith(b"\n;\n")


def test_install_rewrites_a_stale_bundle(tmp_path: Path) -> None:
    install_static_assets(tmp_path)
    bundle = tmp_path / "vendor" / bundle_target(BUNDLES[0])
    bundle.write_bytes(b"/* stale */")
    install_static_assets(tmp_path)
    assert ASSETS["leaflet"].source().read_bytes() in bundle.read_bytes()


def test_url_mode_links_only_local_files_and_drops_bootstrap() -> None:
    m = localise(folium.Map(tiles=None), base_url="/base/static/vendor/")
    html = m.get_root().render()
    assert offsite_links(html) == []
    # Leaflet and marker clusters as one file; no jQuery: nothing on the map calls it
    assert '<script src="/base/static/vendor/bundle/leaflet+markerclusterjs.js"></script>' in html
    assert "jquery" not in html.lower()
    assert '<link rel="stylesheet" href="/base/static/vendor/markercluster/MarkerCluster.css"/>' in html
    names = {name for name, _ in m.default_js + m.default_css}
    assert not names & DROPPED


@pytest.mark.parametrize("use", ["popup", "keep_in_front"])
def test_jquery_is_linked_when_a_folium_template_calls_it(use: str) -> None:
    m = folium.Map(tiles=None)
    marker = folium.Marker([50, 10], popup=folium.Popup("<b>x</b>") if use == "popup" else None).add_to(m)
    if use == "keep_in_front":
        m.keep_in_front(marker)
    html = localise(m).get_root().render()
    assert '<script src="/app/static/vendor/bundle/leaflet+jquery+markerclusterjs.js"></script>' in html


def test_without_marker_clusters_the_scripts_are_linked_one_by_one() -> None:
    html = localise(folium.Map(tiles=None), extra=()).get_root().render()
    assert '<script src="/app/static/vendor/leaflet/leaflet.js"></script>' in html
    assert "bundle/" not in html


def test_localise_does_not_touch_folium_class_defaults() -> None:
    before = list(folium.Map.default_js)
    localise(folium.Map(tiles=None))
    assert folium.Map.default_js == before and folium.Map().default_js[0][1].startswith("https://")


def test_folium_marker_cluster_plugin_is_localised() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.MarkerCluster().add_to(m)
    html = localise(m, extra=()).get_root().render()
    assert offsite_links(html) == []
    assert "/app/static/vendor/bundle/leaflet+markerclusterjs.js" in html


def test_inline_mode_embeds_scripts_styles_and_images() -> None:
    html = localise(folium.Map(tiles=None), mode="inline").get_root().render()
    assert offsite_links(html) == [] and "<script src=" not in html and "<link rel" not in html
    assert "Leaflet 1.9.3" in html and "url(data:image/png;base64," in html
    assert "url(images/" not in html


def test_an_element_without_local_copy_is_refused() -> None:
    m = folium.Map(tiles=None)
    folium.plugins.Fullscreen().add_to(m)
    with pytest.raises(ClusterMapError, match="no local copy"):
        localise(m)


def test_unknown_mode_is_refused() -> None:
    with pytest.raises(ClusterMapError, match="Unknown asset mode"):
        localise(folium.Map(tiles=None), mode="cdn")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ('<script src="https://cdn.example.com/a.js"></script>', ["https://cdn.example.com/a.js"]),
        ("<script src='http://x.org/a.js'></script>", ["http://x.org/a.js"]),
        ('<link rel="stylesheet" href="//cdn.example.com/a.css"/>', ["//cdn.example.com/a.css"]),
        ('<img src="HTTPS://x.org/i.png">', ["HTTPS://x.org/i.png"]),
        ('<iframe src="https://x.org/"></iframe>', ["https://x.org/"]),
        ('<script src="/app/static/vendor/leaflet/leaflet.js"></script>', []),
        ('<link rel="stylesheet" href="static/a.css"/>', []),
        ('<a href="https://cluster.example.org">site</a>', []),
        ("<script>var u = 'https://x.org';</script>", []),
        ("<style>.a {background: url(https://x.org/i.png)}</style>", ["https://x.org/i.png"]),
        ("<style>.a {background: url( '//x.org/i.png' )}</style>", ["//x.org/i.png"]),
        ('<style>@import "https://x.org/a.css";</style>', ["https://x.org/a.css"]),
        ("<style>.a {background: url(data:image/png;base64,AAAA)}</style>", []),
        ("<style>.a {behavior: url(#default#VML)}</style>", []),
    ],
)
def test_offsite_links(html: str, expected: list[str]) -> None:
    assert offsite_links(html) == expected
