"""Sector explorer widgets: sector pick, ranking, LQ distribution, hot-spot map, growth, relatives.

Service results are cached with ``st.cache_data`` keyed by the store key and the view values. The
hot-spot map reuses the Map page's pattern: geometry sent once (``base_map``), classes painted by
``feature_group_to_add``; Leaflet is served locally (no CDN).
"""

from __future__ import annotations

from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from cluster_map.catalogue import metric
from cluster_map.config import get_settings
from cluster_map.maps.choropleth import base_map, paint
from cluster_map.maps.classes import hotspot_classes
from cluster_map.services import catalogue, sectors
from cluster_map.ui import charts, data, downloads
from cluster_map.ui.state import Filters
from cluster_map.ui.text import plain

#: Initial view of a map: mainland Europe and the conterminous US (overseas regions stay reachable by panning).
VIEW_BOUNDS: dict[str, list[list[float]]] = {
    "europe": [[34.0, -11.0], [71.0, 35.0]],
    "us": [[24.0, -125.0], [50.0, -66.0]],
}


def pick_sector(filters: Filters) -> Filters:
    """Sector select box (searchable: code and label), minimum employment and countries; returns the view."""
    opts = data.view_options(filters.dataset)
    labels = dict(opts.sectors)
    query = st.sidebar.text_input(
        "Find a sector",
        key="sec-find",
        help="Words of a code, a name or an industrial ecosystem (automotive, aerospace, tourism ...).",
    )
    found = sectors.search_sectors(opts.sectors, query)
    codes = found or [c for c, _ in opts.sectors]
    if query and not found:
        st.sidebar.caption(f"No sector matches {plain(query)}; showing all.")
    current = filters.sector if filters.sector in labels else opts.default_sector
    sector = st.sidebar.selectbox(
        "Sector",
        codes,
        index=codes.index(current) if current in codes else 0,
        format_func=lambda c: f"{c} · {labels.get(c, c)}",
        key="sec-sector",
    )
    min_emp = st.sidebar.number_input(
        "Minimum employment",
        min_value=0.0,
        value=float(filters.min_employment),
        step=500.0,
        key="sec-min",
        help="Cells with less employment are not ranked (guards against spurious LQs).",
    )
    countries = st.sidebar.multiselect(
        "Countries (none = all)",
        opts.countries,
        default=[c for c in filters.countries if c in opts.countries],
        key="sec-countries",
        help="Limits the ranking and the growth table; hot spots are always computed over every region.",
    )
    return filters.with_(
        sector=sector, min_employment=float(min_emp), countries=tuple(countries), page="sector"
    )


def _params(f: Filters, **extra: Any) -> dict[str, Any]:
    out: dict[str, Any] = {
        "dataset": f.dataset,
        "sector": f.sector,
        "year": f.year,
        "level": f.level,
        "min_employment": f.min_employment,
    }
    out.update(extra)
    return out


@st.cache_data(show_spinner=False, max_entries=32)
def _sources(key: str, dataset: str) -> list[dict[str, Any]]:
    return catalogue.sources_for(data.connection(), [dataset])


def sources(dataset: str) -> list[dict[str, Any]]:
    """Provenance rows of ``dataset`` for the download sidecars (cached)."""
    return _sources(data.store_key(), dataset)


@st.cache_data(show_spinner=False, max_entries=128)
def _ranking(key: str, f: Filters) -> pd.DataFrame:
    return sectors.ranking(
        data.connection(),
        dataset=f.dataset,
        sector=f.sector,
        year=int(f.year or 0),
        level=f.level,
        min_employment=f.min_employment,
        countries=f.countries,
    )


def ranking(f: Filters) -> pd.DataFrame:
    """Regions ranked for the sector (cached per view)."""
    return _ranking(data.store_key(), f)


#: How the ranked table shows its columns: the catalogue's labels, shares in % (the download keeps fractions).
RANKING_VIEW: dict[str, Any] = {
    "rank": st.column_config.NumberColumn("Rank", pinned=True),
    "lq": st.column_config.NumberColumn(metric("lq").label, format="%.2f", pinned=True),
    "region": st.column_config.TextColumn("Region"),
    "name": st.column_config.TextColumn("Name"),
    "country": st.column_config.TextColumn("Country"),
    "employment": st.column_config.NumberColumn(metric("employment").label, format="localized"),
    "share_region": st.column_config.NumberColumn(metric("share").label, format="percent"),
    "share_sector": st.column_config.NumberColumn("Share of the sector's employment", format="percent"),
    "stars": st.column_config.NumberColumn(metric("stars").label),
    "strong": st.column_config.CheckboxColumn(metric("strong").label),
}


def show_ranking(f: Filters, table: pd.DataFrame, label: str) -> None:
    """Ranked table with downloads."""
    st.subheader(f"Regions ranked by location quotient · {plain(label)} · {plain(f.year)}")
    st.caption(f"{len(table)} regions with employment >= {f.min_employment:,.0f}; rank 1 = most specialised.")
    st.dataframe(table, hide_index=True, width="stretch", height=360, column_config=RANKING_VIEW)
    downloads.buttons(
        table,
        stem=f"ranking_{f.dataset}_{f.sector}_{f.year}_L{f.level}",
        key="dl-rank",
        parameters=_params(f),
        sources=sources(f.dataset),
    )


def show_distribution(f: Filters, table: pd.DataFrame) -> None:
    """Regions per LQ class over the ranked regions (the Map page's fixed classes), as bars in a grid.

    The bars are a grid column, not a plotly chart: the page already loads the grid, while plotly's
    browser bundle (4.7 MB of JavaScript) is the largest single cost of a first visit.
    """
    st.subheader("Distribution of the location quotient")
    hist = sectors.lq_histogram(table)
    top = int(hist["regions"].max()) if len(hist) else 0
    st.dataframe(
        hist,
        hide_index=True,
        width="stretch",
        key="sec-hist",
        column_config={
            "lq_class": st.column_config.TextColumn("Location quotient"),
            "regions": st.column_config.ProgressColumn(
                "Regions", min_value=0, max_value=max(top, 1), format="%d"
            ),
        },
    )
    downloads.buttons(hist, stem=f"lq_distribution_{f.sector}_{f.year}", key="dl-hist", parameters=_params(f))


@st.cache_data(show_spinner="Computing hot spots (permutation test)...", max_entries=64)
def _hot_spots(key: str, f: Filters, statistic: str) -> gpd.GeoDataFrame:
    s = get_settings()
    return sectors.hot_spots(
        data.connection(),
        dataset=f.dataset,
        sector=f.sector,
        year=int(f.year or 0),
        level=f.level,
        statistic=statistic,  # type: ignore[arg-type]
        permutations=s.permutations,
        seed=s.seed,
        min_employment=f.min_employment,
    )


@st.fragment
def show_hot_spots(f: Filters) -> None:
    """Hot-spot map (Getis-Ord Gi* or LISA) of the sector's LQ, its table and GeoJSON download."""
    st.subheader("Hot spots of specialisation")
    statistic = st.radio(
        "Statistic",
        ["gi", "lisa"],
        horizontal=True,
        key="sec-hot",
        format_func={"gi": "Getis-Ord Gi*", "lisa": "Local Moran (LISA)"}.get,
    )
    layer = _hot_spots(data.store_key(), f, statistic)
    opts = data.view_options(f.dataset)
    version = opts.nuts_version_for(f.year)  # the geometry of the year's NUTS version
    geom = data.encoded_geometry(version, f.level)
    base = data.encoded_geometry(version, 0, precision=3) if opts.area != "us" else None
    m = base_map(
        geom,
        base=base,
        key="hotspots",
        tiles=get_settings().tile_url or None,
        fit=False,
        geometry_url=data.geometry_url(version, f.level),
        base_geometry_url=data.geometry_url(version, 0, precision=3) if base is not None else None,
    )
    m.fit_bounds(VIEW_BOUNDS[opts.area])
    classes = hotspot_classes(statistic)  # type: ignore[arg-type]
    p = paint(
        layer.drop(columns="geometry"),
        value_col="hotspot",
        label_col="name",
        classes=classes,
        tooltip_fields=[("lq", "LQ"), ("stat", "z (Gi*) / local I"), ("p_sim", "pseudo p")],
        key="hotspots",
        title=classes.title,
        subtitle=f"{f.sector} · {f.year}",
    )
    st_folium(
        m,
        key="sec_hot_map",
        height=480,
        use_container_width=True,
        returned_objects=[],
        feature_group_to_add=[p.feature_group()],
    )
    names = dict(zip(classes.categories, classes.labels, strict=True))
    counts = layer["hotspot"].map(names).fillna("no data").value_counts()
    shown = " · ".join(f"{k} {v}" for k, v in counts.items())
    st.caption(
        f"Regions: {plain(shown, 0)} — {get_settings().permutations:d} permutations, "
        f"seed {get_settings().seed:d}."
    )
    table = pd.DataFrame(layer.drop(columns="geometry"))
    downloads.buttons(
        table,
        stem=f"hotspots_{statistic}_{f.sector}_{f.year}",
        key="dl-hot",
        parameters=_params(f, statistic=statistic),
        sources=sources(f.dataset),
        geo=layer,
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _shift_share(key: str, f: Filters, start: int, end: int) -> pd.DataFrame:
    return sectors.shift_share(
        data.connection(),
        dataset=f.dataset,
        sector=f.sector,
        level=f.level,
        start_year=start,
        end_year=end,
        countries=f.countries,
    )


@st.fragment
def show_growth(f: Filters) -> None:
    """Growth and shift-share between two years picked by the user: the table first, the chart in a tab
    that is drawn only when opened (plotly's browser bundle is loaded then, not on every first visit)."""
    st.subheader("Growth and shift-share")
    years = sectors.years(data.connection(), dataset=f.dataset, sector=f.sector, level=f.level)
    if len(years) < 2:
        st.info(
            "Growth needs two years with data; this sector has "
            f"{plain(', '.join(map(str, years)) or 'none')} at this level."
        )
        return
    c1, c2 = st.columns(2)
    first = years.index(years[-1] - 5) if years[-1] - 5 in years[:-1] else 0  # five years back by default
    start = c1.selectbox("From", years[:-1], index=first, key="sec-from")
    end = c2.selectbox(
        "To", [y for y in years if y > start], index=len([y for y in years if y > start]) - 1, key="sec-to"
    )
    ss = _shift_share(data.store_key(), f, int(start), int(end))
    table, chart = st.tabs(["Table", "Chart"], key="sec-ss-view", on_change="rerun")
    if table.open:
        with table:
            st.dataframe(ss, hide_index=True, width="stretch", height=300)
    if chart.open:
        with chart:
            st.plotly_chart(charts.shift_share_bars(ss), config=charts.CONFIG, width="stretch")
    downloads.buttons(
        ss,
        stem=f"shift_share_{f.sector}_{start}_{end}",
        key="dl-ss",
        parameters=_params(f, start_year=start, end_year=end),
        sources=sources(f.dataset),
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _related(key: str, f: Filters) -> pd.DataFrame:
    return sectors.related_sectors(
        data.connection(), dataset=f.dataset, sector=f.sector, year=int(f.year or 0), level=f.level
    )


def show_related(f: Filters) -> None:
    """Sectors most co-located with this one (and US CMP related clusters)."""
    st.subheader("Related sectors")
    rel = _related(data.store_key(), f)
    st.caption(
        "Proximity = share of regions specialised (LQ >= 1) in both, over the more ubiquitous of the two "
        "(Hidalgo et al. 2007). US clusters add the published Delgado-Porter-Stern relatedness."
    )
    st.dataframe(rel, hide_index=True, width="stretch")
    downloads.buttons(rel, stem=f"related_{f.sector}_{f.year}", key="dl-rel", parameters=_params(f))


def show_indices(f: Filters) -> None:
    """Concentration indices of the sector (Gini, locational Gini, Hoover, Theil) per year."""
    rows = sectors.sector_indices(data.connection(), dataset=f.dataset, sector=f.sector, level=f.level)
    st.subheader("Geographic concentration")
    if rows.empty:
        st.info("No concentration indices are stored for this sector at this level.")
        return
    keep = [
        c
        for c in ("year", "gini", "locational_gini", "hoover", "theil", "n_regions", "employment")
        if c in rows.columns
    ]
    st.dataframe(rows[keep], hide_index=True, width="stretch")
    downloads.buttons(rows[keep], stem=f"concentration_{f.sector}", key="dl-conc", parameters=_params(f))
