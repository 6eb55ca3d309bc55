"""Every metric the app maps, tables show and exports carry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final, Literal

from cluster_map.catalogue.base import Area, _f


# --- metrics ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Metric:
    """A metric the app maps, tables show and exports carry."""

    key: str = _f("URL value and identifier ('lq')")
    column: str = _f("column of table ``metrics`` it is read from ('' when computed at view time)")
    label: str = _f("label on every page, legend, table, report and export")
    unit: str = _f("unit shown beside values")
    digits: int = _f("decimals shown")
    kind: Literal["ratio", "count", "percent", "category", "flag"] = _f("what kind of number it is")
    classes: Literal[
        "lq_breaks", "quantiles", "growth_breaks", "ratio_breaks", "stars", "boolean", "hotspot"
    ] = _f("colour rule of the map legend (see cluster_map.maps.classes)")
    method: str = _f("key of its methodology entry (cluster_map.services.methodology)")
    scale: float = _f("multiplier from the stored value to the shown value (fractions shown as %)", 1.0)
    areas: tuple[Area, ...] = _f("areas whose datasets offer it", ("europe", "us"))
    rule: str = _f("the threshold stated as the rule it is ('' when none)", "")
    needs: Literal["", "wages", "value_added"] = _f(
        "the quantity a dataset must have for it to be offered: 'wages' (a wage cell), 'value_added' (its own "
        "value added cell or a value_added_from link); '' none",
        "",
    )


METRICS: Final[tuple[Metric, ...]] = (
    Metric(
        "lq", "lq", "Location quotient", "ratio to the benchmark (1 = average)", 2, "ratio", "lq_breaks", "lq"
    ),
    Metric("employment", "employment", "Employment", "persons employed", 0, "count", "quantiles", "lq"),
    Metric(
        "share",
        "share_region",
        "Share of regional employment",
        "% of the region's employment",
        1,
        "percent",
        "quantiles",
        "shares",
        scale=100.0,
    ),
    Metric(
        "stars",
        "stars",
        "Cluster stars",
        "0-3 stars (size, specialisation, focus)",
        0,
        "category",
        "stars",
        "stars",
        areas=("europe",),
        rule="size >= Q90 of the sector's regions, LQ >= 2, focus >= Q90 of all region-sector cells (ECO)",
    ),
    Metric(
        "strong",
        "strong",
        "Strong cluster",
        "US CMP strong cluster: top 25% of the regions by LQ (LQ >= Q75)",
        0,
        "flag",
        "boolean",
        "cmp_flags",
        rule="LQ >= Q75, employment > Q25, establishments > Q25, LQ >= 1",
    ),
    Metric(
        "wage_ratio",
        "wage_ratio",
        "Wages per person employed vs the sector's European level",
        "ratio (1 = the sector's European level)",
        2,
        "ratio",
        "ratio_breaks",
        "productivity",
        areas=("europe",),
        rule="productivity star: ratio >= Q90 of the sector's regions; performance high >= 1.10, "
        "medium 0.90-1.10, basic < 0.90",
        needs="wages",
    ),
    Metric(
        "gva_ratio",
        "gva_ratio",
        "Value added per person employed vs the sector's European level",
        "ratio (1 = the sector's European level)",
        2,
        "ratio",
        "ratio_breaks",
        "productivity",
        areas=("europe",),
        rule="regional accounts (nama_10r_3gva over nama_10r_3empers), NACE A*10 sectors; where loaded, the "
        "productivity star (ratio >= Q90 of the sector's regions) and the performance bands (high >= 1.10, "
        "medium 0.90-1.10, basic < 0.90) read it instead of the wage ratio",
        needs="value_added",
    ),
    Metric(
        "growth",
        "",
        "Employment growth",
        "% a year since the first year with data",
        1,
        "percent",
        "growth_breaks",
        "growth",
    ),
    Metric(
        "hotspot",
        "",
        "Hot-spot class",
        "Getis-Ord Gi* of the LQ (99/95/90% confidence)",
        0,
        "category",
        "hotspot",
        "gistar",
    ),
)


def offers(area: str, metric_key: str) -> bool:
    """Whether the datasets of ``area`` offer metric ``metric_key`` (US states have no cluster stars)."""
    return any(m.key == metric_key and area in m.areas for m in METRICS)
