"""What a region could grow next: the sectors it is not yet specialised in but closest to, and whether the
complexity ranking that goes with them can be trusted.

Pure functions over region x sector frames (index = regions, columns = sectors), built on
:mod:`cluster_map.stats.relatedness` (RCA, co-location proximity, relatedness density, ECI/PCI).

* :func:`candidates`: for one region, the sectors with ``RCA < 1`` ranked by relatedness density
  ``d_rs = sum_{j != s} x_rj phi_sj / sum_{j != s} phi_sj`` (Hidalgo et al. 2007): the share of the sectors
  related to ``s`` that the region is already specialised in. High density predicts entry (Neffke, Henning
  & Boschma 2011; Boschma, Balland & Kogler 2015).
* :func:`log_supermodularity`: the check behind the ECI/PCI caveat. ECI and PCI rank regions and sectors
  by complexity only when employment is log-supermodular in (ECI, PCI): for regions ``r > r'`` and sectors
  ``p > p'`` in those rankings, ``E_rp E_r'p' >= E_rp' E_r'p`` (Schetter 2019, *A Structural Ranking of
  Economic Complexity*; Costinot 2009). On a product of two chains this holds everywhere exactly when it
  holds for every pair of adjacent regions and adjacent sectors, so the check counts adjacent 2 x 2 minors
  with four positive cells. The share that satisfy it is the evidence; ``passes`` at ``min_share``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import pandas as pd

from cluster_map.errors import StatsError

#: Share of adjacent quartets that must be log-supermodular for ECI/PCI to be shown without a warning.
MIN_SHARE: Final = 0.75


@dataclass(frozen=True)
class SupermodularityCheck:
    """Result of :func:`log_supermodularity`."""

    quartets: int  # adjacent 2 x 2 minors with four positive cells
    satisfied: int  # of which E_rp E_r'p' >= E_rp' E_r'p
    min_share: float

    @property
    def share(self) -> float:
        return self.satisfied / self.quartets if self.quartets else float("nan")

    @property
    def passes(self) -> bool:
        return bool(self.quartets) and self.share >= self.min_share

    def sentence(self) -> str:
        """The result in words (for profiles, reports and the methodology page)."""
        if not self.quartets:
            return (
                "Log-supermodularity could not be checked (no adjacent 2 x 2 block with four positive cells)."
            )
        verdict = (
            "holds well enough to read ECI and PCI as complexity rankings"
            if self.passes
            else "does not hold well enough: read ECI and PCI as descriptive orderings, not complexity rankings"
        )
        return (
            f"Log-supermodularity check: {self.satisfied:,} of {self.quartets:,} adjacent region x sector "
            f"blocks ({self.share:.0%}) satisfy E_rp E_r'p' >= E_rp' E_r'p in the ECI x PCI order; the "
            f"threshold is {self.min_share:.0%}, so it {verdict}."
        )


def log_supermodularity(
    matrix: pd.DataFrame, eci: pd.Series, pci: pd.Series, *, min_share: float = MIN_SHARE
) -> SupermodularityCheck:
    """Check log-supermodularity of ``matrix`` (employment, regions x sectors) in the (ECI, PCI) order.

    Regions and sectors without a rank (NaN) are left out; so are blocks with a zero cell (log 0).

    Notes
    -----
    For regions sorted by ascending ECI and sectors by ascending PCI, each adjacent block
    ``[[a, b], [c, d]]`` (rows ``r' < r``, columns ``p' < p``) is satisfied when ``a d >= b c``
    with ``a = E_r'p'``, ``b = E_r'p``, ``c = E_rp'``, ``d = E_rp``.
    """
    if not 0.0 < min_share <= 1.0:
        raise StatsError(f"min_share must lie in (0, 1], got {min_share!r}")
    rows = eci.dropna().sort_values(kind="stable").index
    cols = pci.dropna().sort_values(kind="stable").index
    rows = [r for r in rows if r in matrix.index]
    cols = [c for c in cols if c in matrix.columns]
    x = matrix.loc[rows, cols].to_numpy(dtype="float64")
    if x.shape[0] < 2 or x.shape[1] < 2:
        return SupermodularityCheck(0, 0, min_share)
    a, b, c, d = x[:-1, :-1], x[:-1, 1:], x[1:, :-1], x[1:, 1:]
    positive = (a > 0) & (b > 0) & (c > 0) & (d > 0)
    with np.errstate(divide="ignore", invalid="ignore"):
        ok = (np.log(a) + np.log(d)) >= (np.log(b) + np.log(c)) - 1e-12
    return SupermodularityCheck(int(positive.sum()), int((ok & positive).sum()), min_share)


def candidates(binary: pd.DataFrame, density: pd.DataFrame, region: str, *, top: int = 5) -> pd.DataFrame:
    """The sectors ``region`` is not specialised in (``RCA < 1``), closest first by relatedness density.

    Returns
    -------
    DataFrame
        Columns sector, density, rank (1 = closest); ties broken by sector code. Empty when the region
        is specialised in every sector or has no row.
    """
    if region not in binary.index:
        return pd.DataFrame(columns=["sector", "density", "rank"])
    not_yet = binary.columns[binary.loc[region].to_numpy() == 0]
    d = density.loc[region, not_yet].dropna()
    out = pd.DataFrame({"sector": d.index.astype(str), "density": d.to_numpy(dtype="float64")})
    out = out.sort_values(["density", "sector"], ascending=[False, True]).head(top).reset_index(drop=True)
    out["rank"] = range(1, len(out) + 1)
    return out
