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
``value_added:<method>``
    The cell's value added ratio divides a value added estimated between NUTS versions (the value added
    row's ``estimated:<method>``); the employment may be native.
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
CAVEAT_ORDER: Final = ("confidential", "suspect:", "estimated:", "denominator:", "value_added:")
#: Default year-on-year factor: at NUTS 2 and division level a tenfold change that reverts the next year
#: is a reporting artefact (a plant opening or closing gives a step that persists, not a spike).
YEAR_FACTOR: Final = 10.0
#: Default share of Europe's regions with employment above which a sector counts as present everywhere.
UBIQUITY: Final = 0.9

_KEY = ["level", "region", "year"]


def _codes(parts: list[pd.Series], index: pd.Index) -> pd.Series:
    """Join per-cell code series (empty string = none) into one ``;``-separated string per cell.

    Column by column: each part is appended where it has a code, with a ``;`` only where the cell
    already has one (no Python call per cell)."""
    out = np.full(len(index), "", dtype=object)
    for part in parts:
        codes = _strings(part.reindex(index))
        has = codes != ""
        both = has & (out != "")
        joined = np.where(has, codes, out)
        joined[both] = out[both] + ";" + codes[both]
        out = joined
    return pd.Series(out, index=index, dtype="object")


def _strings(values: pd.Series) -> np.ndarray:
    """The values as an object array of ``str``, ``''`` for a missing one."""
    out = values.to_numpy(dtype=object, na_value="") if len(values) else np.array([], dtype=object)
    if pd.api.types.infer_dtype(out, skipna=False) not in ("string", "empty"):
        out = values.fillna("").astype(str).to_numpy(dtype=object)
    return out


def _group_ids(frame: pd.DataFrame, keys: list[str]) -> np.ndarray:
    """One integer per row naming its group of ``keys`` (NaN keys form groups of their own, as in a merge)."""
    if not keys:
        return np.zeros(len(frame), dtype="int64")
    return frame.groupby(keys, sort=False, dropna=False).ngroup().to_numpy(dtype="int64")


def _vocabulary(*columns: pd.Series) -> tuple[list[np.ndarray], int]:
    """Shared integer codes of string columns (NaN gets a code of its own, so it matches NaN as in a
    merge) and the number of codes."""
    codes, uniques = pd.factorize(pd.concat(columns, ignore_index=True), use_na_sentinel=False)
    bounds = np.cumsum([0, *(len(c) for c in columns)])
    return [codes[bounds[i] : bounds[i + 1]] for i in range(len(columns))], max(len(uniques), 1)


def _find(right: np.ndarray, left: np.ndarray) -> np.ndarray:
    """For each ``left`` key, the position of the first equal ``right`` key (-1 when none): a left merge
    on integer keys without the merge's copies."""
    n = len(right)
    if n == 0:
        return np.full(len(left), -1, dtype="int64")
    order = np.argsort(right, kind="stable")
    ranked = right[order]
    pos = np.minimum(np.searchsorted(ranked, left), n - 1)
    return np.where(ranked[pos] == left, order[pos], -1)


def _take(values: np.ndarray, at: np.ndarray) -> np.ndarray:
    """``values[at]`` as float64, NaN where ``at`` is -1."""
    if len(values) == 0:
        return np.full(len(at), np.nan)
    out = values.astype("float64")[np.maximum(at, 0)]
    out[at < 0] = np.nan
    return out


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
    The lookups run on integer keys (the region-year group times the sector code): no merge of the
    whole cube, no Python per cell.
    """
    keys = [k for k in _KEY if k in cube.columns]
    hier = cube["hier_level"].fillna(-1).astype(int).to_numpy()
    sector, parent = cube["sector"], cube["parent"]
    sections = set(sector[hier == 1])
    # the parent of a top-level unit is the region's published total
    top = (hier == 1) | ((hier == 2) & ~parent.isin(sections).to_numpy())
    own = parent.where(hier >= 2)
    own[top] = "\x00total"
    (sector_c, parent_c, own_c), width = _vocabulary(sector, parent, own)
    group = _group_ids(cube, keys) * width
    emp = cube["employment"].to_numpy(dtype="float64")
    # P: the parent's value, for a top-level unit the highest published total of the region and year
    p = _take(emp, _find(group + sector_c, group + own_c))
    total = pd.Series(cube["region_total"].to_numpy(dtype="float64")).groupby(group).transform("max")
    p[top] = total.to_numpy()[top]
    # the sum of the cell and its siblings (the cells of the same parent)
    with_parent = own.notna().to_numpy()
    sib = np.zeros(len(cube))
    sib[with_parent] = (
        pd.Series(emp[with_parent])
        .groupby(group[with_parent] + own_c[with_parent])
        .transform("sum")
        .to_numpy()
    )
    # the sum of the cell's published children
    child = parent.notna().to_numpy() & (hier >= 2)
    kid_sums = pd.Series(emp[child]).groupby(group[child] + parent_c[child]).sum()
    at = kid_sums.index.get_indexer(group + sector_c)
    kids = (
        np.where(at >= 0, kid_sums.to_numpy(dtype="float64")[np.maximum(at, 0)], 0.0)
        if len(kid_sums)
        else np.zeros(len(cube))
    )
    null = np.isnan(emp)
    high = np.maximum(p - sib, 0.0)
    ok = null & ~np.isnan(high)
    low = np.minimum(kids, high)
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
    emp = cube["employment"].to_numpy(dtype="float64")
    known = ~np.isnan(emp)
    index = cube.index
    # sole_region
    sole = np.zeros(len(cube), dtype=bool)
    if "country" in cube.columns and "level" in cube.columns:
        c = cube.loc[known, ["level", "country", "sector", "year"]]
        positive = (emp[known] > 0).astype("float64")
        # counts of the cells with a value (and of those above 0) in the country and in all of Europe
        n, npos = _group_counts(c, ["level", "country", "sector", "year"], positive)
        all_n, all_pos = _group_counts(c, ["level", "sector", "year"], positive)
        # present elsewhere: the share of the other countries' regions with employment in the sector
        rest_n = all_n - n
        with np.errstate(divide="ignore", invalid="ignore"):
            ubiq = (all_pos - npos) / np.where(rest_n > 0, rest_n, np.nan)
            sole[known] = (c["level"].to_numpy() >= 1) & (n >= 2) & (npos == 1) & (ubiq >= ubiquity)
    # exceeds_parent
    (sector_c, parent_c), width = _vocabulary(cube["sector"], cube["parent"])
    group = _group_ids(cube, keys) * width
    pv = _take(emp, _find(group + sector_c, group + parent_c))
    with np.errstate(invalid="ignore"):
        exceeds = (emp > pv + 0.5) & ~np.isnan(pv)
    # year_jump: the cells sorted once by (level, region, sector) and year; the years t - 2 .. t + 2 of a
    # cell are then at most two rows away (one row per cell and year)
    cell = [k for k in ("level", "region", "sector") if k in cube.columns]
    spike = _year_spikes(
        _group_ids(cube, cell), cube["year"].to_numpy(dtype="int64"), emp, factor=factor, minimum=minimum
    )
    return _codes(
        [
            pd.Series(np.where(sole, "suspect:sole_region", ""), index=index, dtype="object"),
            pd.Series(np.where(exceeds, "suspect:exceeds_parent", ""), index=index, dtype="object"),
            pd.Series(np.where(spike, "suspect:year_jump", ""), index=index, dtype="object"),
        ],
        index,
    )


def _group_counts(
    frame: pd.DataFrame, keys: list[str], positive: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Per row: the number of rows of its group of ``keys`` and how many of them are ``positive``
    (NaN for a row with a NaN key, which belongs to no group)."""
    ids = frame.groupby(keys, sort=False).ngroup().to_numpy(dtype="float64")
    ok = ~np.isnan(ids)
    group = np.where(ok, ids, -1).astype("int64")
    size = np.bincount(group[ok], minlength=1).astype("float64")
    pos = np.bincount(group[ok], weights=positive[ok], minlength=1)
    n = np.full(len(frame), np.nan)
    npos = np.full(len(frame), np.nan)
    n[ok], npos[ok] = size[group[ok]], pos[group[ok]]
    return n, npos


def _year_spikes(
    cell: np.ndarray, year: np.ndarray, emp: np.ndarray, *, factor: float, minimum: float
) -> np.ndarray:
    """The ``year_jump`` rule of each row (cells ``cell``, one row per cell and year): see
    :func:`suspect_rules`."""
    n = len(cell)
    order = np.lexsort((year, cell))
    c, y, v = cell[order], year[order], emp[order]
    jump: dict[int, np.ndarray] = {}
    has: dict[int, np.ndarray] = {}
    for shift in (-2, -1, 1, 2):
        o = np.full(n, np.nan)  # the value of year t + shift, on the row of year t
        for step in range(1, abs(shift) + 1):
            k = step if shift > 0 else -step
            if abs(k) >= n:
                continue
            here = np.arange(max(0, -k), n - max(0, k))
            there = here + k
            hit = (c[there] == c[here]) & (y[there] == y[here] + shift)
            o[here[hit]] = v[there[hit]]
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
    out = np.zeros(n, dtype=bool)
    out[order] = spike
    return out


def observation_caveats(caveats: pd.Series) -> pd.Series:
    """The ``estimated:<method>`` codes of the ingest's ``observations.caveats`` (renames are not estimates)."""

    def keep(text: object) -> str:
        if not isinstance(text, str) or not text:
            return ""
        codes = sorted(
            {c.strip() for c in text.replace(",", ";").split(";") if c.strip().startswith("estimated:")}
        )
        return ";".join(codes)

    # once per distinct text (a store has a handful), not once per cell
    ids, texts = pd.factorize(caveats, use_na_sentinel=True)
    kept = np.array([*(keep(t) for t in texts), ""], dtype=object)
    return pd.Series(kept[ids], index=caveats.index, name=caveats.name, dtype="object")


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
    # the caveat texts of the parts are split once per distinct text (a cube has a handful), not per cell
    text, texts = pd.factorize(pd.Series(_strings(parts["caveats"]), dtype="object"))
    split = [str(t).split(";") for t in texts]
    region_of = [tuple(c for c in cs if c.startswith(("estimated:", "denominator:"))) for cs in split]
    suspect_of = [tuple(c for c in cs if c.startswith("suspect:")) for cs in split]
    # one group number per (level, region, year) shared by the parts and the aggregates (-1: a NaN key)
    ids = pd.concat([parts[keys], out[keys]], ignore_index=True).groupby(keys, sort=False).ngroup()
    group = np.nan_to_num(ids.to_numpy(dtype="float64"), nan=-1.0).astype("int64")
    part_group, out_group = group[: len(parts)], group[len(parts) :]
    # the region's estimated: and denominator: codes, in the order the parts first give them
    firsts = pd.DataFrame({"g": part_group, "t": text})
    firsts = firsts[firsts["g"] >= 0].drop_duplicates().sort_values("g", kind="stable")
    gathered: dict[int, list[str]] = {}
    for g, t in zip(firsts["g"].tolist(), firsts["t"].tolist(), strict=True):
        gathered.setdefault(g, []).extend(region_of[t])
    region = {g: tuple(dict.fromkeys(cs)) for g, cs in gathered.items()}
    # the suspect: codes of the members with a value, per aggregate
    link = pd.DataFrame([(a, d) for a, ds in members.items() for d in ds], columns=["_agg", "sector"])
    flagged = parts["suspect"].fillna(False).astype(bool).to_numpy() & parts["employment"].notna().to_numpy()
    sus = pd.DataFrame(
        {
            "g": part_group[flagged],
            "t": text[flagged],
            "sector": parts["sector"].to_numpy(dtype=object)[flagged],
        }
    ).merge(link, on="sector")
    sus = sus.loc[sus["g"] >= 0, ["g", "_agg", "t"]].drop_duplicates()
    found: dict[tuple[int, str], set[str]] = {}
    for g, a, t in zip(sus["g"].tolist(), sus["_agg"].tolist(), sus["t"].tolist(), strict=True):
        found.setdefault((g, a), set()).update(suspect_of[t])
    suspect = {k: tuple(sorted(v)) for k, v in found.items()}
    order = {fam: i for i, fam in enumerate(CAVEAT_ORDER)}

    def rank(code: str) -> tuple[int, str]:
        fam = next((f for f in CAVEAT_ORDER if code.startswith(f)), "")
        return (order.get(fam, len(order)), code if fam != "denominator:" else "")

    joined: dict[tuple[tuple[str, ...], tuple[str, ...]], str] = {}
    caveats, is_suspect = [], []
    for g, sector in zip(out_group.tolist(), out["sector"].tolist(), strict=True):
        sc, rc = suspect.get((g, sector), ()), region.get(g, ())
        if (sc, rc) not in joined:
            joined[sc, rc] = ";".join(sorted(sc + rc, key=rank))
        caveats.append(joined[sc, rc])
        is_suspect.append(bool(sc))
    out["caveats"] = caveats
    out["suspect"] = np.array(is_suspect, dtype=bool)
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
    "estimated:jrc_pop_split": "estimated: split from a region of an older NUTS version by population weights "
    "(JRC converter)",
    "estimated:jrc_pop_merge": "estimated: merged from older NUTS regions by population weights (JRC converter)",
    "value_added:jrc_pop_split": "value added estimated: split from a region of an older NUTS version by "
    "population weights (JRC converter)",
    "value_added:jrc_pop_merge": "value added estimated: merged from older NUTS regions by population weights "
    "(JRC converter)",
    "denominator:sections": "region total: the sum of its NACE sections (no published total)",
    "denominator:divisions": "region total: the sum of its NACE divisions (no published total or sections)",
    "denominator:lower_bound": "region total is a lower bound (a confidential section is missing from it)",
    SERIES_BREAK_CAVEAT: "break in series: the first year of the successor dataset (other indicator "
    "definition and NUTS version); compare with earlier years with care",
}


def value_added_caveats(codes: pd.Series | None, *, has: pd.Series) -> pd.Series:
    """The ``value_added:<method>`` codes of cells whose value added ratio divides an estimated value added:
    ``codes`` holds each cell's value added caveats (``estimated:<method>``, ``;``-separated; None when the
    value added rows carry none), ``has`` is True where the cell has a value added ratio. '' elsewhere, on
    ``has``' index."""
    out = pd.Series("", index=has.index, dtype="object")
    if codes is None:
        return out
    text = pd.Series(codes.to_numpy(), index=has.index).fillna("").astype(str)
    todo = has.to_numpy(dtype=bool) & (text != "").to_numpy()
    mapping = {
        t: ";".join(
            "value_added:" + c.split(":", 1)[1]
            for c in sorted(set(t.split(";")))
            if c.startswith("estimated:")
        )
        for t in pd.unique(text[todo])
    }
    out[todo] = text[todo].map(mapping)
    return out


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
