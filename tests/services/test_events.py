"""Events with honest dates: timing, calendar by month, ICS export that leaves month/year-only dates out, admin events."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import icalendar
import pandas as pd
import pytest

from cluster_map.errors import InputError
from cluster_map.services import board, events, moderation
from tests.app_store import tiny_connection

PW = "correct horse battery"
TODAY = dt.date(2025, 6, 1)


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "board.duckdb"


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (dt.date(2025, 6, 2), None, "upcoming"),
        (dt.date(2025, 5, 31), None, "past"),
        (dt.date(2025, 6, 1), None, "now"),
        (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "now"),  # 'sometime in 2025': neither past nor upcoming
        (dt.date(2025, 5, 30), dt.date(2025, 6, 1), "now"),
        (None, None, None),
    ],
)
def test_timing_table(start, end, expected) -> None:
    assert events.timing(start, end, today=TODAY) == expected


def test_directory_events_keep_precision_and_link_organisers(store, db) -> None:
    found = events.events(store, db, today=TODAY)
    assert found[["id", "dates", "date_precision", "timing"]].values.tolist() == [
        ["ev-graz", "2025", "year", "now"],
        ["ev-vienna", "2024-03-26 – 2024-03-27", "day", "past"],
    ]
    assert found.set_index("id").at["ev-vienna", "organiser_ids"] == ["EUCO1"]  # 'Automotive Cluster Styria'
    assert events.events(store, db, when="past", today=TODAY)["id"].tolist() == ["ev-vienna"]
    assert events.events(store, db, when="upcoming", today=TODAY).empty
    with pytest.raises(InputError, match="Field 'when'"):
        events.events(store, db, when="soon")  # type: ignore[arg-type]


def test_calendar_never_puts_a_partial_date_on_a_day(store, db) -> None:
    admin = moderation.add_user(db, username="root", password=PW, role="admin")
    events.add_event(
        store,
        db,
        admin_id=admin.id,
        name="Battery days",
        event_type="matchmaking",
        date_start="2025-10-30",
        date_end="2025-11-02",
        city="Graz",
        country="AT",
    )
    events.add_event(
        store, db, admin_id=admin.id, name="Photonics month", event_type="fair", date_start="2025-03"
    )
    cal = events.calendar(events.events(store, db, today=TODAY), year=2025).set_index("month")
    assert cal.at["October 2025", "events"] == "30–31: Battery days"
    assert cal.at["November 2025", "events"] == "1–2: Battery days"
    assert cal.at["March 2025", "events"] == "Photonics month (day not stated)"
    assert cal.at["January 2025", "n"] == 0  # 'Clusters meet Regions - Graz' (2025) is not on 1 January
    assert cal.at["sometime in 2025 (month not stated)", "events"] == "Clusters meet Regions - Graz"
    assert cal["n"].sum() == 4


def test_ics_holds_day_events_and_names_those_left_out(store, db) -> None:
    text, note = events.ics(events.events(store, db, today=TODAY), now=dt.datetime(2026, 1, 1, tzinfo=dt.UTC))
    (vevent,) = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(vevent["UID"]) == "ev-vienna@cluster-map"
    assert vevent.decoded("DTSTART") == dt.date(2024, 3, 26) and vevent.decoded("DTEND") == dt.date(
        2024, 3, 28
    )
    assert note == (
        "1 event(s) left out because their source gives only a month or a year, not a day: "
        "Clusters meet Regions - Graz (2025)."
    )
    again, _ = events.ics(events.events(store, db, today=TODAY))
    assert "UID:ev-vienna@cluster-map" in again  # a stable UID: re-importing updates, never duplicates


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        ("2025", "", (dt.date(2025, 1, 1), dt.date(2025, 12, 31), "year")),
        ("2025-02", "", (dt.date(2025, 2, 1), dt.date(2025, 2, 28), "month")),
        ("2025-02-03", "2025-02-04", (dt.date(2025, 2, 3), dt.date(2025, 2, 4), "day")),
        ("2025-02-03", "", (dt.date(2025, 2, 3), dt.date(2025, 2, 3), "day")),
    ],
)
def test_parse_dates_table(start, end, expected) -> None:
    assert events.parse_dates(start, end) == expected


@pytest.mark.parametrize(
    ("start", "end", "field"),
    [
        ("", "", "date_start"),
        ("2025-13", "", "date_start"),
        ("2025-02-30", "", "date_start"),
        ("2025-02-03", "2025-02-01", "date_end"),
    ],
)
def test_parse_dates_refuses(start, end, field) -> None:
    with pytest.raises(InputError, match=f"Field '{field}'"):
        events.parse_dates(start, end)


def test_only_admins_add_events_and_they_survive_in_the_board(store, db) -> None:
    alice = board.register(db, username="alice", password=PW)
    with pytest.raises(InputError, match="not an admin"):
        events.add_event(store, db, admin_id=alice.id, name="My event", event_type="fair", date_start="2026")
    admin = moderation.add_user(db, username="root", password=PW, role="admin")
    with pytest.raises(InputError, match="'NOPE' is not in the directory"):
        events.add_event(
            store,
            db,
            admin_id=admin.id,
            name="My event",
            event_type="fair",
            date_start="2026",
            organiser_ids=("NOPE",),
        )
    eid = events.add_event(
        store,
        db,
        admin_id=admin.id,
        name="My event",
        event_type="fair",
        date_start="2030-05-04",
        organiser_ids=("EUCO1",),
    )
    got = events.event(store, db, eid)
    assert (got["organisers"], got["origin"], got["timing"]) == (
        "Automotive Cluster Styria",
        "added",
        "upcoming",
    )
    assert moderation.audit_trail(db, admin_id=admin.id)["action"].tolist() == ["add event"]
    assert isinstance(events.events(store, db), pd.DataFrame)


def test_calendar_reads_a_one_day_event_without_end_date_as_that_day() -> None:
    # a day-precise event with no end date comes out of the store as NaT (truthy, not comparable with a date)
    found = pd.DataFrame(
        {
            "name": ["Launch day", "Vague"],
            "date_precision": ["day", "year"],
            "date_start": pd.to_datetime(["2016-03-08", "2016-01-01"]),
            "date_end": pd.to_datetime([None, "2016-12-31"]),
        }
    )
    cal = events.calendar(found, year=2016).set_index("month")
    assert cal.at["March 2016", "events"] == "8: Launch day"
    assert cal.at["sometime in 2016 (month not stated)", "events"] == "Vague"
    assert cal["n"].sum() == 2
    assert events.calendar(found, year=2017)["n"].sum() == 0
