"""Import of a user's own CSV: validated by the upload service, kept only in this user's session.

Nothing here is cached with ``st.cache_data``/``st.cache_resource`` (shared by all users): the
parsed upload lives in ``st.session_state`` and disappears with the session.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import streamlit as st

from cluster_map.errors import ClusterMapError, InputError
from cluster_map.services import catalogue, uploads, user_datasets
from cluster_map.ui import data, downloads
from cluster_map.ui.board import current_admin
from cluster_map.ui.text import plain

_STATE = "cm_upload"

FORMAT_HELP = (
    "UTF-8 CSV, comma-separated, header `region,sector,year,employment` (optional `establishments`, "
    "`country`); one row per region x sector x year; `employment` a number >= 0 with `.` as decimal point. "
    "Example:\n\n`region,sector,year,employment`  \n`AT13,C29,2015,1100`  \n`AT13,F41,2015,380`"
)  # inline code, not a fenced block: a block loads Streamlit's 1.5 MB syntax-highlighter bundle


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
        result = uploads.load(
            file.getvalue(), name=file.name, known_regions=_known(data.store_key()) if check else None
        )
    except InputError as exc:
        st.session_state.pop(_STATE, None)
        st.error(plain(exc, 2000, lines=True), icon=":material/error:")
        return
    st.session_state[_STATE] = result
    st.success(
        f"{plain(result.name)}: {result.rows:,} rows imported for this session only; location quotients "
        f"computed with your file as its own benchmark."
    )
    st.dataframe(result.metrics, hide_index=True, width="stretch", height=320)
    downloads.buttons(
        result.metrics,
        stem=f"upload_metrics_{result.name}",
        key="dl-upload",
        parameters={"upload": result.name, "benchmark": "the upload itself"},
    )
    add_to_store(file.getvalue(), name=file.name)


def add_to_store(content: bytes, *, name: str) -> None:
    """Offer "add to the store" for a valid upload: the ``cluster-map ingest --add`` service (validation,
    unknown codes refused unless tolerated, a new store written atomically; on failure the previous store is
    untouched). It changes what every user sees, so only a signed-in admin may do it."""
    st.markdown("**Add to the store** (for everyone, like `cluster-map ingest --add FILE --code CODE`)")
    if current_admin() is None:  # the role as the board stores it now, not as it was at sign-in
        st.caption(
            "Only a signed-in admin can add a file to the store (sign in on the board page); "
            "your upload stays in this session."
        )
        return
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(name).stem.lower()).strip("_")
    default = stem if stem[:1].isalpha() else f"my_{stem}"
    code = st.text_input(
        "Dataset code",
        value=default[:48],
        max_chars=48,
        key="up-add-code",
        help="Lower case letters, digits and '_', starting with a letter.",
    )
    if not st.button("Add to the store", key="up-add", type="primary"):
        return
    safe = re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).name) or "upload.csv"
    with (
        tempfile.TemporaryDirectory(prefix="cm_add_") as tmp,
        st.spinner("Validating and writing a new store ..."),
    ):
        path = Path(tmp) / safe
        path.write_bytes(content)
        try:
            added = user_datasets.add_dataset(path, code=code, db=data.db_path())
        except ClusterMapError as exc:
            st.error(
                f"{plain(safe)} was not added to the store; the store is unchanged.\n\n"
                + plain(exc, 2000, lines=True),
                icon=":material/error:",
            )
            return
    data.drop_stale()
    st.success(
        f"Added {plain(added.code)} to the store: {added.rows:,} rows, years {plain(added.years)}, "
        f"NUTS {plain(added.nuts_version)}, {added.metric_rows:,} metric rows. It is now in the dataset "
        "menu of every page.",
        icon=":material/check_circle:",
    )
