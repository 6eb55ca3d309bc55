"""Industrial ecosystems from NACE divisions: the cube of an ecosystem is the sum of its divisions.

A pure function over the metrics cube (one row per region x sector x year, see
:mod:`cluster_map.stats.tables`): it turns the division rows of each (level, year, region) into one row
per ecosystem, so the same LQ, star and strong-cluster expressions then run on ecosystems.

Conventions (stated on the methodology page):

* An ecosystem's employment (establishments, wages) in a region is the sum of its member divisions'
  values there. A division with no row counts as zero (the cube is sparse: no row means no activity).
* A member division whose row has no value (``:`` in the source, typically confidential ``c``) is left
  out of the sum and named in ``missing``: the ecosystem's value is then a **lower bound**. A star earned
  on a lower bound holds (the true value is larger); a star missed may be understated. When every member
  row is empty the ecosystem's value is unknown (NULL), never zero.
* The region's total ``E_r`` is the dataset's published total (``region_total``) where there is one, else
  the sum of every division with a value in that region: never the sum over ecosystems, which overlap
  (a division may belong to two) and leave parts of the economy out.

References: European Commission, Annual Single Market Report 2021, SWD(2021) 351 (ecosystem definitions);
:data:`cluster_map.catalogue.ECOSYSTEMS` (the division approximation of each).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

#: Columns of the cube (:data:`cluster_map.stats.tables.CUBE_SCHEMA`) in order.
CUBE_COLUMNS: tuple[str, ...] = (
    "level",
    "sector_level",
    "year",
    "region",
    "sector",
    "country",
    "employment",
    "establishments",
    "wages",
    "sector_type",
    "parent",
    "region_total",
)
_KEYS = ["level", "year", "region"]


def aggregate(
    cube: pd.DataFrame,
    members: Mapping[str, Sequence[str]],
    *,
    sector_level: int,
    division_level: int = 2,
) -> pd.DataFrame:
    """Ecosystem rows of a cube: one per (level, year, region, ecosystem) with a member division.

    Parameters
    ----------
    cube : DataFrame
        The metrics cube (:data:`CUBE_COLUMNS`); only rows of ``sector_level == division_level`` are read.
    members : mapping
        ``{ecosystem code: divisions}`` (:func:`cluster_map.catalogue.ecosystem_members`).
    sector_level : int
        The ``sector_level`` written on the ecosystem rows (a partition of their own).
    division_level : int
        The cube's sector level of NACE divisions.

    Returns
    -------
    DataFrame
        :data:`CUBE_COLUMNS` plus ``divisions`` (members with a value, ``;``-separated), ``missing``
        (members whose row has no value, ``;``-separated, '' when none) and ``note`` (:func:`note`).
        Employment is NULL when every member row is empty.

    Notes
    -----
    ``E_{r,e} = sum_{d in e, d published} E_{r,d}``; ``E_r`` = published region total, else
    ``sum_d E_{r,d}`` over every division with a value.
    """
    div = cube[cube["sector_level"] == division_level]
    if div.empty:
        return pd.DataFrame(
            {
                c: pd.Series(dtype=cube[c].dtype if c in cube else "object")
                for c in (*CUBE_COLUMNS, "divisions", "missing", "note")
            }
        )
    link = pd.DataFrame(
        [(eco, d) for eco, ds in members.items() for d in ds], columns=["ecosystem", "sector"]
    )
    by_cell = div.groupby(_KEYS, sort=False)
    totals = pd.concat(
        [
            by_cell["region_total"].max().rename("_published"),
            by_cell["employment"].sum(min_count=1).rename("_sum"),
            by_cell["country"].first(),
        ],
        axis=1,
    ).reset_index()
    rows = div.merge(link, on="sector", how="inner")
    if rows.empty:
        return aggregate(cube.iloc[0:0], members, sector_level=sector_level, division_level=division_level)
    # Vectorised groupby (no Python per group): sum(min_count=1) is NULL when every member is empty;
    # the member lists are joined once per group from rows sorted by sector code.
    keys = [*_KEYS, "ecosystem"]
    rows = rows.sort_values([*keys, "sector"], kind="stable").astype(
        {"employment": "float64", "establishments": "float64", "wages": "float64"}
    )
    grouped = rows.groupby(keys, sort=True)
    out = grouped[["employment", "establishments", "wages"]].sum(min_count=1)
    has = rows["employment"].notna()
    out["divisions"] = _joined(rows[has], keys).reindex(out.index, fill_value="")
    out["missing"] = _joined(rows[~has], keys).reindex(out.index, fill_value="")
    out = out.reset_index().astype({"divisions": "str", "missing": "str"})
    out = out.merge(totals, on=_KEYS, how="left")
    out["region_total"] = out["_published"].where(out["_published"].notna(), out["_sum"]).astype("float64")
    out = out.rename(columns={"ecosystem": "sector"})
    out["sector_level"] = sector_level
    out["sector_type"] = pd.Series(pd.NA, index=out.index, dtype="string")
    out["parent"] = pd.Series(pd.NA, index=out.index, dtype="string")
    for col in ("level", "sector_level", "year"):
        out[col] = out[col].astype("int64")
    out["note"] = [note(m, known=bool(d)) for m, d in zip(out["missing"], out["divisions"], strict=True)]
    cols = [*CUBE_COLUMNS, "divisions", "missing", "note"]
    return out[cols].sort_values([*_KEYS, "sector"]).reset_index(drop=True)


def _joined(rows: pd.DataFrame, keys: list[str]) -> pd.Series:
    """``;``-joined sector codes per group of ``keys``, indexed by the group keys.

    ``rows`` are sorted by ``keys`` and then sector code, so each group is one run of rows: the runs are
    cut with numpy and joined with one ``str.join`` each (no pandas call per group)."""
    if rows.empty:
        return pd.Series(dtype="object")
    codes = rows["sector"].to_numpy(dtype=object)
    group = rows.groupby(keys, sort=False).ngroup().to_numpy()
    starts = np.flatnonzero(np.r_[True, group[1:] != group[:-1]])
    ends = np.r_[starts[1:], len(codes)]
    index = pd.MultiIndex.from_frame(rows.iloc[starts][keys])
    return pd.Series(
        [";".join(codes[a:b]) for a, b in zip(starts, ends, strict=True)], index=index, dtype="object"
    )


def note(missing: str, *, known: bool = True) -> str:
    """The reason written on an ecosystem cell whose sum leaves out divisions with no value ('' when none):
    a lower bound when some member has a value (``known``), else which members are unpublished."""
    if not missing:
        return ""
    codes = missing.replace(";", ", ")
    return f"lower bound: {codes} not published" if known else f"{codes} not published"
