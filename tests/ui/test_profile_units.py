"""Key-figure tiles show values in the base unit: a 'thousand'/'million' unit word is folded into the number."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map.ui.profile import _compact, figure_label, scaled


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        # California's 2016 annual payroll in the US Cluster Mapping file, USD thousand
        (878_950_000.0, "USD thousand", (878_950_000_000.0, "USD")),
        (12.5, "EUR million", (12_500_000.0, "EUR")),
        (190_263.0, "persons employed", (190_263.0, "persons employed")),
        (3.0, "thousand", (3.0, "thousand")),  # a bare multiplier is left as it is
        (7.0, "", (7.0, "")),
    ],
)
def test_scaled(value: float, unit: str, expected: tuple[float, str]) -> None:
    assert scaled(value, unit) == expected


def test_payroll_tile_reads_in_billions_of_dollars() -> None:
    value, unit = scaled(878_950_000.0, "USD thousand")
    assert (_compact(value), unit) == ("878.95 bn", "USD")


@given(st.floats(min_value=0, max_value=1e12, allow_nan=False))
def test_scaling_keeps_the_amount(v: float) -> None:
    assert scaled(v, "EUR million")[0] == pytest.approx(v * 1e6)
    assert scaled(v, "USD thousand")[0] == pytest.approx(v * 1e3)


@pytest.mark.parametrize(
    ("label", "unit", "expected"),
    [
        ("GDP, EUR million", "EUR million", "GDP, EUR"),  # the label names the unit: its multiplier goes too
        ("Annual payroll", "USD thousand", "Annual payroll, USD"),
        ("Wages and salaries", "EUR million", "Wages and salaries, EUR"),
        ("Persons employed", "persons employed", "Persons employed"),
        ("Establishments", "establishments", "Establishments"),
        ("Local units", "", "Local units"),
    ],
)
def test_figure_label_says_the_unit_the_tile_shows(label: str, unit: str, expected: str) -> None:
    assert figure_label(label, unit) == expected
