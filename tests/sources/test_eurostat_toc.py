"""Eurostat's table of contents (Catalogue API, TXT): parsed from a fixture in its real layout."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from cluster_map.errors import SourceError
from cluster_map.sources import eurostat_toc as toc


def test_toc_lists_datasets_with_last_update_and_years(fixtures: Path) -> None:
    entries = toc.parse_toc((fixtures / "eurostat" / "toc_en.txt").read_text(encoding="utf-8"))
    assert "reg" not in entries and "data" not in entries  # folders are left out
    sbs = entries["sbs_r_nuts2021"]
    assert sbs.title.startswith("Enterprise statistics by NUTS 2 region")  # indentation stripped
    assert sbs.last_update == datetime(2026, 10, 2) and sbs.structure_change == datetime(2026, 3, 12)
    assert (sbs.data_start, sbs.data_end, sbs.latest_year, sbs.values) == ("2021", "2024", 2024, 698214)
    assert entries["sbs_r_nuts06_r2"].latest_year == 2020  # listed in two folders, kept once


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("14.06.2023", datetime(2023, 6, 14)),
        ("2020-05-28T23:00:00+0200", datetime(2020, 5, 28, 21, 0)),
        ("", None),
        ("soon", None),
    ],
)
def test_toc_dates(text: str, expected: datetime | None) -> None:
    assert toc.parse_date(text) == expected


def test_a_toc_without_its_header_is_refused_naming_the_columns() -> None:
    with pytest.raises(SourceError, match=r"lacks column\(s\) \['title', 'code'"):
        toc.parse_toc("something\telse\n")


def test_read_toc_asks_the_catalogue_api_once(fixtures: Path) -> None:
    asked: list[str] = []

    def fake(url: str) -> str:
        asked.append(url)
        return (fixtures / "eurostat" / "toc_en.txt").read_text(encoding="utf-8")

    assert len(toc.read_toc(fake)) == 7
    assert asked == ["https://ec.europa.eu/eurostat/api/dissemination/catalogue/toc/txt?lang=en"]
