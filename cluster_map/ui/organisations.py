"""Organisations widgets: directory search, partner finder, clustered marker map, partnerships, events.

The marker map uses the maps layer (:func:`cluster_map.maps.layers.organisations_layer`, clustered,
escaped popups) over the NUTS 0 country shapes, with Leaflet served locally. Search results are
cached per store and search terms (public data, nothing private).
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from cluster_map.config import get_settings
from cluster_map.maps.choropleth import base_map
from cluster_map.maps.layers import organisations_layer
from cluster_map.services import organisations
from cluster_map.ui import data, downloads
from cluster_map.ui.org_profile import profile_column, profile_link, with_profile_links
from cluster_map.ui.sector import VIEW_BOUNDS

SEARCH_KEYS = {
    "text": "org-text",
    "sector": "org-sector",
    "countries": "org-countries",
    "region": "org-region",
}


@st.cache_data(show_spinner=False, max_entries=8)
def _countries(key: str) -> list[str]:
    return organisations.countries(data.connection())


@st.cache_data(show_spinner=False, max_entries=8)
def _keywords(key: str) -> list[str]:
    return organisations.sector_keywords(data.connection())


def search_form(countries: tuple[str, ...] = (), region: str = "") -> dict[str, Any]:
    """Search inputs: free text, sector keyword, countries, NUTS region. Returns the criteria."""
    key = data.store_key()
    c1, c2, c3, c4 = st.columns([3, 2, 2, 1])
    text = c1.text_input("Search name, acronym, city", key=SEARCH_KEYS["text"], max_chars=200)
    sector = c2.selectbox(
        "Sector keyword",
        [""] + _keywords(key),
        key=SEARCH_KEYS["sector"],
        format_func=lambda k: k or "any sector",
    )
    known = _countries(key)
    chosen = c3.multiselect(
        "Countries", known, default=[c for c in countries if c in known], key=SEARCH_KEYS["countries"]
    )
    reg = c4.text_input(
        "NUTS region",
        value=region,
        key=SEARCH_KEYS["region"],
        max_chars=12,
        help="A NUTS code at any level (DE2, DE21) or a US state FIPS code.",
    )
    return {"text": text, "sector": sector, "countries": tuple(chosen), "region": reg.strip().upper()}


@st.cache_data(show_spinner=False, max_entries=256)
def _search(key: str, text: str, sector: str, countries: tuple[str, ...], region: str) -> pd.DataFrame:
    return organisations.search(
        data.connection(), text=text, sector=sector, countries=countries, region=region
    )


def search(criteria: dict[str, Any]) -> pd.DataFrame:
    """Organisations matching the criteria (cached)."""
    return _search(
        data.store_key(), criteria["text"], criteria["sector"], criteria["countries"], criteria["region"]
    )


def show_directory(found: pd.DataFrame, criteria: dict[str, Any]) -> None:
    """The matching organisations with downloads (CSV, XLSX, GeoJSON of the located ones)."""
    st.caption(f"{len(found)} organisations found; {int(found['lat'].notna().sum())} with a location.")
    shown = with_profile_links(found.drop(columns=["lat", "lon"]))
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=360,
        column_order=["profile", *(c for c in found.columns if c not in ("id", "lat", "lon", "directory"))],
        column_config={"website": st.column_config.TextColumn("website"), "profile": profile_column()},
    )
    downloads.buttons(
        found,
        stem="cluster_organisations",
        key="dl-orgs",
        parameters=criteria,
        geo=organisations.points(found),
    )


@st.fragment
def show_map(found: pd.DataFrame, nuts_version: str) -> None:
    """Clustered markers of the located organisations over the country shapes."""
    geom = data.encoded_geometry(nuts_version, 0, precision=3)
    m = base_map(
        geom,
        key="orgbase",
        name="Countries",
        tiles=get_settings().tile_url or None,
        fit=False,
        interactive=False,
        geometry_url=data.geometry_url(nuts_version, 0, precision=3),
    )
    m.fit_bounds(VIEW_BOUNDS["europe"])
    group = organisations_layer(found)
    st_folium(
        m,
        key="org_map",
        height=480,
        use_container_width=True,
        returned_objects=[],
        feature_group_to_add=[group],
    )
    skipped = int(found["lat"].isna().sum())
    if skipped:
        st.caption(f"{skipped:d} organisations have no coordinates and are not on the map.")


def show_partners(found: pd.DataFrame) -> None:
    """Partner finder: pick one organisation, see those abroad sharing its sector keywords."""
    st.subheader("Find partners across borders and sectors")
    if found.empty:
        st.info("Search for an organisation first.")
        return
    names = dict(
        zip(found["id"], found["name"].astype(str) + " (" + found["country"].astype(str) + ")", strict=True)
    )
    org = st.selectbox("Organisation", list(names), format_func=lambda i: names.get(i, i), key="org-partner")
    profile_link(org, names.get(org, org), key="org-open-profile")
    c1, c2 = st.columns(2)
    abroad = c1.toggle("Only other countries", value=True, key="org-abroad")
    related = c2.toggle(
        "Include related sectors",
        value=True,
        key="org-related",
        help="Keywords that organisations often name together (e.g. biotech and medtech) "
        "count half as much as shared ones.",
    )
    best = organisations.partners(data.connection(), org_id=org, other_countries=abroad, related=related)
    if best.empty:
        st.info("No organisation shares a sector keyword with this one.")
        return
    st.dataframe(
        with_profile_links(best),
        hide_index=True,
        width="stretch",
        column_order=[*(c for c in best.columns if c != "id"), "profile"],
        column_config={
            "score": st.column_config.ProgressColumn("match", min_value=0.0, max_value=1.0),
            "profile": profile_column(),
        },
    )
    downloads.buttons(
        best,
        stem=f"partners_{org}",
        key="dl-partners",
        parameters={"organisation": org, "other_countries": abroad, "related_sectors": related},
    )


def show_partnerships_and_events(criteria: dict[str, Any]) -> None:
    """Cluster partnerships and events, filtered by the free text and the first chosen country."""
    country = criteria["countries"][0] if criteria["countries"] else ""
    con = data.connection()
    left, right = st.columns(2)
    with left:
        st.subheader("Partnerships")
        parts = organisations.partnerships(con, text=criteria["text"], country=country)
        st.dataframe(parts, hide_index=True, width="stretch")
        downloads.buttons(parts, stem="partnerships", key="dl-parts", parameters=criteria)
    with right:
        st.subheader("Events")
        ev = organisations.events(con, text=criteria["text"], country=country)
        st.dataframe(ev, hide_index=True, width="stretch")
        downloads.buttons(ev, stem="events", key="dl-events", parameters=criteria)
