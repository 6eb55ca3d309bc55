"""NUTS recoding: table-driven rename/merge/split/collision/aggregate/unknown, JRC weights, mirror."""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_map.errors import SourceError
from cluster_map.schema import OBSERVATION_COLUMNS
from cluster_map.sources import codelists as cl
from cluster_map.sources import eurostat
from cluster_map.sources import nuts_versions as nv

NaN = float("nan")

# Old 2010 codes of country AA: AA11 -> AA21 (rename), AA12 + AA13 -> AA22 (merge),
# AA14 -> AA23 25 % + AA24 75 % (split). AA21..AA24 are the 2013 codes.
TABLE = pd.DataFrame(
    [
        ("AA11", "2010", "AA21", "2013", "rename", 1.0, ""),
        ("AA12", "2010", "AA22", "2013", "merge", 1.0, ""),
        ("AA13", "2010", "AA22", "2013", "merge", 1.0, ""),
        ("AA14", "2010", "AA23", "2013", "split", 0.25, ""),
        ("AA14", "2010", "AA24", "2013", "split", 0.75, ""),
    ],
    columns=list(nv.RECODING_COLUMNS),
)
KNOWN = {"AA", "AA2", "AA21", "AA22", "AA23", "AA24"}


def obs(rows: list[tuple]) -> pd.DataFrame:
    """Rows (region, year, value, flags[, unit]) of one dataset/sector/indicator."""
    out = []
    for r in rows:
        region, year, value, flags = r[:4]
        unit = r[4] if len(r) > 4 else "NR"
        out.append(("ds", region, region, "2013", "nace_r2", "C", "V16110", unit, "", year, value, flags))
    return pd.DataFrame(out, columns=list(OBSERVATION_COLUMNS))


def pick(frame: pd.DataFrame, region: str, year: int = 2010, unit: str = "NR") -> pd.Series:
    sel = frame[(frame.region == region) & (frame.year == year) & (frame.unit == unit)]
    assert len(sel) == 1, f"{len(sel)} rows for {region} {year}"
    return sel.iloc[0]


@pytest.mark.parametrize(
    ("case", "rows", "region", "value", "flags", "original"),
    [
        ("rename", [("AA11", 2010, 5.0, "b")], "AA21", 5.0, "b", "AA11"),
        (
            "merge, all parts",
            [("AA12", 2010, 2.0, ""), ("AA13", 2010, 3.0, "p")],
            "AA22",
            5.0,
            "p",
            "AA12+AA13",
        ),
        (
            "merge, one part ':'",
            [("AA12", 2010, 2.0, "e"), ("AA13", 2010, NaN, "c")],
            "AA22",
            None,
            "ec",
            "AA12+AA13",
        ),
        ("merge, one part absent", [("AA12", 2010, 2.0, "")], "AA22", None, "", "AA12"),
        ("split, first part", [("AA14", 2010, 100.0, "u")], "AA23", 25.0, "u", "AA14"),
        ("split, second part", [("AA14", 2010, 100.0, "u")], "AA24", 75.0, "u", "AA14"),
        ("known code untouched", [("AA21", 2010, 7.0, "")], "AA21", 7.0, "", "AA21"),
        ("aggregate untouched", [("EU28", 2010, 9.0, "")], "EU28", 9.0, "", "EU28"),
        ("extra-regio untouched", [("AAZZ", 2010, 1.0, "")], "AAZZ", 1.0, "", "AAZZ"),
        (
            "collision: native kept",
            [("AA11", 2010, 5.0, ""), ("AA21", 2010, 6.0, "")],
            "AA21",
            6.0,
            "",
            "AA21",
        ),
        (
            "collision: native ':' yields",
            [("AA11", 2010, 5.0, ""), ("AA21", 2010, NaN, "")],
            "AA21",
            5.0,
            "",
            "AA11",
        ),
        (
            "collision: both ':' native kept",
            [("AA11", 2010, NaN, ""), ("AA21", 2010, NaN, "c")],
            "AA21",
            None,
            "c",
            "AA21",
        ),
    ],
)
def test_recode_cases(
    case: str, rows: list[tuple], region: str, value: float | None, flags: str, original: str
) -> None:
    out, _, unmatched = nv.recode(obs(rows), TABLE, "2013", KNOWN)
    r = pick(out, region)
    if value is None:
        assert math.isnan(r["value"]), case
    else:
        assert r["value"] == pytest.approx(value), case
    assert r["flags"] == flags and r["region_original"] == original, case
    assert set(out.nuts_version) == {"2013"} and list(out.columns) == [*OBSERVATION_COLUMNS, "caveats"]
    caveat = {
        "rename": "converted:nuts_rename",
        "merge": "estimated:jrc_pop_merge",
        "split": "estimated:jrc_pop_split",
    }.get(case.split(",")[0], "")
    if case == "collision: native ':' yields":
        caveat = "converted:nuts_rename"
    assert r["caveats"] == caveat, case
    assert unmatched.empty


@pytest.mark.parametrize(
    ("rows", "region", "expected"),
    [
        ([("AA11", 2010, 5.0, "", "PC")], "AA21", 5.0),  # rename of a percentage: kept
        (
            [("AA12", 2010, 2.0, "", "PC"), ("AA13", 2010, 3.0, "", "PC")],
            "AA22",
            None,
        ),  # no sum of percentages
        ([("AA14", 2010, 10.0, "", "PC")], "AA23", None),
        ([("AA14", 2010, 10.0, "", "THS")], "AA23", 2.5),
    ],
)
def test_non_additive_units(rows: list[tuple], region: str, expected: float | None) -> None:
    out, _, _ = nv.recode(obs(rows), TABLE, "2013", KNOWN)
    unit = rows[0][4]
    v = pick(out, region, unit=unit)["value"]
    assert math.isnan(v) if expected is None else v == expected


def test_applied_and_collisions_are_recorded() -> None:
    rows = [
        ("AA11", 2010, 5.0, ""),
        ("AA21", 2010, 6.0, ""),
        ("AA11", 2011, 4.0, ""),
        ("AA14", 2010, 8.0, ""),
    ]
    out, applied, _ = nv.recode(obs(rows), TABLE, "2013", KNOWN)
    assert list(applied.columns) == list(nv.APPLIED_COLUMNS)
    a = applied.set_index(["code_from", "code_to"])
    assert a.at[("AA11", "AA21"), "n_rows"] == 2 and a.at[("AA11", "AA21"), "n_collisions"] == 1
    assert a.at[("AA14", "AA24"), "method"] == "split" and a.at[("AA14", "AA24"), "weight"] == 0.75
    assert len(out) == 4  # AA21 2010 native, AA21 2011 recoded, AA23 + AA24 2010
    assert not out.duplicated(["region", "year"]).any()


def test_unknown_codes_are_reported_not_dropped() -> None:
    rows = [
        ("AA99", 2010, 1.0, ""),
        ("AA99", 2011, 2.0, ""),
        ("ZZ11", 2010, 3.0, ""),
        ("EU28", 2010, 4.0, ""),
        ("FI18", 2010, 5.0, ""),
    ]
    out, _, unmatched = nv.recode(obs(rows), TABLE, "2013", KNOWN | {"FI1B"})
    assert list(unmatched.columns) == list(nv.UNMATCHED_COLUMNS)
    u = unmatched.set_index("code")
    assert set(u.index) == {"AA99", "ZZ11", "FI18"}  # never the aggregate
    assert u.at["AA99", "n_rows"] == 2 and "not in the NUTS change tables" in u.at["AA99", "reason"]
    assert "country 'ZZ'" in u.at["ZZ11", "reason"]
    assert "FI1B" in u.at["FI18", "reason"]
    assert len(out) == 5 and set(out.region) == {"AA99", "ZZ11", "EU28", "FI18"}


@settings(max_examples=30, deadline=None)
@given(st.floats(min_value=0, max_value=1e9, allow_nan=False))
def test_split_preserves_totals(value: float) -> None:
    out, _, _ = nv.recode(obs([("AA14", 2010, value, "")]), TABLE, "2013", KNOWN)
    assert out.value.sum() == pytest.approx(value)


# --- JRC matrices ---------------------------------------------------------------------------------
def test_read_jrc_matrix_weights(fixtures: Path) -> None:
    m = nv.read_jrc_matrix(fixtures / "eurostat" / "n2_cm_v2010_v2013.csv")
    w = m.set_index(["code_from", "code_to"])["weight"]
    assert w[("AA11", "AA21")] == 1.0
    assert w[("AA14", "AA23")] == pytest.approx(0.25) and w[("AA14", "AA24")] == pytest.approx(0.75)
    assert ("AA15", "AA24") not in w.index and w[("AA15", "AA15")] == 1.0  # 0.05 % sliver dropped
    assert w[("AA16", "AA25")] == pytest.approx(0.8)  # no population: area weights
    assert set(m.version_from) == {"2010"} and set(m.version_to) == {"2013"}
    assert m.groupby("code_from").weight.sum().round(12).eq(1).all()


def test_read_jrc_matrix_covariate(fixtures: Path) -> None:
    m = nv.read_jrc_matrix(fixtures / "eurostat" / "n2_cm_v2010_v2013.csv", covariate="areaKm")
    assert m.set_index(["code_from", "code_to"]).weight[("AA14", "AA23")] == pytest.approx(0.3)
    with pytest.raises(SourceError, match="covariate"):
        nv.read_jrc_matrix(fixtures / "eurostat" / "n2_cm_v2010_v2013.csv", covariate="gdp")


def test_bad_target_version() -> None:
    with pytest.raises(SourceError, match="2010"):
        nv.build_recoding_table(lambda n, u: Path(n), target_version="2010")


def test_change_table_files_names() -> None:
    names = [n for n, _ in nv.change_table_files("2013")]
    assert nv.jrc_name(2, "2010", "2013") in names and cl.NUTS2010_2013_FILE in names
    assert len(names) == 4


# --- the real mirror ------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def table_2013(mirror: Path) -> pd.DataFrame:
    return nv.build_recoding_table(lambda name, url: mirror / name, target_version="2013")


@pytest.fixture(scope="module")
def known_2013(mirror: Path) -> set[str]:
    """NUTS 2013 codes: the official list plus the GISCO 2013 regions (EFTA and candidate countries)."""
    codes = set(cl.read_nuts_regions(mirror / cl.nuts_list_file("2013"), "2013").code)
    at = pd.read_csv(
        mirror / "gisco/nuts/shp/NUTS_2013_60M_SH/data/NUTS_AT_2013.csv", dtype=str, encoding="latin-1"
    )
    return codes | set(at.NUTS_ID.dropna())


@pytest.mark.mirror
def test_mirror_recoding_table(table_2013: pd.DataFrame) -> None:
    t = table_2013.set_index(["code_from", "code_to"])
    assert t.at[("EL11", "EL51"), "method"] == "rename" and "Code change" in t.at[("EL11", "EL51"), "note"]
    assert t.at[("DE41", "DE40"), "method"] == "merge" and t.at[("ITD1", "ITH1"), "method"] == "rename"
    assert t.at[("UKI1", "UKI3"), "method"] == "split"
    assert table_2013.groupby("code_from").weight.sum().round(9).eq(1).all()


@pytest.mark.mirror
@pytest.mark.slow
def test_mirror_sbs_recoding(mirror: Path, table_2013: pd.DataFrame, known_2013: set[str]) -> None:
    raw = eurostat.read_tsv(mirror / eurostat.mirror_name("sbs_r_nuts06_r2"))
    four = {c for c in raw.region.unique() if len(c) == 4}
    assert len(four) == 326  # PROVENANCE 9.7
    assert len(four & known_2013) == 283 + 8  # 283 NUTS 2013 L2 ids + 8 xxZZ extra-regio
    out, applied, unmatched = nv.recode(raw, table_2013, "2013", known_2013)
    assert set(unmatched.code) == {"FI18", "UKD2", "UKD5"}  # NUTS 2006 splits without weights
    assert unmatched.reason.str.contains("NUTS 2006").all()
    still = {c for c in out.region.unique() if len(c) == 4 and cl.geo_kind(c) == "nuts"} - known_2013
    assert still == {"FI18", "UKD2", "UKD5"}
    assert {"EL11", "ITD1", "DE41", "DED1", "FR91", "FI13", "SI01", "UKI1"} <= set(applied.code_from)
    assert not out.duplicated(["region", "sector", "indicator", "unit", "breakdown", "year"]).any()
    el51 = out[(out.region == "EL51") & (out.sector == "C") & (out.indicator == "V16110")].set_index("year")
    assert el51.at[2012, "region_original"] == "EL11" and el51.at[2014, "region_original"] == "EL51"
    assert el51.at[2010, "value"] == 18844.0  # EL11's value in the file, now under EL51


@pytest.mark.mirror
def test_mirror_lfs_recoding(mirror: Path, table_2013: pd.DataFrame, known_2013: set[str]) -> None:
    raw = eurostat.read_tsv(mirror / eurostat.mirror_name("lfst_r_lfe2en2"))
    out, applied, unmatched = nv.recode(raw, table_2013, "2013", known_2013)
    assert unmatched.empty  # EL, FR9, SI, UKI recoded; EA/EU aggregates untouched
    assert {"EU28", "EA19"} <= set(out.region)
