"""Spatial statistics: esda's own test values, the peers' Moran values, seeds, weights builders."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point, box

from cluster_map.errors import StatsError
from cluster_map.stats.hotspots import (
    GetisOrdResult,
    distance_band_weights,
    getis_ord,
    knn_weights,
    lisa,
    local_getis_ord,
    moran,
    queen_weights,
    significant_at,
    weights_from_neighbours,
)

# esda/tests/test_getisord.py: six points, distance band 15, binary.
POINTS = [(10, 10), (20, 10), (40, 10), (15, 20), (30, 20), (30, 30)]
Y = np.array([2, 3, 3.2, 5, 8, 7])


def esda_points() -> gpd.GeoDataFrame:
    # Coordinates taken as metres in ETRS89-LAEA so the builder does not reproject them.
    return gpd.GeoDataFrame(
        {"code": list("abcdef")}, geometry=[Point(x, y) for x, y in POINTS], crs="EPSG:3035"
    )


def test_getis_ord_esda_values() -> None:
    w = distance_band_weights(esda_points(), 15, ids="code")
    g = getis_ord(Y, w, seed=10)
    assert isinstance(g, GetisOrdResult)
    assert g.g == pytest.approx(0.55709779, abs=1e-8)
    assert g.p_norm == pytest.approx(0.172936, abs=1e-6)


def test_local_g_esda_values() -> None:
    w = distance_band_weights(esda_points(), 15, ids="code")
    gi = local_getis_ord(Y, w, star=False, transform="B", seed=10)
    assert gi.z[0] == pytest.approx(-1.0136729, abs=1e-7)
    assert gi.p_sim[0] == pytest.approx(0.102)
    assert gi.p_z_sim[0] == pytest.approx(0.153923, abs=1e-6)
    gstar = local_getis_ord(Y, w, star=True, transform="B", seed=10)
    assert gstar.z[0] == pytest.approx(-1.39727626, abs=1e-8)
    assert gstar.p_sim[0] == pytest.approx(0.102)
    frame = gstar.to_frame()
    assert list(frame.index) == list("abcdef") and set(frame["label"]) <= {"hot", "cold", "ns"}


def test_p_value_at_the_boundary_is_significant() -> None:
    # 49 of 999 permutations at least as extreme: p = (49 + 1) / (999 + 1) = 0.05 exactly
    p = np.array([(49 + 1) / (999 + 1), float(np.float32(0.05)), float(str(0.05)), 1 - 0.95, 0.051, np.nan])
    assert p[1] != 0.05 and p[3] != 0.05  # the float conversions the boundary must survive
    assert significant_at(p, 0.05).tolist() == [True, True, True, True, False, False]
    assert significant_at(np.float32(0.1), 0.10).tolist() is True
    # esda's case: p_sim[0] = 0.102 is significant at exactly 0.102, and not at 0.101
    w = distance_band_weights(esda_points(), 15, ids="code")
    at = local_getis_ord(Y, w, star=True, transform="B", seed=10, alpha=0.102)
    below = local_getis_ord(Y, w, star=True, transform="B", seed=10, alpha=0.101)
    assert at.label[0] == "cold" and below.label[0] == "ns"
    li = lisa(Y, w, seed=10, alpha=float(np.float32(lisa(Y, w, seed=10).p_sim[0])))
    assert bool(li.significant[0])


def test_hot_and_cold_labels() -> None:
    # A 5x5 lattice with a block of high values top-left and low values elsewhere.
    w = libpysal.weights.lat2W(5, 5)
    y = np.ones(25)
    y[[0, 1, 5, 6]] = 10.0
    y[[18, 19, 23, 24]] = 0.0
    res = local_getis_ord(y, w, star=True, permutations=999, seed=1)
    assert res.label[0] == "hot" and res.z[0] > 0
    assert res.label[12] == "ns"


def test_moran_variances_on_lattice() -> None:
    w = libpysal.weights.lat2W(3, 3)
    m = moran(np.arange(1, 10), w, transformation="b", permutations=0)
    assert m.variance_norm == pytest.approx(0.053125)
    assert m.variance_rand == pytest.approx(0.0596875)
    assert m.i == pytest.approx(0.5) and m.p_sim is None


def test_seed_reproducible_and_global_state_untouched() -> None:
    w = libpysal.weights.lat2W(4, 4)
    y = np.arange(16.0) ** 1.5
    np.random.seed(123)
    before = np.random.random()
    np.random.seed(123)
    a = moran(y, w, seed=7)
    after = np.random.random()
    b = moran(y, w, seed=7)
    assert a == b and before == after
    la, lb = lisa(y, w, seed=3), lisa(y, w, seed=3)
    np.testing.assert_array_equal(la.p_sim, lb.p_sim)


def test_lisa_quadrants() -> None:
    w = libpysal.weights.lat2W(5, 5)
    y = np.zeros(25)
    y[[0, 1, 5, 6]] = 10.0  # high-high corner
    y[24] = 10.0  # a high value among lows: HL
    res = lisa(y, w, seed=0)
    assert res.quadrant[0] == "HH" and res.quadrant[24] == "HL" and res.quadrant[12] == "LL"
    assert res.quadrant[2] == "LH"
    frame = res.to_frame()
    assert ((frame["label"] == "ns") | frame["significant"]).all()
    assert set(frame["label"]) <= {"HH", "LH", "LL", "HL", "ns"}


def _gal(path: Path, order: list) -> libpysal.weights.W:
    raw = libpysal.io.open(str(path)).read()
    neighbours = {str(k): [str(j) for j in v] for k, v in raw.neighbors.items()}
    return weights_from_neighbours(neighbours, ids=[str(i) for i in order])


PEERS = "peers/pysal_libpysal-4.14.1"
EXPECTED = [
    # data, weights, ids, I, EI, VI_norm, z_norm, p_norm (EXPECTED_VALUES.md)
    ("stl", list(range(1, 79)), 0.2436558262177, -0.0129870129870, 0.0049681392601, 3.641097, 0.00027147863),
    (
        "columbus",
        list(range(1, 50)),
        0.5001885571829,
        -0.0208333333333,
        0.0085634131194,
        5.630313,
        1.79883e-08,
    ),
    ("mexico", list(range(32)), 0.1075425772839, -0.0322580645161, 0.0149319742359, 1.144065, 0.25259685),
    ("us_income", list(range(48)), 0.4287689505042, -0.0212765957447, 0.0094618739976, 4.626663, 3.71604e-06),
]


def _peer_values(mirror: Path, name: str) -> tuple[np.ndarray, Path]:
    base = mirror / PEERS / name
    if name == "stl":
        return pd.read_csv(base / "stl_hom.txt", skiprows=1)["HR8893"].to_numpy(), base / "stl.gal"
    if name == "columbus":
        return gpd.read_file(base / "columbus.json")["CRIME"].to_numpy(), base / "columbus.gal"
    if name == "mexico":
        return pd.read_csv(base / "mexico.csv")["pcgdp1940"].to_numpy(), base / "mexico.gal"
    return pd.read_csv(base / "usjoin.csv")["2009"].to_numpy(), base / "states48.gal"


@pytest.mark.mirror
@pytest.mark.parametrize(("name", "ids", "i", "ei", "vi", "z", "p"), EXPECTED, ids=[e[0] for e in EXPECTED])
def test_moran_peer_values(
    mirror: Path, name: str, ids: list, i: float, ei: float, vi: float, z: float, p: float
) -> None:
    y, gal = _peer_values(mirror, name)
    w = _gal(gal, ids)
    m = moran(y, w, permutations=99, seed=0)
    assert m.i == pytest.approx(i, abs=1e-12)
    assert m.expected == pytest.approx(ei, abs=1e-12)
    assert m.variance_norm == pytest.approx(vi, abs=1e-12)
    assert m.z_norm == pytest.approx(z, abs=1e-6)
    assert m.p_norm == pytest.approx(p, rel=1e-5)


def _grid() -> gpd.GeoDataFrame:
    cells = [box(x * 1000, y * 1000, (x + 1) * 1000, (y + 1) * 1000) for y in range(3) for x in range(3)]
    return gpd.GeoDataFrame({"code": [f"c{i}" for i in range(9)]}, geometry=cells, crs="EPSG:3035")


def test_queen_distance_knn_builders() -> None:
    grid = _grid()
    q = queen_weights(grid, ids="code")
    assert q.cardinalities["c4"] == 8 and q.cardinalities["c0"] == 3
    d = distance_band_weights(grid, 1000.5, ids="code")  # rook-like: centroids 1 km apart
    assert d.cardinalities["c4"] == 4
    k = knn_weights(grid, 2, ids="code")
    assert all(v == 2 for v in k.cardinalities.values())
    # Reprojection from lon/lat happens inside: the same grid in EPSG:4326 gives the same neighbours.
    q2 = queen_weights(grid.to_crs("EPSG:4326"), ids="code")
    assert q2.cardinalities == q.cardinalities


def test_bad_inputs() -> None:
    grid = _grid()
    with pytest.raises(StatsError, match="no CRS"):
        queen_weights(grid.set_crs(None, allow_override=True))
    with pytest.raises(StatsError, match="not projected"):
        knn_weights(grid, 2, crs="EPSG:4326")
    with pytest.raises(StatsError, match="not unique"):
        queen_weights(grid.assign(code="x"), ids="code")
    with pytest.raises(StatsError, match="k must be"):
        knn_weights(grid, 9)
    w = queen_weights(grid, ids="code")
    with pytest.raises(StatsError, match="missing"):
        moran(np.array([1.0] * 8 + [np.nan]), w)
    with pytest.raises(StatsError, match="one value per region"):
        moran(np.ones(4), w)


def test_series_is_aligned_to_weights_order() -> None:
    grid = _grid()
    w = queen_weights(grid, ids="code")
    values = pd.Series(np.arange(9.0), index=[f"c{i}" for i in range(9)])
    a = moran(values, w, permutations=0)
    b = moran(values.iloc[::-1], w, permutations=0)
    assert a.i == pytest.approx(b.i)
