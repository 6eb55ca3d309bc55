"""Region profile: one sector of the region over the years (employment and LQ, breaks and estimates marked)."""

from __future__ import annotations

import streamlit as st

from cluster_map.services import profiles, timeseries
from cluster_map.ui import charts, data
from cluster_map.ui.text import plain, short


@st.cache_data(show_spinner=False, max_entries=64)
def _series(
    key: str, dataset: str, region: str, sector: str, sector_level: int | None
) -> timeseries.SectorSeries:
    return timeseries.sector_series(
        data.connection(), dataset=dataset, region=region, sector=sector, sector_level=sector_level
    )


def sector_over_time(p: profiles.RegionProfile) -> None:
    """A sector pick list (the region's top specialisation first) and its chart over the years."""
    st.subheader("A sector over the years")
    spec = p.specialisations
    if spec.empty or len(p.years) < 2:
        st.info("One year of data only: no time series for this region.")
        return
    labels = dict(zip(spec["sector"], spec["sector_label"], strict=False))
    sector = st.selectbox(
        "Sector", list(labels), key="ts-sector", format_func=lambda c: f"{c} · {short(labels.get(c, c), 70)}"
    )
    if not sector:
        return
    s = _series(data.store_key(), p.dataset, p.region.code, str(sector), p.sector_level)
    if s.empty:
        st.info("No values of this sector in any year.")
        return
    st.plotly_chart(
        charts.sector_over_time(s.frame, breaks=s.breaks, title=f"{s.sector} in {p.region.code}"),
        config=charts.CONFIG,
        width="stretch",
        key="ts-chart",
    )
    notes = [f"{year}: {note}" for year, note in s.breaks]
    if s.frame["estimated"].any() or s.frame["converted"].any():
        notes.append(
            "Open diamonds: values estimated or converted from an older NUTS version at ingest "
            "(population weights of the JRC converter); hover for the caveat."
        )
    for note in notes:
        st.caption(plain(note, 300))
