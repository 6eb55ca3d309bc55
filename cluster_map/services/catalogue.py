"""Data and methodology: datasets with provenance, flags legend, metric definitions, known limits.

The method notes are plain data (:class:`MethodNote`), so the app page, the country report and the
README show the same formulas, thresholds and references.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

import pandas as pd

from cluster_map.reports import exports
from cluster_map.schema import FLAGS
from cluster_map.store import catalogue as store_catalogue
from cluster_map.store import rankings

PROVENANCE_COLUMNS: Final = (
    "code", "kind", "title", "publisher", "licence", "source_url", "retrieved_from", "nuts_version",
    "extracted_at", "checksum", "row_count", "years", "notes",
)


@dataclass(frozen=True)
class MethodNote:
    """One metric: what it measures, its formula (LaTeX), its thresholds and where it comes from."""

    name: str
    measures: str
    formula: str
    thresholds: str
    reference: str


METHODS: Final[tuple[MethodNote, ...]] = (
    MethodNote("Location quotient (LQ)", "Specialisation of region r in sector s relative to a benchmark.",
               r"LQ_{rs} = \frac{E_{rs}/E_r}{E_s/E}",
               "LQ > 1: more specialised than the benchmark. Map classes 0-0.8-1.25-2-3-5. Cells below the "
               "minimum size (CLUSTER_MAP_MIN_EMPLOYMENT persons, default 1000) get no LQ and are not ranked.",
               "Isard (1960); European Cluster Observatory (Ketels & Protsiv 2014); EconGeo `location.quotient`."),
    MethodNote("Benchmarks", "What E_s and E are in the LQ.",
               r"E_s = \sum_r E_{rs},\; E = \sum_{r,s} E_{rs}",
               "'dataset': all regions of the same NUTS level in the file (EU, default); 'country': regions "
               "of the same country; 'external': national totals (sbs_na_sca_r2) or the US CMP national "
               "cluster totals (us_national_cluster_totals_2016).",
               "US CMP uses national totals including DC and territories (clustermapping.us)."),
    MethodNote("European Cluster Observatory stars", "Cluster strength in three dimensions, 0-3 stars.",
               r"\text{size: } E_{rs}/E_s;\ \text{specialisation: } LQ_{rs};\ \text{focus: } E_{rs}/E_r",
               "One star each for being in the top 10% of regions on size, LQ >= 2 on specialisation, and the "
               "top 10% on focus, among cells above the minimum size.",
               "Ketels & Protsiv (2014) European Cluster Panorama, §2; Ketels & Sölvell (2006)."),
    MethodNote("US CMP strong clusters", "Region-cluster pairs in the top of their cluster's LQ distribution.",
               r"strong_{rs} \iff LQ_{rs} \ge Q_{0.75}(LQ_{\cdot s}) \wedge LQ_{rs} \ge 1",
               "Qualifying: LQ above the 25th percentile; significant: above the median; strong: top "
               "quartile with LQ >= 1; strong10: top decile. Quantiles over the regions of one level, linear "
               "interpolation (numpy 'linear', type 7); traded clusters against traded totals.",
               "Delgado, Porter & Stern (2016) J. Econ. Geogr. 16(1); clustermapping.us methodology notes."),
    MethodNote("Minimum-size rule", "Guards rankings against spurious LQs of tiny cells.",
               r"E_{rs} \ge E_{min}",
               "Cells with employment below the threshold are shown but not ranked or starred.",
               "European Cluster Observatory (1000 employees); US CMP suppressed cells."),
    MethodNote("Krugman specialisation index", "How different a region's sector mix is from the benchmark.",
               r"K_r = \sum_s |s_{rs} - s_s|,\ s_{rs} = E_{rs}/E_r,\ s_s = E_s/E",
               "Range [0, 2]; the halved form K_r/2 in [0, 1] is also stored (krugman_half): some sources "
               "(OECD, several cluster studies) halve it, Krugman (1991) and EconGeo do not.",
               "Krugman (1991) Geography and Trade; Midelfart-Knarvik et al. (2000)."),
    MethodNote("Herfindahl-Hirschman index (HHI)", "Concentration of a region's employment in few sectors.",
               r"HHI_r = \sum_s s_{rs}^2",
               "Range [1/n, 1]; 1 = one sector only.", "Hirschman (1964); Herfindahl (1950)."),
    MethodNote("Entropy, related and unrelated variety", "Diversity of a region's sector mix.",
               r"H_r = -\sum_s s_{rs}\ln s_{rs} = UV + RV,\ UV = -\sum_g P_g \ln P_g,\ RV = \sum_g P_g H_g",
               "Groups g are NACE sections (parents of divisions).",
               "Frenken, Van Oort & Verburg (2007) Regional Studies 41(5)."),
    MethodNote("Gini and locational Gini", "Geographic concentration of a sector over regions.",
               r"G_s = \frac{2\sum_i i\,x_{(i)}}{n\sum x} - \frac{n+1}{n};\ LG_s = 1 - \sum_k b_k (y_k + y_{k-1})",
               "0 = spread like total employment (LG) / evenly (G); towards 1 = concentrated.",
               "Krugman (1991); Audretsch & Feldman (1996) AER 86(3); EconGeo `Gini`, `locational.Gini`."),
    MethodNote("Hoover coefficient", "Share of a sector's employment that would have to move to match total "
               "employment's distribution.", r"H_s = \tfrac12 \sum_r |E_{rs}/E_s - E_r/E|",
               "Range [0, 1].", "Hoover (1936) Rev. Econ. Stat. 18(4)."),
    MethodNote("Theil index", "Divergence of a sector's regional distribution from total employment's.",
               r"T_s = \sum_r a_r \ln(a_r / b_r),\ a_r = E_{rs}/E_s,\ b_r = E_r/E", ">= 0; 0 = same distribution.",
               "Theil (1967) Economics and Information Theory."),
    MethodNote("Growth (CAGR)", "Average yearly growth of employment between two years.",
               r"CAGR = (E_{t_1}/E_{t_0})^{1/(t_1-t_0)} - 1", "Undefined when E_{t_0} = 0.", "Standard."),
    MethodNote("Shift-share", "Splits a region-sector's employment change into three parts.",
               r"\Delta e_{rs} = e^0_{rs} g + e^0_{rs}(g_s - g) + e^0_{rs}(g_{rs} - g_s)",
               "National growth + industry mix + regional (competitive) shift; benchmark = all regions of the "
               "level in the dataset; the three parts sum to the change exactly.",
               "Dunn (1960) Papers Reg. Sci. Assoc. 6; Esteban-Marquillas (1972)."),
    MethodNote("Moran's I, LISA, Getis-Ord Gi*", "Spatial clustering of a sector's LQ: global and local.",
               r"I = \frac{n}{W}\frac{\sum_{ij} w_{ij} z_i z_j}{\sum_i z_i^2};\ "
               r"G_i^* = \frac{\sum_j w_{ij} x_j - \bar x \sum_j w_{ij}}{S\sqrt{[n\sum_j w_{ij}^2 - (\sum_j w_{ij})^2]/(n-1)}}",
               "Queen contiguity, row-standardised; permutation inference with CLUSTER_MAP_PERMUTATIONS (999) "
               "permutations and seed CLUSTER_MAP_SEED; hot spot = Gi* z > 0 with pseudo p < 0.05; LISA "
               "classes HH, LH, LL, HL at p < 0.05. Islands have no neighbours and no class.",
               "Moran (1950); Anselin (1995) Geogr. Anal. 27(2); Getis & Ord (1992); Ord & Getis (1995); PySAL esda."),
    MethodNote("Relatedness", "How close two sectors are.",
               r"\phi_{ij} = \min\{P(RCA_i \mid RCA_j), P(RCA_j \mid RCA_i)\},\ RCA \iff LQ \ge 1",
               "Europe: co-location proximity from the regions' LQ matrix; US: the published Delgado-Porter-"
               "Stern cluster relatedness (top decile = 'related').",
               "Hidalgo et al. (2007) Science 317; Delgado, Porter & Stern (2016)."),
    MethodNote("Economic complexity (ECI)", "Diversity and ubiquity of a region's specialisations.",
               r"ECI = \text{eigenvector of } \tilde M = D^{-1} M U^{-1} M^T \text{ (second largest eigenvalue)}",
               "Standardised to mean 0, sd 1; M_rs = 1 when LQ >= 1.",
               "Hidalgo & Hausmann (2009) PNAS 106(26)."),
)

KNOWN_LIMITS: Final[tuple[str, ...]] = (
    "NUTS versions: Eurostat files mix NUTS 2010 and 2013 codes; codes are recoded to the dataset's target "
    "version (2013) with the official change tables and the JRC NUTS converter; codes that match no region "
    "are listed below and left off the maps.",
    "Confidential cells (flag 'c') and ':' are missing values, not zeros: sums over sectors that meet them "
    "are lower bounds and are marked so.",
    "Vintage: the mirrored Eurostat regional SBS runs 2008-2015 (sbs_r_nuts06_r2, NACE Rev. 2); its successor "
    "sbs_r_nuts2021 is not in the mirror. LFS employment is by NACE section only.",
    "US Cluster Mapping: state data for 2016 only (benchmark cluster definitions); counties are not in the mirror.",
    "Cluster organisations: a hand-compiled directory (see its README); coordinates are geocoded to a city or "
    "region where no address was given (column geocode_precision).",
)


def datasets(con: Any) -> pd.DataFrame:
    """Every ingested dataset with its provenance (publisher, licence, URLs, extraction time, checksum, rows)."""
    rows = store_catalogue.datasets(con)
    return rows[[c for c in PROVENANCE_COLUMNS if c in rows.columns]].reset_index(drop=True)


def flags_legend() -> pd.DataFrame:
    """The Eurostat flag letters and their meaning: flag, meaning."""
    return pd.DataFrame({"flag": list(FLAGS), "meaning": list(FLAGS.values())})


def methods() -> pd.DataFrame:
    """The method notes as a table: name, measures, formula, thresholds, reference."""
    return pd.DataFrame([m.__dict__ for m in METHODS])


def unmatched_regions(con: Any) -> pd.DataFrame:
    """Codes of each dataset that match no region geometry after recoding (dataset, code, rows, reason)."""
    return store_catalogue.unmatched_regions(con)


def nuts_recodes(con: Any) -> pd.DataFrame:
    """NUTS recodings applied at ingest (dataset, code_from, version_from, code_to, version_to, method, weight)."""
    return store_catalogue.nuts_recodes(con)


def metrics_table(con: Any, *, dataset: str, level: int, year: int) -> pd.DataFrame:
    """All metrics of one dataset, level and year (one row per region x sector), for download."""
    rows = rankings.metrics_table(con, dataset=dataset, level=level, year=year)
    lead = [c for c in ("dataset", "nuts_version", "level", "year", "region", "region_name", "sector_scheme",
                        "sector", "sector_label") if c in rows.columns]
    return rows[lead + [c for c in rows.columns if c not in lead]]


def known_region_codes(con: Any) -> frozenset[str]:
    """Every region code of the store (all NUTS versions, US regions), to check an upload's codes."""
    return frozenset(store_catalogue.regions(con)["code"].astype(str))


def sources_for(con: Any, codes: list[str]) -> list[dict[str, Any]]:
    """Provenance rows of ``codes`` as plain dicts (for the export sidecar)."""
    rows = datasets(con)
    return rows[rows["code"].isin(codes)].to_dict(orient="records")


@dataclass(frozen=True)
class DownloadFile:
    """One file offered for download: button label, format, bytes, file name, MIME type."""

    label: str
    fmt: str
    data: bytes
    file_name: str
    mime: str


def download_files(
    frame: pd.DataFrame,
    *,
    stem: str,
    parameters: Mapping[str, Any],
    sources: Sequence[Mapping[str, Any]] = (),
    geo: pd.DataFrame | None = None,
    parquet: bool = False,
) -> list[DownloadFile]:
    """CSV and XLSX of ``frame`` (GeoJSON of ``geo``, Parquet when ``parquet``) and the provenance JSON.

    Text cells are protected against formula injection (:mod:`cluster_map.reports.exports`).
    """
    out = [
        DownloadFile("CSV", "csv", exports.to_csv(frame), exports.file_name(stem, "csv"), exports.MEDIA_TYPES["csv"]),
        DownloadFile("XLSX", "xlsx", exports.to_xlsx(frame, sheet=stem[:31] or "data",
                                                     notes=[f"{k}: {v}" for k, v in parameters.items()]),
                     exports.file_name(stem, "xlsx"), exports.MEDIA_TYPES["xlsx"]),
    ]
    if parquet:
        out.append(DownloadFile("Parquet", "parquet", exports.to_parquet(frame), exports.file_name(stem, "parquet"),
                                exports.MEDIA_TYPES["parquet"]))
    if geo is not None and len(geo):
        out.append(DownloadFile("GeoJSON", "geojson", exports.to_geojson(geo), exports.file_name(stem, "geojson"),
                                exports.MEDIA_TYPES["geojson"]))
    side = exports.provenance(table=stem, parameters=parameters, sources=sources, rows=len(frame),
                              columns=[str(c) for c in frame.columns])
    out.append(DownloadFile("Provenance", "json", side, exports.file_name(stem + ".provenance", "json"),
                            exports.MEDIA_TYPES["json"]))
    return out
