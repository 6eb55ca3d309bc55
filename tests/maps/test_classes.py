"""Classes: known values per scheme, fixed bounds that do not move with filters, bad input."""

from __future__ import annotations

import mapclassify
import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map.errors import InputError
from cluster_map.maps.classes import (
    LQ_COLOURS,
    NODATA_COLOUR,
    PALETTES,
    Classes,
    boolean_classes,
    classes_for,
    equal_interval,
    fixed,
    hotspot_classes,
    lq_classes,
    natural_breaks,
    palette,
    quantiles,
    star_classes,
)


def test_lq_classes_known_values() -> None:
    c = lq_classes()
    values = [0.0, 0.5, 0.8, 1.0, 1.25, 2.0, 2.9, 3.0, 10.0, float("nan"), None, float("inf")]
    assert c.assign(values).tolist() == [0, 0, 1, 1, 2, 3, 3, 4, 4, -1, -1, -1]
    assert c.labels[0].startswith("< 0.8") and c.labels[-1] == "≥ 3"
    assert c.colours == LQ_COLOURS
    assert c.colour(-1) == NODATA_COLOUR and c.colour(4) == LQ_COLOURS[4]


def test_quantiles_match_mapclassify() -> None:
    values = np.arange(1, 11, dtype=float)
    c = quantiles(values, k=5)
    assert c.breaks == tuple(float(b) for b in mapclassify.Quantiles(values, k=5).bins[:-1])
    assert np.bincount(c.assign(values)).tolist() == [2, 2, 2, 2, 2]
    assert c.colours == PALETTES["YlOrRd"][5]
    assert c.labels[0] == "1 – 2.8" and c.labels[-1] == "8.2 – 10"


def test_natural_breaks_known_groups() -> None:
    values = [1, 2, 3, 10, 11, 12, 30, 31]
    c = natural_breaks(values, k=3)
    assert c.assign(values).tolist() == [0, 0, 0, 1, 1, 1, 2, 2]
    assert c.breaks == (3.0, 12.0)


def test_equal_interval() -> None:
    c = equal_interval([0, 10], k=5)
    assert c.breaks == (2.0, 4.0, 6.0, 8.0)
    assert c.assign([0, 2, 2.1, 10]).tolist() == [0, 0, 1, 4]


def test_few_distinct_values_give_fewer_classes() -> None:
    c = quantiles([1, 1, 1, 2], k=5)
    assert c.k == len(c.colours) == len(c.breaks) + 1 <= 2
    assert c.assign([1, 2]).tolist() == [0, c.k - 1]
    single = quantiles([4.0, 4.0], k=5)
    assert single.k == 1 and single.assign([4.0, np.nan]).tolist() == [0, -1]


@pytest.mark.parametrize(
    ("builder", "values", "expected"),
    [
        (star_classes, [0, 1, 2, 3, None, 2.0, np.int64(1), 4], [0, 1, 2, 3, -1, 2, 1, -1]),
        (boolean_classes, [True, False, None, np.True_, 1, 0, pd.NA], [1, 0, -1, 1, 1, 0, -1]),
        (lambda: hotspot_classes("gi"), ["hot_99", "ns", "cold_95", "bogus", None], [0, 3, 5, -1, -1]),
        (lambda: hotspot_classes("lisa"), ["HH", "LL", "HL", "LH", "ns"], [0, 3, 1, 2, 4]),
    ],
)
def test_categorical_classes(builder, values, expected) -> None:  # type: ignore[no-untyped-def]
    assert builder().assign(values).tolist() == expected


def test_fixed_classes_are_lower_inclusive_with_labels() -> None:
    c = fixed([10, 20], palette_name="Blues", unit="%", digits=0)
    assert c.assign([5, 10, 19.9, 20, 99]).tolist() == [0, 1, 1, 2, 2]
    assert c.labels == ("< 10%", "10% – 20%", "≥ 20%")


@pytest.mark.parametrize("metric", ["lq", "stars", "strong", "growth", "hotspot", "hotspot_lisa"])
def test_fixed_metrics_ignore_the_filtered_values(metric: str) -> None:
    assert classes_for(metric) == classes_for(metric, reference=[1.0, 2.0, 3.0])


def test_reference_breaks_keep_colours_when_filtering() -> None:
    """Breaks from the whole level: a region's class is the same with or without a country filter."""
    rng = np.random.default_rng(7)
    everything = pd.Series(rng.lognormal(8, 1, 300))
    c = classes_for("employment", everything)
    subset = everything.iloc[:40]
    assert c.assign(subset).tolist() == c.assign(everything).tolist()[:40]
    # classifying the subset alone would move the colours: that is what the reference prevents
    assert quantiles(subset, k=5).breaks != c.breaks


def test_classes_for_data_driven_schemes() -> None:
    ref = np.arange(100.0)
    assert classes_for("share", ref).kind == "quantiles"
    assert classes_for("share", ref).colours == PALETTES["YlGnBu"][5]
    assert classes_for("lq", ref, scheme="natural_breaks").kind == "natural_breaks"
    assert classes_for("employment", ref, scheme="equal_interval", k=4).k == 4


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: classes_for("employment"), "needs the reference values"),
        (lambda: classes_for("employment", [1, 2], scheme="fixed"), "no fixed classes"),
        (lambda: quantiles([np.nan, None]), "every region has no data"),
        (lambda: palette("Rainbow", 5), "Unknown palette"),
        (lambda: palette("Blues", 12), "1 to 9"),
        (lambda: Classes(kind="x", labels=("a",), colours=("#000", "#fff")), "1 labels but 2 colours"),
        (lambda: Classes(kind="x", labels=("a", "b"), colours=("#000", "#fff"), breaks=(2.0, 1.0)), "breaks"),
        (lambda: fixed([3, 1]), "not increasing"),
    ],
)
def test_bad_input_is_refused(call, message: str) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match=message):
        call()


@given(
    st.lists(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), min_size=1, max_size=60),
    st.integers(min_value=2, max_value=9),
)
def test_quantile_classes_are_monotone_and_in_range(values: list[float], k: int) -> None:
    c = quantiles(values, k=k)
    idx = c.assign(sorted(values))
    assert ((idx >= 0) & (idx < c.k)).all()
    assert (np.diff(idx) >= 0).all()
    assert len(c.labels) == len(c.colours) == c.k


def test_legend_lists_every_class_then_no_data() -> None:
    legend = star_classes().legend()
    assert [label for _, label in legend] == ["no star", "★", "★★", "★★★", "no data"]
