"""The records a dataset is declared with: its cells, key figures, NUTS rule, totals, series and
tolerated codes, and :class:`Dataset` itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from cluster_map.catalogue.base import Area, Benchmark, CodeKind, Layout, Role, _f
from cluster_map.schema import EUROSTAT_API_TSV


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
    value_added_from: str = _f(
        "dataset whose value_added cell, matched by region, sector, year and NUTS version, is the numerator "
        "of value added per person employed (gva_ratio) ('' when none)",
        "",
    )
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
        from cluster_map.catalogue.datasets import DATASETS  # the module that declares them imports this one

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
