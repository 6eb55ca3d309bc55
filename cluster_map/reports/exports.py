"""Table exports: one frame in, the bytes of a CSV, XLSX, Parquet or GeoJSON file out.

Every text cell written to CSV or XLSX is protected against formula injection: a spreadsheet program
would run a cell such as ``=cmd|' /C calc'!A0`` as a formula, so text starting with one of
``= + - @`` or a tab / carriage return gets a leading apostrophe (OWASP, "CSV Injection"). Numbers
stay numbers (a negative number is not text and is written as a number). Parquet and GeoJSON are data
formats read by programs, not spreadsheets, and are written unchanged.

Each export can travel with a provenance sidecar (:func:`provenance`): a small JSON document naming
the sources (dataset codes, publishers, licences, URLs, extraction times, checksums) and the
parameters (dataset, sector, year, level, benchmark, ...) that produced the table.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from cluster_map.errors import ReportError

Format = Literal["csv", "xlsx", "parquet", "geojson"]

#: Characters that make a spreadsheet read a text cell as a formula (OWASP CSV injection).
FORMULA_PREFIXES: Final = ("=", "+", "-", "@", "\t", "\r")

#: MIME type of each export format (for download buttons and HTTP responses).
MEDIA_TYPES: Final[dict[str, str]] = {
    "csv": "text/csv",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "parquet": "application/vnd.apache.parquet",
    "geojson": "application/geo+json",
    "json": "application/json",
}

#: Excel's sheet-name limit and forbidden characters.
_SHEET_MAX = 31
_SHEET_BAD = set("[]:*?/\\")


def neutralise(value: Any) -> Any:
    """Return ``value`` with a leading apostrophe if it is text a spreadsheet would run as a formula.

    >>> neutralise("=1+2"), neutralise("-x"), neutralise("Wien"), neutralise(-3)
    ("'=1+2", "'-x", 'Wien', -3)
    """
    if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (object or string columns) are neutralised."""
    out = frame.copy()
    for col in out.columns:
        series = out[col]
        if pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series):
            out[col] = series.map(neutralise, na_action="ignore").astype(object)
    out.columns = [str(neutralise(str(c))) for c in out.columns]
    return out


def to_csv(frame: pd.DataFrame) -> bytes:
    """RFC 4180 CSV in UTF-8 (with BOM, so that Excel reads accents correctly), text cells neutralised."""
    _check(frame)
    text = neutralise_frame(frame).to_csv(index=False, lineterminator="\r\n")  # RFC 4180; quotes \r
    return ("\ufeff" + text).encode("utf-8")


def to_xlsx(
    tables: pd.DataFrame | Mapping[str, pd.DataFrame],
    *,
    sheet: str = "data",
    notes: Sequence[str] = (),
) -> bytes:
    """An XLSX workbook: one sheet per table, typed cells, bold frozen header, autofilter.

    Parameters
    ----------
    tables
        One frame (written to ``sheet``) or ``{sheet name: frame}``.
    notes
        Lines written to a last sheet ``about`` (sources, parameters), each neutralised.

    Numbers are written as numbers, booleans as booleans, dates as dates; missing values stay empty
    cells; text goes through :func:`neutralise` and is always written as a string, never a formula.
    """
    import xlsxwriter  # here: only XLSX downloads need it

    frames = {sheet: tables} if isinstance(tables, pd.DataFrame) else dict(tables)
    if not frames:
        raise ReportError("Nothing to export: no table was given; choose at least one table.")
    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(
        buffer,
        {
            "in_memory": True,
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": False,
        },
    )
    header = book.add_format({"bold": True, "bg_color": "#E8EEF4", "border": 1})
    date_fmt = book.add_format({"num_format": "yyyy-mm-dd"})
    time_fmt = book.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"})
    used: set[str] = set()
    for name, frame in frames.items():
        _check(frame)
        ws = book.add_worksheet(_sheet_name(name, used))
        for j, col in enumerate(frame.columns):
            ws.write_string(0, j, str(neutralise(str(col))), header)
            width = max([len(str(col))] + [len(str(v)) for v in frame[col].head(200).tolist()])
            ws.set_column(j, j, min(max(width + 2, 8), 60))
        numeric = {
            j
            for j, col in enumerate(frame.columns)
            if pd.api.types.is_float_dtype(frame[col])
            and not pd.api.types.is_extension_array_dtype(frame[col])
        }
        for i, row in enumerate(frame.itertuples(index=False, name=None), start=1):
            for j, value in enumerate(row):
                if j in numeric:  # fast path: plain float64 columns (most metric columns)
                    if value == value and math.isfinite(value):
                        ws.write_number(i, j, value)
                else:
                    _write_cell(ws, i, j, value, date_fmt, time_fmt)
        ws.freeze_panes(1, 0)
        if len(frame.columns):
            ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    if notes:
        ws = book.add_worksheet(_sheet_name("about", used))
        for i, line in enumerate(notes):
            ws.write_string(i, 0, str(neutralise(str(line))))
        ws.set_column(0, 0, 100)
    book.close()
    return buffer.getvalue()


def to_parquet(frame: pd.DataFrame) -> bytes:
    """Parquet bytes (pyarrow, zstd), values unchanged; a ``geometry`` column is written as WKB."""
    _check(frame)
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False, compression="zstd")  # a GeoDataFrame writes GeoParquet
    return buffer.getvalue()


def _plain(value: object) -> object:
    """A numpy scalar as its Python value (json cannot write numpy types)."""
    return value.item() if isinstance(value, np.generic) else value


def to_geojson(frame: pd.DataFrame) -> bytes:
    """GeoJSON FeatureCollection (EPSG:4326) of a GeoDataFrame; properties are the other columns."""
    if not (hasattr(frame, "geometry") and hasattr(frame, "to_json")) or "geometry" not in frame:
        raise ReportError(
            "GeoJSON needs a table with a geometry column (a map layer); this table has columns "
            f"{list(frame.columns)!r}. Export it as CSV or XLSX instead."
        )
    gdf = frame
    if gdf.crs is not None and gdf.crs.to_epsg() != 4326:
        gdf = gdf.to_crs(4326)
    props = gdf.drop(columns=gdf.geometry.name)
    clean = gdf.copy()
    for col in props.columns:
        if pd.api.types.is_datetime64_any_dtype(props[col]):
            clean[col] = props[col].astype(str)
        elif (
            props[col].dtype == object
        ):  # list cells (sector terms, members) as JSON arrays, not numpy arrays
            clean[col] = props[col].map(
                lambda v: [_plain(x) for x in v] if isinstance(v, list | tuple | np.ndarray) else v
            )
    return clean.to_json(drop_id=True, na="null", ensure_ascii=False).encode("utf-8")


def export(frame: pd.DataFrame, fmt: Format, *, sheet: str = "data") -> bytes:
    """The bytes of ``frame`` in ``fmt`` (``csv``, ``xlsx``, ``parquet`` or ``geojson``)."""
    if fmt == "csv":
        return to_csv(frame)
    if fmt == "xlsx":
        return to_xlsx(frame, sheet=sheet)
    if fmt == "parquet":
        return to_parquet(frame)
    if fmt == "geojson":
        return to_geojson(frame)
    raise ReportError(f"Unknown export format {fmt!r}; choose one of 'csv', 'xlsx', 'parquet', 'geojson'.")


def provenance(
    *,
    table: str,
    parameters: Mapping[str, Any],
    sources: Sequence[Mapping[str, Any]],
    rows: int,
    columns: Sequence[str] = (),
    generated_at: dt.datetime | None = None,
) -> bytes:
    """The provenance sidecar of an export: a JSON document (UTF-8, indented).

    ``sources`` are rows of the ``datasets`` table (code, publisher, licence, source_url,
    retrieved_from, extracted_at, checksum, row_count); ``parameters`` is the view that produced the
    table. Values that JSON cannot hold (timestamps, numpy numbers) are converted to text/numbers.
    """
    when = generated_at or dt.datetime.now(dt.UTC)
    doc = {
        "table": table,
        "generated_at": when.isoformat(timespec="seconds"),
        "generator": "Cluster Map",
        "rows": int(rows),
        "columns": [str(c) for c in columns],
        "parameters": {str(k): _json_value(v) for k, v in parameters.items()},
        "sources": [{str(k): _json_value(v) for k, v in s.items()} for s in sources],
    }
    return json.dumps(doc, indent=2, ensure_ascii=False).encode("utf-8")


def file_name(stem: str, fmt: str) -> str:
    """A safe download file name: ``stem`` reduced to ``[A-Za-z0-9_.-]`` plus the extension."""
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in stem).strip("._") or "table"
    return f"{safe[:80]}.{fmt}"


# --- internals -------------------------------------------------------------------------------------


def _check(frame: Any) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise ReportError(f"Expected a table (pandas DataFrame) to export, got {type(frame).__name__!r}.")


def _sheet_name(name: str, used: set[str]) -> str:
    base = "".join("_" if c in _SHEET_BAD else c for c in str(name)).strip("'") or "sheet"
    base = base[:_SHEET_MAX]
    candidate, n = base, 2
    while candidate.lower() in used:
        suffix = f" ({n})"
        candidate, n = base[: _SHEET_MAX - len(suffix)] + suffix, n + 1
    used.add(candidate.lower())
    return candidate


def _write_cell(ws: Any, i: int, j: int, value: Any, date_fmt: Any, time_fmt: Any) -> None:
    if value is None or value is pd.NA or value is pd.NaT:
        return
    if isinstance(value, (bool, np.bool_)):
        ws.write_boolean(i, j, bool(value))
    elif isinstance(value, (int, np.integer)):
        ws.write_number(i, j, int(value))
    elif isinstance(value, (float, np.floating)):
        if math.isfinite(float(value)):
            ws.write_number(i, j, float(value))
    elif isinstance(value, (pd.Timestamp, dt.datetime)):
        ts = pd.Timestamp(value)
        ws.write_datetime(
            i, j, ts.tz_localize(None).to_pydatetime() if ts.tzinfo else ts.to_pydatetime(), time_fmt
        )
    elif isinstance(value, dt.date):
        ws.write_datetime(i, j, dt.datetime(value.year, value.month, value.day), date_fmt)
    elif isinstance(value, (bytes, bytearray, memoryview)):
        ws.write_string(i, j, f"<{len(bytes(value))} bytes>")
    else:
        ws.write_string(i, j, str(neutralise(str(value))))


def _json_value(value: Any) -> Any:
    if value is None or isinstance(value, (str, bool, int)):
        return value
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, np.generic):
        return _json_value(value.item())
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        return value.isoformat()
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_value(v) for v in value]
    if isinstance(value, Mapping):
        return {str(k): _json_value(v) for k, v in value.items()}
    if value is pd.NA or value is pd.NaT:
        return None
    return str(value)
