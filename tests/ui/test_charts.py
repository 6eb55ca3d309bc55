"""Chart builders: figures hold the data they are given (no Streamlit needed)."""

from __future__ import annotations

import pandas as pd

from cluster_map.ui import charts

EVIL = "<script>alert(1)</script>"


def test_bubbles_drop_non_positive_and_keep_labels_as_data() -> None:
    spec = pd.DataFrame(
        {
            "sector": ["C29", "F41", "C10"],
            "sector_label": [EVIL, "b", "c"],
            "lq": [1.3, 0.0, 0.7],
            "employment": [1100, 380, 210],
            "stars": [1, 0, None],
        }
    )
    fig = charts.specialisation_bubbles(spec)
    xs = sorted(x for trace in fig.data for x in trace.x)
    assert xs == [0.7, 1.3]
    assert any(EVIL in list(trace.hovertext or []) for trace in fig.data)
    assert fig.layout.xaxis.type == "log"


def test_time_series() -> None:
    series = pd.DataFrame({"label": ["a", "a", "b"], "year": [2010, 2015, 2015], "value": [1.0, 2.0, None]})
    fig = charts.time_series(series)
    assert sum(len(t.x) for t in fig.data) == 2


def test_compare_bars_keep_sector_order() -> None:
    long = pd.DataFrame(
        {
            "region": ["AT13", "DE21"],
            "name": ["Wien", "Oberbayern"],
            "sector": ["C29", "C29"],
            "sector_label": ["x", "x"],
            "lq": [1.2, 1.6],
        }
    )
    fig = charts.compare_bars(long, metric="lq", sectors=["C29"])
    assert len(fig.data) == 2 and {t.name for t in fig.data} == {"AT13 Wien", "DE21 Oberbayern"}


def test_shift_share_bars_top_changes() -> None:
    ss = pd.DataFrame(
        {
            "region": ["a", "b", "c"],
            "change": [5.0, -50.0, 1.0],
            "national_growth": [1.0, 2, 3],
            "industry_mix": [1.0, 1, 1],
            "regional_shift": [3.0, -53, -3],
        }
    )
    fig = charts.shift_share_bars(ss, top=2)
    assert set(fig.data[0].x) == {"a", "b"}
