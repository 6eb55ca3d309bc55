"""Every catalogued dataset (:data:`DATASETS`) and the series that join two of them under one name."""

from __future__ import annotations

from dataclasses import replace
from typing import Final

from cluster_map.catalogue.records import (
    Cell,
    Dataset,
    Figure,
    NutsRule,
    Series,
    SeriesPart,
    Tolerated,
    Totals,
    eurostat_api_url,
    eurostat_files,
)
from cluster_map.schema import EUROSTAT_LICENCE, US_CMP_LICENCE

_US_PUB: Final = "U.S. Cluster Mapping Project"
_SBS_UNITS: Final = (("V11210", "NR"), ("V16110", "NR"), ("V13320", "MIO_EUR"))
#: Indicators of the 2017 national SBS file (sbs_na_sca_r2) besides the three the catalogue uses.
_SBS_NATIONAL_OTHER: Final = (
    "V12110",
    "V12120",
    "V12130",
    "V12170",
    "V13110",
    "V13120",
    "V13131",
    "V13310",
    "V13320",
    "V13330",
    "V15110",
    "V16120",
    "V16130",
    "V16140",
    "V91100",
    "V91110",
    "V91120",
    "V91130",
    "V91170",
    "V91210",
    "V91275",
    "V91290",
    "V91310",
    "V92100",
    "V92110",
    "V92111",
    "V92112",
    "V92113",
    "V94414",
    "V94415",
)
_NAMA_A10_NOTE: Final = (
    "NACE A*10 sections and aggregates (A, B-E, C, F, G-I, J, K, L, M_N, O-Q, R-U); "
    "TOTAL is the region's total."
)

DATASETS: Final[tuple[Dataset, ...]] = (
    Dataset(
        code="sbs_r_nuts06_r2",
        title="SBS data by NUTS 2 regions and NACE Rev. 2 (from 2008 onwards)",
        label="Europe: Eurostat SBS, persons employed (NUTS 0-2)",
        publisher="Eurostat",
        licence=EUROSTAT_LICENCE,
        area="europe",
        layout="eurostat",
        official_urls=(eurostat_api_url("sbs_r_nuts06_r2"),),
        mirror_files=eurostat_files("sbs_r_nuts06_r2"),
        indicator_dim="indic_sb",
        unit_dim=None,
        units=_SBS_UNITS,
        nuts=NutsRule("2013"),
        employment=Cell("V16110", unit="persons employed"),
        establishments=Cell("V11210", unit="local units"),
        wages=Cell("V13320", unit="EUR million"),
        ecosystems=True,
        total_code="B-N_S95_X_K",
        totals=Totals("sbs_na_sca_r2", Cell("V16110", unit="persons employed"), total_code="B-N_S95_X_K"),
        tolerated=(
            Tolerated(
                "region",
                ("FI18", "UKD2", "UKD5"),
                "NUTS 2006 codes split or enlarged in NUTS 2010 with no official split weights in the "
                "sources: their rows are kept but cannot be placed on a NUTS 2013 region (see the "
                "recoding notes)",
            ),
            Tolerated(
                "indicator",
                ("V91290", "V94310"),
                "ratios published with the file (growth rate of employment, share of manufacturing "
                "employment) that no metric reads: kept in observations as published",
            ),
        ),
        map_levels=(0, 1, 2),
        default_level=2,
        report_level=(2, 2),
        figures=(
            Figure("Persons employed", Cell("V16110", unit="persons employed")),
            Figure("Local units", Cell("V11210", unit="local units")),
            Figure("Wages and salaries", Cell("V13320", unit="EUR million")),
        ),
        region_word="NUTS regions",
        sector_word="NACE Rev. 2 sectors",
        notes="Regional SBS, reference years 2008-2020 (the mirror's 2017 vintage ends in 2015). Persons "
        "employed in local units (V16110); local units (V11210); wages and salaries (V13320). "
        "Geo codes mostly NUTS 2013, some NUTS 2010/2006 (recoded). Succeeded by sbs_r_nuts2021 "
        "from reference year 2021.",
    ),
    Dataset(
        code="sbs_r_nuts2021",
        title="Enterprise statistics by NUTS 2 region and NACE Rev. 2 activity (from 2021 onwards)",
        label="Europe: Eurostat SBS 2021-, persons employed (NUTS 0-2)",
        publisher="Eurostat",
        licence=EUROSTAT_LICENCE,
        area="europe",
        layout="eurostat",
        official_urls=(eurostat_api_url("sbs_r_nuts2021"),),
        mirror_files=eurostat_files("sbs_r_nuts2021"),
        required=False,
        indicator_dim="indic_sbs",
        unit_dim=None,
        units=(("EMP_LOC_NR", "NR"), ("LOC_NR", "NR"), ("WAGE_LOC_MEUR", "MIO_EUR")),
        nuts=NutsRule("2021", by_year=((2024, "2024"),)),
        employment=Cell("EMP_LOC_NR", unit="persons employed"),
        establishments=Cell("LOC_NR", unit="local units"),
        wages=Cell("WAGE_LOC_MEUR", unit="EUR million"),
        ecosystems=True,
        total_code="B-S_X_O_S94",
        map_levels=(0, 1, 2),
        default_level=2,
        report_level=(2, 2),
        figures=(
            Figure("Persons employed", Cell("EMP_LOC_NR", unit="persons employed")),
            Figure("Local units", Cell("LOC_NR", unit="local units")),
            Figure("Wages and salaries", Cell("WAGE_LOC_MEUR", unit="EUR million")),
        ),
        region_word="NUTS regions",
        sector_word="NACE Rev. 2 sectors",
        notes="Successor of sbs_r_nuts06_r2 from reference year 2021 (EBS Regulation 2019/2152): persons "
        "employed in local units EMP_LOC_NR (was V16110), local units LOC_NR (was V11210), wages and "
        "salaries of local units WAGE_LOC_MEUR (was V13320). Geo codes NUTS 2021 for 2021-2023, "
        "NUTS 2024 from 2024. Total B-S_X_O_S94 (business economy) where published.",
    ),
    Dataset(
        code="lfst_r_lfe2en2",
        title="Employment by age, economic activity and NUTS 2 regions (NACE Rev. 2)",
        label="Europe: Eurostat LFS, employment (NUTS 0-2)",
        publisher="Eurostat (EU-LFS)",
        licence=EUROSTAT_LICENCE,
        area="europe",
        layout="eurostat",
        official_urls=(eurostat_api_url("lfst_r_lfe2en2"),),
        mirror_files=eurostat_files("lfst_r_lfe2en2"),
        indicator="EMP",
        pins=(("sex", "T"),),
        nuts=NutsRule("2013"),
        employment=Cell("EMP", "age=Y_GE15", 1000.0, unit="persons employed"),
        total_code="TOTAL",
        excluded=("NRP",),
        map_levels=(0, 1, 2),
        default_level=2,
        report_level=(2, 1),
        figures=(
            Figure(
                "Employment, age 15+ (LFS)",
                Cell("EMP", "age=Y_GE15", 1000.0, unit="persons employed"),
                sectors=("TOTAL",),
                sector_level=None,
            ),
        ),
        region_word="NUTS regions",
        sector_word="NACE Rev. 2 sections",
        notes="Labour force survey, thousand persons (THS in the 2017 layout, THS_PER today), age 15 or over; "
        "today's layout adds sex (pinned to T, total). NACE sections and A*10 aggregates only.",
    ),
    Dataset(
        code="nama_10r_3empers",
        title="Employment (thousand persons) by NUTS 3 regions",
        label="Europe: Eurostat regional accounts, employment (NUTS 0-3)",
        publisher="Eurostat",
        licence=EUROSTAT_LICENCE,
        area="europe",
        layout="eurostat",
        official_urls=(eurostat_api_url("nama_10r_3empers"),),
        mirror_files=eurostat_files("nama_10r_3empers"),
        required=False,
        indicator="EMP",
        pins=(("wstatus", "EMP"),),
        nuts=NutsRule("2021"),
        employment=Cell("EMP", "", 1000.0, unit="persons employed"),
        value_added_from="nama_10r_3gva",
        total_code="TOTAL",
        map_levels=(0, 1, 2, 3),
        default_level=3,
        report_level=(3, 1),
        figures=(
            Figure(
                "Employment (regional accounts)",
                Cell("EMP", "", 1000.0, unit="persons employed"),
                sectors=("TOTAL",),
                sector_level=None,
            ),
        ),
        region_word="NUTS regions",
        sector_word="NACE A*10 sectors",
        notes="Regional accounts (ESA 2010), employment in thousand persons by place of work, wstatus=EMP "
        "(all employed persons); with nama_10r_3gva loaded, value added per person employed (gva_ratio). "
        + _NAMA_A10_NOTE,
    ),
    Dataset(
        code="nama_10r_3gva",
        title="Gross value added at basic prices by NUTS 3 regions",
        label="Europe: Eurostat regional accounts, gross value added (NUTS 0-3)",
        publisher="Eurostat",
        licence=EUROSTAT_LICENCE,
        area="europe",
        layout="eurostat",
        official_urls=(eurostat_api_url("nama_10r_3gva"),),
        mirror_files=eurostat_files("nama_10r_3gva"),
        role="auxiliary",
        required=False,
        indicator="GVA",
        pins=(("unit", "MIO_EUR"),),
        nuts=NutsRule("2021"),
        value_added=Cell("GVA", "", 1.0, unit="EUR million"),
        region_word="NUTS regions",
        sector_word="NACE A*10 sectors",
        notes="Regional accounts, gross value added in EUR million (unit MIO_EUR kept), the numerator of "
        "productivity per person employed (with nama_10r_3empers). " + _NAMA_A10_NOTE,
    ),
    Dataset(
        code="nama_10r_2gdp",
        title="Gross domestic product (GDP) at current market prices by NUTS 2 regions",
        label="Europe: Eurostat GDP (NUTS 0-2)",
        publisher="Eurostat",
        licence=EUROSTAT_LICENCE,
        area="europe",
        layout="eurostat",
        official_urls=(eurostat_api_url("nama_10r_2gdp"),),
        mirror_files=eurostat_files("nama_10r_2gdp"),
        role="auxiliary",
        sector_scheme="total",
        sector_dim=None,
        indicator="GDP",
        nuts=NutsRule("2013"),
        region_word="NUTS regions",
        sector_word="",
        notes="GDP in EUR million (MIO_EUR), per inhabitant (EUR_HAB) and in PPS per inhabitant (PPS_HAB).",
    ),
    Dataset(
        code="sbs_na_sca_r2",
        title="Annual enterprise statistics by size class for special aggregates of activities (NACE Rev. 2): "
        "national totals",
        label="Europe: Eurostat SBS national totals",
        publisher="Eurostat",
        licence=EUROSTAT_LICENCE,
        area="europe",
        layout="eurostat",
        official_urls=(eurostat_api_url("sbs_na_sca_r2"),),
        mirror_files=eurostat_files("sbs_na_sca_r2"),
        role="benchmark",
        indicator_dim="indic_sb",
        unit_dim=None,
        units=(("V11110", "NR"), ("V12150", "MIO_EUR"), ("V16110", "NR")),
        nuts=NutsRule("2013"),
        tolerated=(
            Tolerated(
                "region",
                ("BA",),
                "Bosnia and Herzegovina: national totals of a country that has no NUTS 2013 regions in "
                "the region lists or geometries; kept as a national figure, never mapped",
            ),
            Tolerated(
                "indicator",
                _SBS_NATIONAL_OTHER,
                "national SBS indicators that no metric reads (turnover, purchases, costs, investment "
                "and their ratios; unit from the indic_sb code family): kept in observations as "
                "published",
            ),
        ),
        region_word="countries",
        sector_word="NACE Rev. 2 sectors",
        notes="National SBS totals (NUTS 0): the external benchmark of the regional SBS where chosen.",
    ),
    Dataset(
        code="us_cmp_states_2016",
        title="U.S. Cluster Mapping: cluster employment, establishments and payroll by state, 2016 "
        "(benchmark cluster definitions)",
        label="United States: Cluster Mapping, employment (states)",
        publisher=_US_PUB,
        licence=US_CMP_LICENCE,
        area="us",
        layout="us_cmp_states",
        official_urls=("https://clustermapping.us/data",),
        mirror_files=("us_cluster_mapping/clustermapping_api_2016/all_states_clusters.csv",),
        sector_scheme="us_cluster",
        sector_dim=None,
        unit_dim=None,
        nuts=NutsRule("us"),
        employment=Cell("emp", unit="employees"),
        establishments=Cell("est", unit="establishments"),
        wages=Cell("ap", unit="USD thousand"),
        benchmark="external",
        by_type=True,
        totals=Totals("us_cmp_totals_2016", Cell("emp", unit="employees"), total_indicator="type_total_emp"),
        map_levels=(1,),
        default_level=1,
        report_level=(1, 1),
        figures=(
            Figure("Employment (all clusters)", Cell("emp", unit="employees")),
            Figure("Establishments", Cell("est", unit="establishments")),
            Figure("Annual payroll", Cell("ap", unit="USD thousand")),
        ),
        region_word="US states",
        sector_word="US benchmark clusters",
        notes="County Business Patterns based cluster data of the U.S. Cluster Mapping Project, 50 states x 67 "
        "benchmark clusters (51 traded, 16 local), 2016.",
    ),
    Dataset(
        code="us_cmp_totals_2016",
        title="U.S. Cluster Mapping: national employment by benchmark cluster and cluster type, 2016 "
        "(the benchmark of the state LQs)",
        label="United States: Cluster Mapping national totals",
        publisher=_US_PUB,
        licence=US_CMP_LICENCE,
        area="us",
        layout="us_cmp_totals",
        official_urls=("https://clustermapping.us/data",),
        mirror_files=("us_cluster_mapping/clustermapping_api_2016/us_national_cluster_totals_2016.csv",),
        role="benchmark",
        compiled=True,
        sector_scheme="us_cluster",
        sector_dim=None,
        unit_dim=None,
        nuts=NutsRule("us"),
        region_word="the United States",
        sector_word="US benchmark clusters",
        notes="Recovered from the published state LQs (see the mirror's PROVENANCE); no official feed of its own.",
    ),
)

#: The European SBS series under one name: the 2008-2020 dataset and its successor from 2021.
SERIES: Final[tuple[Series, ...]] = (
    Series(
        code="eurostat_sbs",
        label="Europe: Structural business statistics (SBS), 2008 onwards (one series)",
        parts=(SeriesPart("sbs_r_nuts06_r2", None, 2020), SeriesPart("sbs_r_nuts2021", 2021, None)),
        break_note="break in series in 2021: sbs_r_nuts06_r2 (V16110, NUTS 2013) is followed by "
        "sbs_r_nuts2021 (EMP_LOC_NR, NUTS 2021/2024) under the EBS Regulation",
        title="Structural business statistics (SBS) by NUTS 2 region and NACE Rev. 2: 2008-2020 from "
        "sbs_r_nuts06_r2, from 2021 from sbs_r_nuts2021",
    ),
)


def _series_dataset(s: Series) -> Dataset:
    """The map/profile/report record of a series: its first part's cells and levels under the series' code
    (the metrics are the parts' own, copied at ingest; observations are read from the part of each year)."""
    first = next(d for d in DATASETS if d.code == s.parts[0].dataset)
    parts = [next(d for d in DATASETS if d.code == p.dataset) for p in s.parts]
    urls = tuple(u for d in parts for u in d.official_urls)
    by_year: list[tuple[int, str]] = []
    for p, d in zip(s.parts[1:], parts[1:], strict=True):
        start = p.first_year if p.first_year is not None else 0
        by_year += [(start, d.nuts.version_for(start))]
        by_year += [(y, v) for y, v in d.nuts.by_year if y > start]
    return replace(
        first,
        code=s.code,
        title=s.title or s.label,
        label=s.label,
        role="series",
        required=False,
        official_urls=urls,
        mirror_files=(),
        totals=None,
        tolerated=(),
        nuts=NutsRule(first.nuts.default, tuple(by_year)),
        notes=f"One series of {', '.join(s.datasets)}; {s.break_note}.",
    )


#: The datasets of the series (role 'series'), offered by the map, profiles and reports.
SERIES_DATASETS: Final[tuple[Dataset, ...]] = tuple(_series_dataset(s) for s in SERIES)
