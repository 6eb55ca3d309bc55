"""The pure parts of ``bench/bench_page_visits.py``: the page list and the ratio table (no browser, no clock)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.bench_page_visits import FIRST_AFTER_START, PAGES, ROOT, page_files, summarise, table


def test_every_page_file_is_visited_once() -> None:
    listed = [p.file for p in PAGES if p.file is not None]
    assert sorted(listed) == sorted(page_files(ROOT))
    assert len(listed) == len(set(listed))
    assert [p.url for p in PAGES if p.file is None] == ["/"]


def test_urls_follow_the_page_file_names() -> None:
    # Streamlit serves pages/N_Name.py at /Name: a renamed page must not be measured at a dead address
    for p in PAGES:
        if p.file is not None:
            assert p.url.split("?")[0] == "/" + Path(p.file).stem.split("_", 1)[1]


def test_first_after_start_names_real_pages() -> None:
    names = {p.name for p in PAGES}
    assert {"Map", "Region profile", "Sector explorer"} <= set(FIRST_AFTER_START) <= names


def test_page_files_reads_the_folder(tmp_path: Path) -> None:
    (tmp_path / "pages").mkdir()
    (tmp_path / "pages" / "1_A.py").write_text("")
    (tmp_path / "pages" / "notes.txt").write_text("")
    assert page_files(tmp_path) == {"1_A.py"}


def test_summarise_ratios_goals_and_first_visit() -> None:
    out = summarise(
        {"Map": [1.4, 1.6, 1.5], "Reports": [2.5, 2.0, 3.0]},
        floors=[1.0, 0.9, 1.1],
        first={"Map": 3.3},
        warmed={"Map": 2.1},
    )
    assert out["floor_median_s"] == 1.0
    m, r = out["pages"]["Map"], out["pages"]["Reports"]
    assert (m["median_s"], m["ratio"], m["goal_ratio"], m["goal_met"]) == (1.5, 1.5, 1.5, True)
    assert (r["median_s"], r["ratio"], r["goal_ratio"], r["goal_met"]) == (2.5, 2.5, 2.0, False)
    assert (m["first_after_start_s"], m["first_after_start_ratio"]) == (3.3, 3.3)
    assert m["first_after_start_goal_met"] is False
    assert (m["first_after_warm_start_s"], m["first_after_warm_start_ratio"]) == (2.1, 2.1)
    assert m["first_after_warm_start_goal_met"] is True and "first_after_warm_start_s" not in r
    assert "first_after_start_s" not in r
    text = table(out)
    assert "Map" in text and "MISS" in text and "3.30x" in text.replace(" ", "")
    assert "2.10x" in text.replace(" ", "") and "warmed" in text


@pytest.mark.parametrize("floors", [[], None])
def test_summarise_needs_floor_visits(floors) -> None:
    with pytest.raises((ValueError, TypeError)):
        summarise({"Map": [1.0]}, floors=floors, first={})
