"""Grow-next candidates and the log-supermodularity check on hand-made matrices."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cluster_map.stats import diversification, relatedness


def test_candidates_rank_unspecialised_sectors_by_density() -> None:
    # 4 regions x 4 sectors. A and B always come together, C with D.
    binary = pd.DataFrame(
        [[1, 1, 0, 0], [1, 1, 0, 0], [0, 0, 1, 1], [1, 0, 1, 0]],
        index=["r1", "r2", "r3", "r4"],
        columns=list("ABCD"),
        dtype=float,
    )
    phi = relatedness.proximity(binary)
    # phi_AB = C_AB / max(k_A, k_B) = 2 / 3; phi_AC = 1/3; phi_CD = 1/2; phi_AD = 0; phi_BC = 0; phi_BD = 0
    assert phi.loc["A", "B"] == pytest.approx(2 / 3) and phi.loc["C", "D"] == pytest.approx(0.5)
    density = relatedness.relatedness_density(binary, phi)
    out = diversification.candidates(binary, density, "r4", top=5)
    # r4 has A and C. B: (1 * 2/3 + 0) / (2/3) = 1.0 ; D: (C: 1 * 1/2) / (1/2) = 1.0 -> tie broken by code
    assert out["sector"].tolist() == ["B", "D"] and out["density"].tolist() == pytest.approx([1.0, 1.0])
    out = diversification.candidates(binary, density, "r3", top=5)
    # r3 has C, D. A: (C 1/3 + D 0) / (2/3 + 1/3) = 1/3; B: 0 / (2/3) = 0
    assert out["sector"].tolist() == ["A", "B"] and out["density"].tolist() == pytest.approx([1 / 3, 0.0])
    assert diversification.candidates(binary, density, "nowhere").empty


def test_log_supermodular_matrix_passes_and_its_reverse_fails() -> None:
    # E_rp = exp(a_r * b_p) is log-supermodular in increasing a and b
    a, b = np.array([0.1, 0.5, 1.0, 2.0]), np.array([0.2, 0.6, 1.1])
    m = pd.DataFrame(np.exp(np.outer(a, b)), index=list("wxyz"), columns=list("PQR"))
    eci, pci = pd.Series(a, index=m.index), pd.Series(b, index=m.columns)
    check = diversification.log_supermodularity(m, eci, pci)
    assert (check.quartets, check.satisfied) == (6, 6) and check.passes
    assert "6 of 6" in check.sentence() and "holds" in check.sentence()
    wrong = diversification.log_supermodularity(
        m, -eci, pci
    )  # regions in the reverse order: every block fails
    assert wrong.satisfied == 0 and not wrong.passes and "does not hold" in wrong.sentence()


def test_blocks_with_a_zero_are_left_out() -> None:
    m = pd.DataFrame([[1.0, 0.0], [1.0, 1.0]], index=["r", "s"], columns=["p", "q"])
    check = diversification.log_supermodularity(
        m, pd.Series([0, 1], index=m.index), pd.Series([0, 1], index=m.columns)
    )
    assert check.quartets == 0 and not check.passes and "could not be checked" in check.sentence()
