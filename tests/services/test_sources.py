"""``sources check``: what is loaded next to what the official sources offer now (offline and with a fake TOC)."""

from __future__ import annotations

from pathlib import Path

import pytest

from cluster_map import catalogue
from cluster_map.errors import SourceError
from cluster_map.services import sources


def _toc(fixtures: Path):  # type: ignore[no-untyped-def]
    text = (fixtures / "eurostat" / "toc_en.txt").read_text(encoding="utf-8")
    return lambda url: text


@pytest.mark.mirror
def test_offline_says_it_cannot_check_and_still_shows_what_is_loaded(mirror_store: Path) -> None:
    def no_network(url: str) -> str:
        raise SourceError(f"Cannot reach {url!r} (Name or service not known).")

    result = sources.check(mirror_store, fetch_text=no_network)
    assert not result.checked_online and result.note.startswith("Cannot check the official sources now")
    by = {r.code: r for r in result.rows}
    assert [r.code for r in result.rows] == [d.code for d in catalogue.DATASETS]
    sbs = by["sbs_r_nuts06_r2"]
    assert (sbs.loaded, sbs.years, sbs.nuts_version, sbs.origin) == (True, "2008-2015", "2013", "mirror")
    assert sbs.extracted_at is not None and sbs.official_latest_year is None
    assert sbs.status == "loaded; not checked online"
    assert by["sbs_r_nuts2021"].status == "optional; read when found" and not by["sbs_r_nuts2021"].loaded
    assert by["us_cmp_totals_2016"].status.startswith("compiled directory (no official feed)")
    assert sum(line.startswith("Cannot check") for line in result.lines()) == 1


@pytest.mark.mirror
def test_the_toc_gives_latest_year_and_last_update_per_dataset(mirror_store: Path, fixtures: Path) -> None:
    asked: list[str] = []
    toc = _toc(fixtures)

    def fake(url: str) -> str:
        asked.append(url)
        return toc(url)

    result = sources.check(mirror_store, fetch_text=fake)
    assert len(asked) == 1 and result.checked_online and result.note == ""
    by = {r.code: r for r in result.rows}
    sbs = by["sbs_r_nuts06_r2"]
    assert (sbs.official_latest_year, sbs.official_years) == (2020, "2008-2020")
    assert sbs.official_last_update is not None and sbs.official_last_update.year == 2023
    assert sbs.status == "newer data at the source (2020 > 2015)"
    assert by["sbs_r_nuts2021"].status == "not loaded; the source offers data to 2024"
    assert by["us_cmp_states_2016"].status.startswith("no machine-readable listing")
    d = result.to_dict()
    assert d["datasets"][0]["official_last_update"] == "2023-06-14T00:00:00Z"
    text = "\n".join(result.lines())
    assert "official now: data 2008-2020, last update 2023-06-14" in text


def test_no_store_is_not_an_error(tmp_path: Path, fixtures: Path) -> None:
    result = sources.check(tmp_path / "none.duckdb", fetch_text=_toc(fixtures))
    assert "No store at" in result.note and not any(r.loaded for r in result.rows)
    assert {r.code: r.status for r in result.rows}[
        "lfst_r_lfe2en2"
    ] == "not loaded; the source offers data to 2025"


def test_without_network_the_real_request_fails_cleanly(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No network on this machine (or none allowed): the default fetcher's failure becomes the note."""
    import urllib.error

    import cluster_map.sources.fetch as fetch_mod

    def offline(request: object, timeout: float) -> object:
        raise urllib.error.URLError(OSError("Name or service not known"))

    monkeypatch.setattr(fetch_mod.urllib.request, "urlopen", offline)
    result = sources.check(tmp_path / "none.duckdb")
    assert result.note.startswith(
        "Cannot check the official sources now (Cannot reach "
        "'https://ec.europa.eu/eurostat/api/dissemination/catalogue/toc/txt?lang=en'"
    )
