"""Country reports on the mirror store: content, bad input, and the three renderings read back."""

from __future__ import annotations

import io
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cluster_map.errors import InputError
from cluster_map.reports.country import CountryReport
from cluster_map.services import reports
from cluster_map.store.database import connect

pytestmark = pytest.mark.mirror
INJECT = "=cmd|' /C calc'!A0"


@pytest.fixture(scope="module")
def con(mirror_store: Path) -> Iterator[Any]:
    c = connect(mirror_store)
    yield c
    c.close()


@pytest.fixture(scope="module")
def de(con: Any) -> CountryReport:
    return reports.build_country_report(con, country="DE", permutations=199)


def _section(report: CountryReport, key: str) -> Any:
    return next(s for s in report.sections if s.key == key)


def test_countries_lists_eurostat_codes_with_english_names_and_years(con: Any) -> None:
    frame = reports.countries(con)
    names = dict(zip(frame["country"], frame["name"], strict=True))
    assert names["DE"] == "Germany" and names["EL"] == "Greece" and names["UK"] == "United Kingdom"
    years = dict(zip(frame["country"], frame["years"], strict=True))
    assert years["DE"] == list(range(2008, 2016))
    assert years["FR"] == [
        2010,
        2011,
        2012,
        2013,
        2014,
    ]  # the mirror has no French regions in 2008, 2009, 2015


def test_germany_report_content(de: CountryReport) -> None:
    # 2015 is the latest year, but its benchmark holds 17 of 29 countries: the default is 2014
    assert (de.country, de.country_name, de.year, de.level, de.nuts_version) == (
        "DE",
        "Germany",
        2014,
        2,
        "2013",
    )
    assert [s.key for s in de.sections] == [
        "specialisation",
        "clusters",
        "top_sectors",
        "indices",
        "growth",
        "hotspots",
        "ecosystems",
        "grow_next",
        "organisations",
        "methodology",
    ]
    spec = _section(de, "specialisation")
    national = spec.tables[0].frame
    assert set(national["sector"].head(2)) == {"C28", "C29"}  # machinery and motor vehicles
    assert national["lq"].is_monotonic_decreasing and (national["lq"].head(2) > 1.5).all()
    assert len(spec.maps) == 2 and all(m.png.startswith(b"\x89PNG") for m in spec.maps)
    stars = _section(de, "clusters").tables[0].frame
    assert (stars["stars"] >= 2).all() and stars["region"].str.startswith("DE").all()
    stuttgart = stars[(stars["region"] == "DE11") & (stars["sector"] == "C29")]
    assert len(stuttgart) == 1 and stuttgart["stars"].iloc[0] == 3 and stuttgart["which"].iloc[0] == "SPF"
    figures = {f.label: f for f in de.key_figures}
    assert figures["Regions (NUTS 2) with data"].value == 38
    assert "Machinery" in str(figures["Top specialisation"].value)
    assert "sbs_r_nuts06_r2" in de.citation and "2015" in de.citation  # the data's years
    method = _section(de, "methodology").tables[1].frame
    assert "Benchmark countries" not in set(method.iloc[:, 0])


def test_a_partial_benchmark_year_says_which_countries_it_holds(con: Any) -> None:
    report = reports.build_country_report(con, country="DE", year=2015, permutations=0)
    assert report.year == 2015
    method = _section(report, "methodology").tables[1].frame
    rows = dict(zip(method.iloc[:, 0], method.iloc[:, 1], strict=True))
    note = rows["Benchmark countries"]
    assert "holds only 17 of the 29 countries" in note and "Germany (DE)" in note and "France" not in note
    assert "not all of Europe" in rows["Benchmark of LQ and stars"]


def test_shift_share_components_sum_to_the_change(de: CountryReport) -> None:
    growth = _section(de, "growth")
    assert growth.title.endswith("2008-2014")  # up to the report year (2014: the latest complete benchmark)
    t = growth.tables[0].frame
    parts = t["national_growth"] + t["industry_mix"] + t["regional_shift"]
    assert (parts - t["change"]).abs().max() < 1e-6
    regions = t[t["region"] != "DE"]
    assert t.iloc[-1]["change"] == pytest.approx(regions["change"].sum())


def test_indices_have_the_country_and_european_benchmarks(de: CountryReport) -> None:
    t = _section(de, "indices").tables[0].frame
    assert {"DE", "EU", "bench"} <= set(t["region"])
    assert t["krugman"].between(0, 2).all() and t["hhi"].between(0, 1).all()


def test_hot_spots_are_significant_and_in_the_country(de: CountryReport) -> None:
    t = _section(de, "hotspots").tables[0].frame
    # esda stores pseudo p-values as float32 (0.05 -> 0.0500000007): p <= alpha allows for the conversion
    from cluster_map.stats.hotspots import significant_at

    assert set(t["spot"]) <= {"hot", "cold"} and significant_at(t["p_sim"], 0.05).all()
    assert t["region"].str.startswith("DE").all()
    hot = t[t["spot"] == "hot"]
    assert (hot["z"] > 0).all() and not hot.empty


def test_organisations_of_greece_are_found_under_gr(con: Any) -> None:
    report = reports.build_country_report(con, country="GR", permutations=0)
    assert report.country == "EL" and report.country_name == "Greece"
    orgs = _section(report, "organisations").tables[0].frame
    assert len(orgs) >= 1


def test_us_states_report(con: Any) -> None:
    report = reports.build_country_report(con, country="US", dataset="us_cmp_states_2016", permutations=99)
    assert (report.year, report.level) == (2016, 1)
    top = _section(report, "specialisation").tables[0].frame
    assert top["strong_share"].is_monotonic_decreasing and top["strong_share"].between(0, 1).all()
    clusters = _section(report, "clusters")
    assert clusters.title == "Strong clusters" and [t.key for t in clusters.tables] == ["Strong_clusters"]
    assert "star" not in clusters.paragraphs[0].lower()  # US states have no European stars
    strong = clusters.tables[0].frame
    assert len(strong) > 100 and (strong["lq"] >= 1).all()
    settings = dict(_section(report, "methodology").tables[1].frame.values.tolist())
    assert "Size star" not in settings and settings["Regions"] == "US states (FIPS codes)"
    method = _section(report, "methodology")
    entries = method.tables[0].frame
    assert "US Cluster Mapping LQ" in set(entries["Metric"])
    # a US state report describes US data: no NUTS conversions, Eurostat denominators, flags or stars
    assert "Location quotient (LQ)" not in set(entries["Metric"])  # the European LQ's denominators
    for name in ("stars", "Denominators", "Confidential cells", "Suspect", "Estimated regions", "ecosystems"):
        assert not entries["Metric"].str.contains(name).any(), name
    said = " ".join(method.paragraphs)
    assert "NUTS" not in said and "confidential" not in said and "US states (FIPS codes)" in said
    assert [t.key for t in method.tables] == ["Methods", "Thresholds"]
    assert "years with data: 2016" in _section(report, "growth").paragraphs[0]  # one year: no growth table
    assert not _section(report, "growth").tables


@pytest.mark.parametrize(
    ("country", "year", "message"),
    [
        ("XX", None, "valid codes: AT, BE"),
        ("FR", 2015, "years with data: 2010, 2011, 2012, 2013, 2014"),
        ("DE", 1999, "Germany (DE) has no data in 'sbs_r_nuts06_r2' for 1999"),
    ],
)
def test_bad_input_says_what_to_do(con: Any, country: str, year: int | None, message: str) -> None:
    with pytest.raises(InputError, match=re.escape(message)):
        reports.build_country_report(con, country=country, year=year)


def test_unknown_dataset_and_format(con: Any, de: CountryReport) -> None:
    with pytest.raises(InputError, match="Unknown dataset 'nope'"):
        reports.build_country_report(con, country="DE", dataset="nope")
    with pytest.raises(InputError, match="choose pdf, html or xlsx"):
        reports.render(de, "docx")  # type: ignore[arg-type]


@pytest.mark.slow
def test_pdf_reads_back(de: CountryReport, artifacts: Path) -> None:
    from pypdf import PdfReader

    data = reports.render(de, "pdf")
    (artifacts / "report_DE.pdf").write_bytes(data)
    pdf = PdfReader(io.BytesIO(data))
    assert 8 <= len(pdf.pages) <= 40
    text = "\n".join(p.extract_text() for p in pdf.pages)
    for needle in (
        "Germany",
        "Cite as",
        "Machinery and equipment",
        "Motor vehicles",
        "Stuttgart",
        "Sources and provenance",
        "sbs_r_nuts06_r2",
        "gisco_nuts_2013",
        "Eurostat reuse policy",
        "Getis-Ord",
        "Krugman",
        "Methodology",
        "Page 1 of",
    ):
        assert needle in text, needle
    if shutil.which("pdftoppm"):  # pages as PNG in the artifacts folder, to look at
        import subprocess

        for old in artifacts.glob("report_DE_page-*.png"):
            old.unlink()
        subprocess.run(
            [
                "pdftoppm",
                "-png",
                "-r",
                "50",
                str(artifacts / "report_DE.pdf"),
                str(artifacts / "report_DE_page"),
            ],
            check=True,
            timeout=120,
        )
        assert len(list(artifacts.glob("report_DE_page-*.png"))) == len(pdf.pages)


def test_html_is_offline(de: CountryReport) -> None:
    html = reports.render(de, "html").decode("utf-8")
    links = re.findall(r'(?:src|href)\s*=\s*"([^"]*)"', html)
    assert links and all(u.startswith("data:") for u in links)
    assert "<link" not in html and "@import" not in html and "url(http" not in html


def test_xlsx_sheets_and_cells(de: CountryReport) -> None:
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(reports.render(de, "xlsx")))
    assert wb.sheetnames[0] == "About" and wb.sheetnames[-1] == "Sources"
    assert {
        "National_LQ",
        "Star_clusters",
        "Strong_clusters",
        "Top_sectors",
        "Indices",
        "Shift_share",
        "Hot_spots",
        "Organisations",
        "Methods",
        "Flags",
    } <= set(wb.sheetnames)
    about = {r[0].value: r[1].value for r in wb["About"].iter_rows(min_row=2)}
    assert about["Country"] == "Germany (DE)" and about["Year"] == 2014
    ws = wb["Star_clusters"]
    assert ws.freeze_panes == "A2"
    header = [c.value for c in ws[1]]
    assert header[:2] == ["Region", "Name"]
    lq = ws.cell(row=2, column=header.index("LQ") + 1)
    assert lq.data_type == "n" and lq.value >= 1
    assert wb["Sources"]["A2"].value == "sbs_r_nuts06_r2"
    assert len(list(ws.iter_rows())) - 1 == len(_section(de, "clusters").tables[0].frame)  # all rows, not 60


def test_formula_text_in_the_store_is_neutralised(mirror_store: Path, tmp_path: Path) -> None:
    import duckdb
    import openpyxl

    db = tmp_path / "store.duckdb"
    shutil.copy(mirror_store, db)
    raw = duckdb.connect(str(db))
    raw.execute(
        "UPDATE organisations SET name = ? WHERE country = 'DE' AND name = "
        "(SELECT min(name) FROM organisations WHERE country = 'DE')",
        [INJECT],
    )
    raw.close()
    c = connect(db)
    try:
        report = reports.build_country_report(c, country="DE", permutations=0)
    finally:
        c.close()
    wb = openpyxl.load_workbook(io.BytesIO(reports.render(report, "xlsx")))
    names = [row[0].value for row in wb["Organisations"].iter_rows(min_row=2)]
    assert "'" + INJECT in names and INJECT not in names
    assert INJECT in reports.render(report, "html").decode("utf-8").replace("&#39;", "'")  # text, shown as is


def test_ecosystems_and_grow_next_sections(de: CountryReport) -> None:
    eco = _section(de, "ecosystems").tables[0].frame
    assert (eco["stars"] >= 1).all() and eco["region"].str.startswith("DE").all()
    assert "Mobility – Transport – Automotive" in set(eco["label"])
    stuttgart = eco[(eco["region"] == "DE11") & (eco["label"] == "Mobility – Transport – Automotive")]
    assert len(stuttgart) == 1 and stuttgart["stars"].iloc[0] >= 2
    grow = _section(de, "grow_next")
    table = grow.tables[0].frame
    assert table["region"].nunique() == 38 and (table.groupby("region").size() <= 3).all()
    assert (table["lq"].fillna(0) < 1).all()
    assert "Log-supermodularity check" in grow.paragraphs[0]
