"""Reports page: region and custom-region reports (PDF, XLSX, HTML) with progress and downloads.

A link from a custom region's profile (``Reports?custom=NAME=CODE,CODE&dataset=...``) preselects it.
Reports are built from public store data only, so they are cached per store version and request.
"""

from __future__ import annotations

import streamlit as st

from cluster_map.errors import InputError
from cluster_map.services import custom_regions, exports, reports
from cluster_map.services.mapview import dataset_label
from cluster_map.services.region_reports import build_region_report
from cluster_map.ui import data
from cluster_map.ui.profile import region_choices
from cluster_map.ui.reports import MIME, report_datasets
from cluster_map.ui.text import plain


@st.cache_data(show_spinner=False, max_entries=16)
def _report(key: str, dataset: str, region: str, custom: str, year: int | None) -> reports.CountryReport:
    return build_region_report(
        data.connection(), region=region or None, custom=custom or None, dataset=dataset, year=year
    )


@st.cache_data(show_spinner=False, max_entries=48)
def _rendered(key: str, dataset: str, region: str, custom: str, year: int | None, fmt: str) -> bytes:
    return reports.render(_report(key, dataset, region, custom, year), fmt)  # type: ignore[arg-type]


def controls() -> tuple[str, str, str]:
    """Dataset, then a region or a custom region (name + members); returns (dataset, region, custom)."""
    linked = st.query_params.get("custom")
    codes = list(report_datasets())
    wanted = st.query_params.get("dataset")
    left, mid = st.columns([2, 3])
    dataset = str(
        left.selectbox(
            "Dataset",
            codes,
            index=codes.index(wanted) if wanted in codes else 0,
            format_func=dataset_label,
            key="rrep_ds",
        )
        or codes[0]
    )
    kind = mid.radio(
        "Report on",
        ["A region", "A custom region"],
        horizontal=True,
        key="rrep_kind",
        index=1 if linked else 0,
    )
    choices = region_choices(dataset)
    level = choices[choices["level"] == (1 if dataset.startswith("us_") else 2)]
    labels = dict(zip(level["code"], level["label"], strict=True))
    if kind == "A region":
        codes_ = list(labels)
        region = st.selectbox(
            "Region",
            codes_,
            index=codes_.index("DE21") if "DE21" in labels else 0,
            format_func=lambda c: labels.get(c, c),
            key="rrep_region",
        )
        return dataset, str(region or ""), ""
    start = None
    if linked:
        try:
            start = custom_regions.parse(linked)
        except InputError as exc:
            st.warning(plain(f"The custom region in the link is not usable: {exc}", 300))
    name = st.text_input(
        "Name of the custom region",
        value=start.name if start else "",
        key="rrep_name",
        max_chars=custom_regions.MAX_NAME,
        placeholder="e.g. Øresund",
    )
    members = st.multiselect(
        "Member regions",
        list(labels),
        key="rrep_members",
        default=[m for m in (start.members if start else ()) if m in labels],
        format_func=lambda c: labels.get(c, c),
        placeholder="Type codes or names",
    )
    if not members:
        return dataset, "", ""
    try:
        return dataset, "", custom_regions.make(name, list(members)).encode()
    except InputError as exc:
        st.error(plain(str(exc), 300))
        return dataset, "", ""


def downloads(dataset: str, region: str, custom: str) -> None:
    """Build the region or custom-region report in the chosen formats and offer the downloads."""
    formats = st.multiselect("Formats", ["pdf", "xlsx", "html"], default=["pdf", "xlsx"], key="rrep_fmt")
    request = (dataset, region, custom, tuple(formats))
    subject = region or custom
    if st.button("Build region report", type="primary", key="rrep_build", disabled=not subject):
        st.session_state["rrep_request"] = request
    if st.session_state.get("rrep_request") != request or not subject:
        st.caption(
            "Key figures, every sector ranked by LQ with stars and strong flags, a map of the top "
            "specialisation, clusters, the years, organisations, methodology and sources."
        )
        return
    if not formats:
        st.info("Choose at least one format.")
        return
    key = data.store_key()
    progress = st.progress(0.0, text="Assembling the region report ...")
    report = _report(key, dataset, region, custom, None)
    built: list[tuple[str, bytes]] = []
    for i, fmt in enumerate(formats, start=1):
        progress.progress(i / (len(formats) + 1), text=f"Rendering {plain(fmt.upper())} ...")
        built.append((fmt, _rendered(key, dataset, region, custom, None, fmt)))
    progress.empty()
    st.success(f"{plain(report.title)}, {plain(report.year)}")
    cols = st.columns(len(built))
    stem = "cluster_map_" + "".join(ch if ch.isalnum() else "_" for ch in report.country)[:40]
    for col, (fmt, payload) in zip(cols, built, strict=True):
        col.download_button(
            f"Download {plain(fmt.upper())} ({len(payload) / 1024:,.0f} KB)",
            data=payload,
            file_name=exports.writers.file_name(f"{stem}_{dataset}_{report.year}", fmt),
            mime=MIME[fmt],
            key=f"rrep-dl-{fmt}",
            width="stretch",
            on_click="ignore",
        )
