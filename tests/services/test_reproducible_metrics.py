"""The same store gives the same statistics, to the last bit, at DuckDB's default threads: the metrics
step sums in fixed point (stats/tables._xsum: persons to 6 decimals, shares to 18), so no sum depends on
how the rows are split between threads, and it reads the cube in key order before the pandas quality
rules. With float sums two materialisations of the mirror store differed in about 45,000 of its 417,014
metric rows (last bits of sector and benchmark totals, LQs; now and then a threshold flag); with exact
sums but the cube read in scan order, in 14 (the NACE bounds of confidential cells).
"""

from __future__ import annotations

import shutil
from pathlib import Path

import duckdb
import pytest

from cluster_map.services import metrics

pytestmark = [pytest.mark.mirror, pytest.mark.slow]

TABLES = ("metrics", "region_indices", "sector_indices")


def _differing(a: Path, b: Path) -> dict[str, int]:
    con = duckdb.connect()
    try:
        con.execute("ATTACH ? AS a (READ_ONLY)", [str(a)])
        con.execute("ATTACH ? AS b (READ_ONLY)", [str(b)])
        return {
            t: con.execute(
                f"SELECT count(*) FROM (SELECT * FROM a.{t} EXCEPT ALL SELECT * FROM b.{t})"
            ).fetchone()[0]  # type: ignore[index]  # noqa: S608 - constant names
            for t in TABLES
        }
    finally:
        con.close()


def test_two_materialisations_of_one_store_are_bit_identical(mirror_store: Path, tmp_path: Path) -> None:
    assert metrics.METRIC_THREADS is None  # every core: the test is of the parallel plan
    copies = [tmp_path / f"{n}.duckdb" for n in ("first", "second")]
    for copy in copies:
        shutil.copy(mirror_store, copy)
        metrics.materialise(copy)
    assert _differing(*copies) == dict.fromkeys(TABLES, 0)
    # and equal to the store the session's ingest built (the same code on the same observations)
    assert _differing(copies[0], mirror_store) == dict.fromkeys(TABLES, 0)


def test_the_check_sees_a_changed_bit(mirror_store: Path, tmp_path: Path) -> None:
    """The comparison itself can fail: one LQ moved by one unit in the last place is one differing row."""
    copy = tmp_path / "changed.duckdb"
    shutil.copy(mirror_store, copy)
    con = duckdb.connect(str(copy))
    try:
        con.execute(
            "UPDATE metrics SET lq = nextafter(lq, 1e9) WHERE rowid = (SELECT min(rowid) FROM metrics WHERE lq > 0)"
        )
    finally:
        con.close()
    assert _differing(copy, mirror_store) == {"metrics": 1, "region_indices": 0, "sector_indices": 0}
