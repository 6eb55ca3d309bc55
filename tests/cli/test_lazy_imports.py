"""The command line loads only what the command it runs needs (``cluster-map --help`` and the other commands
must not pay for the PDF renderer, the spatial statistics or the ibis metrics engine)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HEAVY = (
    "esda",
    "libpysal",
    "sklearn",
    "weasyprint",
    "ibis",
    "matplotlib",
    "pyspark",
    "openpyxl",
    "xlsxwriter",
    "geopandas",
    "streamlit",
    "folium",
    "plotly",
)
#: What the report command loads: the statistics, maps and PDF libraries, never the app's.
NOT_FOR_REPORTS = {"streamlit", "folium", "plotly", "ibis", "pyspark", "openpyxl"}


def _loaded_after(code: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    probe = f"import sys\n{code}\nprint(' '.join(m for m in {HEAVY!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, check=True)
    return set(done.stdout.split())


def test_registering_the_commands_loads_no_heavy_library() -> None:
    assert _loaded_after("from cluster_map.cli.main import register_commands; register_commands()") == set()


def test_help_loads_no_heavy_library() -> None:
    code = (
        "from cluster_map.cli.main import main\n"
        "import contextlib, io\n"
        "with contextlib.redirect_stdout(io.StringIO()):\n"
        "    main(['report', '--help'])"
    )
    assert _loaded_after(code) == set()


def test_the_report_services_load_no_app_library() -> None:
    """The report command's services (build and render): no Streamlit, folium, plotly, Spark; the PDF and
    XLSX writers only when a report is rendered in that format."""
    loaded = _loaded_after("from cluster_map.services import exports, reports, region_reports")
    assert not loaded & (NOT_FOR_REPORTS | {"weasyprint", "xlsxwriter"}), loaded


def test_python_dash_m_runs_the_cli() -> None:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "cluster_map.cli", "version"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0 and done.stdout.strip()


def test_cli_lists_match_the_services() -> None:
    from cluster_map.cli import reports as cli_reports
    from cluster_map.services import exports, reports

    assert cli_reports.TABLES == exports.TABLES
    assert set(cli_reports.FORMATS) == set(reports.RENDERERS)
