"""Country report -> XLSX: an ``About`` sheet, one sheet per table, ``Sources`` last.

The cells are written by :func:`cluster_map.reports.exports.to_xlsx`: typed cells, frozen bold header,
autofilter, and text that a spreadsheet would run as a formula neutralised with a leading apostrophe.
"""

from __future__ import annotations

import pandas as pd

from cluster_map.reports.country import CountryReport
from cluster_map.reports.exports import to_xlsx


def about_frame(report: CountryReport) -> pd.DataFrame:
    """The cover sheet: what the workbook is, how to cite it, the key figures."""
    rows: list[tuple[str, object]] = [
        ("Report", report.title),
        (report.subject_label, f"{report.country_name} ({report.country})"),
        ("Dataset", f"{report.dataset_title} ({report.dataset})"),
        *([("Member regions", ", ".join(report.members))] if report.members else []),
        ("Year", report.year),
        ("Regions", report.regions),
        ("Data vintage", report.vintage),
        ("Generated", report.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Cite as", report.citation),
    ]
    rows += [(f.label, f.value) for f in report.key_figures]
    rows += [(f"Parameter: {k}", v) for k, v in report.parameters.items()]
    return pd.DataFrame(rows, columns=["field", "value"]).astype({"value": object})


def render_xlsx(report: CountryReport) -> bytes:
    """The report's tables as an XLSX workbook (bytes)."""
    sheets: dict[str, pd.DataFrame] = {"About": about_frame(report)}
    for table in report.tables():
        sheets[table.key] = table.display_frame()
    sheets["Sources"] = report.sources
    return to_xlsx(sheets)
