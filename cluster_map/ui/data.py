"""Cached data access for every page: one read-only store connection, cached service results.

``st.cache_resource`` holds the read-only DuckDB connection (shared by sessions; every query takes its
own cursor inside the store layer) and the display geometry (large, read-only). ``st.cache_data``
holds service results keyed by hashable filter values plus the store's version (file size and
modification time), so a rebuilt store is picked up without a restart. Nothing private to one user
(uploads) is cached here.

Other pages use :func:`connection` (pass it to their services) and :func:`store_key` (add it to the
arguments of their own ``st.cache_data`` functions).
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import geopandas as gpd
import pandas as pd
import streamlit as st

from cluster_map.config import REPO_ROOT, get_settings
from cluster_map.errors import StoreError
from cluster_map.maps.choropleth import EncodedGeometry, encode_geometry, publish_geometry
from cluster_map.services import coverage, mapview
from cluster_map.services.mapview import MapLayer, ViewOptions
from cluster_map.ui.state import Filters, decode, encode, switch_dataset


def db_path() -> Path:
    """Path of the store in force (``CLUSTER_MAP_DB`` or ``data/cluster_map.duckdb``)."""
    return Path(get_settings().db)


def store_key() -> str:
    """A string that changes whenever the store file is replaced (path, size, mtime)."""
    p = db_path()
    try:
        s = p.stat()
    except FileNotFoundError:
        return f"{p}|missing"
    return f"{p}|{s.st_size}|{s.st_mtime_ns}"


#: The connections ``_connection`` opened, by store key (so that a replaced store's can be closed).
_OPEN: dict[str, Any] = {}


@st.cache_resource(show_spinner=False, max_entries=4)
def _connection(key: str) -> Any:
    path = key.split("|", 1)[0]
    # A new key for an open path: the file was replaced (a full `cluster-map ingest` beside the running
    # app). DuckDB hands a new connection the database instance still open under that path, i.e. the old
    # file, until every connection to it is closed: close them first.
    for old in [k for k in _OPEN if k.split("|", 1)[0] == path]:
        _OPEN.pop(old).close()
    con = mapview.open_store(path)
    _OPEN[key] = con
    return con


def drop_stale() -> None:
    """After this process replaced the store file (the upload's "add to the store"): close the connections
    to the old file and forget the cached data, so the next run reads the new file. DuckDB hands a new
    connection to a path the database instance still open under that path, i.e. the old file, until every
    connection to it is closed."""
    current = store_key()
    for key in [k for k in _OPEN if k != current]:
        _OPEN.pop(key).close()
    _connection.clear()
    st.cache_data.clear()


def connection() -> Any:
    """The shared read-only store connection (services take a cursor per query)."""
    return _connection(store_key())


@st.cache_data(show_spinner=False, max_entries=8)
def _datasets(key: str) -> tuple[str, ...]:
    return mapview.datasets(_connection(key))


def datasets() -> tuple[str, ...]:
    """Datasets that can be mapped, in menu order."""
    return _datasets(store_key())


@st.cache_data(show_spinner=False, max_entries=32)
def _view_options(key: str, dataset: str) -> ViewOptions:
    return mapview.view_options(_connection(key), dataset)


def view_options(dataset: str) -> ViewOptions:
    """Allowed values (sectors, years, levels, countries, regions) of ``dataset``."""
    return _view_options(store_key(), dataset)


@st.cache_resource(show_spinner=False, max_entries=16)
def _geometry(key: str, nuts_version: str, level: int) -> gpd.GeoDataFrame:
    return mapview.map_geometry(_connection(key), nuts_version=nuts_version, level=level)


def geometry(nuts_version: str, level: int) -> gpd.GeoDataFrame:
    """Display geometry of one NUTS version and level (shared, do not modify)."""
    return _geometry(store_key(), nuts_version, level)


@st.cache_resource(show_spinner=False, max_entries=16)
def _encoded(key: str, nuts_version: str, level: int, precision: int) -> EncodedGeometry:
    return encode_geometry(_geometry(key, nuts_version, level), precision=precision)


def encoded_geometry(nuts_version: str, level: int, *, precision: int = 4) -> EncodedGeometry:
    """Geometry of a level packed for the browser (sent once per level; shared, read-only)."""
    return _encoded(store_key(), nuts_version, level, precision)


#: Folder served by Streamlit static serving at ``/app/static`` (next to app.py; git-ignored).
STATIC_DIR = REPO_ROOT / "static"


def geometry_url(nuts_version: str, level: int, *, precision: int = 4) -> str:
    """URL of the level's packed geometry as a static file (written once, named by its hash).

    The browser fetches it once and keeps it in its cache, so a rerun of the map re-sends only the
    small map script (about 10 KB), not the geometry (NUTS 2: 145 KB, NUTS 3: 400 KB), which keeps
    filter changes cheap for the server when many people use it at once.
    """
    return publish_geometry(encoded_geometry(nuts_version, level, precision=precision), STATIC_DIR)


@st.cache_data(show_spinner=False, max_entries=256)
def _map_values(
    key: str,
    dataset: str,
    level: int,
    sector: str,
    year: int,
    metric: str,
    min_employment: float,
    growth_from: int | None,
) -> pd.DataFrame:
    return mapview.map_values(
        _connection(key),
        dataset=dataset,
        level=level,
        sector=sector,
        year=year,
        metric=metric,
        min_employment=min_employment,
        growth_from=growth_from,
    )


def _year(filters: Filters, opts: ViewOptions) -> int:
    year = filters.year if filters.year is not None else opts.latest_year
    if year is None:
        raise StoreError(
            f"Dataset {filters.dataset!r} has no year with metrics; rebuild the store with "
            "`cluster-map ingest`."
        )
    return int(year)


def level_values(filters: Filters) -> pd.DataFrame:
    """Values of the view for every region of the level, all countries (the colour reference)."""
    opts = view_options(filters.dataset)
    year = _year(filters, opts)
    growth_from = opts.years[0] if opts.years else None
    return _map_values(
        store_key(),
        filters.dataset,
        filters.level,
        filters.sector or opts.default_sector,
        year,
        filters.metric,
        float(filters.min_employment),
        growth_from,
    )


def map_layer(filters: Filters) -> MapLayer:
    """The map layer of a (decoded, explicit) view; values and geometry come from the caches."""
    opts = view_options(filters.dataset)
    year = _year(filters, opts)
    values = mapview.restrict(level_values(filters), tuple(filters.countries), metric=filters.metric)
    geom = geometry(opts.nuts_version_for(year), filters.level)
    frame = gpd.GeoDataFrame(geom.merge(values, on="code", how="inner"), geometry="geometry", crs=geom.crs)
    sector = filters.sector or opts.default_sector
    return MapLayer(
        frame=frame,
        dataset=filters.dataset,
        sector=sector,
        sector_label=opts.sector_label(sector),
        year=year,
        level=filters.level,
        metric=filters.metric,
        nuts_version=opts.nuts_version_for(year),
    )


_LAST = "_cm_last_view"
#: The view this session last showed in each dataset (so a dataset round trip comes back to it).
_SEEN = "_cm_seen"


def url_params() -> dict[str, Any]:
    """The URL's query parameters (each a list of values), or, when the URL has none (the sidebar's page
    links drop them), those of the view this session looked at last."""
    params: dict[str, Any] = {k: st.query_params.get_all(k) for k in st.query_params}
    if not params and _LAST in st.session_state:
        params = dict(st.session_state[_LAST])
    return params


def current_filters(*, without: tuple[str, ...] = ()) -> tuple[Filters, list[str]]:
    """The view in the URL (``st.query_params``), validated against the store, and the warnings.

    A URL without parameters continues the view this session looked at last, so moving between pages
    keeps the dataset, sector, year and regions. ``without``: parameters a page reads itself (the
    Organisations page's ``countries`` are the directory's, not the dataset's).
    """
    params = {k: v for k, v in url_params().items() if k not in without}
    return decode(params, view_options, datasets=datasets())


def set_filters(filters: Filters, *, extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """Write ``filters`` (and a page's own parameters ``extra``, which win over a view parameter of the
    same name) to the URL, changing only the parameters that changed, to avoid needless reruns.
    Returns the parameters now in the URL."""
    view = encode(filters)
    st.session_state[_LAST] = view
    st.session_state.setdefault(_SEEN, {})[filters.dataset] = filters
    wanted = {**view, **(extra or {})}
    current = {k: st.query_params.get(k) for k in st.query_params}
    if current == wanted:
        return wanted
    for k in [k for k in current if k not in wanted]:
        del st.query_params[k]
    for k, v in wanted.items():
        if current.get(k) != v:
            st.query_params[k] = v
    return wanted


def switch_to(filters: Filters, dataset: str) -> tuple[Filters, list[str]]:
    """The view ``filters`` moved to ``dataset``: the equivalent sector, level, year, metric, countries
    where the dataset has them, and one line per choice that changed, saying why
    (:func:`cluster_map.ui.state.switch_dataset`)."""
    if dataset == filters.dataset or filters.dataset not in datasets():
        return filters.with_(dataset=dataset), []
    return switch_dataset(
        filters,
        view_options(filters.dataset),
        view_options(dataset),
        remembered=dict(st.session_state.get(_SEEN, {})),
    )


@st.cache_data(show_spinner=False, max_entries=32)
def _benchmark_note(key: str, dataset: str, level: int, year: int) -> str:
    return coverage.coverage(connection(), dataset, level=level).note(year)


def benchmark_note(dataset: str, level: int, year: int | None) -> str:
    """'' when the year's benchmark holds every country, else which countries it holds."""
    return _benchmark_note(store_key(), dataset, int(level), int(year)) if year is not None else ""


@st.cache_data(show_spinner=False, max_entries=32)
def _organisations(key: str, countries: tuple[str, ...]) -> pd.DataFrame:
    return mapview.organisations(_connection(key), countries=countries)


def organisations(countries: tuple[str, ...] = ()) -> pd.DataFrame:
    """Cluster organisations with coordinates (public directories only; uploads are never cached)."""
    return _organisations(store_key(), tuple(countries))
