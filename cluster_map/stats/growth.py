"""Growth between two years: CAGR, job creation, change in LQ and shift-share decomposition."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cluster_map.errors import StatsError
from cluster_map.stats.specialisation import Benchmark, location_quotients, validate_cube


def cagr(
    start: np.ndarray | pd.Series | float, end: np.ndarray | pd.Series | float, years: float
) -> np.ndarray:
    """Compound annual growth rate.

    Notes
    -----
    .. math:: CAGR = (E_{end} / E_{start})^{1/t} - 1

    NaN where ``E_start <= 0`` or a value is missing. ``years`` must be positive.
    """
    if not years > 0:
        raise StatsError(f"years must be positive for a growth rate, got {years!r}")
    s = np.asarray(start, dtype="float64")
    e = np.asarray(end, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = np.where(s > 0, e / np.where(s > 0, s, 1.0), np.nan)
        return np.power(ratio, 1.0 / years) - 1.0


def _two_years(frame: pd.DataFrame, start_year: int, end_year: int, by: Sequence[str]) -> pd.DataFrame:
    if end_year <= start_year:
        raise StatsError(f"end_year {end_year!r} must be after start_year {start_year!r}")
    checked = validate_cube(frame, by=["year", *by])
    years = set(checked["year"].unique().tolist())
    missing = [y for y in (start_year, end_year) if y not in years]
    if missing:
        raise StatsError(
            f"Year(s) {missing!r} are not in the frame (it has {sorted(years)!r}); pick years with data"
        )
    return checked[checked["year"].isin([start_year, end_year])]


def growth(
    frame: pd.DataFrame,
    *,
    start_year: int,
    end_year: int,
    by: Sequence[str] = (),
    benchmark: Benchmark = "dataset",
    totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Employment growth and change in specialisation of each region x sector between two years.

    Parameters
    ----------
    frame : DataFrame
        Long cube with ``region``, ``sector``, ``year``, ``employment`` (and ``by`` columns).
        A cell present in only one of the two years counts as 0 employment in the other.
    start_year, end_year : int
        The two years compared.
    benchmark, totals
        For the LQs, see :func:`cluster_map.stats.specialisation.location_quotients`.

    Returns
    -------
    DataFrame
        ``region, sector, *by, employment_start, employment_end, job_creation, cagr, lq_start,
        lq_end, lq_change``.

    Notes
    -----
    ``job_creation = E_end - E_start``; ``cagr = (E_end/E_start)^(1/(end-start)) - 1``;
    ``lq_change = LQ_end - LQ_start`` (both years against their own benchmark).
    """
    sub = _two_years(frame, start_year, end_year, by)
    lq = location_quotients(sub, by=["year", *by], benchmark=benchmark, totals=totals)
    keys = ["region", "sector", *by]
    start = lq[lq["year"] == start_year].set_index(keys)[["employment", "lq"]]
    end = lq[lq["year"] == end_year].set_index(keys)[["employment", "lq"]]
    out = start.add_suffix("_start").join(end.add_suffix("_end"), how="outer").reset_index()
    out["employment_start"] = out["employment_start"].fillna(0.0)
    out["employment_end"] = out["employment_end"].fillna(0.0)
    out["job_creation"] = out["employment_end"] - out["employment_start"]
    out["cagr"] = cagr(out["employment_start"], out["employment_end"], end_year - start_year)
    out["lq_change"] = out["lq_end"] - out["lq_start"]
    return out[
        [
            *keys,
            "employment_start",
            "employment_end",
            "job_creation",
            "cagr",
            "lq_start",
            "lq_end",
            "lq_change",
        ]
    ]


def shift_share(
    frame: pd.DataFrame,
    *,
    start_year: int,
    end_year: int,
    by: Sequence[str] = (),
    totals: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Classic shift-share decomposition of each region x sector's employment change.

    Parameters
    ----------
    frame : DataFrame
        Long cube (``region``, ``sector``, ``year``, ``employment``). A cell present in only one of
        the two years counts as 0 in the other.
    start_year, end_year : int
        The two years.
    totals : DataFrame, optional
        External benchmark with ``sector``, ``year``, ``employment`` for both years (e.g. national
        or EU totals). Default: the sums over the regions in the frame.

    Returns
    -------
    DataFrame
        ``region, sector, *by, employment_start, employment_end, change, national_growth,
        industry_mix, regional_shift``; the three components sum to ``change`` exactly.

    Notes
    -----
    With benchmark growth ``g = E^1/E^0 - 1``, sector growth ``g_s = E_s^1/E_s^0 - 1`` and
    ``e_rs^0`` the cell's start employment (Dunn 1960; Esteban-Marquillas 1972):

    - national growth ``NS = e_rs^0 g``;
    - industry mix ``IM = e_rs^0 (g_s - g)``;
    - regional shift ``RS = e_rs^0 (g_rs - g_s) = (e_rs^1 - e_rs^0) - e_rs^0 g_s``.

    ``NS + IM + RS = e_rs^1 - e_rs^0``. A sector with no benchmark employment at the start has
    ``g_s`` undefined: its IM is NULL and RS takes ``change - NS``. With the dataset as
    benchmark, RS sums to 0 over the regions of each sector.
    """
    by = list(by)
    sub = _two_years(frame, start_year, end_year, by)
    keys = ["region", "sector", *by]
    wide = sub.pivot_table(index=keys, columns="year", values="employment", aggfunc="sum", fill_value=0.0)
    wide = wide.reindex(columns=[start_year, end_year], fill_value=0.0).reset_index()
    wide = wide.rename(columns={start_year: "employment_start", end_year: "employment_end"})
    wide.columns.name = None
    if totals is None:
        sector = wide.groupby(["sector", *by])[["employment_start", "employment_end"]].sum()
        overall = wide.groupby(by)[["employment_start", "employment_end"]].sum() if by else None
        e0 = wide["employment_start"].sum()
        e1 = wide["employment_end"].sum()
    else:
        tot = validate_cube(totals.assign(region="benchmark"), by=["year"])
        tw = tot.pivot_table(index="sector", columns="year", values="employment", aggfunc="sum")
        missing_years = [y for y in (start_year, end_year) if y not in tw.columns]
        if missing_years:
            raise StatsError(f"The totals frame has no year {missing_years!r}; give totals for both years")
        sector = tw[[start_year, end_year]].set_axis(["employment_start", "employment_end"], axis=1)
        unknown = sorted(set(wide["sector"]) - set(sector.index))
        if unknown:
            raise StatsError(
                f"Sectors {unknown[:10]!r} have no benchmark totals; the totals must hold every sector"
            )
        overall = None
        e0 = float(sector["employment_start"].sum())
        e1 = float(sector["employment_end"].sum())
    s_keys = ["sector", *by] if totals is None else ["sector"]
    merged = wide.merge(sector.reset_index(), on=s_keys, how="left", suffixes=("", "_bench"))
    if overall is not None:
        merged = merged.merge(overall.reset_index(), on=by, how="left", suffixes=("", "_all"))
        g = merged["employment_end_all"] / merged["employment_start_all"] - 1.0
    else:
        g = pd.Series(e1 / e0 - 1.0 if e0 > 0 else np.nan, index=merged.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        s0 = merged["employment_start_bench"]
        g_s = (merged["employment_end_bench"] / s0.where(s0 > 0)) - 1.0
    start = merged["employment_start"]
    out = merged[[*keys, "employment_start", "employment_end"]].copy()
    out["change"] = out["employment_end"] - out["employment_start"]
    out["national_growth"] = (start * g).where(start != 0, 0.0)
    out["industry_mix"] = (start * (g_s - g)).where(start != 0, 0.0)
    out["regional_shift"] = out["change"] - out["national_growth"] - out["industry_mix"].fillna(0.0)
    return out
