"""Reports page widgets: pick a country, build its report with a progress indicator, download it;
and export any store table with its provenance sidecar.

Reports and exports are built from public store data only, so they are cached per store version.
"""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cluster_map import catalogue
from cluster_map.errors import StoreError
from cluster_map.services import exports, reports
from cluster_map.services.mapview import dataset_label
from cluster_map.ui import data
from cluster_map.ui.text import plain

MIME = {"pdf": "application/pdf", "html": "text/html", "xlsx": exports.writers.MEDIA_TYPES["xlsx"]}


@st.cache_data(show_spinner=False, max_entries=8)
def _report_datasets(key: str) -> tuple[str, ...]:
    return reports.report_datasets(data.connection())


def report_datasets() -> tuple[str, ...]:
    """Datasets a report can be built from that the store holds, in the catalogue's order."""
    return _report_datasets(data.store_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _countries(key: str, dataset: str) -> pd.DataFrame:
    return reports.countries(data.connection(), dataset=dataset)


@st.cache_data(show_spinner=False, max_entries=16)
def _report(key: str, dataset: str, country: str, year: int | None) -> reports.CountryReport:
    return reports.build_country_report(data.connection(), country=country, dataset=dataset, year=year)


@st.cache_data(show_spinner=False, max_entries=48)
def _rendered(key: str, dataset: str, country: str, year: int | None, fmt: str) -> bytes:
    return reports.render(_report(key, dataset, country, year), fmt)  # type: ignore[arg-type]


@st.cache_data(show_spinner=False, max_entries=32)
def _export(key: str, table: str, fmt: str, filters: tuple[tuple[str, object], ...]) -> exports.Export:
    return exports.export(data.connection(), table, fmt, filters=dict(filters))  # type: ignore[arg-type]


def report_controls() -> tuple[str, str, int | None]:
    """Dataset, country and year pickers (country list from the store)."""
    left, mid, right = st.columns([2, 2, 1])
    codes: list[str] = list(report_datasets())
    if not codes:
        raise StoreError(
            "The store has no statistics a report can be built from; rebuild it with `cluster-map ingest`."
        )
    dataset = str(left.selectbox("Dataset", codes, format_func=dataset_label, key="rep_ds") or codes[0])
    years: list[int]
    if catalogue.dataset(dataset).area == "us":  # one country: the states of the United States
        country, years = "US", [2016]
        mid.selectbox("Country", ["US"], key="rep_us", disabled=True)
    else:
        choices = _countries(data.store_key(), dataset)
        labels: dict[str, str] = dict(zip(choices["country"], choices["name"], strict=True))
        options = list(labels)
        default = options.index("DE") if "DE" in labels else 0
        country = str(
            mid.selectbox(
                "Country",
                options,
                index=default,
                key="rep_country",
                format_func=lambda c: f"{c} · {labels[c]}",
            )
            or ""
        )
        years = [int(y) for y in choices.set_index("country").loc[country, "years"]] if country else []
    year = right.selectbox("Year", sorted(years, reverse=True), key="rep_year") if years else None
    return dataset, country, year


def report_downloads(dataset: str, country: str, year: int | None) -> None:
    """Build the report in the chosen formats (with progress) and offer the downloads."""
    formats = st.multiselect("Formats", ["pdf", "xlsx", "html"], default=["pdf", "xlsx"], key="rep_fmt")
    request = (dataset, country, year, tuple(formats))
    if st.button("Build report", type="primary", key="rep_build"):
        st.session_state["rep_request"] = request
    if st.session_state.get("rep_request") != request:  # downloads stay after a rerun, until inputs change
        st.caption(
            "A report takes a few seconds: maps of the top specialisations, star and strong "
            "clusters, indices, shift-share, hot spots, organisations, methodology and sources."
        )
        return
    if not formats:
        st.info("Choose at least one format.")
        return
    key = data.store_key()
    progress = st.progress(0.0, text="Assembling the report: maps, clusters, indices, hot spots ...")
    report = _report(key, dataset, country, year)
    built: list[tuple[str, bytes]] = []
    for i, fmt in enumerate(formats, start=1):
        progress.progress(i / (len(formats) + 1), text=f"Rendering {plain(fmt.upper())} ...")
        built.append((fmt, _rendered(key, dataset, country, year, fmt)))
    progress.progress(1.0, text="Done")
    progress.empty()
    st.success(f"{plain(report.title)}, {plain(report.year)}")
    cols = st.columns(len(built))
    for col, (fmt, payload) in zip(cols, built, strict=True):
        name = exports.writers.file_name(f"cluster_map_{report.country}_{dataset}_{report.year}", fmt)
        col.download_button(
            f"Download {plain(fmt.upper())} ({len(payload) / 1024:,.0f} KB)",
            data=payload,
            file_name=name,
            mime=MIME[fmt],
            key=f"rep-dl-{fmt}",
            width="stretch",
            on_click="ignore",
        )


def export_controls() -> None:
    """Any store table as CSV, XLSX, Parquet, GeoJSON or GeoParquet, with its provenance sidecar."""
    c1, c2, c3, c4 = st.columns([2, 2, 1, 1])
    table = c1.selectbox(
        "Table", list(exports.TABLES), index=list(exports.TABLES).index("metrics"), key="exp_t"
    )
    dataset = c2.selectbox(
        "Dataset", [None, *report_datasets()], key="exp_ds", format_func=lambda d: "all" if d is None else d
    )
    year = c3.number_input("Year", min_value=1990, max_value=2100, value=None, step=1, key="exp_year")
    fmt = c4.selectbox("Format", list(exports.FORMATS), key="exp_fmt")
    filters: dict[str, object] = {}
    if dataset and table in {"observations", "metrics", "region_indices", "sector_indices"}:
        filters["dataset"] = dataset
    if year and table in {"observations", "metrics", "region_indices", "sector_indices"}:
        filters["year"] = int(year)
    if not st.button("Prepare export", key="exp_go"):
        return
    with st.spinner("Exporting ..."):
        result = _export(data.store_key(), table, fmt, tuple(sorted(filters.items())))
    st.caption(f"{result.rows:,} rows")
    a, b = st.columns(2)
    a.download_button(
        f"Download {plain(result.file_name)}",
        data=result.data,
        file_name=result.file_name,
        key="exp-dl",
        width="stretch",
    )
    b.download_button(
        "Provenance (JSON)",
        data=result.sidecar,
        file_name=result.file_name + ".provenance.json",
        mime="application/json",
        key="exp-dl-prov",
        width="stretch",
    )
