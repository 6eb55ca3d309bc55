"""Events: cluster events with honest dates, a calendar, an iCalendar download, and B2B meetings."""

import streamlit as st

from cluster_map.ui import board, errors, events
from cluster_map.ui.startup import ensure_ready

st.set_page_config(page_title="Events and meetings · Cluster Map", layout="wide")

with errors.boundary():
    ensure_ready()
    db = board.board_path()
    account = board.current_account()
    st.header("Events and B2B meetings")
    st.caption(
        "Cluster events from the directory and added by admins. Upcoming, under way or past; a calendar by "
        "month; a calendar file of the events whose days are known. Take part in an event's B2B meetings: "
        "publish your free slots, meet the participants closest to your sectors, keep your agenda."
    )
    listing, cal, b2b = st.tabs(["Events", "Calendar", "B2B meetings"])
    with listing:
        found = events.events_panel(db)
        events.admin_event_form(db, account)
    with cal:
        events.calendar_panel(found)
    with b2b:
        events.b2b_panel(db, account, found)
