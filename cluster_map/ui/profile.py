"""Region profile widgets: the view controls shared by the analysis pages, and the profile's sections.

Data comes from :mod:`cluster_map.services.profiles` through ``st.cache_data`` keyed by the store key
and hashable view values (nothing user-private is cached). Strings from data are shown with
Streamlit's text elements and dataframes, which escape them; no raw HTML is ever allowed.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cluster_map import catalogue
from cluster_map.services import grow_next as grow_next_service
from cluster_map.services import profiles
from cluster_map.services.mapview import dataset_label
from cluster_map.ui import charts, data, downloads, tiles
from cluster_map.ui.state import Filters
from cluster_map.ui.text import plain


def show_warnings(warnings: list[str]) -> None:
    """One warning box per URL value that could not be used."""
    for w in warnings:
        st.warning(plain(w, 400), icon=":material/link_off:")


def view_controls(filters: Filters, *, year: bool = True, level: bool = False) -> Filters:
    """Sidebar: dataset, year (and region level); changes go to the URL. Returns the chosen view."""
    sets = data.datasets()
    dataset = st.sidebar.selectbox(
        "Dataset",
        sets,
        index=sets.index(filters.dataset) if filters.dataset in sets else 0,
        format_func=dataset_label,
        key="ctl-dataset",
    )
    opts = data.view_options(dataset)
    out = filters.with_(dataset=dataset, sector_scheme=opts.sector_scheme)
    if dataset != filters.dataset:  # carry the view over; say what could not be kept
        out, notes = data.switch_to(filters, dataset)
        if notes:  # one box, one line per change
            st.info(plain("\n".join(notes), 0, lines=True), icon=":material/swap_horiz:")
    if level and len(opts.levels) > 1:
        lv = st.sidebar.selectbox(
            "Region level",
            opts.levels,
            index=opts.levels.index(out.level) if out.level in opts.levels else len(opts.levels) - 1,
            format_func=lambda v: catalogue.level_label(opts.area, v),
            key="ctl-level",
        )
        out = out.with_(level=int(lv))
    if year and opts.years:
        years = list(opts.years)
        y = st.sidebar.selectbox(
            "Year",
            years,
            index=years.index(out.year) if out.year in years else len(years) - 1,
            key="ctl-year",
        )
        out = out.with_(year=int(y))
    return out


@st.cache_data(show_spinner=False, max_entries=16)
def _choices(key: str, dataset: str) -> pd.DataFrame:
    return profiles.region_choices(data.connection(), dataset=dataset)


def region_choices(dataset: str) -> pd.DataFrame:
    """Regions with data in ``dataset`` (code, name, level, country, nuts_version, label), cached."""
    return _choices(data.store_key(), dataset)


def pick_region(filters: Filters) -> str | None:
    """Region pick list (first region of the URL preselected); ``None`` until one is chosen."""
    choices = region_choices(filters.dataset)
    codes = choices["code"].tolist()
    labels = dict(zip(choices["code"], choices["label"], strict=True))
    current = filters.regions[0] if filters.regions and filters.regions[0] in labels else None
    if current and (
        st.session_state.get("profile-url-region") != current or "profile-region" not in st.session_state
    ):
        st.session_state["profile-region"] = current  # the URL changed (neighbour button, link): follow it
    st.session_state["profile-url-region"] = current
    if current is None:
        st.info("Choose a region to see its profile (type a code or a name).", icon=":material/search:")
    # the state set above picks the region; index only says "nothing chosen yet" (no URL region)
    code = st.selectbox(
        "Region",
        codes,
        index=0 if current else None,
        format_func=lambda c: labels.get(c, c),
        placeholder="Type a region code or a name",
        key="profile-region",
    )
    return code


@st.cache_data(show_spinner="Building the profile...", max_entries=64)
def _profile(
    key: str,
    dataset: str,
    region: str,
    year: int | None,
    min_employment: float,
    sector_level: int | None = None,
) -> Any:
    return profiles.region_profile(
        data.connection(),
        dataset=dataset,
        region=region,
        year=year,
        min_employment=min_employment,
        sector_level=sector_level,
    )


def load(filters: Filters, region: str, *, sector_level: int | None = None) -> profiles.RegionProfile:
    """The profile of ``region`` for the view (cached per store, dataset, region, year, minimum size, sector
    level: divisions by default, :data:`cluster_map.catalogue.ECOSYSTEM_LEVEL` for the ecosystems)."""
    return _profile(
        data.store_key(), filters.dataset, region, filters.year, float(filters.min_employment), sector_level
    )


SCHEMES = {"divisions": "NACE sectors", "ecosystems": "Industrial ecosystems"}


def sector_choice(filters: Filters) -> str:
    """Sidebar: NACE sectors or the industrial ecosystems (when the dataset has NACE divisions)."""
    ds = catalogue.find_dataset(filters.dataset)
    if ds is None or not ds.ecosystems:
        return "divisions"
    return str(
        st.sidebar.radio(
            "Sectors",
            list(SCHEMES),
            format_func=SCHEMES.get,
            key="profile-scheme",
            help="Industrial ecosystems of the EU Industrial Strategy, as sums of NACE "
            "divisions (see Data and methodology).",
        )
    )


def sector_level(scheme: str) -> int | None:
    """The profile's sector level for a sector choice (None: the profile's default, divisions)."""
    return catalogue.ECOSYSTEM_LEVEL if scheme == "ecosystems" else None


@st.cache_data(show_spinner="Finding related sectors to grow...", max_entries=64)
def _grow(key: str, dataset: str, region: str, year: int, scheme: str, sector_level: int | None) -> Any:
    return grow_next_service.grow_next(
        data.connection(),
        dataset=dataset,
        region=region,
        year=year,
        scheme=scheme,  # type: ignore[arg-type]
        sector_level=sector_level,
    )


def grow_next(p: profiles.RegionProfile, scheme: str) -> None:
    """What could this region grow next: related sectors not yet specialised, who is strong in them abroad,
    their cluster organisations; ECI/PCI only where the log-supermodularity check allows."""
    st.subheader("What could this region grow next")
    if p.year is None or p.region.nuts_version == "us":
        st.info("Shown for European regions with a year of data.")
        return
    g = _grow(data.store_key(), p.dataset, p.region.code, int(p.year), scheme, p.sector_level)
    if g.candidates.empty:
        st.info("The region is specialised (LQ >= 1) in every sector with data.")
        return
    st.caption(
        "Sectors the region is not yet specialised in (LQ < 1), closest first by relatedness density: "
        "the share of the sectors co-located with them across Europe's regions (co-location proximity, "
        "Hidalgo et al. 2007) that the region already specialises in. Beside each, the regions of other "
        "countries strongest in it and cluster organisations there."
    )
    cols = [c for c in g.candidates.columns if c != "pci" or g.complexity_shown]
    st.dataframe(
        g.candidates[cols],
        hide_index=True,
        width="stretch",
        column_config={
            "density": st.column_config.NumberColumn("relatedness density", format="%.2f"),
            "lq": st.column_config.NumberColumn("LQ here", format="%.2f"),
        },
    )
    if g.complexity_shown and g.eci is not None:
        st.caption(f"ECI of the region: {g.eci:.2f} (rank {plain(g.eci_rank)} of {plain(g.n_regions)}).")
    st.caption(plain(g.check.sentence(), 0))
    for note in g.notes:
        st.caption(plain(note, 0))
    downloads.buttons(
        g.candidates,
        stem=f"grow_next_{p.region.code}_{p.year}_{scheme}",
        key="dl-grow",
        parameters={**_params(p), "sectors": scheme},
    )


#: Multiplier words a catalogue unit may carry ("USD thousand", "EUR million"): a tile shows the value in
#: the base unit ("878.95 bn" USD, not "878.95 M" of "USD thousand", which reads as a thousand times less).
SCALE_WORDS = {"thousand": 1e3, "million": 1e6}


def scaled(value: float, unit: str) -> tuple[float, str]:
    """``value`` in ``unit`` re-expressed in the unit without its multiplier word.

    >>> scaled(878_950_000.0, "USD thousand")
    (878950000000.0, 'USD')
    >>> scaled(12.5, "EUR million")
    (12500000.0, 'EUR')
    >>> scaled(190_263.0, "persons employed")
    (190263.0, 'persons employed')
    """
    words = unit.split()
    for word, factor in SCALE_WORDS.items():
        if word in words and len(words) > 1:
            return value * factor, " ".join(w for w in words if w != word)
    return value, unit


def figure_label(label: str, unit: str) -> str:
    """A key figure's label with the unit its tile shows (:func:`scaled`): the unit appended, or, where
    the label already names it, the multiplier word dropped there too.

    >>> figure_label("GDP, EUR million", "EUR million")
    'GDP, EUR'
    >>> figure_label("Annual payroll", "USD thousand")
    'Annual payroll, USD'
    >>> figure_label("Persons employed", "persons employed")
    'Persons employed'
    """
    shown = scaled(0.0, unit)[1]
    if not unit:
        return label
    at = label.lower().find(unit.lower())
    if at >= 0:
        return label if shown == unit else label[:at] + shown + label[at + len(unit) :]
    return f"{label}, {shown}"


def _compact(value: float) -> str:
    """``1.81 M``, ``190,263``, ``51,200``: short enough for a metric tile."""
    if abs(value) >= 1e9:
        return f"{value / 1e9:,.2f} bn"
    if abs(value) >= 1e6:
        return f"{value / 1e6:,.2f} M"
    return f"{value:,.0f}"


def _params(p: profiles.RegionProfile) -> dict[str, Any]:
    return {
        "dataset": p.dataset,
        "region": p.region.code,
        "year": p.year,
        "nuts_version": p.region.nuts_version,
        "sector_level": p.sector_level,
    }


def header(p: profiles.RegionProfile) -> None:
    """Title, place in the NUTS hierarchy, notes."""
    st.header(f"{plain(p.region.code)} · {plain(p.region.name)}")
    st.caption(
        plain(f"{dataset_label(p.dataset)} · {p.where} · country {p.region.country} · year {p.year}", 0)
    )
    for note in p.notes:
        st.info(plain(note, 400))


def key_figures(p: profiles.RegionProfile) -> None:
    """Metric tiles of the latest value of each key figure, and the table with flags."""
    st.subheader("Key figures")
    if p.key_figures.empty:
        st.info("No key figures for this region in the store.")
        return
    figures = tiles.row()  # wraps on narrow screens: no figure is cut
    for row in p.key_figures.itertuples():
        tiles.tile(
            figures,
            f"{figure_label(row.label, row.unit or '')} · {row.year}",
            _compact(scaled(float(row.value), row.unit or "")[0]),
            help=row.note or None,
        )
    downloads.buttons(p.series, stem=f"key_figures_{p.region.code}", key="dl-figures", parameters=_params(p))


def specialisations(p: profiles.RegionProfile) -> None:
    """LQ x employment bubbles and the ranked table of sectors."""
    st.subheader("Top specialisations")
    if p.specialisations.empty:
        st.info("No sector has a location quotient here for this year (too small or confidential).")
        return
    st.plotly_chart(charts.specialisation_bubbles(p.specialisations), config=charts.CONFIG, width="stretch")
    cols = [
        c
        for c in (
            "sector",
            "sector_label",
            "employment",
            "lq",
            "share_region",
            "share_sector",
            "stars",
            "strong",
            *profiles.productivity_columns(p.specialisations),
            "caveat",
        )
        if c in p.specialisations.columns
    ]
    st.dataframe(p.specialisations[cols], hide_index=True, width="stretch")
    downloads.buttons(
        p.specialisations[cols],
        stem=f"specialisations_{p.region.code}_{p.year}",
        key="dl-spec",
        parameters=_params(p),
    )
    if not p.confidential.empty:
        st.markdown(
            f"**Confidential in the source** ({len(p.confidential)} sectors): no LQ, but the NACE "
            "hierarchy bounds it (the section minus its published divisions)."
        )
        st.dataframe(
            p.confidential,
            hide_index=True,
            width="stretch",
            column_config={
                "lq_low": st.column_config.NumberColumn("lowest possible LQ", format="%.2f"),
                "lq_high": st.column_config.NumberColumn("highest possible LQ", format="%.2f"),
            },
        )
        downloads.buttons(
            p.confidential,
            stem=f"confidential_{p.region.code}_{p.year}",
            key="dl-conf",
            parameters=_params(p),
        )


def clusters(p: profiles.RegionProfile) -> None:
    """Star clusters (European Cluster Observatory) and strong clusters (US CMP); US states: strong only."""
    st.subheader("Star and strong clusters" if p.has_stars else "Strong clusters")
    if not p.has_stars:
        st.caption(plain(f"Strong cluster (US Cluster Mapping): {catalogue.metric('strong').rule}.", 0))
    if p.clusters.empty:
        st.info(
            "No sector reaches a star or the strong-cluster threshold here."
            if p.has_stars
            else "No cluster reaches the strong-cluster threshold here."
        )
        return
    cols = [
        c
        for c in (
            "sector",
            "sector_label",
            "stars",
            "size_star",
            "specialisation_star",
            "focus_star",
            "strong",
            "lq",
            "employment",
            *profiles.productivity_columns(p.clusters),
            "caveat",
        )
        if c in p.clusters.columns
    ]
    st.dataframe(p.clusters[cols], hide_index=True, width="stretch")
    downloads.buttons(
        p.clusters[cols], stem=f"clusters_{p.region.code}_{p.year}", key="dl-clusters", parameters=_params(p)
    )


def series(p: profiles.RegionProfile) -> None:
    """Time series of the key figures."""
    st.subheader("Over time")
    if p.series.dropna(subset=["value"]).empty:
        st.info("No time series for this region.")
        return
    found = catalogue.series(p.dataset)
    breaks = found.join_years() if found else ()
    st.plotly_chart(charts.time_series(p.series, breaks=breaks), config=charts.CONFIG, width="stretch")
    if found:
        st.caption(f"Dashed line: {plain(found.break_note)}.")


def indices(p: profiles.RegionProfile) -> None:
    """Krugman, HHI, entropy and variety per year."""
    st.subheader("Specialisation and diversity")
    if p.indices.empty:
        st.info("The store has no specialisation indices for this region.")
        return
    keep = [
        c
        for c in (
            "year",
            "krugman",
            "krugman_half",
            "hhi",
            "entropy",
            "related_variety",
            "unrelated_variety",
            "cluster_strength",
            "n_sectors",
            "published_share",
        )
        if c in p.indices.columns
    ]
    st.dataframe(p.indices[keep], hide_index=True, width="stretch")
    st.caption(
        "Krugman in [0, 2] (krugman_half in [0, 1]); HHI in [1/n, 1]; computed over the published "
        "sectors only (published_share: their share of the region's total; confidential ones are never "
        "counted as 0); see Data and methodology."
    )
    downloads.buttons(
        p.indices[keep], stem=f"indices_{p.region.code}", key="dl-indices", parameters=_params(p)
    )


def organisations(p: profiles.RegionProfile) -> None:
    """Cluster organisations located in the region."""
    st.subheader("Cluster organisations here")
    if p.organisations.empty:
        st.info("No cluster organisation of the directory is located in this region.")
        return
    cols = [
        c
        for c in ("name", "acronym", "city", "located", "sectors", "org_type", "website")
        if c in p.organisations
    ]
    st.dataframe(p.organisations[cols], hide_index=True, width="stretch")
    downloads.buttons(
        p.organisations[cols], stem=f"organisations_{p.region.code}", key="dl-orgs", parameters=_params(p)
    )


def neighbours(p: profiles.RegionProfile, filters: Filters) -> None:
    """Regions sharing a border (or a corner) with this one; a button opens each profile."""
    st.subheader("Neighbours")
    if p.neighbours.empty:
        st.info("No neighbouring region of the same level (an island, or no geometry).")
        return
    cols = st.columns(min(len(p.neighbours), 4))
    for i, row in enumerate(p.neighbours.itertuples()):
        if cols[i % len(cols)].button(f"{plain(row.code)} · {plain(row.name)}", key=f"nb-{row.code}"):
            data.set_filters(filters.with_(page="region", regions=(row.code,)))
            st.rerun()
