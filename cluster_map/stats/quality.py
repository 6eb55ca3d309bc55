"""What the official numbers can and cannot say: denominators, confidential cells, suspect values, estimates.

Pure pandas functions over the employment cube (one row per NUTS level x region x sector x year, the
columns of :data:`cluster_map.stats.tables.CUBE_SCHEMA` plus ``flags``, ``caveats`` and ``hier_level``,
see :data:`cluster_map.stats.tables.QUALITY_COLUMNS`). :func:`annotate` runs them all and returns the
cube the metrics engine reads, with

- ``region_total`` replaced by the highest-level published total (:func:`denominators`),
- ``employment_low`` / ``employment_high``: the bounds the NACE hierarchy puts on a confidential cell
  (:func:`confidential_bounds`),
- ``suspect``: the cell breaks one of the documented source-value rules (:func:`suspect_rules`),
- ``caveats``: the cell's caveat codes, ``;``-separated (:data:`CAVEAT_ORDER`).

Caveat codes
------------
``confidential``
    The source withholds the value (Eurostat flag ``c``): LQ is NULL, with bounds where the hierarchy
    gives them.
``suspect:<rule>``
    The value breaks a rule of :data:`SUSPECT_RULES`; it earns no star and no strong flag.
``estimated:<method>``
    Converted from an older NUTS version by population weights (JRC converter), from the ingest's
    ``observations.caveats``.
``denominator:<level>``
    The region's published total is missing, so its denominator is the sum of its ``sections`` (each
    confidential section replaced by the sum of its published divisions) or of its ``divisions``;
    ``denominator:lower_bound`` adds that a confidential part is missing from it.
"""

from __future__ import annotations

from typing import Final

import numpy as np
import pandas as pd

from cluster_map.catalogue import SERIES_BREAK_CAVEAT

#: The documented rules that make a source value suspect, with the text the methodology page shows.
SUSPECT_RULES: Final[dict[str, str]] = {
    "sole_region": (
        "one region of a country holds all of the country's employment in a sector that has employment in "
        "at least {ubiquity:.0%} of the other countries' regions of the level, while the country's other "
        "regions report an explicit 0 (the non-zero cell and the zeros are caveated)"
    ),
    "exceeds_parent": (
        "a division is larger than its section (or a group larger than its division) in the same region and "
        "year"
    ),
    "year_jump": (
        "the value differs by more than a factor {factor:g} from both adjacent years of the same region and "
        "sector (a spike, not a step; a first or last year from its neighbour and the year beyond), with at "
        "least {minimum:,.0f} persons in the larger of the two years"
    ),
}
#: Order of the caveat families in a ``caveats`` string.
CAVEAT_ORDER: Final = ("confidential", "suspect:", "estimated:", "denominator:")
#: Default year-on-year factor: at NUTS 2 and division level a tenfold change that reverts the next year
#: is a reporting artefact (a plant opening or closing gives a step that persists, not a spike).
YEAR_FACTOR: Final = 10.0
#: Default share of Europe's regions with employment above which a sector counts as present everywhere.
UBIQUITY: Final = 0.9

_KEY = ["level", "region", "year"]


def _codes(parts: list[pd.Series], index: pd.Index) -> pd.Series:
    """Join per-cell code series (empty string = none) into one ``;``-separated string per cell."""
    columns = [part.reindex(index).fillna("").astype(str).tolist() for part in parts]
    return pd.Series(
        [";".join(c for c in cell if c) for cell in zip(*columns, strict=True)]
        if columns
        else [""] * len(index),
        index=index,
        dtype="object",
    )


def denominators(cube: pd.DataFrame, *, total_declared: bool = True) -> pd.DataFrame:
    """The denominator ``E_r`` of every region and year: the highest-level published total.

    Parameters
    ----------
    cube : DataFrame
        Long cube with ``level, region, year, sector, hier_level, parent, employment, region_total``.
        ``region_total`` is the published total code's value (NULL when the source has none or withholds
        it); ``hier_level`` the sector's level in its scheme (1 section, 2 division, 3 group, 0 aggregate).
    total_declared : bool
        Whether the dataset declares a published total. When False nothing is replaced (the denominator
        stays the sum over the sectors of each level, and no caveat is written).

    Returns
    -------
    DataFrame
        One row per level, region, year: ``denominator`` (NaN when none can be formed),
        ``denominator_level`` (``'total'``, ``'sections'``, ``'divisions'`` or ``''``) and
        ``lower_bound`` (a confidential part is missing from it).

    Notes
    -----
    In order: the published total (e.g. SBS ``B-N_S95_X_K``); else the sum of the region's top-level
    units, i.e. the dataset's sections plus the divisions whose section the dataset does not have (SBS
    ``S95``), where a section that is confidential or missing counts as the sum of its published
    divisions (a lower bound unless all of them are published); else the sum of the divisions. Summing
    only the published cells of one level instead (the old convention) shrinks a region whose big
    division is confidential and inflates every other LQ of it.
    """
    keys = [k for k in _KEY if k in cube.columns]
    given = cube.groupby(keys, dropna=False)["region_total"].max()
    out = pd.DataFrame({"denominator": given, "denominator_level": np.where(given.notna(), "total", "")})
    out["lower_bound"] = False
    if not total_declared:
        out["denominator"] = np.nan
        out["denominator_level"] = ""
        return out.reset_index()
    hier = cube["hier_level"].fillna(-1).astype(int)
    sections = set(cube.loc[hier == 1, "sector"])
    divisions = cube[hier == 2]
    orphan = divisions[~divisions["parent"].isin(sections)]
    top = pd.concat([cube[hier == 1], orphan])[keys + ["sector", "employment"]]
    kids = divisions[divisions["parent"].isin(sections)]
    kids = kids.assign(_null=kids["employment"].isna().astype("int64"))
    children = (
        kids.groupby(keys + ["parent"], dropna=False)
        .agg(
            child_sum=("employment", "sum"),
            child_n=("employment", "size"),
            child_null=("_null", "sum"),
        )
        .reset_index()
        .rename(columns={"parent": "sector"})
    )
    units = top.merge(children, on=keys + ["sector"], how="outer")
    emp = units["employment"]
    units["value"] = emp.where(emp.notna(), units["child_sum"])
    units["lb"] = emp.isna() & ((units["child_n"].fillna(0) == 0) | (units["child_null"].fillna(0) > 0))
    g = units.groupby(keys, dropna=False)
    sums = pd.DataFrame({"sections": g["value"].sum(min_count=1), "sections_lb": g["lb"].any()})
    d = divisions.assign(_null=divisions["employment"].isna()).groupby(keys, dropna=False)
    div = pd.DataFrame({"divisions": d["employment"].sum(min_count=1), "divisions_lb": d["_null"].any()})
    out = out.join(sums, how="left").join(div, how="left")
    missing = out["denominator"].isna()
    use_sections = missing & out["sections"].notna()
    use_divisions = missing & ~use_sections & out["divisions"].notna()
    out.loc[use_sections, "denominator"] = out.loc[use_sections, "sections"]
    out.loc[use_sections, "denominator_level"] = "sections"
    out.loc[use_sections, "lower_bound"] = out.loc[use_sections, "sections_lb"].fillna(False).astype(bool)
    out.loc[use_divisions, "denominator"] = out.loc[use_divisions, "divisions"]
    out.loc[use_divisions, "denominator_level"] = "divisions"
    out.loc[use_divisions, "lower_bound"] = out.loc[use_divisions, "divisions_lb"].fillna(False).astype(bool)
    out["lower_bound"] = out["lower_bound"].astype(bool)
    return out[["denominator", "denominator_level", "lower_bound"]].reset_index()


def confidential_bounds(cube: pd.DataFrame) -> pd.DataFrame:
    """Lowest and highest value the NACE hierarchy allows for each cell whose value is withheld.

    Parameters
    ----------
    cube : DataFrame
        Long cube with ``level, region, year, sector, parent, hier_level, employment`` and
        ``region_total`` (the published total, used as the parent of the top-level units).

    Returns
    -------
    DataFrame
        ``employment_low``, ``employment_high`` aligned with ``cube`` (NaN where the value is published
        or the hierarchy gives no upper bound).

    Notes
    -----
    For a NULL cell ``x`` with a published parent ``P`` (its section; for a section, the region's
    published total): ``x <= P - sum(published siblings)`` and ``x >= sum(its published children)``
    (0 when it has none). Both hold whatever the other withheld siblings are. Example: a section of 100
    with published divisions 30 and 50 and two confidential divisions: each of the two lies in [0, 20].
    """
    keys = [k for k in _KEY if k in cube.columns]
    c = cube[keys + ["sector", "parent", "hier_level", "employment", "region_total"]].copy()
    c["_row"] = np.arange(len(c))
    hier = c["hier_level"].fillna(-1).astype(int)
    sections = set(c.loc[hier == 1, "sector"])
    # the parent of a top-level unit is the region's published total
    c["_parent"] = c["parent"].where(hier >= 2)
    top = (hier == 1) | ((hier == 2) & ~c["parent"].isin(sections))
    c.loc[top, "_parent"] = "\x00total"
    values = c[keys + ["sector", "employment"]].rename(columns={"sector": "_parent", "employment": "_p"})
    totals = c.groupby(keys, dropna=False)["region_total"].max().rename("_p").reset_index()
    totals["_parent"] = "\x00total"
    parents = pd.concat([values, totals], ignore_index=True).drop_duplicates(keys + ["_parent"])
    sib = c[c["_parent"].notna()].groupby(keys + ["_parent"], dropna=False)["employment"].sum().rename("_sib")
    kids = c[c["parent"].notna() & (hier >= 2)].groupby(keys + ["parent"], dropna=False)["employment"].sum()
    kids = kids.rename("_kids").reset_index().rename(columns={"parent": "sector"})
    x = (
        c.merge(parents, on=keys + ["_parent"], how="left")
        .merge(sib.reset_index(), on=keys + ["_parent"], how="left")
        .merge(kids, on=keys + ["sector"], how="left")
    )
    x = x.sort_values("_row")
    null = x["employment"].isna().to_numpy()
    high = np.maximum(
        x["_p"].to_numpy(dtype="float64") - x["_sib"].fillna(0.0).to_numpy(dtype="float64"), 0.0
    )
    low = x["_kids"].fillna(0.0).to_numpy(dtype="float64")
    ok = null & ~np.isnan(high)
    low = np.minimum(low, high)
    return pd.DataFrame(
        {"employment_low": np.where(ok, low, np.nan), "employment_high": np.where(ok, high, np.nan)},
        index=cube.index,
    )


def suspect_rules(
    cube: pd.DataFrame,
    *,
    factor: float = YEAR_FACTOR,
    minimum: float = 1000.0,
    ubiquity: float = UBIQUITY,
) -> pd.Series:
    """The ``suspect:<rule>`` codes of each cell (``''`` when none), rules of :data:`SUSPECT_RULES`.

    Parameters
    ----------
    cube : DataFrame
        Long cube with ``level, region, year, sector, country, parent, employment``.
    factor : float
        ``year_jump``: the factor beyond which a value differs from its adjacent years.
    minimum : float
        ``year_jump``: the larger of the two years must have at least this many persons.
    ubiquity : float
        ``sole_region``: the share of the other countries' regions of the level (with a value) that
        have employment in the sector for it to count as present everywhere.

    Notes
    -----
    ``sole_region`` (levels 1 and up): in a country with at least two regions reporting the sector, one
    region has all of the country's employment and the others report 0, in a sector present in at least
    ``ubiquity`` of the other countries' regions of the level. Norway 2014 reports all of G45, G46 and G47 in NO04 and 0 in
    the six other regions. ``exceeds_parent``: ``E_rs > E_r,parent(s)`` with both published.
    ``year_jump``: ``max(v_t / v_u, v_u / v_t) > factor`` with ``max(v_t, v_u) >= minimum`` (a value of 0
    is an infinite ratio) for both adjacent years ``u = t - 1`` and ``u = t + 1``; a first or last year
    (one neighbour) must also differ that much from the year beyond its neighbour, when there is one.
    """
    keys = [k for k in _KEY if k in cube.columns]
    emp = cube["employment"]
    index = cube.index
    # sole_region
    sole = pd.Series("", index=index, dtype="object")
    if "country" in cube.columns and "level" in cube.columns:
        c = cube[["level", "country", "sector", "year", "employment"]]
        part = ["level", "sector", "year"]
        known = c[c["employment"].notna()].assign(_p=lambda f: (f["employment"] > 0).astype(int))
        grp = ["level", "country", "sector", "year"]
        stats = known.groupby(grp).agg(_n=("_p", "size"), _npos=("_p", "sum")).reset_index()  # fast aggs only
        europe = known.groupby(part).agg(_all_n=("_p", "size"), _all_pos=("_p", "sum")).reset_index()
        merged = c[grp].merge(stats, on=grp, how="left").merge(europe, on=part, how="left")
        # present elsewhere: the share of the other countries' regions with employment in the sector
        rest_n = merged["_all_n"] - merged["_n"]
        ubiq = (merged["_all_pos"] - merged["_npos"]) / rest_n.where(rest_n > 0)
        hit = (
            ((merged["level"] >= 1) & (merged["_n"] >= 2) & (merged["_npos"] == 1) & (ubiq >= ubiquity))
            .fillna(False)
            .to_numpy(dtype=bool)
        )
        hit = hit & emp.notna().to_numpy()
        sole = pd.Series(np.where(hit, "suspect:sole_region", ""), index=index, dtype="object")
    # exceeds_parent
    values = cube[keys + ["sector", "employment"]].rename(columns={"sector": "parent", "employment": "_pv"})
    withp = cube[keys + ["parent"]].merge(values, on=keys + ["parent"], how="left")
    exceeds = (emp.to_numpy() > withp["_pv"].to_numpy() + 0.5) & withp["_pv"].notna().to_numpy()
    parent_rule = pd.Series(np.where(exceeds, "suspect:exceeds_parent", ""), index=index, dtype="object")
    # year_jump
    cell = [k for k in ("level", "region", "sector") if k in cube.columns]
    y = cube[cell + ["year", "employment"]].copy()
    y["_row"] = np.arange(len(y))
    jump: dict[int, np.ndarray] = {}
    has: dict[int, np.ndarray] = {}
    for shift in (-2, -1, 1, 2):
        other = y[cell + ["year", "employment"]].rename(columns={"employment": "_o"})
        other = other.assign(year=other["year"] - shift)  # the value of year t + shift, on row t
        m = y.merge(other, on=cell + ["year"], how="left").sort_values("_row")
        v, o = m["employment"].to_numpy(dtype="float64"), m["_o"].to_numpy(dtype="float64")
        has[shift] = ~np.isnan(v) & ~np.isnan(o)
        lo, hi = np.fmin(v, o), np.fmax(v, o)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(lo > 0, hi / np.where(lo > 0, lo, 1.0), np.inf)
        jump[shift] = has[shift] & (hi >= minimum) & (ratio > factor)
    both = has[-1] & has[1]
    spike = both & jump[-1] & jump[1]
    # a first or last year: out of line with its neighbour and with the year beyond it (when there is one)
    for near, far in ((-1, -2), (1, 2)):
        edge = has[near] & ~has[-near]
        spike |= edge & jump[near] & (jump[far] | ~has[far])
    year_rule = pd.Series(np.where(spike, "suspect:year_jump", ""), index=index, dtype="object")
    return _codes([sole, parent_rule, year_rule], index)


def observation_caveats(caveats: pd.Series) -> pd.Series:
    """The ``estimated:<method>`` codes of the ingest's ``observations.caveats`` (renames are not estimates)."""

    def keep(text: object) -> str:
        if not isinstance(text, str) or not text:
            return ""
        codes = sorted(
            {c.strip() for c in text.replace(",", ";").split(";") if c.strip().startswith("estimated:")}
        )
        return ";".join(codes)

    return caveats.map(keep).astype("object")


def annotate(
    cube: pd.DataFrame,
    *,
    total_declared: bool = True,
    factor: float = YEAR_FACTOR,
    minimum: float = 1000.0,
    ubiquity: float = UBIQUITY,
) -> pd.DataFrame:
    """The cube with denominators, confidential bounds, suspect flags and caveat codes (module docstring).

    ``cube`` needs ``flags`` (the employment cell's flag letters) and ``caveats`` (the ingest's
    observation caveats) besides the cube columns; missing ones count as empty.
    """
    out = cube.copy()
    for column in ("flags", "caveats"):
        if column not in out.columns:
            out[column] = ""
    if "hier_level" not in out.columns:
        out["hier_level"] = out["sector_level"]
    bounds = confidential_bounds(
        out
    )  # before the denominators: a top-level unit's parent is the published total
    den = denominators(out, total_declared=total_declared)
    keys = [k for k in _KEY if k in out.columns]
    merged = out[keys].merge(den, on=keys, how="left")
    replace = merged["denominator_level"].isin(["sections", "divisions"]).to_numpy()
    out["region_total"] = np.where(
        replace,
        merged["denominator"].to_numpy(dtype="float64"),
        out["region_total"].to_numpy(dtype="float64"),
    )
    level_code = np.where(replace, "denominator:" + merged["denominator_level"].astype(str), "")
    lb_code = np.where(
        merged["lower_bound"].fillna(False).astype(bool).to_numpy(), "denominator:lower_bound", ""
    )
    out["employment_low"] = bounds["employment_low"].to_numpy()
    out["employment_high"] = bounds["employment_high"].to_numpy()
    suspect = suspect_rules(out, factor=factor, minimum=minimum, ubiquity=ubiquity)
    out["suspect"] = (suspect != "").to_numpy()
    confidential = out["employment"].isna() & out["flags"].fillna("").astype(str).str.contains("c")
    out["caveats"] = _codes(
        [
            pd.Series(np.where(confidential, "confidential", ""), index=out.index),
            suspect,
            observation_caveats(out["caveats"]),
            pd.Series(level_code, index=out.index),
            pd.Series(lb_code, index=out.index),
        ],
        out.index,
    )
    out["confidential"] = confidential.to_numpy()
    return out


def aggregate_caveats(
    agg: pd.DataFrame, parts: pd.DataFrame, members: dict[str, tuple[str, ...]]
) -> pd.DataFrame:
    """Quality columns of an aggregate of cells (e.g. an industrial ecosystem summed from divisions).

    Parameters
    ----------
    agg : DataFrame
        The aggregate cube (``level, year, region, sector`` = the aggregate's code, ...).
    parts : DataFrame
        The annotated cube of the parts (:func:`annotate`), with ``suspect`` and ``caveats``.
    members : dict
        ``{aggregate code: part codes}``.

    Returns
    -------
    DataFrame
        ``agg`` plus the columns of :func:`annotate`: ``suspect`` when a member with a value is suspect
        (its ``suspect:<rule>`` codes are carried), the region's ``estimated:`` and ``denominator:`` codes,
        no bounds and nothing confidential (an aggregate's unpublished members are a lower bound, said
        in its own note).
    """
    out = agg.copy()
    keys = [k for k in _KEY if k in out.columns]
    if out.empty:
        for column, value in (
            ("flags", ""),
            ("caveats", ""),
            ("hier_level", 0),
            ("employment_low", np.nan),
            ("employment_high", np.nan),
            ("suspect", False),
            ("confidential", False),
        ):
            out[column] = pd.Series(dtype=type(value) if not isinstance(value, float) else "float64")
        return out
    p = parts[keys + ["sector", "employment", "suspect", "caveats"]].copy()
    codes = p["caveats"].fillna("").astype(str).str.split(";")
    p["_region_codes"] = codes.map(lambda cs: [c for c in cs if c.startswith(("estimated:", "denominator:"))])
    p["_suspect_codes"] = codes.map(lambda cs: [c for c in cs if c.startswith("suspect:")])
    region = (
        p.groupby(keys)["_region_codes"]
        .agg(lambda s: list(dict.fromkeys(c for cs in s for c in cs)))
        .rename("_rc")
    )
    link = pd.DataFrame([(a, d) for a, ds in members.items() for d in ds], columns=["_agg", "sector"])
    sus = p[p["suspect"].fillna(False).astype(bool) & p["employment"].notna()].merge(link, on="sector")
    sus_codes = (
        sus.groupby(keys + ["_agg"])["_suspect_codes"]
        .agg(lambda s: sorted({c for cs in s for c in cs}))
        .rename("_sc")
        .reset_index()
        .rename(columns={"_agg": "sector"})
    )
    m = (
        out[keys + ["sector"]]
        .merge(region.reset_index(), on=keys, how="left")
        .merge(sus_codes, on=keys + ["sector"], how="left")
    )
    sc = m["_sc"].map(lambda v: v if isinstance(v, list) else [])
    rc = m["_rc"].map(lambda v: v if isinstance(v, list) else [])
    order = {fam: i for i, fam in enumerate(CAVEAT_ORDER)}

    def rank(code: str) -> tuple[int, str]:
        fam = next((f for f in CAVEAT_ORDER if code.startswith(f)), "")
        return (order.get(fam, len(order)), code if fam != "denominator:" else "")

    out["caveats"] = [";".join(sorted(a + b, key=rank)) for a, b in zip(sc, rc, strict=True)]
    out["suspect"] = (sc.map(len) > 0).to_numpy()
    out["flags"] = ""
    out["hier_level"] = 0
    out["employment_low"] = np.nan
    out["employment_high"] = np.nan
    out["confidential"] = False
    return out


#: What each caveat code means, in the words a tooltip, a profile and a report use.
CAVEAT_TEXT: Final[dict[str, str]] = {
    "confidential": "confidential in the source (flag c)",
    "suspect:sole_region": "suspect source value: one region holds all of the country's employment in this sector",
    "suspect:exceeds_parent": "suspect source value: larger than the sector it belongs to",
    "suspect:year_jump": "suspect source value: out of line with the neighbouring years",
    "estimated:jrc_pop_split": "estimated: split from a NUTS 2010 region by population weights (JRC converter)",
    "estimated:jrc_pop_merge": "estimated: merged from older NUTS regions by population weights (JRC converter)",
    "denominator:sections": "region total: the sum of its NACE sections (no published total)",
    "denominator:divisions": "region total: the sum of its NACE divisions (no published total or sections)",
    "denominator:lower_bound": "region total is a lower bound (a confidential section is missing from it)",
    SERIES_BREAK_CAVEAT: "break in series: the first year of the successor dataset (other indicator "
    "definition and NUTS version); compare with earlier years with care",
}


def describe_caveats(codes: object, *, skip: tuple[str, ...] = ()) -> str:
    """The caveat codes of a cell in words, ``'; '``-separated ('' when none); ``skip`` leaves codes out
    (e.g. ``denominator:sections``, true of nearly every SBS cell and stated on the methodology page)."""
    if not isinstance(codes, str) or not codes:
        return ""
    out = []
    for code in codes.split(";"):
        if not code or code in skip:
            continue
        family = code.split(":", 1)[0]
        out.append(CAVEAT_TEXT.get(code, f"{family}: {code.split(':', 1)[-1]}" if ":" in code else code))
    return "; ".join(out)
