"""iCalendar (RFC 5545) files: cluster events and personal B2B agendas, written by hand to the letter.

The rules that matter, each followed here:

* lines end with CRLF (3.1) and are *folded* at 75 octets of UTF-8 (a CRLF then one space), never
  inside a multi-byte character;
* TEXT values escape ``\\``, ``;``, ``,`` and line breaks (``\\n``) (3.3.11);
* every VEVENT has ``UID`` (stable: the same event exported twice keeps its UID) and ``DTSTAMP`` in
  UTC (3.8.7.2), and ``DTSTART``;
* an all-day event is ``DTSTART;VALUE=DATE`` with an *exclusive* ``DTEND`` (the day after its last
  day, 3.6.1); a meeting is a local "floating" date-time (the event's local time, no ``Z``).

Dates known only to the month or year have no place in a calendar that needs days: the caller
leaves them out and says so (see :func:`cluster_map.services.events.ics`); nothing here invents a day.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

PRODID = "-//Cluster Map//Cluster events//EN"


@dataclass(frozen=True)
class IcsEvent:
    """One VEVENT. ``start``/``end`` are dates (all-day; ``end`` inclusive) or naive local date-times."""

    uid: str
    summary: str
    start: dt.date | dt.datetime
    end: dt.date | dt.datetime | None = None
    location: str = ""
    description: str = ""
    url: str = ""


def escape_text(value: str) -> str:
    r"""A TEXT value: ``\``, ``;``, ``,`` escaped, line breaks as ``\n``, other control characters dropped.

    >>> escape_text("a;b,c\\d\nnext")
    'a\\;b\\,c\\\\d\\nnext'
    """
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    text = text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")
    return "".join(c for c in text if c == "\t" or ord(c) >= 32 and ord(c) != 127)


def fold(line: str, *, limit: int = 75) -> str:
    """``line`` folded into CRLF-separated pieces of at most ``limit`` octets (continuations start with a space)."""
    pieces: list[str] = []
    current, size, room = "", 0, limit
    for ch in line:
        n = len(ch.encode("utf-8"))
        if size + n > room:
            pieces.append(current)
            current, size, room = "", 0, limit - 1  # a continuation line spends one octet on the space
        current += ch
        size += n
    pieces.append(current)
    return "\r\n ".join(pieces)


def _date(value: dt.date) -> str:
    return value.strftime("%Y%m%d")


def _local(value: dt.datetime) -> str:
    return value.strftime("%Y%m%dT%H%M%S")


def _vevent(event: IcsEvent, stamp: str) -> list[str]:
    lines = ["BEGIN:VEVENT", f"UID:{escape_text(event.uid)}", f"DTSTAMP:{stamp}"]
    if isinstance(event.start, dt.datetime):
        lines.append(f"DTSTART:{_local(event.start)}")
        if isinstance(event.end, dt.datetime):
            lines.append(f"DTEND:{_local(event.end)}")
    else:
        last = (
            event.end
            if isinstance(event.end, dt.date) and not isinstance(event.end, dt.datetime)
            else event.start
        )
        lines += [
            f"DTSTART;VALUE=DATE:{_date(event.start)}",
            f"DTEND;VALUE=DATE:{_date(max(last, event.start) + dt.timedelta(days=1))}",
        ]
    lines.append(f"SUMMARY:{escape_text(event.summary)}")
    if event.location:
        lines.append(f"LOCATION:{escape_text(event.location)}")
    if event.description:
        lines.append(f"DESCRIPTION:{escape_text(event.description)}")
    if event.url.startswith(("http://", "https://")) and not any(c in event.url for c in ' \r\n"<>'):
        lines.append(f"URL:{event.url}")
    lines.append("END:VEVENT")
    return lines


def calendar(events: Iterable[IcsEvent], *, now: dt.datetime, name: str = "Cluster events") -> str:
    """A VCALENDAR with one VEVENT per event; ``now`` (UTC) is every event's DTSTAMP."""
    stamp = (now.astimezone(dt.UTC) if now.tzinfo else now).strftime("%Y%m%dT%H%M%SZ")
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        f"X-WR-CALNAME:{escape_text(name)}",
    ]
    for event in events:
        lines += _vevent(event, stamp)
    lines.append("END:VCALENDAR")
    return "".join(fold(line) + "\r\n" for line in lines)
