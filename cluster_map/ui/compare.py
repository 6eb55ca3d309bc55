"""Compare widgets: pick up to ten regions (kept in the URL), then tables and charts side by side."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cluster_map.services import compare
from cluster_map.ui import charts, data, downloads
from cluster_map.ui.profile import region_choices
from cluster_map.ui.state import Filters
from cluster_map.ui.text import plain


def pick_regions(filters: Filters) -> tuple[str, ...]:
    """Multiselect of up to 10 regions (the URL's regions preselected)."""
    choices = region_choices(filters.dataset)
    labels = dict(zip(choices["code"], choices["label"], strict=True))
    current = [r for r in filters.regions if r in labels]
    picked = st.multiselect(
        "Regions to compare (up to 10)",
        list(labels),
        default=current,
        format_func=lambda c: labels.get(c, c),
        max_selections=compare.MAX_REGIONS,
        placeholder="Type NUTS codes or names",
        key="cmp-regions",
    )
    return tuple(picked)


def pick_metric() -> str:
    """Metric shown in the sector x region table and the bar chart."""
    metric = st.sidebar.selectbox(
        "Metric",
        list(compare.COMPARE_METRICS),
        format_func=lambda m: compare.COMPARE_METRICS.get(m, m),
        key="cmp-metric",
    )
    return str(metric)


@st.cache_data(show_spinner="Comparing...", max_entries=64)
def _compare(
    key: str,
    dataset: str,
    regions: tuple[str, ...],
    year: int | None,
    metric: str,
    sector_level: int | None = None,
) -> Any:
    return compare.compare_regions(
        data.connection(),
        dataset=dataset,
        regions=regions,
        year=year,
        metric=metric,
        sector_level=sector_level,
    )


def load(filters: Filters, metric: str, *, sector_level: int | None = None) -> compare.Comparison:
    """The comparison of the URL's regions (cached per store and view; ``sector_level`` as the profile's:
    divisions by default, :data:`cluster_map.catalogue.ECOSYSTEM_LEVEL` for the industrial ecosystems)."""
    return _compare(data.store_key(), filters.dataset, filters.regions, filters.year, metric, sector_level)


def _params(f: Filters, c: compare.Comparison) -> dict[str, Any]:
    return {"dataset": f.dataset, "regions": list(f.regions), "year": c.year, "metric": c.metric}


def figures_view(figures: pd.DataFrame, regions: tuple[str, ...]) -> tuple[pd.DataFrame, dict[str, Any]]:
    """The key-figure table as a narrow screen shows it: the figure's name pinned, the regions' values next
    to it (so they are in view at 800x600 without scrolling), then the unit and the year; values with
    thousands separators. The download keeps the service's columns."""
    codes = [r for r in regions if r in figures.columns]
    rest = [c for c in figures.columns if c not in ("label", *codes)]
    config: dict[str, Any] = {
        "label": st.column_config.TextColumn("Figure", pinned=True),
        "unit": st.column_config.TextColumn("Unit"),
        "year": st.column_config.TextColumn("Year"),
        **{code: st.column_config.NumberColumn(code, format="localized") for code in codes},
    }
    return figures[["label", *codes, *rest]], config


def show_figures(f: Filters, c: compare.Comparison) -> None:
    """Notes on missing data, then key figures, one column per region."""
    for note in c.notes:
        st.info(plain(note, 400), icon=":material/info:")
    if c.figures.empty:
        st.subheader("Key figures (latest year with data)")
        st.info("No key figures for these regions.")
        return
    years = sorted(set(c.figures["year"]))
    when = f": {years[0]}" if len(years) == 1 else "; the year column says which"
    st.subheader(plain(f"Key figures (latest year with data{when})"))
    shown, config = figures_view(c.figures, f.regions)
    st.dataframe(shown, hide_index=True, width="stretch", column_config=config)
    downloads.buttons(c.figures, stem="compare_key_figures", key="dl-cmp-fig", parameters=_params(f, c))


def show_sectors(f: Filters, c: compare.Comparison) -> None:
    """Bars of the metric for the top sectors, and the sector x region table."""
    label = compare.COMPARE_METRICS[c.metric]
    st.subheader(f"{plain(label)} by sector · {plain(c.year)}")
    if c.wide.empty:
        st.info("No sector data for these regions in this year.")
        return
    top = c.wide["sector"].head(10).tolist()
    st.plotly_chart(
        charts.compare_bars(c.long, metric=c.metric, sectors=top, metric_label=label),
        config=charts.CONFIG,
        width="stretch",
    )
    st.dataframe(c.wide, hide_index=True, width="stretch")
    downloads.buttons(
        c.wide, stem=f"compare_{c.metric}_{c.year}", key="dl-cmp-wide", parameters=_params(f, c)
    )
    with st.expander("All sectors, long format"):
        st.dataframe(c.long, hide_index=True, width="stretch")
        downloads.buttons(c.long, stem=f"compare_long_{c.year}", key="dl-cmp-long", parameters=_params(f, c))


def show_indices(f: Filters, c: compare.Comparison) -> None:
    """Specialisation and diversity indices, one row per region."""
    st.subheader("Specialisation and diversity")
    if c.indices.empty:
        st.info("The store has no specialisation indices for these regions.")
        return
    st.dataframe(c.indices, hide_index=True, width="stretch")
    downloads.buttons(
        pd.DataFrame(c.indices), stem=f"compare_indices_{c.year}", key="dl-cmp-ind", parameters=_params(f, c)
    )
