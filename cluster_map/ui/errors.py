"""The one UI error handler: a ``ClusterMapError`` becomes an ``st.error`` box with its message.

Pages wrap their body in :func:`boundary`; errors Cluster Map raises on purpose (missing store, bad
input, store without metrics) say what happened and what to do, so the user sees exactly that message.
Any other exception is a bug and keeps its traceback (Streamlit shows it); nothing is swallowed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from functools import wraps
from typing import ParamSpec, TypeVar

import streamlit as st

from cluster_map.errors import ClusterMapError, InputError, StoreError
from cluster_map.ui.text import plain

P = ParamSpec("P")
R = TypeVar("R")


def message(exc: ClusterMapError) -> str:
    """The text shown for ``exc``: its message, prefixed by what kind of problem it is.

    The message quotes file names and values (``!r``) from outside, so it is shown as plain text
    (:func:`cluster_map.ui.text.plain`, one line per problem); only the prefix is Markdown.
    """
    kind = (
        "Bad input"
        if isinstance(exc, InputError)
        else "Store problem"
        if isinstance(exc, StoreError)
        else "Problem"
    )
    return f"**{kind}:** {plain(exc, 2000, lines=True)}"


@contextmanager
def boundary(*, stop: bool = True) -> Iterator[None]:
    """Show a ``ClusterMapError`` raised inside the block with ``st.error`` (and stop the page run)."""
    try:
        yield
    except ClusterMapError as exc:
        st.error(message(exc))
        if stop:
            st.stop()


def handled(func: Callable[P, R]) -> Callable[P, R | None]:
    """Decorator form of :func:`boundary` for a widget function (the page goes on after an error)."""

    @wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R | None:
        try:
            return func(*args, **kwargs)
        except ClusterMapError as exc:
            st.error(message(exc))
            return None

    return wrapper
