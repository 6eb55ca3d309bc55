"""Productivity of a region x sector cell against the sector's European level: the fourth cluster star.

The European Cluster Observatory's Panorama adds productivity to size, specialisation and focus: a
cluster counts as productive when its wages per person employed stand high among the regions of the
same sector. Regional SBS publish wages and salaries (V13320, EUR million) and persons employed
(V16110) per region and division, so the level is

    w_rs = W_rs / E_rs            (EUR per person employed)
    ratio_rs = w_rs / (W_s / E_s)  (1 = the sector's European level)

with ``W_s`` and ``E_s`` summed over the regions of the partition where both are published (a region
with a confidential wage cell is left out of the level, never counted as zero). Notes:

* Wages and salaries are paid to employees; persons employed include the self-employed, so sectors of
  many owner-run firms look less productive. Comparisons are within one sector, where this is similar.
* Wages are in euro at current exchange rates, not purchasing power: regions of low-price countries
  rank low in every sector.

The **productivity star** goes to the cells whose ratio is in the top 10% of the sector's regions
(``ratio >= Q90``, linear quantile over the regions with a ratio: the same rule as the size star), with
at least ``min_employment`` persons employed. The **performance reading** puts each cell with a ratio in
one of three bands against the sector's European level: ``high`` (ratio >= 1.10), ``medium``
(0.90 <= ratio < 1.10), ``basic`` (ratio < 0.90).

Value added per person employed is the same ratio with gross value added in the numerator
(``value='value_added'``): regional accounts publish GVA at basic prices (nama_10r_3gva, EUR million)
and employment (nama_10r_3empers, thousand persons, all employed persons) per NUTS 3 region and NACE A*10
sector, so

    v_rs = V_rs / E_rs             (EUR of value added per person employed)
    ratio_rs = v_rs / (V_s / E_s)   (1 = the sector's European level)

with a region whose GVA is missing or confidential left out of ``V_s`` and ``E_s`` (never zero). GVA can
be negative (a published loss): it counts as published. The Panorama measures productivity by value added
where it has it, by wages otherwise; the store does the same per dataset (``productivity_basis``).

Reference: Ketels & Protsiv, *European Cluster Panorama 2014/2016* (cluster stars with productivity);
the bands are this tool's reading, stated here and on the methodology page.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final, Literal

import numpy as np
import pandas as pd

from cluster_map.stats.stars import top_share

HIGH: Final = 1.10
BASIC: Final = 0.90
STAR_QUANTILE: Final = 0.9
#: The numerator of each reading and the prefix of its output columns (``wage_ratio``, ``gva_ratio``).
Basis = Literal["wages", "value_added"]
PREFIXES: Final[dict[str, str]] = {"wages": "wage", "value_added": "gva"}


def performance_band(ratio: float | None, *, high: float = HIGH, basic: float = BASIC) -> str | None:
    """``'high'``, ``'medium'`` or ``'basic'`` for a ratio to the sector's European level (None: no ratio)."""
    if ratio is None or not np.isfinite(ratio):
        return None
    return "high" if ratio >= high else ("medium" if ratio >= basic else "basic")


def productivity(
    frame: pd.DataFrame,
    *,
    value: Basis = "wages",
    keys: Sequence[str] = ("level", "sector_level", "year", "sector"),
    factor: float = 1e6,
    min_employment: float = 0.0,
    quantile: float = STAR_QUANTILE,
) -> pd.DataFrame:
    """Wages (or value added) per person employed, the ratio to the sector's European level, the star
    and the band.

    Parameters
    ----------
    frame : DataFrame
        One row per region x sector cell with ``keys``, ``employment`` and the ``value`` column.
    value : {'wages', 'value_added'}
        The numerator: wages and salaries (SBS) or gross value added (regional accounts). The output
        columns are named by it: ``wage_per_person``/``wage_ratio`` or ``gva_per_person``/``gva_ratio``.
    keys : sequence of str
        The sector's partition: the level is summed and the quantile taken within it.
    factor : float
        Multiplier from the value's unit to euro (EUR million -> 1e6).
    min_employment : float
        Cells with fewer persons employed earn no star (they still count in the level and the quantile).
    quantile : float
        The star's threshold quantile (0.9: top 10%).

    Returns
    -------
    DataFrame
        ``frame``'s index with ``<prefix>_per_person`` (EUR), ``<prefix>_ratio``, ``productivity_star``
        (bool, NULL without a ratio) and ``performance`` ('high' / 'medium' / 'basic', NULL without a
        ratio); ``prefix`` is ``wage`` or ``gva`` (:data:`PREFIXES`).

    Notes
    -----
    ``ratio_rs = (X_rs / E_rs) / (sum_r X_rs / sum_r E_rs)`` over the cells with ``E_rs > 0`` and a
    published ``X_rs`` (wages: ``X_rs >= 0``; value added may be negative), ``X`` wages or value added.
    """
    if value not in PREFIXES:
        raise ValueError(f"Unknown productivity numerator {value!r}; use one of {', '.join(PREFIXES)}.")
    prefix = PREFIXES[value]
    keys = list(keys)
    emp = pd.to_numeric(frame["employment"], errors="coerce")
    numerator = pd.to_numeric(frame[value], errors="coerce") * factor
    ok = (emp > 0) & numerator.notna() & (np.isfinite(numerator))
    if value == "wages":
        ok &= numerator >= 0
    per = (numerator / emp).where(ok)
    # the partition as one integer per row, factorised once for the sums and the quantile
    groups = pd.Series(
        frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy(), index=frame.index, name="_group"
    )
    x_s = numerator.where(ok).groupby(groups).transform("sum")
    e_s = emp.where(ok).groupby(groups).transform("sum")
    level = x_s / e_s.where(e_s > 0)
    ratio = (per / level).where(ok & (level > 0))
    star = pd.Series(pd.NA, index=frame.index, dtype="boolean")
    has = ratio.notna()
    if has.any():
        top = top_share(ratio[has], groups[has], quantile=quantile)
        star[has] = (top & (emp[has] >= min_employment)).astype(bool)
    # performance_band of every cell at once (a Python call per cell cost ~0.7 s on 800,000 cells)
    r = ratio.to_numpy(dtype="float64")
    finite = np.isfinite(r)
    with np.errstate(invalid="ignore"):
        labels = np.where(r >= HIGH, "high", np.where(r >= BASIC, "medium", "basic")).astype(object)
    labels[~finite] = None
    band = pd.Series(labels, index=frame.index, dtype="object")
    return pd.DataFrame(
        {
            f"{prefix}_per_person": per.astype("float64"),
            f"{prefix}_ratio": ratio.astype("float64"),
            "productivity_star": star,
            "performance": band,
        },
        index=frame.index,
    )
