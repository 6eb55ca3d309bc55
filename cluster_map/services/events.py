"""Cluster events with honest dates: lists, upcoming/past, a calendar by month, iCalendar export.

Events come from the directory's file (store table ``events``, rebuilt by ``ingest``) and from
admins (board file, :func:`add_event`). A date keeps the precision its source gives: ``day``,
``month`` or ``year``; ``dates`` says it in words ("2025", "March 2023", "2024-03-26 – 2024-03-27"),
and ``date_start``/``date_end`` bound the stated period. So:

* **timing** (:func:`timing`): ``upcoming`` when the period starts after today, ``past`` when it
  ended before today, else ``now`` (under way, or today falls in the month/year stated);
* **calendar** (:func:`calendar`): a day-precise event sits on its days, a month-precise one under
  its month as "(day not stated)", a year-precise one in a "sometime in YYYY" row, never on 1 January;
* **iCalendar** (:func:`ics`): day-precise events become all-day VEVENTs; month- and year-precise
  events are left out and listed in the returned note, because a calendar entry needs a day.

Organisers are linked to directory profiles by exact name or acronym
(:func:`cluster_map.services.partnerships.link_members`).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from calendar import month_name
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from cluster_map.errors import InputError
from cluster_map.reports import exports as writers
from cluster_map.reports import ics as ics_writer
from cluster_map.services.board import _now, _text, require_admin
from cluster_map.services.partnerships import link_members
from cluster_map.sources.organisations import date_precision, dates_label
from cluster_map.store import directory, meetings

Timing = Literal["upcoming", "past", "now"]
When = Literal["all", "upcoming", "past", "now"]
COLUMNS = (
    "id",
    "name",
    "event_type",
    "dates",
    "date_precision",
    "date_start",
    "date_end",
    "timing",
    "city",
    "country",
    "organisers",
    "organiser_ids",
    "participants",
    "source_url",
    "note",
    "origin",
    "slot_minutes",
)
#: English month names, January first (Python runs in the C locale: the app never calls setlocale).
MONTHS: tuple[str, ...] = tuple(month_name)[1:]
DEFAULT_SLOT_MINUTES = 30


def timing(start: dt.date | None, end: dt.date | None, *, today: dt.date) -> Timing | None:
    """``upcoming``, ``past`` or ``now`` for a stated period (``None`` without a start date)."""
    if start is None or pd.isna(start):
        return None
    last = end if end is not None and not pd.isna(end) else start
    if start > today:
        return "upcoming"
    return "past" if last < today else "now"


def _s(value: Any) -> str:
    """Text of a cell ('' for NULL/NaN)."""
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def _date(value: Any) -> dt.date | None:
    if value is None or (not isinstance(value, dt.date) and pd.isna(value)):
        return None
    return value.date() if isinstance(value, dt.datetime | pd.Timestamp) else value


def events(
    con: Any,
    db: Path | str,
    *,
    when: When = "all",
    text: str = "",
    country: str = "",
    today: dt.date | None = None,
) -> pd.DataFrame:
    """Events of the directory and those added by admins, newest first; columns :data:`COLUMNS`."""
    today = today or dt.date.today()
    if when not in ("all", "upcoming", "past", "now"):
        raise InputError(f"Field 'when': {when!r} is not one of all, upcoming, past, now.")
    orgs = directory.organisations(con)
    rows: list[dict[str, Any]] = []
    for r in directory.events(con).to_dict("records"):
        linked = link_members(orgs, re.split(r"\s*;\s*", _s(r["organisers_partners"])), [_s(r["country"])])
        rows.append(
            {
                "id": r["id"],
                "name": r["event_name"],
                "event_type": _s(r["event_type"]),
                "dates": r["dates"],
                "date_precision": r["date_precision"],
                "date_start": _date(r["date_start"]),
                "date_end": _date(r["date_end"]),
                "city": _s(r["city"]),
                "country": _s(r["country"]),
                "organisers": _s(r["organisers_partners"]),
                "organiser_ids": [m["org_id"] for m in linked if m["org_id"]],
                "participants": _s(r["participants"]),
                "source_url": _s(r["source_url"]),
                "note": _s(r["note"]),
                "origin": "directory",
                "slot_minutes": DEFAULT_SLOT_MINUTES,
            }
        )
    names = dict(zip(orgs["id"], orgs["name"], strict=True))
    for r in meetings.added_events(db).to_dict("records"):
        start, end = _date(r["date_start"]), _date(r["date_end"])
        rows.append(
            {
                "id": f"added-{r['id']}",
                "name": r["name"],
                "event_type": r["event_type"],
                "dates": _label(start, end, r["date_precision"]),
                "date_precision": r["date_precision"],
                "date_start": start,
                "date_end": end,
                "city": r["city"],
                "country": r["country"],
                "organisers": "; ".join(names.get(i, i) for i in r["organiser_ids"]),
                "organiser_ids": list(r["organiser_ids"]),
                "participants": "",
                "source_url": r["website"],
                "note": "added by an admin",
                "origin": "added",
                "slot_minutes": int(r["slot_minutes"]),
            }
        )
    out = pd.DataFrame(rows, columns=[c for c in COLUMNS if c != "timing"])
    out.insert(
        COLUMNS.index("timing"),
        "timing",
        [timing(s, e, today=today) for s, e in zip(out["date_start"], out["date_end"], strict=True)],
    )
    if when != "all":
        out = out[out["timing"] == when]
    if text.strip():
        needle = text.strip().casefold()
        out = out[
            [
                needle in " ".join(map(str, v)).casefold()
                for v in zip(out["name"], out["event_type"], out["organisers"], out["city"], strict=True)
            ]
        ]
    if country.strip():
        out = out[out["country"] == country.strip().upper()]
    return out.sort_values(["date_start", "name"], ascending=[False, True], na_position="last").reset_index(
        drop=True
    )


def _label(start: dt.date | None, end: dt.date | None, precision: str) -> str:
    if start is None:
        return "date not stated"
    if precision == "year":
        return str(start.year)
    if precision == "month":
        return f"{MONTHS[start.month - 1]} {start.year}"
    return dates_label(start.isoformat(), end.isoformat() if end and end != start else "")


def event(con: Any, db: Path | str, event_id: str) -> dict[str, Any]:
    """One event by id; :class:`InputError` when unknown."""
    found = events(con, db)
    hit = found[found["id"] == event_id]
    if hit.empty:
        raise InputError(f"Event {event_id!r} does not exist; pick an event from the list.")
    return hit.iloc[0].to_dict()


def _day(value: object) -> dt.date | None:
    """``value`` as a date; ``None`` for a missing one (None, NaT, NaN; NaT is a ``datetime`` instance)."""
    if value is None or value is pd.NaT or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):  # pd.Timestamp too
        return value.date()
    return value if isinstance(value, dt.date) else None


def calendar(found: pd.DataFrame, *, year: int) -> pd.DataFrame:
    """A year as 12 months plus a "sometime in YYYY" row: month, events (text, '; '-separated), n.

    Day-precise events show their days ("12–13 Oct"); month-precise ones "(day not stated)";
    year-precise ones only in the last row. Nothing is placed on a day the source does not state.
    """
    months: dict[int, list[str]] = {m: [] for m in range(1, 13)}
    vague: list[str] = []
    for r in found.sort_values("date_start").to_dict("records"):
        start = _day(r["date_start"])
        end = _day(r["date_end"]) or start  # NaT is truthy: normalised first
        if start is None or end is None or start.year > year or end.year < year:
            continue
        if r["date_precision"] == "year":
            vague.append(r["name"])
        elif r["date_precision"] == "month":
            months[start.month].append(f"{r['name']} (day not stated)")
        else:
            for m in range(max(start, dt.date(year, 1, 1)).month, min(end, dt.date(year, 12, 31)).month + 1):
                first = max(start, dt.date(year, m, 1))
                last = min(end, (dt.date(year + (m == 12), m % 12 + 1, 1) - dt.timedelta(days=1)))
                days = str(first.day) if first == last else f"{first.day}–{last.day}"
                months[m].append(f"{days}: {r['name']}")
    rows = [
        {"month": f"{MONTHS[m - 1]} {year}", "events": "; ".join(v), "n": len(v)} for m, v in months.items()
    ]
    rows.append(
        {"month": f"sometime in {year} (month not stated)", "events": "; ".join(vague), "n": len(vague)}
    )
    return pd.DataFrame(rows, columns=["month", "events", "n"])


def ics(
    found: pd.DataFrame, *, now: dt.datetime | None = None, name: str = "Cluster events"
) -> tuple[str, str]:
    """The iCalendar text of the day-precise events and a note naming those left out (month/year only)."""
    keep = found[found["date_precision"] == "day"]
    left = found[found["date_precision"] != "day"]
    items = [
        ics_writer.IcsEvent(
            uid=f"{r['id']}@cluster-map",
            summary=r["name"],
            start=r["date_start"],
            end=r["date_end"],
            location=", ".join(x for x in (r["city"], r["country"]) if x),
            description="; ".join(
                x
                for x in (r["event_type"], r["organisers"] and f"organisers: {r['organisers']}", r["note"])
                if x
            ),
            url=str(r["source_url"]).split(";")[0].strip(),
        )
        for r in keep.to_dict("records")
    ]
    note = (
        ""
        if left.empty
        else (
            f"{len(left)} event(s) left out because their source gives only a month or a year, "
            f"not a day: "
            + "; ".join(f"{n} ({d})" for n, d in zip(left["name"], left["dates"], strict=True))
            + "."
        )
    )
    return ics_writer.calendar(items, now=now or dt.datetime.now(dt.UTC), name=name), note


def parse_dates(start: str, end: str = "") -> tuple[dt.date | None, dt.date | None, str]:
    """``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` start (and optional end) -> first day, last day, precision."""
    bounds: list[tuple[dt.date | None, dt.date | None]] = []
    for field, text in (("date_start", start), ("date_end", end)):
        text = str(text).strip()
        if not text:
            bounds.append((None, None))
            continue
        m = re.fullmatch(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", text)
        try:
            if not m:
                raise ValueError
            y, mo, d = int(m[1]), int(m[2] or 1), int(m[3] or 1)
            first = dt.date(y, mo, d)
            if m[3]:
                last = first
            elif m[2]:
                last = dt.date(y + (mo == 12), mo % 12 + 1, 1) - dt.timedelta(days=1)
            else:
                last = dt.date(y, 12, 31)
        except ValueError:
            raise InputError(
                f"Field {field!r}: {text!r} is not a date; write YYYY-MM-DD, YYYY-MM or YYYY."
            ) from None
        bounds.append((first, last))
    (s0, s1), (_e0, e1) = bounds
    if s0 is None:
        raise InputError("Field 'date_start': give at least the year (YYYY, YYYY-MM or YYYY-MM-DD).")
    final = e1 or s1
    if final is not None and final < s0:
        raise InputError(f"Field 'date_end': {end!r} lies before the start {start!r}.")
    return s0, final, date_precision(str(start).strip(), str(end).strip()) or "day"


def add_event(
    con: Any,
    db: Path | str,
    *,
    admin_id: int | None,
    name: str,
    event_type: str,
    date_start: str,
    date_end: str = "",
    city: str = "",
    country: str = "",
    organiser_ids: tuple[str, ...] = (),
    website: str = "",
    slot_minutes: int = DEFAULT_SLOT_MINUTES,
) -> str:
    """An admin adds an event (dates as precise as known); returns its id (``added-N``)."""
    admin = require_admin(db, admin_id)
    start, end, precision = parse_dates(date_start, date_end)
    known = set(directory.organisations(con)["id"])
    if bad := [i for i in organiser_ids if i not in known]:
        raise InputError(
            f"Field 'organisers': {bad[0]!r} is not in the directory; pick organisations from the list."
        )
    if not 10 <= int(slot_minutes) <= 240:
        raise InputError(f"Field 'slot_minutes': {slot_minutes!r}; give 10 to 240 minutes.")
    code = country.strip().upper()
    if code and not re.fullmatch(r"[A-Z]{2}", code):
        raise InputError(f"Field 'country': {country!r} is not a two-letter country code.")
    eid = meetings.add_event(
        db,
        name=_text("title", name),
        event_type=_text("title", event_type or "event"),
        date_start=start,
        date_end=end,
        date_precision=precision,
        city=city.strip()[:80],
        country=code,
        organiser_ids=list(organiser_ids),
        website=website.strip()[:300],
        slot_minutes=int(slot_minutes),
        added_by=admin.id,
        now=_now(),
        audit_reason=f"{name} ({date_start})",
    )
    return f"added-{eid}"


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """A table as CSV for a download or the CLI (cells a spreadsheet would run as a formula neutralised)."""
    return writers.to_csv(frame)
