"""Country report -> standalone HTML (inline CSS and images, no link off the page)."""

from __future__ import annotations

import base64
import math
from functools import lru_cache
from importlib import resources
from numbers import Number

import jinja2
import pandas as pd

from cluster_map.reports.country import CountryReport


def _cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        if math.isnan(value):
            return ""
        if value.is_integer() and abs(value) >= 100:
            return f"{value:,.0f}"
        return f"{value:,.2f}" if abs(value) >= 1 else f"{value:.3f}"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if value is pd.NA or value is pd.NaT:
        return ""
    return str(value)


def _cellclass(value: object) -> str:
    return "num" if isinstance(value, Number) and not isinstance(value, bool) else ""


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
