"""B2B matchmaking: availability on the event's grid, ranked partners, requests, no double booking (also racing)."""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pytest

from cluster_map.errors import InputError
from cluster_map.services import board, events, meetings, moderation
from cluster_map.store import meetings as meeting_store
from tests.app_store import tiny_connection

PW = "correct horse battery"
DAY = dt.date(2030, 5, 6)
T10, T1030, T11 = (dt.datetime.combine(DAY, dt.time(h, m)) for h, m in ((10, 0), (10, 30), (11, 0)))


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


@pytest.fixture()
def setup(store, tmp_path: Path) -> dict[str, Any]:
    db = tmp_path / "board.duckdb"
    admin = moderation.add_user(db, username="root", password=PW, role="admin")
    eid = events.add_event(
        store,
        db,
        admin_id=admin.id,
        name="Battery days",
        event_type="matchmaking",
        date_start=DAY.isoformat(),
        city="Graz",
        country="AT",
    )
    people = {}
    for name, org in (("alice", "EUCO1"), ("bob", "EUCO2"), ("carol", "EUCO3"), ("dave", None)):
        me = board.register(db, username=name, password=PW)
        if org:
            board.link_organisation(db, store, account_id=me.id, org_id=org)
            link = int(moderation.pending_links(db, admin_id=admin.id)["id"].iloc[-1])
            moderation.decide_link(db, admin_id=admin.id, link_id=link, approve=True, reason="checked")
        meetings.join(store, db, account_id=me.id, event_id=eid)
        meetings.publish(store, db, account_id=me.id, event_id=eid, starts=[T10, T1030, T11])
        people[name] = me
    return {"db": db, "event": eid, **people}


def test_slots_must_lie_on_the_grid_and_days(store, setup) -> None:
    db, eid, alice = setup["db"], setup["event"], setup["alice"]
    with pytest.raises(InputError, match="not on the event's 30-minute grid"):
        meetings.publish(
            store, db, account_id=alice.id, event_id=eid, starts=[T10 + dt.timedelta(minutes=10)]
        )
    with pytest.raises(InputError, match="not on the event's days"):
        meetings.publish(store, db, account_id=alice.id, event_id=eid, starts=[T10 + dt.timedelta(days=1)])
    grid = events.event(store, db, eid)
    assert meetings.slots_of(grid, day=DAY, first=dt.time(9), last=dt.time(10, 30)) == [
        dt.datetime.combine(DAY, dt.time(9)),
        dt.datetime.combine(DAY, dt.time(9, 30)),
        T10,
    ]


def test_candidates_are_ranked_by_shared_sectors(store, setup) -> None:
    db, eid = setup["db"], setup["event"]
    # alice: automotive; mobility / bob: automotive; electronics / carol: food; agriculture / dave: no org, no posts
    ranked = meetings.candidates(store, db, account_id=setup["alice"].id, event_id=eid)
    assert ranked["username"].tolist() == ["bob", "carol", "dave"]
    assert ranked[["shared", "n_shared"]].iloc[0].tolist() == ["automotive", 1]
    assert ranked["why"].iloc[0] == "shares automotive; 3 free slot(s), 3 also free for you"


def test_request_accept_and_no_double_booking(store, setup) -> None:
    db, eid, alice, bob, carol = setup["db"], setup["event"], setup["alice"], setup["bob"], setup["carol"]
    m1 = meetings.request(store, db, account_id=alice.id, event_id=eid, invitee_id=bob.id, slot_start=T10)
    m2 = meetings.request(store, db, account_id=carol.id, event_id=eid, invitee_id=bob.id, slot_start=T10)
    meetings.decide(db, account_id=bob.id, meeting_id=m1, accept=True)
    with pytest.raises(InputError, match="already have a meeting in that slot"):
        meetings.decide(db, account_id=bob.id, meeting_id=m2, accept=True)
    assert meeting_store.meetings(db, meeting_id=m2)["status"].tolist() == ["requested"]  # rolled back
    assert T10 not in meetings.free_slots(db, event_id=eid, account_id=bob.id)
    with pytest.raises(InputError, match="not a free slot of the invitee"):
        meetings.request(store, db, account_id=carol.id, event_id=eid, invitee_id=bob.id, slot_start=T10)
    with pytest.raises(InputError, match="already have a meeting"):  # alice is booked at 10:00 with bob
        meetings.request(store, db, account_id=alice.id, event_id=eid, invitee_id=carol.id, slot_start=T10)
    with pytest.raises(InputError, match="not a request waiting for you"):
        meetings.decide(db, account_id=alice.id, meeting_id=m2, accept=True)  # only the invitee decides
    meetings.decide(db, account_id=bob.id, meeting_id=m2, accept=False)
    agenda = meetings.agenda(db, account_id=bob.id, event_id=eid)
    assert agenda[["with", "status"]].values.tolist() == [["alice", "accepted"], ["carol", "declined"]]
    (vevent,) = icalendar.Calendar.from_ical(meetings.agenda_ics(store, db, account_id=bob.id)).walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "B2B meeting with alice" and vevent.decoded("DTSTART") == T10
    assert vevent.decoded("DTEND") == T1030 and str(vevent["LOCATION"]) == "Battery days"
    meetings.cancel(db, account_id=alice.id, meeting_id=m1)
    assert T10 in meetings.free_slots(db, event_id=eid, account_id=bob.id)


def test_concurrent_acceptances_book_a_person_once(store, setup) -> None:
    db, eid, bob = setup["db"], setup["event"], setup["bob"]
    asks = [
        meetings.request(store, db, account_id=setup[n].id, event_id=eid, invitee_id=bob.id, slot_start=T1030)
        for n in ("alice", "carol", "dave")
    ]
    outcomes: list[str] = []
    start = threading.Barrier(len(asks))

    def accept(mid: int) -> None:
        start.wait()
        try:
            meetings.decide(db, account_id=bob.id, meeting_id=mid, accept=True)
            outcomes.append("accepted")
        except InputError as exc:
            outcomes.append("refused" if "already have a meeting" in str(exc) else str(exc))

    threads = [threading.Thread(target=accept, args=(m,)) for m in asks]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert sorted(outcomes) == ["accepted", "refused", "refused"]
    assert meetings.agenda(db, account_id=bob.id)["status"].tolist().count("accepted") == 1


def test_the_key_refuses_a_second_booking_even_without_the_service(setup) -> None:
    import duckdb

    from cluster_map.store.board import transaction

    db, eid = setup["db"], setup["event"]
    with transaction(db) as con:
        con.execute("INSERT INTO bookings VALUES (?, 2, ?, 99)", [eid, T11])
    with pytest.raises(duckdb.ConstraintException), transaction(db) as con:
        con.execute("INSERT INTO bookings VALUES (?, 2, ?, 100)", [eid, T11])


def test_visitors_and_outsiders_cannot_take_part(store, setup) -> None:
    db, eid = setup["db"], setup["event"]
    with pytest.raises(InputError, match="Visitors"):
        meetings.join(store, db, account_id=None, event_id=eid)
    erin = board.register(db, username="erin", password=PW)
    with pytest.raises(InputError, match="join the event first"):
        meetings.request(
            store, db, account_id=erin.id, event_id=eid, invitee_id=setup["bob"].id, slot_start=T11
        )
    with pytest.raises(InputError, match="is over"):
        meetings.join(store, db, account_id=erin.id, event_id="ev-vienna")
