"""Partnerships on the organisations map: a line between each pair of member organisations.

:func:`partnership_links_layer` takes the pairs of
:func:`cluster_map.services.partnerships.links` and draws one thin line per pair in a
``folium.FeatureGroup`` to add beside the organisation markers (``st_folium(...,
feature_group_to_add=[..., group])``). A line whose end is placed only at a region's or a country's
label point is dashed, so a link is never drawn as if both seats were known to the city. Tooltips
are escaped (:func:`cluster_map.maps.escape.esc`): names come from directories and imports.
"""

from __future__ import annotations

import folium
import pandas as pd

from cluster_map.errors import InputError
from cluster_map.maps.escape import esc

#: One colour per programme (others grey); the lines stay thin to keep markers readable.
PROGRAMME_COLOURS: dict[str, str] = {
    "ESCP-4i": "#1b9e77",
    "ESCP-4x": "#d95f02",
    "ESCP-S3": "#7570b3",
    "Euroclusters": "#e7298a",
    "Interreg": "#66a61e",
    "Horizon": "#e6ab02",
}
PRECISE = ("coordinates", "city")
COLUMNS = (
    "partnership",
    "programme",
    "name_a",
    "name_b",
    "lat_a",
    "lon_a",
    "lat_b",
    "lon_b",
    "precision_a",
    "precision_b",
)


def partnership_links_layer(
    pairs: pd.DataFrame, *, name: str = "Partnership links", show: bool = True
) -> folium.FeatureGroup:
    """One line per pair of member organisations; ``group.n_links`` says how many were drawn."""
    if missing := [c for c in COLUMNS if c not in pairs.columns]:
        raise InputError(
            f"The partnership links lack column(s) {missing!r}; build them with services.partnerships.links."
        )
    group = folium.FeatureGroup(name=f"{name} ({len(pairs)})", overlay=True, control=True, show=show)
    for r in pairs.to_dict("records"):
        precise = r["precision_a"] in PRECISE and r["precision_b"] in PRECISE
        tip = f"{esc(r['partnership'])} ({esc(r['programme'])}): {esc(r['name_a'])} – {esc(r['name_b'])}" + (
            "" if precise else " · dashed: a seat is known only to its region or country"
        )
        folium.PolyLine(
            [(float(r["lat_a"]), float(r["lon_a"])), (float(r["lat_b"]), float(r["lon_b"]))],
            color=PROGRAMME_COLOURS.get(str(r["programme"]), "#666666"),
            weight=2,
            opacity=0.8,
            dash_array=None if precise else "6 6",
            tooltip=folium.Tooltip(tip, sticky=True),
        ).add_to(group)
    group.n_links = len(pairs)  # type: ignore[attr-defined]
    return group
