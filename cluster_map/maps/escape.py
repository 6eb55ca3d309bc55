"""The one escaping helper: every string from data passes through here before it reaches HTML.

Map popups, tooltips and legends are built from region names, organisation names, sector labels,
flags and numbers that come from files we do not control. A name such as
``<script>alert(1)</script>`` or ``" onmouseover="...`` must stay text. Rules:

* :func:`esc` escapes any value for HTML text *and* attribute context (``html.escape(quote=True)``),
  and turns ``None``/``NaN`` into a visible placeholder instead of the word ``nan``.
* :func:`fmt_number` formats numbers (``None``/``NaN``/``inf`` -> placeholder) and escapes the result.
* :func:`safe_url` accepts only ``http``/``https`` links (a bare host name gets ``https://``).
* :func:`js_json` serialises data for a ``<script>`` block so that no string can close the block.
"""

from __future__ import annotations

import html
import json
import math
import re
from numbers import Number
from typing import Any
from urllib.parse import urlsplit

__all__ = ["MISSING", "esc", "fmt_number", "is_missing", "js_json", "link", "safe_url"]

#: What a missing value looks like in a popup, tooltip or legend.
MISSING = "–"

_HOST = re.compile(
    r"^(?=.{1,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}(?::\d{1,5})?(/[^\s]*)?$",
    re.IGNORECASE,
)


def is_missing(value: Any) -> bool:
    """True for ``None``, float NaN, ``pandas.NA``/``NaT`` and numpy NaN scalars."""
    if value is None:
        return True
    try:
        return bool(value != value)  # NaN, NaT; pd.NA raises TypeError
    except (TypeError, ValueError):
        return True


def esc(value: Any, *, missing: str = MISSING) -> str:
    """Escape ``value`` for HTML text and attribute context.

    Parameters
    ----------
    value
        Anything: text, number, ``None``, NaN. Non-strings are converted with ``str``.
    missing
        Text shown for ``None``/NaN (already safe; it is escaped too).

    Returns
    -------
    str
        ``html.escape(str(value), quote=True)``: ``& < > " '`` become entities, so the result is
        safe inside an element and inside a quoted attribute.
    """
    if is_missing(value):
        return html.escape(missing, quote=True)
    return html.escape(str(value), quote=True)


def fmt_number(
    value: Any, *, digits: int = 2, unit: str = "", missing: str = MISSING, thousands: bool = True
) -> str:
    """Format a number for display and escape it; ``None``/NaN/inf/non-numbers give ``missing``.

    Integral values (``12.0``) are shown without decimals; others with ``digits`` decimals.
    ``unit`` is appended after a thin space (escaped too).
    """
    if is_missing(value) or isinstance(value, bool) or not isinstance(value, Number | str):
        return esc(None, missing=missing)
    try:
        number = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return esc(None, missing=missing)
    if not math.isfinite(number):
        return esc(None, missing=missing)
    sep = "," if thousands else ""
    if number.is_integer() and abs(number) < 1e15:
        text = f"{int(number):{sep}d}" if sep else f"{int(number):d}"
    else:
        text = f"{number:{sep}.{digits}f}" if sep else f"{number:.{digits}f}"
    if unit:
        text = f"{text}\u2009{unit}"
    return esc(text)


def safe_url(value: Any) -> str | None:
    """An ``http(s)`` URL for a link, or ``None`` when ``value`` is not one.

    A bare host name (``biz-up.at``, ``www.example.org/path``) is taken as ``https://``; any other
    scheme (``javascript:``, ``data:``, ``ftp:``), embedded whitespace, quotes or angle brackets
    give ``None``. The result still has to go through :func:`esc` inside an attribute.
    """
    if is_missing(value):
        return None
    text = str(value).strip()
    if not text or any(c in text for c in "\"'<>`\\ \t\r\n"):
        return None
    if "://" not in text:
        return f"https://{text}" if _HOST.match(text) else None
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return text


def link(url: Any, text: Any = None) -> str:
    """An escaped ``<a>`` to ``url`` (new tab, no opener), or the escaped text if the URL is unsafe."""
    href = safe_url(url)
    label = esc(text if text is not None else url)
    if href is None:
        return label if text is not None else ""
    return f'<a href="{esc(href)}" target="_blank" rel="noopener noreferrer">{label}</a>'


def js_json(obj: Any) -> str:
    """JSON for embedding in a ``<script>`` block: ``<``, ``>``, ``&`` and U+2028/9 are escaped.

    ``json.dumps`` alone lets a string contain ``</script>``, which ends the block early; the
    ``\\u003c`` form is the same string to JavaScript but never closes a tag. NaN is refused
    (``allow_nan=False``): convert missing values to ``None`` first.
    """
    text = json.dumps(obj, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return (
        text.replace("<", "\\u003c")
        .replace(">", "\\u003e")
        .replace("&", "\\u0026")
        .replace("\u2028", "\\u2028")
        .replace("\u2029", "\\u2029")
    )
