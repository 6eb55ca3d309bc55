"""Leaflet and its plugins from installed packages, never from a CDN.

Folium writes CDN links (jsDelivr, cdnjs, code.jquery.com, bootstrapcdn) into every map; offline,
streamlit-folium's iframe stops at the first script that fails and nothing is drawn. This module

* copies the few files a map needs from the installed XStatic packages into
  ``<repo>/static/vendor/<package>/`` (:func:`install_static_assets`, called at app start-up;
  ``static/`` is git-ignored and served by Streamlit static serving at ``/app/static/...``), and
* rewrites every element of a folium map to load them from there (:func:`localise` with
  ``mode="url"``), or embeds their text in the page for standalone HTML (``mode="inline"``,
  used by reports that must open with no server and no internet).

It also holds our own page runtime (:data:`RUNTIME_JS`, :data:`RUNTIME_CSS`): the few functions
that decode packed geometry, colour it from a paint, bind tooltips and draw the legend.

Bootstrap, awesome-markers and Font Awesome are dropped: our maps draw circle markers, div icons
and an HTML legend, which need none of them (and no d3, since no branca colormap is used). jQuery
is linked only when an element uses it (``folium.Popup`` and ``Map.keep_in_front`` templates call
``$``); our own layers do not.

Speed: streamlit-folium's iframe loads its scripts one after the other, each awaited before the
next, on the same main thread as the Streamlit page. :func:`install_static_assets` therefore also
writes each script set a map links (:data:`BUNDLES`) as one file, and :func:`localise` links that
one file: a first visit loads one script instead of three.
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import tempfile
from dataclasses import dataclass
from functools import cache
from importlib import import_module
from pathlib import Path
from typing import Literal

import folium
from branca.element import Element, Figure, MacroElement

from cluster_map.errors import ClusterMapError
from cluster_map.maps.elements import RawText

__all__ = [
    "ASSETS",
    "BUNDLES",
    "DROPPED",
    "RUNTIME_CSS",
    "RUNTIME_JS",
    "STREAMLIT_BASE_URL",
    "Asset",
    "AssetMode",
    "asset_path",
    "bundle_target",
    "install_static_assets",
    "localise",
    "offsite_links",
]

#: URL prefix of the vendor folder under Streamlit static serving (``static/vendor`` next to app.py).
STREAMLIT_BASE_URL = "/app/static/vendor"

AssetMode = Literal["url", "inline"]


@dataclass(frozen=True)
class Asset:
    """One JS or CSS file from an installed XStatic package."""

    name: str  # folium's link name (``Map.default_js`` key) or ours
    kind: Literal["js", "css"]
    package: str  # python module of the XStatic package
    file: str  # path inside the package's data folder
    target: str  # path under static/vendor

    def source(self) -> Path:
        """The file inside the installed package."""
        return asset_path(self.package) / self.file


_LEAFLET = "xstatic.pkg.leaflet"
_CLUSTER = "xstatic.pkg.leaflet_markercluster"
_JQUERY = "xstatic.pkg.jquery"

#: Every asset our maps load, in load order, keyed by folium's link name.
ASSETS: dict[str, Asset] = {
    a.name: a
    for a in (
        Asset("leaflet", "js", _LEAFLET, "leaflet.js", "leaflet/leaflet.js"),
        Asset("jquery", "js", _JQUERY, "jquery.min.js", "jquery/jquery.min.js"),
        Asset(
            "markerclusterjs",
            "js",
            _CLUSTER,
            "leaflet.markercluster.js",
            "markercluster/leaflet.markercluster.js",
        ),
        Asset("leaflet_css", "css", _LEAFLET, "leaflet.css", "leaflet/leaflet.css"),
        Asset("markerclustercss", "css", _CLUSTER, "MarkerCluster.css", "markercluster/MarkerCluster.css"),
        Asset(
            "markerclusterdefaultcss",
            "css",
            _CLUSTER,
            "MarkerCluster.Default.css",
            "markercluster/MarkerCluster.Default.css",
        ),
    )
}
#: Images referenced by leaflet.css (layer control icon, default marker).
_IMAGES = ("layers.png", "layers-2x.png", "marker-icon.png", "marker-icon-2x.png", "marker-shadow.png")

#: Script sets written as one file by :func:`install_static_assets` (in load order): the map of
#: the app (Leaflet + marker clusters) and the same with jQuery (folium popups).
BUNDLES: tuple[tuple[str, ...], ...] = (
    ("leaflet", "markerclusterjs"),
    ("leaflet", "jquery", "markerclusterjs"),
)

#: folium link names we deliberately do not load (no local copy, and our maps do not use them).
DROPPED = frozenset(
    {
        "bootstrap",
        "awesome_markers",
        "bootstrap_css",
        "glyphicons_css",
        "awesome_markers_font_css",
        "awesome_markers_css",
        "awesome_rotate_css",
    }
)

#: A map narrower than this (CSS pixels) gets the small legend, folded to its title until tapped.
NARROW_MAP_PX = 560

#: The page-side runtime (``window.cmap``): decode geometry, style from the paint, tooltips,
#: legend control, hatch pattern for no data. Defined once per page, repeated in each script so
#: that any script can run first (streamlit-folium evaluates overlay scripts separately).
RUNTIME_JS = """
window.cmap = window.cmap || (function () {
  var api = {layers: {}, paints: {}, styles: {}, legends: {}, legendOpen: {}, opts: {}};
  api.decode = function (polys, scale) {
    return polys.map(function (poly) {
      return poly.map(function (ring) {
        var x = 0, y = 0, out = [];
        for (var i = 0; i < ring.length; i += 2) { x += ring[i]; y += ring[i + 1]; out.push([x / scale, y / scale]); }
        out.push(out[0]);
        return out;
      });
    });
  };
  api.hatch = function () {
    if (document.getElementById("cm-hatch")) { return; }
    var d = document.createElement("div");
    d.innerHTML = '<svg aria-hidden="true" style="position:absolute;width:0;height:0"><defs>' +
      '<pattern id="cm-hatch" patternUnits="userSpaceOnUse" width="6" height="6" patternTransform="rotate(45)">' +
      '<rect width="6" height="6" fill="#ececec"/><line x1="0" y1="0" x2="0" y2="6" stroke="#b0b0b0" stroke-width="2"/>' +
      '</pattern></defs></svg>';
    document.body.appendChild(d.firstChild);
  };
  api.style = function (key, feature) {
    var st = api.baseStyle(key, feature), p = api.paints[key];
    if (p && p.outline && p.outline[feature.properties.c]) {
      st = Object.assign({}, st, {color: "#1f1f1f", weight: 1.6, dashArray: "4 3"});
    }
    return st;
  };
  api.baseStyle = function (key, feature) {
    var s = api.styles[key], p = api.paints[key];
    if (!p) { return s; }
    var i = p.cls[feature.properties.c];
    if (i === undefined) { return {fillColor: "#f0f0f0", fillOpacity: 0.5, color: s.color, weight: s.weight}; }
    if (i < 0) { return {fillColor: "url(#cm-hatch)", fillOpacity: 1, color: s.color, weight: s.weight}; }
    if (s.outline) { return {color: p.colours[i], weight: s.weight, fillColor: p.colours[i], fillOpacity: s.fillOpacity}; }
    return {fillColor: p.colours[i], fillOpacity: s.fillOpacity, color: s.color, weight: s.weight};
  };
  api.tip = function (key, code) {
    var p = api.paints[key];
    if (!p) { return null; }
    var r = p.rows[code];
    if (!r) { return null; }
    var html = "<b>" + r[0] + "</b>", i = p.cls[code], v;
    for (var j = 1; j < r.length; j++) {
      v = r[j];
      if (j === 1 && i >= 0) { v = v ? v + " (" + p.labels[i] + ")" : p.labels[i]; }
      if (v !== "") { html += "<br>" + p.fields[j - 1] + ": " + v; }
    }
    for (var c = 0; c < p.common.length; c++) { html += "<br>" + p.common[c][0] + ": " + p.common[c][1]; }
    return html;
  };
  api.legend = function (map, key, html) {
    var c = api.legends[key];
    if (!c) {
      c = L.control({position: "bottomright"});
      c.onAdd = function () {
        var d = L.DomUtil.create("div", "cm-legend");
        L.DomEvent.disableClickPropagation(d);
        // a narrow map opens with the legend folded to its title, which unfolds it (and folds it again)
        L.DomEvent.on(d, "click", function (e) {
          if (!e.target.closest || !e.target.closest(".cm-legend-title") || !api.narrow(map)) { return; }
          api.legendOpen[key] = !api.legendOpen[key];
          api.fold(d, key);
        });
        return d;
      };
      c.addTo(map);
      api.legends[key] = c;
      api.legendOpen[key] = !api.narrow(map);
    }
    var d = c.getContainer();
    d.innerHTML = html;
    d.style.display = html ? "" : "none";
    api.fold(d, key);
  };
  api.narrow = function (map) { return map.getSize().x < __NARROW_MAP_PX__; };
  api.fold = function (d, key) {
    if (api.legendOpen[key]) { L.DomUtil.removeClass(d, "cm-folded"); } else { L.DomUtil.addClass(d, "cm-folded"); }
  };
  api.apply = function (key) {
    var layer = api.layers[key], p = api.paints[key];
    if (!layer || !layer._map) { return; }
    layer.eachLayer(function (f) {
      f.setStyle(api.style(key, f.feature));
      if (api.opts[key].interactive) {
        var t = api.tip(key, f.feature.properties.c);
        if (t === null) { f.unbindTooltip(); }
        else if (f.getTooltip()) { f.setTooltipContent(t); }
        else { f.bindTooltip(t, {sticky: true, className: "cm-tip"}); }
      }
    });
    if (p) {
      api.legend(layer._map, key, p.legend);
      var b = JSON.stringify(p.bounds);
      if (p.bounds && b !== layer.cmBounds) { layer.cmBounds = b; layer._map.fitBounds(p.bounds); }
    }
  };
  api.paint = function (key, p) { api.paints[key] = p; api.apply(key); };
  api.features = function (data) {
    var feats = [];
    for (var k = 0; k < data.c.length; k++) {
      feats.push({type: "Feature", properties: {c: data.c[k]},
                  geometry: {type: "MultiPolygon", coordinates: api.decode(data.g[k], data.s)}});
    }
    return {type: "FeatureCollection", features: feats};
  };
  // Map panes by drawing order: the grey base always under the regions and the outlines (stars,
  // hot spots) always over them, whichever geometry the browser receives first.
  api.PANES = {cmBase: 350, cmRegions: 400, cmOutlines: 450};
  api.pane = function (map, name) {
    if (!name || !map) { return; }
    if (!map.getPane(name)) {
      var pane = map.createPane(name);
      pane.style.zIndex = String(api.PANES[name] || 400);
      if (name === "cmOutlines" || name === "cmBase") { pane.style.pointerEvents = "none"; }
    }
  };
  // Leaflet's attribution prefix is a link to leafletjs.com: on an offline install, and in an app
  // whose rule is "no link the app did not mean", it stays the word only.
  api.plainPrefix = function (map) {
    if (map && map.attributionControl && !map.cmPlainPrefix) {
      map.attributionControl.setPrefix("Leaflet");
      map.cmPlainPrefix = true;
    }
  };
  api.layer = function (key, data, opts) {
    api.styles[key] = opts.style;
    api.opts[key] = opts;
    if (opts.paint) { api.paints[key] = opts.paint; }
    api.hatch();
    var layer = L.geoJSON(null, {
      pane: opts.pane || "overlayPane",
      interactive: opts.interactive,
      style: function (f) { return api.style(key, f); },
      onEachFeature: function (f, l) {
        if (!opts.interactive) { return; }
        l.on("mouseover", function () { l.setStyle({weight: 2.5, color: "#222222"}); });
        l.on("mouseout", function () { l.setStyle(api.style(key, f)); });
      }
    });
    layer.beforeAdd = function (map) { api.pane(map, opts.pane); api.plainPrefix(map); };
    layer.on("add", function () { api.apply(key); });
    layer.on("remove", function () { var c = api.legends[key]; if (c) { c.getContainer().style.display = "none"; } });
    api.layers[key] = layer;
    var add = function (d) { layer.addData(api.features(d)); api.apply(key); };
    if (data) { add(data); }
    else {
      fetch(opts.url).then(function (r) {
        if (!r.ok) { throw new Error("HTTP " + r.status); }
        return r.json();
      }).then(add).catch(function (e) { console.error("Cluster Map: cannot load geometry " + opts.url + ": " + e); });
    }
    return layer;
  };
  return api;
})();
""".replace("__NARROW_MAP_PX__", str(NARROW_MAP_PX))
#: Styles of the legend control, tooltips and organisation markers: a filled dot (address or city), a
#: ring (a region's label point), a large dashed ring (a country's), coloured by ``<i style="color">``;
#: marker-cluster bubbles are neutral grey so they are not read as a kind's colour, and dashed when every
#: organisation in them sits at a country's label point.
RUNTIME_CSS = """<style>
.cm-legend {background: rgba(255,255,255,0.92); padding: 6px 9px; font: 12px/1.45 system-ui, sans-serif;
  border-radius: 4px; box-shadow: 0 0 4px rgba(0,0,0,0.3); max-width: 260px;}
.cm-legend-title {font-weight: 600; margin-bottom: 2px;}
.cm-legend-sub {color: #555; margin-bottom: 3px;}
.cm-swatch {display: inline-block; width: 14px; height: 11px; margin-right: 6px; vertical-align: -1px;
  border: 1px solid #bbb;}
.cm-nodata {background: repeating-linear-gradient(45deg, #ececec 0 2px, #b0b0b0 2px 4px);}
.cm-tip {font: 12px/1.4 system-ui, sans-serif;}
.folium-map.leaflet-container, .leaflet-container {background: #eef3f7;}
.cm-org i, i.cm-org-key {display: block; box-sizing: border-box; width: 100%; height: 100%;
  border-radius: 50%; color: #333;}
i.cm-org-key {display: inline-block; width: 12px; height: 12px; margin: 0 8px 0 2px; vertical-align: -2px;}
i.cm-org-key.cm-at-region {width: 14px; height: 14px; margin: 0 7px 0 1px; vertical-align: -3px;}
i.cm-org-key.cm-at-country {width: 16px; height: 16px; margin: 0 6px 0 0; vertical-align: -4px;}
.cm-at-point i, i.cm-org-key.cm-at-point {background: currentColor; border: 2px solid #fff;
  box-shadow: 0 0 0 1px rgba(0,0,0,0.55);}
.cm-at-region i, i.cm-org-key.cm-at-region {background: rgba(255,255,255,0.8); border: 3px solid currentColor;
  box-shadow: 0 0 0 1px rgba(0,0,0,0.35);}
.cm-at-country i, i.cm-org-key.cm-at-country {background: rgba(255,255,255,0.35);
  border: 2px dashed currentColor;}
.leaflet-container .marker-cluster-small, .leaflet-container .marker-cluster-medium,
.leaflet-container .marker-cluster-large {background-color: rgba(90,90,90,0.3);}
.leaflet-container .marker-cluster-small div, .leaflet-container .marker-cluster-medium div,
.leaflet-container .marker-cluster-large div {background-color: rgba(50,50,50,0.8); color: #fff;}
.leaflet-container .marker-cluster.cm-cluster-country {background: rgba(255,255,255,0.55);
  border: 2px dashed #333; box-sizing: border-box;}
.leaflet-container .marker-cluster.cm-cluster-country div {margin: 3px; background-color: rgba(90,90,90,0.75);}
i.cm-org-key.cm-cluster-key {width: 16px; height: 16px; margin: 0 6px 0 0; vertical-align: -4px;
  border: 2px dashed #333;
  background: radial-gradient(circle, rgba(50,50,50,0.8) 45%, transparent 50%);}
.cm-legend.cm-folded > :not(.cm-legend-title) {display: none;}
@media (max-width: __NARROW_MAP_PX__px) {
  .cm-legend {font-size: 10px; line-height: 1.3; padding: 4px 6px; max-width: 170px;}
  .cm-legend-sub {display: none;}
  .cm-swatch {width: 11px; height: 9px; margin-right: 4px;}
  .cm-legend-title {cursor: pointer;}
  .cm-legend-title::after {content: " \\25BE";}
  .cm-legend.cm-folded .cm-legend-title::after {content: " \\25B8";}
  .cm-legend.cm-folded .cm-legend-title {margin-bottom: 0;}
}
</style>""".replace("__NARROW_MAP_PX__", str(NARROW_MAP_PX - 1))

_OFFSITE = re.compile(
    r"""<(?:script|link|img|iframe)\b[^>]*?\b(?:src|href)\s*=\s*["']?\s*((?:[a-z][a-z0-9+.-]*:)?//[^"'\s>]*)""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"url\((['\"]?)(images/[^)'\"]+)\1\)")
_OFFSITE_CSS = re.compile(
    r"""(?:url\(\s*['"]?|@import\s+['"])\s*((?:[a-z][a-z0-9+.-]*:)?//[^'")\s]*)""", re.IGNORECASE
)


@cache
def asset_path(package: str) -> Path:
    """The data folder of an installed XStatic package (``xstatic.pkg.leaflet`` -> ``.../data``)."""
    try:
        module = import_module(package)
    except ImportError:
        raise ClusterMapError(
            f"The package {package!r} that holds a local copy of a map library is not installed; "
            f"run `pip install -r requirements.txt`."
        ) from None
    return Path(module.BASE_DIR)


def install_static_assets(static_dir: Path) -> None:
    """Copy the map libraries into ``static_dir/vendor`` (idempotent, safe for concurrent starts).

    Parameters
    ----------
    static_dir
        The ``static/`` folder next to ``app.py`` that Streamlit serves at ``/app/static``.

    A file is copied only when missing or of a different size; each copy goes to a temporary
    file that is renamed into place, so a browser never reads a half-written library.
    """
    vendor = Path(static_dir) / "vendor"
    wanted = [(a.source(), vendor / a.target) for a in ASSETS.values()]
    leaflet = asset_path(_LEAFLET) / "images"
    wanted += [(leaflet / name, vendor / "leaflet" / "images" / name) for name in _IMAGES]
    for src, dst in wanted:
        if not src.is_file():
            raise ClusterMapError(
                f"Map library file {str(src)!r} is missing from its package; "
                f"reinstall it with `pip install --force-reinstall`."
            )
        if dst.is_file() and dst.stat().st_size == src.stat().st_size:
            continue
        _write_atomically(dst, source=src)
    for names in BUNDLES:
        text = _bundle_text(names)
        dst = vendor / bundle_target(names)
        if dst.is_file() and dst.read_bytes() == text:
            continue
        _write_atomically(dst, data=text)


def bundle_target(names: tuple[str, ...]) -> str:
    """Path under ``static/vendor`` of the one-file copy of the scripts ``names`` (see :data:`BUNDLES`)."""
    return "bundle/" + "+".join(names) + ".js"


def _bundle_text(names: tuple[str, ...]) -> bytes:
    """The scripts ``names`` joined into one file, each ended by a newline and ``;``.

    The separator matters: a script ending in a ``//`` comment (a source-map line) would otherwise
    comment out the first line of the next one.
    """
    parts = []
    for name in names:
        asset = ASSETS[name]
        parts.append(f"/* {asset.target} */\n".encode() + asset.source().read_bytes() + b"\n;\n")
    return b"".join(parts)


def _write_atomically(dst: Path, *, source: Path | None = None, data: bytes = b"") -> None:
    """Copy ``source`` (or write ``data``) to ``dst`` through a temporary file renamed into place.

    Readers (the browser, a second server starting at the same time) never see half a file.
    """
    dst.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=dst.parent, prefix=f".{dst.name}.", suffix=".tmp")
    os.close(fd)
    try:
        if source is not None:
            shutil.copyfile(source, tmp)
        else:
            Path(tmp).write_bytes(data)
        os.replace(tmp, dst)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def localise(
    m: folium.Map,
    *,
    mode: AssetMode = "url",
    base_url: str = STREAMLIT_BASE_URL,
    extra: tuple[str, ...] = ("markerclusterjs", "markercluster"),
) -> folium.Map:
    """Make ``m`` load every library from the server (``url``) or from the page itself (``inline``).

    Parameters
    ----------
    m
        A map with all its layers added (elements added later are not rewritten).
    mode
        ``"url"``: links to ``base_url/<package>/<file>`` (Streamlit: ``/app/static/vendor``; the
        files must have been copied by :func:`install_static_assets`). ``"inline"``: the JS/CSS
        text is embedded in the page head (images as data URIs) for standalone HTML.
    base_url
        URL prefix of the vendor folder in ``url`` mode.
    extra
        Assets the *map itself* loads even if no element asks for them yet: marker-cluster by
        default, so an overlay added later through ``st_folium(feature_group_to_add=...)`` finds
        ``L.markerClusterGroup`` (streamlit-folium loads scripts only when the map is first built).
        ``"markercluster"`` stands for its JS and both CSS files.

    Returns
    -------
    The same map, modified in place.

    Raises
    ------
    ClusterMapError
        If an element asks for a library that has no local copy (e.g. a folium plugin we do not
        ship): use another element or add the XStatic package and an :data:`ASSETS` entry.
    """
    wanted = set(extra)
    if "markercluster" in wanted:
        wanted |= {"markerclusterjs", "markerclustercss", "markerclusterdefaultcss"}
    unknown: list[str] = []
    for element in _walk(m):
        for attr in ("default_js", "default_css"):
            links = getattr(element, attr, None)
            if not links:
                continue
            for name, url in links:
                if name in ASSETS:
                    wanted.add(name)
                elif name not in DROPPED:
                    unknown.append(f"{type(element).__name__}: {name!r} -> {url!r}")
            # an instance attribute: never mutate folium's class-level lists
            setattr(element, attr, [])
    if unknown:
        raise ClusterMapError(
            "These map elements load libraries that have no local copy, so the map would not work "
            "offline: " + "; ".join(unknown) + ". Use another element or add an XStatic package."
        )
    if not _uses_jquery(m):
        wanted.discard("jquery")
    order = [a for a in ASSETS.values() if a.name in wanted]
    if mode == "url":
        base = base_url.rstrip("/")
        scripts = tuple(a.name for a in order if a.kind == "js")
        if scripts in BUNDLES:
            m.default_js = [("+".join(scripts), f"{base}/{bundle_target(scripts)}")]
        else:
            m.default_js = [(a.name, f"{base}/{a.target}") for a in order if a.kind == "js"]
        m.default_css = [(a.name, f"{base}/{a.target}") for a in order if a.kind == "css"]
    elif mode == "inline":
        m.default_js, m.default_css = [], []
        figure = m.get_root()
        if not isinstance(figure, Figure):
            raise ClusterMapError(
                "Inline assets need a map inside a folium Figure; build it with folium.Map()."
            )
        for asset in order:
            figure.header.add_child(RawText(_inline(asset.name)), name=f"cm_asset_{asset.name}")
    else:
        raise ClusterMapError(f"Unknown asset mode {mode!r}; use 'url' or 'inline'.")
    return m


def offsite_links(html: str) -> list[str]:
    """Every ``src``/``href`` of a script, stylesheet, image or frame that points off the server.

    Off the server means an absolute URL with a scheme (``http://``, ``https://``) or a
    protocol-relative one (``//cdn...``), in a tag or in CSS (``url(...)``, ``@import``). Links in
    popups (``<a href>``) are not loaded by the browser and are not reported; nor is an optional
    tile URL template (the user's explicit choice, ``Settings.tile_url``).
    """
    found = [match.group(1) for match in _OFFSITE.finditer(html)]
    return found + [match.group(1) for match in _OFFSITE_CSS.finditer(html)]


def _uses_jquery(m: folium.Map) -> bool:
    """Whether a template on the map calls jQuery's ``$``: folium popups and ``keep_in_front``."""
    if getattr(m, "objects_to_stay_in_front", None):
        return True
    return any(isinstance(element, folium.Popup) for element in _walk(m))


def _walk(element: MacroElement | Element):
    yield element
    for child in getattr(element, "_children", {}).values():
        yield from _walk(child)


@cache
def _inline(name: str) -> str:
    asset = ASSETS[name]
    text = asset.source().read_text(encoding="utf-8")
    if asset.kind == "js":
        if "</script" in text.lower():
            raise ClusterMapError(f"{str(asset.source())!r} contains '</script' and cannot be inlined.")
        return f"<script>/* {asset.target} */\n{text}\n</script>"
    folder = asset.source().parent

    def data_uri(match: re.Match[str]) -> str:
        image = folder / match.group(2)
        if not image.is_file():
            return "url(data:,)"
        encoded = base64.b64encode(image.read_bytes()).decode("ascii")
        return f"url(data:image/png;base64,{encoded})"

    return f"<style>/* {asset.target} */\n{_CSS_URL.sub(data_uri, text)}\n</style>"
