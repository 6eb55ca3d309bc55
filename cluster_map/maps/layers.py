"""Overlays on the choropleth: cluster organisations, hot spots, star clusters, and the layer control.

Each overlay is a ``folium.FeatureGroup`` (toggled by a ``LayerControl``; in Streamlit pass it in
``st_folium(feature_group_to_add=[paint_group, *overlays], layer_control=layer_control())``):

* :func:`organisations_layer`: one marker per organisation with coordinates, clustered
  (Leaflet.markercluster from the local copy), escaped popups. The marker's colour is its kind
  (``org_kind``, colours declared in :data:`cluster_map.catalogue.ORG_KINDS`) and its shape how
  precisely it is placed (``geocode_precision``, :data:`cluster_map.catalogue.LOCATION_PRECISIONS`):
  a filled dot at an address or a city, a ring at a region's label point, a large dashed ring at a
  country's, so a country-level point is not read as a city. A legend (the runtime's legend control)
  names the kinds and placements present;
* :func:`hotspot_layer`: regions in a significant Gi* / LISA class, outlined in the class colour;
* :func:`star_layer`: regions with at least ``min_stars`` cluster stars, outlined.

Overlays are not interactive (clicks fall through to the region underneath) except the markers.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any, Literal

import folium
import geopandas as gpd
import pandas as pd
from folium.map import Layer
from folium.template import Template

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.maps.assets import RUNTIME_JS
from cluster_map.maps.choropleth import EncodedGeometry, GeometryLayer, encode_geometry, paint
from cluster_map.maps.classes import categorical, hotspot_classes
from cluster_map.maps.elements import RenderedOnce
from cluster_map.maps.escape import esc, is_missing, js_json, link

__all__ = [
    "MARKER_SIZES",
    "OrganisationMarkers",
    "markers_legend_html",
    "hotspot_layer",
    "layer_control",
    "organisations_layer",
    "organisation_popup",
    "star_layer",
]

#: Outline colour per number of stars: dark, so it shows on any fill colour of the choropleth.
STAR_OUTLINES: dict[int, str] = {1: "#807dba", 2: "#54278f", 3: "#000000"}
#: Popup lines of an organisation: (column, label).
ORG_FIELDS: tuple[tuple[str, str], ...] = (
    ("org_type", "Type"),
    ("city", "City"),
    ("country", "Country"),
    ("geocode_precision", "Location"),
    ("sectors", "Sectors"),
    ("members", "Members"),
    ("founded_year", "Founded"),
    ("esca_label", "ESCA label"),
)


#: Icon size in pixels of each marker style (a country's ring is the largest: it covers most ground).
MARKER_SIZES: dict[catalogue.MarkerStyle, int] = {"point": 12, "region": 16, "country": 24}
#: Legend key of the organisation markers (one legend control per map, reused on every rerun).
LEGEND_KEY = "organisations"
#: How a missing or unknown ``geocode_precision`` value is said in the legend (drawn as a country).
UNKNOWN_PRECISION = "precision not stated"
_TOKEN = re.compile(r"[a-z][a-z0-9_]*")
_HEX = re.compile(r"#[0-9a-fA-F]{6}")
_PRECISIONS: dict[object, catalogue.LocationPrecision] = {p.key: p for p in catalogue.LOCATION_PRECISIONS}
_KINDS: dict[str, catalogue.OrgKind] = {k.key: k for k in catalogue.ORG_KINDS}


class OrganisationMarkers(Layer, RenderedOnce):
    """Clustered markers built in the browser from one compact array (not one folium object each).

    A row is ``[lat, lon, id, popup HTML, title, kind index, style index]``; ``kinds`` is the small
    palette table ``[[class token, colour], ...]`` and ``styles`` ``[[marker style, size], ...]``
    the indices point into (``kinds`` None: the catalogue's kinds in order). Each marker is a div icon with classes ``cm-org cm-org-<kind>
    cm-at-<style>`` (styled by the runtime CSS) around an ``<i>`` whose colour is the kind's.
    """

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.runtime }}
        var {{ this.get_name() }} = (function (rows, kinds, styles, legend) {
          // markercluster's own bubble, dashed when every organisation in it sits at a country's label point
          var bubble = function (cluster) {
            var ms = cluster.getAllChildMarkers(), n = ms.length, country = true;
            for (var j = 0; j < n && country; j++) { country = ms[j].cmCountry === true; }
            var size = n < 10 ? "small" : n < 100 ? "medium" : "large";
            return L.divIcon({html: "<div><span>" + n + "</span></div>", iconSize: L.point(40, 40),
                              className: "marker-cluster marker-cluster-" + size + (country ? " cm-cluster-country" : "")});
          };
          var group = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40, chunkedLoading: true,
                                            iconCreateFunction: bubble});
          for (var i = 0; i < rows.length; i++) {
            var r = rows[i], k = kinds[r[5]], s = styles[r[6]];
            var icon = L.divIcon({className: "cm-org cm-org-" + k[0] + " cm-at-" + s[0],
                                  html: '<i style="color:' + k[1] + '"></i>', iconSize: [s[1], s[1]]});
            var m = L.marker([r[0], r[1]], {icon: icon, title: r[4], alt: r[4]});
            m.cmCountry = s[0] === "country";
            m.feature = {type: "Feature", properties: {o: r[2]}};
            m.bindPopup(r[3], {maxWidth: 320});
            group.addLayer(m);
          }
          group.on("add", function () { window.cmap.legend(group._map, {{ this.legend_key }}, legend); });
          group.on("remove", function () {
            var c = window.cmap.legends[{{ this.legend_key }}];
            if (c) { c.getContainer().style.display = "none"; }
          });
          return group;
        })({{ this.rows_json }}, {{ this.kinds_json }}, {{ this.styles_json }}, {{ this.legend_json }});
        {% endmacro %}
    """)

    def __init__(
        self,
        rows: list[list[Any]],
        *,
        kinds: Sequence[tuple[str, str]] | None = None,
        styles: Sequence[catalogue.MarkerStyle] = ("point",),
        legend: str = "",
        name: str = "Cluster organisations",
        show: bool = True,
        control: bool = False,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        if kinds is None:  # every kind of the catalogue, in its order
            kinds = [(k.key, k.colour) for k in catalogue.ORG_KINDS]
        for token, colour in kinds:
            if not _TOKEN.fullmatch(token) or not _HEX.fullmatch(colour):
                raise InputError(f"Marker kind {token!r} with colour {colour!r}: give a-z_ and #rrggbb.")
        if bad := [s for s in styles if s not in MARKER_SIZES]:
            raise InputError(f"Unknown marker style(s) {bad!r}; choose from {list(MARKER_SIZES)!r}.")
        self._name = "OrganisationMarkers"
        self.runtime = RUNTIME_JS
        self.rows = rows
        self.kinds = [list(k) for k in kinds]
        self.styles = [[s, MARKER_SIZES[s]] for s in styles]
        self.legend = legend
        self.rows_json = js_json(rows)
        self.kinds_json = js_json(self.kinds)
        self.styles_json = js_json(self.styles)
        self.legend_json = js_json(legend)
        self.legend_key = js_json(LEGEND_KEY)

    def _get_self_bounds(self) -> list[list[float | None]]:
        if not self.rows:
            return [[None, None], [None, None]]
        lats = [r[0] for r in self.rows]
        lons = [r[1] for r in self.rows]
        return [[min(lats), min(lons)], [max(lats), max(lons)]]


def organisation_popup(
    row: pd.Series | dict[str, Any], *, fields: Sequence[tuple[str, str]] = ORG_FIELDS
) -> str:
    """Escaped popup HTML of one organisation: name (acronym), fields present, website link if http(s)."""
    get = row.get
    name = esc(get("name"))
    acronym = get("acronym")
    title = f"<b>{name}</b>" + (f" ({esc(acronym)})" if not is_missing(acronym) and str(acronym) else "")
    lines = [title]
    for col, label in fields:
        value = get(col)
        if is_missing(value) or str(value) == "":
            continue
        if col == "geocode_precision":
            value = _PRECISIONS[value].label if value in _PRECISIONS else UNKNOWN_PRECISION
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else value
        lines.append(f"{esc(label)}: {esc(text)}")
    site = link(get("website"), get("website")) if not is_missing(get("website")) else ""
    if site.startswith("<a "):
        lines.append(site)
    return "<br>".join(lines)


def organisations_layer(
    orgs: pd.DataFrame,
    *,
    name: str = "Cluster organisations",
    lat_col: str = "lat",
    lon_col: str = "lon",
    id_col: str = "id",
    kind_col: str = "org_kind",
    precision_col: str = "geocode_precision",
    show: bool = True,
    legend: bool = True,
) -> folium.FeatureGroup:
    """Cluster organisations as clustered markers, coloured by kind, shaped by location precision.

    ``kind_col`` holds :data:`cluster_map.catalogue.ORG_KINDS` keys (without the column every
    organisation is ``not_stated``; a value the catalogue does not know gets its own entry, named by
    the value, escaped). ``precision_col`` holds :data:`cluster_map.catalogue.LOCATION_PRECISIONS`
    keys; without the column, or where a value is missing or unknown, the precision is "not stated"
    and drawn as the least precise (a country's ring): coordinates are never presented as exact
    unless the frame says so. Rows without valid coordinates, or whose precision is
    ``none``, are left out; ``group.n_markers`` and ``group.n_skipped`` say how many were drawn and
    left out (show the latter next to the map). ``legend``: the legend control of kinds and
    placements present.
    """
    for col in (lat_col, lon_col, "name"):
        if col not in orgs.columns:
            raise InputError(
                f"The organisations table has no column {col!r}; columns are {list(orgs.columns)!r}."
            )
    lat = pd.to_numeric(orgs[lat_col], errors="coerce")
    lon = pd.to_numeric(orgs[lon_col], errors="coerce")
    kinds = _column(orgs, kind_col, "not_stated").replace("", "not_stated")
    precisions = _column(orgs, precision_col, "")  # no column: nothing said, drawn as the least precise
    ok = lat.between(-90, 90) & lon.between(-180, 180) & (precisions != "none")
    # the palette tables: kinds present in catalogue order (then unknown values), styles present
    present = set(kinds[ok])
    kind_keys = [k.key for k in catalogue.ORG_KINDS if k.key in present]
    kind_keys += sorted(present - set(kind_keys))
    styles_present = {_style(p) for p in precisions[ok]}
    style_keys = [s for s in MARKER_SIZES if s in styles_present]
    kind_index = {k: i for i, k in enumerate(kind_keys)}
    style_index = {s: i for i, s in enumerate(style_keys)}
    rows = []
    for i in orgs.index[ok]:
        row = orgs.loc[i]
        ident = row.get(id_col) if id_col in orgs.columns else i
        rows.append(
            [
                round(float(lat[i]), 5),
                round(float(lon[i]), 5),
                str(ident),
                organisation_popup(row),
                str(row["name"]) if not is_missing(row["name"]) else "",
                kind_index[kinds[i]],
                style_index[_style(precisions[i])],
            ]
        )
    palette = [_kind_entry(k) for k in kind_keys]
    html = markers_legend_html(kinds[ok], precisions[ok], title=name) if legend and rows else ""
    group = folium.FeatureGroup(name=f"{name} ({len(rows)})", overlay=True, control=True, show=show)
    group.add_child(
        OrganisationMarkers(
            rows, kinds=[(t, c) for t, c, _ in palette], styles=style_keys, legend=html, name=name
        )
    )
    group.n_markers = len(rows)  # type: ignore[attr-defined]
    group.n_skipped = int((~ok).sum())  # type: ignore[attr-defined]
    return group


def markers_legend_html(kinds: pd.Series, precisions: pd.Series, *, title: str) -> str:
    """The legend of drawn markers as an escaped HTML fragment: each kind present (its colour, how
    many), then each marker style present (the precisions it stands for, how many)."""
    known = [k.key for k in catalogue.ORG_KINDS]
    counts = kinds.value_counts()
    order = [k for k in known if k in counts.index] + sorted(set(counts.index) - set(known))
    parts = [f'<div class="cm-legend-title">{esc(title)}</div>', '<div class="cm-legend-sub">Type</div>']
    for key in order:
        token, colour, label = _kind_entry(key)
        parts.append(
            f'<div><i class="cm-org-key cm-org-{token} cm-at-point" style="color:{esc(colour)}"></i>'
            f"{esc(label)} ({int(counts[key]):,})</div>"
        )
    parts.append('<div class="cm-legend-sub">Placed at</div>')
    by_style: dict[str, list[str]] = {}
    n_style: dict[str, int] = {}
    for value, n in precisions.value_counts().items():
        style = _style(value)
        words = _PRECISIONS[value].label if value in _PRECISIONS else UNKNOWN_PRECISION
        by_style.setdefault(style, []).append(words)
        n_style[style] = n_style.get(style, 0) + int(n)
    order_words = [p.label for p in catalogue.LOCATION_PRECISIONS] + [UNKNOWN_PRECISION]
    for style in MARKER_SIZES:
        if style not in by_style:
            continue
        words = ", ".join(sorted(by_style[style], key=order_words.index))
        parts.append(f'<div><i class="cm-org-key cm-at-{style}"></i>{esc(words)} ({n_style[style]:,})</div>')
    if "country" in by_style:
        parts.append(
            '<div><i class="cm-org-key cm-cluster-key"></i>dashed group: all at a country point</div>'
        )
    return "".join(parts)


def _column(frame: pd.DataFrame, col: str, default: str) -> pd.Series:
    """``frame[col]`` as text (missing values ``""``), or ``default`` in every row without the column."""
    if col not in frame.columns:
        return pd.Series(default, index=frame.index, dtype=object)
    return frame[col].map(lambda v: "" if is_missing(v) else str(v)).astype(object)


def _style(precision: object) -> catalogue.MarkerStyle:
    """The marker style of a precision value (a missing or unknown one: the least precise, a country)."""
    p = _PRECISIONS.get(precision)
    return p.marker if p is not None and p.marker is not None else "country"


def _kind_entry(key: str) -> tuple[str, str, str]:
    """(class token, colour, label) of a kind value; an unknown value is named by itself."""
    kind = _KINDS.get(key)
    if kind is not None:
        return kind.key, kind.colour, kind.label
    return "unknown", catalogue.ORG_KIND_UNKNOWN_COLOUR, key


def hotspot_layer(
    layer: gpd.GeoDataFrame,
    *,
    class_col: str = "hotspot",
    kind: Literal["gi", "lisa"] = "gi",
    code_col: str = "code",
    label_col: str = "name",
    name: str | None = None,
    show: bool = False,
    legend: bool = True,
) -> folium.FeatureGroup:
    """Regions in a significant hot/cold-spot class, outlined in the class colour (others omitted).

    ``class_col`` holds the values of :data:`cluster_map.maps.classes.GI_CLASSES` (``hot_99`` ...
    ``cold_99``, ``ns``) or LISA quadrants (``HH``, ``HL``, ``LH``, ``LL``, ``ns``).
    """
    classes = hotspot_classes(kind)
    if class_col not in layer.columns:
        raise InputError(f"The map layer has no column {class_col!r} for hot spots.")
    idx = classes.assign(layer[class_col])
    significant = (idx >= 0) & (layer[class_col].astype(str) != "ns").to_numpy()
    sub = layer[significant]
    title = name or classes.title
    return _outline_group(
        sub,
        key=f"hotspot_{kind}",
        name=title,
        classes=classes,
        value_col=class_col,
        code_col=code_col,
        label_col=label_col,
        show=show,
        legend=legend,
    )


def star_layer(
    layer: gpd.GeoDataFrame,
    *,
    stars_col: str = "stars",
    min_stars: int = 2,
    code_col: str = "code",
    label_col: str = "name",
    name: str | None = None,
    show: bool = True,
    legend: bool = False,
) -> folium.FeatureGroup:
    """Regions with ``stars >= min_stars`` (European Cluster Observatory stars), outlined."""
    if stars_col not in layer.columns:
        raise InputError(f"The map layer has no column {stars_col!r} for star clusters.")
    stars = pd.to_numeric(layer[stars_col], errors="coerce")
    sub = layer[(stars >= min_stars).fillna(False).to_numpy()].copy()
    sub["_stars"] = pd.to_numeric(sub[stars_col], errors="coerce").astype("Int64")
    levels = [s for s in (1, 2, 3) if s >= min_stars]
    classes = categorical(
        levels,
        ["★" * s + " cluster" for s in levels],
        [STAR_OUTLINES[s] for s in levels],
        kind="stars",
        title="Star clusters",
    )
    return _outline_group(
        sub,
        key="stars",
        name=name or f"Star clusters ({'★' * min_stars}+)",
        classes=classes,
        value_col="_stars",
        code_col=code_col,
        label_col=label_col,
        show=show,
        legend=legend,
    )


def layer_control(*, collapsed: bool = False) -> folium.LayerControl:
    """The layer switcher (add to the map, or pass as ``st_folium(layer_control=...)``)."""
    return folium.LayerControl(collapsed=collapsed, position="topright")


def _outline_group(
    sub: gpd.GeoDataFrame,
    *,
    key: str,
    name: str,
    classes: Any,
    value_col: str,
    code_col: str,
    label_col: str,
    show: bool,
    legend: bool,
) -> folium.FeatureGroup:
    group = folium.FeatureGroup(name=f"{name} ({len(sub)})", overlay=True, control=True, show=show)
    group.n_regions = len(sub)  # type: ignore[attr-defined]
    if len(sub) == 0:
        return group
    label = label_col if label_col in sub.columns else code_col
    geometry: EncodedGeometry = encode_geometry(sub, code_col=code_col)
    p = paint(
        sub,
        value_col=value_col,
        label_col=label,
        classes=classes,
        tooltip_fields=(),
        code_col=code_col,
        reason_col=None,
        key=key,
        legend=legend,
    )
    style = {"outline": True, "weight": 3, "fillOpacity": 0.0, "color": "#000000"}
    group.add_child(
        GeometryLayer(
            geometry,
            key=key,
            name=name,
            style=style,
            interactive=False,
            paint=p,
            control=False,
            pane="cmOutlines",
        )
    )
    return group
