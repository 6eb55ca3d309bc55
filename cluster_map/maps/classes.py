"""Classification of map values into coloured classes (mapclassify) and the palettes behind them.

A :class:`Classes` object says how values become class indices and which colour and legend label
each class has; index ``-1`` is the no-data class (grey, hatched on maps, with its reason in the
tooltip). Builders:

* :func:`quantiles`, :func:`natural_breaks` (Fisher-Jenks), :func:`equal_interval`: breaks from
  values (mapclassify);
* :func:`fixed`: given breaks, e.g. :func:`lq_classes` ``0.8 | 1.25 | 2 | 3``;
* :func:`categorical`: stars 0..3 (:func:`star_classes`), yes/no (:func:`boolean_classes`),
  hot-spot classes (:func:`hotspot_classes`).

Colours must not jump when the user filters countries: :func:`classes_for` takes the *reference*
values of the whole level (all countries, the chosen sector and year) or uses fixed breaks per
metric, and the filtered map is coloured with those breaks.

Palettes are ColorBrewer 2.0 schemes (Cynthia Brewer, Mark Harrower, Penn State; Apache-2.0 style
licence), hard-coded so no colour library is needed at run time.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal

import numpy as np
import pandas as pd

from cluster_map import catalogue
from cluster_map.errors import InputError

__all__ = [
    "NODATA_COLOUR",
    "PALETTES",
    "Classes",
    "Scheme",
    "boolean_classes",
    "categorical",
    "classes_for",
    "equal_interval",
    "fixed",
    "hotspot_classes",
    "lq_classes",
    "natural_breaks",
    "palette",
    "quantiles",
    "star_classes",
]

Scheme = Literal["quantiles", "natural_breaks", "equal_interval", "fixed"]

#: Colour of the no-data class (maps add a hatch over it).
NODATA_COLOUR: Final = "#d9d9d9"

#: ColorBrewer sequential and diverging schemes, 3 to 9 classes (low -> high).
PALETTES: Final[dict[str, dict[int, tuple[str, ...]]]] = {
    "YlOrRd": {
        3: ("#ffeda0", "#feb24c", "#f03b20"),
        4: ("#ffffb2", "#fecc5c", "#fd8d3c", "#e31a1c"),
        5: ("#ffffb2", "#fecc5c", "#fd8d3c", "#f03b20", "#bd0026"),
        6: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#f03b20", "#bd0026"),
        7: ("#ffffb2", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
        8: ("#ffffcc", "#ffeda0", "#fed976", "#feb24c", "#fd8d3c", "#fc4e2a", "#e31a1c", "#b10026"),
        9: (
            "#ffffcc",
            "#ffeda0",
            "#fed976",
            "#feb24c",
            "#fd8d3c",
            "#fc4e2a",
            "#e31a1c",
            "#bd0026",
            "#800026",
        ),
    },
    "Blues": {
        3: ("#deebf7", "#9ecae1", "#3182bd"),
        4: ("#eff3ff", "#bdd7e7", "#6baed6", "#2171b5"),
        5: ("#eff3ff", "#bdd7e7", "#6baed6", "#3182bd", "#08519c"),
        6: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c"),
        7: ("#eff3ff", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
        8: ("#f7fbff", "#deebf7", "#c6dbef", "#9ecae1", "#6baed6", "#4292c6", "#2171b5", "#084594"),
        9: (
            "#f7fbff",
            "#deebf7",
            "#c6dbef",
            "#9ecae1",
            "#6baed6",
            "#4292c6",
            "#2171b5",
            "#08519c",
            "#08306b",
        ),
    },
    "YlGnBu": {
        3: ("#edf8b1", "#7fcdbb", "#2c7fb8"),
        4: ("#ffffcc", "#a1dab4", "#41b6c4", "#225ea8"),
        5: ("#ffffcc", "#a1dab4", "#41b6c4", "#2c7fb8", "#253494"),
        6: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#2c7fb8", "#253494"),
        7: ("#ffffcc", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
        8: ("#ffffd9", "#edf8b1", "#c7e9b4", "#7fcdbb", "#41b6c4", "#1d91c0", "#225ea8", "#0c2c84"),
        9: (
            "#ffffd9",
            "#edf8b1",
            "#c7e9b4",
            "#7fcdbb",
            "#41b6c4",
            "#1d91c0",
            "#225ea8",
            "#253494",
            "#081d58",
        ),
    },
    # diverging, blue (low) -> white -> red (high): ColorBrewer RdBu reversed
    "BuRd": {
        3: ("#67a9cf", "#f7f7f7", "#ef8a62"),
        4: ("#0571b0", "#92c5de", "#f4a582", "#ca0020"),
        5: ("#0571b0", "#92c5de", "#f7f7f7", "#f4a582", "#ca0020"),
        6: ("#2166ac", "#67a9cf", "#d1e5f0", "#fddbc7", "#ef8a62", "#b2182b"),
        7: ("#2166ac", "#67a9cf", "#d1e5f0", "#f7f7f7", "#fddbc7", "#ef8a62", "#b2182b"),
        8: ("#2166ac", "#4393c3", "#92c5de", "#d1e5f0", "#fddbc7", "#f4a582", "#d6604d", "#b2182b"),
        9: (
            "#2166ac",
            "#4393c3",
            "#92c5de",
            "#d1e5f0",
            "#f7f7f7",
            "#fddbc7",
            "#f4a582",
            "#d6604d",
            "#b2182b",
        ),
    },
}

#: Fixed LQ breaks: under-represented < 0.8 <= average < 1.25 <= specialised < 2 <= star LQ < 3.
LQ_BREAKS: Final = (0.8, 1.25, 2.0, 3.0)
LQ_COLOURS: Final = ("#91bfdb", "#ffffbf", "#fee090", "#fc8d59", "#d73027")  # ColorBrewer RdYlBu
#: Fixed growth breaks (% a year), diverging around 0.
GROWTH_BREAKS: Final = (-5.0, -2.0, -0.5, 0.5, 2.0, 5.0)
STAR_COLOURS: Final = ("#f7f7f7", "#fee391", "#fe9929", "#cc4c02")
#: Getis-Ord Gi* classes (value in the layer, legend label, colour).
GI_CLASSES: Final = (
    ("hot_99", "hot spot (99%)", "#b2182b"),
    ("hot_95", "hot spot (95%)", "#ef8a62"),
    ("hot_90", "hot spot (90%)", "#fddbc7"),
    ("ns", "not significant", "#f7f7f7"),
    ("cold_90", "cold spot (90%)", "#d1e5f0"),
    ("cold_95", "cold spot (95%)", "#67a9cf"),
    ("cold_99", "cold spot (99%)", "#2166ac"),
)
#: Local Moran (LISA) quadrants, GeoDa colours (esda ``q``: 1 HH, 2 LH, 3 LL, 4 HL).
LISA_CLASSES: Final = (
    ("HH", "high-high (hot spot)", "#d7191c"),
    ("HL", "high-low (outlier)", "#fdae61"),
    ("LH", "low-high (outlier)", "#abd9e9"),
    ("LL", "low-low (cold spot)", "#2c7bb6"),
    ("ns", "not significant", "#f0f0f0"),
)


@dataclass(frozen=True)
class Classes:
    """How values become classes, with colours and legend labels.

    Numeric classes (``categories`` empty): ``breaks`` are the k-1 inner cut points. With
    ``lower_inclusive`` a value equal to a break goes to the class above (``[b_i, b_{i+1})``,
    fixed classes); otherwise to the class below (``(b_i, b_{i+1}]``, mapclassify's upper bounds).
    Values outside the range go to the first or last class. Categorical classes: class ``i`` is
    ``categories[i]``; other values are no data.
    """

    kind: str
    labels: tuple[str, ...]
    colours: tuple[str, ...]
    breaks: tuple[float, ...] = ()
    categories: tuple[Any, ...] = ()
    lower_inclusive: bool = True
    title: str = ""
    nodata_label: str = "no data"
    nodata_colour: str = NODATA_COLOUR

    def __post_init__(self) -> None:
        if len(self.labels) != len(self.colours):
            raise InputError(
                f"Classes {self.kind!r}: {len(self.labels)} labels but {len(self.colours)} colours."
            )
        if self.categories and len(self.categories) != len(self.labels):
            raise InputError(
                f"Classes {self.kind!r}: {len(self.categories)} categories but {len(self.labels)} labels."
            )
        if not self.categories and len(self.breaks) != len(self.labels) - 1:
            raise InputError(
                f"Classes {self.kind!r}: {len(self.breaks)} breaks need "
                f"{len(self.breaks) + 1} labels, got {len(self.labels)}."
            )
        if list(self.breaks) != sorted(self.breaks):
            raise InputError(f"Classes {self.kind!r}: breaks {self.breaks!r} are not increasing.")

    @property
    def k(self) -> int:
        """Number of classes (without no data)."""
        return len(self.labels)

    def assign(self, values: Sequence[Any] | np.ndarray | pd.Series) -> np.ndarray:
        """Class index of each value (``-1`` for missing or unknown category)."""
        if self.categories:
            lookup = {_key(c): i for i, c in enumerate(self.categories)}
            return np.array([lookup.get(_key(v), -1) for v in _as_list(values)], dtype=np.int16)
        x = pd.to_numeric(pd.Series(_as_list(values), dtype=object), errors="coerce").to_numpy(
            dtype="float64"
        )
        side: Literal["left", "right"] = "right" if self.lower_inclusive else "left"
        idx = np.searchsorted(np.asarray(self.breaks, dtype="float64"), x, side=side).astype(np.int16)
        idx[~np.isfinite(x)] = -1
        return idx

    def colour(self, index: int) -> str:
        """Colour of class ``index`` (``-1`` = no data)."""
        return self.nodata_colour if index < 0 else self.colours[index]

    def legend(self) -> list[tuple[str, str]]:
        """``(colour, label)`` per class, then the no-data entry."""
        return [*zip(self.colours, self.labels, strict=True), (self.nodata_colour, self.nodata_label)]


def palette(name: str, k: int) -> tuple[str, ...]:
    """``k`` colours (3..9) of ColorBrewer scheme ``name`` (:data:`PALETTES`); k < 3 takes the ends."""
    if name not in PALETTES:
        raise InputError(f"Unknown palette {name!r}; choose one of {', '.join(PALETTES)}.")
    if k < 1 or k > 9:
        raise InputError(f"A palette has 1 to 9 classes, not {k!r}.")
    if k >= 3:
        return PALETTES[name][k]
    three = PALETTES[name][3]
    return (three[-1],) if k == 1 else (three[0], three[-1])


def fixed(
    breaks: Sequence[float],
    *,
    colours: Sequence[str] | None = None,
    labels: Sequence[str] | None = None,
    palette_name: str = "YlOrRd",
    title: str = "",
    digits: int = 2,
    unit: str = "",
) -> Classes:
    """Classes with given inner breaks, lower bound inclusive: ``< b0``, ``b0 – b1``, ..., ``≥ bn``."""
    b = tuple(float(x) for x in breaks)
    k = len(b) + 1
    return Classes(
        kind="fixed",
        breaks=b,
        lower_inclusive=True,
        title=title,
        colours=tuple(colours) if colours else palette(palette_name, k),
        labels=tuple(labels) if labels else _range_labels(b, digits, unit, lower_inclusive=True),
    )


def quantiles(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    k: int = 5,
    palette_name: str = "YlOrRd",
    title: str = "",
    digits: int = 2,
    unit: str = "",
) -> Classes:
    """Quantile classes (mapclassify ``Quantiles``): about the same number of regions per class.

    Notes
    -----
    Upper bounds are the ``i/k`` quantiles of the finite values (``numpy.percentile``, linear
    interpolation, as mapclassify); repeated bounds are merged, so k may shrink.
    """
    return _mapclassify(
        "quantiles", values, k=k, palette_name=palette_name, title=title, digits=digits, unit=unit
    )


def natural_breaks(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    k: int = 5,
    palette_name: str = "YlOrRd",
    title: str = "",
    digits: int = 2,
    unit: str = "",
) -> Classes:
    """Natural breaks (mapclassify ``FisherJenks``): minimise within-class squared deviations.

    Notes
    -----
    Fisher (1958) exact optimal partition of sorted values into k classes; Jenks (1977) for maps.
    """
    return _mapclassify(
        "natural_breaks", values, k=k, palette_name=palette_name, title=title, digits=digits, unit=unit
    )


def equal_interval(
    values: Sequence[float] | np.ndarray | pd.Series,
    *,
    k: int = 5,
    palette_name: str = "YlOrRd",
    title: str = "",
    digits: int = 2,
    unit: str = "",
) -> Classes:
    """Equal-width classes between the minimum and maximum (mapclassify ``EqualInterval``)."""
    return _mapclassify(
        "equal_interval", values, k=k, palette_name=palette_name, title=title, digits=digits, unit=unit
    )


def categorical(
    categories: Sequence[Any],
    labels: Sequence[str],
    colours: Sequence[str],
    *,
    kind: str = "categorical",
    title: str = "",
) -> Classes:
    """One class per category value (stars, yes/no, hot-spot class)."""
    return Classes(
        kind=kind, categories=tuple(categories), labels=tuple(labels), colours=tuple(colours), title=title
    )


def lq_classes(*, title: str = "Location quotient") -> Classes:
    """Fixed LQ classes ``< 0.8 | 0.8 – 1.25 | 1.25 – 2 | 2 – 3 | ≥ 3`` (blue under, yellow average, red over)."""
    return fixed(
        LQ_BREAKS,
        colours=LQ_COLOURS,
        title=title,
        labels=(
            "< 0.8 (under-represented)",
            "0.8 – 1.25 (about average)",
            "1.25 – 2 (specialised)",
            "2 – 3 (highly specialised)",
            "≥ 3",
        ),
    )


def ratio_classes(*, title: str = "Ratio to the sector's European level") -> Classes:
    """Fixed classes of a ratio to the sector's European level (wages or value added per person employed)
    around the performance bands (basic < 0.90 <= medium < 1.10 <= high; see
    :mod:`cluster_map.stats.productivity`)."""
    return fixed(
        (0.75, 0.9, 1.1, 1.25),
        colours=LQ_COLOURS,
        title=title,
        labels=(
            "< 0.75 (basic)",
            "0.75 – 0.90 (basic)",
            "0.90 – 1.10 (medium)",
            "1.10 – 1.25 (high)",
            "≥ 1.25 (high)",
        ),
    )


def star_classes(*, title: str = "Cluster stars") -> Classes:
    """Stars 0, 1, 2, 3 (European Cluster Observatory)."""
    return categorical((0, 1, 2, 3), ("no star", "★", "★★", "★★★"), STAR_COLOURS, kind="stars", title=title)


def boolean_classes(
    *,
    yes: str = "strong cluster",
    no: str = "not strong",
    title: str = "Strong cluster",
    colours: tuple[str, str] = ("#f0f0f0", "#2b8cbe"),
) -> Classes:
    """Two classes: False/0 -> ``no``, True/1 -> ``yes``."""
    return categorical((False, True), (no, yes), colours, kind="boolean", title=title)


def hotspot_classes(kind: Literal["gi", "lisa"] = "gi", *, title: str = "") -> Classes:
    """Getis-Ord Gi* classes (:data:`GI_CLASSES`) or LISA quadrants (:data:`LISA_CLASSES`)."""
    rows = GI_CLASSES if kind == "gi" else LISA_CLASSES
    default = "Hot spots (Getis-Ord Gi*)" if kind == "gi" else "Local Moran (LISA)"
    return categorical(
        [r[0] for r in rows],
        [r[1] for r in rows],
        [r[2] for r in rows],
        kind=f"hotspot_{kind}",
        title=title or default,
    )


def classes_for(
    metric: str,
    reference: Sequence[float] | np.ndarray | pd.Series | None = None,
    *,
    scheme: Scheme | None = None,
    k: int = 5,
    title: str = "",
) -> Classes:
    """The classes of a map metric, with colour bounds that do not move when filters change.

    Parameters
    ----------
    metric
        ``lq``, ``stars``, ``strong``, ``growth``, ``hotspot``/``hotspot_gi``, ``hotspot_lisa``,
        ``employment``, ``share``, or any other numeric metric.
    reference
        Values of the *whole* level for the chosen sector and year (all countries), not the
        filtered subset: breaks computed from them keep each region's colour when the country
        filter changes. Needed for data-driven schemes.
    scheme
        Overrides the default scheme of the metric (``fixed`` is the default for lq and growth,
        ``quantiles`` for other numeric metrics).
    """
    if metric == "stars":
        return star_classes(title=title or "Cluster stars")
    if metric == "strong":
        return boolean_classes(title=title or "Strong cluster")
    if metric in ("hotspot", "hotspot_gi"):
        return hotspot_classes("gi", title=title)
    if metric == "hotspot_lisa":
        return hotspot_classes("lisa", title=title)
    # ratios to the sector's European level (wage_ratio, gva_ratio): the catalogue's 'ratio_breaks' rule
    spec = next((m for m in catalogue.METRICS if m.key == metric), None)
    ratio = spec is not None and spec.classes == "ratio_breaks"
    default: Scheme = "fixed" if metric in ("lq", "growth") or ratio else "quantiles"
    chosen = scheme or default
    if chosen == "fixed":
        if metric == "lq":
            return lq_classes(title=title or "Location quotient")
        if ratio and spec is not None:
            return ratio_classes(title=title or spec.label)
        if metric == "growth":
            return fixed(
                GROWTH_BREAKS, palette_name="BuRd", title=title or "Employment growth", unit="%", digits=1
            )
        raise InputError(f"Metric {metric!r} has no fixed classes; choose 'quantiles' or 'natural_breaks'.")
    if reference is None:
        raise InputError(f"Scheme {chosen!r} for metric {metric!r} needs the reference values of the level.")
    names = {"employment": "Blues", "share": "YlGnBu", "growth": "BuRd"}
    unit = "%" if metric in ("share", "growth") else ""
    digits = 0 if metric == "employment" else 2
    builder = {"quantiles": quantiles, "natural_breaks": natural_breaks, "equal_interval": equal_interval}[
        chosen
    ]
    return builder(
        reference,
        k=k,
        palette_name=names.get(metric, "YlOrRd"),
        title=title or metric,
        digits=digits,
        unit=unit,
    )


def _mapclassify(
    kind: str, values: Any, *, k: int, palette_name: str, title: str, digits: int, unit: str
) -> Classes:
    x = pd.to_numeric(pd.Series(_as_list(values), dtype=object), errors="coerce").to_numpy(dtype="float64")
    x = x[np.isfinite(x)]
    if x.size == 0:
        raise InputError(f"No values to classify with {kind!r}: every region has no data.")
    distinct = np.unique(x)
    k = max(1, min(int(k), 9, distinct.size if kind != "equal_interval" or distinct.size == 1 else 9))
    if k == 1:
        return Classes(
            kind=kind,
            breaks=(),
            labels=(_fmt(distinct[0], digits, unit),),
            colours=palette(palette_name, 1),
            lower_inclusive=False,
            title=title,
        )
    import mapclassify

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # numba missing / fewer distinct values than k
        if kind == "quantiles":
            bins = mapclassify.Quantiles(x, k=k).bins
        elif kind == "natural_breaks":
            bins = mapclassify.FisherJenks(x, k=k).bins
        else:
            bins = mapclassify.EqualInterval(x, k=k).bins
    inner = tuple(sorted({float(b) for b in bins[:-1]}))
    inner = tuple(b for b in inner if b < float(x.max()))
    labels = _range_labels(
        inner, digits, unit, lower_inclusive=False, low=float(x.min()), high=float(x.max())
    )
    return Classes(
        kind=kind,
        breaks=inner,
        labels=labels,
        colours=palette(palette_name, len(inner) + 1),
        lower_inclusive=False,
        title=title,
    )


def _range_labels(
    breaks: tuple[float, ...],
    digits: int,
    unit: str,
    *,
    lower_inclusive: bool,
    low: float | None = None,
    high: float | None = None,
) -> tuple[str, ...]:
    if not breaks:
        return (f"{_fmt(low, digits, unit)} – {_fmt(high, digits, unit)}",) if low is not None else ("all",)
    lt, ge = ("<", "≥") if lower_inclusive else ("≤", ">")
    first = (
        f"{lt} {_fmt(breaks[0], digits, unit)}"
        if low is None
        else f"{_fmt(low, digits, unit)} – {_fmt(breaks[0], digits, unit)}"
    )
    mids = [
        f"{_fmt(a, digits, unit)} – {_fmt(b, digits, unit)}" for a, b in zip(breaks, breaks[1:], strict=False)
    ]
    last = (
        f"{ge} {_fmt(breaks[-1], digits, unit)}"
        if high is None
        else f"{_fmt(breaks[-1], digits, unit)} – {_fmt(high, digits, unit)}"
    )
    return (first, *mids, last)


def _fmt(value: float | None, digits: int, unit: str) -> str:
    if value is None:
        return ""
    text = f"{value:,.0f}" if digits == 0 else f"{value:,.{digits}f}".rstrip("0").rstrip(".")
    return f"{text}{unit}" if unit == "%" else (f"{text} {unit}" if unit else text)


def _key(value: Any) -> Any:
    """Normalise a category value: numpy/pandas scalars, 1.0 == 1 == True are told apart from text."""
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return None
    if isinstance(value, (bool, np.bool_)):
        return int(bool(value))
    if isinstance(value, (int, np.integer)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return int(value) if float(value).is_integer() else float(value)
    return str(value)


def _as_list(values: Any) -> list[Any]:
    if isinstance(values, pd.Series):
        return values.tolist()
    if isinstance(values, np.ndarray):
        return values.tolist()
    return list(values)
