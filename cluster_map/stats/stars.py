"""European Cluster Observatory stars: size, specialisation and focus of a region in a cluster category."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cluster_map.errors import StatsError
from cluster_map.stats.specialisation import Benchmark, location_quotients

TopRule = Literal["quantile", "rank"]
FocusScope = Literal["all_cells", "sector"]
Interpolation = Literal["linear", "lower", "higher", "midpoint", "nearest"]


def top_share(
    values: pd.Series,
    groups: pd.DataFrame | pd.Series | None,
    *,
    quantile: float,
    rule: TopRule = "quantile",
    interpolation: Interpolation = "linear",
) -> pd.Series:
    """Flag the values in the top ``1 - quantile`` of their group.

    Parameters
    ----------
    values : Series
        The values to rank (NaN = not ranked, flag NA).
    groups : DataFrame or Series or None
        Group keys aligned with ``values`` (None: one group).
    quantile : float
        0.9 flags the top 10%.
    rule : {'quantile', 'rank'}
        ``'quantile'``: ``value >= Q_q`` where ``Q_q`` is the ``quantile`` of the group's non-NULL
        values by linear interpolation (numpy's default, R type 7, DuckDB ``quantile_cont``); all
        values tied at the threshold are flagged. ``'rank'``: ``rank <= ceil((1 - quantile) * n)``
        where ``rank`` is the descending rank with ties sharing the best (minimum) rank and ``n`` the
        number of non-NULL values; ties at the cut-off are all flagged. In both rules a value of 0
        is never flagged (a region without employment is not "top").
    interpolation : {'linear', 'lower', 'higher', 'midpoint', 'nearest'}
        Quantile method of the ``'quantile'`` rule (default linear = R type 7).

    Returns
    -------
    Series
        Nullable boolean, NA where the value is NaN.
    """
    if not 0.0 < quantile < 1.0:
        raise StatsError(f"quantile must lie strictly between 0 and 1, got {quantile!r}")
    frame = pd.DataFrame({"v": values.astype("float64")})
    keys: list[str] = []
    if groups is not None:
        g = groups.to_frame() if isinstance(groups, pd.Series) else groups
        for i, column in enumerate(g.columns):
            frame[f"_g{i}"] = g[column].to_numpy()
            keys.append(f"_g{i}")
    if rule == "quantile":
        if keys:
            threshold = frame.groupby(keys, dropna=False)["v"].transform(
                "quantile", quantile, interpolation=interpolation
            )
        else:
            threshold = pd.Series(
                frame["v"].quantile(quantile, interpolation=interpolation), index=frame.index
            )
        flag = frame["v"] >= threshold
    elif rule == "rank":
        if keys:
            grouped = frame.groupby(keys, dropna=False)["v"]
            rank = grouped.rank(method="min", ascending=False)
            n = grouped.transform("count")
        else:
            rank = frame["v"].rank(method="min", ascending=False)
            n = pd.Series(frame["v"].count(), index=frame.index)
        cut = np.ceil(np.round((1.0 - quantile) * n.astype("float64"), 9))
        flag = rank <= cut
    else:
        raise StatsError(f"Unknown rule {rule!r}; use 'quantile' or 'rank'")
    flag = flag & (frame["v"] > 0)
    return flag.astype("boolean").mask(frame["v"].isna())


def observatory_stars(
    frame: pd.DataFrame,
    *,
    size_quantile: float = 0.9,
    lq_threshold: float = 2.0,
    focus_quantile: float = 0.9,
    min_employment: float = 0.0,
    rule: TopRule = "quantile",
    interpolation: Interpolation = "linear",
    by: Sequence[str] = ("year",),
    benchmark: Benchmark = "dataset",
    totals: pd.DataFrame | None = None,
    within_type: bool = False,
    focus_scope: FocusScope = "all_cells",
) -> pd.DataFrame:
    """European Cluster Observatory stars of each region x cluster category cell.

    Parameters
    ----------
    frame : DataFrame
        Long cube (region, sector, employment, ``by`` columns). If it already has the columns ``lq``
        and ``share_region`` (output of :func:`location_quotients`) they are used as they are;
        otherwise they are computed with ``benchmark``, ``totals`` and ``within_type``.
    size_quantile : float
        Size star: employment in the top ``1 - size_quantile`` (default top 10%) of the regions in
        the same category (sector and ``by`` group, e.g. year; put the NUTS level in ``by`` if the
        frame mixes levels).
    lq_threshold : float
        Specialisation star: ``LQ >= lq_threshold`` (default 2).
    focus_quantile : float
        Focus star: the sector's share of the region's employment (``E_rs/E_r``) in the top
        ``1 - focus_quantile`` of the cells of ``focus_scope``.
    focus_scope : {'all_cells', 'sector'}
        ``'all_cells'`` (default, as the Observatory publishes it): among every region x category cell
        with employment of the ``by`` group; ``'sector'``: among the regions of the same category
        (which ranks regions exactly as the LQ does, so focus repeats the specialisation test).
    min_employment : float
        Minimum-size rule: a cell with employment below this earns no star (all three False); it
        still counts in the population over which the top 10% are computed.
    rule : {'quantile', 'rank'}
        How "top 10%" is computed, see :func:`top_share`: ``'quantile'`` (default) flags
        ``value >= Q90`` of the category by linear interpolation; ``'rank'`` flags
        ``rank <= ceil(0.1 n)``. Ties at the threshold are flagged under both rules.
    interpolation : {'linear', 'lower', 'higher', 'midpoint', 'nearest'}
        Quantile method of the ``'quantile'`` rule.
    by, benchmark, totals, within_type
        Passed to :func:`cluster_map.stats.specialisation.location_quotients`.

    Returns
    -------
    DataFrame
        The LQ frame plus nullable booleans ``size_star``, ``specialisation_star``, ``focus_star``
        (NA where employment, LQ or share is NULL) and ``stars`` (nullable Int8, 0-3; NA if any of
        the three is NA).

    Notes
    -----
    European Cluster Observatory (Ketels & Protsiv 2014, "Methodology and findings report for a
    cluster mapping of related sectors"; earlier Cluster Observatory star ratings, Sölvell, Ketels &
    Lindqvist 2009, and the European Cluster Panorama 2014/2016): size = employment among the top
    10% of European regions in the category; specialisation = LQ >= 2; focus = the category's
    share of the region's total employment among the top 10% of all clusters (the Observatory says
    size is ranked "within the same cluster category" and focus over "all clusters"; ranked within a
    category instead, the share orders regions exactly like the LQ, ``LQ = share / (E_s/E)``, and the
    focus star repeats the specialisation star). ``stars = size + specialisation + focus``. The ECO does not publish its percentile convention; the default here is the 90th
    percentile by linear interpolation (R type 7), the same as the US CMP quantiles.
    """
    by = list(by)
    if {"lq", "share_region"} <= set(frame.columns):
        out = frame.copy()
        out["employment"] = pd.to_numeric(out["employment"], errors="raise").astype("float64")
    else:
        out = location_quotients(frame, benchmark=benchmark, totals=totals, by=by, within_type=within_type)
    groups = out[["sector", *by]]
    size = top_share(
        out["employment"], groups, quantile=size_quantile, rule=rule, interpolation=interpolation
    )
    if focus_scope == "sector":
        focus = top_share(
            out["share_region"], groups, quantile=focus_quantile, rule=rule, interpolation=interpolation
        )
    elif focus_scope == "all_cells":
        positive = out["employment"] > 0
        ranked = out["share_region"].where(positive)
        focus = top_share(
            ranked, out[by] if by else None, quantile=focus_quantile, rule=rule, interpolation=interpolation
        )
        focus = focus.mask(out["share_region"].notna() & ~positive.fillna(False), False)
    else:
        raise StatsError(f"Unknown focus_scope {focus_scope!r}; use 'all_cells' or 'sector'")
    special = (out["lq"] >= lq_threshold).astype("boolean").mask(out["lq"].isna())
    small = (out["employment"] < min_employment).fillna(False)
    out["size_star"] = size.mask(small, False)
    out["specialisation_star"] = special.mask(small, False)
    out["focus_star"] = focus.mask(small, False)
    parts = out[["size_star", "specialisation_star", "focus_star"]]
    stars = parts.astype("Int8").sum(axis=1, skipna=True).astype("Int8")
    out["stars"] = stars.mask(parts.isna().any(axis=1))
    return out


def star_thresholds(values: Sequence[float], *, quantile: float = 0.9) -> float:
    """The "top 10%" threshold of one category: the ``quantile`` by linear interpolation.

    Notes
    -----
    ``np.quantile(values, quantile, method='linear')`` (numpy default, R type 7): with sorted
    values ``x_0..x_{n-1}``, ``h = (n-1) q``, ``Q = x_floor(h) + (h - floor(h)) (x_ceil(h) - x_floor(h))``.
    """
    arr = np.asarray(values, dtype="float64")
    arr = arr[~np.isnan(arr)]
    if arr.size == 0:
        return math.nan
    return float(np.quantile(arr, quantile))
