"""US Cluster Mapping readers: known counts and values on the mirror, bad inputs from tiny files."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cluster_map.errors import SourceError
from cluster_map.schema import OBSERVATION_COLUMNS
from cluster_map.sources import us_cmp
from cluster_map.sources.fetch import SourceResolver


def _resolver(root: Path) -> SourceResolver:
    return SourceResolver(source=str(root), notify=lambda _m: None)


@pytest.fixture(scope="module")
def mirror_resolver(mirror: Path) -> SourceResolver:
    return _resolver(mirror)


@pytest.mark.mirror
def test_benchmark_clusters(mirror_resolver: SourceResolver) -> None:
    clusters = us_cmp.read_clusters(mirror_resolver)
    sectors = clusters.sectors
    assert tuple(sectors.columns) == us_cmp.SECTOR_COLUMNS
    top = sectors[sectors["scheme"] == "us_cluster"]
    assert len(top) == 67 and top["sector_type"].value_counts().to_dict() == {"traded": 51, "local": 16}
    by = top.set_index("code")
    assert by.at["1", "label"] == "Aerospace Vehicles and Defense"
    assert by.at["8", "label"] == "Communications Equipment and Services"  # 2014 benchmark, not legacy
    assert by.at["116", "sector_type"] == "local"
    subs = sectors[sectors["scheme"] == "us_subcluster"]
    assert set(subs["parent"]) <= set(top["code"]) and (subs["level"] == 2).all()
    assert subs.set_index("code").at["1.1", "label"] == "Aircraft"
    naics = clusters.cluster_naics
    assert tuple(naics.columns) == us_cmp.NAICS_COLUMNS
    assert naics["naics"].str.fullmatch(r"\d{6}").all() and not naics["naics"].duplicated().any()
    assert set(naics["cluster_code"]) == set(top["code"])
    assert "336411" in set(naics.loc[naics["cluster_code"] == "1", "naics"])  # aircraft manufacturing


@pytest.mark.mirror
def test_legacy_cluster_list_is_its_own_scheme(mirror_resolver: SourceResolver) -> None:
    legacy = us_cmp.read_legacy_clusters(mirror_resolver)
    top = legacy.sectors[legacy.sectors["scheme"] == "us_cluster_2007"].set_index("code")
    assert len(top) == 67 and top.at["8", "label"] == "Chemical Products"
    assert len(legacy.cluster_naics) == 1099


@pytest.mark.mirror
def test_related_clusters(mirror_resolver: SourceResolver) -> None:
    related, fetched = us_cmp.read_related(mirror_resolver)
    assert tuple(related.columns) == us_cmp.RELATED_COLUMNS
    assert len(related) == 2601 and related["cluster_a"].nunique() == 51
    assert int(related["related_90"].sum()) == 256
    row = related[(related["cluster_a"] == "1") & (related["cluster_b"] == "1")].iloc[0]
    assert row["relatedness"] == pytest.approx(2.205119) and row["relatedness_pct"] == 99
    assert fetched.name.endswith("relatedClusters.json")


@pytest.mark.mirror
def test_state_observations(mirror_resolver: SourceResolver) -> None:
    obs = us_cmp.read_states(mirror_resolver)
    frame = obs.frame
    assert tuple(frame.columns) == OBSERVATION_COLUMNS
    assert len(frame) == 3350 * 5 and obs.dataset == "us_cmp_states_2016"
    assert not frame.duplicated(["region", "sector", "indicator", "year"]).any()
    emp = frame[frame["indicator"] == "emp"].set_index(["region", "sector"])["value"]
    assert emp[("01", "116")] == 10811  # first data line of the file
    assert frame.groupby("indicator")["unit"].first().to_dict() == {
        "ap": "USD_THS",
        "emp": "NR",
        "est": "NR",
        "qp1": "USD_THS",
        "wage": "USD",
    }
    assert set(frame["flags"]) == {""} and (frame["year"] == 2016).all()


@pytest.mark.mirror
def test_totals(mirror_resolver: SourceResolver) -> None:
    frame = us_cmp.read_totals(mirror_resolver).frame
    assert len(frame) == 134 and (frame["region"] == "US").all()
    total = frame[frame["indicator"] == "type_total_emp"].set_index("sector")["value"]
    assert total["1"] == 45242109 and total["116"] == 81486213


# --- bad inputs ---------------------------------------------------------------------------------
def _states_copy(tmp_path: Path, mirror: Path, edit) -> SourceResolver:
    src = mirror / us_cmp.STATES.path
    raw = pd.read_csv(src, dtype=str, keep_default_na=False)
    target = tmp_path / us_cmp.STATES.path
    target.parent.mkdir(parents=True)
    edit(raw).to_csv(target, index=False)
    return _resolver(tmp_path)


@pytest.mark.mirror
def test_duplicate_and_bad_numbers_are_all_reported(tmp_path: Path, mirror: Path) -> None:
    def edit(raw: pd.DataFrame) -> pd.DataFrame:
        raw.loc[5, "emp_tl"] = "12x"
        raw.loc[7, "est_tl"] = "n/a"
        return pd.concat([raw, raw.iloc[[0]]], ignore_index=True)

    with pytest.raises(SourceError) as err:
        us_cmp.read_states(_states_copy(tmp_path, mirror, edit))
    text = str(err.value)
    assert "line 7, column 'emp_tl': '12x' is not a number" in text
    assert "line 9, column 'est_tl': 'n/a' is not a number" in text
    assert "appears more than once" in text and "3351 rows" in text


@pytest.mark.mirror
def test_missing_state_is_reported(tmp_path: Path, mirror: Path) -> None:
    with pytest.raises(SourceError, match=r"3283 rows for 49 states x 67 clusters"):
        us_cmp.read_states(_states_copy(tmp_path, mirror, lambda r: r[r["region_code_t"] != "01"]))


def test_missing_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SourceError, match=r"all_states_clusters\.csv.*not found"):
        us_cmp.read_states(_resolver(tmp_path))


def test_missing_column_is_named(tmp_path: Path) -> None:
    target = tmp_path / us_cmp.TOTALS.path
    target.parent.mkdir(parents=True)
    target.write_text("year,cluster_code_t,us_emp\n2016,1,5\n")
    with pytest.raises(SourceError, match=r"lacks column\(s\) \['cluster_type', 'us_type_total_emp'\]"):
        us_cmp.read_totals(_resolver(tmp_path))


def test_malformed_related_json(tmp_path: Path) -> None:
    target = tmp_path / us_cmp.RELATED.path
    target.parent.mkdir(parents=True)
    target.write_text('[{"clustera": "1", "clusterb": "2"')
    with pytest.raises(SourceError, match=r"relatedClusters\.json' is not valid JSON"):
        us_cmp.read_related(_resolver(tmp_path))


def test_related_pairs_from_a_tiny_file(tmp_path: Path) -> None:
    target = tmp_path / us_cmp.RELATED.path
    target.parent.mkdir(parents=True)
    target.write_text(
        '[{"clustera": "1", "clusterb": "2", "cr_all": "0.5", "cr_all_pc": "91", "rel_all_90_v3": "1"},'
        ' {"clustera": "2", "clusterb": "1", "cr_all": "", "cr_all_pc": "12", "rel_all_90_v3": "0"}]'
    )
    related, _ = us_cmp.read_related(_resolver(tmp_path))
    assert related["related_90"].tolist() == [True, False]
    assert related["relatedness"].iloc[0] == 0.5 and pd.isna(related["relatedness"].iloc[1])
