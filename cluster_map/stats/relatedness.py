"""Relatedness and economic complexity: RCA, co-location proximity, relatedness density, ECI/PCI.

Inputs are region x sector DataFrames (index = regions, columns = sectors); outputs are DataFrames
or a frozen :class:`ComplexityResult`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Literal

import numpy as np
import pandas as pd

from cluster_map.errors import StatsError
from cluster_map.stats.specialisation import location_quotient_matrix


def _frame(matrix: pd.DataFrame) -> pd.DataFrame:
    if not isinstance(matrix, pd.DataFrame):
        raise StatsError("Pass a DataFrame with regions as index and sectors as columns")
    values = matrix.to_numpy(dtype="float64")
    if np.isnan(values).any() or (values < 0).any():
        raise StatsError("The matrix must hold non-negative numbers without NaN (fill missing cells with 0)")
    return matrix


def rca(matrix: pd.DataFrame, *, binary: bool = False, threshold: float = 1.0) -> pd.DataFrame:
    """Revealed comparative advantage (Balassa index) of each region in each sector.

    Parameters
    ----------
    binary : bool
        Return ``1`` where ``RCA >= threshold`` else ``0`` (EconGeo ``RCA(mat, binary = TRUE)``;
        Hidalgo et al. 2007 use ``RCA >= 1`` as "the region is specialised in the sector").
    threshold : float
        Cut-off of the binary form.

    Notes
    -----
    ``RCA_rs = (E_rs/E_r)/(E_s/E)`` (Balassa 1965): the location quotient with the matrix as its
    own benchmark. Regions or sectors without employment give 0.
    """
    m = _frame(matrix)
    values = np.nan_to_num(location_quotient_matrix(m.to_numpy(dtype="float64")), nan=0.0)
    if binary:
        values = (values >= threshold).astype("float64")
    return pd.DataFrame(values, index=m.index, columns=m.columns)


def proximity(binary: pd.DataFrame) -> pd.DataFrame:
    """Co-location proximity between sectors (Hidalgo et al. 2007 "product space").

    Parameters
    ----------
    binary : DataFrame
        Region x sector 0/1 matrix (e.g. ``rca(m, binary=True)``).

    Returns
    -------
    DataFrame
        Symmetric sector x sector matrix with zero diagonal.

    Notes
    -----
    ``phi_ij = min(P(RCA_i | RCA_j), P(RCA_j | RCA_i)) = C_ij / max(k_i, k_j)``, with ``C_ij`` the
    number of regions specialised in both sectors and ``k_i`` the ubiquity of ``i`` (Hidalgo,
    Klinger, Barabási & Hausmann 2007, Science 317). Sectors in no region have 0 proximity.
    """
    m = _frame(binary)
    x = m.to_numpy(dtype="float64")
    if not np.isin(x, (0.0, 1.0)).all():
        raise StatsError("proximity needs a 0/1 matrix; pass rca(matrix, binary=True)")
    co = x.T @ x
    k = np.diag(co).copy()
    denominator = np.maximum(k[:, None], k[None, :])
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(denominator > 0, co / np.where(denominator > 0, denominator, 1.0), 0.0)
    np.fill_diagonal(phi, 0.0)
    return pd.DataFrame(phi, index=m.columns, columns=m.columns)


def relatedness_density(binary: pd.DataFrame, related: pd.DataFrame) -> pd.DataFrame:
    """Relatedness density of each region around each sector.

    Parameters
    ----------
    binary : DataFrame
        Region x sector 0/1 specialisation matrix.
    related : DataFrame
        Sector x sector relatedness (``proximity(binary)``, or the US CMP related-clusters matrix
        from :func:`related_clusters_matrix`); its diagonal is ignored.

    Returns
    -------
    DataFrame
        Region x sector density in [0, 1] (EconGeo ``relatedness.density`` reports it x 100).

    Notes
    -----
    ``d_rs = sum_{j != s} x_rj phi_sj / sum_{j != s} phi_sj`` (Hidalgo et al. 2007; Boschma, Balland
    & Kogler 2015). NaN for a sector related to nothing.

    The sum runs over ``j != s``: a region's density around a sector does not count the sector itself
    (EconGeo ``relatedness.density`` sets the diagonal to 0 the same way). The peer py-ecomplexity
    (``ecomplexity.density``, ``M @ phi / phi.sum(0)`` with ``phi_ss = 1``) counts the own sector, so
    its density of a sector the region already has is higher by ``(1 - d_rs) / (1 + sum_{j != s} phi_sj)``;
    for sectors the region does not have (``x_rs = 0``, the "grow next" candidates) the two differ only
    by the extra 1 in the denominator.
    """
    m = _frame(binary)
    rel = related.reindex(index=m.columns, columns=m.columns)
    if rel.isna().any().any():
        missing = sorted(set(m.columns) - set(related.columns))
        raise StatsError(f"Sectors {missing[:10]!r} are missing from the relatedness matrix")
    phi = rel.to_numpy(dtype="float64").copy()
    np.fill_diagonal(phi, 0.0)
    column = phi.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = (m.to_numpy(dtype="float64") @ phi) / np.where(column > 0, column, np.nan)
    return pd.DataFrame(density, index=m.index, columns=m.columns)


@dataclass(frozen=True)
class ComplexityResult:
    """Economic complexity of regions (ECI) and sectors (PCI), each standardised on its own to mean 0
    and (population) standard deviation 1 over its own regions or sectors: ECI and PCI values are
    comparable within their list, not across the two, nor across years or datasets."""

    eci: pd.Series
    pci: pd.Series
    diversity: pd.Series
    ubiquity: pd.Series
    method: str


def _standardise(x: np.ndarray) -> np.ndarray:
    sd = x.std()
    return (x - x.mean()) / sd if sd > 0 else np.zeros_like(x)


def complexity(
    matrix: pd.DataFrame,
    *,
    method: Literal["eigenvector", "reflections"] = "eigenvector",
    iterations: int = 20,
    binary_input: bool = False,
) -> ComplexityResult:
    """Economic Complexity Index of regions and Product (sector) Complexity Index.

    Parameters
    ----------
    matrix : DataFrame
        Region x sector employment (RCA >= 1 gives the binary matrix ``M``) or, with
        ``binary_input=True``, ``M`` itself.
    method : {'eigenvector', 'reflections'}
        ``'eigenvector'`` (Hausmann, Hidalgo et al. 2011 Atlas): ECI from the eigenvector of the
        second-largest eigenvalue of ``M~ = D_c^-1 M D_p^-1 M'``. ``'reflections'`` (Hidalgo &
        Hausmann 2009, PNAS 106(26)): ``k_c,N = (1/k_c,0) sum_p M_cp k_p,N-1`` and
        ``k_p,N = (1/k_p,0) sum_c M_cp k_c,N-1`` iterated ``iterations`` times (rounded up to even);
        ECI is the standardised ``k_c,N`` (standardised every second reflection, which only
        removes the trivial constant part). Both agree as ``N`` grows; convergence is slow when
        the second and third eigenvalues are close, so compare with the eigenvector method.
    iterations : int
        Reflections to run (method ``'reflections'``).

    Returns
    -------
    ComplexityResult
        ``eci`` (regions), ``pci`` (sectors), ``diversity`` ``k_c,0``, ``ubiquity`` ``k_p,0``.
        Regions without any RCA sector and sectors in no region are dropped from ``eci``/``pci``
        and kept with NaN.

    Notes
    -----
    Signs follow the usual convention: ECI correlates positively with diversity and
    ``PCI_p`` is the standardised mean ECI of the regions specialised in ``p`` (so the two agree).
    """
    m = _frame(matrix)
    big = m.to_numpy(dtype="float64") if binary_input else rca(m, binary=True).to_numpy()
    if binary_input and not np.isin(big, (0.0, 1.0)).all():
        raise StatsError("binary_input=True needs a 0/1 matrix")
    diversity = big.sum(axis=1)
    ubiquity = big.sum(axis=0)
    rows = diversity > 0
    cols = ubiquity > 0
    x = big[np.ix_(rows, cols)]
    kc, kp = diversity[rows], ubiquity[cols]
    if x.shape[0] < 2 or x.shape[1] < 2:
        raise StatsError("Complexity needs at least two regions and two sectors with RCA >= 1")
    if method == "eigenvector":
        mcc = (x / kc[:, None]) @ (x / kp[None, :]).T
        values, vectors = np.linalg.eig(mcc)
        order = np.argsort(-values.real)
        eci = vectors[:, order[1]].real
    elif method == "reflections":
        steps = iterations + (iterations % 2)
        k_c, k_p = kc.copy(), kp.copy()
        for step in range(steps):
            k_c, k_p = (x @ k_p) / kc, (x.T @ k_c) / kp
            if step % 2 == 1:
                # Removing the constant (eigenvalue 1) part and rescaling leaves the informative
                # components untouched and keeps float precision over many reflections.
                k_c, k_p = _standardise(k_c), _standardise(k_p)
        eci = k_c
    else:
        raise StatsError(f"Unknown method {method!r}; use 'eigenvector' or 'reflections'")
    eci = _standardise(eci)
    if np.corrcoef(eci, kc)[0, 1] < 0:
        eci = -eci
    pci = _standardise((x.T @ eci) / kp)
    eci_s = pd.Series(np.nan, index=m.index, name="eci")
    eci_s[rows] = eci
    pci_s = pd.Series(np.nan, index=m.columns, name="pci")
    pci_s[cols] = pci
    return ComplexityResult(
        eci=eci_s,
        pci=pci_s,
        diversity=pd.Series(diversity, index=m.index, name="diversity"),
        ubiquity=pd.Series(ubiquity, index=m.columns, name="ubiquity"),
        method=method,
    )


def related_clusters_matrix(
    records: pd.DataFrame, *, measure: str = "cr_all", clusters: Sequence[str] | None = None
) -> pd.DataFrame:
    """The US Cluster Mapping related-clusters matrix as a cluster x cluster DataFrame.

    Parameters
    ----------
    records : DataFrame
        The records of ``relatedClusters.json`` (clustermapping.us): columns ``clustera``,
        ``clusterb`` and the measure.
    measure : str
        ``'cr_all'`` (composite relatedness, Delgado, Porter & Stern 2016), ``'cr_all_pc'`` (its
        percentile), ``'rel_all_90_v3'`` (1 when the pair is "related": top decile), or one of the
        components ``cr_lc`` (co-location of employment), ``cr_io`` (input-output links),
        ``cr_occ`` (shared occupations).
    clusters : sequence of str, optional
        Order (and subset) of cluster codes; default the sorted numeric codes.

    Returns
    -------
    DataFrame
        Float matrix, NaN where the source has no value; usable as ``related`` in
        :func:`relatedness_density`.
    """
    needed = ["clustera", "clusterb", measure]
    missing = [c for c in needed if c not in records.columns]
    if missing:
        raise StatsError(
            f"The related-clusters records lack columns {missing!r}; they have {list(records.columns)[:12]!r}"
        )
    frame = pd.DataFrame(
        {
            "a": records["clustera"].astype(str),
            "b": records["clusterb"].astype(str),
            "v": pd.to_numeric(records[measure].replace("", np.nan), errors="coerce"),
        }
    )
    if frame.duplicated(["a", "b"]).any():
        dup = frame[frame.duplicated(["a", "b"], keep=False)].head(3).to_dict("records")
        raise StatsError(f"Duplicate cluster pairs in the related-clusters records, e.g. {dup!r}")
    matrix = frame.pivot(index="a", columns="b", values="v")
    order = (
        list(clusters)
        if clusters is not None
        else sorted(set(matrix.index) | set(matrix.columns), key=_code_key)
    )
    return matrix.reindex(index=order, columns=order).rename_axis(index="cluster", columns="related_cluster")


def _code_key(code: str) -> tuple[int, str]:
    return (int(code), code) if code.isdigit() else (10**9, code)
