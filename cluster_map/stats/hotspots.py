"""Spatial statistics: weights, global Moran's I, LISA quadrants, Getis-Ord G and local Gi/Gi* hot spots.

Thin wrappers over PySAL (libpysal weights, esda statistics) that (1) build weights in a projected
CRS, (2) take an explicit ``seed`` for permutation inference and leave the global random state as it
was, and (3) return frozen result dataclasses. Nothing here re-implements esda.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Literal

import esda
import geopandas as gpd
import libpysal
import numpy as np
import pandas as pd
from scipy import stats as st

from cluster_map.errors import StatsError

#: Projected CRS for distances in Europe (ETRS89-LAEA); use EPSG:5070 (Albers) for the US.
EUROPE_CRS = "EPSG:3035"
QUADRANTS = {1: "HH", 2: "LH", 3: "LL", 4: "HL"}
#: A pseudo p-value is a multiple of ``1 / (permutations + 1)`` (at least 1e-6 apart for a million
#: permutations); one within this of ``alpha`` *is* ``alpha``, so that a float conversion (float32, a text
#: round trip, ``1 - x`` arithmetic) never moves a cell with ``p = 0.05`` over the 5% boundary.
P_TOLERANCE = 1e-7


def significant_at(p: Any, alpha: float) -> np.ndarray:
    """``p <= alpha`` for pseudo p-values, robust to float conversion (:data:`P_TOLERANCE`); NaN is not significant.

    Notes
    -----
    A pseudo p-value of exactly ``alpha`` is significant at ``alpha`` (esda, GeoDa and ArcGIS use
    ``p <= alpha``). esda's conditional randomisation (``esda.crand``) returns ``p_sim`` as float32, so
    50/1000 arrives as ``np.float32(0.05)`` = 0.0500000007: a plain ``p <= 0.05`` would call it not
    significant.
    """
    arr = np.asarray(p, dtype="float64")
    with np.errstate(invalid="ignore"):
        return np.asarray(arr <= alpha + P_TOLERANCE) & ~np.isnan(arr)


# --- weights --------------------------------------------------------------------------------------
def _projected(frame: gpd.GeoDataFrame, crs: str) -> gpd.GeoDataFrame:
    if frame.crs is None:
        raise StatsError(
            "The geometries have no CRS; set one (e.g. frame.set_crs('EPSG:4326')) before building weights"
        )
    out = frame.to_crs(crs)
    if not out.crs.is_projected:
        raise StatsError(
            f"CRS {crs!r} is not projected; distances need a projected CRS such as {EUROPE_CRS!r}"
        )
    return out


def _ids(frame: gpd.GeoDataFrame, ids: str | None) -> list[Any]:
    labels = frame[ids] if ids is not None else frame.index
    values = list(labels)
    if len(set(values)) != len(values):
        raise StatsError(f"Region ids are not unique ({ids or 'index'!r}); weights need one row per region")
    return values


def queen_weights(
    frame: gpd.GeoDataFrame, *, ids: str | None = None, crs: str = EUROPE_CRS
) -> libpysal.weights.W:
    """Queen contiguity weights (regions sharing a vertex or an edge are neighbours).

    Parameters
    ----------
    frame : GeoDataFrame
        Region polygons with a CRS.
    ids : str, optional
        Column holding region codes (default: the index).
    crs : str
        Projected CRS the geometries are moved to first (EPSG:3035 for Europe).

    Notes
    -----
    libpysal ``Queen.from_dataframe``; islands (regions without a neighbour) are kept and listed in
    ``w.islands``. Rey & Anselin (2007), PySAL.
    """
    projected = _projected(frame, crs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # libpysal warns about islands; they are reported in w.islands
        return libpysal.weights.Queen.from_dataframe(projected, ids=_ids(frame, ids), use_index=False)


def _points(frame: gpd.GeoDataFrame, crs: str) -> np.ndarray:
    projected = _projected(frame, crs)
    centroids = projected.geometry.centroid
    return np.column_stack([centroids.x.to_numpy(), centroids.y.to_numpy()])


def distance_band_weights(
    frame: gpd.GeoDataFrame,
    threshold: float,
    *,
    ids: str | None = None,
    binary: bool = True,
    crs: str = EUROPE_CRS,
) -> libpysal.weights.W:
    """Distance-band weights between region centroids (``d_ij <= threshold`` in CRS units, metres).

    Notes
    -----
    libpysal ``DistanceBand``: ``w_ij = 1`` if ``d_ij <= threshold`` (binary), else
    ``d_ij^-1`` inside the band. Centroids are taken in the projected ``crs``.
    """
    if not threshold > 0:
        raise StatsError(f"threshold must be a positive distance in metres, got {threshold!r}")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return libpysal.weights.DistanceBand(
            _points(frame, crs), threshold=threshold, binary=binary, ids=_ids(frame, ids)
        )


def knn_weights(
    frame: gpd.GeoDataFrame, k: int, *, ids: str | None = None, crs: str = EUROPE_CRS
) -> libpysal.weights.W:
    """``k`` nearest neighbours of each region centroid in the projected ``crs`` (libpysal ``KNN``)."""
    if k < 1 or k >= len(frame):
        raise StatsError(f"k must be between 1 and the number of regions - 1 ({len(frame) - 1}), got {k!r}")
    return libpysal.weights.KNN(_points(frame, crs), k=k, ids=_ids(frame, ids))


def weights_from_neighbours(
    neighbours: Mapping[Any, Sequence[Any]], *, ids: Sequence[Any] | None = None
) -> libpysal.weights.W:
    """Binary weights from a neighbour list ``{id: [neighbour ids]}`` (e.g. read from a GAL file)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return libpysal.weights.W(
            {k: list(v) for k, v in neighbours.items()}, id_order=list(ids) if ids is not None else None
        )


# --- helpers --------------------------------------------------------------------------------------
@contextmanager
def _seeded(seed: int | None) -> Iterator[None]:
    """Seed numpy's global generator (esda Moran and G draw from it) and restore it afterwards."""
    if seed is None:
        yield
        return
    state = np.random.get_state()
    np.random.seed(seed)
    try:
        yield
    finally:
        np.random.set_state(state)


def _values(values: Any, w: libpysal.weights.W) -> np.ndarray:
    if isinstance(values, pd.Series):
        if set(values.index) == set(w.id_order):
            values = values.reindex(w.id_order)
        values = values.to_numpy()
    y = np.asarray(values, dtype="float64")
    if y.ndim != 1 or len(y) != w.n:
        raise StatsError(
            f"Got {y.shape!r} values for {w.n} regions in the weights; pass one value per region"
        )
    if np.isnan(y).any():
        raise StatsError(
            f"{int(np.isnan(y).sum())} value(s) are missing; drop those regions from values and weights"
        )
    return y


# --- global Moran ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class MoranResult:
    """Global Moran's I with inference under normality, randomisation and permutation."""

    i: float
    expected: float
    variance_norm: float
    z_norm: float
    p_norm: float
    variance_rand: float
    z_rand: float
    p_rand: float
    p_sim: float | None
    permutations: int
    n: int


def moran(
    values: Any,
    w: libpysal.weights.W,
    *,
    transformation: Literal["r", "b", "v", "d"] = "r",
    permutations: int = 999,
    seed: int | None = 0,
    two_tailed: bool = True,
) -> MoranResult:
    """Global Moran's I (esda ``Moran``).

    Parameters
    ----------
    values : array-like or Series
        One value per region in ``w.id_order`` (a Series indexed by region ids is reordered).
    transformation : {'r', 'b', 'v', 'd'}
        Weights transformation: row-standardised (default, GeoDa/PySAL), binary, variance-stabilising
        or double-standardised.
    permutations, seed
        Conditional permutations for ``p_sim``; ``seed`` fixes them (None: not reproducible).
    two_tailed : bool
        Two-sided normal p-values (esda's default).

    Notes
    -----
    ``I = (n/S0) (z' W z)/(z' z)``, ``E[I] = -1/(n-1)``; under normality
    ``Var[I] = (n^2 S1 - n S2 + 3 S0^2)/((n^2 - 1) S0^2) - E[I]^2`` (Cliff & Ord 1981; Anselin 1995).
    The stl homicide rates (HR8893, queen) give I = 0.24365582621771659 as in esda's docs.
    """
    y = _values(values, w)
    with _seeded(seed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = esda.Moran(y, w, transformation=transformation, permutations=permutations, two_tailed=two_tailed)
    return MoranResult(
        i=float(m.I),
        expected=float(m.EI),
        variance_norm=float(m.VI_norm),
        z_norm=float(m.z_norm),
        p_norm=float(m.p_norm),
        variance_rand=float(m.VI_rand),
        z_rand=float(m.z_rand),
        p_rand=float(m.p_rand),
        p_sim=float(m.p_sim) if permutations else None,
        permutations=permutations,
        n=int(m.n),
    )


# --- LISA -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class LisaResult:
    """Local Moran's I per region with its quadrant and pseudo p-value."""

    ids: tuple[Any, ...]
    local_i: np.ndarray
    quadrant: np.ndarray  # 'HH', 'LH', 'LL', 'HL'
    p_sim: np.ndarray
    significant: np.ndarray
    label: np.ndarray  # quadrant if significant else 'ns'
    alpha: float
    permutations: int

    def to_frame(self) -> pd.DataFrame:
        """One row per region: local_i, quadrant, p_sim, significant, label."""
        return pd.DataFrame(
            {
                "local_i": self.local_i,
                "quadrant": self.quadrant,
                "p_sim": self.p_sim,
                "significant": self.significant,
                "label": self.label,
            },
            index=pd.Index(self.ids, name="region"),
        )


def lisa(
    values: Any,
    w: libpysal.weights.W,
    *,
    transformation: Literal["r", "b"] = "r",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> LisaResult:
    """Local Moran's I (LISA) with quadrants and significance (esda ``Moran_Local``).

    Notes
    -----
    ``I_i = (z_i / m_2) sum_j w_ij z_j`` with ``m_2 = sum z_i^2 / n`` (Anselin 1995). Quadrant of
    ``(z_i, lag z_i)``: HH (1), LH (2), LL (3), HL (4), esda's coding. A region is significant when
    its folded conditional-permutation pseudo p-value ``p_sim <= alpha``; ``label`` is then its
    quadrant, else ``'ns'``.
    """
    y = _values(values, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = esda.Moran_Local(
            y, w, transformation=transformation, permutations=permutations, seed=seed, n_jobs=1
        )
    quadrant = np.array([QUADRANTS[int(q)] for q in m.q], dtype=object)
    p_sim = np.asarray(m.p_sim, dtype="float64") if permutations else np.full(len(y), np.nan)
    significant = significant_at(p_sim, alpha)
    label = np.where(significant, quadrant, "ns").astype(object)
    return LisaResult(
        ids=tuple(w.id_order),
        local_i=np.asarray(m.Is, dtype="float64"),
        quadrant=quadrant,
        p_sim=p_sim,
        significant=significant,
        label=label,
        alpha=alpha,
        permutations=permutations,
    )


# --- Getis-Ord ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class GetisOrdResult:
    """Global Getis-Ord G."""

    g: float
    expected: float
    variance: float
    z_norm: float
    p_norm: float
    p_sim: float | None
    permutations: int


def getis_ord(
    values: Any, w: libpysal.weights.W, *, permutations: int = 999, seed: int | None = 0
) -> GetisOrdResult:
    """Global Getis-Ord G (esda ``G``; binary weights).

    Notes
    -----
    ``G = sum_i sum_{j != i} w_ij y_i y_j / sum_i sum_{j != i} y_i y_j`` (Getis & Ord 1992).
    esda's test case (6 points, distance band 15, y = [2, 3, 3.2, 5, 8, 7]) gives G = 0.55709779
    and a one-sided p_norm = 0.172936.
    """
    y = _values(values, w)
    with _seeded(seed), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G(y, w, permutations=permutations)
    return GetisOrdResult(
        g=float(g.G),
        expected=float(g.EG),
        variance=float(g.VG),
        z_norm=float(g.z_norm),
        p_norm=float(g.p_norm),
        p_sim=float(g.p_sim) if permutations else None,
        permutations=permutations,
    )


@dataclass(frozen=True)
class LocalGResult:
    """Local Getis-Ord Gi or Gi* per region, with hot/cold spot labels."""

    ids: tuple[Any, ...]
    g: np.ndarray
    z: np.ndarray
    p_norm: np.ndarray  # two-sided, from z
    p_sim: np.ndarray
    p_z_sim: np.ndarray
    label: np.ndarray  # 'hot', 'cold' or 'ns'
    star: bool
    alpha: float
    permutations: int

    def to_frame(self) -> pd.DataFrame:
        """One row per region: g, z, p_norm, p_sim, label."""
        return pd.DataFrame(
            {"g": self.g, "z": self.z, "p_norm": self.p_norm, "p_sim": self.p_sim, "label": self.label},
            index=pd.Index(self.ids, name="region"),
        )


def local_getis_ord(
    values: Any,
    w: libpysal.weights.W,
    *,
    star: bool = True,
    transform: Literal["B", "R"] = "B",
    permutations: int = 999,
    seed: int | None = 0,
    alpha: float = 0.05,
) -> LocalGResult:
    """Local Getis-Ord Gi (``star=False``) or Gi* (``star=True``) hot and cold spots (esda ``G_Local``).

    Parameters
    ----------
    star : bool
        Gi* includes the region itself in its neighbourhood sum (hot-spot analysis as in ArcGIS and
        GeoDa); Gi excludes it.
    transform : {'B', 'R'}
        Binary (default, as Getis & Ord 1992 define it) or row-standardised weights.
    alpha : float
        A region is a hot spot when ``p_sim <= alpha`` and ``z > 0``, a cold spot when
        ``p_sim <= alpha`` and ``z < 0``, else ``'ns'``.

    Notes
    -----
    ``G_i = sum_j w_ij y_j / sum_{j != i} y_j``; ``z`` is its standardised value under normality
    (Getis & Ord 1992; Ord & Getis 1995). esda's test case with binary weights and seed 10 gives
    ``z[0] = -1.0136729`` (Gi) and ``-1.39727626`` (Gi*).
    """
    y = _values(values, w)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(y, w, transform=transform, permutations=permutations, star=star, seed=seed, n_jobs=1)
    z = np.asarray(g.Zs, dtype="float64")
    p_sim = np.asarray(g.p_sim, dtype="float64") if permutations else np.full(len(y), np.nan)
    p_z_sim = np.asarray(g.p_z_sim, dtype="float64") if permutations else np.full(len(y), np.nan)
    significant = significant_at(p_sim, alpha)
    label = np.where(significant & (z > 0), "hot", np.where(significant & (z < 0), "cold", "ns")).astype(
        object
    )
    return LocalGResult(
        ids=tuple(w.id_order),
        g=np.asarray(g.Gs, dtype="float64"),
        z=z,
        p_norm=2.0 * st.norm.sf(np.abs(z)),
        p_sim=p_sim,
        p_z_sim=p_z_sim,
        label=label,
        star=star,
        alpha=alpha,
        permutations=permutations,
    )
