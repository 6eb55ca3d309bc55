"""Country reports: assemble a :class:`CountryReport` from the store, then render it.

``build_country_report`` answers "what does the cluster landscape of country X look like?" with the
materialised metrics (LQ, stars, strong clusters), region indices, growth and shift-share, hot spots
(Gi* over all regions of the level, so a country's regions are judged against their European
neighbours), the cluster organisations, partnerships and events, and the provenance of every source.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from cluster_map import schema
from cluster_map.errors import InputError, ReportError
from cluster_map.reports.country import CountryReport, KeyFigure, ReportMap, ReportSection, ReportTable
from cluster_map.reports.html import render_html
from cluster_map.reports.pdf import render_pdf
from cluster_map.reports.workbook import render_xlsx
from cluster_map.services import methodology
from cluster_map.stats.growth import shift_share
from cluster_map.stats.hotspots import local_getis_ord, queen_weights
from cluster_map.store import profiles as profile_store
from cluster_map.store import reports as store

Format = Literal["pdf", "html", "xlsx"]
RENDERERS: dict[str, Callable[[CountryReport], bytes]] = {
    "pdf": render_pdf,
    "html": lambda r: render_html(r).encode("utf-8"),
    "xlsx": render_xlsx,
}
#: Eurostat writes Greece EL and the United Kingdom UK; ISO (the directories) writes GR and GB.
ISO_ALIASES = {"EL": ("EL", "GR"), "UK": ("UK", "GB")}
#: Default sector level of each dataset's report (NACE divisions; US clusters).
SECTOR_LEVEL = {"sbs_r_nuts06_r2": 2, "lfst_r_lfe2en2": 1, "us_cmp_states_2016": 1}
DEFAULT_LEVEL = {"sbs_r_nuts06_r2": 2, "lfst_r_lfe2en2": 2, "us_cmp_states_2016": 1}


def countries(con: Any, *, dataset: str = "sbs_r_nuts06_r2") -> pd.DataFrame:
    """Countries a report can be built for: country, name, years, levels."""
    return store.report_countries(con, dataset=dataset)


def _resolve_country(con: Any, dataset: str, country: str) -> tuple[str, str, list[int]]:
    code = country.strip().upper()
    if dataset == "us_cmp_states_2016" and code in {"US", "USA"}:
        frame = store.report_countries(con, dataset=dataset)
        years = sorted({int(y) for ys in frame["years"] for y in ys}) if not frame.empty else []
        return "US", "United States", years
    code = {"GR": "EL", "GB": "UK"}.get(code, code)
    known = store.report_countries(con, dataset=dataset)
    row = known[known["country"] == code]
    if row.empty:
        valid = ", ".join(known["country"].tolist()) or "none (is the store built?)"
        raise InputError(f"Unknown country code {country!r} for dataset {dataset!r}; valid codes: {valid}")
    return code, str(row["name"].iloc[0]), [int(y) for y in row["years"].iloc[0]]


def build_country_report(con: Any, *, country: str, dataset: str = "sbs_r_nuts06_r2",
                         year: int | None = None, level: int | None = None, min_employment: float = 1000.0,
                         top_sectors: int = 2, seed: int = 12345, permutations: int = 999) -> CountryReport:
    """Assemble the country report (see module docstring); no rendering here.

    Raises
    ------
    InputError
        Unknown country code (the message lists the valid ones) or a year without data for it.
    """
    if dataset not in SECTOR_LEVEL:
        raise InputError(f"Unknown dataset {dataset!r}; choose one of {sorted(SECTOR_LEVEL)}")
    code, name, years = _resolve_country(con, dataset, country)
    if not years:
        raise ReportError(f"No metrics for {name} ({code}) in {dataset!r}; run `cluster-map ingest` first")
    year = max(years) if year is None else int(year)
    if year not in years:
        raise InputError(f"{name} ({code}) has no {dataset} data for {year}; years with data: {years}")
    level = DEFAULT_LEVEL[dataset] if level is None else int(level)
    sector_level = SECTOR_LEVEL[dataset]
    scope = None if code == "US" else code

    rows = store.metric_rows(con, dataset=dataset, level=level, country=scope, sector_level=sector_level)
    if rows.empty:
        raise ReportError(f"No level-{level} metrics for {name} ({code}) in {dataset!r}")
    rows = _one_benchmark(rows)
    now_rows = rows[rows["year"] == year]
    nuts_version = str(now_rows["nuts_version"].iloc[0]) if not now_rows.empty else ""
    national = _national_specialisations(con, dataset, code, year, sector_level, min_employment, now_rows)
    tops = national.head(top_sectors)

    sections = [
        _specialisation_section(con, dataset, code, level, year, nuts_version, tops, national),
        _clusters_section(now_rows, dataset, min_employment),
        _top_sectors_section(now_rows, min_employment),
        _indices_section(con, dataset, code, level, year, sector_level),
        _growth_section(rows, years, min_employment),
        _hotspot_section(con, dataset, code, level, year, sector_level, tops, seed, permutations),
        _organisation_section(con, code),
        _methodology_section(dataset, nuts_version, min_employment),
    ]
    sources = store.dataset_rows(con)
    vintage_row = sources[sources["code"] == dataset]
    vintage = (f"{dataset} ({vintage_row['publisher'].iloc[0]}), data {vintage_row['years'].iloc[0]}, "
               f"extracted {pd.Timestamp(vintage_row['extracted_at'].iloc[0]):%Y-%m-%d}"
               if not vintage_row.empty else dataset)
    figures = _key_figures(now_rows, national, sections[1], level)
    info = schema.DATASETS.get(dataset)
    return CountryReport(
        country=code, country_name=name, dataset=dataset, dataset_title=info.title if info else dataset,
        year=year, level=level, nuts_version=nuts_version, vintage=vintage,
        generated_at=datetime.now(UTC), key_figures=figures, sections=tuple(sections),
        sources=sources, parameters={"dataset": dataset, "year": str(year), "level": str(level),
                                     "sector level": str(sector_level), "minimum employment": f"{min_employment:g}",
                                     "benchmark": str(now_rows["benchmark"].iloc[0]) if not now_rows.empty else "",
                                     "permutations": str(permutations), "seed": str(seed)})


def render(report: CountryReport, fmt: Format) -> bytes:
    """Render a report in one of ``pdf``, ``html``, ``xlsx``."""
    if fmt not in RENDERERS:
        raise InputError(f"Unknown report format {fmt!r}; choose pdf, html or xlsx")
    return RENDERERS[fmt](report)


def write_country_report(con: Any, *, country: str, fmt: Format, out: Path, **options: Any) -> Path:
    """Build, render and write a report atomically (a failed render leaves no partial file)."""
    data = render(build_country_report(con, country=country, **options), fmt)
    out = Path(out)
    tmp = out.with_name(out.name + ".part")
    tmp.write_bytes(data)
    tmp.replace(out)
    return out


# --- sections -------------------------------------------------------------------------------------
def _one_benchmark(rows: pd.DataFrame) -> pd.DataFrame:
    if rows["benchmark"].nunique() <= 1:
        return rows
    keep = "external" if "external" in set(rows["benchmark"]) else "dataset"
    return rows[rows["benchmark"] == keep]


def _national_specialisations(con: Any, dataset: str, code: str, year: int, sector_level: int,
                              min_employment: float, region_rows: pd.DataFrame) -> pd.DataFrame:
    """Sectors ranked by the country's own LQ (level 0 row; the regions' sum for the US)."""
    if code != "US":
        nat = _one_benchmark(store.metric_rows(con, dataset=dataset, level=0, year=year, country=code,
                                               sector_level=sector_level))
        nat = nat[nat["region"] == code]
    else:
        nat = pd.DataFrame()
    if nat.empty:  # aggregate the regions: national LQ against the regions' own total
        g = region_rows[region_rows["sector_type"].fillna("traded") != "local"]
        nat = g.groupby(["sector", "sector_label"], as_index=False)["employment"].sum()
        total = nat["employment"].sum()
        nat["lq"] = np.nan if total == 0 else nat["employment"] / total * len(nat)
        if "lq" in g:
            nat["lq"] = g.groupby("sector")["lq"].median().reindex(nat["sector"]).to_numpy()
    nat = nat[nat["employment"].fillna(0) >= min_employment]
    return nat.sort_values(["lq", "employment"], ascending=False)[["sector", "sector_label", "employment", "lq"]]


def _geometry(con: Any, nuts_version: str, level: int, country: str | None) -> gpd.GeoDataFrame:
    g = profile_store.level_geometry(con, nuts_version=nuts_version, level=level, country=country)
    geom = shapely.from_wkb(g["wkb"].to_numpy()) if not g.empty else []
    return gpd.GeoDataFrame(g.drop(columns="wkb"), geometry=geom, crs="EPSG:4326")


def _specialisation_section(con: Any, dataset: str, code: str, level: int, year: int, nuts_version: str,
                            tops: pd.DataFrame, national: pd.DataFrame) -> ReportSection:
    from cluster_map.maps.static import static_choropleth

    maps = []
    if not tops.empty and nuts_version:
        geo = _geometry(con, nuts_version, level, None if code == "US" else code)
        for sector, label in zip(tops["sector"], tops["sector_label"], strict=True):
            vals = store.metric_rows(con, dataset=dataset, level=level, year=year,
                                     country=None if code == "US" else code, sector=sector)
            vals = _one_benchmark(vals)[["region", "lq"]]
            layer = geo.merge(vals, left_on="code", right_on="region", how="left")
            if layer.empty:
                continue
            png = static_choropleth(layer, "lq", title=f"LQ of {label} ({sector}), {year}",
                                    source=f"Source: {dataset}; Cluster Map")
            maps.append(ReportMap(f"Location quotient of {label} ({sector}), {year}", png,
                                  "LQ = regional share of the sector / benchmark share; 1 = as in the benchmark"))
    table = ReportTable("National_LQ", "Sectors by national location quotient",
                        national.head(15).reset_index(drop=True),
                        columns={"sector": "Sector", "sector_label": "Label", "employment": "Employment",
                                 "lq": "LQ"})
    return ReportSection("specialisation", "Top specialisations",
                         ("The country's sectors ranked by their location quotient against the benchmark "
                          "(sectors below the minimum employment are left out); the maps show the regional "
                          "LQ of its top specialisations.",), (table,), tuple(maps))


def _clusters_section(rows: pd.DataFrame, dataset: str, min_employment: float) -> ReportSection:
    cols = ["region", "region_name", "sector", "sector_label", "employment", "lq", "stars", "size_star",
            "specialisation_star", "focus_star", "strong"]
    starred = rows[(rows["stars"].fillna(0) >= 2)].sort_values(["stars", "employment"], ascending=False)
    strong = rows[rows["strong"].fillna(False).astype(bool)].sort_values("employment", ascending=False)
    tables = [ReportTable("Star_clusters", "Star clusters (2 and 3 stars)", starred[cols].reset_index(drop=True),
                          note="Stars of the European Cluster Observatory: size (top 10% employment), "
                               "specialisation (LQ >= 2), focus (top 10% share of the region's employment).")]
    if dataset == "us_cmp_states_2016" or rows["strong"].notna().any():
        tables.append(ReportTable("Strong_clusters", "Strong clusters (US Cluster Mapping method)",
                                  strong[cols].reset_index(drop=True)))
    return ReportSection("clusters", "Star and strong clusters",
                         (f"{len(starred)} region-sector cells have two or more stars"
                          + (f"; {len(strong)} are strong clusters." if len(tables) > 1 else "."),), tuple(tables))


def _top_sectors_section(rows: pd.DataFrame, min_employment: float) -> ReportSection:
    eligible = rows[rows["employment"].fillna(0) >= min_employment].dropna(subset=["lq"])
    top = (eligible.sort_values(["region", "lq"], ascending=[True, False]).groupby("region").head(3)
           [["region", "region_name", "sector", "sector_label", "employment", "lq", "stars"]])
    return ReportSection("top_sectors", "Top sectors per region",
                         ("The three sectors with the highest LQ in each region (minimum employment "
                          f"{min_employment:,.0f}).",),
                         (ReportTable("Top_sectors", "Top sectors per region", top.reset_index(drop=True)),))


def _indices_section(con: Any, dataset: str, code: str, level: int, year: int, sector_level: int) -> ReportSection:
    idx = store.region_indices(con, dataset=dataset, level=level, year=year, sector_level=sector_level)
    if idx.empty:
        return ReportSection("indices", "Specialisation and diversification", ("No indices for this year.",))
    idx = _one_benchmark(idx)
    cols = ["krugman", "hhi", "entropy", "related_variety", "unrelated_variety", "cluster_strength"]
    cols = [c for c in cols if c in idx and idx[c].notna().any()]
    mine = idx if code == "US" else idx[idx["country"] == code]
    bench = idx[cols].median().to_frame().T.assign(region="benchmark", region_name="Median of all regions")
    table = pd.concat([mine[["region", "region_name", *cols]], bench[["region", "region_name", *cols]]],
                      ignore_index=True)
    return ReportSection("indices", "Specialisation and diversification",
                         ("Krugman dissimilarity (sum form, 0-2) and Herfindahl-Hirschman concentration of each "
                          "region's employment across sectors, entropy with related and unrelated variety; "
                          "the last row is the median over all regions of the level (the benchmark).",),
                         (ReportTable("Indices", "Region indices", table),))


def _growth_section(rows: pd.DataFrame, years: list[int], min_employment: float) -> ReportSection:
    usable = sorted(set(int(y) for y in rows["year"].unique()))
    if len(usable) < 2:
        return ReportSection("growth", "Growth and shift-share",
                             (f"Only one year with data ({usable[0] if usable else 'none'}): no growth.",))
    start, end = usable[0], usable[-1]
    cube = rows[["region", "sector", "year", "employment"]].dropna()
    cube = cube[cube["employment"] >= 0]
    ss = shift_share(cube, start_year=start, end_year=end)
    by_region = ss.groupby("region", as_index=False)[["employment_start", "employment_end", "change",
                                                       "national_growth", "industry_mix", "regional_shift"]].sum()
    years_n = end - start
    with np.errstate(divide="ignore", invalid="ignore"):
        by_region["cagr"] = (by_region["employment_end"] / by_region["employment_start"]) ** (1 / years_n) - 1
    names = rows.drop_duplicates("region").set_index("region")["region_name"]
    by_region.insert(1, "region_name", by_region["region"].map(names))
    return ReportSection("growth", f"Growth and shift-share, {start}-{end}",
                         (f"Employment change of each region between {start} and {end} split into national "
                          "growth, industry mix and regional shift (Dunn 1960); the three sum to the change. "
                          "The benchmark is the country's own regions.",),
                         (ReportTable("Shift_share", f"Shift-share {start}-{end}", by_region),))


def _hotspot_section(con: Any, dataset: str, code: str, level: int, year: int, sector_level: int,
                     tops: pd.DataFrame, seed: int, permutations: int) -> ReportSection:
    if tops.empty:
        return ReportSection("hotspots", "Hot spots", ("No sector passes the minimum employment.",))
    sector, label = tops["sector"].iloc[0], tops["sector_label"].iloc[0]
    vals = _one_benchmark(store.metric_rows(con, dataset=dataset, level=level, year=year, sector=sector))
    vals = vals.dropna(subset=["lq"])
    if vals.empty:
        return ReportSection("hotspots", "Hot spots", ("No LQ values for the top sector.",))
    geo = _geometry(con, str(vals["nuts_version"].iloc[0]), level, None)
    layer = geo.merge(vals[["region", "lq"]], left_on="code", right_on="region").reset_index(drop=True)
    w = queen_weights(layer, ids="code", crs="EPSG:3035" if code != "US" else "EPSG:5070")
    keep = [i for i in layer["code"] if i not in set(w.islands)]
    if len(keep) < 5:
        return ReportSection("hotspots", "Hot spots", ("Too few contiguous regions for hot spots.",))
    layer = layer[layer["code"].isin(keep)].reset_index(drop=True)
    w = queen_weights(layer, ids="code", crs="EPSG:3035" if code != "US" else "EPSG:5070")
    res = local_getis_ord(layer["lq"].to_numpy(), w, star=True, permutations=permutations, seed=seed)
    frame = res.to_frame().reset_index()
    frame = frame.merge(layer[["code", "name", "country", "lq"]], left_on="region", right_on="code")
    mine = frame if code == "US" else frame[frame["country"] == code]
    mine = mine.sort_values("z", ascending=False)[["region", "name", "lq", "z", "p_sim", "label"]]
    return ReportSection("hotspots", f"Hot spots of {label} ({sector})",
                         (f"Getis-Ord Gi* on the LQ of {label} over all {len(layer)} contiguous regions of the "
                          f"level (queen contiguity, binary weights, {permutations} permutations, seed {seed}); "
                          "hot = significant cluster of high LQs (p_sim <= 0.05, z > 0), cold = of low LQs.",),
                         (ReportTable("Hot_spots", "Gi* hot and cold spots", mine.reset_index(drop=True)),))


def _organisation_section(con: Any, code: str) -> ReportSection:
    codes = list(ISO_ALIASES.get(code, (code,)))
    orgs = store.organisations_of(con, countries=codes)
    parts = store.partnerships_of(con, countries=codes)
    events = store.events_of(con, countries=codes)
    return ReportSection("organisations", "Cluster organisations, partnerships and events",
                         (f"{len(orgs)} cluster organisations in the directories, {len(parts)} partnerships "
                          f"naming the country and {len(events)} events held there.",),
                         (ReportTable("Organisations", "Cluster organisations", orgs),
                          ReportTable("Partnerships", "Partnerships", parts),
                          ReportTable("Events", "Events", events)))


def _methodology_section(dataset: str, nuts_version: str, min_employment: float) -> ReportSection:
    entries = methodology.entries()
    flags = pd.DataFrame(sorted(schema.FLAGS.items()), columns=["flag", "meaning"])
    paragraphs = tuple(f"{e.name}: {e.formula}. {e.text} ({e.reference})" for e in entries)
    paragraphs += (f"Regions are NUTS {nuts_version or 'as in the source'}; codes of older NUTS versions were "
                   "recoded with the official Eurostat change tables at ingest. Cells below "
                   f"{min_employment:,.0f} persons are not ranked. Confidential cells (flag c) have no value.",)
    return ReportSection("methodology", "Methodology", paragraphs,
                         (ReportTable("Flags", "Eurostat flags legend", flags),))


def _key_figures(rows: pd.DataFrame, national: pd.DataFrame, clusters: ReportSection,
                 level: int) -> tuple[KeyFigure, ...]:
    regions = rows["region"].nunique()
    employment = rows.drop_duplicates("region")["region_total"].sum() if "region_total" in rows else np.nan
    star_cells = len(clusters.tables[0].frame)
    strong = len(clusters.tables[1].frame) if len(clusters.tables) > 1 else None
    figs = [KeyFigure(f"Regions (level {level})", int(regions)),
            KeyFigure("Employment in the regions", float(employment), "persons"),
            KeyFigure("Star clusters (2-3 stars)", int(star_cells))]
    if strong is not None:
        figs.append(KeyFigure("Strong clusters", int(strong)))
    if not national.empty:
        top = national.iloc[0]
        figs.append(KeyFigure("Top specialisation", f"{top['sector_label']} (LQ {top['lq']:.2f})"))
    return tuple(figs)
