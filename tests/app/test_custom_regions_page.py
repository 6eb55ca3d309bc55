"""AppTest on the mirror store: a custom region on the Region profile (from the builder and from a link), the
sector-over-time chart, and a region / custom-region report built on the Reports page."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.ui.text import unescape

pytestmark = [pytest.mark.mirror, pytest.mark.slow]
PAGES = Path(__file__).resolve().parents[2] / "pages"


@pytest.fixture()
def env(mirror_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(mirror_store))


def test_custom_region_from_a_link(env: None) -> None:
    at = AppTest.from_file(str(PAGES / "1_Region_profile.py"), default_timeout=240)
    at.query_params["custom"] = "Øresund=DK01,SE22"
    at.run()
    assert not at.exception, at.exception
    assert [unescape(h.value) for h in at.header] == ["Øresund · custom region"]
    assert {"Strong clusters", "Star clusters (2-3 stars)"} <= {unescape(m.label) for m in at.metric}


def test_custom_region_from_the_builder_goes_to_the_url(env: None) -> None:
    at = AppTest.from_file(str(PAGES / "1_Region_profile.py"), default_timeout=240).run()
    at.text_input(key="cr-name").set_value("Upper Rhine").run()
    at.multiselect(key="cr-members").set_value(["DE12", "DE13", "FR42"]).run()
    at.button(key="cr-show").click().run()
    assert not at.exception, at.exception
    assert at.query_params["custom"] in ("Upper Rhine=DE12,DE13,FR42", ["Upper Rhine=DE12,DE13,FR42"])
    assert unescape(at.header[0].value) == "Upper Rhine · custom region"


def test_bad_custom_link_warns_and_shows_the_profile_picker(env: None) -> None:
    at = AppTest.from_file(str(PAGES / "1_Region_profile.py"), default_timeout=240)
    at.query_params["custom"] = "no members"
    at.run()
    assert not at.exception and any("Custom region" in unescape(w.value) for w in at.warning)


def test_sector_over_time_marks_the_break(env: None) -> None:
    at = AppTest.from_file(str(PAGES / "1_Region_profile.py"), default_timeout=240)
    at.query_params["regions"] = "UKI3"
    at.run()
    assert not at.exception, at.exception
    assert "A sector over the years" in [s.value for s in at.subheader]
    assert any("NUTS version change" in unescape(c.value) for c in at.caption)


def test_region_report_on_the_reports_page(env: None) -> None:
    at = AppTest.from_file(str(PAGES / "6_Reports.py"), default_timeout=240).run()
    at.radio(key="rrep_kind").set_value("A custom region").run()
    at.text_input(key="rrep_name").set_value("Øresund").run()
    at.multiselect(key="rrep_members").set_value(["DK01", "SE22"]).run()
    at.multiselect(key="rrep_fmt").set_value(["xlsx"]).run()
    at.button(key="rrep_build").click().run()
    assert not at.exception, at.exception
    assert [unescape(str(e.proto.label)) for e in at.get("download_button") if "XLSX" in str(e.proto.label)]
    assert any("custom region report" in unescape(s.value) for s in at.success)
