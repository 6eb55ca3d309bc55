"""Code lists: NACE sectors, geo.dic, NUTS region lists, geo code kinds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cluster_map.errors import SourceError
from cluster_map.sources import codelists as cl


@pytest.fixture()
def fx(fixtures: Path) -> Path:
    return fixtures / "eurostat"


@pytest.mark.parametrize(
    ("code", "kind"),
    [
        ("EU28", "aggregate"),
        ("EA19", "aggregate"),
        ("EU27_2020", "aggregate"),
        ("EU15", "aggregate"),
        ("EA17", "aggregate"),
        ("EU", "aggregate"),
        ("EEA", "aggregate"),
        ("EFTA", "aggregate"),
        ("G20", "aggregate"),
        ("DE_TOT", "aggregate"),
        ("FRZ", "extra_regio"),
        ("FRZZ", "extra_regio"),
        ("ELZZZ", "extra_regio"),
        ("CZZ", "extra_regio"),
        ("DE", "nuts"),
        ("DE21", "nuts"),
        ("ITC4C", "nuts"),
        ("EE", "nuts"),
        ("EE00", "nuts"),
        ("ES", "nuts"),
        ("CZ", "nuts"),
        ("FRZ1", "nuts"),
        ("TR10", "nuts"),
    ],
)
def test_geo_kind(code: str, kind: str) -> None:
    assert cl.geo_kind(code) == kind


def test_geo_kinds_vectorised() -> None:
    s = pd.Series(["EU28", "DE21", "FRZZ", "DE21"])
    assert cl.geo_kinds(s).tolist() == ["aggregate", "nuts", "extra_regio", "nuts"]


def test_read_nace(fx: Path) -> None:
    s = cl.read_nace(fx / "nace_r2.csv")
    assert list(s.columns) == list(cl.SECTOR_COLUMNS)
    assert len(s) == 5 and set(s.scheme) == {"nace_r2"}
    a = s.set_index("code")
    assert a.at["A", "label"] == "Agriculture, forestry and fishing"
    assert a.at["A01", "parent"] == "A" and a.at["A011", "level"] == 3
    assert a.at["A", "parent"] is None and a.at["B-N_S95_X_K", "level"] == 0
    assert s.sector_type.isna().all()


def test_read_nace_bad(fx: Path) -> None:
    with pytest.raises(SourceError) as err:
        cl.read_nace(fx / "nace_bad.csv")
    text = "\n".join(err.value.problems)
    assert "line 3, column level: '9'" in text
    assert "line 4, column code: duplicate code 'A01'" in text
    assert "line 5, column parent: 'X'" in text


def test_read_geo_dic_and_aggregates(fx: Path) -> None:
    labels = cl.read_geo_dic(fx / "geo.dic")
    assert labels["DE21"] == "Oberbayern" and labels["EA19"] == "Euro area - 19 countries  (2015-2022)"
    regions = cl.geo_regions(labels).set_index("code")
    assert list(regions.reset_index().columns) == list(cl.REGION_COLUMNS)
    assert set(regions.index) == {"EU28", "EA19", "FRZZ", "EU27_2020"}
    assert regions.at["FRZZ", "kind"] == "extra_regio" and regions.at["FRZZ", "level"] == 2
    assert regions.at["FRZZ", "parent"] == "FRZ" and regions.at["EU28", "kind"] == "aggregate"


def test_read_geo_dic_bad(tmp_path: Path) -> None:
    f = tmp_path / "geo.dic"
    f.write_text("DE\tGermany\nno tab here\nDE\tAgain\n")
    with pytest.raises(SourceError) as err:
        cl.read_geo_dic(f)
    assert err.value.problems == [
        "geo.dic: line 2: 'no tab here' is not 'code<TAB>label'",
        "geo.dic: line 3: duplicate code 'DE'",
    ]


def test_unknown_version() -> None:
    with pytest.raises(SourceError, match="2099"):
        cl.nuts_list_file("2099")


@pytest.mark.mirror
def test_mirror_code_lists(mirror: Path) -> None:
    nace = cl.read_nace(mirror / cl.NACE_FILE)
    assert len(nace) == 1343 and {"C", "C10", "G47", "B-N_S95_X_K"} <= set(nace.code)
    labels = cl.read_geo_dic(mirror / cl.GEO_DIC_FILE)
    assert len(labels) == 4041 and labels["UKI"] == "London"


@pytest.mark.mirror
@pytest.mark.parametrize(
    ("version", "n_level2", "code", "name"),
    [
        ("2010", 300, "EL11", None),
        ("2013", 304, "EL51", None),
        ("2016", 309, "FRB0", None),
        ("2021", 371, "DE21", "Oberbayern"),
    ],
)
def test_mirror_nuts_lists(mirror: Path, version: str, n_level2: int, code: str, name: str | None) -> None:
    regions = cl.read_nuts_regions(mirror / cl.nuts_list_file(version), version)
    assert list(regions.columns) == list(cl.REGION_COLUMNS)
    assert (regions.level == 2).sum() == n_level2
    assert not regions.code.duplicated().any() and regions.name.notna().all()
    row = regions.set_index("code").loc[code]
    assert row.level == 2 and row.parent == code[:3] and row.kind == "nuts" and row.nuts_version == version
    if name:
        assert row["name"] == name
    assert set(regions.kind) == {"nuts", "extra_regio"}


# --- today's code lists (SDMX 2.1 codelist endpoint, TSV) ---------------------------------------------
def test_official_code_list_urls_are_the_sdmx_codelist_endpoint_not_the_retired_listing() -> None:
    for url in (cl.GEO_DIC_URL, cl.NACE_URL, cl.INDIC_SBS_URL):
        assert url.startswith("https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/codelist/ESTAT/")
        assert url.endswith("/latest?format=TSV&lang=en") and "BulkDownloadListing" not in url
    assert cl.GEO_DIC_URL.split("/ESTAT/")[1].startswith("GEO/")


def test_geo_code_list_in_todays_tsv_layout(fx: Path) -> None:
    labels = cl.read_geo_dic(fx / "codelist_geo.tsv")
    assert labels["FRK2"] == "Rhône-Alpes" and labels["EA20"] == "Euro area – 20 countries (from 2023)"
    assert len(labels) == 9
    kinds = cl.geo_regions(labels, nuts_version="2021").set_index("code")["kind"].to_dict()
    assert kinds == {"EU27_2020": "aggregate", "EA20": "aggregate", "FRZZ": "extra_regio"}


def test_code_list_tolerates_a_header_and_quotes_and_reports_bad_lines(tmp_path: Path) -> None:
    ok = tmp_path / "geo.tsv"
    ok.write_text('code\tlabel\n"DE"\t"Germany"\n')
    assert cl.read_codelist(ok) == {"DE": "Germany"}
    bad = tmp_path / "bad.tsv"
    bad.write_text("DE\tGermany\nno tab here\nDE\tagain\n")
    with pytest.raises(SourceError) as err:
        cl.read_codelist(bad)
    assert err.value.problems == [
        "bad.tsv: line 2: 'no tab here' is not 'code<TAB>label'",
        "bad.tsv: line 3: duplicate code 'DE'",
    ]


def test_nace_code_list_in_todays_tsv_layout_gets_levels_and_parents(fx: Path) -> None:
    nace = cl.read_nace(fx / "codelist_nace_r2.tsv").set_index("code")
    assert list(nace.columns) == [c for c in cl.SECTOR_COLUMNS if c != "code"]
    levels, parents = nace["level"].to_dict(), nace["parent"].to_dict()
    assert (levels["C"], parents["C"]) == (1, None)
    assert (levels["C10"], parents["C10"]) == (2, "C")
    assert (levels["C101"], parents["C101"]) == (3, "C10")
    assert (levels["C1011"], parents["C1011"]) == (4, "C101")
    assert nace.loc["B-N_S95_X_K", "level"] == 0 and nace.loc["C10-C12", "level"] == 0
    assert nace.loc["F41", "label"] == "Construction of buildings" and (nace["scheme"] == "nace_r2").all()


@pytest.mark.mirror
def test_mirror_geo_dic_and_nace_csv_still_read_under_their_mirror_names(mirror: Path) -> None:
    assert len(cl.read_geo_dic(mirror / cl.GEO_DIC_FILE)) == 4041
    assert len(cl.read_nace(mirror / cl.NACE_FILE)) == 1343
