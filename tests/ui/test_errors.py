"""The one UI error handler: ClusterMapError -> st.error with its message; other errors are not swallowed."""

from __future__ import annotations

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.errors import InputError, StoreError
from cluster_map.ui.errors import message
from cluster_map.ui.text import unescape


@pytest.mark.parametrize(
    ("exc", "prefix"),
    [
        (InputError("Unknown sector 'X'"), "**Bad input:** Unknown sector 'X'"),
        (StoreError("No store at 'a.duckdb'"), "**Store problem:** No store at 'a.duckdb'"),
    ],
)
def test_message_names_the_kind(exc, prefix) -> None:
    assert unescape(message(exc)) == prefix


def test_message_shows_the_quoted_values_as_text() -> None:
    exc = InputError(
        "Unknown file '[x](http://evil.example).csv':\n  line 2: '![t](http://evil.example/t.png)'"
    )
    shown = message(exc)
    assert shown.startswith("**Bad input:** ") and "](" not in shown.replace("\\](", "")
    assert "http://" not in shown and unescape(shown) == f"**Bad input:** {exc}"


def _page_raising_input_error() -> None:
    import streamlit as st

    from cluster_map.errors import InputError
    from cluster_map.ui.errors import boundary

    st.write("before")
    with boundary():
        raise InputError("Year '1900' has no data; pick 2008-2015.")
    st.write("never shown")


def _page_raising_a_bug() -> None:
    from cluster_map.ui.errors import boundary

    with boundary():
        raise ZeroDivisionError("a bug")


def _widget_raising() -> None:
    import streamlit as st

    from cluster_map.errors import StoreError
    from cluster_map.ui.errors import handled

    @handled
    def table() -> int:
        raise StoreError("The store has no table 'metrics'.")

    assert table() is None
    st.write("page goes on")


def test_boundary_shows_the_message_and_stops() -> None:
    at = AppTest.from_function(_page_raising_input_error).run()
    assert [unescape(e.value) for e in at.error] == [
        "**Bad input:** Year '1900' has no data; pick 2008-2015."
    ]
    assert [m.value for m in at.markdown] == ["before"] and not at.exception


def test_other_exceptions_keep_their_traceback() -> None:
    at = AppTest.from_function(_page_raising_a_bug).run()
    assert at.exception and "ZeroDivisionError" in at.exception[0].value + str(at.exception[0].stack_trace)
    assert not at.error


def test_handled_widget_shows_the_error_and_the_page_goes_on() -> None:
    at = AppTest.from_function(_widget_raising).run()
    assert "no table 'metrics'" in unescape(at.error[0].value)
    assert [m.value for m in at.markdown] == ["page goes on"]
