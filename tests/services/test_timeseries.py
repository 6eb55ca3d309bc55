"""A region x sector over the years on the mirror store: NUTS-version breaks and converted/estimated values
marked; and the chart draws them (a dashed line per break, open diamonds for estimated values)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cluster_map.services.timeseries import SectorSeries, _breaks, sector_series
from cluster_map.store.database import connect
from cluster_map.ui.charts import sector_over_time


@pytest.fixture(scope="module")
def con(mirror_store: Path):  # type: ignore[no-untyped-def]
    c = connect(mirror_store)
    yield c
    c.close()


@pytest.mark.mirror
def test_converted_years_and_the_break_are_marked(con) -> None:  # type: ignore[no-untyped-def]
    s = sector_series(con, dataset="sbs_r_nuts06_r2", region="UKI3", sector="C")
    f = s.frame.set_index("year")
    assert f.loc[2008:2012, "converted"].all() and not f.loc[2013:, "converted"].any()
    assert f.loc[2010, "estimated"] and "estimated:jrc_pop_split" in f.loc[2010, "caveats"]
    assert [y for y, _ in s.breaks] == [2013] and "converted" in s.breaks[0][1]


@pytest.mark.mirror
def test_a_native_series_has_no_break(con) -> None:  # type: ignore[no-untyped-def]
    s = sector_series(con, dataset="sbs_r_nuts06_r2", region="DE21", sector="C29")
    assert s.breaks == () and list(s.frame["year"]) == list(range(2008, 2016))
    assert s.frame["lq"].gt(2).all() and not s.frame["estimated"].any()


def test_series_join_is_a_break() -> None:
    frame = pd.DataFrame(
        {
            "year": [2019, 2020, 2021],
            "dataset": ["sbs_r_nuts06_r2"] * 2 + ["sbs_r_nuts2021"],
            "nuts_version": ["2013", "2013", "2021"],
            "converted": [False] * 3,
        }
    )
    ((year, note),) = _breaks(frame, "sbs_r_nuts06_r2")
    assert year == 2021 and "break in series in 2021" in note


def test_chart_marks_breaks_and_estimates() -> None:
    frame = pd.DataFrame(
        {
            "year": [2010, 2011, 2012, 2013],
            "employment": [10.0, 11.0, 12.0, 13.0],
            "lq": [1.1, 1.2, 0.9, 1.0],
            "estimated": [True, True, False, False],
            "converted": [True, True, False, False],
            "caveats": ["estimated:jrc_pop_split"] * 2 + ["", ""],
        }
    )
    s = SectorSeries("UKI3", "C", "Manufacturing", frame, breaks=((2012, "NUTS version change"),))
    fig = sector_over_time(s.frame, breaks=s.breaks)
    symbols = {t.marker.symbol for t in fig.data if t.mode == "markers"}
    assert symbols == {"circle", "diamond-open"}
    assert any(sh.type == "line" and sh.x0 == 2011.5 for sh in fig.layout.shapes)
    assert any(a.text == "break 2012" for a in fig.layout.annotations)


@pytest.mark.mirror
@pytest.mark.slow
def test_the_sbs_series_join_is_marked_when_both_datasets_are_in_the_store(current_store: Path) -> None:
    c = connect(current_store)
    try:
        s = sector_series(c, dataset="sbs_r_nuts2021", region="AT11", sector="C")
    finally:
        c.close()
    f = s.frame
    assert set(f["dataset"]) == {"sbs_r_nuts06_r2", "sbs_r_nuts2021"}
    assert f.loc[f["dataset"] == "sbs_r_nuts2021", "year"].min() == 2021
    assert f.loc[f["dataset"] == "sbs_r_nuts06_r2", "year"].max() <= 2020
    # the join (2021) and, inside sbs_r_nuts2021, the move from NUTS 2021 to NUTS 2024 (2024)
    assert [y for y, _ in s.breaks] == [2021, 2024] and "break in series in 2021" in s.breaks[0][1]
    assert s.breaks[1][1] == "NUTS 2021 -> NUTS 2024"
