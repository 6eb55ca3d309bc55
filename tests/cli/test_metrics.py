"""``cluster-map metrics`` and ``cluster-map indices`` (through ``main``, with its error handler)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cluster_map.cli.main import main
from cluster_map.cli.metrics import protect
from cluster_map.schema import METRIC_COLUMNS
from tests.store.test_metrics import build_store


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("cli") / "tiny.duckdb")


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def test_metrics_of_a_dataset(tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "us.csv"
    assert main(["metrics", "--dataset", "us_cmp_states_2016", "--db", str(tiny), "--out", str(out)]) == 0
    frame = _read(out)
    assert list(frame.columns[: len(METRIC_COLUMNS)]) == list(METRIC_COLUMNS)
    assert len(frame) == 9 and "Wrote 9 rows" in capsys.readouterr().out
    local = frame[frame.sector == "101"]
    assert (local.strong == "").all()  # not defined for local clusters: empty cell
    assert set(frame.strong[frame.sector != "101"]) <= {"True", "False"}


def test_metrics_level_and_year(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "lfs.csv"
    args = ["metrics", "--dataset", "lfst_r_lfe2en2", "--level", "1", "--year", "2015", "--db", str(tiny)]
    assert main([*args, "--out", str(out)]) == 0
    frame = _read(out)
    assert set(frame.year) == {"2015"} and set(frame.level) == {"1"} and len(frame) == 12
    assert (frame.establishments == "").all()


def test_metrics_of_a_long_table_with_benchmark_and_formula_cells(tmp_path: Path) -> None:
    long = tmp_path / "long.csv"
    long.write_text("region,sector,employment\n=HYPERLINK(1),x,100\n=HYPERLINK(1),y,300\nB,x,200\nB,y,200\n")
    bench = tmp_path / "totals.csv"
    bench.write_text("sector,employment\nx,1000\ny,3000\n")
    out = tmp_path / "out.csv"
    assert main(["metrics", "--input", str(long), "--benchmark", str(bench), "--out", str(out)]) == 0
    frame = _read(out)
    assert set(frame.region) == {"'=HYPERLINK(1)", "B"}
    assert float(frame[(frame.region == "B") & (frame.sector == "x")].lq.iloc[0]) == pytest.approx(2.0)


def test_indices(tiny: Path, tmp_path: Path) -> None:
    out = tmp_path / "ri.csv"
    assert main(["indices", "--dataset", "sbs_r_nuts06_r2", "--db", str(tiny), "--out", str(out)]) == 0
    assert {"krugman", "hhi", "related_variety", "cluster_strength"} <= set(_read(out).columns)
    assert (
        main(
            [
                "indices",
                "--dataset",
                "sbs_r_nuts06_r2",
                "--kind",
                "sector",
                "--db",
                str(tiny),
                "--out",
                str(out),
            ]
        )
        == 0
    )
    assert {"gini", "locational_gini", "hoover", "theil"} <= set(_read(out).columns)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["metrics", "--out", "x.csv"], "exactly one of --dataset"),
        (["metrics", "--dataset", "nope", "--out", "x.csv"], "Unknown dataset 'nope'"),
        (
            ["metrics", "--dataset", "lfst_r_lfe2en2", "--engine", "pandas", "--out", "x.csv"],
            "Unknown engine",
        ),
        (["metrics", "--input", "missing.csv", "--out", "x.csv"], "does not exist"),
        (
            ["metrics", "--dataset", "lfst_r_lfe2en2", "--benchmark", "t.csv", "--out", "x.csv"],
            "--input only",
        ),
        (
            ["indices", "--dataset", "lfst_r_lfe2en2", "--kind", "world", "--out", "x.csv"],
            "'region' or 'sector'",
        ),
    ],
)
def test_errors_are_one_clear_line(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], args: list[str], message: str
) -> None:
    assert main([*args, "--db", str(tiny)] if args[0] == "indices" or "--dataset" in args else args) == 1
    assert message in capsys.readouterr().err


def test_bad_long_table_names_line_and_value(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    long = tmp_path / "long.csv"
    long.write_text("region,sector,employment\nA,x,12\nA,y,lots\n")
    assert main(["metrics", "--input", str(long), "--out", str(tmp_path / "o.csv")]) == 1
    assert "line 3, column 'employment': 'lots' is not a number" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("=1+1", "'=1+1"),
        ("+x", "'+x"),
        ("-x", "'-x"),
        ("@x", "'@x"),
        ("\tx", "'\tx"),
        ("\rx", "'\rx"),
        ("AT1", "AT1"),
        (-1.5, -1.5),
        (None, None),
    ],
)
def test_protect(cell: object, expected: object) -> None:
    assert protect(cell) == expected


def test_metrics_by_ecosystem_on_the_mirror(mirror_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "eco.csv"
    args = [
        "metrics",
        "--dataset",
        "sbs_r_nuts06_r2",
        "--level",
        "2",
        "--year",
        "2014",
        "--sectors",
        "ecosystems",
    ]
    assert main([*args, "--db", str(mirror_store), "--out", str(out)]) == 0
    frame = _read(out)
    assert set(frame["sector_scheme"]) == {"ecosystems"}
    assert "mobility-transport-automotive" in set(frame["sector"]) and len(set(frame["sector"])) == 14
    cz02 = frame[(frame.region == "CZ02") & (frame.sector == "mobility-transport-automotive")].iloc[0]
    assert float(cz02["employment"]) == 87462.0
    de91 = frame[(frame.region == "DE91") & (frame.sector == "mobility-transport-automotive")].iloc[0]
    assert "lower bound: C29, C30, H52 not published" in de91["reason"]
    # the stored ecosystem metrics and the CLI's computed ones are the same numbers
    import duckdb

    con = duckdb.connect(str(mirror_store), read_only=True)
    try:
        stored = con.sql("""SELECT region, sector, lq, stars FROM metrics WHERE dataset = 'sbs_r_nuts06_r2'
                            AND level = 2 AND year = 2014 AND sector_scheme = 'ecosystems'""").to_df()
    finally:
        con.close()
    both = stored.merge(
        frame.assign(lq_cli=pd.to_numeric(frame.lq), stars_cli=pd.to_numeric(frame.stars))[
            ["region", "sector", "lq_cli", "stars_cli"]
        ],
        on=["region", "sector"],
    )
    assert len(both) == len(stored)
    assert ((both.lq - both.lq_cli).abs().fillna(0) < 1e-12).all()
    assert (both.stars.fillna(-1) == both.stars_cli.fillna(-1)).all()


def test_metrics_ecosystems_refused_without_divisions(
    tiny: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["metrics", "--dataset", "lfst_r_lfe2en2", "--sectors", "ecosystems", "--db", str(tiny)]
    assert main([*args, "--out", str(tmp_path / "x.csv")]) != 0
    assert "no NACE divisions" in capsys.readouterr().err


@pytest.mark.mirror
def test_metrics_of_a_custom_region(mirror_store: Path, tmp_path: Path) -> None:
    out = tmp_path / "g.csv"
    code = main(
        [
            "metrics",
            "--dataset",
            "sbs_r_nuts06_r2",
            "--custom",
            "Øresund=DK01,SE22",
            "--year",
            "2014",
            "--out",
            str(out),
            "--db",
            str(mirror_store),
        ]
    )
    assert code == 0
    frame = pd.read_csv(out)
    assert set(frame["region"]) == {"Øresund"} and set(frame["members_codes"]) == {"DK01+SE22"}
    assert set(frame["year"]) == {2014} and frame["lq"].notna().any() and "strong" in frame.columns
    assert (
        main(
            [
                "metrics",
                "--dataset",
                "sbs_r_nuts06_r2",
                "--custom",
                "DK01",
                "--out",
                str(out),
                "--db",
                str(mirror_store),
            ]
        )
        == 1
    )


def test_metrics_caveats_column_and_focus_reading_on_the_mirror(mirror_store: Path, tmp_path: Path) -> None:
    base = [
        "metrics",
        "--dataset",
        "sbs_r_nuts06_r2",
        "--level",
        "2",
        "--year",
        "2014",
        "--db",
        str(mirror_store),
    ]
    assert main([*base, "--out", str(tmp_path / "eco.csv")]) == 0
    assert main([*base, "--focus", "sector", "--out", str(tmp_path / "sector.csv")]) == 0
    eco, within = _read(tmp_path / "eco.csv"), _read(tmp_path / "sector.csv")
    assert "caveats" in eco.columns and "lq_low" in eco.columns
    de91 = eco[(eco.region == "DE91") & (eco.sector == "C29")].iloc[0]
    assert str(de91["caveats"]).split(";")[0] == "confidential" and float(de91["lq_high"]) > 5
    no04 = eco[(eco.region == "NO04") & (eco.sector == "G47")].iloc[0]
    assert "suspect:sole_region" in str(no04["caveats"]) and float(no04["stars"]) == 0
    # the mirror publishes no business-economy total for any region: every denominator is the sections' sum
    assert eco.caveats.str.contains("denominator:sections").all()
    divisions = eco[pd.to_numeric(eco.sector_level) == 2]
    three = int((pd.to_numeric(divisions.stars) == 3).sum())
    three_within = int((pd.to_numeric(within[pd.to_numeric(within.sector_level) == 2].stars) == 3).sum())
    assert three < three_within / 2  # the published reading: about 160 against 558 in 2014
    assert main([*base, "--focus", "regions", "--out", str(tmp_path / "x.csv")]) != 0
