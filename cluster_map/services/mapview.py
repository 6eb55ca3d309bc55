"""The map layer for a view: display geometry of one level joined to one metric of one sector and year.

One function per user question: which datasets, levels, sectors and years can be mapped
(:func:`view_options`), and what the map of a view shows (:func:`map_values`, :func:`map_geometry`,
:func:`map_layer`). Regions with no value stay in the layer with the reason (confidential cell, ':' in
the source, no row, below the minimum employment), so the map draws them as "no data" and says why.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import geopandas as gpd
import numpy as np
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError, StoreError
from cluster_map.geo import STORAGE_CRS, VIEW_EXTENTS, from_wkb
from cluster_map.services import coverage
from cluster_map.stats import quality
from cluster_map.store import database, queries

#: Sectors tried first for the default view (a real sector with good coverage).
PREFERRED_SECTORS: Final = ("C29", "C", "C10", "C25", "F")
#: A year counts as "with data" for the default view when it covers this share of the best year's regions
#: (the last SBS year in the mirror, 2015, is a partial first release).
GOOD_COVERAGE: Final = 0.8


@dataclass(frozen=True)
class ViewOptions:
    """What can be chosen for one dataset: the allowed values ``ui.state.decode`` validates against.

    ``nuts_version`` is the version of the year a view opens at; a dataset whose geo codes change
    version between years (sbs_r_nuts2021: NUTS 2021 for 2021-2023, NUTS 2024 from 2024) lists its
    ``versions`` per year, and :meth:`nuts_version_for` answers the version whose geometry a map of
    a year draws.
    """

    dataset: str
    datasets: tuple[str, ...]
    sector_scheme: str
    sectors: tuple[tuple[str, str], ...]  # (code, label)
    default_sector: str
    years: tuple[int, ...]
    levels: tuple[int, ...]
    default_level: int
    countries: tuple[str, ...]
    regions: frozenset[str]
    metrics: tuple[str, ...]
    nuts_version: str
    default_year: int | None = None
    versions: tuple[tuple[int, str], ...] = ()  # (year, NUTS version of that year's metrics), ascending
    area: catalogue.Area = "europe"

    @property
    def latest_year(self) -> int | None:
        """The year a view without a year shows: the default year, else the last year with data."""
        return self.default_year or (self.years[-1] if self.years else None)

    def sector_label(self, code: str) -> str:
        """Label of sector ``code`` (the code itself if unknown)."""
        return dict(self.sectors).get(code, code)

    def nuts_version_for(self, year: int | None) -> str:
        """The NUTS version of the metrics of ``year`` (None or a year without metrics: the version of
        the closest earlier year, else :attr:`nuts_version`)."""
        if year is None:
            return self.nuts_version
        chosen = None
        for first, version in self.versions:
            if first <= year:
                chosen = version
        return chosen or (self.versions[0][1] if self.versions else self.nuts_version)


@dataclass(frozen=True)
class MapLayer:
    """What a map of one view shows.

    ``frame`` is a GeoDataFrame (EPSG:4326) with columns code, name, country, nuts_version, value
    (the metric; text for categorical metrics), rank (1 = highest, among regions with a value),
    employment, lq, lq_low, lq_high (bounds of a confidential cell's LQ), stars, strong, share, growth,
    flags, caveats (codes), caveat (the codes in words for the tooltip), estimated (converted by
    population weights: outlined on the map), reason ('' when there is a value), geometry.
    """

    frame: gpd.GeoDataFrame
    dataset: str
    sector: str
    sector_label: str
    year: int
    level: int
    metric: str
    nuts_version: str

    @property
    def spec(self) -> catalogue.Metric:
        """The catalogue's record of the layer's metric (label, unit, digits, colour rule)."""
        return catalogue.metric(self.metric)

    @property
    def n_with_data(self) -> int:
        return int((self.frame["reason"] == "").sum())

    def table(self) -> pd.DataFrame:
        """The layer as a plain table (no geometry), ranked, for display and CSV/XLSX download."""
        cols = [
            "rank",
            "code",
            "name",
            "country",
            "value",
            "employment",
            "lq",
            "lq_low",
            "lq_high",
            "share",
            "stars",
            "strong",
            "growth",
            "flags",
            "caveats",
            "nuts_version",
            "reason",
        ]
        t = pd.DataFrame(self.frame[[c for c in cols if c in self.frame.columns]])
        return t.sort_values(["rank", "code"], na_position="last").reset_index(drop=True)

    def top(self, n: int = 10) -> pd.DataFrame:
        """The ``n`` highest regions of the layer (rank, code, name, country, value), rank first."""
        t = self.table()
        t = t[t["rank"].notna()].head(n)
        return t[[c for c in ("rank", "code", "name", "country", "value") if c in t.columns]].reset_index(
            drop=True
        )

    @property
    def level_label(self) -> str:
        """The layer's level in the catalogue's words ('NUTS 2', 'US states')."""
        found = catalogue.find_dataset(self.dataset)
        return catalogue.level_label(found.area if found else "europe", self.level)

    @property
    def stem(self) -> str:
        """File name stem of the layer's downloads (dataset, sector, year, metric, level)."""
        return f"cluster_map_{self.dataset}_{self.sector}_{self.year}_{self.metric}_L{self.level}"

    def download_table(self) -> pd.DataFrame:
        """:meth:`table` with the view in its first columns (dataset, sector, sector label, year, level,
        metric), so a downloaded file says what it holds without its file name."""
        t = self.table()
        view = {
            "dataset": self.dataset,
            "sector": self.sector,
            "sector_label": self.sector_label,
            "year": int(self.year),
            "level": self.level_label,
            "metric": self.spec.label,
        }
        for i, (col, value) in enumerate(view.items()):
            t.insert(i, col, value)
        return t

    def provenance(self, sources: list[dict[str, Any]]) -> bytes:
        """The provenance sidecar (JSON) of :meth:`download_table`: the view's parameters and its sources."""
        from cluster_map.reports import exports

        t = self.download_table()
        return exports.provenance(
            table=self.stem,
            parameters={
                "dataset": self.dataset,
                "sector": self.sector,
                "year": int(self.year),
                "level": int(self.level),
                "nuts_version": self.nuts_version,
                "metric": self.metric,
            },
            sources=sources,
            rows=len(t),
            columns=[str(c) for c in t.columns],
        )


def open_store(db: Path | str) -> Any:
    """A read-only connection to the store at ``db`` (take a ``cursor()`` per query)."""
    return database.connect(db, read_only=True)


def _require_metrics(con: Any) -> None:
    if not queries.table_exists(con, "metrics"):
        raise StoreError(
            "The store has no table 'metrics' (the statistics were not materialised). "
            "Rebuild it with `cluster-map ingest`."
        )


def _present(con: Any) -> pd.DataFrame:
    """``queries.dataset_summary`` of the store (raises when the store has no metrics)."""
    _require_metrics(con)
    return queries.dataset_summary(con)


def _mapped_in(summary: pd.DataFrame) -> tuple[str, ...]:
    present = set(summary["dataset"])
    return tuple(d.code for d in catalogue.mapped() if d.code in present)


def datasets(con: Any) -> tuple[str, ...]:
    """Datasets the map offers that have metrics in the store, in the catalogue's menu order.

    A catalogued dataset that the store lacks (the 2017 mirror has no sbs_r_nuts2021) is not offered.
    """
    return _mapped_in(_present(con))


def dataset_label(code: str) -> str:
    """Menu label of a dataset (the catalogue's label; the code itself when not catalogued)."""
    found = catalogue.find_dataset(code)
    return found.label if found else code


def view_options(con: Any, dataset: str) -> ViewOptions:
    """Allowed values for ``dataset``; raises :class:`InputError` for a dataset that cannot be mapped."""
    summary = _present(con)
    available = _mapped_in(summary)
    rows = summary[summary["dataset"] == dataset]
    if rows.empty:
        raise InputError(
            f"Dataset {dataset!r} has no statistics in the store; choose one of "
            f"{', '.join(available) or '(none: rebuild the store)'}."
        )
    ds = catalogue.find_dataset(dataset)
    if ds is None or not ds.mapped:
        raise InputError(
            f"Dataset {dataset!r} is not one the map offers; choose one of "
            f"{', '.join(available) or '(none: rebuild the store)'}."
        )
    stored = sorted(int(x) for x in rows["level"].unique())
    levels = tuple(lv for lv in stored if lv in ds.map_levels) or tuple(stored)
    default_level = ds.default_level if ds.default_level in levels else levels[-1]
    sec = queries.sectors(con, dataset, level=default_level)
    sectors_ = tuple((str(c), str(lbl)) for c, lbl in zip(sec["code"], sec["label"], strict=True))
    best = int(sec["n_regions"].max()) if len(sec) else 0
    default = next(
        (
            s
            for s in PREFERRED_SECTORS
            if s in set(sec["code"]) and sec.loc[sec["code"] == s, "n_regions"].iloc[0] >= 0.6 * best
        ),
        None,
    )
    if default is None and len(sec):
        default = str(sec.sort_values(["n_regions", "code"], ascending=[False, True])["code"].iloc[0])
    regions = queries.region_codes(con, dataset)
    cover = queries.year_coverage(con, dataset, level=default_level, sector=default or "")
    good = cover[cover["n_regions"] >= GOOD_COVERAGE * cover["n_regions"].max()] if len(cover) else cover
    # never open on a year whose benchmark holds only part of the countries (SBS 2015: 17 of 29)
    bench = coverage.coverage(con, dataset, level=default_level)
    default_year = bench.default_year([int(y) for y in good["year"]]) if len(good) else None
    years = tuple(queries.years(con, dataset))
    by_year = queries.year_versions(con, dataset)
    versions = tuple((int(y), str(v)) for y, v in zip(by_year["year"], by_year["nuts_version"], strict=True))
    opened = default_year or (years[-1] if years else None)
    first_version = str(rows["nuts_version"].iloc[0])
    nuts_version = next(
        (v for y, v in reversed(versions) if opened is not None and y <= opened), first_version
    )
    return ViewOptions(
        dataset=dataset,
        datasets=available,
        sector_scheme=str(rows["sector_scheme"].iloc[0]),
        sectors=sectors_,
        default_sector=default or "",
        years=years,
        levels=levels,
        default_level=default_level,
        countries=tuple(sorted(regions["country"].dropna().unique())),
        regions=frozenset(regions["code"]),
        metrics=tuple(m.key for m in catalogue.metrics_of(ds)),
        nuts_version=nuts_version,
        default_year=default_year,
        versions=versions,
        area=ds.area,
    )


def view_bounds(
    frame: gpd.GeoDataFrame, *, area: str, countries: tuple[str, ...] = ()
) -> list[list[float]] | None:
    """``[[south, west], [north, east]]`` the map zooms to: the regions of ``countries`` (all regions when
    empty) whose label point lies in the area's :data:`cluster_map.geo.VIEW_EXTENTS`, so that France
    means mainland France and Corsica, not the Atlantic to the Indian Ocean. When every chosen region
    lies outside (a country of outermost regions only), their own bounds; None when there is no region.

    ``frame`` is a map layer's frame (code, country, geometry in EPSG:4326; label_lon/label_lat when
    present, else each polygon's representative point).
    """
    chosen = frame[frame["country"].isin(countries)] if countries else frame
    chosen = chosen[~chosen.geometry.is_empty & chosen.geometry.notna()]
    if chosen.empty:
        return None
    if {"label_lon", "label_lat"} <= set(chosen.columns):
        lon, lat = chosen["label_lon"].astype(float), chosen["label_lat"].astype(float)
    else:
        pts = chosen.geometry.representative_point()
        lon, lat = pts.x, pts.y
    west, south, east, north = VIEW_EXTENTS.get(area, (-180.0, -90.0, 180.0, 90.0))
    inside = chosen[((lon >= west) & (lon <= east) & (lat >= south) & (lat <= north)).to_numpy()]
    minx, miny, maxx, maxy = (float(v) for v in (inside if len(inside) else chosen).total_bounds)
    return [[round(miny, 4), round(minx, 4)], [round(maxy, 4), round(maxx, 4)]]


def map_geometry(con: Any, *, nuts_version: str, level: int) -> gpd.GeoDataFrame:
    """Display geometry of a level: GeoDataFrame with code, label_lon, label_lat, geometry (EPSG:4326)."""
    rows = queries.display_geometry(con, nuts_version=nuts_version, level=level)
    if rows.empty:
        raise StoreError(
            f"The store has no geometry for NUTS version {nuts_version!r} level {level}. "
            f"Rebuild it with `cluster-map ingest`."
        )
    geom = from_wkb(rows["wkb"])
    return gpd.GeoDataFrame(
        rows[["code", "label_lon", "label_lat"]].reset_index(drop=True), geometry=geom.values, crs=STORAGE_CRS
    )


def _reason(row: pd.Series, metric: str, min_employment: float, first_year: bool) -> str:
    if metric == "growth" and first_year:
        return "growth needs an earlier year: pick a later year"
    emp = row["employment"]
    if pd.notna(emp) and min_employment and emp < min_employment:
        return f"employment {emp:,.0f} below the minimum {min_employment:,.0f}"
    if not row["has_obs"]:
        return "no figure in the source for this sector and year"
    if pd.isna(row["raw_value"]):
        if "c" in (row["flags"] or ""):
            low, high = row.get("lq_low"), row.get("lq_high")
            if metric == "lq" and pd.notna(low) and pd.notna(high):
                return (
                    f"confidential in the source (flag c); from the NACE hierarchy the LQ lies between "
                    f"{low:,.2f} and {high:,.2f}"
                )
            return "confidential in the source (flag c)"
        return "not available in the source (':')"
    return "not defined for this cell (e.g. the regional or benchmark total is missing)"


def map_values(
    con: Any,
    *,
    dataset: str,
    level: int,
    sector: str,
    year: int,
    metric: str,
    min_employment: float = 0.0,
    countries: tuple[str, ...] = (),
    growth_from: int | None = None,
) -> pd.DataFrame:
    """Values of one view for every region of the level (no geometry).

    Columns: code, name, country, nuts_version, value, rank, employment, lq, share, stars, strong,
    growth, flags, reason, caveats (of the metric row: e.g. ``break:series_join`` in a series' join
    year). ``rank`` ranks regions with a value (1 = highest; ties share the lowest
    rank); regions below ``min_employment`` get no value and the reason.
    """
    if metric not in {m.key for m in catalogue.METRICS}:
        raise InputError(
            f"Unknown metric {metric!r}; choose one of {', '.join(m.key for m in catalogue.METRICS)}."
        )
    ds = catalogue.source_dataset(dataset, year)  # a series: the part dataset of ``year``
    cell = ds.employment if ds is not None else None
    v = queries.map_values(
        con,
        dataset=dataset,
        level=level,
        sector=sector,
        year=year,
        growth_from=growth_from,
        employment=(cell.indicator, cell.breakdown) if cell else None,
        observations_of=ds.code if ds is not None else None,
    )
    share = catalogue.metric("share")
    v = v.rename(columns={share.column: "share"}).reset_index(drop=True)
    v["share"] = v["share"] * share.scale
    if metric == "hotspot":
        v["hotspot"] = _hotspots(con, v, level=level, min_employment=min_employment)
    spec = catalogue.metric(metric)
    if spec.kind == "flag":
        value = v[metric].astype("boolean")
    elif metric == "hotspot":
        value = v[metric].astype(object)
    else:
        value = v[metric].astype("float64")
    if min_employment:
        below = v["employment"].isna() | (v["employment"] < min_employment)
        value = value.mask(below)
    v["value"] = value
    has = v["value"].notna()
    v["rank"] = _rank(v, metric)
    first = growth_from is None or growth_from >= year
    v["reason"] = ""
    miss = ~has
    v.loc[miss, "reason"] = [_reason(r, metric, min_employment, first) for _, r in v[miss].iterrows()]
    v["caveat"] = [
        quality.describe_caveats(c, skip=("confidential", "denominator:sections")) for c in v["caveats"]
    ]
    codes = v["caveats"].fillna("").astype(str)
    v["estimated"] = codes.str.contains("estimated:", regex=False)
    if spec.needs == "value_added":  # the ratio's numerator was estimated
        v["estimated"] |= codes.str.contains("value_added:", regex=False)
    keep = [
        "code",
        "name",
        "country",
        "nuts_version",
        "value",
        "rank",
        "employment",
        "lq",
        "lq_low",
        "lq_high",
        "share",
        "stars",
        "strong",
        "growth",
        "flags",
        "caveats",
        "caveat",
        "estimated",
        "reason",
    ]
    return restrict(v[keep], countries, metric=metric)


def _rank(v: pd.DataFrame, metric: str) -> pd.Series:
    """Rank 1 = highest value; strong clusters and hot spots are ranked by their LQ."""
    has = v["value"].notna()
    if metric == "strong":
        ranked = v["lq"].where(v["value"] == True)  # noqa: E712
    elif metric == "hotspot":
        ranked = v["lq"].where(has)
    else:
        ranked = v["value"].astype("float64")
    return ranked.where(has).rank(ascending=False, method="min").astype("Int64")


def restrict(values: pd.DataFrame, countries: tuple[str, ...], *, metric: str) -> pd.DataFrame:
    """The rows of ``countries`` (all when empty), ranked again among themselves."""
    if not countries:
        return values
    v = values[values["country"].isin(countries)].reset_index(drop=True)
    v["rank"] = _rank(v, metric)
    return v


def _hotspots(con: Any, v: pd.DataFrame, *, level: int, min_employment: float) -> pd.Series:
    """Getis-Ord Gi* class of each region's LQ among the regions with an LQ (queen contiguity).

    Classes: ``hot_99``/``hot_95``/``hot_90`` (pseudo p <= 0.01/0.05/0.10, z > 0), ``cold_*`` alike,
    ``ns``; regions with no LQ or no neighbour with an LQ get no class. Seeded permutations
    (``Settings.seed``, ``Settings.permutations``), so the map is reproducible.
    """
    from cluster_map.config import get_settings
    from cluster_map.stats.hotspots import local_getis_ord, queen_weights, significant_at

    out = pd.Series([None] * len(v), index=v.index, dtype=object)
    ok = v["lq"].notna()
    if min_employment:
        ok &= v["employment"].fillna(0) >= min_employment
    if ok.sum() < 3:
        return out
    nuts_version = str(v["nuts_version"].dropna().iloc[0])
    geom = queries.display_geometry(con, nuts_version=nuts_version, level=level)
    import warnings

    frame = gpd.GeoDataFrame(geom[["code"]], geometry=from_wkb(geom["wkb"]).values, crs=STORAGE_CRS)
    frame = frame.merge(v.loc[ok, ["code", "lq"]], on="code")
    crs = "EPSG:5070" if nuts_version == "us" else "EPSG:3035"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = queen_weights(frame, ids="code", crs=crs)
    linked = [c for c in w.id_order if w.cardinalities[c] > 0]
    if len(linked) < 3:
        return out
    frame = frame.set_index("code").loc[linked].reset_index()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        w = queen_weights(frame, ids="code", crs=crs)
    s = get_settings()
    res = local_getis_ord(frame["lq"].to_numpy(), w, star=True, permutations=s.permutations, seed=s.seed)
    label = []
    for z, p in zip(res.z, res.p_sim, strict=True):
        level_ = next(
            (name for name, cut in (("99", 0.01), ("95", 0.05), ("90", 0.10)) if significant_at(p, cut)), None
        )
        label.append("ns" if level_ is None else f"{'hot' if z > 0 else 'cold'}_{level_}")
    classes = dict(zip(res.ids, label, strict=True))
    return v["code"].map(classes).astype(object).where(v["code"].isin(classes.keys()), None)


def map_layer(
    con: Any,
    *,
    dataset: str,
    level: int,
    sector: str,
    year: int,
    metric: str,
    min_employment: float = 0.0,
    countries: tuple[str, ...] = (),
    options: ViewOptions | None = None,
    geometry: gpd.GeoDataFrame | None = None,
) -> MapLayer:
    """The layer of a view: geometry of every region of the level joined to :func:`map_values`."""
    opts = options or view_options(con, dataset)
    growth_from = opts.years[0] if opts.years else None
    values = map_values(
        con,
        dataset=dataset,
        level=level,
        sector=sector,
        year=year,
        metric=metric,
        min_employment=min_employment,
        countries=countries,
        growth_from=growth_from,
    )
    nuts_version = opts.nuts_version_for(year)
    geom = geometry if geometry is not None else map_geometry(con, nuts_version=nuts_version, level=level)
    frame = geom.merge(values, on="code", how="inner")
    frame = gpd.GeoDataFrame(frame, geometry="geometry", crs=STORAGE_CRS)
    return MapLayer(
        frame=frame,
        dataset=dataset,
        sector=sector,
        sector_label=opts.sector_label(sector),
        year=year,
        level=level,
        metric=metric,
        nuts_version=nuts_version,
    )


def layer_geojson(layer: MapLayer) -> bytes:
    """The layer as GeoJSON (EPSG:4326), properties = the table columns."""
    frame = layer.frame.drop(columns=[c for c in ("label_lon", "label_lat") if c in layer.frame])
    frame = frame.assign(
        rank=frame["rank"].astype("float64"),
        value=frame["value"].astype(object).where(frame["value"].notna(), None),
    )
    return frame.to_json(drop_id=True, na="null").encode("utf-8")


def summary_numbers(layer: MapLayer) -> dict[str, float]:
    """Key figures of the layer: regions with data, median and maximum value."""
    vals = pd.to_numeric(layer.frame["value"], errors="coerce").dropna()
    return {
        "regions": float(len(layer.frame)),
        "with_data": float(layer.n_with_data),
        "median": float(np.median(vals)) if len(vals) else float("nan"),
        "max": float(vals.max()) if len(vals) else float("nan"),
    }


def install_assets(static_dir: Path) -> None:
    """Copy Leaflet and its plugins from installed packages to ``static_dir/vendor`` (offline maps)."""
    from cluster_map.maps.assets import install_static_assets

    install_static_assets(static_dir)


def build_store(db: Path, *, progress: bool = False) -> float:
    """Build the store at ``db`` from the sources (official URLs, mirror offline); returns seconds."""
    from cluster_map.services.ingest import ingest

    return float(ingest(db=db, progress=progress).seconds)


def organisations(con: Any, *, countries: tuple[str, ...] = ()) -> pd.DataFrame:
    """Cluster organisations with coordinates (of ``countries``, all when empty) for the map overlay."""
    return queries.organisations(con, countries=countries)


def export_table(frame: pd.DataFrame, fmt: str) -> bytes:
    """``frame`` as ``csv``/``xlsx`` (text cells protected against formula injection) or ``geojson``."""
    from cluster_map.reports.exports import export

    if fmt not in ("csv", "xlsx", "geojson"):
        raise InputError(f"Unknown download format {fmt!r}; choose 'csv', 'xlsx' or 'geojson'.")
    return export(frame, fmt)  # type: ignore[arg-type]
