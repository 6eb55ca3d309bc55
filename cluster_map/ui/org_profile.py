"""One organisation's profile page: its fields, sectors, partnerships, its region's statistics, partners.

The organisation is named in the URL (``?org=<id>``), so a profile can be shared as a link; the
Organisations page links here from its search results and partner results (:func:`profile_url`).
Every value from the directory reaches Markdown through :func:`cluster_map.ui.text.plain`; tables
show their cells as text.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pandas as pd
import streamlit as st

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.services import org_profile, organisations, partners
from cluster_map.ui import data, downloads
from cluster_map.ui.text import plain

PAGE = "pages/11_Organisation_profile.py"
PARAM = "org"
#: The page's URL path (Streamlit names it after the file, without the number).
URL_PATH = "Organisation_profile"


def profile_url(org_id: object) -> str:
    """The relative link to ``org_id``'s profile (for a ``LinkColumn``; pages sit side by side)."""
    return f"{URL_PATH}?{PARAM}={quote(str(org_id), safe='')}"


def with_profile_links(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` with a ``profile`` column of links built from its ``id`` column."""
    return frame.assign(profile=[profile_url(i) for i in frame["id"]])


def profile_column() -> Any:
    """The column config that shows ``profile`` links as the word 'profile'."""
    return st.column_config.LinkColumn(
        "profile", display_text="open profile", help="The organisation's profile page (a shareable link)."
    )


def profile_link(org_id: str, name: object, *, key: str) -> None:
    """A button that opens ``org_id``'s profile (labelled with its escaped name; the URL then names it)."""
    if st.button(f"Open the profile of {plain(name, 80)}", icon=":material/badge:", key=key):
        st.switch_page(PAGE, query_params={PARAM: org_id})


@st.cache_data(show_spinner=False, max_entries=8)
def _choices(key: str) -> dict[str, str]:
    found = organisations.search(data.connection())
    return dict(
        zip(found["id"], found["name"].astype(str) + " (" + found["country"].astype(str) + ")", strict=True)
    )


def chosen_org() -> str:
    """The organisation id from the URL, or one picked from the list (written back to the URL)."""
    wanted = st.query_params.get(PARAM, "")
    names = _choices(data.store_key())
    if wanted and wanted not in names:
        st.warning(f"No organisation with id {plain(wanted, 60)} is in the directory; pick one below.")
        wanted = ""
    ids = list(names)
    picked = st.selectbox(
        "Organisation",
        ids,
        index=ids.index(wanted) if wanted else None,
        format_func=lambda i: names.get(i, i),
        key="profile-org",
        placeholder="Type a name to pick an organisation",
    )
    if picked and picked != st.query_params.get(PARAM):
        st.query_params[PARAM] = picked
    return picked or ""


def show(org_id: str) -> org_profile.OrgProfile | None:
    """The profile of ``org_id``: heading, fields, sectors, partnerships, region statistics."""
    con = data.connection()
    try:
        p = org_profile.profile(con, org_id)
    except InputError as exc:
        st.error(plain(exc, 300))
        return None
    f = p.fields
    st.header(plain(f["name"]) + (f" ({plain(f['acronym'])})" if f["acronym"] else ""))
    where = (
        organisations.kind_label(f["org_kind"]) if f["org_kind"] else "",
        catalogue.country_name(f["country"]),
        f["city"] or "",
    )
    st.caption(plain(" · ".join(str(v) for v in where if v), 300))
    left, right = st.columns([3, 2])
    with left:
        st.subheader("Profile")
        lines = pd.DataFrame(organisations.profile_lines(p), columns=["field", "value"])
        st.dataframe(
            lines,
            hide_index=True,
            width="stretch",
            key="profile-fields",
            height=min(35 * (len(lines) + 1) + 3, 640),
            column_config={"value": st.column_config.TextColumn("value", width="large")},
        )
    with right:
        st.subheader("Sectors")
        if p.sectors:
            st.dataframe(
                pd.DataFrame(p.sectors).rename(columns={"key": "term", "nace": "NACE"}),
                hide_index=True,
                width="stretch",
                key="profile-sectors",
            )
        else:
            st.info("None of its stated sectors is in the vocabulary, so it has no NACE codes.")
        st.markdown(f"**Industrial ecosystems:** {plain(', '.join(p.ecosystems) or 'none', 400)}")
        st.subheader("Partnerships and projects")
        if p.partnerships.empty:
            st.info("Not named as a member of any partnership in the directory.")
        else:
            st.dataframe(p.partnerships, hide_index=True, width="stretch", key="profile-partnerships")
    show_statistics(p)
    return p


def show_statistics(p: org_profile.OrgProfile) -> None:
    """Its region's LQ, stars, strong flag and trend in each of its sectors, with a bar chart of the LQ."""
    st.subheader(f"Statistics of its region {plain(p.stats_region or 'unknown')} for its sectors")
    if p.statistics.empty:
        st.info(
            "The statistics have no cells for this organisation's region and sectors (its region is unknown, "
            "or its sectors have no NACE division or US cluster)."
        )
        return
    st.caption(
        f"Latest year with data per sector, from {plain(p.stats_source, 200)}. LQ above 1: the region is "
        f"more specialised in the sector than the benchmark; trend: compound annual employment growth."
    )
    stats = p.statistics.assign(
        label=lambda d: d["sector"] + " " + d["sector_label"].fillna("").str.slice(0, 40)
    )
    chart = stats.dropna(subset=["lq"])
    if not chart.empty:
        st.bar_chart(
            chart.set_index("label")["lq"],
            horizontal=True,
            x_label="",
            y_label="location quotient (LQ)",
            height=max(120, 40 * len(chart)),
        )
    st.dataframe(
        p.statistics,
        hide_index=True,
        width="stretch",
        key="profile-stats",
        column_config={
            "lq": st.column_config.NumberColumn("LQ", format="%.2f"),
            "employment": st.column_config.NumberColumn("employment", format="%.0f"),
            "trend_pct": st.column_config.NumberColumn("trend %/year", format="%.1f"),
        },
    )


@st.cache_data(show_spinner=False, max_entries=64)
def _partners(key: str, org_id: str, prefer: str) -> pd.DataFrame:
    con = data.connection()
    return partners.rank_partners(con, partners.need_of(con, org_id), prefer=prefer, top=15)  # type: ignore[arg-type]


def show_partners(org_id: str) -> None:
    """Partner suggestions ranked by the statistics-backed score, each with why, linked to their profiles."""
    st.subheader("Partner suggestions")
    prefer = st.radio(
        "Prefer partners",
        ["abroad", "home", "any"],
        horizontal=True,
        key="profile-prefer",
        format_func={"abroad": "in other countries", "home": "in its own country", "any": "anywhere"}.get,
    )
    try:
        best = _partners(data.store_key(), org_id, prefer or "abroad")
    except InputError as exc:
        st.info(plain(exc, 300))
        return
    if best.empty:
        st.info("No organisation shares or relates to this one's sectors.")
        return
    st.caption(
        "Score: weighted factors (shared and related sectors, the strength of the partner's region in them, "
        "complementary specialisation, geography, open marketplace posts); the methodology page defines it."
    )
    shown = with_profile_links(best)
    cols = ["rank", "name", "profile", "country", "region", "score", "why"]
    st.dataframe(
        shown,
        hide_index=True,
        width="stretch",
        key="profile-partner-list",
        column_order=cols,
        column_config={
            "score": st.column_config.ProgressColumn("score", min_value=0.0, max_value=1.0, format="%.3f"),
            "why": st.column_config.TextColumn("why", width="large"),
            "profile": profile_column(),
        },
    )
    downloads.buttons(
        best,
        stem="partners",
        key="dl-profile-partners",
        parameters={"organisation": org_id, "prefer": prefer},
    )
