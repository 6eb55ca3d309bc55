"""The one escaping helper: hostile strings stay text, missing numbers show a placeholder."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map.maps.escape import MISSING, esc, fmt_number, is_missing, js_json, link, safe_url


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("<script>alert(1)</script>", "&lt;script&gt;alert(1)&lt;/script&gt;"),
        ('" onmouseover="alert(2)', "&quot; onmouseover=&quot;alert(2)"),
        ("it's", "it&#x27;s"),
        ("R&D", "R&amp;D"),
        ("Île-de-France", "Île-de-France"),
        (None, MISSING),
        (float("nan"), MISSING),
        (np.nan, MISSING),
        (pd.NA, MISSING),
        (pd.NaT, MISSING),
        (0, "0"),
        (12.5, "12.5"),
    ],
)
def test_esc_known_values(value: object, expected: str) -> None:
    assert esc(value) == expected


@given(st.text())
def test_esc_never_leaves_markup_characters(text: str) -> None:
    out = esc(text)
    assert not set("<>\"'") & set(out)
    assert "&" not in out.replace("&amp;", "").replace("&lt;", "").replace("&gt;", "").replace(
        "&quot;", ""
    ).replace("&#x27;", "")


@pytest.mark.parametrize(
    ("value", "kwargs", "expected"),
    [
        (1234.5, {}, "1,234.50"),
        (1234.5, {"digits": 1}, "1,234.5"),
        (12.0, {}, "12"),
        (np.int64(7), {}, "7"),
        (0.123456, {"digits": 3}, "0.123"),
        (-2.5, {"unit": "%"}, "-2.50\u2009%"),
        (1e6, {"thousands": False}, "1000000"),
        ("3.5", {}, "3.50"),
        (None, {}, MISSING),
        (float("nan"), {}, MISSING),
        (float("inf"), {}, MISSING),
        (pd.NA, {}, MISSING),
        ("abc", {}, MISSING),
        (True, {}, MISSING),
        ([1], {}, MISSING),
        (None, {"missing": "n/a"}, "n/a"),
    ],
)
def test_fmt_number(value: object, kwargs: dict, expected: str) -> None:
    assert fmt_number(value, **kwargs) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("https://www.example.org/a?b=1", "https://www.example.org/a?b=1"),
        ("http://example.org", "http://example.org"),
        ("HTTPS://EXAMPLE.ORG", "HTTPS://EXAMPLE.ORG"),
        ("biz-up.at", "https://biz-up.at"),
        ("www.cluster.de/en", "https://www.cluster.de/en"),
        ("  example.org ", "https://example.org"),
        ("javascript:alert(1)", None),
        ("JaVaScRiPt://alert(1)", None),
        ("data:text/html,<script>x</script>", None),
        ("ftp://example.org/file", None),
        ("//evil.example.com/x.js", None),
        ('https://x.org" onmouseover="alert(1)', None),
        ("https://x.org/<script>", None),
        ("not a url", None),
        ("https://", None),
        ("", None),
        (None, None),
        (float("nan"), None),
    ],
)
def test_safe_url(value: object, expected: str | None) -> None:
    assert safe_url(value) == expected


def test_link_escapes_text_and_drops_unsafe_urls() -> None:
    assert link("https://a.org/?x=1&y=2", "<b>A</b>") == (
        '<a href="https://a.org/?x=1&amp;y=2" target="_blank" rel="noopener noreferrer">&lt;b&gt;A&lt;/b&gt;</a>'
    )
    assert link("javascript:alert(1)", "<b>A</b>") == "&lt;b&gt;A&lt;/b&gt;"
    assert link("javascript:alert(1)") == ""


def test_js_json_cannot_close_a_script_block() -> None:
    payload = {"name": "</script><script>alert(1)</script>", "amp": "a & b", "sep": "x\u2028y"}
    text = js_json(payload)
    assert "</script" not in text.lower() and "<" not in text and "&" not in text and "\u2028" not in text
    assert json.loads(text) == payload


@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(),
        lambda c: st.lists(c, max_size=4) | st.dictionaries(st.text(), c, max_size=4),
        max_leaves=12,
    )
)
def test_js_json_round_trips_and_has_no_markup(obj: object) -> None:
    text = js_json(obj)
    assert "<" not in text and ">" not in text
    assert json.loads(text) == obj


def test_js_json_refuses_nan() -> None:
    with pytest.raises(ValueError):
        js_json({"v": math.nan})


@pytest.mark.parametrize(
    ("value", "missing"),
    [
        (None, True),
        (math.nan, True),
        (np.float32("nan"), True),
        (pd.NA, True),
        (pd.NaT, True),
        (0, False),
        ("", False),
        ("x", False),
        (np.int64(3), False),
    ],
)
def test_is_missing(value: object, missing: bool) -> None:
    assert is_missing(value) is missing
