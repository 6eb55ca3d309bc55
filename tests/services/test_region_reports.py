"""Region and custom-region reports on the mirror store, read back: PDF text (pypdf), XLSX cells (openpyxl,
formula-safe), HTML (escaped)."""

from __future__ import annotations

import io
from pathlib import Path

import openpyxl
import pytest
from pypdf import PdfReader

from cluster_map.errors import InputError
from cluster_map.services import reports
from cluster_map.services.custom_regions import CustomRegion
from cluster_map.services.region_reports import build_region_report
from cluster_map.store.database import connect

pytestmark = pytest.mark.mirror


@pytest.fixture(scope="module")
def con(mirror_store: Path):  # type: ignore[no-untyped-def]
    c = connect(mirror_store)
    yield c
    c.close()


def test_region_report_pdf_text(con) -> None:  # type: ignore[no-untyped-def]
    r = build_region_report(con, region="DE21")
    text = "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(reports.render(r, "pdf"))).pages)
    for expected in (
        "Oberbayern",
        "DE21",
        "Key figures",
        "Sectors by location quotient",
        "Star and strong clusters",
        "Over the years",
        "Methodology",
        "Sources and provenance",
        "sbs_r_nuts06_r2",
        "Region report",
    ):
        assert expected in text, expected
    labels = [f.label for f in r.key_figures]
    assert "Strong clusters" in labels and "Top specialisation" in labels and r.sections[0].maps


def test_custom_region_report_xlsx_and_html(con) -> None:  # type: ignore[no-untyped-def]
    r = build_region_report(con, custom=CustomRegion("+Øresund <b>x</b>", ("DK01", "SE22")))
    wb = openpyxl.load_workbook(io.BytesIO(reports.render(r, "xlsx")))
    about = {row[0].value: row[1].value for row in wb["About"].iter_rows(min_row=2)}
    assert about["Custom region"] == "'+Øresund <b>x</b> (DK01+SE22)"  # formula-safe
    assert about["Member regions"] == "DK01, SE22"
    sheet = wb["Sectors"]
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["Sector", "Name", "LQ"] and "Strong cluster" in header
    html = reports.render(r, "html").decode("utf-8")
    assert "<b>x</b>" not in html and "&lt;b&gt;x&lt;/b&gt;" in html and "Custom region report" in html


def test_us_state_report(con) -> None:  # type: ignore[no-untyped-def]
    r = build_region_report(con, region="06", dataset="us_cmp_states_2016")
    assert r.country_name == "California" and r.regions == "US states" and r.kind == "region"
    # US states speak of US states and strong clusters only: no European stars, no "NUTS us"
    labels = [f.label for f in r.key_figures]
    assert "Strong clusters" in labels and not [x for x in labels if "star" in x.lower()], labels
    clusters = next(s for s in r.sections if s.key == "clusters")
    assert clusters.title == "Strong clusters" and "star" not in clusters.paragraphs[0].lower()
    for section in r.sections:
        for table in section.tables:
            assert not {"stars", "which"} & set(table.frame.columns), (section.key, table.key)
            assert "Star" not in table.note, (section.key, table.key)
    method = next(s for s in r.sections if s.key == "methodology")
    assert not [m for m in method.tables[0].frame["Metric"] if "star" in m.lower()]
    html = reports.render(r, "html").decode("utf-8")
    assert "NUTS us" not in html and "Star clusters" not in html and "Star types" not in html
    assert not [c for c in r.sources["code"] if str(c).startswith(("nuts_", "nace_"))]  # no NUTS/NACE lists
    eu = build_region_report(con, region="DE21")  # European regions keep their stars
    assert "Star clusters (2-3 stars)" in [f.label for f in eu.key_figures]


def test_bad_input(con) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="exactly one"):
        build_region_report(con)
    with pytest.raises(InputError, match="did you mean"):
        build_region_report(con, region="DE2Z")
    with pytest.raises(InputError, match="years with data|do not all have data"):
        build_region_report(con, region="DE21", year=1990)


def test_region_report_has_grow_next(con) -> None:  # type: ignore[no-untyped-def]
    r = build_region_report(con, region="CZ02", year=2014)
    grow = next(s for s in r.sections if s.key == "grow_next")
    table = grow.tables[0].frame
    assert len(table) == 5 and (table["lq"].fillna(0) < 1).all() and table["density"].is_monotonic_decreasing
    assert "Log-supermodularity check" in grow.paragraphs[0]
    custom = build_region_report(con, custom=CustomRegion("Pair", ("DK01", "SE22")))
    assert all(s.key != "grow_next" for s in custom.sections)
