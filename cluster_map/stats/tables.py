"""The table metrics, written once as ibis expressions and run on DuckDB or on Spark.

Every function takes ibis tables and returns an ibis table expression; nothing here connects to a
backend (connections are made in :mod:`cluster_map.store.engines`). The same expression therefore
compiles to DuckDB SQL and to Spark SQL, and ``tests/stats/test_tables.py`` requires both engines
to give the same numbers.

The input cube has one row per partition key x region x sector (``KEYS`` = NUTS ``level``,
``sector_level``, ``year`` by default) with the columns ``region, sector, country, employment,
establishments, wages, sector_type, parent, region_total``. ``region_total`` is the region's total
employment from the dataset's own total code (SBS ``B-N_S95_X_K``, LFS ``TOTAL``), NULL when the
dataset has none: then ``E_r`` is the sum over the sectors of that sector level. Missing cells are
zeros (the cube is sparse). All ratios divide by ``NULLIF(x, 0)``: a zero denominator gives NULL and
a ``reason``, never an error (Spark's ANSI mode would raise on ``x / 0``).

References: European Cluster Observatory star methodology (Ketels & Protsiv 2014, *European Cluster
Panorama*, §2); US Cluster Mapping Project (Delgado, Porter & Stern 2016, *Defining clusters of
related industries*, J. Econ. Geogr. 16(1); clustermapping.us "Strong clusters" notes); Balland,
*EconGeo* R package (LQ, Krugman, HHI, Gini examples); Hoover (1936); Theil (1967);
Audretsch & Feldman (1996) for the locational Gini; Dunn (1960) for shift-share.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import ibis
import ibis.expr.types as ir

from cluster_map.catalogue import FOCUS_SCOPES

Benchmark = Literal["dataset", "country", "external"]
BENCHMARKS: tuple[str, ...] = ("dataset", "country", "external")
#: Default partition keys: a metric compares regions of one NUTS level, one sector level, one year.
KEYS: tuple[str, ...] = ("level", "sector_level", "year")

_F = "float64"
_LN2 = 0.6931471805599453

#: Types of the cube columns (the partition keys are int64).
CUBE_SCHEMA = ibis.schema(
    {
        "level": "int64", "sector_level": "int64", "year": "int64",
        "region": "string", "sector": "string", "country": "string",
        "employment": "float64", "establishments": "float64", "wages": "float64",
        "sector_type": "string", "parent": "string", "region_total": "float64",
    }
)  # fmt: skip
#: Columns :func:`cluster_map.stats.quality.annotate` adds to the cube (all optional: a cube without them
#: has no caveats, no bounds and nothing suspect).
QUALITY_SCHEMA = ibis.schema(
    {"flags": "string", "caveats": "string", "hier_level": "int64", "employment_low": "float64",
     "employment_high": "float64", "suspect": "boolean", "confidential": "boolean"}
)  # fmt: skip
#: The cube with its quality columns (what the store's metrics engine reads).
CUBE_QUALITY_SCHEMA = ibis.schema({**dict(CUBE_SCHEMA.items()), **dict(QUALITY_SCHEMA.items())})
#: How the focus star ranks a cell's share of its region's employment.
FocusScope = Literal["all_cells", "sector"]
#: Types of an external benchmark totals table.
TOTALS_SCHEMA = ibis.schema(
    {"country": "string", "sector": "string", "year": "int64", "employment": "float64",
     "total": "float64", "sector_type": "string"}
)  # fmt: skip


#: Fixed-point types of :func:`_xsum`. Persons: 6 decimals (a converted, population-weighted value keeps
#: a millionth of a person; DuckDB casts a double to a decimal through ``x * 10**scale`` in double, which
#: is exact for every whole count below 9e9 at this scale, so a region's only sector keeps a share of 1).
#: Shares in [0, 1] and their logarithms: 18 decimals, below a double's precision.
PERSONS = "decimal(38, 6)"
SHARES = "decimal(38, 18)"


def _xsum(x: ir.NumericValue, exact: str = PERSONS) -> ir.FloatingValue:
    """The sum of ``x`` in fixed point (``exact``), as float64: each value is rounded once and the sum is
    exact, so it does not depend on how a parallel engine splits or orders the rows (a float sum does, in
    its last bits, and a threshold at a percentile could then flip between two builds of one store)."""
    return x.cast(_F).cast(exact).sum().cast(_F)


def _div(a: ir.NumericValue, b: ir.NumericValue) -> ir.FloatingValue:
    return a.cast(_F) / b.cast(_F).nullif(0.0)


def _xlogx(x: ir.FloatingValue) -> ir.FloatingValue:
    """x log2 x with 0 log 0 = 0 (no log of zero on either engine)."""
    return ibis.ifelse(x > 0, x * ibis.greatest(x, 1e-300).ln() / _LN2, 0.0)


def _join(left: ir.Table, right: ir.Table, on: Sequence[str], how: str = "inner") -> ir.Table:
    """Join on equal-named keys and keep each column once (finishes ibis' join chain)."""
    on = list(on)
    j = left.join(right, on, how=how)
    extra = [c for c in right.columns if c not in on and c not in left.columns]
    return j.select(*left.columns, *extra)


def complete_totals(totals: ir.Table, *, by_type: bool = False) -> ir.Table:
    """Fill the ``total`` column of an external benchmark table where it is missing.

    ``totals`` has ``country, sector, year, employment`` and optionally ``total`` and
    ``sector_type``. A missing total is the sum of ``employment`` over the table's sectors of the
    same country and year (and of the same ``sector_type`` when ``by_type``).
    """
    group = ["country", "year"] + (["sector_type"] if by_type else [])
    sums = totals.group_by(group).aggregate(_sum_total=_xsum(totals.employment))
    out = _join(totals, sums, group, how="left")
    if "total" in totals.columns:
        out = out.mutate(total=ibis.coalesce(out.total.cast(_F), out._sum_total.cast(_F)))
    else:
        out = out.mutate(total=out._sum_total.cast(_F))
    return out.drop("_sum_total")


def metrics(
    cube: ir.Table,
    *,
    keys: Sequence[str] = KEYS,
    benchmark: Benchmark = "dataset",
    totals: ir.Table | None = None,
    by_type: bool = False,
    min_employment: float = 0.0,
    size_quantile: float = 0.9,
    focus_quantile: float = 0.9,
    specialisation_lq: float = 2.0,
    stars: bool = True,
    flags: bool = True,
    focus_scope: FocusScope = "all_cells",
    star_suspect: bool = False,
) -> ir.Table:
    """Shares, location quotients, ECO stars and US CMP flags for every region x sector cell.

    Parameters
    ----------
    cube : ibis Table
        The cube described in the module docstring.
    keys : sequence of str
        Partition columns: regions are compared within one partition.
    benchmark : {'dataset', 'country', 'external'}
        Denominators ``E_s`` (sector) and ``E`` (all): ``'dataset'`` sums over all regions of the
        partition; ``'country'`` over the regions of the same ``country``; ``'external'`` takes them
        from ``totals`` joined on ``country, sector, year`` (``totals.total`` is ``E``).
    totals : ibis Table, optional
        External benchmark: ``country, sector, year, employment, total`` (see
        :func:`complete_totals`).
    by_type : bool
        US Cluster Mapping convention: for a traded cluster both denominators count traded
        employment only (local: local only), i.e. ``E_r`` = the region's employment in clusters of
        the same ``sector_type`` and ``E`` = the benchmark total of that type.
    min_employment : float
        Minimum-size rule: a cell with ``employment < min_employment`` gets no ECO stars (flags
        False, ``reason`` says so). It still counts in the quantiles, so that tiny regions do not
        rank first on spurious LQs without changing the thresholds of the others.
    size_quantile, focus_quantile, specialisation_lq : float
        ECO thresholds (defaults: top 10% of employment, top 10% of the region's share, LQ >= 2).
    stars, flags : bool
        Compute the ECO stars / the US CMP flags (default both; when off the columns are NULL and
        their quantiles are not computed, e.g. for a lean LQ + strong-flag run).
    focus_scope : {'all_cells', 'sector'}
        ``'all_cells'`` (default, the European Cluster Observatory's published reading): the focus
        threshold is the 90th percentile of ``share_region`` over every region x sector cell of the
        partition (all sectors of the level), so focus asks "is this one of Europe's most focused
        regional clusters". ``'sector'``: over the regions of the same sector; within a sector
        ``share_region`` ranks regions exactly as the LQ does (``LQ = share_region / (E_s/E)``), so
        focus then repeats the specialisation test.
    star_suspect : bool
        Let cells flagged ``suspect`` (cube column, see :mod:`cluster_map.stats.quality`) earn stars
        and strong flags (default False: they earn none and are left out of the quantiles).

    Returns
    -------
    ibis Table
        keys, region, sector, country, sector_type, employment, establishments, wages,
        ``region_total`` (E_r), ``sector_total`` (E_s), ``benchmark_total`` (E), share_region,
        share_sector, lq, lq_low, lq_high (the LQ at the bounds ``employment_low`` /
        ``employment_high`` of a confidential cell, the benchmark's other cells held fixed:
        ``LQ(x) = (x / E_r) / ((E_s + x) / E)``), size_star, specialisation_star, focus_star, stars,
        qualifying, significant, strong, strong10, reason, caveats (the cube's codes, '' when none).

    Notes
    -----
    ``share_region = E_rs / E_r``, ``share_sector = E_rs / E_s``,
    ``LQ = (E_rs / E_r) / (E_s / E)`` (Florence 1939; EconGeo ``location.quotient``).

    ECO stars (European Cluster Observatory): size if ``E_rs >= Q_{0.9}`` of ``E_rs`` over the
    regions with ``E_rs > 0`` in the same sector; specialisation if ``LQ >= 2``; focus if
    ``share_region >= Q_{0.9}`` of every region x sector cell with ``E_rs > 0`` of the partition
    (``focus_scope='all_cells'``: the Observatory's "top 10% of all clusters that account for the
    largest share of their region's employment") or of the same sector's regions
    (``focus_scope='sector'``); ``stars`` = their count (0-3). Suspect cells are left out of every
    quantile and earn nothing unless ``star_suspect``.

    US CMP flags, per partition x cluster over regions with ``E_rs > 0`` and traded (or untyped)
    sectors, quantiles by linear interpolation (numpy default, R type 7, ``quantile_cont``):
    qualifying ``LQ > Q25(LQ) & emp > Q25(emp) & est > Q25(est)``; significant with ``Q50(LQ)``;
    strong ``LQ >= Q75(LQ) & LQ >= 1`` and the same size tests; strong10 with ``Q90``. The
    establishment test is skipped when the partition has no establishments at all (e.g. LFS).
    Local clusters get NULL flags.
    """
    if benchmark not in BENCHMARKS:
        raise ValueError(f"benchmark must be one of {BENCHMARKS}, got {benchmark!r}")
    if focus_scope not in FOCUS_SCOPES:
        raise ValueError(f"focus_scope must be one of {FOCUS_SCOPES}, got {focus_scope!r}")
    cube = with_quality_columns(cube)
    if benchmark == "external" and totals is None:
        raise ValueError("benchmark='external' needs a totals table")
    keys = list(keys)
    typ = ["sector_type"] if by_type else []
    c = cube.mutate(
        employment=cube.employment.cast(_F),
        establishments=cube.establishments.cast(_F),
        wages=cube.wages.cast(_F),
        region_total=cube.region_total.cast(_F),
    )

    # E_r: the dataset's total code, else the sum over the sectors of the level (by type: same type).
    r = c.group_by(keys + ["region"] + typ).aggregate(
        _sum_r=_xsum(c.employment), _given_r=c.region_total.max()
    )
    r = r.mutate(_e_r=r._sum_r if by_type else ibis.coalesce(r._given_r, r._sum_r)).drop("_sum_r", "_given_r")
    t = _join(c, r, keys + ["region"] + typ, how="left")

    if benchmark == "external":
        assert totals is not None
        tt = totals.select(
            "country",
            "sector",
            "year",
            _e_s=totals.employment.cast(_F),
            _e=totals.total.cast(_F),
        )
        t = _join(t, tt, ["country", "sector", "year"], how="left")
    else:
        geo = ["country"] if benchmark == "country" else []
        s = c.group_by(keys + geo + ["sector"]).aggregate(_e_s=_xsum(c.employment))
        rr = _join(r, c.select(*keys, "region", *geo).distinct(), keys + ["region"]) if geo else r
        tot = rr.group_by(keys + geo + typ).aggregate(_e=_xsum(rr._e_r))
        t = _join(_join(t, s, keys + geo + ["sector"], how="left"), tot, keys + geo + typ, how="left")

    def lq_at(x: ir.NumericValue) -> ir.FloatingValue:
        # the benchmark's sector total holds the published cells only: add the bound to it
        return _div(_div(x, t._e_r), _div(t._e_s + x, t._e))

    t = t.mutate(
        share_region=_div(t.employment, t._e_r),
        share_sector=_div(t.employment, t._e_s),
        lq=_div(_div(t.employment, t._e_r), _div(t._e_s, t._e)),
        lq_low=lq_at(t.employment_low),
        lq_high=lq_at(t.employment_high),
        _sus=t.suspect.fill_null(False) & ibis.literal(not star_suspect),
    )

    # Quantiles per partition x sector (one aggregate for the stars and the US CMP flags).
    pos = t.employment > 0
    ranked = pos & ~t._sus
    not_local = t.sector_type.isnull() | (t.sector_type != "local")
    typed = ranked & not_local
    quantiles: dict[str, Any] = {}
    if stars:
        quantiles.update(_q_size=t.employment.quantile(size_quantile, where=ranked))
        if focus_scope == "sector":
            quantiles.update(_q_focus=t.share_region.quantile(focus_quantile, where=ranked))
    if flags:
        quantiles.update(
            # one sort for the four LQ quantiles (a list quantile is ~3x faster than four)
            _q_lq=t.lq.quantile([0.25, 0.5, 0.75, 0.9], where=typed),
            _q_emp25=t.employment.quantile(0.25, where=typed),
            _q_est25=t.establishments.quantile(0.25, where=typed),
        )
    if quantiles:
        q = t.group_by(keys + ["sector"]).aggregate(**quantiles)
        if flags:
            q = q.mutate(_q_lq25=q._q_lq[0], _q_lq50=q._q_lq[1], _q_lq75=q._q_lq[2], _q_lq90=q._q_lq[3]).drop(
                "_q_lq"
            )
        t = _join(t, q, keys + ["sector"], how="left")
    if stars and focus_scope == "all_cells":
        qa = t.group_by(keys).aggregate(_q_focus=t.share_region.quantile(focus_quantile, where=ranked))
        t = _join(t, qa, keys, how="left")
    none = ibis.null("boolean")

    big = (t.employment >= min_employment) & pos & ~t._sus
    defined = t.employment.notnull()
    if stars:
        size = big & (t.employment >= t._q_size)
        focus = big & (t.share_region >= t._q_focus).fill_null(False)
        spec = big & (t.lq >= specialisation_lq).fill_null(False)
        size_star = ibis.ifelse(defined, size.fill_null(False), none)
        spec_star = ibis.ifelse(defined, spec, none)
        focus_star = ibis.ifelse(defined, focus, none)
        n_stars = size_star.cast("int32") + spec_star.cast("int32") + focus_star.cast("int32")
    else:
        size_star = spec_star = focus_star = none
        n_stars = ibis.null("int32")

    flag_defined = pos & not_local & t.lq.notnull()

    def flag(cond_of: Any) -> ir.BooleanValue:
        if not flags:
            return none
        est_ok = ibis.coalesce(t.establishments > t._q_est25, t._q_est25.isnull())
        size_ok = (t.employment > t._q_emp25) & est_ok
        cond = cond_of(size_ok) & ~t._sus
        return ibis.ifelse(
            flag_defined,
            cond.fill_null(False),
            ibis.ifelse((t.employment == 0) & not_local, False, ibis.null("boolean")),
        )

    reasons = [
        (t.employment.isnull() & t.confidential.fill_null(False), "confidential"),
        (t.employment.isnull(), "employment not available"),
        (t._e_r.isnull() | (t._e_r == 0), "region total is zero or missing"),
        ((t._e_s.isnull() | (t._e_s == 0)), "benchmark sector total is zero or missing"),
        ((t._e.isnull() | (t._e == 0)), "benchmark total is zero or missing"),
    ]
    reasons.append((t._sus, "suspect source value: no star or strong flag (see caveats)"))
    if stars:
        reasons.append((pos & (t.employment < min_employment), "below minimum size for stars"))
    reason = ibis.cases(*reasons, else_=ibis.null("string"))
    out = t.mutate(
        region_total=t._e_r,
        sector_total=t._e_s,
        benchmark_total=t._e,
        size_star=size_star,
        specialisation_star=spec_star,
        focus_star=focus_star,
        stars=n_stars,
        qualifying=flag(lambda ok: (t.lq > t._q_lq25) & ok),
        significant=flag(lambda ok: (t.lq > t._q_lq50) & ok),
        strong=flag(lambda ok: (t.lq >= t._q_lq75) & (t.lq >= 1.0) & ok),
        strong10=flag(lambda ok: (t.lq >= t._q_lq90) & (t.lq >= 1.0) & ok),
        reason=reason,
        caveats=t.caveats.fill_null(""),
    )
    return out.select(*metric_columns(keys))


def with_quality_columns(cube: ir.Table) -> ir.Table:
    """The cube with every column of :data:`QUALITY_SCHEMA` (NULL where it had none)."""
    missing = {name: ibis.null(dtype) for name, dtype in QUALITY_SCHEMA.items() if name not in cube.columns}
    return cube.mutate(**missing) if missing else cube


def metric_columns(keys: Sequence[str] = KEYS) -> list[str]:
    """Column order of :func:`metrics` for the partition ``keys``."""
    return list(keys) + [
        "region", "sector", "country", "sector_type", "parent",
        "employment", "establishments", "wages",
        "region_total", "sector_total", "benchmark_total",
        "share_region", "share_sector", "lq", "lq_low", "lq_high",
        "size_star", "specialisation_star", "focus_star", "stars",
        "qualifying", "significant", "strong", "strong10", "reason", "caveats",
    ]  # fmt: skip


def region_indices(m: ir.Table, *, keys: Sequence[str] = KEYS) -> ir.Table:
    """Specialisation indices of each region over the sectors of one partition.

    Parameters
    ----------
    m : ibis Table
        Output of :func:`metrics` (``employment``, ``parent``, ``sector_type``, ``strong``).
    keys : sequence of str
        Partition columns.

    Returns
    -------
    ibis Table
        keys, region, employment (sum over the sectors), n_sectors (with employment > 0),
        krugman, krugman_half, hhi, entropy, related_variety, unrelated_variety,
        cluster_strength, published_share.

    Notes
    -----
    With ``s_rs = E_rs / sum_s E_rs`` (the region's sector shares over the sectors of the level, so
    that they sum to 1) and ``s_s = E_s / E`` (the partition's):

    - Krugman specialisation index ``K_r = sum_s |s_rs - s_s|`` in [0, 2] (Krugman 1991; EconGeo
      ``Krugman.index``). Some sources (e.g. Midelfart-Knarvik et al. 2000 use the sum; OECD and
      several cluster studies) halve it to [0, 1]: ``krugman_half = K_r / 2``.
    - Herfindahl-Hirschman ``HHI_r = sum_s s_rs^2`` in [1/n, 1].
    - Entropy ``H_r = -sum_s s_rs log2 s_rs`` (bits, as Frenken et al.), split by the sector hierarchy
      (``parent``) into unrelated variety ``UV = -sum_g P_g log2 P_g`` (bits, like ``H``) and related
      variety ``RV = sum_g P_g H_g`` (Frenken, Van Oort & Verburg 2007), ``H = UV + RV``; NULL when a
      sector has no parent.
    - Published part: every index is computed over the cells with a published value. A confidential
      cell (employment NULL) is left out, never counted as 0: for Krugman the benchmark shares are
      taken over the sectors the region publishes, ``s_s = E_s / (E - sum_{u unpublished in r} E_u)``
      (a sector with a published 0 still counts, as ``s_s``). ``published_share = sum_s E_rs / E_r``
      states how much of the region's denominator ``E_r`` (its highest-level published total) the
      published cells cover.
    - Cluster strength (US CMP): share of the region's traded (or untyped) employment in strong
      clusters, ``sum_{s strong} E_rs / sum_{s flagged} E_rs``.
    """
    keys = list(keys)
    pos = m.filter(m.employment > 0)
    tot_r = pos.group_by(keys + ["region"]).aggregate(_tot=_xsum(pos.employment))
    sec = pos.group_by(keys + ["sector"]).aggregate(_es=_xsum(pos.employment))
    alls = sec.group_by(keys).aggregate(_e=_xsum(sec._es))
    x = _join(_join(_join(pos, tot_r, keys + ["region"]), sec, keys + ["sector"]), alls, keys)
    # the benchmark shares over the region's published part: a sector whose value the region withholds
    # (employment NULL) leaves the comparison instead of counting as a share of 0
    nul = m.filter(m.employment.isnull()).select(*keys, "region", "sector")
    nul = _join(nul, sec, keys + ["sector"])
    unpublished = nul.group_by(keys + ["region"]).aggregate(_ue=_xsum(nul._es))
    x = _join(x, unpublished, keys + ["region"], how="left")
    x = x.mutate(_s=_div(x.employment, x._tot), _b=_div(x._es, x._e - x._ue.fill_null(0.0)))
    grp = x.group_by(keys + ["region", "parent"]).aggregate(
        _p=_xsum(x._s, SHARES), _a=_xsum(_xlogx(x._s), SHARES), _n=x.count()
    )
    var = grp.group_by(keys + ["region"]).aggregate(
        _no_parent=grp.parent.isnull().cast("int64").sum(),
        _rv=_xsum(_xlogx(grp._p) - grp._a, SHARES),
        _uv=_xsum(-_xlogx(grp._p), SHARES),
    )
    flagged = x.strong.notnull()
    agg = x.group_by(keys + ["region"]).aggregate(
        employment=_xsum(x.employment),
        n_sectors=x.count(),
        _abs=_xsum((x._s - x._b).abs(), SHARES),
        _bsum=_xsum(x._b, SHARES),
        hhi=_xsum(x._s * x._s, SHARES),
        entropy=_xsum(-_xlogx(x._s), SHARES),
        _strong=_xsum(ibis.ifelse(x.strong.fill_null(False), x.employment, 0.0)),
        _flagged=_xsum(ibis.ifelse(flagged, x.employment, 0.0)),
        _den=x.region_total.max(),
    )
    out = _join(agg, var, keys + ["region"], how="left")
    krugman = out._abs + ibis.greatest(1.0 - out._bsum, 0.0)
    no_var = out._no_parent > 0
    return out.select(
        *keys,
        "region",
        "employment",
        n_sectors=out.n_sectors.cast("int64"),
        krugman=krugman,
        krugman_half=krugman / 2.0,
        hhi=out.hhi,
        entropy=out.entropy,
        related_variety=ibis.ifelse(no_var, ibis.null(_F), out._rv),
        unrelated_variety=ibis.ifelse(no_var, ibis.null(_F), out._uv),
        cluster_strength=_div(out._strong, out._flagged),
        published_share=_div(out.employment, out._den),
    )


def sector_indices(m: ir.Table, *, keys: Sequence[str] = KEYS) -> ir.Table:
    """Geographic concentration indices of each sector over the regions of one partition.

    Parameters
    ----------
    m : ibis Table
        Output of :func:`metrics` (or any table with keys, region, sector, employment).
    keys : sequence of str
        Partition columns.

    Returns
    -------
    ibis Table
        keys, sector, employment, n_regions (with employment > 0), regions (in the partition),
        gini, locational_gini, hoover, theil.

    Notes
    -----
    With ``x_r = E_rs`` over the ``n`` regions of the partition (absent cells are zeros),
    ``a_r = E_rs / E_s`` and ``b_r = E_r / E`` (``E_r`` summed over the sectors of the level):

    - Gini ``G_s = 2 sum_i i x_(i) / (n sum x) - (n + 1) / n`` with ``x_(i)`` ascending (EconGeo
      ``Gini``; the EconGeo example gives .8, .36, .54, .62, .56).
    - Locational Gini ``LG_s = (1 - sum_k b_k (y_k + y_{k-1})) / 2`` over regions ordered by
      ascending LQ ``a/b``, ``y`` the cumulative ``a``: the area between the sector's localisation
      curve and the diagonal, limit 0.5 (Krugman 1991; EconGeo ``locational.Gini``; the same as
      :func:`cluster_map.stats.concentration.locational_gini`). Audretsch & Feldman (1996) report
      twice this value.
    - Hoover coefficient of localisation ``H_s = 1/2 sum_r |a_r - b_r|`` in [0, 1] (Hoover 1936).
    - Theil index relative to total employment ``T_s = sum_r a_r ln(a_r / b_r) >= 0``
      (Theil 1967; the Kullback-Leibler divergence of the sector's distribution from the total's).
    """
    keys = list(keys)
    pos = m.filter(m.employment > 0)
    reg = pos.group_by(keys + ["region"]).aggregate(_er=_xsum(pos.employment))
    alls = reg.group_by(keys).aggregate(_e=_xsum(reg._er), _n=reg.count())
    sec = pos.group_by(keys + ["sector"]).aggregate(_es=_xsum(pos.employment))
    x = _join(_join(_join(pos, reg, keys + ["region"]), alls, keys), sec, keys + ["sector"])
    x = x.mutate(_a=_div(x.employment, x._es), _b=_div(x._er, x._e))
    x = x.mutate(_lq=_div(x._a, x._b))
    part = keys + ["sector"]
    rank = ibis.row_number().over(group_by=part, order_by=[x.employment, x.region]) + 1
    window = ibis.window(group_by=part, order_by=[x._lq, x.region], rows=(None, 0))
    cum = x._a.cast(_F).cast(SHARES).sum().over(window).cast(_F)  # exact, as _xsum
    x = x.mutate(_j=rank.cast(_F), _y=cum)
    agg = x.group_by(part).aggregate(
        employment=_xsum(x.employment),
        n_regions=x.count(),
        regions=x._n.max(),
        _jx=_xsum(x._j * x.employment),
        _area=_xsum(x._b * (2.0 * x._y - x._a), SHARES),
        _abs=_xsum((x._a - x._b).abs(), SHARES),
        _bsum=_xsum(x._b, SHARES),
        theil=_xsum(x._a * _div(x._a, x._b).ln(), SHARES),
    )
    n = agg.regions.cast(_F)
    gini = (
        2.0 * ((n - agg.n_regions.cast(_F)) * agg.employment + agg._jx) / (n * agg.employment) - (n + 1.0) / n
    )
    return agg.select(
        *part,
        "employment",
        n_regions=agg.n_regions.cast("int64"),
        regions=agg.regions.cast("int64"),
        gini=gini,
        locational_gini=(1.0 - agg._area) / 2.0,
        hoover=0.5 * (agg._abs + ibis.greatest(1.0 - agg._bsum, 0.0)),
        theil=agg.theil,
    )


def growth(m: ir.Table, *, start: int, end: int, keys: Sequence[str] = ("level", "sector_level")) -> ir.Table:
    """Growth and shift-share of each region x sector between two years.

    Parameters
    ----------
    m : ibis Table
        Output of :func:`metrics` with a ``year`` column.
    start, end : int
        The two years (``end > start``).
    keys : sequence of str
        Partition columns other than ``year``.

    Returns
    -------
    ibis Table
        keys, region, sector, start_year, end_year, employment_start, employment_end, job_creation,
        cagr, lq_start, lq_end, lq_change, national_share, industry_mix, regional_shift.

    Notes
    -----
    A cell present in one year only counts as 0 in the other (as in
    :func:`cluster_map.stats.growth.growth`). ``CAGR = (E1 / E0)^(1 / (t1 - t0)) - 1`` (NULL when
    ``E0 = 0``); job creation ``E1 - E0``; ``dLQ = LQ1 - LQ0``. Shift-share (Dunn 1960) against
    the benchmark totals of :func:`metrics` (``E`` all sectors, ``E_s`` the sector):
    ``g = E1/E0 - 1``, ``g_s = E_s1/E_s0 - 1``; national share ``NS = e0 g``, industry mix
    ``IM = e0 (g_s - g)``, regional shift ``RS = (e1 - e0) - e0 g_s``; ``NS + IM + RS = e1 - e0``.
    A sector without benchmark employment at the start has IM NULL and ``RS = (e1 - e0) - NS``.
    """
    if end <= start:
        raise ValueError(f"end year {end!r} must be after start year {start!r}")
    keys = list(keys)
    cell = keys + ["region", "sector"]
    two = m.filter(m.year.isin([start, end]))
    cells = two.select(*cell).distinct()

    def year_of(y: int, suffix: str) -> tuple[ir.Table, ir.Table]:
        t = m.filter(m.year == y)
        c = t.select(*cell, **{"e" + suffix: t.employment, "lq" + suffix: t.lq})
        s = t.group_by(keys + ["sector"]).aggregate(
            **{"es" + suffix: t.sector_total.max(), "eall" + suffix: t.benchmark_total.max()}
        )
        return c, s

    c0, s0 = year_of(start, "0")
    c1, s1 = year_of(end, "1")
    x = _join(_join(cells, c0, cell, how="left"), c1, cell, how="left")
    x = _join(_join(x, s0, keys + ["sector"], how="left"), s1, keys + ["sector"], how="left")
    e0 = x.e0.fill_null(0.0)
    e1 = x.e1.fill_null(0.0)
    g = _div(x.eall1, x.eall0) - 1.0
    g_s = _div(x.es1, x.es0) - 1.0
    national = e0 * g
    return x.select(
        *cell,
        start_year=ibis.literal(start, "int64"),
        end_year=ibis.literal(end, "int64"),
        employment_start=e0,
        employment_end=e1,
        job_creation=e1 - e0,
        cagr=_div(e1, e0).pow(1.0 / (end - start)) - 1.0,
        lq_start=x.lq0,
        lq_end=x.lq1,
        lq_change=x.lq1 - x.lq0,
        national_share=national,
        industry_mix=e0 * (g_s - g),
        regional_shift=ibis.ifelse(g_s.isnull(), (e1 - e0) - national, (e1 - e0) - e0 * g_s),
    )
