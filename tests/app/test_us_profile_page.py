"""AppTest of the Region profile of a US state on the tiny store with its US part: the page speaks of US
states and strong clusters only (no European stars, no "NUTS us level 1")."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.ui.text import unescape
from tests.ui.tinystore import build_tiny_store

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def tiny_us_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny_us") / "tiny.duckdb", us=True)


def test_a_us_state_profile_speaks_of_us_states_and_strong_clusters(monkeypatch, tiny_us_store) -> None:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(tiny_us_store))
    at = AppTest.from_file(str(ROOT / "pages" / "1_Region_profile.py"), default_timeout=90)
    at.query_params.update({"dataset": "us_cmp_states_2016", "regions": "26", "level": "1"})
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    captions = [unescape(str(c.value)) for c in at.caption]
    assert any(" · US states · country US · year 2016" in c for c in captions), captions
    assert not [c for c in captions if "NUTS" in c], captions
    heads = [str(h.value) for h in at.subheader]
    assert "Strong clusters" in heads and "Star and strong clusters" not in heads
    for frame in at.dataframe:
        assert not {"stars", "size_star", "specialisation_star", "focus_star"} & set(frame.value.columns)


def test_switching_the_profile_to_the_us_says_what_changed(monkeypatch, tiny_us_store) -> None:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(tiny_us_store))
    at = AppTest.from_file(str(ROOT / "pages" / "1_Region_profile.py"), default_timeout=90)
    at.query_params.update({"regions": "AA11", "sector": "C29"})
    at.run()
    assert not at.exception and not [i for i in at.info if "is not in" in str(i.value)]
    next(s for s in at.sidebar.selectbox if s.label == "Dataset").set_value("us_cmp_states_2016").run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    lines = [line for i in at.info for line in unescape(str(i.value)).split("\n")]
    assert any(line.endswith("showing its equivalent 4 Automotive.") for line in lines), lines
    assert any(line.startswith("No NUTS 2 in United States") for line in lines), lines
    assert "Choose a region to see its profile (type a code or a name)." in lines  # AA11 is no US state
