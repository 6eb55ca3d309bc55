"""Events widgets: upcoming/past list with honest dates, calendar by month, ICS download, B2B meetings, admin form.

Dates are shown as the sources give them (``dates``: "2025", "March 2023", "2024-03-26 – 2024-03-27").
The account is the session's (:func:`cluster_map.ui.board.current_account`); user text appears
only as plain text (``st.text``, dataframes).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Literal

import pandas as pd
import streamlit as st

from cluster_map.services import events, meetings
from cluster_map.services.board import Account
from cluster_map.ui import data
from cluster_map.ui.errors import boundary
from cluster_map.ui.text import plain

LIST = ["name", "dates", "timing", "event_type", "city", "country", "organisers", "participants", "origin"]


def events_panel(db: Path) -> pd.DataFrame:
    """Filters, the list of events and the iCalendar / CSV downloads; returns the events shown."""
    c1, c2, c3 = st.columns([1, 3, 1])
    when: Literal["all", "upcoming", "past", "now"] = c1.selectbox(
        "When", ["all", "upcoming", "now", "past"], key="ev-when"
    )  # type: ignore[assignment]
    text = c2.text_input("Search", max_chars=200, key="ev-text")
    country = c3.text_input("Country", max_chars=2, key="ev-country")
    found = events.events(data.connection(), db, when=when, text=text, country=country)
    st.caption(
        f"{plain(len(found))} events. Dates stay as precise as the sources give them: a year stays a year, "
        f"a month a month."
    )
    st.dataframe(found[LIST], hide_index=True, width="stretch", key="ev-list")
    ics, note = events.ics(found)
    d1, d2 = st.columns(2)
    d1.download_button(
        "Download calendar (.ics)",
        data=ics.encode("utf-8"),
        file_name="cluster-events.ics",
        mime="text/calendar",
        key="ev-ics",
    )
    d2.download_button(
        "Download table (.csv)",
        data=events.csv_bytes(found[LIST]),
        file_name="cluster-events.csv",
        mime="text/csv",
        key="ev-csv",
    )
    if note:
        st.caption(plain(note, 0))
    return found


def calendar_panel(found: pd.DataFrame) -> None:
    """A year as twelve months (plus "sometime in the year" for year-only dates)."""
    years = sorted({d.year for d in found["date_start"].dropna()}, reverse=True)
    if not years:
        return
    this = dt.date.today().year
    year = st.selectbox(
        "Calendar year", years, index=years.index(this) if this in years else 0, key="ev-year"
    )
    st.dataframe(events.calendar(found, year=int(year)), hide_index=True, width="stretch", key="ev-cal")


def b2b_panel(db: Path, account: Account | None, found: pd.DataFrame) -> None:
    """Join an event's B2B meetings, publish free slots, see ranked partners, request, accept, agenda."""
    open_events = found[(found["timing"] != "past") & (found["date_precision"] == "day")]
    if open_events.empty:
        st.info("No upcoming event with known days takes B2B meetings yet; an admin can add one below.")
        return
    names = dict(zip(open_events["id"], open_events["name"] + " · " + open_events["dates"], strict=True))
    eid = st.selectbox("Event", list(names), key="b2b-event", format_func=lambda i: names[i])
    if account is None:
        st.info("Sign in on the Offers and demands page to take part in B2B meetings.")
        return
    con = data.connection()
    with boundary(stop=False):
        ev: dict[str, Any] = events.event(con, db, eid)
        if st.button("Take part in the B2B meetings", key="b2b-join"):
            meetings.join(con, db, account_id=account.id, event_id=eid)
        ranked = meetings.candidates(con, db, account_id=account.id, event_id=eid)
        day_options = pd.date_range(ev["date_start"], ev["date_end"] or ev["date_start"]).date.tolist()
        day = st.selectbox("Day", day_options, key="b2b-day")
        grid = meetings.slots_of(ev, day=day, first=dt.time(9), last=dt.time(18))
        mine = set(meetings.free_slots(db, event_id=eid, account_id=account.id))
        chosen = st.multiselect(
            "My free slots",
            grid,
            default=[s for s in grid if s in mine],
            key="b2b-slots",
            format_func=lambda s: f"{s:%H:%M}",
        )
        if st.button("Publish my free slots", key="b2b-publish"):
            meetings.publish(con, db, account_id=account.id, event_id=eid, starts=list(chosen))
            st.rerun()
        st.subheader("Who to meet")
        st.dataframe(ranked, hide_index=True, width="stretch", key="b2b-ranked")
        if not ranked.empty:
            people = dict(zip(ranked["account_id"], ranked["username"], strict=True))
            who = st.selectbox("Meet", list(people), key="b2b-who", format_func=lambda i: people[i])
            free = meetings.free_slots(db, event_id=eid, account_id=int(who))
            slot = st.selectbox(
                "Their free slot", free, key="b2b-slot", format_func=lambda s: f"{s:%Y-%m-%d %H:%M}"
            )
            note = st.text_input("Note", max_chars=300, key="b2b-note")
            if slot is not None and st.button("Request a meeting", key="b2b-request"):
                meetings.request(
                    con,
                    db,
                    account_id=account.id,
                    event_id=eid,
                    invitee_id=int(who),
                    slot_start=slot,
                    note=note,
                )
                st.rerun()
        agenda_panel(con, db, account, eid)


def agenda_panel(con: Any, db: Path, account: Account, eid: str) -> None:
    """The account's meetings at the event, accept/decline for requests addressed to it, ICS agenda."""
    agenda = meetings.agenda(db, account_id=account.id, event_id=eid)
    st.subheader("My agenda")
    st.dataframe(
        agenda[["id", "slot_start", "slot_end", "with", "status", "note"]],
        hide_index=True,
        width="stretch",
        key="b2b-agenda",
    )
    waiting = agenda[(agenda["status"] == "requested") & (agenda["invitee_id"] == account.id)]
    if not waiting.empty:
        labels = {
            int(i): f"#{i} {w} at {s:%H:%M}"
            for i, w, s in zip(waiting["id"], waiting["with"], waiting["slot_start"], strict=True)
        }
        mid = st.selectbox("Request", list(labels), key="b2b-pending", format_func=lambda i: labels[i])
        a, d = st.columns(2)
        if a.button("Accept meeting", key="b2b-accept"):
            meetings.decide(db, account_id=account.id, meeting_id=int(mid), accept=True)
            st.rerun()
        if d.button("Decline meeting", key="b2b-decline"):
            meetings.decide(db, account_id=account.id, meeting_id=int(mid), accept=False)
            st.rerun()
    st.download_button(
        "Download my agenda (.ics)",
        data=meetings.agenda_ics(con, db, account_id=account.id, event_id=eid).encode("utf-8"),
        file_name="my-b2b-agenda.ics",
        mime="text/calendar",
        key="b2b-ics",
    )


def admin_event_form(db: Path, account: Account | None) -> None:
    """Admins add an event, with dates as precise as known and the B2B slot length."""
    if account is None or not account.is_admin:
        return
    with st.expander("Add an event (admins)"), st.form("ev-add", clear_on_submit=True):
        name = st.text_input("Name", max_chars=120, key="ev-add-name")
        kind = st.text_input("Type", value="matchmaking", max_chars=120, key="ev-add-type")
        c1, c2, c3, c4 = st.columns(4)
        start = c1.text_input("Start (YYYY, YYYY-MM or YYYY-MM-DD)", max_chars=10, key="ev-add-start")
        end = c2.text_input("End (optional)", max_chars=10, key="ev-add-end")
        city = c3.text_input("City", max_chars=80, key="ev-add-city")
        country = c4.text_input("Country", max_chars=2, key="ev-add-country")
        slot = st.number_input(
            "B2B slot minutes", min_value=10, max_value=240, value=30, step=5, key="ev-add-slot"
        )
        if st.form_submit_button("Add event"):
            with boundary(stop=False):
                eid = events.add_event(
                    data.connection(),
                    db,
                    admin_id=account.id,
                    name=name,
                    event_type=kind,
                    date_start=start,
                    date_end=end,
                    city=city,
                    country=country,
                    slot_minutes=int(slot),
                )
                st.success(f"Added {plain(eid)}.")
