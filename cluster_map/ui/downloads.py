"""Download buttons under every table and map layer: CSV, XLSX (GeoJSON for layers) and provenance JSON.

The bytes come from :mod:`cluster_map.reports.exports` (formula-injection protected) through
:func:`cluster_map.services.catalogue.lazy_download_files`, built when a button is clicked (not on every
script run); the provenance sidecar names the sources and the view's parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import pandas as pd
import streamlit as st

from cluster_map.services import catalogue
from cluster_map.ui.text import plain


def buttons(
    frame: pd.DataFrame,
    *,
    stem: str,
    key: str,
    parameters: Mapping[str, Any] | None = None,
    sources: Sequence[Mapping[str, Any]] = (),
    geo: pd.DataFrame | None = None,
    parquet: bool = False,
) -> None:
    """A row of download buttons for ``frame`` (and ``geo``, a GeoDataFrame, as GeoJSON; Parquet if asked).

    ``key`` must be unique on the page. Nothing is offered for an empty table; the files' bytes are built
    only when their button is clicked (Streamlit calls ``data`` then).
    """
    if frame is None or frame.empty:
        return
    files = catalogue.lazy_download_files(
        frame, stem=stem, parameters=dict(parameters or {}), sources=list(sources), geo=geo, parquet=parquet
    )
    cols = st.columns(len(files))
    for col, f in zip(cols, files, strict=True):
        col.download_button(
            plain(f.label),
            data=f.make,
            file_name=f.file_name,
            mime=f.mime,
            key=f"{key}-{f.fmt}",
            width="stretch",
        )
