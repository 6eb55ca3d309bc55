"""Eurostat readers: both TSV layouts and SDMX-CSV from hand-made fixtures, flags, bad inputs, mirror."""

from __future__ import annotations

import gzip
import math
import shutil
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map import catalogue
from cluster_map.errors import SourceError
from cluster_map.schema import FLAGS, OBSERVATION_COLUMNS
from cluster_map.sources import eurostat
from cluster_map.sources.eurostat import CellProblems, count_cells, parse_cells, read_observations, read_tsv


def _gzipped(src: Path, tmp_path: Path) -> Path:
    """A gzip copy of a tiny fixture, made at test time (no .tsv.gz is kept in the repository)."""
    import gzip

    dst = tmp_path / (src.name + ".gz")
    dst.write_bytes(gzip.compress(src.read_bytes()))
    return dst


@pytest.fixture()
def fx(fixtures: Path) -> Path:
    return fixtures / "eurostat"


def _row(frame: pd.DataFrame, **where: object) -> pd.Series:
    sel = frame
    for k, v in where.items():
        sel = sel[sel[k] == v]
    assert len(sel) == 1, f"{len(sel)} rows for {where}"
    return sel.iloc[0]


# --- 2017 bulk layout -----------------------------------------------------------------------------
def test_old_layout_known_values(fx: Path) -> None:
    obs = read_tsv(fx / "sbs_2017.tsv", dataset="sbs_r_nuts06_r2")
    assert list(obs.columns) == list(OBSERVATION_COLUMNS)
    assert len(obs) == 15 == count_cells(fx / "sbs_2017.tsv")
    r = _row(obs, region="AT11", indicator="V16110", year=2014)
    assert (r["value"], r["flags"], r.unit, r.sector, r.sector_scheme, r.breakdown) == (
        1150.0,
        "b",
        "NR",
        "C",
        "nace_r2",
        "",
    )
    r = _row(obs, region="AT11", indicator="V16110", year=2013)
    assert math.isnan(r["value"]) and r["flags"] == "c"
    r = _row(obs, region="EU28", indicator="V16110", year=2014)
    assert (r["value"], r["flags"]) == (12.5, "bu")
    assert _row(obs, region="AT11", indicator="V91290", year=2015)["value"] == -1.5
    assert _row(obs, region="AT11", indicator="V91290", year=2015).unit == "PC"
    assert (obs.region == obs.region_original).all()
    assert set(obs.nuts_version) == {"2013"} and set(obs.dataset) == {"sbs_r_nuts06_r2"}
    assert sorted(obs.year.unique()) == [2013, 2014, 2015]


def test_gzipped_and_plain_give_the_same_frame(fx: Path, tmp_path: Path) -> None:
    plain = read_tsv(fx / "sbs_2017.tsv", dataset="x")
    gz = read_tsv(_gzipped(fx / "sbs_2017.tsv", tmp_path), dataset="x")
    pd.testing.assert_frame_equal(plain, gz)


# --- current API layout -------------------------------------------------------------------------
def test_api_layout_years_ascending_and_gzip(fx: Path, tmp_path: Path) -> None:
    target = tmp_path / "estat_nama_10r_3empers.tsv.gz"
    target.write_bytes(gzip.compress((fx / "api_layout.tsv").read_bytes()))
    obs = read_tsv(target, nuts_version="2021")
    assert set(obs.dataset) == {"nama_10r_3empers"}
    # 8 non-empty cells (one empty cell is no observation); the catalogue pins wstatus=EMP: 2 SAL cells go
    assert len(obs) == 6 and count_cells(target) == 8
    assert "wstatus" not in "".join(obs.breakdown)
    generic = read_tsv(target, dataset="my_own_copy", nuts_version="2021")  # not catalogued: no pin
    assert len(generic) == 8 and "wstatus=SAL" in set(generic.breakdown)
    r = _row(obs, region="AT11", year=2019)
    assert (r["value"], r["flags"], r.unit, r.sector) == (3.16, "p", "THS", "C")
    assert _row(obs, region="DE212", year=2021)["value"] == 121.0
    assert _row(obs, region="DE212", year=2021)["flags"] == "e"
    assert set(obs.nuts_version) == {"2021"}
    assert "freq" not in "".join(obs.breakdown)


# --- SDMX-CSV -----------------------------------------------------------------------------------
def test_sdmx_csv(fx: Path) -> None:
    obs = read_observations(fx / "sdmx.csv")
    assert set(obs.dataset) == {"sbs_r_nuts06_r2"}  # from DATAFLOW
    assert len(obs) == 4 == count_cells(fx / "sdmx.csv")
    r = _row(obs, region="AT11", year=2013)
    assert math.isnan(r["value"]) and r["flags"] == "c"
    r = _row(obs, region="FRZZ", year=2013)
    assert (r["value"], r["flags"], r.indicator, r.unit) == (4.5, "bu", "V11210", "NR")


def test_sdmx_and_tsv_agree(fx: Path, tmp_path: Path) -> None:
    tsv = tmp_path / "sbs_r_nuts06_r2.tsv"
    tsv.write_text("nace_r2,indic_sb,geo\\time\t2015 \t2014 \t2013 \nC,V16110,AT11\t1200 \t1150 b\t: c\n")
    a = read_tsv(tsv).sort_values("year").reset_index(drop=True)
    b = read_observations(fx / "sdmx.csv")
    b = b[b.region == "AT11"].sort_values("year").reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b)


# --- dataset mappings (contract) ------------------------------------------------------------------
@pytest.mark.parametrize(
    ("dataset", "header", "line", "expect"),
    [
        (
            "lfst_r_lfe2en2",
            "unit,nace_r2,age,geo\\time",
            "THS,C,Y_GE15,AT11",
            {
                "indicator": "EMP",
                "unit": "THS",
                "sector": "C",
                "breakdown": "age=Y_GE15",
                "sector_scheme": "nace_r2",
            },
        ),
        (
            "nama_10r_2gdp",
            "unit,geo\\time",
            "MIO_EUR,AT11",
            {"indicator": "GDP", "unit": "MIO_EUR", "sector": "", "breakdown": "", "sector_scheme": "total"},
        ),
        (
            "sbs_na_sca_r2",
            "nace_r2,indic_sb,geo\\time",
            "C,V12150,AT",
            {"indicator": "V12150", "unit": "MIO_EUR", "sector": "C", "breakdown": ""},
        ),
        (
            "sbs_r_nuts06_r2",
            "nace_r2,indic_sb,geo\\time",
            "C,V13320,AT11",
            {"indicator": "V13320", "unit": "MIO_EUR"},
        ),
        ("sbs_r_nuts06_r2", "nace_r2,indic_sb,geo\\time", "C,V94310,AT11", {"unit": "PC"}),
        ("sbs_r_nuts06_r2", "nace_r2,indic_sb,geo\\time", "C,V11210,AT11", {"unit": "NR"}),
        (
            "lfst_r_lfe2en2",
            "freq,unit,nace_r2,age,geo\\TIME_PERIOD",
            "A,THS,C,Y_GE15,AT11",
            {"indicator": "EMP", "breakdown": "age=Y_GE15"},
        ),
    ],
)
def test_dataset_mapping(tmp_path: Path, dataset: str, header: str, line: str, expect: dict) -> None:
    f = tmp_path / f"{dataset}.tsv"
    f.write_text(f"{header}\t2015 \n{line}\t7 \n")
    r = read_tsv(f).iloc[0]
    for k, v in expect.items():
        assert r[k] == v, k


@pytest.mark.parametrize(
    ("code", "unit"),
    [
        ("V16110", "NR"),
        ("V11110", "NR"),
        ("V12150", "MIO_EUR"),
        ("V15110", "MIO_EUR"),
        ("V91100", "THS_EUR"),
        ("V91290", "PC"),
        ("EMP_LOC_NR", "NR"),
        ("WAGE_LOC_MEUR", "MIO_EUR"),
        ("X1", ""),
    ],
)
def test_sbs_units(code: str, unit: str) -> None:
    assert eurostat.sbs_unit(code) == unit


def test_urls_and_names() -> None:
    assert eurostat.mirror_name("sbs_r_nuts06_r2") == "eurostat/bulk/sbs_r_nuts06_r2.tsv.gz"
    assert eurostat.mirror_name("sbs_r_nuts2021", layout="api") == "eurostat/api/sbs_r_nuts2021.tsv.gz"
    assert "sbs_r_nuts06_r2" in eurostat.official_url("sbs_r_nuts06_r2")
    assert eurostat.official_url("x").startswith("https://ec.europa.eu/eurostat/api/")
    assert "BulkDownloadListing" in eurostat.official_url("x", layout="bulk_2017")
    assert eurostat.source_file("lfst_r_lfe2en2").path == "eurostat/bulk/lfst_r_lfe2en2.tsv.gz"
    assert eurostat.dataset_of("estat_lfst_r_lfe2en2.tsv.gz") == "lfst_r_lfe2en2"
    with pytest.raises(ValueError):
        eurostat.official_url("x", layout="ftp")


# --- cells ----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("cell", "value", "flags"),
    [
        ("123 b", 123.0, "b"),
        (": c", None, "c"),
        (":", None, ""),
        ("12.5 bu", 12.5, "bu"),
        ("708 ", 708.0, ""),
        ("-0.4 ", -0.4, ""),
        ("3.16 p", 3.16, "p"),
        (": bcd", None, "bcd"),
        ("1e3", 1000.0, ""),
    ],
)
def test_cell_parsing(cell: str, value: float | None, flags: str) -> None:
    problems = CellProblems()
    v, f, present = parse_cells(pa.array([cell]), column=2, problems=problems)
    assert not problems.found
    assert v[0].as_py() == value and f[0].as_py() == flags and present[0].as_py()


@given(
    st.floats(min_value=-1e9, max_value=1e9, allow_nan=False).map(lambda x: round(x, 3)),
    st.text(alphabet="".join(FLAGS), max_size=4),
)
def test_cell_round_trip(value: float, flags: str) -> None:
    problems = CellProblems()
    v, f, _ = parse_cells(pa.array([f"{value} {flags}"]), column=2, problems=problems)
    assert not problems.found and v[0].as_py() == value and f[0].as_py() == flags


# --- bad inputs -----------------------------------------------------------------------------------
def test_bad_tsv_reports_every_problem_with_file_line_and_value(fx: Path) -> None:
    with pytest.raises(SourceError) as err:
        read_tsv(fx / "bad.tsv")
    problems = err.value.problems
    assert len(problems) == 5
    assert all(p.startswith("bad.tsv: line ") for p in problems)
    expected = [
        ("line 3", "2 cells, expected 3"),
        ("line 4, column 2", "'12x0'"),
        ("line 5, column 2", "unknown flag(s) 'q'"),
        ("line 6, column 1", "duplicate key 'C,V16110,AT11'"),
        ("line 7, column 1", "'C,AT22'"),
    ]
    for (where, what), p in zip(expected, problems, strict=True):
        assert where in p and what in p, p


def test_bad_sdmx_reports_every_problem(fx: Path) -> None:
    with pytest.raises(SourceError) as err:
        read_observations(fx / "bad_sdmx.csv")
    text = "\n".join(err.value.problems)
    assert len(err.value.problems) == 4
    for part in (
        "line 3: duplicate",
        "line 4, column OBS_VALUE/OBS_FLAG: 'abc",
        "line 5, column TIME_PERIOD: '2015Q1'",
        "line 6, column OBS_VALUE/OBS_FLAG: '1 x' unknown flag(s) 'x'",
    ):
        assert part in text


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("nace_r2,indic_sb,geo\t2015\n", "not a Eurostat TSV header"),
        ("nace_r2,geo\\time\t2015Q1 \nC,AT\t1 \n", "'2015Q1' is not a year"),
        ("nace_r2,geo\\time\t2015 \t2015 \nC,AT\t1 \t2 \n", "'2015' appears twice"),
        ("freq,nace_r2,geo\\TIME_PERIOD\t2015 \nQ,C,AT\t1 \n", "freq 'Q'"),
        ("nace_r2,geo\\time\t2015 \nC,AT\t1 2 b\n", "is not 'value flags'"),
        ("nace_r2,indic_sb,geo\\time\t2015 \n\nC,V1,AT\t1 \nC,V1,AT\tx \n", "line 4, column 2"),
    ],
)
def test_bad_tsv_cases(tmp_path: Path, content: str, fragment: str) -> None:
    f = tmp_path / "sbs_r_nuts06_r2.tsv"
    f.write_text(content)
    with pytest.raises(SourceError) as err:
        read_tsv(f)
    assert "sbs_r_nuts06_r2.tsv" in str(err.value) and fragment in str(err.value)


def test_missing_dimension_is_named(tmp_path: Path) -> None:
    f = tmp_path / "lfst_r_lfe2en2.tsv"
    f.write_text("age,geo\\time\t2015 \nY_GE15,AT\t1 \n")
    with pytest.raises(SourceError, match="needs dimension"):
        read_tsv(f)


def test_damaged_gzip(tmp_path: Path, fx: Path) -> None:
    f = tmp_path / "x.tsv.gz"
    f.write_bytes(_gzipped(fx / "sbs_2017.tsv", tmp_path).read_bytes()[:40])
    with pytest.raises(SourceError, match="damaged gzip"):
        read_tsv(f)


def test_empty_body_gives_empty_frame_and_the_ingest_check_refuses_it(tmp_path: Path) -> None:
    f = tmp_path / "sbs_r_nuts06_r2.tsv"
    f.write_text("nace_r2,indic_sb,geo\\time\t2015 \n")
    obs = read_tsv(f)
    assert list(obs.columns) == list(OBSERVATION_COLUMNS) and obs.empty
    with pytest.raises(SourceError, match="no data cells for dataset 'sbs_r_nuts06_r2'"):
        eurostat.check_cells(obs, catalogue.dataset("sbs_r_nuts06_r2"), name=f.name)


# --- the real mirror ------------------------------------------------------------------------------
@pytest.mark.mirror
@pytest.mark.parametrize("code", ["sbs_r_nuts06_r2", "lfst_r_lfe2en2", "sbs_na_sca_r2", "nama_10r_2gdp"])
def test_mirror_files_row_count_equals_non_empty_cells(mirror: Path, code: str, tmp_path: Path) -> None:
    path = mirror / eurostat.mirror_name(code)
    obs = read_tsv(path)
    assert len(obs) == count_cells(path)
    assert obs.duplicated(["region", "sector", "indicator", "unit", "breakdown", "year"]).sum() == 0
    assert all(set(f) <= set(FLAGS) for f in obs["flags"].unique())
    assert (obs.region == obs.region_original).all()


@pytest.mark.mirror
def test_mirror_sbs_known_values(mirror: Path) -> None:
    obs = read_tsv(mirror / eurostat.mirror_name("sbs_r_nuts06_r2"))
    assert len(obs) == 195_227 * 8
    assert _row(obs, sector="B", indicator="V11210", region="AT", year=2015)["value"] == 708.0
    assert _row(obs, sector="B", indicator="V11210", region="AT11", year=2008)["value"] == 36.0
    assert (
        obs.value.isna().sum()
        == 344_284 + 93_421 + 12_015 + 3_883 + 2_773 + 1_644 + 1_284 + 575 + 439 + 267 + 247 + 47 + 8
    )


@pytest.mark.mirror
def test_mirror_lfs_flags(mirror: Path, tmp_path: Path) -> None:
    src = mirror / eurostat.mirror_name("lfst_r_lfe2en2")
    copy = tmp_path / "lfst_r_lfe2en2.tsv.gz"
    shutil.copy(src, copy)
    obs = read_tsv(copy)
    r = _row(obs, sector="A", breakdown="age=Y15-24", region="AT11", year=2008)
    assert math.isnan(r["value"]) and r["flags"] == "bu"
    assert _row(obs, sector="A", breakdown="age=Y15-24", region="AT", year=2015)["value"] == 14.3
    assert set(obs.unit) == {"THS"} and set(obs.indicator) == {"EMP"}
