"""US Cluster Mapping cluster flags (qualifying, significant, strong, strong10) and region cluster strength."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cluster_map.errors import StatsError
from cluster_map.stats.specialisation import location_quotients, validate_cube

TRADED = "traded"
LOCAL = "local"
Interpolation = Literal["linear", "lower", "higher", "midpoint", "nearest"]
FLAG_COLUMNS = ("qualifying", "significant", "strong", "strong10")


def cmp_flags(
    frame: pd.DataFrame,
    *,
    totals: pd.DataFrame | None = None,
    by: Sequence[str] = ("year",),
    traded: str = TRADED,
    interpolation: Interpolation = "linear",
) -> pd.DataFrame:
    """US Cluster Mapping flags of each region x cluster x year.

    Parameters
    ----------
    frame : DataFrame
        Long cube of ONE region type (states, or counties, ... put the type in ``by`` if mixed):
        ``region``, ``sector`` (cluster code), ``employment``, ``establishments``, ``sector_type``
        (``'traded'``/``'local'``) and the ``by`` columns. If it already has an ``lq`` column, that
        LQ is used; otherwise the US CMP LQ is computed (traded against traded, local against
        local: ``within_type=True``), against ``totals`` if given (the US benchmark totals:
        ``sector``, ``employment`` = us_emp, ``total`` = us_type_total_emp), else against the sum of
        the regions in the frame.
    totals : DataFrame, optional
        Benchmark totals, see :func:`cluster_map.stats.specialisation.location_quotients`.
    by : sequence of str
        Group columns besides the cluster (year, region type).
    traded : str
        The ``sector_type`` value of traded clusters.
    interpolation : {'linear', 'lower', 'higher', 'midpoint', 'nearest'}
        Quantile method. ``'linear'`` (default) is numpy's default, R type 7, DuckDB
        ``quantile_cont`` and what the CMP method states; the others are for sensitivity checks
        (``'lower'`` ~ DuckDB ``quantile_disc``).

    Returns
    -------
    DataFrame
        The LQ frame plus nullable booleans ``qualifying``, ``significant``, ``strong``,
        ``strong10`` (NA for local clusters; False for traded cells without employment) and the
        thresholds used, ``lq_q25``, ``lq_q50``, ``lq_q75``, ``lq_q90``, ``emp_q25``, ``est_q25``.

    Notes
    -----
    Delgado, Porter & Stern (2014, 2016) and the clustermapping.us methodology. Per region type x
    traded cluster x year, over the regions with employment > 0, with quantiles ``Q_p`` by linear
    interpolation (numpy default, R type 7, DuckDB ``quantile_cont``):

    - qualifying: ``LQ > Q25(LQ)`` and ``emp > Q25(emp)`` and ``est > Q25(est)``;
    - significant: ``LQ > Q50(LQ)`` and the same two size tests;
    - strong: ``LQ >= Q75(LQ)`` and ``LQ >= 1`` and the same two size tests;
    - strong10: ``LQ >= Q90(LQ)`` and ``LQ >= 1`` and the same two size tests.

    Local clusters get no flags (NULL), as on clustermapping.us.
    """
    by = list(by)
    if "lq" in frame.columns:
        out = validate_cube(frame, by=by, value_columns=("employment", "establishments"))
        out["lq"] = pd.to_numeric(out["lq"], errors="raise").astype("float64")
    else:
        validate_cube(frame, by=by, value_columns=("employment", "establishments"))
        out = location_quotients(
            frame,
            benchmark="totals" if totals is not None else "dataset",
            totals=totals,
            by=by,
            within_type=True,
        )
        out["establishments"] = pd.to_numeric(out["establishments"]).astype("float64")
    if "sector_type" not in out.columns:
        raise StatsError("cmp_flags needs a 'sector_type' column ('traded' or 'local') for every cluster")
    is_traded = out["sector_type"] == traded
    active = is_traded & (out["employment"] > 0)
    keys = [*by, "sector"]
    pop = out[active]
    grouped = pop.groupby(keys, dropna=False)
    thresholds = pd.DataFrame(
        {
            "lq_q25": grouped["lq"].quantile(0.25, interpolation=interpolation),
            "lq_q50": grouped["lq"].quantile(0.50, interpolation=interpolation),
            "lq_q75": grouped["lq"].quantile(0.75, interpolation=interpolation),
            "lq_q90": grouped["lq"].quantile(0.90, interpolation=interpolation),
            "emp_q25": grouped["employment"].quantile(0.25, interpolation=interpolation),
            "est_q25": grouped["establishments"].quantile(0.25, interpolation=interpolation),
        }
    ).reset_index()
    drop = [c for c in thresholds.columns if c not in keys and c in out.columns]
    out = out.drop(columns=drop)
    merged = out[keys].reset_index().merge(thresholds, on=keys, how="left").set_index("index")
    merged.index.name = out.index.name
    for column in thresholds.columns:
        if column not in keys:
            out[column] = merged[column].reindex(out.index).to_numpy()
    lq = out["lq"]
    with np.errstate(invalid="ignore"):
        size = (out["employment"] > out["emp_q25"]) & (out["establishments"] > out["est_q25"])
        flags = {
            "qualifying": (lq > out["lq_q25"]) & size,
            "significant": (lq > out["lq_q50"]) & size,
            "strong": (lq >= out["lq_q75"]) & (lq >= 1.0) & size,
            "strong10": (lq >= out["lq_q90"]) & (lq >= 1.0) & size,
        }
    for name, flag in flags.items():
        out[name] = (flag & active).astype("boolean").mask(~is_traded)
    return out


def cluster_strength(
    flags: pd.DataFrame, *, by: Sequence[str] = ("year",), flag: str = "strong", traded: str = TRADED
) -> pd.DataFrame:
    """Region cluster strength: the share of traded employment in strong clusters.

    Parameters
    ----------
    flags : DataFrame
        Output of :func:`cmp_flags` (region, ``by``, sector_type, employment and ``flag``).
    by : sequence of str
        Group columns besides the region.
    flag : str
        Which flag counts as "strong" (``'strong'``, or ``'strong10'``).

    Returns
    -------
    DataFrame
        One row per region x ``by``: ``traded_employment``, ``strong_employment``,
        ``strong_clusters`` (count) and ``cluster_strength`` (NaN where traded employment is 0).

    Notes
    -----
    ``strength_r = sum_{c traded, strong} E_rc / sum_{c traded} E_rc`` (Delgado, Porter & Stern
    2014; clustermapping.us "cluster strength": share of traded employment in strong clusters).
    """
    by = list(by)
    missing = [c for c in ("region", "sector_type", "employment", flag, *by) if c not in flags.columns]
    if missing:
        raise StatsError(f"cluster_strength needs columns {missing!r}; pass the output of cmp_flags")
    traded_rows = flags[flags["sector_type"] == traded].copy()
    traded_rows["_e"] = traded_rows["employment"].fillna(0.0).astype("float64")
    strong = traded_rows[flag].fillna(False).astype(bool)
    traded_rows["_s"] = traded_rows["_e"].where(strong, 0.0)
    traded_rows["_n"] = strong.astype(int)
    grouped = traded_rows.groupby(["region", *by], dropna=False)
    out = pd.DataFrame(
        {
            "traded_employment": grouped["_e"].sum(),
            "strong_employment": grouped["_s"].sum(),
            "strong_clusters": grouped["_n"].sum(),
        }
    ).reset_index()
    with np.errstate(divide="ignore", invalid="ignore"):
        out["cluster_strength"] = out["strong_employment"] / out["traded_employment"].where(
            out["traded_employment"] > 0
        )
    return out
