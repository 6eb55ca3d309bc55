"""The catalogue: every dataset, metric and country Cluster Map knows, declared once.

A leaf module (it imports nothing from the package but :mod:`cluster_map.schema`'s constants). Every
layer reads these records instead of keeping a table of its own: the Eurostat reader takes the
dimensions, pins and NUTS rule of a dataset from here, the ingest its files and origin, the metrics
engine its employment / establishment / wage cells and benchmark, the map its levels and label, the
profiles its key figures, the reports its report level, the methodology page its definitions.

The records are frozen dataclasses whose every field carries a one-line ``help`` in its metadata (the
way datasette declares its settings); :func:`field_help` reads it and a test checks that none is
missing. Adding a Eurostat dataset whose file layout is already known is one :class:`Dataset` entry;
adding a metric is one :class:`Metric` entry plus its expression and a known-value test.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field, fields, replace
from typing import Any, Final, Literal

from cluster_map.schema import EUROSTAT_API_TSV, EUROSTAT_LICENCE, US_CMP_LICENCE

Area = Literal["europe", "us"]
Layout = Literal["eurostat", "us_cmp_states", "us_cmp_totals", "long_csv"]
Role = Literal["statistics", "benchmark", "auxiliary", "series"]
Benchmark = Literal["dataset", "country", "external"]
#: Kinds of code an ingest checks in every statistics file (see :class:`Tolerated`).
CodeKind = Literal["sector", "region", "indicator", "flag"]


_REQUIRED: Final = object()
#: A dimension name that the reader picks from the file's header (user datasets whose spec is silent).
AUTO: Final = "*"


def _f(help: str, default: Any = _REQUIRED) -> Any:  # noqa: A002 - mirrors datasette's Setting.help
    """A dataclass field with its one-line help in the metadata (no default: a required field)."""
    if default is _REQUIRED:
        return field(metadata={"help": help})
    return field(default=default, metadata={"help": help})


def field_help(record: type | object) -> dict[str, str]:
    """``{field name: one-line help}`` of a catalogue record class (or instance)."""
    return {f.name: str(f.metadata.get("help", "")) for f in fields(record)}  # type: ignore[arg-type]


# --- building blocks ----------------------------------------------------------------------------
@dataclass(frozen=True)
class Cell:
    """Which observation rows mean one quantity (employment, establishments, wages, value added)."""

    indicator: str = _f("indicator code in ``observations`` (V16110, EMP_LOC_NR, EMP, emp ...)")
    breakdown: str = _f(
        "``observations.breakdown`` after pins, '' when the dataset has no other dimension", ""
    )
    factor: float = _f("multiplier to the unit below (1000 for data in thousands)", 1.0)
    unit: str = _f("unit of the value after the factor, as shown to users", "persons")


@dataclass(frozen=True)
class Figure:
    """A key figure of a region profile: a summed cell of this or another dataset."""

    label: str = _f("label shown in the profile and the report")
    cell: Cell = _f("the quantity summed")
    sectors: tuple[str, ...] = _f("sum these sector codes (empty: every sector of ``sector_level``)", ())
    sector_level: int | None = _f("sum the sectors of this level when ``sectors`` is empty", 1)


@dataclass(frozen=True)
class NutsRule:
    """The NUTS version of a dataset's geo codes: one version, or one per range of reference years."""

    default: str = _f("version of the codes ('2013', '2016', '2021', '2024'; 'us' for US FIPS codes)")
    by_year: tuple[tuple[int, str], ...] = _f("(first reference year, version) pairs, ascending", ())

    def version_for(self, year: int) -> str:
        """The version of the codes of reference year ``year``."""
        chosen = self.default
        for first, version in self.by_year:
            if year >= first:
                chosen = version
        return chosen

    def versions(self) -> tuple[str, ...]:
        """Every version the rule can give, in order."""
        return tuple(dict.fromkeys((self.default, *(v for _, v in self.by_year))))


@dataclass(frozen=True)
class Totals:
    """An external benchmark: where the benchmark's sector totals are in ``observations``."""

    dataset: str = _f("dataset code of the benchmark totals")
    employment: Cell = _f("the benchmark's employment cell")
    total_indicator: str = _f("indicator that holds the total of the row's type (US traded/local)", "")
    total_code: str = _f("sector code of the benchmark's grand total ('' when none)", "")


@dataclass(frozen=True)
class SeriesPart:
    """One dataset's years inside a joined series."""

    dataset: str = _f("dataset code")
    first_year: int | None = _f("first reference year taken from it (None: its first)", None)
    last_year: int | None = _f("last reference year taken from it (None: its last)", None)


@dataclass(frozen=True)
class Series:
    """Datasets that the app shows under one name (a successor dataset continues its predecessor)."""

    code: str = _f("the series' own code, used in URLs")
    label: str = _f("the one name the app gives it")
    parts: tuple[SeriesPart, ...] = _f("its datasets, oldest first, with the years taken from each")
    break_note: str = _f("what changes at each join (the break flag's text)")
    title: str = _f("the series' title on the methodology page", "")

    @property
    def datasets(self) -> tuple[str, ...]:
        """The part datasets' codes, oldest first."""
        return tuple(p.dataset for p in self.parts)

    def part_for(self, year: int) -> SeriesPart:
        """The part whose years hold ``year`` (before the first part: the first; after the last: the last)."""
        for part in reversed(self.parts):
            if part.first_year is None or year >= part.first_year:
                return part
        return self.parts[0]

    def join_years(self) -> tuple[int, ...]:
        """The first years of the parts after the first: where the series breaks."""
        return tuple(p.first_year for p in self.parts[1:] if p.first_year is not None)


#: The caveat every metric row of a series' join year carries (``metrics.caveats``).
SERIES_BREAK_CAVEAT: Final = "break:series_join"


@dataclass(frozen=True)
class Tolerated:
    """Codes of a dataset's file that the ingest does not know but accepts, and why.

    An ingest lists, per file, every sector, region, indicator and flag code it does not know (not
    in the NACE / US cluster code list, no geometry of the row's NUTS version, not a declared cell
    or unit of the dataset, not a Eurostat flag) and fails unless the code is declared here.
    """

    kind: CodeKind = _f("what the code is: 'sector', 'region', 'indicator' or 'flag'")
    codes: tuple[str, ...] = _f("the codes accepted")
    reason: str = _f("why they are accepted, as the ingest summary and the methodology page say it")


#: Region codes that are not regions, accepted in every dataset: kind (``codelists.geo_kind``) -> reason.
TOLERATED_REGION_KINDS: Final[dict[str, str]] = {
    "aggregate": "EU / euro-area aggregates (EU28, EA19 ...): kept as aggregates, never mapped",
    "extra_regio": "extra-regio codes (xxZ, xxZZ ...): activity not attributable to a region "
    "(embassies, off-shore), kept and never mapped",
}


# --- datasets -----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Dataset:
    """One dataset: where it comes from, how its file reads, what its cells mean, where it shows."""

    code: str = _f("the source's dataset code (Eurostat's online code, lower case)")
    title: str = _f("the source's own title")
    label: str = _f("short label for menus ('Europe: Eurostat SBS, persons employed')")
    publisher: str = _f("who publishes it")
    licence: str = _f("reuse terms and the acknowledgement they ask for")
    area: Area = _f("'europe' (NUTS regions) or 'us' (US states)")
    layout: Layout = _f("file layout, i.e. which reader reads it")
    official_urls: tuple[str, ...] = _f("official download URL(s), one per file")
    mirror_files: tuple[str, ...] = _f("mirror-relative file names tried in order (first found wins)")
    role: Role = _f(
        "'statistics' (mapped cube), 'benchmark' (external totals), 'auxiliary' (figures) or "
        "'series' (the joined metrics of a :class:`Series`, built at ingest)",
        "statistics",
    )
    required: bool = _f(
        "a full ingest fails without it (False: read when found; the 2017 mirror lacks it)", True
    )
    compiled: bool = _f("a compiled file with no official feed (its origin is the shipped file)", False)
    sector_scheme: str = _f("sector scheme of its sector codes: nace_r2, us_cluster, total", "nace_r2")
    sector_dim: str | None = _f("dimension holding the sector code (None: no sector)", "nace_r2")
    indicator_dim: str | None = _f(
        "dimension holding the indicator (None: ``indicator`` is constant; '*': "
        "the header's first indic*/na_item dimension)",
        None,
    )
    indicator: str = _f("the constant indicator code when there is no indicator dimension", "")
    unit_dim: str | None = _f(
        "dimension holding the unit (None: from ``units``; '*': 'unit' when the file has it)", "unit"
    )
    units: tuple[tuple[str, str], ...] = _f("(indicator, unit) when the file has no unit dimension", ())
    pins: tuple[tuple[str, str], ...] = _f("(dimension, code) kept when the file has that dimension", ())
    tolerated: tuple[Tolerated, ...] = _f(
        "codes of the file the ingest does not know but accepts, with the "
        "reason (beyond TOLERATED_REGION_KINDS)",
        (),
    )
    nuts: NutsRule = _f("NUTS version of its geo codes", NutsRule("2013"))
    employment: Cell | None = _f("the employment cell (None: no cube, e.g. GDP)", None)
    establishments: Cell | None = _f("the establishments / local units cell", None)
    wages: Cell | None = _f("the wages and salaries cell", None)
    value_added: Cell | None = _f("the gross value added cell (productivity)", None)
    ecosystems: bool = _f("also offered by industrial ecosystem (its sectors are NACE divisions)", False)
    total_code: str = _f("sector code of the region's published total ('' = sum of the sector level)", "")
    excluded: tuple[str, ...] = _f("sector codes left out of the cube (e.g. LFS 'no response')", ())
    benchmark: Benchmark = _f("default benchmark of the LQ", "dataset")
    by_type: bool = _f("traded and local denominators apart (US Cluster Mapping convention)", False)
    totals: Totals | None = _f("external benchmark totals", None)
    map_levels: tuple[int, ...] = _f("region levels the map offers (empty: not mapped)", ())
    default_level: int | None = _f("the level a map opens at", None)
    report_level: tuple[int, int] | None = _f(
        "(region level, sector level) of its reports (None: none)", None
    )
    figures: tuple[Figure, ...] = _f("key figures of a region profile", ())
    region_word: str = _f("what its regions are called ('NUTS 2 regions', 'US states')", "NUTS regions")
    sector_word: str = _f(
        "what its sectors are called ('NACE Rev. 2 sectors', 'US clusters')", "NACE sectors"
    )
    notes: str = _f("what a reader should know (shown on the methodology page)", "")

    @property
    def is_statistics(self) -> bool:
        """Whether the metrics engine builds a cube of it."""
        return self.role == "statistics" and self.employment is not None

    @property
    def mapped(self) -> bool:
        """Whether the map offers it."""
        return bool(self.map_levels)

    @property
    def official_url(self) -> str:
        """The first official URL."""
        return self.official_urls[0] if self.official_urls else ""

    def unit_of(self, indicator: str) -> str:
        """Unit code of ``indicator`` when the file has no unit dimension ('' when not declared)."""
        return dict(self.units).get(indicator, "")

    def known_indicators(self) -> frozenset[str]:
        """Indicator codes the catalogue declares for this dataset: its cells, units, figures, and the
        cells of any dataset that takes its totals from this one (empty when the indicator is constant)."""
        cells = [*self.cells().values(), *(f.cell for f in self.figures)]
        cells += [
            d.totals.employment for d in DATASETS if d.totals is not None and d.totals.dataset == self.code
        ]
        return frozenset([c.indicator for c in cells] + [k for k, _ in self.units])

    def tolerance(self, kind: CodeKind, code: str) -> str | None:
        """Why ``code`` (a ``kind`` code the ingest does not know) is accepted, or None when it is not."""
        return next((t.reason for t in self.tolerated if t.kind == kind and code in t.codes), None)

    def cells(self) -> dict[str, Cell]:
        """The declared cells by quantity name."""
        out = {
            "employment": self.employment,
            "establishments": self.establishments,
            "wages": self.wages,
            "value_added": self.value_added,
        }
        return {k: v for k, v in out.items() if v is not None}


def eurostat_api_url(code: str) -> str:
    """Official URL of a dataset's TSV in the current dissemination API."""
    return EUROSTAT_API_TSV.format(code=code)


def eurostat_files(code: str) -> tuple[str, ...]:
    """Mirror names of a Eurostat dataset: the current API file, then the 2017 bulk file."""
    return (f"eurostat/api/{code}.tsv.gz", f"eurostat/bulk/{code}.tsv.gz")


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
        "(all employed persons). " + _NAMA_A10_NOTE,
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


# --- metrics ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """A metric the app maps, tables show and exports carry."""

    key: str = _f("URL value and identifier ('lq')")
    column: str = _f("column of table ``metrics`` it is read from ('' when computed at view time)")
    label: str = _f("label on every page, legend, table, report and export")
    unit: str = _f("unit shown beside values")
    digits: int = _f("decimals shown")
    kind: Literal["ratio", "count", "percent", "category", "flag"] = _f("what kind of number it is")
    classes: Literal[
        "lq_breaks", "quantiles", "growth_breaks", "ratio_breaks", "stars", "boolean", "hotspot"
    ] = _f("colour rule of the map legend (see cluster_map.maps.classes)")
    method: str = _f("key of its methodology entry (cluster_map.services.methodology)")
    scale: float = _f("multiplier from the stored value to the shown value (fractions shown as %)", 1.0)
    areas: tuple[Area, ...] = _f("areas whose datasets offer it", ("europe", "us"))
    rule: str = _f("the threshold stated as the rule it is ('' when none)", "")


METRICS: Final[tuple[Metric, ...]] = (
    Metric(
        "lq", "lq", "Location quotient", "ratio to the benchmark (1 = average)", 2, "ratio", "lq_breaks", "lq"
    ),
    Metric("employment", "employment", "Employment", "persons employed", 0, "count", "quantiles", "lq"),
    Metric(
        "share",
        "share_region",
        "Share of regional employment",
        "% of the region's employment",
        1,
        "percent",
        "quantiles",
        "shares",
        scale=100.0,
    ),
    Metric(
        "stars",
        "stars",
        "Cluster stars",
        "0-3 stars (size, specialisation, focus)",
        0,
        "category",
        "stars",
        "stars",
        areas=("europe",),
        rule="size >= Q90 of the sector's regions, LQ >= 2, focus >= Q90 of all region-sector cells (ECO)",
    ),
    Metric(
        "strong",
        "strong",
        "Strong cluster",
        "US CMP strong cluster: top 25% of the regions by LQ (LQ >= Q75)",
        0,
        "flag",
        "boolean",
        "cmp_flags",
        rule="LQ >= Q75, employment > Q25, establishments > Q25, LQ >= 1",
    ),
    Metric(
        "wage_ratio",
        "wage_ratio",
        "Wages per person employed vs the sector's European level",
        "ratio (1 = the sector's European level)",
        2,
        "ratio",
        "ratio_breaks",
        "productivity",
        areas=("europe",),
        rule="productivity star: ratio >= Q90 of the sector's regions; performance high >= 1.10, "
        "medium 0.90-1.10, basic < 0.90",
    ),
    Metric(
        "growth",
        "",
        "Employment growth",
        "% a year since the first year with data",
        1,
        "percent",
        "growth_breaks",
        "growth",
    ),
    Metric(
        "hotspot",
        "",
        "Hot-spot class",
        "Getis-Ord Gi* of the LQ (99/95/90% confidence)",
        0,
        "category",
        "hotspot",
        "gistar",
    ),
)


# --- industrial ecosystems ----------------------------------------------------------------------
@dataclass(frozen=True)
class Ecosystem:
    """One of the 14 industrial ecosystems of the EU Industrial Strategy, as a sector of scheme ``ecosystems``."""

    slug: str = _f("sector code in the scheme, used in URLs and CSV files ('mobility-transport-automotive')")
    label: str = _f("the Commission's name of the ecosystem")
    published: tuple[str, ...] = _f(
        "NACE Rev. 2 codes of its published definition, Eurostat notation (C303 = 30.3)"
    )
    divisions: tuple[str, ...] = _f(
        "the NACE divisions summed where the data has only divisions (the approximation)"
    )
    keywords: tuple[str, ...] = _f("other words people search for it by", ())
    note: str = _f("what the approximation leaves out or adds, in words", "")

    def coverage(self) -> dict[str, tuple[str, ...]]:
        """How the division approximation meets the published list.

        ``exact``: published divisions summed as they are; ``adds``: divisions summed although only a
        part of them (the published 3/4-digit codes, listed with them) belongs to the ecosystem;
        ``misses``: published codes whose division is not summed.
        """
        exact, adds, misses = [], [], []
        for code in self.published:
            division = code[:3]
            if division not in self.divisions:
                misses.append(code)
            elif code == division:
                exact.append(code)
            else:
                adds.append(f"{division} (published: {code})")
        return {"exact": tuple(exact), "adds": tuple(dict.fromkeys(adds)), "misses": tuple(misses)}


#: The sector scheme of the ecosystems, and the ``sector_level`` of their metric rows: a level of its own,
#: because ecosystems overlap (a division can belong to two) and do not cover the whole economy, so they
#: are never compared inside one partition with NACE codes, and region indices (Krugman, HHI, entropy),
#: which need shares that add up to one, are not computed over them.
ECOSYSTEM_SCHEME: Final = "ecosystems"
ECOSYSTEM_LEVEL: Final = 9
ECOSYSTEM_SOURCE: Final = (
    "European Commission, Annual Single Market Report 2021, SWD(2021) 351 final (5.5.2021), annex on the "
    "definition of the 14 industrial ecosystems by NACE Rev. 2 codes; ecosystem pages of the European Monitor "
    "of Industrial Ecosystems (monitor-industrial-ecosystems.ec.europa.eu)"
)

ECOSYSTEMS: Final[tuple[Ecosystem, ...]] = (
    Ecosystem(
        "aerospace-defence",
        "Aerospace & defence",
        ("C254", "C303", "C304", "C3316"),
        ("C30",),
        ("aerospace", "aeronautics", "space", "defence", "defense"),
        "C30 adds shipbuilding (30.1), rolling stock (30.2) and other transport equipment (30.9); weapons "
        "(25.4) and aircraft repair (33.16) sit in large divisions and are left out.",
    ),
    Ecosystem(
        "agri-food",
        "Agri-food",
        ("A01", "A02", "A03", "C10", "C11", "C12", "G462", "G463"),
        ("A01", "A02", "A03", "C10", "C11", "C12"),
        ("food", "agriculture", "farming", "beverages"),
        "Wholesale of agricultural raw materials and food (46.2, 46.3) is part of G46 and left out; SBS has "
        "no A (agriculture, forestry, fishing), so on SBS the ecosystem is food, beverages and tobacco.",
    ),
    Ecosystem(
        "construction",
        "Construction",
        ("F41", "F42", "F43", "M711"),
        ("F41", "F42", "F43", "M71"),
        ("building", "architecture"),
        "M71 adds technical testing and analysis (71.2) to architectural and engineering activities (71.1).",
    ),
    Ecosystem(
        "cultural-creative",
        "Cultural & creative industries",
        ("C18", "C322", "J58", "J59", "J60", "M73", "M741", "M742", "R90", "R91"),
        ("C18", "J58", "J59", "J60", "M73", "R90", "R91"),
        ("culture", "creative", "media", "publishing", "film"),
        "Musical instruments (32.2), design (74.1) and photography (74.2) sit in larger divisions and are "
        "left out; SBS has no R (arts, libraries, museums).",
    ),
    Ecosystem(
        "digital",
        "Digital",
        ("J582", "J61", "J62", "J63", "G465", "S951"),
        ("J61", "J62", "J63"),
        ("ict", "software", "telecommunications", "computing", "it"),
        "Software publishing (58.2, counted in cultural & creative through J58), wholesale of ICT equipment "
        "(46.5) and computer repair (95.1) are left out.",
    ),
    Ecosystem(
        "electronics",
        "Electronics",
        ("C26", "C271", "C273"),
        ("C26", "C27"),
        ("electronic", "semiconductors", "electrical equipment"),
        "C27 adds batteries (27.2), lighting (27.4), domestic appliances (27.5) and other electrical "
        "equipment (27.9) to motors and wiring (27.1, 27.3).",
    ),
    Ecosystem(
        "energy-intensive",
        "Energy-intensive industries",
        ("B07", "B08", "C17", "C19", "C20", "C22", "C23", "C24"),
        ("B07", "B08", "C17", "C19", "C20", "C22", "C23", "C24"),
        ("chemicals", "steel", "metals", "cement", "paper", "glass", "plastics", "mining"),
        "Division list; nothing added or left out at division level.",
    ),
    Ecosystem(
        "renewable-energy",
        "Renewable energy",
        ("D3511", "C2711", "C2811", "F4222"),
        ("D35",),
        ("energy", "renewables", "wind", "solar", "electricity"),
        "D35 adds electricity from fossil fuels, gas and steam supply to renewable power generation; the "
        "equipment makers (27.11, 28.11) and utility projects (42.22) are left out. Treat with care.",
    ),
    Ecosystem(
        "health",
        "Health",
        ("C21", "C325", "Q86", "Q87", "G4646", "G4773"),
        ("C21", "Q86", "Q87"),
        ("pharmaceuticals", "medical", "healthcare", "life sciences"),
        "Medical instruments (32.5), pharmaceutical wholesale (46.46) and pharmacies (47.73) are left out; "
        "SBS has no Q (health and residential care), so on SBS the ecosystem is pharmaceuticals only.",
    ),
    Ecosystem(
        "mobility-transport-automotive",
        "Mobility – Transport – Automotive",
        ("C29", "C301", "C302", "C309", "C3315", "C3317", "G45", "H49", "H50", "H52"),
        ("C29", "C30", "G45", "H49", "H50", "H52"),
        ("automotive", "cars", "motor vehicles", "transport", "rail", "logistics", "mobility"),
        "C30 adds aircraft and military vehicles (30.3, 30.4, counted in aerospace & defence too); repair of "
        "ships and rolling stock (33.15, 33.17) is left out.",
    ),
    Ecosystem(
        "proximity-social-economy",
        "Proximity, social economy & civil security",
        ("N80", "N81", "Q88", "S94", "S96"),
        ("N80", "N81", "Q88", "S94", "S96"),
        ("social economy", "security", "local services", "civil security"),
        "Division list; SBS has only N80 and N81 of it (no Q or S94/S96), so on SBS the ecosystem is security "
        "and building services.",
    ),
    Ecosystem(
        "retail",
        "Retail",
        ("G46", "G47"),
        ("G46", "G47"),
        ("shops", "trade", "wholesale", "commerce"),
        "Division list (wholesale and retail trade without motor vehicles).",
    ),
    Ecosystem(
        "textiles",
        "Textiles",
        ("C13", "C14", "C15"),
        ("C13", "C14", "C15"),
        ("clothing", "apparel", "fashion", "leather", "footwear"),
        "Manufacture of textiles, clothing, leather and footwear; the wider definition's wholesale and "
        "retail of these goods is not separable at division level and is left out.",
    ),
    Ecosystem(
        "tourism",
        "Tourism",
        ("H49", "H50", "H51", "I55", "I56", "N79", "N82", "R90", "R91", "R92", "R93"),
        ("H51", "I55", "I56", "N79"),
        ("travel", "hotels", "hospitality", "restaurants"),
        "The published list weights its activities; the weights are not published per region, so only the "
        "mainly-tourism divisions (air transport, accommodation, food service, travel agencies) are summed; "
        "land and water transport (in mobility), office support and R90-R93 are left out.",
    ),
)


# --- conventions ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Convention:
    """One reading of a published rule that the app lets a user choose (the first of a kind is the default)."""

    kind: str = _f("what it is a reading of ('focus_scope')")
    key: str = _f("value of the setting / CLI option")
    label: str = _f("short label for menus and notes")
    text: str = _f("the rule in words, as the methodology page states it")
    source: str = _f("who publishes this reading ('' when it is Cluster Map's own)", "")


CONVENTIONS: Final[tuple[Convention, ...]] = (
    Convention(
        "focus_scope",
        "all_cells",
        "focus across all clusters (ECO)",
        "Focus star: the sector's share of the region's employment is among the top 10% of all region x sector "
        "cells of the same NUTS level, sector level and year (90th percentile by linear interpolation). The "
        "European Cluster Observatory states size 'within the same cluster category' but focus over 'all "
        "clusters' that account for the largest proportion of their region's employment.",
        "European Cluster Observatory, 'Evaluation of regional cluster strength' "
        "(clusterobservatory.eu/index.php?id=49); Ketels & Protsiv (2014)",
    ),
    Convention(
        "focus_scope",
        "sector",
        "focus within the sector",
        "Focus star: the share is among the top 10% of the regions in the same sector. Within one sector the "
        "share ranks regions exactly as the LQ does (LQ = share / (E_s / E)), so focus then repeats the "
        "specialisation test and three-star cells roughly triple.",
        "",
    ),
)
#: The values of each convention setting, the default first.
FOCUS_SCOPES: Final[tuple[str, ...]] = tuple(c.key for c in CONVENTIONS if c.kind == "focus_scope")


def conventions(kind: str) -> tuple[Convention, ...]:
    """The readings of one kind of rule, the default first."""
    return tuple(c for c in CONVENTIONS if c.kind == kind)


def convention(kind: str, key: str) -> Convention:
    """One reading (:class:`UnknownEntry` naming the known ones)."""
    for c in CONVENTIONS:
        if c.kind == kind and c.key == key:
            return c
    raise UnknownEntry(
        f"Unknown {kind} {key!r}; choose one of {', '.join(c.key for c in conventions(kind))}."
    )


# --- countries ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Country:
    """A country: its code in the data, its English name and the other codes people type for it."""

    code: str = _f("code in the data (Eurostat: EL for Greece, UK for the United Kingdom; US)")
    name: str = _f("English name")
    aliases: tuple[str, ...] = _f("other codes accepted for it (ISO 3166 alpha-2/alpha-3)", ())
    area: Area = _f("'europe' or 'us'", "europe")


COUNTRIES: Final[tuple[Country, ...]] = (
    Country("AT", "Austria", ("AUT",)),
    Country("BE", "Belgium", ("BEL",)),
    Country("BG", "Bulgaria", ("BGR",)),
    Country("CH", "Switzerland", ("CHE",)),
    Country("CY", "Cyprus", ("CYP",)),
    Country("CZ", "Czechia", ("CZE",)),
    Country("DE", "Germany", ("DEU",)),
    Country("DK", "Denmark", ("DNK",)),
    Country("EE", "Estonia", ("EST",)),
    Country("EL", "Greece", ("GR", "GRC")),
    Country("ES", "Spain", ("ESP",)),
    Country("FI", "Finland", ("FIN",)),
    Country("FR", "France", ("FRA",)),
    Country("HR", "Croatia", ("HRV",)),
    Country("HU", "Hungary", ("HUN",)),
    Country("IE", "Ireland", ("IRL",)),
    Country("IS", "Iceland", ("ISL",)),
    Country("IT", "Italy", ("ITA",)),
    Country("LI", "Liechtenstein", ("LIE",)),
    Country("LT", "Lithuania", ("LTU",)),
    Country("LU", "Luxembourg", ("LUX",)),
    Country("LV", "Latvia", ("LVA",)),
    Country("ME", "Montenegro", ("MNE",)),
    Country("MK", "North Macedonia", ("MKD",)),
    Country("MT", "Malta", ("MLT",)),
    Country("NL", "Netherlands", ("NLD",)),
    Country("NO", "Norway", ("NOR",)),
    Country("PL", "Poland", ("POL",)),
    Country("PT", "Portugal", ("PRT",)),
    Country("RO", "Romania", ("ROU",)),
    Country("RS", "Serbia", ("SRB",)),
    Country("SE", "Sweden", ("SWE",)),
    Country("SI", "Slovenia", ("SVN",)),
    Country("SK", "Slovakia", ("SVK",)),
    Country("TR", "Türkiye", ("TUR",)),
    Country("UK", "United Kingdom", ("GB", "GBR")),
    Country("AL", "Albania", ("ALB",)),
    Country("US", "United States", ("USA",), area="us"),
)


# --- region levels ------------------------------------------------------------------------------
@dataclass(frozen=True)
class RegionLevel:
    """One level of regions of an area, with the words every page, table and report uses for it."""

    area: Area = _f("'europe' (NUTS) or 'us' (US states)")
    level: int = _f("the level number in the store (NUTS 0-3; US states: 1)")
    label: str = _f("short label for menus, captions and exports ('NUTS 2', 'US states')")


LEVELS: Final[tuple[RegionLevel, ...]] = (
    RegionLevel("europe", 0, "NUTS 0"),
    RegionLevel("europe", 1, "NUTS 1"),
    RegionLevel("europe", 2, "NUTS 2"),
    RegionLevel("europe", 3, "NUTS 3"),
    RegionLevel("us", 1, "US states"),
)


def level_label(area: str, level: int, nuts_version: str = "") -> str:
    """What level ``level`` of ``area`` is called ('NUTS 2', 'US states'; 'level N' when not declared);
    with ``nuts_version``, a NUTS level also names its version ('NUTS 2 (2013)'), a US level does not.

    >>> level_label("us", 1, "us"), level_label("europe", 2, "2013")
    ('US states', 'NUTS 2 (2013)')
    """
    label = next((lv.label for lv in LEVELS if lv.area == area and lv.level == int(level)), None)
    if label is None:
        label = f"level {int(level)}"
    return f"{label} ({nuts_version})" if nuts_version and area == "europe" else label


def offers(area: str, metric_key: str) -> bool:
    """Whether the datasets of ``area`` offer metric ``metric_key`` (US states have no cluster stars)."""
    return any(m.key == metric_key and area in m.areas for m in METRICS)


# --- a user's own datasets -----------------------------------------------------------------------
#: Datasets a user added to their store (``cluster-map ingest --add``), registered when the store is
#: opened or built; they are looked up like catalogued ones but never shadow one.
_USER: dict[str, Dataset] = {}
#: Keys of a spec file (``--spec SPEC.toml``) and what they become.
SPEC_KEYS: Final = {
    "title": "the dataset's title",
    "label": "short label for menus",
    "publisher": "who publishes it",
    "licence": "its reuse terms",
    "area": "'europe' or 'us'",
    "sector_scheme": "nace_r2 (default) or another scheme",
    "sector_dim": "dimension with the sector code",
    "indicator_dim": "dimension with the indicator",
    "indicator": "constant indicator when there is no indicator dimension",
    "unit_dim": "dimension with the unit",
    "units": "table indicator -> unit when there is no unit dimension",
    "pins": "table dimension -> code kept",
    "nuts_version": "NUTS version of the geo codes",
    "nuts_by_year": "table first year -> NUTS version",
    "employment": "table indicator, breakdown, factor, unit of the employment cell",
    "establishments": "the same for establishments",
    "wages": "the same for wages",
    "total_code": "sector code of the region's total",
    "excluded": "sector codes left out",
    "map_levels": "region levels the map offers",
    "default_level": "the level a map opens at",
    "report_level": "[region level, sector level] of reports",
    "layout": "'eurostat' (TSV or SDMX-CSV) or 'long_csv' (set by Cluster Map)",
    "tolerated": "table kind -> codes the file holds that the code lists or geometries do not know, accepted "
    "anyway (kinds: region, sector)",
}
#: Why a user's tolerated codes are accepted (the spec file says so).
SPEC_TOLERATED: Final = "declared tolerated in the dataset's spec file"


def _cell_of(value: Any, key: str) -> Cell | None:
    if value is None:
        return None
    if isinstance(value, str):
        return Cell(value)
    if not isinstance(value, dict) or "indicator" not in value:
        raise ValueError(
            f"spec key {key!r} must be an indicator code or a table with 'indicator' "
            "(and optional 'breakdown', 'factor', 'unit')"
        )
    return Cell(
        str(value["indicator"]),
        str(value.get("breakdown", "")),
        float(value.get("factor", 1.0)),
        str(value.get("unit", "persons")),
    )


def user_dataset(
    code: str, spec: dict[str, Any], *, layout: Layout = "eurostat", source_name: str = ""
) -> Dataset:
    """A user's dataset from the keys of a spec file (:data:`SPEC_KEYS`); ``ValueError`` names a bad key."""
    unknown = sorted(set(spec) - set(SPEC_KEYS))
    if unknown:
        raise ValueError(f"unknown spec key(s) {unknown!r}; known keys: {', '.join(SPEC_KEYS)}")
    if code in _BY_CODE:
        raise ValueError(f"{code!r} is a catalogued dataset; give your own dataset another code")
    employment = _cell_of(spec.get("employment"), "employment")
    by_year = tuple(sorted((int(y), str(v)) for y, v in dict(spec.get("nuts_by_year", {})).items()))
    levels = tuple(int(v) for v in spec.get("map_levels", (0, 1, 2, 3)))
    report = spec.get("report_level")
    return Dataset(
        code=code,
        title=str(spec.get("title", code)),
        label=str(spec.get("label", f"Your data: {code}")),
        publisher=str(spec.get("publisher", "user file")),
        licence=str(spec.get("licence", "as stated by its owner")),
        area=spec.get("area", "europe"),
        layout=spec.get("layout", layout),
        official_urls=(),
        mirror_files=(source_name,) if source_name else (),
        role="statistics",
        required=False,
        sector_scheme=str(spec.get("sector_scheme", "nace_r2")),
        sector_dim=spec.get("sector_dim", "nace_r2"),
        indicator_dim=spec.get("indicator_dim", AUTO),
        indicator=str(spec.get("indicator", "")),
        unit_dim=spec.get("unit_dim", AUTO),
        units=tuple((str(k), str(v)) for k, v in dict(spec.get("units", {})).items()),
        pins=tuple((str(k), str(v)) for k, v in dict(spec.get("pins", {})).items()),
        nuts=NutsRule(str(spec.get("nuts_version", "2021")), by_year),
        employment=employment,
        establishments=_cell_of(spec.get("establishments"), "establishments"),
        wages=_cell_of(spec.get("wages"), "wages"),
        total_code=str(spec.get("total_code", "")),
        excluded=tuple(str(c) for c in spec.get("excluded", ())),
        map_levels=levels,
        default_level=int(spec.get("default_level", 2 if 2 in levels else levels[-1])) if levels else None,
        report_level=(int(report[0]), int(report[1])) if report else None,
        region_word="regions",
        sector_word="sectors",
        notes="Added by a user (cluster-map ingest --add).",
        tolerated=_spec_tolerated(spec.get("tolerated", {})),
    )


def _spec_tolerated(value: Any) -> tuple[Tolerated, ...]:
    if not isinstance(value, dict) or not all(k in ("region", "sector") for k in value):
        raise ValueError('spec key \'tolerated\' must be a table like {region = ["HU99"], sector = ["Z99"]}')
    return tuple(
        Tolerated(kind, tuple(str(c) for c in codes), SPEC_TOLERATED) for kind, codes in value.items()
    )


def dataset_to_spec(ds: Dataset) -> dict[str, Any]:
    """The spec keys that rebuild ``ds`` with :func:`user_dataset` (stored beside a user's dataset)."""

    def cell(c: Cell | None) -> dict[str, Any] | None:
        return (
            None
            if c is None
            else {"indicator": c.indicator, "breakdown": c.breakdown, "factor": c.factor, "unit": c.unit}
        )

    out: dict[str, Any] = {
        "title": ds.title,
        "label": ds.label,
        "publisher": ds.publisher,
        "licence": ds.licence,
        "area": ds.area,
        "layout": ds.layout,
        "sector_scheme": ds.sector_scheme,
        "sector_dim": ds.sector_dim,
        "indicator_dim": ds.indicator_dim,
        "indicator": ds.indicator,
        "unit_dim": ds.unit_dim,
        "units": dict(ds.units),
        "pins": dict(ds.pins),
        "nuts_version": ds.nuts.default,
        "nuts_by_year": {str(y): v for y, v in ds.nuts.by_year},
        "employment": cell(ds.employment),
        "establishments": cell(ds.establishments),
        "wages": cell(ds.wages),
        "total_code": ds.total_code,
        "excluded": list(ds.excluded),
        "map_levels": list(ds.map_levels),
        "default_level": ds.default_level,
        "report_level": list(ds.report_level) if ds.report_level else None,
        "tolerated": {t.kind: list(t.codes) for t in ds.tolerated} or None,
    }
    return {k: v for k, v in out.items() if v is not None}


def register(ds: Dataset) -> None:
    """Make a user's dataset known to every layer of this process (a catalogued code cannot be replaced)."""
    if ds.code in _BY_CODE:
        raise ValueError(f"{ds.code!r} is a catalogued dataset and cannot be registered again")
    _USER[ds.code] = ds


def forget(code: str) -> None:
    """Unregister a user's dataset (no error when it is not registered)."""
    _USER.pop(code, None)


def user_datasets() -> tuple[Dataset, ...]:
    """The registered user datasets, by code."""
    return tuple(_USER[c] for c in sorted(_USER))


def _catalogued() -> tuple[Dataset, ...]:
    """The catalogued datasets with each series just before its first part (menu order)."""
    out: list[Dataset] = []
    for d in DATASETS:
        out += [x for s, x in zip(SERIES, SERIES_DATASETS, strict=True) if s.parts[0].dataset == d.code]
        out.append(d)
    return tuple(out)


def _all() -> tuple[Dataset, ...]:
    return _catalogued() + user_datasets()


# --- look-ups -----------------------------------------------------------------------------------
_BY_CODE: Final = {d.code: d for d in DATASETS + SERIES_DATASETS}
_METRICS: Final = {m.key: m for m in METRICS}
_COUNTRIES: Final = {c.code: c for c in COUNTRIES}
_ECOSYSTEMS: Final = {e.slug: e for e in ECOSYSTEMS}
_ALIASES: Final = {a: c.code for c in COUNTRIES for a in (c.code, *c.aliases)}


class UnknownEntry(KeyError):
    """A code the catalogue does not hold (the message lists the ones it does)."""

    def __str__(self) -> str:
        return str(self.args[0])


def dataset(code: str) -> Dataset:
    """The dataset ``code``, catalogued or registered (:class:`UnknownEntry` naming the known codes)."""
    found = find_dataset(code)
    if found is None:
        raise UnknownEntry(f"Unknown dataset {code!r}; known: {', '.join(d.code for d in _all())}.")
    return found


def find_dataset(code: str) -> Dataset | None:
    """The dataset ``code`` (catalogued, else a registered user dataset), or None."""
    return _BY_CODE.get(code) or _USER.get(code)


def datasets(*, role: Role | None = None, area: Area | None = None) -> Iterator[Dataset]:
    """Catalogued then registered datasets, optionally of one role and area."""
    return (d for d in _all() if (role is None or d.role == role) and (area is None or d.area == area))


def statistical() -> tuple[Dataset, ...]:
    """Datasets the metrics engine builds a cube of (user datasets last)."""
    return tuple(d for d in _all() if d.is_statistics)


def mapped() -> tuple[Dataset, ...]:
    """Datasets the map offers, in menu order (user datasets last)."""
    return tuple(d for d in _all() if d.mapped)


def reported() -> tuple[Dataset, ...]:
    """Datasets reports can be built from."""
    return tuple(d for d in _all() if d.report_level is not None)


def eurostat() -> tuple[Dataset, ...]:
    """Datasets read by the Eurostat reader."""
    return tuple(d for d in DATASETS if d.layout == "eurostat")


def metric(key: str) -> Metric:
    """The metric ``key`` (:class:`UnknownEntry` naming the known ones)."""
    try:
        return _METRICS[key]
    except KeyError:
        raise UnknownEntry(f"Unknown metric {key!r}; choose one of {', '.join(_METRICS)}.") from None


def metrics_for(area: Area) -> tuple[Metric, ...]:
    """Metrics the datasets of ``area`` offer."""
    return tuple(m for m in METRICS if area in m.areas)


def country(code: str) -> Country | None:
    """The country of a code or alias (``GR`` -> Greece ``EL``), or None."""
    key = _ALIASES.get(code.strip().upper())
    return _COUNTRIES[key] if key else None


def country_code(code: str) -> str:
    """The data's code for a code or alias (``GR`` -> ``EL``, ``GB`` -> ``UK``); unknown codes upper-cased."""
    found = country(code)
    return found.code if found else code.strip().upper()


def country_name(code: str, default: str | None = None) -> str:
    """English name of a country code or alias (``default``, else the code, when unknown)."""
    found = country(code)
    return found.name if found else (default if default is not None else code)


def ecosystem(slug: str) -> Ecosystem:
    """The ecosystem ``slug`` (:class:`UnknownEntry` naming the known ones)."""
    try:
        return _ECOSYSTEMS[slug]
    except KeyError:
        raise UnknownEntry(f"Unknown ecosystem {slug!r}; choose one of {', '.join(_ECOSYSTEMS)}.") from None


def ecosystem_members() -> dict[str, tuple[str, ...]]:
    """``{slug: divisions summed}`` of every ecosystem (the division approximation)."""
    return {e.slug: e.divisions for e in ECOSYSTEMS}


def series_of(code: str) -> Series | None:
    """The series a dataset belongs to, or None."""
    return next((s for s in SERIES if any(p.dataset == code for p in s.parts)), None)


def series(code: str) -> Series | None:
    """The series whose own code is ``code``, or None (``code`` is a dataset)."""
    return next((s for s in SERIES if s.code == code), None)


def source_dataset(code: str, year: int) -> Dataset | None:
    """The dataset whose observations hold ``code``'s figures of ``year``: the part of a series that
    covers the year, else the dataset itself (None when unknown)."""
    found = series(code)
    return find_dataset(found.part_for(year).dataset if found else code)


def series_break(code: str, year: int) -> str:
    """The break note when ``year`` is a join year of the series ``code`` ('' otherwise)."""
    found = series(code)
    return found.break_note if found is not None and year in found.join_years() else ""


__all__ = [
    "CONVENTIONS",
    "FOCUS_SCOPES",
    "Convention",
    "convention",
    "conventions",
    "COUNTRIES",
    "DATASETS",
    "ECOSYSTEMS",
    "ECOSYSTEM_LEVEL",
    "ECOSYSTEM_SCHEME",
    "ECOSYSTEM_SOURCE",
    "Ecosystem",
    "ecosystem",
    "ecosystem_members",
    "METRICS",
    "SERIES",
    "Cell",
    "Country",
    "Dataset",
    "Figure",
    "LEVELS",
    "RegionLevel",
    "level_label",
    "offers",
    "Metric",
    "NutsRule",
    "Series",
    "SeriesPart",
    "SERIES_BREAK_CAVEAT",
    "SERIES_DATASETS",
    "series",
    "series_break",
    "source_dataset",
    "TOLERATED_REGION_KINDS",
    "Tolerated",
    "Totals",
    "UnknownEntry",
    "country",
    "country_code",
    "country_name",
    "dataset",
    "datasets",
    "eurostat",
    "eurostat_api_url",
    "eurostat_files",
    "field_help",
    "find_dataset",
    "mapped",
    "metric",
    "metrics_for",
    "reported",
    "series_of",
    "statistical",
    "register",
    "forget",
    "user_dataset",
    "user_datasets",
    "dataset_to_spec",
    "SPEC_KEYS",
]


# --- the directory's sector vocabulary, organisation kinds, member sizes and labels ----------------
# (kept after ``__all__`` on purpose: the names are imported explicitly, e.g.
# ``from cluster_map.catalogue import SECTOR_TERMS``)
@dataclass(frozen=True)
class SectorTerm:
    """One sector of the directory vocabulary: the words people use for it and its statistical codes.

    Search treats every word of a term as the same thing (``aeronautics`` finds organisations tagged
    ``aerospace``); the NACE divisions link an organisation to the statistics of its region and the
    US CMP clusters link it to the US benchmark clusters (codes of the ``us_cluster`` scheme).
    """

    key: str = _f("short id of the term (used as a search and filter value)")
    label: str = _f("English name shown in lists")
    nace: tuple[str, ...] = _f("NACE Rev. 2 divisions (Eurostat notation, C30) the term stands for")
    us_clusters: tuple[str, ...] = _f("US CMP benchmark cluster codes (scheme us_cluster) of the term", ())
    words: tuple[str, ...] = _f("words and phrases that mean the term (any case; stemmed when compared)", ())


SECTOR_TERMS: Final[tuple[SectorTerm, ...]] = (
    SectorTerm(
        "aerospace",
        "Aerospace",
        ("C30",),
        ("1",),
        (
            "aerospace",
            "aeronautics",
            "aeronautical",
            "aviation",
            "aircraft",
            "space",
            "space technologies",
            "uav",
            "drones",
            "avionics",
            "Aerospace Vehicles and Defense",
        ),
    ),
    SectorTerm(
        "defence",
        "Defence and security",
        ("C25", "C30", "N80"),
        ("1",),
        ("defence", "defense", "security", "civil security", "cyber security"),
    ),
    SectorTerm(
        "automotive",
        "Automotive",
        ("C29",),
        ("4", "44", "108"),
        (
            "automotive",
            "automobile",
            "cars",
            "motor vehicles",
            "vehicles",
            "automotive suppliers",
            "commercial vehicles",
            "e-mobility",
            "electromobility",
            "electric vehicles",
            "Automotive",
        ),
    ),
    SectorTerm(
        "mobility",
        "Transport, mobility and logistics",
        ("H49", "H50", "H52"),
        ("45", "105"),
        (
            "mobility",
            "transport",
            "transportation",
            "logistics",
            "supply chain",
            "transit",
            "transport systems",
            "Transportation and Logistics",
            "Local Logistical Services",
        ),
    ),
    SectorTerm(
        "rail", "Rail", ("C30", "H49"), ("45",), ("rail", "railway", "rail technology", "rolling stock")
    ),
    SectorTerm(
        "maritime",
        "Maritime and blue economy",
        ("C30", "H50"),
        ("50", "17"),
        ("maritime", "marine", "naval", "shipbuilding", "ports", "blue economy", "Water Transportation"),
    ),
    SectorTerm(
        "ict",
        "ICT and digital",
        ("J61", "J62", "J63"),
        ("23", "8"),
        (
            "ict",
            "it",
            "software",
            "digital",
            "digitalisation",
            "digitalization",
            "digital technologies",
            "telecommunications",
            "mobile communications",
            "mobile technologies",
            "iot",
            "e-services",
            "industrial digitalisation",
            "Information Technology and Analytical Instruments",
            "Communications Equipment and Services",
        ),
    ),
    SectorTerm(
        "electronics",
        "Electronics and microelectronics",
        ("C26", "C27"),
        ("23", "27"),
        (
            "electronics",
            "microelectronics",
            "micro/nano electronics",
            "semiconductors",
            "power electronics",
            "sensors",
            "energy-efficient microelectronics",
            "Lighting and Electrical Equipment",
        ),
    ),
    SectorTerm(
        "photonics",
        "Photonics and optics",
        ("C26",),
        ("23",),
        ("photonics", "optics", "optical", "lasers", "optical fibres"),
    ),
    SectorTerm(
        "energy",
        "Energy",
        ("D35", "C27"),
        ("14", "104"),
        (
            "energy",
            "renewable energy",
            "renewables",
            "solar energy",
            "wind energy",
            "photovoltaics",
            "smart grids",
            "hydro power",
            "green energy",
            "energy efficiency",
            "energy transition",
            "smart energy",
            "energy technology",
            "batteries",
            "Electric Power Generation and Transmission",
            "Local Utilities",
        ),
    ),
    SectorTerm(
        "food",
        "Agri-food",
        ("C10", "C11", "A01"),
        ("18", "101", "2", "28"),
        (
            "food",
            "agrifood",
            "agri-food",
            "nutrition",
            "beverages",
            "wine",
            "viticulture",
            "food processing",
            "seafood",
            "horticulture",
            "agriculture",
            "aquaculture",
            "Food Processing and Manufacturing",
            "Agricultural Inputs and Services",
            "Livestock Processing",
            "Local Food and Beverage Processing and Distribution",
            "Fishing and Fishing Products",
        ),
    ),
    SectorTerm(
        "construction",
        "Construction",
        ("F41", "F42", "F43", "M71"),
        ("9", "115"),
        (
            "construction",
            "building",
            "green building",
            "housing",
            "sustainable construction",
            "architecture",
            "habitat",
            "wood construction",
            "infrastructure",
            "Construction Products and Services",
            "Local Real Estate, Construction, and Development",
        ),
    ),
    SectorTerm(
        "biotech",
        "Biotechnology and pharmaceuticals",
        ("C21", "M72"),
        ("5",),
        (
            "biotech",
            "biotechnology",
            "pharma",
            "pharmaceuticals",
            "life sciences",
            "life science",
            "biotherapies",
            "immunotherapy",
            "personalised medicine",
            "oncology",
            "Biopharmaceuticals",
        ),
    ),
    SectorTerm(
        "medtech",
        "Medical technology",
        ("C32", "C26"),
        ("30",),
        (
            "medtech",
            "medical technology",
            "medical devices",
            "health technology",
            "health technologies",
            "dentistry",
            "diagnostics",
            "Medical Devices",
        ),
    ),
    SectorTerm(
        "health",
        "Health care",
        ("Q86", "Q87"),
        ("103",),
        (
            "health",
            "healthcare",
            "e-health",
            "wellness",
            "ambient assisted living",
            "rehabilitation",
            "medicine",
            "Local Health Services",
        ),
    ),
    SectorTerm(
        "textiles",
        "Textiles, clothing and leather",
        ("C13", "C14", "C15"),
        ("42", "3", "19", "26"),
        (
            "textiles",
            "textile",
            "fashion",
            "clothing",
            "apparel",
            "footwear",
            "leather",
            "smart textiles",
            "flexible materials",
            "Textile Manufacturing",
        ),
    ),
    SectorTerm(
        "wood",
        "Wood and forestry",
        ("C16", "A02"),
        ("51", "20"),
        (
            "wood",
            "forestry",
            "forest-based industries",
            "forest-based products",
            "wood processing",
            "wood materials",
            "wooden houses",
            "Forestry",
        ),
    ),
    SectorTerm("furniture", "Furniture", ("C31",), ("21",), ("furniture", "interior")),
    SectorTerm(
        "plastics",
        "Plastics, rubber and composites",
        ("C22",),
        ("38",),
        (
            "plastics",
            "polymers",
            "rubber",
            "composites",
            "composite technologies",
            "carbon fibre composites",
            "Plastics",
        ),
    ),
    SectorTerm(
        "chemicals",
        "Chemicals",
        ("C20", "C19"),
        ("46", "11"),
        (
            "chemicals",
            "chemistry",
            "green chemistry",
            "sustainable chemistry",
            "petrochemicals",
            "refining",
            "process industry",
            "bio-based products",
            "bioeconomy",
        ),
    ),
    SectorTerm(
        "materials",
        "Metals and materials",
        ("C24", "C25", "C23"),
        ("47", "12", "49"),
        (
            "materials",
            "new materials",
            "advanced materials",
            "lightweight materials",
            "sustainable materials",
            "metal processing",
            "surface treatment",
            "nanotechnology",
            "Upstream Metal Manufacturing",
            "Downstream Metal Products",
        ),
    ),
    SectorTerm(
        "machinery",
        "Machinery, mechatronics and production technology",
        ("C28", "C33"),
        ("40", "32"),
        (
            "machinery",
            "mechatronics",
            "mechanical engineering",
            "automation",
            "robotics",
            "advanced manufacturing",
            "additive manufacturing",
            "industry 4.0",
            "production technologies",
            "smart factory",
            "manufacturing",
            "agricultural machinery",
            "tooling",
            "moulds",
            "Production Technology and Heavy Machinery",
            "Metalworking Technology",
        ),
    ),
    SectorTerm(
        "creative",
        "Cultural and creative industries",
        ("J58", "J59", "J60", "M73"),
        ("29", "48", "37", "33"),
        (
            "creative industries",
            "cultural and creative industries",
            "creative technologies",
            "media",
            "film",
            "gaming",
            "multimedia",
            "culture",
            "design",
            "vr/ar",
            "Marketing, Design, and Publishing",
            "Video Production and Distribution",
            "Performing Arts",
            "Printing Services",
            "Local Entertainment and Media",
        ),
    ),
    SectorTerm(
        "tourism",
        "Tourism",
        ("I55", "I56", "N79"),
        ("22",),
        ("tourism", "hospitality", "health tourism", "winter adventure", "Hospitality and Tourism"),
    ),
    SectorTerm(
        "environment",
        "Environment and cleantech",
        ("E36", "E37", "E38", "E39"),
        ("15",),
        (
            "cleantech",
            "environment",
            "environmental technology",
            "water",
            "circular economy",
            "eco-innovation",
            "water efficiency",
        ),
    ),
    SectorTerm(
        "mining",
        "Mining and raw materials",
        ("B07", "B08"),
        ("31", "34", "35"),
        ("mining", "mineral resources", "oil and gas equipment", "Oil and Gas Production and Transportation"),
    ),
    SectorTerm(
        "finance",
        "Finance",
        ("K64", "K66"),
        ("16", "107"),
        ("finance", "fintech", "Local Financial Services"),
    ),
    SectorTerm(
        "business",
        "Business services",
        ("M70", "N82"),
        ("6", "112"),
        ("business services", "Business Services", "Local Commercial Services"),
    ),
    SectorTerm(
        "education",
        "Education and research",
        ("P85", "M72"),
        ("13", "113"),
        (
            "education",
            "r&d",
            "science",
            "research",
            "Education and Knowledge Creation",
            "Local Education and Training",
        ),
    ),
)


@dataclass(frozen=True)
class OrgKind:
    """A class of organisation (from its stated type), with the colour of its map markers."""

    key: str = _f("id of the class (filter value)")
    label: str = _f("English name")
    colour: str = _f("marker colour on maps and in their legend (#rrggbb, Okabe-Ito colour-blind-safe)")
    words: tuple[str, ...] = _f("words of the stated type that put an organisation in the class", ())


#: Checked in order; the first class with a word in the stated type wins; ``not_stated`` when none.
ORG_KINDS: Final[tuple[OrgKind, ...]] = (
    OrgKind(
        "network",
        "Cluster network or association",
        "#E69F00",  # Okabe-Ito orange
        (
            "network",
            "national cluster",
            "cluster association",
            "association of",
            "platform",
            "programme",
            "support organisation",
            "facilitator",
            "business association",
            "european network",
        ),
    ),
    OrgKind(
        "cluster",
        "Cluster organisation",
        "#0072B2",  # Okabe-Ito blue
        ("cluster", "pôle", "pole", "district", "competitiveness"),
    ),
    OrgKind(
        "other",
        "Other organisation",
        "#009E73",  # Okabe-Ito bluish green
        ("association", "agency", "institute", "university"),
    ),
    OrgKind("not_stated", "Type not stated", "#6E6E6E", ()),  # grey: no hue to confuse with the others
)
#: Marker colour of an organisation whose kind is not one of :data:`ORG_KINDS` (an unknown key).
ORG_KIND_UNKNOWN_COLOUR: Final = "#CC79A7"  # Okabe-Ito reddish purple

MarkerStyle = Literal["point", "region", "country"]


@dataclass(frozen=True)
class LocationPrecision:
    """How precisely an organisation is placed (``organisations.geocode_precision``) and how maps draw it."""

    key: str = _f("value of the geocode_precision column")
    label: str = _f("how the precision is said next to a location, in popups and legends")
    marker: MarkerStyle | None = _f(
        "map marker style: point (filled dot), region (ring), country (large dashed ring); None: not drawn"
    )


#: Most precise first. A point placed at a region or a country is that area's label point, not an address.
LOCATION_PRECISIONS: Final[tuple[LocationPrecision, ...]] = (
    LocationPrecision("coordinates", "exact coordinates", "point"),
    LocationPrecision("city", "city", "point"),
    LocationPrecision("region", "region (label point)", "region"),
    LocationPrecision("country", "country only (label point)", "country"),
    LocationPrecision("none", "not located", None),
)


@dataclass(frozen=True)
class MemberSize:
    """A member-size class of cluster organisations, by their stated total of members."""

    key: str = _f("id of the class (filter value)")
    label: str = _f("English name with the range")
    low: int = _f("smallest total in the class")
    high: int | None = _f("largest total in the class (None: no upper end)")


MEMBER_SIZES: Final[tuple[MemberSize, ...]] = (
    MemberSize("small", "under 50 members", 0, 49),
    MemberSize("medium", "50-149 members", 50, 149),
    MemberSize("large", "150-499 members", 150, 499),
    MemberSize("very_large", "500 members or more", 500, None),
)

#: ESCA / ECEI Cluster Management Excellence label levels, lowest first.
LABEL_LEVELS: Final = ("bronze", "silver", "gold")


def sector_term(key: str) -> SectorTerm:
    """The sector term ``key`` (:class:`UnknownEntry` naming the known ones)."""
    for term in SECTOR_TERMS:
        if term.key == key:
            return term
    raise UnknownEntry(f"Unknown sector {key!r}; choose one of {', '.join(t.key for t in SECTOR_TERMS)}.")


def member_size(total: int | None) -> str | None:
    """The :data:`MEMBER_SIZES` key of a stated total of members (None when not stated)."""
    if total is None:
        return None
    for size in MEMBER_SIZES:
        if total >= size.low and (size.high is None or total <= size.high):
            return size.key
    return None


#: Which field of a :class:`SectorTerm` holds the codes of a sector scheme.
_TERM_FIELDS: Final = {"nace_r2": "nace", "us_cluster": "us_clusters"}


def _nace_letters(code: str) -> frozenset[str]:
    """The NACE sections a code covers: ``C29`` -> {C}; ``B-E`` -> {B, C, D, E}; ``M_N`` -> {M, N}."""
    c = code.strip().upper()
    if re.fullmatch(r"[A-U]-[A-U]", c):
        return frozenset(chr(i) for i in range(ord(c[0]), ord(c[2]) + 1))
    if re.fullmatch(r"[A-U](_[A-U])+", c):
        return frozenset(c.split("_"))
    if re.fullmatch(r"[A-U]\d*", c):
        return frozenset(c[0])
    return frozenset()


def enclosing_sectors(code: str, available: Iterable[str]) -> tuple[str, ...]:
    """NACE Rev. 2 codes of ``available`` that contain ``code``, narrowest first: its section, then the
    A*10 aggregates of sections (``B-E``, ``M_N``) that include that section.

    For a dataset that does not break a sector down as far as ``code`` (the LFS has ``B-E``, not
    ``C29``). ``code`` itself is never returned; a code that is not a NACE division or section gives ().

    >>> enclosing_sectors("C29", ["A", "B-E", "F", "C"])
    ('C', 'B-E')
    >>> enclosing_sectors("M72", ["M_N", "J"])
    ('M_N',)
    """
    c = code.strip().upper()
    if not re.fullmatch(r"[A-U]\d*", c):
        return ()
    letter = c[0]
    found = [
        a for a in available if a != code and letter in _nace_letters(a) and not re.fullmatch(r"[A-U]\d+", a)
    ]
    return tuple(sorted(found, key=lambda a: (len(_nace_letters(a)), a)))


def equivalent_sectors(code: str, *, source: str, target: str) -> tuple[str, ...]:
    """Sector codes of scheme ``target`` that the catalogue declares equivalent to ``code`` of ``source``.

    The same scheme: ``(code,)``. Between NACE Rev. 2 (``nace_r2``) and the US CMP benchmark clusters
    (``us_cluster``) the equivalents are those of the :data:`SECTOR_TERMS` that name ``code``, in
    catalogue order (C29 -> automotive -> 4 Automotive, 44, 108). Empty when nothing is declared.

    >>> equivalent_sectors("C29", source="nace_r2", target="us_cluster")[0]
    '4'
    """
    if source == target:
        return (code,)
    src, dst = _TERM_FIELDS.get(source), _TERM_FIELDS.get(target)
    if src is None or dst is None:
        return ()
    found = [c for t in SECTOR_TERMS if code in getattr(t, src) for c in getattr(t, dst)]
    return tuple(dict.fromkeys(found))
