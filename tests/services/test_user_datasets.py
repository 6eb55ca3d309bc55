"""Bring your own dataset: ``cluster-map ingest --add FILE --code CODE [--spec SPEC.toml]``."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from cluster_map import catalogue
from cluster_map.errors import ClusterMapError, InputError, SourceError
from cluster_map.services.user_datasets import add_dataset
from cluster_map.store import database

API = Path(__file__).resolve().parent.parent / "fixtures" / "eurostat" / "api"
pytestmark = pytest.mark.mirror

LONG = """region,sector,year,employment,establishments
AT11,C,2020,12000,800
AT11,F,2020,6000,900
AT12,C,2020,80000,4000
AT12,F,2020,30000,3100
AT13,C,2020,70000,2500
AT13,F,2020,55000,6000
"""


def _sha(p: Path) -> str:
    return hashlib.sha256(p.read_bytes()).hexdigest()


def _q(db: Path, sql: str, params: list[object] | None = None):  # type: ignore[no-untyped-def]
    con = database.connect(db, read_only=True)
    try:
        return database.query(con, sql, params or [])
    finally:
        con.close()


@pytest.fixture(autouse=True)
def _clean_registry():  # type: ignore[no-untyped-def]
    yield
    for d in catalogue.user_datasets():
        catalogue.forget(d.code)


def test_a_long_csv_becomes_a_dataset_with_metrics(store_copy: Path, tmp_path: Path) -> None:
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    added = add_dataset(f, code="my_jobs", db=store_copy)
    assert (
        added.kind == "long_csv"
        and added.rows == 12
        and added.nuts_version in ("2013", "2016", "2021", "2024")
    )
    assert added.matched == 3 and added.metric_rows > 0
    m = _q(
        store_copy,
        "SELECT region, sector, lq FROM metrics WHERE dataset = 'my_jobs' AND sector = 'C' ORDER BY region",
    ).set_index("region")
    # LQ by hand: (12000 / 18000) / (162000 / 253000)
    assert m.loc["AT11", "lq"] == pytest.approx((12000 / 18000) / (162000 / 253000), rel=1e-12)
    prov = _q(store_copy, "SELECT retrieved_from, source_url FROM datasets WHERE code = 'my_jobs'")
    assert prov["retrieved_from"].iloc[0] == "user:jobs.csv"
    # a new process that opens the store knows the dataset like a catalogued one
    catalogue.forget("my_jobs")
    database.connect(store_copy).close()
    ds = catalogue.dataset("my_jobs")
    assert ds.mapped and ds.is_statistics and ds.establishments is not None


def test_a_current_layout_tsv_with_a_spec(store_copy: Path, tmp_path: Path) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'title = "Local units, my copy"\nindicator_dim = "indic_sbs"\nunit_dim = "unit"\n'
        'nuts_version = "2021"\nnuts_by_year = {2024 = "2024"}\n'
        'employment = {indicator = "EMP_LOC_NR", unit = "persons employed"}\n'
        'total_code = "B-S_X_O_S94"\ntolerated = {region = ["HU99"]}\n'
    )
    spec.write_text(spec.read_text().replace('unit_dim = "unit"\n', ""))
    added = add_dataset(API / "sbs_r_nuts2021.tsv", code="my_sbs", spec_file=spec, db=store_copy)
    assert added.unmatched == ("HU99",)  # tolerated by the spec, still listed
    # the file's other indicators are named in the summary with their rows, not silently dropped
    others = dict(added.other_indicators)
    assert set(others) == {"LOC_NR", "WAGE_LOC_MEUR"} and all(n > 0 for n in others.values())
    assert "indicator codes no cell of the spec uses" in "\n".join(added.lines())
    assert "LOC_NR (" in "\n".join(added.lines())
    assert catalogue.dataset("my_sbs").tolerance("region", "HU99") == catalogue.SPEC_TOLERATED
    versions = _q(
        store_copy, "SELECT DISTINCT year, nuts_version FROM metrics WHERE dataset = 'my_sbs' ORDER BY 1"
    )
    assert dict(zip(versions["year"], versions["nuts_version"], strict=True)) == {
        2021: "2021",
        2022: "2021",
        2023: "2021",
        2024: "2024",
    }
    same = _q(
        store_copy,
        "SELECT a.lq AS a FROM metrics a WHERE a.dataset = 'my_sbs' AND a.region = 'HU11' "
        "AND a.sector = 'C29' AND a.year = 2021",
    )
    assert same["a"].iloc[0] == pytest.approx((12300 / 410000) / (198737 / 5920000), rel=1e-12)


def test_an_unknown_region_not_tolerated_by_the_spec_is_refused_with_its_line(
    store_copy: Path, tmp_path: Path
) -> None:
    spec = tmp_path / "spec.toml"
    spec.write_text(
        'indicator_dim = "indic_sbs"\nnuts_version = "2021"\nnuts_by_year = {2024 = "2024"}\n'
        'employment = {indicator = "EMP_LOC_NR", unit = "persons employed"}\n'
    )
    before = _sha(store_copy)
    with pytest.raises(SourceError) as err:
        add_dataset(API / "sbs_r_nuts2021.tsv", code="my_sbs", spec_file=spec, db=store_copy)
    assert "sbs_r_nuts2021.tsv: line 16: unknown region code 'HU99'" in str(err.value)
    assert "the spec file's 'tolerated' key" in str(err.value)
    assert _sha(store_copy) == before


def test_an_unknown_sector_in_a_long_csv_is_refused_with_its_line(store_copy: Path, tmp_path: Path) -> None:
    f = tmp_path / "jobs.csv"
    f.write_text(LONG + "AT13,Z99,2020,10,1\n")
    before = _sha(store_copy)
    with pytest.raises(
        SourceError, match=r"jobs.csv: line 8: unknown sector code 'Z99' \(not in the NACE Rev. 2"
    ):
        add_dataset(f, code="my_jobs", db=store_copy)
    assert _sha(store_copy) == before


def test_without_a_spec_an_ambiguous_file_is_refused_and_the_store_kept(store_copy: Path) -> None:
    before = _sha(store_copy)
    with pytest.raises(InputError, match=r"candidate employment cells .*EMP_LOC_NR.*spec file"):
        add_dataset(API / "sbs_r_nuts2021.tsv", code="my_sbs", db=store_copy)
    assert _sha(store_copy) == before


@pytest.mark.parametrize(
    ("text", "error", "match"),
    [
        (
            "region,sector,year,employment\nAT11,C,2020,ten\n",
            SourceError,
            r"line 2, column 'employment': 'ten'",
        ),
        ("region,sector,year,employment\nAT11,C,2020,1\nAT11,C,2020,2\n", SourceError, "line 3: duplicate"),
        ("a,b\n1,2\n", SourceError, "neither a Eurostat TSV header"),
        ("", SourceError, "empty"),
    ],
)
def test_bad_files_name_the_line_and_leave_the_store(
    store_copy: Path, tmp_path: Path, text: str, error: type[Exception], match: str
) -> None:
    f = tmp_path / "bad.csv"
    f.write_text(text)
    before = _sha(store_copy)
    with pytest.raises(error, match=match):
        add_dataset(f, code="my_bad", db=store_copy)
    assert _sha(store_copy) == before


def test_a_catalogued_code_or_a_bad_code_is_refused(store_copy: Path, tmp_path: Path) -> None:
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    with pytest.raises(InputError, match="is a catalogued dataset"):
        add_dataset(f, code="sbs_r_nuts06_r2", db=store_copy)
    with pytest.raises(InputError, match="lower case"):
        add_dataset(f, code="My Jobs", db=store_copy)


def test_a_full_ingest_keeps_the_users_dataset(tmp_path: Path, mirror_store: Path, mirror: Path) -> None:
    from cluster_map.services.ingest import ingest

    db = tmp_path / "s.duckdb"
    shutil.copy(mirror_store, db)
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    add_dataset(f, code="my_jobs", db=db)
    catalogue.forget("my_jobs")
    ingest(source=str(mirror), db=db, progress=False)
    n = _q(db, "SELECT count(*) AS n FROM metrics WHERE dataset = 'my_jobs'")["n"].iloc[0]
    assert n > 0


def test_the_cli_adds_a_file(store_copy: Path, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from cluster_map.cli.main import app, register_commands

    register_commands()
    f = tmp_path / "jobs.csv"
    f.write_text(LONG)
    res = CliRunner().invoke(app, ["ingest", "--add", str(f), "--code", "my_jobs", "--db", str(store_copy)])
    assert res.exit_code == 0, res.output
    assert "Added 'my_jobs' from jobs.csv (long_csv): 12 rows" in res.output
    res = CliRunner().invoke(app, ["ingest", "--add", str(f), "--db", str(store_copy)])
    assert res.exit_code != 0 and "--code" in res.output
    assert isinstance(ClusterMapError("x"), Exception)
