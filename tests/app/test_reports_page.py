"""AppTest of the Reports page against the mirror store: pickers from the store, build, downloads, exports."""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.ui.text import unescape

pytestmark = [pytest.mark.mirror, pytest.mark.slow]
PAGE = Path(__file__).resolve().parents[2] / "pages" / "6_Reports.py"


@pytest.fixture()
def page(mirror_store: Path, monkeypatch: pytest.MonkeyPatch) -> AppTest:
    monkeypatch.setenv("CLUSTER_MAP_DB", str(mirror_store))
    at = AppTest.from_file(str(PAGE), default_timeout=180)
    return at.run()


def _downloads(at: AppTest) -> list[str]:
    return [unescape(str(e.proto.label)) for e in at.get("download_button")]


def test_pickers_come_from_the_store(page: AppTest) -> None:
    assert not page.exception, page.exception
    country = page.selectbox(key="rep_country")
    assert country.value == "DE"
    assert {"DE · Germany", "FR · France", "EL · Greece"} <= set(country.options)
    assert page.selectbox(key="rep_year").value == 2015
    page.selectbox(key="rep_country").set_value("FR").run()
    assert page.selectbox(key="rep_year").options == ["2014", "2013", "2012", "2011", "2010"]
    assert not _downloads(page)


def test_build_offers_the_downloads(page: AppTest) -> None:
    page.selectbox(key="rep_country").set_value("EL")
    page.multiselect(key="rep_fmt").set_value(["xlsx", "html"])
    page.button(key="rep_build").click().run()
    assert not page.exception, page.exception
    assert not page.error, [e.value for e in page.error]
    assert any("Greece (EL)" in unescape(str(s.value)) for s in page.success)
    labels = _downloads(page)
    assert (
        len(labels) == 2 and labels[0].startswith("Download XLSX") and labels[1].startswith("Download HTML")
    )
    page.run()  # a rerun (e.g. after a download) keeps the buttons
    assert len(_downloads(page)) == 2


def test_export_prepares_file_and_provenance(page: AppTest) -> None:
    page.selectbox(key="exp_t").set_value("region_indices")
    page.selectbox(key="exp_ds").set_value("lfst_r_lfe2en2")
    page.number_input(key="exp_year").set_value(2015)
    page.selectbox(key="exp_fmt").set_value("csv")
    page.button(key="exp_go").click().run()
    assert not page.exception, page.exception
    labels = _downloads(page)
    assert any(label.startswith("Download region_indices") for label in labels)
    assert "Provenance (JSON)" in labels
