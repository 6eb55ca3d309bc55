"""Which countries a year's benchmark holds, and which years are fit to open a view with.

The dataset benchmark (``E_s``, ``E``) sums the regions that have data in the year. In the mirror's SBS,
2015 holds 17 of the 29 countries of 2014: "Europe's" C29 is then mostly Germany (50.7%), and every LQ of
that year compares regions with a different, smaller Europe. Such a year is never a default (map, profile,
report, star clusters); when a user picks it, the page or report says which countries the benchmark holds.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from cluster_map import catalogue
from cluster_map.store import queries

#: A year is complete when its benchmark holds at least this share of the countries of the dataset's
#: fullest year (one or two countries late with their figures do not make a year partial).
FULL_COVERAGE: Final = 0.9


@dataclass(frozen=True)
class Coverage:
    """The countries of each year's benchmark of one dataset and level."""

    dataset: str
    level: int
    countries: dict[int, tuple[str, ...]]

    @property
    def fullest(self) -> int:
        """Number of countries of the fullest year."""
        return max((len(c) for c in self.countries.values()), default=0)

    def complete(self, year: int) -> bool:
        """Whether the benchmark of ``year`` holds (nearly) every country of the fullest year."""
        have = self.countries.get(int(year))
        return have is not None and len(have) >= FULL_COVERAGE * self.fullest

    def partial_years(self) -> tuple[int, ...]:
        """Years whose benchmark covers only part of the dataset's countries."""
        return tuple(y for y in sorted(self.countries) if not self.complete(y))

    def default_year(self, years: tuple[int, ...] | list[int]) -> int | None:
        """The latest of ``years`` whose benchmark is complete (else the latest of ``years``)."""
        full = [int(y) for y in years if self.complete(int(y))]
        return max(full) if full else (max(int(y) for y in years) if len(years) else None)

    def note(self, year: int | None) -> str:
        """'' for a complete year, else the sentence a page or report shows about its benchmark."""
        if year is None or self.complete(int(year)) or int(year) not in self.countries:
            return ""
        have = self.countries[int(year)]
        names = ", ".join(f"{catalogue.country_name(c)} ({c})" for c in have)
        return (
            f"The benchmark of {year} holds only {len(have)} of the {self.fullest} countries of the fullest "
            f"year: {names}. Its LQs and stars compare regions with these countries, not with all of Europe."
        )


def coverage(con: Any, dataset: str, *, level: int) -> Coverage:
    """The benchmark countries per year of ``dataset`` at region ``level``."""
    rows = queries.benchmark_countries(con, dataset, level=level)
    return Coverage(
        dataset=dataset,
        level=int(level),
        countries={
            int(y): tuple(str(c) for c in cs) for y, cs in zip(rows["year"], rows["countries"], strict=True)
        },
    )
