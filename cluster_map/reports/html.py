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
    env.filters["b64"] = lambda data: base64.b64encode(data).decode("ascii")
    return env


def stylesheet() -> str:
    return resources.files("cluster_map.reports").joinpath("templates/country.css").read_text("utf-8")


def render_html(report: CountryReport) -> str:
    """The report as one standalone, offline HTML document."""
    return _environment().get_template("country.html.j2").render(r=report, css=stylesheet())
