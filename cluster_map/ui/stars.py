"""Europe's star clusters widgets: the view's controls, the counts beside ECO's, one map and one list.

Service results come from :mod:`cluster_map.services.star_clusters` through ``st.cache_data`` keyed by
the store key and the view values. The map reuses the Map page's pattern (geometry sent once, classes
painted by ``feature_group_to_add``; Leaflet served locally).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from cluster_map import catalogue
from cluster_map.config import get_settings
from cluster_map.maps.choropleth import base_map, paint
from cluster_map.maps.classes import STAR_COLOURS, fixed, star_classes
from cluster_map.services import methodology, star_clusters
from cluster_map.services.mapview import dataset_label
from cluster_map.ui import data, downloads, tiles
from cluster_map.ui.state import Filters
from cluster_map.ui.text import plain

VIEW_BOUNDS = [[34.0, -11.0], [71.0, 35.0]]
SCHEME_LABELS = {"divisions": "NACE divisions", "ecosystems": "Industrial ecosystems"}


def controls(filters: Filters) -> tuple[Filters, str]:
    """Sidebar: European dataset, sectors (divisions or ecosystems), region level and year."""
    sets = [
        d
        for d in data.datasets()
        if (ds := catalogue.find_dataset(d)) is not None
        and ds.area == "europe"
        and ds.report_level is not None
        and ds.report_level[1] >= 2
    ]
    if not sets:
        st.info("The store has no European dataset with NACE divisions; build it with `cluster-map ingest`.")
        st.stop()
    dataset = st.sidebar.selectbox(
        "Dataset",
        sets,
        index=sets.index(filters.dataset) if filters.dataset in sets else 0,
        format_func=dataset_label,
        key="stars-dataset",
    )
    opts = data.view_options(dataset)
    ds = catalogue.dataset(dataset)
    schemes = ["divisions", "ecosystems"] if ds.ecosystems else ["divisions"]
    scheme = st.sidebar.radio("Sectors", schemes, format_func=SCHEME_LABELS.get, key="stars-scheme")
    levels = list(opts.levels)
    level = st.sidebar.selectbox(
        "Region level",
        levels,
        index=levels.index(opts.default_level),
        format_func=lambda v: f"NUTS {v}",
        key="stars-level",
    )
    years = list(opts.years)
    default = opts.latest_year if opts.latest_year in years else years[-1]
    year = st.sidebar.selectbox(
        "Year",
        years,
        index=years.index(filters.year) if filters.year in years else years.index(default),
        key="stars-year",
    )
    return filters.with_(page="stars", dataset=dataset, level=int(level), year=int(year)), str(scheme)


@st.cache_data(show_spinner="Collecting the starred cells...", max_entries=32)
def _load(key: str, dataset: str, level: int, year: int, scheme: str) -> star_clusters.StarClusters:
    return star_clusters.star_clusters(
        data.connection(),
        dataset=dataset,
        level=level,
        year=year,
        scheme=scheme,  # type: ignore[arg-type]
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _layer(key: str, dataset: str, level: int, year: int, scheme: str) -> gpd.GeoDataFrame:
    return star_clusters.region_layer(data.connection(), _load(key, dataset, level, year, scheme))


def load(f: Filters, scheme: str) -> star_clusters.StarClusters:
    """The starred cells of the view (cached)."""
    return _load(data.store_key(), f.dataset, f.level, int(f.year or 0), scheme)


def counts(result: star_clusters.StarClusters) -> None:
    """How many cells have 1, 2, 3 stars, beside the European Cluster Observatory's published counts."""
    c = result.counts.set_index("stars")["cells"].iloc[:4]
    figures = tiles.row()  # wraps on narrow screens: no figure is cut
    for label, value in c.items():
        tiles.tile(figures, label, f"{int(value):,}")
    shown = result.counts.assign(
        eco_published=result.counts["eco_published"].map(lambda v: "—" if pd.isna(v) else f"about {int(v):,}")
    )
    st.dataframe(
        shown.rename(columns={"cells": "cells here", "eco_published": "ECO published"}),
        hide_index=True,
        width="content",
    )
    st.caption(
        f"{result.n_starred:,} of {result.evaluated:,} region x sector cells have a star "
        f"({plain(SCHEME_LABELS[result.scheme])}, NUTS {plain(result.level)}, {plain(result.year)}). Convention: "
        f"{plain(result.convention, 0)}; cells under {get_settings().min_employment:,.0f} persons "
        f"employed earn none. ECO's figures: {plain(star_clusters.ECO_PUBLISHED['source'], 0)}."
    )
    note = data.benchmark_note(
        result.dataset, result.level, result.year
    )  # a partial year says which countries
    if note:
        st.warning(plain(note, 0))
    stars_entry = next((e for e in methodology.entries() if e.key == "stars"), None)
    if stars_entry is not None:  # drawn when opened: the code block loads a 1.5 MB highlighter bundle
        how = st.expander("How the stars are given", key="stars-how", on_change="rerun")
        if how.open:
            with how:
                st.code(stars_entry.formula, language=None, wrap_lines=True)
                st.markdown(plain(stars_entry.text, 0))


def show_map(f: Filters, scheme: str) -> None:
    """Regions coloured by their most stars; the tooltip lists their starred clusters."""
    layer = _layer(data.store_key(), f.dataset, f.level, int(f.year or 0), scheme)
    version = data.view_options(f.dataset).nuts_version_for(f.year)
    geom = data.encoded_geometry(version, f.level)
    base = data.encoded_geometry(version, 0, precision=3)
    m = base_map(
        geom,
        base=base,
        key="stars",
        tiles=get_settings().tile_url or None,
        fit=False,
        geometry_url=data.geometry_url(version, f.level),
        base_geometry_url=data.geometry_url(version, 0, precision=3),
    )
    m.fit_bounds(VIEW_BOUNDS)
    by = st.radio(
        "Colour regions by",
        ["n_three", "stars"],
        horizontal=True,
        key="stars-colour",
        format_func={"n_three": "three-star cells", "stars": "most stars of a cell"}.get,
    )
    if by == "stars":
        classes = star_classes(title="Most stars of the region")
    else:
        classes = fixed(
            (1, 2, 4),
            colours=STAR_COLOURS,
            labels=("none", "1", "2 – 3", "≥ 4"),
            title="Three-star cells of the region",
        )
    p = paint(
        layer.drop(columns="geometry"),
        value_col=str(by),
        label_col="name",
        classes=classes,
        tooltip_fields=[
            ("stars", "most stars"),
            ("n_starred", "cells with a star"),
            ("n_three", "three-star cells"),
            ("clusters", "top clusters"),
        ],
        key="stars",
        title=classes.title,
        subtitle=f"{SCHEME_LABELS[scheme]} · {f.year}",
    )
    st_folium(
        m,
        key="stars_map",
        height=520,
        use_container_width=True,
        returned_objects=[],
        feature_group_to_add=[p.feature_group()],
    )


def show_list(f: Filters, result: star_clusters.StarClusters) -> None:
    """The starred cells as one sortable table (rank first), with downloads.

    The grid fetches the rows it shows as it scrolls (``lazy``; sorting happens on the server): a NUTS 2
    year has some 3,500 starred cells, 0.7 MB that a first visit would otherwise receive before the page
    is at rest. Every row is in the downloads.
    """
    table = result.cells
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=480,
        lazy=True,
        column_config={
            "rank": st.column_config.NumberColumn("rank", format="%d"),
            "stars": st.column_config.NumberColumn("stars", format="%d ★"),
            "lq": st.column_config.NumberColumn("LQ", format="%.2f"),
            "share_region": st.column_config.NumberColumn("share of region", format="%.3f"),
            "employment": st.column_config.NumberColumn("employment", format="%d"),
            "wage_ratio": st.column_config.NumberColumn("wage ratio", format="%.2f"),
            "gva_ratio": st.column_config.NumberColumn("value added ratio", format="%.2f"),
            "productivity_basis": st.column_config.TextColumn("productivity read from"),
        },
    )
    params: dict[str, Any] = {
        "dataset": f.dataset,
        "level": f.level,
        "year": f.year,
        "sectors": result.scheme,
    }
    downloads.buttons(
        pd.DataFrame(table),
        stem=f"star_clusters_{f.dataset}_L{f.level}_{f.year}_{result.scheme}",
        key="dl-stars",
        parameters=params,
    )
