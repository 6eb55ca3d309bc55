"""Custom regions in the app: group regions (a multiselect and a name), see the group's profile, share it by
URL (``?custom=NAME=CODE,CODE``), save it to the signed-in account's own list, open its report.

The group's figures come from :func:`cluster_map.services.custom_regions.group_profile` (public store data
only, so cached per store version); a user's saved list is read from the board file and never cached.
"""

from __future__ import annotations

from urllib.parse import urlencode

import pandas as pd
import streamlit as st

from cluster_map import catalogue
from cluster_map.errors import InputError
from cluster_map.services import custom_regions
from cluster_map.services.custom_regions import CustomRegion, GroupProfile
from cluster_map.ui import charts, data, downloads, tiles
from cluster_map.ui.board import current_account
from cluster_map.ui.profile import region_choices
from cluster_map.ui.state import Filters
from cluster_map.ui.text import plain

COLUMNS = (
    "sector",
    "sector_label",
    "lq",
    "employment",
    "share_region",
    "stars",
    "strong",
    "members",
    "reason",
)


@st.cache_data(show_spinner="Summing the members' counts ...", max_entries=32)
def _group(key: str, dataset: str, encoded: str, year: int | None) -> GroupProfile:
    return custom_regions.group_profile(
        data.connection(), custom_regions.parse(encoded), dataset=dataset, year=year
    )


def builder(filters: Filters) -> Filters:
    """An expander to group regions: name + members; the chosen group goes to the URL (``custom``)."""
    current = custom_regions.parse(filters.custom) if filters.custom else None
    with st.expander("Custom region: group regions into one", expanded=current is not None):
        choices = region_choices(filters.dataset)
        level = choices[choices["level"] == (1 if filters.dataset.startswith("us_") else 2)]
        labels = dict(zip(level["code"], level["label"], strict=True))
        saved = _saved()
        if saved:
            pick = st.selectbox(
                "Your saved custom regions",
                [None, *[g.encode() for g in saved]],
                key="cr-saved",
                format_func=lambda v: "choose one" if v is None else custom_regions.parse(v).label,
            )
            if pick and pick != filters.custom:
                return filters.with_(custom=pick)
        name = st.text_input(
            "Name",
            value=current.name if current else "",
            max_chars=custom_regions.MAX_NAME,
            placeholder="e.g. Øresund",
            key="cr-name",
        )
        members = st.multiselect(
            "Member regions",
            list(labels),
            default=[m for m in (current.members if current else ()) if m in labels],
            format_func=lambda c: labels.get(c, c),
            placeholder="Type codes or names",
            key="cr-members",
        )
        left, right = st.columns(2)
        if left.button("Show the custom region", type="primary", key="cr-show", disabled=not members):
            try:
                return filters.with_(custom=custom_regions.make(name, list(members)).encode())
            except InputError as exc:
                st.error(plain(str(exc), 300))
        if current is not None and right.button("Back to single regions", key="cr-clear"):
            return filters.with_(custom="")
    return filters


def _saved() -> list[CustomRegion]:
    account = current_account()
    if account is None:
        return []
    return custom_regions.saved(custom_regions.user_file(), account_id=account.id)


def show(filters: Filters) -> None:
    """The group's key figures, specialisations, clusters, a link to share, save and report."""
    group = custom_regions.parse(filters.custom)
    g = _group(data.store_key(), filters.dataset, filters.custom, filters.year)
    st.header(f"{plain(group.name)} · custom region")
    st.caption(
        f"{plain(' + '.join(m.code + ' ' + m.name for m in g.members), 400)} · {plain(g.dataset)} · "
        f"year {g.year:d} · figures recomputed from the members' counts (sums, not averages) against the "
        "same benchmark and thresholds as every region"
    )
    figures = tiles.row()  # wraps on narrow screens: no figure is cut
    cells = g.cells
    tiles.tile(figures, f"Employment · {g.year:d}", f"{g.employment:,.0f}")
    found = catalogue.find_dataset(g.dataset)
    if "stars" in cells and catalogue.offers(
        found.area if found else "europe", "stars"
    ):  # none for US states
        tiles.tile(figures, "Star clusters (2-3 stars)", int((cells["stars"].fillna(0) >= 2).sum()))
    tiles.tile(figures, "Strong clusters", int(cells["strong"].fillna(False).astype(bool).sum()))
    top = g.specialisations
    tiles.tile(
        figures,
        "Top specialisation (LQ)",
        f"{top['sector'].iloc[0]} · {top['lq'].iloc[0]:.2f}" if len(top) else "n/a",
    )
    spec = top[top["employment"].fillna(0) >= filters.min_employment]
    if len(spec):
        st.plotly_chart(
            charts.specialisation_bubbles(spec), config=charts.CONFIG, width="stretch", key="cr-bubbles"
        )
    table = spec[[c for c in COLUMNS if c in spec.columns]].assign(
        share_region=lambda f: f["share_region"] * 100
    )
    st.dataframe(table.rename(columns={"share_region": "share_region (%)"}), hide_index=True, width="stretch")
    downloads.buttons(
        table,
        stem=f"custom_region_{g.year}",
        key="cr-dl",
        parameters={"dataset": g.dataset, "year": g.year, "custom": filters.custom},
    )
    _share_and_save(group, filters)
    years = _years(g)
    if len(years) > 1:
        st.subheader("Over the years")
        st.line_chart(years.set_index("year"))


def _years(g: GroupProfile) -> pd.DataFrame:
    rows = []
    for yr in g.years:
        try:
            other = g if yr == g.year else _group(data.store_key(), g.dataset, g.custom.encode(), yr)
        except InputError:
            continue
        rows.append({"year": str(yr), "employment": other.employment})
    return pd.DataFrame(rows)


def _share_and_save(group: CustomRegion, filters: Filters) -> None:
    query = urlencode({"custom": group.encode(), "dataset": filters.dataset})
    left, right = st.columns(2)
    left.link_button("Report of this custom region", f"Reports?{query}", icon=":material/description:")
    left.caption("Share this view: copy the page address (it holds the custom region).")
    account = current_account()
    if account is None:
        right.caption("Sign in on the Offers and demands page to save custom regions to your own list.")
    elif right.button("Save to my custom regions", key="cr-save"):
        custom_regions.save(custom_regions.user_file(), account_id=account.id, custom=group)
        right.success(f"Saved {plain(group.name)}")
