"""Damaged source files: empty, binary, cut off, or not the workbook they claim to be.

Readers open their text tables and workbooks through these functions, so that a damaged file ends in
one :class:`~cluster_map.errors.SourceError` naming the file and saying what to do (download it
again), never in a parser's own exception (pandas ``EmptyDataError``, ``zipfile.BadZipFile``,
xlrd's ``IndexError`` ...), which would reach a user as a traceback.

A table is *cut off* (a truncated download or copy) when its last record has fewer fields than its
header, when a file with LF line breaks does not end with one (every official file does), or, for a
file whose lines end with CR only, when its last value is the start of another value in its column
(``Information Techno`` for ``Information Technology ...``).
"""

from __future__ import annotations

import csv
import io
import warnings
from pathlib import Path
from typing import Any, Final

import pandas as pd

from cluster_map.errors import SourceError

#: What to do about a damaged official file.
DOWNLOAD_AGAIN: Final = "download it again from the official source (or restore it in the mirror)"
#: How many leading bytes are looked at to tell a text file from a binary one.
SNIFF: Final = 8192


def read_source_bytes(path: str | Path, *, name: str | None = None, advice: str = DOWNLOAD_AGAIN) -> bytes:
    """The bytes of a text source file; empty (or blank) and binary files raise :class:`SourceError`."""
    label = name or Path(path).name
    try:
        data = Path(path).read_bytes()
    except OSError as exc:
        raise SourceError(f"{label}: cannot be read ({exc.strerror or exc}); {advice}.") from exc
    if not data.strip():
        raise SourceError(f"{label}: the file is empty ({len(data)} bytes); {advice}.")
    nul = data.find(b"\x00", 0, SNIFF)
    if nul >= 0:
        raise SourceError(
            f"{label}: binary data, not a text file (a NUL byte at offset {nul}); "
            f"is it the right file? {advice[0].upper()}{advice[1:]}."
        )
    return data


def decode(data: bytes, *, name: str, encoding: str = "utf-8", advice: str = DOWNLOAD_AGAIN) -> str:
    """``data`` as text; a byte that is not ``encoding`` raises :class:`SourceError` with its line."""
    try:
        return data.decode(encoding)
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(
            f"{name}: line {line}: byte {data[exc.start : exc.start + 1]!r} at offset {exc.start} "
            f"is not {encoding}; {advice}."
        ) from exc


def check_line_end(text: str, *, name: str, advice: str = DOWNLOAD_AGAIN) -> None:
    """Raise :class:`SourceError` when ``text`` has LF line breaks but does not end with one (cut off)."""
    if "\n" in text and not text.endswith(("\n", "\r")):
        n = text.count("\n") + 1
        raise SourceError(
            f"{name}: line {n} ends without a line break: the file looks cut off (a truncated "
            f"download?); {advice}. If the file is complete, end it with a line break."
        )


def check_complete(
    text: str, *, name: str, delimiter: str = ",", advice: str = DOWNLOAD_AGAIN, line_breaks: bool = True
) -> None:
    """Raise :class:`SourceError` when the table ``text`` is cut off (see the module docstring).

    ``line_breaks=False`` skips the "ends with a line break" rule (for files people edit by hand).
    """
    if line_breaks:
        check_line_end(text, name=name, advice=advice)
    try:
        records = [r for r in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter) if any(r)]
    except csv.Error as exc:
        raise SourceError(f"{name}: cannot be read as a table ({exc}); {advice}.") from exc
    if len(records) < 2:
        return
    header, last = records[0], records[-1]
    if len(last) < len(header):
        raise SourceError(
            f"{name}: the last line has {len(last)} of the {len(header)} fields of the header: the "
            f"file looks cut off (a truncated download?); {advice}."
        )
    if line_breaks and "\n" not in text and not text.endswith("\r") and len(last) == len(header):
        value = last[-1]
        longer = (
            next(
                (
                    r[-1]
                    for r in records[1:-1]
                    if len(r) == len(header) and r[-1] != value and r[-1].startswith(value)
                ),
                None,
            )
            if value
            else None
        )
        if longer is not None:
            raise SourceError(
                f"{name}: the last line ends in {value!r}, the start of {longer!r}: the file looks "
                f"cut off (a truncated download?); {advice}."
            )


def read_table(
    path: str | Path,
    *,
    name: str | None = None,
    encoding: str = "utf-8",
    delimiter: str = ",",
    advice: str = DOWNLOAD_AGAIN,
    line_breaks: bool = True,
    **read_csv: Any,
) -> pd.DataFrame:
    """A delimited text table read with :func:`pandas.read_csv` (``read_csv`` options), checked first.

    Empty, binary, undecodable, cut-off or unparsable files raise :class:`SourceError` naming the file.
    """
    label = name or Path(path).name
    data = read_source_bytes(path, name=label, advice=advice)
    text = decode(
        data,
        name=label,
        encoding="utf-8-sig" if encoding.lower() in ("utf-8", "utf8") else encoding,
        advice=advice,
    )
    check_complete(text, name=label, delimiter=delimiter, advice=advice, line_breaks=line_breaks)
    try:
        return pd.read_csv(io.StringIO(text), sep=delimiter, **read_csv)
    except (pd.errors.EmptyDataError, pd.errors.ParserError, ValueError) as exc:
        raise SourceError(f"{label}: cannot be read as a table ({exc}); {advice}.") from exc


def open_workbook(path: str | Path, *, name: str | None = None, advice: str = DOWNLOAD_AGAIN) -> pd.ExcelFile:
    """An Excel workbook (``.xlsx`` with openpyxl, ``.xls`` with xlrd) opened for reading its sheets.

    An empty, truncated or non-Excel file raises :class:`SourceError` naming the file.
    """
    label = name or Path(path).name
    try:
        size = Path(path).stat().st_size
    except OSError as exc:
        raise SourceError(f"{label}: cannot be read ({exc.strerror or exc}); {advice}.") from exc
    if size == 0:
        raise SourceError(f"{label}: the workbook is empty (0 bytes); {advice}.")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return pd.ExcelFile(path)
    # openpyxl, xlrd and zipfile raise many types on a damaged file (BadZipFile, XLRDError, CompDocError,
    # IndexError, KeyError, struct.error, EOFError ...); each means "not a readable workbook" here.
    except Exception as exc:  # noqa: BLE001
        raise SourceError(
            f"{label}: not a readable Excel workbook ({type(exc).__name__}: {exc}); the file is "
            f"truncated or not a workbook: {advice}."
        ) from exc


def read_sheet(
    book: pd.ExcelFile,
    sheet: str,
    *,
    name: str,
    header: int | None = 0,
    advice: str = DOWNLOAD_AGAIN,
    **read_excel: Any,
) -> pd.DataFrame:
    """One sheet of ``book`` as a frame; a missing or unreadable sheet raises :class:`SourceError`."""
    if sheet not in book.sheet_names:
        raise SourceError(
            f"{name}: no sheet {sheet!r} (sheets: {book.sheet_names[:10]!r}); is this the official "
            f"workbook? If so, {advice}."
        )
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return book.parse(sheet, header=header, **read_excel)
    except Exception as exc:  # noqa: BLE001  (as in open_workbook: a damaged sheet raises many types)
        raise SourceError(
            f"{name}, sheet {sheet!r}: cannot be read ({type(exc).__name__}: {exc}); {advice}."
        ) from exc


def lines_with_values(
    path: str | Path, values: set[str], *, delimiter: str = ",", limit: int = 5
) -> dict[str, list[int]]:
    """Line numbers (1-based, at most ``limit`` per value) of the records of a delimited text file that
    hold one of ``values`` as a whole field (gzipped files are read unzipped). Used to name the lines of
    codes an ingest refuses; a plain loop, run only then."""
    import gzip

    data = Path(path).read_bytes()
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    found: dict[str, list[int]] = {v: [] for v in values}
    text = data.decode("utf-8", "replace").removeprefix("\ufeff")
    for n, line in enumerate(text.split("\n"), start=1):
        for field_ in next(csv.reader([line], delimiter=delimiter), []):
            hits = found.get(field_.strip())
            if hits is not None and len(hits) < limit and (not hits or hits[-1] != n):
                hits.append(n)
    return found
