"""Key-figure tiles that wrap instead of being cut on narrow screens.

``st.columns(4)`` gives each tile a quarter of the page: at 800x600 (sidebar open) that is ~105 px and a
figure such as ``190,263`` shows as ``190,…``. A horizontal container that wraps, with tiles as wide as
their content, keeps every label and value whole and moves tiles to the next line when the row is full
(one a line on a phone).
"""

from __future__ import annotations

from typing import Any

import streamlit as st

from cluster_map.ui.text import plain


def row() -> Any:
    """A row of tiles that wraps to the next line when the tiles do not fit."""
    return st.container(horizontal=True, wrap=True, gap="medium")


def tile(where: Any, label: object, value: Any, *, help: object = None) -> None:  # noqa: A002 - st.metric's name
    """One key figure in ``where`` (a :func:`row`), as wide as its label and value; the label and help are
    text (passed through :func:`~cluster_map.ui.text.plain` here, so callers give them unescaped)."""
    where.metric(plain(label), value, help=plain(help, 400) if help else None, width="content")
