"""Renderers read back: HTML (escaped, offline), PDF (pypdf text, pages), XLSX (openpyxl cells)."""

from __future__ import annotations

import io
import re
from datetime import UTC, datetime

import pandas as pd
import pytest

from cluster_map.reports.country import CountryReport, KeyFigure, ReportMap, ReportSection, ReportTable
from cluster_map.reports.html import render_html
from cluster_map.reports.pdf import render_pdf
from cluster_map.reports.workbook import render_xlsx

EVIL = "<script>alert(1)</script>"
INJECT = "=cmd|' /C calc'!A0"


def _png() -> bytes:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(2, 1))
    ax.plot([0, 1], [0, 1])
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    plt.close(fig)
    return buf.getvalue()


@pytest.fixture(scope="module")
def report() -> CountryReport:
    top = pd.DataFrame(
        {
            "region": ["DE11", "DE21"],
            "name": ["Stuttgart", EVIL],
            "sector": ["C29", "C29"],
            "lq": [3.52, 1.25],
            "employment": [210000.0, 54000.0],
            "stars": [3, 1],
            "note": [INJECT, "+SUM(A1)"],
        }
    )
    sources = pd.DataFrame(
        {
            "code": ["sbs_r_nuts06_r2"],
            "title": ["SBS by NUTS 2"],
            "publisher": ["Eurostat"],
            "licence": ["CC BY 4.0"],
            "source_url": ["https://ec.europa.eu/eurostat/x"],
            "retrieved_from": ["mirror/eurostat/bulk/sbs_r_nuts06_r2.tsv.gz"],
            "extracted_at": [pd.Timestamp("2026-11-25 10:00")],
            "checksum": ["ab" * 32],
        }
    )
    return CountryReport(
        country="DE",
        country_name="Deutschland",
        dataset="sbs_r_nuts06_r2",
        dataset_title="SBS by NUTS 2",
        year=2015,
        level=2,
        nuts_version="2013",
        vintage="Eurostat sbs_r_nuts06_r2 (2008-2015)",
        generated_at=datetime(2026, 11, 25, 10, 0, tzinfo=UTC),
        key_figures=(KeyFigure("Persons employed", 30_000_000.0, "persons"), KeyFigure("Regions", 38)),
        sections=(
            ReportSection(
                "stars",
                "Star clusters",
                paragraphs=(f"Name {EVIL}",),
                tables=(ReportTable("Star_clusters", "Star clusters", top),),
                maps=(ReportMap("Top specialisation", _png()),),
            ),
        ),
        sources=sources,
        parameters={"min_employment": "1000"},
    )


def test_html_is_standalone_and_escapes_data(report: CountryReport) -> None:
    html = render_html(report)
    assert EVIL not in html and "&lt;script&gt;" in html
    assert "Deutschland" in html and "Cite as" in html
    # no resource is loaded from anywhere: only data: URIs in src/href
    links = re.findall(r'(?:src|href)="([^"]+)"', html)
    assert links and all(u.startswith("data:") for u in links)


def test_pdf_reads_back(report: CountryReport) -> None:
    from pypdf import PdfReader

    pdf = PdfReader(io.BytesIO(render_pdf(report)))
    assert len(pdf.pages) >= 2  # title page + content
    text = "\n".join(p.extract_text() for p in pdf.pages)
    assert "Deutschland" in text and "Stuttgart" in text
    assert "sbs_r_nuts06_r2" in text and "Sources and provenance" in text


def test_xlsx_sheets_typed_frozen_and_neutralised(report: CountryReport) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(report)))
    assert wb.sheetnames == ["About", "Star_clusters", "Sources"]
    ws = wb["Star_clusters"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:4] == ["region", "name", "sector", "lq"]
    assert ws["D2"].value == pytest.approx(3.52) and ws["D2"].data_type == "n"
    assert ws["G2"].value == "'" + INJECT and ws["G2"].data_type == "s"
    assert ws["G3"].value == "'+SUM(A1)"
    assert ws["B3"].value == EVIL  # text stays text, not HTML-escaped in a spreadsheet


def test_print_rows_and_columns_cap_the_pdf_not_the_workbook() -> None:
    import numpy as np
    import openpyxl

    frame = pd.DataFrame(
        {
            "code": [f"R{i:02d}" for i in range(30)],
            "n": np.arange(30, dtype="int64") * 1000,
            "long": ["x" * 200] * 30,
            "hidden": ["secret"] * 30,
        }
    )
    table = ReportTable(
        "Many", "Many rows", frame, print_rows=10, print_columns=("code", "n", "long"), columns={"n": "Count"}
    )
    assert table.truncated and list(table.print_frame().columns) == ["code", "Count", "long"]
    assert len(table.print_frame()) == 10 and len(table.display_frame()) == 30
    rep = CountryReport(
        country="AT",
        country_name="Austria",
        dataset="sbs_r_nuts06_r2",
        dataset_title="SBS",
        year=2015,
        level=2,
        nuts_version="2013",
        vintage="v",
        generated_at=datetime(2026, 11, 25, tzinfo=UTC),
        key_figures=(),
        sections=(ReportSection("s", "Section", tables=(table,)),),
        sources=pd.DataFrame(
            {
                "code": ["x"],
                "kind": ["statistics"],
                "title": ["t"],
                "publisher": ["p"],
                "licence": ["l"],
                "source_url": ["u"],
                "retrieved_from": ["r"],
                "extracted_at": [pd.Timestamp("2026-11-25")],
                "checksum": ["c" * 64],
                "years": ["2015"],
            }
        ),
    )
    html = render_html(rep)
    assert "R09" in html and "R10" not in html and "First 10 of 30 rows" in html
    assert "secret" not in html and "29,000" not in html and "9,000" in html  # numpy ints get separators
    assert "x" * 89 + "\u2026" in html and "x" * 91 not in html  # long text cut in print
    wb = openpyxl.load_workbook(io.BytesIO(render_xlsx(rep)))
    ws = wb["Many"]
    assert ws.max_row == 31 and ws["C2"].value == "x" * 200 and ws["D2"].value == "secret"


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (1234567.0, "1,234,567"),
        (3.14159, "3.14"),
        (0.04567, "0.046"),
        (float("nan"), ""),
        (None, ""),
        (True, "yes"),
        (42, "42"),
        (pd.Timestamp("2026-11-25 10:00"), "2026-11-25"),
        ("Wien", "Wien"),
    ],
)
def test_cell_formatting(value: object, text: str) -> None:
    from cluster_map.reports.html import _cell

    assert _cell(value) == text


def test_key_figure_formatting() -> None:
    assert KeyFigure("a", 26_396_366.0, "persons").formatted() == "26,396,366 persons"
    assert KeyFigure("b", 0.4012).formatted() == "0.40"
    assert KeyFigure("c", None).formatted() == "n/a" and KeyFigure("d", 38).formatted() == "38"


def test_column_widths_keep_numbers_whole_and_share_the_rest() -> None:
    from cluster_map.reports.html import column_widths

    narrow = pd.DataFrame({"code": ["DE11", "DE12"], "lq": [5.27, 10.14]})
    widths, wide = column_widths(narrow)
    assert sum(widths) == pytest.approx(100, abs=0.1) and not wide
    long_text = pd.DataFrame(
        {
            "region": ["DE11"] * 3,
            "lq": [1.0, 2.0, 3.0],
            "label": ["word " * 60] * 3,
            "other": ["more text " * 5] * 3,
        }
    )
    widths, wide = column_widths(long_text)
    assert not wide and widths[2] > widths[3] > widths[1]  # text shares the room in proportion to length
    many = pd.DataFrame({f"Column number {i}": [123456.789] for i in range(14)})
    assert column_widths(many)[1] is True  # minimums do not fit: small font
    assert column_widths(pd.DataFrame()) == ([], False)


def test_stylesheet_is_not_escaped(report: CountryReport) -> None:
    html = render_html(report)
    assert 'font-family: "DejaVu Sans"' in html and "&#34;" not in html.split("</style>")[0]


def test_collector_paused_restores_the_collector() -> None:
    import gc

    from cluster_map.reports.pdf import collector_paused

    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()  # a collector someone else turned off stays off
    finally:
        gc.enable()
