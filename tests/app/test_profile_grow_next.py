"""AppTest of the region profile on the mirror store: ecosystems as the sectors, and "grow next"."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map import catalogue
from cluster_map.ui.text import unescape

PAGE = Path(__file__).resolve().parents[2] / "pages" / "1_Region_profile.py"


@pytest.fixture()
def mirror_env(mirror_store: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(mirror_store))
    return mirror_store


@pytest.mark.mirror
def test_profile_grow_next_and_ecosystems(mirror_env: Path) -> None:
    at = AppTest.from_file(str(PAGE), default_timeout=120)
    at.query_params["regions"] = "CZ02"
    at.query_params["year"] = "2014"
    at.run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    heads = [unescape(h.value) for h in at.subheader]
    assert "What could this region grow next" in heads
    captions = "\n".join(unescape(c.value) for c in at.caption)
    assert "Log-supermodularity check:" in captions and "relatedness density" in captions
    grow = next(d.value for d in at.dataframe if "density" in d.value.columns)
    assert len(grow) == 5 and (grow["lq"].fillna(0) < 1).all()
    at.sidebar.radio[0].set_value("ecosystems").run()
    assert not at.exception, at.exception
    slugs = {e.slug for e in catalogue.ECOSYSTEMS}
    spec = next(d.value for d in at.dataframe if "share_region" in d.value.columns)
    assert set(spec["sector"]) <= slugs and spec["sector"].iloc[0] == "mobility-transport-automotive"
    grow = next(d.value for d in at.dataframe if "density" in d.value.columns)
    assert set(grow["sector"]) <= slugs


@pytest.mark.mirror
def test_compare_by_ecosystem(mirror_env: Path) -> None:
    at = AppTest.from_file(str(PAGE.parent / "3_Compare.py"), default_timeout=120)
    at.query_params["regions"] = "CZ02,DE11,DE91"
    at.query_params["year"] = "2014"
    at.run()
    assert not at.exception, at.exception
    at.sidebar.radio[0].set_value("ecosystems").run()
    assert not at.exception, at.exception
    assert not at.error, [e.value for e in at.error]
    slugs = {e.slug for e in catalogue.ECOSYSTEMS}
    tables = [d.value for d in at.dataframe]
    assert any("mobility-transport-automotive" in set(map(str, t.get("sector", t.index))) for t in tables), [
        t.columns.tolist() for t in tables
    ]
    assert slugs
