"""Flows of answers to posts: interest -> inbox -> accept/decline -> thread; notifications; saved searches."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cluster_map.errors import InputError
from cluster_map.services import board, conversations

TODAY = dt.date(2026, 3, 1)
NOW = dt.datetime(2026, 3, 1, 9, 0)
PW = "correct horse battery"


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "board.duckdb"


@pytest.fixture()
def people(db: Path) -> dict[str, board.Account]:
    return {n: board.register(db, username=n, password=PW) for n in ("alice", "bob", "carol")}


def _post(db: Path, who: board.Account, **fields: Any) -> int:
    values = dict(
        kind="offer",
        title="Battery test bench",
        text="Bench time for pilots",
        sectors="batteries",
        countries="",
        expires=TODAY + dt.timedelta(days=30),
    )
    values.update(fields)
    return board.create_post(db, account_id=who.id, today=TODAY, **values)


def test_interest_reaches_the_owners_inbox_with_a_notification_and_both_read_the_thread(db, people) -> None:
    alice, bob = people["alice"], people["bob"]
    pid = _post(db, alice)
    assert conversations.unread(db, account_id=alice.id) == 0
    tid = conversations.express_interest(
        db, account_id=bob.id, post_id=pid, text="We need 3 days of bench time."
    )
    assert conversations.unread(db, account_id=alice.id) == 1
    note = conversations.notifications(db, account_id=alice.id).iloc[0]
    assert (note["kind"], note["thread_id"], note["post_id"]) == ("interest", tid, pid)
    assert "bob is interested in your offer #1 Battery test bench" == note["text"]
    inbox = conversations.inbox(db, account_id=alice.id)
    assert inbox[["id", "respondent", "status", "n_messages"]].values.tolist() == [[tid, "bob", "pending", 1]]
    assert conversations.inbox(db, account_id=bob.id).empty
    assert conversations.sent(db, account_id=bob.id)["id"].tolist() == [tid]

    conversations.decide(db, account_id=alice.id, thread_id=tid, decision="accepted")
    assert conversations.notifications(db, account_id=bob.id, unread_only=True)["kind"].tolist() == [
        "accepted"
    ]
    conversations.reply(db, account_id=alice.id, thread_id=tid, text="Welcome: which week?")
    conversations.reply(db, account_id=bob.id, thread_id=tid, text="Week 12.")
    for who in (alice, bob):
        head, msgs = conversations.conversation(db, account_id=who.id, thread_id=tid)
        assert head["status"] == "accepted"
        assert msgs[["sender", "kind", "body"]].values.tolist() == [
            ["bob", "interest", "We need 3 days of bench time."],
            ["alice", "reply", "Welcome: which week?"],
            ["bob", "reply", "Week 12."],
        ]
    assert conversations.unread(db, account_id=alice.id) == 2  # the interest and bob's reply
    assert conversations.mark_read(db, account_id=alice.id) == 2
    assert conversations.unread(db, account_id=alice.id) == 0
    assert conversations.unread(db, account_id=bob.id) == 2  # accepted + alice's reply


def test_a_third_account_reads_nothing_and_cannot_write_or_decide(db, people) -> None:
    alice, bob, carol = people["alice"], people["bob"], people["carol"]
    tid = conversations.express_interest(db, account_id=bob.id, post_id=_post(db, alice))
    for call in (
        lambda: conversations.conversation(db, account_id=carol.id, thread_id=tid),
        lambda: conversations.reply(db, account_id=carol.id, thread_id=tid, text="me too"),
        lambda: conversations.decide(db, account_id=carol.id, thread_id=tid, decision="accepted"),
    ):
        with pytest.raises(InputError, match="does not exist or is not yours"):
            call()
    with pytest.raises(InputError, match="Only the author"):  # the respondent cannot accept itself
        conversations.decide(db, account_id=bob.id, thread_id=tid, decision="accepted")


def test_contact_detail_is_shown_only_after_acceptance(db, people) -> None:
    alice, bob = people["alice"], people["bob"]
    pid = _post(db, alice, contact="email", contact_detail="bench@example.org")
    assert board.post(db, post_id=pid)["contact_detail"] == ""  # a visitor
    assert board.post(db, post_id=pid, viewer_id=alice.id)["contact_detail"] == "bench@example.org"
    tid = conversations.express_interest(db, account_id=bob.id, post_id=pid)
    assert board.post(db, post_id=pid, viewer_id=bob.id)["contact_detail"] == ""
    conversations.decide(db, account_id=alice.id, thread_id=tid, decision="accepted")
    assert board.post(db, post_id=pid, viewer_id=bob.id)["contact_detail"] == "bench@example.org"
    with pytest.raises(InputError, match="Field 'contact_detail'"):
        _post(db, alice, contact="phone")


def test_declined_thread_takes_no_more_messages(db, people) -> None:
    alice, bob = people["alice"], people["bob"]
    tid = conversations.express_interest(db, account_id=bob.id, post_id=_post(db, alice))
    conversations.decide(db, account_id=alice.id, thread_id=tid, decision="declined")
    assert conversations.notifications(db, account_id=bob.id)["kind"].tolist() == ["declined"]
    with pytest.raises(InputError, match="declined"):
        conversations.reply(db, account_id=bob.id, thread_id=tid, text="please?")


@pytest.mark.parametrize("case", ["visitor", "own post", "twice", "closed", "unknown"])
def test_interest_is_refused(db, people, case: str) -> None:
    alice, bob = people["alice"], people["bob"]
    pid = _post(db, alice)
    who, post_id, match = {
        "visitor": (None, pid, "Visitors can read"),
        "own post": (alice.id, pid, "your own"),
        "twice": (bob.id, pid, r"already answered post 1 \(conversation #1\)"),
        "closed": (bob.id, pid, "is closed"),
        "unknown": (bob.id, 99, "Post 99 does not exist"),
    }[case]
    if case == "twice":
        conversations.express_interest(db, account_id=bob.id, post_id=pid)
    if case == "closed":
        board.set_status(db, account_id=alice.id, post_id=pid, status="closed")
    with pytest.raises(InputError, match=match):
        conversations.express_interest(db, account_id=who, post_id=post_id)


def test_a_visitor_cannot_post(db) -> None:
    with pytest.raises(InputError, match="Visitors can read; sign in or register"):
        board.create_post(
            db,
            account_id=None,
            kind="offer",
            title="Spam offer",
            text="x",
            sectors="spam",
            expires=TODAY,
            today=TODAY,
        )
    assert board.browse(db, today=TODAY).empty


def test_posting_and_messages_are_rate_limited_per_account(db, people) -> None:
    alice, bob = people["alice"], people["bob"]
    for i in range(board.MAX_POSTS_PER_HOUR):
        _post(db, alice, title=f"Offer number {i}")
    with pytest.raises(InputError, match="posted 10 times in the last hour"):
        _post(db, alice, title="One too many")
    assert _post(db, bob, title="Bob may still post") > 0  # per account
    tid = conversations.express_interest(db, account_id=bob.id, post_id=1)
    for _ in range(conversations.MAX_MESSAGES_PER_HOUR - 1):
        conversations.reply(db, account_id=bob.id, thread_id=tid, text="again")
    with pytest.raises(InputError, match="30 messages in the last hour"):
        conversations.reply(db, account_id=bob.id, thread_id=tid, text="again")
    later = dt.datetime.now(dt.UTC).replace(tzinfo=None) + dt.timedelta(hours=1, minutes=1)
    assert conversations.reply(db, account_id=bob.id, thread_id=tid, text="next hour", now=later) > 0


def test_saved_search_notifies_of_new_matching_posts_by_others_only(db, people) -> None:
    alice, bob = people["alice"], people["bob"]
    sid = conversations.save_search(
        db, account_id=bob.id, name="battery offers", kind="offer", sector="BATTER"
    )
    conversations.save_search(db, account_id=alice.id, name="mine", sector="batteries")
    _post(db, alice, title="Battery bench")  # matches bob's search
    _post(db, alice, title="Battery need", kind="demand")  # wrong kind
    _post(db, alice, title="Food line", sectors="food")  # wrong sector
    _post(db, bob, title="Bob's own battery offer")  # bob's own post; alice's search matches
    got = conversations.notifications(db, account_id=bob.id)
    assert got["text"].tolist() == ["New offer matching your search 'battery offers': Battery bench"]
    assert conversations.notifications(db, account_id=alice.id)["post_id"].tolist() == [4]
    conversations.delete_search(db, account_id=bob.id, search_id=sid)
    _post(db, alice, title="Battery bench 2")
    assert conversations.unread(db, account_id=bob.id) == 1
    with pytest.raises(InputError, match="at least one criterion"):
        conversations.save_search(db, account_id=bob.id, name="all")
    with pytest.raises(InputError, match="not yours"):
        conversations.delete_search(db, account_id=alice.id, search_id=sid)


@pytest.mark.parametrize(
    ("search", "expected"),
    [
        ({"kind": "", "sector": "", "country": "", "text": ""}, True),
        ({"kind": "demand", "sector": "", "country": "", "text": ""}, False),
        ({"kind": "", "sector": "bat", "country": "", "text": ""}, True),
        ({"kind": "", "sector": "food", "country": "", "text": ""}, False),
        ({"kind": "", "sector": "", "country": "DE", "text": ""}, True),  # sought
        ({"kind": "", "sector": "", "country": "AT", "text": ""}, True),  # the poster's organisation
        ({"kind": "", "sector": "", "country": "FR", "text": ""}, False),
        ({"kind": "", "sector": "", "country": "", "text": "PILOT"}, True),
        ({"kind": "", "sector": "", "country": "", "text": "robot"}, False),
    ],
)
def test_post_matches_saved_search_table(search: dict, expected: bool) -> None:
    post = {
        "kind": "offer",
        "title": "Bench",
        "body": "for pilots",
        "sectors": ["batteries"],
        "countries": ["DE"],
        "org_country": "AT",
    }
    assert board.post_matches(post, search) is expected
