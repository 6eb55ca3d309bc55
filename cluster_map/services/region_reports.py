"""Region reports: one NUTS 2 region, one US state, or a custom group of regions, as PDF/XLSX/HTML.

The same plain :class:`~cluster_map.reports.country.CountryReport` object as the country report (so the
same renderers, escaping and formula-safe workbook apply), with ``kind='region'`` or ``'custom region'``:
key figures, every sector of the level ranked by location quotient with its stars and strong flag, a
map of the top specialisation's LQ over the regions of the country (the region outlined), the star and
strong clusters, employment and LQ over the years, the cluster organisations located there, the
methodology and the provenance of every source.

A region is a custom region of one member: both go through
:func:`cluster_map.services.custom_regions.group_profile`, which for one region returns the region's own
stored figures (the property the tests check) and for several recomputes them from the members' counts.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandas as pd

from cluster_map import catalogue
from cluster_map.config import get_settings
from cluster_map.errors import InputError
from cluster_map.maps.static import static_choropleth
from cluster_map.reports.country import CountryReport, KeyFigure, ReportMap, ReportSection, ReportTable
from cluster_map.services import custom_regions, profiles, report_growth
from cluster_map.services import report_sections as sections
from cluster_map.services.custom_regions import CustomRegion, GroupProfile
from cluster_map.stats.groups import group_cells
from cluster_map.store import reports as store

__all__ = ["build_region_report"]

SECTOR_COLUMNS = {
    "sector": "Sector",
    "sector_label": "Name",
    "lq": "LQ",
    "employment": "Employment",
    "share_region": "Share of the region (%)",
    "stars": "Stars",
    "which": "Star types",
    "strong": "Strong cluster",
}
#: The star columns of :data:`SECTOR_COLUMNS` (the European Cluster Observatory's; none for US states).
STARS = ("stars", "which")


def build_region_report(
    con: Any,
    *,
    region: str | None = None,
    custom: CustomRegion | str | None = None,
    dataset: str = "sbs_r_nuts06_r2",
    year: int | None = None,
    min_employment: float | None = None,
) -> CountryReport:
    """The report of ``region`` (a code) or of ``custom`` (a :class:`CustomRegion` or ``NAME=CODE,CODE``).

    Raises
    ------
    InputError
        Neither or both given, an unknown region (with suggestions), members of different levels, or a
        year without data (the message lists the years with data).
    """
    if (region is None) == (custom is None):
        raise InputError("Give exactly one of a region code or a custom region (NAME=CODE,CODE)")
    if isinstance(custom, str):
        custom = custom_regions.parse(custom)
    group = (
        custom
        if custom is not None
        else CustomRegion(str(region).strip().upper(), (str(region).strip().upper(),))
    )
    is_custom = custom is not None
    if catalogue.find_dataset(dataset) is None or catalogue.dataset(dataset).report_level is None:
        raise InputError(
            f"Unknown dataset {dataset!r} for a report; choose one of "
            f"{', '.join(d.code for d in catalogue.reported())}"
        )
    settings = get_settings()
    minimum = settings.min_employment if min_employment is None else float(min_employment)
    g = custom_regions.group_profile(con, group, dataset=dataset, year=year, min_employment=minimum)
    first = g.members[0]
    name = group.name if is_custom else first.name
    code = "+".join(group.members) if is_custom else first.code
    scope = sections.Scope(
        country=first.country,
        name=name,
        dataset=dataset,
        year=g.year,
        years=g.years,
        level=g.level,
        sector_level=g.sector_level,
        nuts_version=g.nuts_version,
        min_employment=minimum,
        stamp=store.store_stamp(con),
    )
    cells = g.cells.assign(which=_star_letters(g.cells))
    orgs = _organisations(con, g)
    grow = None if is_custom else report_growth.grow_region(con, scope, first.code)
    parts = (
        _sectors(con, scope, g, cells, name),
        _clusters(scope, g, cells, name),
        _over_time(con, scope, g, name, minimum),
        *((grow,) if grow is not None else ()),
        _organisation_section(orgs, name),
        _method(scope, g, is_custom),
    )
    sources = sections.sources(con, scope)
    vintage = sections.vintage(sources, dataset)
    return CountryReport(
        country=code,
        country_name=name,
        dataset=dataset,
        dataset_title=catalogue.dataset(dataset).title,
        year=g.year,
        level=g.level,
        nuts_version=g.nuts_version,
        vintage=vintage,
        generated_at=datetime.now(UTC),
        key_figures=_key_figures(scope, g, cells, len(orgs)),
        sections=parts,
        sources=sources,
        parameters={
            "dataset": dataset,
            "year": str(g.year),
            "region level": str(g.level),
            "sector level": str(g.sector_level),
            "minimum employment": f"{minimum:g}",
            "benchmark": scope.benchmark_name,
            **({"members": "+".join(group.members)} if is_custom else {}),
        },
        kind="custom region" if is_custom else "region",
        members=group.members if is_custom else (),
    )


def _star_letters(frame: pd.DataFrame) -> pd.Series:
    parts = [
        frame[c].fillna(False).astype(bool).map({True: k, False: ""})
        for c, k in (("size_star", "S"), ("specialisation_star", "P"), ("focus_star", "F"))
    ]
    return parts[0] + parts[1] + parts[2]


def _columns(scope: sections.Scope) -> dict[str, str]:
    """The sector table's columns: without the stars where they do not apply (US states)."""
    return SECTOR_COLUMNS if scope.has_stars else {k: v for k, v in SECTOR_COLUMNS.items() if k not in STARS}


def _table_frame(cells: pd.DataFrame, scope: sections.Scope) -> pd.DataFrame:
    out = cells[[c for c in _columns(scope) if c in cells.columns]].copy()
    out["share_region"] = out["share_region"] * 100.0
    out["strong"] = out["strong"].map(lambda v: "" if pd.isna(v) else ("yes" if v else "no"))
    out["sector_label"] = out["sector_label"].map(sections.short)
    return out


def _key_figures(
    scope: sections.Scope, g: GroupProfile, cells: pd.DataFrame, n_orgs: int
) -> tuple[KeyFigure, ...]:
    ranked = cells[cells["lq"].notna() & (cells["employment"].fillna(0) >= scope.min_employment)]
    figs = [
        KeyFigure(scope.employment_label, g.employment),
        KeyFigure("Sectors with a location quotient", int(cells["lq"].notna().sum())),
    ]
    if len(g.members) > 1:
        figs.insert(
            0, KeyFigure("Regions in the group", len(g.members), note=" + ".join(m.code for m in g.members))
        )
    if scope.has_stars:
        figs.append(
            KeyFigure(
                "Star clusters (2-3 stars)",
                int((cells["stars"].fillna(0) >= 2).sum()),
                note=f"{int((cells['stars'] == 3).sum())} with 3",
            )
        )
    figs.append(KeyFigure("Strong clusters", int(cells["strong"].fillna(False).astype(bool).sum())))
    if len(ranked):
        top = ranked.iloc[0]
        figs.append(
            KeyFigure(
                "Top specialisation",
                f"{sections.short(top['sector_label'], 40)} ({top['sector']})",
                note=f"LQ {top['lq']:.2f}",
            )
        )
    bench = cells["sector_total"] / cells["benchmark_total"]
    krugman = (
        float((cells["share_region"] - bench).abs().sum()) if cells["share_region"].notna().any() else None
    )
    figs.append(KeyFigure("Krugman index (0 = the benchmark's mix, max 2)", krugman))
    figs.append(KeyFigure("Cluster organisations located here", n_orgs))
    return tuple(figs)


def _sectors(
    con: Any, scope: sections.Scope, g: GroupProfile, cells: pd.DataFrame, name: str
) -> ReportSection:
    """Every sector ranked by LQ, and a map of the top specialisation's LQ with the region(s) outlined."""
    ranked = cells[cells["lq"].notna() & (cells["employment"].fillna(0) >= scope.min_employment)]
    maps: list[ReportMap] = []
    if len(ranked):
        top = ranked.iloc[0]
        geo = pd.concat(
            [
                sections.geometry(con, scope, scope.level, None if scope.is_us else c)
                for c in (g.countries if not scope.is_us else ("",))
            ],
            ignore_index=True,
        )
        rows = store.metric_rows(
            con,
            dataset=scope.dataset,
            level=scope.level,
            sector_level=scope.sector_level,
            years=[scope.year],
            sectors=[str(top["sector"])],
        )
        rows = profiles.one_benchmark(rows)
        import geopandas as gpd

        layer = gpd.GeoDataFrame(
            geo.merge(rows[["region", "lq"]], left_on="code", right_on="region", how="left"),
            geometry="geometry",
            crs="EPSG:4326",
        )
        base = None if scope.is_us else sections.geometry(con, scope, 0)
        png = static_choropleth(
            layer,
            "lq",
            title=f"{sections.short(top['sector_label'], 60)} ({top['sector']})",
            subtitle=f"Location quotient by region, {scope.year}; {name}: LQ {top['lq']:.2f}",
            source=f"Source: {scope.dataset} ({scope.info.publisher}), Cluster Map; "
            + (
                "US Census boundaries"
                if scope.is_us
                else "\u00a9 EuroGeographics for the administrative boundaries"
            ),
            base=base,
            crs=scope.crs,
            extent=sections.US_EXTENT if scope.is_us else "auto",
            figsize=(7.0, 5.2),
            dpi=110,
            highlight=[m.code for m in g.members],
            highlight_label=name,
        )
        maps.append(
            ReportMap(
                f"Location quotient of {top['sector_label']} ({top['sector']}), {scope.year}",
                png,
                f"{name} outlined in black; LQ = the sector's share of a region's employment / its "
                f"share in the benchmark ({scope.benchmark_name}); grey hatched = no data",
            )
        )
    text = (
        f"Every {scope.info.sector_word} of level {scope.sector_level} with a location quotient in {name}, "
        f"{scope.year}, ranked by LQ. {'Stars and strong flags need' if scope.has_stars else 'Strong flags need'} "
        f"at least {scope.min_employment:,.0f} persons employed."
    )
    if len(g.members) > 1:
        text += (
            " The figures are recomputed from the members' counts: employment is the sum over "
            f"{' + '.join(m.code for m in g.members)}, the LQ is (sum of the sector's employment / sum of "
            f"the total employment) / the benchmark's share, and {'stars and strong flags use' if scope.has_stars else 'the strong flag uses'} the thresholds "
            "over all regions of the level. A sector where a member's cell is confidential has no value."
        )
    table = ReportTable(
        "Sectors",
        f"Sectors by location quotient, {scope.year}",
        _table_frame(cells, scope),
        columns=_columns(scope),
        print_rows=45,
        note=("Star types: S size, P specialisation (LQ >= 2), F focus. " if scope.has_stars else "")
        + "Strong cluster: LQ at or above the 75th percentile of the regions and >= 1, employment and "
        "establishments above their 25th percentiles.",
    )
    return ReportSection("specialisation", "Sectors and specialisation", (text,), (table,), tuple(maps))


def _clusters(scope: sections.Scope, g: GroupProfile, cells: pd.DataFrame, name: str) -> ReportSection:
    strong = cells["strong"].fillna(False).astype(bool)
    if not scope.has_stars:  # US states: the US Cluster Mapping's strong clusters only
        found = cells[strong].sort_values("lq", ascending=False)
        return ReportSection(
            "clusters",
            "Strong clusters",
            (
                f"{int(strong.sum())} {scope.info.sector_word} of {name} are strong clusters (US Cluster Mapping "
                f"method), against {scope.benchmark_name}.",
            ),
            (
                ReportTable(
                    "Clusters",
                    f"Strong clusters, {scope.year}",
                    _table_frame(found, scope),
                    columns=_columns(scope),
                ),
            ),
        )
    star = cells["stars"].fillna(0) >= 1
    found = cells[star | strong].sort_values(["stars", "lq"], ascending=False)
    return ReportSection(
        "clusters",
        "Star and strong clusters",
        (
            f"{int((cells['stars'].fillna(0) >= 2).sum())} sectors of {name} have two or more stars of the European "
            f"Cluster Observatory and {int(strong.sum())} are strong clusters (US Cluster Mapping method), against "
            f"{scope.benchmark_name}.",
        ),
        (
            ReportTable(
                "Clusters",
                f"Sectors with a star or a strong flag, {scope.year}",
                _table_frame(found, scope),
                columns=_columns(scope),
            ),
        ),
    )


def _over_time(con: Any, scope: sections.Scope, g: GroupProfile, name: str, minimum: float) -> ReportSection:
    """Employment and the LQ of the top sectors in every year the members share (one query for all years)."""
    top = g.cells[g.cells["lq"].notna()].head(5)["sector"].tolist()
    allrows = profiles.one_benchmark(
        store.metric_rows(
            con, dataset=g.dataset, level=g.level, sector_level=g.sector_level, years=list(g.years)
        )
    )
    allrows = allrows[allrows["nuts_version"] == g.nuts_version]
    rows = []
    for yr, population in allrows.groupby("year", sort=True):
        cells = group_cells(
            population,
            g.custom.members,
            name=g.custom.name,
            min_employment=minimum,
            focus_scope=get_settings().focus_scope,  # type: ignore[arg-type]
        ).set_index("sector")
        totals = cells["region_total"].dropna()
        row: dict[str, object] = {"year": int(yr), "employment": float(totals.max()) if len(totals) else None}
        for s in top:
            row[f"lq_{s}"] = float(cells.loc[s, "lq"]) if s in cells.index else None
        rows.append(row)
    frame = pd.DataFrame(rows)
    labels = {"year": "Year", "employment": "Employment", **{f"lq_{s}": f"LQ {s}" for s in top}}
    return ReportSection(
        "time",
        "Over the years",
        (
            f"Employment of {name} and the location quotient of its five top sectors of {g.year}, in every year with "
            "data for all members"
            + (
                f" (NUTS {g.nuts_version} throughout: older codes converted at ingest)."
                if scope.info.area == "europe"
                else "."
            ),
        ),
        (ReportTable("Years", "Employment and LQ by year", frame, columns=labels),),
    )


def _organisations(con: Any, g: GroupProfile) -> pd.DataFrame:
    parts = [profiles.organisations_in(con, m) for m in g.members]
    orgs = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    if orgs.empty:
        return orgs
    keep = [
        c
        for c in ("name", "acronym", "city", "located", "sectors", "org_type", "website")
        if c in orgs.columns
    ]
    return orgs[keep].drop_duplicates().reset_index(drop=True)


def _organisation_section(orgs: pd.DataFrame, name: str) -> ReportSection:
    return ReportSection(
        "organisations",
        "Cluster organisations",
        (
            f"{len(orgs)} cluster organisations of the directories are located in {name} (or placed only in its "
            "parent region, as 'located' says).",
        ),
        (ReportTable("Organisations", "Cluster organisations", orgs, print_rows=60),),
    )


def _method(scope: sections.Scope, g: GroupProfile, is_custom: bool) -> ReportSection:
    base = sections.method(scope)
    if not is_custom:
        return base
    extra = (
        "Custom region: the sum of the members' employment per sector over the sum of their total "
        "employment, against the dataset's benchmark; not an average of the members' LQs. Its "
        f"{'stars and strong flag compare' if scope.has_stars else 'strong flag compares'} it with the "
        "thresholds of all regions of the level (members included); a "
        f"group of one region gives that region's own figures. Members: {', '.join(g.custom.members)}."
    )
    return ReportSection(base.key, base.title, (*base.paragraphs, extra), base.tables, base.maps)
