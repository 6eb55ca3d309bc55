"""Plotly figures of the pages: specialisation bubbles, time series, comparisons, shift-share.

Pure builders: frames in, ``plotly.graph_objects.Figure`` out (no Streamlit), so tests can inspect
them. Plotly escapes hover text itself; labels from data are passed as data, never as HTML templates.
Every chart has plotly's own "download as PNG" button (offline, drawn in the browser).
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd
import plotly.express as px
import plotly.graph_objects as go

#: Plotly config for st.plotly_chart: PNG export in the modebar, no plotly.com links.
CONFIG = {"displaylogo": False, "toImageButtonOptions": {"format": "png", "scale": 2}}


def specialisation_bubbles(spec: pd.DataFrame, *, title: str = "") -> go.Figure:
    """LQ (x, log) x employment (y, log), bubble size = employment, one bubble per sector; colour = the
    cluster stars, or the strong-cluster flag where the frame has no stars (US states)."""
    frame = spec[(spec["lq"] > 0) & (spec["employment"] > 0)].copy()
    if "stars" in frame or "strong" not in frame:
        colour, legend, order = "stars", "Stars", ["0", "1", "2", "3"]
        frame["stars"] = frame["stars"].fillna(0).astype(int).astype(str) if "stars" in frame else "0"
    else:
        colour, legend, order = "strong", "Strong cluster", ["no", "yes"]
        strong = frame["strong"].astype("boolean").fillna(False).astype(bool)
        frame["strong"] = strong.map({True: "yes", False: "no"})
    fig = px.scatter(
        frame,
        x="lq",
        y="employment",
        size="employment",
        color=colour,
        hover_name="sector_label",
        hover_data={"sector": True, "lq": ":.2f", "employment": ":,.0f", colour: True},
        log_x=True,
        log_y=True,
        size_max=40,
        title=title,
        labels={"lq": "Location quotient (log)", "employment": "Employment (log)", colour: legend},
        category_orders={colour: order},
    )
    fig.add_vline(x=1.0, line_dash="dot", line_color="grey")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, height=420)
    return fig


def time_series(series: pd.DataFrame, *, title: str = "", breaks: Sequence[int] = ()) -> go.Figure:
    """One line per key figure (facets, own y axes): label, year, value; a dashed line marks each break
    in series (``breaks``: the first year after the break)."""
    frame = series.dropna(subset=["value"])
    fig = px.line(
        frame,
        x="year",
        y="value",
        facet_row="label",
        markers=True,
        title=title,
        labels={"value": "", "year": "Year"},
    )
    fig.update_yaxes(matches=None)
    fig.for_each_annotation(lambda a: a.update(text=a.text.split("=", 1)[-1]))
    fig.update_layout(
        height=max(220, 180 * max(frame["label"].nunique(), 1)),
        showlegend=False,
        margin={"l": 10, "r": 10, "t": 40, "b": 10},
    )
    for year in breaks:
        fig.add_vline(
            x=year - 0.5,
            line_dash="dash",
            line_color="#b45309",
            annotation_text="break in series",
            annotation_position="top left",
        )
    return fig


def compare_bars(
    long: pd.DataFrame, *, metric: str, sectors: Sequence[str], title: str = "", metric_label: str = ""
) -> go.Figure:
    """Grouped bars of ``metric`` for ``sectors`` (x) and each region (colour)."""
    frame = long[long["sector"].isin(sectors)].copy()
    frame["region_label"] = frame["region"] + " " + frame["name"].astype(str).str.slice(0, 30)
    fig = px.bar(
        frame,
        x="sector",
        y=metric,
        color="region_label",
        barmode="group",
        title=title,
        hover_data={"sector_label": True},
        labels={"region_label": "Region", "sector": "Sector", metric: metric_label or metric},
        category_orders={"sector": list(sectors)},
    )
    if metric == "lq":
        fig.add_hline(y=1.0, line_dash="dot", line_color="grey")
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, height=420)
    return fig


def shift_share_bars(ss: pd.DataFrame, *, top: int = 20, title: str = "") -> go.Figure:
    """Stacked bars of the three shift-share components for the regions with the largest changes."""
    head = ss.reindex(ss["change"].abs().sort_values(ascending=False).index).head(top)
    long = head.melt(
        id_vars=["region"],
        value_vars=["national_growth", "industry_mix", "regional_shift"],
        var_name="component",
        value_name="jobs",
    )
    fig = px.bar(
        long,
        x="region",
        y="jobs",
        color="component",
        title=title,
        barmode="relative",
        labels={"jobs": "Change in employment"},
    )
    fig.update_layout(margin={"l": 10, "r": 10, "t": 40, "b": 10}, height=380)
    return fig


def sector_over_time(
    frame: pd.DataFrame, *, breaks: Sequence[tuple[int, str]] = (), title: str = ""
) -> go.Figure:
    """Employment (top) and location quotient (bottom) of one region x sector by year (CMP style).

    ``frame``: year, employment, lq, estimated, converted (from
    :func:`cluster_map.services.timeseries.sector_series`). Values converted from an older NUTS version or
    estimated are drawn as open diamonds and named in the hover text; each break is a dotted vertical
    line with its note.
    """
    from plotly.subplots import make_subplots

    fig = make_subplots(
        rows=2,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.08,
        subplot_titles=("Employment", "Location quotient"),
    )
    data = frame.dropna(subset=["employment"])
    marked = data["estimated"].astype(bool) | data["converted"].astype(bool)
    for row, col, fmt in ((1, "employment", ",.0f"), (2, "lq", ".2f")):
        fig.add_trace(
            go.Scatter(
                x=data["year"],
                y=data[col],
                mode="lines",
                line={"color": "#1f5f8b"},
                showlegend=False,
                hoverinfo="skip",
            ),
            row=row,
            col=1,
        )
        for is_marked, name, symbol in (
            (False, "reported", "circle"),
            (True, "estimated or converted from an older NUTS version", "diamond-open"),
        ):
            part = data[marked == is_marked]
            if part.empty:
                continue
            fig.add_trace(
                go.Scatter(
                    x=part["year"],
                    y=part[col],
                    mode="markers",
                    name=name,
                    legendgroup=name,
                    showlegend=row == 1,
                    marker={
                        "symbol": symbol,
                        "size": 9,
                        "color": "#1f5f8b",
                        "line": {"width": 2, "color": "#1f5f8b"},
                    },
                    customdata=part["caveats"].fillna("").to_numpy(),
                    hovertemplate=f"%{{x}}: %{{y:{fmt}}}<br>%{{customdata}}<extra></extra>",
                ),
                row=row,
                col=1,
            )
    fig.add_hline(y=1.0, line_dash="dot", line_color="grey", row=2, col=1)
    for year, note in breaks:
        fig.add_vline(x=year - 0.5, line_dash="dash", line_color="#b03a2e")
        fig.add_annotation(
            x=year - 0.5,
            y=1.0,
            yref="paper",
            text=f"break {year}",
            hovertext=note,
            showarrow=False,
            font={"color": "#b03a2e", "size": 11},
            xanchor="left",
            yanchor="bottom",
        )
    fig.update_xaxes(dtick=1, title_text="Year", row=2, col=1)
    fig.update_layout(
        title=title,
        height=460,
        margin={"l": 10, "r": 10, "t": 60, "b": 10},
        legend={"orientation": "h", "y": -0.15},
    )
    return fig
