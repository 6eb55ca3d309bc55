"""A user's own statistics file: which kind it is, and a long CSV read into observations.

Eurostat TSV (either layout) and SDMX-CSV go through :mod:`cluster_map.sources.eurostat`; a long CSV
has one row per region x sector x year with the columns ``region, sector, year, employment`` and
optionally ``establishments`` and ``wages``. Every problem of a file is reported at once, with its line.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Literal

import pandas as pd

from cluster_map.errors import SourceError
from cluster_map.schema import OBSERVATION_COLUMNS
from cluster_map.sources.eurostat import read_bytes

Kind = Literal["eurostat_tsv", "sdmx_csv", "long_csv"]
LONG_REQUIRED = ("region", "sector", "year", "employment")
LONG_OPTIONAL = ("establishments", "wages")


def kind_of(path: str | Path) -> Kind:
    """What kind of statistics file ``path`` is, from its first line."""
    name = Path(path).name
    data = read_bytes(path).lstrip(b"\xef\xbb\xbf")
    if not data.strip():
        raise SourceError(f"{name}: the file is empty; export the data again.")
    first = data.split(b"\n", 1)[0].decode("utf-8", "replace").strip()
    if first.startswith(("DATAFLOW", '"DATAFLOW"', "STRUCTURE")):
        return "sdmx_csv"
    if "\\" in first.split("\t", 1)[0]:
        return "eurostat_tsv"
    header = {c.strip().strip('"').lower() for c in first.split(",")}
    if set(LONG_REQUIRED) <= header:
        return "long_csv"
    raise SourceError(
        f"{name}: line 1 {first[:80]!r} is neither a Eurostat TSV header (e.g. "
        "'freq,unit,nace_r2,geo\\TIME_PERIOD'), nor SDMX-CSV (DATAFLOW,...), nor a long CSV with "
        f"columns {', '.join(LONG_REQUIRED)}; convert the file to one of these."
    )


def read_long_csv(
    path: str | Path, *, dataset: str, nuts_version: str, sector_scheme: str = "nace_r2"
) -> pd.DataFrame:
    """Observations (:data:`~cluster_map.schema.OBSERVATION_COLUMNS`) of a long CSV.

    Indicators are the column names (``employment``, ``establishments``, ``wages``), unit ``NR`` (wages
    ``''``); empty cells are not available (NULL). Raises :class:`SourceError` listing every bad line:
    a non-numeric or negative value, a bad year, an empty region or sector, a duplicate key.
    """
    name = Path(path).name
    try:
        raw = pd.read_csv(io.BytesIO(read_bytes(path)), dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise SourceError(f"{name}: cannot be read as a UTF-8 CSV ({exc}); save it as CSV UTF-8.") from exc
    raw.columns = [str(c).strip().lower() for c in raw.columns]
    missing = [c for c in LONG_REQUIRED if c not in raw.columns]
    if missing:
        raise SourceError(f"{name}: line 1 lacks column(s) {missing!r}; found {list(raw.columns)!r}.")
    problems: list[str] = []
    for col in ("region", "sector"):
        for i in raw.index[raw[col].str.strip() == ""][:20]:
            problems.append(f"{name}: line {i + 2}, column {col!r}: empty")
    years = pd.to_numeric(raw["year"], errors="coerce")
    for i in raw.index[years.isna() | (years % 1 != 0)][:20]:
        problems.append(f"{name}: line {i + 2}, column 'year': {raw['year'][i]!r} is not a year")
    values = {}
    for col in (*LONG_REQUIRED[3:], *[c for c in LONG_OPTIONAL if c in raw.columns]):
        text = raw[col].str.strip()
        num = pd.to_numeric(text, errors="coerce")
        for i in raw.index[num.isna() & (text != "")][:20]:
            problems.append(f"{name}: line {i + 2}, column {col!r}: {raw[col][i]!r} is not a number")
        for i in raw.index[num < 0][:20]:
            problems.append(f"{name}: line {i + 2}, column {col!r}: {raw[col][i]!r} is negative")
        values[col] = num
    dup = raw.duplicated(["region", "sector", "year"])
    for i in raw.index[dup][:20]:
        problems.append(
            f"{name}: line {i + 2}: duplicate region, sector and year "
            f"({raw['region'][i]!r}, {raw['sector'][i]!r}, {raw['year'][i]!r})"
        )
    if problems:
        raise SourceError(
            f"{name}: {len(problems)} problem(s); nothing was loaded. Fix the lines below.", problems
        )
    if raw.empty:
        raise SourceError(f"{name}: no data rows under the header; nothing to load.")
    parts = []
    for col, num in values.items():
        parts.append(
            pd.DataFrame(
                {
                    "dataset": dataset,
                    "region": raw["region"].str.strip(),
                    "region_original": raw["region"].str.strip(),
                    "nuts_version": nuts_version,
                    "sector_scheme": sector_scheme,
                    "sector": raw["sector"].str.strip(),
                    "indicator": col,
                    "unit": "" if col == "wages" else "NR",
                    "breakdown": "",
                    "year": years.astype("int64"),
                    "value": num.astype("float64"),
                    "flags": "",
                }
            )
        )
    return pd.concat(parts, ignore_index=True)[list(OBSERVATION_COLUMNS)]
