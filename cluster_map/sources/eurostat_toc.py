"""Eurostat's table of contents: what the dissemination API offers now, for every dataset at once.

The Catalogue API's TOC (``https://ec.europa.eu/eurostat/api/dissemination/catalogue/toc/txt?lang=en``,
documented under "API - Detailed guidelines - Catalogue API - TOC") is one tab-separated text file,
quoted, with the header::

    "title"	"code"	"type"	"last update of data"	"last table structure change"	"data start"	"data end"	"values"

one line per folder, dataset or table (titles indented by four spaces per level of the navigation
tree; a dataset may appear in several folders). Dates are ``DD.MM.YYYY`` (some copies write ISO 8601
``YYYY-MM-DDThh:mm:ss+hhmm``); ``data start``/``data end`` are periods (``2008``, ``2015-Q4``).
``cluster-map sources check`` reads it in one request for all catalogued Eurostat datasets.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Final

from cluster_map.errors import SourceError

TOC_URL: Final = "https://ec.europa.eu/eurostat/api/dissemination/catalogue/toc/txt?lang=en"
TOC_COLUMNS: Final = (
    "title",
    "code",
    "type",
    "last update of data",
    "last table structure change",
    "data start",
    "data end",
)


@dataclass(frozen=True)
class TocEntry:
    """One dataset of the TOC: its last update and the periods it covers."""

    code: str  # lower case
    title: str
    last_update: datetime | None  # 'last update of data' (naive UTC; midnight when only a date is given)
    structure_change: datetime | None
    data_start: str
    data_end: str
    values: int | None

    @property
    def latest_year(self) -> int | None:
        """The year of ``data end`` (``2023`` of ``2023``, ``2023-Q4``, ``2023M12``), None when absent."""
        head = self.data_end[:4]
        return int(head) if head.isdigit() else None


def parse_date(text: str) -> datetime | None:
    """A TOC date (``DD.MM.YYYY`` or ISO 8601 with an offset) as a naive UTC datetime; None when empty."""
    text = text.strip()
    if not text:
        return None
    for fmt in ("%d.%m.%Y", "%Y-%m-%dT%H:%M:%S%z", "%Y-%m-%d"):
        try:
            parsed = datetime.strptime(text, fmt)
        except ValueError:
            continue
        return parsed.astimezone(UTC).replace(tzinfo=None) if parsed.tzinfo else parsed
    return None


def parse_toc(text: str, *, name: str = "table of contents") -> dict[str, TocEntry]:
    """``{code (lower case): TocEntry}`` of the datasets and tables of a TOC text (folders left out).

    A TOC without the expected header columns is a :class:`SourceError` naming them.
    """
    rows = csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter="\t", quotechar='"')
    header = [h.strip().lower() for h in next(rows, [])]
    missing = [c for c in TOC_COLUMNS if c not in header]
    if missing:
        raise SourceError(
            f"{name}: line 1 lacks column(s) {missing!r}; columns are {header[:10]!r}. "
            f"Eurostat's TOC is {TOC_URL}."
        )
    at = {c: header.index(c) for c in header}
    out: dict[str, TocEntry] = {}
    for row in rows:
        if len(row) < len(TOC_COLUMNS):
            continue
        kind = row[at["type"]].strip()
        code = row[at["code"]].strip().lower()
        if kind not in {"dataset", "table"} or not code or code in out:
            continue
        count = row[at["values"]].strip() if "values" in at and at["values"] < len(row) else ""
        out[code] = TocEntry(
            code=code,
            title=row[at["title"]].strip(),
            last_update=parse_date(row[at["last update of data"]]),
            structure_change=parse_date(row[at["last table structure change"]]),
            data_start=row[at["data start"]].strip(),
            data_end=row[at["data end"]].strip(),
            values=int(count) if count.isdigit() else None,
        )
    return out


def read_toc(fetch_text: Callable[[str], str]) -> dict[str, TocEntry]:
    """The TOC read with ``fetch_text(url)`` (e.g. :func:`cluster_map.sources.fetch.get_text`)."""
    return parse_toc(fetch_text(TOC_URL), name=TOC_URL)
