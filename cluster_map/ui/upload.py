"""Import of a user's own CSV: validated by the upload service, kept only in this user's session.

Nothing here is cached with ``st.cache_data``/``st.cache_resource`` (shared by all users): the
parsed upload lives in ``st.session_state`` and disappears with the session.
"""

from __future__ import annotations

import streamlit as st

from cluster_map.errors import InputError
from cluster_map.services import catalogue, uploads
from cluster_map.ui import data, downloads
from cluster_map.ui.text import plain

_STATE = "cm_upload"

FORMAT_HELP = (
    "UTF-8 CSV, comma-separated, header `region,sector,year,employment` (optional `establishments`, "
    "`country`); one row per region x sector x year; `employment` a number >= 0 with `.` as decimal point. "
    "Example:\n\n```\nregion,sector,year,employment\nAT13,C29,2015,1100\nAT13,F41,2015,380\n```"
)


@st.cache_data(show_spinner=False, max_entries=4)
def _known(key: str) -> frozenset[str]:
    return catalogue.known_region_codes(data.connection())  # public store data, safe to share


def show_upload() -> None:
    """Uploader, precise errors, and the computed metrics of a valid upload (session only)."""
    st.subheader("Your own data")
    st.markdown(FORMAT_HELP)
    check = st.checkbox("Check region codes against the store (NUTS, US FIPS)", value=True, key="up-check")
    file = st.file_uploader("CSV file", type=["csv", "txt"], key="up-file", max_upload_size=5)
    if file is None:
        st.session_state.pop(_STATE, None)
        return
    try:
        result = uploads.load(file.getvalue(), name=file.name, known_regions=_known(data.store_key()) if check else None)
    except InputError as exc:
        st.session_state.pop(_STATE, None)
        st.error(plain(exc, 2000, lines=True), icon=":material/error:")
        return
    st.session_state[_STATE] = result
    st.success(f"{plain(result.name)}: {result.rows:,} rows imported for this session only; location quotients "
               f"computed with your file as its own benchmark.")
    st.dataframe(result.metrics, hide_index=True, width="stretch", height=320)
    downloads.buttons(result.metrics, stem=f"upload_metrics_{result.name}", key="dl-upload",
                      parameters={"upload": result.name, "benchmark": "the upload itself"})
