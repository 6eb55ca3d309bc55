"""The map widget of the home page: filters in the sidebar, the map in a fragment, the ranked table.

Speed (see ``cluster_map.maps.choropleth``): the base map holds only the geometry of the level, so its
script, and with it streamlit-folium's component key, stays the same when the sector, year, metric,
countries or classes change. The colours, tooltips and legend travel as a small "paint" in
``feature_group_to_add``: the browser restyles the existing polygons in place, the iframe is not
rebuilt. The geometry itself is a static file (``data.geometry_url``) that the browser fetches once,
so each rerun sends about 55 KB (NUTS 2 paint and tooltips) instead of 150 KB. ``st_folium`` returns only the clicked region's tooltip, so pans and zooms never rerun Python;
the map lives in an ``st.fragment`` so a click reruns only the map before switching page.

Widgets follow the URL: on a new URL (first load, shared link, back button) the widget states are
set from the decoded ``Filters``; after a widget change the new ``Filters`` are written to the URL.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st
from streamlit_folium import st_folium

from cluster_map import catalogue
from cluster_map.config import REPO_ROOT, get_settings
from cluster_map.maps.choropleth import Paint, base_map, clicked_region, paint
from cluster_map.maps.classes import classes_for
from cluster_map.maps.layers import hotspot_layer, layer_control, organisations_layer, star_layer
from cluster_map.services import mapview as service
from cluster_map.services.mapview import MapLayer, dataset_label
from cluster_map.ui import data
from cluster_map.ui.errors import handled
from cluster_map.ui.sector import sources
from cluster_map.ui.state import CLASSIFICATIONS, Filters, encode
from cluster_map.ui.text import markdown_table, plain

REGION_PAGE = "pages/1_Region_profile.py"
#: Map height (px): fits a 600-px-high window with the page header scrolled away (the view fits the bounds).
MAP_HEIGHT = 500
_URL = "_cm_url"
_W = {
    k: f"cm_{k}"
    for k in (
        "dataset",
        "level",
        "sector",
        "year",
        "metric",
        "classes",
        "countries",
        "min_emp",
        "orgs",
        "hot",
        "stars",
    )
}


def _sync_widgets(filters: Filters) -> None:
    """Set widget states from the URL when the URL changed from outside the widgets."""
    url = encode(filters)
    if st.session_state.get(_URL) == url:
        return
    ss = st.session_state
    ss[_W["dataset"]] = filters.dataset
    ss[_W["level"]] = filters.level
    ss[_W["sector"]] = filters.sector
    ss[_W["year"]] = filters.year
    ss[_W["metric"]] = filters.metric
    ss[_W["classes"]] = filters.classification
    ss[_W["countries"]] = list(filters.countries)
    ss[_W["min_emp"]] = int(filters.min_employment)
    ss[_URL] = url


def _fix(key: str, allowed: Any, default: Any) -> None:
    """Reset a widget state that the new options no longer allow (e.g. after a dataset change)."""
    if st.session_state.get(key) not in allowed:
        st.session_state[key] = default


def filter_sidebar(filters: Filters) -> Filters:
    """The filter widgets (sidebar); returns the view they describe."""
    _sync_widgets(filters)
    sb = st.sidebar
    sets = data.datasets()
    _fix(_W["dataset"], sets, filters.dataset)
    dataset = sb.selectbox("Dataset", sets, key=_W["dataset"], format_func=dataset_label)
    opts = data.view_options(dataset)
    if dataset != filters.dataset:  # the box changed: carry the view over, say what could not be kept
        moved, notes = data.switch_to(filters, dataset)
        ss = st.session_state
        ss[_W["sector"]], ss[_W["level"]], ss[_W["year"]] = moved.sector, moved.level, moved.year
        ss[_W["metric"]], ss[_W["countries"]] = moved.metric, list(moved.countries)
        filters = moved
        if notes:  # one box, one line per change
            st.info(plain("\n".join(notes), 0, lines=True), icon=":material/swap_horiz:")
    codes = [c for c, _ in opts.sectors]
    labels = dict(opts.sectors)
    _fix(_W["sector"], codes, opts.default_sector)
    sector = sb.selectbox(
        "Sector (type to search)", codes, key=_W["sector"], format_func=lambda c: f"{c} · {labels.get(c, c)}"
    )
    _fix(_W["year"], opts.years, opts.latest_year)
    year = (
        sb.select_slider("Year", options=list(opts.years), key=_W["year"])
        if len(opts.years) > 1
        else sb.selectbox("Year", list(opts.years), key=_W["year"])
    )
    _fix(_W["metric"], opts.metrics, filters.metric if filters.metric in opts.metrics else opts.metrics[0])
    metric = sb.selectbox(
        "Metric", list(opts.metrics), key=_W["metric"], format_func=lambda m: catalogue.metric(m).label
    )
    _fix(_W["level"], opts.levels, opts.default_level)
    level = sb.selectbox(
        "Level",
        list(opts.levels),
        key=_W["level"],
        format_func=lambda v: catalogue.level_label(opts.area, v),
    )
    st.session_state[_W["countries"]] = [
        c for c in st.session_state.get(_W["countries"], []) if c in opts.countries
    ]
    countries = sb.multiselect("Countries (none = all)", list(opts.countries), key=_W["countries"])
    min_emp = sb.number_input("Minimum employment of a cell", min_value=0, step=500, key=_W["min_emp"])
    classes = sb.radio(
        "Classes",
        list(CLASSIFICATIONS),
        key=_W["classes"],
        format_func=lambda c: CLASSIFICATIONS[c],
        horizontal=False,
    )
    return filters.with_(
        page="map",
        dataset=dataset,
        sector_scheme=opts.sector_scheme,
        sector=sector,
        year=int(year),
        metric=metric,
        level=int(level),
        countries=tuple(countries),
        min_employment=float(min_emp),
        classification=classes,
    )


def layer_toggles() -> dict[str, bool]:
    """Overlay switches (session only): organisations, hot spots, star clusters."""
    sb = st.sidebar
    sb.markdown("**Layers**")
    return {
        "orgs": sb.toggle("Cluster organisations", key=_W["orgs"]),
        "hot": sb.toggle("Hot spots (Gi* of the LQ)", key=_W["hot"]),
        "stars": sb.toggle("Star clusters (2+ stars)", key=_W["stars"]),
    }


def _overlays(filters: Filters, layer: MapLayer, on: dict[str, bool]) -> list[Any]:
    groups: list[Any] = []
    if on.get("stars") and layer.nuts_version != "us":
        groups.append(star_layer(layer.frame, min_stars=2))
    if on.get("hot"):
        hot = data.level_values(filters.with_(metric="hotspot"))[["code", "value"]]
        frame = layer.frame.merge(hot.rename(columns={"value": "hotspot"}), on="code", how="left")
        groups.append(hotspot_layer(frame, show=True))
    if on.get("orgs"):
        orgs = data.organisations(tuple(filters.countries))
        if len(orgs):
            groups.append(organisations_layer(orgs))
    return groups


def remember(filters: Filters) -> None:
    """Write the view to the URL and note it, so the widgets keep their own state next run."""
    data.set_filters(filters)
    st.session_state[_URL] = encode(filters)


@st.cache_data(show_spinner=False, max_entries=256)
def _paint(key: str, filters: Filters) -> Paint:
    layer = data.map_layer(filters)
    return _build_paint(layer, filters, data.level_values(filters))


def _build_paint(layer: MapLayer, filters: Filters, reference: pd.DataFrame) -> Paint:
    metric = filters.metric
    spec = catalogue.metric(metric)
    categorical = spec.classes in ("stars", "boolean", "hotspot")
    scheme = None
    if not categorical and (spec.classes == "quantiles" or filters.classification != "fixed"):
        scheme = "quantiles" if filters.classification == "fixed" else filters.classification
    ref = pd.to_numeric(reference["value"], errors="coerce") if scheme else None
    metric_for_classes = metric
    if ref is not None and ref.notna().sum() == 0:
        ref, scheme = None, None
        if spec.classes == "quantiles":
            metric_for_classes = "lq"  # nothing to classify: every region is no data
    classes = classes_for(
        metric_for_classes,
        ref,
        scheme=scheme,  # type: ignore[arg-type]  # checked by decode
        title=spec.label,
    )
    frame = layer.frame.drop(columns="geometry")
    sub = f"{layer.sector} · {layer.sector_label} · {layer.year}"
    # the browser zooms to the chosen countries (all of the area when none), refitting when they change
    area = data.view_options(layer.dataset).area
    bounds = service.view_bounds(layer.frame, area=area, countries=tuple(filters.countries))
    return paint(
        frame,
        value_col="value",
        label_col="name",
        classes=classes,
        unit="%" if spec.kind == "percent" else "",
        digits=spec.digits,
        title=spec.label,
        subtitle=sub,
        value_label=spec.label,
        bounds=bounds,
    )


def map_paint(filters: Filters) -> Paint:
    """Colours, tooltips and legend of the view (cached per view)."""
    return _paint(data.store_key(), filters)


def _open_region(code: str, filters: Filters) -> None:
    target = filters.with_(page="region", regions=(code,))
    if (REPO_ROOT / REGION_PAGE).is_file():
        st.switch_page(REGION_PAGE, query_params=encode(target))
    st.info(f"Region {plain(code)} selected; the region profile page is not installed.")


@st.fragment
def show_map(filters: Filters, overlays: dict[str, bool] | None = None) -> None:
    """The map of the view with the chosen overlays; clicking a region opens its profile."""
    opts = data.view_options(filters.dataset)
    version = opts.nuts_version_for(filters.year)  # the geometry of the year's NUTS version
    geom = data.encoded_geometry(version, filters.level)
    base = data.encoded_geometry(version, 0, precision=3) if opts.area != "us" else None
    tiles = get_settings().tile_url or None
    # the geometry is a static file the browser fetches once: reruns re-send only the map script
    m = base_map(
        geom,
        base=base,
        tiles=tiles,
        tiles_attr="map tiles (CLUSTER_MAP_TILE_URL)",
        fit=False,
        geometry_url=data.geometry_url(version, filters.level),
        base_geometry_url=data.geometry_url(version, 0, precision=3) if base is not None else None,
    )
    groups = [map_paint(filters).feature_group()]
    extra = (
        _overlays(filters, data.map_layer(filters), overlays or {})
        if overlays and any(overlays.values())
        else []
    )
    returned = st_folium(
        m,
        key="cm_map",
        height=MAP_HEIGHT,
        use_container_width=True,
        returned_objects=["last_object_clicked_tooltip"],
        feature_group_to_add=groups + extra,
        layer_control=layer_control() if extra else None,
    )
    code = clicked_region(returned)
    if code and code in opts.regions:
        _open_region(code, filters)


@handled
def show_top(layer: MapLayer, filters: Filters) -> None:
    """The 10 highest regions of the view, named beside the map (rank first).

    A Markdown table, not ``st.table``: the latter decodes Arrow in the browser, and its 0.9 MB of
    JavaScript would be the only reason for a first visit of the map to load it.
    """
    top = layer.top(10)
    if top.empty:
        return
    spec = layer.spec
    value_label = f"{spec.label} ({spec.unit})" if spec.unit else spec.label

    def shown(v: Any) -> str:
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return f"{float(v):,.{spec.digits}f}"
        return str(v)

    rows = [
        [int(r), f"{n} ({c})", k, shown(v)]
        for r, n, c, k, v in zip(
            top["rank"], top["name"], top["code"], top["country"], top["value"], strict=True
        )
    ]
    st.markdown(f"**The {len(top)} highest regions**")
    st.markdown(
        markdown_table(
            ["rank", "region", "country", value_label], rows, align=["right", "left", "left", "right"]
        )
    )


@handled
def show_table(layer: MapLayer, filters: Filters) -> None:
    """The ranked table of the view with CSV / XLSX / GeoJSON downloads."""
    table = layer.table()
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        height=320,
        column_config={"value": st.column_config.Column(catalogue.metric(filters.metric).label)},
    )
    stem = layer.stem
    geo = layer.frame.drop(columns=[c for c in ("label_lon", "label_lat") if c in layer.frame])
    full = layer.download_table()  # the table with dataset, sector, year, level and metric columns
    files = (
        ("CSV", "csv", full, "text/csv"),
        ("XLSX", "xlsx", full, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        ("GeoJSON (map layer)", "geojson", geo, "application/geo+json"),
        ("Provenance", "provenance.json", None, "application/json"),
    )
    # The bytes are built only when a button is clicked (a callable), not on every rerun.
    for col, (label, fmt, frame, mime) in zip(st.columns(len(files)), files, strict=True):
        col.download_button(
            plain(label),
            data=_exporter(frame, fmt) if frame is not None else _sidecar(layer),
            file_name=f"{stem}.{fmt}",
            mime=mime,
            key=f"cm_map_{fmt.replace('.', '_')}",
            on_click="ignore",
            width="stretch",
        )


def _sidecar(layer: MapLayer) -> Any:
    def build() -> bytes:
        return layer.provenance(sources(layer.dataset))

    return build


def _exporter(frame: pd.DataFrame, fmt: str) -> Any:
    def build() -> bytes:
        return service.export_table(frame, fmt)

    return build


def headline(layer: MapLayer, filters: Filters) -> None:
    """Title line and key figures of the view."""
    spec = catalogue.metric(filters.metric)
    st.subheader(f"{spec.label}: {plain(layer.sector)} {plain(layer.sector_label)}, {plain(layer.year)}")
    nums = service.summary_numbers(layer)
    where = catalogue.level_label(data.view_options(layer.dataset).area, layer.level, layer.nuts_version)
    st.caption(
        f"{plain(dataset_label(layer.dataset))} · {plain(where)} · {int(nums['with_data'])} of "
        f"{int(nums['regions'])} regions with a value · {spec.unit}. Click a region for its profile."
    )
    note = data.benchmark_note(layer.dataset, layer.level, layer.year)
    if note:
        st.warning(plain(note, 0))
    frame = layer.frame
    estimated = int(frame["estimated"].fillna(False).astype(bool).sum()) if "estimated" in frame else 0
    suspect = (
        int(frame["caveats"].fillna("").astype(str).str.contains("suspect:").sum())
        if "caveats" in frame
        else 0
    )
    marks = []
    if estimated:
        marks.append(
            f"dashed outline: {estimated} regions with estimated values (converted from an older NUTS "
            "version by population weights)"
        )
    if suspect:
        marks.append(f"{suspect} regions with a suspect source value (no star, no strong flag)")
    if marks:
        st.caption(plain("Caveats: " + "; ".join(marks) + ". The tooltip says why.", 0))
    brk = catalogue.series_break(layer.dataset, layer.year)
    if brk:
        st.warning(
            plain(
                f"Break in series: {brk}. Values of {int(layer.year)} carry the caveat "
                f"{catalogue.SERIES_BREAK_CAVEAT}; compare them with earlier years with care.",
                0,
            ),
            icon=":material/timeline:",
        )
