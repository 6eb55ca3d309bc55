"""First run of the app: install the offline map assets and make sure the store exists.

Both steps run once per server process (``st.cache_resource`` locks them, so two sessions arriving at
once do not build twice). A missing store is built from the sources with
:func:`cluster_map.services.ingest.ingest` under a status box; offline, the ingest reads the mirror.
"""

from __future__ import annotations

import importlib
import threading
from pathlib import Path

import streamlit as st

from cluster_map.services import mapview
from cluster_map.ui.data import STATIC_DIR, db_path
from cluster_map.ui.text import plain


@st.cache_resource(show_spinner=False)
def _assets(static_dir: str) -> bool:
    mapview.install_assets(Path(static_dir))
    return True


@st.cache_resource(show_spinner=False)
def _store(db: str) -> str:
    path = Path(db)
    if not path.is_file():
        with st.status(
            "First run: building the store from the official sources (a few minutes)...", expanded=True
        ) as status:
            st.write(f"Store: {plain(path, 0)}. Offline, the sources are read from the local mirror.")
            summary = mapview.build_store(path)
            status.update(label=f"Store built in {summary:.0f} s.", state="complete", expanded=False)
    return db


#: Libraries imported lazily by some views (quantile/natural-break classes, hot spots) and slow to import
#: (mapclassify ~2 s): imported in the background at start-up so the first such view does not wait.
WARM_IMPORTS = ("mapclassify", "libpysal", "esda")


@st.cache_resource(show_spinner=False)
def _warm_imports() -> threading.Thread:
    def run() -> None:
        for name in WARM_IMPORTS:
            importlib.import_module(name)

    thread = threading.Thread(target=run, name="cluster-map-warm-imports", daemon=True)
    thread.start()
    return thread


def _use_app_navigation() -> None:
    """Run this session through app.py's ``st.navigation`` even before anyone opened the home page.

    Streamlit treats a ``pages/`` folder beside the main script as an old-style multipage folder
    until the first ``st.navigation`` call in the server process. Until then a direct link to a
    page (``/Region_profile?regions=HU22`` as the first visit after a restart) runs the page on its
    own, with a navigation Streamlit makes up from file names (the home page called "app"). The
    flag is Streamlit's own (``PagesManager.uses_pages_directory``, the same one ``st.navigation``
    clears); clearing it and rerunning once runs app.py, which routes the URL to the same page.
    """
    from streamlit.runtime.pages_manager import PagesManager

    if PagesManager.uses_pages_directory:
        PagesManager.uses_pages_directory = False
        st.rerun()


def ensure_ready() -> Path:
    """Install the map assets and build the store if it is missing; returns the store path."""
    _use_app_navigation()
    _assets(str(STATIC_DIR))
    _warm_imports()
    db = db_path()
    if not db.is_file():
        _store.clear()
    _store(str(db))
    return db
