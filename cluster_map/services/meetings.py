"""B2B matchmaking at an event: availability, ranked partners, meeting requests, personal agendas.

An organisation account joins an event and publishes the times it is free, as slots on the
event's grid (``slot_minutes`` long, starting on the hour plus whole slots, the event's local
time). It sees the other participants ranked by the sector keywords their organisations share
with its own (directory sectors of the approved organisation, else the keywords of the account's
posts), requests a meeting in one of the other's free slots, and the invitee accepts or declines.
Nobody is booked twice: an acceptance books the slot of both participants under a primary key
(see :mod:`cluster_map.store.meetings`), so the second of two clashing acceptances is refused,
however the requests raced. Each participant's accepted meetings make a personal agenda (ICS).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd

from cluster_map.errors import InputError
from cluster_map.reports import ics as ics_writer
from cluster_map.services.board import _now, _text, require_account
from cluster_map.services.events import event as find_event
from cluster_map.store import board, directory, meetings

MAX_SLOTS = 64


def _keywords(con: Any, db: Path | str, account: dict[str, Any]) -> set[str]:
    words: set[str] = set()
    if isinstance(account.get("org_id"), str) and account["org_id"]:
        org = directory.organisation(con, account["org_id"])
        if not org.empty:
            words |= {w.strip().lower() for w in str(org["sectors"].iloc[0] or "").split(";") if w.strip()}
    if not words:
        for keys in board.posts(db, author_id=int(account["account_id"]))["sectors"]:
            words |= set(keys)
    return words


def join(con: Any, db: Path | str, *, account_id: int | None, event_id: str) -> None:
    """Take part in the B2B meetings of ``event_id``."""
    me = require_account(db, account_id)
    found = find_event(con, db, event_id)
    if found["timing"] == "past":
        raise InputError(f"Event {event_id!r} is over ({found['dates']}); join an upcoming event.")
    meetings.join(db, event_id=event_id, account_id=me.id, now=_now())


def _participant(db: Path | str, event_id: str, account_id: int) -> None:
    found = meetings.participants(db, event_id=event_id)
    if int(account_id) not in set(found["account_id"]):
        raise InputError(
            f"Account {account_id!r} does not take part in event {event_id!r}; join the event first."
        )


def slots_of(found: dict[str, Any], *, day: dt.date, first: dt.time, last: dt.time) -> list[dt.datetime]:
    """The slot starts of an event on ``day`` from ``first`` until ``last`` (the last slot ends by ``last``)."""
    step = dt.timedelta(minutes=int(found["slot_minutes"]))
    t, end = dt.datetime.combine(day, first), dt.datetime.combine(day, last)
    out = []
    while t + step <= end:
        out.append(t)
        t += step
    return out


def publish(
    con: Any, db: Path | str, *, account_id: int | None, event_id: str, starts: list[dt.datetime]
) -> int:
    """Replace the account's free slots at the event; each start must be on the event's grid and days."""
    me = require_account(db, account_id)
    found = find_event(con, db, event_id)
    _participant(db, event_id, me.id)
    if found["date_precision"] != "day":
        raise InputError(f"Event {event_id!r} is dated only {found['dates']!r}; slots need the event's days.")
    minutes = int(found["slot_minutes"])
    if len(starts) > MAX_SLOTS:
        raise InputError(f"{len(starts)} slots; publish at most {MAX_SLOTS}.")
    last = found["date_end"] or found["date_start"]
    for s in starts:
        if not found["date_start"] <= s.date() <= last:
            raise InputError(f"Slot {s:%Y-%m-%d %H:%M} is not on the event's days ({found['dates']}).")
        if (s.hour * 60 + s.minute) % minutes or s.second or s.microsecond:
            raise InputError(
                f"Slot {s:%H:%M} is not on the event's {minutes}-minute grid (e.g. 09:00, "
                f"{(dt.datetime(2000, 1, 1, 9) + dt.timedelta(minutes=minutes)):%H:%M})."
            )
    meetings.set_availability(db, event_id=event_id, account_id=me.id, starts=starts)
    return len(set(starts))


def free_slots(db: Path | str, *, event_id: str, account_id: int) -> list[dt.datetime]:
    """Published slots of a participant that are not booked yet."""
    taken = set(meetings.booked(db, event_id=event_id, account_id=account_id))
    return [s for s in meetings.availability(db, event_id=event_id, account_id=account_id) if s not in taken]


def candidates(con: Any, db: Path | str, *, account_id: int | None, event_id: str) -> pd.DataFrame:
    """Other participants, ranked: shared sector keywords (more first), then free slots in common, then username.

    Columns: account_id, username, organisation, country, shared, n_shared, free_slots, common_slots, why.
    """
    me = require_account(db, account_id)
    _participant(db, event_id, me.id)
    people = meetings.participants(db, event_id=event_id)
    mine_row = people[people["account_id"] == me.id].iloc[0].to_dict()
    mine = _keywords(con, db, mine_row)
    my_free = set(free_slots(db, event_id=event_id, account_id=me.id))
    rows = []
    for p in people[people["account_id"] != me.id].to_dict("records"):
        theirs = _keywords(con, db, p)
        shared = sorted(mine & theirs)
        free = free_slots(db, event_id=event_id, account_id=int(p["account_id"]))
        common = len(my_free & set(free))
        why = (
            f"shares {', '.join(shared)}" if shared else "no shared sector keyword"
        ) + f"; {len(free)} free slot(s), {common} also free for you"
        rows.append(
            {
                "account_id": int(p["account_id"]),
                "username": p["username"],
                "organisation": p["org_name"] or "",
                "country": p["org_country"] or "",
                "shared": "; ".join(shared),
                "n_shared": len(shared),
                "free_slots": len(free),
                "common_slots": common,
                "why": why,
            }
        )
    out = pd.DataFrame(
        rows,
        columns=[
            "account_id",
            "username",
            "organisation",
            "country",
            "shared",
            "n_shared",
            "free_slots",
            "common_slots",
            "why",
        ],
    )
    return out.sort_values(
        ["n_shared", "common_slots", "username"], ascending=[False, False, True]
    ).reset_index(drop=True)


def request(
    con: Any,
    db: Path | str,
    *,
    account_id: int | None,
    event_id: str,
    invitee_id: int,
    slot_start: dt.datetime,
    note: str = "",
) -> int:
    """Ask ``invitee_id`` for a meeting in one of its free slots (the requester must be free too)."""
    me = require_account(db, account_id)
    found = find_event(con, db, event_id)
    _participant(db, event_id, me.id)
    _participant(db, event_id, invitee_id)
    if int(invitee_id) == me.id:
        raise InputError("Ask another participant; a meeting needs two.")
    if slot_start not in free_slots(db, event_id=event_id, account_id=int(invitee_id)):
        raise InputError(
            f"Slot {slot_start:%Y-%m-%d %H:%M} is not a free slot of the invitee; pick one of theirs."
        )
    if slot_start in set(meetings.booked(db, event_id=event_id, account_id=me.id)):
        raise InputError(f"You already have a meeting at {slot_start:%Y-%m-%d %H:%M}.")
    end = slot_start + dt.timedelta(minutes=int(found["slot_minutes"]))
    text = _text("message", note, limit="message") if note.strip() else ""
    return meetings.request_meeting(
        db,
        event_id=event_id,
        requester_id=me.id,
        invitee_id=int(invitee_id),
        slot_start=slot_start,
        slot_end=end,
        note=text,
        now=_now(),
        notice=f"{me.username} asks for a meeting at {found['name']} on {slot_start:%Y-%m-%d %H:%M}",
    )


def decide(db: Path | str, *, account_id: int | None, meeting_id: int, accept: bool) -> None:
    """The invitee accepts or declines a request; accepting refuses a double booking of either side."""
    me = require_account(db, account_id)
    word = "accepted" if accept else "declined"
    try:
        done = meetings.decide_meeting(
            db,
            meeting_id=int(meeting_id),
            invitee_id=me.id,
            accept=accept,
            now=_now(),
            notice=f"{me.username} {word} your meeting request #{meeting_id}",
        )
    except meetings.DoubleBooking:
        raise InputError(
            f"Meeting #{meeting_id} cannot be accepted: you or the requester already have a meeting "
            f"in that slot. Decline it or ask for another slot."
        ) from None
    if done is None:
        raise InputError(f"Meeting #{meeting_id} is not a request waiting for you.")


def cancel(db: Path | str, *, account_id: int | None, meeting_id: int) -> None:
    """Either party cancels a meeting; the slot is free again."""
    me = require_account(db, account_id)
    if not meetings.cancel_meeting(
        db,
        meeting_id=int(meeting_id),
        account_id=me.id,
        now=_now(),
        notice=f"{me.username} cancelled meeting #{meeting_id}",
    ):
        raise InputError(f"Meeting #{meeting_id} is not yours or is already over.")


def agenda(db: Path | str, *, account_id: int | None, event_id: str = "") -> pd.DataFrame:
    """The account's meetings (requested, accepted, declined), by time, with the other party."""
    me = require_account(db, account_id)
    found = meetings.meetings(db, account_id=me.id, event_id=event_id)
    found["with"] = [
        i if r == me.username else r for r, i in zip(found["requester"], found["invitee"], strict=True)
    ]
    return found


def agenda_ics(con: Any, db: Path | str, *, account_id: int | None, event_id: str = "") -> str:
    """The account's accepted meetings as an iCalendar file (local times of the event)."""
    found = agenda(db, account_id=account_id, event_id=event_id)
    found = found[found["status"] == "accepted"]
    names = {e: find_event(con, db, e)["name"] for e in set(found["event_id"])}
    items = [
        ics_writer.IcsEvent(
            uid=f"meeting-{m['id']}@cluster-map",
            summary=f"B2B meeting with {m['with']}",
            start=m["slot_start"],
            end=m["slot_end"],
            location=names[m["event_id"]],
            description=m["note"],
        )
        for m in found.to_dict("records")
    ]
    return ics_writer.calendar(items, now=dt.datetime.now(dt.UTC), name="My B2B meetings")
