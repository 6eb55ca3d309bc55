"""AppTest on the mirror store: the map opens on a complete benchmark year and a partial year says so."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.ui.text import unescape

pytestmark = pytest.mark.mirror
APP = str(Path(__file__).resolve().parents[2] / "app.py")


def _run(monkeypatch: pytest.MonkeyPatch, db: Path, params: dict[str, str]) -> AppTest:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(db))
    at = AppTest.from_file(APP, default_timeout=120)
    for k, v in params.items():
        at.query_params[k] = v
    return at.run()


def test_default_year_is_complete_and_a_partial_year_names_its_countries(
    monkeypatch: pytest.MonkeyPatch, mirror_store: Path
) -> None:
    at = _run(monkeypatch, mirror_store, {"sector": "C29", "metric": "lq"})
    assert not at.exception
    assert any("2014" in s.value for s in at.subheader), [s.value for s in at.subheader]
    assert not any("holds only" in w.value for w in at.warning)
    partial = _run(monkeypatch, mirror_store, {"sector": "C29", "metric": "lq", "year": "2015"})
    assert not partial.exception
    notes = [unescape(w.value) for w in partial.warning if "holds only" in w.value]
    assert notes and "17 of the 29 countries" in notes[0] and "Germany (DE)" in notes[0]
