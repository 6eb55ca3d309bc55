"""iCalendar export: RFC 5545 line rules (CRLF, 75-octet folding, escaping) and a parse by an independent reader."""

from __future__ import annotations

import datetime as dt

import icalendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map.reports import ics

NOW = dt.datetime(2026, 3, 1, 9, 30, tzinfo=dt.UTC)
EVIL = "Clusters; meet, Regions\\ – Zagreb\nline two <script>alert(1)</script> ÄÖÜ €€€ 🚀" * 3


def _lines(text: str) -> list[str]:
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")  # CRLF only, never a bare LF
    return text.split("\r\n")[:-1]


def test_rules_crlf_folding_escaping_uid_dtstamp() -> None:
    text = ics.calendar(
        [
            ics.IcsEvent(
                uid="ev-1@cluster-map",
                summary=EVIL,
                start=dt.date(2022, 11, 29),
                end=dt.date(2022, 11, 30),
                location="Zagreb, HR",
                url="https://example.org/e",
            )
        ],
        now=NOW,
    )
    lines = _lines(text)
    assert all(len(line.encode("utf-8")) <= 75 for line in lines)
    assert any(line.startswith(" ") for line in lines)  # the long summary was folded
    unfolded = text.replace("\r\n ", "")
    assert "DTSTAMP:20260301T093000Z" in unfolded and "UID:ev-1@cluster-map" in unfolded
    assert (
        "DTSTART;VALUE=DATE:20221129" in unfolded and "DTEND;VALUE=DATE:20221201" in unfolded
    )  # exclusive end
    assert "SUMMARY:Clusters\\; meet\\, Regions\\\\ – Zagreb\\nline two" in unfolded
    parsed = icalendar.Calendar.from_ical(text)
    (event,) = parsed.walk("VEVENT")
    assert str(event["SUMMARY"]) == EVIL and str(event["LOCATION"]) == "Zagreb, HR"
    assert event.decoded("DTSTART") == dt.date(2022, 11, 29) and event.decoded("DTEND") == dt.date(
        2022, 12, 1
    )
    assert parsed["VERSION"] == "2.0" and parsed["PRODID"] == ics.PRODID


def test_one_day_event_and_a_meeting_in_local_time() -> None:
    text = ics.calendar(
        [
            ics.IcsEvent(uid="a", summary="Launch", start=dt.date(2016, 3, 8)),
            ics.IcsEvent(
                uid="b",
                summary="B2B",
                start=dt.datetime(2026, 5, 4, 10, 0),
                end=dt.datetime(2026, 5, 4, 10, 30),
            ),
        ],
        now=NOW,
    )
    a, b = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert a.decoded("DTEND") == dt.date(2016, 3, 9)
    assert b.decoded("DTSTART") == dt.datetime(2026, 5, 4, 10, 0) and b.decoded("DTEND").minute == 30
    assert "DTSTART:20260504T100000\r\n" in text  # floating local time: no Z invented


def test_only_web_links_become_urls() -> None:
    text = ics.calendar(
        [ics.IcsEvent(uid="a", summary="x", start=dt.date(2020, 1, 1), url="javascript:alert(1)")], now=NOW
    )
    assert "URL:" not in text


@given(st.text(min_size=0, max_size=300))
def test_any_text_folds_within_75_octets_and_round_trips(value: str) -> None:
    line = "SUMMARY:" + ics.escape_text(value)
    folded = ics.fold(line)
    assert all(len(piece.encode("utf-8")) <= 75 for piece in folded.split("\r\n"))
    assert folded.replace("\r\n ", "") == line


@pytest.mark.parametrize(
    ("raw", "escaped"),
    [("a;b", "a\\;b"), ("a,b", "a\\,b"), ("a\\b", "a\\\\b"), ("a\r\nb", "a\\nb"), ("a\x00b", "ab")],
)
def test_escape_table(raw: str, escaped: str) -> None:
    assert ics.escape_text(raw) == escaped
