"""The sections of a country report, each assembled from the store and the statistics (no rendering).

Called by :func:`cluster_map.services.reports.build_country_report` with a :class:`Scope` (country,
dataset, year, levels). Work shared between reports of one process (the geometry of a level and its
queen contiguity weights over all regions) is cached per store build (``meta.built_at``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cluster_map import catalogue, schema
from cluster_map.config import get_settings
from cluster_map.maps.static import static_choropleth
from cluster_map.reports.country import ReportMap, ReportSection, ReportTable
from cluster_map.services import methodology
from cluster_map.stats.growth import shift_share
from cluster_map.stats.hotspots import local_getis_ord, queen_weights, weights_from_neighbours
from cluster_map.store import reports as store

#: Lower 48 US states in EPSG:5070 metres (Alaska and Hawaii would shrink the map to a strip).
US_EXTENT = (-2_400_000.0, 250_000.0, 2_300_000.0, 3_200_000.0)
_CACHE: dict[tuple[Any, ...], Any] = {}


@dataclass(frozen=True)
class Scope:
    """What one report covers."""

    country: str  # 'DE', or 'US' for the US states
    name: str
    dataset: str
    year: int
    years: tuple[int, ...]  # years with data for the country
    level: int
    sector_level: int
    nuts_version: str
    min_employment: float
    stamp: str  # store build time: cache key
    benchmark_note: str = ""  # which countries a partial year's benchmark holds ('' for a complete year)

    @property
    def info(self) -> catalogue.Dataset:
        """The catalogue's record of the report's dataset (its area, region and sector words)."""
        return catalogue.dataset(self.dataset)

    @property
    def is_us(self) -> bool:
        """Whether the dataset's regions are US states (the US Cluster Mapping conventions apply)."""
        return self.info.area == "us"

    @property
    def has_stars(self) -> bool:
        """Whether the European Cluster Observatory's stars apply (not to US states: strong clusters only)."""
        return catalogue.offers(self.info.area, "stars")

    @property
    def level_label(self) -> str:
        """The report's region level in the catalogue's words: 'NUTS 2 (2013)', 'US states'."""
        return catalogue.level_label(self.info.area, self.level, self.nuts_version)

    @property
    def regions_label(self) -> str:
        """What the report's regions are called in a label: 'Regions (NUTS 2)', 'US states'."""
        return f"Regions (NUTS {self.level})" if self.info.nuts.default != "us" else self.info.region_word

    @property
    def employment_label(self) -> str:
        """Label of the dataset's employment: its key figure's ('Persons employed'), else 'Employment'."""
        cell = self.info.employment
        return next(
            (f.label for f in self.info.figures if cell and f.cell.indicator == cell.indicator), "Employment"
        )

    @property
    def in_text(self) -> str:
        """The name inside a sentence ('the Netherlands', 'Germany')."""
        return f"the {self.name}" if self.country in {"US", "NL", "UK"} else self.name

    @property
    def crs(self) -> str:
        return "EPSG:5070" if self.is_us else "EPSG:3035"

    @property
    def benchmark_name(self) -> str:
        if self.is_us:
            return "United States (published US totals)"
        if self.benchmark_note:
            return (
                f"the regions of the countries with data in {self.year} (not all of Europe: see the method)"
            )
        return "all regions of the dataset (Europe)"


def _cached(key: tuple[Any, ...], make: Any) -> Any:
    if key not in _CACHE:
        if len(_CACHE) > 32:
            _CACHE.clear()
        _CACHE[key] = make()
    return _CACHE[key]


def geometry(con: Any, scope: Scope, level: int, country: str | None = None) -> gpd.GeoDataFrame:
    """Regions of a level (all, or one country's) as a GeoDataFrame in EPSG:4326 (cached per store)."""

    def make() -> gpd.GeoDataFrame:
        g = store.region_geometry(con, nuts_version=scope.nuts_version, level=level, country=country)
        geom = shapely.from_wkb(g["wkb"].to_numpy()) if not g.empty else []
        return gpd.GeoDataFrame(g.drop(columns="wkb"), geometry=geom, crs="EPSG:4326")

    return _cached(("geo", scope.stamp, scope.nuts_version, level, country), make)


def _level_weights(con: Any, scope: Scope) -> Any:
    """Queen weights over every region of the level (cached: the costly part of the hot spots)."""
    return _cached(
        ("w", scope.stamp, scope.nuts_version, scope.level),
        lambda: queen_weights(geometry(con, scope, scope.level), ids="code", crs=scope.crs),
    )


def short(label: object, width: int = 48) -> str:
    """A sector label for tables: 'Manufacture of ' dropped, cut at ``width`` characters."""
    text = str(label or "")
    for prefix in ("Manufacture of ", "Manufacture and "):
        if text.startswith(prefix):
            text = text[len(prefix) :]
            text = text[:1].upper() + text[1:]
    return text if len(text) <= width else text[: width - 1].rstrip() + "\u2026"


# --- specialisation -------------------------------------------------------------------------------
def national(con: Any, scope: Scope, now: pd.DataFrame, *, min_share: float = 0.005) -> pd.DataFrame:
    """The country's sectors ranked by national LQ (NUTS 0 row against all countries).

    For the US (no national row: the benchmark *is* the US) the traded clusters are ranked by the
    share of their employment located in strong clusters (the most concentrated clusters first). Sectors with less than
    ``min_share`` of the country's employment or below the minimum employment are left out.
    """
    if scope.is_us:
        g = now[now["sector_type"] == "traded"]
        strong = g["strong"].fillna(False).astype(bool)
        g = g.assign(strong=strong, strong_employment=g["employment"].where(strong, 0.0))
        out = g.groupby(["sector", "sector_label"], as_index=False).agg(
            employment=("employment", "sum"),
            strong_states=("strong", "sum"),
            strong_employment=("strong_employment", "sum"),
            lq=("lq", "max"),
        )
        out["strong_share"] = out["strong_employment"] / out["employment"]
        out = out[out["employment"] >= scope.min_employment].sort_values(
            ["strong_share", "employment"], ascending=False
        )
        return out[
            ["sector", "sector_label", "employment", "strong_states", "strong_share", "lq"]
        ].reset_index(drop=True)
    nat = store.metric_rows(
        con,
        dataset=scope.dataset,
        level=0,
        sector_level=scope.sector_level,
        years=[scope.year],
        country=scope.country,
    )
    nat = nat[(nat["region"] == scope.country) & nat["employment"].notna()]
    total = float(nat["region_total"].max()) if not nat.empty else np.nan
    nat = nat[(nat["employment"] >= scope.min_employment) & (nat["employment"] >= min_share * total)]
    nat = nat.assign(share=nat["employment"] / total, eu_share=nat["share_sector"])
    return nat.sort_values(["lq", "employment"], ascending=False)[
        ["sector", "sector_label", "employment", "share", "eu_share", "lq"]
    ].reset_index(drop=True)


def specialisation(
    con: Any, scope: Scope, tops: pd.DataFrame, nat: pd.DataFrame, now: pd.DataFrame
) -> ReportSection:
    """National ranking and one static map of the regional LQ per top specialisation."""
    maps = []
    geo = geometry(con, scope, scope.level, None if scope.is_us else scope.country)
    base = None if scope.is_us else geometry(con, scope, 0)
    for sector, label in zip(tops["sector"], tops["sector_label"], strict=True):
        vals = now[now["sector"] == sector][["region", "lq"]]
        layer = geo.merge(vals, left_on="code", right_on="region", how="left")
        if layer.empty:
            continue
        png = static_choropleth(
            layer,
            "lq",
            title=f"{short(label, 60)} ({sector})",
            subtitle=f"Location quotient, {scope.year}",
            source=f"Source: {scope.dataset} ({scope.info.publisher}), Cluster Map; "
            + (
                "US Census boundaries"
                if scope.is_us
                else "\u00a9 EuroGeographics for the administrative boundaries"
            ),
            base=base,
            crs=scope.crs,
            extent=US_EXTENT if scope.is_us else "auto",
            figsize=(7.0, 5.2),
            dpi=110,
        )
        maps.append(
            ReportMap(
                f"Location quotient of {label} ({sector}) by region, {scope.year}",
                png,
                f"LQ = the sector's share of the region's employment / its share in the benchmark "
                f"({scope.benchmark_name}); 1 = as in the benchmark, grey hatched = no data",
            )
        )
    if scope.is_us:
        table = ReportTable(
            "Top_clusters",
            "Traded clusters by share of employment in strong clusters",
            nat.head(15),
            columns={
                "sector": "Cluster",
                "sector_label": "Name",
                "employment": "Employment",
                "strong_states": "Strong in (states)",
                "strong_share": "Share in strong clusters",
                "lq": "Highest state LQ",
            },
        )
        text = (
            "Traded clusters ranked by the share of their US employment located in states where they are "
            "strong clusters (US Cluster Mapping method): the most geographically concentrated first; the "
            "maps show the state LQs of the first ones."
        )
    else:
        table = ReportTable(
            "National_LQ",
            f"Sectors by national location quotient, {scope.year}",
            nat.head(15),
            columns={
                "sector": "Sector",
                "sector_label": "Name",
                "employment": "Employment",
                "share": "Share of country",
                "eu_share": "Share of Europe's sector",
                "lq": "LQ",
            },
            note="Sectors with at least 0.5% of the country's employment; LQ of the country "
            "against all countries of the dataset.",
        )
        text = (
            f"{scope.name}'s sectors ranked by the national location quotient; the maps show the regional "
            "LQ of its top specialisations (neighbouring countries in grey)."
        )
    return ReportSection("specialisation", "Top specialisations", (text,), (table,), tuple(maps))


# --- clusters ------------------------------------------------------------------------------------
def _star_letters(frame: pd.DataFrame) -> pd.Series:
    parts = [
        frame[c].fillna(False).astype(bool).map({True: k, False: ""})
        for c, k in (("size_star", "S"), ("specialisation_star", "P"), ("focus_star", "F"))
    ]
    return parts[0] + parts[1] + parts[2]


CLUSTER_COLUMNS = {
    "region": "Region",
    "region_name": "Name",
    "sector": "Sector",
    "label": "Sector name",
    "employment": "Employment",
    "lq": "LQ",
    "stars": "Stars",
    "which": "Star types",
}


def clusters(scope: Scope, now: pd.DataFrame) -> ReportSection:
    """ECO star clusters (2-3 stars) and US CMP strong clusters of the year."""
    rows = now.assign(label=now["sector_label"].map(short), which=_star_letters(now))
    starred = rows[rows["stars"].fillna(0) >= 2].sort_values(["stars", "employment"], ascending=False)
    strong = rows[rows["strong"].fillna(False).astype(bool)].sort_values("employment", ascending=False)
    cols = list(CLUSTER_COLUMNS)
    tables = (
        ReportTable(
            "Star_clusters",
            f"Star clusters (2 and 3 stars), {scope.year}",
            starred[cols].reset_index(drop=True),
            columns=CLUSTER_COLUMNS,
            print_rows=60,
            note="Star types: S size (employment in the top 10% of regions for the sector), P "
            "specialisation (LQ >= 2), F focus (share of the region's employment in the top 10%).",
        ),
        ReportTable(
            "Strong_clusters",
            f"Strong clusters (US Cluster Mapping method), {scope.year}",
            strong[cols[:-2]].reset_index(drop=True),
            columns=CLUSTER_COLUMNS,
            print_rows=60,
            note="Strong: LQ at or above the 75th percentile and >= 1, employment and establishments "
            "above their 25th percentiles, over all regions of the level.",
        ),
    )
    if not scope.has_stars:  # US states: the US Cluster Mapping's strong clusters only
        return ReportSection(
            "clusters",
            "Strong clusters",
            (
                f"{len(strong)} state-cluster cells of {scope.in_text} are strong clusters (US Cluster Mapping "
                f"method). States are compared with {scope.benchmark_name}.",
            ),
            tables[1:],
        )
    three = int((starred["stars"] == 3).sum())
    return ReportSection(
        "clusters",
        "Star and strong clusters",
        (
            f"{len(starred)} region-sector cells of {scope.in_text} have two or more stars ({three} have three); "
            f"{len(strong)} are strong clusters. Regions are compared with {scope.benchmark_name}.",
        ),
        tables,
    )


def top_sectors(scope: Scope, now: pd.DataFrame, n: int = 3) -> ReportSection:
    """The ``n`` sectors with the highest LQ in each region (above the minimum employment), one row a region."""
    ok = now[(now["employment"].fillna(0) >= scope.min_employment) & now["lq"].notna()]
    if scope.is_us:
        ok = ok[ok["sector_type"] == "traded"]
    ok = ok.sort_values(["region", "lq"], ascending=[True, False]).groupby("region").head(n)
    ok = ok.assign(
        rank=ok.groupby("region").cumcount() + 1,
        text=ok["sector"] + " " + ok["sector_label"].map(lambda s: short(s, 34)),
    )
    wide = ok.pivot(index=["region", "region_name"], columns="rank", values=["text", "lq"])
    out = pd.DataFrame(index=wide.index)
    columns = {"region": "Region", "region_name": "Name"}
    for i in range(1, n + 1):
        if ("text", i) in wide:
            out[f"top{i}"], out[f"lq{i}"] = wide[("text", i)], wide[("lq", i)].astype(float)
            columns |= {f"top{i}": f"Sector {i}", f"lq{i}": f"LQ {i}"}
    out = out.reset_index()
    return ReportSection(
        "top_sectors",
        "Top sectors per region",
        (
            f"The {n} sectors with the highest LQ in each region, among cells with at least "
            f"{scope.min_employment:,.0f} persons employed{' (traded clusters)' if scope.is_us else ''}.",
        ),
        (ReportTable("Top_sectors", f"Top sectors per region, {scope.year}", out, columns=columns),),
    )


# --- indices -------------------------------------------------------------------------------------
INDEX_COLUMNS = {
    "region": "Region",
    "region_name": "Name",
    "employment": "Employment",
    "n_sectors": "Sectors",
    "krugman": "Krugman",
    "hhi": "HHI",
    "entropy": "Entropy",
    "related_variety": "Related var.",
    "unrelated_variety": "Unrelated var.",
    "cluster_strength": "Cluster strength",
}


def indices(con: Any, scope: Scope) -> tuple[ReportSection, pd.DataFrame]:
    """Krugman, HHI, entropy and variety of the country's regions, the country, and European medians."""
    idx = store.region_indices(
        con, dataset=scope.dataset, level=scope.level, year=scope.year, sector_level=scope.sector_level
    )
    cols = [
        c for c in INDEX_COLUMNS if c in idx and c not in ("region", "region_name") and idx[c].notna().any()
    ]
    if idx.empty:
        return ReportSection(
            "indices", "Specialisation and diversification", ("No indices for this year.",)
        ), idx
    mine = idx if scope.is_us else idx[idx["country"] == scope.country]
    parts = [mine[["region", "region_name", *cols]]]
    if not scope.is_us:
        nat = store.region_indices(
            con, dataset=scope.dataset, level=0, year=scope.year, sector_level=scope.sector_level
        )
        own = nat[nat["region"] == scope.country].assign(region_name=f"{scope.name} (country)")
        parts.append(own[["region", "region_name", *cols]])
        parts.append(
            nat[cols].median().to_frame().T.assign(region="EU", region_name="Median of the countries")
        )
    parts.append(
        idx[cols]
        .median()
        .to_frame()
        .T.assign(region="bench", region_name=f"Median of all {len(idx)} regions")
    )
    table = pd.concat(parts, ignore_index=True)[["region", "region_name", *cols]]
    table["n_sectors"] = table["n_sectors"].round().astype("Int64")
    return ReportSection(
        "indices",
        "Specialisation and diversification",
        (
            "Krugman dissimilarity index K = sum |s_rs - s_s| (0 = the benchmark's sector mix, maximum 2) and "
            "Herfindahl-Hirschman concentration HHI = sum s_rs^2 of each region's employment across the "
            "sectors of the level; entropy (bits) split into related variety (within NACE sections or US "
            "cluster groups) and unrelated variety (between them); cluster strength = share of the employment "
            "in strong clusters. The last rows are the benchmark: the country as a whole and the medians over "
            "the countries and over all regions of the dataset.",
        ),
        (ReportTable("Indices", f"Region indices, {scope.year}", table, columns=INDEX_COLUMNS),),
    ), idx


# --- growth --------------------------------------------------------------------------------------
def growth_years(scope: Scope, rows: pd.DataFrame) -> tuple[int, int] | None:
    """First and last year with full regional coverage of the country up to the report's year (None if only one)."""
    cover = rows[rows["employment"] > 0].groupby("year")["region"].nunique()
    if cover.empty:
        return None
    full = sorted(int(y) for y in cover[cover == cover.max()].index if int(y) <= scope.year)
    return (full[0], full[-1]) if len(full) > 1 else None


def growth(con: Any, scope: Scope, rows: pd.DataFrame) -> ReportSection:
    """Shift-share of each region's employment change against the benchmark's sector growth."""
    years = growth_years(scope, rows)
    if years is None:
        return ReportSection(
            "growth",
            "Growth and shift-share",
            (
                f"Fewer than two years with full regional coverage for {scope.in_text} "
                f"(years with data: {', '.join(map(str, scope.years))}): no growth figures.",
            ),
        )
    start, end = years
    allrows = store.metric_rows(
        con, dataset=scope.dataset, level=scope.level, sector_level=scope.sector_level, years=[start, end]
    )
    cube = allrows[allrows["employment"].notna()][["region", "sector", "year", "employment", "country"]]
    both = cube.groupby(["region", "sector"])["year"].transform("nunique") == 2
    cube = cube[both]  # cells with a value in both years: no confidential gap is read as a job loss
    totals = cube.groupby(["sector", "year"], as_index=False)["employment"].sum()
    mine = cube if scope.is_us else cube[cube["country"] == scope.country]
    ss = shift_share(
        mine[["region", "sector", "year", "employment"]], start_year=start, end_year=end, totals=totals
    )
    sums = [
        "employment_start",
        "employment_end",
        "change",
        "national_growth",
        "industry_mix",
        "regional_shift",
    ]
    by_region = ss.groupby("region", as_index=False)[sums].sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        by_region["cagr"] = (by_region["employment_end"] / by_region["employment_start"]) ** (
            1 / (end - start)
        ) - 1
    names = rows.drop_duplicates("region").set_index("region")["region_name"]
    by_region.insert(1, "region_name", by_region["region"].map(names))
    total = by_region[sums].sum()
    by_region.loc[len(by_region)] = {
        "region": scope.country,
        "region_name": f"{scope.name} (regions' sum)",
        **total.to_dict(),
        "cagr": (total["employment_end"] / total["employment_start"]) ** (1 / (end - start)) - 1,
    }
    g = totals.pivot(index="sector", columns="year", values="employment").sum()
    bench = f"{(g[end] / g[start]) ** (1 / (end - start)) - 1:+.2%}" if g[start] > 0 else "n/a"
    return ReportSection(
        "growth",
        f"Growth and shift-share, {start}-{end}",
        (
            f"Employment change of each region between {start} and {end}, summed over the sectors with a value in "
            "both years, split into national growth (the benchmark's growth), industry mix (the sectors' "
            "growth in the benchmark relative to it) and regional shift (the rest); the three sum to the change "
            f"(Dunn 1960). Benchmark: {scope.benchmark_name}, which grew by {bench} a year.",
        ),
        (
            ReportTable(
                "Shift_share",
                f"Shift-share {start}-{end}",
                by_region,
                columns={
                    "region": "Region",
                    "region_name": "Name",
                    "employment_start": str(start),
                    "employment_end": str(end),
                    "change": "Change",
                    "national_growth": "National growth",
                    "industry_mix": "Industry mix",
                    "regional_shift": "Regional shift",
                    "cagr": "CAGR",
                },
            ),
        ),
    )


# --- hot spots -----------------------------------------------------------------------------------
def hotspots(con: Any, scope: Scope, tops: pd.DataFrame, *, seed: int, permutations: int) -> ReportSection:
    """Getis-Ord Gi* of each top sector's LQ over all regions of the level; the country's significant ones."""
    if tops.empty:
        return ReportSection("hotspots", "Hot spots", ("No sector passes the minimum employment.",))
    allrows = store.metric_rows(
        con,
        dataset=scope.dataset,
        level=scope.level,
        sector_level=scope.sector_level,
        years=[scope.year],
        sectors=list(tops["sector"]),
    )
    w_all = _level_weights(con, scope)
    found, n_used = [], 0
    for sector in tops["sector"]:
        vals = allrows[(allrows["sector"] == sector) & allrows["lq"].notna()].set_index("region")["lq"]
        keep = set(vals.index) & set(w_all.id_order)
        nb = {r: [j for j in w_all.neighbors[r] if j in keep] for r in w_all.id_order if r in keep}
        nb = {r: v for r, v in nb.items() if v}
        if len(nb) < 5:
            continue
        ids = sorted(nb)
        res = local_getis_ord(
            vals.reindex(ids).to_numpy(),
            weights_from_neighbours(nb, ids=ids),
            star=True,
            permutations=permutations,
            seed=seed,
        )
        n_used = len(ids)
        frame = res.to_frame().reset_index().assign(sector=sector, lq=vals.reindex(ids).to_numpy())
        found.append(frame)
    if not found:
        return ReportSection(
            "hotspots", "Hot spots", ("Too few contiguous regions with values for hot spots.",)
        )
    frame = pd.concat(found, ignore_index=True)
    names = allrows.drop_duplicates("region").set_index("region")
    frame["country"] = frame["region"].map(names["country"])
    frame["region_name"] = frame["region"].map(names["region_name"])
    mine = frame if scope.is_us else frame[frame["country"] == scope.country]
    sig = mine[mine["label"].isin(["hot", "cold"])].sort_values(["sector", "z"], ascending=[True, False])
    counts = mine.groupby("sector")["label"].value_counts().unstack(fill_value=0)
    summary = "; ".join(
        f"{s}: {int(counts.loc[s].get('hot', 0))} hot, {int(counts.loc[s].get('cold', 0))} cold"
        for s in counts.index
    )
    table = sig[["region", "region_name", "sector", "label", "lq", "z", "p_sim"]].reset_index(drop=True)
    table = table.rename(columns={"label": "spot"})
    return ReportSection(
        "hotspots",
        "Hot spots of the top specialisations",
        (
            f"Getis-Ord Gi* of each top sector's LQ over the {n_used} contiguous regions of the level with a value "
            f"(queen contiguity, binary weights, {permutations} permutations, seed {seed}), so a region is judged "
            "with its neighbours across borders. Hot spot: significant cluster of high LQs (p_sim <= 0.05, z > 0); "
            f"cold spot: of low LQs. In {scope.in_text}: {summary or 'none'}.",
        ),
        (
            ReportTable(
                "Hot_spots",
                "Significant Gi* hot and cold spots",
                table,
                columns={
                    "region": "Region",
                    "region_name": "Name",
                    "sector": "Sector",
                    "spot": "Spot",
                    "lq": "LQ",
                    "z": "z",
                    "p_sim": "p (perm.)",
                },
            ),
        ),
    )


# --- organisations, methodology, sources ---------------------------------------------------------
def organisations(con: Any, scope: Scope) -> tuple[ReportSection, int]:
    """The country's cluster organisations, partnerships and events from the directories."""
    found = catalogue.country(scope.country)  # the directories write ISO codes: GR for EL, GB for UK
    codes = [found.code, *found.aliases] if found else [scope.country]
    orgs = store.organisations_of(con, countries=codes)
    parts = store.partnerships_of(con, countries=codes)
    events = store.events_of(con, countries=codes)
    orgs = orgs.drop(columns=[c for c in orgs if orgs[c].isna().all() or (orgs[c].astype(str) == "").all()])
    return ReportSection(
        "organisations",
        "Cluster organisations, partnerships and events",
        (
            f"{len(orgs)} cluster organisations of {scope.in_text} in the directories, {len(parts)} cluster "
            f"partnerships with a member there and {len(events)} cluster events held there.",
        ),
        (
            ReportTable(
                "Organisations",
                "Cluster organisations",
                orgs,
                print_rows=80,
                print_columns=("name", "acronym", "city", "nuts2", "sectors", "clusters", "org_type"),
            ),
            ReportTable(
                "Partnerships",
                "Cluster partnerships",
                parts,
                print_columns=("name", "theme", "type", "member_organisations", "countries"),
            ),
            ReportTable(
                "Events",
                "Cluster events",
                events,
                print_columns=("event_name", "event_type", "dates", "city"),
            ),
        ),
    ), len(orgs)


def _focus_rule() -> str:
    """The focus star's rule as the settings choose it (the reading stated in words)."""
    reading = catalogue.convention("focus_scope", get_settings().focus_scope)
    return f"{reading.label}: {reading.text}"


def method(scope: Scope) -> ReportSection:
    """Formulas (the shared methodology entries), thresholds, NUTS version and the flags legend."""
    # the entries that describe the area's data (US states: no stars, no NUTS conversions, no Eurostat
    # flags or denominators), less those of metrics the area does not offer
    skip = {m.method for m in catalogue.METRICS if scope.info.area not in m.areas}
    entries = pd.DataFrame(
        [
            (e.name, e.formula, f"{e.text} ({e.reference})")
            for e in methodology.entries()
            if e.key not in skip and scope.info.area in e.areas
        ],
        columns=["Metric", "Formula", "Definition and reference"],
    )
    thresholds = pd.DataFrame(
        [
            (
                "Regions",
                f"{scope.info.region_word}, NUTS {scope.nuts_version} level {scope.level}"
                if scope.info.nuts.default != "us"
                else f"{scope.info.region_word} (FIPS codes)",
            ),
            ("Sectors", f"{scope.info.sector_word}, level {scope.sector_level}"),
            ("Benchmark of LQ and stars" if scope.has_stars else "Benchmark of LQ", scope.benchmark_name),
            *((("Benchmark countries", scope.benchmark_note),) if scope.benchmark_note else ()),
            (
                "Minimum employment (ranking, stars)" if scope.has_stars else "Minimum employment (ranking)",
                f"{scope.min_employment:,.0f} persons",
            ),
            *(
                (
                    ("Size star", "top 10% of the sector's regions (90th percentile, linear interpolation)"),
                    ("Focus star", _focus_rule()),
                    ("Suspect source values", "no star and no strong flag (rules on the methodology page)"),
                    ("Specialisation star", "LQ >= 2"),
                )
                if scope.has_stars
                else ()
            ),
            (
                "Strong cluster",
                "top 25% of the regions by LQ (LQ >= 75th percentile) and LQ >= 1; employment, "
                "establishments > 25th percentile",
            ),
            ("Hot spots", "Gi*, queen contiguity, binary weights, p_sim <= 0.05"),
        ],
        columns=["Setting", "Value"],
    )
    flags = pd.DataFrame(sorted(schema.FLAGS.items()), columns=["Flag", "Meaning"])
    regions = (
        "Regions are the 50 US states (FIPS codes); the benchmark is the published US totals, which "
        "include DC and the territories."
        if scope.is_us
        else f"Regions are NUTS {scope.nuts_version}: codes of older NUTS versions were recoded with the "
        "official Eurostat change tables at ingest."
    )
    confidential = (
        ""
        if scope.is_us
        else " Cells flagged confidential (c) have no value and count as missing, never as zero."
    )
    return ReportSection(
        "methodology",
        "Methodology",
        (f"{regions}{confidential} The formulas below are the ones the statistics engine computes.",),
        (
            ReportTable("Methods", "Formulas", entries, text_width=None),
            ReportTable("Thresholds", "Parameters", thresholds),
            # the US Cluster Mapping files carry no flags: the Eurostat legend is for Eurostat data only
            *(() if scope.is_us else (ReportTable("Flags", "Eurostat flags legend", flags),)),
        ),
    )


def sources(con: Any, scope: Scope) -> pd.DataFrame:
    """Provenance of the sources a report reads: its dataset first, then the geometry, code lists (NUTS
    and NACE, not for US states), the US cluster definitions (US states only) and the directories."""
    allrows = store.dataset_rows(con)
    geometry = "us_regions" if scope.is_us else f"gisco_nuts_{scope.nuts_version}"
    keep = (
        allrows["code"].isin([scope.dataset, geometry])
        | (allrows["kind"] == "organisations")
        | ((allrows["kind"] == "codelist") & (not scope.is_us))  # NUTS and NACE lists: not for US states
        | ((allrows["kind"] == "clusters") & scope.is_us)
    )
    first = allrows["code"] == scope.dataset
    return pd.concat([allrows[keep & first], allrows[keep & ~first]], ignore_index=True)


def vintage(sources_: pd.DataFrame, dataset: str) -> str:
    """The report's line on its data: dataset, publisher, years, extraction date (the code alone when the
    store does not describe it)."""
    row = sources_[sources_["code"] == dataset]
    if row.empty:
        return dataset
    return (
        f"{dataset} ({row['publisher'].iloc[0]}), data {row['years'].iloc[0]}, extracted "
        f"{pd.Timestamp(row['extracted_at'].iloc[0]):%Y-%m-%d}"
    )
