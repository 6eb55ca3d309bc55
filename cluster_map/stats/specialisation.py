"""Specialisation of regions in sectors: shares and location quotients against an explicit benchmark.

Input is the long employment cube (``cluster_map.schema.CUBE_COLUMNS``: one row per region x sector
x year). Everything here is a pure function of a DataFrame; nothing reads files or settings.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cluster_map.errors import StatsError

Benchmark = Literal["dataset", "country", "totals"]

#: Reasons written to ``lq_reason`` when the LQ is NULL (``None`` when the LQ is defined).
REASON_MISSING = "employment missing"
REASON_REGION_ZERO = "region total employment is zero"
REASON_SECTOR_ZERO = "benchmark sector employment is zero"
REASON_BELOW_MINIMUM = "below minimum size"

LQ_COLUMNS = (
    "region_total",
    "sector_total",
    "benchmark_total",
    "share_region",
    "share_sector",
    "lq",
    "lq_reason",
)


def _plain(value: object) -> object:
    return value.item() if isinstance(value, np.generic) else value


def _describe(frame: pd.DataFrame, index: Iterable[object], keys: Sequence[str], column: str | None) -> str:
    parts = []
    for label in list(index)[:10]:
        row = frame.loc[label]
        key = ", ".join(f"{k}={_plain(row[k])!r}" for k in keys if k in frame.columns)
        value = f": {column}={_plain(row[column])!r}" if column else ""
        parts.append(f"row {label!r} ({key}){value}")
    more = len(list(index)) - 10
    return "; ".join(parts) + (f"; ... and {more} more" if more > 0 else "")


def validate_cube(
    frame: pd.DataFrame,
    *,
    by: Sequence[str] = ("year",),
    known_sectors: Iterable[str] | None = None,
    value_columns: Sequence[str] = ("employment",),
) -> pd.DataFrame:
    """Check a long cube and return a copy with numeric value columns.

    Parameters
    ----------
    frame : DataFrame
        Long frame with columns ``region``, ``sector``, the ``by`` columns and ``value_columns``.
    by : sequence of str
        Further key columns (``year``, a region level ...). Keys are ``(region, sector, *by)``.
    known_sectors : iterable of str, optional
        If given, every ``sector`` must be one of these codes.
    value_columns : sequence of str
        Columns that must be numeric and non-negative (NaN is allowed: a missing cell).

    Returns
    -------
    DataFrame
        A copy whose value columns are ``float64``.

    Raises
    ------
    StatsError
        Missing columns, non-numeric or negative values, duplicate keys or unknown sectors; the
        message names the offending rows (index label, keys and value).
    """
    keys = ["region", "sector", *by]
    missing = [c for c in (*keys, *value_columns) if c not in frame.columns]
    if missing:
        raise StatsError(
            f"Columns {missing!r} are missing from the frame (it has {list(frame.columns)!r}); "
            "pass a long frame with region, sector, the key columns and employment"
        )
    out = frame.copy()
    for column in value_columns:
        raw = out[column]
        numeric = pd.to_numeric(raw, errors="coerce")
        bad = numeric.isna() & raw.notna()
        if bad.any():
            raise StatsError(
                f"Non-numeric {column} in {int(bad.sum())} row(s): {_describe(out, out.index[bad], keys, column)}; "
                "fix the values or leave the cells empty"
            )
        negative = numeric < 0
        if negative.any():
            raise StatsError(
                f"Negative {column} in {int(negative.sum())} row(s): "
                f"{_describe(out, out.index[negative], keys, column)}; {column} must be >= 0"
            )
        out[column] = numeric.astype("float64")
    duplicated = out.duplicated(keys, keep=False)
    if duplicated.any():
        raise StatsError(
            f"Duplicate keys {tuple(keys)!r} in {int(duplicated.sum())} row(s): "
            f"{_describe(out, out.index[duplicated], keys, None)}; aggregate them first"
        )
    if known_sectors is not None:
        unknown = ~out["sector"].isin(set(known_sectors))
        if unknown.any():
            raise StatsError(
                f"Unknown sector codes in {int(unknown.sum())} row(s): "
                f"{_describe(out, out.index[unknown], keys, 'sector')}; use codes of the sector scheme"
            )
    return out


def _country(frame: pd.DataFrame) -> pd.Series:
    if "country" in frame.columns:
        return frame["country"].astype(str)
    return frame["region"].astype(str).str[:2]


def _benchmark_from_totals(
    out: pd.DataFrame, totals: pd.DataFrame, by: Sequence[str], type_cols: list[str]
) -> tuple[pd.Series, pd.Series]:
    if "sector" not in totals.columns or "employment" not in totals.columns:
        raise StatsError(
            f"The totals frame needs columns 'sector' and 'employment' (and optionally 'total', "
            f"{', '.join(repr(b) for b in by)}); it has {list(totals.columns)!r}"
        )
    tot = validate_cube(
        totals.assign(region="benchmark"),
        by=[b for b in by if b in totals.columns],
        value_columns=["employment", *(["total"] if "total" in totals.columns else [])],
    )
    join = ["sector", *[b for b in by if b in tot.columns]]
    if "total" not in tot.columns:
        if type_cols:
            if "sector_type" not in tot.columns:
                types = out[["sector", "sector_type"]].drop_duplicates("sector")
                tot = tot.merge(types, on="sector", how="left")
            group = [*join[1:], "sector_type"]
        else:
            group = join[1:]
        if group:
            tot["total"] = tot.groupby(group, dropna=False)["employment"].transform("sum")
        else:
            tot["total"] = tot["employment"].sum()
    tot = tot[[*join, "employment", "total"]].rename(
        columns={"employment": "_bench_sector", "total": "_bench_total"}
    )
    merged = out[join].reset_index().merge(tot, on=join, how="left").set_index("index")
    merged.index.name = out.index.name
    unknown = merged["_bench_sector"].isna() & out["employment"].notna()
    if unknown.any():
        raise StatsError(
            f"No benchmark total for {int(unknown.sum())} row(s): "
            f"{_describe(out, out.index[unknown], ['region', *join], 'sector')}; "
            "the totals frame must hold every sector (and year) of the data"
        )
    return merged["_bench_sector"].reindex(out.index), merged["_bench_total"].reindex(out.index)


def location_quotients(
    frame: pd.DataFrame,
    *,
    benchmark: Benchmark = "dataset",
    totals: pd.DataFrame | None = None,
    by: Sequence[str] = ("year",),
    within_type: bool = False,
    known_sectors: Iterable[str] | None = None,
    min_employment: float = 0.0,
    min_region_employment: float = 0.0,
) -> pd.DataFrame:
    """Shares of region and sector, and the location quotient of each region x sector cell.

    Parameters
    ----------
    frame : DataFrame
        Long cube with ``region``, ``sector``, ``employment``, the ``by`` columns and, if
        ``within_type``, ``sector_type``. All regions must be of one level (put the level in ``by``
        otherwise). NaN employment is a missing cell: it counts as 0 in totals and gets a NULL LQ.
    benchmark : {'dataset', 'country', 'totals'}
        What ``E_s`` and ``E`` are. ``'dataset'``: the sums over all regions in the frame (per
        ``by``). ``'country'``: the sums over the regions of the same country (column ``country`` if
        present, else the first two characters of the region code, which is the NUTS country code).
        ``'totals'``: an external table ``totals`` (e.g. Eurostat national or EU totals, or the US
        CMP benchmark file).
    totals : DataFrame, optional
        Required for ``benchmark='totals'``: columns ``sector``, ``employment`` (``E_s``), optionally
        ``total`` (``E``; else the sum of ``employment`` over the sectors, per type if
        ``within_type``) and any of the ``by`` columns (e.g. ``year``). For US CMP: ``employment`` =
        ``us_emp`` and ``total`` = ``us_type_total_emp``.
    by : sequence of str
        Key columns besides region and sector; totals are computed within each ``by`` group.
    within_type : bool
        US Cluster Mapping convention: ``E_r`` and ``E`` count only employment of the same
        ``sector_type`` as the cell (traded clusters against traded totals, local against local).
    known_sectors : iterable of str, optional
        Codes of the sector scheme; any other code is an error.
    min_employment, min_region_employment : float
        Minimum-size rule: a cell whose employment ``E_rs`` is below ``min_employment``, or whose
        region total ``E_r`` is below ``min_region_employment``, gets a NULL LQ with reason
        ``'below minimum size'`` so that tiny regions do not rank first on spurious LQs. Defaults
        (0) apply no rule. The European Cluster Observatory ranks only cells of a meaningful size;
        choose e.g. ``min_employment=1000`` for NUTS 2 cluster categories.

    Returns
    -------
    DataFrame
        The input rows (same index and order) plus ``region_total`` (``E_r``), ``sector_total``
        (``E_s``), ``benchmark_total`` (``E``), ``share_region`` (``E_rs/E_r``), ``share_sector``
        (``E_rs/E_s``), ``lq`` and ``lq_reason`` (NULL if the LQ is defined, else one of
        ``'employment missing'``, ``'region total employment is zero'``,
        ``'benchmark sector employment is zero'``, ``'below minimum size'``).

    Raises
    ------
    StatsError
        Negative or non-numeric employment, duplicate keys, unknown sectors, a sector absent from
        ``totals``, or a bad ``benchmark``.

    Notes
    -----
    .. math:: LQ_{rs} = \\frac{E_{rs} / E_r}{E_s / E}

    with ``E_r = sum_s E_rs`` and ``E_s``, ``E`` from the benchmark. With ``benchmark='dataset'``
    the employment-weighted mean of a sector's LQ is 1: ``sum_r (E_r/E) LQ_rs = 1``.
    The US Cluster Mapping Project (Delgado, Porter & Stern 2014, "Defining clusters of related
    industries", and 2016, J. Economic Geography 16(1)) computes LQs of traded clusters with traded
    employment in both denominators, against national benchmark totals: ``within_type=True,
    benchmark='totals'``. The European Cluster Observatory (Ketels & Protsiv 2014, "Methodology and
    findings report for a cluster mapping of related sectors") uses all employment in Europe.
    """
    if benchmark not in ("dataset", "country", "totals"):
        raise StatsError(f"Unknown benchmark {benchmark!r}; use 'dataset', 'country' or 'totals'")
    if benchmark == "totals" and totals is None:
        raise StatsError(
            "benchmark='totals' needs a totals frame (columns sector, employment[, total, year])"
        )
    if benchmark != "totals" and totals is not None:
        raise StatsError(f"A totals frame was given with benchmark={benchmark!r}; use benchmark='totals'")
    by = list(by)
    out = validate_cube(frame, by=by, known_sectors=known_sectors)
    type_cols: list[str] = []
    if within_type:
        if "sector_type" not in out.columns or out["sector_type"].isna().any():
            raise StatsError(
                "within_type=True needs a 'sector_type' column without empty cells ('traded'/'local')"
            )
        type_cols = ["sector_type"]
    emp = out["employment"]
    filled = out.assign(_e=emp.fillna(0.0))
    region_total = filled.groupby([*by, "region", *type_cols], dropna=False)["_e"].transform("sum")
    if benchmark == "totals":
        assert totals is not None
        sector_total, total = _benchmark_from_totals(out, totals, by, type_cols)
    else:
        scope = [*by]
        if benchmark == "country":
            filled["_country"] = _country(out).to_numpy()
            scope.append("_country")
        sector_total = filled.groupby([*scope, "sector"], dropna=False)["_e"].transform("sum")
        if scope or type_cols:
            total = filled.groupby([*scope, *type_cols], dropna=False)["_e"].transform("sum")
        else:
            total = pd.Series(filled["_e"].sum(), index=out.index)
    with np.errstate(divide="ignore", invalid="ignore"):
        share_region = emp / region_total.where(region_total > 0)
        share_sector = emp / sector_total.where(sector_total > 0)
        lq = share_region / (sector_total / total).where(sector_total > 0)
    reason = pd.Series(None, index=out.index, dtype="object")
    small = (emp < min_employment) | (region_total < min_region_employment)
    reason[small] = REASON_BELOW_MINIMUM
    reason[sector_total <= 0] = REASON_SECTOR_ZERO
    reason[region_total <= 0] = REASON_REGION_ZERO
    reason[emp.isna()] = REASON_MISSING
    lq = lq.where(reason.isna())
    out["region_total"] = region_total.astype("float64")
    out["sector_total"] = sector_total.astype("float64")
    out["benchmark_total"] = total.astype("float64")
    out["share_region"] = share_region.astype("float64")
    out["share_sector"] = share_sector.astype("float64")
    out["lq"] = lq.astype("float64")
    out["lq_reason"] = reason
    return out


def region_sector_matrix(
    frame: pd.DataFrame, *, value: str = "employment", fill: float = 0.0
) -> pd.DataFrame:
    """Pivot a long frame (one year, one level) to a region x sector matrix.

    Parameters
    ----------
    frame : DataFrame
        Columns ``region``, ``sector`` and ``value``; keys must be unique.
    value : str
        The column to spread.
    fill : float
        Value for absent cells (0: no employment).

    Returns
    -------
    DataFrame
        Index = sorted regions, columns = sorted sectors.
    """
    checked = validate_cube(frame, by=(), value_columns=(value,))
    matrix = checked.pivot(index="region", columns="sector", values=value).sort_index().sort_index(axis=1)
    return matrix.fillna(fill)


def location_quotient_matrix(matrix: pd.DataFrame | np.ndarray) -> np.ndarray:
    """Location quotients of a region x sector matrix (benchmark = all rows of the matrix).

    Parameters
    ----------
    matrix : array-like, shape (n_regions, n_sectors)
        Non-negative employment.

    Returns
    -------
    ndarray
        ``LQ_rs``; NaN where the region or the sector total is zero.

    Notes
    -----
    ``LQ_rs = (E_rs/E_r)/(E_s/E)``. Balland's EconGeo R package (``location.quotient``) gives, for
    its example matrix, the row R2 = [0, 0.75, 0.25, 3.5, 0.5]. Also called the Balassa (1965)
    revealed comparative advantage, see :func:`cluster_map.stats.relatedness.rca`.
    """
    m = np.asarray(matrix, dtype="float64")
    if m.ndim != 2 or (m < 0).any() or np.isnan(m).any():
        raise StatsError("location_quotient_matrix needs a 2-D matrix of non-negative numbers without NaN")
    row = m.sum(axis=1, keepdims=True)
    col = m.sum(axis=0, keepdims=True)
    total = m.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        lq = (m / row) / (col / total)
    lq[~np.isfinite(lq)] = np.nan
    return lq
