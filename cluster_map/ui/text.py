"""Outside text made harmless for Streamlit's Markdown: the one rule for values the app did not write.

``st.markdown``, ``st.warning``/``info``/``error``/``success``, ``st.caption``, ``st.write`` (for a str),
headers, ``st.metric`` labels and help, ``st.toast``, tab, expander and button labels all read their
text as GitHub-flavoured Markdown plus Streamlit's own directives (``:red[...]``, ``:material/x:``) and
LaTeX (``$...$``). A region name ``![t](http://host/t.png)`` or a shared link
``?page=[Sign in](http://evil.example)`` would become an image or a link inside the app's own box.
``st.text``, ``st.code`` and dataframes show text as it is and need nothing.

So every value from a URL, a file, a user, the data or a directory goes through :func:`plain` (or
:func:`quote`) before it is interpolated into such an element; the app's own words may stay Markdown.
``tests/ui/test_plain_text.py`` walks the UI code and fails on a call site that skips it.

:func:`plain` backslash-escapes every Markdown-significant ASCII character (CommonMark lets any ASCII
punctuation be escaped, so the text looks the same), turns line breaks into spaces, drops control and
bidirectional-override characters, and cuts the text to ``limit`` characters with an ellipsis. GFM
also turns bare ``http://...``, ``www.x`` and ``a@b.c`` into links *after* unescaping, so a zero-width
space (U+200B) is put after ``:`` of ``://``, after ``www`` and after ``@``: the text reads the same,
and no autolink is formed.

This module is pure (no Streamlit), so view-state code can use :func:`short` to build its messages.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from typing import Final, Literal

ELLIPSIS: Final = "…"
#: Characters escaped with a backslash (Markdown, GFM tables/strike-through, Streamlit directives, LaTeX, HTML).
SPECIAL: Final = "\\`*_[](){}<>#+-.!|~$:&=^\"'"
_SPECIAL_RE: Final = re.compile("([" + re.escape(SPECIAL) + "])")
#: Where GFM's autolink literals start: scheme ``://``, ``www.`` and e-mail ``@``.
_AUTOLINK_RE: Final = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\\?\.)|(?<=@)", re.IGNORECASE)
_ZWSP: Final = "\u200b"
#: Bidirectional embeddings, overrides and isolates (text that reads differently from what it is).
_BIDI: Final = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f")
_BREAKS: Final = re.compile(r"[\r\n\u2028\u2029\x0b\x0c\x85]+")


def clean(value: object) -> str:
    """``str(value)`` with line breaks as spaces, control and bidi-override characters dropped."""
    text = _BREAKS.sub(" ", "" if value is None else str(value))
    return "".join(
        ch for ch in text if ch == "\t" or (unicodedata.category(ch) != "Cc" and ch not in _BIDI)
    ).replace("\t", " ")


def short(value: object, limit: int = 40) -> str:
    """``value`` cleaned (:func:`clean`) and cut to ``limit`` characters, the cut marked with an ellipsis."""
    text = clean(value)
    if limit > 0 and len(text) > limit:
        return text[: max(limit - 1, 1)].rstrip() + ELLIPSIS
    return text


def escape(text: str) -> str:
    """Backslash-escape the Markdown characters of ``text`` and break its autolinks (no cleaning, no cut)."""
    return _AUTOLINK_RE.sub(_ZWSP, _SPECIAL_RE.sub(r"\\\1", text))


def plain(value: object, limit: int = 120, *, lines: bool = False) -> str:
    """``value`` as Markdown that renders as exactly its text: cleaned, cut to ``limit``, escaped.

    ``limit`` counts the characters shown (0 = no limit). With ``lines=True`` line breaks are kept as
    Markdown hard breaks (for error messages that list one problem per line).

    >>> plain("[Your session expired](http://evil.example/phish)")
    '\\\\[Your session expired\\\\]\\\\(http\\\\:\\u200b//evil\\\\.example/phish\\\\)'
    """
    if lines:
        parts = _BREAKS.split("" if value is None else str(value))
        shown: list[str] = []
        used = 0
        for part in parts:
            room = limit - used if limit > 0 else 0
            if limit > 0 and room <= 0:
                shown[-1] = shown[-1] + escape(ELLIPSIS) if shown else escape(ELLIPSIS)
                break
            piece = short(part, room) if limit > 0 else clean(part)
            used += len(piece)
            # leading spaces would make an indented code block; keep them visible as no-break spaces
            indent = len(piece) - len(piece.lstrip(" "))
            shown.append("\u00a0" * indent + escape(piece.lstrip(" ")))
        return "  \n".join(shown)
    return escape(short(value, limit) if limit > 0 else clean(value))


def unescape(markdown: str) -> str:
    """The text a reader sees of :func:`plain`'s output (escapes and zero-width spaces removed; for tests)."""
    return re.sub(r"\\(.)", r"\1", markdown.replace(_ZWSP, "")).replace("  \n", "\n").replace("\u00a0", " ")


def quote(value: object, limit: int = 40) -> str:
    """``value`` between quotes for a message (``'DE2Z'``), cut to ``limit`` and made harmless (:func:`plain`)."""
    return plain(repr(short(value, limit)), 0)


def markdown_table(
    header: Sequence[object],
    rows: Sequence[Sequence[object]],
    *,
    align: Sequence[Literal["left", "right"]] = (),
) -> str:
    """A GFM table whose every cell, header included, is :func:`plain` (a ``|`` in a value stays text).

    For a few rows that need no grid (``st.table`` and ``st.dataframe`` load the browser's Arrow
    decoder). ``align`` gives each column's alignment (default left).

    >>> print(markdown_table(["rank", "region"], [[1, "a|b"]], align=["right", "left"]))
    | rank | region |
    |---:|:---|
    | 1 | a\\|b |
    """
    sides = [*align, *(["left"] * (len(header) - len(align)))]
    rule = "|" + "|".join("---:" if a == "right" else ":---" for a in sides) + "|"

    def line(cells: Sequence[object]) -> str:
        return "| " + " | ".join(plain(c, 0) for c in cells) + " |"

    return "\n".join([line(header), rule, *(line(r) for r in rows)])
