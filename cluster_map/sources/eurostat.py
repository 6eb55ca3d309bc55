"""Eurostat statistics: bulk TSV (2017 and current API layouts) and SDMX-CSV to observation frames.

Both TSV layouts have one key column of comma-joined dimension codes ending in the geo dimension,
then one column per period::

    nace_r2,indic_sb,geo\\time    2015     2014  ...        (2017 bulk layout, newest first)
    freq,unit,nace_r2,geo\\TIME_PERIOD  2019  2020 ...       (current API layout, oldest first)

A cell is ``value[ flags]``: ``708``, ``5.6 u``, ``: c``, ``:``. ``:`` means not available (value
NULL); every flag letter is kept in ``flags``. SDMX-CSV has one observation per line with columns
``DATAFLOW, LAST UPDATE, freq, <dims>..., TIME_PERIOD, OBS_VALUE, OBS_FLAG``.

Readers return the long frame of :data:`cluster_map.schema.OBSERVATION_COLUMNS`, one row per
non-empty cell, with ``region == region_original`` (NUTS recoding happens later, see
:mod:`cluster_map.sources.nuts_versions`). Parsing is vectorised with pyarrow; all problems of a file
are collected and raised together in one :class:`~cluster_map.errors.SourceError`.
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from cluster_map import catalogue
from cluster_map.catalogue import Dataset
from cluster_map.errors import SourceError
from cluster_map.schema import (
    EUROSTAT_BULK_OLD,
    EUROSTAT_LICENCE,
    FLAGS,
    OBSERVATION_COLUMNS,
    SourceFile,
)

_SBS_UNITS = {"V11": "NR", "V12": "MIO_EUR", "V13": "MIO_EUR", "V15": "MIO_EUR", "V16": "NR"}
_SBS_THS_EUR = {"V91100", "V91110", "V91130", "V91275"}


def sbs_unit(indicator: str) -> str:
    """Natural unit code of a 2017-layout SBS ``indic_sb`` indicator (those files carry no unit column).

    V11xxx (enterprises, local units) and V16xxx (persons employed, employees) are counts ``NR``;
    V12xxx, V13xxx, V15xxx (turnover, value added, purchases, personnel costs, investment) are
    ``MIO_EUR``; V91100, V91110, V91130, V91275 (per-person ratios) are ``THS_EUR``; every other
    V9xxxx ratio is a percentage ``PC``. Today's ``indic_sbs`` codes end in their unit (``EMP_LOC_NR``,
    ``WAGE_LOC_MEUR``): ``NR`` and ``MIO_EUR`` from the suffix. Anything else gets ``''``.
    """
    if indicator in _SBS_THS_EUR:
        return "THS_EUR"
    if indicator.startswith("V9"):
        return "PC"
    if indicator.endswith("_NR"):
        return "NR"
    if indicator.endswith("_MEUR"):
        return "MIO_EUR"
    return _SBS_UNITS.get(indicator[:3], "")


def describe(dataset: str, dims: list[str], spec: Dataset | None = None) -> Dataset:
    """How ``dataset``'s dimensions become sector, indicator, unit and breakdown.

    ``spec`` (a user's own description, ``--spec``) wins, then the catalogue entry; a dataset the
    catalogue does not know gets a generic description built from the header's dimension names:
    ``nace_r2`` is the sector, the first ``indic*``/``na_item`` dimension the indicator, ``unit`` the
    unit. Dimensions not used (other than ``geo``, ``freq``, the time and the pins) go to
    ``breakdown`` as ``dim=code`` joined by ``;`` in header order.
    """
    if spec is not None:
        return spec
    found = catalogue.find_dataset(dataset)
    if found is not None:
        return found
    indicator_dim = next((d for d in dims if d.startswith("indic") or d == "na_item"), None)
    return Dataset(
        code=dataset,
        title=dataset,
        label=dataset,
        publisher="Eurostat",
        licence=EUROSTAT_LICENCE,
        area="europe",
        layout="eurostat",
        official_urls=(catalogue.eurostat_api_url(dataset),),
        mirror_files=catalogue.eurostat_files(dataset),
        role="auxiliary",
        required=False,
        sector_scheme="nace_r2" if "nace_r2" in dims else "total",
        sector_dim="nace_r2" if "nace_r2" in dims else None,
        indicator_dim=indicator_dim,
        indicator="" if indicator_dim else dataset.upper(),
        unit_dim="unit" if "unit" in dims else None,
    )


# --- where the files are ------------------------------------------------------------------------
def mirror_name(code: str, *, layout: str = "bulk_2017") -> str:
    """Mirror-relative name of a dataset's file: ``eurostat/bulk/<code>.tsv.gz`` (the 2017 bulk layout)
    or ``eurostat/api/<code>.tsv.gz`` (``layout='api'``: what the dissemination API returns today)."""
    api, bulk = catalogue.eurostat_files(code)
    if layout not in ("api", "bulk_2017"):
        raise ValueError(f"Unknown layout {layout!r}; use 'api' or 'bulk_2017'.")
    return api if layout == "api" else bulk


def official_url(code: str, *, layout: str = "api") -> str:
    """Official download URL: the current API TSV (``layout='api'``) or the 2017 bulk listing."""
    if layout == "api":
        return catalogue.eurostat_api_url(code)
    if layout == "bulk_2017":
        return EUROSTAT_BULK_OLD.format(code=code)
    raise ValueError(f"Unknown layout {layout!r}; use 'api' or 'bulk_2017'.")


def source_file(code: str) -> SourceFile:
    """The :class:`~cluster_map.schema.SourceFile` of a Eurostat dataset."""
    return SourceFile(
        path=mirror_name(code), url=official_url(code), publisher="Eurostat", licence=EUROSTAT_LICENCE
    )


def dataset_of(path: str | Path) -> str:
    """Dataset code from a file name: ``estat_sbs_r_nuts06_r2.tsv.gz`` -> ``sbs_r_nuts06_r2``."""
    name = Path(path).name.lower()
    name = re.sub(r"\.(tsv|csv|txt)(\.gz)?$", "", name)
    return name.removeprefix("estat_")


def read_bytes(path: str | Path) -> bytes:
    """The file's bytes, gunzipped when they start with the gzip magic number."""
    raw = Path(path).read_bytes()
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError) as exc:
            raise SourceError(f"{Path(path).name}: damaged gzip file ({exc}); download it again.") from exc
    return raw


# --- cells -------------------------------------------------------------------------------------
_NUMBER = r"^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$"


@dataclass
class CellProblems:
    """Bad cells found while parsing, kept as (row index, column, cell, reason) until described."""

    found: list[tuple[int, int | str, str, str]] = field(default_factory=list)

    def describe(self, name: str, line_of: Callable[[int], int]) -> list[str]:
        return [
            f"{name}: line {line_of(i)}, column {col}: {cell!r} {why}"
            for i, col, cell, why in sorted(self.found, key=lambda p: (p[0], str(p[1])))
        ]


def parse_cells(
    cells: pa.Array, *, column: int | str, problems: CellProblems, tolerated_flags: str = ""
) -> tuple[pa.Array, pa.Array, pa.Array]:
    """Split cells ``'5.6 u'`` into value (float64, NULL for ``:``), flags (``'u'``) and a present mask.

    Empty cells are not present. A cell that is neither a number nor ``:``, or has a flag letter
    not in :data:`cluster_map.schema.FLAGS` nor in ``tolerated_flags`` (the dataset's tolerated flag
    codes, :class:`cluster_map.catalogue.Tolerated`), is added to ``problems``.
    """
    allowed = set(FLAGS) | set(tolerated_flags)
    trimmed = pc.utf8_trim_whitespace(cells)
    present = pc.not_equal(trimmed, "")
    parts = pc.extract_regex(trimmed, r"^(?P<num>[^ \t]*)(?:[ \t]+(?P<flags>[^ \t]*))?$")
    shape_ok = pc.is_valid(parts)
    num = pc.fill_null(pc.struct_field(parts, "num"), "")
    flags = pc.fill_null(pc.struct_field(parts, "flags"), "")
    missing = pc.equal(num, ":")
    numeric = pc.match_substring_regex(num, _NUMBER)
    flags_ok = pc.match_substring_regex(flags, f"^[{re.escape(''.join(sorted(allowed)))}]*$")
    good_num = pc.or_(missing, numeric)
    bad = pc.and_(present, pc.invert(pc.and_(pc.and_(shape_ok, good_num), flags_ok)))
    if pc.any(bad).as_py():
        known = ", ".join(sorted(FLAGS))
        for i in pc.indices_nonzero(bad).to_pylist():
            cell = cells[i].as_py()
            if not shape_ok[i].as_py():
                why = "is not 'value flags' (one value, one space, flag letters)"
            elif not good_num[i].as_py():
                why = f"value {num[i].as_py()!r} is not a number or ':'"
            else:
                unknown = sorted(set(flags[i].as_py()) - allowed)
                why = (
                    f"unknown flag(s) {''.join(unknown)!r}; known flags are {known} (a flag the source "
                    "really uses can be declared tolerated in cluster_map/catalogue/datasets.py)"
                )
            problems.found.append((i, column, cell, why))
    number = pc.if_else(pc.and_(numeric, present), num, pa.scalar(None, pa.string()))
    value = pc.cast(number, pa.float64())
    return value, flags, present


# --- TSV ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class TsvHeader:
    dims: list[str]  # dimension names, geo last
    periods: list[str]  # period labels as in the header, stripped
    years: list[int]


def parse_header(line: str, name: str) -> TsvHeader:
    """Parse the first line of a bulk TSV (either layout); raise naming the file on problems."""
    cells = line.rstrip("\r\n").split("\t")
    first = cells[0]
    if "\\" not in first:
        raise SourceError(
            f"{name}: line 1 {first!r} is not a Eurostat TSV header "
            "(expected e.g. 'nace_r2,indic_sb,geo\\time'); is this the right file?"
        )
    dims = [d.strip() for d in first.split("\\")[0].split(",")]
    periods = [c.strip() for c in cells[1:]]
    problems = [
        f"{name}: line 1, column {i + 2}: period {p!r} is not a year (only annual data is read)"
        for i, p in enumerate(periods)
        if not re.fullmatch(r"\d{4}", p)
    ]
    dup = sorted({p for p in periods if periods.count(p) > 1})
    problems += [f"{name}: line 1: period {p!r} appears twice" for p in dup]
    if dims[-1] != "geo":
        problems.append(f"{name}: line 1: last dimension is {dims[-1]!r}, expected 'geo'")
    if problems:
        raise SourceError(f"{name}: bad header; fix or re-download the file.", problems)
    return TsvHeader(dims=dims, periods=periods, years=[int(p) for p in periods])


def read_tsv(
    path: str | Path,
    *,
    dataset: str | None = None,
    nuts_version: str | None = None,
    spec: Dataset | None = None,
) -> pd.DataFrame:
    """Read a Eurostat bulk TSV (2017 or current API layout, gzipped or not) into observations.

    Parameters
    ----------
    path : file to read.
    dataset : dataset code; default from the file name (``estat_`` prefix dropped).
    nuts_version : NUTS version of the geo codes; default the dataset's NUTS rule (per reference year).
    spec : the dataset's description when it is not catalogued (see :func:`describe`).

    Returns
    -------
    pandas.DataFrame with :data:`~cluster_map.schema.OBSERVATION_COLUMNS`, one row per non-empty
    cell (``:`` cells are rows with a NULL value).

    Raises
    ------
    SourceError listing every malformed line, bad key, bad value, unknown flag and duplicate key.
    """
    name = Path(path).name
    dataset = dataset or dataset_of(path)
    data = read_bytes(path)
    try:
        first_line = data[: data.find(b"\n") if b"\n" in data else len(data)].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise SourceError(f"{name}: line 1 is not UTF-8 ({exc}).") from exc
    header = parse_header(first_line, name)
    ncol = 1 + len(header.periods)
    cols = ["key"] + header.periods
    bad_rows: list[str] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad_rows.append(row.text)
        return "skip"

    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=cols, skip_rows=1, use_threads=True),
            parse_options=pacsv.ParseOptions(
                delimiter="\t", quote_char=False, invalid_row_handler=on_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in cols}, strings_can_be_null=False
            ),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise SourceError(f"{name}: cannot be read as tab-separated UTF-8 text ({exc}).") from exc

    lines = _LineNumbers(data, has_gaps=bool(bad_rows))
    problems: list[str] = []
    if bad_rows:
        problems += [
            f"{name}: line {n}: {k} cells, expected {ncol}: {text[:60]!r}"
            for n, k, text in _malformed_lines(data, ncol)
        ]
    key = table.column("key").combine_chunks()
    parts = pc.split_pattern(key, ",")
    nparts = pc.list_value_length(parts)
    wrong = pc.not_equal(nparts, len(header.dims))
    if pc.any(wrong).as_py():
        for i in pc.indices_nonzero(wrong).to_pylist():
            problems.append(
                f"{name}: line {lines(i)}, column 1: key {key[i].as_py()!r} has "
                f"{nparts[i].as_py()} codes, expected {len(header.dims)} ({','.join(header.dims)})"
            )
        keep = pc.invert(wrong)
        table, key = table.filter(keep), key.filter(keep)
        parts = pc.split_pattern(key, ",")
        lines.drop(pc.indices_nonzero(wrong).to_pylist())
    if pc.count_distinct(key).as_py() < len(key):
        dup = pd.Series(key.to_numpy(zero_copy_only=False)).duplicated(keep="first")
        for i in dup[dup].index:
            problems.append(f"{name}: line {lines(int(i))}, column 1: duplicate key {key[int(i)].as_py()!r}")
    dim_arrays = {d: pc.list_element(parts, j) for j, d in enumerate(header.dims)}
    if "freq" in dim_arrays:
        for i in pc.indices_nonzero(pc.not_equal(dim_arrays["freq"], "A")).to_pylist()[:50]:
            problems.append(
                f"{name}: line {lines(i)}, column 1: freq {dim_arrays['freq'][i].as_py()!r} "
                "(only annual 'A' data is read)"
            )

    chunks: list[dict[str, pa.Array]] = []
    cell_problems = CellProblems()
    for j, (period, year) in enumerate(zip(header.periods, header.years, strict=True)):
        cells = table.column(period).combine_chunks()
        value, flags, present = parse_cells(
            cells, column=j + 2, problems=cell_problems, tolerated_flags=_tolerated_flags(dataset, spec)
        )
        chunk = {d: a.filter(present) for d, a in dim_arrays.items()}
        n = pc.sum(pc.cast(present, pa.int64())).as_py() or 0
        chunk["__year"] = pa.nulls(n, pa.int64()).fill_null(year)
        chunk["__value"] = value.filter(present)
        chunk["__flags"] = flags.filter(present)
        chunks.append(chunk)
    problems += cell_problems.describe(name, lines)
    if problems:
        problems.sort(key=_line_of_problem)
        raise SourceError(
            f"{name}: {len(problems)} problem(s); the file was not loaded. "
            "Fix the lines below or re-download the file.",
            problems,
        )
    merged = {k: pa.concat_arrays([c[k] for c in chunks]) for k in chunks[0]} if chunks else {}
    return observations(dataset, header.dims, merged, nuts_version=nuts_version, name=name, spec=spec)


def _tolerated_flags(dataset: str, spec: Dataset | None) -> str:
    """Flag letters the dataset's catalogue entry tolerates beyond :data:`FLAGS`."""
    ds = spec or catalogue.find_dataset(dataset)
    return "".join(c for t in (ds.tolerated if ds else ()) if t.kind == "flag" for c in t.codes)


class _LineNumbers:
    """Maps a row index of the parsed table back to the line number in the file (1-based)."""

    def __init__(self, data: bytes, *, has_gaps: bool) -> None:
        self._data = data
        self._map: list[int] | None = None
        if has_gaps or b"\n\n" in data or b"\n\r\n" in data:
            self._build(skip_malformed=has_gaps)

    def _build(self, *, skip_malformed: bool) -> None:
        text = self._data.split(b"\n")
        ncol = text[0].count(b"\t") + 1
        self._map = [
            i + 1
            for i, ln in enumerate(text[1:], start=1)
            if ln.strip() and (not skip_malformed or ln.rstrip(b"\r").count(b"\t") + 1 == ncol)
        ]

    def drop(self, rows: list[int]) -> None:
        if self._map is None:
            self._map = list(range(2, 2 + len(self._data.split(b"\n"))))
        gone = set(rows)
        self._map = [n for i, n in enumerate(self._map) if i not in gone]

    def __call__(self, row: int) -> int:
        return self._map[row] if self._map is not None else row + 2


def _line_of_problem(problem: str) -> int:
    found = re.search(r": line (\d+)", problem)
    return int(found.group(1)) if found else 0


def _malformed_lines(data: bytes, ncol: int) -> list[tuple[int, int, str]]:
    out = []
    for i, ln in enumerate(data.split(b"\n")[1:], start=2):
        ln = ln.rstrip(b"\r")
        if ln.strip() and ln.count(b"\t") + 1 != ncol:
            out.append((i, ln.count(b"\t") + 1, ln.decode("utf-8", "replace")))
    return out


def lines_with_codes(path: str | Path, dim: str, codes: set[str], *, limit: int = 5) -> dict[str, list[int]]:
    """Line numbers (1-based, at most ``limit`` per code) of the rows whose ``dim`` code is in ``codes``.

    ``dim`` is a dimension of the key column of a TSV (either layout) or a column of an SDMX-CSV
    (``geo``, ``nace_r2``, ``indic_sb`` ...). A plain loop over the lines, run only to name the lines of
    codes an ingest refuses; a file without that dimension gives no lines.
    """
    text = read_bytes(path).decode("utf-8", "replace").removeprefix("\ufeff")
    lines = text.split("\n")
    found: dict[str, list[int]] = {c: [] for c in codes}
    if not lines:
        return found
    if lines[0].startswith(("DATAFLOW", '"DATAFLOW"', "STRUCTURE")):
        header = next(csv.reader([lines[0]]))
        if dim not in header:
            return found
        j = header.index(dim)
        rows = ((n, next(csv.reader([ln]), [])) for n, ln in enumerate(lines[1:], start=2) if ln.strip())
        picked = ((n, r[j] if len(r) > j else "") for n, r in rows)
    else:
        dims = [d.strip() for d in lines[0].split("\t")[0].split("\\")[0].split(",")]
        if dim not in dims:
            return found
        j = dims.index(dim)
        keys = ((n, ln.split("\t", 1)[0].split(",")) for n, ln in enumerate(lines[1:], start=2) if ln.strip())
        picked = ((n, k[j].strip() if len(k) > j else "") for n, k in keys)
    for n, code in picked:
        hits = found.get(code)
        if hits is not None and len(hits) < limit:
            hits.append(n)
    return found


def count_cells(path: str | Path) -> int:
    """Number of non-empty data cells of a bulk TSV, or data lines of an SDMX-CSV (plain loop).

    Deliberately independent of the vectorised readers, so tests can check that a reader returns
    exactly one row per non-empty cell.
    """
    text = read_bytes(path).decode("utf-8")
    lines = [ln for ln in text.splitlines() if ln.strip()]
    if not lines:
        return 0
    if lines[0].startswith(("DATAFLOW", '"DATAFLOW"', "STRUCTURE")):
        return len(lines) - 1
    return sum(1 for ln in lines[1:] for cell in ln.split("\t")[1:] if cell.strip())


# --- SDMX-CSV -----------------------------------------------------------------------------------
_SDMX_RESERVED = {
    "DATAFLOW",
    "STRUCTURE",
    "STRUCTURE_ID",
    "ACTION",
    "LAST UPDATE",
    "TIME_PERIOD",
    "OBS_VALUE",
    "OBS_FLAG",
    "CONF_STATUS",
    "freq",
}


def read_sdmx_csv(
    path: str | Path,
    *,
    dataset: str | None = None,
    nuts_version: str | None = None,
    spec: Dataset | None = None,
) -> pd.DataFrame:
    """Read an SDMX-CSV file (Eurostat API ``format=SDMX-CSV``) into observations.

    Columns ``DATAFLOW`` (e.g. ``ESTAT:SBS_R_NUTS06_R2(1.0)``), ``LAST UPDATE``, ``freq``, the
    dimensions (``geo`` among them), ``TIME_PERIOD``, ``OBS_VALUE`` (empty = not available) and
    ``OBS_FLAG``. Parameters, result and errors as :func:`read_tsv`.
    """
    name = Path(path).name
    data = read_bytes(path)
    data = data.removeprefix(b"\xef\xbb\xbf")
    header = next(csv.reader([data[: data.find(b"\n")].decode("utf-8", "replace").rstrip("\r")]), [])
    try:
        table = pacsv.read_csv(
            io.BytesIO(data),
            convert_options=pacsv.ConvertOptions(
                strings_can_be_null=False, column_types={c: pa.string() for c in header}
            ),
            read_options=pacsv.ReadOptions(use_threads=True),
        )
    except (pa.ArrowInvalid, UnicodeDecodeError) as exc:
        raise SourceError(f"{name}: cannot be read as SDMX-CSV ({exc}).") from exc
    names = table.column_names
    missing = [c for c in ("TIME_PERIOD", "OBS_VALUE", "geo") if c not in names]
    if missing:
        raise SourceError(
            f"{name}: line 1 lacks column(s) {missing!r}; columns are {names!r}. "
            "Download the dataset with format=SDMX-CSV."
        )
    if dataset is None:
        flows = pc.unique(table.column("DATAFLOW")).to_pylist() if "DATAFLOW" in names else []
        match = re.search(r":([A-Za-z0-9_]+)\(", flows[0]) if len(flows) == 1 else None
        dataset = match.group(1).lower() if match else dataset_of(path)
    dims = [c for c in names if c not in _SDMX_RESERVED and c != "geo"] + ["geo"]
    problems: list[str] = []
    periods = table.column("TIME_PERIOD").combine_chunks()
    bad_year = pc.invert(pc.match_substring_regex(periods, r"^\d{4}$"))
    for i in pc.indices_nonzero(bad_year).to_pylist():
        problems.append(f"{name}: line {i + 2}, column TIME_PERIOD: {periods[i].as_py()!r} is not a year")
    if "freq" in names:
        freq = table.column("freq").combine_chunks()
        for i in pc.indices_nonzero(pc.not_equal(freq, "A")).to_pylist()[:50]:
            problems.append(
                f"{name}: line {i + 2}, column freq: {freq[i].as_py()!r} (only annual 'A' is read)"
            )
    raw_flags = (
        table.column("OBS_FLAG").combine_chunks()
        if "OBS_FLAG" in names
        else pa.array([""] * table.num_rows, pa.string())
    )
    if "CONF_STATUS" in names:  # today's API marks confidential cells here, not in OBS_FLAG
        conf = pc.equal(pc.utf8_upper(table.column("CONF_STATUS").combine_chunks()), "C")
        has_c = pc.match_substring(raw_flags, "c")
        raw_flags = pc.if_else(
            pc.and_(conf, pc.invert(has_c)), pc.binary_join_element_wise(raw_flags, "c", ""), raw_flags
        )
    obs = table.column("OBS_VALUE").combine_chunks()
    cells = pc.binary_join_element_wise(pc.if_else(pc.equal(obs, ""), ":", obs), raw_flags, " ")
    cell_problems = CellProblems()
    value, flags, _ = parse_cells(
        cells,
        column="OBS_VALUE/OBS_FLAG",
        problems=cell_problems,
        tolerated_flags=_tolerated_flags(dataset, spec),
    )
    problems += cell_problems.describe(name, lambda i: i + 2)
    key_cols = [table.column(d).combine_chunks() for d in dims] + [periods]
    key = pc.binary_join_element_wise(*key_cols, "\x1f")
    if pc.count_distinct(key).as_py() < len(key):
        dup = pd.Series(key.to_numpy(zero_copy_only=False)).duplicated(keep="first")
        for i in dup[dup].index:
            problems.append(
                f"{name}: line {int(i) + 2}: duplicate observation "
                f"{key[int(i)].as_py().replace(chr(31), ',')!r}"
            )
    if problems:
        problems.sort(key=_line_of_problem)
        raise SourceError(
            f"{name}: {len(problems)} problem(s); the file was not loaded. "
            "Fix the lines below or re-download the file.",
            problems,
        )
    arrays = {d: table.column(d).combine_chunks() for d in dims}
    arrays["__year"] = pc.cast(periods, pa.int64())
    arrays["__value"], arrays["__flags"] = value, flags
    return observations(dataset, dims, arrays, nuts_version=nuts_version, name=name, spec=spec)


def read_observations(
    path: str | Path,
    *,
    dataset: str | None = None,
    nuts_version: str | None = None,
    spec: Dataset | None = None,
) -> pd.DataFrame:
    """Read a Eurostat file of either kind: SDMX-CSV when line 1 starts with DATAFLOW, else TSV."""
    head = read_bytes(path)[:200].lstrip(b"\xef\xbb\xbf")
    reader = read_sdmx_csv if head.startswith((b"DATAFLOW", b'"DATAFLOW"', b"STRUCTURE")) else read_tsv
    return reader(path, dataset=dataset, nuts_version=nuts_version, spec=spec)


def check_cells(frame: pd.DataFrame, ds: Dataset, *, name: str) -> None:
    """Fail loudly where a catalogued dataset would load into nothing.

    Raises :class:`SourceError` when the file has no data cells at all, or when none of its rows is
    the dataset's employment cell (indicator and breakdown), naming what the file has instead.
    """
    if frame.empty:
        raise SourceError(
            f"{name}: no data cells for dataset {ds.code!r} (only a header?); the file would "
            "load into nothing. Re-download it or check that it is the right file."
        )
    cell = ds.employment or ds.value_added
    quantity = "employment" if ds.employment is not None else "value added"
    if cell is None:
        return
    hit = (frame["indicator"] == cell.indicator) & (frame["breakdown"] == cell.breakdown)
    if bool(hit.any()):
        return
    wanted = f"indicator {cell.indicator!r}" + (f" with {cell.breakdown}" if cell.breakdown else "")
    same = frame[frame["indicator"] == cell.indicator]
    if len(same):
        found = sorted(same["breakdown"].unique())
        why = f"the file has {cell.indicator} only with breakdown(s) {{{', '.join(found[:12])}}}"
    else:
        indicators = sorted(frame["indicator"].unique())
        why = f"the file has indicator(s) {{{', '.join(map(str, indicators[:12]))}}}"
    raise SourceError(
        f"{name}: no rows of the {quantity} cell of {ds.code!r} ({wanted}); {why}. "
        "Is it the right file, or has the source renamed its codes?"
    )


# --- long frame ---------------------------------------------------------------------------------
def observations(
    dataset: str,
    dims: list[str],
    arrays: dict[str, pa.Array],
    *,
    nuts_version: str | None,
    name: str,
    spec: Dataset | None = None,
) -> pd.DataFrame:
    """Assemble the observation frame from per-dimension arrays plus ``__year/__value/__flags``.

    The dataset's pins (``sex=T``) keep only the rows with the pinned code where the file has the
    dimension (a pin that matches nothing is an error naming the codes found); the NUTS version of
    each row follows the dataset's rule for its reference year unless ``nuts_version`` is given.
    """
    m = describe(dataset, dims, spec)
    if catalogue.AUTO in (m.indicator_dim, m.unit_dim):  # a user's spec left them to the header
        auto = describe(f"\x00{dataset}", dims)
        m = replace(
            m,
            indicator_dim=auto.indicator_dim if m.indicator_dim == catalogue.AUTO else m.indicator_dim,
            unit_dim=auto.unit_dim if m.unit_dim == catalogue.AUTO else m.unit_dim,
        )
        if m.indicator_dim is None and not m.indicator:
            m = replace(m, indicator=dataset.upper())
    n = len(arrays["__year"]) if arrays else 0
    if n == 0:
        return pd.DataFrame(
            {
                c: pd.Series(dtype="float64" if c == "value" else "int64" if c == "year" else "str")
                for c in OBSERVATION_COLUMNS
            }
        )
    needed = [d for d in (m.sector_dim, m.indicator_dim, m.unit_dim) if d]
    missing = [d for d in needed if d not in dims]
    if missing:
        raise SourceError(
            f"{name}: dataset {dataset!r} needs dimension(s) {missing!r}, the file has "
            f"{dims!r}; is it the right file for {dataset!r}?"
        )
    arrays, pinned = _apply_pins(m, dims, arrays, name)

    geo = arrays["geo"]
    indicator = arrays[m.indicator_dim] if m.indicator_dim else None
    if m.unit_dim:
        unit = arrays[m.unit_dim]
    else:
        ind_codes = pc.unique(indicator).to_pylist() if indicator is not None else [m.indicator]
        table_ = {c: m.unit_of(c) or sbs_unit(c) for c in ind_codes}
        unit = (
            pa.array([table_[c] for c in ind_codes], pa.string()).take(
                pc.index_in(indicator, pa.array(ind_codes, pa.string()))
            )
            if indicator is not None
            else None
        )
    used = {"geo", "freq", m.sector_dim, m.indicator_dim, m.unit_dim, *pinned}
    other = [d for d in dims if d not in used]
    if other:
        pieces = [pc.binary_join_element_wise(f"{d}=", arrays[d], "") for d in other]
        breakdown = pieces[0] if len(pieces) == 1 else pc.binary_join_element_wise(*pieces, ";")
    else:
        breakdown = None
    years = arrays["__year"].to_pandas()
    if nuts_version:
        versions: Any = nuts_version
    elif m.nuts.by_year:
        versions = years.map({y: m.nuts.version_for(int(y)) for y in years.unique()})
    else:
        versions = m.nuts.default
    frame = pd.DataFrame(
        {
            "dataset": dataset,
            "region": geo.to_pandas(),
            "region_original": geo.to_pandas(),
            "nuts_version": versions,
            "sector_scheme": m.sector_scheme,
            "sector": arrays[m.sector_dim].to_pandas() if m.sector_dim else "",
            "indicator": indicator.to_pandas() if indicator is not None else m.indicator,
            "unit": unit.to_pandas() if unit is not None else "",
            "breakdown": breakdown.to_pandas() if breakdown is not None else "",
            "year": years,
            "value": arrays["__value"].to_pandas(),
            "flags": arrays["__flags"].to_pandas(),
        }
    )
    for c in ("dataset", "nuts_version", "sector_scheme", "sector", "indicator", "unit", "breakdown"):
        if frame[c].dtype != "str":
            frame[c] = frame[c].astype("str")
    return frame[list(OBSERVATION_COLUMNS)]


def _apply_pins(
    m: Dataset, dims: list[str], arrays: dict[str, pa.Array], name: str
) -> tuple[dict[str, pa.Array], list[str]]:
    """Keep the rows of each pinned code; the pinned dimensions (found in the file) are returned."""
    keep = None
    pinned: list[str] = []
    for dim, code in m.pins:
        if dim not in dims:
            continue
        pinned.append(dim)
        match = pc.equal(arrays[dim], code)
        if not pc.any(match).as_py():
            found = sorted(str(c) for c in pc.unique(arrays[dim]).to_pylist())
            raise SourceError(
                f"{name}: no rows with {dim}={code} for dataset {m.code!r}; the file has {dim} in "
                f"{{{', '.join(found[:20])}}}. Is it the right file?"
            )
        keep = match if keep is None else pc.and_(keep, match)
    if keep is None:
        return arrays, pinned
    return {k: v.filter(keep) for k, v in arrays.items()}, pinned


__all__ = [
    "FLAGS",
    "check_cells",
    "count_cells",
    "dataset_of",
    "describe",
    "lines_with_codes",
    "mirror_name",
    "official_url",
    "read_observations",
    "read_sdmx_csv",
    "read_tsv",
    "sbs_unit",
    "source_file",
]
