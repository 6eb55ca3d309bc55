"""Region profile: key figures, specialisations, clusters, time series, indices, organisations, neighbours;
or a custom region (a group of regions, ``?custom=NAME=CODE,CODE``)."""

import streamlit as st

from cluster_map.ui import custom_regions, data, errors, profile, timeseries
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Region profile · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    filters, warnings = data.current_filters()
    profile.show_warnings(warnings)
    filters = custom_regions.builder(profile.view_controls(filters.with_(page="region")))
    region = None if filters.custom else profile.pick_region(filters)
    data.set_filters(filters if filters.custom else filters.with_(regions=(region,) if region else ()))
    if filters.custom:
        custom_regions.show(filters)
    elif region:
        scheme = profile.sector_choice(filters)
        p = profile.load(filters, region, sector_level=profile.sector_level(scheme))
        profile.header(p)
        profile.key_figures(p)
        left, right = st.columns([3, 2])
        with left:
            profile.specialisations(p)
        with right:
            profile.clusters(p)
            profile.indices(p)
        with errors.boundary(stop=False):
            profile.grow_next(p, scheme)
        profile.series(p)
        timeseries.sector_over_time(p)
        profile.organisations(p)
        profile.neighbours(p, filters)
