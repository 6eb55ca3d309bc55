"""Custom regions: a group of regions (the Øresund DK01 + SE22, a cross-border Upper Rhine, a US multi-state
area) as one region, its cells recomputed from the members' counts.

A group is not an average of its members: its employment in a sector is the sum of the members'
employment, its total employment the sum of their totals, and its location quotient, shares, stars and
strong flags are computed from those sums against the *same* benchmark (``E_s``, ``E``) and the *same*
thresholds as every region of the level (the quantiles over the regions' cells, the members included, as
the statistics engine computes them; the group is judged against the regions, not added to them, so no
region's figures change). A group of one region therefore gives that region's own figures exactly.

Everything here is a pure function of DataFrames (the rows of one partition: one dataset, NUTS version,
region level, sector level, year and benchmark).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import numpy as np
import pandas as pd

from cluster_map.errors import StatsError

FocusScope = Literal["all_cells", "sector"]
#: Columns the population rows must have (a slice of the ``metrics`` table).
NEEDED = ("region", "sector", "employment", "region_total", "sector_total", "benchmark_total")
REASON_MEMBER_MISSING = "a member's cell is missing: no sum"


def _suspect(rows: pd.DataFrame) -> pd.Series:
    if "suspect" in rows.columns:
        return rows["suspect"].fillna(False).astype(bool)
    if "reason" in rows.columns:  # the stored metrics say it in the reason
        return rows["reason"].fillna("").astype(str).str.startswith("suspect")
    return pd.Series(False, index=rows.index)


def _not_local(rows: pd.DataFrame) -> pd.Series:
    if "sector_type" not in rows.columns:
        return pd.Series(True, index=rows.index)
    return rows["sector_type"].isna() | (rows["sector_type"] != "local")


def thresholds(
    population: pd.DataFrame,
    *,
    size_quantile: float = 0.9,
    focus_quantile: float = 0.9,
    focus_scope: FocusScope = "all_cells",
) -> pd.DataFrame:
    """The star and strong-cluster thresholds of each sector, over the regions' cells of one partition.

    Returns one row per sector: ``q_size`` (Q90 of employment), ``q_focus`` (Q90 of the share of the
    region's employment, over every cell of the partition or the sector's cells by ``focus_scope``),
    ``q_lq75`` (Q75 of the LQ, traded or untyped sectors), ``q_emp25`` and ``q_est25`` (Q25 of employment
    and establishments). Quantiles by linear interpolation (R type 7, DuckDB ``quantile_cont``) over the
    cells with employment > 0 that are not suspect, as in :func:`cluster_map.stats.tables.metrics`.
    """
    missing = [c for c in NEEDED if c not in population.columns]
    if missing:
        raise StatsError(f"The population rows lack columns {missing!r}; pass rows of the metrics table")
    pop = population.assign(_share=population["employment"] / population["region_total"])
    ranked = (pop["employment"] > 0) & ~_suspect(pop)
    typed = ranked & _not_local(pop)
    r, t = pop[ranked], pop[typed]
    out = pd.DataFrame({"q_size": r.groupby("sector")["employment"].quantile(size_quantile)})
    if focus_scope == "sector":
        out["q_focus"] = r.groupby("sector")["_share"].quantile(focus_quantile)
    else:
        out["q_focus"] = float(r["_share"].quantile(focus_quantile)) if len(r) else np.nan
    lq = t["lq"] if "lq" in t.columns else t["_share"] / (t["sector_total"] / t["benchmark_total"])
    out = out.join(lq.groupby(t["sector"]).quantile(0.75).rename("q_lq75"), how="outer")
    out = out.join(t.groupby("sector")["employment"].quantile(0.25).rename("q_emp25"), how="outer")
    if "establishments" in t.columns and t["establishments"].notna().any():
        out = out.join(t.groupby("sector")["establishments"].quantile(0.25).rename("q_est25"), how="outer")
    else:
        out["q_est25"] = np.nan
    return out.rename_axis("sector").reset_index()


def group_cells(
    population: pd.DataFrame,
    members: Sequence[str],
    *,
    name: str,
    min_employment: float = 0.0,
    specialisation_lq: float = 2.0,
    size_quantile: float = 0.9,
    focus_quantile: float = 0.9,
    focus_scope: FocusScope = "all_cells",
) -> pd.DataFrame:
    """The cells of the group ``members`` (one row per sector), recomputed from the members' counts.

    Parameters
    ----------
    population : DataFrame
        Rows of one partition of the ``metrics`` table (every region of the level, one year):
        ``region, sector, employment, region_total, sector_total, benchmark_total`` and, when present,
        ``establishments, sector_type, sector_label, lq, reason`` (a reason starting with 'suspect' marks
        a suspect cell, as the engine writes it).
    members : sequence of str
        Region codes of the group (at least one; each must be in ``population``).
    name : str
        The group's name, written to ``region``.
    min_employment : float
        Cells below it earn no star (they still have an LQ), as in the engine.

    Returns
    -------
    DataFrame
        ``region`` (the name), ``sector`` (+ ``sector_label``, ``sector_type`` when given), ``employment``,
        ``establishments``, ``region_total``, ``sector_total``, ``benchmark_total``, ``share_region``,
        ``share_sector``, ``lq``, ``size_star``, ``specialisation_star``, ``focus_star``, ``stars``,
        ``strong``, ``members`` (count with a value) and ``reason``.

    Notes
    -----
    With ``G`` the set of members: ``E_Gs = sum_{r in G} E_rs`` (only when every member has a value:
    a confidential member cell leaves the group's cell missing, never a silent lower bound), ``E_G =
    sum_{r in G} E_r`` (per sector type under the US convention), ``LQ_Gs = (E_Gs / E_G) / (E_s / E)``
    with the benchmark's ``E_s`` and ``E`` unchanged. Stars (European Cluster Observatory): size if
    ``E_Gs >= Q90`` of the regions' employment in the sector, specialisation if ``LQ >= 2``, focus if
    the share ``E_Gs / E_G >= Q90`` of the regions' shares; strong (US Cluster Mapping): ``LQ >= Q75``
    of the regions' LQs and ``LQ >= 1``, employment and establishments above the regions' Q25.
    """
    codes = list(dict.fromkeys(str(m) for m in members))
    if not codes:
        raise StatsError("A custom region needs at least one member region")
    known = set(population["region"])
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise StatsError(
            f"Region(s) {unknown!r} have no rows in this partition; choose regions of the same "
            "dataset, level and year"
        )
    rows = population[population["region"].isin(codes)].copy()
    rows["_suspect"] = _suspect(rows)
    typ = ["sector_type"] if "sector_type" in rows.columns else []
    per_region = rows.drop_duplicates(["region", *typ])
    if typ:
        per_region = per_region.assign(sector_type=per_region["sector_type"].fillna(""))
    totals = per_region.groupby(typ)["region_total"].agg(["sum", "count"]) if typ else None
    extra = [c for c in ("sector_label", "sector_type") if c in rows.columns]
    agg = (
        rows.groupby("sector", sort=True)
        .agg(
            employment=("employment", lambda s: s.sum() if s.notna().all() else np.nan),
            members=("employment", "count"),
            establishments=("establishments", lambda s: s.sum() if s.notna().all() else np.nan)
            if "establishments" in rows.columns
            else ("employment", lambda s: np.nan),
            sector_total=("sector_total", "max"),
            sector_total_min=("sector_total", "min"),
            benchmark_total=("benchmark_total", "max"),
            benchmark_total_min=("benchmark_total", "min"),
            suspect=("_suspect", "any"),
            **{c: (c, "first") for c in extra},
        )
        .reset_index()
    )
    differs = ((agg["sector_total"] != agg["sector_total_min"]) & agg["sector_total"].notna()) | (
        (agg["benchmark_total"] != agg["benchmark_total_min"]) & agg["benchmark_total"].notna()
    )
    if differs.any():
        raise StatsError(
            f"The members {codes!r} are measured against different benchmarks (sector "
            f"{agg.loc[differs, 'sector'].iloc[0]!r}); group regions of one benchmark"
        )
    agg = agg.drop(columns=["sector_total_min", "benchmark_total_min"])
    if typ:
        assert totals is not None
        key = agg["sector_type"].fillna("")
        complete = totals["count"] == len(codes)
        sums = totals["sum"].where(complete)
        agg["region_total"] = key.map(sums).astype("float64")
    else:
        complete_total = per_region["region_total"].notna().sum() == len(codes)
        agg["region_total"] = float(per_region["region_total"].sum()) if complete_total else np.nan
    agg.loc[agg["members"] < len(codes), "employment"] = np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        agg["share_region"] = agg["employment"] / agg["region_total"]
        agg["share_sector"] = agg["employment"] / agg["sector_total"]
        agg["lq"] = agg["share_region"] / (agg["sector_total"] / agg["benchmark_total"])
    agg.loc[~np.isfinite(agg["lq"]), "lq"] = np.nan
    q = thresholds(
        population, size_quantile=size_quantile, focus_quantile=focus_quantile, focus_scope=focus_scope
    )
    agg = agg.merge(q, on="sector", how="left")
    emp = agg["employment"]
    defined = emp.notna()
    big = (emp >= min_employment) & (emp > 0) & ~agg["suspect"]
    agg["size_star"] = (big & (emp >= agg["q_size"])).astype("boolean").mask(~defined)
    agg["specialisation_star"] = (big & (agg["lq"] >= specialisation_lq)).astype("boolean").mask(~defined)
    agg["focus_star"] = (big & (agg["share_region"] >= agg["q_focus"])).astype("boolean").mask(~defined)
    parts = agg[["size_star", "specialisation_star", "focus_star"]]
    agg["stars"] = parts.astype("Int8").sum(axis=1).astype("Int8").mask(parts.isna().any(axis=1))
    not_local = _not_local(agg)
    est_ok = (agg["establishments"] > agg["q_est25"]) | agg["q_est25"].isna()
    strong = (
        (agg["lq"] >= agg["q_lq75"]) & (agg["lq"] >= 1.0) & (emp > agg["q_emp25"]) & est_ok & ~agg["suspect"]
    )
    flag_defined = (emp > 0) & not_local & agg["lq"].notna()
    agg["strong"] = strong.astype("boolean").where(flag_defined, pd.NA)
    agg.loc[(emp == 0) & not_local, "strong"] = False
    reason = pd.Series(None, index=agg.index, dtype=object)
    reason[agg["suspect"]] = "suspect source value in a member: no star or strong flag"
    reason[agg["members"] < len(codes)] = REASON_MEMBER_MISSING
    agg["reason"] = reason
    agg.insert(0, "region", name)
    cols = [
        "region",
        "sector",
        *extra,
        "employment",
        "establishments",
        "region_total",
        "sector_total",
        "benchmark_total",
        "share_region",
        "share_sector",
        "lq",
        "size_star",
        "specialisation_star",
        "focus_star",
        "stars",
        "strong",
        "members",
        "reason",
    ]
    return (
        agg[cols]
        .sort_values(["lq", "sector"], ascending=[False, True], na_position="last")
        .reset_index(drop=True)
    )
