"""Region profile: key figures, specialisations, clusters, time series, indices, organisations, neighbours."""

import streamlit as st

from cluster_map.ui import data, errors, profile
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Region profile · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    filters, warnings = data.current_filters()
    profile.show_warnings(warnings)
    filters = profile.view_controls(filters.with_(page="region"))
    region = profile.pick_region(filters)
    scheme = profile.sector_choice(filters)
    data.set_filters(filters.with_(regions=(region,) if region else ()))
    if region:
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
        profile.organisations(p)
        profile.neighbours(p, filters)
