"""Switching dataset keeps the equivalent sector, level, year, metric and countries, or says why.

Table-driven over the pure ``switch_dataset`` with three datasets shaped like the mirror's: the SBS
(NACE divisions, NUTS 0-2), the LFS (NACE sections only) and the US states (US CMP clusters).
"""

from __future__ import annotations

import pytest

from cluster_map import catalogue
from cluster_map.services.mapview import ViewOptions
from cluster_map.ui.state import Filters, switch_dataset

SBS = "sbs_r_nuts06_r2"
LFS = "lfst_r_lfe2en2"
US = "us_cmp_states_2016"
ALL = (SBS, LFS, US)
EUROPE = tuple(m.key for m in catalogue.metrics_for("europe"))
OPTS = {
    SBS: ViewOptions(
        dataset=SBS,
        datasets=ALL,
        sector_scheme="nace_r2",
        sectors=(
            ("C", "Manufacturing"),
            ("C10", "Manufacture of food products"),
            ("C29", "Manufacture of motor vehicles"),
            ("F", "Construction"),
            ("J61", "Telecommunications"),
            ("J62", "Computer programming"),
        ),
        default_sector="C29",
        years=(2008, 2014, 2015),
        levels=(0, 1, 2),
        default_level=2,
        countries=("DE", "FR"),
        regions=frozenset({"DE21", "FR10"}),
        metrics=EUROPE,
        nuts_version="2013",
        default_year=2014,
    ),
    LFS: ViewOptions(
        dataset=LFS,
        datasets=ALL,
        sector_scheme="nace_r2",
        sectors=(("A", "Agriculture"), ("B-E", "Industry (except construction)"), ("F", "Construction")),
        default_sector="F",
        years=(2008, 2014, 2015),
        levels=(0, 1, 2),
        default_level=2,
        countries=("DE", "FR", "NO"),
        regions=frozenset({"DE21", "FR10", "NO01"}),
        metrics=EUROPE,
        nuts_version="2013",
    ),
    US: ViewOptions(
        dataset=US,
        datasets=ALL,
        sector_scheme="us_cluster",
        sectors=(
            ("1", "Aerospace Vehicles and Defense"),
            ("4", "Automotive"),
            ("9", "Construction Products and Services"),
            ("18", "Food Processing and Manufacturing"),
            ("23", "Information Technology and Analytical Instruments"),
        ),
        default_sector="1",
        years=(2016,),
        levels=(1,),
        default_level=1,
        countries=("US",),
        regions=frozenset({"06", "26"}),
        metrics=tuple(m.key for m in catalogue.metrics_for("us")),
        nuts_version="us",
        area="us",
    ),
}
SCHEME = {SBS: "nace_r2", LFS: "nace_r2", US: "us_cluster"}


def view(dataset: str = SBS, **changes: object) -> Filters:
    base = Filters(dataset=dataset, sector_scheme=SCHEME[dataset], sector="C29", year=2014, level=2)
    return base.with_(**changes)


def switch(v: Filters, to: str, remembered: dict[str, Filters] | None = None) -> tuple[Filters, list[str]]:
    return switch_dataset(v, OPTS[v.dataset], OPTS[to], remembered=remembered)


@pytest.mark.parametrize(
    ("start", "to", "sector", "note"),
    [
        # kept: the new dataset has the code in the same scheme, nothing to say
        (view(sector="F"), LFS, "F", None),
        # an equivalent the catalogue declares (sector terms: automotive, food, ict)
        (view(sector="C29"), US, "4", "C29 Manufacture of motor vehicles is not in United States"),
        (view(sector="C10"), US, "18", "showing its equivalent 18 Food Processing and Manufacturing"),
        (view(sector="J62"), US, "23", "showing its equivalent 23"),
        (view(US, sector="4", level=1, year=2016), SBS, "C29", "4 Automotive is not in Europe: Eurostat SBS"),
        (
            view(US, sector="18", level=1, year=2016),
            SBS,
            "C10",
            "showing its equivalent C10 Manufacture of food",
        ),
        # not broken down as far: the narrowest NACE code that contains it (C29 is in B-E), said so
        (view(sector="C29"), LFS, "B-E", "C29 Manufacture of motor vehicles is not broken down in Europe"),
        (view(sector="C"), LFS, "B-E", "showing B-E Industry (except construction), the part of NACE"),
        # no equivalent: the dataset's default, saying so in words
        (view(sector="J61"), LFS, "F", "J61 Telecommunications is not in Europe: Eurostat LFS"),
        (view(sector="C"), US, "1", "no equivalent is declared; showing 1 Aerospace Vehicles and Defense."),
        (view(US, sector="1", level=1, year=2016), LFS, "F", "1 Aerospace Vehicles and Defense is not in"),
        # construction is declared as F41-F43, not the section F: the default, said so
        (
            view(US, sector="9", level=1, year=2016),
            LFS,
            "F",
            "no equivalent is declared; showing F Construction.",
        ),
    ],
)
def test_sector_is_kept_mapped_or_explained(start: Filters, to: str, sector: str, note: str | None) -> None:
    out, notes = switch(start, to)
    assert out.sector == sector and out.dataset == to and out.sector_scheme == SCHEME[to]
    sector_notes = [n for n in notes if n.startswith(f"{start.sector} ")]
    if note is None:
        assert sector_notes == [], notes
    else:
        assert len(sector_notes) == 1 and note in sector_notes[0], notes


@pytest.mark.parametrize(
    ("start", "to", "level", "note"),
    [
        (view(level=2), LFS, 2, None),
        (view(level=1), LFS, 1, None),
        (view(level=0), SBS, 0, None),
        # US states are not NUTS 1, NUTS 1 is not US states
        (
            view(level=2),
            US,
            1,
            "No NUTS 2 in United States: Cluster Mapping, employment (states); showing US states.",
        ),
        (view(level=1), US, 1, "No NUTS 1 in United States"),
        (view(US, sector="4", level=1, year=2016), SBS, 2, "No US states in Europe: Eurostat SBS"),
    ],
)
def test_level_is_kept_within_an_area_or_explained(
    start: Filters, to: str, level: int, note: str | None
) -> None:
    out, notes = switch(start, to)
    assert out.level == level
    level_notes = [n for n in notes if n.startswith("No ")]
    if note is None:
        assert level_notes == [], notes
    else:
        assert len(level_notes) == 1 and note in level_notes[0], notes
        assert level_notes[0].endswith(f"showing {catalogue.level_label(OPTS[to].area, level)}.")


def test_sbs_c29_to_the_us_and_back_is_the_same_view() -> None:
    start = view(sector="C29", level=2, year=2014, metric="lq")
    there, notes_there = switch(start, US)
    assert (there.sector, there.level, there.year) == ("4", 1, 2016)
    assert len(notes_there) == 3  # sector, level, year: each said once
    back, notes_back = switch(there, SBS)
    assert (back.dataset, back.sector, back.level, back.year, back.metric) == (SBS, "C29", 2, 2014, "lq")
    assert not any("Construction" in n for n in notes_back)
    assert any(n.startswith("No US states in") and n.endswith("showing NUTS 2.") for n in notes_back)


def test_a_round_trip_comes_back_to_the_view_shown_there_before() -> None:
    # J62 -> 23 (ict); 23 maps back to J61 first, but J62 is the sector last shown in the SBS
    start = view(sector="J62", level=1, year=2008)
    there, _ = switch(start, US)
    assert there.sector == "23"
    assert switch(there, SBS)[0].sector == "J61"
    back, notes = switch(there, SBS, remembered={SBS: start})
    assert (back.sector, back.level, back.year) == ("J62", 1, 2008)
    assert "No US states in Europe: Eurostat SBS, persons employed (NUTS 0-2); showing NUTS 1." in notes
    # a remembered sector that is no equivalent does not beat one that is
    assert switch(there, SBS, remembered={SBS: view(sector="C10")})[0].sector == "J61"
    # no equivalent at all (C -> 1): back to the remembered sector, saying so
    there, _ = switch(view(sector="C"), US)
    back, notes = switch(there, SBS, remembered={SBS: view(sector="C")})
    assert back.sector == "C"
    assert any(n.endswith("showing C Manufacturing, the sector shown there before.") for n in notes)


def test_year_metric_countries_and_regions() -> None:
    start = view(metric="stars", countries=("DE", "FR"), regions=("DE21", "FR10"), year=2015)
    out, notes = switch(start, US)
    assert out.metric == "lq" and out.countries == () and out.regions == () and out.year == 2016
    assert "Year 2015 is not in United States: Cluster Mapping, employment (states); showing 2016." in notes
    assert any(n.startswith("Countries DE, FR are not in") and n.endswith("all countries.") for n in notes)
    assert any(n.startswith(catalogue.metric("stars").label) for n in notes)
    same, notes = switch(view(countries=("DE",), regions=("DE21",), year=2015, metric="stars"), LFS)
    assert (same.countries, same.regions, same.year, same.metric) == (("DE",), ("DE21",), 2015, "stars")
    assert [n for n in notes if not n.startswith("C29")] == []


def test_no_year_means_the_latest_and_says_nothing() -> None:
    out, notes = switch(view(year=None, sector="F"), LFS)
    assert out.year == 2015 and notes == []
