"""AppTest of the events and partnerships pages on the tiny store: honest dates, ICS download, B2B, gateways."""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from cluster_map.services import board as board_service
from cluster_map.services import moderation, partnerships
from cluster_map.services.events import add_event
from tests.app_store import build_tiny_store

PAGES = Path(__file__).resolve().parents[2] / "pages"
PW = "correct horse battery"


@pytest.fixture(scope="module")
def tiny_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_tiny_store(tmp_path_factory.mktemp("tiny") / "cluster_map.duckdb")


@pytest.fixture()
def env(tiny_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "cluster_map.duckdb"
    shutil.copy(tiny_db, db)
    monkeypatch.setenv("CLUSTER_MAP_DB", str(db))
    return db


def _page(name: str) -> AppTest:
    return AppTest.from_file(str(PAGES / name), default_timeout=60).run()


def test_events_page_keeps_partial_dates_and_offers_an_ics(env: Path) -> None:
    at = _page("9_Events_and_meetings.py")
    assert not at.exception, at.exception
    listed = next(d.value for d in at.dataframe if "timing" in d.value.columns)
    assert listed[["name", "dates"]].values.tolist() == [
        ["Clusters meet Regions - Graz", "2025"],
        ["Clusters meet Regions - Vienna", "2024-03-26 – 2024-03-27"],
    ]
    assert any("left out because their source gives only a month or a year" in c.value for c in at.caption)
    cal = next(d.value for d in at.dataframe if "month" in d.value.columns)
    assert "Clusters meet Regions - Graz" not in " ".join(
        cal["events"].iloc[:12]
    )  # not put on a day or month


def test_b2b_on_the_events_page(env: Path) -> None:
    from cluster_map.store.database import connect

    path = env.parent / "board.duckdb"
    admin = moderation.add_user(path, username="root", password=PW, role="admin")
    con = connect(env)
    eid = add_event(
        con, path, admin_id=admin.id, name="Battery days", event_type="b2b", date_start="2030-05-06"
    )
    con.close()
    alice = board_service.register(path, username="alice", password=PW)
    at = AppTest.from_file(str(PAGES / "9_Events_and_meetings.py"), default_timeout=60)
    at.session_state["board-account"] = alice
    at = at.run()
    at.selectbox(key="b2b-event").set_value(eid).run()
    at = next(b for b in at.button if b.label == "Take part in the B2B meetings").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    nine = dt.datetime(2030, 5, 6, 9, 0)
    at.multiselect(key="b2b-slots").set_value([nine]).run()
    at = next(b for b in at.button if b.label == "Publish my free slots").click().run()
    assert not at.error, [e.value for e in at.error]
    from cluster_map.services import meetings

    assert meetings.free_slots(path, event_id=eid, account_id=alice.id) == [nine]
    assert any("agenda" in str(d.proto.label) for d in at.get("download_button"))


def test_partnerships_page_and_gateways(env: Path, tmp_path: Path) -> None:
    path = env.parent / "board.duckdb"
    admin = moderation.add_user(path, username="root", password=PW, role="admin")
    src = tmp_path / "g.json"
    src.write_text(
        json.dumps(
            [
                {
                    "name": "EU-Japan health gateway",
                    "theme": "health",
                    "members": "ACstyria",
                    "countries": "AT",
                    "target_markets": "JP",
                }
            ]
        ),
        encoding="utf-8",
    )
    partnerships.import_file(path, admin_id=admin.id, path=src)
    at = _page("10_Partnerships.py")
    assert not at.exception, at.exception
    listed = next(
        d.value for d in at.dataframe if "programme" in d.value.columns and "members" in d.value.columns
    )
    assert sorted(listed["name"]) == ["EU-Japan health gateway", "RECiPE4Mobility"]
    at.text_input(key="gw-market").input("JP")
    at = at.text_input(key="gw-text").input("health").run()
    gw = next(d.value for d in at.dataframe if "market" in d.value.columns)
    assert gw[["market", "name", "european_members"]].values.tolist() == [
        ["JP", "EU-Japan health gateway", "Automotive Cluster Styria"]
    ]
