"""Choropleth maps: geometry sent once, colours and tooltips sent separately ("paint").

A map of one view has two parts that change at different speeds:

* **geometry** of a level (1,500 NUTS 3 polygons at most): :func:`encode_geometry` packs it into
  compact JSON (integer coordinates on a 1e-4 degree grid, delta-encoded per ring, one property:
  the region code), decoded by a few lines of JavaScript. Cache it per (version, level).
* **paint**: class index per region, colours, tooltip strings and the legend (:func:`paint`),
  tens of KB. A filter change (sector, year, metric, countries) only changes the paint.

:func:`choropleth` puts both in one ``folium.Map`` (reports, notebooks, simple use).
For Streamlit, build the map with :func:`base_map` (geometry only: its script, hence
streamlit-folium's component key, stays the same across filter changes, so the iframe is not
rebuilt) and pass ``paint(...).feature_group()`` as ``st_folium(feature_group_to_add=...)``: the
component evaluates only that small script, which restyles the existing polygons in place. With
:func:`publish_geometry` the geometry itself is a cached static file that the page fetches, so the
map script shrinks to about 10 KB.

Every string that reaches HTML is escaped by :mod:`cluster_map.maps.escape`.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import folium
import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from branca.element import Figure
from folium.map import Layer
from folium.template import Template

from cluster_map.errors import InputError
from cluster_map.maps import csp
from cluster_map.maps.assets import RUNTIME_CSS, RUNTIME_JS, STREAMLIT_BASE_URL, AssetMode, localise
from cluster_map.maps.classes import Classes
from cluster_map.maps.elements import RawText, RenderedOnce
from cluster_map.maps.escape import esc, fmt_number, is_missing, js_json
from cluster_map.schema import FLAGS

__all__ = [
    "DEFAULT_TOOLTIP_FIELDS",
    "EncodedGeometry",
    "GeometryLayer",
    "Paint",
    "base_map",
    "choropleth",
    "clicked_region",
    "encode_geometry",
    "paint",
    "publish_geometry",
]

#: Tooltip lines after the value: (column, label).
DEFAULT_TOOLTIP_FIELDS: tuple[tuple[str, str], ...] = (
    ("rank", "Rank"),
    ("employment", "Employment"),
    ("flags", "Source flags"),
    ("caveat", "Caveat"),
    ("nuts_version", "NUTS version"),
)
#: Style of the choropleth polygons (fill colour comes from the paint).
REGION_STYLE = {"color": "#ffffff", "weight": 0.6, "fillOpacity": 0.85, "fillColor": "#f0f0f0"}
#: Style of the NUTS 0 base (country shapes under the regions).
BASE_STYLE = {"color": "#9e9e9e", "weight": 0.8, "fillOpacity": 1.0, "fillColor": "#e4e4e0"}
#: Leaflet map panes of our layers, bottom to top (z-index; Leaflet's own overlay pane is 400): the
#: NUTS 0 base always under the regions, outlines (stars, hot spots) always over them, whatever order
#: the browser receives the geometries in (they are fetched in parallel).
PANES: dict[str, int] = {"cmBase": 350, "cmRegions": 400, "cmOutlines": 450}
_TIP_CODE = re.compile(r"^\s*(\S+)\s+·")


@dataclass(frozen=True)
class EncodedGeometry:
    """Polygons of one layer packed for the browser (cache this per level)."""

    codes: tuple[str, ...]
    data_json: str  # {"s": scale, "c": [codes], "g": [[[ring ints...]...]...]}
    bounds: tuple[tuple[float, float], tuple[float, float]]  # ((south, west), (north, east))

    @cached_property
    def nbytes(self) -> int:
        """Size of the packed geometry in bytes (UTF-8)."""
        return len(self.data_json.encode("utf-8"))

    @cached_property
    def digest(self) -> str:
        """First 24 hex digits of the SHA-256 of the packed JSON: the name of its published file.

        Computed once per object, so a page that publishes the same cached geometry on every rerun
        pays only a ``stat`` (see :func:`publish_geometry`).
        """
        return hashlib.sha256(self.data_json.encode("utf-8")).hexdigest()[:24]


def encode_geometry(
    layer: gpd.GeoDataFrame, *, code_col: str = "code", precision: int = 4
) -> EncodedGeometry:
    """Pack polygons as integer, delta-encoded rings with the region code as the only property.

    Parameters
    ----------
    layer
        GeoDataFrame in EPSG:4326 (other CRSs are reprojected) with ``code_col``; use the
        display (coverage-simplified) geometry.
    precision
        Decimals kept: 4 = 1e-4 degrees (about 11 m), 3 for small-scale overview layers.

    Notes
    -----
    Each ring becomes ``[x0, y0, dx1, dy1, ...]`` with ``x = round(lon * 10^precision)``; the
    closing vertex and repeated vertices are dropped; rings left with fewer than 3 vertices are
    dropped. JSON of small integers is about 2.5x smaller than GeoJSON (NUTS 3 display geometry:
    247 KB against 631 KB for GeoJSON with only the code as property).
    """
    if code_col not in layer.columns:
        raise InputError(f"The map layer has no column {code_col!r}; columns are {list(layer.columns)!r}.")
    if layer.crs is not None and not layer.crs.equals("EPSG:4326"):
        layer = layer.to_crs("EPSG:4326")
    scale = 10 ** int(precision)
    codes: list[str] = []
    geoms: list[list[list[list[int]]]] = []
    for code, geom in zip(layer[code_col].astype(str), layer.geometry.array, strict=True):
        if geom is None or geom.is_empty:
            continue
        polys = []
        for poly in shapely.get_parts(geom):
            if poly.geom_type != "Polygon":
                continue
            rings = [_ring(np.asarray(poly.exterior.coords), scale)]
            if len(rings[0]) < 6:
                continue
            rings += [r for r in (_ring(np.asarray(i.coords), scale) for i in poly.interiors) if len(r) >= 6]
            polys.append(rings)
        if polys:
            codes.append(code)
            geoms.append(polys)
    if not codes:
        raise InputError("The map layer has no polygon geometry to draw.")
    minx, miny, maxx, maxy = (float(v) for v in layer.total_bounds)
    return EncodedGeometry(
        codes=tuple(codes),
        data_json=js_json({"s": scale, "c": codes, "g": geoms}),
        bounds=((miny, minx), (maxy, maxx)),
    )


def publish_geometry(
    geometry: EncodedGeometry, static_dir: Path, *, base_url: str = "/app/static", subdir: str = "vendor/geo"
) -> str:
    """Write packed geometry to ``static_dir/<subdir>/<sha256>.json`` (once) and return its URL.

    The name is a hash of the content, so the browser may cache it for good and a new store with
    new geometry gets a new URL. Files are written atomically (temporary file, then rename).
    ``base_url`` is where ``static_dir`` is served (Streamlit static serving: ``/app/static``);
    the default ``subdir`` is under ``static/vendor``, which git ignores (generated files).
    """
    name = geometry.digest + ".json"
    target = Path(static_dir) / subdir / name
    if not (target.is_file() and target.stat().st_size == geometry.nbytes):
        data = geometry.data_json.encode("utf-8")
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
            os.replace(tmp, target)
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
    return f"{base_url.rstrip('/')}/{subdir.strip('/')}/{name}"


def _ring(coords: np.ndarray, scale: int) -> list[int]:
    q = np.rint(coords[:, :2] * scale).astype(np.int64)
    if len(q) > 1 and (q[0] == q[-1]).all():
        q = q[:-1]
    keep = np.ones(len(q), dtype=bool)
    keep[1:] = (np.diff(q, axis=0) != 0).any(axis=1)
    q = q[keep]
    if len(q) < 3:
        return []
    d = q.copy()
    d[1:] = np.diff(q, axis=0)
    return d.ravel().tolist()


class GeometryLayer(Layer, RenderedOnce):
    """A Leaflet GeoJSON layer built in the browser from :class:`EncodedGeometry`.

    ``key`` names the layer in the page's ``window.cmap`` registry; a :class:`Paint` with the same
    key colours it. Without a paint (``style`` only) it is drawn with a fixed style. With ``url``
    (see :func:`publish_geometry`) the page fetches the geometry from the server instead of
    carrying it in the script: the browser caches it and streamlit-folium re-sends only a few KB.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.runtime }}
        var {{ this.get_name() }} = cmap.layer({{ this.key_json }}, {{ this.data_json }}, {{ this.options_json }});
        {% endmacro %}
    """)

    def __init__(
        self,
        geometry: EncodedGeometry,
        *,
        key: str,
        name: str | None = None,
        style: Mapping[str, Any] | None = None,
        interactive: bool = True,
        paint: Paint | None = None,
        overlay: bool = True,
        control: bool = True,
        show: bool = True,
        url: str | None = None,
        pane: str | None = None,
    ) -> None:
        if pane is not None and pane not in PANES:
            raise InputError(f"Unknown map pane {pane!r}; use one of {sorted(PANES)!r}.")
        super().__init__(name=name, overlay=overlay, control=control, show=show)
        self._name = "GeometryLayer"
        self.geometry = geometry
        self.key = key
        self.runtime = RUNTIME_JS
        self.key_json = js_json(key)
        self.data_json = "null" if url else geometry.data_json
        self.options_json = js_json(
            {
                "style": dict(style or REGION_STYLE),
                "interactive": interactive,
                "paint": paint.payload if paint is not None else None,
                "url": url,
                "pane": pane,
            }
        )

    def _get_self_bounds(self) -> list[list[float | None]]:
        (s, w), (n, e) = self.geometry.bounds
        return [[s, w], [n, e]]


class PaintElement(RenderedOnce):
    """Script that applies a :class:`Paint` to the layer with the same key (restyle in place)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.runtime }}
        cmap.paint({{ this.key_json }}, {{ this.payload_json }});
        {% endmacro %}
    """)

    def __init__(self, p: Paint) -> None:
        super().__init__()
        self._name = "PaintElement"
        self.runtime = RUNTIME_JS
        self.key_json = js_json(p.key)
        self.payload_json = js_json(p.payload)


@dataclass(frozen=True)
class Paint:
    """Colours, tooltips and legend of one view, separate from the geometry.

    ``payload`` keys: ``cls`` {code: class index, -1 = no data}, ``colours`` and ``labels`` per
    class, ``rows`` {code: [title, value, field values...]}, ``fields`` (labels of the row
    entries), ``common`` [[label, value]] shown for every region (fields with one value for all),
    ``legend``, ``bounds`` [[south, west], [north, east]] to zoom to or None. Every string is
    escaped HTML. :meth:`tooltip` builds a region's tooltip as the browser does.
    """

    key: str
    payload: dict[str, Any]

    def colour_of(self, code: str) -> str | None:
        """The fill colour of region ``code`` (``None`` when not painted; no data -> hatch)."""
        i = self.payload["cls"].get(code)
        if i is None:
            return None
        return "url(#cm-hatch)" if i < 0 else self.payload["colours"][i]

    def tooltip(self, code: str) -> str | None:
        """The tooltip HTML of region ``code`` exactly as the page's ``cmap.tip`` builds it."""
        p = self.payload
        row = p["rows"].get(code)
        if row is None:
            return None
        k = p["cls"][code]
        parts = [f"<b>{row[0]}</b>"]
        for j, value in enumerate(row[1:], start=1):
            if j == 1 and k >= 0:
                value = f"{value} ({p['labels'][k]})" if value else p["labels"][k]
            if value != "":
                parts.append(f"{p['fields'][j - 1]}: {value}")
        parts += [f"{label}: {value}" for label, value in p["common"]]
        return "<br>".join(parts)

    def element(self) -> PaintElement:
        """The paint as a map element (add it after the geometry layer, or to a FeatureGroup)."""
        return PaintElement(self)

    def feature_group(self, name: str = "paint") -> folium.FeatureGroup:
        """A FeatureGroup holding only the paint: for ``st_folium(feature_group_to_add=...)``."""
        fg = folium.FeatureGroup(name=name, control=False)
        fg.add_child(self.element())
        return fg

    def json(self) -> str:
        """The payload as script-safe JSON (its size is what a recolour sends)."""
        return js_json(self.payload)


def paint(
    layer: pd.DataFrame,
    *,
    value_col: str,
    label_col: str,
    classes: Classes,
    tooltip_fields: Sequence[tuple[str, str]] | Mapping[str, str] = DEFAULT_TOOLTIP_FIELDS,
    code_col: str = "code",
    reason_col: str | None = "reason",
    key: str = "choropleth",
    value_label: str | None = None,
    unit: str = "",
    digits: int = 2,
    title: str | None = None,
    subtitle: str = "",
    fit: bool = False,
    legend: bool = True,
    bounds: Sequence[Sequence[float]] | None = None,
    outline_col: str | None = "estimated",
) -> Paint:
    """Class, colour, tooltip and legend of every region of ``layer`` (no geometry is sent).

    Parameters
    ----------
    layer
        One row per region: ``code_col``, ``value_col``, ``label_col`` and the tooltip columns
        (``rank``, ``flags``, ``nuts_version``, ... as in ``services.mapview.MapLayer.frame``).
    classes
        From :mod:`cluster_map.maps.classes`; values that classify to ``-1`` are no data.
    tooltip_fields
        ``(column, label)`` pairs shown under the value; missing columns are skipped. ``rank``
        is shown as ``3 of 240``, ``flags`` with their meaning.
    reason_col
        Column with the reason a region has no value (shown instead of the value).
    legend
        Show the legend control (``False`` for overlays that explain themselves).
    fit
        Include the bounds of the painted regions so the browser zooms to them when they change
        (needs a GeoDataFrame; or give ``bounds``).
    bounds
        ``[[south, west], [north, east]]`` to zoom to when they change (e.g. the selected
        countries), for a ``layer`` without geometry.
    outline_col
        Boolean column of regions drawn with a dashed dark outline (default ``estimated``: values
        converted from an older NUTS version by population weights); the tooltip's caveat says why.
    """
    for col in (code_col, value_col, label_col):
        if col not in layer.columns:
            raise InputError(f"The map layer has no column {col!r}; columns are {list(layer.columns)!r}.")
    fields = list(tooltip_fields.items()) if isinstance(tooltip_fields, Mapping) else list(tooltip_fields)
    fields = [(c, lbl) for c, lbl in fields if c in layer.columns and c != value_col]
    idx = classes.assign(layer[value_col])
    n_ranked = int(pd.to_numeric(layer["rank"], errors="coerce").notna().sum()) if "rank" in layer else 0
    codes = layer[code_col].astype(str).tolist()
    reasons = layer[reason_col].tolist() if reason_col and reason_col in layer else [None] * len(layer)
    cells = [(lbl, [_cell(col, v, n_ranked) for v in layer[col].tolist()]) for col, lbl in fields]
    # a field with one value for every region (e.g. the NUTS version) is sent once, not per region
    common = [(lbl, vals[0]) for lbl, vals in cells if len(set(vals)) == 1 and vals[0] != ""]
    cells = [(lbl, vals) for lbl, vals in cells if not (len(set(vals)) == 1 and vals[0] != "")]
    rows: dict[str, list[str]] = {}
    cls: dict[str, int] = {}
    for i, (code, name, value, reason) in enumerate(
        zip(codes, layer[label_col].tolist(), layer[value_col].tolist(), reasons, strict=True)
    ):
        k = int(idx[i])
        cls[code] = k
        if k < 0:
            why = reason if isinstance(reason, str) and reason else "no value"
            shown = f"{esc(classes.nodata_label)}: {esc(why)}"
        elif classes.categories:
            shown = ""  # the browser shows the class label
        else:
            shown = fmt_number(value, digits=digits, unit=unit)  # the browser appends the class label
        rows[code] = [f"{esc(code)} · {esc(name)}", shown, *(vals[i] for _, vals in cells)]
    head = value_label or classes.title or value_col
    payload: dict[str, Any] = {
        "cls": cls,
        "colours": list(classes.colours),
        "labels": [esc(label) for label in classes.labels],
        "fields": [esc(head)] + [esc(lbl) for lbl, _ in cells],
        "common": [[esc(lbl), value] for lbl, value in common],
        "rows": rows,
        "legend": legend_html(classes, title=title, subtitle=subtitle) if legend else "",
        "bounds": [[float(bounds[0][0]), float(bounds[0][1])], [float(bounds[1][0]), float(bounds[1][1])]]
        if bounds is not None
        else None,
        "outline": {
            code: 1
            for code, flag in zip(codes, layer[outline_col].tolist(), strict=True)
            if flag is True or flag is np.True_
        }
        if outline_col and outline_col in layer
        else {},
    }
    if fit and isinstance(layer, gpd.GeoDataFrame) and len(layer):
        minx, miny, maxx, maxy = (float(v) for v in layer.to_crs("EPSG:4326").total_bounds)
        payload["bounds"] = [[miny, minx], [maxy, maxx]]
    return Paint(key=key, payload=payload)


def legend_html(classes: Classes, *, title: str | None = None, subtitle: str = "") -> str:
    """The legend as an escaped HTML fragment: title, one swatch per class, the no-data swatch."""
    parts = [f'<div class="cm-legend-title">{esc(title if title is not None else classes.title)}</div>']
    if subtitle:
        parts.append(f'<div class="cm-legend-sub">{esc(subtitle)}</div>')
    for colour, label in zip(classes.colours, classes.labels, strict=True):
        parts.append(
            f'<div><i class="cm-swatch" style="background:{esc(_colour(colour))}"></i>{esc(label)}</div>'
        )
    parts.append(f'<div><i class="cm-swatch cm-nodata"></i>{esc(classes.nodata_label)}</div>')
    return "".join(parts)


def base_map(
    geometry: EncodedGeometry | gpd.GeoDataFrame,
    *,
    base: EncodedGeometry | gpd.GeoDataFrame | None = None,
    key: str = "choropleth",
    name: str = "Regions",
    code_col: str = "code",
    tiles: str | None = None,
    tiles_attr: str = "",
    assets: AssetMode = "url",
    base_url: str = STREAMLIT_BASE_URL,
    height: str | int = "100%",
    fit: bool = True,
    interactive: bool = True,
    geometry_url: str | None = None,
    base_geometry_url: str | None = None,
) -> folium.Map:
    """A map with the region geometry (uncoloured until painted) over the NUTS 0 base.

    Parameters
    ----------
    geometry
        The regions (``EncodedGeometry``, or a GeoDataFrame that is encoded here).
    base
        Country shapes (NUTS 0) drawn underneath, non-interactive; ``None`` for none.
    tiles, tiles_attr
        Optional tile URL template (``Settings.tile_url``) and its attribution; default none.
    assets, base_url
        Where Leaflet is loaded from (see :func:`cluster_map.maps.assets.localise`).
    fit
        Zoom to the regions' bounds.
    interactive
        Hover highlight and tooltips on the regions (``False`` for a plain background, e.g. under
        organisation markers).
    geometry_url, base_geometry_url
        URLs from :func:`publish_geometry`: the browser fetches the packed geometry (cached)
        instead of receiving it in the map script. ``geometry``/``base`` still give the bounds.
    """
    geom = geometry if isinstance(geometry, EncodedGeometry) else encode_geometry(geometry, code_col=code_col)
    zoom: dict[str, Any] = {"maxZoom": 14, "minZoom": 2, "zoomSnap": 0.25}  # markercluster needs a maxZoom
    m = folium.Map(
        tiles=None,
        location=None,
        zoom_start=4,
        height=height,
        prefer_canvas=False,
        control_scale=True,
        **zoom,
    )
    if tiles:
        folium.TileLayer(tiles=tiles, attr=tiles_attr or "map tiles", name="Tiles", control=False).add_to(m)
    if base is not None:
        b = (
            base
            if isinstance(base, EncodedGeometry)
            else encode_geometry(base, code_col=_code_col(base), precision=3)
        )
        GeometryLayer(
            b,
            key="base",
            name="Countries",
            style=BASE_STYLE,
            interactive=False,
            control=False,
            url=base_geometry_url,
            pane="cmBase",
        ).add_to(m)
    GeometryLayer(
        geom,
        key=key,
        name=name,
        control=False,
        interactive=interactive,
        style=REGION_STYLE if interactive else BASE_STYLE,
        url=geometry_url,
        pane="cmRegions",
    ).add_to(m)
    figure = m.get_root()
    if isinstance(figure, Figure):
        figure.header.add_child(
            RawText(csp.meta_element(tiles=tiles)), name="cm_csp"
        )  # a missed escape cannot call out
        figure.header.add_child(RawText(RUNTIME_CSS), name="cm_css")
    if fit:
        (s, w), (n, e) = geom.bounds
        m.fit_bounds([[s, w], [n, e]])
    return localise(m, mode=assets, base_url=base_url)


def choropleth(
    layer: gpd.GeoDataFrame,
    *,
    value_col: str,
    label_col: str,
    classes: Classes,
    tooltip_fields: Sequence[tuple[str, str]] | Mapping[str, str] = DEFAULT_TOOLTIP_FIELDS,
    base: EncodedGeometry | gpd.GeoDataFrame | None = None,
    tiles: str | None = None,
    tiles_attr: str = "",
    code_col: str = "code",
    geometry: EncodedGeometry | None = None,
    assets: AssetMode = "url",
    base_url: str = STREAMLIT_BASE_URL,
    unit: str = "",
    digits: int = 2,
    title: str | None = None,
    subtitle: str = "",
    height: str | int = "100%",
    reason_col: str | None = "reason",
) -> folium.Map:
    """A complete choropleth map (geometry + paint) of one metric.

    ``layer`` holds the display geometry and the values; ``geometry`` may pass its cached
    :class:`EncodedGeometry`. Regions that classify to no data are hatched grey with the reason in
    the tooltip; the legend is an HTML control. See :func:`paint` for the parameters.
    """
    geom = geometry or encode_geometry(layer, code_col=code_col)
    m = base_map(
        geom,
        base=base,
        tiles=tiles,
        tiles_attr=tiles_attr,
        assets=assets,
        base_url=base_url,
        height=height,
        code_col=code_col,
    )
    p = paint(
        layer,
        value_col=value_col,
        label_col=label_col,
        classes=classes,
        tooltip_fields=tooltip_fields,
        code_col=code_col,
        unit=unit,
        digits=digits,
        title=title,
        subtitle=subtitle,
        reason_col=reason_col,
    )
    m.add_child(p.element(), name="cm_paint")
    return m


def clicked_region(returned: Mapping[str, Any] | None) -> str | None:
    """The region code of the polygon last clicked, from what ``st_folium`` returned.

    Reads ``last_active_drawing.properties.c`` (ask for ``returned_objects=["last_active_drawing"]``),
    else the code at the start of ``last_object_clicked_tooltip`` (``"DE21 · Oberbayern ..."``).
    """
    if not returned:
        return None
    drawing = returned.get("last_active_drawing")
    if isinstance(drawing, Mapping):
        code = (drawing.get("properties") or {}).get("c")
        if isinstance(code, str) and code:
            return code
    tip = returned.get("last_object_clicked_tooltip")
    if isinstance(tip, str):
        match = _TIP_CODE.match(tip)
        if match:
            return match.group(1)
    return None


def _cell(col: str, value: Any, n_ranked: int) -> str:
    if is_missing(value) or (isinstance(value, str) and not value):
        return ""
    if col == "rank":
        return f"{fmt_number(value)} of {n_ranked:,}"
    if col == "flags":
        return esc(", ".join(f"{f} ({FLAGS.get(f, 'unknown flag')})" for f in str(value)))
    if isinstance(value, (bool, np.bool_)):
        return "yes" if value else "no"
    if isinstance(value, (int, float, np.integer, np.floating)):
        return fmt_number(value, digits=2)
    return esc(value)


def _colour(value: str) -> str:
    if re.fullmatch(r"#[0-9a-fA-F]{3,8}|[a-z]{3,20}", value):
        return value
    raise InputError(f"Colour {value!r} is not a hex colour (#rrggbb) or a CSS colour name.")


def _code_col(frame: gpd.GeoDataFrame) -> str:
    for col in ("code", "NUTS_ID", "nuts_id", "id"):
        if col in frame.columns:
            return col
    raise InputError(
        f"The base layer has no code column (code or NUTS_ID); columns are {list(frame.columns)!r}."
    )
