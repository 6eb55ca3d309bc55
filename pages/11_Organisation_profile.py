"""One cluster organisation's profile (``?org=<id>``): fields, sectors, partnerships, its region's statistics, partners."""

import streamlit as st

from cluster_map.ui import errors, org_profile
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Organisation profile · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    org = org_profile.chosen_org()
    if not org:
        st.header("Organisation profile")
        st.info(
            "Pick an organisation above, or open one from the Organisations page's search or partner results."
        )
    elif org_profile.show(org) is not None:
        org_profile.show_partners(org)
