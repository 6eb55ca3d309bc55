"""Country report -> XLSX: a cover sheet, one sheet per table, typed cells, frozen headers.

Text cells that a spreadsheet would run as a formula (``=cmd|...``, ``+``, ``-``, ``@``, tab, CR) are
neutralised with a leading apostrophe and always written as strings.
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime

import pandas as pd

from cluster_map.reports.country import CountryReport, ReportTable

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_SHEET_BAD = re.compile(r"[\[\]:*?/\\]")


def neutralise(text: str) -> str:
    """Text safe to put in a spreadsheet cell: formula-like text gets a leading apostrophe."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def sheet_name(key: str, used: set[str]) -> str:
    base = _SHEET_BAD.sub("_", key)[:31] or "Sheet"
    name, i = base, 2
    while name.lower() in used:
        suffix = f"_{i}"
        name = base[: 31 - len(suffix)] + suffix
        i += 1
    used.add(name.lower())
    return name


def render_xlsx(report: CountryReport) -> bytes:
    """The report's tables as an XLSX workbook (bytes)."""
    import xlsxwriter

    buf = io.BytesIO()
    wb = xlsxwriter.Workbook(buf, {"in_memory": True, "strings_to_formulas": False, "strings_to_urls": False})
    bold = wb.add_format({"bold": True})
    header = wb.add_format({"bold": True, "bg_color": "#0B3C5D", "font_color": "#FFFFFF", "text_wrap": True})
    num = wb.add_format({"num_format": "#,##0.###"})
    datefmt = wb.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    used: set[str] = set()

    cover = wb.add_worksheet(sheet_name("About", used))
    rows = [
        ("Report", report.title),
        ("Country", f"{report.country_name} ({report.country})"),
        ("Dataset", f"{report.dataset_title} ({report.dataset})"),
        ("Year", report.year),
        ("Regions", f"NUTS {report.nuts_version} level {report.level}"),
        ("Data vintage", report.vintage),
        ("Generated", report.generated_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Cite as", report.citation),
    ]
    rows += [(f.label, f.value if f.value is not None else "") for f in report.key_figures]
    cover.set_column(0, 0, 28)
    cover.set_column(1, 1, 100)
    for i, (k, v) in enumerate(rows):
        cover.write_string(i, 0, neutralise(str(k)), bold)
        _write(cover, i, 1, v, num, datefmt)

    tables = list(report.tables()) + [ReportTable("Sources", "Sources and provenance", report.sources)]
    for table in tables:
        ws = wb.add_worksheet(sheet_name(table.key, used))
        frame = table.display_frame()
        for j, col in enumerate(frame.columns):
            ws.write_string(0, j, neutralise(str(col)), header)
            width = max([len(str(col))] + [len(str(v)) for v in frame.iloc[:200, j].tolist()])
            ws.set_column(j, j, min(max(width + 2, 8), 60))
        for i, row in enumerate(frame.itertuples(index=False), start=1):
            for j, v in enumerate(row):
                _write(ws, i, j, v, num, datefmt)
        ws.freeze_panes(1, 0)
        if len(frame.columns):
            ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    wb.close()
    return buf.getvalue()


def _write(ws, row: int, col: int, value: object, num, datefmt) -> None:  # type: ignore[no-untyped-def]
    if value is None or value is pd.NA or value is pd.NaT:
        ws.write_blank(row, col, None)
    elif isinstance(value, bool):
        ws.write_boolean(row, col, value)
    elif isinstance(value, (int, float)) and not isinstance(value, bool):
        if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
            ws.write_blank(row, col, None)
        else:
            ws.write_number(row, col, float(value), num)
    elif isinstance(value, (datetime, date, pd.Timestamp)):
        ws.write_datetime(row, col, pd.Timestamp(value).to_pydatetime().replace(tzinfo=None), datefmt)
    elif hasattr(value, "item"):  # numpy scalar
        _write(ws, row, col, value.item(), num, datefmt)
    else:
        ws.write_string(row, col, neutralise(str(value)))
