"""Ingest of today's datasets: the mirror plus current-layout fixtures under ``eurostat/api/``.

``current_store`` (tests/conftest.py) is the real mirror with ``sbs_r_nuts2021``, ``nama_10r_3empers``
and ``nama_10r_3gva`` added as small files in the exact current API layout.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cluster_map.errors import ClusterMapError
from cluster_map.services.ingest import ingest
from cluster_map.store import database

pytestmark = pytest.mark.mirror


def _q(db: Path, sql: str, params: list[object] | None = None):  # type: ignore[no-untyped-def]
    con = database.connect(db, read_only=True)
    try:
        return database.query(con, sql, params or [])
    finally:
        con.close()


def test_sbs_r_nuts2021_keeps_its_nuts_2021_and_2024_codes_with_geometry(current_store: Path) -> None:
    m = _q(
        current_store,
        """
        SELECT year, nuts_version, count(*) AS n, count(lq) AS n_lq,
               count(*) FILTER (WHERE region = 'FRK2') AS frk2
        FROM metrics WHERE dataset = 'sbs_r_nuts2021' AND level = 2 GROUP BY ALL ORDER BY year""",
    )
    assert m["nuts_version"].tolist() == ["2021", "2021", "2021", "2024"]
    assert (m["n_lq"] > 0).all() and (m["frk2"] > 0).all()
    # every mapped region has a geometry of its own version (none was dropped as 'unmatched')
    missing = _q(
        current_store,
        """
        SELECT DISTINCT m.region, m.nuts_version FROM metrics m
        WHERE m.dataset = 'sbs_r_nuts2021' AND NOT EXISTS (
            SELECT 1 FROM geometries g WHERE g.code = m.region AND g.nuts_version = m.nuts_version)""",
    )
    assert missing.empty
    regions = set(
        _q(
            current_store,
            "SELECT DISTINCT region FROM metrics WHERE dataset = 'sbs_r_nuts2021' AND level = 2",
        )["region"]
    )
    assert {"FRK2", "HU11", "HU12", "IE05", "IE06", "LT01", "LT02", "PL91", "PL92"} <= regions


def test_sbs_r_nuts2021_lq_by_hand(current_store: Path) -> None:
    """LQ of HU11 in C29 2021: the region's published business-economy total (B-S_X_O_S94) is E_r, the
    benchmark is the sum over the dataset's regions (HU99, which matches no region, is not one)."""
    obs = _q(
        current_store,
        """
        SELECT region, sector, value FROM observations
        WHERE dataset = 'sbs_r_nuts2021' AND indicator = 'EMP_LOC_NR' AND year = 2021
          AND sector IN ('C29', 'B-S_X_O_S94') AND length(region) = 4 AND region <> 'HU99'""",
    )
    e = obs.pivot_table(index="region", columns="sector", values="value", aggfunc="sum")
    total = e["B-S_X_O_S94"]
    expected = (e.loc["HU11", "C29"] / total["HU11"]) / (e["C29"].sum() / total.sum())
    got = _q(
        current_store,
        "SELECT lq FROM metrics WHERE dataset = 'sbs_r_nuts2021' AND region = 'HU11' "
        "AND sector = 'C29' AND year = 2021",
    )["lq"].iloc[0]
    assert got == pytest.approx(expected, rel=1e-12)
    assert got == pytest.approx((12300 / 410000) / (198737 / 5920000), rel=1e-12)


def test_nama_10r_3empers_has_nuts_3_metrics_in_persons(current_store: Path) -> None:
    m = _q(
        current_store,
        "SELECT region, employment, lq FROM metrics WHERE dataset = 'nama_10r_3empers' "
        "AND level = 3 AND sector = 'C' AND year = 2019 ORDER BY region",
    )
    assert m["region"].tolist() == ["AT111", "AT112", "AT113", "AT121", "AT122", "AT130"]
    assert m.set_index("region").loc["AT130", "employment"] == pytest.approx(
        80.5 * 1000
    )  # "80.5 " in the file


def test_older_codes_are_converted_with_the_jrc_matrices_and_say_so(current_store: Path) -> None:
    rec = _q(
        current_store,
        "SELECT code_from, code_to, method, weight FROM nuts_recodes "
        "WHERE dataset = 'nama_10r_3empers' ORDER BY code_from, code_to",
    )
    by = {(r.code_from, r.code_to): (r.method, r.weight) for r in rec.itertuples()}
    assert by[("FR71", "FRK2")] == ("rename", 1.0)  # Rhône-Alpes: FR71 (2013) is FRK2 (2016-)
    assert by[("NO01", "NO08")][0] == "merge"  # Oslo og Viken = Oslo og Akershus + part of Sør-Østlandet
    w_no03 = by[("NO03", "NO08")][1]
    assert by[("UKI1", "UKI3")][0] == "split"  # Inner London (2010) -> Inner London West / East
    w3, w4 = by[("UKI1", "UKI3")][1], by[("UKI1", "UKI4")][1]
    assert w3 + w4 == pytest.approx(1.0) and w3 == pytest.approx(0.3374, abs=1e-3)
    obs = _q(
        current_store,
        """
        SELECT region, region_original, value, caveats FROM observations
        WHERE dataset = 'nama_10r_3empers' AND sector = 'TOTAL' AND year = 2019
          AND region IN ('FRK2', 'NO08', 'NO09', 'UKI3', 'UKI4')""",
    ).set_index("region")
    assert obs.loc["NO08", "value"] == pytest.approx(720.0 + w_no03 * 510.0)
    assert obs.loc["NO08", "region_original"] == "NO01+NO03"
    assert obs.loc["NO08", "caveats"] == "estimated:jrc_pop_merge"
    assert obs.loc["UKI3", "value"] == pytest.approx(2100.0 * w3)
    assert obs.loc["UKI4", "caveats"] == "estimated:jrc_pop_split"
    assert obs.loc["FRK2", "caveats"] == "converted:nuts_rename"
    assert obs["value"].isna()["NO09"]  # NO09 also needs NO04, which the file lacks: no value, not a guess


def test_an_unknown_region_code_fails_the_ingest_naming_file_line_and_value(
    current_store: Path, current_mirror: Path, tmp_path: Path, mirror: Path
) -> None:
    """HU99 is in no NUTS version and the catalogue does not tolerate it: reloading the fixture that holds it
    (line 16) fails, naming the file, the line and both versions' rows, and leaves the store byte for byte."""
    import hashlib
    import shutil

    from tests.conftest import FIXTURES, overlay_mirror

    root = overlay_mirror(
        tmp_path / "m", mirror, {"sbs_r_nuts2021": FIXTURES / "eurostat/api/sbs_r_nuts2021.tsv"}
    )
    db = tmp_path / "store.duckdb"
    shutil.copy(current_store, db)
    before = hashlib.sha256(db.read_bytes()).hexdigest()
    with pytest.raises(ClusterMapError) as err:
        ingest(source=str(root), db=db, progress=False, datasets=["sbs_r_nuts2021"])
    problems = err.value.problems  # type: ignore[attr-defined]
    assert problems == [
        "eurostat/api/sbs_r_nuts2021.tsv.gz: line 16: unknown region code 'HU99' (no NUTS 2021 geometry: not a "
        "NUTS 2021 code and not in the NUTS change tables; 3 rows)",
        "eurostat/api/sbs_r_nuts2021.tsv.gz: line 16: unknown region code 'HU99' (no NUTS 2024 geometry: not a "
        "NUTS 2024 code and not in the NUTS change tables; 1 row)",
    ]
    assert hashlib.sha256(db.read_bytes()).hexdigest() == before
    assert _q(db, "SELECT count(*) AS n FROM observations WHERE region = 'HU99'")["n"].iloc[0] == 0


def test_optional_datasets_absent_from_the_mirror_are_skipped_with_a_line(mirror_store: Path) -> None:
    rows = _q(mirror_store, "SELECT code FROM datasets WHERE code IN ('sbs_r_nuts2021', 'nama_10r_3empers')")
    assert rows.empty


def test_a_dataset_that_would_be_empty_fails_the_ingest_loudly(tmp_path: Path, mirror: Path) -> None:
    from tests.conftest import overlay_mirror

    bad = tmp_path / "sbs_r_nuts2021.tsv"
    text = (Path(__file__).resolve().parent.parent / "fixtures/eurostat/api/sbs_r_nuts2021.tsv").read_text()
    # every region code of another country: the file parses, but no row can be placed on a map
    swap = {",HU": ",QA", ",IE": ",QB", ",LT": ",QC", ",PL": ",QD", ",FR": ",QE", ",AT": ",QF"}
    lines = text.splitlines()
    for old, new in swap.items():
        lines = [lines[0]] + [ln.replace(old, new) for ln in lines[1:]]
    bad.write_text("\n".join(lines) + "\n")
    root = overlay_mirror(tmp_path / "m", mirror, {"sbs_r_nuts2021": bad})
    db = tmp_path / "store.duckdb"
    # the unknown codes are refused before the metrics would find nothing to compute
    with pytest.raises(
        ClusterMapError, match=r"Unknown codes in eurostat/api/sbs_r_nuts2021.tsv.gz(.|\n)*'QA11'"
    ):
        ingest(source=str(root), db=db, progress=False)
    assert not db.exists()  # nothing half-built was left behind
