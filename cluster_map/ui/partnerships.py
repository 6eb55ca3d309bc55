"""Partnerships and projects widgets: search, members linked to profiles, gateways to markets outside Europe."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from cluster_map.services import partnerships
from cluster_map.ui import data
from cluster_map.ui.errors import boundary
from cluster_map.ui.text import plain


def _flat(found: pd.DataFrame) -> pd.DataFrame:
    return found.assign(
        members=[
            "; ".join(
                m["name"]
                + (f" → {m['profile']}" if m["profile"] and m["profile"] != m["name"] else "")
                + (" (coordinator)" if m["role"] == "coordinator" else "")
                for m in ms
            )
            for ms in found["members"]
        ],
        linked=[len(i) for i in found["member_ids"]],
        ecosystems=["; ".join(e) for e in found["ecosystems"]],
        countries=["; ".join(c) for c in found["countries"]],
        target_markets=["; ".join(c) for c in found["target_markets"]],
    )[
        [
            "name",
            "programme",
            "kind",
            "theme",
            "ecosystems",
            "period",
            "members",
            "linked",
            "countries",
            "target_markets",
            "origin",
            "source_url",
        ]
    ]


def search_panel(db: Path) -> None:
    """Filters and the table of partnerships and projects."""
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    text = c1.text_input("Search name, theme, ecosystem, member", max_chars=200, key="pp-text")
    programme = c2.selectbox(
        "Programme",
        ["", *(p for p, _, _ in partnerships.PROGRAMMES)],
        key="pp-prog",
        format_func=lambda p: p or "any",
    )
    country = c3.text_input("Member country", max_chars=2, key="pp-country")
    market = c4.text_input("Target market", max_chars=2, key="pp-market")
    with boundary(stop=False):
        found = partnerships.search(
            data.connection(), db, text=text, programme=programme, country=country, market=market
        )
        st.caption(
            f"{plain(len(found))} partnerships and projects; members link to directory profiles where the "
            f"names match exactly."
        )
        st.dataframe(_flat(found), hide_index=True, width="stretch", key="pp-list")


def gateways_panel(db: Path) -> None:
    """Who in Europe works towards a market outside Europe, in a theme."""
    st.subheader("Gateways: who in Europe works with a market outside Europe?")
    c1, c2 = st.columns(2)
    market = c1.text_input("Market (country code, e.g. JP)", max_chars=2, key="gw-market")
    text = c2.text_input("In (theme, ecosystem, e.g. health)", max_chars=200, key="gw-text")
    with boundary(stop=False):
        found = partnerships.gateways(data.connection(), db, market=market, text=text)
        if found.empty:
            st.info(
                "No partnership or project names that target market yet. The directory's partnerships state no "
                "target markets; admins can import partnerships and projects that do."
            )
            return
        st.dataframe(found.drop(columns=["member_ids"]), hide_index=True, width="stretch", key="gw-list")
