"""Eurostat code lists: NACE Rev. 2 sectors, geo labels, NUTS region lists, geo code kinds.

* NACE Rev. 2 -> sectors: the mirror's ``eurostat/classifications/nace_r2.csv`` (columns
  ``concept,code,name,level,parent``), or today's SDMX 2.1 code list ``ESTAT/NACE_R2`` as TSV
  (``code<TAB>label``; levels and parents follow from the codes).
* ``geo`` labels -> ``{code: label}``: today's SDMX 2.1 code list ``ESTAT/GEO`` as TSV, whose lines are
  ``code<TAB>label`` like the mirror's 2017 ``eurostat/dic/en/geo.dic`` (read under that mirror name).

Official URLs are the dissemination API's codelist endpoint (:func:`codelist_url`,
``.../sdmx/2.1/codelist/ESTAT/<ID>/latest?format=TSV&lang=en``); the retired BulkDownloadListing
``dic/en/*.dic`` files are gone from Eurostat's site.
* NUTS region lists, one version each: ``NUTS2021.xlsx`` (sheet ``NUTS & SR 2021``) for 2021, and the
  main sheets of the official change workbooks for 2010/2013 (``NUTS 2010 - NUTS 2013.xls``) and
  2016 (``NUTS2013-NUTS2016.xlsx``) -> regions frames (code, nuts_version, level, country, name,
  parent, kind).
* :func:`geo_kind` tells a NUTS region from a Eurostat aggregate (EU28, EA19 ...) or an
  extra-regio code (``xxZ``, ``xxZZ``, ``xxZZZ``).
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final, Literal

import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import SourceError
from cluster_map.sources import integrity

GeoKind = Literal["nuts", "aggregate", "extra_regio"]

#: Eurostat's SDMX 2.1 codelist endpoint, TSV in English (one ``code<TAB>label`` line per code).
CODELIST_API: Final = (
    "https://ec.europa.eu/eurostat/api/dissemination/sdmx/2.1/codelist/ESTAT/{id}/latest?format=TSV&lang=en"
)


def codelist_url(codelist_id: str) -> str:
    """Official URL of a Eurostat code list (``GEO``, ``NACE_R2``, ``INDIC_SBS``) as TSV."""
    return CODELIST_API.format(id=codelist_id.upper())


NACE_FILE: Final = "eurostat/classifications/nace_r2.csv"
NACE_URL: Final = codelist_url("NACE_R2")
GEO_DIC_FILE: Final = "eurostat/dic/en/geo.dic"
GEO_DIC_URL: Final = codelist_url("GEO")
#: Indicators of today's regional SBS (sbs_r_nuts2021: EMP_LOC_NR, LOC_NR, WAGE_LOC_MEUR ...).
INDIC_SBS_URL: Final = codelist_url("INDIC_SBS")
NUTS2021_FILE: Final = "eurostat/nuts/NUTS2021.xlsx"
NUTS2021_URL: Final = "https://ec.europa.eu/eurostat/documents/345175/629341/NUTS2021.xlsx"
NUTS2010_2013_FILE: Final = "eurostat/nuts/NUTS 2010 - NUTS 2013.xls"
NUTS2010_2013_URL: Final = (
    "https://ec.europa.eu/eurostat/documents/345175/629341/NUTS%202010%20-%20NUTS%202013.xls"
)
NUTS2013_2016_FILE: Final = "eurostat/nuts/NUTS2013-NUTS2016.xlsx"
NUTS2013_2016_URL: Final = "https://ec.europa.eu/eurostat/documents/345175/629341/NUTS2013-NUTS2016.xlsx"

REGION_COLUMNS: Final = ("code", "nuts_version", "level", "country", "name", "parent", "kind")
SECTOR_COLUMNS: Final = ("scheme", "code", "label", "level", "parent", "sector_type")

#: (file, sheet, header row, code column) of the region list of each NUTS version.
NUTS_LISTS: Final[dict[str, tuple[str, str, int, str]]] = {
    "2010": (NUTS2010_2013_FILE, "NUTS2010-NUTS2013", 1, "Code 2010"),
    "2013": (NUTS2010_2013_FILE, "NUTS2010-NUTS2013", 1, "Code 2013"),
    "2016": (NUTS2013_2016_FILE, "NUTS2013-NUTS2016", 1, "Code 2016"),
    "2021": (NUTS2021_FILE, "NUTS & SR 2021", 0, "Code 2021"),
}

_NACE_CODE = re.compile(r"^([A-U])(\d{2,4})?$")
#: First fields that make line 1 of a code list TSV a header, not a code.
_HEADER_WORDS: Final = frozenset({"code", "codes", "id", "notation"})
_NUTS_SHAPE = re.compile(r"^[A-Z]{2}[0-9A-Z]{0,3}$")
_EXTRA_REGIO = re.compile(r"^[A-Z]{2}Z{1,3}$")
#: Eurostat aggregates that are NUTS-shaped (4-5 characters): EU28, EA19, EU15, EA17, EU27 ...
_AGGREGATE = re.compile(r"^(EU|EA|EEA|EFTA)(\d+)?$")


def geo_kind(code: str) -> GeoKind:
    """Kind of a Eurostat geo code: ``'extra_regio'``, ``'aggregate'`` or ``'nuts'``.

    Extra-regio: a country code followed only by ``Z`` (``FRZ``, ``FRZZ``, ``FRZZZ``). Aggregate:
    ``EU``/``EA``/``EEA``/``EFTA`` with an optional number (``EU28``, ``EA19``) or any code that is not
    NUTS-shaped (two letters and up to three letters/digits), e.g. ``EU27_2020``, ``EA19_NEU``.
    Everything else (countries ``DE``, ``NO``, ``TR``, regions ``DE21``, ``ITC4C``) is ``'nuts'``.
    """
    if _AGGREGATE.match(code) or not _NUTS_SHAPE.match(code):
        return "aggregate"
    if _EXTRA_REGIO.match(code):
        return "extra_regio"
    return "nuts"


def geo_kinds(codes: pd.Series) -> pd.Series:
    """:func:`geo_kind` of every code (vectorised over the distinct codes)."""
    distinct = pd.unique(codes)
    return codes.map({c: geo_kind(c) for c in distinct})


# --- NACE ---------------------------------------------------------------------------------------
def read_nace(path: str | Path) -> pd.DataFrame:
    """Sectors frame of NACE Rev. 2 from ``nace_r2.csv`` or the ``NACE_R2`` code list TSV (:data:`SECTOR_COLUMNS`).

    Level 0 = aggregates (``B-N_S95_X_K``, ``C10-C12``), 1 sections, 2 divisions, 3 groups, 4 classes;
    ``parent`` is NULL where the file says ``NULL``; ``sector_type`` is NULL for NACE.
    """
    name = Path(path).name
    head = integrity.read_source_bytes(path, name=name)[:4096]
    if _is_codelist_tsv(head):
        return nace_from_labels(read_codelist(path))
    raw = integrity.read_table(path, name=name, dtype=str, keep_default_na=False)
    missing = {"code", "name", "level", "parent"} - set(raw.columns)
    if missing:
        raise SourceError(
            f"{name}: line 1 lacks column(s) {sorted(missing)!r}; columns are "
            f"{list(raw.columns)!r}. Use Eurostat's nace_r2 code list."
        )
    problems = [
        f"{name}: line {i + 2}, column level: {v!r} is not a level 0-4"
        for i, v in raw["level"].items()
        if v not in {"0", "1", "2", "3", "4"}
    ]
    dup = raw["code"].duplicated(keep="first")
    problems += [
        f"{name}: line {i + 2}, column code: duplicate code {raw.at[i, 'code']!r}" for i in dup[dup].index
    ]
    parents = raw["parent"].where(raw["parent"] != "NULL")
    orphan = parents.notna() & ~parents.isin(raw["code"])
    problems += [
        f"{name}: line {i + 2}, column parent: {parents[i]!r} is not a code of the list"
        for i in orphan[orphan].index
    ]
    if problems:
        raise SourceError(f"{name}: {len(problems)} problem(s) in the NACE code list.", problems)
    return pd.DataFrame(
        {
            "scheme": "nace_r2",
            "code": raw["code"],
            "label": raw["name"],
            "level": raw["level"].astype("int64"),
            "parent": parents.astype("object").where(parents.notna(), None),
            "sector_type": None,
        }
    )[list(SECTOR_COLUMNS)]


def ecosystem_sectors() -> pd.DataFrame:
    """Sectors frame (:data:`SECTOR_COLUMNS`) of the industrial ecosystems declared in the catalogue:
    scheme ``ecosystems``, the slug as code, level :data:`cluster_map.catalogue.ECOSYSTEM_LEVEL`."""
    return pd.DataFrame(
        {
            "scheme": catalogue.ECOSYSTEM_SCHEME,
            "code": [e.slug for e in catalogue.ECOSYSTEMS],
            "label": [e.label for e in catalogue.ECOSYSTEMS],
            "level": catalogue.ECOSYSTEM_LEVEL,
            "parent": None,
            "sector_type": None,
        }
    )[list(SECTOR_COLUMNS)]


def _is_codelist_tsv(head: bytes) -> bool:
    """Whether a file starts like a code list TSV (``code<TAB>label``) rather than the mirror's CSV."""
    first = head.decode("utf-8-sig", errors="replace").splitlines()[:1]
    return bool(first) and "\t" in first[0]


def _nace_level(code: str) -> tuple[int, str | None]:
    """(level, parent) of a NACE Rev. 2 code as Eurostat writes it: A, A01, A011, A0111; else aggregate."""
    m = _NACE_CODE.match(code)
    if not m:
        return 0, None
    digits = m.group(2)
    if not digits:
        return 1, None
    return len(digits), (code[0] if len(digits) == 2 else code[:-1])


def nace_from_labels(labels: dict[str, str]) -> pd.DataFrame:
    """Sectors frame from the ``NACE_R2`` code list (code -> label): levels and parents from the codes.

    A section is one letter (level 1), a division the letter and 2 digits (2, parent the section), a
    group 3 digits (3), a class 4 digits (4); everything else (``B-N_S95_X_K``, ``C10-C12``, ``TOTAL``)
    is an aggregate (level 0, no parent). A parent that is not in the list is left empty.
    """
    rows = []
    for code, label in labels.items():
        level, parent = _nace_level(code)
        rows.append((code, label, level, parent if parent in labels else None))
    return pd.DataFrame(
        {
            "scheme": "nace_r2",
            "code": [r[0] for r in rows],
            "label": [r[1] for r in rows],
            "level": pd.Series([r[2] for r in rows], dtype="int64"),
            "parent": pd.Series([r[3] for r in rows], dtype="object"),
            "sector_type": None,
        }
    )[list(SECTOR_COLUMNS)]


# --- geo labels (code list TSV, geo.dic) --------------------------------------------------------
def parse_codelist(text: str, *, name: str) -> dict[str, str]:
    """``{code: label}`` from a code list TSV (``code<TAB>label`` lines; a header line and quotes allowed).

    Today's SDMX 2.1 codelist endpoint (``?format=TSV``) and the 2017 ``*.dic`` files share this layout.
    Every problem is reported at once, with its line.
    """
    labels: dict[str, str] = {}
    problems: list[str] = []
    for i, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        code, sep, label = line.partition("\t")
        code, label = code.strip().strip('"').strip(), label.strip().strip('"').strip()
        if i == 1 and code.lower() in _HEADER_WORDS:
            continue
        if not sep or not code:
            problems.append(f"{name}: line {i}: {line[:60]!r} is not 'code<TAB>label'")
        elif code in labels:
            problems.append(f"{name}: line {i}: duplicate code {code!r}")
        else:
            labels[code] = label
    if problems:
        raise SourceError(f"{name}: {len(problems)} problem(s) in the code list.", problems)
    return labels


def read_codelist(path: str | Path) -> dict[str, str]:
    """``{code: label}`` of a code list TSV file (see :func:`parse_codelist`)."""
    name = Path(path).name
    text = integrity.decode(integrity.read_source_bytes(path, name=name), name=name, encoding="utf-8-sig")
    integrity.check_line_end(text, name=name)
    return parse_codelist(text, name=name)


def read_geo_dic(path: str | Path) -> dict[str, str]:
    """``{code: label}`` of the ``geo`` code list: today's ``ESTAT/GEO`` TSV or the mirror's ``geo.dic``."""
    return read_codelist(path)


def geo_regions(labels: dict[str, str], *, nuts_version: str = "2013") -> pd.DataFrame:
    """Regions frame of the aggregates and extra-regio codes of ``geo.dic`` (kind != 'nuts')."""
    rows = [
        (
            c,
            nuts_version,
            _level(c) if k == "extra_regio" else None,
            c[:2] if k == "extra_regio" else None,
            label,
            _parent(c) if k == "extra_regio" else None,
            k,
        )
        for c, label in labels.items()
        if (k := geo_kind(c)) != "nuts"
    ]
    return pd.DataFrame(rows, columns=list(REGION_COLUMNS)).astype({"level": "Int64"})


# --- NUTS region lists --------------------------------------------------------------------------
def nuts_list_file(version: str) -> str:
    """Mirror-relative name of the workbook holding the region list of a NUTS version."""
    if version not in NUTS_LISTS:
        raise SourceError(f"No region list for NUTS version {version!r}; known: {sorted(NUTS_LISTS)!r}.")
    return NUTS_LISTS[version][0]


def read_excel_sheet(path: str | Path, sheet: str, header: int | None) -> pd.DataFrame:
    """One sheet as text, naming file and sheet when it is missing (xlrd for ``.xls``).

    An empty, truncated or non-Excel file, a missing sheet or an unreadable one raises
    :class:`SourceError` naming the file (see :mod:`cluster_map.sources.integrity`).
    """
    name = Path(path).name
    return integrity.read_sheet(
        integrity.open_workbook(path, name=name), sheet, name=name, header=header, dtype=str
    )


def read_nuts_regions(path: str | Path, version: str) -> pd.DataFrame:
    """Regions frame (:data:`REGION_COLUMNS`) of one NUTS version from its official workbook.

    ``version`` '2021' reads ``NUTS2021.xlsx``; '2013' and '2010' read ``NUTS 2010 - NUTS 2013.xls``;
    '2016' reads ``NUTS2013-NUTS2016.xlsx``. Level = code length - 2; parent = code minus its last
    character; name = the label in the column of the code's level.
    """
    name = Path(path).name
    nuts_list_file(version)  # raises for an unknown version
    _, sheet, header, code_col = NUTS_LISTS[version]
    raw = read_excel_sheet(path, sheet, header)
    label_cols = ["Country", "NUTS level 1", "NUTS level 2", "NUTS level 3"]
    missing = [c for c in [code_col, *label_cols] if c not in raw.columns]
    if missing:
        raise SourceError(
            f"{name}, sheet {sheet!r}: header row {header + 1} lacks {missing!r}; "
            f"columns are {list(raw.columns)[:10]!r}."
        )
    raw = raw[raw[code_col].notna()].copy()
    # footnotes below the table ('Note: NUTS 2013 codes in italics ...') are sentences, not codes
    raw = raw[~raw[code_col].str.contains(r"\S+\s+\S+\s+\S+", regex=True)]
    # the change tables list a region split over several new ones once per part: 'EL300 (part)'
    raw[code_col] = raw[code_col].str.replace(r"\s*\(part\)\s*$", "", regex=True).str.strip()
    bad = ~raw[code_col].str.match(_NUTS_SHAPE)
    problems = [
        f"{name}, sheet {sheet!r}, row {i + header + 2}: code {c!r} is not a NUTS code"
        for i, c in raw.loc[bad, code_col].items()
    ]
    if problems:
        raise SourceError(f"{name}: {len(problems)} bad code(s) in the NUTS {version} list.", problems)
    raw = raw.drop_duplicates(code_col)
    codes = raw[code_col]
    level = codes.str.len() - 2
    labels = raw[label_cols].to_numpy()
    names = [
        row[lv] if isinstance(row[lv], str) else next((x for x in row if isinstance(x, str)), None)
        for row, lv in zip(labels, level, strict=True)
    ]
    return pd.DataFrame(
        {
            "code": codes.to_numpy(),
            "nuts_version": version,
            "level": level.astype("int64").to_numpy(),
            "country": codes.str[:2].to_numpy(),
            "name": [n.strip() if isinstance(n, str) else None for n in names],
            "parent": [_parent(c) for c in codes],
            "kind": [geo_kind(c) for c in codes],
        }
    )[list(REGION_COLUMNS)].reset_index(drop=True)


def _level(code: str) -> int:
    return len(code) - 2


def _parent(code: str) -> str | None:
    return code[:-1] if len(code) > 2 else None
