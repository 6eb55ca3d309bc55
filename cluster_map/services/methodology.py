"""The methodology as data: one entry per metric with its formula, thresholds and reference.

The Data and methodology page, the country reports and the README read these entries, so the formulas
a user sees are written once.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from cluster_map import catalogue
from cluster_map.stats.quality import SUSPECT_RULES, UBIQUITY, YEAR_FACTOR

#: The suspect-value rules in words, with the thresholds the store is built with.
_RULES: dict[str, str] = {
    key: text.format(factor=YEAR_FACTOR, minimum=1000.0, ubiquity=UBIQUITY)
    for key, text in SUSPECT_RULES.items()
}


@dataclass(frozen=True)
class Method:
    """One metric: what it is, how it is computed, who defined it."""

    key: str
    name: str
    formula: str
    text: str
    reference: str
    group: str  # specialisation | clusters | concentration | growth | spatial | relatedness
    #: areas whose data the entry describes (a US state report leaves out the NUTS- and Eurostat-only ones)
    areas: tuple[str, ...] = ("europe", "us")


_ENTRIES: tuple[Method, ...] = (
    Method(
        "lq",
        "Location quotient (LQ)",
        "LQ_rs = (E_rs / E_r) / (E_s / E)",
        "E_rs employment of sector s in region r, E_r the region's total, E_s and E the benchmark's sector "
        "and total employment. The benchmark is explicit: all regions of the same level in the dataset "
        "(default for Eurostat data), the country, or an external totals table. The region's total E_r is "
        "the highest-level published total (see 'Denominators'), the same for every sector level; the "
        "benchmark's E is the sum of its regions' E_r. A region with zero employment gets no LQ (NULL, "
        "with the reason); a confidential cell gets no LQ but its bounds (see 'Confidential cells').",
        "Isard (1960); European Cluster Observatory (Ketels & Protsiv 2014)",
        "specialisation",
        areas=("europe",),  # US states: the "us_lq" entry
    ),
    Method(
        "us_lq",
        "US Cluster Mapping LQ",
        "LQ_rc = (E_rc / E_r,type) / (E_US,c / E_US,type)",
        "For traded clusters both denominators count traded employment only (local clusters: local only), "
        "against the published US benchmark totals (which include DC and territories), not the sum of the "
        "50 states.",
        "Delgado, Porter & Stern (2016), Defining clusters of related industries",
        "specialisation",
        areas=("us",),
    ),
    Method(
        "shares",
        "Shares",
        "share_region = E_rs / E_r; share_sector = E_rs / E_s",
        "The sector's share of the region's employment and the region's share of the sector.",
        "European Cluster Observatory",
        "specialisation",
    ),
    Method(
        "min_size",
        "Minimum-size rule",
        "employment >= CLUSTER_MAP_MIN_EMPLOYMENT (default 1,000)",
        "Cells below the minimum are not ranked (and in Europe earn no star), so tiny regions do not top "
        "rankings on spurious LQs. They still count in the percentiles of the thresholds (strong clusters, "
        "stars), so the rule does not move the others' thresholds.",
        "Cluster Map convention (cf. European Cluster Panorama 2021)",
        "specialisation",
    ),
    Method(
        "stars",
        "European Cluster Observatory stars",
        "stars = size + specialisation + focus (0-3)",
        "Size: the cell's employment is at or above the 90th percentile of the regions with employment in "
        "the same sector, year and level. Specialisation: LQ >= 2. Focus (default, as the Observatory "
        "publishes it: size 'within the same cluster category', focus among 'all clusters'): the sector's "
        "share of the region's employment is at or above the 90th percentile of every region x sector cell "
        "with employment of the same year, NUTS level and sector level. The other reading, the 90th "
        "percentile of the same sector's regions (CLUSTER_MAP_FOCUS_SCOPE=sector), ranks regions exactly as "
        "the LQ does (LQ = share / (E_s / E)), so focus then repeats the specialisation star: on the mirror's "
        "SBS 2014 NUTS 2 divisions it gives 558 three-star cells against 156 with the published reading "
        "(the Observatory reports about 150 world-class clusters). Percentiles by linear interpolation. "
        "Suspect source values earn no star and are left out of the percentiles.",
        "European Cluster Observatory, Evaluation of regional cluster strength (clusterobservatory.eu); "
        "Ketels & Protsiv (2014), European Cluster Panorama 2014",
        "clusters",
        areas=("europe",),
    ),
    Method(
        "denominators",
        "Denominators (region and benchmark totals)",
        "E_r = published total, else sum of sections, else sum of divisions",
        "The region's total is the highest-level published total of its region and year: the dataset's "
        "total code (SBS B-N_S95_X_K, the business economy; the 2017 SBS file publishes it for no region), "
        "else the sum of its NACE sections plus the divisions whose section the dataset lacks (SBS S95), "
        "where a confidential section counts as the sum of its published divisions, else the sum of its "
        "divisions. The same E_r serves every sector level, and the benchmark's total is the sum of its "
        "regions' E_r. Caveat codes: denominator:sections, denominator:divisions, and denominator:lower_bound "
        "where a confidential section is missing from it. Summing only the published divisions instead "
        "shrank a region whose big division is confidential and inflated its other LQs: Braunschweig "
        "(DE91) 2014 counted 347,711 persons instead of 489,402 (0.71); in 29 NUTS 2 regions it was under "
        "95% of the sections' total.",
        "Cluster Map convention",
        "specialisation",
        areas=("europe",),
    ),
    Method(
        "confidential",
        "Confidential cells",
        "max(0, sum of published children) <= x <= parent - sum of published siblings",
        "A value the source withholds (flag c) has no LQ, share or star; its reason is 'confidential' and "
        "its caveat 'confidential'. Where the NACE hierarchy bounds it (a division of a published section, "
        "a section of a published total) the lowest and highest possible LQ are given (lq_low, lq_high: "
        "LQ(x) = (x / E_r) / ((E_s + x) / E) with E_s the benchmark's published sector total) in the map "
        "tooltip, the region profile and the exports. Indices (Krugman, HHI, entropy, variety) are computed "
        "over the published cells only, never counting a confidential cell as 0; published_share states "
        "which share of E_r they cover.",
        "Cluster Map convention; Eurostat flag c",
        "specialisation",
        areas=("europe",),
    ),
    Method(
        "suspect",
        "Suspect source values",
        "caveat suspect:<rule>; no star, no strong flag",
        "Rules: " + "; ".join(f"{k}: {v}" for k, v in _RULES.items()) + ". A suspect cell keeps its "
        "LQ (shown with the caveat) but earns no star and no strong flag and is left out of the star and "
        "strong-cluster percentiles. Known case: Norway 2014 reports all of G45, G46 and G47 in NO04 and 0 "
        "in its six other regions. The cells found are listed under 'Known source problems'.",
        "Cluster Map convention",
        "clusters",
        areas=("europe",),
    ),
    Method(
        "estimated",
        "Estimated regions",
        "caveat estimated:<method>",
        "Values of NUTS 2010 regions split into NUTS 2013 ones by population weights (JRC NUTS converter; "
        "UKI1 -> UKI3 0.337 / UKI4 0.663 for 2008-2012) or merged from older ones carry "
        "estimated:jrc_pop_split / estimated:jrc_pop_merge. A split gives every part the same sector "
        "profile, hence the same LQs: the map outlines such regions (dashed) and the tooltip says why. "
        "Where the value added of a productivity ratio was so estimated (the employment may be native), the "
        "cell carries value_added:<method>, and the value added ratio's map outlines it the same way.",
        "JRC NUTS converter; Cluster Map ingest",
        "specialisation",
        areas=("europe",),
    ),
    Method(
        "cmp_flags",
        "US Cluster Mapping strong clusters",
        "strong: LQ >= Q75(LQ), emp > Q25(emp), est > Q25(est), LQ >= 1",
        "Per region type, traded cluster and year, over regions with employment > 0, quantiles by linear "
        "interpolation (numpy default, R-7, DuckDB quantile_cont). Qualifying: LQ, employment and "
        "establishments above their 25th percentiles; significant: LQ above the median and the same size "
        "tests; strong10: the 90th percentile instead of the 75th. Local clusters have no flags. Cluster "
        "strength of a region = share of its traded employment in strong clusters. The establishment test "
        "is skipped for data without establishments (LFS).",
        "Delgado, Porter & Stern (2014, 2016); clustermapping.us methodology",
        "clusters",
    ),
    Method(
        "krugman",
        "Krugman specialisation index",
        "K_r = sum_s |s_rs - s_s|",
        "Dissimilarity of the region's sector shares s_rs from the benchmark shares s_s, from 0 (identical) "
        "to 2, over the sectors of one level. Midelfart-Knarvik et al. (2000) use this sum; the OECD and "
        "several cluster studies halve it to 0-1: both are stored (krugman, krugman_half). Like every "
        "region index it is computed over the published cells (shares of their sum); published_share says "
        "how much of the region's total they are: a withheld sector leaves the comparison, and the benchmark "
        "shares are taken over the sectors the region publishes. Counting confidential cells as 0 instead "
        "moves Krugman of the mirror's 2014 NUTS 2 divisions by +0.44 in IE01 and +0.53 in IE02 (45 regions "
        "by more than 0.05).",
        "Krugman (1991); Midelfart-Knarvik et al. (2000); Balland, EconGeo",
        "concentration",
    ),
    Method(
        "hhi",
        "Herfindahl-Hirschman index",
        "HHI_r = sum_s s_rs^2",
        "Concentration of the region's employment across sectors, from 1/n (even) to 1 (one sector).",
        "Hirschman (1964)",
        "concentration",
    ),
    Method(
        "variety",
        "Entropy, related and unrelated variety",
        "H = -sum_s p_s log2 p_s; UV = -sum_g P_g log2 P_g; RV = sum_g P_g H_g",
        "All three in bits (log base 2), in the docstrings and the code alike. "
        "Unrelated variety is the entropy (bits) of employment across the parent groups of the hierarchy "
        "(NACE sections of the divisions); related variety the share-weighted entropy within the groups; "
        "H = UV + RV. Not defined where sectors have no parent (NACE sections, US clusters).",
        "Frenken, Van Oort & Verburg (2007)",
        "concentration",
    ),
    Method(
        "gini",
        "Gini and locational Gini",
        "G = sum_i sum_j |x_i - x_j| / (2 n^2 mean)",
        "Gini of a sector's employment across regions; the locational Gini compares the sector's regional "
        "shares with the regions' shares of total employment. Hoover index = half the sum of absolute "
        "share differences; Theil index = sum_r s_r ln(s_r / p_r).",
        "Krugman (1991); Balland, EconGeo; Hoover (1936); Theil (1967)",
        "concentration",
    ),
    Method(
        "growth",
        "Growth",
        "CAGR = (E_end / E_start)^(1 / years) - 1; job creation = E_end - E_start",
        "Also the change in LQ between the two years.",
        "Standard",
        "growth",
    ),
    Method(
        "shift_share",
        "Shift-share",
        "change = NS + IM + RS",
        "National growth NS = e0 g, industry mix IM = e0 (g_s - g), regional shift RS = e0 (g_rs - g_s), "
        "with g the benchmark's growth and g_s the sector's; the three sum to the change exactly.",
        "Dunn (1960); Esteban-Marquillas (1972)",
        "growth",
    ),
    Method(
        "moran",
        "Global Moran's I and LISA",
        "I = (n / S0) sum_ij w_ij z_i z_j / sum_i z_i^2",
        "Spatial autocorrelation with queen contiguity (or distance band / KNN) in a projected CRS "
        "(EPSG:3035 for Europe), row-standardised; inference by seeded permutations. LISA classifies regions "
        "into HH, LL, HL, LH quadrants when significant.",
        "Moran (1950); Anselin (1995); PySAL esda",
        "spatial",
    ),
    Method(
        "gistar",
        "Getis-Ord Gi* hot spots",
        "G*_i = sum_j w_ij y_j / sum_j y_j",
        "Hot spot: significant concentration of high values around a region (p_sim <= 0.05, z > 0); cold "
        "spot: of low values. Binary weights, seeded permutations. A pseudo p-value of exactly 0.05 (or "
        "0.10, 0.01) is significant at that level; the comparison allows 1e-7 for float conversion, far "
        "below the 0.001 step of 999 permutations (esda returns pseudo p-values as float32, so 0.05 arrives as 0.0500000007). The same rule holds for LISA.",
        "Getis & Ord (1992); Ord & Getis (1995)",
        "spatial",
    ),
    Method(
        "relatedness",
        "Relatedness and economic complexity",
        "phi_ij = min(P(RCA_i | RCA_j), P(RCA_j | RCA_i)); density_rs = sum_{j != s} phi_sj M_rj / sum_{j != s} phi_sj",
        "RCA = LQ >= 1 defines the region x sector matrix M; co-location proximity phi; relatedness density "
        "of a sector in a region, summed over the other sectors j != s (as EconGeo). The peer py-ecomplexity "
        "counts the own sector too (phi_ss = 1): its density of a sector the region already has is higher by "
        "(1 - d) / (1 + sum_{j != s} phi_sj), and of one it lacks lower by the extra 1 in the denominator. "
        "ECI/PCI by the method of reflections or the eigenvector method; ECI and PCI are each standardised "
        "on their own (mean 0, standard deviation 1 over their own regions or sectors), so values compare "
        "within one list, not across the two or across years. For US clusters the published "
        "related-clusters matrix (Delgado, Porter & Stern) is used.",
        "Hidalgo et al. (2007); Hidalgo & Hausmann (2009)",
        "relatedness",
    ),
    Method(
        "productivity",
        "Productivity: the fourth star and the performance bands",
        "wage_ratio_rs = (W_rs / E_rs) / (W_s / E_s); gva_ratio_rs = (V_rs / E_rs) / (V_s / E_s); "
        "productivity star: ratio_rs >= Q90 of the sector's regions",
        "W_rs wages and salaries (SBS V13320 / WAGE_LOC_MEUR, euro), E_rs persons employed; W_s and E_s summed "
        "over the regions of the same level, sector and year where both are published (a confidential wage "
        "cell is left out, never counted as zero). Value added per person employed (gva_ratio): V_rs gross "
        "value added at basic prices of the regional accounts (nama_10r_3gva, EUR million, unit MIO_EUR, "
        "times 10^6), E_rs their employment (nama_10r_3empers, thousand persons times 1,000, wstatus=EMP: all "
        "employed persons, by place of work), matched by region, A*10 sector, year and NUTS version; V_s and "
        "E_s summed over the regions of the same level, sector and year where both are published (a missing "
        "or confidential GVA cell is left out of both sums, never counted as zero; a negative GVA is a "
        "published value and counts). It exists only where nama_10r_3gva is loaded beside nama_10r_3empers "
        "(the mirror has neither; the Eurostat API has both) and only by NACE A*10 sector (A, B-E, C, F, G-I, "
        "J, K, L, M_N, O-Q, R-U): ten broad sections, not the divisions of the SBS, so a ratio says how "
        "productive a region's manufacturing as a whole is, not its car industry; B-E and C overlap. The "
        "productivity star (the European Cluster Panorama's fourth star beside size, specialisation and "
        "focus) goes to the top 10% of the sector's regions by the ratio (linear quantile, as for the size "
        "star) with at least the minimum employment. Where value added is loaded (nama_10r_3empers with "
        "nama_10r_3gva) the star and the performance band read gva_ratio, as the Panorama does; elsewhere "
        "they read wage_ratio; column productivity_basis of every row says which (value_added or wages). "
        "Performance reading of every cell with a ratio: high (>= 1.10 of the sector's European level), "
        "medium (0.90-1.10), basic (< 0.90). Wages are paid to employees while persons employed include the "
        "self-employed, and euro are not purchasing power: low-price countries rank low in every sector.",
        "Ketels & Protsiv, European Cluster Panorama 2014/2016; the bands are this tool's reading",
        "clusters",
        areas=("europe",),
    ),
    Method(
        "grow_next",
        "What a region could grow next",
        "candidates of r: sectors s with LQ_rs < 1, by d_rs = sum_{j != s} x_rj phi_sj / sum_{j != s} phi_sj",
        "x_rj = 1 when the region's stored LQ in j is >= 1 (so ecosystems use the region's published total); "
        "phi the co-location proximity over the regions of the same level and year. The closest sectors the "
        "region is not yet specialised in are listed with the regions of other countries strongest in them "
        "(most stars, then LQ) and the cluster organisations located there. Confidential cells have no LQ and "
        "count as not specialised. ECI and PCI are shown only when the employment matrix is log-supermodular "
        "in the ECI x PCI order (Schetter 2019): at least 75% of the adjacent 2 x 2 region x sector blocks "
        "with four positive cells must satisfy E_rp E_r'p' >= E_rp' E_r'p. On the 2014 SBS NUTS 2 x division "
        "matrix about half do (as many as chance would give), so ECI and PCI are not shown as rankings there.",
        "Hidalgo et al. (2007); Neffke, Henning & Boschma (2011); Schetter (2019), A Structural Ranking of "
        "Economic Complexity",
        "relatedness",
        areas=("europe",),
    ),
    Method(
        "ecosystems",
        "Industrial ecosystems (EU Industrial Strategy)",
        "E_r,e = sum of E_r,d over the NACE divisions d of ecosystem e (published values only)",
        "The 14 industrial ecosystems are a sector scheme of their own ('ecosystems', codes such as "
        "mobility-transport-automotive) on every dataset with NACE divisions (SBS). The Commission defines each "
        "by NACE codes, partly at 3 and 4 digits; where the data has only divisions the ecosystem is the sum of "
        "the divisions listed per ecosystem, with what that adds and leaves out stated beside it (table below). "
        "A member division with no value (':', mostly confidential) is left out of the sum and the cell says "
        "'lower bound: ... not published'; when no member has a value the cell is unknown, not zero. The "
        "region's total is the same denominator as for NACE sectors (the highest-level published total, see "
        "'Denominators'), never the sum over ecosystems, which overlap. LQ, stars and strong flags are then computed over the ecosystems of "
        "one level and year exactly as for NACE sectors; region indices (Krugman, HHI, entropy) are not, "
        "since overlapping ecosystems' shares do not add up to one.",
        "European Commission, Annual Single Market Report 2021, SWD(2021) 351",
        "clusters",
        areas=("europe",),
    ),
)


def entries(group: str | None = None) -> tuple[Method, ...]:
    """Every method entry (optionally of one group), in reading order."""
    return tuple(e for e in _ENTRIES if group is None or e.group == group)


#: Where the ecosystem definitions come from (the catalogue's record, re-exported for the UI).
ECOSYSTEM_SOURCE = catalogue.ECOSYSTEM_SOURCE


def ecosystem_table() -> pd.DataFrame:
    """The 14 industrial ecosystems: published NACE codes, the divisions summed and the coverage.

    Columns: ecosystem, code (the slug), published, divisions, adds, leaves_out, note.
    """
    rows = []
    for e in catalogue.ECOSYSTEMS:
        cov = e.coverage()
        rows.append(
            {
                "ecosystem": e.label,
                "code": e.slug,
                "published": ", ".join(e.published),
                "divisions": ", ".join(e.divisions),
                "adds": ", ".join(cov["adds"]),
                "leaves_out": ", ".join(cov["misses"]),
                "note": e.note,
            }
        )
    return pd.DataFrame(rows)
