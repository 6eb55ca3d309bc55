"""An admin's import of a directory of cluster organisations (CSV, XLSX or JSON) into the store.

The same service as ``cluster-map orgs import FILE [--dry-run]``
(:func:`cluster_map.services.imports.import_directory`): the file is checked first (a dry run: every
problem as line, field, value and what to do; duplicates by name and country), and only a valid file
can then be written, in one atomic store build, so nothing is written on error. It changes what every
user sees, so, like the upload's "add to the store" (:func:`cluster_map.ui.upload.add_to_store`), only a
signed-in admin (the board's ``admin`` role, as the board stores it at this run) is offered it. The uploaded bytes live in a temporary
directory for the length of one run; nothing is cached.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import streamlit as st

from cluster_map.errors import ClusterMapError
from cluster_map.services import imports
from cluster_map.ui import data
from cluster_map.ui.board import current_admin
from cluster_map.ui.text import plain

FORMAT_HELP = (
    "One organisation per row (UTF-8 CSV with a header line, the first XLSX sheet, or a JSON list of "
    "objects): required `name` and `country` (ISO code, e.g. `DE`); optional `id`, `acronym`, `city`, "
    "`region`, `sectors` (`; `-separated), `clusters`, `org_type`, `members`, `founded_year`, "
    "`esca_label`, `website`, `source_url`, `lat` and `lon` (both or neither). Organisations are placed "
    "by their coordinates, else their city, region or country, like the official directories."
)


def _safe_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", Path(name).name).strip("._") or "directory.csv"


def show_import() -> None:
    """For a signed-in admin: upload, validation report (dry run), then the import; others read who may."""
    st.subheader("Import a directory of organisations")
    if current_admin() is None:  # the role as the board stores it now, not as it was at sign-in
        st.caption(
            "Only a signed-in admin can import a directory into the store (sign in on the board page), "
            "like `cluster-map orgs import FILE`."
        )
        return
    st.markdown(FORMAT_HELP)
    file = st.file_uploader(
        "Directory file", type=["csv", "xlsx", "json"], key="org-import-file", max_upload_size=5
    )
    if file is None:
        return
    stem = re.sub(r"[^a-z0-9_]+", "_", Path(file.name).stem.lower()).strip("_") or "directory"
    name = st.text_input(
        "Directory name",
        value=stem[:40],
        max_chars=40,
        key="org-import-name",
        help="Stored as directory user:NAME; importing the same name again replaces its organisations.",
    )
    safe = _safe_name(file.name)
    with tempfile.TemporaryDirectory(prefix="cm_orgs_") as tmp:
        path = Path(tmp) / safe
        path.write_bytes(file.getvalue())
        try:
            report = imports.import_directory(data.db_path(), path, name=name or None, dry_run=True)
            show_report(report)
            if report.problems or not st.button("Import into the store", key="org-import-go", type="primary"):
                return
            with st.spinner("Placing the organisations and writing a new store ..."):
                report = imports.import_directory(data.db_path(), path, name=name or None)
        except ClusterMapError as exc:
            st.error(
                f"{plain(safe)} was not imported; the store is unchanged.\n\n" + plain(exc, 2000, lines=True),
                icon=":material/error:",
            )
            return
    data.drop_stale()
    show_report(report)


def show_report(report: imports.ImportReport) -> None:
    """The validation report: the problems as a table (line, field, value, what to do) and the notes."""
    if report.problems:
        st.error(
            plain(
                f"{report.file}: {len(report.problems)} problem(s) in {report.rows} organisation(s); nothing "
                "was written. Correct the file and upload it again.",
                400,
            ),
            icon=":material/error:",
        )
        st.dataframe(report.table(), hide_index=True, width="stretch", key="org-import-problems")
    elif report.written:
        counts = ", ".join(f"{n} {k}" for k, n in report.precision.items() if n)
        st.success(
            plain(
                f"Imported {report.rows} organisation(s) from {report.file} as directory {report.directory} "
                f"(placed: {counts}). They are in the search of every page now.",
                600,
            ),
            icon=":material/check_circle:",
        )
    else:
        st.success(
            plain(
                f"{report.file} is valid: {report.rows} organisation(s) as directory {report.directory}. "
                "Nothing is written yet; press the button below to import.",
                400,
            ),
            icon=":material/fact_check:",
        )
    if report.known_elsewhere:
        st.info(plain("\n".join(f"Note: {k}" for k in report.known_elsewhere), 3000, lines=True))
