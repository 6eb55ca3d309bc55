"""Value added per person employed (``gva_ratio``) through the real ingest -> metrics path.

The fixtures under ``tests/fixtures/eurostat/api/gva/`` are small files in the exact current Eurostat API
TSV layout (``freq,unit,...,geo\\TIME_PERIOD`` header, years ascending, ``value flags`` cells, ``:`` and
``: c``): nama_10r_3empers (thousand persons; a ``SAL`` row beside each ``EMP`` row, which the pin
``wstatus=EMP`` must drop) and nama_10r_3gva (EUR million; a ``PPS_EU27_2020`` row beside each
``MIO_EUR`` row, which the pin ``unit=MIO_EUR`` must drop), for Austria's NUTS 2 and 3 regions of AT11
and AT12, sectors C, F and TOTAL, 2020-2021; and Croatia's sector F and TOTAL, whose employment is
published for the NUTS 2021 regions HR02, HR05, HR06 and whose value added only for their NUTS 2016
parent HR04 (split at ingest by the JRC converter's population weights).

Two stores are built once for the module over the real mirror: one without nama_10r_3gva, one with it
(the first plus ``ingest --only nama_10r_3gva``).
"""

from __future__ import annotations

import html
import shutil
from pathlib import Path
from typing import Any

import pandas as pd
import pytest

from cluster_map.services.ingest import ingest
from cluster_map.store import database
from tests.conftest import FIXTURES, overlay_mirror

pytestmark = pytest.mark.mirror

GVA = FIXTURES / "eurostat" / "api" / "gva"
#: The columns that value added may change; everything else of table ``metrics`` must not move.
PRODUCTIVITY = ("gva_per_person", "gva_ratio", "productivity_star", "performance", "productivity_basis")


def _q(db: Path, sql: str, params: list[object] | None = None) -> pd.DataFrame:
    con = database.connect(db, read_only=True)
    try:
        return database.query(con, sql, params or [])
    finally:
        con.close()


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory, mirror: Path) -> dict[str, Any]:
    root = tmp_path_factory.mktemp("gva")
    only_emp = overlay_mirror(root / "mirror_emp", mirror, {"nama_10r_3empers": GVA / "nama_10r_3empers.tsv"})
    both = overlay_mirror(
        root / "mirror_both",
        mirror,
        {"nama_10r_3empers": GVA / "nama_10r_3empers.tsv", "nama_10r_3gva": GVA / "nama_10r_3gva.tsv"},
    )
    without = root / "without.duckdb"
    first = ingest(source=str(only_emp), db=without, progress=False)
    with_gva = root / "with.duckdb"
    shutil.copy(without, with_gva)
    second = ingest(source=str(both), db=with_gva, progress=False, datasets=["nama_10r_3gva"])
    return {"without": without, "with": with_gva, "summaries": (first, second)}


def _nama(db: Path, *, sector: str, year: int, level: int) -> pd.DataFrame:
    return _q(
        db,
        """
        SELECT region, employment, gva_per_person, gva_ratio, wage_ratio, productivity_star, performance,
               productivity_basis
        FROM metrics WHERE dataset = 'nama_10r_3empers' AND sector = ? AND year = ? AND level = ?
        ORDER BY region""",
        [sector, year, level],
    ).set_index("region")


def test_gva_ratio_by_hand_at_nuts_3(stores: dict[str, Any]) -> None:
    """C 2021, NUTS 3 (EUR million x 1e6 / thousand persons x 1000):
    AT111 200 / 2.0 -> 100,000 EUR; AT112 800 p / 10.0 -> 80,000; AT121 200 / 4.0 p -> 50,000;
    AT113 ``: c`` and AT122 ``:`` are left out of both sums, never zero.
    European level 1,200e6 / 16,000 = 75,000 EUR: ratios 4/3, 16/15, 2/3 (counting the two unpublished
    cells as zero would give a level of 1,200e6 / 24,000 = 50,000 and ratios 2, 1.6, 1)."""
    m = _nama(stores["with"], sector="C", year=2021, level=3)
    assert m.loc["AT111", "employment"] == pytest.approx(2000.0)  # thousand persons -> persons, EMP not SAL
    assert m.loc["AT111", "gva_per_person"] == pytest.approx(100_000.0)  # MIO_EUR, not PPS
    assert m.loc["AT112", "gva_per_person"] == pytest.approx(80_000.0)
    assert m.loc["AT121", "gva_per_person"] == pytest.approx(50_000.0)
    assert m.loc["AT111", "gva_ratio"] == pytest.approx(4 / 3, rel=1e-12)
    assert m.loc["AT112", "gva_ratio"] == pytest.approx(16 / 15, rel=1e-12)
    assert m.loc["AT121", "gva_ratio"] == pytest.approx(2 / 3, rel=1e-12)
    for confidential in ("AT113", "AT122"):
        assert pd.isna(m.loc[confidential, "gva_ratio"]) and pd.isna(m.loc[confidential, "gva_per_person"])
        assert pd.isna(m.loc[confidential, "productivity_star"]) and pd.isna(
            m.loc[confidential, "performance"]
        )
        assert m.loc[confidential, "employment"] == pytest.approx(
            2000.0 if confidential == "AT113" else 4000.0
        )
    # bands read the value added ratio: 1.333 high, 1.067 medium, 0.667 basic
    assert m.loc[["AT111", "AT112", "AT121"], "performance"].tolist() == ["high", "medium", "basic"]
    # Q90 of (2/3, 16/15, 4/3), linear: 16/15 + 0.8 * (4/3 - 16/15) = 1.28 -> only AT111 (2,000 >= 1,000 persons)
    assert m.loc[["AT111", "AT112", "AT121"], "productivity_star"].tolist() == [True, False, False]
    assert set(m["productivity_basis"].dropna()) == {"value_added"}
    assert m["wage_ratio"].isna().all()  # regional accounts publish no wages here


def test_gva_ratio_by_hand_at_nuts_2(stores: dict[str, Any]) -> None:
    """C 2021, NUTS 2: AT11 1,000 / 14.0 -> 71,428.57 EUR, AT12 440 / 8.0 p -> 55,000; level 1,440e6 / 22,000
    = 65,454.55: ratios 1.0913 (medium, just under 1.10) and 0.8403 (basic); Q90 of the two = 1.0662: AT11."""
    m = _nama(stores["with"], sector="C", year=2021, level=2)
    level = 1440e6 / 22_000
    assert m.loc["AT11", "gva_ratio"] == pytest.approx((1000e6 / 14_000) / level, rel=1e-12)
    assert m.loc["AT12", "gva_ratio"] == pytest.approx(55_000 / level, rel=1e-12)
    assert m.loc["AT11", "gva_ratio"] == pytest.approx(1.091270, abs=1e-6)
    assert m.loc["AT12", "gva_ratio"] == pytest.approx(0.840278, abs=1e-6)
    assert m["performance"].tolist() == ["medium", "basic"]
    assert m["productivity_star"].tolist() == [True, False]


def test_employment_weighted_mean_of_the_ratio_is_one_in_every_partition(stores: dict[str, Any]) -> None:
    """sum_r E_rs ratio_rs / sum_r E_rs = 1 over the regions with a ratio, per level, sector and year."""
    g = _q(
        stores["with"],
        """
        SELECT level, sector, year, sum(employment * gva_ratio) / sum(employment) AS mean, count(*) AS n
        FROM metrics WHERE dataset = 'nama_10r_3empers' AND gva_ratio IS NOT NULL GROUP BY ALL""",
    )
    assert len(g) == 8 and (g["n"] >= 2).all()  # levels 2, 3 x sectors C, F x years 2020, 2021
    assert g["mean"].to_numpy() == pytest.approx(1.0, rel=1e-12)


def test_without_nama_10r_3gva_the_ratio_is_null_and_nothing_else_changes(stores: dict[str, Any]) -> None:
    without = _q(stores["without"], "SELECT * FROM metrics")
    with_gva = _q(stores["with"], "SELECT * FROM metrics")
    assert without["gva_ratio"].isna().all() and without["gva_per_person"].isna().all()
    nama = without[without["dataset"] == "nama_10r_3empers"]
    assert len(nama) and nama[list(PRODUCTIVITY)].isna().all().all()  # no wages, no value added: no star
    # loading value added changes only the productivity columns of nama_10r_3empers
    keys = ["dataset", "nuts_version", "level", "sector_scheme", "sector_level", "sector", "year", "region",
            "benchmark"]  # fmt: skip
    a = without.sort_values(keys).reset_index(drop=True)
    b = with_gva.sort_values(keys).reset_index(drop=True)
    assert a[keys].equals(b[keys])
    other = [c for c in a.columns if c not in (*PRODUCTIVITY, "caveats")]
    nama_rows = a["dataset"] == "nama_10r_3empers"
    # the caveats gain only the value added's own estimate codes (the Croatian split, see below)
    stripped = b["caveats"].fillna("").str.replace(r";?value_added:[a-z_]+", "", regex=True)
    assert stripped.equals(a["caveats"].fillna(""))
    assert set(b.loc[b["caveats"].fillna("").str.contains("value_added:"), "region"]) == {
        "HR02",
        "HR05",
        "HR06",
    }
    pd.testing.assert_frame_equal(
        a.loc[nama_rows, other], b.loc[nama_rows, other], check_exact=False, rtol=1e-12
    )
    # the other datasets are materialised again by the same code: the same bits at any DuckDB thread
    # count (exact sums, services/metrics.METRIC_THREADS)
    pd.testing.assert_frame_equal(a.loc[~nama_rows], b.loc[~nama_rows], check_exact=True)
    # the SBS keeps its wage-based star, and says so
    sbs = b[b["dataset"] == "sbs_r_nuts06_r2"]
    assert set(sbs["productivity_basis"].dropna()) == {"wages"} and sbs["wage_ratio"].notna().any()
    # 2 years x (C: 3 + 2, F: 5 + 2 + HR02, HR05, HR06) cells
    assert b.loc[nama_rows, "gva_ratio"].notna().sum() == 30


def test_gva_ratio_reaches_the_map_tooltip_profile_and_star_list(stores: dict[str, Any]) -> None:
    from cluster_map import catalogue
    from cluster_map.maps.choropleth import paint
    from cluster_map.maps.classes import classes_for
    from cluster_map.services import mapview, profiles, star_clusters

    spec = catalogue.metric("gva_ratio")
    con = mapview.open_store(stores["with"])
    try:
        opts = mapview.view_options(con, "nama_10r_3empers")
        assert "gva_ratio" in opts.metrics and "wage_ratio" not in opts.metrics  # no wages in the accounts
        layer = mapview.map_layer(
            con, dataset="nama_10r_3empers", level=3, sector="C", year=2021, metric="gva_ratio"
        )
        t = layer.table().set_index("code")
        assert t.loc["AT111", "value"] == pytest.approx(4 / 3) and t.loc["AT111", "rank"] == 1
        assert pd.isna(t.loc["AT113", "value"]) and t.loc["AT113", "reason"]
        classes = classes_for("gva_ratio", title=spec.label)
        assert classes.kind == classes_for("wage_ratio").kind and "medium" in classes.labels[2]
        p = paint(layer.frame.drop(columns="geometry"), value_col="value", label_col="name", classes=classes,
                  digits=spec.digits, title=spec.label, value_label=spec.label)  # fmt: skip
        tip = p.tooltip("AT111") or ""
        assert html.escape(spec.label) in tip and "1.33" in tip and "(high)" in tip
        prof = profiles.region_profile(con, dataset="nama_10r_3empers", region="AT111", year=2021)
        cols = profiles.productivity_columns(prof.specialisations)
        assert cols == ["gva_ratio", "productivity_star", "performance", "productivity_basis"]
        row = prof.specialisations.set_index("sector").loc["C"]
        assert row["gva_ratio"] == pytest.approx(4 / 3) and row["productivity_basis"] == "value_added"
        # the star list (NACE divisions: the SBS) carries both ratios and what its star read
        cells = star_clusters.star_clusters(con, dataset="sbs_r_nuts06_r2", year=2014).cells
        assert {"wage_ratio", "gva_ratio", "productivity_basis"} <= set(cells.columns)
        assert set(cells["productivity_basis"].dropna()) == {"wages"} and cells["gva_ratio"].isna().all()
    finally:
        con.close()


def test_a_ratio_on_estimated_value_added_says_so(stores: dict[str, Any]) -> None:
    """HR04 (NUTS 2016) F 2021: 2,800 EUR million, split by the JRC converter's 2011 population weights
    (n2_cm_v2016_v2021: HR02 1,229,078 / HR05 789,567 / HR06 857,159 of 2,875,804): HR02 0.427386 x 2,800e6
    / 31,000 persons = 38,602.6 EUR. The employment is native, so the LQ is not estimated; the value added
    ratio is, and its cell says so (``value_added:jrc_pop_split``), on the map and in words."""
    from cluster_map.services import mapview

    m = _q(
        stores["with"],
        """
        SELECT region, gva_per_person, gva_ratio, caveats FROM metrics
        WHERE dataset = 'nama_10r_3empers' AND sector = 'F' AND year = 2021 AND level = 2 ORDER BY region""",
    ).set_index("region")
    w = 1229078.2244354573 / (1229078.2244354573 + 789566.7812003954 + 857159.0772484968)
    assert w == pytest.approx(0.427386, abs=1e-6)
    assert m.loc["HR02", "gva_per_person"] == pytest.approx(w * 2800e6 / 31_000, rel=1e-9)
    assert m.loc["HR02", "gva_per_person"] == pytest.approx(38_602.6, abs=0.1)
    for hr in ("HR02", "HR05", "HR06"):
        assert m.loc[hr, "caveats"].split(";") == ["value_added:jrc_pop_split"]  # not estimated:, native jobs
    for at in ("AT11", "AT12"):
        assert "value_added:" not in (m.loc[at, "caveats"] or "")
    con = mapview.open_store(stores["with"])
    try:
        views = {
            metric: mapview.map_values(
                con, dataset="nama_10r_3empers", level=2, sector="F", year=2021, metric=metric
            ).set_index("code")
            for metric in ("gva_ratio", "lq")
        }
    finally:
        con.close()
    gva, lq = views["gva_ratio"], views["lq"]
    assert bool(gva.loc["HR02", "estimated"]) and not bool(gva.loc["AT11", "estimated"])
    assert not bool(lq.loc["HR02", "estimated"])  # the employment behind the LQ is native
    assert "value added estimated: split from a region of an older NUTS version" in gva.loc["HR02", "caveat"]
