"""Partnerships and projects: programmes, periods, members linked to profiles, imports, gateways, map links."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from cluster_map.errors import InputError
from cluster_map.services import board, moderation, partnerships
from cluster_map.sources import organisations as orgs
from cluster_map.sources.fetch import SourceResolver
from tests.app_store import EVIL, tiny_connection

PW = "correct horse battery"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "board.duckdb"


@pytest.fixture()
def admin(db: Path) -> board.Account:
    return moderation.add_user(db, username="root", password=PW, role="admin")


@pytest.mark.parametrize(
    ("type_text", "expected"),
    [
        ("ESCP-4i (1st generation, strand 1)", ("ESCP-4i", "partnership")),
        ("ESCP-4x", ("ESCP-4x", "partnership")),
        ("Euroclusters", ("Euroclusters", "partnership")),
        ("ESCP-S3", ("ESCP-S3", "partnership")),
        ("Interreg Europe", ("Interreg", "project")),
        ("Horizon 2020", ("Horizon", "project")),
        ("", ("other", "project")),
    ],
)
def test_programme_table(type_text: str, expected: tuple[str, str]) -> None:
    assert partnerships.programme_of(type_text) == expected


@pytest.mark.parametrize(
    ("note", "period"),
    [
        ("Jan 2016 - Jun 2017; grant agreement 688904", "Jan 2016 – Jun 2017"),
        ("2019-2021", "2019 – 2021"),
        ("one of 30 Euroclusters launched 1 Sep 2022", ""),
    ],
)
def test_period_is_read_only_where_the_note_states_one(note: str, period: str) -> None:
    assert partnerships.period_of(note) == period


@pytest.mark.mirror
def test_real_members_are_linked_to_directory_profiles(mirror: Path) -> None:
    resolver = SourceResolver(source=str(mirror), notify=lambda _m: None)
    directory = orgs.read_eu_directory(resolver).frame
    rows, _ = orgs.read_partnerships(resolver)
    laser = rows[rows["name"].str.startswith("LASER-GO")].iloc[0]
    members = partnerships.link_members(
        directory, laser["member_organisations"].split("; "), ["LT", "FR", "AT"]
    )
    by_name = {m["name"]: (m["role"], directory.set_index("id").at[m["org_id"], "country"]) for m in members}
    assert by_name == {
        "LITEK": ("coordinator", "LT"),
        "Optics Valley": ("member", "FR"),
        "Human Technology Styria": ("member", "AT"),
    }
    recipe = rows[rows["name"] == "RECiPE4Mobility"].iloc[0]
    (m,) = partnerships.link_members(directory, [recipe["member_organisations"]], ["DE"])
    assert directory.set_index("id").at[m["org_id"], "name"] == "E-Mobilitätscluster Regensburg"


def test_directory_partnerships_on_profiles_and_as_map_links(store, db) -> None:
    found = partnerships.all_partnerships(store, db)
    row = found.iloc[0]
    assert (row["programme"], row["kind"], row["member_ids"], row["target_markets"]) == (
        "ESCP-4x",
        "partnership",
        ["EUCO1", "EUCO2"],
        [],
    )
    assert partnerships.partnerships_of(store, db, "EUCO2")[["name", "role"]].values.tolist() == [
        ["RECiPE4Mobility", "member"]
    ]
    assert partnerships.partnerships_of(store, db, "EUCO3").empty
    pairs = partnerships.links(store, db)
    assert pairs[["partnership", "org_a", "org_b", "name_b"]].values.tolist() == [
        ["RECiPE4Mobility", "EUCO1", "EUCO2", EVIL]
    ]


def _import(tmp_path: Path, rows: list[dict], name: str = "gateways.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps({"partnerships": rows}), encoding="utf-8")
    return path


HEALTH_JP = {
    "name": "EU-Japan health gateway",
    "kind": "project",
    "programme": "COSME",
    "theme": "health technology",
    "members": "Automotive Cluster Styria (coordinator); ACstyria; Unknown Cluster",
    "countries": "AT",
    "target_markets": "JP; US",
    "period": "2021 – 2023",
    "source_url": "https://example.org/g",
}
FOOD_JP = {
    "name": "Food to Japan",
    "theme": "food",
    "members": f"Food Cluster Lower Austria {'x'}",
    "countries": "AT",
    "target_markets": "JP",
}


def test_who_in_europe_works_with_japan_in_health(store, db, admin, tmp_path: Path) -> None:
    assert partnerships.import_file(db, admin_id=admin.id, path=_import(tmp_path, [HEALTH_JP, FOOD_JP])) == 2
    answer = partnerships.gateways(store, db, market="JP", text="health")
    assert answer[["market", "name", "ecosystems", "european_members", "member_ids"]].values.tolist() == [
        ["JP", "EU-Japan health gateway", "Health", "Automotive Cluster Styria", ["EUCO1"]]
    ]
    assert sorted(partnerships.gateways(store, db, market="JP")["name"]) == [
        "EU-Japan health gateway",
        "Food to Japan",
    ]
    assert partnerships.gateways(store, db, market="US")["name"].tolist() == ["EU-Japan health gateway"]
    assert partnerships.gateways(store, db, market="CN").empty
    assert partnerships.gateways(store, db, market="jp", text="HEALTH")["market"].tolist() == ["JP"]
    every = partnerships.gateways(store, db)
    assert set(every["market"]) == {"JP", "US"} and not every["market"].map(partnerships.is_european).any()
    assert partnerships.search(store, db, programme="COSME")["origin"].tolist() == ["import: gateways.json"]
    with pytest.raises(InputError, match="Field 'market'"):
        partnerships.gateways(store, db, market="Japan")


def test_imports_survive_in_the_board_and_need_an_admin(store, db, admin, tmp_path: Path) -> None:
    alice = board.register(db, username="alice", password=PW)
    path = _import(tmp_path, [HEALTH_JP])
    with pytest.raises(InputError, match="not an admin"):
        partnerships.import_file(db, admin_id=alice.id, path=path)
    assert partnerships.import_file(db, admin_id=admin.id, path=path, dry_run=True) == 1
    assert len(partnerships.all_partnerships(store, db)) == 1  # a dry run writes nothing


def test_import_reports_every_problem_and_writes_nothing(db, admin, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text(
        "name,kind,countries,target_markets,colour\n,club,DE,Japan,red\nGood one,project,XX1,,\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as err:
        partnerships.import_file(db, admin_id=admin.id, path=path)
    text = str(err.value)
    for part in (
        "bad.csv, line 2: unknown field(s) ['colour']",
        "line 2, field 'name': empty",
        "line 2, field 'kind': 'club'",
        "line 2, field 'target_markets': 'Japan'",
        "line 3, field 'countries': 'XX1'",
        "nothing was imported",
    ):
        assert part in text, text
    assert partnerships.board_entities(db) == []
