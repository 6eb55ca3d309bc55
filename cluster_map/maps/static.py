"""Static choropleth maps for reports: GeoPandas + matplotlib to PNG bytes, no browser needed.

Uses the same :class:`~cluster_map.maps.classes.Classes` as the interactive map, so a report's map
and the app's map of the same view have the same classes and colours. Drawn with the object API
(``matplotlib.figure.Figure`` + Agg canvas): no pyplot, no global backend switch, safe in threads.
"""

from __future__ import annotations

import io
from collections.abc import Sequence

import geopandas as gpd
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from cluster_map.errors import InputError
from cluster_map.geo import EUROPE_CRS, US_CRS
from cluster_map.maps.classes import Classes, classes_for, fixed

__all__ = ["EUROPE_EXTENT", "US_EXTENT", "static_choropleth"]

#: Mainland-Europe window in EPSG:3035 metres (x0, y0, x1, y1): leaves out overseas regions
#: (Canarias, Açores, Madeira, French outermost regions) that would shrink the map to a dot.
EUROPE_EXTENT = (2_500_000.0, 1_350_000.0, 7_400_000.0, 5_500_000.0)
#: Conterminous-US window in EPSG:5070 metres: leaves out Alaska, Hawaii and Puerto Rico.
US_EXTENT = (-2_400_000.0, 200_000.0, 2_300_000.0, 3_200_000.0)
_HATCH = "////"
_BASE_FACE = "#e4e4e0"
_BASE_EDGE = "#9e9e9e"


def static_choropleth(
    gdf: gpd.GeoDataFrame,
    value_col: str,
    *,
    title: str,
    classes: Classes | None = None,
    source: str = "",
    subtitle: str = "",
    base: gpd.GeoDataFrame | None = None,
    crs: str = "auto",
    extent: Sequence[float] | str | None = "auto",
    figsize: tuple[float, float] = (7.0, 6.0),
    dpi: int = 150,
    legend_loc: str = "outside",
    edgecolor: str = "#ffffff",
    linewidth: float = 0.3,
    highlight: Sequence[str] = (),
    highlight_col: str = "code",
    highlight_label: str = "",
) -> bytes:
    """A choropleth of ``gdf[value_col]`` as PNG bytes, with title, legend and source line.

    Parameters
    ----------
    gdf
        Regions with geometry (any CRS) and the value column; rows whose value classifies to no
        data are drawn grey and hatched, and the legend says "no data".
    classes
        The classes (from :mod:`cluster_map.maps.classes`); default:
        ``classes_for(value_col, values)``, i.e. the fixed LQ classes for ``lq``, stars for
        ``stars``, yes/no for ``strong``, and 5 quantiles of the values for other columns, so a
        report's map has the app's classes and colours.
    source
        Source line printed under the map (e.g. ``"Source: Eurostat sbs_r_nuts06_r2 (2015); ©
        EuroGeographics for the administrative boundaries"``).
    base
        Country shapes drawn underneath (NUTS 0), cut to the same window.
    crs
        Projection of the drawing; ``"auto"``: EPSG:5070 (Conus Albers) when the regions lie in
        North America, else EPSG:3035 (LAEA Europe).
    extent
        ``"auto"``: the data's bounds, cut to :data:`EUROPE_EXTENT` (EPSG:3035) or
        :data:`US_EXTENT` (EPSG:5070) so that overseas regions, Alaska and Hawaii do not shrink it;
        ``None`` or ``"data"``: the data's bounds; or ``(x0, y0, x1, y1)`` in ``crs`` units.
    highlight, highlight_col, highlight_label
        Regions (values of ``gdf[highlight_col]``) outlined in black on top, e.g. the region of a
        region report or the members of a custom region; ``highlight_label`` names them in the legend.
    legend_loc
        ``"outside"`` (right of the map, never covers a region) or a matplotlib legend location.
    figsize, dpi
        The PNG is ``figsize * dpi`` pixels (7 x 6 in at 150 dpi = 1050 x 900).

    Returns
    -------
    bytes
        A PNG image.
    """
    if value_col not in gdf.columns:
        raise InputError(f"The map layer has no column {value_col!r}; columns are {list(gdf.columns)!r}.")
    if gdf.crs is None:
        raise InputError("The map layer has no CRS; set it (EPSG:4326 for lon/lat) before drawing.")
    if len(gdf) == 0:
        raise InputError(f"There are no regions to draw for the map {title!r}.")
    cls = classes if classes is not None else _default_classes(gdf, value_col)
    crs = _auto_crs(gdf) if crs == "auto" else crs
    frame = gdf.to_crs(crs)
    idx = cls.assign(frame[value_col])
    colours = np.array([cls.colour(int(i)) for i in idx], dtype=object)

    fig = Figure(figsize=figsize, dpi=dpi, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot()
    ax.set_axis_off()
    ax.set_aspect("equal")
    x0, y0, x1, y1 = _window(frame, crs, extent)
    if base is not None and len(base):
        base.to_crs(crs).plot(ax=ax, facecolor=_BASE_FACE, edgecolor=_BASE_EDGE, linewidth=0.4, zorder=1)
    has = idx >= 0
    if has.any():
        frame[has].plot(ax=ax, color=list(colours[has]), edgecolor=edgecolor, linewidth=linewidth, zorder=2)
    if (~has).any():
        frame[~has].plot(
            ax=ax,
            facecolor=cls.nodata_colour,
            edgecolor="#a0a0a0",
            hatch=_HATCH,
            linewidth=linewidth,
            zorder=2,
        )
    marked = frame[frame[highlight_col].isin(list(highlight))] if len(highlight) else frame.iloc[0:0]
    if len(marked):
        marked.plot(ax=ax, facecolor="none", edgecolor="#111111", linewidth=1.6, zorder=3)
    pad_x, pad_y = (x1 - x0) * 0.03, (y1 - y0) * 0.03
    ax.set_xlim(x0 - pad_x, x1 + pad_x)
    ax.set_ylim(y0 - pad_y, y1 + pad_y)

    ax.set_title(title, loc="left", fontsize=12, fontweight="bold")
    if subtitle:
        fig.suptitle(subtitle, x=0.01, ha="left", fontsize=9, color="#444444")
    handles = (
        [
            Patch(facecolor=c, edgecolor="#999999", label=lbl)
            for c, lbl in zip(cls.colours, cls.labels, strict=True)
        ]
        if has.any()
        else []
    )
    if (~has).any():
        handles.append(
            Patch(facecolor=cls.nodata_colour, edgecolor="#999999", hatch=_HATCH, label=cls.nodata_label)
        )
    if len(marked):
        handles.append(
            Patch(
                facecolor="none",
                edgecolor="#111111",
                linewidth=1.6,
                label=highlight_label or ", ".join(map(str, highlight)),
            )
        )
    where = (
        {"loc": "upper left", "bbox_to_anchor": (1.01, 1.0)}
        if legend_loc == "outside"
        else {"loc": legend_loc}
    )
    ax.legend(
        handles=handles,
        title=cls.title or None,
        fontsize=7,
        title_fontsize=8,
        frameon=True,
        framealpha=0.9,
        **where,
    )
    if source:
        ax.annotate(
            source,
            xy=(0, 0),
            xycoords="axes fraction",
            xytext=(0, -4),
            textcoords="offset points",
            ha="left",
            va="top",
            fontsize=6.5,
            color="#555555",
            wrap=True,
        )
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor="white")
    return buf.getvalue()


def _default_classes(gdf: gpd.GeoDataFrame, value_col: str) -> Classes:
    try:
        return classes_for(value_col, gdf[value_col], title=value_col)
    except InputError:  # no value at all: every region is drawn as no data
        return fixed((), colours=("#ffffff",), labels=("(no values)",), title=value_col)


def _auto_crs(gdf: gpd.GeoDataFrame) -> str:
    x0, y0, x1, y1 = (float(v) for v in gdf.to_crs("EPSG:4326").total_bounds)
    return US_CRS if (x0 + x1) / 2 < -50 and (y0 + y1) / 2 > 10 else EUROPE_CRS


def _window(
    frame: gpd.GeoDataFrame, crs: str, extent: Sequence[float] | str | None
) -> tuple[float, float, float, float]:
    if extent is not None and not isinstance(extent, str):
        x0, y0, x1, y1 = (float(v) for v in extent)
        return x0, y0, x1, y1
    x0, y0, x1, y1 = (float(v) for v in frame.total_bounds)
    window = {EUROPE_CRS: EUROPE_EXTENT, US_CRS: US_EXTENT}.get(crs)
    if extent == "auto" and window is not None:
        ex0, ey0, ex1, ey1 = window
        inside = frame[frame.representative_point().within(_box(window))]
        if len(inside):
            x0, y0, x1, y1 = (float(v) for v in inside.total_bounds)
            x0, y0, x1, y1 = max(x0, ex0), max(y0, ey0), min(x1, ex1), min(y1, ey1)
    if x1 <= x0 or y1 <= y0:
        raise InputError("The regions to draw have an empty extent; check their geometry.")
    return x0, y0, x1, y1


def _box(bounds: tuple[float, float, float, float]):  # type: ignore[no-untyped-def]
    import shapely

    return shapely.box(*bounds)
