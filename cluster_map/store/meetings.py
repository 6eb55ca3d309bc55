"""The SQL of events added by admins and of B2B matchmaking at an event (board file).

Participants join an event, publish availability slots (start times on the event's grid of
``slot_minutes``), and request meetings in another participant's free slot. Accepting a meeting
inserts one ``bookings`` row per participant, keyed ``(event_id, account_id, slot_start)``: a second
booking of the same person at the same time violates the key and the whole acceptance rolls back,
so no one is ever booked twice, whichever session, thread or process accepts first.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd

from cluster_map.store.board import connect, rows, transaction
from cluster_map.store.conversations import notify

ADDED_EVENT_COLUMNS = (
    "id",
    "name",
    "event_type",
    "date_start",
    "date_end",
    "date_precision",
    "city",
    "country",
    "organiser_ids",
    "website",
    "slot_minutes",
    "added_by",
    "added_at",
)
MEETING_COLUMNS = (
    "id",
    "event_id",
    "requester_id",
    "requester",
    "invitee_id",
    "invitee",
    "slot_start",
    "slot_end",
    "note",
    "status",
    "created_at",
    "decided_at",
)


class DoubleBooking(Exception):
    """One of the two participants already has an accepted meeting in that slot."""


def add_event(
    db: Path | str,
    *,
    name: str,
    event_type: str,
    date_start: dt.date | None,
    date_end: dt.date | None,
    date_precision: str,
    city: str,
    country: str,
    organiser_ids: Sequence[str],
    website: str,
    slot_minutes: int,
    added_by: int,
    now: dt.datetime,
    audit_reason: str,
) -> int:
    """Insert an event added by an admin (audited in the same transaction); returns its number."""
    from cluster_map.store.moderation import audit

    with transaction(db) as con:
        eid = int(
            con.execute(
                "INSERT INTO added_events (name, event_type, date_start, date_end, date_precision, city, country, "
                "organiser_ids, website, slot_minutes, added_by, added_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) "
                "RETURNING id",
                [
                    name,
                    event_type,
                    date_start,
                    date_end,
                    date_precision,
                    city,
                    country,
                    list(organiser_ids),
                    website,
                    slot_minutes,
                    added_by,
                    now,
                ],
            ).fetchall()[0][0]
        )
        audit(
            con,
            actor_id=added_by,
            action="add event",
            target_kind="event",
            target_id=f"added-{eid}",
            reason=audit_reason,
            now=now,
        )
        return eid


def added_events(db: Path | str) -> pd.DataFrame:
    """Every event added by an admin; columns :data:`ADDED_EVENT_COLUMNS`."""
    with connect(db) as con:
        found = rows(con, "SELECT " + ", ".join(ADDED_EVENT_COLUMNS) + " FROM added_events ORDER BY id")  # noqa: S608 (constant columns)
    return pd.DataFrame(found, columns=list(ADDED_EVENT_COLUMNS))


def join(db: Path | str, *, event_id: str, account_id: int, now: dt.datetime) -> bool:
    """Make ``account_id`` a participant of ``event_id``; ``False`` if it already was."""
    with transaction(db) as con:
        return bool(
            con.execute(
                "INSERT INTO participants VALUES (?, ?, ?) ON CONFLICT DO NOTHING RETURNING account_id",
                [event_id, account_id, now],
            ).fetchall()
        )


def participants(db: Path | str, *, event_id: str) -> pd.DataFrame:
    """Participants of an event: account_id, username, org_id, org_name, org_country, joined_at."""
    with connect(db) as con:
        found = rows(
            con,
            """SELECT p.account_id, a.username, a.org_id, a.org_name, a.org_country, p.joined_at
                             FROM participants p JOIN accounts a ON a.id = p.account_id WHERE p.event_id = ?
                             ORDER BY a.username""",
            [event_id],
        )
    return pd.DataFrame(
        found, columns=["account_id", "username", "org_id", "org_name", "org_country", "joined_at"]
    )


def set_availability(
    db: Path | str, *, event_id: str, account_id: int, starts: Sequence[dt.datetime]
) -> None:
    """Replace the availability of ``account_id`` at ``event_id`` by ``starts``."""
    with transaction(db) as con:
        con.execute("DELETE FROM availability WHERE event_id = ? AND account_id = ?", [event_id, account_id])
        for start in sorted(set(starts)):
            con.execute("INSERT INTO availability VALUES (?, ?, ?)", [event_id, account_id, start])


def availability(db: Path | str, *, event_id: str, account_id: int) -> list[dt.datetime]:
    """The published slot starts of ``account_id`` at ``event_id``, in order."""
    with connect(db) as con:
        found = con.execute(
            "SELECT slot_start FROM availability WHERE event_id = ? AND account_id = ? ORDER BY slot_start",
            [event_id, account_id],
        ).fetchall()
    return [r[0] for r in found]


def booked(db: Path | str, *, event_id: str, account_id: int) -> list[dt.datetime]:
    """Slot starts at which ``account_id`` has an accepted meeting at ``event_id``."""
    with connect(db) as con:
        found = con.execute(
            "SELECT slot_start FROM bookings WHERE event_id = ? AND account_id = ? ORDER BY slot_start",
            [event_id, account_id],
        ).fetchall()
    return [r[0] for r in found]


def request_meeting(
    db: Path | str,
    *,
    event_id: str,
    requester_id: int,
    invitee_id: int,
    slot_start: dt.datetime,
    slot_end: dt.datetime,
    note: str,
    now: dt.datetime,
    notice: str,
) -> int:
    """Store a meeting request and notify the invitee; returns the meeting id."""
    with transaction(db) as con:
        mid = int(
            con.execute(
                "INSERT INTO meetings (event_id, requester_id, invitee_id, slot_start, slot_end, note, status, created_at) "
                "VALUES (?, ?, ?, ?, ?, ?, 'requested', ?) RETURNING id",
                [event_id, requester_id, invitee_id, slot_start, slot_end, note, now],
            ).fetchall()[0][0]
        )
        notify(con, account_id=invitee_id, kind="meeting request", text=notice, now=now, meeting_id=mid)
        return mid


def decide_meeting(
    db: Path | str, *, meeting_id: int, invitee_id: int, accept: bool, now: dt.datetime, notice: str
) -> dict[str, Any] | None:
    """Accept (booking both participants' slot) or decline a request addressed to ``invitee_id``.

    Returns the meeting, or ``None`` if no such request awaits ``invitee_id``.

    Raises
    ------
    DoubleBooking
        Either participant already has an accepted meeting in that slot (nothing is changed).
    """
    try:
        with transaction(db) as con:
            found = rows(
                con,
                "UPDATE meetings SET status = ?, decided_at = ? WHERE id = ? AND invitee_id = ? "
                "AND status = 'requested' RETURNING *",
                ["accepted" if accept else "declined", now, meeting_id, invitee_id],
            )
            if not found:
                return None
            m = found[0]
            if accept:
                for who in (m["requester_id"], m["invitee_id"]):
                    con.execute(
                        "INSERT INTO bookings VALUES (?, ?, ?, ?)",
                        [m["event_id"], who, m["slot_start"], meeting_id],
                    )
            notify(
                con,
                account_id=int(m["requester_id"]),
                kind=f"meeting {m['status']}",
                text=notice,
                now=now,
                meeting_id=meeting_id,
            )
            return m
    except (duckdb.ConstraintException, duckdb.TransactionException) as exc:
        raise DoubleBooking(str(exc).splitlines()[0]) from None


def cancel_meeting(
    db: Path | str, *, meeting_id: int, account_id: int, now: dt.datetime, notice: str
) -> bool:
    """A party cancels a requested or accepted meeting (its bookings go); ``True`` if it changed."""
    with transaction(db) as con:
        found = rows(
            con,
            "UPDATE meetings SET status = 'cancelled', decided_at = ? WHERE id = ? "
            "AND ? IN (requester_id, invitee_id) AND status IN ('requested', 'accepted') RETURNING *",
            [now, meeting_id, account_id],
        )
        if not found:
            return False
        con.execute("DELETE FROM bookings WHERE meeting_id = ?", [meeting_id])
        m = found[0]
        other = m["invitee_id"] if m["requester_id"] == account_id else m["requester_id"]
        notify(
            con, account_id=int(other), kind="meeting cancelled", text=notice, now=now, meeting_id=meeting_id
        )
        return True


def meetings(
    db: Path | str, *, account_id: int | None = None, event_id: str = "", meeting_id: int | None = None
) -> pd.DataFrame:
    """Meetings of an account (either side) and/or event, by slot; columns :data:`MEETING_COLUMNS`."""
    with connect(db) as con:
        found = rows(
            con,
            """SELECT m.id, m.event_id, m.requester_id, r.username AS requester, m.invitee_id,
                                    i.username AS invitee, m.slot_start, m.slot_end, m.note, m.status, m.created_at,
                                    m.decided_at
                             FROM meetings m JOIN accounts r ON r.id = m.requester_id JOIN accounts i ON i.id = m.invitee_id
                             WHERE (?::BIGINT IS NULL OR ?::BIGINT IN (m.requester_id, m.invitee_id))
                               AND (? = '' OR m.event_id = ?) AND (?::BIGINT IS NULL OR m.id = ?::BIGINT)
                             ORDER BY m.slot_start, m.id""",
            [account_id, account_id, event_id, event_id, meeting_id, meeting_id],
        )
    return pd.DataFrame(found, columns=list(MEETING_COLUMNS))
