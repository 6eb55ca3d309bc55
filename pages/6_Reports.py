"""Reports: country, region and custom-region reports (PDF, XLSX, HTML) and exports of any table with provenance."""

import streamlit as st

from cluster_map.ui import errors, region_reports
from cluster_map.ui import reports as rep
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Reports · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    st.title("Country reports")
    st.write(
        "A citable document and a reusable workbook for any country: key figures, maps of its top "
        "specialisations, star and strong clusters, indices against the benchmark, growth and "
        "shift-share, hot spots, cluster organisations, methodology and sources."
    )
    dataset, country, year = rep.report_controls()
    with errors.boundary(stop=False):
        rep.report_downloads(dataset, country, year)
    st.divider()
    st.subheader("Region and custom-region reports")
    st.write(
        "The same report for one NUTS 2 region or US state, or for a group of regions (the Øresund, a "
        "cross-border area, several states) recomputed from the members' counts."
    )
    with errors.boundary(stop=False):
        r_dataset, r_region, r_custom = region_reports.controls()
        region_reports.downloads(r_dataset, r_region, r_custom)
    st.divider()
    st.subheader("Export tables")
    st.write(
        "Every dataset and metric table as CSV, XLSX, Parquet, GeoJSON or GeoParquet, with a "
        "provenance file naming the sources and parameters."
    )
    with errors.boundary(stop=False):
        rep.export_controls()
