"""Today's Eurostat files: the successor datasets and current API layouts, read through the catalogue.

The fixtures in ``tests/fixtures/eurostat/api/`` are small hand-made files in the exact layout the
dissemination API returns today (``freq,...,geo\\TIME_PERIOD`` header, years oldest first with a
trailing space, ``value flags`` cells, ``:`` and ``: c``; SDMX-CSV with ``CONF_STATUS``).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest

from cluster_map import catalogue
from cluster_map.errors import SourceError
from cluster_map.sources import eurostat

API = Path(__file__).resolve().parent.parent / "fixtures" / "eurostat" / "api"
OLD_LFS = API.parent / "lfst_r_lfe2en2_2017.tsv"


def _one(obs: pd.DataFrame, **where: object) -> pd.Series:
    hit = obs
    for k, v in where.items():
        hit = hit[hit[k] == v]
    assert len(hit) == 1, where
    return hit.iloc[0]


def test_sbs_r_nuts2021_reads_with_its_indicators_units_and_per_year_nuts_version() -> None:
    obs = eurostat.read_observations(API / "sbs_r_nuts2021.tsv", dataset="sbs_r_nuts2021")
    ds = catalogue.dataset("sbs_r_nuts2021")
    eurostat.check_cells(obs, ds, name="sbs_r_nuts2021.tsv")
    assert set(obs["indicator"]) == {"EMP_LOC_NR", "LOC_NR", "WAGE_LOC_MEUR"}
    assert dict(obs.groupby("indicator")["unit"].first()) == {
        "EMP_LOC_NR": "NR",
        "LOC_NR": "NR",
        "WAGE_LOC_MEUR": "MIO_EUR",
    }
    versions = obs.groupby("year")["nuts_version"].unique().map(list).to_dict()
    assert versions == {2021: ["2021"], 2022: ["2021"], 2023: ["2021"], 2024: ["2024"]}
    assert (
        _one(obs, region="HU11", sector="B-S_X_O_S94", indicator="EMP_LOC_NR", year=2021)["value"] == 410000.0
    )
    conf = _one(obs, region="IE05", sector="C29", indicator="EMP_LOC_NR", year=2022)
    assert math.isnan(conf["value"]) and conf["flags"] == "c"
    assert _one(obs, region="HU11", sector="C", indicator="EMP_LOC_NR", year=2024)["flags"] == "p"
    assert (obs["breakdown"] == "").all() and (obs["sector_scheme"] == "nace_r2").all()


def test_lfs_current_layout_gives_the_same_numbers_as_the_2017_layout() -> None:
    new = eurostat.read_observations(API / "lfst_r_lfe2en2.tsv")
    old = eurostat.read_observations(OLD_LFS, dataset="lfst_r_lfe2en2")
    key = ["region", "sector", "breakdown", "year"]
    both = new.merge(old, on=key, suffixes=("_new", "_old"), how="outer", indicator=True)
    assert (both["_merge"] == "both").all() and len(both) == len(old) == 18
    assert both["value_new"].fillna(-1).equals(both["value_old"].fillna(-1))
    assert (both["flags_new"] == both["flags_old"]).all()
    assert set(new["breakdown"]) == set(old["breakdown"]) == {"age=Y_GE15", "age=Y15-24"}  # sex pinned to T
    assert set(new["unit"]) == {"THS_PER"} and set(old["unit"]) == {"THS"}
    for frame in (new, old):
        eurostat.check_cells(frame, catalogue.dataset("lfst_r_lfe2en2"), name="lfs")


def test_a_pin_that_matches_nothing_fails_naming_the_codes_found(tmp_path: Path) -> None:
    lines = (API / "lfst_r_lfe2en2.tsv").read_text().splitlines()
    f = tmp_path / "lfst_r_lfe2en2.tsv"
    f.write_text("\n".join([lines[0]] + [ln for ln in lines[1:] if ",T," not in ln]) + "\n")
    with pytest.raises(SourceError, match=r"no rows with sex=T .*the file has sex in \{F, M\}"):
        eurostat.read_observations(f)


def test_an_employment_cell_that_matches_nothing_fails_naming_what_the_file_has(tmp_path: Path) -> None:
    lines = (API / "sbs_r_nuts2021.tsv").read_text().splitlines()
    f = tmp_path / "sbs_r_nuts2021.tsv"
    f.write_text("\n".join([lines[0]] + [ln for ln in lines[1:] if "EMP_LOC_NR" not in ln]) + "\n")
    obs = eurostat.read_observations(f)
    with pytest.raises(
        SourceError, match=r"no rows of the employment cell .*indicator\(s\) \{LOC_NR, WAGE_LOC_MEUR\}"
    ):
        eurostat.check_cells(obs, catalogue.dataset("sbs_r_nuts2021"), name=f.name)
    lfs = eurostat.read_observations(API / "lfst_r_lfe2en2.tsv")
    lfs = lfs[lfs["breakdown"] != "age=Y_GE15"]
    with pytest.raises(SourceError, match=r"EMP only with breakdown\(s\) \{age=Y15-24\}"):
        eurostat.check_cells(lfs, catalogue.dataset("lfst_r_lfe2en2"), name="lfs")


def test_nama_10r_3empers_at_nuts_3_keeps_all_employed_persons_in_thousands() -> None:
    obs = eurostat.read_observations(API / "nama_10r_3empers.tsv")
    eurostat.check_cells(obs, catalogue.dataset("nama_10r_3empers"), name="nama")
    assert set(obs["nuts_version"]) == {"2021"} and set(obs["unit"]) == {"THS_PER"}
    assert (obs["breakdown"] == "").all()  # wstatus pinned to EMP: the SAL rows are gone
    assert _one(obs, region="AT130", sector="TOTAL", year=2019)["value"] == 1150.2
    assert {len(r) for r in obs["region"]} == {4, 5}  # NUTS 2 and NUTS 3 codes


def test_sdmx_csv_of_today_with_conf_status() -> None:
    obs = eurostat.read_observations(API / "sbs_r_nuts2021_sdmx.csv")
    assert set(obs["dataset"]) == {"sbs_r_nuts2021"}  # from DATAFLOW
    conf = _one(obs, region="HU12", sector="C29", year=2021)
    assert math.isnan(conf["value"]) and conf["flags"] == "c"  # CONF_STATUS=C
    assert _one(obs, region="HU11", sector="C29", year=2021)["flags"] == "p"
    assert _one(obs, region="LT01", sector="C", year=2022)["value"] == 50920.0
    assert set(obs["nuts_version"]) == {"2021"}


def test_the_same_cells_read_from_tsv_and_sdmx_csv_agree() -> None:
    tsv = eurostat.read_observations(API / "sbs_r_nuts2021_sdmx.csv")
    assert set(tsv.columns) == set(eurostat.read_observations(API / "sbs_r_nuts2021.tsv").columns)
