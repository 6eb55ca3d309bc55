"""Service tests of the offers-and-demands board: accounts, sign-in limits, ownership, matches."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cluster_map.config import Settings
from cluster_map.errors import InputError
from cluster_map.services import board, moderation
from tests.app_store import EVIL, tiny_connection

TODAY = dt.date(2026, 3, 1)
NOW = dt.datetime(2026, 3, 1, 9, 0)
PW = "correct horse battery"


@pytest.fixture(scope="module")
def store(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    yield from tiny_connection(tmp_path_factory)


@pytest.fixture()
def db(tmp_path: Path) -> Path:
    return tmp_path / "board.duckdb"


def _approved(db: Path, store: Any, account: board.Account, org_id: str) -> board.Account:
    """Ask for the link, and let an admin approve it (linking needs an admin's approval)."""
    board.link_organisation(db, store, account_id=account.id, org_id=org_id)
    admin = (
        board.sign_in(db, username="root", password=PW)
        if board_has(db, "root")
        else board.register(db, username="root", password=PW, role="admin")
    )
    link = moderation.pending_links(db, admin_id=admin.id)
    moderation.decide_link(
        db, admin_id=admin.id, link_id=int(link["id"].iloc[-1]), approve=True, reason="checked"
    )
    return board.current(db, account.id)


def board_has(db: Path, username: str) -> bool:
    return any(u == username for u in moderation.users(db)["username"])


def _post(db: Path, account: board.Account, **fields: Any) -> int:
    values = dict(
        kind="offer",
        title="Battery test bench",
        text="Bench time\nfor pilots",
        sectors="batteries",
        countries="",
        expires=TODAY + dt.timedelta(days=30),
    )
    values.update(fields)
    return board.create_post(db, account_id=account.id, today=TODAY, **values)


def test_default_path_is_beside_the_store() -> None:
    assert board.default_path(Settings(db=Path("/x/data/cluster_map.duckdb"))) == Path("/x/data/board.duckdb")


def test_password_hash_is_salted_scrypt_and_verifies() -> None:
    a, b = board.hash_password(PW), board.hash_password(PW)
    assert a != b and a.startswith("scrypt$16384$8$1$") and PW not in a
    assert board.verify_password(PW, a) and not board.verify_password(PW + "!", a)


def test_register_then_sign_in_case_insensitive(db: Path) -> None:
    made = board.register(db, username="Alice.M", password=PW)
    assert made.username == "alice.m"
    assert board.sign_in(db, username=" ALICE.M ", password=PW) == made


@pytest.mark.parametrize(
    ("username", "password", "field"),
    [
        ("al", PW, "username"),
        ("a" * 33, PW, "username"),
        ("alice smith", PW, "username"),
        ("al\x00ice", PW, "username"),
        ("alice", "short", "password"),
        ("alice", "x" * 257, "password"),
    ],
)
def test_register_refuses_bad_input(db: Path, username: str, password: str, field: str) -> None:
    with pytest.raises(InputError, match=f"Field '{field}'"):
        board.register(db, username=username, password=password)


def test_duplicate_username_is_refused(db: Path) -> None:
    board.register(db, username="alice", password=PW)
    with pytest.raises(InputError, match="'alice' is already taken"):
        board.register(db, username="ALICE", password=PW + "2")


@pytest.mark.parametrize("username", ["alice", "nobody"])
def test_wrong_password_or_unknown_user_give_the_same_message(db: Path, username: str) -> None:
    board.register(db, username="alice", password=PW)
    with pytest.raises(InputError, match="^Wrong username or password"):
        board.sign_in(db, username=username, password="wrong password")


def test_failed_sign_ins_are_rate_limited_per_username(db: Path) -> None:
    board.register(db, username="alice", password=PW)
    board.register(db, username="bob", password=PW)
    for i in range(board.MAX_FAILED_SIGN_INS):
        with pytest.raises(InputError, match="Wrong"):
            board.sign_in(db, username="alice", password="guess", now=NOW + dt.timedelta(seconds=i))
    with pytest.raises(InputError, match="Too many failed sign-ins for 'alice'"):
        board.sign_in(
            db, username="alice", password=PW, now=NOW + dt.timedelta(minutes=1)
        )  # even the right one
    assert board.sign_in(db, username="bob", password=PW, now=NOW).username == "bob"  # per username
    later = NOW + board.FAILED_SIGN_IN_WINDOW + dt.timedelta(minutes=1)
    assert board.sign_in(db, username="alice", password=PW, now=later).username == "alice"


def test_link_organisation_from_the_directory(db: Path, store: Any) -> None:
    me = board.register(db, username="alice", password=PW)
    asked = board.link_organisation(db, store, account_id=me.id, org_id="EUCO2")
    assert asked.org_id is None  # a request, not a link: an admin decides
    assert board.pending_link(db, account_id=me.id)["org_id"] == "EUCO2"
    linked = _approved(db, store, me, "EUCO2")
    assert (linked.org_id, linked.org_name, linked.org_country) == ("EUCO2", EVIL, "DE")
    with pytest.raises(InputError, match="'NOPE' is not in the directory"):
        board.link_organisation(db, store, account_id=me.id, org_id="NOPE")
    assert board.link_organisation(db, store, account_id=me.id, org_id="").org_id is None


def test_post_is_listed_with_the_organisation(db: Path, store: Any) -> None:
    me = _approved(db, store, board.register(db, username="alice", password=PW), "EUCO1")
    pid = _post(db, me, sectors="Batteries; Automotive, batteries", countries="de, AT")
    row = board.browse(db, today=TODAY).iloc[0]
    assert (row["id"], row["organisation"], row["country"]) == (pid, "Automotive Cluster Styria", "AT")
    assert (row["sectors"], row["countries"], row["text"]) == (
        "batteries; automotive",
        "DE, AT",
        "Bench time\nfor pilots",
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"kind": "swap"}, "kind"),
        ({"title": "ab"}, "title"),
        ({"title": "x" * 121}, "title"),
        ({"title": "bad\x1b[31m"}, "title"),
        ({"text": ""}, "text"),
        ({"text": "a\x00b"}, "text"),
        ({"sectors": ""}, "sectors"),
        ({"sectors": ";".join(f"k{i}" for i in range(13))}, "sectors"),
        ({"sectors": "x"}, "sectors"),
        ({"countries": "Germany"}, "countries"),
        ({"expires": "2026-02-30"}, "expires"),
        ({"expires": TODAY - dt.timedelta(days=1)}, "expires"),
        ({"expires": TODAY + dt.timedelta(days=400)}, "expires"),
    ],
)
def test_post_validation_names_the_field(db: Path, fields: dict, field: str) -> None:
    me = board.register(db, username="alice", password=PW)
    with pytest.raises(InputError, match=f"Field '{field}'"):
        _post(db, me, **fields)


def test_author_edits_closes_and_deletes_own_post(db: Path) -> None:
    me = board.register(db, username="alice", password=PW)
    pid = _post(db, me)
    board.edit_post(
        db,
        account_id=me.id,
        post_id=pid,
        kind="demand",
        title="Need a bench",
        text="t",
        sectors="batteries",
        expires=TODAY + dt.timedelta(days=2),
        today=TODAY,
    )
    assert board.post(db, post_id=pid)["title"] == "Need a bench"
    board.set_status(db, account_id=me.id, post_id=pid, status="closed")
    assert board.browse(db, today=TODAY).empty
    assert board.my_posts(db, account_id=me.id)["status"].tolist() == ["closed"]
    board.delete_post(db, account_id=me.id, post_id=pid)
    assert board.my_posts(db, account_id=me.id).empty


def test_account_b_cannot_touch_a_post_of_account_a(db: Path) -> None:
    a = board.register(db, username="alice", password=PW)
    b = board.register(db, username="bob", password=PW)
    pid = _post(db, a)
    refused = "belongs to another account"
    with pytest.raises(InputError, match=refused):
        board.edit_post(
            db,
            account_id=b.id,
            post_id=pid,
            kind="offer",
            title="hijacked",
            text="t",
            sectors="x1",
            expires=TODAY,
            today=TODAY,
        )
    with pytest.raises(InputError, match=refused):
        board.set_status(db, account_id=b.id, post_id=pid, status="closed")
    with pytest.raises(InputError, match=refused):
        board.delete_post(db, account_id=b.id, post_id=pid)
    row = board.post(db, post_id=pid)
    assert (row["title"], row["status"], row["author_id"]) == ("Battery test bench", "open", a.id)


def test_expired_posts_are_hidden_unless_asked_for(db: Path) -> None:
    me = board.register(db, username="alice", password=PW)
    _post(db, me, title="Ends today", expires=TODAY)
    _post(db, me, title="Ends tomorrow", expires=TODAY + dt.timedelta(days=1))
    later = TODAY + dt.timedelta(days=1)
    assert board.browse(db, today=TODAY)["title"].tolist() == ["Ends tomorrow", "Ends today"]
    assert board.browse(db, today=later)["title"].tolist() == ["Ends tomorrow"]
    assert len(board.browse(db, today=later, include_expired=True)) == 2


@pytest.mark.parametrize(
    ("filters", "titles"),
    [
        ({"kind": "demand"}, ["Need food"]),
        ({"sector": "FOOD"}, ["Need food"]),
        ({"country": "de"}, ["Bench"]),
        ({"text": "pilot"}, ["Bench"]),
        ({"text": "%"}, []),
    ],
)
def test_browse_filters(db: Path, filters: dict, titles: list[str]) -> None:
    me = board.register(db, username="alice", password=PW)
    _post(db, me, title="Bench", countries="DE")
    _post(db, me, title="Need food", kind="demand", sectors="food", text="x")
    assert board.browse(db, today=TODAY, **filters)["title"].tolist() == titles


def test_browse_refuses_bad_filters(db: Path) -> None:
    with pytest.raises(InputError, match="Field 'kind'"):
        board.browse(db, kind="both")
    with pytest.raises(InputError, match="Field 'country'"):
        board.browse(db, country="DE AT")


def test_matches_rank_by_shared_keywords_then_country_fit(db: Path, store: Any) -> None:
    def account(name: str, org: str) -> board.Account:
        return _approved(db, store, board.register(db, username=name, password=PW), org)

    a, b, c = account("alice", "EUCO1"), account("bob", "EUCO2"), account("carol", "EUCO4")  # AT, DE, AT
    demand = _post(db, a, kind="demand", sectors="batteries; automotive", countries="DE")
    _post(db, a, title="Own offer", sectors="batteries; automotive")  # own posts never match
    _post(db, b, title="DE one keyword", sectors="batteries; food")
    _post(db, c, title="AT two keywords", sectors="automotive; batteries", countries="DE")
    _post(db, c, title="AT one keyword", sectors="automotive")
    _post(db, b, title="Unrelated", sectors="food")
    _post(db, b, title="Other demand", kind="demand", sectors="batteries")
    found = board.matches(db, post_id=demand, today=TODAY)
    assert found["title"].tolist() == ["AT two keywords", "DE one keyword", "AT one keyword"]
    assert found["n_shared"].tolist() == [2, 1, 1]
    assert found["country_fit"].tolist() == [
        0.0,
        1.0,
        0.5,
    ]  # AT not sought / DE sought, open / AT not sought, open
    assert found["shared"].iloc[0] == "automotive; batteries"
    with pytest.raises(InputError, match="Post 999"):
        board.matches(db, post_id=999)


@pytest.mark.parametrize("evil", ["'); DROP TABLE posts; --", "' OR '1'='1", EVIL])
def test_injection_strings_are_stored_as_text(db: Path, evil: str) -> None:
    me = board.register(db, username="alice", password=PW)
    pid = _post(db, me, title=evil, text=evil, sectors=evil.replace(";", " "))
    assert board.browse(db, today=TODAY, text=evil)["title"].tolist() == [evil]
    assert board.post(db, post_id=pid)["body"] == evil
    with pytest.raises(InputError, match="Wrong"):
        board.sign_in(db, username=evil, password=evil)


@given(
    st.lists(
        st.text(
            alphabet=st.characters(
                blacklist_categories=("Cc", "Cf", "Cs", "Zl", "Zp"), blacklist_characters=";,"
            ),
            min_size=2,
            max_size=40,
        ).filter(lambda k: 2 <= len(" ".join(k.lower().split())) <= 40),
        min_size=1,
        max_size=12,
    )
)
def test_parsed_keywords_are_lower_unique_and_reparse_to_themselves(words: list[str]) -> None:
    parsed = board.parse_keywords(words)
    assert len(parsed) == len(set(parsed)) <= len(words)
    assert all(k == k.lower().strip() for k in parsed)
    assert board.parse_keywords("; ".join(parsed)) == parsed
