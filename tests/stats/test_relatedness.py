"""Relatedness and complexity: hand-worked proximity and density, nested ECI, US related clusters."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from cluster_map.errors import StatsError
from cluster_map.stats.relatedness import (
    complexity,
    proximity,
    rca,
    related_clusters_matrix,
    relatedness_density,
)

ECONGEO = pd.DataFrame(
    [[100, 0, 0, 0, 0], [0, 15, 5, 70, 10], [0, 20, 10, 20, 50], [0, 25, 30, 5, 40], [0, 40, 55, 5, 0]],
    index=[f"R{i}" for i in range(1, 6)],
    columns=[f"I{i}" for i in range(1, 6)],
    dtype=float,
)
BINARY = pd.DataFrame(
    [[1, 1, 0], [1, 0, 1], [1, 1, 1], [0, 1, 0]],
    index=["R1", "R2", "R3", "R4"],
    columns=["A", "B", "C"],
    dtype=float,
)


def test_rca_econgeo() -> None:
    out = rca(ECONGEO)
    np.testing.assert_allclose(out.loc["R2"], [0, 0.75, 0.25, 3.5, 0.5])
    binary = rca(ECONGEO, binary=True)
    assert binary.loc["R2"].tolist() == [0, 0, 0, 1, 0]
    assert binary.loc["R1"].tolist() == [1, 0, 0, 0, 0]


def test_proximity_hand_worked() -> None:
    # ubiquity A 3, B 3, C 2; co-occurrences AB 2, AC 2, BC 1
    phi = proximity(BINARY)
    assert phi.loc["A", "B"] == pytest.approx(2 / 3)
    assert phi.loc["A", "C"] == pytest.approx(2 / 3)  # min(2/3, 2/2) = C/max(k)
    assert phi.loc["B", "C"] == pytest.approx(1 / 3)
    assert (np.diag(phi) == 0).all() and (phi.to_numpy() == phi.to_numpy().T).all()
    with pytest.raises(StatsError, match="0/1"):
        proximity(BINARY * 2)


def test_density_hand_worked() -> None:
    density = relatedness_density(BINARY, proximity(BINARY))
    # R4 holds only B: around C (1/3)/(2/3 + 1/3); around A (2/3)/(2/3 + 2/3)
    assert density.loc["R4", "C"] == pytest.approx(1 / 3)
    assert density.loc["R4", "A"] == pytest.approx(0.5)
    assert density.loc["R3"].tolist() == pytest.approx([1.0, 1.0, 1.0])
    with pytest.raises(StatsError, match="missing"):
        relatedness_density(BINARY, proximity(BINARY).drop(index="C", columns="C"))


def test_density_leaves_out_the_own_sector_unlike_py_ecomplexity() -> None:
    # py-ecomplexity: M @ phi / phi.sum(0) with phi_ss = 1. R4 holds B: around B ours is
    # (phi_AB x 0 + phi_CB x 0) / (2/3 + 1/3) = 0, theirs (0 + 1 + 0) / (2/3 + 1 + 1/3) = 1/2, higher by
    # (1 - d) / (1 + sum_{j != s} phi_sj) = 1 / 2; around C (not held) theirs is (1/3) / (1 + 1): the extra 1.
    phi = proximity(BINARY)
    ours = relatedness_density(BINARY, phi)
    own = phi.to_numpy().copy()
    np.fill_diagonal(own, 1.0)
    theirs = pd.DataFrame(
        BINARY.to_numpy() @ own / own.sum(axis=0), index=BINARY.index, columns=BINARY.columns
    )
    assert ours.loc["R4", "B"] == 0.0 and theirs.loc["R4", "B"] == pytest.approx(0.5)
    assert theirs.loc["R4", "B"] - ours.loc["R4", "B"] == pytest.approx((1 - 0.0) / (1 + 1.0))
    assert theirs.loc["R4", "C"] == pytest.approx((1 / 3) / 2) and ours.loc["R4", "C"] == pytest.approx(1 / 3)
    # a relatedness matrix with a non-zero diagonal gives the same density: the diagonal is ignored
    assert relatedness_density(BINARY, pd.DataFrame(own, index=phi.index, columns=phi.columns)).equals(ours)


NESTED = pd.DataFrame(
    [[1, 1, 1, 1], [1, 1, 1, 0], [1, 1, 0, 0], [1, 0, 0, 0]],
    index=["r1", "r2", "r3", "r4"],
    columns=["p1", "p2", "p3", "p4"],
    dtype=float,
)


@pytest.mark.parametrize("method", ["eigenvector", "reflections"])
def test_complexity_nested_matrix(method: str) -> None:
    res = complexity(NESTED, method=method, binary_input=True)  # type: ignore[arg-type]
    assert res.eci.is_monotonic_decreasing  # the most diverse region is the most complex
    assert res.pci.is_monotonic_increasing  # the least ubiquitous sector is the most complex
    assert res.eci.mean() == pytest.approx(0, abs=1e-12) and res.eci.std(ddof=0) == pytest.approx(1)
    assert res.diversity.tolist() == [4, 3, 2, 1]


def test_reflections_converge_to_eigenvector() -> None:
    rng = np.random.default_rng(5)
    m = pd.DataFrame(rng.gamma(0.6, 100.0, size=(30, 25)))
    eig = complexity(m, method="eigenvector")
    # eigenvalues .235 and .222 are close: reflections need many steps here (see the docstring)
    refl = complexity(m, method="reflections", iterations=400)
    np.testing.assert_allclose(refl.eci.dropna(), eig.eci.dropna(), atol=1e-3)
    np.testing.assert_allclose(refl.pci.dropna(), eig.pci.dropna(), atol=1e-3)


def test_complexity_drops_empty_rows_and_bad_method() -> None:
    m = NESTED.copy()
    m.loc["r5"] = 0.0
    res = complexity(m, binary_input=True)
    assert np.isnan(res.eci["r5"]) and res.eci.notna().sum() == 4
    with pytest.raises(StatsError, match="Unknown method"):
        complexity(NESTED, method="power", binary_input=True)  # type: ignore[arg-type]


def test_related_clusters_matrix_small() -> None:
    records = pd.DataFrame(
        {
            "clustera": ["1", "1", "2", "2", "10", "10", "1", "2", "10"],
            "clusterb": ["1", "2", "1", "2", "1", "2", "10", "10", "10"],
            "cr_all": ["3", "0.5", "0.5", "2", "", "1", "", "1", "4"],
        }
    )
    out = related_clusters_matrix(records)
    assert list(out.index) == ["1", "2", "10"]  # numeric order
    assert out.loc["1", "2"] == 0.5 and np.isnan(out.loc["10", "1"])
    with pytest.raises(StatsError, match="lack columns"):
        related_clusters_matrix(records, measure="cr_io")


@pytest.mark.mirror
def test_related_clusters_from_mirror(mirror: Path) -> None:
    path = mirror / "us_cluster_mapping" / "cmp" / "data" / "web" / "viz" / "json" / "relatedClusters.json"
    records = pd.DataFrame(json.loads(path.read_text()))
    related = related_clusters_matrix(records, measure="rel_all_90_v3")
    assert related.shape == (51, 51)
    assert set(np.unique(related.to_numpy()[~np.isnan(related.to_numpy())])) <= {0.0, 1.0}
    composite = related_clusters_matrix(records)
    assert composite.notna().all().all()
    # Density of a region specialised only in Automotive (4) around the other traded clusters.
    binary = pd.DataFrame(0.0, index=["x"], columns=related.columns)
    binary.loc["x", "4"] = 1.0
    density = relatedness_density(binary, related.fillna(0.0))
    known = density.loc["x"].dropna()  # clusters related to none have NaN density
    assert known.between(0, 1).all() and known.max() > 0
    assert known.index.isin(related.index[related.sum(axis=1) > 0]).all()
