"""Fields read from a directory's free text: members, labels, sectors, kinds, stems (table-driven,
on real rows of the mirror's EU directory)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from cluster_map import catalogue
from cluster_map.sources import org_profiles as op
from cluster_map.sources import organisations as orgs
from cluster_map.sources.fetch import SourceResolver


@pytest.mark.parametrize(
    ("text", "year", "expected"),
    [
        (
            "130 companies + 33 RDI/education organisations",
            None,
            op.Members(163, 130, None, None, 33, "exact"),
        ),
        ("around 70 firms + 7 academic institutes", "2011", op.Members(77, 70, None, None, 7, "about", 2011)),
        ("150 (120 companies)", "2022", op.Members(150, 120, None, None, None, "exact", 2022)),
        (">250 companies", "2011", op.Members(250, 250, None, None, None, "at least", 2011)),
        ("16 clusters (June 2017)", None, op.Members(16, None, None, None, None, "exact", 2017)),
        (">60 clusters and networks; >7,100 cluster members", None, op.Members(60, bound="at least")),
        (
            "64 companies and research institutes",
            "2014",
            op.Members(64, bound="exact", year=2014),
        ),  # mixed: total only
        ("1.200 members incl. 900 SMEs", None, op.Members(1200, smes=900, bound="exact")),
        (
            "274 members at set-up incl. 203 companies, 46 universities",
            None,
            op.Members(274, 203, research=46, bound="exact"),
        ),
        (
            "120 members (80 SMEs, 10 large companies, 30 research organisations)",
            None,
            op.Members(120, None, 80, 10, 30, "exact"),
        ),
        ("293", None, op.Members(293, bound="exact")),
        ("", "2019", op.Members(year=2019)),
        (None, None, op.Members()),
        ("members not stated", None, op.Members()),
    ],
)
def test_parse_members(text: str | None, year: str | None, expected: op.Members) -> None:
    assert op.parse_members(text, year) == expected


@pytest.mark.parametrize(
    ("text", "level", "year"),
    [
        ("silver 2016; gold (by 2018)", "gold", 2018),
        ("gold 2014; gold 2019; gold (4th consecutive, valid to end 2027)", "gold", 2019),
        ("gold 2019; renewed 2023", "gold", 2023),
        ("bronze 2020; bronze 2023", "bronze", 2023),
        ("silver", "silver", None),
        ("Gold label", "gold", None),
        ("", None, None),
        (None, None, None),
        ("applied 2020", None, None),
    ],
)
def test_parse_label(text: str | None, level: str | None, year: int | None) -> None:
    assert op.parse_label(text) == op.Label(level, year)


@pytest.mark.parametrize(
    ("org_type", "kind"),
    [
        ("cluster organisation (association)", "cluster"),
        ("pôle de compétitivité", "cluster"),
        ("national cluster association", "network"),
        ("European network of national cluster associations", "network"),
        ("spearhead cluster", "cluster"),
        ("association", "other"),
        ("", "not_stated"),
        (None, "not_stated"),
    ],
)
def test_org_kind(org_type: str | None, kind: str) -> None:
    assert op.org_kind(org_type) == kind


@pytest.mark.parametrize(
    ("sectors", "clusters", "keys", "nace"),
    [
        ("aeronautics; space", None, ("aerospace",), ("C30",)),
        ("automotive; mobility", None, ("automotive", "mobility"), ("C29", "H49", "H50", "H52")),
        ("Life Sciences", None, ("biotech",), ("C21", "M72")),
        ("cross-sector", None, (), ()),
        (None, "Automotive; Medical Devices", ("automotive", "medtech"), ("C26", "C29", "C32")),
    ],
)
def test_sector_keys_and_nace(
    sectors: str | None, clusters: str | None, keys: tuple[str, ...], nace: tuple[str, ...]
) -> None:
    assert op.sector_keys(sectors, clusters) == keys
    assert op.nace_of(keys) == nace


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("Clusters", "cluster"),
        ("technologies", "technology"),
        ("Pôles", "pole"),
        ("aeronautics", "aeronautic"),
        ("aeronautic", "aeronautic"),
        ("process", "process"),
        ("bus", "bus"),
        ("engineering", "engineer"),
    ],
)
def test_stem(word: str, stem: str) -> None:
    assert op.stem(word) == stem


def test_query_words_expand_to_synonyms_and_codes() -> None:
    assert op.query_groups("aerospace") == [("aerospac", "~aerospace")]
    assert op.query_groups("aeronautics")[0][-1] == "~aerospace"
    assert op.query_groups("C30") == [("c30", "#c30")]
    assert op.query_groups("life sciences Lyon") == [("~biotech", "life_scienc"), ("lyon",)]


def test_every_sector_term_has_known_nace_divisions() -> None:
    for term in catalogue.SECTOR_TERMS:
        assert term.nace and all(len(c) == 3 and c[0].isalpha() and c[1:].isdigit() for c in term.nace), (
            term.key
        )
    assert len({t.key for t in catalogue.SECTOR_TERMS}) == len(catalogue.SECTOR_TERMS)


@pytest.mark.parametrize(
    ("total", "size"),
    [
        (None, None),
        (0, "small"),
        (49, "small"),
        (50, "medium"),
        (499, "large"),
        (500, "very_large"),
        (10_000, "very_large"),
    ],
)
def test_member_size(total: int | None, size: str | None) -> None:
    assert catalogue.member_size(total) == size


# --- real rows of the mirror ------------------------------------------------------------------------
@pytest.fixture(scope="module")
def eu(mirror: Path) -> pd.DataFrame:
    resolver = SourceResolver(source=str(mirror), notify=lambda _m: None)
    frame = orgs.read_eu_directory(resolver).frame
    return orgs.profile_fields(frame, [None] * len(frame)).assign(
        name=frame["name"].to_numpy(),
        members=frame["members"].to_numpy(),
        esca_label=frame["esca_label"].to_numpy(),
    )


@pytest.mark.mirror
def test_members_and_labels_on_real_rows(eu: pd.DataFrame) -> None:
    by_members = eu.set_index("members")
    row = by_members.loc["130 companies + 33 RDI/education organisations"]
    assert (row["members_total"], row["members_companies"], row["members_research"]) == (163, 130, 33)
    row = by_members.loc["around 70 firms + 7 academic institutes"]
    assert (row["members_total"], row["members_bound"], row["members_year"]) == (77, "about", 2011)
    row = by_members.loc["150 (120 companies)"]
    assert (row["members_total"], row["members_companies"], row["members_year"]) == (150, 120, 2022)
    stated = eu["members"] != ""
    assert eu.loc[stated, "members_total"].notna().all()  # every stated figure gives a total
    assert eu.loc[~stated, "members_total"].isna().all()  # and none is made up
    labels = eu[eu["esca_label"] != ""]
    assert labels["label_level"].isin(catalogue.LABEL_LEVELS).all()
    assert eu.loc[eu["esca_label"] == "", "label_level"].isna().all()
    row = eu[eu["esca_label"] == "silver 2016; gold (by 2018)"].iloc[0]
    assert (row["label_level"], row["label_year"]) == ("gold", 2018)
    valley = eu[eu["name"] == "Aerospace Valley"].iloc[0]
    assert (
        valley["sector_keys"] == "aerospace"
        and valley["nace"] == "C30"
        and "~aerospace" in valley["search_terms"]
    )
