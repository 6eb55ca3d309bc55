"""Organisations widgets: the directory's results, clustered marker map, partner finder, partnerships, events.

The search itself (URL state, filters, sort, pages) is :mod:`cluster_map.ui.org_search`; this module
runs it through :func:`cluster_map.services.organisations.find` and shows the matches: one page in
the table (linked to the profiles, with the location precision), *every* match on the map and in the
downloads. The marker map uses the maps layer (:func:`cluster_map.maps.layers.organisations_layer`,
clustered, escaped popups) over the NUTS 0 country shapes, with Leaflet served locally. The partner
finder ranks candidates with the statistics-backed score of
:func:`cluster_map.services.partners.rank_partners` and shows each factor's contribution and why.
Search results are cached per store and query (public data, nothing private).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from cluster_map.config import get_settings
from cluster_map.errors import InputError
from cluster_map.maps.choropleth import base_map
from cluster_map.maps.layers import organisations_layer
from cluster_map.services import board, organisations, partners
from cluster_map.services.organisations import OrgQuery, SearchResult
from cluster_map.ui import data, downloads, org_search
from cluster_map.ui.board import board_path
from cluster_map.ui.org_profile import profile_column, profile_link, with_profile_links
from cluster_map.ui.org_search import OrgSearch
from cluster_map.ui.sector import VIEW_BOUNDS
from cluster_map.ui.state import Filters
from cluster_map.ui.text import plain

#: Columns of the results table, in order (``profile`` is the link to the organisation's page).
TABLE = (
    "profile",
    "name",
    "acronym",
    "country",
    "city",
    "nuts2",
    "precision_label",
    "type",
    "sectors",
    "members_total",
    "label_level",
    "label_year",
    "founded_year",
    "website",
)


@st.cache_data(show_spinner=False, max_entries=8)
def _choices(key: str) -> org_search.Choices:
    con = data.connection()
    names = organisations.partnerships(con)["name"].dropna().astype(str)
    return org_search.Choices(
        countries=tuple(organisations.countries(con)), partnerships=tuple(sorted(set(names)))
    )


def choices() -> org_search.Choices:
    """The values the filters allow in this store."""
    return _choices(data.store_key())


def initial_search() -> tuple[OrgSearch, list[str]]:
    """The search in the URL (or the view this session looked at last) and a warning per bad value."""
    return org_search.decode(data.url_params(), choices())


def search_form(initial: OrgSearch) -> OrgSearch:
    """The filter, sort and text widgets (set from the URL when it changed from outside)."""
    return org_search.form(initial, choices(), url=st.query_params.to_dict())


@st.cache_data(show_spinner=False, max_entries=256)
def _find(key: str, query: OrgQuery) -> SearchResult:
    return organisations.find(data.connection(), query)


def find(state: OrgSearch, *, every: bool = False) -> SearchResult:
    """The matches of ``state``: its page, or with ``every`` all of them (cached)."""
    return _find(data.store_key(), state.query(per_page=None if every else org_search.PER_PAGE))


def remember(filters: Filters, state: OrgSearch) -> None:
    """Write the view and the search to the URL (the map's countries only where its dataset has them)."""
    known = set(data.view_options(filters.dataset).countries)
    view = filters.with_(page="organisations", countries=tuple(c for c in state.countries if c in known))
    extra = org_search.encode(state)
    if view.regions and not state.region:
        extra["region"] = ""  # cleared on purpose: the map's regions must not name it in a shared link
    org_search.remember(data.set_filters(view, extra=extra))


@st.fragment
def show_map(found: pd.DataFrame, nuts_version: str) -> None:
    """Clustered markers of every located match over the country shapes, with how precisely each is placed."""
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
    counts = found["precision_label"].value_counts()
    placed = "; ".join(f"{label} {n:d}" for label, n in counts.items())
    st.caption(
        plain(
            f"The map shows the {len(found):,} matches of the search, every page, by location precision: "
            f"{placed}. A point placed at a region or a country is that area's label point, not the "
            "organisation's address; those not located are not on the map.",
            600,
        )
    )


def show_results(state: OrgSearch, every: SearchResult) -> OrgSearch:
    """One page of the matches (linked to their profiles), the pager and downloads of every match."""
    st.subheader("Organisations found")
    state = org_search.pager(state, total=every.total, pages=-(-every.total // org_search.PER_PAGE) or 1)
    if every.total == 0:
        return state
    rows = find(state).rows
    shown = with_profile_links(rows.assign(type=rows["org_kind"].map(organisations.kind_label)))
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        height=min(35 * (len(shown) + 1) + 3, 600),
        key="org-results",
        column_order=TABLE,
        column_config={
            "profile": profile_column(),
            "precision_label": st.column_config.TextColumn(
                "location", help="How precisely the organisation is placed (exact, city, region, country)."
            ),
            "members_total": st.column_config.NumberColumn("members", format="%d"),
            "label_level": st.column_config.TextColumn("ESCA label"),
            "label_year": st.column_config.NumberColumn("label year", format="%d"),
            "founded_year": st.column_config.NumberColumn("founded", format="%d"),
            "website": st.column_config.TextColumn("website"),
        },
    )
    everything = every.rows
    listed = everything[[*organisations.LIST_COLUMNS, "precision_label"]]
    downloads.buttons(
        listed,
        stem="cluster_organisations",
        key="dl-orgs",
        parameters={**org_search.encode(state.filters()), "matches": every.total},
        geo=organisations.points(everything[[*listed.columns, "lat", "lon"]]),
    )
    return state


@st.cache_data(show_spinner=False, max_entries=64)
def _ranked(
    key: str, org_id: str, prefer: str, countries: tuple[str, ...], top: int, posts: pd.DataFrame | None
) -> pd.DataFrame:
    con = data.connection()
    need = partners.need_of(con, org_id)
    if countries:
        need = replace(need, countries=countries)
    return partners.rank_partners(con, need, prefer=prefer, top=top, posts=posts)  # type: ignore[arg-type]


PREFER = {"abroad": "in other countries", "home": "in its own country", "any": "anywhere"}


def show_partners(found: pd.DataFrame) -> None:
    """Partner finder: pick a match, see the candidates ranked by the statistics-backed score."""
    st.subheader("Find partners across borders and sectors")
    if found.empty:
        st.info("Search for an organisation first.")
        return
    names = dict(
        zip(found["id"], found["name"].astype(str) + " (" + found["country"].astype(str) + ")", strict=True)
    )
    org = st.selectbox("Organisation", list(names), format_func=lambda i: names.get(i, i), key="org-partner")
    profile_link(org, names.get(org, org), key="org-open-profile")
    home = str(found.loc[found["id"] == org, "country"].iloc[0])
    c1, c2, c3, c4 = st.columns([2, 2, 3, 2])
    prefer = c1.radio("Prefer partners", list(PREFER), key="org-prefer", format_func=PREFER.get)
    abroad = c2.toggle("Only other countries", value=True, key="org-abroad")
    known = [c for c in choices().countries if not (abroad and c == home)]
    only = c3.multiselect("Only in these countries (none = all)", known, key="org-partner-countries")
    top = c4.slider("How many", min_value=5, max_value=50, value=20, step=5, key="org-partner-top")
    posts = c4.toggle(
        "Marketplace posts",
        value=True,
        key="org-partner-posts",
        help="A candidate with an open offer or demand in these sectors scores the marketplace factor.",
    )
    wanted = tuple(only) or (tuple(known) if abroad else ())
    try:
        best = _ranked(
            data.store_key(), org, prefer or "abroad", wanted, int(top), _open_posts() if posts else None
        )
    except InputError as exc:
        st.info(plain(exc, 300))
        return
    if best.empty:
        st.info("No organisation shares or relates to this one's sectors where you look.")
        return
    weights = partners.WEIGHTS
    factors = ", ".join(f"{f} {w:.2f}" for f, w in weights.items())
    st.caption(
        plain(
            f"Score: weighted factors, the sum of their contributions (factor x weight: {factors}); ties go to "
            "the stronger region, then more stated members, then the id. The methodology page defines it.",
            600,
        )
    )
    st.dataframe(
        with_profile_links(best),
        hide_index=True,
        width="stretch",
        key="org-partner-list",
        column_order=[
            "rank",
            "name",
            "profile",
            "country",
            "region",
            "score",
            *(f"c_{f}" for f in weights),
            "why",
        ],
        column_config={
            "score": st.column_config.ProgressColumn("score", min_value=0.0, max_value=1.0, format="%.3f"),
            **{
                f"c_{f}": st.column_config.NumberColumn(
                    f, format="%.3f", help=f"Contribution of the {f} factor (its value x {w:.2f})."
                )
                for f, w in weights.items()
            },
            "why": st.column_config.TextColumn("why", width="large"),
            "profile": profile_column(),
        },
    )
    downloads.buttons(
        best,
        stem=f"partners_{org}",
        key="dl-partners",
        parameters={"organisation": org, "prefer": prefer, "countries": list(wanted), "top": top},
    )


def _open_posts() -> pd.DataFrame:
    """The marketplace's open posts (read each run: they change while the page is open)."""
    return board.browse(board_path())[["org_id", "sectors"]]


def _partnership_filters(state: OrgSearch) -> tuple[str, str, dict[str, Any]]:
    country = state.countries[0] if state.countries else ""
    return state.text, country, {"text": state.text, "country": country}


def show_partnerships(state: OrgSearch) -> None:
    """Cluster partnerships, filtered by the free text and the first chosen country."""
    text, country, parameters = _partnership_filters(state)
    st.subheader("Partnerships")
    parts = organisations.partnerships(data.connection(), text=text, country=country)
    st.dataframe(parts, hide_index=True, width="stretch")
    downloads.buttons(parts, stem="partnerships", key="dl-parts", parameters=parameters)


def show_events(state: OrgSearch) -> None:
    """Cluster events, filtered by the free text and the first chosen country."""
    text, country, parameters = _partnership_filters(state)
    st.subheader("Events")
    ev = organisations.events(data.connection(), text=text, country=country)
    st.dataframe(ev, hide_index=True, width="stretch")
    downloads.buttons(ev, stem="events", key="dl-events", parameters=parameters)
