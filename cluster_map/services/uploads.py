"""A user's own CSV: validated at the boundary, then specialisation metrics computed for it.

Upload format (UTF-8, comma-separated, one header line)::

    region,sector,year,employment[,establishments][,country]
    AT13,C29,2015,1100
    AT13,F41,2015,380

``region`` and ``sector`` are codes of the user's choice (NUTS codes are checked against the store when
``known_regions`` is given); ``year`` is a 4-digit year; ``employment`` a number >= 0. Every problem
of the file is reported at once, each naming the line, the column and the value; nothing is kept
when there is a problem. The result lives only in the caller's session (the UI never caches it).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Collection
from dataclasses import dataclass
from typing import Final

import pandas as pd

from cluster_map.errors import InputError
from cluster_map.services.metrics import compute_long

REQUIRED: Final = ("region", "sector", "year", "employment")
OPTIONAL: Final = ("establishments", "country")
MAX_BYTES: Final = 5_000_000
MAX_ROWS: Final = 200_000
MAX_SHOWN: Final = 20
_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,16}$")


@dataclass(frozen=True)
class Upload:
    """A validated upload and its metrics (one row per region x sector x year)."""

    name: str
    rows: int
    observations: pd.DataFrame  # region, sector, year, employment[, establishments, country]
    metrics: pd.DataFrame  # METRIC_COLUMNS: shares, lq, stars, strong ... (compute_long)


def _fail(name: str, problems: list[str]) -> InputError:
    shown = "\n".join(f"- {p}" for p in problems[:MAX_SHOWN])
    more = f"\n- ... and {len(problems) - MAX_SHOWN} more" if len(problems) > MAX_SHOWN else ""
    return InputError(
        f"{name!r} was not imported ({len(problems)} problem{'s' if len(problems) > 1 else ''}; "
        f"fix them and upload again, nothing was changed):\n{shown}{more}"
    )


def parse(
    data: bytes, *, name: str = "upload.csv", known_regions: Collection[str] | None = None
) -> pd.DataFrame:
    """Validate the bytes of an upload and return its rows (``region, sector, year, employment`` ...).

    Raises
    ------
    InputError
        Listing every problem: encoding (with the byte offset), delimiter, missing columns, bad codes,
        years or numbers (with line, column and value), unknown regions, duplicate keys.
    """
    if len(data) > MAX_BYTES:
        raise _fail(name, [f"the file has {len(data):,} bytes; the limit is {MAX_BYTES:,} (split it)"])
    nul = data.find(b"\x00", 0, 8192)
    if nul >= 0:
        raise _fail(
            name,
            [
                f"the file holds binary data (a NUL byte at offset {nul}), not CSV text; export your table "
                "as CSV UTF-8 and upload that file"
            ],
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise _fail(
            name,
            [
                f"line {line}: byte {data[exc.start : exc.start + 1]!r} at offset {exc.start} is not "
                f"UTF-8; save the file as UTF-8 (CSV UTF-8 in Excel)"
            ],
        ) from None
    if not text.strip():
        raise _fail(name, [f"the file is empty; the first line must be the header {','.join(REQUIRED)}"])
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip().lower() for h in next(reader)]
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        sep = "';'" if ";" in header[0] else "a tab"
        raise _fail(name, [f"line 1: the header {header[0][:60]!r} is separated by {sep}; use commas"])
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise _fail(
            name,
            [
                f"line 1: missing column{'s' if len(missing) > 1 else ''} {missing!r}; the header has "
                f"{header!r} and needs {list(REQUIRED)!r} (optional: {list(OPTIONAL)!r})"
            ],
        )
    dupes = sorted({h for h in header if header.count(h) > 1})
    if dupes:
        raise _fail(name, [f"line 1: column{'s' if len(dupes) > 1 else ''} {dupes!r} appear more than once"])
    known = set(known_regions) if known_regions is not None else None
    problems: list[str] = []
    records: list[dict[str, object]] = []
    seen: dict[tuple[str, str, int], int] = {}
    for lineno, row in enumerate(reader, start=2):
        if not row or all(not c.strip() for c in row):
            continue
        if len(records) >= MAX_ROWS:
            problems.append(f"more than {MAX_ROWS:,} data rows; split the file")
            break
        if len(row) != len(header):
            problems.append(f"line {lineno}: {len(row)} fields, the header has {len(header)}")
            continue
        cell = {h: v.strip() for h, v in zip(header, row, strict=True)}
        rec: dict[str, object] = {}
        for col in ("region", "sector"):
            if not _CODE.match(cell[col]):
                problems.append(
                    f"line {lineno}, column {col!r}: {cell[col][:40]!r} is not a code "
                    f"(letters, digits, '-', '_', '.'; 1-16 characters)"
                )
            rec[col] = cell[col]
        if known is not None and _CODE.match(cell["region"]) and cell["region"] not in known:
            problems.append(
                f"line {lineno}, column 'region': unknown region code {cell['region']!r}; use NUTS "
                f"codes of the store (e.g. AT13) or US state FIPS codes"
            )
        year = cell["year"]
        if not (year.isdigit() and len(year) == 4 and 1900 <= int(year) <= 2100):
            problems.append(f"line {lineno}, column 'year': {year[:20]!r} is not a year (1900-2100)")
        else:
            rec["year"] = int(year)
        for col in ("employment", "establishments"):
            if col not in cell:
                continue
            raw = cell[col]
            if col == "establishments" and raw == "":
                rec[col] = None
                continue
            try:
                value = float(raw)
                if not (value >= 0 and value < 1e12):
                    raise ValueError
                rec[col] = value
            except ValueError:
                problems.append(
                    f"line {lineno}, column {col!r}: {raw[:30]!r} is not a number >= 0 "
                    f"(use '.' for decimals, no thousands separator)"
                )
        if "country" in cell:
            rec["country"] = cell["country"].upper() or str(cell["region"])[:2]
        key = (str(rec["region"]), str(rec["sector"]), int(rec.get("year", -1)))  # type: ignore[call-overload]
        if "year" in rec and key in seen:
            problems.append(
                f"line {lineno}: region {key[0]!r}, sector {key[1]!r}, year {key[2]} already given "
                f"in line {seen[key]}"
            )
        elif "year" in rec:
            seen[key] = lineno
        records.append(rec)
    if not records and not problems:
        problems.append("the file has a header but no data rows")
    if problems:
        raise _fail(name, problems)
    return pd.DataFrame.from_records(records)


def load(
    data: bytes,
    *,
    name: str = "upload.csv",
    known_regions: Collection[str] | None = None,
    min_employment: float = 0.0,
) -> Upload:
    """Validate an upload (:func:`parse`) and compute its metrics per year with the statistics engine
    (:func:`cluster_map.services.metrics.compute_long`: shares, LQ, stars, US CMP flags).

    The benchmark is the upload itself (all its regions, per year): ``LQ = (E_rs/E_r)/(E_s/E)``.
    """
    rows = parse(data, name=name, known_regions=known_regions)
    metrics = compute_long(
        rows.drop(columns=[c for c in ("country",) if c in rows.columns]), min_employment=min_employment
    )
    return Upload(name=name, rows=len(rows), observations=rows, metrics=metrics.reset_index(drop=True))
