"""The country report as a plain object: assembled first (services), rendered second (html/pdf/workbook).

Nothing here reads the store or draws: a ``CountryReport`` holds values, tables (pandas DataFrames) and
pre-rendered static map images (PNG bytes), so every renderer shows the same numbers.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd


@dataclass(frozen=True)
class KeyFigure:
    """One headline number of the report."""

    label: str
    value: float | int | str | None
    unit: str = ""
    note: str = ""

    def formatted(self) -> str:
        v = self.value
        if v is None or (isinstance(v, float) and pd.isna(v)):
            return "n/a"
        if isinstance(v, float):
            text = f"{v:,.2f}" if abs(v) < 100 else f"{v:,.0f}"
        elif isinstance(v, int):
            text = f"{v:,}"
        else:
            text = str(v)
        return f"{text} {self.unit}".strip()


@dataclass(frozen=True)
class ReportTable:
    """A titled table; ``frame`` columns are shown in order with ``columns`` as display names."""

    key: str  # sheet / anchor name, short and unique in the report
    title: str
    frame: pd.DataFrame
    note: str = ""
    columns: dict[str, str] = field(default_factory=dict)  # column -> display label
    print_rows: int | None = None  # PDF/HTML show the first rows only (the workbook has all)
    print_columns: tuple[str, ...] | None = None  # PDF/HTML show these columns only (default all)
    text_width: int | None = 90  # PDF/HTML cut longer text cells (None: never; the workbook keeps all)

    def display_frame(self) -> pd.DataFrame:
        """All rows and columns, with display names (the workbook's sheet)."""
        return self.frame.rename(columns=self.columns) if self.columns else self.frame

    def print_frame(self) -> pd.DataFrame:
        """The rows and columns shown in the PDF/HTML, with display names."""
        frame = self.frame
        if self.print_columns is not None:
            frame = frame[[c for c in self.print_columns if c in frame.columns]]
        if self.print_rows is not None:
            frame = frame.head(self.print_rows)
        return frame.rename(columns=self.columns) if self.columns else frame

    @property
    def truncated(self) -> bool:
        """True when the PDF/HTML shows fewer rows than the workbook."""
        return self.print_rows is not None and len(self.frame) > self.print_rows


@dataclass(frozen=True)
class ReportMap:
    """A static choropleth already drawn to PNG."""

    title: str
    png: bytes
    caption: str = ""


@dataclass(frozen=True)
class ReportSection:
    """A section: prose paragraphs (plain text, escaped at render), tables and maps, in that order."""

    key: str
    title: str
    paragraphs: tuple[str, ...] = ()
    tables: tuple[ReportTable, ...] = ()
    maps: tuple[ReportMap, ...] = ()


@dataclass(frozen=True)
class CountryReport:
    """Everything a country report shows."""

    country: str  # code, e.g. 'DE'
    country_name: str
    dataset: str
    dataset_title: str
    year: int
    level: int
    nuts_version: str
    vintage: str  # e.g. 'Eurostat sbs_r_nuts06_r2, extracted 2026-11-25 (data 2008-2015)'
    generated_at: datetime
    key_figures: tuple[KeyFigure, ...]
    sections: tuple[ReportSection, ...]
    sources: (
        pd.DataFrame
    )  # code, title, publisher, licence, source_url, retrieved_from, extracted_at, checksum
    parameters: dict[str, str] = field(default_factory=dict)
    #: What the report is about: a country, a region (NUTS 2, a US state) or a custom group of regions.
    kind: str = "country"  # 'country', 'region' or 'custom region'
    members: tuple[str, ...] = ()  # the regions of a custom region

    @property
    def title(self) -> str:
        return f"Cluster Map {self.kind} report: {self.country_name} ({self.country})"

    @property
    def subject_label(self) -> str:
        """'Country', 'Region' or 'Custom region' (the title page's first row)."""
        return self.kind[:1].upper() + self.kind[1:]

    @property
    def subtitle(self) -> str:
        return f"{self.subject_label} report on industrial clusters and " + (
            "regional specialisation" if self.kind == "country" else "specialisation"
        )

    @property
    def regions(self) -> str:
        """The regions compared, e.g. 'NUTS 2013 level 2' or 'US states'."""
        return "US states" if self.nuts_version == "us" else f"NUTS {self.nuts_version} level {self.level}"

    @property
    def citation(self) -> str:
        return (
            f"Cluster Map ({self.generated_at:%Y}). {self.title}, {self.dataset_title} "
            f"({self.dataset}), {self.year}, {self.regions}. "
            f"Generated {self.generated_at:%Y-%m-%d}. Source data: {self.vintage}."
        )

    def tables(self) -> list[ReportTable]:
        """Every table of the report in reading order (for the workbook)."""
        return [t for s in self.sections for t in s.tables]
