"""View state of the app: the frozen ``Filters`` and its pure URL encoding.

Everything a user would share (page, dataset, sector, year, metric, level, countries, selected regions,
classification, minimum employment) lives in ``st.query_params``; ``encode`` and ``decode`` are pure, so a
link reproduces the view and a round-trip test keeps them honest. ``decode`` never raises on a bad URL: it
falls back to a sensible default for each bad value and returns one clear warning per problem, which the
page shows above the map.

URL parameters (all optional)::

    page     map | region | sector | compare | data | organisations
    dataset  sbs_r_nuts06_r2 | lfst_r_lfe2en2 | us_cmp_states_2016
    scheme   sector scheme (nace_r2, us_cluster); follows the dataset when omitted
    sector   sector code in that scheme (C29, 21 ...); default: the dataset's default sector
    year     4-digit year; default: the latest year with data
    metric   employment | share | lq | stars | strong | wage_ratio | gva_ratio | growth | hotspot
    level    NUTS level 0-2 (US states: 1)
    countries  comma-separated country codes (DE,FR)
    regions  comma-separated region codes, up to 10 (DE21,FR10)
    classes  fixed | quantiles | natural_breaks
    min_emp  minimum employment of a cell to be shown and ranked (number)
    custom   a custom region NAME=CODE,CODE (Øresund=DK01,SE22): its profile and report
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any, Final, Literal

from cluster_map import catalogue
from cluster_map.services.mapview import ViewOptions
from cluster_map.ui.text import short

Page = Literal["map", "region", "sector", "compare", "data", "organisations"]
Metric = Literal[
    "employment", "share", "lq", "stars", "strong", "wage_ratio", "gva_ratio", "growth", "hotspot"
]
Classification = Literal["fixed", "quantiles", "natural_breaks"]

PAGES: Final[tuple[str, ...]] = ("map", "region", "sector", "compare", "data", "organisations")
METRICS: Final[dict[str, str]] = {m.key: m.label for m in catalogue.METRICS}
CLASSIFICATIONS: Final[dict[str, str]] = {
    "fixed": "Fixed classes",
    "quantiles": "Quantiles",
    "natural_breaks": "Natural breaks (Fisher-Jenks)",
}
MAX_REGIONS: Final = 10
DEFAULT_DATASET: Final = "sbs_r_nuts06_r2"


def default_dataset(known: tuple[str, ...]) -> str:
    """The dataset a view opens on when the link names none: the catalogue's series of
    :data:`DEFAULT_DATASET` where the store holds it (the European SBS under one name, 2008 onwards),
    else :data:`DEFAULT_DATASET` itself (the 2017 mirror has only the first part of the series).

    >>> default_dataset(("eurostat_sbs", "sbs_r_nuts06_r2")), default_dataset(("sbs_r_nuts06_r2",))
    ('eurostat_sbs', 'sbs_r_nuts06_r2')
    """
    series = catalogue.series_of(DEFAULT_DATASET)
    return series.code if series is not None and series.code in known else DEFAULT_DATASET


_CODE = re.compile(r"^[A-Za-z0-9_.\-]{1,24}$")


@dataclass(frozen=True)
class Filters:
    """What the user is looking at. Hashable, so it can key caches.

    ``sector == ""`` and ``year is None`` mean "the dataset's default sector" and "the latest year with
    data"; ``decode`` with options resolves them, so a decoded view is always explicit.
    """

    page: str = "map"
    dataset: str = DEFAULT_DATASET
    sector_scheme: str = "nace_r2"
    sector: str = ""
    year: int | None = None
    metric: str = "lq"
    level: int = 2
    countries: tuple[str, ...] = ()
    regions: tuple[str, ...] = field(default=())
    classification: str = "fixed"
    min_employment: float = 0.0
    custom: str = ""  # a custom region, NAME=CODE,CODE (cluster_map.services.custom_regions)

    def with_(self, **changes: object) -> Filters:
        """A copy with ``changes`` (lists become tuples so the result stays hashable)."""
        fixed: dict[str, Any] = {k: tuple(v) if isinstance(v, list) else v for k, v in changes.items()}
        return replace(self, **fixed)


def encode(filters: Filters) -> dict[str, str]:
    """The URL query parameters of ``filters`` (empty values omitted).

    >>> encode(Filters(sector="C29", year=2015))["sector"]
    'C29'
    """
    out: dict[str, str] = {
        "page": filters.page,
        "dataset": filters.dataset,
        "scheme": filters.sector_scheme,
        "metric": filters.metric,
        "level": str(filters.level),
        "classes": filters.classification,
    }
    if filters.sector:
        out["sector"] = filters.sector
    if filters.year is not None:
        out["year"] = str(filters.year)
    if filters.countries:
        out["countries"] = ",".join(filters.countries)
    if filters.regions:
        out["regions"] = ",".join(filters.regions)
    if filters.min_employment:
        m = filters.min_employment
        out["min_emp"] = str(int(m)) if float(m).is_integer() else repr(float(m))
    if filters.custom:
        out["custom"] = filters.custom
    return out


def quoted(value: object, limit: int = 40) -> str:
    """A URL value quoted for a warning: cleaned and cut (the page escapes the whole message)."""
    return repr(short(value, limit))


def url_value(params: Mapping[str, object], key: str) -> str | None:
    """The last value of ``key`` in query parameters, stripped; ``None`` when absent."""
    v = params.get(key)
    if v is None:
        return None
    if isinstance(v, list | tuple):
        v = v[-1] if v else ""
    return str(v).strip()


def _codes(raw: str | None) -> list[str]:
    if not raw:
        return []
    return [c.strip() for c in raw.split(",") if c.strip()]


def decode(
    params: Mapping[str, object],
    options_for: Callable[[str], ViewOptions] | None = None,
    *,
    datasets: tuple[str, ...] | None = None,
) -> tuple[Filters, list[str]]:
    """Filters from URL query parameters, with a warning for every value that could not be used.

    Parameters
    ----------
    params
        ``st.query_params`` (or any mapping of str to str / list of str).
    options_for
        ``dataset -> ViewOptions`` giving the allowed sectors, years, levels, countries and regions of a
        dataset (``cluster_map.ui.data.view_options``). Without it only the syntax is checked and the
        data-dependent defaults (sector, year) stay unresolved.
    datasets
        Datasets that can be shown (default: those of ``options_for``'s first answer, else the three
        mapped datasets).

    Returns
    -------
    (Filters, list of str)
        A valid view and the messages to show (empty when the URL was fine).
    """
    warnings: list[str] = []
    base = Filters()

    page = url_value(params, "page") or base.page
    if page not in PAGES:
        warnings.append(
            f"Unknown page {quoted(page)} in the link; showing the map (pages: {', '.join(PAGES)})."
        )
        page = base.page

    given_dataset = url_value(params, "dataset")
    dataset = given_dataset or base.dataset
    opts: ViewOptions | None = None
    if options_for is not None:
        default_opts = options_for(base.dataset)
        known = datasets or default_opts.datasets
        opening = default_dataset(known)
        dataset = given_dataset or opening
        if dataset not in known:
            warnings.append(
                f"Unknown dataset {quoted(dataset)} in the link; showing {opening!r} "
                f"(datasets: {', '.join(known)})."
            )
            dataset = opening
        opts = default_opts if dataset == base.dataset else options_for(dataset)
    elif datasets is not None:
        opening = default_dataset(datasets)
        dataset = given_dataset or opening
        if dataset not in datasets:
            warnings.append(f"Unknown dataset {quoted(dataset)} in the link; showing {opening!r}.")
            dataset = opening

    scheme = opts.sector_scheme if opts else (url_value(params, "scheme") or base.sector_scheme)
    given_scheme = url_value(params, "scheme")
    if opts and given_scheme and given_scheme != opts.sector_scheme:
        warnings.append(
            f"Sector scheme {quoted(given_scheme)} does not fit dataset {dataset!r}; "
            f"using {opts.sector_scheme!r}."
        )

    metric = url_value(params, "metric") or base.metric
    if metric not in METRICS:
        warnings.append(
            f"Unknown metric {quoted(metric)} in the link; showing the location quotient "
            f"(metrics: {', '.join(METRICS)})."
        )
        metric = base.metric
    elif opts and metric not in opts.metrics:
        warnings.append(f"Metric {metric!r} is not available for {dataset!r}; showing {opts.metrics[0]!r}.")
        metric = opts.metrics[0]

    level_raw = url_value(params, "level")
    level = opts.default_level if opts else base.level
    if level_raw:
        if level_raw.isdigit() and (int(level_raw) in opts.levels if opts else 0 <= int(level_raw) <= 3):
            level = int(level_raw)
        else:
            allowed = ", ".join(map(str, opts.levels)) if opts else "0-3"
            warnings.append(
                f"Level {quoted(level_raw)} is not available; showing level {level} (levels: {allowed})."
            )

    sector = url_value(params, "sector") or ""
    if sector and not _CODE.match(sector):
        warnings.append(f"Sector code {quoted(sector)} is not a code; showing the default sector.")
        sector = ""
    if opts:
        codes = {c for c, _ in opts.sectors}
        if sector and sector not in codes:
            warnings.append(
                f"Unknown sector {sector!r} for {dataset!r}; showing {opts.default_sector!r} "
                f"({opts.sector_label(opts.default_sector)}). Pick a sector from the list."
            )
            sector = ""
        sector = sector or opts.default_sector

    year: int | None = None
    year_raw = url_value(params, "year")
    if year_raw:
        if year_raw.isdigit() and len(year_raw) == 4 and (not opts or int(year_raw) in opts.years):
            year = int(year_raw)
        else:
            span = f" (years with data: {opts.years[0]}-{opts.years[-1]})" if opts and opts.years else ""
            warnings.append(f"Year {quoted(year_raw)} has no data; showing the latest year{span}.")
    if year is None and opts and opts.years:
        year = opts.latest_year

    countries = [c.upper() for c in _codes(url_value(params, "countries"))]
    if opts:
        bad = [c for c in countries if c not in opts.countries]
        if bad:
            warnings.append(
                f"Unknown countries {[short(c, 20) for c in bad[:10]]!r} ignored (countries: {', '.join(opts.countries)})."
            )
            countries = [c for c in countries if c in opts.countries]
    countries = [c for c in countries if _CODE.match(c)]

    regions = _codes(url_value(params, "regions"))
    regions = [r for r in regions if _CODE.match(r)]
    if opts:
        bad = [r for r in regions if r not in opts.regions]
        if bad:
            warnings.append(
                f"Unknown regions {bad[:10]!r} ignored; pick regions on the map or from the list."
            )
            regions = [r for r in regions if r in opts.regions]
    if len(regions) > MAX_REGIONS:
        warnings.append(f"{len(regions)} regions given; keeping the first {MAX_REGIONS}.")
        regions = regions[:MAX_REGIONS]
    regions = list(dict.fromkeys(regions))

    classification = url_value(params, "classes") or base.classification
    if classification not in CLASSIFICATIONS:
        warnings.append(
            f"Unknown classification {quoted(classification)}; using fixed classes "
            f"(choices: {', '.join(CLASSIFICATIONS)})."
        )
        classification = base.classification

    min_emp = 0.0
    raw = url_value(params, "min_emp")
    if raw:
        try:
            min_emp = float(raw)
            if not (min_emp >= 0 and min_emp < 1e9):
                raise ValueError
        except ValueError:
            warnings.append(f"Minimum employment {quoted(raw, 20)} is not a number >= 0; using 0.")
            min_emp = 0.0

    custom = ""
    raw_custom = url_value(params, "custom")
    if raw_custom:
        from cluster_map.errors import InputError
        from cluster_map.services.custom_regions import parse

        try:
            custom = parse(raw_custom).encode()
        except InputError as exc:
            warnings.append(f"Custom region {quoted(raw_custom, 60)} in the link is not usable: {exc}")

    return (
        Filters(
            page=page,
            dataset=dataset,
            sector_scheme=scheme,
            sector=sector,
            year=year,
            metric=metric,
            level=level,
            countries=tuple(dict.fromkeys(countries)),
            regions=tuple(regions),
            classification=classification,
            min_employment=min_emp,
            custom=custom,
        ),
        warnings,
    )


def switch_dataset(
    view: Filters,
    old: ViewOptions,
    new: ViewOptions,
    *,
    remembered: Mapping[str, Filters] | None = None,
) -> tuple[Filters, list[str]]:
    """The view ``view`` (a view of ``old``'s dataset) moved to ``new``'s dataset, and what changed.

    Each choice is kept where the new dataset has it; otherwise it moves to the closest one and a
    one-line message says what changed and why. ``remembered`` holds the view this session last
    showed in each dataset, so that a round trip (SBS -> US -> SBS) comes back to where it started.

    * sector: the same code in the same scheme; else an equivalent the catalogue declares
      (:func:`cluster_map.catalogue.equivalent_sectors`: C29 <-> US cluster 4 Automotive), the
      remembered one first; else, in the same scheme, the narrowest NACE code that contains it
      (:func:`cluster_map.catalogue.enclosing_sectors`: C29 -> B-E in the LFS); else the sector last
      shown in the new dataset; else its default sector;
    * level: the same level of the same area (NUTS 2 stays NUTS 2; US states are not NUTS 1); else the
      level last shown there; else the dataset's default level;
    * year: kept when the new dataset has it; else the year last shown there; else its latest year;
    * metric, countries and regions: kept when the new dataset has them, else its first metric, all
      countries, no region.

    Pure: the sidebar calls it when the dataset box changes and shows the messages.
    """
    notes: list[str] = []
    name = _dataset_name(new.dataset)
    last = (remembered or {}).get(new.dataset)
    codes = {c for c, _ in new.sectors}
    sector = view.sector or old.default_sector
    old_sector = f"{sector} {old.sector_label(sector)}"
    candidates = [
        c
        for c in catalogue.equivalent_sectors(sector, source=old.sector_scheme, target=new.sector_scheme)
        if c in codes
    ]
    if sector in codes and old.sector_scheme == new.sector_scheme:
        chosen = sector
    elif candidates:
        chosen = last.sector if last and last.sector in candidates else candidates[0]
        notes.append(
            f"{old_sector} is not in {name}; showing its equivalent {chosen} {new.sector_label(chosen)}."
        )
    elif (
        broader := catalogue.enclosing_sectors(sector, codes)
        if old.sector_scheme == new.sector_scheme
        else ()
    ):
        chosen = last.sector if last and last.sector in broader else broader[0]
        notes.append(
            f"{old_sector} is not broken down in {name}; showing {chosen} {new.sector_label(chosen)}, "
            "the part of NACE that contains it."
        )
    elif last and last.sector in codes:
        chosen = last.sector
        notes.append(
            f"{old_sector} is not in {name} and no equivalent is declared; showing {chosen} "
            f"{new.sector_label(chosen)}, the sector shown there before."
        )
    else:
        chosen = new.default_sector
        notes.append(
            f"{old_sector} is not in {name} and no equivalent is declared; showing {chosen} "
            f"{new.sector_label(chosen)}."
        )

    level = view.level
    if not (old.area == new.area and level in new.levels):
        was = catalogue.level_label(old.area, level)
        level = last.level if last and last.level in new.levels else new.default_level
        notes.append(f"No {was} in {name}; showing {catalogue.level_label(new.area, level)}.")

    year = view.year
    if year is None or year not in new.years:
        year = last.year if last and last.year in new.years else new.latest_year
        if view.year is not None:
            notes.append(f"Year {view.year} is not in {name}; showing {year}.")

    metric = view.metric
    if metric not in new.metrics:
        metric = new.metrics[0]
        notes.append(
            f"{catalogue.metric(view.metric).label} is not offered for {name}; "
            f"showing {catalogue.metric(metric).label}."
        )

    countries = tuple(c for c in view.countries if c in new.countries)
    if len(countries) < len(view.countries):
        gone = ", ".join(c for c in view.countries if c not in countries)
        notes.append(
            f"Countries {gone} are not in {name}; showing {', '.join(countries) or 'all countries'}."
        )
    regions = tuple(r for r in view.regions if r in new.regions)

    out = view.with_(
        dataset=new.dataset,
        sector_scheme=new.sector_scheme,
        sector=chosen,
        level=level,
        year=year,
        metric=metric,
        countries=countries,
        regions=regions,
    )
    return out, notes


def _dataset_name(code: str) -> str:
    found = catalogue.find_dataset(code)
    return found.label if found else code
