"""Specialisation of regions and concentration of sectors from a region x sector employment matrix.

Per region: Krugman specialisation index, Herfindahl-Hirschman index, entropy with related and
unrelated variety. Per sector: Gini, locational Gini, Hoover coefficient of localisation, Theil.
Inputs are a DataFrame (index = regions, columns = sectors; see
:func:`cluster_map.stats.specialisation.region_sector_matrix`) or a 2-D array; outputs are Series
indexed like the input (arrays for array input).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Literal

import numpy as np
import pandas as pd

from cluster_map.errors import StatsError


def _matrix(matrix: pd.DataFrame | np.ndarray) -> np.ndarray:
    m = np.asarray(matrix, dtype="float64")
    if m.ndim != 2:
        raise StatsError(f"Expected a 2-D region x sector matrix, got shape {m.shape!r}")
    if np.isnan(m).any():
        raise StatsError("The matrix holds NaN; fill missing cells (0) or drop them before computing indices")
    if (m < 0).any():
        r, s = np.argwhere(m < 0)[0]
        raise StatsError(
            f"Negative employment {float(m[r, s])!r} at row {r}, column {s}; employment must be >= 0"
        )
    return m


def _per_row(values: np.ndarray, matrix: pd.DataFrame | np.ndarray, name: str) -> pd.Series | np.ndarray:
    if isinstance(matrix, pd.DataFrame):
        return pd.Series(values, index=matrix.index, name=name)
    return values


def _per_column(values: np.ndarray, matrix: pd.DataFrame | np.ndarray, name: str) -> pd.Series | np.ndarray:
    if isinstance(matrix, pd.DataFrame):
        return pd.Series(values, index=matrix.columns, name=name)
    return values


def _row_shares(m: np.ndarray) -> np.ndarray:
    total = m.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(total > 0, m / np.where(total > 0, total, 1.0), np.nan)


def krugman(
    matrix: pd.DataFrame | np.ndarray, *, halved: bool = False, reference: Literal["all", "rest"] = "all"
) -> pd.Series | np.ndarray:
    """Krugman specialisation index of each region.

    Parameters
    ----------
    matrix : DataFrame or ndarray, shape (n_regions, n_sectors)
        Employment.
    halved : bool
        False (default): the sum form, range [0, 2), as in Krugman (1991) and Balland's EconGeo
        ``KRUGMAN.index`` (and Midelfart-Knarvik, Overman, Redding & Venables 2000). True: half of
        it, range [0, 1), which is the Duncan & Duncan (1955) dissimilarity index between the
        region's and the benchmark's sector structures; studies that want a [0, 1] scale report
        that form. Say which one a figure uses.
    reference : {'all', 'rest'}
        The benchmark structure: all regions including the region itself (EconGeo), or the rest of
        the regions (Krugman 1991 compared pairs / a region with the others; Midelfart-Knarvik et
        al. 2000 use the rest of the EU).

    Returns
    -------
    Series or ndarray
        One value per region; NaN for a region without employment.

    Notes
    -----
    .. math:: K_r = \\sum_s |E_{rs}/E_r - E_s/E|

    (times 1/2 if ``halved``). EconGeo's example matrix gives [1.6, 1.0, 0.6, 0.7, 1.1].
    """
    m = _matrix(matrix)
    shares = _row_shares(m)
    if reference == "all":
        bench = m.sum(axis=0) / m.sum()
        diff = np.abs(shares - bench[None, :])
    elif reference == "rest":
        rest = m.sum(axis=0)[None, :] - m
        diff = np.abs(shares - _row_shares(rest))
    else:
        raise StatsError(f"Unknown reference {reference!r}; use 'all' or 'rest'")
    value = diff.sum(axis=1) * (0.5 if halved else 1.0)
    value[np.isnan(shares).any(axis=1)] = np.nan
    return _per_row(value, matrix, "krugman")


def hhi(matrix: pd.DataFrame | np.ndarray) -> pd.Series | np.ndarray:
    """Herfindahl-Hirschman index of each region's sector structure.

    Notes
    -----
    .. math:: HHI_r = \\sum_s (E_{rs}/E_r)^2 \\in [1/n, 1]

    (Hirschman 1964; Herfindahl 1950). EconGeo ``Herfindahl`` example: [1.0, .525, .34, .315, .465].
    NaN for a region without employment.
    """
    m = _matrix(matrix)
    return _per_row((_row_shares(m) ** 2).sum(axis=1), matrix, "hhi")


def _entropy(p: np.ndarray, base: float) -> np.ndarray:
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0)), 0.0)
    return -terms.sum(axis=1) / np.log(base)


def variety(matrix: pd.DataFrame, groups: Mapping[str, str], *, base: float = 2.0) -> pd.DataFrame:
    """Entropy of each region's sector structure, split into unrelated and related variety.

    Parameters
    ----------
    matrix : DataFrame
        Region x sector employment at the fine level (e.g. NACE divisions, US subclusters).
    groups : mapping
        Fine sector code -> coarse group (e.g. NACE division -> section, subcluster -> cluster).
        Every column must be mapped.
    base : float
        Logarithm base; 2 (bits) as in Frenken, Van Oort & Verburg (2007).

    Returns
    -------
    DataFrame
        Columns ``entropy``, ``unrelated_variety``, ``related_variety`` (``entropy = unrelated +
        related``); NaN for regions without employment.

    Notes
    -----
    With ``p_i`` the share of fine sector ``i`` and ``P_g = sum_{i in g} p_i``:
    ``UV = sum_g P_g log(1/P_g)``, ``RV = sum_g P_g H_g`` with ``H_g = sum_{i in g} (p_i/P_g)
    log(P_g/p_i)``; the entropy ``H = sum_i p_i log(1/p_i) = UV + RV`` (Theil decomposition;
    Frenken, Van Oort & Verburg 2007, Regional Studies 41(5)). Every ``log`` is to ``base`` (default 2:
    bits, as Frenken et al. and :func:`cluster_map.stats.tables.region_indices`); ``base=np.e`` gives nats.
    """
    if not isinstance(matrix, pd.DataFrame):
        raise StatsError("variety needs a DataFrame whose columns are sector codes")
    unmapped = [c for c in matrix.columns if c not in groups]
    if unmapped:
        raise StatsError(f"Sectors {unmapped[:10]!r} have no group in the hierarchy; map every sector")
    m = _matrix(matrix)
    p = _row_shares(m)
    labels = np.array([groups[c] for c in matrix.columns])
    group_codes = sorted(set(labels))
    big = np.column_stack([p[:, labels == g].sum(axis=1) for g in group_codes])
    total = _entropy(p, base)
    unrelated = _entropy(big, base)
    return pd.DataFrame(
        {"entropy": total, "unrelated_variety": unrelated, "related_variety": total - unrelated},
        index=matrix.index,
    )


def gini(matrix: pd.DataFrame | np.ndarray) -> pd.Series | np.ndarray:
    """Gini coefficient of each sector's employment across regions.

    Notes
    -----
    .. math:: G_s = \\frac{\\sum_i \\sum_j |E_{is} - E_{js}|}{2 n^2 \\bar E_s}

    Maximum ``(n-1)/n`` when one region holds everything. EconGeo ``Gini`` example (per industry):
    [.8, .36, .54, .62, .56]. NaN for a sector without employment.
    """
    m = _matrix(matrix)
    n = m.shape[0]
    x = np.sort(m, axis=0)
    ranks = np.arange(1, n + 1)[:, None]
    total = x.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        # sum_i sum_j |x_i - x_j| = 2 sum_k (2k - n - 1) x_(k)
        g = 2.0 * ((2 * ranks - n - 1) * x).sum(axis=0) / (2.0 * n * total)
    return _per_column(np.where(total > 0, g, np.nan), matrix, "gini")


def locational_gini(matrix: pd.DataFrame | np.ndarray, *, normalised: bool = False) -> pd.Series | np.ndarray:
    """Krugman's locational Gini of each sector.

    Parameters
    ----------
    normalised : bool
        False (default): the area between the locational Lorenz curve and the diagonal, limit 0.5,
        as in Krugman (1991, ch. 2) and EconGeo ``locational.Gini``. True: twice that (a Gini ratio,
        limit 1), as e.g. Audretsch & Feldman (1996) report it.

    Notes
    -----
    Regions sorted by ``LQ_rs`` ascending; ``X_k`` = cumulative share of total employment, ``Y_k``
    = cumulative share of the sector's employment; ``LG_s = (1 - sum_k (X_k - X_{k-1})(Y_k +
    Y_{k-1})) / 2``. Zero when the sector is spread in proportion to total employment.
    """
    m = _matrix(matrix)
    pop = m.sum(axis=1)
    total = pop.sum()
    out = np.full(m.shape[1], np.nan)
    for s in range(m.shape[1]):
        ind = m[:, s]
        if ind.sum() <= 0 or total <= 0:
            continue
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(pop > 0, ind / np.where(pop > 0, pop, 1.0), np.inf)
        order = np.argsort(ratio, kind="stable")
        x = np.concatenate([[0.0], np.cumsum(pop[order]) / total])
        y = np.concatenate([[0.0], np.cumsum(ind[order]) / ind.sum()])
        area = ((x[1:] - x[:-1]) * (y[1:] + y[:-1])).sum() / 2.0
        out[s] = 0.5 - area
    return _per_column(out * (2.0 if normalised else 1.0), matrix, "locational_gini")


def hoover(matrix: pd.DataFrame | np.ndarray) -> pd.Series | np.ndarray:
    """Hoover coefficient of localisation of each sector.

    Notes
    -----
    .. math:: H_s = \\tfrac12 \\sum_r |E_{rs}/E_s - E_r/E| \\in [0, 1)

    Hoover (1936): the share of the sector's employment that would have to move for it to be
    spread like total employment.
    """
    m = _matrix(matrix)
    col = m.sum(axis=0)
    pop = m.sum(axis=1) / m.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        value = 0.5 * np.abs(m / col[None, :] - pop[:, None]).sum(axis=0)
    return _per_column(np.where(col > 0, value, np.nan), matrix, "hoover")


def theil(
    matrix: pd.DataFrame | np.ndarray, *, reference: Literal["employment", "regions"] = "employment"
) -> pd.Series | np.ndarray:
    """Theil index of each sector's distribution across regions.

    Parameters
    ----------
    reference : {'employment', 'regions'}
        ``'employment'`` (default): relative to the regions' shares of total employment (the
        Kullback-Leibler divergence, 0 when the sector is spread like all employment; used for
        localisation, e.g. Brülhart & Traeger 2005). ``'regions'``: relative to equal shares,
        Theil's (1967) T index of inequality between regions, in [0, ln n].

    Notes
    -----
    With ``p_r = E_rs/E_s`` and ``q_r = E_r/E`` (or ``1/n``): ``T_s = sum_r p_r ln(p_r/q_r)``,
    terms with ``p_r = 0`` count 0. Natural logarithm.
    """
    m = _matrix(matrix)
    col = m.sum(axis=0)
    if reference == "employment":
        q = (m.sum(axis=1) / m.sum())[:, None]
    elif reference == "regions":
        q = np.full((m.shape[0], 1), 1.0 / m.shape[0])
    else:
        raise StatsError(f"Unknown reference {reference!r}; use 'employment' or 'regions'")
    with np.errstate(divide="ignore", invalid="ignore"):
        p = m / col[None, :]
        terms = np.where(p > 0, p * np.log(np.where(p > 0, p, 1.0) / q), 0.0)
    return _per_column(np.where(col > 0, terms.sum(axis=0), np.nan), matrix, "theil")


def region_indices(
    matrix: pd.DataFrame, *, groups: Mapping[str, str] | None = None, halved: bool = False
) -> pd.DataFrame:
    """All region-level indices of a region x sector DataFrame in one frame.

    Columns ``krugman``, ``hhi`` and, when ``groups`` is given, ``entropy``,
    ``unrelated_variety``, ``related_variety``; see the single functions for formulas.
    """
    out = pd.DataFrame({"krugman": krugman(matrix, halved=halved), "hhi": hhi(matrix)}, index=matrix.index)
    if groups is not None:
        out = out.join(variety(matrix, groups))
    return out


def sector_indices(matrix: pd.DataFrame) -> pd.DataFrame:
    """All sector-level indices (``gini``, ``locational_gini``, ``hoover``, ``theil``) in one frame."""
    return pd.DataFrame(
        {
            "gini": gini(matrix),
            "locational_gini": locational_gini(matrix),
            "hoover": hoover(matrix),
            "theil": theil(matrix),
        },
        index=matrix.columns,
    )
