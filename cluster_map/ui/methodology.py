"""Data and methodology widgets: provenance, flags, formulas with references, limits, unmatched codes,
and whole-table downloads."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cluster_map.catalogue import SERIES_BREAK_CAVEAT
from cluster_map.config import get_settings
from cluster_map.geo import REPAIR_AREA_TOLERANCE
from cluster_map.services import catalogue, methodology, sources
from cluster_map.services.mapview import dataset_label
from cluster_map.ui import data, downloads
from cluster_map.ui.state import Filters
from cluster_map.ui.text import plain


def show_sources() -> None:
    """The Sources tab: provenance, what is loaded, series, indicator definitions, flags."""
    show_datasets()
    show_sources_check()
    show_series()
    show_definitions()
    show_flags()


def show_conversions_and_limits() -> None:
    """The Conversions and limits tab: values converted at ingest, known limits, recoded and unmatched codes."""
    show_conversions()
    show_limits()


@st.cache_data(show_spinner=False, max_entries=8)
def _datasets(key: str) -> pd.DataFrame:
    return catalogue.datasets(data.connection())


def show_datasets() -> None:
    """Every ingested dataset with publisher, licence, URLs, extraction time, checksum and rows."""
    st.subheader("Datasets and provenance")
    rows = _datasets(data.store_key())
    st.dataframe(
        rows,
        hide_index=True,
        width="stretch",
        column_config={
            "source_url": st.column_config.TextColumn("official URL"),
            "checksum": st.column_config.TextColumn("sha256"),
        },
    )
    downloads.buttons(rows, stem="datasets_provenance", key="dl-datasets", parameters={"table": "datasets"})


def show_sources_check() -> None:
    """The table of ``cluster-map sources check`` for this store: what is loaded of each catalogued dataset
    (years, NUTS version, origin, when it was read, the source's last update). The app never asks the
    official sources itself (it works offline), so it says so and shows what is loaded."""
    st.subheader("Sources: loaded vs. official")
    result = sources.loaded_only(data.connection())
    origins = sorted({str(o) for o in result.frame().get("origin", pd.Series(dtype=str)).dropna() if str(o)})
    st.info(
        "The app does not check the official sources online; this is what the store holds"
        + (f" (read from: {plain(', '.join(origins), 0)})" if origins else "")
        + ". "
        + plain(result.note, 0),
        icon=":material/cloud_off:",
    )
    frame = result.frame().rename(
        columns={
            "extracted_at": "read at",
            "last_update": "source's last update",
            "official_latest_year": "official latest year",
            "official_last_update": "official last update",
        }
    )
    for col in ("official latest year", "official last update"):
        frame[col] = frame[col].astype(object).where(frame[col].notna(), "not checked (offline)")
    frame["source's last update"] = (
        frame["source's last update"]
        .astype(object)
        .where(frame["source's last update"].notna(), "not given by the source")
    )
    st.dataframe(frame, hide_index=True, width="stretch")
    downloads.buttons(
        frame, stem="sources_check", key="dl-sources-check", parameters={"table": "sources check"}
    )


def show_series() -> None:
    """Each series under one name: its parts' indicator definitions side by side, and the break."""
    for series, table in catalogue.series_definitions():
        st.subheader(f"One series: {plain(series.label)}")
        st.caption(plain(series.title or series.label, 0))
        st.dataframe(table, hide_index=True, width="stretch")
        years = ", ".join(str(y) for y in series.join_years())
        st.info(
            plain(
                f"Break flag: {series.break_note}. Every value of {years} carries the caveat "
                f"{SERIES_BREAK_CAVEAT}; the map says so above the map and in each tooltip, the "
                "profile's trend chart draws a dashed line at the join, and the downloads carry the "
                "caveat in the caveats column.",
                0,
            ),
            icon=":material/timeline:",
        )


def show_definitions() -> None:
    """The indicator definitions of the catalogued datasets side by side (from the catalogue)."""
    st.subheader("Indicator definitions side by side")
    st.caption(
        "What each dataset's employment, local units, wages and value added are, in which unit, for "
        "which regions and sectors (read from the catalogue; 'x1000': the file is in thousands)."
    )
    table = catalogue.indicator_definitions()
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.buttons(
        table,
        stem="indicator_definitions",
        key="dl-definitions",
        parameters={"table": "indicator definitions"},
    )


def show_conversions() -> None:
    """Values converted between NUTS versions (JRC recoding) or estimated at ingest, counted."""
    st.subheader("Conversions at ingest")
    table = catalogue.conversions(data.connection())
    if table.empty:
        st.caption("No value was converted or estimated at ingest: every value is as published.")
        return
    values = table[table["what"] == "values"]
    st.markdown(
        f"**{int(values['n'].sum()):,} values converted or estimated**, "
        f"{int(table.loc[table['what'] == 'codes recoded', 'n'].sum()):,} NUTS codes recoded "
        "(the caveat names the method; JRC = the JRC NUTS converter's population weights)"
    )
    st.dataframe(table, hide_index=True, width="stretch")
    downloads.buttons(table, stem="conversions", key="dl-conversions", parameters={"table": "conversions"})


def show_flags() -> None:
    """The legend of Eurostat flags carried by every value."""
    st.subheader("Flags")
    st.dataframe(catalogue.flags_legend(), hide_index=True, width="stretch")
    st.caption("':' marks a value that is not available; it is stored as a missing value, never as 0.")


def show_conventions() -> None:
    """The readings of published rules the app follows, the default first, and the one in force."""
    st.subheader("Conventions")
    chosen = get_settings().focus_scope
    for c in catalogue.conventions("focus_scope"):
        mark = "in force" if c.key == chosen else f"selectable: CLUSTER_MAP_FOCUS_SCOPE={c.key}"
        st.markdown(
            f"- **{plain(c.label)}** ({plain(mark)}): {plain(c.text, 0)}"
            + (f" Source: {plain(c.source, 0)}." if c.source else "")
        )


def show_methods() -> None:
    """Formula, thresholds and reference of every metric."""
    show_conventions()
    st.subheader("Metrics: formulas, thresholds, references")
    for entry in methodology.entries():
        with st.expander(f"{plain(entry.name)} · {plain(entry.group)}"):
            st.code(entry.formula, language=None, wrap_lines=True)
            st.markdown(plain(entry.text, 0))  # prose with E_rs, E_r ...: underscores stay underscores
            st.caption(f"Reference: {plain(entry.reference, 0)}")
            if entry.key == "ecosystems":
                st.dataframe(methodology.ecosystem_table(), hide_index=True, width="stretch")
                st.caption(
                    f"Source: {plain(methodology.ECOSYSTEM_SOURCE, 0)}. NACE codes in Eurostat notation "
                    "(C303 = 30.3)."
                )
    downloads.buttons(
        catalogue.methods(), stem="methodology", key="dl-methods", parameters={"table": "methods"}
    )


def show_limits() -> None:
    """Known limits of the data, NUTS recodings and codes that match no region."""
    st.subheader("Known limits")
    for item in catalogue.KNOWN_LIMITS:
        st.markdown(f"- {plain(item, 0)}")
    con = data.connection()
    recodes = catalogue.nuts_recodes(con)
    unmatched = catalogue.unmatched_regions(con)
    left, right = st.columns(2)
    with left:
        st.markdown(f"**NUTS codes recoded at ingest** ({len(recodes)})")
        st.dataframe(recodes, hide_index=True, width="stretch", height=260)
        downloads.buttons(
            recodes, stem="nuts_recodes", key="dl-recodes", parameters={"table": "nuts_recodes"}
        )
    with right:
        st.markdown(
            f"**Region codes that match no region** ({len(unmatched)}; each with its rows and the reason)"
        )
        st.dataframe(unmatched, hide_index=True, width="stretch", height=260)
        downloads.buttons(
            unmatched, stem="unmatched_regions", key="dl-unmatched", parameters={"table": "unmatched_regions"}
        )
    st.markdown(
        "**Codes the ingest does not know but accepts** (declared once in the catalogue, with the "
        "reason; any other unknown sector, region, indicator or flag code fails the ingest)"
    )
    st.dataframe(catalogue.tolerated_codes(), hide_index=True, width="stretch")
    repairs = catalogue.geometry_repairs(con)
    st.markdown(
        f"**Invalid geometries repaired at ingest** ({len(repairs)} sources; shapely.make_valid, kept only "
        f"when the repair changes a region's area by at most {100 * REPAIR_AREA_TOLERANCE:g} %, else the "
        "ingest fails naming the region)"
    )
    if len(repairs):
        st.dataframe(repairs, hide_index=True, width="stretch")
    else:
        st.caption("No geometry needed a repair.")
    problems = catalogue.known_source_problems(con)
    st.markdown(
        f"**Known source problems** ({int(problems['cells'].sum()) if len(problems) else 0} NUTS 2 cells "
        "caveated suspect: no star, no strong flag)"
    )
    st.dataframe(problems, hide_index=True, width="stretch", height=260)
    downloads.buttons(
        problems,
        stem="known_source_problems",
        key="dl-problems",
        parameters={"table": "known_source_problems", "level": 2},
    )


def show_downloads(filters: Filters) -> None:
    """All metrics of one dataset, level and year as CSV, XLSX or Parquet, with the provenance sidecar."""
    st.subheader("Download the metrics")
    opts = data.view_options(filters.dataset)
    c1, c2 = st.columns(2)
    level = c1.selectbox("Level", opts.levels, index=opts.levels.index(opts.default_level), key="meth-level")
    year = c2.selectbox("Year", list(reversed(opts.years)), key="meth-year")
    if st.button(
        f"Prepare {plain(dataset_label(filters.dataset))}, level {plain(level)}, {plain(year)}",
        key="meth-prepare",
    ):
        con = data.connection()
        table = catalogue.metrics_table(con, dataset=filters.dataset, level=int(level), year=int(year))
        st.caption(
            f"{len(table):,} rows (one per region x sector). XLSX is offered up to "
            f"{catalogue.XLSX_MAX_CELLS:,} cells; larger tables come as CSV and Parquet."
        )
        downloads.buttons(
            table,
            stem=f"metrics_{filters.dataset}_L{level}_{year}",
            key="dl-metrics",
            parameters={"dataset": filters.dataset, "level": level, "year": year},
            sources=catalogue.sources_for(con, [filters.dataset]),
            parquet=True,
        )
