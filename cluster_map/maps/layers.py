"""Overlays on the choropleth: cluster organisations, hot spots, star clusters, and the layer control.

Each overlay is a ``folium.FeatureGroup`` (toggled by a ``LayerControl``; in Streamlit pass it in
``st_folium(feature_group_to_add=[paint_group, *overlays], layer_control=layer_control())``):

* :func:`organisations_layer`: one marker per organisation with coordinates, clustered
  (Leaflet.markercluster from the local copy), circle div icons, escaped popups;
* :func:`hotspot_layer`: regions in a significant Gi* / LISA class, outlined in the class colour;
* :func:`star_layer`: regions with at least ``min_stars`` cluster stars, outlined.

Overlays are not interactive (clicks fall through to the region underneath) except the markers.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import folium
import geopandas as gpd
import pandas as pd
from folium.map import Layer
from folium.template import Template

from cluster_map.errors import InputError
from cluster_map.maps.assets import RUNTIME_JS
from cluster_map.maps.choropleth import EncodedGeometry, GeometryLayer, encode_geometry, paint
from cluster_map.maps.classes import categorical, hotspot_classes
from cluster_map.maps.elements import RenderedOnce
from cluster_map.maps.escape import esc, is_missing, js_json, link

__all__ = [
    "OrganisationMarkers",
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
    ("sectors", "Sectors"),
    ("members", "Members"),
    ("founded_year", "Founded"),
    ("esca_label", "ESCA label"),
)


class OrganisationMarkers(Layer, RenderedOnce):
    """Clustered markers built in the browser from one compact array (not one folium object each)."""

    _template = Template("""
        {% macro script(this, kwargs) %}
        {{ this.runtime }}
        var {{ this.get_name() }} = (function (rows) {
          var group = L.markerClusterGroup({showCoverageOnHover: false, maxClusterRadius: 40, chunkedLoading: true});
          for (var i = 0; i < rows.length; i++) {
            var r = rows[i];
            var m = L.marker([r[0], r[1]], {icon: L.divIcon({className: "cm-org", iconSize: [14, 14]}),
                                            title: r[4], alt: r[4]});
            m.feature = {type: "Feature", properties: {o: r[2]}};
            m.bindPopup(r[3], {maxWidth: 320});
            group.addLayer(m);
          }
          return group;
        })({{ this.rows_json }});
        {% endmacro %}
    """)

    def __init__(
        self,
        rows: list[list[Any]],
        *,
        name: str = "Cluster organisations",
        show: bool = True,
        control: bool = False,
    ) -> None:
        super().__init__(name=name, overlay=True, control=control, show=show)
        self._name = "OrganisationMarkers"
        self.runtime = RUNTIME_JS
        self.rows = rows
        self.rows_json = js_json(rows)

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
    show: bool = True,
) -> folium.FeatureGroup:
    """Cluster organisations as clustered circle markers with escaped popups.

    Rows without valid coordinates are left out; ``group.n_markers`` and ``group.n_skipped`` say
    how many were drawn and left out (show the latter next to the map).
    """
    for col in (lat_col, lon_col, "name"):
        if col not in orgs.columns:
            raise InputError(
                f"The organisations table has no column {col!r}; columns are {list(orgs.columns)!r}."
            )
    lat = pd.to_numeric(orgs[lat_col], errors="coerce")
    lon = pd.to_numeric(orgs[lon_col], errors="coerce")
    ok = lat.between(-90, 90) & lon.between(-180, 180)
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
            ]
        )
    group = folium.FeatureGroup(name=f"{name} ({len(rows)})", overlay=True, control=True, show=show)
    group.add_child(OrganisationMarkers(rows, name=name))
    group.n_markers = len(rows)  # type: ignore[attr-defined]
    group.n_skipped = int((~ok).sum())  # type: ignore[attr-defined]
    return group


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
