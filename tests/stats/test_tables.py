"""The table metrics written once as ibis expressions: known values, properties, engines agree.

DuckDB runs everything (in memory); the ``spark`` tests run the same expressions on one local Spark
session for the module and require the same results. The pure pandas functions of
``cluster_map.stats`` are an independent implementation: on random data both must agree.
"""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cluster_map.stats import tables
from cluster_map.store import engines

ECONGEO = np.array(
    [[100, 0, 0, 0, 0], [0, 15, 5, 70, 10], [0, 20, 10, 20, 50], [0, 25, 30, 5, 40], [0, 40, 55, 5, 0]],
    dtype=float,
)
_COUNTER = itertools.count()


def cube(rows: list[dict]) -> pd.DataFrame:
    """A cube frame with every CUBE_SCHEMA column (defaults: level 2, sector level 1, year 2016)."""
    base = {
        "level": 2, "sector_level": 1, "year": 2016, "country": "XX", "establishments": np.nan,
        "wages": np.nan, "sector_type": None, "parent": None, "region_total": np.nan,
    }  # fmt: skip
    return pd.DataFrame([{**base, **r} for r in rows])[list(tables.CUBE_SCHEMA.names)]


def matrix_cube(m: np.ndarray, **extra: object) -> pd.DataFrame:
    return cube([
        {"region": f"R{i + 1}", "sector": f"I{j + 1}", "employment": float(m[i, j]), **extra}
        for i in range(m.shape[0]) for j in range(m.shape[1])
    ])  # fmt: skip


@pytest.fixture(scope="module")
def duck():
    return engines.duckdb_backend()


def table(con, frame: pd.DataFrame, schema=tables.CUBE_SCHEMA):
    if schema is tables.CUBE_QUALITY_SCHEMA:  # quality columns the test leaves out: none
        defaults = {
            "flags": "",
            "caveats": "",
            "hier_level": 1,
            "employment_low": np.nan,
            "employment_high": np.nan,
            "suspect": False,
            "confidential": False,
        }
        frame = frame.assign(**{k: v for k, v in defaults.items() if k not in frame.columns})
    return engines.register(con, f"cm_cube_{next(_COUNTER)}", frame, schema=schema)


def run(expr, keys=("region", "sector")) -> pd.DataFrame:
    return engines.to_pandas(expr).sort_values(list(keys)).reset_index(drop=True)


# --- known values ---------------------------------------------------------------------------------
def test_econgeo_lq_row_r2(duck) -> None:
    m = run(tables.metrics(table(duck, matrix_cube(ECONGEO))))
    r2 = m[m.region == "R2"].sort_values("sector")
    np.testing.assert_allclose(r2.lq, [0, 0.75, 0.25, 3.5, 0.5])


def test_econgeo_region_indices(duck) -> None:
    m = tables.metrics(table(duck, matrix_cube(ECONGEO)))
    ri = run(tables.region_indices(m), keys=["region"])
    np.testing.assert_allclose(ri.krugman, [1.6, 1.0, 0.6, 0.7, 1.1])
    np.testing.assert_allclose(ri.krugman_half, [0.8, 0.5, 0.3, 0.35, 0.55])
    np.testing.assert_allclose(ri.hhi, [1.0, 0.525, 0.34, 0.315, 0.465])


def test_econgeo_sector_indices(duck) -> None:
    m = tables.metrics(table(duck, matrix_cube(ECONGEO)))
    si = run(tables.sector_indices(m), keys=["sector"])
    np.testing.assert_allclose(si.gini, [0.8, 0.36, 0.54, 0.62, 0.56])
    # equal region totals: the localisation curve is the Lorenz curve, LG = Gini / 2
    np.testing.assert_allclose(si.locational_gini, [0.4, 0.18, 0.27, 0.31, 0.28])
    # Hoover I1: 1/2 (|1 - .2| + 4 x .2) = .8; Theil I1: 1 x ln(1 / .2)
    assert si.hoover[0] == pytest.approx(0.8)
    assert si.theil[0] == pytest.approx(np.log(5))
    assert (si.regions == 5).all()


def test_variety_decomposes_entropy(duck) -> None:
    frame = matrix_cube(ECONGEO)
    frame["parent"] = frame.sector.map({"I1": "A", "I2": "A", "I3": "B", "I4": "B", "I5": "B"})
    ri = run(tables.region_indices(tables.metrics(table(duck, frame))), keys=["region"])
    np.testing.assert_allclose(ri.entropy, ri.related_variety + ri.unrelated_variety)
    # R2 shares 0 .15 | .05 .7 .1: UV = -(.15 log2 .15 + .85 log2 .85)
    assert ri.unrelated_variety[1] == pytest.approx(-(0.15 * np.log2(0.15) + 0.85 * np.log2(0.85)))
    assert ri.entropy[1] == pytest.approx(-sum(p * np.log2(p) for p in (0.15, 0.05, 0.7, 0.1)))


STARS_3X3 = np.array([[50, 30, 20], [10, 10, 80], [40, 160, 0]], dtype=float)


@pytest.mark.parametrize(
    ("minimum", "scope", "expected"),
    [
        # hand-worked: size Q90 X=48, Y=134, Z=74; focus Q90 within the sector X=.44, Y=.70, Z=.74;
        # LQ A-X=2.0, B-Z=3.2
        (0.0, "sector", {("R1", "I1"): 3, ("R2", "I3"): 3, ("R3", "I2"): 2}),
        (60.0, "sector", {("R2", "I3"): 3, ("R3", "I2"): 2}),
        # focus across all cells (ECO): positive shares .1 .1 .2 .2 .3 .5 .8 .8, Q90 = .8 + .3 x 0 = .8;
        # R1-I1 (share .5) loses its focus star, R2-I3 and R3-I2 (share .8) keep theirs
        (0.0, "all_cells", {("R1", "I1"): 2, ("R2", "I3"): 3, ("R3", "I2"): 2}),
        (60.0, "all_cells", {("R2", "I3"): 3, ("R3", "I2"): 2}),
    ],
)
def test_stars_hand_worked_3x3(duck, minimum: float, scope: str, expected: dict) -> None:
    m = run(tables.metrics(table(duck, matrix_cube(STARS_3X3)), min_employment=minimum, focus_scope=scope))
    got = {(r.region, r.sector): int(r.stars) for r in m.itertuples() if r.stars}
    assert got == expected
    a_x = m[(m.region == "R1") & (m.sector == "I1")].iloc[0]
    assert a_x.lq == 2.0 and bool(a_x.specialisation_star) is (minimum == 0)
    if minimum:
        assert a_x.reason == "below minimum size for stars"
    c_z = m[(m.region == "R3") & (m.sector == "I3")].iloc[0]
    assert c_z.stars == 0 and c_z.lq == 0


def _flags_cube() -> pd.DataFrame:
    emp = {"T": [10, 10, 30, 30, 5], "U": [10, 10, 10, 10, 15], "L": [7, 3, 9, 1, 4]}
    est = {"T": [3, 4, 5, 2, 6], "U": [1, 1, 1, 1, 1], "L": [1, 1, 1, 1, 1]}
    kind = {"T": "traded", "U": "traded", "L": "local"}
    return cube([
        {"region": f"R{i + 1}", "sector": s, "employment": float(emp[s][i]),
         "establishments": float(est[s][i]), "sector_type": kind[s]}
        for s in emp for i in range(5)
    ])  # fmt: skip


def test_us_flags_with_quantile_ties(duck) -> None:
    # LQ of T: R1=R2=.8235 (= Q25 = Q50, a tie: not qualifying), R3=R4=1.2353 (= Q75 = Q90, ties
    # count for strong), R5=.4118; emp Q25 = 10; est Q25 = 3, so R4 (est 2) fails the size test.
    m = run(tables.metrics(table(duck, _flags_cube()), by_type=True))
    t = m[m.sector == "T"].set_index("region")
    assert t.lq["R1"] == pytest.approx((10 / 20) / (85 / 140))
    for flag in ("qualifying", "significant", "strong", "strong10"):
        assert t[flag].tolist() == [False, False, True, False, False], flag
    local = m[m.sector == "L"]
    assert local[["qualifying", "strong"]].isna().all().all()
    # by type: a local LQ uses local totals only
    r1 = local[local.region == "R1"].iloc[0]
    assert r1.lq == pytest.approx(1.0) and r1.region_total == 7


def test_zero_region_total_gives_null_with_reason(duck) -> None:
    frame = cube([
        {"region": "A", "sector": "X", "employment": 5.0}, {"region": "A", "sector": "Y", "employment": 5.0},
        {"region": "Z", "sector": "X", "employment": 0.0}, {"region": "Z", "sector": "Y", "employment": 0.0},
        {"region": "B", "sector": "X", "employment": np.nan}, {"region": "B", "sector": "Y", "employment": 4.0},
    ])  # fmt: skip
    m = run(tables.metrics(table(duck, frame))).set_index(["region", "sector"])
    assert np.isnan(m.lq[("Z", "X")]) and m.reason[("Z", "X")] == "region total is zero or missing"
    assert np.isnan(m.lq[("B", "X")]) and m.reason[("B", "X")] == "employment not available"
    assert m.lq[("A", "X")] == pytest.approx(0.5 / (5 / 14))


def test_region_total_code_is_the_denominator(duck) -> None:
    frame = matrix_cube(np.array([[10.0, 30.0], [20.0, 40.0]]))
    frame["region_total"] = frame.region.map({"R1": 100.0, "R2": 200.0})
    m = run(tables.metrics(table(duck, frame)))
    assert m.share_region.tolist() == [0.1, 0.3, 0.1, 0.2]
    assert m.benchmark_total.iloc[0] == 300.0


def test_country_and_external_benchmarks(duck) -> None:
    frame = cube([
        {"region": "AT1", "country": "AT", "sector": "X", "employment": 30.0},
        {"region": "AT1", "country": "AT", "sector": "Y", "employment": 70.0},
        {"region": "AT2", "country": "AT", "sector": "X", "employment": 10.0},
        {"region": "AT2", "country": "AT", "sector": "Y", "employment": 90.0},
        {"region": "BE1", "country": "BE", "sector": "X", "employment": 50.0},
        {"region": "BE1", "country": "BE", "sector": "Y", "employment": 50.0},
    ])  # fmt: skip
    t = table(duck, frame)
    by_country = run(tables.metrics(t, benchmark="country")).set_index(["region", "sector"])
    assert by_country.lq[("AT1", "X")] == pytest.approx(0.3 / 0.2)
    assert by_country.lq[("BE1", "X")] == pytest.approx(1.0)
    totals = pd.DataFrame(
        {
            "country": ["AT", "AT", "BE", "BE"],
            "sector": ["X", "Y"] * 2,
            "year": 2016,
            "employment": [100.0, 900.0, 40.0, 60.0],
            "total": np.nan,
            "sector_type": None,
        }
    )
    tt = tables.complete_totals(table(duck, totals, tables.TOTALS_SCHEMA))
    ext = run(tables.metrics(t, benchmark="external", totals=tt)).set_index(["region", "sector"])
    assert ext.lq[("AT1", "X")] == pytest.approx(0.3 / 0.1)
    assert ext.benchmark_total[("AT1", "X")] == 1000.0
    with pytest.raises(ValueError, match="totals"):
        tables.metrics(t, benchmark="external")
    with pytest.raises(ValueError, match="benchmark"):
        tables.metrics(t, benchmark="world")  # type: ignore[arg-type]


def test_growth_and_shift_share_hand_worked(duck) -> None:
    rows = []
    for year, emp in ((2010, [[100, 100], [50, 50]]), (2015, [[150, 100], [50, 100]])):
        for i, r in enumerate(("A", "B")):
            for j, s in enumerate(("X", "Y")):
                rows.append({"region": r, "sector": s, "year": year, "employment": float(emp[i][j])})
    rows.append({"region": "C", "sector": "X", "year": 2015, "employment": 10.0})  # new cell
    m = tables.metrics(table(duck, cube(rows)))
    g = run(tables.growth(m, start=2010, end=2015)).set_index(["region", "sector"])
    total = g.national_share + g.industry_mix + g.regional_shift
    np.testing.assert_allclose(total, g.job_creation)
    # A-X: e0=100, e1=150; E 300 -> 410 (g = 11/30), E_X 150 -> 210 (g_s = .4)
    ax = g.loc[("A", "X")]
    assert ax.national_share == pytest.approx(100 * 11 / 30)
    assert ax.industry_mix == pytest.approx(100 * (0.4 - 11 / 30))
    assert ax.regional_shift == pytest.approx(50 - 40)
    assert ax.cagr == pytest.approx(1.5 ** (1 / 5) - 1)
    cx = g.loc[("C", "X")]
    assert cx.employment_start == 0 and cx.job_creation == 10 and np.isnan(cx.cagr)
    with pytest.raises(ValueError):
        tables.growth(m, start=2015, end=2010)


# --- properties -----------------------------------------------------------------------------------
matrices = (
    st.integers(2, 6)
    .flatmap(
        lambda n: st.integers(2, 5).flatmap(
            lambda k: st.lists(st.lists(st.integers(0, 1000), min_size=k, max_size=k), min_size=n, max_size=n)
        )
    )
    .map(lambda rows: _no_empty(np.array(rows, dtype=float)))
)


def _no_empty(m: np.ndarray) -> np.ndarray:
    """Every region and every sector gets some employment."""
    for i in range(max(m.shape)):
        m[i % m.shape[0], i % m.shape[1]] += 1
    return m


@settings(max_examples=12, deadline=None)
@given(m=matrices, scale=st.sampled_from([1.0, 7.0, 0.001]))
def test_properties(duck, m: np.ndarray, scale: float) -> None:
    frame = matrix_cube(m)
    met = tables.metrics(table(duck, frame))
    out = run(met)
    # shares of a region sum to 1; the E_r-weighted mean LQ of each sector is 1
    np.testing.assert_allclose(out.groupby("region").share_region.sum(), 1.0)
    w = out.assign(x=out.region_total * out.lq).groupby("sector")
    np.testing.assert_allclose(w.x.sum() / w.region_total.sum(), 1.0)
    ri = run(tables.region_indices(met), keys=["region"])
    n = m.shape[1]
    assert ((ri.hhi >= 1 / n - 1e-12) & (ri.hhi <= 1 + 1e-12)).all()
    assert ((ri.krugman >= -1e-12) & (ri.krugman <= 2 + 1e-12)).all()
    # invariance under scaling all employment
    scaled = frame.assign(employment=frame.employment * scale)
    met2 = tables.metrics(table(duck, scaled))
    out2 = run(met2)
    np.testing.assert_allclose(out2.lq, out.lq, rtol=1e-9)
    assert out2.strong.tolist() == out.strong.tolist()
    np.testing.assert_allclose(
        run(tables.region_indices(met2), keys=["region"]).krugman, ri.krugman, rtol=1e-9
    )


# --- agreement with the pure pandas functions (cluster_map.stats) ----------------------------------
def random_cube(seed: int, *, regions: int = 12, sectors: int = 6, years=(2014, 2016)) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rows = []
    for y, r, s in itertools.product(years, range(regions), range(sectors)):
        rows.append({
            "region": f"R{r:02d}", "sector": f"S{s}", "year": y, "country": "AB"[r % 2],
            "employment": float(rng.integers(1, 3000)), "establishments": float(rng.integers(1, 40)),
            "sector_type": "local" if s == sectors - 1 else "traded", "parent": f"P{s // 2}",
        })  # fmt: skip
    return cube(rows)


def test_agrees_with_pandas_functions(duck) -> None:
    from cluster_map.stats import concentration, growth, specialisation, stars, strength

    frame = random_cube(7)
    t = table(duck, frame)
    m = run(tables.metrics(t, min_employment=500), keys=["year", "region", "sector"])
    plain = frame.drop(columns=["level", "sector_level", "parent", "region_total"])
    lq = specialisation.location_quotients(plain, by=["year"]).sort_values(["year", "region", "sector"])
    np.testing.assert_allclose(m.lq, lq.lq.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(m.share_sector, lq.share_sector.to_numpy(), rtol=1e-12)
    eco = stars.observatory_stars(plain, by=["year"], min_employment=500).sort_values(
        ["year", "region", "sector"]
    )
    assert m.stars.astype(int).tolist() == eco.stars.astype(int).tolist()
    # US CMP convention: traded against traded, local against local
    mt = run(tables.metrics(t, by_type=True), keys=["year", "region", "sector"])
    fl = strength.cmp_flags(plain, by=["year"]).sort_values(["year", "region", "sector"])
    np.testing.assert_allclose(mt.lq, fl.lq.to_numpy(), rtol=1e-12)
    for flag in ("qualifying", "significant", "strong", "strong10"):
        assert mt[flag].astype("boolean").tolist() == fl[flag].tolist(), flag
    # matrix indices of one year
    one = frame[frame.year == 2016]
    mat = specialisation.region_sector_matrix(one.drop(columns=["year"]))
    ri = run(tables.region_indices(tables.metrics(table(duck, one))), keys=["region"])
    np.testing.assert_allclose(ri.krugman, concentration.krugman(mat).to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(ri.hhi, concentration.hhi(mat).to_numpy(), rtol=1e-12)
    groups = dict(zip(one.sector, one.parent, strict=False))
    var = concentration.variety(mat, groups)
    np.testing.assert_allclose(ri.related_variety, var.related_variety.to_numpy(), rtol=1e-9)
    si = run(tables.sector_indices(tables.metrics(table(duck, one))), keys=["sector"])
    ref = concentration.sector_indices(mat)
    for col in ("gini", "locational_gini", "hoover", "theil"):
        np.testing.assert_allclose(si[col], ref[col].to_numpy(), rtol=1e-9, err_msg=col)
    gr = run(tables.growth(tables.metrics(t), start=2014, end=2016))
    ref_g = growth.growth(plain, start_year=2014, end_year=2016).sort_values(["region", "sector"])
    np.testing.assert_allclose(gr.cagr, ref_g.cagr.to_numpy(), rtol=1e-12)
    np.testing.assert_allclose(gr.lq_change, ref_g.lq_change.to_numpy(), rtol=1e-9)
    ref_s = growth.shift_share(plain, start_year=2014, end_year=2016).sort_values(["region", "sector"])
    for col in ("industry_mix", "regional_shift"):
        np.testing.assert_allclose(gr[col], ref_s[col].to_numpy(), rtol=1e-9, err_msg=col)


# --- the same expressions on Spark ----------------------------------------------------------------
@pytest.fixture(scope="module")
def spark():
    return engines.spark_backend(shuffle_partitions=1, adaptive=False)


def _assert_same(a: pd.DataFrame, b: pd.DataFrame, keys: list[str]) -> None:
    a = a.sort_values(keys).reset_index(drop=True)
    b = b.sort_values(keys).reset_index(drop=True)[list(a.columns)]
    assert len(a) == len(b)
    for col in a.columns:
        x, y = a[col], b[col]
        if pd.api.types.is_float_dtype(x) or pd.api.types.is_float_dtype(y):
            np.testing.assert_allclose(x.astype(float), y.astype(float), rtol=1e-12, atol=1e-12, err_msg=col)
        else:
            assert (
                x.astype(object).where(x.notna(), None).tolist()
                == y.astype(object).where(y.notna(), None).tolist()
            ), col


@pytest.mark.spark
def test_duckdb_and_spark_agree(duck, spark) -> None:
    frame = random_cube(11, regions=9, sectors=5)
    frame.loc[3, "employment"] = np.nan
    frame.loc[5, "employment"] = 0.0
    frame.loc[frame.region == "R08", "employment"] = 0.0  # a region with no employment
    totals = (
        frame[frame.year == 2016]
        .groupby("sector", as_index=False)
        .employment.sum()
        .assign(employment=lambda d: d.employment * 3, country="AB", year=2016, total=np.nan)
    )
    totals["sector_type"] = totals.sector.map(dict(zip(frame.sector, frame.sector_type, strict=False)))
    results = {}
    for name, con in (("duckdb", duck), ("spark", spark)):
        t = table(con, frame)
        ext = frame[frame.year == 2016].assign(country="AB")
        tt = tables.complete_totals(table(con, totals, tables.TOTALS_SCHEMA), by_type=True)
        m = tables.metrics(t, min_employment=300)
        results[name] = {
            "metrics": engines.to_pandas(m),
            "us": engines.to_pandas(
                tables.metrics(table(con, ext), benchmark="external", totals=tt, by_type=True)
            ),
            "region": engines.to_pandas(tables.region_indices(m)),
            "sector": engines.to_pandas(tables.sector_indices(m)),
            "growth": engines.to_pandas(tables.growth(m, start=2014, end=2016)),
        }
    keys = {
        "metrics": ["year", "region", "sector"],
        "us": ["region", "sector"],
        "region": ["year", "region"],
        "sector": ["year", "sector"],
        "growth": ["region", "sector"],
    }
    for part, k in keys.items():
        _assert_same(results["duckdb"][part], results["spark"][part], k)
    assert results["duckdb"]["metrics"].strong.any()


def test_stars_and_flags_can_be_left_out(duck) -> None:
    t = table(duck, _flags_cube())
    full = run(tables.metrics(t, by_type=True))
    lean = run(tables.metrics(t, by_type=True, stars=False))
    assert lean.stars.isna().all() and lean.size_star.isna().all()
    assert lean.strong.tolist() == full.strong.tolist()
    bare = run(tables.metrics(t, by_type=True, stars=False, flags=False))
    assert bare.strong.isna().all()
    np.testing.assert_allclose(bare.lq, full.lq)


# --- quality columns: confidential bounds, suspect cells, caveats ----------------------------------
def test_confidential_lq_bounds_hand_worked(duck) -> None:
    # R1: A confidential in [0, 20], B 80, E_r 100 (published); R2: A 50, B 50, E_r 100. E = 200 and the
    # benchmark's published A is 50, so LQ_A(x) = (x / 100) / ((50 + x) / 200): [0, .2 / .35].
    frame = cube(
        [
            {"region": "R1", "sector": "A", "employment": np.nan, "region_total": 100.0},
            {"region": "R1", "sector": "B", "employment": 80.0, "region_total": 100.0},
            {"region": "R2", "sector": "A", "employment": 50.0, "region_total": 100.0},
            {"region": "R2", "sector": "B", "employment": 50.0, "region_total": 100.0},
        ]
    )
    frame["employment_low"] = [0.0, np.nan, np.nan, np.nan]
    frame["employment_high"] = [20.0, np.nan, np.nan, np.nan]
    frame["confidential"] = [True, False, False, False]
    frame["caveats"] = ["confidential", "", "", ""]
    m = run(tables.metrics(table(duck, frame, schema=tables.CUBE_QUALITY_SCHEMA)))
    a = m[(m.region == "R1") & (m.sector == "A")].iloc[0]
    assert np.isnan(a.lq) and a.reason == "confidential" and a.caveats == "confidential"
    assert a.lq_low == 0.0 and a.lq_high == pytest.approx(0.2 / 0.35)
    assert m[m.region == "R2"].caveats.tolist() == ["", ""]
    assert m.lq_low.isna().sum() == 3


def test_suspect_cells_earn_no_star_and_no_strong_flag(duck) -> None:
    frame = matrix_cube(STARS_3X3)
    frame["suspect"] = (frame.region == "R2") & (frame.sector == "I3")
    m = run(tables.metrics(table(duck, frame, schema=tables.CUBE_QUALITY_SCHEMA), focus_scope="sector"))
    cell = m[(m.region == "R2") & (m.sector == "I3")].iloc[0]
    assert cell.stars == 0 and not cell.strong and cell.lq == pytest.approx(3.2)
    assert cell.reason.startswith("suspect source value")
    # left out of the quantiles: Z's size Q90 is now over R1 alone (20), which earns the size star
    z = m[(m.region == "R1") & (m.sector == "I3")].iloc[0]
    assert bool(z.size_star)
    opted_in = run(
        tables.metrics(
            table(duck, frame, schema=tables.CUBE_QUALITY_SCHEMA), focus_scope="sector", star_suspect=True
        )
    )
    assert int(opted_in[(opted_in.region == "R2") & (opted_in.sector == "I3")].stars.iloc[0]) == 3


def test_published_share_of_region_indices(duck) -> None:
    frame = cube(
        [
            {"region": "R1", "sector": "A", "employment": 30.0, "region_total": 100.0},
            {"region": "R1", "sector": "B", "employment": np.nan, "region_total": 100.0},
            {"region": "R1", "sector": "C", "employment": 20.0, "region_total": 100.0},
            {"region": "R2", "sector": "A", "employment": 50.0, "region_total": 100.0},
            {"region": "R2", "sector": "B", "employment": 25.0, "region_total": 100.0},
            {"region": "R2", "sector": "C", "employment": 25.0, "region_total": 100.0},
        ]
    )
    ri = run(tables.region_indices(tables.metrics(table(duck, frame))), keys=["region"])
    assert ri.published_share.tolist() == [0.5, 1.0]
    # R1's shares over its published part: A .6, C .4 (never B = 0)
    assert ri.hhi[0] == pytest.approx(0.6**2 + 0.4**2)
    # Krugman over the published part: benchmark A 80, C 45 of 150 - 25 (B left out): |.6 - .64| + |.4 - .36|
    assert ri.krugman[0] == pytest.approx(0.08)
    # counting B as 0 instead compares with A 80, B 25, C 45 of 150: |.6 - .533| + |0 - .167| + |.4 - .3|
    zero = run(
        tables.region_indices(tables.metrics(table(duck, frame.fillna({"employment": 0.0})))), keys=["region"]
    )
    assert zero.krugman[0] == pytest.approx(abs(0.6 - 80 / 150) + 25 / 150 + abs(0.4 - 45 / 150))
    assert zero.krugman[1] == pytest.approx(ri.krugman[1])  # a region without confidential cells: the same
