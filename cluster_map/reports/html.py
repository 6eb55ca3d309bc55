"""Country report -> standalone HTML (inline CSS and images, no link off the page)."""

from __future__ import annotations

import base64
import math
from functools import lru_cache
from importlib import resources
from numbers import Integral, Number, Real

import jinja2
import numpy as np
import pandas as pd

from cluster_map.reports.country import CountryReport

#: Longest text shown in a table cell of the PDF/HTML (the workbook keeps the full text).
TEXT_WIDTH = 90


def _cell(value: object, width: int | None = TEXT_WIDTH) -> str:
    """A table cell as text: thousands separators, 2-3 significant decimals, dates, short text."""
    if value is None or value is pd.NA or value is pd.NaT:
        return ""
    if isinstance(value, bool | np.bool_):
        return "yes" if value else "no"
    if isinstance(value, Integral):
        return f"{int(value):,}"
    if isinstance(value, Real):
        v = float(value)
        if math.isnan(v):
            return ""
        if abs(v) >= 100:
            return f"{v:,.0f}"
        return f"{v:,.2f}" if abs(v) >= 1 else f"{v:.3f}"
    if hasattr(value, "strftime"):
        return value.strftime("%Y-%m-%d")
    text = str(value)
    return text if width is None or len(text) <= width else text[: width - 1].rstrip() + "\u2026"


def _cellclass(value: object) -> str:
    return "num" if isinstance(value, Number) and not isinstance(value, bool | np.bool_) else ""


def column_widths(
    frame: pd.DataFrame, width: int | None = TEXT_WIDTH, *, capacity: float = 100.0
) -> tuple[list[float], bool]:
    """Column widths in percent for a fixed table layout, and whether the table needs the small font.

    WeasyPrint's automatic table layout measures every cell twice (minimum and preferred width), which
    made long tables the slowest part of a PDF; a fixed layout with these widths lays them out once.
    Widths are counted in characters of the table font (``capacity`` of them fit across an A4 page,
    padding included). Each column gets at least its minimum (numbers and headers whole, text its
    longest word); text columns share the rest in proportion to their length. A table whose minimums
    do not fit is set in the small font (``wide``), which holds about 15% more characters.
    """
    if frame.empty or len(frame.columns) == 0:
        return [], False
    sample = frame.head(200)
    natural, minimum = [], []
    for col in sample.columns:
        texts = [_cell(v, width) for v in sample[col]]
        lengths = sorted(len(t) for t in texts)
        typical = lengths[int(0.9 * (len(lengths) - 1))]
        head = 1.15 * max((len(w) for w in str(col).split()), default=1)  # bold header: no broken word
        if pd.api.types.is_numeric_dtype(sample[col]) and not pd.api.types.is_bool_dtype(sample[col]):
            low = high = max(lengths[-1], head, 2) + 2.0  # the longest number: numbers never wrap
        else:
            words = sorted(max((len(w) for w in t.split()), default=0) for t in texts)
            low = max(words[int(0.9 * (len(words) - 1))], head, 2) + 2.0
            high = max(typical + 2.0, low)
        natural.append(high)
        minimum.append(low)
    wide = sum(minimum) > capacity
    room = capacity * (1.15 if wide else 1.0)
    if sum(natural) <= room:
        sizes = natural
    else:
        spare = max(room - sum(minimum), 0.0)
        stretch = sum(h - lo for h, lo in zip(natural, minimum, strict=True)) or 1.0
        sizes = [lo + spare * (h - lo) / stretch for h, lo in zip(natural, minimum, strict=True)]
    total = sum(sizes)
    return [round(100.0 * w / total, 2) for w in sizes], wide


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("cluster_map.reports", "templates"),
        autoescape=True,  # every string from data is escaped
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["cell"] = _cell
    env.filters["cellclass"] = _cellclass
    env.filters["colwidths"] = column_widths
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def stylesheet() -> str:
    return resources.files("cluster_map.reports").joinpath("templates/country.css").read_text("utf-8")


def render_html(report: CountryReport) -> str:
    """The report as one standalone, offline HTML document."""
    return _environment().get_template("country.html.j2").render(r=report, css=stylesheet())
